//! Breast criteria B1–B12 ([`super::super::breast`]; B9 and B10 through `close_relative` and
//! `same_side`).

use super::*;

#[test]
fn b1_met_at_50() {
    let r = eval(woman(
        60,
        json!([{"type": "breast", "age_at_diagnosis": 50, "triple_negative": false}]),
        json!([]),
    ));
    assert_eq!(level(&r, "B1"), Some(L::Indicated));
    assert_eq!(
        r.get("B1").expect("B1").rationale,
        "Personal breast cancer diagnosed at 50 (<= 50)."
    );
}

#[test]
fn b1_not_met_at_51_and_dcis_counts() {
    let r = eval(woman(
        60,
        json!([{"type": "breast", "age_at_diagnosis": 51, "triple_negative": false}]),
        json!([]),
    ));
    assert!(!r.has("B1"));
    // Breast cancer includes DCIS (clinical.md §3.2).
    let r = eval(woman(
        60,
        json!([{"type": "breast", "age_at_diagnosis": 48, "invasive": false}]),
        json!([]),
    ));
    assert!(r.has("B1"));
}

#[test]
fn b1_unknown_age_warns() {
    // Unknown age at diagnosis, bounded by a current age of 70: neither B1 (<= 50) nor B11
    // (<= 65) can be decided, and both are named.
    let r = eval(woman(
        70,
        json!([{"type": "breast", "triple_negative": false}]),
        json!([]),
    ));
    assert!(!r.has("B1") && !r.has("B11"));
    assert!(
        warned(&r, "(B1)") && warned(&r, "(B11)"),
        "{:?}",
        r.warnings
    );
    assert!(
        warned(
            &r,
            "age at diagnosis unknown (no later than 70, your current age)"
        ),
        "{:?}",
        r.warnings
    );
}

#[test]
fn b2_met_metastatic() {
    let r = eval(woman(
        70,
        json!([{"type": "breast", "age_at_diagnosis": 68, "metastatic": true, "triple_negative": false}]),
        json!([]),
    ));
    assert_eq!(level(&r, "B2"), Some(L::Indicated));
}

#[test]
fn b2_not_met_non_metastatic() {
    let r = eval(woman(
        70,
        json!([{"type": "breast", "age_at_diagnosis": 68, "metastatic": false, "triple_negative": false}]),
        json!([]),
    ));
    assert!(!r.has("B2"));
}

#[test]
fn b4_met_by_flag_or_receptors() {
    let r = eval(woman(
        70,
        json!([{"type": "breast", "age_at_diagnosis": 68, "triple_negative": true}]),
        json!([]),
    ));
    assert!(r.has("B4"));
    let r = eval(woman(
        70,
        json!([{"type": "breast", "age_at_diagnosis": 68, "er": "negative", "pr": "negative", "her2": "negative"}]),
        json!([]),
    ));
    assert!(r.has("B4"));
}

#[test]
fn b4_not_met_receptor_positive_and_unknown_warns() {
    let r = eval(woman(
        70,
        json!([{"type": "breast", "age_at_diagnosis": 68, "er": "positive"}]),
        json!([]),
    ));
    assert!(!r.has("B4"));
    assert!(!warned(&r, "(B4)"));
    let r = eval(woman(
        70,
        json!([{"type": "breast", "age_at_diagnosis": 68, "er": "negative"}]),
        json!([]),
    ));
    assert!(!r.has("B4"));
    assert!(warned(&r, "(B4)"), "{:?}", r.warnings);
}

#[test]
fn b5_met_two_primaries_or_bilateral() {
    let r = eval(woman(
        70,
        json!([{"type": "breast", "age_at_diagnosis": 60, "triple_negative": false},
                                  {"type": "breast", "age_at_diagnosis": 66, "triple_negative": false}]),
        json!([]),
    ));
    assert!(r.has("B5"));
    let r = eval(woman(
        70,
        json!([{"type": "breast", "age_at_diagnosis": 60, "bilateral": true, "triple_negative": false}]),
        json!([]),
    ));
    assert!(r.has("B5"));
}

#[test]
fn b5_not_met_single_unilateral() {
    let r = eval(woman(
        70,
        json!([{"type": "breast", "age_at_diagnosis": 60, "bilateral": false, "triple_negative": false}]),
        json!([]),
    ));
    assert!(!r.has("B5"));
}

#[test]
fn b6_met_lobular_with_family_diffuse_gastric() {
    let r = eval(woman(
        70,
        json!([{"type": "breast", "age_at_diagnosis": 60, "histology": "lobular", "triple_negative": false}]),
        json!([{"relation": "maternal_uncle", "cancers": [{"type": "gastric", "age_at_diagnosis": 50, "histology": "diffuse"}]}]),
    ));
    let b6 = r.get("B6").expect("B6");
    assert_eq!(b6.relatives, vec!["maternal_uncle".to_owned()]);
}

#[test]
fn b6_not_met_intestinal_gastric_and_unknown_histology_warns() {
    let lob = json!([{"type": "breast", "age_at_diagnosis": 60, "histology": "lobular", "triple_negative": false}]);
    let r = eval(woman(
        70,
        lob.clone(),
        json!([{"relation": "father", "cancers": [{"type": "gastric", "age_at_diagnosis": 50, "histology": "intestinal"}]}]),
    ));
    assert!(!r.has("B6"));
    let r = eval(woman(
        70,
        lob,
        json!([{"relation": "father", "cancers": [{"type": "gastric", "age_at_diagnosis": 50}]}]),
    ));
    assert!(!r.has("B6"));
    assert!(warned(&r, "(B6)"), "{:?}", r.warnings);
}

#[test]
fn b7_met_male_breast_cancer() {
    let r = eval(man(
        70,
        json!([{"type": "breast", "age_at_diagnosis": 65}]),
        json!([]),
    ));
    assert!(r.has("B7"));
    assert_eq!(r.outcome, O::Indicated);
}

#[test]
fn b7_not_met_female_and_unknown_sex_warns() {
    let r = eval(woman(
        70,
        json!([{"type": "breast", "age_at_diagnosis": 66, "triple_negative": false}]),
        json!([]),
    ));
    assert!(!r.has("B7"));
    let r = eval(
        json!({"proband": {"age": 70, "ashkenazi_jewish": false, "cancers": [{"type": "breast", "age_at_diagnosis": 66, "triple_negative": false}]}}),
    );
    assert!(!r.has("B7"));
    assert!(warned(&r, "(B7)"));
}

#[test]
fn b8_met_ashkenazi() {
    let mut v = woman(
        70,
        json!([{"type": "breast", "age_at_diagnosis": 66, "triple_negative": false}]),
        json!([]),
    );
    v["proband"]["ashkenazi_jewish"] = json!(true);
    assert!(eval(v).has("B8"));
}

#[test]
fn b8_not_met_non_ashkenazi_and_unknown_warns() {
    let mut v = woman(
        70,
        json!([{"type": "breast", "age_at_diagnosis": 66, "triple_negative": false}]),
        json!([]),
    );
    assert!(!eval(v.clone()).has("B8"));
    v["proband"]["ashkenazi_jewish"] = Value::Null;
    let r = eval(v);
    assert!(!r.has("B8") && warned(&r, "(B8)"));
}

#[test]
fn b9_met_each_family_feature() {
    let bc = json!([{"type": "breast", "age_at_diagnosis": 66, "triple_negative": false}]);
    for (rel, cancer, expect) in [
        (
            json!({"relation": "father"}),
            json!({"type": "breast", "age_at_diagnosis": 70}),
            "male breast cancer",
        ),
        (
            json!({"relation": "maternal_cousin", "sex": "female"}),
            json!({"type": "ovarian", "age_at_diagnosis": 60}),
            "ovarian cancer",
        ),
        (
            json!({"relation": "paternal_great_aunt"}),
            json!({"type": "pancreatic", "age_at_diagnosis": 75}),
            "pancreatic cancer diagnosed at 75 (histology unknown, assumed exocrine)",
        ),
        (
            json!({"relation": "brother"}),
            json!({"type": "prostate", "age_at_diagnosis": 65, "prostate_risk_group": "high"}),
            "high-risk prostate cancer",
        ),
        (
            json!({"relation": "paternal_uncle"}),
            json!({"type": "prostate", "age_at_diagnosis": 65, "metastatic": true}),
            "metastatic prostate cancer",
        ),
    ] {
        let mut rel = rel;
        rel["cancers"] = json!([cancer]);
        let r = eval(woman(70, bc.clone(), json!([rel])));
        let b9 = r
            .get("B9")
            .unwrap_or_else(|| panic!("B9 for {expect}: {:?}", r.criteria));
        assert!(b9.rationale.contains(expect), "{}", b9.rationale);
    }
}

#[test]
fn b9_not_met_late_female_breast_low_risk_prostate_neuroendocrine() {
    let bc = json!([{"type": "breast", "age_at_diagnosis": 66, "triple_negative": false}]);
    let r = eval(woman(
        70,
        bc,
        json!([
        {"relation": "sister", "cancers": [{"type": "breast", "age_at_diagnosis": 60}]},
        {"relation": "father", "cancers": [{"type": "prostate", "age_at_diagnosis": 70, "prostate_risk_group": "low"}]},
        {"relation": "mother", "cancers": [{"type": "pancreatic", "age_at_diagnosis": 70, "histology": "neuroendocrine"}]}]),
    ));
    assert!(!r.has("B9"), "{:?}", r.criteria);
}

#[test]
fn b9_unknown_inputs_warn() {
    // One relative at a time: three breast/prostate diagnoses on one side would meet B10.
    let bc = json!([{"type": "breast", "age_at_diagnosis": 66, "triple_negative": false}]);
    for (rel, expect) in [
        (
            json!({"relation": "paternal_aunt", "cancers": [{"type": "breast", "age_at_diagnosis": null}]}),
            "Paternal aunt, paternal side: breast cancer with unknown age",
        ),
        (
            json!({"relation": "paternal_cousin", "cancers": [{"type": "breast", "age_at_diagnosis": 60}]}),
            "Paternal cousin, paternal side: breast cancer diagnosed at 60 and sex not recorded",
        ),
        (
            json!({"relation": "father", "cancers": [{"type": "prostate", "age_at_diagnosis": 70}]}),
            "Father, paternal side: prostate cancer with unknown risk group",
        ),
    ] {
        let r = eval(woman(70, bc.clone(), json!([rel])));
        assert!(!r.has("B9"));
        assert!(warned(&r, expect), "{expect}: {:?}", r.warnings);
    }
}

#[test]
fn b10_met_three_on_maternal_side_including_patient() {
    let r = eval(woman(
        70,
        json!([{"type": "breast", "age_at_diagnosis": 66, "triple_negative": false}]),
        json!([
        {"relation": "mother", "cancers": [{"type": "breast", "age_at_diagnosis": 70}]},
        {"relation": "maternal_aunt", "cancers": [{"type": "breast", "age_at_diagnosis": 75}]}]),
    ));
    let b10 = r.get("B10").expect("B10");
    assert!(
        b10.rationale
            .starts_with("3 breast/prostate cancer diagnoses on the maternal side"),
        "{}",
        b10.rationale
    );
    assert_eq!(
        b10.relatives,
        vec!["mother".to_owned(), "maternal_aunt".to_owned()]
    );
}

#[test]
fn b10_met_sibling_counts_on_both_sides() {
    let r = eval(woman(
        70,
        json!([{"type": "breast", "age_at_diagnosis": 66, "triple_negative": false}]),
        json!([
        {"relation": "sister", "cancers": [{"type": "breast", "age_at_diagnosis": 60}]},
        {"relation": "paternal_grandfather", "cancers": [{"type": "prostate", "age_at_diagnosis": 80, "prostate_risk_group": "low"}]}]),
    ));
    assert!(
        r.get("B10")
            .expect("B10")
            .rationale
            .contains("paternal side")
    );
}

#[test]
fn b10_not_met_split_across_sides() {
    let r = eval(woman(
        70,
        json!([{"type": "breast", "age_at_diagnosis": 66, "triple_negative": false}]),
        json!([
        {"relation": "mother", "cancers": [{"type": "breast", "age_at_diagnosis": 70}]},
        {"relation": "paternal_aunt", "cancers": [{"type": "breast", "age_at_diagnosis": 75}]}]),
    ));
    assert!(!r.has("B10"));
}

#[test]
fn b11_met_at_65_without_other_criteria() {
    let r = eval(woman(
        70,
        json!([{"type": "breast", "age_at_diagnosis": 65, "triple_negative": false}]),
        json!([]),
    ));
    assert_eq!(level(&r, "B11"), Some(L::MayConsider));
    assert_eq!(r.outcome, O::MayConsider);
}

#[test]
fn b11_not_met_at_66_or_when_b9_met() {
    let r = eval(woman(
        70,
        json!([{"type": "breast", "age_at_diagnosis": 66, "triple_negative": false}]),
        json!([]),
    ));
    assert!(!r.has("B11"));
    let r = eval(woman(
        70,
        json!([{"type": "breast", "age_at_diagnosis": 60, "triple_negative": false}]),
        json!([{"relation": "sister", "cancers": [{"type": "ovarian", "age_at_diagnosis": 60}]}]),
    ));
    assert!(r.has("B9") && !r.has("B11"));
}

#[test]
fn b12_met_relative_intermediate_cribriform_prostate() {
    let r = eval(woman(
        75,
        json!([{"type": "breast", "age_at_diagnosis": 70, "triple_negative": false}]),
        json!([{"relation": "brother", "cancers": [{"type": "prostate", "age_at_diagnosis": 70, "prostate_risk_group": "intermediate", "histology": "intraductal_cribriform"}]}]),
    ));
    assert_eq!(level(&r, "B12"), Some(L::MayConsider));
    assert_eq!(r.outcome, O::MayConsider);
}

#[test]
fn b12_not_met_without_cribriform() {
    let r = eval(woman(
        75,
        json!([{"type": "breast", "age_at_diagnosis": 70, "triple_negative": false}]),
        json!([{"relation": "brother", "cancers": [{"type": "prostate", "age_at_diagnosis": 70, "prostate_risk_group": "intermediate"}]}]),
    ));
    assert!(!r.has("B12"));
}

// ---- issue #15, defect 1: an unknown age at diagnosis is bounded by the person's age ----------

#[test]
fn b1_met_when_unknown_age_is_bounded_by_current_age_45() {
    // Issue example: a 45-year-old with breast cancer of unknown age at diagnosis.
    let r = eval(woman(
        45,
        json!([{"type": "breast", "triple_negative": false}]),
        json!([]),
    ));
    assert_eq!(level(&r, "B1"), Some(L::Indicated), "{:?}", r.criteria);
    assert_eq!(
        r.get("B1").expect("B1").rationale,
        "Personal breast cancer with age at diagnosis unknown but no later than 45 (your current age) (<= 50)."
    );
    assert_eq!(r.outcome, O::Indicated);
    assert!(!r.has("B11") && !warned(&r, "(B1)"));
    // At exactly 50 the bound still meets B1; at 51 it no longer decides.
    assert!(
        eval(woman(
            50,
            json!([{"type": "breast", "triple_negative": false}]),
            json!([])
        ))
        .has("B1")
    );
    let r = eval(woman(
        51,
        json!([{"type": "breast", "triple_negative": false}]),
        json!([]),
    ));
    assert!(!r.has("B1") && warned(&r, "(B1)"));
}

#[test]
fn b11_met_when_bound_is_within_65_but_b1_stays_unknown() {
    let r = eval(woman(
        60,
        json!([{"type": "breast", "triple_negative": false}]),
        json!([]),
    ));
    assert!(!r.has("B1"));
    assert!(
        warned(
            &r,
            "age at diagnosis unknown (no later than 60, your current age); if <= 50"
        ),
        "{:?}",
        r.warnings
    );
    let b11 = r.get("B11").expect("B11 by the age bound");
    assert_eq!(b11.level, L::MayConsider);
    assert!(
        b11.rationale
            .contains("no later than 60 (your current age) (<= 65)"),
        "{}",
        b11.rationale
    );
    assert_eq!(r.outcome, O::MayConsider);
}

#[test]
fn b9_met_when_relatives_unknown_age_is_bounded() {
    // Affected woman (B11 only on her own) whose living 48-year-old sister had breast cancer.
    let r = eval(woman(
        55,
        json!([{"type": "breast", "age_at_diagnosis": 52, "triple_negative": false}]),
        json!([{"relation": "sister", "alive": true, "age": 48, "cancers": [{"type": "breast"}]}]),
    ));
    let b9 = r.get("B9").expect("B9 by the sister's age bound");
    assert_eq!(
        b9.rationale,
        "Close relative (sister) with breast cancer with age at diagnosis unknown but no later than 48 (her current age) (<= 50)."
    );
    assert!(!r.has("B11"), "B11 requires B1-B10 unmet");
    // Paternal side, deceased relative, male proband (Pr4 reads the same feature).
    let r = eval(man(
        62,
        json!([{"type": "prostate", "age_at_diagnosis": 60, "prostate_risk_group": "intermediate"}]),
        json!([{"relation": "paternal_aunt", "alive": false, "age": 45, "cancers": [{"type": "breast"}]}]),
    ));
    let pr4 = r.get("Pr4").expect("Pr4 by the aunt's age at death");
    assert!(
        pr4.rationale.contains("paternal aunt, paternal side")
            && pr4
                .rationale
                .contains("no later than 45 (her age at death)"),
        "{}",
        pr4.rationale
    );
    // Not bounded within 50: no B9, and the warning keeps the bound.
    let r = eval(woman(
        70,
        json!([{"type": "breast", "age_at_diagnosis": 66, "triple_negative": false}]),
        json!([{"relation": "sister", "alive": true, "age": 68, "cancers": [{"type": "breast"}]}]),
    ));
    assert!(!r.has("B9"));
    assert!(
        warned(
            &r,
            "Sister: breast cancer with unknown age at diagnosis (no later than 68, her current age)"
        ),
        "{:?}",
        r.warnings
    );
}

// ---- issue #15, defect 3: a bilateral breast cancer is two diagnoses for B10 ------------------

#[test]
fn b10_counts_a_bilateral_breast_cancer_as_two_diagnoses() {
    let bc = json!([{"type": "breast", "age_at_diagnosis": 66, "triple_negative": false}]);
    let r = eval(woman(
        70,
        bc.clone(),
        json!([{"relation": "maternal_cousin", "sex": "female", "cancers": [{"type": "breast", "age_at_diagnosis": 60, "bilateral": true}]}]),
    ));
    let b10 = r.get("B10").expect("B10: you + a bilateral cancer");
    assert_eq!(
        b10.rationale,
        "3 breast/prostate cancer diagnoses on the maternal side including yours: you (breast, 66), maternal cousin, maternal side (breast, bilateral, 60)."
    );
    // Exactly as two rows do.
    let r = eval(woman(
        70,
        bc.clone(),
        json!([{"relation": "maternal_cousin", "sex": "female", "cancers": [
            {"type": "breast", "age_at_diagnosis": 60}, {"type": "breast", "age_at_diagnosis": 60}]}]),
    ));
    assert!(
        r.get("B10")
            .expect("B10 by two rows")
            .rationale
            .starts_with("3 breast/prostate")
    );
    // Paternal side, the person's own bilateral cancer.
    let r = eval(woman(
        70,
        json!([{"type": "breast", "age_at_diagnosis": 66, "bilateral": true, "triple_negative": false}]),
        json!([{"relation": "paternal_aunt", "cancers": [{"type": "breast", "age_at_diagnosis": 75}]}]),
    ));
    assert!(
        r.get("B10")
            .expect("B10")
            .rationale
            .starts_with("3 breast/prostate cancer diagnoses on the paternal side")
    );
    // A unilateral (or unknown laterality) cousin: two diagnoses only.
    for bilateral in [json!(false), Value::Null] {
        let r = eval(woman(
            70,
            bc.clone(),
            json!([{"relation": "paternal_cousin", "sex": "female", "cancers": [{"type": "breast", "age_at_diagnosis": 60, "bilateral": bilateral}]}]),
        ));
        assert!(!r.has("B10"), "{:?}", r.criteria);
    }
}

// ---- issue #15, also ----------------------------------------------------------------------------

#[test]
fn b10_wording_does_not_place_descendants_or_siblings_on_a_side() {
    let r = eval(woman(
        70,
        json!([{"type": "breast", "age_at_diagnosis": 66, "triple_negative": false}]),
        json!([
        {"relation": "daughter", "cancers": [{"type": "breast", "age_at_diagnosis": 52}]},
        {"relation": "sister", "cancers": [{"type": "breast", "age_at_diagnosis": 60}]},
        {"relation": "father", "cancers": [{"type": "prostate", "age_at_diagnosis": 70, "prostate_risk_group": "low"}]}]),
    ));
    let b10 = r.get("B10").expect("B10").rationale.clone();
    assert!(
        b10.starts_with("4 breast/prostate cancer diagnoses on the paternal side including yours"),
        "{b10}"
    );
    assert!(
        b10.contains("daughter (breast, 52; your descendant, counted on both sides)"),
        "{b10}"
    );
    assert!(
        b10.contains("sister (breast, 60; full sibling, counted on both sides)"),
        "{b10}"
    );
    assert!(!b10.contains("daughter, paternal side"), "{b10}");
    // Only descendants: no side is named.
    let r = eval(woman(
        75,
        json!([{"type": "breast", "age_at_diagnosis": 66, "triple_negative": false}]),
        json!([
        {"relation": "daughter", "cancers": [{"type": "breast", "age_at_diagnosis": 52}]},
        {"relation": "granddaughter", "cancers": [{"type": "breast", "age_at_diagnosis": 35}]}]),
    ));
    let b10 = r.get("B10").expect("B10").rationale.clone();
    assert!(
        b10.starts_with("3 breast/prostate cancer diagnoses among you and relatives on both sides of your family (full siblings and their children, descendants) including yours"),
        "{b10}"
    );
    assert!(
        !b10.contains("paternal") && !b10.contains("maternal"),
        "{b10}"
    );
}
