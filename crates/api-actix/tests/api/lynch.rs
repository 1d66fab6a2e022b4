//! Issue #13 §1: the Assessment's `lynch` block (NCCN CEG v1.2026 criteria and PREMM5) through
//! `POST /api/eligibility/assess`, a stored assessment, and `genascope assess`.

use crate::helpers::*;
use serde_json::{Value, json};
use std::io::Write;
use std::process::{Command, Stdio};

/// A 45-year-old man with colorectal cancer at 40; his father had colorectal cancer at 50 and a
/// paternal aunt endometrial cancer at 45. Nothing in it meets the breast/ovarian criteria.
/// PREMM5 (hand-computed in Python from the published formula): 23.12 %, paternal side.
fn lynch_family() -> Value {
    json!({
        "proband": {"sex": "male", "age": 45, "cancers": [{"type": "colorectal", "age_at_diagnosis": 40}]},
        "relatives": [
            {"relation": "father", "alive": true, "age": 70, "cancers": [{"type": "colorectal", "age_at_diagnosis": 50}]},
            {"relation": "paternal_aunt", "alive": true, "age": 68, "cancers": [{"type": "endometrial", "age_at_diagnosis": 45}]}
        ]
    })
}

fn near(v: &Value, expected: f64) -> bool {
    v.as_f64().is_some_and(|x| (x - expected).abs() < 0.006)
}

/// What every answer for [`lynch_family`] must say.
fn check_lynch_family(a: &Value) {
    let l = &a["lynch"];
    assert_eq!(l["nccn"]["version"], "1.2026", "{a}");
    assert_eq!(l["nccn"]["outcome"], "indicated");
    let ids: Vec<&str> = l["nccn"]["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["LS2", "LS7", "LS9"]);
    let p = &l["premm5"];
    assert_eq!(p["applicable"], true);
    assert!(near(&p["score"], 23.12), "{p}");
    assert!(
        near(&p["genes"]["mlh1"], 10.25) && near(&p["genes"]["pms2"], 1.18),
        "{p}"
    );
    assert_eq!(p["score_range"]["low"], p["score_range"]["high"]);
    assert_eq!(p["family_side"], "paternal");
    assert_eq!(p["threshold_indicated"], 5.0);
    // Additive: the BOPP block is untouched and not met; referral comes from the Lynch route.
    assert_eq!(a["nccn"]["outcome"], "not_met");
    assert_eq!(a["nccn_eligible"], false);
    assert_eq!(a["is_eligible"], true);
    let first = &a["recommendations"][0];
    assert_eq!(first["priority"], "high");
    assert!(first["text"].as_str().unwrap().contains("Lynch"), "{first}");
}

pub async fn assess_returns_the_lynch_block(app: &TestApp) {
    let t = app.tenancy().await;
    let a = app
        .post(
            "/api/eligibility/assess",
            Some(&t.a.clinician),
            &lynch_family(),
        )
        .await
        .expect(200)
        .clone();
    check_lynch_family(&a);
    // Sex unknown: PREMM5 is not applicable (not guessed), the criteria still run, 200.
    let mut p = lynch_family();
    p["proband"]["sex"] = Value::Null;
    let a = app
        .post("/api/eligibility/assess", Some(&t.a.clinician), &p)
        .await
        .expect(200)
        .clone();
    assert_eq!(a["lynch"]["premm5"]["applicable"], false);
    assert_eq!(a["lynch"]["premm5"]["score"], Value::Null);
    assert!(
        a["lynch"]["premm5"]["not_applicable_reason"]
            .as_str()
            .unwrap()
            .contains("sex")
    );
    assert_eq!(a["lynch"]["nccn"]["outcome"], "indicated");
}

pub async fn stored_assessments_keep_the_lynch_block(app: &TestApp) {
    let t = app.tenancy().await;
    let url = format!("/api/eligibility/assess?patient_id={}", t.a.patient_id);
    let stored = app
        .post(&url, Some(&t.a.clinician), &lynch_family())
        .await
        .expect(200)
        .clone();
    check_lynch_family(&stored);
    let read = app
        .get(
            &format!("/api/eligibility/analyze/{}", t.a.patient_id),
            Some(&t.a.admin),
        )
        .await;
    assert_eq!(read.expect(200)["lynch"], stored["lynch"]);
}

/// `genascope assess` prints the same block (no database needed).
#[test]
fn cli_assess_prints_the_lynch_block() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_genascope"))
        .arg("assess")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(lynch_family().to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let a: Value = serde_json::from_slice(&out.stdout).unwrap();
    check_lynch_family(&a);
}
