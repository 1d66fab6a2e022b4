//! The `/ai-chat` family (contract §3.5.4), at `/ai-chat/...` and `/api/ai-chat/...`.

use super::support::{Chat, FULL_26, chat_all, open, strategy};
use crate::helpers::{TestApp, ids};
use serde_json::{Value, json};

/// The whole 26-question interview as chat messages, by the patient, at the `/api` alias for
/// half of it.
pub async fn full_interview_through_ai_chat_messages(app: &TestApp) {
    let c = Chat::new(app).await;
    let a = &c.t.a;
    strategy(
        app,
        &a.admin,
        &json!({"name": "Default", "patient_introduction": "Welcome to Alpha."}),
    )
    .await;
    // The frontend's placeholder strategy never fails for a patient: the account default.
    let s = open(
        app,
        &c.patient,
        &json!({"strategy_id": "strategy-1", "patient_id": a.patient_id,
                "session_type": "screening", "initial_context": {"source": "invite"}}),
    )
    .await;
    assert_eq!(s["status"], "active");
    assert_eq!(s["strategy_name"], "Default");
    assert_eq!(s["patient_id"], a.patient_id.as_str());
    assert_eq!(s["account_id"], a.account_id.as_str());
    assert_eq!(s["session_type"], "screening");
    assert_eq!(s["chat_context"], json!({"source": "invite"}));
    assert_eq!(s["message_count"], 1);
    assert_eq!(s["progress_percentage"], 0);
    assert_eq!(s["current_question"]["id"], 1);
    assert_eq!(s["assessment_results"], Value::Null);
    let intro = s["initial_message"].as_str().unwrap();
    assert!(intro.starts_with("Welcome to Alpha."), "{intro}");
    assert!(
        intro.ends_with("Do you have a family history of breast cancer?"),
        "{intro}"
    );
    for k in ["started_at", "last_activity"] {
        assert!(s[k].as_str().unwrap().ends_with('Z'), "{k}");
    }
    for k in ["completed_at", "ended_at", "end_reason"] {
        assert_eq!(s[k], Value::Null, "{k}");
    }
    let id = s["id"].as_str().unwrap().to_owned();
    // A second open returns the active session.
    let again = open(app, &c.patient, &json!({})).await;
    assert_eq!(again["id"], id.as_str());
    // The opening message.
    let m = app
        .get(
            &format!("/ai-chat/sessions/{id}/messages"),
            Some(&c.patient),
        )
        .await;
    let first = &m.array()[0];
    assert_eq!(m.array().len(), 1);
    assert_eq!(first["role"], "assistant");
    assert_eq!(first["message_type"], "question");
    assert_eq!(first["question_id"], 1);
    assert_eq!(first["content"], intro);
    assert_eq!(first["confidence_score"], Value::Null);

    let last = chat_all(app, &c.patient, &id, &FULL_26).await;
    assert_eq!(
        last["content"],
        "Thank you. Your answers have been sent to your care team."
    );
    assert_eq!(last["question_id"], Value::Null);
    // The transcript: 1 + 2 × 26 messages, oldest first; user messages carry the answer.
    let all = app
        .get(
            &format!("/api/ai-chat/sessions/{id}/messages?limit=500"),
            Some(&c.patient),
        )
        .await;
    let all = all.array();
    assert_eq!(all.len(), 53);
    assert_eq!(all[1]["role"], "user");
    assert_eq!(all[1]["message_type"], "answer");
    assert_eq!(all[1]["content"], "yes");
    assert_eq!(all[1]["question_id"], 1);
    assert_eq!(
        all[1]["extracted_entities"],
        json!({"type": "yes_no", "value": "yes"})
    );
    assert_eq!(all[2]["question_id"], 2);
    assert_eq!(all[52]["message_type"], "summary");
    // The latest `limit`, oldest first.
    let tail = app
        .get(
            &format!("/ai-chat/sessions/{id}/messages?limit=3"),
            Some(&c.patient),
        )
        .await;
    let tail_ids = ids(tail.array());
    assert_eq!(tail_ids, ids(&all[50..]));
    // No risk figure reaches the patient; the care team sees them.
    let own = app
        .get(&format!("/ai-chat/sessions/{id}"), Some(&c.patient))
        .await;
    let own = own.expect(200);
    assert_eq!(own["status"], "completed");
    assert_eq!(own["message_count"], 53);
    assert_eq!(own["progress_percentage"], 100);
    assert_eq!(own["assessment_results"], Value::Null);
    assert!(
        !all.iter()
            .any(|m| m["content"].as_str().unwrap().contains('%'))
    );
    let staff = app
        .get(&format!("/api/ai-chat/sessions/{id}"), Some(&a.clinician))
        .await;
    let results = &staff.expect(200)["assessment_results"];
    assert_eq!(results["nccn_eligible"], true, "{results}");
    // After completion: 409.
    app.post(
        &format!("/ai-chat/sessions/{id}/messages"),
        Some(&c.patient),
        &json!({"message": "b"}),
    )
    .await
    .expect_detail(409, "Chat session is not active");
    // Ending a completed session leaves it unchanged.
    let ended = app
        .post(
            &format!("/ai-chat/sessions/{id}/end"),
            Some(&c.patient),
            &json!({}),
        )
        .await;
    assert_eq!(ended.expect(200)["status"], "completed");
    assert_eq!(ended.body["ended_at"], Value::Null);
    // The stored assessment, for the care team.
    let r = app
        .get(
            &format!("/ai-chat/sessions/{id}/assessment"),
            Some(&a.admin),
        )
        .await;
    let assessment = r.expect(200);
    assert_eq!(assessment["nccn_eligible"], true);
    assert!(assessment["profile_id"].is_string());
}

pub async fn clarifications_limits_and_ending(app: &TestApp) {
    let c = Chat::new(app).await;
    let s = open(app, &c.patient, &json!({})).await;
    let id = s["id"].as_str().unwrap().to_owned();
    assert_eq!(s["strategy_id"], Value::Null, "no strategy in the account");
    assert!(
        s["initial_message"]
            .as_str()
            .unwrap()
            .contains("Do you have a family history")
    );
    let path = format!("/ai-chat/sessions/{id}/messages");
    // An answer that does not fit: one clarification reply that asks again; state unchanged.
    let r = app
        .post(&path, Some(&c.patient), &json!({"message": "purple"}))
        .await;
    let reply = r.expect(200);
    assert_eq!(reply["message_type"], "clarification");
    assert_eq!(reply["question_id"], 1);
    assert!(
        reply["content"]
            .as_str()
            .unwrap()
            .ends_with("Do you have a family history of breast cancer?"),
        "{reply}"
    );
    let got = app
        .get(&format!("/ai-chat/sessions/{id}"), Some(&c.patient))
        .await;
    assert_eq!(got.expect(200)["current_question"]["id"], 1);
    assert_eq!(got.body["message_count"], 3);
    let m = app.get(&path, Some(&c.patient)).await;
    assert_eq!(m.array()[1]["extracted_entities"], Value::Null);
    // Message length: 1..2000.
    let ok = "y".repeat(2000);
    app.post(&path, Some(&c.patient), &json!({"message": ok}))
        .await
        .expect(200);
    for bad in [
        json!({"message": "x".repeat(2001)}),
        json!({"message": "  "}),
        json!({}),
        json!({"message": 5}),
    ] {
        app.post(&path, Some(&c.patient), &bad)
            .await
            .expect_422_at(&["body", "message"]);
    }
    app.post(
        &path,
        Some(&c.patient),
        &json!({"message": "yes", "message_metadata": [1]}),
    )
    .await
    .expect_422_at(&["body", "message_metadata"]);
    let r = app
        .post(
            &path,
            Some(&c.patient),
            &json!({"message": "yes", "message_metadata": {"ui": "web"}}),
        )
        .await;
    assert_eq!(r.expect(200)["question_id"], 2);
    // Style E limits: out of range is 422, never clamped.
    for q in ["limit=0", "limit=101", "limit=x"] {
        app.get(&format!("/ai-chat/sessions?{q}"), Some(&c.patient))
            .await
            .expect_422_at(&["query", "limit"]);
    }
    app.get("/ai-chat/sessions?limit=100", Some(&c.patient))
        .await
        .expect(200);
    for q in ["limit=0", "limit=501"] {
        app.get(&format!("{path}?{q}"), Some(&c.patient))
            .await
            .expect_422_at(&["query", "limit"]);
    }
    app.get(&format!("{path}?limit=500"), Some(&c.patient))
        .await
        .expect(200);
    app.get("/ai-chat/sessions?session_status=paused", Some(&c.patient))
        .await
        .expect_422_at(&["query", "session_status"]);
    let active = app
        .get(
            "/ai-chat/sessions?session_status=active&_cb=1",
            Some(&c.patient),
        )
        .await;
    assert_eq!(ids(active.array()), [id.as_str()]);
    // initial_context: an object of at most 8 KiB.
    app.post(
        "/ai-chat/sessions",
        Some(&c.t.a.clinician),
        &json!({"initial_context": "x"}),
    )
    .await
    .expect_422_at(&["body", "initial_context"]);
    app.post(
        "/ai-chat/sessions",
        Some(&c.t.a.clinician),
        &json!({"initial_context": {"blob": "x".repeat(9000)}}),
    )
    .await
    .expect_422_at(&["body", "initial_context"]);
    // Ending: the reason from the query (or the body), at most 500 characters.
    let end = format!("/ai-chat/sessions/{id}/end");
    app.post(
        &format!("{end}?reason={}", "r".repeat(501)),
        Some(&c.patient),
        &json!({}),
    )
    .await
    .expect_422_at(&["query", "reason"]);
    app.post(&end, Some(&c.patient), &json!({"reason": "r".repeat(501)}))
        .await
        .expect_422_at(&["body", "reason"]);
    let r = app
        .post(
            &format!("{end}?reason=Not%20now"),
            Some(&c.patient),
            &json!({}),
        )
        .await;
    let ended = r.expect(200);
    assert_eq!(ended["status"], "cancelled");
    assert_eq!(ended["end_reason"], "Not now");
    assert!(ended["ended_at"].as_str().unwrap().ends_with('Z'));
    // An ended session takes no answers: 409, through either route.
    app.post(&path, Some(&c.patient), &json!({"message": "40"}))
        .await
        .expect_detail(409, "Chat session is not active");
    app.post(
        "/api/submit_answer",
        Some(&c.patient),
        &json!({"sessionId": id, "questionId": 2, "answer": "40"}),
    )
    .await
    .expect_detail(409, "Chat session is not active");
    // Ending again changes nothing.
    let again = app
        .post(&end, Some(&c.patient), &json!({"reason": "other"}))
        .await;
    assert_eq!(again.expect(200)["end_reason"], "Not now");
    // The patient may open a new one now.
    let next = open(app, &c.patient, &json!({})).await;
    assert_ne!(next["id"], id.as_str());
}

/// The frontend's chat page opened by staff: their own id as `patient_id` with the placeholder
/// strategy is an unattached preview with the account's default strategy. Otherwise the care
/// team's strategy must exist (404).
pub async fn staff_preview_and_strategy_choice(app: &TestApp) {
    let c = Chat::new(app).await;
    let a = &c.t.a;
    let first = strategy(app, &a.admin, &json!({"name": "Oldest"})).await;
    // Inactive strategies are never the default.
    strategy(
        app,
        &a.admin,
        &json!({"name": "Paused", "is_active": false}),
    )
    .await;
    let preview = open(
        app,
        &a.clinician,
        &json!({"patient_id": a.clinician_id, "strategy_id": "strategy-1"}),
    )
    .await;
    assert_eq!(preview["patient_id"], Value::Null);
    assert_eq!(
        preview["strategy_id"], first["id"],
        "the account's active strategy"
    );
    let second = strategy(app, &a.admin, &json!({"name": "Newer"})).await;
    // Anything else: the care team's strategy must be a strategy of the account.
    app.post(
        "/ai-chat/sessions",
        Some(&a.clinician),
        &json!({"strategy_id": "strategy-1"}),
    )
    .await
    .expect_detail(404, "Chat strategy not found");
    let theirs = strategy(app, &c.t.b.admin, &json!({"name": "Beta"})).await;
    app.post(
        "/ai-chat/sessions",
        Some(&a.clinician),
        &json!({"strategy_id": theirs["id"]}),
    )
    .await
    .expect_detail(404, "Chat strategy not found");
    let chosen = open(
        app,
        &a.clinician,
        &json!({"strategy_id": second["id"], "patient_id": a.patient_id}),
    )
    .await;
    assert_eq!(chosen["strategy_name"], "Newer");
    assert_eq!(chosen["patient_id"], a.patient_id.as_str());
    // A patient of another account: 404; a patient naming another patient: 404.
    app.post(
        "/ai-chat/sessions",
        Some(&a.clinician),
        &json!({"patient_id": c.t.b.patient_id}),
    )
    .await
    .expect_detail(404, "Patient not found");
    app.post(
        "/ai-chat/sessions",
        Some(&c.patient),
        &json!({"patient_id": c.t.b.patient_id}),
    )
    .await
    .expect_detail(404, "Patient not found");
    // The patient gets the session the clinician opened for it (one active session each).
    let own = open(app, &c.patient, &json!({"strategy_id": theirs["id"]})).await;
    assert_eq!(own["id"], chosen["id"]);
}
