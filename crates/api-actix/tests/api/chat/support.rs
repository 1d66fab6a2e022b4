//! The chat fixture: the two-account tenancy plus, in account A, a patient's own login, a
//! `user` and a lab_tech; the reference answer paths; helpers that run a whole interview.

use crate::helpers::{PW, Resp, Tenancy, TestApp};
use serde_json::{Value, json};

/// Every question answered once (the domain's `EVERY_QUESTION`): the 26 questions of §3.5.1.
pub use genascope_domain::questionnaire::examples::EVERY_QUESTION as FULL_26;

/// The reference journeys (issue #8): the domain's answer paths.
pub use genascope_domain::questionnaire::examples::{MOTHER_AND_AUNT, NO_FAMILY_HISTORY};

/// The tenancy fixture, and in account A: the patient's own login (same id as the patient), a
/// `user` and a lab_tech.
pub struct Chat {
    pub t: Tenancy,
    pub patient: String,
    pub user: String,
    pub user_id: String,
    pub lab: String,
}

impl Chat {
    pub async fn new(app: &TestApp) -> Self {
        let t = app.tenancy().await;
        let login = app
            .user(&t.a.admin, "pat@alpha.test", "Pat Ofalpha", "patient")
            .await;
        assert_eq!(
            login, t.a.patient_id,
            "a patient's login takes the patient's id"
        );
        let patient = app.token("pat@alpha.test", PW).await;
        let user_id = app
            .user(&t.a.admin, "member@alpha.test", "Mem Ber", "user")
            .await;
        let user = app.token("member@alpha.test", PW).await;
        app.user(&t.a.admin, "lab@alpha.test", "Lab Tech", "lab_tech")
            .await;
        let lab = app.token("lab@alpha.test", PW).await;
        Self {
            t,
            patient,
            user,
            user_id,
            lab,
        }
    }
}

/// `POST /api/start_chat` with `body`, expecting 200.
pub async fn start(app: &TestApp, token: &str, body: &Value) -> Value {
    app.post("/api/start_chat", Some(token), body)
        .await
        .expect(200)
        .clone()
}

/// `POST /api/submit_answer`.
pub async fn submit(app: &TestApp, token: &str, session: &str, q: u8, answer: &str) -> Resp {
    app.post(
        "/api/submit_answer",
        Some(token),
        &json!({"sessionId": session, "questionId": q, "answer": answer}),
    )
    .await
}

/// Answer every `(question, answer)` through `submit_answer`, checking each step; the last
/// response body.
pub async fn answer_all(
    app: &TestApp,
    token: &str,
    session: &str,
    answers: &[(u8, &str)],
) -> Value {
    let mut last = Value::Null;
    for (i, (q, a)) in answers.iter().enumerate() {
        let r = submit(app, token, session, *q, a).await;
        let b = r.expect(200);
        assert_eq!(b["question"]["id"], *q, "{}", r.text);
        match answers.get(i + 1) {
            Some((next, _)) => assert_eq!(b["nextQuestion"]["id"], *next, "{}", r.text),
            None => assert_eq!(b["nextQuestion"], Value::Null, "{}", r.text),
        }
        last = b.clone();
    }
    last
}

/// `POST /ai-chat/sessions` (at `prefix`: `""` or `"/api"`).
pub async fn open(app: &TestApp, token: &str, body: &Value) -> Value {
    app.post("/ai-chat/sessions", Some(token), body)
        .await
        .expect(200)
        .clone()
}

/// Send every answer as an `/ai-chat` message, checking that each reply asks the next question
/// (or is the summary after the last); the last reply.
pub async fn chat_all(app: &TestApp, token: &str, session: &str, answers: &[(u8, &str)]) -> Value {
    let path = format!("/ai-chat/sessions/{session}/messages");
    let mut last = Value::Null;
    for (i, (_, a)) in answers.iter().enumerate() {
        let r = app.post(&path, Some(token), &json!({"message": a})).await;
        let reply = r.expect(200);
        assert_eq!(reply["role"], "assistant", "{}", r.text);
        match answers.get(i + 1) {
            Some((next, _)) => {
                assert_eq!(reply["message_type"], "question", "{}", r.text);
                assert_eq!(reply["question_id"], *next, "{}", r.text);
            }
            None => assert_eq!(reply["message_type"], "summary", "{}", r.text),
        }
        last = reply.clone();
    }
    last
}

/// The NCCN criterion ids of an assessment body.
pub fn criteria(assessment: &Value) -> Vec<String> {
    assessment["nccn"]["criteria"]
        .as_array()
        .map(|c| {
            c.iter()
                .filter_map(|x| x["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Create a strategy as `token`; its body.
pub async fn strategy(app: &TestApp, token: &str, body: &Value) -> Value {
    let r = app
        .post("/api/v1/chat-configuration/strategies", Some(token), body)
        .await;
    r.expect(201).clone()
}
