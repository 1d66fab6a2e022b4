//! The Lynch block's RiskAssessments (`lynch.rs`).

use super::codes::UCUM;
use super::schema_check::assert_conforms;
use super::tests::{AT, LYNCH, parse, pid, resources};
use super::to_bundle;
use crate::clinical::assess::assess;
use crate::clinical::assessment::{Assessment, NccnOutcome};
use crate::clinical::profile::RiskProfile;
use serde_json::Value;

fn bundle(p: &RiskProfile) -> (Value, Assessment) {
    let a = assess(p, AT).expect("assess");
    let b = to_bundle(p, Some(&a), pid());
    assert_conforms(&b);
    (b, a)
}

fn by_method<'a>(b: &'a Value, starts: &str) -> &'a Value {
    let all = resources(b, "RiskAssessment");
    let found: Vec<&Value> = all
        .into_iter()
        .filter(|r| {
            r["method"]["text"]
                .as_str()
                .is_some_and(|m| m.starts_with(starts))
        })
        .collect();
    assert_eq!(found.len(), 1, "one RiskAssessment by {starts}");
    found[0]
}

fn notes(ra: &Value) -> String {
    ra["note"]
        .as_array()
        .map(|n| {
            n.iter()
                .filter_map(|x| x["text"].as_str())
                .collect::<Vec<_>>()
                .join(" | ")
        })
        .unwrap_or_default()
}

fn close(v: &Value, expected: f64) -> bool {
    v.as_f64().is_some_and(|x| (x - expected).abs() < 1e-9)
}

#[test]
fn premm5_gives_each_gene_and_the_total() {
    let (b, a) = bundle(&parse(LYNCH));
    let p = &a.lynch.as_ref().expect("lynch").premm5;
    let (score, g) = (p.score.expect("score"), p.genes.expect("genes"));
    let ra = by_method(&b, "PREMM5");
    assert_eq!(ra["status"], "final");
    let pred = ra["prediction"].as_array().expect("predictions");
    let expected = [g.mlh1, g.msh2_epcam, g.msh6, g.pms2, score];
    assert_eq!(pred.len(), expected.len());
    for (x, e) in pred.iter().zip(expected) {
        assert!(close(&x["probabilityDecimal"], e / 100.0), "{x} vs {e}%");
    }
    assert!(
        pred[0]["outcome"]["text"]
            .as_str()
            .is_some_and(|t| t.starts_with("MLH1"))
    );
    assert!(
        pred[4]["outcome"]["text"]
            .as_str()
            .is_some_and(|t| t.contains("PREMM5 score"))
    );
    // Based on the proband's own cancer and age as well as the relatives.
    let basis: Vec<&str> = ra["basis"]
        .as_array()
        .expect("basis")
        .iter()
        .filter_map(|r| r["reference"].as_str())
        .collect();
    for kind in ["Condition", "FamilyMemberHistory"] {
        for r in resources(&b, kind) {
            let url = format!("urn:uuid:{}", r["id"].as_str().expect("id"));
            assert!(basis.contains(&url.as_str()), "{kind} {url} not in basis");
        }
    }
    assert!(notes(ra).contains("father's side"), "{}", notes(ra));
}

#[test]
fn lynch_criteria_give_the_outcome_and_the_rules_met() {
    let (b, a) = bundle(&parse(LYNCH));
    let n = &a.lynch.as_ref().expect("lynch").nccn;
    let ra = by_method(&b, &n.guideline);
    assert!(
        ra["method"]["text"]
            .as_str()
            .is_some_and(|m| m.ends_with(&n.version))
    );
    let level = &ra["prediction"][0]["qualitativeRisk"]["text"];
    let expected = match n.outcome {
        NccnOutcome::Indicated => "indicated",
        NccnOutcome::MayConsider => "may be considered",
        NccnOutcome::NotMet => "criteria not met",
    };
    assert_eq!(level, expected);
    assert!(!n.criteria.is_empty());
    let ids: Vec<&str> = n.criteria.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(notes(ra), format!("Criteria met: {}", ids.join(", ")));
}

#[test]
fn an_unknown_age_at_diagnosis_gives_the_score_range_in_percent() {
    let mut p = parse(LYNCH);
    let father = p
        .relatives
        .iter_mut()
        .find(|r| r.relation.as_str() == "father")
        .expect("father");
    father.cancers[0].age_at_diagnosis = None;
    let (b, a) = bundle(&p);
    let p5 = &a.lynch.as_ref().expect("lynch").premm5;
    assert!(p5.score.is_none() && p5.genes.is_none());
    let r = p5.score_range.expect("range");
    assert!(r.low < r.high);
    let ra = by_method(&b, "PREMM5");
    let pred = ra["prediction"].as_array().expect("predictions");
    assert_eq!(pred.len(), 1, "no per-gene predictions: {pred:?}");
    let range = &pred[0]["probabilityRange"];
    assert!(close(&range["low"]["value"], r.low) && close(&range["high"]["value"], r.high));
    assert_eq!(range["high"]["code"], "%");
    assert_eq!(range["low"]["system"], UCUM);
    assert!(pred[0].get("probabilityDecimal").is_none());
    assert!(notes(ra).contains("unknown"), "{}", notes(ra));
}

#[test]
fn premm5_without_the_sex_is_cancelled_with_the_reason() {
    let mut p = parse(LYNCH);
    p.proband.sex = None;
    let (b, a) = bundle(&p);
    let p5 = &a.lynch.as_ref().expect("lynch").premm5;
    assert!(!p5.applicable);
    let ra = by_method(&b, "PREMM5");
    assert_eq!(ra["status"], "cancelled");
    assert!(ra.get("prediction").is_none());
    let reason = p5.not_applicable_reason.as_deref().expect("reason");
    assert!(notes(ra).contains(reason), "{}", notes(ra));
}
