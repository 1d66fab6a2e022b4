//! The patient's public routes: `verify_invite` (never PHI), `simplified_access` (the identity
//! check, the token, what it reaches), the lock of rule 8 (also against parallel guesses) and
//! the per-address limits (contract §1.6, §1.7, §3.4).

use super::{DOB, access, access_from, claims, failed_attempts, invite, token_of, verify};
use crate::helpers::TestApp;
use serde_json::{Value, json};

/// `verify_invite` answers 200 with what the link opens (clinic, provider, expiry), never who it
/// is for; every refusal has its sentence and nulls.
pub async fn verify_invite_answers_200_without_phi(app: &TestApp) {
    let t = app.tenancy().await;
    let a = &t.a;
    let inv = invite(app, &a.clinician, &a.patient_id).await;
    let v = verify(app, &token_of(&inv)).await;
    assert_eq!(
        v.expect(200),
        &json!({"valid": true, "invite_id": inv["id"], "expires_at": inv["expires_at"],
                "clinic_name": "Clinic alpha", "provider_name": "Clin alpha", "error_message": null})
    );
    for phi in ["Pat", "Ofalpha", "pat@alpha.test"] {
        assert!(!v.text.contains(phi), "{phi} in {}", v.text);
    }
    // Malformed, unknown: the same sentence; never a 4xx for a bad token.
    let (unknown, junk) = (crate::helpers::b64url(&[9u8; 32]), "x".repeat(43));
    for token in [
        "abc",
        "",
        junk.as_str(),
        unknown.as_str(),
        "../../etc/passwd",
    ] {
        let r = app
            .post("/api/verify_invite", None, &json!({"token": token}))
            .await;
        if token.is_empty() {
            r.expect_422_at(&["body", "token"]);
            continue;
        }
        assert_eq!(
            r.expect(200),
            &json!({"valid": false, "invite_id": null, "expires_at": null, "clinic_name": null,
                    "provider_name": null, "error_message": "Invalid invitation token"}),
            "{token}"
        );
    }
    app.post("/api/verify_invite", None, &json!({}))
        .await
        .expect_422_at(&["body", "token"]);
    // It does not consume the invite.
    verify(app, &token_of(&inv)).await;
    access(app, &token_of(&inv), "Pat", "Ofalpha", DOB)
        .await
        .expect(200);
}

/// `simplified_access`: the names (any case and spacing) and the date of birth (recorded when
/// the record has none) give a 4-hour simplified token with the contract's claims, which reaches
/// `auth/me` and nothing outside the S column; a pending patient becomes active.
pub async fn simplified_access_token_claims_and_reach(app: &TestApp) {
    let t = app.tenancy().await;
    let a = &t.a;
    let body = json!({"email": "zoe@alpha.test", "first_name": "Zoë", "last_name": "van der Berg"});
    let inv = app
        .post("/api/generate_invite", Some(&a.clinician), &body)
        .await;
    let inv = inv.expect(200).clone();
    let pid = inv["patient_id"].as_str().unwrap().to_owned();
    // The terms must be agreed, each on its field.
    let r = app
        .post(
            "/api/simplified_access",
            None,
            &json!({"invite_token": token_of(&inv), "first_name": "Zoë", "last_name": "van der Berg",
                    "date_of_birth": DOB, "agree_to_terms": false}),
        )
        .await;
    r.expect_422_at(&["body", "agree_to_terms"]);
    r.expect_422_at(&["body", "agree_to_privacy"]);
    let r = app.post("/api/simplified_access", None, &json!({})).await;
    for field in ["invite_token", "first_name", "last_name", "date_of_birth"] {
        r.expect_422_at(&["body", field]);
    }
    let s = access(app, &token_of(&inv), "  ZOË ", "Van  Der\tBerg", DOB).await;
    let b = s.expect(200).clone();
    assert_eq!(b["token_type"], "bearer");
    assert_eq!(b["expires_in"], 14400);
    assert_eq!(b["patient_id"], pid.as_str());
    assert_eq!(b["patient_name"], "Zoë van der Berg");
    assert_eq!(b["invite_id"], inv["id"]);
    assert_eq!(b["chat_strategy_id"], Value::Null);
    let token = b["access_token"].as_str().unwrap().to_owned();
    let c = claims(&token);
    for key in ["sub", "id", "patient_id"] {
        assert_eq!(c[key], pid.as_str(), "{key}");
    }
    assert_eq!(c["role"], "patient");
    assert_eq!(c["access_type"], "simplified");
    assert_eq!(c["email"], "zoe@alpha.test");
    assert_eq!(c["invite_id"], inv["id"]);
    assert_eq!(c["account_id"], a.account_id.as_str());
    assert_eq!(c["gen"], 1);
    assert!(c.as_object().unwrap().contains_key("chat_strategy_id"));
    assert_eq!(
        c["exp"].as_i64().unwrap() - c["iat"].as_i64().unwrap(),
        14400
    );
    // auth/me: the simplified shape.
    let me = app.get("/api/auth/me", Some(&token)).await;
    let me = me.expect(200);
    assert_eq!(me["id"], pid.as_str());
    assert_eq!(me["patient_id"], pid.as_str());
    assert_eq!(me["role"], "patient");
    assert_eq!(me["name"], "Zoë van der Berg");
    assert_eq!(me["access_type"], "simplified");
    assert_eq!(me["invite_id"], inv["id"]);
    assert_eq!(me["chat_strategy_id"], Value::Null);
    assert_eq!(me["account_id"], a.account_id.as_str());
    assert_eq!(me["account_name"], "Clinic alpha");
    // Outside the S column: 403 with its code, even for the patient's own record.
    let restricted = [
        ("GET", format!("/api/patients/{pid}")),
        ("GET", "/api/invites".to_owned()),
        ("POST", "/api/auth/logout".to_owned()),
        ("POST", "/api/auth/change-password".to_owned()),
        ("GET", format!("/api/users/{pid}")),
        ("GET", format!("/api/accounts/{}", a.account_id)),
    ];
    for (method, path) in restricted {
        let rb = match method {
            "GET" => app.client.get(app.url(&path)),
            _ => app.client.post(app.url(&path)).json(&json!({})),
        };
        let r = app.send(rb.bearer_auth(&token)).await;
        r.expect_detail(
            403,
            "This endpoint is not accessible with simplified access",
        );
        assert_eq!(
            r.header("x-error-code").as_deref(),
            Some("SIMPLIFIED_ACCESS_RESTRICTED"),
            "{path}"
        );
    }
    // Not refreshable.
    app.post("/api/auth/refresh", None, &json!({"refresh_token": token}))
        .await
        .expect(401);
    // The pending patient is active now, with the date of birth recorded.
    let p = app
        .get(&format!("/api/patients/{pid}"), Some(&a.admin))
        .await;
    assert_eq!(p.expect(200)["status"], "active");
    assert_eq!(p.body["date_of_birth"], DOB);
    assert_eq!(p.body["screening_status"], "Chat In Progress");
    // Recorded, the date of birth must match next time (a new invite).
    let again = invite(app, &a.clinician, &pid).await;
    access(app, &token_of(&again), "Zoë", "van der Berg", "1980-03-01")
        .await
        .expect_detail(400, "The details you entered do not match our records");
    access(app, &token_of(&again), "Zoe", "van der Berg", DOB)
        .await
        .expect_detail(400, "The details you entered do not match our records");
    access(app, &token_of(&again), "zoë", "VAN DER BERG", DOB)
        .await
        .expect(200);
}

/// Rule 8: five failed identity checks lock the invite (429 + Retry-After, even for the right
/// answer) until it is resent.
pub async fn five_failed_checks_lock_the_invite(app: &TestApp) {
    let t = app.tenancy().await;
    let a = &t.a;
    let inv = invite(app, &a.clinician, &a.patient_id).await;
    let token = token_of(&inv);
    for i in 0..5 {
        access_from(app, &format!("198.51.100.{i}"), &token, "Pat", "Wrong", DOB)
            .await
            .expect_detail(400, "The details you entered do not match our records");
    }
    let r = access(app, &token, "Pat", "Ofalpha", DOB).await;
    r.expect_detail(
        429,
        "Too many failed attempts; ask your clinic to resend the invitation",
    );
    assert!(r.header("retry-after").is_some());
    let v = verify(app, &token).await;
    assert_eq!(
        v.body["error_message"],
        "Too many failed attempts; ask your clinic to resend the invitation"
    );
    let r = app
        .post(
            &format!("/api/invites/{}/resend", inv["id"].as_str().unwrap()),
            Some(&a.admin),
            &json!({}),
        )
        .await;
    access(app, &token_of(r.expect(200)), "Pat", "Ofalpha", DOB)
        .await
        .expect(200);
}

/// Parallel guesses from many addresses cannot get more than five comparisons out of one
/// invite: exactly five are told "do not match", the rest 429, and the right answer after them
/// is locked out too.
pub async fn parallel_guesses_cannot_outrun_the_lock(app: &TestApp) {
    let t = app.tenancy().await;
    let a = &t.a;
    let inv = invite(app, &a.clinician, &a.patient_id).await;
    let token = token_of(&inv);
    let guesses = (0..20).map(|i| {
        let token = token.clone();
        async move {
            access_from(
                app,
                &format!("203.0.113.{i}"),
                &token,
                "Pat",
                &format!("Guess{i}"),
                DOB,
            )
            .await
        }
    });
    let answers = futures_util::future::join_all(guesses).await;
    let mismatches = answers.iter().filter(|r| r.status == 400).count();
    let locked = answers.iter().filter(|r| r.status == 429).count();
    assert_eq!(
        (mismatches, locked),
        (5, 15),
        "{:?}",
        answers
            .iter()
            .map(|r| (r.status, &r.text))
            .collect::<Vec<_>>()
    );
    assert_eq!(failed_attempts(app, inv["id"].as_str().unwrap()).await, 5);
    access_from(app, "203.0.113.99", &token, "Pat", "Ofalpha", DOB)
        .await
        .expect(429);
}

/// Per client address: 10 refused `simplified_access` attempts in 15 minutes, 30 `verify_invite`
/// look-ups a minute; then 429 + Retry-After, another address unaffected.
pub async fn public_routes_are_limited_per_address(app: &TestApp) {
    let unknown = crate::helpers::b64url(&[7u8; 32]);
    for _ in 0..10 {
        access_from(app, "192.0.2.1", &unknown, "A", "B", DOB)
            .await
            .expect_detail(400, "Invalid or expired invite");
    }
    let r = access_from(app, "192.0.2.1", &unknown, "A", "B", DOB).await;
    assert_eq!(r.status, 429, "{}", r.text);
    assert!(r.header("retry-after").is_some());
    access_from(app, "192.0.2.2", &unknown, "A", "B", DOB)
        .await
        .expect(400);
    let look = |ip: &'static str| {
        app.send(
            app.client
                .post(app.url("/api/verify_invite"))
                .header("X-Forwarded-For", ip)
                .json(&json!({"token": unknown})),
        )
    };
    for _ in 0..30 {
        look("192.0.2.3").await.expect(200);
    }
    let r = look("192.0.2.3").await;
    assert_eq!(r.status, 429, "{}", r.text);
    assert!(r.header("retry-after").is_some());
    look("192.0.2.4").await.expect(200);
}
