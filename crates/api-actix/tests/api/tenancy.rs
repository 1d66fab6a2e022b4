//! Tenancy (contract §2.2): another account's records answer 404 exactly as if they did not
//! exist, list filters with another account's ids match nothing, a super admin sees all.

use crate::helpers::{PW, TestApp, ids};
use serde_json::json;

pub async fn patients_of_another_account_are_404(app: &TestApp) {
    let t = app.tenancy().await;
    let (a, b) = (&t.a, &t.b);
    let theirs = format!("/api/patients/{}", b.patient_id);
    let unknown = format!("/api/patients/{}", uuid::Uuid::new_v4());
    for token in [&a.admin, &a.clinician] {
        let foreign = app.get(&theirs, Some(token)).await;
        let missing = app.get(&unknown, Some(token)).await;
        foreign.expect(404);
        assert_eq!(foreign.body, missing.body, "same body as a missing record");
        app.put(&theirs, Some(token), &json!({"first_name": "Hacked"}))
            .await
            .expect(404);
        app.get(&format!("{theirs}/invites"), Some(token))
            .await
            .expect(404);
    }
    app.delete(&theirs, Some(&a.admin)).await.expect(404);
    // B's patient is intact.
    let r = app.get(&theirs, Some(&b.admin)).await;
    let p = r.expect(200);
    assert_eq!(p["first_name"], "Pat");
    assert_eq!(p["last_name"], "Ofbeta");
    // Own patient reachable.
    app.get(
        &format!("/api/patients/{}", a.patient_id),
        Some(&a.clinician),
    )
    .await
    .expect(200);
}

pub async fn patient_lists_stay_in_the_account(app: &TestApp) {
    let t = app.tenancy().await;
    let (a, b) = (&t.a, &t.b);
    for token in [&a.admin, &a.clinician] {
        let r = app.get("/api/patients", Some(token)).await;
        assert_eq!(ids(r.array()), [a.patient_id.as_str()]);
        // Filters naming the other account's ids match nothing.
        for q in [
            format!("clinician_id={}", b.clinician_id),
            format!("account_id={}", b.account_id),
            "query=ofbeta".to_owned(),
            "search=beta.test".to_owned(),
        ] {
            let r = app.get(&format!("/api/patients?{q}"), Some(token)).await;
            assert_eq!(r.status, 200, "{q}: {}", r.text);
            assert!(r.array().is_empty(), "{q}: {}", r.text);
        }
        // Naming one's own account is fine.
        let r = app
            .get(
                &format!("/api/patients?account_id={}", a.account_id),
                Some(token),
            )
            .await;
        assert_eq!(ids(r.array()), [a.patient_id.as_str()]);
    }
    // The super admin sees all, and filters by account.
    let r = app.get("/api/patients", Some(&t.sa)).await;
    let mut all = ids(r.array());
    all.sort();
    let mut expected = vec![a.patient_id.clone(), b.patient_id.clone()];
    expected.sort();
    assert_eq!(all, expected);
    let r = app
        .get(
            &format!("/api/patients?account_id={}", b.account_id),
            Some(&t.sa),
        )
        .await;
    assert_eq!(ids(r.array()), [b.patient_id.as_str()]);
    let r = app
        .get(
            &format!("/api/patients?clinician_id={}", a.clinician_id),
            Some(&t.sa),
        )
        .await;
    assert_eq!(ids(r.array()), [a.patient_id.as_str()]);
    for id in [&a.patient_id, &b.patient_id] {
        app.get(&format!("/api/patients/{id}"), Some(&t.sa))
            .await
            .expect(200);
    }
}

pub async fn patient_writes_cannot_cross_accounts(app: &TestApp) {
    let t = app.tenancy().await;
    let (a, b) = (&t.a, &t.b);
    // A body account_id of another account: 404 "Account not found".
    let r = app
        .post(
            "/api/patients",
            Some(&a.admin),
            &json!({"first_name": "X", "last_name": "Y", "email": "x@cross.test", "account_id": b.account_id}),
        )
        .await;
    r.expect_detail(404, "Account not found");
    // A clinician of another account: 404.
    let r = app
        .post(
            "/api/patients",
            Some(&a.admin),
            &json!({"first_name": "X", "last_name": "Y", "email": "x@cross.test", "clinician_id": b.clinician_id}),
        )
        .await;
    assert_eq!(r.status, 404, "{}", r.text);
    let r = app
        .put(
            &format!("/api/patients/{}", a.patient_id),
            Some(&a.admin),
            &json!({"clinician_id": b.clinician_id}),
        )
        .await;
    assert_eq!(r.status, 404, "{}", r.text);
    let r = app
        .post(
            "/api/patients/bulk",
            Some(&a.admin),
            &json!({"clinician_id": b.clinician_id, "patients": [{"first_name": "X", "last_name": "Y", "email": "x@cross.test"}]}),
        )
        .await;
    assert_eq!(r.status, 404, "{}", r.text);
    let r = app
        .post(
            "/api/patients/bulk",
            Some(&a.admin),
            &json!({"account_id": b.account_id, "patients": [{"first_name": "X", "last_name": "Y", "email": "x@cross.test"}]}),
        )
        .await;
    assert_eq!(r.status, 404, "{}", r.text);
    let r = app
        .import_csv(
            &a.admin,
            "p.csv",
            b"email,first_name,last_name\nx@cross.test,X,Y\n",
            &[("account_id", b.account_id.as_str())],
        )
        .await;
    assert_eq!(r.status, 404, "{}", r.text);
    let r = app
        .import_csv(
            &a.admin,
            "p.csv",
            b"email,first_name,last_name\nx@cross.test,X,Y\n",
            &[("clinician_id", b.clinician_id.as_str())],
        )
        .await;
    assert_eq!(r.status, 404, "{}", r.text);
    // Nothing was created anywhere.
    assert_eq!(app.get("/api/patients", Some(&t.sa)).await.array().len(), 2);
    // The super admin may not attach a clinician of another account either.
    let r = app
        .post(
            "/api/patients",
            Some(&t.sa),
            &json!({"first_name": "X", "last_name": "Y", "email": "x@cross.test",
                    "account_id": a.account_id, "clinician_id": b.clinician_id}),
        )
        .await;
    assert_eq!(r.status, 404, "{}", r.text);
}

pub async fn users_of_another_account_are_404(app: &TestApp) {
    let t = app.tenancy().await;
    let (a, b) = (&t.a, &t.b);
    let unknown = format!("/api/users/{}", uuid::Uuid::new_v4());
    for their in [&b.admin_id, &b.clinician_id] {
        let path = format!("/api/users/{their}");
        for token in [&a.admin, &a.clinician] {
            let foreign = app.get(&path, Some(token)).await;
            foreign.expect(404);
            assert_eq!(foreign.body, app.get(&unknown, Some(token)).await.body);
        }
        app.put(&path, Some(&a.admin), &json!({"name": "Hacked Name"}))
            .await
            .expect(404);
        app.put(&path, Some(&a.admin), &json!({"is_active": false}))
            .await
            .expect(404);
        app.delete(&path, Some(&a.admin)).await.expect(404);
        app.post(
            &format!("{path}/password-reset"),
            Some(&a.admin),
            &json!({}),
        )
        .await
        .expect(404);
    }
    // No reset email went to B's users.
    assert!(app.emails_to("admin@beta.test").await.is_empty());
    assert!(app.emails_to("clin@beta.test").await.is_empty());
    // Still intact.
    app.get("/api/auth/me", Some(&b.clinician))
        .await
        .expect(200);
    assert_eq!(
        app.get(&format!("/api/users/{}", b.clinician_id), Some(&b.admin))
            .await
            .expect(200)["name"],
        "Clin beta"
    );
    // The super admin's record is invisible to an admin too.
    let sa_id = app.super_admin_id().await;
    app.get(&format!("/api/users/{sa_id}"), Some(&a.admin))
        .await
        .expect(404);
    app.delete(&format!("/api/users/{sa_id}"), Some(&a.admin))
        .await
        .expect(404);
    // A user may not be created for another account's clinician.
    let r = app
        .post(
            "/api/users",
            Some(&a.admin),
            &json!({"email": "pt@alpha.test", "name": "Pat Ient", "role": "patient", "password": PW,
                    "clinician_id": b.clinician_id}),
        )
        .await;
    assert_eq!(r.status, 404, "{}", r.text);
}

pub async fn user_lists_stay_in_the_account(app: &TestApp) {
    let t = app.tenancy().await;
    let (a, b) = (&t.a, &t.b);
    for token in [&a.admin, &a.clinician] {
        let mut got = ids(app.get("/api/users", Some(token)).await.array());
        got.sort();
        let mut expected = vec![a.admin_id.clone(), a.clinician_id.clone()];
        expected.sort();
        assert_eq!(got, expected);
        let mut got = ids(app.get("/api/clinicians", Some(token)).await.array());
        got.sort();
        assert_eq!(got, expected);
        for route in ["/api/users", "/api/clinicians"] {
            for q in [
                format!("account_id={}", b.account_id),
                "search=beta".to_owned(),
            ] {
                let r = app.get(&format!("{route}?{q}"), Some(token)).await;
                assert_eq!(r.status, 200, "{route}?{q}: {}", r.text);
                assert!(r.array().is_empty(), "{route}?{q}: {}", r.text);
            }
        }
    }
    let r = app.get("/api/users", Some(&t.sa)).await;
    assert_eq!(r.array().len(), 5, "super admin sees all: {}", r.text);
    let r = app
        .get(
            &format!("/api/users?account_id={}", b.account_id),
            Some(&t.sa),
        )
        .await;
    let mut got = ids(r.array());
    got.sort();
    let mut expected = vec![b.admin_id.clone(), b.clinician_id.clone()];
    expected.sort();
    assert_eq!(got, expected);
}

pub async fn user_writes_cannot_cross_accounts(app: &TestApp) {
    let t = app.tenancy().await;
    let (a, b) = (&t.a, &t.b);
    // Moving one's own user into the other account is refused; only a super admin moves users.
    let r = app
        .put(
            &format!("/api/users/{}", a.clinician_id),
            Some(&a.admin),
            &json!({"account_id": b.account_id}),
        )
        .await;
    assert!(r.status == 403 || r.status == 404, "{}", r.text);
    let r = app
        .put(
            &format!("/api/users/{}", a.clinician_id),
            Some(&a.admin),
            &json!({"clinician_id": b.clinician_id}),
        )
        .await;
    assert_eq!(r.status, 404, "{}", r.text);
    assert_eq!(
        app.get(&format!("/api/users/{}", a.clinician_id), Some(&t.sa))
            .await
            .expect(200)["account_id"],
        a.account_id.as_str()
    );
    // The super admin may move a user; then the user sees the new account's data only.
    let r = app
        .put(
            &format!("/api/users/{}", a.clinician_id),
            Some(&t.sa),
            &json!({"account_id": b.account_id}),
        )
        .await;
    assert_eq!(r.expect(200)["account_id"], b.account_id.as_str());
    let me = app.get("/api/auth/me", Some(&a.clinician)).await;
    assert_eq!(me.expect(200)["account_id"], b.account_id.as_str());
    let r = app.get("/api/patients", Some(&a.clinician)).await;
    assert_eq!(ids(r.array()), [b.patient_id.as_str()]);
    app.get(
        &format!("/api/patients/{}", a.patient_id),
        Some(&a.clinician),
    )
    .await
    .expect(404);
}

pub async fn accounts_of_another_account_are_404(app: &TestApp) {
    let t = app.tenancy().await;
    let (a, b) = (&t.a, &t.b);
    let theirs = format!("/api/accounts/{}", b.account_id);
    for token in [&a.admin, &a.clinician] {
        let foreign = app.get(&theirs, Some(token)).await;
        foreign.expect(404);
        let unknown = app
            .get(
                &format!("/api/accounts/{}", uuid::Uuid::new_v4()),
                Some(token),
            )
            .await;
        assert_eq!(foreign.body, unknown.body);
    }
    let r = app
        .put(&theirs, Some(&a.admin), &json!({"name": "Hijacked"}))
        .await;
    assert_eq!(r.status, 404, "{}", r.text);
    let r = app.delete(&theirs, Some(&a.admin)).await;
    // The role check comes first: an admin may not delete accounts at all.
    r.expect_detail(403, "Not enough permissions");
    let r = app.get(&theirs, Some(&b.admin)).await;
    assert_eq!(r.expect(200)["name"], "Clinic beta");
    let r = app.get("/api/accounts?name=beta", Some(&a.admin)).await;
    assert!(r.array().is_empty(), "{}", r.text);
    for id in [&a.account_id, &b.account_id] {
        app.get(&format!("/api/accounts/{id}"), Some(&t.sa))
            .await
            .expect(200);
    }
}

pub async fn role_check_comes_before_the_id(app: &TestApp) {
    let t = app.tenancy().await;
    let (a, b) = (&t.a, &t.b);
    // A clinician deleting a patient of another account: 403 (role), not 404.
    app.delete(
        &format!("/api/patients/{}", b.patient_id),
        Some(&a.clinician),
    )
    .await
    .expect_detail(403, "Not enough permissions");
    app.delete(&format!("/api/users/{}", b.admin_id), Some(&a.clinician))
        .await
        .expect_detail(403, "Not enough permissions");
    app.post(
        &format!("/api/users/{}/password-reset", b.admin_id),
        Some(&a.clinician),
        &json!({}),
    )
    .await
    .expect_detail(403, "Not enough permissions");
}

pub async fn logout_cannot_revoke_another_users_refresh_token(app: &TestApp) {
    let t = app.tenancy().await;
    let theirs = app
        .login_form("clin@beta.test", PW)
        .await
        .str("refresh_token");
    app.post(
        "/api/auth/logout",
        Some(&t.a.clinician),
        &json!({"refresh_token": theirs}),
    )
    .await
    .expect(200);
    app.post("/api/auth/refresh", None, &json!({"refresh_token": theirs}))
        .await
        .expect(200);
}

/// Search terms are literal text: `%` and `_` are not wildcards (no LIKE injection).
pub async fn search_wildcards_are_literal(app: &TestApp) {
    let t = app.tenancy().await;
    for (path, token) in [
        ("/api/users", &t.a.admin),
        ("/api/users", &t.sa),
        ("/api/patients", &t.a.admin),
        ("/api/patients", &t.sa),
    ] {
        for q in ["%25", "_", "%25%25", "a%25a"] {
            let key = if path == "/api/users" {
                "search"
            } else {
                "query"
            };
            let r = app.get(&format!("{path}?{key}={q}"), Some(token)).await;
            assert_eq!(r.status, 200, "{path}?{key}={q}: {}", r.text);
            assert!(r.array().is_empty(), "{path}?{key}={q} matched: {}", r.text);
        }
    }
}

/// Rule 2.2.6 also before the body is read: a role that may never use the route gets 403 even
/// with a malformed id or an invalid body.
pub async fn role_check_comes_before_ids_and_bodies(app: &TestApp) {
    let t = app.tenancy().await;
    app.user(&t.a.admin, "lab3@alpha.test", "Lab Three", "lab_tech")
        .await;
    let lab = app.token("lab3@alpha.test", PW).await;
    for r in [
        app.post("/api/patients/bulk", Some(&lab), &json!({})).await,
        app.post(
            "/api/patients",
            Some(&lab),
            &json!({"account_id": "not-a-uuid"}),
        )
        .await,
        app.post("/api/users", Some(&lab), &json!({"role": "super_admin"}))
            .await,
        app.post("/api/admin/create_account", Some(&t.a.admin), &json!({}))
            .await,
        app.delete("/api/patients/not-a-uuid", Some(&t.a.clinician))
            .await,
        app.delete("/api/accounts/not-a-uuid", Some(&t.a.admin))
            .await,
    ] {
        r.expect_detail(403, "Not enough permissions");
    }
}
