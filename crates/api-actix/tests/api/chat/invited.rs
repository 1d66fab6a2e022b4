//! An invited patient's questionnaire with a simplified token: the invite's strategy, the routes
//! marked S, and what the care team sees on the patient record.

use super::support::{Chat, MOTHER_AND_AUNT, chat_all, strategy};
use crate::helpers::TestApp;
use serde_json::{Value, json};

pub async fn invited_patient_chats_with_the_invites_strategy(app: &TestApp) {
    let c = Chat::new(app).await;
    let a = &c.t.a;
    strategy(app, &a.admin, &json!({"name": "Default"})).await;
    let chosen = strategy(
        app,
        &a.admin,
        &json!({"name": "Invited", "patient_introduction": "Welcome, invited patient."}),
    )
    .await;
    let invite = app
        .post(
            "/api/generate_invite",
            Some(&a.clinician),
            &json!({"patient_id": a.patient_id, "chat_strategy_id": chosen["id"], "send_email": false}),
        )
        .await;
    let invite = invite.expect(200);
    assert_eq!(invite["chat_strategy_name"], "Invited");
    let token = invite["invite_url"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    let access = app
        .post(
            "/api/simplified_access",
            None,
            &json!({"invite_token": token, "first_name": "Pat", "last_name": "Ofalpha",
                    "date_of_birth": "1988-05-17", "agree_to_terms": true, "agree_to_privacy": true}),
        )
        .await;
    let simplified = access.expect(200)["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let status = |tok: String| async move {
        let r = app.get("/api/patients?query=Ofalpha", Some(&tok)).await;
        r.array()[0]["screening_status"].clone()
    };

    // The frontend's placeholder strategy: the invite's strategy, not the account default.
    let s = app
        .post(
            "/ai-chat/sessions",
            Some(&simplified),
            &json!({"strategy_id": "strategy-1", "patient_id": a.patient_id}),
        )
        .await;
    let s = s.expect(200).clone();
    assert_eq!(s["strategy_id"], chosen["id"]);
    assert_eq!(s["strategy_name"], "Invited");
    assert!(
        s["initial_message"]
            .as_str()
            .unwrap()
            .starts_with("Welcome, invited patient.")
    );
    assert_eq!(s["assessment_results"], Value::Null);
    assert_eq!(status(a.clinician.clone()).await, "Chat In Progress");
    let id = s["id"].as_str().unwrap().to_owned();

    // Not marked S: the analysis and the assessment view.
    for r in [
        app.post(
            "/api/eligibility/analyze",
            Some(&simplified),
            &json!({"sessionId": id}),
        )
        .await,
        app.get(
            &format!("/ai-chat/sessions/{id}/assessment"),
            Some(&simplified),
        )
        .await,
    ] {
        r.expect_detail(
            403,
            "This endpoint is not accessible with simplified access",
        );
        assert_eq!(
            r.header("x-error-code").as_deref(),
            Some("SIMPLIFIED_ACCESS_RESTRICTED")
        );
    }
    // Marked S: the whole interview, its history, the session list.
    chat_all(app, &simplified, &id, &MOTHER_AND_AUNT).await;
    let h = app
        .get(&format!("/api/history/{id}"), Some(&simplified))
        .await;
    assert_eq!(h.expect(200)["status"], "completed");
    let mine = app.get("/ai-chat/sessions", Some(&simplified)).await;
    assert_eq!(mine.array().len(), 1);
    let got = app
        .get(&format!("/ai-chat/sessions/{id}"), Some(&simplified))
        .await;
    assert_eq!(
        got.expect(200)["assessment_results"],
        Value::Null,
        "no risk figures"
    );

    // The care team: the patient's screening status, and the assessment.
    assert_eq!(status(a.clinician.clone()).await, "Chat Completed");
    let r = app
        .post(
            "/api/eligibility/analyze",
            Some(&a.clinician),
            &json!({"patient_id": a.patient_id}),
        )
        .await;
    assert_eq!(r.expect(200)["session_id"], id.as_str());
    assert_eq!(r.body["nccn_eligible"], true);
}

/// Found by the end-to-end drive: an invited patient without a login of their own (the usual
/// case) completes the interview with a simplified token. Its assessment row names no user as
/// its author (the principal is the patient record, which has no user row).
pub async fn invited_patient_without_login_completes_the_interview(app: &TestApp) {
    let c = Chat::new(app).await;
    let a = &c.t.a;
    strategy(app, &a.admin, &json!({"name": "Default"})).await;
    let patient = app
        .post(
            "/api/patients",
            Some(&a.clinician),
            &json!({"first_name": "Nola", "last_name": "Login", "email": "nola.login@example.org",
                    "date_of_birth": "1988-05-17"}),
        )
        .await;
    let patient_id = patient.expect(201)["id"].as_str().unwrap().to_owned();
    let invite = app
        .post(
            "/api/generate_invite",
            Some(&a.clinician),
            &json!({"patient_id": patient_id, "send_email": false}),
        )
        .await;
    let token = invite.expect(200)["invite_url"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    let access = app
        .post(
            "/api/simplified_access",
            None,
            &json!({"invite_token": token, "first_name": "nola", "last_name": "LOGIN",
                    "date_of_birth": "1988-05-17", "agree_to_terms": true, "agree_to_privacy": true}),
        )
        .await;
    let simplified = access.expect(200)["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let s = app
        .post(
            "/ai-chat/sessions",
            Some(&simplified),
            &json!({"strategy_id": "strategy-1", "patient_id": patient_id}),
        )
        .await;
    let id = s.expect(200)["id"].as_str().unwrap().to_owned();
    chat_all(app, &simplified, &id, &MOTHER_AND_AUNT).await;
    let r = app
        .post(
            "/api/eligibility/analyze",
            Some(&a.clinician),
            &json!({"patient_id": patient_id}),
        )
        .await;
    assert_eq!(r.expect(200)["session_id"], id.as_str());
    assert_eq!(r.body["nccn_eligible"], true);
}
