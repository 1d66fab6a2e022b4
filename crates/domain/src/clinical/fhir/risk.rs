//! One `RiskAssessment` per model result of an `Assessment` (NCCN testing criteria,
//! Tyrer-Cuzick, Gail, Manchester). Percentages become probabilities in 0..1.

use super::codes::UCUM;
use crate::clinical::assessment::{Assessment, NccnOutcome};
use crate::clinical::profile::RiskProfile;
use serde_json::{Value, json};
use uuid::Uuid;

fn years(v: f64) -> Value {
    json!({"value": v, "unit": "a", "system": UCUM, "code": "a"})
}

fn prediction(outcome: &str, percent: f64, from: Option<f64>, to: Option<f64>) -> Value {
    let mut p = json!({
        "outcome": {"text": outcome},
        "probabilityDecimal": (percent / 100.0).clamp(0.0, 1.0),
    });
    if let (Some(lo), Some(hi)) = (from, to) {
        p["whenRange"] = json!({"low": years(lo), "high": years(hi)});
    }
    p
}

fn assessment(
    method: &str,
    a: &Assessment,
    patient: Uuid,
    basis: &[Uuid],
    predictions: Vec<Value>,
) -> Value {
    let mut ra = json!({
        "resourceType": "RiskAssessment",
        "status": "final",
        "subject": {"reference": format!("urn:uuid:{patient}")},
        "method": {"text": method},
    });
    ra["prediction"] = Value::Array(predictions);
    // `assessed_at` as the contract writes it (RFC 3339, seconds, Z).
    if let Some(at) = serde_json::to_value(a)
        .ok()
        .and_then(|v| v.get("assessed_at").cloned())
    {
        ra["occurrenceDateTime"] = at;
    }
    if !basis.is_empty() {
        let refs: Vec<Value> = basis
            .iter()
            .map(|b| json!({"reference": format!("urn:uuid:{b}")}))
            .collect();
        ra["basis"] = Value::Array(refs);
    }
    ra
}

/// The RiskAssessments of `a`, each based on the relatives' FamilyMemberHistory entries.
pub fn risk_assessments(
    a: &Assessment,
    profile: &RiskProfile,
    patient: Uuid,
    basis: &[Uuid],
) -> Vec<Value> {
    let age = profile.proband.age.map(f64::from);
    let mut out = Vec::new();
    let outcome = match a.nccn.outcome {
        NccnOutcome::Indicated => "indicated",
        NccnOutcome::MayConsider => "may be considered",
        NccnOutcome::NotMet => "criteria not met",
    };
    let mut nccn = assessment(
        &format!("{} v{}", a.nccn.guideline, a.nccn.version),
        a,
        patient,
        basis,
        vec![json!({
            "outcome": {"text": "Germline genetic testing (NCCN criteria)"},
            "qualitativeRisk": {"text": outcome},
        })],
    );
    let criteria: Vec<String> = a.nccn.criteria.iter().map(|c| c.id.clone()).collect();
    if !criteria.is_empty() {
        nccn["note"] = json!([{"text": format!("Criteria met: {}", criteria.join(", "))}]);
    }
    out.push(nccn);
    if let Some(tc) = &a.tyrer_cuzick {
        let horizon = f64::from(tc.horizon_age);
        out.push(assessment(
            &tc.model,
            a,
            patient,
            basis,
            vec![
                prediction(
                    "Breast cancer, 10 years",
                    tc.ten_year_risk,
                    age,
                    age.map(|x| x + 10.0),
                ),
                prediction(
                    "Breast cancer, lifetime",
                    tc.lifetime_risk,
                    age,
                    Some(horizon),
                ),
                prediction(
                    "BRCA1 pathogenic variant carrier",
                    tc.brca1_probability,
                    None,
                    None,
                ),
                prediction(
                    "BRCA2 pathogenic variant carrier",
                    tc.brca2_probability,
                    None,
                    None,
                ),
            ],
        ));
    }
    if let Some(g) = a.gail.as_ref().filter(|g| g.applicable) {
        let mut p = Vec::new();
        if let Some(r) = g.five_year_risk {
            p.push(prediction(
                "Invasive breast cancer, 5 years",
                r,
                age,
                age.map(|x| x + 5.0),
            ));
        }
        if let Some(r) = g.lifetime_risk {
            p.push(prediction(
                "Invasive breast cancer, to age 90",
                r,
                age,
                Some(90.0),
            ));
        }
        out.push(assessment("Gail model (NCI BCRAT)", a, patient, basis, p));
    }
    if let Some(m) = &a.manchester {
        let verdict = if m.meets_threshold {
            "meets the testing threshold"
        } else {
            "below the testing threshold"
        };
        out.push(assessment(
            "Manchester Scoring System (pathology-adjusted)",
            a,
            patient,
            basis,
            vec![json!({
                "outcome": {"text": format!("BRCA1/2 pathogenic variant (score {}: BRCA1 {}, BRCA2 {})", m.total, m.brca1_score, m.brca2_score)},
                "qualitativeRisk": {"text": verdict},
            })],
        ));
    }
    out
}
