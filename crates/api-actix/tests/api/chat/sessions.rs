//! The documented questionnaire routes (contract §3.5.3): start or resume, answers with their
//! safe retry and refusals, history; roles, tenancy and who sees which session.

use super::support::{Chat, FULL_26, answer_all, open, start, submit};
use crate::helpers::{TestApp, ids};
use serde_json::{Value, json};

/// The whole 26-question interview through `submit_answer`, by the patient itself.
pub async fn full_interview_through_submit_answer(app: &TestApp) {
    let c = Chat::new(app).await;
    let s = start(app, &c.patient, &json!({})).await;
    assert_eq!(s["question"]["id"], 1);
    assert_eq!(
        s["question"]["text"],
        "Do you have a family history of breast cancer?"
    );
    assert_eq!(s["question"]["answer_type"], "yes_no");
    assert_eq!(s["nextQuestion"], Value::Null);
    assert_eq!(s["sessionComplete"], false);
    assert_eq!(s["status"], "active");
    assert_eq!(s["progressPercentage"], 0);
    let id = s["sessionId"].as_str().unwrap().to_owned();
    // Answering "Yes" to question 1 gives question 2 next.
    let r = submit(app, &c.patient, &id, 1, "Yes").await;
    let b = r.expect(200);
    assert_eq!(b["nextQuestion"]["id"], 2);
    assert_eq!(b["sessionComplete"], false);
    let progress = b["progressPercentage"].as_u64().unwrap();
    assert!(progress > 0 && progress < 100, "{progress}");
    let last = answer_all(app, &c.patient, &id, &FULL_26[1..]).await;
    assert_eq!(last["sessionComplete"], true);
    assert_eq!(last["status"], "completed");
    assert_eq!(last["progressPercentage"], 100);

    // The history: every answer in the order given, as given and normalised.
    let h = app
        .get(&format!("/api/history/{id}"), Some(&c.patient))
        .await;
    let h = h.expect(200);
    assert_eq!(h["sessionId"], id.as_str());
    assert_eq!(h["status"], "completed");
    assert_eq!(h["patientId"], c.t.a.patient_id.as_str());
    assert_eq!(h["progressPercentage"], 100);
    assert_eq!(h["currentQuestion"], Value::Null);
    assert!(h["completedAt"].as_str().unwrap().ends_with('Z'));
    let items = h["history"].as_array().unwrap();
    assert_eq!(items.len(), 26);
    for (item, (q, a)) in items.iter().zip(FULL_26.iter()) {
        assert_eq!(item["questionId"], *q);
        assert!(item["question"].as_str().is_some());
        assert!(item["answeredAt"].as_str().is_some());
        if *q > 1 {
            assert_eq!(item["answer"], *a);
        }
    }
    assert_eq!(items[0]["answer"], "Yes");
    assert_eq!(
        items[0]["normalized"],
        json!({"type": "yes_no", "value": "yes"})
    );

    // After completion: another answer is 409, the last one again is the same 200.
    let r = submit(app, &c.patient, &id, 26, "c").await;
    r.expect_detail(409, "Chat session is not active");
    let r = submit(app, &c.patient, &id, 1, "no").await;
    r.expect_detail(409, "Chat session is not active");
    let again = submit(app, &c.patient, &id, 26, "B").await;
    assert_eq!(again.expect(200), &last);
    // The care team sees the session and its figures; the patient never does.
    let staff = app
        .get(&format!("/ai-chat/sessions/{id}"), Some(&c.t.a.clinician))
        .await;
    let staff = staff.expect(200);
    assert_eq!(staff["status"], "completed");
    assert!(
        staff["assessment_results"]["is_eligible"].is_boolean(),
        "{staff}"
    );
    assert!(staff["assessment_results"]["assessed_at"].is_string());
    let own = app
        .get(&format!("/ai-chat/sessions/{id}"), Some(&c.patient))
        .await;
    assert_eq!(own.expect(200)["assessment_results"], Value::Null);
    assert_eq!(own.body["extracted_data"]["proband"]["age"], 52);
}

pub async fn submit_answer_refusals_and_the_safe_retry(app: &TestApp) {
    let c = Chat::new(app).await;
    let s = start(app, &c.patient, &json!({})).await;
    let id = s["sessionId"].as_str().unwrap().to_owned();
    // Not the current question.
    submit(app, &c.patient, &id, 2, "40")
        .await
        .expect_detail(409, "Expected an answer to question 1");
    // An invalid answer: 422 naming `answer`, state unchanged.
    let r = submit(app, &c.patient, &id, 1, "purple").await;
    r.expect_422_at(&["body", "answer"]);
    let h = app
        .get(&format!("/api/history/{id}"), Some(&c.patient))
        .await;
    assert_eq!(h.expect(200)["currentQuestion"]["id"], 1);
    // Missing fields; forms of `answer`.
    let tok = c.patient.clone();
    let post = |body: Value| {
        let tok = tok.clone();
        async move { app.post("/api/submit_answer", Some(&tok), &body).await }
    };
    post(json!({"questionId": 1, "answer": "yes"}))
        .await
        .expect_422_at(&["body", "sessionId"]);
    post(json!({"sessionId": id, "answer": "yes"}))
        .await
        .expect_422_at(&["body", "questionId"]);
    post(json!({"sessionId": id, "questionId": "one", "answer": "yes"}))
        .await
        .expect_422_at(&["body", "questionId"]);
    post(json!({"sessionId": id, "questionId": 1}))
        .await
        .expect_422_at(&["body", "answer"]);
    post(json!({"sessionId": id, "questionId": 1, "answer": {"x": 1}}))
        .await
        .expect_422_at(&["body", "answer"]);
    // Unknown and malformed sessions: 404.
    post(json!({"sessionId": "no-such-session", "questionId": 1, "answer": "yes"}))
        .await
        .expect_detail(404, "Chat session not found");
    post(json!({"sessionId": "bad id!", "questionId": 1, "answer": "yes"}))
        .await
        .expect(404);
    // A boolean, aliases, a numeric string id.
    let first = post(json!({"session_id": id, "question_id": "1", "answer": true})).await;
    let first = first.expect(200).clone();
    assert_eq!(first["nextQuestion"]["id"], 2);
    // The safe retry: the same 200, nothing stored twice.
    let retry = post(json!({"sessionId": id, "questionId": 1, "answer": "YES"})).await;
    assert_eq!(retry.expect(200), &first);
    let h = app
        .get(&format!("/api/history/{id}"), Some(&c.patient))
        .await;
    assert_eq!(h.expect(200)["history"].as_array().unwrap().len(), 1);
    // The retry of another answer to the last question is not a retry: it is not current.
    post(json!({"sessionId": id, "questionId": 1, "answer": "no"}))
        .await
        .expect_detail(409, "Expected an answer to question 2");
    // A number; `answer_value` wins over `answer`; a list is joined.
    let r =
        post(json!({"sessionId": id, "questionId": 2, "answer": "ignored", "answer_value": 40}))
            .await;
    assert_eq!(r.expect(200)["nextQuestion"]["id"], 3);
    let r = post(json!({"sessionId": id, "questionId": 3, "answer": ["maternal aunt"]})).await;
    assert_eq!(r.expect(200)["nextQuestion"]["id"], 4);
    let h = app
        .get(&format!("/api/history/{id}"), Some(&c.patient))
        .await;
    let items = h.expect(200)["history"].clone();
    assert_eq!(items[1]["answer"], "40");
    assert_eq!(items[2]["answer"], "maternal aunt");
}

pub async fn start_chat_ids_resume_and_replace(app: &TestApp) {
    let c = Chat::new(app).await;
    let a = &c.t.a;
    // A client-chosen id; again: resumed.
    let s = start(app, &c.patient, &json!({"sessionId": "visit_2026-05-12"})).await;
    assert_eq!(s["sessionId"], "visit_2026-05-12");
    submit(app, &c.patient, "visit_2026-05-12", 1, "no")
        .await
        .expect(200);
    let again = start(app, &c.patient, &json!({"session_id": "visit_2026-05-12"})).await;
    assert_eq!(again["sessionId"], "visit_2026-05-12");
    assert_eq!(again["question"]["id"], 5, "resumed where it stood");
    // Without an id: the patient's active session is resumed.
    let resumed = start(app, &c.patient, &json!({})).await;
    assert_eq!(resumed["sessionId"], "visit_2026-05-12");
    // A new id while one is active: the old one is ended (replaced) and a new one starts.
    let fresh = start(app, &c.patient, &json!({"sessionId": "second"})).await;
    assert_eq!(fresh["question"]["id"], 1);
    let old = app
        .get("/ai-chat/sessions/visit_2026-05-12", Some(&c.patient))
        .await;
    let old = old.expect(200);
    assert_eq!(old["status"], "cancelled");
    assert_eq!(old["end_reason"], "Replaced by a new session");
    submit(app, &c.patient, "visit_2026-05-12", 5, "no")
        .await
        .expect_detail(409, "Chat session is not active");
    // Ids: 1..64 of [A-Za-z0-9_-].
    for bad in ["bad id!", "é", &"x".repeat(65)] {
        app.post(
            "/api/start_chat",
            Some(&c.patient),
            &json!({"sessionId": bad}),
        )
        .await
        .expect_422_at(&["body", "sessionId"]);
    }
    start(app, &c.patient, &json!({"sessionId": "y".repeat(64)})).await;
    // The care team starts for a patient of the account, or unattached.
    let for_patient = start(app, &a.clinician, &json!({"patient_id": a.patient_id})).await;
    assert_eq!(
        for_patient["sessionId"],
        "y".repeat(64),
        "the patient's active session"
    );
    let unattached = start(app, &a.clinician, &json!({"sessionId": "staff-1"})).await;
    let got = app.get("/ai-chat/sessions/staff-1", Some(&a.admin)).await;
    assert_eq!(got.expect(200)["patient_id"], Value::Null);
    assert_eq!(unattached["status"], "active");
    // Another account's session id: 404 (never resumed, never created).
    let theirs = start(app, &c.t.b.clinician, &json!({"sessionId": "beta-only"})).await;
    assert_eq!(theirs["sessionId"], "beta-only");
    app.post(
        "/api/start_chat",
        Some(&a.clinician),
        &json!({"sessionId": "beta-only"}),
    )
    .await
    .expect_detail(404, "Chat session not found");
    // Another account's patient, an unknown strategy: 404.
    app.post(
        "/api/start_chat",
        Some(&a.clinician),
        &json!({"patient_id": c.t.b.patient_id}),
    )
    .await
    .expect_detail(404, "Patient not found");
    app.post(
        "/api/start_chat",
        Some(&a.clinician),
        &json!({"strategy_id": uuid::Uuid::new_v4()}),
    )
    .await
    .expect_detail(404, "Chat strategy not found");
    app.post(
        "/api/start_chat",
        Some(&a.clinician),
        &json!({"session_type": "party"}),
    )
    .await
    .expect_422_at(&["body", "session_type"]);
    // A super_admin names the account of an unattached session.
    app.post("/api/start_chat", Some(&c.t.sa), &json!({}))
        .await
        .expect_422_at(&["body", "account_id"]);
    start(app, &c.t.sa, &json!({"account_id": a.account_id})).await;
}

/// Roles (lab_tech 403 everywhere) and who sees which session: the patient its own, a `user`
/// those it created, the care team its account's, a super_admin all; another account's: 404.
pub async fn chat_roles_tenancy_and_visibility(app: &TestApp) {
    let c = Chat::new(app).await;
    let (a, b) = (&c.t.a, &c.t.b);
    let patient_s = open(app, &c.patient, &json!({})).await;
    let user_s = open(app, &c.user, &json!({"patient_id": c.user_id})).await;
    assert_eq!(
        user_s["patient_id"],
        Value::Null,
        "a user's session is unattached"
    );
    let staff_s = open(app, &a.clinician, &json!({})).await;
    let beta_s = open(app, &b.clinician, &json!({"patient_id": b.patient_id})).await;
    let id = |s: &Value| s["id"].as_str().unwrap().to_owned();

    // lab_tech: 403 whatever the id.
    for (method, path) in [
        ("post", "/api/start_chat".to_owned()),
        ("post", "/api/submit_answer".to_owned()),
        ("get", format!("/api/history/{}", id(&patient_s))),
        ("get", "/ai-chat/sessions".to_owned()),
        ("post", "/ai-chat/sessions".to_owned()),
        ("get", format!("/ai-chat/sessions/{}", id(&patient_s))),
        (
            "get",
            format!("/api/ai-chat/sessions/{}/messages", id(&patient_s)),
        ),
        (
            "post",
            format!("/ai-chat/sessions/{}/messages", id(&patient_s)),
        ),
        ("post", format!("/ai-chat/sessions/{}/end", id(&patient_s))),
        (
            "get",
            format!("/ai-chat/sessions/{}/assessment", id(&patient_s)),
        ),
        ("post", "/api/eligibility/analyze".to_owned()),
    ] {
        let r = if method == "get" {
            app.get(&path, Some(&c.lab)).await
        } else {
            app.post(&path, Some(&c.lab), &json!({"message": "yes"}))
                .await
        };
        r.expect_detail(403, "Not enough permissions");
    }

    let list = |tok: &str| {
        let tok = tok.to_owned();
        async move { ids(app.get("/ai-chat/sessions", Some(&tok)).await.array()) }
    };
    let mut account_a = vec![id(&patient_s), id(&user_s), id(&staff_s)];
    account_a.sort();
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };
    assert_eq!(sorted(list(&a.clinician).await), account_a);
    assert_eq!(sorted(list(&a.admin).await), account_a);
    assert_eq!(list(&c.patient).await, [id(&patient_s)]);
    assert_eq!(list(&c.user).await, [id(&user_s)]);
    assert_eq!(list(&b.clinician).await, [id(&beta_s)]);
    assert_eq!(list(&c.t.sa).await.len(), 4);
    // The patient filter: another account's patient matches nothing.
    let r = app
        .get(
            &format!("/ai-chat/sessions?patient_id={}", b.patient_id),
            Some(&a.clinician),
        )
        .await;
    assert!(r.array().is_empty());
    let r = app
        .get(
            &format!("/ai-chat/sessions?patient_id={}", a.patient_id),
            Some(&a.clinician),
        )
        .await;
    assert_eq!(ids(r.array()), [id(&patient_s)]);

    // Single reads: out of scope is 404, with the body of a missing session.
    let missing = app
        .get("/ai-chat/sessions/no-such", Some(&a.clinician))
        .await;
    missing.expect(404);
    for (tok, foreign) in [
        (&a.clinician, &beta_s),
        (&c.patient, &staff_s),
        (&c.patient, &user_s),
        (&c.user, &patient_s),
        (&c.user, &staff_s),
        (&b.admin, &patient_s),
    ] {
        let sid = id(foreign);
        for path in [
            format!("/ai-chat/sessions/{sid}"),
            format!("/api/ai-chat/sessions/{sid}"),
            format!("/ai-chat/sessions/{sid}/messages"),
            format!("/api/history/{sid}"),
        ] {
            let r = app.get(&path, Some(tok)).await;
            assert_eq!(r.status, 404, "{path}: {}", r.text);
            assert_eq!(r.body, missing.body);
        }
        app.post(
            &format!("/ai-chat/sessions/{sid}/messages"),
            Some(tok),
            &json!({"message": "yes"}),
        )
        .await
        .expect(404);
        app.post(
            &format!("/ai-chat/sessions/{sid}/end"),
            Some(tok),
            &json!({}),
        )
        .await
        .expect(404);
        app.post(
            "/api/submit_answer",
            Some(tok),
            &json!({"sessionId": sid, "questionId": 1, "answer": "yes"}),
        )
        .await
        .expect(404);
    }
    // In scope: the care team reads its account's sessions, the patient its own, the user its own.
    for (tok, sid) in [
        (&a.clinician, id(&patient_s)),
        (&a.admin, id(&user_s)),
        (&c.patient, id(&patient_s)),
        (&c.user, id(&user_s)),
        (&c.t.sa, id(&beta_s)),
    ] {
        app.get(&format!("/ai-chat/sessions/{sid}"), Some(tok))
            .await
            .expect(200);
    }
    // The assessment view is the care team's.
    for tok in [&c.patient, &c.user] {
        app.get(
            &format!("/ai-chat/sessions/{}/assessment", id(&patient_s)),
            Some(tok),
        )
        .await
        .expect_detail(403, "Not enough permissions");
    }
    app.get(
        &format!("/ai-chat/sessions/{}/assessment", id(&beta_s)),
        Some(&a.clinician),
    )
    .await
    .expect(404);
    let r = app
        .get(
            &format!("/ai-chat/sessions/{}/assessment", id(&patient_s)),
            Some(&a.clinician),
        )
        .await;
    assert_eq!(
        r.expect(200),
        &json!({"status": "no_assessment", "message": "The questionnaire is not complete"})
    );
    // Without a token: 401.
    app.get("/ai-chat/sessions", None).await.expect(401);
}

/// Behind a balancer that alternates replicas (PostgreSQL; SQLite has one process), each
/// replica's kept copy of the session is one answer behind at every answer: each answer is
/// still accepted once, in order, and the session completes with every answer in its history,
/// as through one replica. A copy behind never answers a refusal either: a repeated answer on
/// the other replica is the safe retry.
pub async fn an_interview_alternating_between_replicas(app: &TestApp) {
    use genascope_adapters_postgres::Backend;
    let replica = match app.backend() {
        Backend::Postgres => Some(app.replica().await),
        Backend::Sqlite => None,
    };
    let other = replica
        .as_ref()
        .map_or_else(|| app.address.clone(), |r| r.address.clone());
    let c = Chat::new(app).await;
    let s = start(app, &c.patient, &json!({})).await;
    let id = s["sessionId"].as_str().unwrap().to_owned();
    let on = |base: &str, q: u8, answer: &str| {
        app.client
            .post(format!("{base}/api/submit_answer"))
            .bearer_auth(&c.patient)
            .json(&json!({"sessionId": id, "questionId": q, "answer": answer}))
    };
    for (i, (q, a)) in FULL_26.iter().enumerate() {
        let (here, there) = if i % 2 == 0 {
            (other.as_str(), app.address.as_str())
        } else {
            (app.address.as_str(), other.as_str())
        };
        let r = app.send(on(here, *q, a)).await;
        let b = r.expect(200).clone();
        assert_eq!(b["question"]["id"], *q, "answer {i}: {}", r.text);
        if i == 3 {
            // The same answer again on the other replica: the safe retry, same next question.
            let again = app.send(on(there, *q, a)).await;
            assert_eq!(
                again.expect(200)["nextQuestion"],
                b["nextQuestion"],
                "{}",
                again.text
            );
        }
        match FULL_26.get(i + 1) {
            Some((next, _)) => assert_eq!(b["nextQuestion"]["id"], *next, "{}", r.text),
            None => assert_eq!(b["sessionComplete"], true, "{}", r.text),
        }
    }
    let h = app
        .get(&format!("/api/history/{id}"), Some(&c.patient))
        .await;
    let h = h.expect(200);
    let asked: Vec<u64> = h["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["questionId"].as_u64().unwrap())
        .collect();
    let expected: Vec<u64> = FULL_26.iter().map(|(q, _)| u64::from(*q)).collect();
    assert_eq!(asked, expected, "{h}");
    assert_eq!(h["status"], "completed");
    if let Some(r) = replica {
        r.shutdown().await;
    }
}
