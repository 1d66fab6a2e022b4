//! Regression tests of issue #6 ("Hardening": the outside review's defects), over HTTP, each on
//! both backends unless it needs PostgreSQL. Item numbers refer to the issue.
//!
//! By topic: [`audit`] (item 1 and the 1,000-patient test), [`limits`] (items 2, 4),
//! [`sessions`] (items 3, 11, 12, 15), [`input`] (items 5, 13), [`concurrency`] (items 6, 16),
//! [`access`] (items 14, 21), [`deployment`] (items 18, 20). The tests are re-exported here, so
//! `main.rs` names them `hardening::<test>`. Here: the fixtures they share.

use crate::helpers::*;

use diesel::sql_types::{BigInt, Binary, Integer, Nullable, Text};

use genascope_adapters_postgres::Backend;

use serde_json::{Value, json};

use std::collections::HashSet;

use std::time::{Duration, Instant};

mod access;
mod audit;
mod concurrency;
mod deployment;
mod input;
mod limits;
mod sessions;

pub use access::*;
pub use audit::*;
pub use concurrency::*;
pub use deployment::*;
pub use input::*;
pub use limits::*;
pub use sessions::*;

// ---------------------------------------------------------------------------------------------
// Fixtures

/// One `audit_log` row as stored.
#[derive(Debug, Clone, diesel::QueryableByName)]
pub struct AuditRow {
    #[diesel(sql_type = Text)]
    pub id: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub actor_id: Option<String>,
    #[diesel(sql_type = Text)]
    pub action: String,
    #[diesel(sql_type = Text)]
    pub record_type: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub record_id: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub account_id: Option<String>,
    #[diesel(sql_type = Nullable<Integer>)]
    pub record_count: Option<i32>,
    #[diesel(sql_type = Nullable<Binary>)]
    pub record_ids: Option<Vec<u8>>,
    #[diesel(sql_type = Nullable<Text>)]
    pub query: Option<String>,
}

impl AuditRow {
    /// `record_ids` decoded: 16 bytes per id.
    fn ids(&self) -> Vec<String> {
        let bytes = self.record_ids.as_deref().unwrap_or_default();
        assert_eq!(bytes.len() % 16, 0, "record_ids is 16 bytes per id");
        bytes
            .chunks(16)
            .map(|c| uuid::Uuid::from_slice(c).unwrap().to_string())
            .collect()
    }

    /// `query` as JSON.
    fn query_json(&self) -> Value {
        serde_json::from_str(self.query.as_deref().expect("a list row has its query"))
            .expect("query is JSON")
    }
}

/// Audit rows seen so far; `new_rows` answers the rows written since the last call.
struct AuditCursor(HashSet<String>);

impl AuditCursor {
    async fn start(app: &TestApp) -> Self {
        Self(audit(app).await.into_iter().map(|r| r.id).collect())
    }

    async fn new_rows(&mut self, app: &TestApp) -> Vec<AuditRow> {
        let rows: Vec<AuditRow> = audit(app)
            .await
            .into_iter()
            .filter(|r| !self.0.contains(&r.id))
            .collect();
        self.0.extend(rows.iter().map(|r| r.id.clone()));
        rows
    }

    /// Exactly one new row.
    async fn one(&mut self, app: &TestApp, what: &str) -> AuditRow {
        let mut rows = self.new_rows(app).await;
        assert_eq!(rows.len(), 1, "{what}: one audit row, got {rows:#?}");
        rows.remove(0)
    }
}

async fn audit(app: &TestApp) -> Vec<AuditRow> {
    app.query(
        "SELECT id, actor_id, action, record_type, record_id, account_id, record_count, \
         record_ids, query FROM audit_log",
    )
    .await
}

/// Assert the row is the compact record of a list read or an import of `ids` (in that order).
#[track_caller]
fn assert_many(row: &AuditRow, action: &str, ids: &[String]) {
    assert_eq!(row.action, action, "{row:?}");
    assert_eq!(row.record_type, "patient", "{row:?}");
    assert_eq!(row.record_id, None, "a many-record row has no record_id");
    assert_eq!(row.record_count, Some(i32::try_from(ids.len()).unwrap()));
    assert_eq!(
        row.record_ids.as_ref().map(Vec::len),
        Some(16 * ids.len()),
        "16 bytes per id"
    );
    assert_eq!(row.ids(), ids, "the ids, in order");
}

fn id_of(v: &Value) -> String {
    v["id"].as_str().expect("an id").to_owned()
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

/// Never a server error.
#[track_caller]
fn not_5xx(r: &Resp, what: &str) {
    assert!(r.status < 500, "{what}: {} {}", r.status, r.text);
}

async fn refresh(app: &TestApp, refresh_token: &str) -> Resp {
    app.post(
        "/api/auth/refresh",
        None,
        &json!({"refresh_token": refresh_token}),
    )
    .await
}

/// The "email address was changed" notices to `to`.
async fn change_notices(app: &TestApp, to: &str) -> usize {
    app.emails_to(to)
        .await
        .iter()
        .filter(|m| {
            m["subject"]
                .as_str()
                .unwrap_or_default()
                .contains("email address was changed")
        })
        .count()
}

/// Create a patient login for the patient record with `email` (same id) and log it in.
async fn patient_login(app: &TestApp, admin: &str, email: &str, name: &str) -> (String, String) {
    let r = app
        .post(
            "/api/users",
            Some(admin),
            &json!({"email": email, "name": name, "role": "patient", "password": PW}),
        )
        .await;
    let id = r.expect(201)["id"].as_str().unwrap().to_owned();
    (id, app.token(email, PW).await)
}
