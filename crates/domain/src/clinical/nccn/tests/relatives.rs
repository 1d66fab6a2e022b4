//! G5, Pr6: a relative who meets criteria, read from her own position
//! ([`super::super::relatives`]).

use super::*;

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

// ---- issue #15, defect 1: an unknown age at diagnosis is bounded by the person's age ----------

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
