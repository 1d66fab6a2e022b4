//! `POST /api/eligibility/assess` (contract §3.7, risk-profile.md) and CORS.

use crate::helpers::*;
use serde_json::{Value, json};

fn profile() -> Value {
    json!({
        "proband": {
            "sex": "female", "age": 40, "ethnicity": "white", "ashkenazi_jewish": false,
            "menarche_age": 12, "live_births": 1, "first_live_birth_age": 31,
            "menopause_status": "pre", "height_cm": 165, "weight_kg": 62,
            "breast_biopsies": 0, "hyperplasia": "none", "cancers": [], "genetic_tests": []
        },
        "relatives": [
            { "relation": "mother", "alive": true, "age": 66,
              "cancers": [ { "type": "breast", "age_at_diagnosis": 42 } ] },
            { "relation": "maternal_aunt", "alive": false, "age": 58,
              "cancers": [ { "type": "ovarian", "age_at_diagnosis": 55 } ] }
        ]
    })
}

pub async fn assess_a_profile(app: &TestApp) {
    let t = app.tenancy().await;
    let r = app
        .post("/api/eligibility/assess", Some(&t.a.clinician), &profile())
        .await;
    let a = r.expect(200).clone();
    assert_eq!(a["profile_id"], Value::Null);
    assert!(a["assessed_at"].as_str().unwrap().ends_with('Z'));
    // The seed's top-level fields agree with the nested sections.
    assert_eq!(a["tyrer_cuzick_threshold"], 20.0);
    assert_eq!(a["tyrer_cuzick_score"], a["tyrer_cuzick"]["lifetime_risk"]);
    assert_eq!(a["nccn_eligible"], json!(a["nccn"]["outcome"] != "not_met"));
    assert_eq!(a["nccn"]["version"], "3.2026");
    // A mother with breast cancer at 42 and a maternal aunt with ovarian cancer meet NCCN.
    assert_eq!(a["nccn"]["outcome"], "indicated", "{a}");
    assert_eq!(a["is_eligible"], true);
    let tc = &a["tyrer_cuzick"];
    assert_eq!(tc["model"], "Tyrer-Cuzick (IBIS v8-style)");
    assert!(
        tc["lifetime_risk"].as_f64().unwrap() > tc["population_lifetime_risk"].as_f64().unwrap()
    );
    assert_eq!(a["gail"]["applicable"], true);
    // Trailing slash and a text/plain body answer the same.
    let r = app
        .post_raw(
            "/api/eligibility/assess/",
            Some(&t.a.clinician),
            "text/plain",
            serde_json::to_vec(&profile()).unwrap(),
        )
        .await;
    assert_eq!(r.expect(200)["nccn"], a["nccn"]);
}

pub async fn invalid_profiles_name_the_field(app: &TestApp) {
    let t = app.tenancy().await;
    let mut p = profile();
    p["proband"]["age"] = json!(null);
    app.post("/api/eligibility/assess", Some(&t.a.admin), &p)
        .await
        .expect_422_at(&["body", "proband", "age"]);
    let mut p = profile();
    p["relatives"][0]["relation"] = json!("neighbour");
    let r = app
        .post("/api/eligibility/assess", Some(&t.a.admin), &p)
        .await;
    r.expect_422_at(&["body", "relatives", "0", "relation"]);
    let r = app
        .post_raw(
            "/api/eligibility/assess",
            Some(&t.a.admin),
            "application/json",
            b"{nope".to_vec(),
        )
        .await;
    r.expect_422_at(&["body"]);
}

pub async fn who_may_assess_and_for_whom(app: &TestApp) {
    let t = app.tenancy().await;
    app.post("/api/eligibility/assess", None, &profile())
        .await
        .expect_detail(401, "Not authenticated");
    app.user(&t.a.admin, "lab@alpha.test", "Lab Alpha", "lab_tech")
        .await;
    let lab = app.token("lab@alpha.test", PW).await;
    app.post("/api/eligibility/assess", Some(&lab), &profile())
        .await
        .expect_detail(403, "Not enough permissions");
    // For a patient: the caller's own account only; another account's patient does not exist.
    let own = format!("/api/eligibility/assess?patient_id={}", t.a.patient_id);
    app.post(&own, Some(&t.a.clinician), &profile())
        .await
        .expect(200);
    let other = format!("/api/eligibility/assess?patient_id={}", t.b.patient_id);
    app.post(&other, Some(&t.a.clinician), &profile())
        .await
        .expect_detail(404, "Patient not found");
    app.post(
        "/api/eligibility/assess?patient_id=nope",
        Some(&t.a.clinician),
        &profile(),
    )
    .await
    .expect_detail(404, "Patient not found");
    app.post(&other, Some(&t.sa), &profile()).await.expect(200);
}

pub async fn cors_allows_only_configured_origins(backend: genascope_adapters_postgres::Backend) {
    let app = spawn_app_with(backend, &[("CORS_ORIGINS", "https://app.clinic.test")]).await;
    let preflight = |origin: &'static str| {
        app.client
            .request(reqwest::Method::OPTIONS, app.url("/api/patients/"))
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "GET")
            .header("Access-Control-Request-Headers", "authorization")
    };
    let ok = app.send(preflight("https://app.clinic.test")).await;
    assert!(ok.status < 300, "{}", ok.status);
    assert_eq!(
        ok.header("access-control-allow-origin").as_deref(),
        Some("https://app.clinic.test")
    );
    let bad = app.send(preflight("https://evil.test")).await;
    assert_eq!(bad.header("access-control-allow-origin"), None);
    let live = app
        .send(
            app.client
                .get(app.url("/live"))
                .header("Origin", "https://app.clinic.test"),
        )
        .await;
    assert_eq!(
        live.header("access-control-allow-origin").as_deref(),
        Some("https://app.clinic.test")
    );
    app.shutdown().await;
}

pub async fn assessments_are_stored_for_patients_and_read_back(app: &TestApp) {
    let t = app.tenancy().await;
    let latest = |id: &str| format!("/api/eligibility/analyze/{id}");
    app.get(&latest(&t.a.patient_id), Some(&t.a.clinician))
        .await
        .expect_detail(404, "No assessment for this patient");
    // Without patient_id nothing is stored.
    let r = app
        .post("/api/eligibility/assess", Some(&t.a.clinician), &profile())
        .await;
    assert_eq!(r.expect(200)["profile_id"], Value::Null);
    let url = format!("/api/eligibility/assess?patient_id={}", t.a.patient_id);
    let first = app
        .post(&url, Some(&t.a.clinician), &profile())
        .await
        .expect(200)
        .clone();
    let id = first["profile_id"]
        .as_str()
        .expect("stored: profile_id is set")
        .to_owned();
    assert!(uuid::Uuid::parse_str(&id).is_ok());
    let read = app.get(&latest(&t.a.patient_id), Some(&t.a.admin)).await;
    assert_eq!(
        read.expect(200),
        &first,
        "the stored assessment is returned as it was answered"
    );
    let alias = app
        .get(
            &format!("/api/eligibility/detailed/{}/", t.a.patient_id),
            Some(&t.sa),
        )
        .await;
    assert_eq!(alias.expect(200)["profile_id"], json!(id));
    // Another account's staff: the patient does not exist; a lab tech may not read it at all.
    app.get(&latest(&t.a.patient_id), Some(&t.b.clinician))
        .await
        .expect_detail(404, "Patient not found");
    app.get(&latest("null"), Some(&t.a.clinician))
        .await
        .expect_detail(404, "Patient not found");
    app.user(&t.a.admin, "lab2@alpha.test", "Lab Two", "lab_tech")
        .await;
    let lab = app.token("lab2@alpha.test", PW).await;
    app.get(&latest(&t.a.patient_id), Some(&lab))
        .await
        .expect_detail(403, "Not enough permissions");
}
