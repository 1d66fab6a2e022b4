//! From a validated [`RiskProfile`] to each model's own input, and from each model's
//! path-style warnings back to plain sentences naming people.
//!
//! Each `*_input` function returns either the model input (plus the warnings the mapping itself
//! raises: unknown inputs taken at a default, inputs the model cannot use) or the reason the model
//! cannot run for this person.
//!
//! One file per model ([`tyrer_cuzick`], [`gail`], [`manchester`]; NCCN reads the profile
//! itself); here: how warnings name people, and the facts the models share.

mod gail;
mod manchester;
mod tyrer_cuzick;

use super::super::profile::{Cancer, CancerType, Proband, RiskProfile};
pub(super) use gail::{gail_facts, gail_input};
pub(super) use manchester::{manchester_input, manchester_warning};
pub(super) use tyrer_cuzick::{tc_error, tc_input, tc_not_applicable, tc_warning};

// ---------------------------------------------------------------------------------------------
// People, for sentences

/// How a warning names a person: `"You"` for the proband; the relation with its side
/// (`"Mother, maternal side"`) for a relative, with its rank when the relation is listed more
/// than once (`"Sister (2nd listed)"`).
pub(super) fn who(profile: &RiskProfile, person: Option<usize>) -> String {
    let Some(i) = person else {
        return "You".to_owned();
    };
    let Some(r) = profile.relatives.get(i) else {
        return format!("Relative {}", i + 1);
    };
    let same: Vec<usize> = profile
        .relatives
        .iter()
        .enumerate()
        .filter(|(_, x)| x.relation == r.relation)
        .map(|(j, _)| j)
        .collect();
    let base = capitalise(&r.relation.describe());
    if same.len() > 1 {
        let rank = same.iter().position(|j| *j == i).map_or(1, |p| p + 1);
        format!("{base} ({} listed)", ordinal(rank))
    } else {
        base
    }
}

fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

pub(super) fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Appends the model's name to a sentence: `"X."` → `"X (Tyrer-Cuzick)."`.
pub(super) fn tagged(sentence: &str, model: &str) -> String {
    let s = sentence.trim().trim_end_matches('.');
    format!("{s} ({model}).")
}

/// Reads `relatives[<n>]` at the start of `s`: the index and the rest of the text.
fn leading_relative(s: &str) -> Option<(usize, &str)> {
    let rest = s.strip_prefix("relatives[")?;
    let end = rest.find(']')?;
    let i = rest[..end].parse().ok()?;
    Some((i, &rest[end + 1..]))
}

/// Replaces every `relatives[<n>]` (and a following ` (<relation code>)`) in a sentence with the
/// person's name, for any model message not handled more specifically.
pub(super) fn humanise_paths(profile: &RiskProfile, text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(pos) = rest.find("relatives[") {
        out.push_str(&rest[..pos]);
        match leading_relative(&rest[pos..]) {
            Some((i, mut tail)) => {
                if let Some(r) = profile.relatives.get(i) {
                    let code = format!(" ({})", r.relation.as_str());
                    if let Some(t) = tail.strip_prefix(code.as_str()) {
                        tail = t;
                    }
                }
                let name = who(profile, Some(i));
                // Lower-case the name inside a sentence.
                if out.is_empty() || out.ends_with(". ") {
                    out.push_str(&name);
                } else {
                    out.push_str(&lower_first(&name));
                }
                rest = tail;
            }
            None => {
                out.push_str("relatives[");
                rest = &rest[pos + "relatives[".len()..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

// ---------------------------------------------------------------------------------------------
// Shared facts

/// Pathogenic or likely pathogenic BRCA1/BRCA2 result in the proband.
pub(super) fn known_brca_carrier(p: &Proband) -> Option<&'static str> {
    ["BRCA1", "BRCA2"]
        .into_iter()
        .find(|g| p.genetic_tests.iter().any(|t| t.is_plp_in(g)))
}

fn age_u32(a: Option<i32>) -> Option<u32> {
    a.and_then(|a| u32::try_from(a).ok())
}

fn age_u8(a: Option<i32>) -> Option<u8> {
    a.and_then(|a| u8::try_from(a).ok())
}

fn breast_cancers(cancers: &[Cancer]) -> Vec<&Cancer> {
    let mut v: Vec<&Cancer> = cancers
        .iter()
        .filter(|c| c.cancer_type == CancerType::Breast)
        .collect();
    // Earliest known age first; unknown ages last, in listed order.
    v.sort_by_key(|c| c.age_at_diagnosis.unwrap_or(i32::MAX));
    v
}

fn earliest(cancers: &[Cancer], t: CancerType) -> Option<&Cancer> {
    cancers
        .iter()
        .filter(|c| c.cancer_type == t)
        .min_by_key(|c| c.age_at_diagnosis.unwrap_or(i32::MAX))
}

#[cfg(test)]
mod tests;
