//! Labs (contract §3.8): orders, roles × tenancy, every transition, results and review, the
//! signed webhook, bad input, the operator command.

mod input;
mod lifecycle;
mod reports;
mod roles;
mod seed;
mod webhook;

pub use input::{bad_input_is_4xx_naming_the_field, nothing_is_half_written};
pub use lifecycle::{every_transition_over_http, results_review_and_patient_visibility};
pub use reports::report_files_attach_to_results;
pub use roles::{lists_and_filters, who_may_order_and_read_where, who_sets_which_status};
pub use seed::seed_demo_has_lab_orders_in_every_state;
pub use webhook::{
    lab_integration_command, lab_integration_list, parallel_deliveries_apply_once,
    webhook_events_change_orders, webhook_signatures,
};

use crate::helpers::{PW, Resp, Tenancy, TestApp};
use serde_json::{Value, json};

/// A valid shipping address.
pub fn address() -> Value {
    json!({"line1": "1 Main St", "city": "Springfield", "state": "IL", "zip_code": "62701"})
}

/// Order `test` for `patient` as `token` (provider: the default), expecting 200.
pub async fn order(app: &TestApp, token: &str, patient: &str, extra: Value) -> Value {
    let mut body =
        json!({"patient_id": patient, "test_type": "brca", "shipping_address": address()});
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    let r = app.post("/api/labs/order_test", Some(token), &body).await;
    r.expect(200).clone()
}

/// PUT a status.
pub async fn set_status(app: &TestApp, token: &str, order: &str, status: &str) -> Resp {
    app.put(
        &format!("/api/labs/orders/{order}/status"),
        Some(token),
        &json!({"status": status}),
    )
    .await
}

/// POST results of `kind`.
pub async fn ingest(app: &TestApp, token: &str, order: &str, kind: &str) -> Resp {
    app.post(
        &format!("/api/labs/results/{order}"),
        Some(token),
        &json!({"results": {"BRCA1": "negative", "brca2": "variant of uncertain significance"},
                "result_status": kind}),
    )
    .await
}

/// The tenancy fixture plus a lab tech, a `user` of account A, and a login of A's patient.
pub struct Labs {
    pub t: Tenancy,
    pub tech: String,
    pub user: String,
    pub patient: String,
}

pub async fn fixture(app: &TestApp) -> Labs {
    let t = app.tenancy().await;
    app.user(&t.a.admin, "tech@alpha.test", "Tech Alpha", "lab_tech")
        .await;
    app.user(&t.a.admin, "user@alpha.test", "User Alpha", "user")
        .await;
    let r = app
        .post(
            "/api/users",
            Some(&t.a.admin),
            &json!({"email": "pat@alpha.test", "name": "Pat Ofalpha", "role": "patient",
                    "password": PW, "confirm_password": PW}),
        )
        .await;
    assert_eq!(r.expect(201)["id"], t.a.patient_id.as_str());
    Labs {
        tech: app.token("tech@alpha.test", PW).await,
        user: app.token("user@alpha.test", PW).await,
        patient: app.token("pat@alpha.test", PW).await,
        t,
    }
}
