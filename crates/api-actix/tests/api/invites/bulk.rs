//! `POST /api/bulk_invite`: each item on its own, defaults and their aliases, the report.

use super::strategy;
use crate::helpers::TestApp;
use serde_json::{Value, json};

/// Valid items are issued, the others reported with the reason a single generate would give;
/// item values override the defaults; only a malformed envelope is a 422.
pub async fn bulk_partial_failure_and_aliases(app: &TestApp) {
    let t = app.tenancy().await;
    let a = &t.a;
    let s1 = strategy(app, &a.account_id, "Breast", true, 1).await;
    let s2 = strategy(app, &a.account_id, "Colon", true, 2).await;
    let mut patients = Vec::new();
    for i in 0..3 {
        let p = app
            .patient(
                &a.clinician,
                "Bulk",
                &format!("P{i}"),
                &format!("bulk{i}@alpha.test"),
            )
            .await;
        patients.push(p["id"].as_str().unwrap().to_owned());
    }
    let unknown = uuid::Uuid::new_v4().to_string();
    let r = app
        .post(
            "/api/bulk_invite",
            Some(&a.clinician),
            &json!({
                "chat_strategy": s2,
                "custom_message": "From the clinic",
                "expiry_days": "7",
                "send_emails": "false",
                "patients": [
                    {"patient_id": patients[0]},
                    {"patient_id": patients[1], "chat_strategy": s1, "custom_message": "Just you",
                     "expiry_days": 3, "provider_id": a.admin_id},
                    {"patient_id": t.b.patient_id},
                    {"patient_id": unknown},
                    {"patient_id": patients[2], "expiry_days": "abc"},
                    {"first_name": "no id"},
                    {"patient_id": "junk"},
                ],
            }),
        )
        .await;
    let b = r.expect(200).clone();
    assert_eq!(
        (b["total_sent"].clone(), b["total_failed"].clone()),
        (json!(2), json!(5))
    );
    let ok: Vec<&Value> = b["successful"].as_array().unwrap().iter().collect();
    assert_eq!(ok[0]["patient_id"], patients[0].as_str());
    assert_eq!(ok[0]["chat_strategy_id"], s2.as_str());
    assert_eq!(ok[0]["chat_strategy_name"], "Colon");
    assert_eq!(ok[0]["custom_message"], "From the clinic");
    assert_eq!(ok[0]["provider_id"], a.clinician_id.as_str());
    assert_eq!(ok[0]["email_sent"], false);
    assert!(
        ok[0]["invite_url"]
            .as_str()
            .unwrap()
            .starts_with("http://frontend.test/invite/")
    );
    assert_eq!(ok[1]["chat_strategy_id"], s1.as_str());
    assert_eq!(ok[1]["custom_message"], "Just you");
    assert_eq!(ok[1]["provider_id"], a.admin_id.as_str());
    let span = |v: &Value| {
        let p = |k: &str| {
            time::OffsetDateTime::parse(
                v[k].as_str().unwrap(),
                &time::format_description::well_known::Rfc3339,
            )
            .unwrap()
        };
        (p("expires_at") - p("created_at")).whole_days()
    };
    assert_eq!((span(ok[0]), span(ok[1])), (7, 3));
    let failed = b["failed"].as_array().unwrap();
    let reasons: Vec<(Value, Value)> = failed
        .iter()
        .map(|f| (f["patient_id"].clone(), f["error"].clone()))
        .collect();
    assert_eq!(
        reasons,
        vec![
            (json!(t.b.patient_id), json!("Patient not found")),
            (json!(unknown), json!("Patient not found")),
            (
                json!(patients[2]),
                json!("expiry_days: value is not a valid integer")
            ),
            (Value::Null, json!("patient_id: field required")),
            (json!("junk"), json!("Patient not found")),
        ]
    );
    assert!(
        app.emails_to("bulk0@alpha.test").await.is_empty(),
        "send_emails false"
    );
    // The other alias of the default strategy; emails by default.
    let r = app
        .post(
            "/api/bulk_invite/",
            Some(&a.admin),
            &json!({"default_chat_strategy_id": s1, "patients": [{"patient_id": patients[2]}]}),
        )
        .await;
    let ok = &r.expect(200)["successful"][0];
    assert_eq!(ok["chat_strategy_id"], s1.as_str());
    assert_eq!(ok["email_sent"], true);
    assert_eq!(app.emails_to("bulk2@alpha.test").await.len(), 1);
    // The envelope: 1..100 items, and valid defaults.
    for body in [
        json!({}),
        json!({"patients": []}),
        json!({"patients": "p1"}),
        json!({"patients": vec![json!({"patient_id": patients[0]}); 101]}),
    ] {
        app.post("/api/bulk_invite", Some(&a.admin), &body)
            .await
            .expect_422_at(&["body", "patients"]);
    }
    app.post(
        "/api/bulk_invite",
        Some(&a.admin),
        &json!({"expiry_days": 0, "patients": [{"patient_id": patients[0]}]}),
    )
    .await
    .expect_422_at(&["body", "expiry_days"]);
    // A hundred items are fine.
    let many: Vec<Value> = (0..100)
        .map(|_| json!({"patient_id": patients[0]}))
        .collect();
    let r = app
        .post(
            "/api/bulk_invite",
            Some(&a.admin),
            &json!({"send_emails": false, "patients": many}),
        )
        .await;
    assert_eq!(r.expect(200)["total_sent"], 100);
    // One open invite per patient remains.
    let r = app
        .get(
            &format!("/api/invites?status=pending&patient_id={}", patients[0]),
            Some(&a.admin),
        )
        .await;
    assert_eq!(r.expect(200)["total"], 1);
}
