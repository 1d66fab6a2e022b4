//! Authentication (contract §1.6, §3.1).

use crate::helpers::{JWT_SECRET, PW, SA_EMAIL, TestApp, b64url, spawn_app_with};
use serde_json::{Value, json};

const BAD_CREDENTIALS: &str = "Incorrect username or password";
const INVALID: &str = "Could not validate credentials";

#[track_caller]
fn assert_token_body(b: &Value) {
    assert_token_body_any_expiry(b);
    assert_eq!(b["expires_in"], 3600);
}

/// The token body, `expires_in` aside (see `change_password_answers_expires_in_3600`).
#[track_caller]
fn assert_token_body_any_expiry(b: &Value) {
    let access = b["access_token"].as_str().expect("access_token");
    assert_eq!(access.split('.').count(), 3, "a three-part JWT");
    assert_eq!(b["token_type"], "bearer");
    assert!(b["expires_in"].is_i64());
    assert!(b["refresh_token"].as_str().is_some_and(|t| t.len() >= 32));
    assert!(b["user_id"].is_string() && b["role"].is_string());
    assert!(b.get("account_id").is_some());
}

/// The JWT payload, decoded without verification (as the frontend does).
fn claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).unwrap();
    let mut bits = Vec::new();
    let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let (mut acc, mut n) = (0u32, 0);
    for c in payload.chars() {
        acc = (acc << 6) | alphabet.find(c).unwrap() as u32;
        n += 6;
        if n >= 8 {
            n -= 8;
            bits.push((acc >> n) as u8);
            acc &= (1 << n) - 1;
        }
    }
    serde_json::from_slice(&bits).unwrap()
}

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

pub async fn eleventh_failure_is_429(app: &TestApp) {
    app.super_admin().await;
    for i in 0..10 {
        let r = app.login_form(SA_EMAIL, "wrong-password-1").await;
        assert_eq!(r.status, 401, "attempt {}: {}", i + 1, r.text);
    }
    let r = app.login_form(SA_EMAIL, "wrong-password-1").await;
    assert_eq!(r.status, 429, "{}", r.text);
    let retry: u64 = r
        .header("retry-after")
        .expect("Retry-After")
        .parse()
        .unwrap();
    assert!(retry > 0 && retry <= 15 * 60, "{retry}");
    assert!(r.body["detail"].is_string());
    // Even the right password is refused while throttled.
    let r = app.login_form(SA_EMAIL, PW).await;
    assert_eq!(r.status, 429, "{}", r.text);
    // Another email is not affected.
    let r = app
        .login_form("someone-else@x.test", "wrong-password-1")
        .await;
    assert_eq!(r.status, 401);
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

pub async fn missing_or_bad_tokens_are_401(app: &TestApp) {
    let sa = app.super_admin().await;
    let r = app.get("/api/auth/me", None).await;
    r.expect_detail(401, "Not authenticated");
    assert_eq!(r.header("www-authenticate").as_deref(), Some("Bearer"));
    let parts: Vec<&str> = sa.split('.').collect();
    // Signature altered.
    // (The first character: the last one carries unused bits.)
    let first = parts[2].chars().next().unwrap();
    let sig = format!("{}{}", if first == 'A' { 'B' } else { 'A' }, &parts[2][1..]);
    let bad_sig = format!("{}.{}.{}", parts[0], parts[1], sig);
    // Payload altered (role and expiry), signature kept.
    let mut cl = claims(&sa);
    cl["role"] = json!("admin");
    cl["exp"] = json!(cl["exp"].as_i64().unwrap() + 100_000);
    let bad_payload = format!(
        "{}.{}.{}",
        parts[0],
        b64url(&serde_json::to_vec(&cl).unwrap()),
        parts[2]
    );
    // alg none with the real claims.
    let none = format!("{}.{}.", b64url(br#"{"alg":"none","typ":"JWT"}"#), parts[1]);
    let none_sig = format!(
        "{}.{}.{}",
        b64url(br#"{"alg":"none","typ":"JWT"}"#),
        parts[1],
        parts[2]
    );
    // HS256 signed with another secret.
    let other_key = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &claims(&sa),
        &jsonwebtoken::EncodingKey::from_secret(b"another-secret-0123456789-abcdefghijklmnop"),
    )
    .unwrap();
    // Correctly signed but expired.
    let mut old = claims(&sa);
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    old["iat"] = json!(now - 7200);
    old["exp"] = json!(now - 3600);
    let expired = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &old,
        &jsonwebtoken::EncodingKey::from_secret(JWT_SECRET.as_bytes()),
    )
    .unwrap();
    // Correctly signed, but for an unknown user.
    let mut ghost = claims(&sa);
    let gid = uuid::Uuid::new_v4().to_string();
    ghost["sub"] = json!(gid);
    ghost["id"] = json!(gid);
    let ghost = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &ghost,
        &jsonwebtoken::EncodingKey::from_secret(JWT_SECRET.as_bytes()),
    )
    .unwrap();
    for (what, token) in [
        ("bad signature", bad_sig.as_str()),
        ("bad payload", &bad_payload),
        ("alg none", &none),
        ("alg none with signature", &none_sig),
        ("other secret", &other_key),
        ("expired", &expired),
        ("unknown user", &ghost),
        ("garbage", "garbage"),
    ] {
        let r = app.get("/api/auth/me", Some(token)).await;
        assert_eq!(r.status, 401, "{what}: {}", r.text);
        assert_eq!(r.body, json!({"detail": INVALID}), "{what}");
        assert_eq!(
            r.header("www-authenticate").as_deref(),
            Some("Bearer"),
            "{what}"
        );
    }
    // Not a bearer scheme, or an empty token.
    for header in ["Basic dXNlcjpwYXNz", "Bearer ", "Bearer"] {
        let r = app
            .send(
                app.client
                    .get(app.url("/api/auth/me"))
                    .header("authorization", header),
            )
            .await;
        r.expect_detail(401, INVALID);
    }
    // A crafted but correctly signed token for the real user still works (sanity check of the
    // forging above).
    let same = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &claims(&sa),
        &jsonwebtoken::EncodingKey::from_secret(JWT_SECRET.as_bytes()),
    )
    .unwrap();
    app.get("/api/auth/me", Some(&same)).await.expect(200);
    // The scheme is case-insensitive.
    let r = app
        .send(
            app.client
                .get(app.url("/api/auth/me"))
                .header("authorization", format!("bearer {sa}")),
        )
        .await;
    r.expect(200);
}

pub async fn role_comes_from_the_database_not_the_claims(app: &TestApp) {
    let sa = app.super_admin().await;
    let c = app.account(&sa, "Claims Clinic", "admin@claims.test").await;
    let mut cl = claims(&c.admin);
    cl["role"] = json!("super_admin");
    cl["account_id"] = Value::Null;
    let forged = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &cl,
        &jsonwebtoken::EncodingKey::from_secret(JWT_SECRET.as_bytes()),
    )
    .unwrap();
    let me = app.get("/api/auth/me", Some(&forged)).await;
    assert_eq!(me.expect(200)["role"], "admin");
    let r = app
        .post(
            "/api/accounts",
            Some(&forged),
            &json!({"name": "Nope", "admin_email": "x@nope.test", "admin_name": "X Y", "admin_password": PW}),
        )
        .await;
    r.expect_detail(403, "Not enough permissions");
}

pub async fn refresh_rotation_and_reuse_detection(app: &TestApp) {
    app.super_admin().await;
    let r1 = app.login_form(SA_EMAIL, PW).await.str("refresh_token");
    // Rotate r1 -> r2 (JSON on /api/auth/refresh).
    let r = app
        .post("/api/auth/refresh", None, &json!({"refresh_token": r1}))
        .await;
    assert_token_body(r.expect(200));
    let r2 = r.str("refresh_token");
    assert_ne!(r1, r2);
    app.get("/api/auth/me", Some(&r.str("access_token")))
        .await
        .expect(200);
    // r2 -> r3 with the form grant on /api/auth/token.
    let r = app
        .send(app.client.post(app.url("/api/auth/token")).form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", r2.as_str()),
        ]))
        .await;
    assert_token_body(r.expect(200));
    let r3 = r.str("refresh_token");
    // r3 -> r4 with the form grant on /api/auth/refresh.
    let r = app
        .send(app.client.post(app.url("/api/auth/refresh")).form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", r3.as_str()),
        ]))
        .await;
    assert_token_body(r.expect(200));
    let r4 = r.str("refresh_token");
    // Reusing r2: 401, and the whole family dies (r3 and r4 too).
    let r = app
        .post("/api/auth/refresh", None, &json!({"refresh_token": r2}))
        .await;
    r.expect_detail(401, INVALID);
    for rt in [&r3, &r4] {
        let r = app
            .post("/api/auth/refresh", None, &json!({"refresh_token": rt}))
            .await;
        assert_eq!(r.status, 401, "the family must be revoked: {}", r.text);
    }
    // Garbage and missing.
    let r = app
        .post("/api/auth/refresh", None, &json!({"refresh_token": "nope"}))
        .await;
    r.expect_detail(401, INVALID);
    let r = app.post("/api/auth/refresh", None, &json!({})).await;
    r.expect_422_at(&["body", "refresh_token"]);
    // Logging in again starts a new, working family.
    let fresh = app.login_form(SA_EMAIL, PW).await.str("refresh_token");
    app.post("/api/auth/refresh", None, &json!({"refresh_token": fresh}))
        .await
        .expect(200);
}

pub async fn reusing_the_first_token_kills_its_successor(app: &TestApp) {
    app.super_admin().await;
    let r1 = app.login_form(SA_EMAIL, PW).await.str("refresh_token");
    let r = app
        .post("/api/auth/refresh", None, &json!({"refresh_token": r1}))
        .await;
    let r2 = r.str("refresh_token");
    let r = app
        .post("/api/auth/refresh", None, &json!({"refresh_token": r1}))
        .await;
    r.expect_detail(401, INVALID);
    let r = app
        .post("/api/auth/refresh", None, &json!({"refresh_token": r2}))
        .await;
    assert_eq!(r.status, 401, "r2 must die with its family: {}", r.text);
}

pub async fn logout_denies_the_access_token(app: &TestApp) {
    app.super_admin().await;
    let login = app.login_form(SA_EMAIL, PW).await;
    let (access, refresh) = (login.str("access_token"), login.str("refresh_token"));
    let other = app.token(SA_EMAIL, PW).await;
    let r = app
        .post(
            "/api/auth/logout",
            Some(&access),
            &json!({"refresh_token": refresh}),
        )
        .await;
    let b = r.expect(200);
    assert_eq!(b["status_code"], 200);
    assert!(b["message"].is_string());
    assert!(b.get("data").is_some());
    app.get("/api/auth/me", Some(&access))
        .await
        .expect_detail(401, INVALID);
    // The refresh token given is revoked.
    let r = app
        .post(
            "/api/auth/refresh",
            None,
            &json!({"refresh_token": refresh}),
        )
        .await;
    assert_eq!(r.status, 401, "{}", r.text);
    // Another session is not affected.
    app.get("/api/auth/me", Some(&other)).await.expect(200);
    // all_devices as a string boolean revokes every refresh token.
    let l2 = app.login_form(SA_EMAIL, PW).await;
    let l3 = app.login_form(SA_EMAIL, PW).await;
    app.post(
        "/api/auth/logout",
        Some(&l2.str("access_token")),
        &json!({"all_devices": "true"}),
    )
    .await
    .expect(200);
    let r = app
        .post(
            "/api/auth/refresh",
            None,
            &json!({"refresh_token": l3.str("refresh_token")}),
        )
        .await;
    assert_eq!(r.status, 401, "all_devices: {}", r.text);
    // Logout needs a token.
    app.post("/api/auth/logout", None, &json!({}))
        .await
        .expect_detail(401, "Not authenticated");
}

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

pub async fn deactivation_and_role_change_apply_at_once(app: &TestApp) {
    let sa = app.super_admin().await;
    let c = app.account(&sa, "Live Clinic", "admin@live.test").await;
    let cid = app
        .user(&c.admin, "clin@live.test", "Cleo Clin", "clinician")
        .await;
    let pid = app
        .user(&c.admin, "phys@live.test", "Phil Phys", "physician")
        .await;
    let clin = app.token("clin@live.test", PW).await;
    let phys = app.token("phys@live.test", PW).await;
    app.get("/api/patients", Some(&clin)).await.expect(200);
    // Role change: the same token sees the new role.
    let r = app
        .put(
            &format!("/api/users/{pid}"),
            Some(&c.admin),
            &json!({"role": "lab_tech"}),
        )
        .await;
    assert_eq!(r.expect(200)["role"], "lab_tech");
    assert_eq!(
        app.get("/api/auth/me", Some(&phys)).await.expect(200)["role"],
        "lab_tech"
    );
    app.get("/api/patients", Some(&phys))
        .await
        .expect_detail(403, "Not enough permissions");
    // Deactivation: the same token is refused, and login answers 400.
    let r = app
        .put(
            &format!("/api/users/{cid}"),
            Some(&c.admin),
            &json!({"is_active": false}),
        )
        .await;
    assert_eq!(r.expect(200)["is_active"], false);
    app.get("/api/auth/me", Some(&clin))
        .await
        .expect_detail(401, INVALID);
    app.login_form("clin@live.test", PW)
        .await
        .expect_detail(400, "Inactive user");
    // Inactive user, wrong password: still the generic 401 (no account probing).
    app.login_form("clin@live.test", "wrong-password-1")
        .await
        .expect_detail(401, BAD_CREDENTIALS);
    // Reactivated: logs in again.
    app.put(
        &format!("/api/users/{cid}"),
        Some(&c.admin),
        &json!({"is_active": "true"}),
    )
    .await
    .expect(200);
    app.token("clin@live.test", PW).await;
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

/// Contract §1.7 / §3.1: password-reset requests are limited to 5 per hour per email (429 +
/// `Retry-After`).
pub async fn password_reset_request_is_rate_limited(app: &TestApp) {
    app.super_admin().await;
    for i in 0..5 {
        let r = app
            .post(
                "/api/auth/password-reset/request",
                None,
                &json!({"email": SA_EMAIL}),
            )
            .await;
        assert_eq!(r.status, 200, "request {}: {}", i + 1, r.text);
    }
    let r = app
        .post(
            "/api/auth/password-reset/request",
            None,
            &json!({"email": SA_EMAIL}),
        )
        .await;
    assert_eq!(
        r.status, 429,
        "6th reset request within the hour: {}",
        r.text
    );
    assert!(r.header("retry-after").is_some());
    assert_eq!(app.emails_to(SA_EMAIL).await.len(), 5);
}

/// Contract §1.7: at most 50 failed logins per IP within 15 minutes, whatever the emails.
pub async fn login_failures_are_limited_per_ip(app: &TestApp) {
    app.super_admin().await;
    for i in 0..50 {
        let r = app
            .login_form(&format!("nobody{i}@nowhere.test"), "wrong-password-1")
            .await;
        assert_eq!(r.status, 401, "attempt {}: {}", i + 1, r.text);
    }
    let r = app
        .login_form("nobody-else@nowhere.test", "wrong-password-1")
        .await;
    assert_eq!(r.status, 429, "{}", r.text);
    assert!(r.header("retry-after").is_some());
}

/// Behind the frontend's proxy every TCP peer is the proxy: the client named by
/// `X-Forwarded-For` is the one counted, so one client's failures do not lock out the others.
pub async fn per_ip_limit_counts_the_forwarded_client(app: &TestApp) {
    app.super_admin().await;
    let attempt = |email: String, ip: &'static str| {
        app.client
            .post(app.url("/api/auth/token"))
            .header("X-Forwarded-For", ip)
            .form(&[
                ("username", email.as_str()),
                ("password", "wrong-password-1"),
            ])
    };
    for i in 0..50 {
        let r = app
            .send(attempt(format!("x{i}@nowhere.test"), "203.0.113.7"))
            .await;
        assert_eq!(r.status, 401, "attempt {}: {}", i + 1, r.text);
    }
    let r = app
        .send(attempt("y@nowhere.test".into(), "203.0.113.7"))
        .await;
    assert_eq!(r.status, 429, "{}", r.text);
    let r = app
        .send(attempt("y@nowhere.test".into(), "203.0.113.8"))
        .await;
    assert_eq!(
        r.status, 401,
        "another client behind the same proxy is not locked out: {}",
        r.text
    );
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

pub async fn refresh_fails_for_deactivated_user(app: &TestApp) {
    let sa = app.super_admin().await;
    let c = app.account(&sa, "Rf Clinic", "admin@rf.test").await;
    let cid = app
        .user(&c.admin, "clin@rf.test", "Cleo Clin", "clinician")
        .await;
    let login = app.login_form("clin@rf.test", PW).await;
    app.put(
        &format!("/api/users/{cid}"),
        Some(&c.admin),
        &json!({"is_active": false}),
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
    r.expect_detail(401, INVALID);
}

/// Parallel presentations of one refresh token: at most one rotation succeeds, never a 500.
pub async fn concurrent_refresh_rotates_once(app: &TestApp) {
    app.super_admin().await;
    let rt = app.login_form(SA_EMAIL, PW).await.str("refresh_token");
    let body = json!({"refresh_token": rt});
    let reqs = (0..6).map(|_| app.post("/api/auth/refresh", None, &body));
    let results = futures_util::future::join_all(reqs).await;
    let ok = results.iter().filter(|r| r.status == 200).count();
    for r in &results {
        assert!(
            r.status == 200 || r.status == 401,
            "{} {}",
            r.status,
            r.text
        );
    }
    assert_eq!(
        ok,
        1,
        "{:?}",
        results.iter().map(|r| &r.text).collect::<Vec<_>>()
    );
}

/// From a peer that is not a trusted proxy, `X-Forwarded-For` is ignored: rotating it does not
/// dodge the per-IP limit.
pub async fn forwarded_header_from_an_untrusted_peer_is_ignored(
    backend: genascope_adapters_postgres::Backend,
) {
    let app = spawn_app_with(backend, &[("TRUSTED_PROXIES", "none")]).await;
    app.super_admin().await;
    for i in 0..50 {
        let rb = app
            .client
            .post(app.url("/api/auth/token"))
            .header("X-Forwarded-For", format!("198.51.100.{i}"))
            .form(&[
                ("username", format!("z{i}@nowhere.test").as_str()),
                ("password", "wrong-password-1"),
            ]);
        assert_eq!(app.send(rb).await.status, 401, "attempt {}", i + 1);
    }
    let rb = app
        .client
        .post(app.url("/api/auth/token"))
        .header("X-Forwarded-For", "198.51.100.250")
        .form(&[
            ("username", "last@nowhere.test"),
            ("password", "wrong-password-1"),
        ]);
    assert_eq!(app.send(rb).await.status, 429);
    app.shutdown().await;
}

/// Thirty guesses for one email at once: the limit of 10 holds although every guess is checked
/// before any password verification finishes (each attempt is counted before the slow check).
pub async fn parallel_guesses_cannot_outrun_the_limit(app: &TestApp) {
    app.super_admin().await;
    let words: Vec<String> = (0..30).map(|i| format!("wrong-guess-{i}")).collect();
    let guesses = words.iter().map(|w| app.login_form(SA_EMAIL, w));
    let results = futures_util::future::join_all(guesses).await;
    let unauthorized = results.iter().filter(|r| r.status == 401).count();
    let limited = results.iter().filter(|r| r.status == 429).count();
    assert_eq!(unauthorized + limited, 30, "only 401s and 429s");
    // Two workers may race between the check and the count: allow that, not more.
    assert!(unauthorized <= 12, "{unauthorized} guesses were verified");
}
