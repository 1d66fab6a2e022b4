//! Permission sweeps (contract §2.3, §1.4): every protected route needs a token (checked before
//! the body), and each role gets exactly its column of the matrix.

use crate::helpers::{PW, TestApp};
use reqwest::Method;
use serde_json::json;

/// Every protected route of this build, with a body where one is expected.
fn protected_routes(id: &str) -> Vec<(Method, String)> {
    vec![
        (Method::GET, "/api/auth/me".into()),
        (Method::POST, "/api/auth/logout".into()),
        (Method::POST, "/api/auth/change-password".into()),
        (Method::POST, "/api/admin/create_account".into()),
        (Method::GET, "/api/accounts".into()),
        (Method::POST, "/api/accounts".into()),
        (Method::GET, format!("/api/accounts/{id}")),
        (Method::PUT, format!("/api/accounts/{id}")),
        (Method::DELETE, format!("/api/accounts/{id}")),
        (Method::GET, "/api/users".into()),
        (Method::POST, "/api/users".into()),
        (Method::POST, "/api/account/create_user".into()),
        (Method::GET, format!("/api/users/{id}")),
        (Method::PUT, format!("/api/users/{id}")),
        (Method::DELETE, format!("/api/users/{id}")),
        (Method::POST, format!("/api/users/{id}/password-reset")),
        (Method::GET, "/api/clinicians".into()),
        (Method::GET, "/api/patients".into()),
        (Method::POST, "/api/patients".into()),
        (Method::POST, "/api/patients/import-csv".into()),
        (Method::POST, "/api/patients/bulk".into()),
        (Method::GET, format!("/api/patients/{id}")),
        (Method::PUT, format!("/api/patients/{id}")),
        (Method::DELETE, format!("/api/patients/{id}")),
        (Method::GET, format!("/api/patients/{id}/invites")),
        (
            Method::GET,
            format!("/api/eligibility/export/{id}?format=canrisk4"),
        ),
        (Method::POST, "/api/generate_invite".into()),
        (Method::POST, "/api/bulk_invite".into()),
        (Method::GET, "/api/invites".into()),
        (Method::GET, format!("/api/invites/{id}")),
        (Method::DELETE, format!("/api/invites/{id}")),
        (Method::POST, format!("/api/invites/{id}/resend")),
        (Method::POST, "/api/resend_invite".into()),
        (Method::DELETE, format!("/api/revoke/{id}")),
        (Method::GET, format!("/api/pending/{id}")),
        (Method::POST, "/api/labs/order_test".into()),
        (Method::POST, "/api/lab-tests/order".into()),
        (Method::GET, format!("/api/labs/results/{id}")),
        (Method::POST, format!("/api/labs/results/{id}")),
        (Method::POST, format!("/api/labs/review_result/{id}")),
        (Method::GET, "/api/labs/orders".into()),
        (Method::GET, format!("/api/labs/orders/{id}")),
        (Method::PUT, format!("/api/labs/orders/{id}/status")),
        (Method::GET, format!("/api/labs/patient/{id}/orders")),
        (Method::GET, format!("/api/labs/clinician/{id}/orders")),
        (Method::GET, "/api/labs/available_tests".into()),
    ]
}

pub async fn every_protected_route_requires_a_token(app: &TestApp) {
    let id = uuid::Uuid::new_v4().to_string();
    let mut wrong = Vec::new();
    for (method, path) in protected_routes(&id) {
        // No header, and an undecodable body: the missing token wins.
        let r = app
            .send(
                app.client
                    .request(method.clone(), app.url(&path))
                    .header("content-type", "application/json")
                    .body("{broken"),
            )
            .await;
        if r.status != 401
            || r.body != json!({"detail": "Not authenticated"})
            || r.header("www-authenticate").as_deref() != Some("Bearer")
        {
            wrong.push(format!(
                "no token: {method} {path} -> {} {}",
                r.status, r.text
            ));
        }
        let r = app
            .send(
                app.client
                    .request(method.clone(), app.url(&path))
                    .bearer_auth("not.a.token")
                    .body("{broken"),
            )
            .await;
        if r.status != 401 || r.body != json!({"detail": "Could not validate credentials"}) {
            wrong.push(format!(
                "bad token: {method} {path} -> {} {}",
                r.status, r.text
            ));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// Roles without the right get 403 whatever the id (rule 2.2.6); `lab_tech` and `user` reach only
/// themselves and their account.
pub async fn roles_get_their_column(app: &TestApp) {
    let sa = app.super_admin().await;
    let c = app.account(&sa, "Matrix Clinic", "admin@matrix.test").await;
    let p = app.patient(&c.admin, "Mat", "Rix", "mat@matrix.test").await;
    let pid = p["id"].as_str().unwrap().to_owned();
    let clin_id = app
        .user(&c.admin, "clin@matrix.test", "Cleo Clin", "clinician")
        .await;
    let phys_id = app
        .user(&c.admin, "phys@matrix.test", "Phil Phys", "physician")
        .await;
    let lab_id = app
        .user(&c.admin, "lab@matrix.test", "Lou Lab", "lab_tech")
        .await;
    let user_id = app
        .user(&c.admin, "user@matrix.test", "Una User", "user")
        .await;
    let acc = c.account_id.clone();
    let new_patient = json!({"first_name": "N", "last_name": "P", "email": "np@matrix.test"});
    let new_user =
        json!({"email": "nu@matrix.test", "name": "New User", "role": "user", "password": PW});
    let bulk = json!({"patients": [new_patient.clone()]});
    // (method, path, body, [clinician, physician, lab_tech, user]). A lab_tech or user cannot
    // see other users at all, so editing one answers 404, as for a record that does not exist.
    let table: Vec<(Method, String, serde_json::Value, [u16; 4])> = vec![
        (
            Method::GET,
            "/api/accounts".into(),
            json!(null),
            [403, 403, 403, 403],
        ),
        (
            Method::GET,
            format!("/api/accounts/{acc}"),
            json!(null),
            [200, 200, 200, 200],
        ),
        (
            Method::PUT,
            format!("/api/accounts/{acc}"),
            json!({"name": "X"}),
            [403, 403, 403, 403],
        ),
        (
            Method::DELETE,
            format!("/api/accounts/{acc}"),
            json!(null),
            [403, 403, 403, 403],
        ),
        (
            Method::GET,
            "/api/users".into(),
            json!(null),
            [200, 200, 403, 403],
        ),
        (
            Method::POST,
            "/api/users".into(),
            new_user.clone(),
            [403, 403, 403, 403],
        ),
        (
            Method::POST,
            "/api/account/create_user".into(),
            new_user,
            [403, 403, 403, 403],
        ),
        (
            Method::GET,
            format!("/api/users/{}", c.admin_id),
            json!(null),
            [200, 200, 404, 404],
        ),
        (
            Method::PUT,
            format!("/api/users/{}", c.admin_id),
            json!({"name": "Hacked Admin"}),
            [403, 403, 404, 404],
        ),
        (
            Method::DELETE,
            format!("/api/users/{}", c.admin_id),
            json!(null),
            [403, 403, 403, 403],
        ),
        (
            Method::POST,
            format!("/api/users/{}/password-reset", c.admin_id),
            json!({}),
            [403, 403, 403, 403],
        ),
        (
            Method::GET,
            "/api/clinicians".into(),
            json!(null),
            [200, 200, 403, 403],
        ),
        (
            Method::GET,
            "/api/patients".into(),
            json!(null),
            [200, 200, 403, 403],
        ),
        (
            Method::POST,
            "/api/patients/bulk".into(),
            bulk,
            [200, 200, 403, 403],
        ),
        (
            Method::GET,
            format!("/api/patients/{pid}"),
            json!(null),
            [200, 200, 403, 403],
        ),
        (
            Method::PUT,
            format!("/api/patients/{pid}"),
            json!({"notes": "n"}),
            [200, 200, 403, 403],
        ),
        (
            Method::GET,
            format!("/api/patients/{pid}/invites"),
            json!(null),
            [200, 200, 403, 403],
        ),
        (
            Method::DELETE,
            format!("/api/patients/{pid}"),
            json!(null),
            [403, 403, 403, 403],
        ),
        // Invites: the care team of the account.
        (
            Method::POST,
            "/api/generate_invite".into(),
            json!({"patient_id": pid}),
            [200, 200, 403, 403],
        ),
        (
            Method::POST,
            "/api/bulk_invite".into(),
            json!({"send_emails": false, "patients": [{"patient_id": pid}]}),
            [200, 200, 403, 403],
        ),
        (
            Method::GET,
            "/api/invites".into(),
            json!(null),
            [200, 200, 403, 403],
        ),
        (
            Method::GET,
            format!("/api/pending/{clin_id}"),
            json!(null),
            [200, 200, 403, 403],
        ),
        (
            Method::GET,
            format!("/api/invites/{}", uuid::Uuid::nil()),
            json!(null),
            [404, 404, 403, 403],
        ),
        (
            Method::POST,
            format!("/api/invites/{}/resend", uuid::Uuid::nil()),
            json!({}),
            [404, 404, 403, 403],
        ),
        (
            Method::DELETE,
            format!("/api/revoke/{}", uuid::Uuid::nil()),
            json!(null),
            [404, 404, 403, 403],
        ),
        // Care team only; the patient has no assessment, hence 404 for those who may ask.
        (
            Method::GET,
            format!("/api/eligibility/export/{pid}?format=canrisk4"),
            json!(null),
            [404, 404, 403, 403],
        ),
    ];
    let emails = [
        "clin@matrix.test",
        "phys@matrix.test",
        "lab@matrix.test",
        "user@matrix.test",
    ];
    let mut tokens = Vec::new();
    for e in emails {
        tokens.push(app.token(e, PW).await);
    }
    let mut wrong = Vec::new();
    for (method, path, body, expected) in &table {
        for (i, token) in tokens.iter().enumerate() {
            let mut rb = app
                .client
                .request(method.clone(), app.url(path))
                .bearer_auth(token);
            if !body.is_null() {
                rb = rb.json(body);
            }
            let r = app.send(rb).await;
            if r.status != expected[i] {
                wrong.push(format!(
                    "{} {method} {path}: {} (expected {}) {}",
                    emails[i], r.status, expected[i], r.text
                ));
            }
            if r.status == 403 && r.body != json!({"detail": "Not enough permissions"}) {
                wrong.push(format!(
                    "{} {method} {path}: 403 body {}",
                    emails[i], r.text
                ));
            }
        }
    }
    // Everyone reads and edits themselves.
    for (token, id) in tokens.iter().zip([&clin_id, &phys_id, &lab_id, &user_id]) {
        let r = app.get(&format!("/api/users/{id}"), Some(token)).await;
        if r.status != 200 {
            wrong.push(format!("self read {id}: {} {}", r.status, r.text));
        }
        let r = app
            .put(
                &format!("/api/users/{id}"),
                Some(token),
                &json!({"phone": "555-000-9999"}),
            )
            .await;
        if r.status != 200 {
            wrong.push(format!("self update {id}: {} {}", r.status, r.text));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
    // The patient is still there (the 200 PUTs aside).
    app.get(&format!("/api/patients/{pid}"), Some(&c.admin))
        .await
        .expect(200);
}
