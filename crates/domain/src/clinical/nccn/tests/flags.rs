//! Flags: negative tested relative, limited family structure, prior testing
//! ([`super::super::flags`]).

use super::*;

#[test]
fn negative_tested_first_degree_relative_is_flagged() {
    let r = eval(woman(
        30,
        json!([]),
        json!([{"relation": "mother", "cancers": [{"type": "breast", "age_at_diagnosis": 40}],
        "genetic_tests": [{"gene": "BRCA1", "result": "negative"}, {"gene": "BRCA2", "result": "negative"}]}]),
    ));
    assert!(r.has("G5"));
    assert!(
        warned(&r, "Mother, maternal side tested negative (BRCA1, BRCA2)"),
        "{:?}",
        r.warnings
    );
}

#[test]
fn limited_family_structure_and_prior_testing_flags() {
    let r = eval(woman(
        70,
        json!([{"type": "breast", "age_at_diagnosis": 66, "triple_negative": false}]),
        json!([]),
    ));
    assert!(warned(&r, "limited family structure"));
    let mut v = woman(
        45,
        json!([{"type": "breast", "age_at_diagnosis": 44, "triple_negative": false}]),
        json!([]),
    );
    v["proband"]["genetic_tests"] = json!([{"gene": "BRCA1", "result": "negative"}]);
    assert!(warned(&eval(v), "(G2)"));
}

#[test]
fn negative_flag_only_for_the_involved_relative() {
    let r = eval(woman(
        30,
        json!([]),
        json!([
        {"relation": "sister", "cancers": [{"type": "breast", "age_at_diagnosis": 40}]},
        {"relation": "sister", "genetic_tests": [{"gene": "BRCA1", "result": "negative"}]}]),
    ));
    assert!(r.has("G5"));
    assert!(!warned(&r, "tested negative"), "{:?}", r.warnings);
}
