//! The principal cache (issue #11) over HTTP: a change answered by one replica takes effect on
//! the other's very next request, with both caches warm. On PostgreSQL two servers on one
//! database (the eviction travels by NOTIFY); on SQLite one server (one process: the eviction
//! is in-process).

use crate::helpers::{PW, Resp, TestApp};
use crate::invites::{DOB, access, invite, token_of};
use genascope_adapters_postgres::Backend;
use serde_json::{Value, json};

const INVALID: &str = "Could not validate credentials";

/// Where requests go: A (where changes are made) and B (where they must be seen).
struct Pair<'a> {
    app: &'a TestApp,
    b: String,
}

impl Pair<'_> {
    async fn get_on(&self, base: &str, path: &str, token: &str) -> Resp {
        let rb = self
            .app
            .client
            .get(format!("{base}{path}"))
            .bearer_auth(token);
        self.app.send(rb).await
    }

    /// `auth/me` on A and on B, both 200: both caches hold the principal now.
    async fn warm(&self, token: &str) -> Value {
        self.get_on(&self.app.address, "/api/auth/me", token)
            .await
            .expect(200);
        let r = self.get_on(&self.b, "/api/auth/me", token).await;
        r.expect(200).clone()
    }

    /// B refuses `token` on its very next request (and so does A).
    async fn refused(&self, token: &str, after: &str) {
        let r = self.get_on(&self.b, "/api/auth/me", token).await;
        assert_eq!(
            r.status, 401,
            "B still accepts the token after {after}: {}",
            r.text
        );
        r.expect_detail(401, INVALID);
        let r = self.get_on(&self.app.address, "/api/auth/me", token).await;
        assert_eq!(r.status, 401, "A still accepts the token after {after}");
    }
}

/// Logout, deactivation, role change, password change, invite revoke and account suspension,
/// each made through A, each seen by B on its very next request.
pub async fn changes_through_one_replica_take_effect_on_the_other_at_once(app: &TestApp) {
    let replica = match app.backend() {
        Backend::Postgres => Some(app.replica().await),
        Backend::Sqlite => None,
    };
    let b = replica
        .as_ref()
        .map_or_else(|| app.address.clone(), |r| r.address.clone());
    cache_in_use(app, &app.address).await;
    cache_in_use(app, &b).await;
    let pair = Pair { app, b };
    let sa = app.super_admin().await;
    let c = app
        .account(&sa, "Replica Clinic", "admin@replica.test")
        .await;
    let email = "clin@replica.test";
    let uid = app.user(&c.admin, email, "Clin Rep", "clinician").await;
    let user_path = format!("/api/users/{uid}");

    // Logout.
    let login = app.login_form(email, PW).await;
    let token = login.str("access_token");
    pair.warm(&token).await;
    app.post("/api/auth/logout", Some(&token), &json!({}))
        .await
        .expect(200);
    pair.refused(&token, "logout").await;

    // Deactivation (then back, for what follows).
    let token = app.token(email, PW).await;
    pair.warm(&token).await;
    app.put(&user_path, Some(&c.admin), &json!({"is_active": false}))
        .await
        .expect(200);
    pair.refused(&token, "deactivation").await;
    app.put(&user_path, Some(&c.admin), &json!({"is_active": true}))
        .await
        .expect(200);

    // Role change: B answers with the new role and its permissions.
    let token = app.token(email, PW).await;
    assert_eq!(pair.warm(&token).await["role"], "clinician");
    let manage = |t: String| {
        let rb = app
            .client
            .post(format!("{}/api/users", pair.b))
            .bearer_auth(t);
        app.send(rb.json(&json!({})))
    };
    assert_eq!(manage(token.clone()).await.status, 403, "a clinician");
    app.put(&user_path, Some(&c.admin), &json!({"role": "admin"}))
        .await
        .expect(200);
    let me = pair.get_on(&pair.b, "/api/auth/me", &token).await;
    assert_eq!(me.expect(200)["role"], "admin", "B's next request");
    assert_eq!(manage(token.clone()).await.status, 422, "an admin now");
    app.put(&user_path, Some(&c.admin), &json!({"role": "clinician"}))
        .await
        .expect(200);

    // Password change: the old token dies on B, the new one works there.
    let token = app.token(email, PW).await;
    pair.warm(&token).await;
    let new_pw = "replicated-secret-9";
    let r = app
        .post(
            "/api/auth/change-password",
            Some(&token),
            &json!({"current_password": PW, "new_password": new_pw, "confirm_password": new_pw}),
        )
        .await;
    let fresh = r.expect(200)["access_token"].as_str().unwrap().to_owned();
    pair.refused(&token, "a password change").await;
    pair.warm(&fresh).await;

    // A simplified (invite) token: revoked through A, refused by B.
    let p = app
        .patient(&fresh, "Pat", "Replica", "pat@replica.test")
        .await;
    let inv = invite(app, &fresh, p["id"].as_str().unwrap()).await;
    let s = access(app, &token_of(&inv), "Pat", "Replica", DOB).await;
    let simplified = s.expect(200)["access_token"].as_str().unwrap().to_owned();
    pair.warm(&simplified).await;
    let id = inv["id"].as_str().unwrap();
    app.delete(&format!("/api/invites/{id}"), Some(&fresh))
        .await
        .expect(200);
    pair.refused(&simplified, "an invite revoke").await;

    // Account suspension, by the super admin: its users' tokens die on B.
    pair.warm(&fresh).await;
    let admin = c.admin.clone();
    pair.warm(&admin).await;
    app.put(
        &format!("/api/accounts/{}", c.account_id),
        Some(&sa),
        &json!({"status": "inactive"}),
    )
    .await
    .expect(200);
    pair.refused(&fresh, "the account's suspension").await;
    pair.refused(&admin, "the account's suspension").await;

    if let Some(r) = replica {
        r.shutdown().await;
    }
}

/// `/health` tells whether the cache is in use: listening (PostgreSQL) or in-process (SQLite).
pub async fn health_reports_the_principal_cache(app: &TestApp) {
    cache_in_use(app, &app.address).await;
}

/// Wait (at most 20 s) until the server at `base` uses its principal cache (its listener
/// connects in the background after startup).
async fn cache_in_use(app: &TestApp, base: &str) {
    let want = match app.backend() {
        Backend::Postgres => "listening",
        Backend::Sqlite => "in_process",
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let r = app.send(app.client.get(format!("{base}/health"))).await;
        if r.expect(200)["principal_cache"] == want {
            return;
        }
        assert!(std::time::Instant::now() < deadline, "{}", r.text);
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}
