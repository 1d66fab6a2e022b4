//! One positive and one negative test per criterion (named `<id>_met_...` / `<id>_not_met_...`),
//! each built from the wording of clinical.md §3.3, plus outcome/warning semantics and properties.

use serde_json::{Value, json};

use super::*;
use crate::clinical::assessment::{CriterionLevel as L, NccnOutcome as O};

/// A validated profile from JSON (tests fail if a fixture is itself invalid).
fn prof(v: Value) -> RiskProfile {
    let p = RiskProfile::from_json_value(&v).expect("fixture parses");
    if let Err(e) = p.validate() {
        panic!("fixture invalid: {e:?}");
    }
    p
}

fn eval(v: Value) -> NccnResult {
    evaluate(&prof(v), None)
}

fn eval_p(v: Value, carrier: f64) -> NccnResult {
    evaluate(&prof(v), Some(carrier))
}

/// A female proband of `age` with `cancers`, Ashkenazi status known (false), and `relatives`.
fn woman(age: i32, cancers: Value, relatives: Value) -> Value {
    json!({"proband": {"sex": "female", "age": age, "ashkenazi_jewish": false, "cancers": cancers},
           "relatives": relatives})
}

fn man(age: i32, cancers: Value, relatives: Value) -> Value {
    json!({"proband": {"sex": "male", "age": age, "ashkenazi_jewish": false, "cancers": cancers},
           "relatives": relatives})
}

fn level(r: &NccnResult, id: &str) -> Option<L> {
    r.get(id).map(|c| c.level)
}

fn warned(r: &NccnResult, needle: &str) -> bool {
    r.warnings.iter().any(|w| w.contains(needle))
}

// ---- documented example -----------------------------------------------------------------------

#[test]
fn contract_example_rationale_for_b9_is_reproduced_exactly() {
    let r = eval(woman(
        52,
        json!([{"type": "breast", "age_at_diagnosis": 45}]),
        json!([{"relation": "mother", "alive": true, "age": 75, "cancers": [{"type": "breast", "age_at_diagnosis": 40}]}]),
    ));
    let b9 = r.get("B9").expect("B9 met");
    assert_eq!(b9.level, L::Indicated);
    assert_eq!(
        b9.rationale,
        "Close relative (mother, maternal side) with breast cancer diagnosed at 40 (<= 50)."
    );
    assert_eq!(b9.relatives, vec!["mother".to_owned()]);
    assert_eq!(r.outcome, O::Indicated);
}

#[test]
fn contract_example_profile_with_consistent_age() {
    let mut v: Value =
        serde_json::from_str(include_str!("../profile/example_profile.json")).expect("json");
    v["proband"]["age"] = json!(50); // the documented 35 is before her diagnosis at 45
    let r = evaluate(&prof(v), None);
    assert_eq!(r.outcome, O::Indicated);
    for id in ["B1", "B4", "B9", "O3", "G5"] {
        assert!(r.has(id), "{id}: {:?}", r.criteria);
    }
    let b9 = r.get("B9").expect("B9");
    assert_eq!(
        b9.relatives,
        vec!["mother".to_owned(), "maternal_grandmother".to_owned()]
    );
    assert!(
        b9.rationale
            .contains("maternal grandmother, maternal side: ovarian cancer diagnosed at 50")
    );
    // The paternal aunt's unknown age cannot change an indicated outcome: no warning about her.
    assert!(!warned(&r, "Paternal aunt"), "{:?}", r.warnings);
    // Criteria come out in checklist order.
    let ids: Vec<&str> = r.criteria.iter().map(|c| c.id.as_str()).collect();
    let mut sorted = ids.clone();
    sorted.sort_by_key(|id| CriterionId::parse(id));
    assert_eq!(ids, sorted);
}

// ---- general ----------------------------------------------------------------------------------

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
fn g5_met_unaffected_with_first_degree_relative_meeting_b1() {
    let r = eval(woman(
        30,
        json!([]),
        json!([{"relation": "mother", "cancers": [{"type": "breast", "age_at_diagnosis": 45}]}]),
    ));
    let g5 = r.get("G5").expect("G5");
    assert_eq!(g5.relatives, vec!["mother".to_owned()]);
    assert!(
        g5.rationale.contains("mother, maternal side") && g5.rationale.contains("B1"),
        "{}",
        g5.rationale
    );
    assert_eq!(r.outcome, O::Indicated);
}

#[test]
fn g5_met_second_degree_relative_triple_negative_or_male() {
    let r = eval(woman(
        30,
        json!([]),
        json!([
        {"relation": "paternal_aunt", "cancers": [{"type": "breast", "age_at_diagnosis": 62, "triple_negative": true}]},
        {"relation": "maternal_grandfather", "cancers": [{"type": "breast", "age_at_diagnosis": 70}]}]),
    ));
    let g5 = r.get("G5").expect("G5");
    assert_eq!(
        g5.relatives,
        vec![
            "paternal_aunt".to_owned(),
            "maternal_grandfather".to_owned()
        ]
    );
    assert!(g5.rationale.contains("B4") && g5.rationale.contains("B7"));
}

#[test]
fn g5_not_met_relative_with_late_breast_cancer_or_metastatic_only() {
    // B2 (metastatic, systemic therapy) is excluded from the family route (clinical.md §3.2).
    let r = eval(woman(
        30,
        json!([]),
        json!([{"relation": "mother", "cancers": [
        {"type": "breast", "age_at_diagnosis": 60, "metastatic": true, "triple_negative": false}]}]),
    ));
    assert!(!r.has("G5"), "{:?}", r.criteria);
    assert_eq!(r.outcome, O::NotMet);
}

#[test]
fn g5_not_met_maternal_third_degree_and_warns_for_paternal_third_degree() {
    let r = eval(woman(
        30,
        json!([]),
        json!([{"relation": "maternal_great_aunt", "cancers": [{"type": "breast", "age_at_diagnosis": 40}]}]),
    ));
    assert!(!r.has("G5"));
    let r = eval(woman(
        30,
        json!([]),
        json!([{"relation": "paternal_great_aunt", "cancers": [{"type": "breast", "age_at_diagnosis": 40}]}]),
    ));
    assert!(!r.has("G5"));
    assert!(warned(&r, "through two male relatives"), "{:?}", r.warnings);
}

#[test]
fn g5_unknown_age_warns() {
    let r = eval(woman(
        30,
        json!([]),
        json!([{"relation": "sister", "cancers": [{"type": "breast"}]}]),
    ));
    assert!(!r.has("G5"));
    assert!(
        warned(&r, "Sister: breast cancer with unknown age"),
        "{:?}",
        r.warnings
    );
}

#[test]
fn g6_met_above_five_percent() {
    let r = eval_p(woman(40, json!([]), json!([])), 0.061);
    let g6 = r.get("G6").expect("G6");
    assert_eq!(
        g6.rationale,
        "Model BRCA1/2 carrier probability 6.1 % (> 5 %)."
    );
    assert_eq!(r.outcome, O::Indicated);
}

#[test]
fn g6_met_just_above_five_percent() {
    let r = eval_p(woman(40, json!([]), json!([])), 0.0501);
    assert_eq!(level(&r, "G6"), Some(L::Indicated));
    assert!(!r.has("G7"));
}

#[test]
fn g6_not_met_at_exactly_five_percent_which_is_g7() {
    let r = eval_p(woman(40, json!([]), json!([])), 0.05);
    assert!(!r.has("G6"));
    assert_eq!(level(&r, "G7"), Some(L::MayConsider));
    assert_eq!(r.outcome, O::MayConsider);
}

#[test]
fn g7_met_between_2_5_and_5_percent() {
    let r = eval_p(woman(40, json!([]), json!([])), 0.025);
    assert_eq!(level(&r, "G7"), Some(L::MayConsider));
}

#[test]
fn g7_not_met_below_2_5_percent_or_when_crit2_met() {
    let r = eval_p(woman(40, json!([]), json!([])), 0.0249);
    assert!(!r.has("G7") && !r.has("G6"));
    assert_eq!(r.outcome, O::NotMet);
    let r = eval_p(
        woman(
            45,
            json!([{"type": "breast", "age_at_diagnosis": 44}]),
            json!([]),
        ),
        0.03,
    );
    assert!(r.has("B1") && !r.has("G7"));
}

#[test]
fn model_probability_out_of_range_is_ignored_with_a_warning() {
    let r = eval_p(woman(40, json!([]), json!([])), 7.0);
    assert!(!r.has("G6"));
    assert!(warned(&r, "outside 0..1"));
    let r = evaluate(&prof(woman(40, json!([]), json!([]))), Some(f64::NAN));
    assert!(!r.has("G6") && warned(&r, "outside 0..1"));
    let r = eval(woman(40, json!([]), json!([])));
    assert!(warned(&r, "No model BRCA1/2 carrier probability"));
}

// ---- breast -----------------------------------------------------------------------------------

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

// ---- ovarian ----------------------------------------------------------------------------------

#[test]
fn o1_met_epithelial_and_unknown_histology_with_note() {
    let r = eval(woman(
        60,
        json!([{"type": "ovarian", "age_at_diagnosis": 55, "histology": "epithelial"}]),
        json!([]),
    ));
    assert_eq!(level(&r, "O1"), Some(L::Indicated));
    let r = eval(woman(
        60,
        json!([{"type": "ovarian", "age_at_diagnosis": 55}]),
        json!([]),
    ));
    assert!(
        r.get("O1")
            .expect("O1")
            .rationale
            .contains("histology unknown")
    );
    assert!(warned(&r, "counted as epithelial"));
}

#[test]
fn o1_not_met_germ_cell_warns() {
    let r = eval(woman(
        30,
        json!([{"type": "ovarian", "age_at_diagnosis": 25, "histology": "germ_cell"}]),
        json!([]),
    ));
    assert!(!r.has("O1") && !r.has("O2"));
    assert!(warned(&r, "germ_cell"), "{:?}", r.warnings);
}

#[test]
fn o2_met_non_epithelial() {
    let r = eval(woman(
        30,
        json!([{"type": "ovarian", "age_at_diagnosis": 25, "histology": "non_epithelial"}]),
        json!([]),
    ));
    assert_eq!(level(&r, "O2"), Some(L::Indicated));
}

#[test]
fn o2_not_met_epithelial() {
    let r = eval(woman(
        60,
        json!([{"type": "ovarian", "age_at_diagnosis": 55, "histology": "epithelial"}]),
        json!([]),
    ));
    assert!(!r.has("O2"));
}

#[test]
fn o3_met_second_degree_relative() {
    let r = eval(woman(
        30,
        json!([]),
        json!([{"relation": "paternal_grandmother", "cancers": [{"type": "ovarian", "age_at_diagnosis": 70}]}]),
    ));
    let o3 = r.get("O3").expect("O3");
    assert_eq!(
        o3.rationale,
        "First- or second-degree relative (paternal grandmother, paternal side) with ovarian cancer diagnosed at 70 (histology unknown, counted as epithelial)."
    );
    assert_eq!(r.outcome, O::Indicated);
}

#[test]
fn o3_not_met_maternal_cousin_and_warns_paternal_third_degree() {
    let r = eval(woman(
        30,
        json!([]),
        json!([{"relation": "maternal_cousin", "sex": "female", "cancers": [{"type": "ovarian", "age_at_diagnosis": 40}]}]),
    ));
    assert!(!r.has("O3"));
    assert_eq!(r.outcome, O::NotMet);
    let r = eval(woman(
        30,
        json!([]),
        json!([{"relation": "paternal_great_grandmother", "cancers": [{"type": "ovarian", "age_at_diagnosis": 60}]}]),
    ));
    assert!(!r.has("O3"));
    assert!(warned(&r, "(O3)"), "{:?}", r.warnings);
}

#[test]
fn o4_met_stic_may_consider_with_source_note() {
    let r = eval(woman(
        50,
        json!([{"type": "ovarian", "age_at_diagnosis": 48, "histology": "stic"}]),
        json!([]),
    ));
    assert_eq!(level(&r, "O4"), Some(L::MayConsider));
    assert!(!r.has("O1"));
    assert!(warned(&r, "sources differ"));
}

#[test]
fn o4_not_met_without_stic() {
    let r = eval(woman(
        50,
        json!([{"type": "ovarian", "age_at_diagnosis": 48, "histology": "epithelial"}]),
        json!([]),
    ));
    assert!(!r.has("O4"));
}

// ---- pancreatic -------------------------------------------------------------------------------

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

// ---- prostate ---------------------------------------------------------------------------------

fn pc(extra: Value) -> Value {
    let mut c = json!({"type": "prostate", "age_at_diagnosis": 65});
    for (k, v) in extra.as_object().expect("object") {
        c[k] = v.clone();
    }
    json!([c])
}

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
fn pr6_met_unaffected_with_father_metastatic() {
    let r = eval(woman(
        40,
        json!([]),
        json!([{"relation": "father", "cancers": [{"type": "prostate", "age_at_diagnosis": 66, "metastatic": true}]}]),
    ));
    assert_eq!(
        r.get("Pr6").expect("Pr6").relatives,
        vec!["father".to_owned()]
    );
}

#[test]
fn pr6_not_met_low_risk_and_unknowns_warn() {
    let r = eval(woman(
        40,
        json!([]),
        json!([{"relation": "father", "cancers": [{"type": "prostate", "age_at_diagnosis": 66, "prostate_risk_group": "low"}]}]),
    ));
    assert!(!r.has("Pr6"));
    let r = eval(woman(
        40,
        json!([]),
        json!([{"relation": "father", "cancers": [{"type": "prostate", "age_at_diagnosis": 66}]}]),
    ));
    assert!(!r.has("Pr6") && warned(&r, "(Pr6)"));
    let r = eval(woman(
        40,
        json!([]),
        json!([{"relation": "paternal_cousin", "sex": "male", "cancers": [{"type": "prostate", "age_at_diagnosis": 60, "prostate_risk_group": "high"}]}]),
    ));
    assert!(!r.has("Pr6") && warned(&r, "(Pr6)"));
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

// ---- Li-Fraumeni ------------------------------------------------------------------------------

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

// ---- Cowden -----------------------------------------------------------------------------------

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
fn cowden_phenotype_warning_for_pten_cancer_combinations() {
    let r = eval(woman(
        60,
        json!([{"type": "thyroid", "age_at_diagnosis": 40}, {"type": "endometrial", "age_at_diagnosis": 55}]),
        json!([]),
    ));
    assert!(warned(&r, "Cowden/PHTS"), "{:?}", r.warnings);
}

// ---- outcome, warnings, flags -----------------------------------------------------------------

#[test]
fn outcome_is_strongest_level() {
    assert_eq!(eval(woman(40, json!([]), json!([]))).outcome, O::NotMet);
    let both = eval(woman(
        70,
        json!([{"type": "breast", "age_at_diagnosis": 60, "triple_negative": false}]),
        json!([{"relation": "brother", "cancers": [{"type": "prostate", "age_at_diagnosis": 70, "prostate_risk_group": "intermediate", "histology": "intraductal_cribriform"}]}]),
    ));
    assert_eq!(both.outcome, O::MayConsider);
    assert!(both.has("B11") && both.has("B12"));
}

#[test]
fn unknown_warnings_are_dropped_once_indicated() {
    let mut v = woman(
        45,
        json!([{"type": "breast", "age_at_diagnosis": 44}]),
        json!([]),
    );
    v["proband"]["ashkenazi_jewish"] = Value::Null;
    let r = eval(v);
    assert_eq!(r.outcome, O::Indicated);
    assert!(
        !warned(&r, "(B8)") && !warned(&r, "(B4)"),
        "{:?}",
        r.warnings
    );
}

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
fn proband_carrier_is_noted() {
    let mut v = woman(45, json!([]), json!([]));
    v["proband"]["genetic_tests"] = json!([{"gene": "BRCA2", "result": "pathogenic"}]);
    assert!(warned(&eval(v), "You already carry"));
}

#[test]
fn summary_carries_guideline_and_version() {
    let s = eval(woman(40, json!([]), json!([]))).summary();
    assert_eq!(s.version, "3.2026");
    assert_eq!(s.guideline, GUIDELINE);
}

// ---- properties -------------------------------------------------------------------------------

mod props {
    use proptest::prelude::*;

    use super::super::*;
    use crate::clinical::profile::{
        Cancer, CancerType, Histology, Proband, ProstateRiskGroup, Relation, Relative, Sex,
    };

    fn cancer_type() -> impl Strategy<Value = CancerType> {
        prop::sample::select(vec![
            CancerType::Breast,
            CancerType::Ovarian,
            CancerType::Pancreatic,
            CancerType::Prostate,
            CancerType::Sarcoma,
            CancerType::Brain,
            CancerType::Adrenocortical,
            CancerType::Gastric,
            CancerType::Leukemia,
            CancerType::Colorectal,
        ])
    }

    fn cancer() -> impl Strategy<Value = Cancer> {
        (
            cancer_type(),
            prop::option::of(1i32..90),
            prop::option::of(any::<bool>()),
            prop::option::of(any::<bool>()),
            prop::option::of(prop::sample::select(vec![
                ProstateRiskGroup::Low,
                ProstateRiskGroup::Intermediate,
                ProstateRiskGroup::High,
                ProstateRiskGroup::VeryHigh,
            ])),
            prop::option::of(prop::sample::select(vec![
                Histology::Lobular,
                Histology::Diffuse,
                Histology::NonEpithelial,
                Histology::Exocrine,
            ])),
        )
            .prop_map(|(t, age, tn, met, rg, h)| {
                let mut c = Cancer::new(t, age);
                c.triple_negative = tn;
                c.metastatic = met;
                c.prostate_risk_group = rg;
                c.histology = h;
                c
            })
    }

    fn relative() -> impl Strategy<Value = Relative> {
        (
            prop::sample::select(Relation::ALL.to_vec()),
            prop::option::of(any::<bool>()),
            prop::collection::vec(cancer(), 0..3),
        )
            .prop_map(|(rel, alive, cancers)| {
                let mut r = Relative::new(rel);
                r.alive = alive;
                r.cancers = cancers;
                r
            })
    }

    fn profile() -> impl Strategy<Value = RiskProfile> {
        (
            prop::option::of(prop::sample::select(vec![Sex::Female, Sex::Male])),
            20i32..90,
            prop::option::of(any::<bool>()),
            prop::collection::vec(cancer(), 0..3),
            prop::collection::vec(relative(), 0..6),
        )
            .prop_map(|(sex, age, aj, cancers, relatives)| RiskProfile {
                proband: Proband {
                    sex,
                    age: Some(age),
                    ethnicity: None,
                    ashkenazi_jewish: aj,
                    menarche_age: None,
                    live_births: None,
                    first_live_birth_age: None,
                    menopause_status: None,
                    menopause_age: None,
                    height_cm: None,
                    weight_kg: None,
                    breast_biopsies: None,
                    hyperplasia: None,
                    lcis: None,
                    chest_radiation: None,
                    hrt: None,
                    breast_density: None,
                    cancers,
                    genetic_tests: vec![],
                },
                relatives,
            })
    }

    proptest! {
        /// The outcome is the strongest level met; ids are known, unique and ordered; every listed
        /// relative code names a relative of the profile.
        #[test]
        fn result_is_well_formed(p in profile(), carrier in prop::option::of(0.0f64..0.2)) {
            let r = evaluate(&p, carrier);
            let strongest = r.criteria.iter().map(|c| c.level.outcome()).max().unwrap_or(NccnOutcome::NotMet);
            prop_assert_eq!(r.outcome, strongest);
            let pos: Vec<usize> = r.criteria.iter()
                .map(|c| CRITERION_ORDER.iter().position(|x| x.as_str() == c.id).unwrap_or(usize::MAX)).collect();
            prop_assert!(pos.iter().all(|x| *x != usize::MAX));
            prop_assert!(pos.windows(2).all(|w| w[0] < w[1]), "sorted and unique: {:?}", pos);
            for c in &r.criteria {
                prop_assert!(!c.rationale.is_empty() && !c.rationale.contains('\n'));
                for code in &c.relatives {
                    prop_assert!(p.relatives.iter().any(|x| x.relation.as_str() == code));
                }
            }
        }

        /// Adding a relative (more family history) never lowers the outcome.
        #[test]
        fn more_family_history_never_lowers_the_outcome(p in profile(), extra in relative()) {
            let before = evaluate(&p, None).outcome;
            let mut q = p.clone();
            q.relatives.push(extra);
            prop_assert!(evaluate(&q, None).outcome >= before);
        }

        /// A higher carrier probability never lowers the outcome.
        #[test]
        fn higher_carrier_probability_never_lowers_the_outcome(p in profile(), a in 0.0f64..0.2, b in 0.0f64..0.2) {
            let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
            prop_assert!(evaluate(&p, Some(hi)).outcome >= evaluate(&p, Some(lo)).outcome);
        }
    }
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

// ---- issue #15, defect 1: an unknown age at diagnosis is bounded by the person's age ----------

fn ids(r: &NccnResult) -> Vec<&str> {
    r.criteria.iter().map(|c| c.id.as_str()).collect()
}

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

#[test]
fn g5_met_through_living_mother_aged_48_with_unknown_age() {
    // Issue example: a living 48-year-old mother with breast cancer gave her daughter only
    // "may consider": she meets B1 herself (diagnosed no later than 48).
    let r = eval(woman(
        25,
        json!([]),
        json!([{"relation": "mother", "alive": true, "age": 48, "cancers": [{"type": "breast"}]}]),
    ));
    let g5 = r.get("G5").expect("G5 through the mother's B1");
    assert_eq!(g5.relatives, vec!["mother".to_owned()]);
    assert!(
        g5.rationale.contains("(mother, maternal side): meets B1 (her breast cancer with age at diagnosis unknown but no later than 48 (her current age) (<= 50))"),
        "{}",
        g5.rationale
    );
    assert_eq!(r.outcome, O::Indicated);
}

#[test]
fn g5_met_through_deceased_mother_bounded_by_age_at_death() {
    let r = eval(man(
        30,
        json!([]),
        json!([{"relation": "mother", "alive": false, "age": 44, "cancers": [{"type": "breast"}]}]),
    ));
    let g5 = r.get("G5").expect("G5");
    assert!(
        g5.rationale.contains("no later than 44 (her age at death)"),
        "{}",
        g5.rationale
    );
}

#[test]
fn g5_not_met_when_relative_age_does_not_bound_within_50() {
    // A living 60-year-old mother: still unknown, and the warning gives the bound.
    let r = eval(woman(
        30,
        json!([]),
        json!([{"relation": "mother", "alive": true, "age": 60, "cancers": [{"type": "breast"}]}]),
    ));
    assert!(!r.has("G5"));
    assert!(
        warned(
            &r,
            "Mother, maternal side: breast cancer with unknown age (no later than 60, her current age) (B1 if <= 50)"
        ),
        "{:?}",
        r.warnings
    );
    // No age at all: unknown, as before.
    let r = eval(woman(
        30,
        json!([]),
        json!([{"relation": "mother", "cancers": [{"type": "breast"}]}]),
    ));
    assert!(
        !r.has("G5")
            && warned(
                &r,
                "Mother, maternal side: breast cancer with unknown age (B1"
            )
    );
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

// ---- issue #15, defect 2: a relative meeting a criterion, read from her own position ----------

/// Issue example: an unaffected man whose mother, maternal aunt and maternal grandmother had
/// breast cancer (none at <= 50). His mother meets B10 on her own maternal side.
fn maternal_breast_family() -> Value {
    json!([
        {"relation": "mother", "alive": true, "age": 70, "cancers": [{"type": "breast", "age_at_diagnosis": 60}]},
        {"relation": "maternal_aunt", "alive": true, "age": 72, "cancers": [{"type": "breast", "age_at_diagnosis": 65}]},
        {"relation": "maternal_grandmother", "alive": false, "age": 85, "cancers": [{"type": "breast", "age_at_diagnosis": 70}]}])
}

#[test]
fn g5_met_unaffected_man_whose_mother_meets_b10() {
    let r = eval(man(40, json!([]), maternal_breast_family()));
    let g5 = r.get("G5").expect("G5 through the mother's B10");
    assert_eq!(g5.relatives[0], "mother");
    assert!(
        g5.rationale.contains("mother, maternal side meets B10 (3 breast/prostate cancer diagnoses on her maternal side including hers: mother, maternal side (breast, 60), maternal aunt, maternal side (breast, 65; counted on both sides of her family), maternal grandmother, maternal side (breast, 70))"),
        "{}",
        g5.rationale
    );
    // The aunt meets B10 on the same three diagnoses: referred back, not repeated.
    assert!(
        g5.rationale
            .contains("maternal aunt, maternal side meets B10 (the same diagnoses as for mother, maternal side)"),
        "{}",
        g5.rationale
    );
    assert_eq!(r.outcome, O::Indicated);
    assert_eq!(ids(&r), vec!["G5"]);
}

#[test]
fn g5_met_unaffected_woman_whose_mother_meets_b10() {
    let r = eval(woman(40, json!([]), maternal_breast_family()));
    assert!(r.get("G5").expect("G5").rationale.contains("meets B10"));
    assert_eq!(r.outcome, O::Indicated);
}

#[test]
fn g5_met_paternal_aunt_meets_b10_and_father_meets_pr5() {
    // Paternal variant: the paternal aunt's B10 counts her mother and her brother (the father);
    // the father's Pr5 counts the same three on his maternal side.
    let r = eval(man(
        40,
        json!([]),
        json!([
        {"relation": "paternal_aunt", "cancers": [{"type": "breast", "age_at_diagnosis": 60}]},
        {"relation": "father", "cancers": [{"type": "prostate", "age_at_diagnosis": 70, "prostate_risk_group": "low"}]},
        {"relation": "paternal_grandmother", "cancers": [{"type": "breast", "age_at_diagnosis": 75}]}]),
    ));
    let g5 = r.get("G5").expect("G5 through the paternal aunt");
    assert!(
        g5.rationale.contains("paternal aunt, paternal side meets B10 (3 breast/prostate cancer diagnoses on her maternal side including hers: paternal aunt, paternal side (breast, 60), father, paternal side (prostate, 70; counted on both sides of her family), paternal grandmother, paternal side (breast, 75))"),
        "{}",
        g5.rationale
    );
    let pr6 = r.get("Pr6").expect("Pr6 through the father");
    assert_eq!(pr6.relatives[0], "father");
    assert!(
        pr6.rationale.contains("(father, paternal side): meets Pr5 (3 breast/prostate cancer diagnoses on his maternal side including his"),
        "{}",
        pr6.rationale
    );
}

#[test]
fn g5_not_met_when_the_three_are_not_on_one_side_of_any_relative() {
    // Two on the mother's side, one on the father's: no relative sees three on one side.
    let r = eval(man(
        40,
        json!([]),
        json!([
        {"relation": "mother", "cancers": [{"type": "breast", "age_at_diagnosis": 60}]},
        {"relation": "maternal_aunt", "cancers": [{"type": "breast", "age_at_diagnosis": 65}]},
        {"relation": "paternal_grandmother", "cancers": [{"type": "breast", "age_at_diagnosis": 70}]}]),
    ));
    assert!(!r.has("G5"), "{:?}", r.criteria);
    // The father is no blood relative of the mother: his prostate cancer is not hers to count.
    let r = eval(man(
        40,
        json!([]),
        json!([
        {"relation": "mother", "cancers": [{"type": "breast", "age_at_diagnosis": 60}]},
        {"relation": "maternal_aunt", "cancers": [{"type": "breast", "age_at_diagnosis": 65}]},
        {"relation": "father", "cancers": [{"type": "prostate", "age_at_diagnosis": 70, "prostate_risk_group": "low"}]}]),
    ));
    assert!(!r.has("G5") && !r.has("Pr6"), "{:?}", r.criteria);
    assert_eq!(r.outcome, O::NotMet);
}

#[test]
fn g5_met_unaffected_man_whose_mother_meets_b9_through_her_father() {
    // Issue example: mother with breast cancer (at 60) and maternal grandfather with pancreatic
    // cancer: the mother meets B9 (her father's pancreatic cancer). The grandfather is second
    // degree to the man, so Pa2 does not apply to him.
    let r = eval(man(
        40,
        json!([]),
        json!([
        {"relation": "mother", "cancers": [{"type": "breast", "age_at_diagnosis": 60}]},
        {"relation": "maternal_grandfather", "cancers": [{"type": "pancreatic", "age_at_diagnosis": 70}]}]),
    ));
    let g5 = r.get("G5").expect("G5 through the mother's B9");
    assert_eq!(g5.relatives, vec!["mother".to_owned()]);
    assert_eq!(
        g5.rationale,
        "First- or second-degree relative meeting a testing criterion (mother, maternal side): meets B9 (her close relative (maternal grandfather, maternal side) with pancreatic cancer diagnosed at 70 (histology unknown, assumed exocrine))."
    );
    assert!(!r.has("Pa2"));
    assert_eq!(r.outcome, O::Indicated);
}

#[test]
fn g5_met_woman_whose_paternal_aunt_meets_b9_and_not_across_sides() {
    // Paternal, female variant.
    let r = eval(woman(
        35,
        json!([]),
        json!([
        {"relation": "paternal_aunt", "cancers": [{"type": "breast", "age_at_diagnosis": 62}]},
        {"relation": "paternal_grandfather", "cancers": [{"type": "pancreatic", "age_at_diagnosis": 70}]}]),
    ));
    let g5 = r.get("G5").expect("G5 through the paternal aunt's B9");
    assert_eq!(g5.relatives, vec!["paternal_aunt".to_owned()]);
    assert!(
        g5.rationale
            .contains("meets B9 (her close relative (paternal grandfather, paternal side)"),
        "{}",
        g5.rationale
    );
    // The paternal grandfather is no relative of the mother.
    let r = eval(woman(
        35,
        json!([]),
        json!([
        {"relation": "mother", "cancers": [{"type": "breast", "age_at_diagnosis": 62}]},
        {"relation": "paternal_grandfather", "cancers": [{"type": "pancreatic", "age_at_diagnosis": 70}]}]),
    ));
    assert!(!r.has("G5"), "{:?}", r.criteria);
}

#[test]
fn pr6_met_unaffected_man_whose_father_meets_pr5() {
    // Issue example: father, paternal uncle and paternal grandfather with (low-risk) prostate
    // cancer: the father meets Pr5 on his paternal side.
    let r = eval(man(
        45,
        json!([]),
        json!([
        {"relation": "father", "cancers": [{"type": "prostate", "age_at_diagnosis": 70, "prostate_risk_group": "low"}]},
        {"relation": "paternal_uncle", "cancers": [{"type": "prostate", "age_at_diagnosis": 72, "prostate_risk_group": "low"}]},
        {"relation": "paternal_grandfather", "cancers": [{"type": "prostate", "age_at_diagnosis": 80, "prostate_risk_group": "low"}]}]),
    ));
    let pr6 = r.get("Pr6").expect("Pr6 through the father's Pr5");
    assert_eq!(pr6.level, L::Indicated);
    assert_eq!(pr6.relatives[0], "father");
    assert!(
        pr6.rationale.contains("father, paternal side meets Pr5 (3 breast/prostate cancer diagnoses on his paternal side including his: father, paternal side (prostate, 70), paternal uncle, paternal side (prostate, 72; counted on both sides of his family), paternal grandfather, paternal side (prostate, 80))"),
        "{}",
        pr6.rationale
    );
    assert_eq!(r.outcome, O::Indicated);
}

#[test]
fn pr6_met_woman_whose_maternal_uncle_meets_pr5() {
    // Maternal, female variant: the uncle sees his father and his sister on his paternal line;
    // the aunt meets B10 on the same three diagnoses.
    let r = eval(woman(
        45,
        json!([]),
        json!([
        {"relation": "maternal_uncle", "cancers": [{"type": "prostate", "age_at_diagnosis": 66, "prostate_risk_group": "intermediate"}]},
        {"relation": "maternal_grandfather", "cancers": [{"type": "prostate", "age_at_diagnosis": 80, "prostate_risk_group": "low"}]},
        {"relation": "maternal_aunt", "cancers": [{"type": "breast", "age_at_diagnosis": 60}]}]),
    ));
    let pr6 = r.get("Pr6").expect("Pr6 through the maternal uncle");
    assert!(
        pr6.rationale.contains("maternal uncle, maternal side meets Pr5 (3 breast/prostate cancer diagnoses on his paternal side"),
        "{}",
        pr6.rationale
    );
    let g5 = r.get("G5").expect("G5 through the aunt");
    assert!(
        g5.rationale
            .contains("(maternal aunt, maternal side): meets B10"),
        "{}",
        g5.rationale
    );
}

#[test]
fn pr6_not_met_when_prostate_cancers_are_split_between_sides() {
    let r = eval(man(
        45,
        json!([]),
        json!([
        {"relation": "father", "cancers": [{"type": "prostate", "age_at_diagnosis": 70, "prostate_risk_group": "low"}]},
        {"relation": "maternal_uncle", "cancers": [{"type": "prostate", "age_at_diagnosis": 72, "prostate_risk_group": "low"}]},
        {"relation": "maternal_grandfather", "cancers": [{"type": "prostate", "age_at_diagnosis": 80, "prostate_risk_group": "low"}]}]),
    ));
    assert!(!r.has("Pr6"), "{:?}", r.criteria);
    assert_eq!(r.outcome, O::NotMet);
}

#[test]
fn relative_criteria_come_after_the_persons_own() {
    // Affected woman meeting B1 herself, whose mother meets B4: both listed, hers first.
    let r = eval(woman(
        45,
        json!([{"type": "breast", "age_at_diagnosis": 40, "triple_negative": false}]),
        json!([{"relation": "mother", "cancers": [{"type": "breast", "age_at_diagnosis": 62, "triple_negative": true}]}]),
    ));
    assert_eq!(ids(&r).first(), Some(&"B1"));
    assert_eq!(ids(&r).last(), Some(&"G5"));
    assert!(
        r.get("G5")
            .expect("G5")
            .rationale
            .contains("B4 (her triple-negative breast cancer)")
    );
    // A man with high-risk prostate cancer whose father's cancer was metastatic: Pr2 leads,
    // Pr6 follows; Pr7 ("not meeting the above") is not reported next to Pr6.
    let r = eval(man(
        52,
        json!([{"type": "prostate", "age_at_diagnosis": 50, "prostate_risk_group": "intermediate"}]),
        json!([{"relation": "father", "cancers": [{"type": "prostate", "age_at_diagnosis": 70, "metastatic": true}]}]),
    ));
    assert!(
        r.has("Pr4") && r.has("Pr6") && !r.has("Pr7"),
        "{:?}",
        ids(&r)
    );
    assert_eq!(ids(&r).last(), Some(&"Pr6"));
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

#[test]
fn g5_relative_meets_b10_with_a_bilateral_cancer() {
    // The mother's B10 counts her sister's bilateral cancer twice.
    let r = eval(man(
        40,
        json!([]),
        json!([
        {"relation": "mother", "cancers": [{"type": "breast", "age_at_diagnosis": 60}]},
        {"relation": "maternal_aunt", "cancers": [{"type": "breast", "age_at_diagnosis": 65, "bilateral": true}]}]),
    ));
    assert!(
        r.get("G5")
            .expect("G5")
            .rationale
            .contains("meets B10 (3 breast/prostate")
    );
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

#[test]
fn criterion_ids_are_a_closed_set_in_report_order() {
    assert_eq!(CRITERION_ORDER.len(), 39);
    for (i, id) in CRITERION_ORDER.iter().enumerate() {
        assert_eq!(CriterionId::parse(id.as_str()), Some(*id));
        assert_eq!(id.to_string(), id.as_str());
        assert!(
            CRITERION_ORDER[i + 1..].iter().all(|later| later > id),
            "order"
        );
    }
    assert_eq!(
        CriterionId::parse("B3"),
        None,
        "not evaluable, so not an id here"
    );
    // The relative-based criteria close the list.
    assert_eq!(
        CRITERION_ORDER[36..]
            .iter()
            .map(|c| c.as_str())
            .collect::<Vec<_>>(),
        vec!["G5", "Pr6", "L9"]
    );
}

#[test]
#[should_panic(expected = "unknown criterion id")]
#[cfg(debug_assertions)]
fn a_misspelt_id_in_a_query_panics_in_debug_builds() {
    let _ = eval(woman(40, json!([]), json!([]))).has("B 1");
}
