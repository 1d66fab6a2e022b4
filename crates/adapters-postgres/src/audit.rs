//! `AuditLog`: append-only rows in `audit_log`.

use crate::Database;
use crate::convert::{id, ts};
use crate::schema::audit_log;
use async_trait::async_trait;
use diesel::prelude::*;
use genascope_domain::audit::{AuditEntry, AuditLog};
use genascope_domain::common::RepoError;
use time::PrimitiveDateTime;

#[derive(Debug, Insertable)]
#[diesel(table_name = audit_log, treat_none_as_default_value = false)]
struct AuditRow {
    id: String,
    at: PrimitiveDateTime,
    actor_id: Option<String>,
    action: &'static str,
    record_type: &'static str,
    record_id: Option<String>,
    account_id: Option<String>,
}

impl From<&AuditEntry> for AuditRow {
    fn from(e: &AuditEntry) -> Self {
        Self {
            id: id(e.id),
            at: ts(e.at),
            actor_id: e.actor_id.map(|a| id(a.0)),
            action: e.action.as_str(),
            record_type: e.record_type,
            record_id: Some(e.record_id.clone()),
            account_id: e.account_id.map(|a| id(a.0)),
        }
    }
}

#[async_trait]
impl AuditLog for Database {
    async fn record(&self, entries: Vec<AuditEntry>) -> Result<(), RepoError> {
        if entries.is_empty() {
            return Ok(());
        }
        let rows: Vec<AuditRow> = entries.iter().map(AuditRow::from).collect();
        self.transaction(move |conn| {
            // Multi-row VALUES is not portable across the two backends; entries are few (a list
            // read is one entry), so one statement per row inside one transaction.
            for row in &rows {
                diesel::insert_into(audit_log::table)
                    .values(row)
                    .execute(conn)?;
            }
            Ok(())
        })
        .await
    }
}
