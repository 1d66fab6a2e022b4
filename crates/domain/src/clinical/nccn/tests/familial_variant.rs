//! G1, L1, C1: a relative with a familial pathogenic variant; the proband's own
//! ([`super::super::familial_variant`]).

use super::*;

#[test]
fn g1_met_relative_with_familial_variant() {
    let r = eval(woman(
        30,
        json!([]),
        json!([{"relation": "sister", "genetic_tests": [{"gene": "brca2", "result": "pathogenic"}]}]),
    ));
    let g1 = r.get("G1").expect("G1");
    assert_eq!(g1.relatives, vec!["sister".to_owned()]);
    assert!(
        g1.rationale.contains("sister") && g1.rationale.contains("BRCA2"),
        "{}",
        g1.rationale
    );
    assert!(!g1.rationale.contains("founder"));
    assert_eq!(r.outcome, O::Indicated);
}

#[test]
fn g1_met_ashkenazi_adds_founder_variants() {
    let mut v = woman(
        30,
        json!([]),
        json!([{"relation": "father", "genetic_tests": [{"gene": "BRCA1", "result": "likely_pathogenic"}]}]),
    );
    v["proband"]["ashkenazi_jewish"] = json!(true);
    assert!(eval(v).get("G1").expect("G1").rationale.contains("founder"));
}

#[test]
fn g1_not_met_for_vus_or_negative_and_warns_on_unknown_result() {
    let r = eval(woman(
        30,
        json!([]),
        json!([{"relation": "sister", "genetic_tests": [
        {"gene": "BRCA2", "result": "vus"}, {"gene": "BRCA1", "result": "negative"}]}]),
    ));
    assert!(!r.has("G1"));
    let r = eval(woman(
        30,
        json!([]),
        json!([{"relation": "sister", "genetic_tests": [{"gene": "BRCA2", "result": null}]}]),
    ));
    assert!(!r.has("G1"));
    assert!(warned(&r, "BRCA2 test result unknown"), "{:?}", r.warnings);
}

#[test]
fn l1_met_familial_tp53() {
    let r = eval(woman(
        30,
        json!([]),
        json!([{"relation": "mother", "genetic_tests": [{"gene": "TP53", "result": "pathogenic"}]}]),
    ));
    assert!(r.has("L1"));
    // Issue #15: a familial TP53 variant is also a known familial variant (G1).
    let g1 = r.get("G1").expect("G1 for a familial TP53 variant");
    assert!(g1.rationale.contains("TP53"), "{}", g1.rationale);
    assert_eq!(g1.relatives, vec!["mother".to_owned()]);
}

#[test]
fn l1_not_met_benign_tp53() {
    let r = eval(woman(
        30,
        json!([]),
        json!([{"relation": "mother", "genetic_tests": [{"gene": "TP53", "result": "benign"}]}]),
    ));
    assert!(!r.has("L1"));
}

#[test]
fn c1_met_familial_pten() {
    let r = eval(woman(
        30,
        json!([]),
        json!([{"relation": "brother", "genetic_tests": [{"gene": "PTEN", "result": "likely_pathogenic"}]}]),
    ));
    assert!(r.has("C1"));
    // Issue #15: a familial PTEN variant is also a known familial variant (G1).
    let g1 = r.get("G1").expect("G1 for a familial PTEN variant");
    assert!(g1.rationale.contains("PTEN"), "{}", g1.rationale);
    assert_eq!(g1.relatives, vec!["brother".to_owned()]);
}

#[test]
fn c1_not_met_pten_negative() {
    let r = eval(woman(
        30,
        json!([]),
        json!([{"relation": "brother", "genetic_tests": [{"gene": "PTEN", "result": "negative"}]}]),
    ));
    assert!(!r.has("C1"));
}

#[test]
fn proband_carrier_is_noted() {
    let mut v = woman(45, json!([]), json!([]));
    v["proband"]["genetic_tests"] = json!([{"gene": "BRCA2", "result": "pathogenic"}]);
    assert!(warned(&eval(v), "You already carry"));
}
