//! The status table of contract §3.8 over HTTP, results by kind, review and what the patient
//! sees.

use super::{fixture, ingest, order, set_status};
use crate::helpers::TestApp;
use serde_json::json;

const STATUSES: [&str; 6] = [
    "ordered",
    "specimen_collected",
    "in_process",
    "completed",
    "cancelled",
    "rejected",
];

/// The moves a status change allows (`completed` only by a final result).
const ALLOWED: [(&str, &str); 7] = [
    ("ordered", "specimen_collected"),
    ("ordered", "rejected"),
    ("ordered", "cancelled"),
    ("specimen_collected", "in_process"),
    ("specimen_collected", "rejected"),
    ("specimen_collected", "cancelled"),
    ("in_process", "rejected"),
];

/// A new order of patient A driven to `status` by the admin.
async fn order_in(
    app: &TestApp,
    admin: &str,
    clinician: &str,
    patient: &str,
    status: &str,
) -> String {
    let o = order(app, clinician, patient, json!({})).await;
    let id = o["id"].as_str().unwrap().to_owned();
    let path: &[&str] = match status {
        "ordered" => &[],
        "specimen_collected" | "cancelled" | "rejected" => &["specimen_collected"],
        _ => &["specimen_collected", "in_process"],
    };
    for s in path {
        set_status(app, admin, &id, s).await.expect(200);
    }
    match status {
        "completed" => {
            ingest(app, admin, &id, "final").await.expect(200);
        }
        "cancelled" | "rejected" => {
            set_status(app, admin, &id, status).await.expect(200);
        }
        _ => {}
    }
    id
}

/// Every (from, to) pair of statuses through `PUT …/status`: the table's moves answer 200 with
/// the new status, every other one 409 naming both, and changes nothing.
pub async fn every_transition_over_http(app: &TestApp) {
    let l = fixture(app).await;
    let a = &l.t.a;
    for from in STATUSES {
        for to in STATUSES {
            let id = order_in(app, &a.admin, &a.clinician, &a.patient_id, from).await;
            let r = set_status(app, &l.t.sa, &id, to).await;
            if ALLOWED.contains(&(from, to)) {
                assert_eq!(r.expect(200)["status"], to, "{from} -> {to}");
            } else {
                r.expect_detail(
                    409,
                    &format!("Invalid status transition from {from} to {to}"),
                );
                let now = app
                    .get(&format!("/api/labs/orders/{id}"), Some(&a.admin))
                    .await;
                assert_eq!(
                    now.expect(200)["status"],
                    from,
                    "{from} -> {to} changed nothing"
                );
            }
        }
    }
}

/// Results by kind, review, amendments, and the patient's view.
pub async fn results_review_and_patient_visibility(app: &TestApp) {
    let l = fixture(app).await;
    let a = &l.t.a;
    let id = order_in(app, &a.admin, &a.clinician, &a.patient_id, "ordered").await;
    let results = format!("/api/labs/results/{id}");
    // Nothing yet.
    let r = app.get(&results, Some(&a.clinician)).await;
    let b = r.expect(200);
    assert_eq!(b["results"], serde_json::Value::Null);
    assert_eq!(b["result_status"], serde_json::Value::Null);
    assert_eq!(b["status"], "ordered");
    // No result into `ordered`.
    for kind in ["preliminary", "final", "amended"] {
        let to = if kind == "preliminary" {
            "in_process"
        } else {
            "completed"
        };
        ingest(app, &l.tech, &id, kind).await.expect_detail(
            409,
            &format!("Invalid status transition from ordered to {to}"),
        );
    }
    set_status(app, &l.tech, &id, "specimen_collected")
        .await
        .expect(200);
    let r = ingest(app, &l.tech, &id, "preliminary").await;
    let b = r.expect(200);
    assert_eq!(b["status"], "in_process");
    assert_eq!(b["result_status"], "preliminary");
    assert_eq!(b["results"]["brca1"], "negative");
    ingest(app, &l.tech, &id, "amended").await.expect_detail(
        409,
        "Invalid status transition from in_process to completed",
    );
    app.post(
        &format!("/api/labs/review_result/{id}"),
        Some(&a.clinician),
        &json!({}),
    )
    .await
    .expect_detail(409, "The order has no final result to review");
    // The patient sees nothing before a review: the order does not exist for it.
    app.get(&results, Some(&l.patient))
        .await
        .expect_detail(404, "Lab order not found");
    let r = app
        .post(
            &results,
            Some(&l.tech),
            &json!({
            "results": {"brca1": "pathogenic variant", "brca2": "negative"},
            "report_url": "https://lab.example/reports/1.pdf",
            "performed_at": "2026-12-01T10:00:00Z", "notes": "confirmed"}),
        )
        .await;
    let b = r.expect(200);
    assert_eq!(b["status"], "completed");
    assert_eq!(b["result_status"], "final");
    assert_eq!(
        b["results"]["report_url"],
        "https://lab.example/reports/1.pdf"
    );
    assert_eq!(b["performed_at"], "2026-12-01T10:00:00Z");
    assert_eq!(b["reviewed_at"], serde_json::Value::Null);
    let o = app
        .get(&format!("/api/labs/orders/{id}"), Some(&a.admin))
        .await;
    assert!(o.expect(200)["completed_at"].is_string());
    ingest(app, &l.tech, &id, "final")
        .await
        .expect_detail(409, "Invalid status transition from completed to completed");
    app.get(&results, Some(&l.patient))
        .await
        .expect_detail(404, "Lab order not found");
    // Review: the patient sees it.
    let r = app
        .post(
            &format!("/api/labs/review_result/{id}"),
            Some(&a.clinician),
            &json!({}),
        )
        .await;
    let b = r.expect(200);
    assert_eq!(b["reviewed_by"], a.clinician_id.as_str());
    assert!(b["reviewed_at"].is_string());
    let p = app.get(&results, Some(&l.patient)).await;
    assert_eq!(p.expect(200)["results"]["brca1"], "pathogenic variant");
    // An amendment replaces the values and needs a new review.
    let r = app
        .post(
            &results,
            Some(&a.admin),
            &json!({"results": {"brca1": "likely benign"}, "result_status": "AMENDED"}),
        )
        .await;
    let b = r.expect(200);
    assert_eq!(b["result_status"], "amended");
    assert_eq!(b["status"], "completed");
    assert_eq!(b["reviewed_at"], serde_json::Value::Null);
    app.get(&results, Some(&l.patient))
        .await
        .expect_detail(404, "Lab order not found");
    app.post(
        &format!("/api/labs/review_result/{id}"),
        Some(&a.admin),
        &json!({}),
    )
    .await
    .expect(200);
    let p = app.get(&results, Some(&l.patient)).await;
    assert_eq!(p.expect(200)["results"], json!({"brca1": "likely benign"}));
    // Another patient's reviewed order is not this patient's.
    let other = app
        .patient(&a.clinician, "Oth", "Er", "oth@alpha.test")
        .await;
    let oid = order_in(
        app,
        &a.admin,
        &a.clinician,
        other["id"].as_str().unwrap(),
        "completed",
    )
    .await;
    app.post(
        &format!("/api/labs/review_result/{oid}"),
        Some(&a.admin),
        &json!({}),
    )
    .await
    .expect(200);
    app.get(&format!("/api/labs/results/{oid}"), Some(&l.patient))
        .await
        .expect_detail(404, "Lab order not found");
    // Reads and writes are audited (ids only).
    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let rows = app
        .query::<N>(&format!(
            "SELECT COUNT(*) AS n FROM audit_log WHERE record_type = 'lab_order' AND record_id = '{id}'"
        ))
        .await;
    assert!(rows[0].n >= 8, "{}", rows[0].n);
}
