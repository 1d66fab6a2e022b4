//! G6, G7: the model carrier probability ([`super::super::carrier_probability`]).

use super::*;

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
