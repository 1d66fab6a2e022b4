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
        lynch: None,
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

// ---- recommendations ----

use crate::clinical::nccn::evaluate;
use crate::clinical::profile::RiskProfile;

fn profile(v: Value) -> RiskProfile {
    RiskProfile::from_json_value(&v).expect("fixture parses")
}

fn recs(v: Value, models: &ModelNumbers) -> Vec<Recommendation> {
    let p = profile(v);
    let n = evaluate(&p, Some(0.0));
    build_recommendations(&p, &n, models)
}

fn kinds(r: &[Recommendation]) -> Vec<RecommendationKind> {
    r.iter().map(|x| x.kind).collect()
}

#[test]
fn counselling_when_nccn_indicated_with_contract_text() {
    let r = recs(
        json!({"proband": {"sex": "female", "age": 40, "ashkenazi_jewish": false,
               "cancers": [{"type": "breast", "age_at_diagnosis": 39, "triple_negative": false}]}}),
        &ModelNumbers::default(),
    );
    assert_eq!(r[0].kind, RecommendationKind::GeneticCounseling);
    assert_eq!(r[0].priority, Priority::High);
    assert_eq!(
        r[0].text,
        "Refer for genetic counselling and testing (NCCN criteria met)."
    );
}

#[test]
fn mri_at_20_percent_lifetime_risk_for_women_only() {
    let woman = json!({"proband": {"sex": "female", "age": 40}});
    let at = ModelNumbers {
        tc_lifetime_risk: Some(20.0),
        ..ModelNumbers::default()
    };
    let below = ModelNumbers {
        tc_lifetime_risk: Some(19.9),
        ..ModelNumbers::default()
    };
    let r = recs(woman.clone(), &at);
    let mri = r
        .iter()
        .find(|x| x.kind == RecommendationKind::MriScreening)
        .expect("MRI");
    assert_eq!(
        mri.text,
        "Lifetime risk >= 20 %: annual breast MRI from age 30 (or 10 years before the youngest affected relative)."
    );
    assert!(!kinds(&recs(woman, &below)).contains(&RecommendationKind::MriScreening));
    assert!(
        !kinds(&recs(json!({"proband": {"sex": "male", "age": 40}}), &at))
            .contains(&RecommendationKind::MriScreening)
    );
}

#[test]
fn risk_reducing_medication_from_gail_or_atypia() {
    let high = ModelNumbers {
        gail_five_year_risk: Some(1.7),
        ..ModelNumbers::default()
    };
    let low = ModelNumbers {
        gail_five_year_risk: Some(1.5),
        ..ModelNumbers::default()
    };
    let w = json!({"proband": {"sex": "female", "age": 50}});
    assert!(kinds(&recs(w.clone(), &high)).contains(&RecommendationKind::RiskReducingMedication));
    assert!(!kinds(&recs(w, &low)).contains(&RecommendationKind::RiskReducingMedication));
    let atypia = json!({"proband": {"sex": "female", "age": 50, "breast_biopsies": 1, "hyperplasia": "atypical"}});
    assert!(kinds(&recs(atypia, &low)).contains(&RecommendationKind::RiskReducingMedication));
    let young = json!({"proband": {"sex": "female", "age": 30}});
    assert!(!kinds(&recs(young, &high)).contains(&RecommendationKind::RiskReducingMedication));
}

#[test]
fn cascade_testing_for_a_carrier() {
    let v = json!({"proband": {"sex": "female", "age": 40, "genetic_tests": [{"gene": "brca1", "result": "pathogenic"}]}});
    let r = recs(v, &ModelNumbers::default());
    let c = r
        .iter()
        .find(|x| x.kind == RecommendationKind::CascadeTesting)
        .expect("cascade");
    assert!(c.text.contains("BRCA1"));
}

#[test]
fn manchester_referral_when_nccn_not_met() {
    let v = json!({"proband": {"sex": "female", "age": 40, "ashkenazi_jewish": false}});
    let m = ModelNumbers {
        manchester: Some((16, true)),
        ..ModelNumbers::default()
    };
    let r = recs(v.clone(), &m);
    assert_eq!(r[0].kind, RecommendationKind::GeneticCounseling);
    assert_eq!(r[0].priority, Priority::Medium);
    let r = recs(
        v,
        &ModelNumbers {
            manchester: Some((10, false)),
            ..ModelNumbers::default()
        },
    );
    assert!(!kinds(&r).contains(&RecommendationKind::GeneticCounseling));
}

#[test]
fn routine_screening_when_nothing_applies_and_review_when_unknowns() {
    let r = recs(
        json!({"proband": {"sex": "female", "age": 40, "ashkenazi_jewish": false}}),
        &ModelNumbers::default(),
    );
    assert_eq!(kinds(&r), vec![RecommendationKind::RoutineScreening]);
    let r = recs(
        json!({"proband": {"sex": "female", "age": 40}, "relatives": [{"relation": "sister", "cancers": [{"type": "breast"}]}]}),
        &ModelNumbers::default(),
    );
    assert!(kinds(&r).contains(&RecommendationKind::ClinicianReview));
}

#[test]
fn recommendations_sorted_by_priority() {
    let v = json!({"proband": {"sex": "female", "age": 50, "breast_biopsies": 1, "hyperplasia": "atypical",
                   "genetic_tests": [{"gene": "BRCA2", "result": "pathogenic"}]}});
    let r = recs(
        v,
        &ModelNumbers {
            tc_lifetime_risk: Some(30.0),
            ..ModelNumbers::default()
        },
    );
    assert!(r.windows(2).all(|w| w[0].priority >= w[1].priority));
    assert!(r.len() >= 3);
}
