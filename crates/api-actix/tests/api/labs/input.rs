//! Bad input to lab routes: 4xx naming the field, never a 500; and nothing half-written.

use super::{address, fixture, order, set_status};
use crate::helpers::TestApp;
use serde_json::{Value, json};

#[derive(diesel::QueryableByName)]
struct N {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    app.query::<N>(sql).await[0].n
}

/// Every kind of bad input answers a 4xx that names the field.
pub async fn bad_input_is_4xx_naming_the_field(app: &TestApp) {
    let l = fixture(app).await;
    let a = &l.t.a;
    let base =
        || json!({"patient_id": a.patient_id, "test_type": "brca", "shipping_address": address()});
    let with = |k: &str, v: Value| {
        let mut b = base();
        b[k] = v;
        b
    };
    let addr = |k: &str, v: Value| {
        let mut s = address();
        s[k] = v;
        with("shipping_address", s)
    };
    let cases: Vec<(Value, Vec<&str>)> = vec![
        (with("test_type", json!("x-ray")), vec!["body", "test_type"]),
        (with("test_type", json!(null)), vec!["body", "test_type"]),
        (with("patient_id", json!(null)), vec!["body", "patient_id"]),
        (
            with("shipping_address", json!(null)),
            vec!["body", "shipping_address"],
        ),
        (
            with("shipping_address", json!("1 Main St")),
            vec!["body", "shipping_address"],
        ),
        (
            addr("zip_code", json!("!!")),
            vec!["body", "shipping_address", "zip_code"],
        ),
        (
            addr("zip_code", json!("12345678901")),
            vec!["body", "shipping_address", "zip_code"],
        ),
        (
            addr("line1", json!("")),
            vec!["body", "shipping_address", "line1"],
        ),
        (
            addr("line1", json!("x".repeat(201))),
            vec!["body", "shipping_address", "line1"],
        ),
        (
            addr("city", json!("Spring\u{0000}field")),
            vec!["body", "shipping_address", "city"],
        ),
        (
            addr("state", json!(["IL"])),
            vec!["body", "shipping_address", "state"],
        ),
        (
            with("notes", json!("n".repeat(2001))),
            vec!["body", "notes"],
        ),
        (
            with("notes", json!("bidi \u{202E} text")),
            vec!["body", "notes"],
        ),
    ];
    for (body, loc) in cases {
        app.post("/api/labs/order_test", Some(&a.clinician), &body)
            .await
            .expect_422_at(&loc);
    }
    app.post_raw(
        "/api/labs/order_test",
        Some(&a.clinician),
        "application/json",
        b"{not json".to_vec(),
    )
    .await
    .expect_422_at(&["body"]);
    app.post(
        "/api/labs/order_test",
        Some(&a.clinician),
        &with("patient_id", json!("../etc")),
    )
    .await
    .expect_detail(404, "Patient not found");
    // Results.
    let o = order(app, &a.clinician, &a.patient_id, json!({})).await;
    let id = o["id"].as_str().unwrap().to_owned();
    set_status(app, &l.tech, &id, "specimen_collected")
        .await
        .expect(200);
    let path = format!("/api/labs/results/{id}");
    let results: Vec<(Value, Vec<&str>)> = vec![
        (json!({}), vec!["body", "results"]),
        (json!({"results": {}}), vec!["body", "results"]),
        (json!({"results": ["brca1"]}), vec!["body", "results"]),
        (
            json!({"results": {"BRCA-1": "x"}}),
            vec!["body", "results", "BRCA-1"],
        ),
        (
            json!({"results": {"report_url": "x"}}),
            vec!["body", "results", "report_url"],
        ),
        (
            json!({"results": {"brca1": 3}}),
            vec!["body", "results", "brca1"],
        ),
        (
            json!({"results": {"brca1": "v".repeat(501)}}),
            vec!["body", "results", "brca1"],
        ),
        (
            json!({"results": {"brca1": "a\u{0000}b"}}),
            vec!["body", "results", "brca1"],
        ),
        (
            json!({"results": {"brca1": "x"}, "result_status": "draft"}),
            vec!["body", "result_status"],
        ),
        (
            json!({"results": {"brca1": "x"}, "report_url": "http://lab.example/r.pdf"}),
            vec!["body", "report_url"],
        ),
        (
            json!({"results": {"brca1": "x"}, "report_url": "https:// spaced"}),
            vec!["body", "report_url"],
        ),
        (
            json!({"results": {"brca1": "x"}, "performed_at": "yesterday"}),
            vec!["body", "performed_at"],
        ),
    ];
    for (body, loc) in results {
        app.post(&path, Some(&l.tech), &body)
            .await
            .expect_422_at(&loc);
    }
    let many: serde_json::Map<String, Value> = (0..201)
        .map(|i| (format!("g{i}"), json!("negative")))
        .collect();
    app.post(&path, Some(&l.tech), &json!({"results": many}))
        .await
        .expect_422_at(&["body", "results"]);
    // Status changes.
    for (body, loc) in [
        (json!({}), vec!["body", "status"]),
        (json!({"status": "done"}), vec!["body", "status"]),
        (
            json!({"status": "cancelled", "reason": "r".repeat(501)}),
            vec!["body", "reason"],
        ),
    ] {
        app.put(
            &format!("/api/labs/orders/{id}/status"),
            Some(&a.admin),
            &body,
        )
        .await
        .expect_422_at(&loc);
    }
    // Lists.
    for (q, loc) in [
        ("limit=0", vec!["query", "limit"]),
        ("limit=101", vec!["query", "limit"]),
        ("skip=-1", vec!["query", "skip"]),
        ("status=lost", vec!["query", "status"]),
        ("test_type=x", vec!["query", "test_type"]),
    ] {
        app.get(&format!("/api/labs/orders?{q}"), Some(&a.admin))
            .await
            .expect_422_at(&loc);
    }
    // Path ids that cannot exist are 404.
    for path in [
        "/api/labs/orders/null".to_owned(),
        "/api/labs/results/..%2f..%2fetc".to_owned(),
        format!("/api/labs/orders/{}", uuid::Uuid::new_v4()),
    ] {
        app.get(&path, Some(&a.admin))
            .await
            .expect_detail(404, "Lab order not found");
    }
    // Nothing changed by any of it.
    let now = app.get(&path, Some(&a.admin)).await;
    assert_eq!(now.expect(200)["results"], Value::Null);
    // Wrong method: 405.
    let r = app
        .delete(&format!("/api/labs/orders/{id}"), Some(&a.admin))
        .await;
    assert_eq!(r.status, 405);
}

/// An order is stored with its audit entry and its request to the lab (outbox), or not at all.
pub async fn nothing_is_half_written(app: &TestApp) {
    let l = fixture(app).await;
    let a = &l.t.a;
    for _ in 0..3 {
        order(app, &a.clinician, &a.patient_id, json!({})).await;
    }
    // Refused orders leave nothing behind.
    for body in [
        json!({"patient_id": a.patient_id, "test_type": "brca"}),
        json!({"patient_id": l.t.b.patient_id, "test_type": "brca", "shipping_address": address()}),
        json!({"patient_id": a.patient_id, "test_type": "brca", "provider_id": a.admin_id, "shipping_address": address()}),
    ] {
        let r = app
            .post("/api/labs/order_test", Some(&a.admin), &body)
            .await;
        assert!((400..500).contains(&r.status), "{}", r.text);
    }
    assert_eq!(count(app, "SELECT COUNT(*) AS n FROM lab_orders").await, 3);
    assert_eq!(
        count(
            app,
            "SELECT COUNT(*) AS n FROM outbox WHERE kind = 'lab_order'"
        )
        .await,
        3
    );
    assert_eq!(
        count(app, "SELECT COUNT(*) AS n FROM audit_log WHERE record_type = 'lab_order' AND action = 'create'").await,
        3
    );
    // The request to the lab carries ids and codes, never names or addresses.
    #[derive(diesel::QueryableByName)]
    struct P {
        #[diesel(sql_type = diesel::sql_types::Text)]
        payload: String,
    }
    for p in app
        .query::<P>("SELECT payload FROM outbox WHERE kind = 'lab_order'")
        .await
    {
        let v: Value = serde_json::from_str(&p.payload).unwrap();
        assert_eq!(v["test_type"], "brca");
        assert!(
            !p.payload.contains("Main St") && !p.payload.contains("Pat"),
            "{}",
            p.payload
        );
    }
}
