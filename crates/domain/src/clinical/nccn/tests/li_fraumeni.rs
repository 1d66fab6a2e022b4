//! Li-Fraumeni criteria L2–L6, L9 and the L7 warning ([`super::super::li_fraumeni`]).

use super::*;

#[test]
fn l2_met_classic_lfs() {
    let r = eval(man(
        35,
        json!([{"type": "sarcoma", "age_at_diagnosis": 30}]),
        json!([
        {"relation": "brother", "cancers": [{"type": "leukemia", "age_at_diagnosis": 20}]},
        {"relation": "maternal_aunt", "cancers": [{"type": "sarcoma", "age_at_diagnosis": 60}]}]),
    ));
    let l2 = r.get("L2").expect("L2");
    assert_eq!(
        l2.relatives,
        vec!["brother".to_owned(), "maternal_aunt".to_owned()]
    );
}

#[test]
fn l2_not_met_without_second_relative_or_across_lineages() {
    let r = eval(man(
        35,
        json!([{"type": "sarcoma", "age_at_diagnosis": 30}]),
        json!([
        {"relation": "brother", "cancers": [{"type": "leukemia", "age_at_diagnosis": 20}]}]),
    ));
    assert!(!r.has("L2"));
    // mother's cancer <45 and a paternal aunt's sarcoma are in different lineages
    let r = eval(man(
        35,
        json!([{"type": "sarcoma", "age_at_diagnosis": 30}]),
        json!([
        {"relation": "mother", "cancers": [{"type": "colorectal", "age_at_diagnosis": 40}]},
        {"relation": "paternal_aunt", "cancers": [{"type": "sarcoma", "age_at_diagnosis": 60}]}]),
    ));
    assert!(!r.has("L2"));
}

#[test]
fn l3_met_chompret_spectrum_relative_under_56() {
    let r = eval(woman(
        35,
        json!([{"type": "brain", "age_at_diagnosis": 30}]),
        json!([
        {"relation": "maternal_aunt", "cancers": [{"type": "sarcoma", "age_at_diagnosis": 50}]}]),
    ));
    assert!(r.has("L3"));
}

#[test]
fn l3_not_met_breast_with_breast_relative() {
    let r = eval(woman(
        45,
        json!([{"type": "breast", "age_at_diagnosis": 40, "triple_negative": false}]),
        json!([
        {"relation": "mother", "cancers": [{"type": "breast", "age_at_diagnosis": 55}]}]),
    ));
    assert!(!r.has("L3"), "{:?}", r.criteria);
}

#[test]
fn l4_met_multiple_spectrum_tumours_first_before_46() {
    let r = eval(woman(
        50,
        json!([{"type": "breast", "age_at_diagnosis": 40, "triple_negative": false}, {"type": "sarcoma", "age_at_diagnosis": 45}]),
        json!([]),
    ));
    assert!(r.has("L4"));
}

#[test]
fn l4_not_met_multiple_breast_only() {
    let r = eval(woman(
        50,
        json!([{"type": "breast", "age_at_diagnosis": 40, "triple_negative": false}, {"type": "breast", "age_at_diagnosis": 45, "triple_negative": false}]),
        json!([]),
    ));
    assert!(!r.has("L4"));
}

#[test]
fn l5_met_adrenocortical_any_age() {
    assert!(
        eval(man(
            70,
            json!([{"type": "adrenocortical", "age_at_diagnosis": 65}]),
            json!([])
        ))
        .has("L5")
    );
}

#[test]
fn l5_not_met_other_cancer() {
    assert!(
        !eval(man(
            70,
            json!([{"type": "kidney", "age_at_diagnosis": 65}]),
            json!([])
        ))
        .has("L5")
    );
}

#[test]
fn l6_met_breast_at_30() {
    assert!(
        eval(woman(
            40,
            json!([{"type": "breast", "age_at_diagnosis": 30, "triple_negative": false}]),
            json!([])
        ))
        .has("L6")
    );
}

#[test]
fn l6_not_met_breast_at_31() {
    assert!(
        !eval(woman(
            40,
            json!([{"type": "breast", "age_at_diagnosis": 31, "triple_negative": false}]),
            json!([])
        ))
        .has("L6")
    );
}

#[test]
fn l7_childhood_leukaemia_warns() {
    let r = eval(woman(
        40,
        json!([]),
        json!([{"relation": "son", "age": 10, "cancers": [{"type": "leukemia", "age_at_diagnosis": 5}]}]),
    ));
    assert!(warned(&r, "(L7)"));
}

#[test]
fn l9_met_deceased_untested_relative() {
    let r = eval(woman(
        40,
        json!([]),
        json!([{"relation": "sister", "alive": false, "age": 30, "cancers": [{"type": "adrenocortical", "age_at_diagnosis": 28}]}]),
    ));
    assert_eq!(
        r.get("L9").expect("L9").relatives,
        vec!["sister".to_owned()]
    );
}

#[test]
fn l9_not_met_living_or_tested_relative() {
    let r = eval(woman(
        40,
        json!([]),
        json!([{"relation": "sister", "alive": true, "age": 35, "cancers": [{"type": "adrenocortical", "age_at_diagnosis": 28}]}]),
    ));
    assert!(!r.has("L9"));
    let r = eval(woman(
        40,
        json!([]),
        json!([{"relation": "sister", "alive": false, "age": 30,
        "cancers": [{"type": "adrenocortical", "age_at_diagnosis": 28}], "genetic_tests": [{"gene": "TP53", "result": "negative"}]}]),
    ));
    assert!(!r.has("L9"));
}

// ---- issue #15, defect 1: an unknown age at diagnosis is bounded by the person's age ----------

#[test]
fn l6_met_when_unknown_age_is_bounded_below_31() {
    let r = eval(woman(29, json!([{"type": "breast"}]), json!([])));
    let l6 = r.get("L6").expect("L6 by the age bound");
    assert!(
        l6.rationale
            .contains("no later than 29 (your current age) (< 31)"),
        "{}",
        l6.rationale
    );
    assert!(!eval(woman(31, json!([{"type": "breast"}]), json!([]))).has("L6"));
}
