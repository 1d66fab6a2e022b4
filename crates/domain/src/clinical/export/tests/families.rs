//! Random families of every relation, for the property tests, and the ids CanRisk gives them.

use std::collections::{HashMap, HashSet};

use proptest::prelude::*;
use serde_json::json;

use super::*;

pub(super) const RELATIONS: [&str; 28] = [
    "mother",
    "father",
    "sister",
    "brother",
    "daughter",
    "son",
    "maternal_half_sister",
    "maternal_half_brother",
    "paternal_half_sister",
    "paternal_half_brother",
    "maternal_grandmother",
    "maternal_grandfather",
    "paternal_grandmother",
    "paternal_grandfather",
    "maternal_aunt",
    "maternal_uncle",
    "paternal_aunt",
    "paternal_uncle",
    "niece",
    "nephew",
    "granddaughter",
    "grandson",
    "maternal_cousin",
    "paternal_cousin",
    "maternal_great_grandmother",
    "paternal_great_grandmother",
    "maternal_great_aunt",
    "paternal_great_aunt",
];

pub(super) fn is_female(rel: &str, cousin_female: bool) -> bool {
    match rel {
        "maternal_cousin" | "paternal_cousin" => cousin_female,
        r => [
            "mother",
            "sister",
            "daughter",
            "maternal_half_sister",
            "paternal_half_sister",
            "maternal_grandmother",
            "paternal_grandmother",
            "maternal_aunt",
            "paternal_aunt",
            "niece",
            "granddaughter",
            "maternal_great_grandmother",
            "paternal_great_grandmother",
            "maternal_great_aunt",
            "paternal_great_aunt",
        ]
        .contains(&r),
    }
}

/// The id scheme of `canrisk/skeleton.rs` (single relations are fixed anchors; the others are
/// numbered in order of appearance).
pub(super) fn expected_ids(rels: &[&str]) -> Vec<String> {
    let prefix = |r: &str| -> &'static str {
        match r {
            "sister" => "SIS",
            "brother" => "BRO",
            "daughter" => "DAU",
            "son" => "SON",
            "maternal_half_sister" => "MHS",
            "maternal_half_brother" => "MHB",
            "paternal_half_sister" => "PHS",
            "paternal_half_brother" => "PHB",
            "maternal_aunt" => "MAU",
            "maternal_uncle" => "MUN",
            "paternal_aunt" => "PAU",
            "paternal_uncle" => "PUN",
            "niece" => "NIE",
            "nephew" => "NEP",
            "granddaughter" => "GDA",
            "grandson" => "GSO",
            "maternal_cousin" => "MCO",
            "paternal_cousin" => "PCO",
            "maternal_great_aunt" => "MGA",
            "paternal_great_aunt" => "PGA",
            _ => "",
        }
    };
    let mut n: HashMap<&str, usize> = HashMap::new();
    let mut ggm = [0usize; 2];
    rels.iter()
        .map(|r| match *r {
            "mother" => "MO".to_owned(),
            "father" => "FA".to_owned(),
            "maternal_grandmother" => "MGM".to_owned(),
            "maternal_grandfather" => "MGF".to_owned(),
            "paternal_grandmother" => "PGM".to_owned(),
            "paternal_grandfather" => "PGF".to_owned(),
            "maternal_great_grandmother" => {
                ggm[0] += 1;
                format!("MGGM{}", ggm[0])
            }
            "paternal_great_grandmother" => {
                ggm[1] += 1;
                format!("PGGM{}", ggm[1])
            }
            other => {
                let p = prefix(other);
                let k = n.entry(p).or_insert(0);
                *k += 1;
                format!("{p}{k}")
            }
        })
        .collect()
}

#[derive(Debug, Clone)]
pub(super) struct GenRel {
    pub(super) rel: usize,
    pub(super) cousin_female: bool,
    pub(super) alive: Option<bool>,
    pub(super) age: Option<i32>,
    pub(super) breast: Option<Option<i32>>,
    pub(super) ovarian: Option<Option<i32>>,
    pub(super) pancreatic: Option<i32>,
}

pub(super) fn gen_rel() -> impl Strategy<Value = GenRel> {
    (
        0usize..28,
        any::<bool>(),
        proptest::option::of(any::<bool>()),
        proptest::option::of(60i32..=100),
        proptest::option::of(proptest::option::of(20i32..=59)),
        proptest::option::of(proptest::option::of(20i32..=59)),
        proptest::option::of(20i32..=59),
    )
        .prop_map(
            |(rel, cousin_female, alive, age, breast, ovarian, pancreatic)| GenRel {
                rel,
                cousin_female,
                alive,
                age,
                breast,
                ovarian,
                pancreatic,
            },
        )
}

/// Drops second copies of single relations and third great-grandmothers on a side.
pub(super) fn legal(rels: Vec<GenRel>) -> Vec<GenRel> {
    let mut seen = HashSet::new();
    let mut ggm = [0; 2];
    rels.into_iter()
        .filter(|g| match RELATIONS[g.rel] {
            r @ ("mother"
            | "father"
            | "maternal_grandmother"
            | "maternal_grandfather"
            | "paternal_grandmother"
            | "paternal_grandfather") => seen.insert(r),
            "maternal_great_grandmother" => {
                ggm[0] += 1;
                ggm[0] <= 2
            }
            "paternal_great_grandmother" => {
                ggm[1] += 1;
                ggm[1] <= 2
            }
            _ => true,
        })
        .collect()
}

pub(super) fn gen_profile(rels: &[GenRel]) -> RiskProfile {
    let relatives: Vec<serde_json::Value> = rels
        .iter()
        .map(|g| {
            let name = RELATIONS[g.rel];
            let female = is_female(name, g.cousin_female);
            let mut cancers = Vec::new();
            if let Some(a) = g.breast {
                cancers.push(json!({ "type": "breast", "age_at_diagnosis": a }));
            }
            if let (Some(a), true) = (g.ovarian, female) {
                cancers.push(json!({ "type": "ovarian", "age_at_diagnosis": a }));
            }
            if let Some(a) = g.pancreatic {
                cancers.push(json!({ "type": "pancreatic", "age_at_diagnosis": a }));
            }
            json!({
                "relation": name,
                "sex": if female { "female" } else { "male" },
                "alive": g.alive, "age": g.age, "cancers": cancers
            })
        })
        .collect();
    profile(json!({
        "proband": { "sex": "female", "age": 45 },
        "relatives": relatives
    }))
}

pub(super) fn dx_text(a: Option<Option<i32>>) -> String {
    match a {
        None => "0".to_owned(),
        Some(None) => "AU".to_owned(),
        Some(Some(a)) => a.to_string(),
    }
}
