//! The result: outcome, warnings kept or dropped, the summary block, the closed set of ids.

use super::*;

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
fn summary_carries_guideline_and_version() {
    let s = eval(woman(40, json!([]), json!([]))).summary();
    assert_eq!(s.version, "3.2026");
    assert_eq!(s.guideline, GUIDELINE);
}

// ---- issue #15, also ----------------------------------------------------------------------------

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
