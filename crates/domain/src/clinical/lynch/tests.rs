//! Lynch block from whole profiles: criteria, PREMM5 mapping (side, unknown ages), applicability.
//! PREMM5 expectations were computed independently in Python (see `premm5/tests.rs`).

use super::{LynchResult, evaluate};
use crate::clinical::assessment::{CriterionLevel, NccnOutcome};
use crate::clinical::pedigree::Lineage;
use crate::clinical::profile::RiskProfile;
use serde_json::{Value, json};

fn run(v: Value) -> LynchResult {
    let profile = RiskProfile::parse_and_validate(&v).expect("valid profile");
    evaluate(&profile)
}

fn ids(r: &LynchResult) -> Vec<&str> {
    r.summary
        .nccn
        .criteria
        .iter()
        .map(|c| c.id.as_str())
        .collect()
}

fn level(r: &LynchResult, id: &str) -> CriterionLevel {
    r.summary
        .nccn
        .criteria
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("{id} not met: {:?}", ids(r)))
        .level
}

fn close(a: Option<f64>, e: f64) -> bool {
    a.is_some_and(|a| (a - e).abs() < 0.006)
}

#[test]
fn man_with_early_colorectal_cancer_and_paternal_history() {
    let r = run(json!({
        "proband": {"sex": "male", "age": 45, "cancers": [{"type": "colorectal", "age_at_diagnosis": 40}]},
        "relatives": [
            {"relation": "father", "age": 70, "cancers": [{"type": "colorectal", "age_at_diagnosis": 50}]},
            {"relation": "paternal_aunt", "age": 68, "cancers": [{"type": "endometrial", "age_at_diagnosis": 45}]}
        ]
    }));
    let p = &r.summary.premm5;
    assert!(p.applicable);
    assert!(close(p.score, 23.12), "{p:?}");
    let g = p.genes.expect("genes");
    assert!(close(Some(g.mlh1), 10.25) && close(Some(g.msh2_epcam), 8.62));
    assert!(close(Some(g.msh6), 3.07) && close(Some(g.pms2), 1.18));
    // The maternal lineage alone gives 7.93 %: the paternal side is reported.
    assert_eq!(p.family_side, Some(Lineage::Paternal));
    assert_eq!(ids(&r), ["LS2", "LS7", "LS9"]);
    assert_eq!(r.summary.nccn.outcome, NccnOutcome::Indicated);
    let ls7 = &r.summary.nccn.criteria[1];
    assert_eq!(ls7.relatives, ["father", "paternal_aunt"]);
}

#[test]
fn unaffected_woman_between_thresholds_with_maternal_family() {
    let r = run(json!({
        "proband": {"sex": "female", "age": 30},
        "relatives": [
            {"relation": "mother", "age": 58, "cancers": [{"type": "endometrial", "age_at_diagnosis": 40}]},
            {"relation": "maternal_grandmother", "age": 80, "cancers": [{"type": "colorectal", "age_at_diagnosis": 60}]},
            {"relation": "maternal_aunt", "age": 62, "cancers": [{"type": "colorectal", "age_at_diagnosis": 55}]}
        ]
    }));
    assert!(
        close(r.summary.premm5.score, 3.30),
        "{:?}",
        r.summary.premm5
    );
    assert_eq!(r.summary.premm5.family_side, Some(Lineage::Maternal));
    assert_eq!(ids(&r), ["LS5", "LS8", "LS7", "LS10"]);
    assert_eq!(level(&r, "LS10"), CriterionLevel::MayConsider);
    assert_eq!(r.summary.nccn.outcome, NccnOutcome::Indicated);
}

#[test]
fn unknown_age_at_diagnosis_gives_a_range_and_warnings_not_a_guess() {
    let r = run(json!({
        "proband": {"sex": "female", "age": 35},
        "relatives": [{"relation": "mother", "age": 62, "cancers": [{"type": "colorectal"}]}]
    }));
    let p = &r.summary.premm5;
    assert!(p.applicable);
    assert_eq!(p.score, None);
    assert_eq!(p.genes, None);
    let range = p.score_range.expect("range");
    assert!(
        close(Some(range.low), 1.42) && close(Some(range.high), 3.94),
        "{range:?}"
    );
    assert_eq!(r.summary.nccn.outcome, NccnOutcome::NotMet);
    let joined = r.warnings.join("\n");
    assert!(
        joined.contains("Mother, maternal side: colorectal cancer, age at diagnosis unknown"),
        "{joined}"
    );
    assert!(joined.contains("could reach 2.5 % (LS10)"), "{joined}");
}

#[test]
fn an_unknown_age_that_clipping_makes_irrelevant_is_no_range() {
    // Aged 25, so the colorectal cancer was diagnosed at 25 or earlier: clipped to 27 either way.
    let r = run(json!({
        "proband": {"sex": "female", "age": 25, "cancers": [{"type": "colorectal"}]}
    }));
    let p = &r.summary.premm5;
    assert!(close(p.score, 12.01), "{p:?}");
    assert!(p.genes.is_some());
    assert_eq!(p.family_side, None);
    let ls2 = &r.summary.nccn.criteria[0];
    assert_eq!(ls2.id, "LS2");
    assert!(
        ls2.rationale.contains("you are under 50"),
        "{}",
        ls2.rationale
    );
}

#[test]
fn missing_sex_makes_premm5_not_applicable_but_criteria_still_run() {
    let r = run(json!({
        "proband": {"age": 45, "cancers": [{"type": "endometrial", "age_at_diagnosis": 44}]}
    }));
    let p = &r.summary.premm5;
    assert!(!p.applicable);
    assert_eq!((p.score, p.score_range), (None, None));
    assert!(
        p.not_applicable_reason
            .as_deref()
            .is_some_and(|s| s.contains("sex"))
    );
    assert!(
        r.warnings
            .iter()
            .any(|w| w.starts_with("PREMM5 not computed"))
    );
    assert_eq!(ids(&r), ["LS2"]);
}

#[test]
fn unaffected_without_history_meets_nothing() {
    let r = run(json!({"proband": {"sex": "female", "age": 40}}));
    assert_eq!(r.summary.nccn.outcome, NccnOutcome::NotMet);
    assert!(r.summary.nccn.criteria.is_empty());
    assert!(close(r.summary.premm5.score, 1.00));
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
}

#[test]
fn familial_variant_multiple_primaries_and_later_onset_criteria() {
    let r = run(json!({
        "proband": {"sex": "female", "age": 66, "cancers": [
            {"type": "endometrial", "age_at_diagnosis": 58},
            {"type": "colorectal", "age_at_diagnosis": 63}
        ]},
        "relatives": [
            {"relation": "brother", "age": 60, "genetic_tests": [{"gene": "msh6", "result": "likely_pathogenic"}]},
            {"relation": "paternal_uncle", "age": 75, "cancers": [
                {"type": "colorectal", "age_at_diagnosis": 52}, {"type": "gastric", "age_at_diagnosis": 70}
            ]}
        ]
    }));
    assert_eq!(ids(&r), ["LS1", "LS3", "LS4", "LS6", "LS9"]);
    assert!(r.summary.nccn.criteria[0].rationale.contains("MSH6"));
    assert_eq!(r.summary.nccn.criteria[0].relatives, ["brother"]);
    assert!(r.summary.nccn.criteria[2].rationale.contains("category 2B"));
}

#[test]
fn kidney_other_and_third_degree_are_said_not_silently_used() {
    let r = run(json!({
        "proband": {"sex": "male", "age": 50},
        "relatives": [
            {"relation": "father", "cancers": [{"type": "kidney", "age_at_diagnosis": 60}]},
            {"relation": "maternal_cousin", "sex": "female", "cancers": [{"type": "colorectal", "age_at_diagnosis": 35}]},
            {"relation": "sister", "cancers": [{"type": "other", "age_at_diagnosis": 45}]}
        ]
    }));
    let joined = r.warnings.join("\n");
    assert!(joined.contains("renal cell carcinoma is not"), "{joined}");
    assert!(joined.contains("\"other\" are not counted"), "{joined}");
    assert!(joined.contains("third-degree relatives"), "{joined}");
    // The cousin's early colorectal cancer does not count for LS5/LS7.
    assert_eq!(r.summary.nccn.outcome, NccnOutcome::NotMet);
}
