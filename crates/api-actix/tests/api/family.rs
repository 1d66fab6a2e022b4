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

pub async fn fhir_export_for_the_care_team_and_the_patient(app: &TestApp) {
    let t = app.tenancy().await;
    let url = format!("/api/patients/{}/fhir/family-history", t.a.patient_id);
    app.get(&url, Some(&t.a.clinician))
        .await
        .expect_detail(404, "No assessment for this patient");
    store_family(app, &t).await;
    let r = app.get(&url, Some(&t.a.clinician)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(
        r.header("content-type")
            .unwrap()
            .starts_with("application/fhir+json")
    );
    let b: Value = serde_json::from_str(&r.text).expect("json");
    assert_eq!(b["resourceType"], "Bundle");
    let of = |t: &str| {
        b["entry"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["resource"]["resourceType"] == t)
            .count()
    };
    assert_eq!(of("Patient"), 1);
    assert_eq!(of("FamilyMemberHistory"), 3);
    assert!(of("RiskAssessment") >= 2, "NCCN and Tyrer-Cuzick at least");
    let patient = b["entry"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["resource"]["resourceType"] == "Patient")
        .unwrap();
    assert_eq!(patient["resource"]["id"], json!(t.a.patient_id));
    for token in [&t.a.admin, &t.sa] {
        assert_eq!(app.get(&url, Some(token)).await.status, 200);
    }
    let own = patient_login(app, &t).await;
    assert_eq!(app.get(&url, Some(&own)).await.status, 200);
    app.get(&url, Some(&t.b.clinician))
        .await
        .expect_detail(404, "Patient not found");
    app.get("/api/patients/nope/fhir/family-history", Some(&t.a.admin))
        .await
        .expect_detail(404, "Patient not found");
    app.user(&t.a.admin, "lab8@alpha.test", "Lab Eight", "lab_tech")
        .await;
    let lab = app.token("lab8@alpha.test", PW).await;
    app.get(&url, Some(&lab))
        .await
        .expect_detail(403, "Not enough permissions");
}

async fn post_fhir(app: &TestApp, url: &str, token: &str, body: Vec<u8>) -> Resp {
    app.post_raw(url, Some(token), "application/fhir+json", body)
        .await
}

pub async fn a_fhir_bundle_is_assessed_like_its_profile(app: &TestApp) {
    let t = app.tenancy().await;
    store_family(app, &t).await;
    let url = format!("/api/patients/{}/fhir/family-history", t.a.patient_id);
    let bundle = app.get(&url, Some(&t.a.clinician)).await.text;
    let direct = app
        .post("/api/eligibility/assess", Some(&t.a.clinician), &family())
        .await
        .expect(200)
        .clone();
    let r = post_fhir(
        app,
        "/api/eligibility/assess",
        &t.a.clinician,
        bundle.clone().into_bytes(),
    )
    .await;
    let via = r.expect(200);
    for k in [
        "nccn",
        "tyrer_cuzick",
        "gail",
        "manchester",
        "recommendations",
        "is_eligible",
    ] {
        assert_eq!(via[k], direct[k], "{k}");
    }
    // Stored for a patient, like a profile.
    let store = format!("/api/eligibility/assess?patient_id={}", t.a.patient_id);
    let stored = post_fhir(app, &store, &t.a.clinician, bundle.into_bytes()).await;
    assert!(stored.expect(200)["profile_id"].is_string());
    // Roles and tenancy as for a profile.
    post_fhir(
        app,
        &format!("/api/eligibility/assess?patient_id={}", t.a.patient_id),
        &t.b.clinician,
        b"{}".to_vec(),
    )
    .await
    .expect_detail(404, "Patient not found");
}

pub async fn bad_fhir_bundles_are_422_naming_the_entry(app: &TestApp) {
    let t = app.tenancy().await;
    let post = |body: Vec<u8>| post_fhir(app, "/api/eligibility/assess", &t.a.clinician, body);
    post(b"{nope".to_vec()).await.expect_422_at(&["body"]);
    post(br#"{"proband":{"age":40}}"#.to_vec())
        .await
        .expect_422_at(&["body", "resourceType"]);
    post(br#"{"resourceType":"Bundle"}"#.to_vec())
        .await
        .expect_422_at(&["body", "entry"]);
    let fmh = |relationship: Value| {
        json!({"resourceType": "Bundle", "type": "collection", "entry": [
            {"fullUrl": "urn:uuid:1", "resource": {"resourceType": "Patient", "gender": "female"}},
            {"resource": {"resourceType": "Observation", "status": "final",
                "code": {"coding": [{"system": "http://loinc.org", "code": "30525-0"}]},
                "valueQuantity": {"value": 40, "unit": "a", "system": "http://unitsofmeasure.org", "code": "a"}}},
            {"resource": {"resourceType": "FamilyMemberHistory", "status": "completed",
                "patient": {"reference": "urn:uuid:1"}, "relationship": relationship}}
        ]})
    };
    // A relationship that is no blood relation: the entry and element are named.
    let body = fmh(
        json!({"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-RoleCode", "code": "FRND"}]}),
    );
    post(serde_json::to_vec(&body).unwrap())
        .await
        .expect_422_at(&["body", "entry", "2", "resource", "relationship"]);
    // A plain RoleCode bundle from another system is read.
    let body = fmh(
        json!({"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-RoleCode", "code": "MAUNT"}]}),
    );
    post(serde_json::to_vec(&body).unwrap()).await.expect(200);
    // Junk shapes: 422, never 500.
    for junk in [
        json!([]),
        json!({"resourceType": "Bundle", "entry": [1, "x", null]}),
        json!({"resourceType": "Bundle", "entry": [{"resource": {"resourceType": "FamilyMemberHistory"}}]}),
        json!({"resourceType": "Bundle", "entry": [{"resource": {"resourceType": "Patient", "gender": 5,
            "extension": [{"url": "https://fhir.genascope.example/StructureDefinition/proband-risk-factors", "extension": [{"url": "menarche_age", "valueInteger": "twelve"}]}]}}]}),
        json!({"resourceType": "Bundle", "entry": [{"resource": {"resourceType": "Patient"}},
            {"resource": {"resourceType": "Condition", "code": {"text": "heart"}, "onsetAge": {"value": -3}}}]}),
    ] {
        let r = post(serde_json::to_vec(&junk).unwrap()).await;
        assert_eq!(r.status, 422, "{junk}: {}", r.text);
    }
}

/// The export of each example family (docs/pedigree), assessed and stored over HTTP, conforms
/// to the official FHIR R4 JSON schema, RiskAssessments (Lynch block included) and all.
pub async fn exported_example_families_are_valid_fhir_r4(app: &TestApp) {
    let t = app.tenancy().await;
    // One patient per family: two assessments stored in the same second tie on `assessed_at`.
    for (i, text) in [
        include_str!("../../../../docs/pedigree/brca-family.json"),
        include_str!("../../../../docs/pedigree/lynch-family.json"),
        include_str!("../../../../docs/pedigree/example-profile.json"),
    ]
    .into_iter()
    .enumerate()
    {
        let p = app
            .patient(&t.a.clinician, "Fam", "Ily", &format!("fam{i}@alpha.test"))
            .await;
        let id = p["id"].as_str().expect("patient id");
        let assess = format!("/api/eligibility/assess?patient_id={id}");
        let export = format!("/api/patients/{id}/fhir/family-history");
        let family: Value = serde_json::from_str(text).expect("json");
        app.post(&assess, Some(&t.a.clinician), &family)
            .await
            .expect(200);
        let r = app.get(&export, Some(&t.a.clinician)).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let b: Value = serde_json::from_str(&r.text).expect("json");
        let count = |kind: &str| {
            b["entry"].as_array().map_or(0, |e| {
                e.iter()
                    .filter(|x| x["resource"]["resourceType"] == kind)
                    .count()
            })
        };
        let relatives = family["relatives"].as_array().map_or(0, Vec::len);
        assert_eq!(
            count("FamilyMemberHistory"),
            relatives,
            "this family's assessment"
        );
        // NCCN, the Lynch criteria and PREMM5 at least.
        assert!(count("RiskAssessment") >= 3, "{}", count("RiskAssessment"));
        crate::fhir_schema::assert_conforms(&b);
    }
}
