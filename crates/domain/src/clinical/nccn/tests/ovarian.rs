//! Ovarian criteria O1–O4 ([`super::super::ovarian`]).

use super::*;

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
