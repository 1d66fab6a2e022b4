//! Pancreatic criteria Pa1, Pa2 ([`super::super::pancreatic`]).

use super::*;

#[test]
fn pa1_met_exocrine_or_unknown() {
    let r = eval(man(
        70,
        json!([{"type": "pancreatic", "age_at_diagnosis": 68, "histology": "exocrine"}]),
        json!([]),
    ));
    assert_eq!(level(&r, "Pa1"), Some(L::Indicated));
    let r = eval(man(
        70,
        json!([{"type": "pancreatic", "age_at_diagnosis": 68}]),
        json!([]),
    ));
    assert!(
        r.get("Pa1")
            .expect("Pa1")
            .rationale
            .contains("assumed exocrine")
    );
}

#[test]
fn pa1_not_met_neuroendocrine() {
    let r = eval(man(
        70,
        json!([{"type": "pancreatic", "age_at_diagnosis": 68, "histology": "neuroendocrine"}]),
        json!([]),
    ));
    assert!(!r.has("Pa1"));
    assert!(warned(&r, "Neuroendocrine guideline"));
}

#[test]
fn pa2_met_first_degree_relative() {
    let r = eval(woman(
        40,
        json!([]),
        json!([{"relation": "father", "cancers": [{"type": "pancreatic", "age_at_diagnosis": 70}]}]),
    ));
    assert_eq!(
        r.get("Pa2").expect("Pa2").relatives,
        vec!["father".to_owned()]
    );
}

#[test]
fn pa2_not_met_second_degree_warns() {
    let r = eval(woman(
        40,
        json!([]),
        json!([{"relation": "paternal_uncle", "cancers": [{"type": "pancreatic", "age_at_diagnosis": 70}]}]),
    ));
    assert!(!r.has("Pa2"));
    assert!(warned(&r, "(Pa2"), "{:?}", r.warnings);
    let r = eval(woman(
        40,
        json!([]),
        json!([{"relation": "mother", "cancers": [{"type": "pancreatic", "age_at_diagnosis": 70, "histology": "neuroendocrine"}]}]),
    ));
    assert!(!r.has("Pa2"));
}
