//! Users and clinicians (contract §3.2).

use crate::helpers::{PW, TestApp, ids};
use serde_json::{Value, json};

const USER_KEYS: [&str; 12] = [
    "id",
    "email",
    "name",
    "first_name",
    "last_name",
    "role",
    "account_id",
    "is_active",
    "clinician_id",
    "phone",
    "created_at",
    "updated_at",
];

#[track_caller]
fn assert_user_shape(b: &Value) {
    for key in USER_KEYS {
        assert!(b.get(key).is_some(), "user lacks {key}: {b}");
    }
}

pub async fn create_and_name_rules(app: &TestApp) {
    let sa = app.super_admin().await;
    let c = app.account(&sa, "Users Clinic", "admin@users.test").await;
    // Only `name`: last word is the last name, the rest the first name.
    let r = app
        .post(
            "/api/users",
            Some(&c.admin),
            &json!({"email": "mjw@users.test", "name": "Mary Jane Watson", "role": "clinician", "password": PW}),
        )
        .await;
    let b = r.expect(201);
    assert_user_shape(b);
    assert_eq!(b["first_name"], "Mary Jane");
    assert_eq!(b["last_name"], "Watson");
    assert_eq!(b["name"], "Mary Jane Watson");
    assert_eq!(b["account_id"], c.account_id.as_str());
    assert_eq!(b["is_active"], true);
    assert_eq!(b["phone"], Value::Null);
    assert_eq!(b["clinician_id"], Value::Null);
    // Only first/last: name is "First Last".
    let r = app
        .post(
            "/api/users",
            Some(&c.admin),
            &json!({"email": "pp@users.test", "first_name": "Peter", "last_name": "Parker", "role": "physician",
                    "password": PW, "phone": "+1 (555) 010-2000"}),
        )
        .await;
    let b = r.expect(201);
    assert_eq!(b["name"], "Peter Parker");
    assert_eq!(b["phone"], "+1 (555) 010-2000");
    let id = r.str("id");
    // GET returns the same record.
    let g = app.get(&format!("/api/users/{id}"), Some(&c.admin)).await;
    assert_eq!(g.expect(200), &r.body);
    // The new user logs in.
    app.token("pp@users.test", PW).await;
    // Missing fields all listed.
    let r = app.post("/api/users", Some(&c.admin), &json!({})).await;
    r.expect_422_at(&["body", "email"]);
    r.expect_422_at(&["body", "role"]);
    assert!(
        crate::helpers::locs(&r.body).iter().any(|l| l
            .get(1)
            .is_some_and(|f| f == "name" || f == "first_name" || f == "last_name")),
        "names not reported: {}",
        r.text
    );
    let r = app
        .post(
            "/api/users",
            Some(&c.admin),
            &json!({"email": "x@users.test", "name": "X Y", "role": "wizard", "password": "short"}),
        )
        .await;
    r.expect_422_at(&["body", "role"]);
    r.expect_422_at(&["body", "password"]);
    // A password equal to the email is refused.
    let r = app
        .post(
            "/api/users",
            Some(&c.admin),
            &json!({"email": "same@users.test", "name": "X Y", "role": "clinician", "password": "same@users.test"}),
        )
        .await;
    r.expect_422_at(&["body", "password"]);
}

pub async fn account_create_user_documented_fields(app: &TestApp) {
    let sa = app.super_admin().await;
    let c = app.account(&sa, "Doc Clinic", "admin@doc.test").await;
    let r = app
        .post(
            "/api/account/create_user",
            Some(&c.admin),
            &json!({"email": "doc@doc.test", "first_name": "Gregory", "last_name": "House",
                    "role": "physician", "phone": "555-123-4567", "password": PW}),
        )
        .await;
    let b = r.expect(201);
    assert_user_shape(b);
    assert_eq!(b["email"], "doc@doc.test");
    assert_eq!(b["first_name"], "Gregory");
    assert_eq!(b["last_name"], "House");
    assert_eq!(b["role"], "physician");
    assert_eq!(b["phone"], "555-123-4567");
    assert!(b["created_at"].as_str().unwrap().ends_with('Z'));
    // The super admin names the account.
    let r = app
        .post(
            "/api/account/create_user",
            Some(&sa),
            &json!({"email": "wilson@doc.test", "first_name": "James", "last_name": "Wilson",
                    "role": "clinician", "account_id": c.account_id}),
        )
        .await;
    assert_eq!(r.expect(201)["account_id"], c.account_id.as_str());
    // ... and must.
    let r = app
        .post(
            "/api/account/create_user",
            Some(&sa),
            &json!({"email": "cuddy@doc.test", "first_name": "Lisa", "last_name": "Cuddy", "role": "clinician"}),
        )
        .await;
    r.expect_422_at(&["body", "account_id"]);
    // No password: a set-password email goes out and the user cannot log in yet.
    let mails = app.emails_to("wilson@doc.test").await;
    assert_eq!(mails.len(), 1, "set-password email");
    let token = app.reset_token_for("wilson@doc.test").await;
    let r = app.login_form("wilson@doc.test", "").await;
    assert_eq!(r.status, 422, "{}", r.text);
    app.post(
        "/api/auth/password-reset/confirm",
        None,
        &json!({"token": token, "new_password": PW, "confirm_password": PW}),
    )
    .await
    .expect(200);
    app.token("wilson@doc.test", PW).await;
}

pub async fn who_may_create_users(app: &TestApp) {
    let sa = app.super_admin().await;
    let c = app.account(&sa, "Roles Clinic", "admin@roles.test").await;
    for route in ["/api/users", "/api/account/create_user"] {
        let r = app
            .post(
                route,
                Some(&c.admin),
                &json!({"email": "boss@roles.test", "name": "Big Boss", "role": "super_admin", "password": PW}),
            )
            .await;
        r.expect_detail(403, "Not enough permissions");
    }
    app.login_form("boss@roles.test", PW).await.expect(401);
    // A clinician may not create users at all.
    app.user(&c.admin, "clin@roles.test", "Cleo Clin", "clinician")
        .await;
    let clin = app.token("clin@roles.test", PW).await;
    let r = app
        .post(
            "/api/users",
            Some(&clin),
            &json!({"email": "new@roles.test", "name": "New One", "role": "clinician", "password": PW}),
        )
        .await;
    r.expect_detail(403, "Not enough permissions");
    // Admins may create admins; super admins may create super admins.
    app.user(&c.admin, "admin2@roles.test", "Second Admin", "admin")
        .await;
    let r = app
        .post(
            "/api/users",
            Some(&sa),
            &json!({"email": "root2@roles.test", "name": "Root Two", "role": "super_admin", "password": PW}),
        )
        .await;
    let b = r.expect(201);
    assert_eq!(b["role"], "super_admin");
    assert_eq!(b["account_id"], Value::Null);
    // The admin's body account_id must be its own: another is 404.
    let other = app.account(&sa, "Other Clinic", "admin@other.test").await;
    let r = app
        .post(
            "/api/users",
            Some(&c.admin),
            &json!({"email": "x@roles.test", "name": "X Y", "role": "clinician", "password": PW,
                    "account_id": other.account_id}),
        )
        .await;
    r.expect_detail(404, "Account not found");
    let r = app
        .post(
            "/api/users",
            Some(&c.admin),
            &json!({"email": "x@roles.test", "name": "X Y", "role": "clinician", "password": PW,
                    "account_id": c.account_id}),
        )
        .await;
    r.expect(201);
}

pub async fn email_is_unique_case_insensitively(app: &TestApp) {
    let sa = app.super_admin().await;
    let a = app.account(&sa, "Alpha", "admin@alpha.test").await;
    let b = app.account(&sa, "Beta", "admin@beta.test").await;
    app.user(&a.admin, "Dup@Example.org", "Dup One", "clinician")
        .await;
    for (token, email) in [
        (&a.admin, "dup@example.org"),
        (&a.admin, "DUP@EXAMPLE.ORG"),
        (&b.admin, " dup@Example.ORG "),
        (&b.admin, "admin@alpha.test"),
    ] {
        let r = app
            .post(
                "/api/users",
                Some(token),
                &json!({"email": email, "name": "Dup Two", "role": "clinician", "password": PW}),
            )
            .await;
        r.expect_detail(409, "Email already registered");
    }
    // Renaming onto a taken email is 409 too.
    let other = app
        .user(&a.admin, "other@example.org", "Other One", "clinician")
        .await;
    let r = app
        .put(
            &format!("/api/users/{other}"),
            Some(&a.admin),
            &json!({"email": "DUP@example.org"}),
        )
        .await;
    r.expect_detail(409, "Email already registered");
    let r = app.get("/api/users?search=dup", Some(&a.admin)).await;
    assert_eq!(r.array().len(), 1);
}

pub async fn list_filters_and_order(app: &TestApp) {
    let sa = app.super_admin().await;
    let c = app.account(&sa, "List Clinic", "admin@list.test").await;
    app.user(&c.admin, "zed@list.test", "Zed Zulu", "clinician")
        .await;
    app.user(&c.admin, "amy@list.test", "Amy Alpha", "physician")
        .await;
    app.user(&c.admin, "lab@list.test", "Lou Lab", "lab_tech")
        .await;
    app.user(&c.admin, "usr@list.test", "Una User", "user")
        .await;
    let off = app
        .user(&c.admin, "off@list.test", "Otto Off", "clinician")
        .await;
    app.put(
        &format!("/api/users/{off}"),
        Some(&c.admin),
        &json!({"is_active": false}),
    )
    .await
    .expect(200);
    let other = app.account(&sa, "Other", "admin@other.test").await;
    app.user(&other.admin, "zz@other.test", "Zara Other", "clinician")
        .await;

    let r = app.get("/api/users", Some(&c.admin)).await;
    let names: Vec<_> = r
        .array()
        .iter()
        .map(|u| u["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        names,
        [
            "Amy Alpha",
            "List Clinic Admin",
            "Lou Lab",
            "Otto Off",
            "Una User",
            "Zed Zulu"
        ],
        "by name, own account only"
    );
    for u in r.array() {
        assert_user_shape(u);
    }
    let r = app
        .get("/api/users?role=clinician,physician", Some(&c.admin))
        .await;
    let mut roles: Vec<_> = r
        .array()
        .iter()
        .map(|u| u["email"].as_str().unwrap().to_owned())
        .collect();
    roles.sort();
    assert_eq!(roles, ["amy@list.test", "off@list.test", "zed@list.test"]);
    let r = app.get("/api/users?role=lab_tech", Some(&c.admin)).await;
    assert_eq!(r.array().len(), 1);
    let r = app
        .get("/api/users?role=LAB_TECH,%20user", Some(&c.admin))
        .await;
    assert_eq!(r.array().len(), 2, "{}", r.text);
    let r = app.get("/api/users?role=wizard", Some(&c.admin)).await;
    r.expect_422_at(&["query", "role"]);
    // Search: substring of name or email, case-insensitive.
    let r = app.get("/api/users?search=ZULU", Some(&c.admin)).await;
    assert_eq!(r.array().len(), 1);
    let r = app.get("/api/users?search=LIST.TEST", Some(&c.admin)).await;
    assert_eq!(r.array().len(), 6);
    let r = app
        .get("/api/users?search=nothing-matches", Some(&c.admin))
        .await;
    assert!(r.array().is_empty());
    let r = app.get("/api/users?is_active=false", Some(&c.admin)).await;
    assert_eq!(ids(r.array()), [off.as_str()]);
    // Paging (style A).
    let r = app.get("/api/users?skip=1&limit=2", Some(&c.admin)).await;
    let names: Vec<_> = r.array().iter().map(|u| u["name"].clone()).collect();
    assert_eq!(names, [json!("List Clinic Admin"), json!("Lou Lab")]);
    let r = app.get("/api/users?offset=5", Some(&c.admin)).await;
    assert_eq!(r.array().len(), 1);
    for q in ["limit=0", "limit=101", "skip=-1"] {
        let r = app.get(&format!("/api/users?{q}"), Some(&c.admin)).await;
        assert_eq!(r.status, 422, "{q}: {}", r.text);
    }
    // A clinician reads the list; a lab tech may not.
    let clin = app.token("zed@list.test", PW).await;
    assert_eq!(app.get("/api/users", Some(&clin)).await.array().len(), 6);
    let lab = app.token("lab@list.test", PW).await;
    app.get("/api/users", Some(&lab))
        .await
        .expect_detail(403, "Not enough permissions");
    // The super admin sees everyone, filtered by account on demand.
    let r = app.get("/api/users", Some(&sa)).await;
    assert_eq!(r.array().len(), 9);
    let r = app
        .get(
            &format!("/api/users?account_id={}", other.account_id),
            Some(&sa),
        )
        .await;
    assert_eq!(r.array().len(), 2);
}

pub async fn self_update_rules(app: &TestApp) {
    let sa = app.super_admin().await;
    let c = app.account(&sa, "Self Clinic", "admin@self.test").await;
    let cid = app
        .user(&c.admin, "clin@self.test", "Cleo Clin", "clinician")
        .await;
    let clin = app.token("clin@self.test", PW).await;
    let path = format!("/api/users/{cid}");
    let r = app
        .put(&path, Some(&clin), &json!({"name": "Cleopatra Philopator"}))
        .await;
    let b = r.expect(200);
    assert_user_shape(b);
    assert_eq!(b["id"], cid.as_str());
    assert_eq!(b["name"], "Cleopatra Philopator");
    assert_eq!(b["first_name"], "Cleopatra");
    assert_eq!(b["last_name"], "Philopator");
    assert_eq!(b["role"], "clinician");
    assert_eq!(b["is_active"], true);
    assert_eq!(b["account_id"], c.account_id.as_str());
    let r = app
        .put(&path, Some(&clin), &json!({"last_name": "Seventh"}))
        .await;
    assert_eq!(r.expect(200)["name"], "Cleopatra Seventh");
    let r = app
        .put(&path, Some(&clin), &json!({"phone": "555 000 1111"}))
        .await;
    assert_eq!(r.expect(200)["phone"], "555 000 1111");
    let r = app.put(&path, Some(&clin), &json!({"phone": ""})).await;
    assert_eq!(r.expect(200)["phone"], Value::Null);
    // Echoing unchanged privileged fields is fine (the frontend compares the echo).
    let r = app
        .put(
            &path,
            Some(&clin),
            &json!({"role": "clinician", "is_active": true}),
        )
        .await;
    r.expect(200);
    // Own role and own activity: 403.
    let r = app.put(&path, Some(&clin), &json!({"role": "admin"})).await;
    assert_eq!(r.status, 403, "{}", r.text);
    assert!(
        r.body["detail"].as_str().unwrap().contains("role"),
        "names the field: {}",
        r.text
    );
    let r = app
        .put(&path, Some(&clin), &json!({"is_active": false}))
        .await;
    assert_eq!(r.status, 403, "{}", r.text);
    assert!(
        r.body["detail"].as_str().unwrap().contains("is_active"),
        "{}",
        r.text
    );
    let r = app
        .put(
            &format!("/api/users/{}", c.admin_id),
            Some(&c.admin),
            &json!({"role": "clinician"}),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.text);
    // A clinician may not edit someone else.
    let r = app
        .put(
            &format!("/api/users/{}", c.admin_id),
            Some(&clin),
            &json!({"name": "Hacked Name"}),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.text);
    let me = app.get("/api/auth/me", Some(&clin)).await;
    assert_eq!(me.expect(200)["role"], "clinician");
    // The self email change needs the current password (issue #6 item 3): a stolen access
    // token alone cannot move the account to an address whose reset links the thief reads.
    let r = app
        .put(&path, Some(&clin), &json!({"email": "Cleo.New@Self.test"}))
        .await;
    r.expect_422_at(&["body", "current_password"]);
    let r = app
        .put(
            &path,
            Some(&clin),
            &json!({"email": "Cleo.New@Self.test", "current_password": "not-my-password"}),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert!(app.emails_to("cleo.new@self.test").await.is_empty());
    let r = app
        .put(
            &path,
            Some(&clin),
            &json!({"email": "Cleo.New@Self.test", "current_password": PW}),
        )
        .await;
    assert_eq!(r.expect(200)["email"], "cleo.new@self.test");
    // The old address is told; the new email logs in.
    let told = app.emails_to("clin@self.test").await;
    assert!(
        told.iter().any(|m| m["subject"]
            .as_str()
            .unwrap_or_default()
            .contains("email address was changed")),
        "{told:?}"
    );
    app.token("cleo.new@self.test", PW).await;
    let clin = app.token("cleo.new@self.test", PW).await;
    // Validation.
    let r = app
        .put(&path, Some(&clin), &json!({"email": "broken"}))
        .await;
    r.expect_422_at(&["body", "email"]);
}

pub async fn admin_manages_users(app: &TestApp) {
    let sa = app.super_admin().await;
    let c = app.account(&sa, "Mgmt Clinic", "admin@mgmt.test").await;
    let cid = app
        .user(&c.admin, "clin@mgmt.test", "Cleo Clin", "clinician")
        .await;
    let path = format!("/api/users/{cid}");
    let r = app
        .put(
            &path,
            Some(&c.admin),
            &json!({"role": "Admin", "phone": "555-000-2222"}),
        )
        .await;
    let b = r.expect(200);
    assert_eq!(b["role"], "admin");
    assert_eq!(b["phone"], "555-000-2222");
    // Never to super_admin.
    let r = app
        .put(&path, Some(&c.admin), &json!({"role": "super_admin"}))
        .await;
    assert_eq!(r.status, 403, "{}", r.text);
    // Nor move it elsewhere.
    let other = app.account(&sa, "Other", "admin@other.test").await;
    let r = app
        .put(
            &path,
            Some(&c.admin),
            &json!({"account_id": other.account_id}),
        )
        .await;
    assert!(r.status == 403 || r.status == 404, "{}", r.text);
    assert_eq!(
        app.get(&path, Some(&sa)).await.expect(200)["account_id"],
        c.account_id.as_str()
    );
    let r = app.put(&path, Some(&c.admin), &json!({"role": ""})).await;
    r.expect_422_at(&["body", "role"]);
    // The admin sends a reset link.
    let r = app
        .post(
            &format!("/api/users/{cid}/password-reset"),
            Some(&c.admin),
            &json!({}),
        )
        .await;
    r.expect(200);
    app.reset_token_for("clin@mgmt.test").await;
}

pub async fn last_active_admin_is_protected(app: &TestApp) {
    let sa = app.super_admin().await;
    let c = app.account(&sa, "Last Clinic", "admin@last.test").await;
    let path = format!("/api/users/{}", c.admin_id);
    let r = app
        .put(&path, Some(&sa), &json!({"role": "clinician"}))
        .await;
    assert_eq!(r.status, 409, "{}", r.text);
    assert!(r.body["detail"].is_string());
    let r = app
        .put(&path, Some(&sa), &json!({"is_active": false}))
        .await;
    assert_eq!(r.status, 409, "{}", r.text);
    let r = app.delete(&path, Some(&sa)).await;
    assert_eq!(r.status, 409, "{}", r.text);
    assert_eq!(app.get(&path, Some(&sa)).await.expect(200)["role"], "admin");
    // With a second admin, the first may be demoted (by the other admin).
    let second = app
        .user(&c.admin, "admin2@last.test", "Second Admin", "admin")
        .await;
    let second_token = app.token("admin2@last.test", PW).await;
    let r = app
        .put(&path, Some(&second_token), &json!({"role": "clinician"}))
        .await;
    assert_eq!(r.expect(200)["role"], "clinician");
    // Now the second is the last one: deleting it is refused.
    let r = app.delete(&format!("/api/users/{second}"), Some(&sa)).await;
    assert_eq!(r.status, 409, "{}", r.text);
}

pub async fn delete_rules(app: &TestApp) {
    let sa = app.super_admin().await;
    let c = app.account(&sa, "Del Clinic", "admin@del.test").await;
    let r = app
        .delete(&format!("/api/users/{}", c.admin_id), Some(&c.admin))
        .await;
    assert_eq!(r.status, 403, "{}", r.text);
    let me = app.super_admin_id().await;
    let r = app.delete(&format!("/api/users/{me}"), Some(&sa)).await;
    assert_eq!(r.status, 403, "{}", r.text);
    let cid = app
        .user(&c.admin, "clin@del.test", "Cleo Clin", "clinician")
        .await;
    let clin_login = app.login_form("clin@del.test", PW).await;
    let clin = clin_login.str("access_token");
    // A clinician may not delete.
    let r = app
        .delete(&format!("/api/users/{}", c.admin_id), Some(&clin))
        .await;
    r.expect_detail(403, "Not enough permissions");
    let path = format!("/api/users/{cid}");
    let r = app.delete(&path, Some(&c.admin)).await;
    assert_eq!(
        r.expect(200),
        &json!({"message": "User successfully deleted", "status_code": 200, "data": {"user_id": cid}})
    );
    app.get(&path, Some(&c.admin)).await.expect(404);
    app.put(&path, Some(&c.admin), &json!({"name": "Ghost Name"}))
        .await
        .expect(404);
    app.delete(&path, Some(&c.admin)).await.expect(404);
    assert!(!ids(app.get("/api/users", Some(&c.admin)).await.array()).contains(&cid));
    // No login, tokens dead, email reusable.
    app.get("/api/auth/me", Some(&clin))
        .await
        .expect_detail(401, "Could not validate credentials");
    app.login_form("clin@del.test", PW)
        .await
        .expect_detail(401, "Incorrect username or password");
    let r = app
        .post(
            "/api/auth/refresh",
            None,
            &json!({"refresh_token": clin_login.str("refresh_token")}),
        )
        .await;
    assert_eq!(r.status, 401, "refresh of a deleted user: {}", r.text);
    let again = app
        .user(&c.admin, "clin@del.test", "Cleo Again", "clinician")
        .await;
    assert_ne!(again, cid);
    app.token("clin@del.test", PW).await;
    // Malformed ids are 404, not 422.
    app.delete("/api/users/not-a-uuid", Some(&c.admin))
        .await
        .expect(404);
    app.get("/api/users/not-a-uuid", Some(&c.admin))
        .await
        .expect(404);
}

pub async fn clinicians_list(app: &TestApp) {
    let sa = app.super_admin().await;
    let c = app.account(&sa, "Clin Clinic", "admin@clin.test").await;
    app.user(&c.admin, "c@clin.test", "Cara Clin", "clinician")
        .await;
    app.user(&c.admin, "p@clin.test", "Pia Phys", "physician")
        .await;
    app.user(&c.admin, "l@clin.test", "Lou Lab", "lab_tech")
        .await;
    app.user(&c.admin, "u@clin.test", "Una User", "user").await;
    let off = app
        .user(&c.admin, "off@clin.test", "Otto Off", "clinician")
        .await;
    app.put(
        &format!("/api/users/{off}"),
        Some(&c.admin),
        &json!({"is_active": false}),
    )
    .await
    .expect(200);
    let other = app.account(&sa, "Other", "admin@other.test").await;
    app.user(&other.admin, "c@other.test", "Cole Other", "clinician")
        .await;
    let clin = app.token("c@clin.test", PW).await;
    for token in [&c.admin, &clin] {
        let r = app.get("/api/clinicians", Some(token)).await;
        let mut got: Vec<_> = r
            .array()
            .iter()
            .map(|u| {
                (
                    u["email"].as_str().unwrap().to_owned(),
                    u["role"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        got.sort();
        assert_eq!(
            got,
            [
                ("admin@clin.test".to_owned(), "admin".to_owned()),
                ("c@clin.test".to_owned(), "clinician".to_owned()),
                ("p@clin.test".to_owned(), "physician".to_owned()),
            ]
        );
        for u in r.array() {
            assert_eq!(u["account_id"], c.account_id.as_str());
            assert_user_shape(u);
        }
        // A role filter cannot widen the list.
        let r = app.get("/api/clinicians?role=lab_tech", Some(token)).await;
        assert!(r.array().iter().all(|u| u["role"] != "lab_tech"));
    }
    let lab = app.token("l@clin.test", PW).await;
    app.get("/api/clinicians", Some(&lab))
        .await
        .expect_detail(403, "Not enough permissions");
    let r = app.get("/api/clinicians", Some(&sa)).await;
    assert_eq!(r.array().len(), 5);
    let r = app
        .get(
            &format!("/api/clinicians?account_id={}", other.account_id),
            Some(&sa),
        )
        .await;
    assert_eq!(r.array().len(), 2);
}

impl TestApp {
    /// The super admin's id.
    pub async fn super_admin_id(&self) -> String {
        let t = self.token(crate::helpers::SA_EMAIL, PW).await;
        self.get("/api/auth/me", Some(&t)).await.str("id")
    }
}

pub async fn patient_role_user_is_its_patient_record(app: &TestApp) {
    let sa = app.super_admin().await;
    let c = app.account(&sa, "Pr Clinic", "admin@pr.test").await;
    let cid = app
        .user(&c.admin, "clin@pr.test", "Cleo Clin", "clinician")
        .await;
    let clin = app.token("clin@pr.test", PW).await;
    // An existing patient without a login: the user takes the patient's id.
    let p = app.patient(&clin, "Pat", "Existing", "pat@pr.test").await;
    let pid = p["id"].as_str().unwrap().to_owned();
    let r = app
        .post(
            "/api/users",
            Some(&c.admin),
            &json!({"email": "PAT@pr.test", "name": "Pat Existing", "role": "patient", "password": PW,
                    "clinician_id": cid}),
        )
        .await;
    assert_eq!(r.expect(201)["id"], pid.as_str());
    let g = app.get(&format!("/api/patients/{pid}"), Some(&clin)).await;
    assert_eq!(g.expect(200)["has_login"], true);
    let pt = app.token("pat@pr.test", PW).await;
    let me = app.get("/api/auth/me", Some(&pt)).await;
    let b = me.expect(200);
    assert_eq!(b["role"], "patient");
    assert_eq!(b["id"], pid.as_str());
    assert_eq!(b["patient_id"], pid.as_str());
    // The patient reaches its own record only.
    app.get(&format!("/api/patients/{pid}"), Some(&pt))
        .await
        .expect(200);
    let other = app
        .patient(&clin, "Other", "Patient", "other@pr.test")
        .await;
    app.get(
        &format!("/api/patients/{}", other["id"].as_str().unwrap()),
        Some(&pt),
    )
    .await
    .expect(404);
    app.get("/api/patients", Some(&pt))
        .await
        .expect_detail(403, "Not enough permissions");
    app.put(
        &format!("/api/patients/{pid}"),
        Some(&pt),
        &json!({"notes": "x"}),
    )
    .await
    .expect_detail(403, "Not enough permissions");
    // No patient yet: one is created with the same id.
    let r = app
        .post(
            "/api/users",
            Some(&c.admin),
            &json!({"email": "new@pr.test", "first_name": "Nina", "last_name": "New", "role": "patient", "password": PW}),
        )
        .await;
    let uid = r.expect(201)["id"].as_str().unwrap().to_owned();
    let g = app.get(&format!("/api/patients/{uid}"), Some(&clin)).await;
    let b = g.expect(200);
    assert_eq!(b["email"], "new@pr.test");
    assert_eq!(b["status"], "active");
    assert_eq!(b["has_login"], true);
}

pub async fn lab_tech_reads_only_itself(app: &TestApp) {
    let sa = app.super_admin().await;
    let c = app.account(&sa, "Lt Clinic", "admin@lt.test").await;
    let lid = app
        .user(&c.admin, "lab@lt.test", "Lou Lab", "lab_tech")
        .await;
    let lab = app.token("lab@lt.test", PW).await;
    app.get(&format!("/api/users/{lid}"), Some(&lab))
        .await
        .expect(200);
    let r = app
        .get(&format!("/api/users/{}", c.admin_id), Some(&lab))
        .await;
    assert_eq!(r.status, 404, "{}", r.text);
    let r = app
        .put(
            &format!("/api/users/{lid}"),
            Some(&lab),
            &json!({"name": "Lou Labrat"}),
        )
        .await;
    assert_eq!(r.expect(200)["name"], "Lou Labrat");
    let r = app
        .get(&format!("/api/accounts/{}", c.account_id), Some(&lab))
        .await;
    assert_eq!(r.expect(200)["id"], c.account_id.as_str());
}
