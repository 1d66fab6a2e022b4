//! Access and refresh tokens: what a token proves, rotation and reuse, logout, deactivation.

use super::*;

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
