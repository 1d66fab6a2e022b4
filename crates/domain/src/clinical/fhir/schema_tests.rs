//! The exported bundles against the official FHIR R4 JSON schema (`schema_check`).

use super::schema_check::{assert_conforms, violations};
use super::tests::{AT, BRCA, LYNCH, parse, pid, proband, relatives};
use super::to_bundle;
use crate::clinical::assess::assess;
use crate::clinical::profile::RiskProfile;
use proptest::prelude::*;
use serde_json::json;

const EXAMPLE: &str = include_str!("../../../../../docs/pedigree/example-profile.json");

#[test]
fn example_families_conform_to_the_r4_schema() {
    for text in [BRCA, LYNCH, EXAMPLE] {
        let p = parse(text);
        let a = assess(&p, AT).expect("assess");
        assert_conforms(&to_bundle(&p, Some(&a), pid()));
        assert_conforms(&to_bundle(&p, None, pid()));
    }
}

#[test]
fn the_schema_check_finds_what_r4_forbids() {
    let p = parse(BRCA);
    let b = to_bundle(&p, None, pid());
    let k = b["entry"]
        .as_array()
        .expect("entries")
        .iter()
        .position(|e| e["resource"]["resourceType"] == "Patient")
        .expect("patient");
    // An element R4 does not define, and a gender outside its required value set.
    let mut x = b.clone();
    x["entry"][k]["resource"]["favouriteColour"] = json!("blue");
    let v = violations(&x);
    assert!(
        v.iter()
            .any(|m| m.contains(&format!("/entry/{k}/resource")) && m.contains("favouriteColour")),
        "{v:?}"
    );
    let mut x = b;
    x["entry"][k]["resource"]["gender"] = json!("f");
    assert!(!violations(&x).is_empty());
    assert!(!violations(&json!({"resourceType": "Pedigree"})).is_empty());
}

proptest! {
    // A schema check costs about as much as the rest of a case together; 64 random families
    // (each assessed when it validates, so the RiskAssessments are checked too) cover the
    // shapes the 200-case round trip in `tests` draws from.
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn random_families_export_valid_r4(proband in proband(), relatives in relatives()) {
        let p = RiskProfile { proband, relatives };
        let a = p.validate().ok().and_then(|()| assess(&p, AT).ok());
        let v = violations(&to_bundle(&p, a.as_ref(), pid()));
        prop_assert!(v.is_empty(), "{}", v.join("\n"));
    }
}
