//! The Assessment's `lynch` block as two `RiskAssessment`s: the NCCN CEG Lynch criteria
//! (LS1–LS10) like the BOPP `nccn` block, and PREMM5 (clinical-models.md §9).
//!
//! PREMM5 gives the probability of a pathogenic variant in MLH1, MSH2/EPCAM, MSH6 and PMS2: one
//! prediction per gene and one for the total (the PREMM5 score). When an age at diagnosis is
//! unknown the model gives only the interval of possible scores: then a single
//! `probabilityRange` in percent (UCUM `%`, as R4 invariant ras-1 requires of a range), and no
//! per-gene predictions. When the model cannot run (sex or age unknown) the resource has status
//! `cancelled` (the Observation status for "not started or not completed"), no prediction, and
//! the reason in a note.

use super::codes::UCUM;
use super::risk::{assessment, criteria_assessment, prediction};
use crate::clinical::assessment::Assessment;
use crate::clinical::lynch::{LynchSummary, Premm5Summary};
use crate::clinical::pedigree::Lineage;
use serde_json::{Value, json};
use uuid::Uuid;

/// The total's outcome text.
const ANY_GENE: &str = "Pathogenic variant in MLH1, MSH2/EPCAM, MSH6 or PMS2 (PREMM5 score)";

fn percent(v: f64) -> Value {
    json!({"value": v, "unit": "%", "system": UCUM, "code": "%"})
}

fn notes(texts: Vec<String>) -> Value {
    Value::Array(texts.into_iter().map(|t| json!({"text": t})).collect())
}

fn premm5_predictions(p: &Premm5Summary) -> Vec<Value> {
    match (p.score, p.genes, p.score_range) {
        (Some(score), Some(g), _) => vec![
            prediction("MLH1 pathogenic variant carrier", g.mlh1, None, None),
            prediction(
                "MSH2 or EPCAM pathogenic variant carrier",
                g.msh2_epcam,
                None,
                None,
            ),
            prediction("MSH6 pathogenic variant carrier", g.msh6, None, None),
            prediction("PMS2 pathogenic variant carrier", g.pms2, None, None),
            prediction(ANY_GENE, score, None, None),
        ],
        (_, _, Some(r)) => vec![json!({
            "outcome": {"text": ANY_GENE},
            "probabilityRange": {"low": percent(r.low), "high": percent(r.high)},
        })],
        _ => Vec::new(),
    }
}

fn premm5_notes(p: &Premm5Summary) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(reason) = &p.not_applicable_reason {
        out.push(format!("Not computed: {reason}"));
        return out;
    }
    if p.score.is_none()
        && let Some(r) = p.score_range
    {
        out.push(format!(
            "An age at diagnosis is unknown: the PREMM5 score lies between {}% and {}% over \
             the possible ages; no per-gene probabilities.",
            r.low, r.high
        ));
    }
    match p.family_side {
        Some(Lineage::Maternal) => out.push("Family history counted: the mother's side.".into()),
        Some(Lineage::Paternal) => out.push("Family history counted: the father's side.".into()),
        None => {}
    }
    out.push(format!(
        "Thresholds: testing may be considered from {}%, indicated from {}%.",
        p.threshold_may_consider, p.threshold_indicated
    ));
    out
}

fn premm5(p: &Premm5Summary, a: &Assessment, patient: Uuid, basis: &[Uuid]) -> Value {
    let mut ra = assessment(&p.model, a, patient, basis, premm5_predictions(p));
    if !p.applicable {
        ra["status"] = json!("cancelled");
    }
    if ra["prediction"].as_array().is_some_and(Vec::is_empty) {
        // R4 forbids empty arrays.
        if let Some(m) = ra.as_object_mut() {
            m.remove("prediction");
        }
    }
    ra["note"] = notes(premm5_notes(p));
    ra
}

/// The Lynch criteria and PREMM5 RiskAssessments of `a` (none without a `lynch` block). `basis`:
/// the proband's age and cancers and the relatives, which both read.
pub fn lynch_assessments(a: &Assessment, patient: Uuid, basis: &[Uuid]) -> Vec<Value> {
    let Some(LynchSummary { nccn, premm5: p }) = &a.lynch else {
        return Vec::new();
    };
    vec![
        criteria_assessment(
            nccn,
            "Germline testing for Lynch syndrome (NCCN criteria LS1-LS10)",
            a,
            patient,
            basis,
        ),
        premm5(p, a, patient, basis),
    ]
}
