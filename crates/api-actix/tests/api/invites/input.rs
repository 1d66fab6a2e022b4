//! Bad input is a 4xx naming the field, never a 500 (contract §1.2–§1.4); strategies of an
//! invite (§3.4, §3.6).

use super::{DOB, access, claims, invite, strategy, token_of};
use crate::helpers::TestApp;
use serde_json::{Value, json};

/// Expiry, message, ids, tokens, dates and JSON: each failure names its field or answers the
/// route's own 400/404.
pub async fn bad_input_is_4xx_naming_the_field(app: &TestApp) {
    let t = app.tenancy().await;
    let a = &t.a;
    let generate = |extra: Value| {
        let mut body = json!({"patient_id": a.patient_id});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        async move {
            app.post("/api/generate_invite", Some(&a.clinician), &body)
                .await
        }
    };
    for days in [
        json!(0),
        json!(91),
        json!("abc"),
        json!(1.5),
        json!("3.5"),
        json!(-1),
        json!(true),
    ] {
        generate(json!({"expiry_days": days}))
            .await
            .expect_422_at(&["body", "expiry_days"]);
    }
    for (days, expected) in [
        (json!("30"), 30),
        (json!(" 90 "), 90),
        (json!(1), 1),
        (json!(""), 14),
        (json!(null), 14),
    ] {
        let r = generate(json!({"expiry_days": days})).await;
        let b = r.expect(200);
        let p = |k: &str| {
            time::OffsetDateTime::parse(
                b[k].as_str().unwrap(),
                &time::format_description::well_known::Rfc3339,
            )
            .unwrap()
        };
        assert_eq!((p("expires_at") - p("created_at")).whole_days(), expected);
    }
    generate(json!({"custom_message": "x".repeat(1001)}))
        .await
        .expect_422_at(&["body", "custom_message"]);
    generate(json!({"custom_message": "bad\u{0}byte"}))
        .await
        .expect_422_at(&["body", "custom_message"]);
    generate(json!({"custom_message": "bidi \u{202e} trick"}))
        .await
        .expect_422_at(&["body", "custom_message"]);
    let r = generate(json!({"custom_message": "é".repeat(1000), "send_email": "0"})).await;
    assert_eq!(
        r.expect(200)["custom_message"]
            .as_str()
            .unwrap()
            .chars()
            .count(),
        1000
    );
    generate(json!({"custom_message": "", "send_email": "maybe"}))
        .await
        .expect_422_at(&["body", "send_email"]);
    // Several at once.
    let r = generate(json!({"expiry_days": 0, "custom_message": "y".repeat(1001)})).await;
    r.expect_422_at(&["body", "expiry_days"]);
    r.expect_422_at(&["body", "custom_message"]);
    // Unknown or malformed ids: 404 named.
    for id in [uuid::Uuid::new_v4().to_string(), "not-a-uuid".to_owned()] {
        app.post(
            "/api/generate_invite",
            Some(&a.clinician),
            &json!({"patient_id": id}),
        )
        .await
        .expect_detail(404, "Patient not found");
        generate(json!({"provider_id": id}))
            .await
            .expect_detail(404, "Provider not found");
        generate(json!({"chat_strategy_id": id}))
            .await
            .expect_detail(404, "Chat strategy not found");
        for path in [format!("/api/invites/{id}"), format!("/api/revoke/{id}")] {
            app.get(&path.replace("/revoke/", "/invites/"), Some(&a.admin))
                .await
                .expect_detail(404, "Invite not found");
            app.delete(&path, Some(&a.admin))
                .await
                .expect_detail(404, "Invite not found");
        }
        app.post(
            &format!("/api/invites/{id}/resend"),
            Some(&a.admin),
            &json!({}),
        )
        .await
        .expect_detail(404, "Invite not found");
        app.post(
            "/api/resend_invite",
            Some(&a.admin),
            &json!({"invite_id": id}),
        )
        .await
        .expect_detail(404, "Invite not found");
        app.get(&format!("/api/patients/{id}/invites"), Some(&a.admin))
            .await
            .expect_detail(404, "Patient not found");
    }
    app.post("/api/resend_invite", Some(&a.admin), &json!({}))
        .await
        .expect_422_at(&["body", "invite_id"]);
    let inv = invite(app, &a.clinician, &a.patient_id).await;
    let id = inv["id"].as_str().unwrap();
    for days in [json!(0), json!("abc"), json!(91)] {
        app.post(
            &format!("/api/invites/{id}/resend"),
            Some(&a.admin),
            &json!({"expiry_days": days}),
        )
        .await
        .expect_422_at(&["body", "expiry_days"]);
    }
    app.post(
        &format!("/api/invites/{id}/resend?expiry_days=0"),
        Some(&a.admin),
        &json!({}),
    )
    .await
    .expect_422_at(&["body", "expiry_days"]);
    // Undecodable JSON, a non-object body.
    let r = app
        .post_raw(
            "/api/generate_invite",
            Some(&a.admin),
            "application/json",
            b"{nope".to_vec(),
        )
        .await;
    r.expect_422_at(&["body"]);
    let r = app
        .post_raw(
            "/api/simplified_access",
            None,
            "text/plain",
            b"[1,2]".to_vec(),
        )
        .await;
    r.expect_422_at(&["body"]);
    // Public routes: malformed tokens and dates.
    let (long, padding) = ("A".repeat(44), "=".repeat(43));
    for token in ["x", "a b c", long.as_str(), padding.as_str()] {
        access(app, token, "Pat", "Ofalpha", DOB)
            .await
            .expect_detail(400, "Invalid or expired invite");
    }
    for dob in ["1980-13-01", "80-02-29", "1980-02-30", "soon"] {
        access(app, &token_of(&inv), "Pat", "Ofalpha", dob)
            .await
            .expect_422_at(&["body", "date_of_birth"]);
    }
    let r = app
        .post(
            "/api/simplified_access",
            None,
            &json!({"invite_token": token_of(&inv), "first_name": 7, "last_name": ["x"],
                    "date_of_birth": DOB, "agree_to_terms": "yes", "agree_to_privacy": "1"}),
        )
        .await;
    r.expect_422_at(&["body", "last_name"]);
    r.expect_422_at(&["body", "agree_to_terms"]);
    // Nothing above used or locked the invite.
    access(app, &token_of(&inv), "Pat", "Ofalpha", DOB)
        .await
        .expect(200);
}

/// An invite's strategy: by default the account's oldest active one (or none), a named one must
/// be a live, active strategy of the patient's account; it travels into the simplified token.
pub async fn strategies_default_and_named(app: &TestApp) {
    let t = app.tenancy().await;
    let a = &t.a;
    let none = invite(app, &a.clinician, &a.patient_id).await;
    assert_eq!(none["chat_strategy_id"], Value::Null);
    assert_eq!(none["chat_strategy_name"], Value::Null);
    let _off = strategy(app, &a.account_id, "Off", false, 1).await;
    let newer = strategy(app, &a.account_id, "Newer", true, 30).await;
    let oldest = strategy(app, &a.account_id, "Oldest", true, 10).await;
    let theirs = strategy(app, &t.b.account_id, "Theirs", true, 0).await;
    let inv = invite(app, &a.clinician, &a.patient_id).await;
    assert_eq!(inv["chat_strategy_id"], oldest.as_str());
    assert_eq!(inv["chat_strategy_name"], "Oldest");
    let r = app
        .post(
            "/api/generate_invite",
            Some(&a.clinician),
            &json!({"patient_id": a.patient_id, "chat_strategy_id": newer}),
        )
        .await;
    let named = r.expect(200).clone();
    assert_eq!(named["chat_strategy_name"], "Newer");
    app.post(
        "/api/generate_invite",
        Some(&a.clinician),
        &json!({"patient_id": a.patient_id, "chat_strategy_id": theirs}),
    )
    .await
    .expect_detail(404, "Chat strategy not found");
    app.post(
        "/api/generate_invite",
        Some(&a.clinician),
        &json!({"patient_id": a.patient_id, "chat_strategy_id": _off}),
    )
    .await
    .expect_422_at(&["body", "chat_strategy_id"]);
    // The refusals changed nothing: the named invite is still the open one.
    let r = app
        .get(
            &format!("/api/invites/{}", named["id"].as_str().unwrap()),
            Some(&a.admin),
        )
        .await;
    assert_eq!(r.expect(200)["status"], "pending");
    let s = access(app, &token_of(&named), "Pat", "Ofalpha", DOB).await;
    assert_eq!(s.expect(200)["chat_strategy_id"], newer.as_str());
    let token = s.str("access_token");
    assert_eq!(claims(&token)["chat_strategy_id"], newer.as_str());
    let me = app.get("/api/auth/me", Some(&token)).await;
    assert_eq!(me.expect(200)["chat_strategy_id"], newer.as_str());
}
