//! Patients (contract §3.3).

use crate::helpers::{PW, TestApp, ids};
use serde_json::{Value, json};

const PATIENT_KEYS: [&str; 19] = [
    "id",
    "account_id",
    "first_name",
    "last_name",
    "name",
    "email",
    "phone",
    "date_of_birth",
    "external_id",
    "clinician_id",
    "clinician_name",
    "status",
    "screening_status",
    "lastActivity",
    "has_pending_invite",
    "has_login",
    "notes",
    "created_at",
    "updated_at",
];

#[track_caller]
pub fn assert_patient_shape(b: &Value) {
    for key in PATIENT_KEYS {
        assert!(b.get(key).is_some(), "patient lacks {key}: {b}");
    }
}

fn today() -> String {
    let d = time::OffsetDateTime::now_utc().date();
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

pub async fn create_shape_and_defaults(app: &TestApp) {
    let sa = app.super_admin().await;
    let c = app.account(&sa, "Pat Clinic", "admin@pat.test").await;
    let cid = app
        .user(&c.admin, "clin@pat.test", "Cleo Clin", "clinician")
        .await;
    let clin = app.token("clin@pat.test", PW).await;
    let day_before = today();
    let r = app
        .post(
            "/api/patients",
            Some(&clin),
            &json!({"first_name": " Jane ", "last_name": "Doe", "email": "Jane.Doe@Example.org",
                    "phone": "", "external_id": "", "date_of_birth": "1980-02-29", "notes": ""}),
        )
        .await;
    let b = r.expect(201);
    assert_patient_shape(b);
    assert_eq!(b["name"], "Jane Doe");
    assert_eq!(b["first_name"], "Jane");
    assert_eq!(b["email"], "jane.doe@example.org");
    assert_eq!(b["status"], "active");
    assert_eq!(b["screening_status"], "Not Invited");
    // (Today, as seen before or after the request: the test may straddle midnight.)
    let last = b["lastActivity"].as_str().unwrap();
    assert!(last == day_before || last == today(), "{last}");
    assert_eq!(b["has_pending_invite"], false);
    assert_eq!(b["has_login"], false);
    assert_eq!(b["external_id"], Value::Null);
    assert_eq!(b["phone"], Value::Null);
    assert_eq!(b["notes"], Value::Null);
    assert_eq!(b["date_of_birth"], "1980-02-29");
    assert_eq!(b["account_id"], c.account_id.as_str());
    // The calling clinician is the default clinician.
    assert_eq!(b["clinician_id"], cid.as_str());
    assert_eq!(b["clinician_name"], "Cleo Clin");
    let created = b["created_at"].as_str().unwrap();
    assert!(created.ends_with('Z') && created.len() == 20, "{created}");
    let id = r.str("id");
    let g = app
        .get(&format!("/api/patients/{id}"), Some(&c.admin))
        .await;
    assert_eq!(g.expect(200), &r.body);
    // An admin creating: no default clinician; an explicit one is accepted.
    let p = app
        .patient(&c.admin, "No", "Clinician", "noclin@pat.test")
        .await;
    assert_eq!(p["clinician_id"], Value::Null);
    let r = app
        .post(
            "/api/patients",
            Some(&c.admin),
            &json!({"first_name": "With", "last_name": "Clinician", "email": "withclin@pat.test",
                    "clinician_id": cid, "status": "PENDING", "external_id": "MRN-1",
                    "phone": "+44 20 7946 0958", "notes": "Prefers mornings"}),
        )
        .await;
    let b = r.expect(201);
    assert_eq!(b["clinician_id"], cid.as_str());
    assert_eq!(b["status"], "pending");
    assert_eq!(b["external_id"], "MRN-1");
    assert_eq!(b["phone"], "+44 20 7946 0958");
    assert_eq!(b["notes"], "Prefers mornings");
    // The super admin must name the account.
    let r = app
        .post(
            "/api/patients",
            Some(&sa),
            &json!({"first_name": "Sa", "last_name": "Made", "email": "sa@pat.test"}),
        )
        .await;
    r.expect_422_at(&["body", "account_id"]);
    let r = app
        .post(
            "/api/patients",
            Some(&sa),
            &json!({"first_name": "Sa", "last_name": "Made", "email": "sa@pat.test", "account_id": c.account_id}),
        )
        .await;
    assert_eq!(r.expect(201)["account_id"], c.account_id.as_str());
}

pub async fn create_validation(app: &TestApp) {
    let sa = app.super_admin().await;
    let c = app.account(&sa, "Val Clinic", "admin@val.test").await;
    let r = app.post("/api/patients", Some(&c.admin), &json!({})).await;
    for f in ["first_name", "last_name", "email"] {
        r.expect_422_at(&["body", f]);
    }
    let r = app
        .post(
            "/api/patients",
            Some(&c.admin),
            &json!({"first_name": "A", "last_name": "B", "email": "nope", "phone": "abc",
                    "date_of_birth": "2999-01-01", "status": "zombie", "external_id": "x".repeat(101)}),
        )
        .await;
    for f in ["email", "phone", "date_of_birth", "status", "external_id"] {
        r.expect_422_at(&["body", f]);
    }
    let r = app
        .post(
            "/api/patients",
            Some(&c.admin),
            &json!({"first_name": "A", "last_name": "B", "email": "a@val.test", "date_of_birth": "1899-12-31"}),
        )
        .await;
    r.expect_422_at(&["body", "date_of_birth"]);
    let r = app
        .post(
            "/api/patients",
            Some(&c.admin),
            &json!({"first_name": "A", "last_name": "B", "email": "a@val.test", "date_of_birth": "12/31/1980"}),
        )
        .await;
    r.expect_422_at(&["body", "date_of_birth"]);
    // A clinician_id of the wrong role is 422; an unknown one 404.
    let lab = app
        .user(&c.admin, "lab@val.test", "Lou Lab", "lab_tech")
        .await;
    let r = app
        .post(
            "/api/patients",
            Some(&c.admin),
            &json!({"first_name": "A", "last_name": "B", "email": "a@val.test", "clinician_id": lab}),
        )
        .await;
    r.expect_422_at(&["body", "clinician_id"]);
    let r = app
        .post(
            "/api/patients",
            Some(&c.admin),
            &json!({"first_name": "A", "last_name": "B", "email": "a@val.test",
                    "clinician_id": uuid::Uuid::new_v4().to_string()}),
        )
        .await;
    assert_eq!(r.status, 404, "{}", r.text);
    assert!(
        app.get("/api/patients", Some(&c.admin))
            .await
            .array()
            .is_empty()
    );
    // Roles without patient rights.
    let lab_token = app.token("lab@val.test", PW).await;
    let r = app
        .post(
            "/api/patients",
            Some(&lab_token),
            &json!({"first_name": "A", "last_name": "B", "email": "a@val.test"}),
        )
        .await;
    r.expect_detail(403, "Not enough permissions");
    app.get("/api/patients", Some(&lab_token))
        .await
        .expect_detail(403, "Not enough permissions");
}

pub async fn duplicates_are_per_account(app: &TestApp) {
    let sa = app.super_admin().await;
    let a = app.account(&sa, "Alpha", "admin@alpha.test").await;
    let b = app.account(&sa, "Beta", "admin@beta.test").await;
    let r = app
        .post(
            "/api/patients",
            Some(&a.admin),
            &json!({"first_name": "Sam", "last_name": "Same", "email": "same@x.test", "external_id": "E-1"}),
        )
        .await;
    r.expect(201);
    let r = app
        .post(
            "/api/patients",
            Some(&a.admin),
            &json!({"first_name": "Other", "last_name": "Person", "email": "SAME@x.test"}),
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.text);
    assert!(r.body["detail"].is_string());
    let r = app
        .post(
            "/api/patients",
            Some(&a.admin),
            &json!({"first_name": "Other", "last_name": "Person", "email": "other@x.test", "external_id": "E-1"}),
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.text);
    // The same person may be a patient of another account.
    let r = app
        .post(
            "/api/patients",
            Some(&b.admin),
            &json!({"first_name": "Sam", "last_name": "Same", "email": "same@x.test", "external_id": "E-1"}),
        )
        .await;
    r.expect(201);
    assert_eq!(
        app.get("/api/patients", Some(&a.admin)).await.array().len(),
        1
    );
    assert_eq!(
        app.get("/api/patients", Some(&b.admin)).await.array().len(),
        1
    );
}

pub async fn list_filters_order_and_paging(app: &TestApp) {
    let sa = app.super_admin().await;
    let c = app.account(&sa, "List Clinic", "admin@list.test").await;
    let c1 = app
        .user(&c.admin, "c1@list.test", "Cara One", "clinician")
        .await;
    let c2 = app
        .user(&c.admin, "c2@list.test", "Cole Two", "physician")
        .await;
    let t1 = app.token("c1@list.test", PW).await;
    let t2 = app.token("c2@list.test", PW).await;
    // Created a second apart: created_at has second precision.
    let p1 = app
        .patient(&t1, "Alice", "Anderson", "alice@list.test")
        .await;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let p2 = app.patient(&t2, "Bob", "Brown", "bob@list.test").await;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let r = app
        .post(
            "/api/patients",
            Some(&t1),
            &json!({"first_name": "Carol", "last_name": "Clark", "email": "carol@other.test",
                    "status": "inactive", "external_id": "MRN-777"}),
        )
        .await;
    let p3 = r.expect(201).clone();
    let id = |p: &Value| p["id"].as_str().unwrap().to_owned();
    let all = app.get("/api/patients", Some(&c.admin)).await;
    assert_eq!(
        ids(all.array()),
        [id(&p3), id(&p2), id(&p1)],
        "newest first"
    );
    for p in all.array() {
        assert_patient_shape(p);
    }
    // The care team is shared: a clinician sees everyone's patients.
    assert_eq!(app.get("/api/patients", Some(&t2)).await.array().len(), 3);
    // query / search: first, last, email, external id; case-insensitive.
    for (q, expected) in [
        ("query=ALICE", vec![id(&p1)]),
        ("search=brown", vec![id(&p2)]),
        ("query=other.test", vec![id(&p3)]),
        ("search=mrn-777", vec![id(&p3)]),
        ("query=list.test", vec![id(&p2), id(&p1)]),
        ("query=zzz", vec![]),
        ("status=inactive", vec![id(&p3)]),
        ("status=ACTIVE", vec![id(&p2), id(&p1)]),
        ("status=archived", vec![]),
        (&format!("clinician_id={c1}"), vec![id(&p3), id(&p1)]),
        (&format!("clinician_id={c2}"), vec![id(&p2)]),
        (&format!("clinician_id={c1}&status=active"), vec![id(&p1)]),
        ("clinician_id=not-a-uuid", vec![]),
        (&format!("clinician_id={}", uuid::Uuid::new_v4()), vec![]),
        ("limit=1", vec![id(&p3)]),
        ("offset=1&limit=1", vec![id(&p2)]),
        ("skip=2", vec![id(&p1)]),
        ("offset=3", vec![]),
        ("limit=1000", vec![id(&p3), id(&p2), id(&p1)]),
    ] {
        let r = app.get(&format!("/api/patients?{q}"), Some(&c.admin)).await;
        assert_eq!(r.status, 200, "{q}: {}", r.text);
        assert_eq!(ids(r.array()), expected, "{q}");
    }
    for q in [
        "limit=0",
        "limit=1001",
        "offset=-1",
        "limit=abc",
        "status=zombie",
    ] {
        let r = app.get(&format!("/api/patients?{q}"), Some(&c.admin)).await;
        assert_eq!(r.status, 422, "{q}: {}", r.text);
        assert_eq!(r.body["detail"][0]["loc"][0], "query", "{q}: {}", r.text);
    }
    app.get("/api/patients?limit=0", Some(&c.admin))
        .await
        .expect_422_at(&["query", "limit"]);
}

pub async fn update_partial_and_clear(app: &TestApp) {
    let sa = app.super_admin().await;
    let c = app.account(&sa, "Upd Clinic", "admin@upd.test").await;
    let cid = app
        .user(&c.admin, "clin@upd.test", "Cleo Clin", "clinician")
        .await;
    let clin = app.token("clin@upd.test", PW).await;
    let r = app
        .post(
            "/api/patients",
            Some(&clin),
            &json!({"first_name": "Jane", "last_name": "Doe", "email": "jane@upd.test",
                    "phone": "555-123-4567", "external_id": "X-1", "date_of_birth": "1970-01-01",
                    "notes": "first note"}),
        )
        .await;
    let id = r.str("id");
    let path = format!("/api/patients/{id}");
    let r = app
        .put(&path, Some(&clin), &json!({"last_name": "Smith"}))
        .await;
    let b = r.expect(200);
    assert_patient_shape(b);
    assert_eq!(b["name"], "Jane Smith");
    assert_eq!(b["last_name"], "Smith");
    for (k, v) in [
        ("phone", "555-123-4567"),
        ("external_id", "X-1"),
        ("date_of_birth", "1970-01-01"),
        ("notes", "first note"),
        ("email", "jane@upd.test"),
        ("status", "active"),
    ] {
        assert_eq!(b[k], v, "{k} kept");
    }
    assert_eq!(b["clinician_id"], cid.as_str());
    // "" and null clear nullable fields.
    let r = app
        .put(
            &path,
            Some(&clin),
            &json!({"phone": "", "external_id": null, "date_of_birth": "", "notes": "", "clinician_id": ""}),
        )
        .await;
    let b = r.expect(200);
    for k in [
        "phone",
        "external_id",
        "date_of_birth",
        "notes",
        "clinician_id",
        "clinician_name",
    ] {
        assert_eq!(b[k], Value::Null, "{k} cleared: {b}");
    }
    let g = app.get(&path, Some(&clin)).await;
    assert_eq!(g.expect(200)["phone"], Value::Null);
    // Required fields cannot be cleared.
    for field in ["first_name", "last_name", "email", "status"] {
        let r = app.put(&path, Some(&clin), &json!({ field: "" })).await;
        r.expect_422_at(&["body", field]);
    }
    let r = app
        .put(
            &path,
            Some(&clin),
            &json!({"email": "bad", "phone": "x", "status": "zombie"}),
        )
        .await;
    r.expect_422_at(&["body", "email"]);
    r.expect_422_at(&["body", "phone"]);
    r.expect_422_at(&["body", "status"]);
    // Status and clinician changes.
    let r = app
        .put(
            &path,
            Some(&c.admin),
            &json!({"status": "Archived", "clinician_id": cid}),
        )
        .await;
    let b = r.expect(200);
    assert_eq!(b["status"], "archived");
    assert_eq!(b["clinician_name"], "Cleo Clin");
    // Email conflict with another patient of the account.
    app.patient(&clin, "Other", "One", "other@upd.test").await;
    let r = app
        .put(&path, Some(&clin), &json!({"email": "OTHER@upd.test"}))
        .await;
    assert_eq!(r.status, 409, "{}", r.text);
    // Unknown ids.
    let r = app
        .put(
            &format!("/api/patients/{}", uuid::Uuid::new_v4()),
            Some(&clin),
            &json!({"notes": "x"}),
        )
        .await;
    assert_eq!(r.status, 404, "{}", r.text);
    app.put("/api/patients/nope", Some(&clin), &json!({"notes": "x"}))
        .await
        .expect(404);
}

pub async fn delete_rules(app: &TestApp) {
    let sa = app.super_admin().await;
    let c = app.account(&sa, "Del Clinic", "admin@del.test").await;
    app.user(&c.admin, "clin@del.test", "Cleo Clin", "clinician")
        .await;
    let clin = app.token("clin@del.test", PW).await;
    let p = app.patient(&clin, "Dee", "Leted", "dee@del.test").await;
    let id = p["id"].as_str().unwrap().to_owned();
    let path = format!("/api/patients/{id}");
    app.delete(&path, Some(&clin))
        .await
        .expect_detail(403, "Not enough permissions");
    let r = app.delete(&path, Some(&c.admin)).await;
    let b = r.expect(200);
    assert_eq!(b["status_code"], 200);
    assert!(b["message"].is_string());
    assert_eq!(b["data"], json!({"patient_id": id}));
    for token in [&c.admin, &clin, &sa] {
        app.get(&path, Some(token)).await.expect(404);
    }
    app.put(&path, Some(&c.admin), &json!({"notes": "x"}))
        .await
        .expect(404);
    app.delete(&path, Some(&c.admin)).await.expect(404);
    app.get(&format!("{path}/invites"), Some(&c.admin))
        .await
        .expect(404);
    assert!(
        app.get("/api/patients", Some(&c.admin))
            .await
            .array()
            .is_empty()
    );
    app.delete("/api/patients/not-a-uuid", Some(&c.admin))
        .await
        .expect(404);
    app.get("/api/patients/null", Some(&c.admin))
        .await
        .expect(404);
}

pub async fn patient_invites_list(app: &TestApp) {
    let sa = app.super_admin().await;
    let c = app.account(&sa, "Inv Clinic", "admin@inv.test").await;
    let p = app.patient(&c.admin, "Ina", "Vite", "ina@inv.test").await;
    let r = app
        .get(
            &format!("/api/patients/{}/invites", p["id"].as_str().unwrap()),
            Some(&c.admin),
        )
        .await;
    assert!(r.expect(200).as_array().is_some());
    app.get(
        &format!("/api/patients/{}/invites", uuid::Uuid::new_v4()),
        Some(&c.admin),
    )
    .await
    .expect(404);
}

pub async fn id_routes_accept_a_trailing_slash(app: &TestApp) {
    let sa = app.super_admin().await;
    let c = app.account(&sa, "Ts Clinic", "admin@ts.test").await;
    let p = app.patient(&c.admin, "Tia", "Slash", "tia@ts.test").await;
    let path = format!("/api/patients/{}/", p["id"].as_str().unwrap());
    assert_eq!(
        app.get(&path, Some(&c.admin)).await.expect(200)["id"],
        p["id"]
    );
    let r = app
        .put(&path, Some(&c.admin), &json!({"notes": "slash"}))
        .await;
    assert_eq!(r.expect(200)["notes"], "slash");
    app.delete(&path, Some(&c.admin)).await.expect(200);
    app.get(&path, Some(&c.admin)).await.expect(404);
}

pub async fn inactive_clinician_cannot_be_assigned(app: &TestApp) {
    let sa = app.super_admin().await;
    let c = app.account(&sa, "Ic Clinic", "admin@ic.test").await;
    let cid = app
        .user(&c.admin, "clin@ic.test", "Cleo Clin", "clinician")
        .await;
    app.put(
        &format!("/api/users/{cid}"),
        Some(&c.admin),
        &json!({"is_active": false}),
    )
    .await
    .expect(200);
    let r = app
        .post(
            "/api/patients",
            Some(&c.admin),
            &json!({"first_name": "A", "last_name": "B", "email": "a@ic.test", "clinician_id": cid}),
        )
        .await;
    r.expect_422_at(&["body", "clinician_id"]);
}

pub async fn deleting_a_patient_disables_its_login(app: &TestApp) {
    let sa = app.super_admin().await;
    let c = app.account(&sa, "Pl Clinic", "admin@pl.test").await;
    let r = app
        .post(
            "/api/users",
            Some(&c.admin),
            &json!({"email": "pat@pl.test", "name": "Pat Login", "role": "patient", "password": PW}),
        )
        .await;
    let pid = r.expect(201)["id"].as_str().unwrap().to_owned();
    let pt = app.token("pat@pl.test", PW).await;
    app.get(&format!("/api/patients/{pid}"), Some(&pt))
        .await
        .expect(200);
    app.delete(&format!("/api/patients/{pid}"), Some(&c.admin))
        .await
        .expect(200);
    let r = app.get("/api/auth/me", Some(&pt)).await;
    assert_eq!(r.status, 401, "token of a deleted patient: {}", r.text);
    let r = app.login_form("pat@pl.test", PW).await;
    assert!(
        r.status == 401 || r.status == 400,
        "login of a deleted patient: {}",
        r.text
    );
}

pub async fn long_values_are_422(app: &TestApp) {
    let sa = app.super_admin().await;
    let c = app.account(&sa, "Long Clinic", "admin@long.test").await;
    let email = format!("{}@long.test", "e".repeat(250));
    let r = app
        .post(
            "/api/patients",
            Some(&c.admin),
            &json!({"first_name": "x".repeat(101), "last_name": "B", "email": email, "notes": "n".repeat(5001)}),
        )
        .await;
    r.expect_422_at(&["body", "first_name"]);
    r.expect_422_at(&["body", "email"]);
    r.expect_422_at(&["body", "notes"]);
    let r = app
        .post(
            "/api/users",
            Some(&c.admin),
            &json!({"email": email, "name": "Long Mail", "role": "clinician", "password": PW}),
        )
        .await;
    r.expect_422_at(&["body", "email"]);
    let r = app
        .post(
            "/api/accounts",
            Some(&sa),
            &json!({"name": "n".repeat(256), "admin_email": "a@longname.test", "admin_name": "A B", "admin_password": PW}),
        )
        .await;
    r.expect_422_at(&["body", "name"]);
}

/// Parallel writes: distinct patients all land; the same email lands once, the rest are 409
/// (never a 500 from a unique violation or a busy database).
pub async fn concurrent_creates(app: &TestApp) {
    let sa = app.super_admin().await;
    let c = app.account(&sa, "Conc Clinic", "admin@conc.test").await;
    let bodies: Vec<Value> = (0..8)
        .map(|i| json!({"first_name": "P", "last_name": format!("N{i}"), "email": format!("p{i}@conc.test")}))
        .collect();
    let distinct = bodies
        .iter()
        .map(|b| app.post("/api/patients", Some(&c.admin), b));
    let results = futures_util::future::join_all(distinct).await;
    for r in &results {
        assert_eq!(r.status, 201, "{}", r.text);
    }
    let same_body = json!({"first_name": "Same", "last_name": "Person", "email": "same@conc.test"});
    let same = (0..8).map(|_| app.post("/api/patients", Some(&c.admin), &same_body));
    let results = futures_util::future::join_all(same).await;
    let mut statuses: Vec<u16> = results.iter().map(|r| r.status).collect();
    statuses.sort_unstable();
    assert_eq!(
        statuses,
        [201, 409, 409, 409, 409, 409, 409, 409],
        "{:?}",
        results.iter().map(|r| &r.text).collect::<Vec<_>>()
    );
    assert_eq!(
        app.get("/api/patients", Some(&c.admin)).await.array().len(),
        9
    );
}
