//! The analysis of completed sessions (contract §3.7): the two reference journeys end in
//! `POST /api/eligibility/analyze`, whose answer is the assessment computed once at completion.

use super::support::{
    Chat, MOTHER_AND_AUNT, NO_FAMILY_HISTORY, answer_all, chat_all, criteria, open, start,
};
use crate::helpers::TestApp;
use serde_json::{Value, json};

/// (a) A woman whose mother had breast cancer at 40 and whose maternal aunt had ovarian cancer:
/// NCCN testing indicated (O3 through the aunt, G6, G5 through the mother).
pub async fn reference_journey_mother_and_aunt_is_eligible(app: &TestApp) {
    let c = Chat::new(app).await;
    let a = &c.t.a;
    let s = start(app, &c.patient, &json!({"sessionId": "journey-a"})).await;
    assert_eq!(s["sessionId"], "journey-a");
    let last = answer_all(app, &c.patient, "journey-a", &MOTHER_AND_AUNT).await;
    assert_eq!(last["sessionComplete"], true);

    let analyze = |tok: &str, body: Value| {
        let tok = tok.to_owned();
        async move {
            app.post("/api/eligibility/analyze", Some(&tok), &body)
                .await
        }
    };
    let r = analyze(&a.clinician, json!({"sessionId": "journey-a"})).await;
    let first = r.expect(200).clone();
    assert_eq!(first["nccn_eligible"], true, "{first}");
    assert_eq!(first["is_eligible"], true);
    assert_eq!(first["nccn"]["outcome"], "indicated");
    assert_eq!(criteria(&first), ["O3", "G6", "G5"]);
    let o3 = first["nccn"]["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "O3")
        .unwrap();
    assert_eq!(o3["relatives"], json!(["maternal_aunt"]));
    assert_eq!(first["session_id"], "journey-a");
    assert_eq!(first["patient_id"], a.patient_id.as_str());
    assert_eq!(first["assessment_id"], first["profile_id"]);
    for k in [
        "tyrer_cuzick_score",
        "tyrer_cuzick_threshold",
        "assessed_at",
    ] {
        assert!(!first[k].is_null(), "{k}");
    }
    // Identical on repeated calls, by session (both spellings) or by patient, and through the
    // compatibility form of `assess`.
    for (tok, body) in [
        (&a.admin, json!({"session_id": "journey-a"})),
        (&a.clinician, json!({"patient_id": a.patient_id})),
        (&c.patient, json!({"sessionId": "journey-a"})),
        (&c.patient, json!({"patient_id": a.patient_id})),
        (&c.t.sa, json!({"sessionId": "journey-a"})),
    ] {
        let r = analyze(tok, body).await;
        assert_eq!(r.expect(200), &first);
    }
    let compat = app
        .post(
            "/api/eligibility/assess",
            Some(&a.clinician),
            &json!({"session_id": "journey-a"}),
        )
        .await;
    assert_eq!(compat.expect(200), &first);
    // Stored against the patient once: the latest assessment by patient is this one.
    let latest = app
        .get(
            &format!("/api/eligibility/analyze/{}", a.patient_id),
            Some(&a.clinician),
        )
        .await;
    let latest = latest.expect(200);
    assert_eq!(latest["profile_id"], first["assessment_id"]);
    assert_eq!(criteria(latest), ["O3", "G6", "G5"]);
    let detailed = app
        .get(
            &format!("/api/eligibility/detailed/{}", a.patient_id),
            Some(&c.patient),
        )
        .await;
    assert_eq!(detailed.expect(200)["profile_id"], first["assessment_id"]);
    let stored: Vec<Count> = app
        .query(&format!(
            "SELECT COUNT(*) AS n FROM assessments WHERE patient_id = '{}'",
            a.patient_id
        ))
        .await;
    assert_eq!(stored[0].n, 1, "computed and stored once");
    // The session's assessment view is the same assessment.
    let view = app
        .get("/ai-chat/sessions/journey-a/assessment", Some(&a.clinician))
        .await;
    assert_eq!(view.expect(200)["profile_id"], first["assessment_id"]);
    // The patient's screening status.
    let p = app
        .get(
            &format!("/api/patients/{}", a.patient_id),
            Some(&a.clinician),
        )
        .await;
    assert_eq!(p.expect(200)["screening_status"], "Chat Completed");
}

#[derive(diesel::QueryableByName, Debug)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// (b) A woman without family history, through `/ai-chat`: not eligible.
pub async fn reference_journey_without_family_history_is_not_eligible(app: &TestApp) {
    let c = Chat::new(app).await;
    let a = &c.t.a;
    let s = open(app, &a.clinician, &json!({"patient_id": a.patient_id})).await;
    let id = s["id"].as_str().unwrap().to_owned();
    chat_all(app, &c.patient, &id, &NO_FAMILY_HISTORY).await;
    let r = app
        .post(
            "/api/eligibility/analyze",
            Some(&a.clinician),
            &json!({"sessionId": id}),
        )
        .await;
    let b = r.expect(200);
    assert_eq!(b["nccn_eligible"], false, "{b}");
    assert_eq!(b["is_eligible"], false);
    assert_eq!(b["nccn"]["outcome"], "not_met");
    assert!(
        criteria(b)
            .iter()
            .all(|c| !c.starts_with('B') && !c.starts_with('O'))
    );
    assert!(b["tyrer_cuzick_score"].is_number());
}

pub async fn analyze_refusals(app: &TestApp) {
    let c = Chat::new(app).await;
    let (a, b) = (&c.t.a, &c.t.b);
    let s = start(app, &c.patient, &json!({"sessionId": "half-done"})).await;
    assert_eq!(s["status"], "active");
    let post = |tok: &str, body: Value| {
        let tok = tok.to_owned();
        async move {
            app.post("/api/eligibility/analyze", Some(&tok), &body)
                .await
        }
    };
    post(&a.clinician, json!({"sessionId": "half-done"}))
        .await
        .expect_detail(409, "Questionnaire not complete");
    post(&a.clinician, json!({"patient_id": a.patient_id}))
        .await
        .expect_detail(409, "Questionnaire not complete");
    post(&a.clinician, json!({}))
        .await
        .expect_422_at(&["body", "sessionId"]);
    post(&a.clinician, json!({"sessionId": "nope"}))
        .await
        .expect_detail(404, "Chat session not found");
    post(&a.clinician, json!({"patient_id": "nope"}))
        .await
        .expect_detail(404, "Patient not found");
    // Another account's session or patient: 404.
    post(&b.clinician, json!({"sessionId": "half-done"}))
        .await
        .expect_detail(404, "Chat session not found");
    post(&b.clinician, json!({"patient_id": a.patient_id}))
        .await
        .expect(404);
    // A patient without sessions.
    post(&b.clinician, json!({"patient_id": b.patient_id}))
        .await
        .expect(404);
    // A user sees only its own sessions.
    post(&c.user, json!({"sessionId": "half-done"}))
        .await
        .expect(404);
    post(&c.lab, json!({"sessionId": "half-done"}))
        .await
        .expect_detail(403, "Not enough permissions");
    // A RiskProfile body is still an assessment, not an analysis.
    let r = app
        .post(
            "/api/eligibility/assess",
            Some(&a.clinician),
            &json!({"proband": {"sex": "female", "age": 40}, "sessionId": "half-done"}),
        )
        .await;
    assert_eq!(r.expect(200)["profile_id"], Value::Null);
}
