//! `relation` and `relative_list` (api-contract.md §3.5.1).
//!
//! A relation is a risk-profile.md relation code, its words separated by spaces, hyphens or
//! underscores (`maternal aunt`, `maternal-aunt`, `maternal_aunt`), the side word anywhere
//! (`aunt, maternal`). Everyday words are read: `mom`/`mum` = mother, `dad` = father, `grandma`,
//! `grandpa`, `auntie`, `sis`, `bro`. A grandparent, aunt, uncle, cousin, half-sibling,
//! great-grandmother or great-aunt without a side is refused with a message asking for it.
//!
//! A relative list is `no`/`none` (`[]`), `unknown` (`null`), or items separated by `,` `;` or
//! ` and `, each `<relation> [age]` (`mother 52; maternal aunt`), with filler words allowed
//! (`my mother at 52`).

use super::text::{is_filler, one_age, quote, words};
use crate::clinical::profile::Relation;
use crate::questionnaire::model::RelativeMention;

/// Everyday words for parts of a relation code.
fn word_synonym(w: &str) -> &str {
    match w {
        "mom" | "mum" | "mommy" | "mummy" | "mama" | "mam" => "mother",
        "dad" | "daddy" | "papa" => "father",
        "sis" => "sister",
        "bro" => "brother",
        "grandma" | "granny" | "grandmom" | "grandmum" | "nana" | "nan" => "grandmother",
        "grandpa" | "granddad" | "grandad" | "grandpapa" => "grandfather",
        "auntie" | "aunty" => "aunt",
        "halfsister" => "half_sister",
        "halfbrother" => "half_brother",
        "greatgrandmother" => "great_grandmother",
        "greataunt" => "great_aunt",
        "mothers" => "maternal",
        "fathers" => "paternal",
        w => w,
    }
}

/// Reads the words of one relation (fillers already removed).
pub(crate) fn from_words(ws: &[String]) -> Result<Relation, String> {
    if ws.is_empty() {
        return Err("Name the relative".to_owned());
    }
    let mut side = None;
    let mut rest = Vec::new();
    for w in ws {
        match word_synonym(w) {
            s @ ("maternal" | "paternal") if side.is_none() => side = Some(s),
            "side" => {}
            s => rest.push(s),
        }
    }
    let base = rest.join("_");
    let code = match side {
        Some(s) => format!("{s}_{base}"),
        None => base.clone(),
    };
    if let Some(r) = Relation::ALL.iter().find(|r| r.as_str() == code) {
        return Ok(*r);
    }
    let sided = |s: &str| {
        let c = format!("{s}_{base}");
        Relation::ALL.iter().any(|r| r.as_str() == c)
    };
    if side.is_none() && sided("maternal") && sided("paternal") {
        let plain = base.replace('_', " ");
        return Err(format!(
            "Say which side: maternal {plain} (your mother's side) or paternal {plain} (your \
             father's side)"
        ));
    }
    Err(format!(
        "{} is not a relation we know",
        quote(&ws.join(" "))
    ))
}

/// Reads a `relation` answer.
pub(crate) fn parse(s: &str) -> Result<Relation, String> {
    let ws: Vec<String> = words(s).into_iter().filter(|w| !is_filler(w)).collect();
    from_words(&ws)
}

/// Reads one `<relation> [age]` item.
fn mention(item: &str) -> Result<RelativeMention, String> {
    let ws: Vec<String> = words(item).into_iter().filter(|w| !is_filler(w)).collect();
    let age_at_diagnosis = one_age(&ws)?;
    let names: Vec<String> = ws
        .into_iter()
        .filter(|w| !w.starts_with(|c: char| c.is_ascii_digit()) && w != "unknown")
        .collect();
    Ok(RelativeMention {
        relation: from_words(&names)?,
        age_at_diagnosis,
    })
}

/// Reads a `relative_list` answer; `None` = unknown.
pub(crate) fn list(s: &str) -> Result<Option<Vec<RelativeMention>>, String> {
    super::list(s, mention)
}
