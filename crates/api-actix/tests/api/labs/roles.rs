//! Who may order, read, list and change lab orders, and where (contract §2.3 "Labs" rows).

use super::{address, fixture, ingest, order, set_status};
use crate::helpers::{TestApp, ids};
use reqwest::Method;
use serde_json::json;

/// Ordering: the care team for patients of its account (the caller as default provider), the
/// super admin anywhere; other accounts' patients and providers are 404; other roles 403.
pub async fn who_may_order_and_read_where(app: &TestApp) {
    let l = fixture(app).await;
    let (a, b) = (&l.t.a, &l.t.b);
    let o = order(
        app,
        &a.clinician,
        &a.patient_id,
        json!({"test_type": "BRCA", "notes": "urgent"}),
    )
    .await;
    assert_eq!(o["status"], "ordered");
    assert_eq!(o["test_type"], "brca");
    assert_eq!(o["id"], o["order_id"]);
    assert_eq!(o["provider_id"], a.clinician_id.as_str());
    assert_eq!(o["clinician_id"], o["provider_id"]);
    assert_eq!(o["clinician_name"], "Clin alpha");
    assert_eq!(o["patient_name"], "Pat Ofalpha");
    assert_eq!(o["ordered_at"], o["created_at"]);
    assert_eq!(o["shipping_address"]["zip_code"], "62701");
    assert_eq!(o["shipping_address"]["line2"], serde_json::Value::Null);
    assert_eq!(o["completed_at"], serde_json::Value::Null);
    let oid = o["id"].as_str().unwrap().to_owned();
    // The frontend's alias.
    let r = app
        .post(
            "/api/lab-tests/order",
            Some(&a.admin),
            &json!({"patient_id": a.patient_id, "test_type": "mri", "clinician_id": a.clinician_id,
                    "shipping_address": address()}),
        )
        .await;
    assert_eq!(r.expect(200)["test_type"], "mri");
    // An admin names the provider; a provider of another account does not exist here.
    app.post(
        "/api/labs/order_test",
        Some(&a.admin),
        &json!({"patient_id": a.patient_id, "test_type": "mri", "shipping_address": address()}),
    )
    .await
    .expect_422_at(&["body", "provider_id"]);
    app.post(
        "/api/labs/order_test",
        Some(&a.admin),
        &json!({"patient_id": a.patient_id, "test_type": "mri", "provider_id": b.clinician_id,
                "shipping_address": address()}),
    )
    .await
    .expect_detail(404, "Clinician not found");
    app.post(
        "/api/labs/order_test",
        Some(&a.admin),
        &json!({"patient_id": a.patient_id, "test_type": "mri", "provider_id": a.admin_id,
                "shipping_address": address()}),
    )
    .await
    .expect_422_at(&["body", "provider_id"]);
    app.post(
        "/api/labs/order_test",
        Some(&a.clinician),
        &json!({"patient_id": b.patient_id, "test_type": "mri", "shipping_address": address()}),
    )
    .await
    .expect_detail(404, "Patient not found");
    // The super admin orders in any account, naming the provider.
    let theirs = order(
        app,
        &l.t.sa,
        &b.patient_id,
        json!({"provider_id": b.clinician_id}),
    )
    .await;
    let theirs = theirs["id"].as_str().unwrap().to_owned();
    // Another account's order is 404 on every route, for every role of A that may use it.
    for (method, path, body) in [
        (Method::GET, format!("/api/labs/orders/{theirs}"), None),
        (Method::GET, format!("/api/labs/results/{theirs}"), None),
        (
            Method::PUT,
            format!("/api/labs/orders/{theirs}/status"),
            Some(json!({"status": "cancelled"})),
        ),
        (
            Method::POST,
            format!("/api/labs/results/{theirs}"),
            Some(json!({"results": {"x": "y"}})),
        ),
        (
            Method::POST,
            format!("/api/labs/review_result/{theirs}"),
            None,
        ),
    ] {
        let mut rb = app
            .client
            .request(method.clone(), app.url(&path))
            .bearer_auth(&a.admin);
        if let Some(b) = &body {
            rb = rb.json(b);
        }
        app.send(rb).await.expect_detail(404, "Lab order not found");
    }
    // Roles that may not order: 403 before any id is read.
    for token in [&l.tech, &l.user, &l.patient] {
        app.post("/api/labs/order_test", Some(token), &json!({}))
            .await
            .expect_detail(403, "Not enough permissions");
    }
    // The user role reaches no lab route; the patient none but its reviewed results.
    for path in [
        "/api/labs/orders".to_owned(),
        format!("/api/labs/orders/{oid}"),
        format!("/api/labs/patient/{}/orders", a.patient_id),
        format!("/api/labs/clinician/{}/orders", a.clinician_id),
        "/api/labs/available_tests".to_owned(),
    ] {
        for token in [&l.user, &l.patient] {
            app.get(&path, Some(token))
                .await
                .expect_detail(403, "Not enough permissions");
        }
    }
    app.get(&format!("/api/labs/results/{oid}"), Some(&l.user))
        .await
        .expect_detail(403, "Not enough permissions");
    // Lab techs: work list, orders, results, ingestion; not the per-patient lists nor review.
    app.get(&format!("/api/labs/orders/{oid}"), Some(&l.tech))
        .await
        .expect(200);
    app.get(&format!("/api/labs/results/{oid}"), Some(&l.tech))
        .await
        .expect(200);
    app.get(
        &format!("/api/labs/patient/{}/orders", a.patient_id),
        Some(&l.tech),
    )
    .await
    .expect_detail(403, "Not enough permissions");
    app.post(
        &format!("/api/labs/review_result/{oid}"),
        Some(&l.tech),
        &json!({}),
    )
    .await
    .expect_detail(403, "Not enough permissions");
    // Clinicians cannot ingest.
    ingest(app, &a.clinician, &oid, "final")
        .await
        .expect_detail(403, "Not enough permissions");
    // The catalogue: every staff role.
    for token in [&l.tech, &a.clinician, &a.admin, &l.t.sa] {
        let r = app.get("/api/labs/available_tests", Some(token)).await;
        let tests = r.array();
        assert_eq!(tests.len(), 7);
        let first = &tests[0];
        assert_eq!(first["test_id"], "brca");
        assert!(first["turnaround_time_hours"].as_u64().unwrap() > 0);
        assert!(!first["name"].as_str().unwrap().is_empty());
    }
    // No token: 401.
    app.get("/api/labs/orders", None)
        .await
        .expect_detail(401, "Not authenticated");
}

/// The "set by" column: clinicians cancel only, lab techs never cancel, admins do both.
pub async fn who_sets_which_status(app: &TestApp) {
    let l = fixture(app).await;
    let a = &l.t.a;
    let oid = |o: serde_json::Value| o["id"].as_str().unwrap().to_owned();
    let o = oid(order(app, &a.clinician, &a.patient_id, json!({})).await);
    set_status(app, &a.clinician, &o, "specimen_collected")
        .await
        .expect_detail(403, "Not enough permissions");
    set_status(app, &l.tech, &o, "cancelled")
        .await
        .expect_detail(403, "Not enough permissions");
    let r = set_status(app, &l.tech, &o, "specimen_collected").await;
    assert_eq!(r.expect(200)["status"], "specimen_collected");
    let r = app
        .put(
            &format!("/api/labs/orders/{o}/status"),
            Some(&a.clinician),
            &json!({"status": "Cancelled", "reason": "patient declined"}),
        )
        .await;
    let b = r.expect(200);
    assert_eq!(b["status"], "cancelled");
    assert_eq!(b["reason"], "patient declined");
    // The physician is the clinician's equal; the admin sets both sides.
    app.user(&a.admin, "phys@alpha.test", "Phys Alpha", "physician")
        .await;
    let phys = app.token("phys@alpha.test", crate::helpers::PW).await;
    let o2 = oid(order(app, &phys, &a.patient_id, json!({})).await);
    set_status(app, &phys, &o2, "rejected")
        .await
        .expect_detail(403, "Not enough permissions");
    set_status(app, &a.admin, &o2, "rejected").await.expect(200);
    let o3 = oid(order(app, &phys, &a.patient_id, json!({})).await);
    set_status(app, &a.admin, &o3, "cancelled")
        .await
        .expect(200);
    set_status(app, &l.t.sa, &o3, "specimen_collected")
        .await
        .expect_detail(
            409,
            "Invalid status transition from cancelled to specimen_collected",
        );
}

/// The work list and the per-patient and per-clinician lists stay in the account, filter and
/// page (style A), newest first; out-of-scope path ids are 404.
pub async fn lists_and_filters(app: &TestApp) {
    let l = fixture(app).await;
    let (a, b) = (&l.t.a, &l.t.b);
    let mut mine = Vec::new();
    for test in ["brca", "mri", "brca"] {
        let o = order(app, &a.clinician, &a.patient_id, json!({"test_type": test})).await;
        mine.push(o["id"].as_str().unwrap().to_owned());
    }
    let theirs = order(app, &b.clinician, &b.patient_id, json!({})).await;
    let theirs = theirs["id"].as_str().unwrap().to_owned();
    set_status(app, &l.tech, &mine[0], "specimen_collected")
        .await
        .expect(200);
    let list = app.get("/api/labs/orders", Some(&l.tech)).await;
    let got = ids(list.array());
    // Same-second orders tie on created_at (then id): compare as sets.
    let mut sorted_got = got.clone();
    sorted_got.sort();
    let mut sorted_mine = mine.clone();
    sorted_mine.sort();
    assert_eq!(sorted_got, sorted_mine);
    assert!(!got.contains(&theirs));
    let sa = app.get("/api/labs/orders", Some(&l.t.sa)).await;
    assert_eq!(sa.array().len(), 4);
    let f = app
        .get("/api/labs/orders?status=SPECIMEN_COLLECTED", Some(&a.admin))
        .await;
    assert_eq!(ids(f.array()), vec![mine[0].clone()]);
    let f = app
        .get("/api/labs/orders?test_type=mri&_cb=1", Some(&a.admin))
        .await;
    assert_eq!(ids(f.array()), vec![mine[1].clone()]);
    let f = app
        .get(
            &format!("/api/labs/orders?patient_id={}", b.patient_id),
            Some(&a.admin),
        )
        .await;
    assert!(
        f.array().is_empty(),
        "another account's patient matches nothing"
    );
    let f = app
        .get("/api/labs/orders?skip=1&limit=1", Some(&a.admin))
        .await;
    assert_eq!(f.array().len(), 1);
    let f = app.get("/api/labs/orders?offset=3", Some(&a.admin)).await;
    assert!(f.array().is_empty());
    // Per patient and per clinician.
    let r = app
        .get(
            &format!("/api/labs/patient/{}/orders", a.patient_id),
            Some(&a.clinician),
        )
        .await;
    assert_eq!(r.array().len(), 3);
    let r = app
        .get(
            &format!("/api/labs/patient/{}/orders?status=ordered", a.patient_id),
            Some(&a.clinician),
        )
        .await;
    assert_eq!(r.array().len(), 2);
    app.get(
        &format!("/api/labs/patient/{}/orders", b.patient_id),
        Some(&a.clinician),
    )
    .await
    .expect_detail(404, "Patient not found");
    let r = app
        .get(
            &format!("/api/labs/clinician/{}/orders", a.clinician_id),
            Some(&a.admin),
        )
        .await;
    assert_eq!(r.array().len(), 3);
    let r = app
        .get(
            &format!("/api/labs/clinician/{}/orders", a.admin_id),
            Some(&a.admin),
        )
        .await;
    assert!(r.array().is_empty());
    app.get(
        &format!("/api/labs/clinician/{}/orders", b.clinician_id),
        Some(&a.admin),
    )
    .await
    .expect_detail(404, "Clinician not found");
    let r = app
        .get(
            &format!("/api/labs/patient/{}/orders/", b.patient_id),
            Some(&l.t.sa),
        )
        .await;
    assert_eq!(ids(r.array()), vec![theirs]);
    app.get("/api/labs/patient/not-a-uuid/orders", Some(&a.admin))
        .await
        .expect_detail(404, "Patient not found");
}
