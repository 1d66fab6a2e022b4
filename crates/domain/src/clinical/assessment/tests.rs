use serde_json::{Value, json};
use time::macros::datetime;

use super::*;

/// The `Assessment` example of risk-profile.md, copied verbatim.
const EXAMPLE: &str = include_str!("example_assessment.json");

#[test]
fn documented_example_round_trips_exactly() {
    let original: Value = serde_json::from_str(EXAMPLE).expect("example is JSON");
    let parsed: Assessment =
        serde_json::from_value(original.clone()).expect("parses into the types");
    let out = serde_json::to_value(&parsed).expect("serialises");
    assert_eq!(out, original);
    assert_eq!(parsed.nccn.outcome, NccnOutcome::Indicated);
    assert_eq!(parsed.nccn.criteria[0].level, CriterionLevel::Indicated);
    assert_eq!(
        parsed.recommendations[1].kind,
        RecommendationKind::MriScreening
    );
}

#[test]
fn assessed_at_is_utc_z_with_second_precision() {
    let t = datetime!(2026-11-25 20:00:00.987654 +01:00);
    assert_eq!(
        rfc3339_seconds::format(t).expect("formats"),
        "2026-11-25T19:00:00Z"
    );
    let a = minimal(t);
    let v = serde_json::to_value(&a).expect("ser");
    assert_eq!(v["assessed_at"], json!("2026-11-25T19:00:00Z"));
}

fn minimal(t: time::OffsetDateTime) -> Assessment {
    Assessment {
        profile_id: None,
        assessed_at: to_assessed_at(t),
        is_eligible: false,
        nccn_eligible: false,
        tyrer_cuzick_score: None,
        tyrer_cuzick_threshold: MRI_LIFETIME_RISK_THRESHOLD,
        nccn: NccnSummary {
            guideline: "g".to_owned(),
            version: "3.2026".to_owned(),
            outcome: NccnOutcome::NotMet,
            criteria: vec![],
        },
        tyrer_cuzick: None,
        gail: Some(GailSummary {
            applicable: false,
            not_applicable_reason: Some("male".to_owned()),
            five_year_risk: None,
            lifetime_risk: None,
            average_five_year_risk: None,
            average_lifetime_risk: None,
        }),
        manchester: None,
        recommendations: vec![],
        warnings: vec![],
    }
}

#[test]
fn optional_fields_are_null_not_omitted() {
    let v = serde_json::to_value(minimal(datetime!(2026-01-01 00:00:00 UTC))).expect("ser");
    for key in [
        "profile_id",
        "tyrer_cuzick_score",
        "tyrer_cuzick",
        "manchester",
    ] {
        assert_eq!(v.get(key), Some(&Value::Null), "{key}");
    }
    for key in [
        "five_year_risk",
        "lifetime_risk",
        "average_five_year_risk",
        "average_lifetime_risk",
    ] {
        assert_eq!(v["gail"].get(key), Some(&Value::Null), "gail.{key}");
    }
}

#[test]
fn outcome_orders_by_strength() {
    assert!(NccnOutcome::Indicated > NccnOutcome::MayConsider);
    assert!(NccnOutcome::MayConsider > NccnOutcome::NotMet);
    assert_eq!(CriterionLevel::LowYield.outcome(), NccnOutcome::NotMet);
    assert_eq!(CriterionLevel::ReferOnly.outcome(), NccnOutcome::NotMet);
}

#[test]
fn unknown_vocabulary_is_rejected() {
    let mut v: Value = serde_json::from_str(EXAMPLE).expect("json");
    v["nccn"]["outcome"] = json!("maybe");
    assert!(serde_json::from_value::<Assessment>(v).is_err());
}
