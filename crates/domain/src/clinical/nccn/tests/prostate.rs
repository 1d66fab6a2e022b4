//! Prostate criteria Pr1–Pr5, Pr7, Pr8 ([`super::super::prostate`]).

use super::*;

#[test]
fn pr1_met_metastatic() {
    let r = eval(man(70, pc(json!({"metastatic": true})), json!([])));
    assert_eq!(level(&r, "Pr1"), Some(L::Indicated));
}

#[test]
fn pr1_not_met_localised_and_unknown_warns() {
    let r = eval(man(
        70,
        pc(json!({"metastatic": false, "prostate_risk_group": "low"})),
        json!([]),
    ));
    assert!(!r.has("Pr1"));
    let r = eval(man(70, pc(json!({})), json!([])));
    assert!(!r.has("Pr1") && warned(&r, "(Pr1, Pr2)"));
}

#[test]
fn pr2_met_high_and_very_high() {
    assert!(
        eval(man(
            70,
            pc(json!({"prostate_risk_group": "high"})),
            json!([])
        ))
        .has("Pr2")
    );
    assert!(
        eval(man(
            70,
            pc(json!({"prostate_risk_group": "very_high"})),
            json!([])
        ))
        .has("Pr2")
    );
}

#[test]
fn pr2_not_met_intermediate() {
    assert!(
        !eval(man(
            70,
            pc(json!({"prostate_risk_group": "intermediate"})),
            json!([])
        ))
        .has("Pr2")
    );
}

#[test]
fn pr3_met_ashkenazi() {
    let mut v = man(70, pc(json!({"prostate_risk_group": "low"})), json!([]));
    v["proband"]["ashkenazi_jewish"] = json!(true);
    assert!(eval(v).has("Pr3"));
}

#[test]
fn pr3_not_met_non_ashkenazi() {
    assert!(
        !eval(man(
            70,
            pc(json!({"prostate_risk_group": "low"})),
            json!([])
        ))
        .has("Pr3")
    );
}

#[test]
fn pr4_met_close_relative_ovarian() {
    let r = eval(man(
        70,
        pc(json!({"prostate_risk_group": "low"})),
        json!([{"relation": "sister", "cancers": [{"type": "ovarian", "age_at_diagnosis": 60}]}]),
    ));
    assert_eq!(
        r.get("Pr4").expect("Pr4").rationale,
        "Close relative (sister) with ovarian cancer diagnosed at 60."
    );
}

#[test]
fn pr4_not_met_late_breast() {
    let r = eval(man(
        70,
        pc(json!({"prostate_risk_group": "low"})),
        json!([{"relation": "sister", "cancers": [{"type": "breast", "age_at_diagnosis": 60}]}]),
    ));
    assert!(!r.has("Pr4"));
}

#[test]
fn pr5_met_three_prostate_on_paternal_side() {
    let r = eval(man(
        70,
        pc(json!({"prostate_risk_group": "low"})),
        json!([
        {"relation": "father", "cancers": [{"type": "prostate", "age_at_diagnosis": 75, "prostate_risk_group": "low"}]},
        {"relation": "paternal_uncle", "cancers": [{"type": "prostate", "age_at_diagnosis": 72, "prostate_risk_group": "intermediate"}]}]),
    ));
    assert!(r.has("Pr5"));
    assert!(!r.has("P0"));
}

#[test]
fn pr5_not_met_two_diagnoses() {
    let r = eval(man(
        70,
        pc(json!({"prostate_risk_group": "low"})),
        json!([
        {"relation": "father", "cancers": [{"type": "prostate", "age_at_diagnosis": 75, "prostate_risk_group": "low"}]}]),
    ));
    assert!(!r.has("Pr5"));
}

#[test]
fn pr7_met_at_55() {
    let r = eval(man(
        60,
        json!([{"type": "prostate", "age_at_diagnosis": 55, "prostate_risk_group": "low"}]),
        json!([]),
    ));
    assert_eq!(level(&r, "Pr7"), Some(L::MayConsider));
    assert!(
        !r.has("P0"),
        "a may-consider criterion excludes the low-yield statement"
    );
}

#[test]
fn pr7_not_met_at_56() {
    let r = eval(man(
        60,
        json!([{"type": "prostate", "age_at_diagnosis": 56, "prostate_risk_group": "intermediate"}]),
        json!([]),
    ));
    assert!(!r.has("Pr7"));
    assert_eq!(r.outcome, O::NotMet);
}

#[test]
fn pr8_met_intermediate_cribriform() {
    let r = eval(man(
        70,
        pc(json!({"prostate_risk_group": "intermediate", "histology": "intraductal_cribriform"})),
        json!([]),
    ));
    assert_eq!(level(&r, "Pr8"), Some(L::MayConsider));
}

#[test]
fn pr8_not_met_intermediate_without_cribriform() {
    assert!(
        !eval(man(
            70,
            pc(json!({"prostate_risk_group": "intermediate"})),
            json!([])
        ))
        .has("Pr8")
    );
}

// ---- issue #15, defect 1: an unknown age at diagnosis is bounded by the person's age ----------

#[test]
fn pr7_met_when_unknown_age_is_bounded_by_current_age_50() {
    // Issue example: a 50-year-old man with prostate cancer of unknown age got the "< 2.5 %"
    // statement (P0) instead of Pr7.
    let r = eval(man(
        50,
        json!([{"type": "prostate", "prostate_risk_group": "low", "metastatic": false}]),
        json!([]),
    ));
    let pr7 = r.get("Pr7").expect("Pr7 by the age bound");
    assert_eq!(pr7.level, L::MayConsider);
    assert!(
        pr7.rationale
            .contains("age at diagnosis unknown but no later than 50 (your current age) (<= 55)"),
        "{}",
        pr7.rationale
    );
    assert!(!r.has("P0"), "{:?}", ids(&r));
    assert_eq!(r.outcome, O::MayConsider);
    // A 60-year-old: the bound does not decide Pr7; the warning names it and P0 stands.
    let r = eval(man(
        60,
        json!([{"type": "prostate", "prostate_risk_group": "low", "metastatic": false}]),
        json!([]),
    ));
    assert!(!r.has("Pr7") && r.has("P0"));
    assert!(
        warned(&r, "no later than 60, your current age); if <= 55"),
        "{:?}",
        r.warnings
    );
}
