//! Low yield B14, P0 ([`super::super::low_yield`]).

use super::*;

#[test]
fn b14_low_yield_after_65_without_family() {
    let r = eval(woman(
        75,
        json!([{"type": "breast", "age_at_diagnosis": 70, "triple_negative": false}]),
        json!([]),
    ));
    assert_eq!(level(&r, "B14"), Some(L::LowYield));
    assert_eq!(r.outcome, O::NotMet, "low yield never raises the outcome");
}

#[test]
fn b14_not_with_family_history() {
    let r = eval(woman(
        75,
        json!([{"type": "breast", "age_at_diagnosis": 70, "triple_negative": false}]),
        json!([{"relation": "sister", "cancers": [{"type": "breast", "age_at_diagnosis": 72}]}]),
    ));
    assert!(!r.has("B14"));
}

#[test]
fn p0_low_yield_localised_low_risk_without_family() {
    let r = eval(man(
        70,
        pc(json!({"prostate_risk_group": "low", "metastatic": false})),
        json!([]),
    ));
    assert_eq!(level(&r, "P0"), Some(L::LowYield));
    assert_eq!(r.outcome, O::NotMet);
}

#[test]
fn p0_not_with_family_history() {
    let r = eval(man(
        70,
        pc(json!({"prostate_risk_group": "low"})),
        json!([{"relation": "mother", "cancers": [{"type": "breast", "age_at_diagnosis": 70}]}]),
    ));
    assert!(!r.has("P0"));
}

// ---- issue #15, also ----------------------------------------------------------------------------

#[test]
fn b14_and_p0_are_not_reported_when_a_criterion_is_met() {
    // Issue example: B14 was listed next to G1 for a woman whose sister carries a BRCA2 variant.
    let r = eval(woman(
        75,
        json!([{"type": "breast", "age_at_diagnosis": 70, "triple_negative": false}]),
        json!([{"relation": "sister", "genetic_tests": [{"gene": "BRCA2", "result": "pathogenic"}]}]),
    ));
    assert!(r.has("G1") && !r.has("B14"), "{:?}", ids(&r));
    // The same for P0, and for a model probability above 5 %.
    let r = eval(man(
        70,
        json!([{"type": "prostate", "age_at_diagnosis": 66, "prostate_risk_group": "low", "metastatic": false}]),
        json!([{"relation": "sister", "genetic_tests": [{"gene": "BRCA2", "result": "pathogenic"}]}]),
    ));
    assert!(r.has("G1") && !r.has("P0"), "{:?}", ids(&r));
    let r = eval_p(
        woman(
            75,
            json!([{"type": "breast", "age_at_diagnosis": 70, "triple_negative": false}]),
            json!([]),
        ),
        0.06,
    );
    assert!(r.has("G6") && !r.has("B14"), "{:?}", ids(&r));
    // Still reported when nothing is met.
    let r = eval(woman(
        75,
        json!([{"type": "breast", "age_at_diagnosis": 70, "triple_negative": false}]),
        json!([]),
    ));
    assert_eq!(ids(&r), vec!["B14"]);
}
