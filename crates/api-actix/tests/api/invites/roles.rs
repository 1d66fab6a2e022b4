//! Who may invite, and where (contract §2.2, §2.3 "Invites" row, §3.4 generate).

use super::{DOB, access, invite, token_of};
use crate::helpers::{PW, TestApp};
use reqwest::Method;
use serde_json::{Value, json};

/// The care team of the account and the super admin invite; other accounts' patients, invites
/// and providers are 404; lab techs, users, patients (and simplified tokens) are 403 on every
/// invite route, before any id or body is read.
pub async fn who_may_invite_and_where(app: &TestApp) {
    let t = app.tenancy().await;
    let (a, b) = (&t.a, &t.b);
    // The clinician's own patient: 200, the clinician is the default provider.
    let mine = invite(app, &a.clinician, &a.patient_id).await;
    assert_eq!(mine["provider_id"], a.clinician_id.as_str());
    assert_eq!(mine["provider_name"], "Clin alpha");
    assert_eq!(mine["patient_id"], a.patient_id.as_str());
    // The admin is a provider too.
    let by_admin = invite(app, &a.admin, &a.patient_id).await;
    assert_eq!(by_admin["provider_id"], a.admin_id.as_str());
    // Another account's patient, invite or provider: 404, as if it did not exist.
    let theirs = invite(app, &b.admin, &b.patient_id).await;
    let theirs_id = theirs["id"].as_str().unwrap();
    app.post(
        "/api/generate_invite",
        Some(&a.clinician),
        &json!({"patient_id": b.patient_id}),
    )
    .await
    .expect_detail(404, "Patient not found");
    for (method, path) in [
        (Method::GET, format!("/api/invites/{theirs_id}")),
        (Method::DELETE, format!("/api/invites/{theirs_id}")),
        (Method::DELETE, format!("/api/revoke/{theirs_id}")),
        (Method::POST, format!("/api/invites/{theirs_id}/resend")),
    ] {
        let r = app
            .send(
                app.client
                    .request(method.clone(), app.url(&path))
                    .bearer_auth(&a.admin),
            )
            .await;
        r.expect_detail(404, "Invite not found");
    }
    app.post(
        "/api/resend_invite",
        Some(&a.admin),
        &json!({"invite_id": theirs_id}),
    )
    .await
    .expect_detail(404, "Invite not found");
    app.post(
        "/api/generate_invite",
        Some(&a.admin),
        &json!({"patient_id": a.patient_id, "provider_id": b.clinician_id}),
    )
    .await
    .expect_detail(404, "Provider not found");
    // Lists stay in the account; an account filter outside it matches nothing.
    let list = app.get("/api/invites", Some(&a.admin)).await;
    let ids: Vec<&str> = list.expect(200)["invites"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert!(!ids.contains(&theirs_id), "{ids:?}");
    assert_eq!(list.body["total"], 2);
    let r = app
        .get(
            &format!("/api/invites?account_id={}", b.account_id),
            Some(&a.admin),
        )
        .await;
    assert_eq!(r.expect(200)["total_count"], 0);
    assert_eq!(
        app.get(&format!("/api/pending/{}", b.admin_id), Some(&a.admin))
            .await
            .expect(200),
        &json!([])
    );
    // The super admin reaches every account, and filters by one.
    let r = app
        .get(
            &format!("/api/invites?account_id={}", b.account_id),
            Some(&t.sa),
        )
        .await;
    assert_eq!(r.expect(200)["total"], 1);
    assert_eq!(r.body["invites"][0]["id"], theirs_id);
    app.get(&format!("/api/invites/{theirs_id}"), Some(&t.sa))
        .await
        .expect(200);

    // Roles without the right: 403 whatever the id or body.
    let lab = app
        .user(&a.admin, "lab@alpha.test", "Lou Lab", "lab_tech")
        .await;
    let _ = lab;
    app.user(&a.admin, "user@alpha.test", "Una User", "user")
        .await;
    let pat_login = app
        .post(
            "/api/users",
            Some(&a.admin),
            &json!({"email": "login@alpha.test", "name": "Lo Gin", "role": "patient", "password": PW}),
        )
        .await;
    pat_login.expect(201);
    let mut tokens = Vec::new();
    for email in ["lab@alpha.test", "user@alpha.test", "login@alpha.test"] {
        tokens.push((email.to_owned(), app.token(email, PW).await, None));
    }
    // A simplified token: 403 with its own code.
    let p = app
        .patient(&a.clinician, "Sim", "Plified", "sim@alpha.test")
        .await;
    let sim = invite(app, &a.clinician, p["id"].as_str().unwrap()).await;
    let s = access(app, &token_of(&sim), "Sim", "Plified", DOB).await;
    tokens.push((
        "simplified".into(),
        s.str("access_token"),
        Some("SIMPLIFIED_ACCESS_RESTRICTED"),
    ));
    let mine_id = mine["id"].as_str().unwrap();
    let routes: Vec<(Method, String, Value)> = vec![
        (
            Method::POST,
            "/api/generate_invite".into(),
            json!({"patient_id": a.patient_id}),
        ),
        (
            Method::POST,
            "/api/bulk_invite".into(),
            json!({"patients": [{"patient_id": a.patient_id}]}),
        ),
        (Method::GET, "/api/invites".into(), Value::Null),
        (Method::GET, format!("/api/invites/{mine_id}"), Value::Null),
        (
            Method::GET,
            format!("/api/pending/{}", a.clinician_id),
            Value::Null,
        ),
        (
            Method::POST,
            format!("/api/invites/{mine_id}/resend"),
            json!({}),
        ),
        (
            Method::POST,
            "/api/resend_invite".into(),
            json!({"invite_id": mine_id}),
        ),
        (
            Method::DELETE,
            format!("/api/invites/{mine_id}"),
            Value::Null,
        ),
        (
            Method::DELETE,
            format!("/api/revoke/{mine_id}"),
            Value::Null,
        ),
        (
            Method::GET,
            format!("/api/patients/{}/invites", a.patient_id),
            Value::Null,
        ),
        // The role check comes before a malformed id or body.
        (Method::GET, "/api/invites/not-a-uuid".into(), Value::Null),
        (
            Method::POST,
            "/api/generate_invite".into(),
            json!({"expiry_days": "abc"}),
        ),
    ];
    let mut wrong = Vec::new();
    for (who, token, code) in &tokens {
        for (method, path, body) in &routes {
            let mut rb = app
                .client
                .request(method.clone(), app.url(path))
                .bearer_auth(token);
            if !body.is_null() {
                rb = rb.json(body);
            }
            let r = app.send(rb).await;
            if r.status != 403 || r.header("x-error-code").as_deref() != *code {
                wrong.push(format!("{who} {method} {path}: {} {}", r.status, r.text));
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
    // Nothing of that changed the invite.
    let r = app
        .get(&format!("/api/invites/{mine_id}"), Some(&a.admin))
        .await;
    assert_eq!(
        r.expect(200)["status"],
        "revoked",
        "superseded by the admin's"
    );
    assert_eq!(r.body["updated_at"], by_admin["created_at"]);
}

/// The documented identity fields: the account's patient with that email, else a new `pending`
/// patient; a super admin names the account through the patient or the provider (422
/// otherwise); a provider must be an active clinician, physician or admin.
pub async fn identity_fields_and_providers(app: &TestApp) {
    let t = app.tenancy().await;
    let a = &t.a;
    let body = json!({"email": " New.Comer@Alpha.test ", "first_name": "New", "last_name": "Comer",
                      "phone": "+1 555 0101"});
    let r = app
        .post("/api/generate_invite", Some(&a.clinician), &body)
        .await;
    let first = r.expect(200).clone();
    assert_eq!(first["email"], "new.comer@alpha.test");
    assert_eq!(first["phone"], "+1 555 0101");
    let pid = first["patient_id"].as_str().unwrap().to_owned();
    let p = app
        .get(&format!("/api/patients/{pid}"), Some(&a.admin))
        .await;
    assert_eq!(p.expect(200)["status"], "pending");
    assert_eq!(p.body["account_id"], a.account_id.as_str());
    // The same email again: the same patient, and its first invite is superseded.
    let second = app
        .post("/api/generate_invite", Some(&a.admin), &body)
        .await;
    assert_eq!(second.expect(200)["patient_id"], pid.as_str());
    let r = app
        .get(
            &format!("/api/invites/{}", first["id"].as_str().unwrap()),
            Some(&a.admin),
        )
        .await;
    assert_eq!(r.expect(200)["status"], "revoked");
    // Missing fields of this form are named.
    let r = app
        .post(
            "/api/generate_invite",
            Some(&a.admin),
            &json!({"first_name": "No", "phone": "x"}),
        )
        .await;
    for field in ["email", "last_name", "phone"] {
        r.expect_422_at(&["body", field]);
    }
    // A super admin must say which account: through the patient, or the provider.
    let r = app
        .post(
            "/api/generate_invite",
            Some(&t.sa),
            &json!({"email": "sa@alpha.test", "first_name": "S", "last_name": "A"}),
        )
        .await;
    r.expect_422_at(&["body", "patient_id"]);
    let r = app
        .post(
            "/api/generate_invite",
            Some(&t.sa),
            &json!({"email": "sa@beta.test", "first_name": "S", "last_name": "A",
                    "provider_id": t.b.clinician_id}),
        )
        .await;
    assert_eq!(r.expect(200)["provider_id"], t.b.clinician_id.as_str());
    let r = app
        .get(
            &format!("/api/patients/{}", r.body["patient_id"].as_str().unwrap()),
            Some(&t.b.admin),
        )
        .await;
    assert_eq!(r.expect(200)["account_id"], t.b.account_id.as_str());
    // By patient id, a super admin gets no default provider.
    let r = app
        .post(
            "/api/generate_invite",
            Some(&t.sa),
            &json!({"patient_id": a.patient_id}),
        )
        .await;
    assert_eq!(r.expect(200)["provider_id"], Value::Null);
    // Providers: the role and the active flag count.
    let from = |provider: String| async move {
        app.post(
            "/api/generate_invite",
            Some(&a.clinician),
            &json!({"patient_id": a.patient_id, "provider_id": provider}),
        )
        .await
    };
    let lab = app
        .user(&a.admin, "lab2@alpha.test", "Lou Lab", "lab_tech")
        .await;
    from(lab).await.expect_422_at(&["body", "provider_id"]);
    let phys = app
        .user(&a.admin, "phys@alpha.test", "Phil Phys", "physician")
        .await;
    assert_eq!(
        from(phys.clone()).await.expect(200)["provider_name"],
        "Phil Phys"
    );
    app.put(
        &format!("/api/users/{phys}"),
        Some(&a.admin),
        &json!({"is_active": false}),
    )
    .await
    .expect(200);
    from(phys).await.expect_422_at(&["body", "provider_id"]);
    // An archived patient is not invited.
    app.put(
        &format!("/api/patients/{}", a.patient_id),
        Some(&a.admin),
        &json!({"status": "archived"}),
    )
    .await
    .expect(200);
    let r = app
        .post(
            "/api/generate_invite",
            Some(&a.clinician),
            &json!({"patient_id": a.patient_id}),
        )
        .await;
    r.expect_422_at(&["body", "patient_id"]);
}
