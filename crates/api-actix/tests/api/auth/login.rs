//! Logging in (form, JSON, multipart) and `me`.

use super::*;

pub async fn login_by_form_and_json(app: &TestApp) {
    let sa = app.super_admin().await;
    let c = app.account(&sa, "Login Clinic", "admin@login.test").await;
    let r = app.login_form("admin@login.test", PW).await;
    let b = r.expect(200);
    assert_token_body(b);
    assert_eq!(b["role"], "admin");
    assert_eq!(b["user_id"], c.admin_id.as_str());
    assert_eq!(b["account_id"], c.account_id.as_str());
    let cl = claims(b["access_token"].as_str().unwrap());
    assert!(cl["exp"].is_i64(), "numeric exp: {cl}");
    assert_eq!(cl["sub"], c.admin_id.as_str());
    assert_eq!(cl["id"], c.admin_id.as_str());
    assert_eq!(cl["access_type"], "full");
    assert_eq!(
        cl["exp"].as_i64().unwrap() - cl["iat"].as_i64().unwrap(),
        3600
    );
    // The email is matched case-insensitively and trimmed.
    app.login_form("  Admin@LOGIN.test ", PW).await.expect(200);
    // JSON, with `username` or `email`.
    for key in ["username", "email"] {
        let r = app
            .post(
                "/api/auth/token",
                None,
                &json!({key: "admin@login.test", "password": PW}),
            )
            .await;
        assert_token_body(r.expect(200));
    }
    // The frontend's flow: token, then /me.
    let token = app.token("admin@login.test", PW).await;
    let me = app.get("/api/auth/me", Some(&token)).await;
    assert_eq!(me.expect(200)["role"], "admin");
    // Bad grant type.
    let r = app
        .send(app.client.post(app.url("/api/auth/token")).form(&[
            ("username", "admin@login.test"),
            ("password", PW),
            ("grant_type", "client_credentials"),
        ]))
        .await;
    r.expect_detail(400, "unsupported_grant_type");
    // Missing fields.
    let r = app.post("/api/auth/token", None, &json!({})).await;
    r.expect_422_at(&["body", "username"]);
    r.expect_422_at(&["body", "password"]);
}

pub async fn wrong_password_and_unknown_email_look_the_same(app: &TestApp) {
    app.super_admin().await;
    let wrong = app.login_form(SA_EMAIL, "wrong-password-1").await;
    let unknown = app.login_form("nobody@nowhere.test", PW).await;
    let malformed = app.login_form("not-an-email", PW).await;
    for r in [&wrong, &unknown, &malformed] {
        r.expect_detail(401, BAD_CREDENTIALS);
        assert_eq!(r.header("www-authenticate").as_deref(), Some("Bearer"));
    }
    assert_eq!(wrong.text, unknown.text);
}

pub async fn me_for_admin_and_super_admin(app: &TestApp) {
    let sa = app.super_admin().await;
    let me = app.get("/api/auth/me", Some(&sa)).await;
    let b = me.expect(200);
    assert_eq!(b["email"], SA_EMAIL);
    assert_eq!(b["role"], "super_admin");
    assert_eq!(b["name"], "Root Operator");
    assert_eq!(b["first_name"], "Root");
    assert_eq!(b["last_name"], "Operator");
    assert_eq!(b["is_active"], true);
    assert_eq!(b["account_id"], Value::Null);
    assert_eq!(b["account_name"], Value::Null);
    assert_eq!(b["patient_id"], Value::Null);
    assert_eq!(b["clinician_id"], Value::Null);
    assert_eq!(b["access_type"], "full");
    let c = app.account(&sa, "Me Clinic", "admin@me.test").await;
    let me = app.get("/api/auth/me", Some(&c.admin)).await;
    let b = me.expect(200);
    for key in [
        "id",
        "email",
        "name",
        "first_name",
        "last_name",
        "role",
        "is_active",
        "account_id",
        "account_name",
        "clinician_id",
        "patient_id",
        "access_type",
    ] {
        assert!(b.get(key).is_some(), "/me lacks {key}: {b}");
    }
    assert_eq!(b["id"], c.admin_id.as_str());
    assert_eq!(b["email"], "admin@me.test");
    assert_eq!(b["role"], "admin");
    assert_eq!(b["name"], "Me Clinic Admin");
    assert_eq!(b["account_id"], c.account_id.as_str());
    assert_eq!(b["account_name"], "Me Clinic");
    assert_eq!(b["patient_id"], Value::Null);
}

/// Contract §3.1: the token login also takes multipart form data.
pub async fn login_by_multipart(app: &TestApp) {
    app.super_admin().await;
    let form = reqwest::multipart::Form::new()
        .text("username", SA_EMAIL)
        .text("password", PW)
        .text("grant_type", "password");
    let r = app
        .send(app.client.post(app.url("/api/auth/token")).multipart(form))
        .await;
    assert_token_body(r.expect(200));
}
