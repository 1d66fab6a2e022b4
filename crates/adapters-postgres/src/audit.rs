//! `AuditLog`: append-only rows in `audit_log`; also written by repository writes inside their
//! own transaction (`write_entries`).

use crate::convert::{id, ts};
use crate::schema::audit_log;
use crate::{Database, DbConnection};
use async_trait::async_trait;
use diesel::prelude::*;
use genascope_domain::audit::{AuditEntry, AuditLog, AuditRecords};
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
    record_count: Option<i32>,
    /// 16 bytes per id, concatenated (a list of 1,000 patients is 16 KB).
    record_ids: Option<Vec<u8>>,
    query: Option<String>,
}

impl From<&AuditEntry> for AuditRow {
    fn from(e: &AuditEntry) -> Self {
        let (record_id, record_count, record_ids, query) = match &e.records {
            AuditRecords::One(r) => (Some(id(*r)), Some(1), None, None),
            AuditRecords::Many { ids, query } => (
                None,
                Some(i32::try_from(ids.len()).unwrap_or(i32::MAX)),
                Some(ids.iter().flat_map(|u| *u.as_bytes()).collect()),
                query.clone(),
            ),
        };
        Self {
            id: id(e.id),
            at: ts(e.at),
            actor_id: e.actor_id.map(|a| id(a.0)),
            action: e.action.as_str(),
            record_type: e.record_type,
            record_id,
            account_id: e.account_id.map(|a| id(a.0)),
            record_count,
            record_ids,
            query,
        }
    }
}

/// Append entries on `conn` (inside the caller's transaction, when it has one). Multi-row VALUES
/// is not portable across the two backends; entries are few (a list is one entry).
pub(crate) fn write_entries(conn: &mut DbConnection, entries: &[AuditEntry]) -> QueryResult<()> {
    for entry in entries {
        diesel::insert_into(audit_log::table)
            .values(AuditRow::from(entry))
            .execute(conn)?;
    }
    Ok(())
}

#[async_trait]
impl AuditLog for Database {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn record(&self, entries: Vec<AuditEntry>) -> Result<(), RepoError> {
        if entries.is_empty() {
            return Ok(());
        }
        self.transaction(move |conn| write_entries(conn, &entries))
            .await
    }
}
