//! Accounts (contract §3.2).

use crate::helpers::{PW, TestApp, ids};
use serde_json::{Value, json};

fn account_body(name: &str, domain: Option<&str>, admin_email: &str) -> Value {
    let mut b = json!({
        "name": name,
        "admin_email": admin_email,
        "admin_name": "Ada Admin Lovelace",
        "admin_password": PW,
        "admin_confirm_password": PW,
        "extra_field": "ignored",
    });
    if let Some(d) = domain {
        b["domain"] = json!(d);
    }
    b
}

#[track_caller]
fn assert_account_shape(b: &Value) {
    for key in [
        "id",
        "name",
        "domain",
        "status",
        "time_zone",
        "created_at",
        "updated_at",
    ] {
        assert!(b.get(key).is_some(), "account lacks {key}: {b}");
    }
    let created = b["created_at"].as_str().unwrap();
    assert!(created.ends_with('Z') && created.len() == 20, "{created}");
    assert!(uuid::Uuid::parse_str(b["id"].as_str().unwrap()).is_ok());
}

pub async fn create_on_both_routes(app: &TestApp) {
    let sa = app.super_admin().await;
    for (route, name, domain, email) in [
        (
            "/api/admin/create_account",
            "North Clinic",
            "north.example.org",
            "admin@north.test",
        ),
        (
            "/api/accounts",
            "South Clinic",
            "SOUTH.example.org",
            "admin@south.test",
        ),
    ] {
        let r = app
            .post(route, Some(&sa), &account_body(name, Some(domain), email))
            .await;
        let b = r.expect(201);
        assert_account_shape(b);
        assert_eq!(b["name"], name);
        assert_eq!(b["domain"], domain.to_lowercase());
        assert_eq!(b["status"], "active");
        let admin_id = r.str("admin_user_id");
        // The first admin can log in and belongs to the account.
        let login = app.login_form(email, PW).await;
        let lb = login.expect(200);
        assert_eq!(lb["user_id"], admin_id.as_str());
        assert_eq!(lb["role"], "admin");
        assert_eq!(lb["account_id"], b["id"]);
        let me = app
            .get("/api/auth/me", Some(&login.str("access_token")))
            .await;
        let me = me.expect(200);
        assert_eq!(me["name"], "Ada Admin Lovelace");
        assert_eq!(me["first_name"], "Ada Admin");
        assert_eq!(me["last_name"], "Lovelace");
        // GET answers the same account.
        let id = r.str("id");
        let g = app.get(&format!("/api/accounts/{id}"), Some(&sa)).await;
        assert_eq!(g.expect(200)["name"], name);
    }
    // Without a domain: null.
    let r = app
        .post(
            "/api/accounts",
            Some(&sa),
            &account_body("No Domain", None, "admin@nodomain.test"),
        )
        .await;
    assert_eq!(r.expect(201)["domain"], Value::Null);
    // Listed by name.
    let list = app.get("/api/accounts", Some(&sa)).await;
    let names: Vec<_> = list
        .array()
        .iter()
        .map(|a| a["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["No Domain", "North Clinic", "South Clinic"]);
    let r = app.get("/api/accounts?name=orth", Some(&sa)).await;
    assert_eq!(r.array().len(), 1);
}

pub async fn only_super_admin_creates_accounts(app: &TestApp) {
    let sa = app.super_admin().await;
    let c = app.account(&sa, "Own Clinic", "admin@own.test").await;
    for route in ["/api/accounts", "/api/admin/create_account"] {
        let r = app
            .post(
                route,
                Some(&c.admin),
                &account_body("Rogue", None, "rogue@x.test"),
            )
            .await;
        r.expect_detail(403, "Not enough permissions");
        let r = app
            .post(route, None, &account_body("Rogue", None, "rogue@x.test"))
            .await;
        r.expect_detail(401, "Not authenticated");
    }
    assert_eq!(app.get("/api/accounts", Some(&sa)).await.array().len(), 1);
}

pub async fn duplicate_admin_email_leaves_no_account(app: &TestApp) {
    let sa = app.super_admin().await;
    app.account(&sa, "First Clinic", "taken@dup.test").await;
    let before = app.get("/api/accounts", Some(&sa)).await;
    for (route, email) in [
        ("/api/accounts", "taken@dup.test"),
        ("/api/admin/create_account", "TAKEN@Dup.Test"),
        ("/api/accounts", crate::helpers::SA_EMAIL),
    ] {
        let r = app
            .post(
                route,
                Some(&sa),
                &account_body("Second Clinic", Some("second.test"), email),
            )
            .await;
        r.expect_detail(409, "Email already registered");
    }
    let after = app.get("/api/accounts", Some(&sa)).await;
    assert_eq!(before.expect(200), after.expect(200));
    // The domain was not kept either: it is free.
    let r = app
        .post(
            "/api/accounts",
            Some(&sa),
            &account_body("Second Clinic", Some("second.test"), "fresh@dup.test"),
        )
        .await;
    r.expect(201);
}

pub async fn duplicate_domain_is_409(app: &TestApp) {
    let sa = app.super_admin().await;
    app.post(
        "/api/accounts",
        Some(&sa),
        &account_body("One", Some("clinic.test"), "a@one.test"),
    )
    .await
    .expect(201);
    let r = app
        .post(
            "/api/accounts",
            Some(&sa),
            &account_body("Two", Some("Clinic.TEST"), "a@two.test"),
        )
        .await;
    r.expect_detail(409, "Domain already in use");
    // The admin of the refused account was not created.
    app.login_form("a@two.test", PW)
        .await
        .expect_detail(401, "Incorrect username or password");
    assert_eq!(app.get("/api/accounts", Some(&sa)).await.array().len(), 1);
    // Changing another account's domain to a taken one is 409 too.
    let two = app
        .post(
            "/api/accounts",
            Some(&sa),
            &account_body("Two", Some("two.test"), "a@two.test"),
        )
        .await;
    let r = app
        .put(
            &format!("/api/accounts/{}", two.str("id")),
            Some(&sa),
            &json!({"domain": "clinic.test"}),
        )
        .await;
    r.expect_detail(409, "Domain already in use");
}

pub async fn validation_lists_every_missing_field(app: &TestApp) {
    let sa = app.super_admin().await;
    for route in ["/api/accounts", "/api/admin/create_account"] {
        let r = app.post(route, Some(&sa), &json!({})).await;
        assert_eq!(r.status, 422, "{}", r.text);
        for field in ["name", "admin_email", "admin_name", "admin_password"] {
            r.expect_422_at(&["body", field]);
        }
        for e in r.body["detail"].as_array().unwrap() {
            assert!(e["msg"].is_string() && e["type"].is_string(), "{e}");
        }
        // Blank strings count as missing.
        let r = app
            .post(
                route,
                Some(&sa),
                &json!({"name": "  ", "admin_email": "", "admin_name": "A B", "admin_password": PW}),
            )
            .await;
        r.expect_422_at(&["body", "name"]);
        r.expect_422_at(&["body", "admin_email"]);
    }
    // Malformed values.
    let r = app
        .post(
            "/api/accounts",
            Some(&sa),
            &json!({"name": "X", "admin_email": "nope", "admin_name": "A B", "admin_password": "short",
                    "domain": "not a domain!"}),
        )
        .await;
    r.expect_422_at(&["body", "admin_email"]);
    r.expect_422_at(&["body", "admin_password"]);
    r.expect_422_at(&["body", "domain"]);
    // Confirmation mismatch.
    let mut b = account_body("X", None, "x@mismatch.test");
    b["admin_confirm_password"] = json!("something-else-1");
    let r = app.post("/api/accounts", Some(&sa), &b).await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(app.get("/api/accounts", Some(&sa)).await.array().is_empty());
}

pub async fn admin_sees_only_its_own_account(app: &TestApp) {
    let sa = app.super_admin().await;
    let a = app.account(&sa, "Alpha", "admin@alpha.test").await;
    let b = app.account(&sa, "Beta", "admin@beta.test").await;
    let r = app.get("/api/accounts", Some(&a.admin)).await;
    assert_eq!(ids(r.array()), [a.account_id.as_str()]);
    let r = app.get("/api/accounts/", Some(&b.admin)).await;
    assert_eq!(ids(r.array()), [b.account_id.as_str()]);
    let r = app.get("/api/accounts", Some(&sa)).await;
    assert_eq!(r.array().len(), 2);
    // A clinician may not list accounts but may read its own.
    let cid = app
        .user(&a.admin, "c@alpha.test", "Cid Alpha", "clinician")
        .await;
    let clin = app.token("c@alpha.test", PW).await;
    app.get("/api/accounts", Some(&clin))
        .await
        .expect_detail(403, "Not enough permissions");
    let r = app
        .get(&format!("/api/accounts/{}", a.account_id), Some(&clin))
        .await;
    assert_eq!(r.expect(200)["id"], a.account_id.as_str());
    let _ = cid;
}

pub async fn null_and_undefined_account_ids_are_404(app: &TestApp) {
    let sa = app.super_admin().await;
    let a = app.account(&sa, "Alpha", "admin@alpha.test").await;
    for id in [
        "null",
        "undefined",
        "123",
        &uuid::Uuid::new_v4().to_string(),
    ] {
        for token in [&sa, &a.admin] {
            let r = app.get(&format!("/api/accounts/{id}"), Some(token)).await;
            assert_eq!(r.status, 404, "{id}: {}", r.text);
            assert!(r.body["detail"].is_string(), "{id}: {}", r.text);
        }
        let r = app
            .put(
                &format!("/api/accounts/{id}"),
                Some(&sa),
                &json!({"name": "x"}),
            )
            .await;
        assert_eq!(r.status, 404, "{id}: {}", r.text);
        let r = app.delete(&format!("/api/accounts/{id}"), Some(&sa)).await;
        assert_eq!(r.status, 404, "{id}: {}", r.text);
    }
}

pub async fn admin_updates_name_but_not_status(app: &TestApp) {
    let sa = app.super_admin().await;
    let a = app.account(&sa, "Alpha", "admin@alpha.test").await;
    let path = format!("/api/accounts/{}", a.account_id);
    let r = app
        .put(&path, Some(&a.admin), &json!({"status": "inactive"}))
        .await;
    r.expect_detail(403, "Not enough permissions");
    // Sending the current value is fine.
    let r = app
        .put(
            &path,
            Some(&a.admin),
            &json!({"name": "Alpha Renamed", "status": "ACTIVE"}),
        )
        .await;
    let b = r.expect(200);
    assert_account_shape(b);
    assert_eq!(b["name"], "Alpha Renamed");
    assert_eq!(b["status"], "active");
    let r = app
        .put(
            &path,
            Some(&a.admin),
            &json!({"domain": "alpha.example.org"}),
        )
        .await;
    assert_eq!(r.expect(200)["domain"], "alpha.example.org");
    assert_eq!(
        r.body["name"], "Alpha Renamed",
        "partial update keeps the name"
    );
    let r = app.put(&path, Some(&a.admin), &json!({"domain": ""})).await;
    assert_eq!(r.expect(200)["domain"], Value::Null);
    let r = app.put(&path, Some(&a.admin), &json!({"name": ""})).await;
    r.expect_422_at(&["body", "name"]);
    let g = app.get(&path, Some(&a.admin)).await;
    assert_eq!(g.expect(200)["name"], "Alpha Renamed");
    // A clinician may not update.
    app.user(&a.admin, "c@alpha.test", "Cid Alpha", "clinician")
        .await;
    let clin = app.token("c@alpha.test", PW).await;
    app.put(&path, Some(&clin), &json!({"name": "Hijack"}))
        .await
        .expect_detail(403, "Not enough permissions");
    // The super admin may change the status: the account's users stop working.
    let r = app
        .put(&path, Some(&sa), &json!({"status": "inactive"}))
        .await;
    assert_eq!(r.expect(200)["status"], "inactive");
    let r = app.get("/api/auth/me", Some(&a.admin)).await;
    assert_eq!(r.status, 401, "{}", r.text);
    app.login_form("admin@alpha.test", PW)
        .await
        .expect_detail(400, "Account is inactive");
    let r = app.get("/api/accounts?status=inactive", Some(&sa)).await;
    assert_eq!(ids(r.array()), [a.account_id.as_str()]);
}

pub async fn delete_account_hides_it_and_locks_its_users(app: &TestApp) {
    let sa = app.super_admin().await;
    let a = app.account(&sa, "Doomed", "admin@doomed.test").await;
    let keep = app.account(&sa, "Kept", "admin@kept.test").await;
    app.user(&a.admin, "c@doomed.test", "Cid Doomed", "clinician")
        .await;
    let clin = app.token("c@doomed.test", PW).await;
    let login = app.login_form("admin@doomed.test", PW).await;
    let path = format!("/api/accounts/{}", a.account_id);
    app.delete(&path, Some(&a.admin))
        .await
        .expect_detail(403, "Not enough permissions");
    let r = app.delete(&path, Some(&sa)).await;
    let b = r.expect(200);
    assert_eq!(b["status_code"], 200);
    assert!(b["message"].is_string());
    assert_eq!(b["data"], json!({"account_id": a.account_id}));
    app.get(&path, Some(&sa)).await.expect(404);
    app.put(&path, Some(&sa), &json!({"name": "Back"}))
        .await
        .expect(404);
    app.delete(&path, Some(&sa)).await.expect(404);
    let r = app.get("/api/accounts", Some(&sa)).await;
    assert_eq!(ids(r.array()), [keep.account_id.as_str()]);
    for email in ["admin@doomed.test", "c@doomed.test"] {
        let r = app.login_form(email, PW).await;
        assert!(
            r.status == 401
                || (r.status == 400 && r.body == json!({"detail": "Account is inactive"})),
            "{email}: {} {}",
            r.status,
            r.text
        );
    }
    for token in [&a.admin, &clin] {
        app.get("/api/auth/me", Some(token))
            .await
            .expect_detail(401, "Could not validate credentials");
    }
    let r = app
        .post(
            "/api/auth/refresh",
            None,
            &json!({"refresh_token": login.str("refresh_token")}),
        )
        .await;
    assert_eq!(r.status, 401, "{}", r.text);
    // The other account is untouched.
    app.get("/api/auth/me", Some(&keep.admin)).await.expect(200);
}

pub async fn deleted_accounts_free_their_domain(app: &TestApp) {
    let sa = app.super_admin().await;
    let r = app
        .post(
            "/api/accounts",
            Some(&sa),
            &account_body("Old", Some("reuse.test"), "a@old.test"),
        )
        .await;
    let id = r.str("id");
    app.delete(&format!("/api/accounts/{id}"), Some(&sa))
        .await
        .expect(200);
    let r = app
        .post(
            "/api/accounts",
            Some(&sa),
            &account_body("New", Some("reuse.test"), "a@new.test"),
        )
        .await;
    assert_eq!(r.expect(201)["domain"], "reuse.test");
}

/// Parallel account creations with one admin email: one 201, the rest 409, one account left.
pub async fn concurrent_creates_with_one_admin_email(app: &TestApp) {
    let sa = app.super_admin().await;
    let bodies: Vec<Value> = (0..6)
        .map(|i| account_body(&format!("Race {i}"), None, "race@conc.test"))
        .collect();
    let reqs = bodies
        .iter()
        .map(|b| app.post("/api/accounts", Some(&sa), b));
    let results = futures_util::future::join_all(reqs).await;
    let mut statuses: Vec<u16> = results.iter().map(|r| r.status).collect();
    statuses.sort_unstable();
    assert_eq!(
        statuses,
        [201, 409, 409, 409, 409, 409],
        "{:?}",
        results.iter().map(|r| &r.text).collect::<Vec<_>>()
    );
    assert_eq!(app.get("/api/accounts", Some(&sa)).await.array().len(), 1);
}

/// `time_zone`: `UTC` until set; an admin of the account or a super_admin sets it (an IANA name,
/// else 422 naming it and nothing written); reads and lists show it; other accounts cannot.
pub async fn time_zone_is_read_and_set(app: &TestApp) {
    let sa = app.super_admin().await;
    let a = app.account(&sa, "Zone Clinic", "admin@zone.test").await;
    let other = app.account(&sa, "Other Clinic", "admin@other.test").await;
    let path = format!("/api/accounts/{}", a.account_id);
    let g = app.get(&path, Some(&a.admin)).await;
    assert_eq!(g.expect(200)["time_zone"], "UTC");

    let r = app
        .put(&path, Some(&a.admin), &json!({"time_zone": "Europe/Paris"}))
        .await;
    let b = r.expect(200);
    assert_account_shape(b);
    assert_eq!(b["time_zone"], "Europe/Paris");
    assert_eq!(b["name"], "Zone Clinic", "a partial update keeps the name");
    let g = app.get(&path, Some(&a.admin)).await;
    assert_eq!(g.expect(200)["time_zone"], "Europe/Paris");
    let list = app.get("/api/accounts", Some(&sa)).await;
    let zones: Vec<_> = list
        .array()
        .iter()
        .map(|x| {
            (
                x["name"].as_str().unwrap(),
                x["time_zone"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        zones,
        [("Other Clinic", "UTC"), ("Zone Clinic", "Europe/Paris")]
    );

    // Not a zone: 422 at body.time_zone, and nothing of the request is written.
    for bad in [
        json!("Mars/Olympus"),
        json!(""),
        json!(null),
        json!(5),
        json!("+02:00"),
    ] {
        let r = app
            .put(
                &path,
                Some(&a.admin),
                &json!({"name": "Renamed", "time_zone": bad}),
            )
            .await;
        r.expect_422_at(&["body", "time_zone"]);
    }
    let g = app.get(&path, Some(&a.admin)).await;
    let g = g.expect(200);
    assert_eq!(
        (&g["name"], &g["time_zone"]),
        (&json!("Zone Clinic"), &json!("Europe/Paris"))
    );

    // Surrounding blanks are not part of the name.
    let r = app
        .put(&path, Some(&sa), &json!({"time_zone": " Asia/Kolkata "}))
        .await;
    assert_eq!(r.expect(200)["time_zone"], "Asia/Kolkata");

    // Another account's admin: 404; a clinician of the account: 403.
    app.put(&path, Some(&other.admin), &json!({"time_zone": "UTC"}))
        .await
        .expect(404);
    app.user(&a.admin, "c@zone.test", "Cid Zone", "clinician")
        .await;
    let clin = app.token("c@zone.test", PW).await;
    app.put(&path, Some(&clin), &json!({"time_zone": "UTC"}))
        .await
        .expect_detail(403, "Not enough permissions");
    let g = app.get(&path, Some(&sa)).await;
    assert_eq!(g.expect(200)["time_zone"], "Asia/Kolkata");
}
