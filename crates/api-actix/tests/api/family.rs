//! A patient's stored family history as a pedigree drawing (`GET
//! /api/eligibility/pedigree/{patient_id}.svg`) and as a FHIR R4 bundle.

use crate::helpers::*;
use crate::invites::{DOB, invite, token_of};
use serde_json::{Value, json};

pub fn family() -> Value {
    json!({
        "proband": { "sex": "female", "age": 40, "ashkenazi_jewish": true, "menarche_age": 12,
                     "cancers": [ { "type": "breast", "age_at_diagnosis": 38, "bilateral": false,
                                    "er": "negative" } ],
                     "genetic_tests": [ { "gene": "BRCA1", "result": "pathogenic" } ] },
        "relatives": [
            { "relation": "mother", "alive": false, "age": 58,
              "cancers": [ { "type": "ovarian", "age_at_diagnosis": 55 } ] },
            { "relation": "maternal_half_sister", "alive": true, "age": 45 },
            { "relation": "paternal_cousin", "sex": "male", "alive": true, "age": 30,
              "genetic_tests": [ { "gene": "<b>BRCA2</b>", "result": "vus" } ] }
        ]
    })
}

/// The patient's own login (invite, then registration).
pub async fn patient_login(app: &TestApp, t: &Tenancy) -> String {
    let inv = invite(app, &t.a.clinician, &t.a.patient_id).await;
    let body = json!({"invite_token": token_of(&inv), "password": PW, "confirm_password": PW,
                      "date_of_birth": DOB, "agree_to_terms": true, "agree_to_privacy": true});
    app.post("/api/register_patient", None, &body)
        .await
        .expect(200);
    app.token("pat@alpha.test", PW).await
}

/// Stores `family()` for tenant a's patient.
pub async fn store_family(app: &TestApp, t: &Tenancy) {
    let url = format!("/api/eligibility/assess?patient_id={}", t.a.patient_id);
    app.post(&url, Some(&t.a.clinician), &family())
        .await
        .expect(200);
}

pub async fn pedigree_for_the_care_team_and_the_patient(app: &TestApp) {
    let t = app.tenancy().await;
    let url = format!("/api/eligibility/pedigree/{}.svg", t.a.patient_id);
    app.get(&url, Some(&t.a.clinician))
        .await
        .expect_detail(404, "No assessment for this patient");
    store_family(app, &t).await;
    let r = app.get(&url, Some(&t.a.clinician)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(
        r.header("content-type")
            .unwrap()
            .starts_with("image/svg+xml")
    );
    assert!(r.text.starts_with("<svg"));
    for i in 0..3 {
        assert!(r.text.contains(&format!("data-relative=\"{i}\"")), "{i}");
    }
    // Text from the profile is escaped, never markup.
    assert!(r.text.contains("&lt;b&gt;BRCA2&lt;/b&gt; VUS"));
    assert!(!r.text.contains("<b>"));
    for token in [&t.a.admin, &t.sa] {
        assert_eq!(app.get(&url, Some(token)).await.status, 200);
    }
    let own = patient_login(app, &t).await;
    assert_eq!(app.get(&url, Some(&own)).await.status, 200);
    // Another account: not found; lab_tech: forbidden; a malformed id: not found.
    app.get(&url, Some(&t.b.clinician))
        .await
        .expect_detail(404, "Patient not found");
    app.get("/api/eligibility/pedigree/nope.svg", Some(&t.a.clinician))
        .await
        .expect_detail(404, "Patient not found");
    app.user(&t.a.admin, "lab9@alpha.test", "Lab Nine", "lab_tech")
        .await;
    let lab = app.token("lab9@alpha.test", PW).await;
    app.get(&url, Some(&lab))
        .await
        .expect_detail(403, "Not enough permissions");
    app.get(&url, None)
        .await
        .expect_detail(401, "Not authenticated");
}
