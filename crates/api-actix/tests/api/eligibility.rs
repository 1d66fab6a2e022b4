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

/// The family id the export writes for a patient: `P` + the first 7 hex digits of its id.
fn family_id(patient_id: &str) -> String {
    format!("P{}", &patient_id.replace('-', "")[..7])
}

/// Assessments are stamped to the second and "latest" is by that stamp: a test that stores a
/// newer assessment waits for the next second first.
async fn next_second() {
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
}

fn export_url(patient_id: &str, query: &str) -> String {
    format!("/api/eligibility/export/{patient_id}?{query}")
}

pub async fn export_writes_the_latest_stored_profile(app: &TestApp) {
    let t = app.tenancy().await;
    let pid = &t.a.patient_id;
    let fam = family_id(pid);
    app.post(
        &format!("/api/eligibility/assess?patient_id={pid}"),
        Some(&t.a.clinician),
        &profile(),
    )
    .await
    .expect(200);
    let r = app
        .get(
            &export_url(pid, "format=canrisk4&_cb=1"),
            Some(&t.a.clinician),
        )
        .await;
    let v = r.expect(200).clone();
    assert_eq!(r.header("cache-control").as_deref(), Some("no-store"));
    assert_eq!(v["format"], "canrisk4");
    assert_eq!(v["family_id"], json!(fam));
    assert_eq!(v["filename"], json!(format!("{fam}_canrisk4.txt")));
    let content = v["content"].as_str().unwrap();
    assert!(content.starts_with("##CanRisk 4.0\n"), "{content}");
    // The proband (40 this year) and the mother (66, breast cancer at 42).
    let year = time::OffsetDateTime::now_utc().year();
    assert!(
        content.contains(&format!(
            "{fam}\tPB\t1\tPB\tFA\tMO\tF\t0\t0\t40\t{}\t",
            year - 40
        )),
        "{content}"
    );
    assert!(content.contains(&format!(
        "{fam}\tMO\t0\tMO\tMGF\tMGM\tF\t0\t0\t66\t{}\t42\t",
        year - 66
    )));
    // The maternal aunt died at 58 (ovarian cancer at 55): year of birth unknown, which CanRisk
    // refuses; the first note says so. The ethnicity is not written unless asked for.
    let notes: Vec<&str> = v["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    assert!(
        notes[0].starts_with("Must fix before computing: Maternal aunt (MAU1; relatives[1])"),
        "{notes:#?}"
    );
    assert!(!content.contains("##ethnicity"));
    // Opt-in estimates and UK ethnicity.
    let v = app
        .get(
            &export_url(pid, "format=canrisk4&estimate_missing=true&uk_ethnicity=1"),
            Some(&t.a.admin),
        )
        .await
        .expect(200)
        .clone();
    let notes = v["notes"].as_array().unwrap();
    assert!(
        !notes
            .iter()
            .any(|n| n.as_str().unwrap().starts_with("Must fix")),
        "{notes:#?}"
    );
    assert!(
        notes
            .iter()
            .any(|n| n.as_str().unwrap().starts_with("Estimated: Maternal aunt"))
    );
    assert!(
        v["content"]
            .as_str()
            .unwrap()
            .contains("##ethnicity=White\n")
    );
    // IBIS, trailing slash, super admin.
    let v = app
        .get(
            &format!("/api/eligibility/export/{pid}/?format=IBIS8"),
            Some(&t.sa),
        )
        .await
        .expect(200)
        .clone();
    assert_eq!(v["filename"], json!(format!("{fam}_ibis8.txt")));
    assert!(
        v["content"]
            .as_str()
            .unwrap()
            .starts_with(&format!("v8\n1\n{fam}\t40\t")),
        "{v}"
    );
    // A newer assessment is the one exported.
    next_second().await;
    let mut older = profile();
    older["proband"]["age"] = json!(41);
    app.post(
        &format!("/api/eligibility/assess?patient_id={pid}"),
        Some(&t.a.clinician),
        &older,
    )
    .await
    .expect(200);
    let v = app
        .get(&export_url(pid, "format=ibis8"), Some(&t.a.clinician))
        .await
        .expect(200)
        .clone();
    assert!(
        v["content"]
            .as_str()
            .unwrap()
            .starts_with(&format!("v8\n1\n{fam}\t41\t"))
    );
}

pub async fn export_errors_name_the_field(app: &TestApp) {
    let t = app.tenancy().await;
    let pid = &t.a.patient_id;
    let clin = Some(t.a.clinician.as_str());
    // No assessment yet.
    app.get(&export_url(pid, "format=canrisk4"), clin)
        .await
        .expect_detail(404, "No assessment for this patient");
    // The query is checked, every bad parameter listed.
    app.get(&export_url(pid, ""), clin)
        .await
        .expect_422_at(&["query", "format"]);
    app.get(&export_url(pid, "format=pdf"), clin)
        .await
        .expect_422_at(&["query", "format"]);
    let r = app
        .get(
            &export_url(pid, "format=canrisk&estimate_missing=perhaps"),
            clin,
        )
        .await;
    r.expect_422_at(&["query", "format"]);
    r.expect_422_at(&["query", "estimate_missing"]);
    app.get(&export_url(pid, "format=canrisk4&uk_ethnicity=2"), clin)
        .await
        .expect_422_at(&["query", "uk_ethnicity"]);
    app.get(&export_url("nope", "format=canrisk4"), clin)
        .await
        .expect_detail(404, "Patient not found");
    // A proband with breast cancer: CanRisk takes her, IBIS (unaffected women only) cannot; the
    // 422 names the profile field, and nothing is a 500.
    let mut affected = profile();
    affected["proband"]["cancers"] = json!([{ "type": "breast", "age_at_diagnosis": 38 }]);
    next_second().await;
    app.post(
        &format!("/api/eligibility/assess?patient_id={pid}"),
        clin,
        &affected,
    )
    .await
    .expect(200);
    app.get(&export_url(pid, "format=canrisk4"), clin)
        .await
        .expect(200);
    let r = app.get(&export_url(pid, "format=ibis8"), clin).await;
    r.expect_422_at(&["query", "format"]);
    assert!(
        r.body["detail"][0]["msg"]
            .as_str()
            .unwrap()
            .contains("proband.cancers[0]"),
        "{}",
        r.text
    );
    // A male proband: IBIS refuses, naming proband.sex.
    let mut man = profile();
    man["proband"] = json!({ "sex": "male", "age": 60 });
    next_second().await;
    app.post(
        &format!("/api/eligibility/assess?patient_id={pid}"),
        clin,
        &man,
    )
    .await
    .expect(200);
    let r = app.get(&export_url(pid, "format=ibis8"), clin).await;
    assert!(
        r.body["detail"][0]["msg"]
            .as_str()
            .unwrap()
            .contains("proband.sex"),
        "{}",
        r.text
    );
}

pub async fn who_may_export(app: &TestApp) {
    let t = app.tenancy().await;
    let pid = &t.a.patient_id;
    app.post(
        &format!("/api/eligibility/assess?patient_id={pid}"),
        Some(&t.a.clinician),
        &profile(),
    )
    .await
    .expect(200);
    let url = export_url(pid, "format=canrisk4");
    app.get(&url, None)
        .await
        .expect_detail(401, "Not authenticated");
    // The care team of the account and super_admin.
    for token in [&t.a.clinician, &t.a.admin, &t.sa] {
        app.get(&url, Some(token)).await.expect(200);
    }
    app.user(&t.a.admin, "phys@alpha.test", "Phys Alpha", "physician")
        .await;
    let phys = app.token("phys@alpha.test", PW).await;
    app.get(&url, Some(&phys)).await.expect(200);
    // Another account's care team: the patient does not exist.
    app.get(&url, Some(&t.b.clinician))
        .await
        .expect_detail(404, "Patient not found");
    app.get(&url, Some(&t.b.admin))
        .await
        .expect_detail(404, "Patient not found");
    // Other roles: 403 before the id or the query is read.
    app.user(&t.a.admin, "lab3@alpha.test", "Lab Three", "lab_tech")
        .await;
    app.user(&t.a.admin, "user3@alpha.test", "User Three", "user")
        .await;
    for email in ["lab3@alpha.test", "user3@alpha.test"] {
        let tok = app.token(email, PW).await;
        for u in [url.clone(), export_url("nope", "format=bad")] {
            app.get(&u, Some(&tok))
                .await
                .expect_detail(403, "Not enough permissions");
        }
    }
}
