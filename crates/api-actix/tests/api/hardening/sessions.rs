//! Items 3, 11, 12 and 15: email changes, deactivation, logout and re-created logins end
//! the right sessions.

use super::*;

// ---------------------------------------------------------------------------------------------
// Item 3: email changes

/// A self email change needs the current password (422 missing, 400 wrong, nothing changed
/// either way); done, it tells the old address and ends every session's refresh token.
pub async fn self_email_change_needs_password_and_ends_refresh_tokens(app: &TestApp) {
    let sa = app.super_admin().await;
    let c = app.account(&sa, "Mail Clinic", "admin@mail.test").await;
    let cid = app
        .user(&c.admin, "clin@mail.test", "Cleo Clin", "clinician")
        .await;
    let path = format!("/api/users/{cid}");
    let one = app.login_form("clin@mail.test", PW).await;
    let two = app.login_form("clin@mail.test", PW).await;
    let access = one.str("access_token");

    let r = app
        .put(&path, Some(&access), &json!({"email": "thief@evil.test"}))
        .await;
    r.expect_422_at(&["body", "current_password"]);
    let r = app
        .put(
            &path,
            Some(&access),
            &json!({"email": "thief@evil.test", "current_password": "guessed-wrong-1"}),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    let u = app.get(&path, Some(&c.admin)).await;
    assert_eq!(u.expect(200)["email"], "clin@mail.test", "unchanged");
    assert_eq!(change_notices(app, "clin@mail.test").await, 0);
    // The refused attempts revoked nothing.
    let two = refresh(app, &two.str("refresh_token")).await;
    two.expect(200);

    let r = app
        .put(
            &path,
            Some(&access),
            &json!({"email": "cleo@mail.test", "current_password": PW}),
        )
        .await;
    assert_eq!(r.expect(200)["email"], "cleo@mail.test");
    assert_eq!(
        change_notices(app, "clin@mail.test").await,
        1,
        "the old address is told"
    );
    // The other session ends (its refresh and access tokens); the one that made the change,
    // having just proved the password, goes on.
    let r = refresh(app, &two.str("refresh_token")).await;
    assert_eq!(
        r.status, 401,
        "the other session's refresh token: {}",
        r.text
    );
    app.get("/api/auth/me", Some(&two.str("access_token")))
        .await
        .expect(401);
    app.get("/api/auth/me", Some(&access)).await.expect(200);
    let r = refresh(app, &one.str("refresh_token")).await;
    assert_eq!(r.status, 200, "this session's refresh token: {}", r.text);
    app.login_form("clin@mail.test", PW)
        .await
        .expect_detail(401, "Incorrect username or password");
    let fresh = app.login_form("cleo@mail.test", PW).await;
    fresh.expect(200);
    refresh(app, &fresh.str("refresh_token")).await.expect(200);
}

/// An admin changing a user's email needs no password of its own, but the old address is still
/// told and the user's refresh tokens end.
pub async fn admin_email_change_notifies_and_ends_refresh_tokens(app: &TestApp) {
    let sa = app.super_admin().await;
    let c = app.account(&sa, "Move Clinic", "admin@move.test").await;
    let cid = app
        .user(&c.admin, "clin@move.test", "Cleo Clin", "clinician")
        .await;
    let session = app.login_form("clin@move.test", PW).await;
    let r = app
        .put(
            &format!("/api/users/{cid}"),
            Some(&c.admin),
            &json!({"email": "moved@move.test"}),
        )
        .await;
    assert_eq!(r.expect(200)["email"], "moved@move.test");
    assert_eq!(change_notices(app, "clin@move.test").await, 1);
    let r = refresh(app, &session.str("refresh_token")).await;
    assert_eq!(r.status, 401, "{}", r.text);
    app.token("moved@move.test", PW).await;
    // The admin's own sessions are not touched.
    app.get("/api/auth/me", Some(&c.admin)).await.expect(200);
}

/// The notice says "Every session was signed out", and the issue asks to end the other
/// sessions: an access token issued before the change should stop working with it.
pub async fn email_change_ends_other_access_tokens(app: &TestApp) {
    let sa = app.super_admin().await;
    let c = app.account(&sa, "Sess Clinic", "admin@sess.test").await;
    let cid = app
        .user(&c.admin, "clin@sess.test", "Cleo Clin", "clinician")
        .await;
    let stolen = app.token("clin@sess.test", PW).await;
    let own = app.token("clin@sess.test", PW).await;
    app.put(
        &format!("/api/users/{cid}"),
        Some(&own),
        &json!({"email": "cleo@sess.test", "current_password": PW}),
    )
    .await
    .expect(200);
    let r = app.get("/api/auth/me", Some(&stolen)).await;
    assert_eq!(
        r.status, 401,
        "another session's access token after the email change: {}",
        r.text
    );
}

// ---------------------------------------------------------------------------------------------
// Items 11, 12: sessions

/// Deactivation ends the access tokens issued before it for good: reactivating the user does
/// not revive them (nor its refresh tokens); a fresh login works.
pub async fn reactivation_does_not_revive_old_tokens(app: &TestApp) {
    let sa = app.super_admin().await;
    let c = app.account(&sa, "React Clinic", "admin@react.test").await;
    let cid = app
        .user(&c.admin, "clin@react.test", "Cleo Clin", "clinician")
        .await;
    let old = app.login_form("clin@react.test", PW).await;
    let access = old.str("access_token");
    app.get("/api/auth/me", Some(&access)).await.expect(200);
    let path = format!("/api/users/{cid}");
    for active in [false, true] {
        let r = app
            .put(&path, Some(&c.admin), &json!({ "is_active": active }))
            .await;
        assert_eq!(r.expect(200)["is_active"], active);
        let r = app.get("/api/auth/me", Some(&access)).await;
        assert_eq!(r.status, 401, "old token, is_active={active}: {}", r.text);
    }
    let r = app.get("/api/patients", Some(&access)).await;
    assert_eq!(r.status, 401, "{}", r.text);
    let r = refresh(app, &old.str("refresh_token")).await;
    assert_eq!(r.status, 401, "old refresh token: {}", r.text);
    let fresh = app.login_form("clin@react.test", PW).await;
    fresh.expect(200);
    app.get("/api/auth/me", Some(&fresh.str("access_token")))
        .await
        .expect(200);
    refresh(app, &fresh.str("refresh_token")).await.expect(200);
}

/// Logout with the access token alone (the frontend does not send the refresh token) ends that
/// session's refresh token too, also after the session was refreshed; other sessions live on.
pub async fn logout_without_refresh_token_ends_the_session(app: &TestApp) {
    app.super_admin().await;
    let a = app.login_form(SA_EMAIL, PW).await;
    let b = app.login_form(SA_EMAIL, PW).await;
    // Session A, refreshed once: same session, new pair.
    let a2 = refresh(app, &a.str("refresh_token")).await;
    a2.expect(200);
    let r = app
        .post(
            "/api/auth/logout",
            Some(&a2.str("access_token")),
            &json!({}),
        )
        .await;
    r.expect(200);
    let r = app.get("/api/auth/me", Some(&a2.str("access_token"))).await;
    assert_eq!(r.status, 401, "{}", r.text);
    // Session B is untouched (checked before A's refresh token is presented again: see
    // `presenting_a_logged_out_refresh_token_keeps_other_sessions`).
    app.get("/api/auth/me", Some(&b.str("access_token")))
        .await
        .expect(200);
    refresh(app, &b.str("refresh_token")).await.expect(200);
    let r = refresh(app, &a2.str("refresh_token")).await;
    assert_eq!(
        r.status, 401,
        "the logged-out session's refresh token: {}",
        r.text
    );
    // A logout without any body works the same.
    let c = app.login_form(SA_EMAIL, PW).await;
    let r = app
        .send(
            app.client
                .post(app.url("/api/auth/logout"))
                .bearer_auth(c.str("access_token")),
        )
        .await;
    r.expect(200);
    let r = refresh(app, &c.str("refresh_token")).await;
    assert_eq!(r.status, 401, "{}", r.text);
}

/// A client that logged out and later presents its (revoked) refresh token, e.g. a stale tab,
/// gets 401; the user's other sessions should keep working (issue #6 item 12: "another session
/// still refreshes").
pub async fn presenting_a_logged_out_refresh_token_keeps_other_sessions(app: &TestApp) {
    app.super_admin().await;
    let a = app.login_form(SA_EMAIL, PW).await;
    let b = app.login_form(SA_EMAIL, PW).await;
    app.post("/api/auth/logout", Some(&a.str("access_token")), &json!({}))
        .await
        .expect(200);
    let r = refresh(app, &a.str("refresh_token")).await;
    assert_eq!(r.status, 401, "{}", r.text);
    let r = refresh(app, &b.str("refresh_token")).await;
    assert_eq!(
        r.status, 200,
        "another session after a logged-out refresh token was presented: {}",
        r.text
    );
}

// ---------------------------------------------------------------------------------------------
// Item 15: a deleted patient login can be re-created

/// Deleting a patient's login keeps the patient; a new login for it (same email, so the same
/// id) is 201 and works, while every token of the old login stays invalid.
pub async fn deleted_patient_login_can_be_recreated(app: &TestApp) {
    let sa = app.super_admin().await;
    let c = app.account(&sa, "Again Clinic", "admin@again.test").await;
    let p = id_of(
        &app.patient(&c.admin, "Pat", "Again", "pat@again.test")
            .await,
    );
    let (uid, _) = patient_login(app, &c.admin, "pat@again.test", "Pat Again").await;
    assert_eq!(uid, p, "the login shares the patient's id");
    let old = app.login_form("pat@again.test", PW).await;
    let (old_access, old_refresh) = (old.str("access_token"), old.str("refresh_token"));
    app.delete(&format!("/api/users/{uid}"), Some(&c.admin))
        .await
        .expect(200);
    let g = app.get(&format!("/api/patients/{p}"), Some(&c.admin)).await;
    assert_eq!(g.expect(200)["has_login"], false, "the patient stays");

    let new_pw = "another-horse-7";
    let r = app
        .post(
            "/api/users",
            Some(&c.admin),
            &json!({"email": "pat@again.test", "name": "Pat Again", "role": "patient",
                    "password": new_pw, "confirm_password": new_pw}),
        )
        .await;
    assert_eq!(r.expect(201)["id"], p.as_str(), "{}", r.text);
    let g = app.get(&format!("/api/patients/{p}"), Some(&c.admin)).await;
    assert_eq!(g.expect(200)["has_login"], true);
    let fresh = app.login_form("pat@again.test", new_pw).await;
    fresh.expect(200);
    let access = fresh.str("access_token");
    let me = app.get("/api/auth/me", Some(&access)).await;
    assert_eq!(me.expect(200)["patient_id"], p.as_str());
    app.get(&format!("/api/patients/{p}"), Some(&access))
        .await
        .expect(200);
    refresh(app, &fresh.str("refresh_token")).await.expect(200);
    // The old login's tokens and password stay dead.
    let r = app.get("/api/auth/me", Some(&old_access)).await;
    assert_eq!(r.status, 401, "old access token: {}", r.text);
    let r = refresh(app, &old_refresh).await;
    assert_eq!(r.status, 401, "old refresh token: {}", r.text);
    app.login_form("pat@again.test", PW)
        .await
        .expect_detail(401, "Incorrect username or password");
}
