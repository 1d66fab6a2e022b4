//! Password change, reset and policy.

use super::*;

pub async fn change_password_invalidates_older_tokens(app: &TestApp) {
    let sa = app.super_admin().await;
    let c = app.account(&sa, "Pw Clinic", "admin@pw.test").await;
    let old_refresh = app
        .login_form("admin@pw.test", PW)
        .await
        .str("refresh_token");
    let new_pw = "brand-new-secret-7";
    // Wrong current password.
    let r = app
        .post(
            "/api/auth/change-password",
            Some(&c.admin),
            &json!({"current_password": "nope-nope-1", "new_password": new_pw, "confirm_password": new_pw}),
        )
        .await;
    r.expect_detail(400, "Current password is incorrect");
    // Mismatch and weak password are 422.
    let r = app
        .post(
            "/api/auth/change-password",
            Some(&c.admin),
            &json!({"current_password": PW, "new_password": new_pw, "confirm_password": "different-1"}),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    let r = app
        .post(
            "/api/auth/change-password",
            Some(&c.admin),
            &json!({"current_password": PW, "new_password": "short", "confirm_password": "short"}),
        )
        .await;
    r.expect_422_at(&["body", "new_password"]);
    app.get("/api/auth/me", Some(&c.admin)).await.expect(200);
    // The change.
    let r = app
        .post(
            "/api/auth/change-password",
            Some(&c.admin),
            &json!({"current_password": PW, "new_password": new_pw, "confirm_password": new_pw}),
        )
        .await;
    assert_token_body_any_expiry(r.expect(200));
    let fresh = r.str("access_token");
    app.get("/api/auth/me", Some(&c.admin))
        .await
        .expect_detail(401, INVALID);
    app.get("/api/auth/me", Some(&fresh)).await.expect(200);
    app.login_form("admin@pw.test", PW)
        .await
        .expect_detail(401, BAD_CREDENTIALS);
    app.login_form("admin@pw.test", new_pw).await.expect(200);
    // The fresh refresh token works.
    app.post(
        "/api/auth/refresh",
        None,
        &json!({"refresh_token": r.str("refresh_token")}),
    )
    .await
    .expect(200);
    let _ = old_refresh;
}

/// Contract §3.1 (change-password: "older tokens stop working"): refresh tokens issued before a
/// password change must not mint new access tokens afterwards.
pub async fn change_password_revokes_older_refresh_tokens(app: &TestApp) {
    let sa = app.super_admin().await;
    app.account(&sa, "Pw2 Clinic", "admin@pw2.test").await;
    let login = app.login_form("admin@pw2.test", PW).await;
    let new_pw = "brand-new-secret-7";
    app.post(
        "/api/auth/change-password",
        Some(&login.str("access_token")),
        &json!({"current_password": PW, "new_password": new_pw, "confirm_password": new_pw}),
    )
    .await
    .expect(200);
    let r = app
        .post(
            "/api/auth/refresh",
            None,
            &json!({"refresh_token": login.str("refresh_token")}),
        )
        .await;
    assert_eq!(
        r.status, 401,
        "a refresh token from before the password change still works: {}",
        r.text
    );
}

pub async fn password_reset_flow(app: &TestApp) {
    let sa = app.super_admin().await;
    let c = app.account(&sa, "Reset Clinic", "admin@reset.test").await;
    let login = app.login_form("admin@reset.test", PW).await;
    let expected =
        json!({"message": "If an account exists for this email, a reset link has been sent."});
    let known = app
        .post(
            "/api/auth/password-reset/request",
            None,
            &json!({"email": "admin@reset.test"}),
        )
        .await;
    let unknown = app
        .post(
            "/api/auth/password-reset/request",
            None,
            &json!({"email": "ghost@reset.test"}),
        )
        .await;
    assert_eq!(known.expect(200), &expected);
    assert_eq!(unknown.expect(200), &expected);
    assert!(app.emails_to("ghost@reset.test").await.is_empty());
    let r = app
        .post(
            "/api/auth/password-reset/request",
            None,
            &json!({"email": "not an email"}),
        )
        .await;
    r.expect_422_at(&["body", "email"]);
    let token = app.reset_token_for("admin@reset.test").await;
    assert_eq!(token.len(), 64, "32 random bytes, hex: {token}");
    let mail = app.emails_to("admin@reset.test").await;
    let text = mail.last().unwrap()["text"].as_str().unwrap().to_owned();
    assert!(
        text.contains(&format!(
            "http://frontend.test/reset-password?token={token}"
        )),
        "{text}"
    );
    let new_pw = "reset-secret-42";
    // Mismatch: 422, and the token is not consumed.
    let r = app
        .post(
            "/api/auth/password-reset/confirm",
            None,
            &json!({"token": token, "new_password": new_pw, "confirm_password": "other-pass-9"}),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    let r = app
        .post(
            "/api/auth/password-reset/confirm",
            None,
            &json!({"token": token, "new_password": new_pw, "confirm_password": new_pw}),
        )
        .await;
    let b = r.expect(200);
    assert_eq!(b["status_code"], 200);
    assert!(b["message"].is_string());
    app.login_form("admin@reset.test", new_pw).await.expect(200);
    app.login_form("admin@reset.test", PW)
        .await
        .expect_detail(401, BAD_CREDENTIALS);
    // Older access and refresh tokens fail.
    app.get("/api/auth/me", Some(&c.admin))
        .await
        .expect_detail(401, INVALID);
    let r = app
        .post(
            "/api/auth/refresh",
            None,
            &json!({"refresh_token": login.str("refresh_token")}),
        )
        .await;
    assert_eq!(r.status, 401, "{}", r.text);
    // Single use.
    let r = app
        .post(
            "/api/auth/password-reset/confirm",
            None,
            &json!({"token": token, "new_password": "third-secret-77", "confirm_password": "third-secret-77"}),
        )
        .await;
    r.expect_detail(400, "Invalid or expired reset token");
    let r = app
        .post(
            "/api/auth/password-reset/confirm",
            None,
            &json!({"token": "0".repeat(64), "new_password": "third-secret-77"}),
        )
        .await;
    r.expect_detail(400, "Invalid or expired reset token");
}

/// Contract §3.1: change-password answers "a fresh token pair" in the login body, whose
/// `expires_in` is 3600.
pub async fn change_password_answers_expires_in_3600(app: &TestApp) {
    let sa = app.super_admin().await;
    let new_pw = "brand-new-secret-7";
    let r = app
        .post(
            "/api/auth/change-password",
            Some(&sa),
            &json!({"current_password": PW, "new_password": new_pw, "confirm_password": new_pw}),
        )
        .await;
    assert_token_body(r.expect(200));
}

pub async fn password_policy(app: &TestApp) {
    let sa = app.super_admin().await;
    let c = app.account(&sa, "Policy Clinic", "admin@policy.test").await;
    for (what, pw) in [
        ("too short", "short7".to_owned()),
        ("too long", "x".repeat(129)),
        ("only whitespace", " ".repeat(12)),
        ("equal to the email", "admin@policy.test".to_owned()),
    ] {
        let r = app
            .post(
                "/api/auth/change-password",
                Some(&c.admin),
                &json!({"current_password": PW, "new_password": pw, "confirm_password": pw}),
            )
            .await;
        assert_eq!(r.status, 422, "{what}: {}", r.text);
        r.expect_422_at(&["body", "new_password"]);
    }
    // 128 characters is fine.
    let long = "y".repeat(128);
    app.post(
        "/api/auth/change-password",
        Some(&c.admin),
        &json!({"current_password": PW, "new_password": long, "confirm_password": long}),
    )
    .await
    .expect(200);
    app.login_form("admin@policy.test", &long).await.expect(200);
}
