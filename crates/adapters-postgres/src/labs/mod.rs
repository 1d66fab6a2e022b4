//! Labs: `LabOrderRepository` on `lab_orders` (with `lab_events`, the webhook's replay guard),
//! `LabIntegrationRepository` (`integrations.rs`), and the default `LabGateway`
//! (`OutboxLabGateway`: a new order's request to its lab is an outbox row written with the
//! order).

mod integrations;
mod rows;

use crate::audit::write_entries;
use crate::convert::{id, ts};
use crate::files::attach_in;
use crate::notify::enqueue;
use crate::schema::{files, lab_events, lab_orders, patients, users};
use crate::sql::found;
use crate::{Database, DbConnection, MultiBackend};
use async_trait::async_trait;
use diesel::prelude::*;
use genascope_domain::audit::AuditEntry;
use genascope_domain::common::{AccountId, LabOrderId, RepoError};
use genascope_domain::files::model::{AttachmentKind, FileId};
use genascope_domain::identity::policy::ListScope;
use genascope_domain::labs::model::{LabOrder, LabOrderQuery, LabOrderView};
use genascope_domain::labs::ports::{EventKey, LabGateway, LabOrderRepository, LabRequest};
use genascope_domain::labs::reports;
use rows::OrderRow;
use std::collections::HashMap;

/// The outbox kind of a new order's request to its lab.
pub const KIND_LAB_ORDER: &str = "lab_order";

/// The default [`LabGateway`]: a new order becomes an outbox row (`lab_order`) holding ids and
/// codes only, written in the order's transaction; a lab sink of the outbox worker delivers it.
#[derive(Debug, Default, Clone, Copy)]
pub struct OutboxLabGateway;

impl LabGateway for OutboxLabGateway {
    fn order_request(&self, order: &LabOrder) -> LabRequest {
        LabRequest {
            kind: KIND_LAB_ORDER,
            payload: serde_json::json!({
                "order_id": order.id,
                "account_id": order.account_id,
                "test_type": order.test_type.as_str(),
                "ordered_at": order.created_at.unix_timestamp(),
            }),
        }
    }
}

type Boxed<'a> = diesel::dsl::IntoBoxed<
    'a,
    diesel::dsl::Filter<
        diesel::dsl::InnerJoin<lab_orders::table, patients::table>,
        diesel::dsl::IsNull<patients::deleted_at>,
    >,
    MultiBackend,
>;

/// Orders of live patients, with the patient's names.
fn visible<'a>() -> Boxed<'a> {
    lab_orders::table
        .inner_join(patients::table)
        .filter(patients::deleted_at.is_null())
        .into_boxed()
}

/// Rows with their names: the patient's from the join, the providers' in one more query.
fn load(conn: &mut DbConnection, q: Boxed<'_>) -> QueryResult<Vec<LabOrderView>> {
    let rows: Vec<(OrderRow, String, String)> = q
        .select((
            OrderRow::as_select(),
            patients::first_name,
            patients::last_name,
        ))
        .load(conn)?;
    let provider_ids: Vec<&str> = rows
        .iter()
        .map(|(r, _, _)| r.provider_id.as_str())
        .collect();
    let names: HashMap<String, String> = users::table
        .filter(users::id.eq_any(provider_ids))
        .select((users::id, users::name))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    rows.into_iter()
        .map(|(row, first, last)| {
            let clinician_name = names.get(&row.provider_id).cloned().unwrap_or_default();
            Ok(LabOrderView {
                order: row.into_domain()?,
                patient_name: format!("{first} {last}"),
                clinician_name,
            })
        })
        .collect()
}

fn one(conn: &mut DbConnection, q: Boxed<'_>) -> QueryResult<LabOrderView> {
    load(conn, q.limit(1))?
        .pop()
        .ok_or(diesel::result::Error::NotFound)
}

/// What a save did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Saved {
    Done,
    /// The version moved on: nothing written.
    Stale,
    /// The report file is another record's: nothing written.
    FileAttached,
}

/// The order's columns if its version is still the one before, then the event's key (a replay
/// fails on its primary key).
fn write(conn: &mut DbConnection, row: &OrderRow, event: Option<&EventKey>) -> QueryResult<Saved> {
    let current = lab_orders::table
        .filter(lab_orders::id.eq(&row.id))
        .filter(lab_orders::version.eq(row.version - 1));
    let n = diesel::update(current).set(row.changes()).execute(conn)?;
    if n == 0 {
        let exists: i64 = lab_orders::table
            .filter(lab_orders::id.eq(&row.id))
            .count()
            .get_result(conn)?;
        found(usize::try_from(exists).unwrap_or(0))?;
        return Ok(Saved::Stale);
    }
    if let Some(e) = event {
        diesel::insert_into(lab_events::table)
            .values((
                lab_events::integration_id.eq(id(e.integration.0)),
                lab_events::event_id.eq(&e.event_id),
                lab_events::order_id.eq(&row.id),
                lab_events::received_at.eq(ts(e.received_at)),
            ))
            .execute(conn)?;
    }
    Ok(Saved::Done)
}

/// Free the files attached to this order's result other than `keep` (a replaced report).
fn detach_others(
    conn: &mut DbConnection,
    order: &str,
    keep: Option<uuid::Uuid>,
) -> QueryResult<()> {
    let kind = AttachmentKind::LabResult.as_str();
    let mut q = diesel::update(files::table)
        .filter(files::attached_kind.eq(kind))
        .filter(files::attached_id.eq(order))
        .into_boxed();
    if let Some(k) = keep {
        q = q.filter(files::id.ne(id(k)));
    }
    q.set((
        files::attached_kind.eq(None::<String>),
        files::attached_id.eq(None::<String>),
    ))
    .execute(conn)?;
    Ok(())
}

#[async_trait]
impl LabOrderRepository for Database {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn create(
        &self,
        order: &LabOrder,
        request: &LabRequest,
        audit: &AuditEntry,
    ) -> Result<(), RepoError> {
        let row = OrderRow::try_from(order)?;
        let (request, audit, now) = (request.clone(), audit.clone(), order.created_at);
        self.transaction(move |conn| {
            diesel::insert_into(lab_orders::table)
                .values(&row)
                .execute(conn)?;
            write_entries(conn, std::slice::from_ref(&audit))?;
            enqueue(conn, request.kind, &request.payload.to_string(), now)
        })
        .await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(order_id = %oid))]
    async fn get(&self, oid: LabOrderId) -> Result<LabOrderView, RepoError> {
        let oid = id(oid.0);
        self.run(move |conn| one(conn, visible().filter(lab_orders::id.eq(oid))))
            .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn by_reference(
        &self,
        accounts: &[AccountId],
        reference: &str,
    ) -> Result<LabOrderView, RepoError> {
        let accounts: Vec<String> = accounts.iter().map(|a| id(a.0)).collect();
        let reference = reference.to_owned();
        self.run(move |conn| {
            one(
                conn,
                visible()
                    .filter(lab_orders::account_id.eq_any(accounts))
                    .filter(lab_orders::lab_reference.eq(reference))
                    .order(lab_orders::id.asc()),
            )
        })
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list(
        &self,
        scope: ListScope,
        query: &LabOrderQuery,
    ) -> Result<Vec<LabOrderView>, RepoError> {
        let account = match scope {
            ListScope::Nothing => return Ok(Vec::new()),
            ListScope::All => None,
            ListScope::Account(a) => Some(id(a.0)),
        };
        let q = query.clone();
        self.run(move |conn| {
            let mut sql = visible();
            if let Some(a) = account {
                sql = sql.filter(lab_orders::account_id.eq(a));
            }
            if let Some(s) = q.status {
                sql = sql.filter(lab_orders::status.eq(s.as_str()));
            }
            if let Some(t) = q.test_type {
                sql = sql.filter(lab_orders::test_type.eq(t.as_str()));
            }
            if let Some(p) = q.patient_id {
                sql = sql.filter(lab_orders::patient_id.eq(id(p.0)));
            }
            if let Some(p) = q.provider_id {
                sql = sql.filter(lab_orders::provider_id.eq(id(p.0)));
            }
            load(
                conn,
                sql.order((lab_orders::created_at.desc(), lab_orders::id.asc()))
                    .offset(i64::from(q.skip))
                    .limit(i64::from(q.limit)),
            )
        })
        .await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(order_id = %order.id))]
    async fn save(
        &self,
        order: &LabOrder,
        audit: &AuditEntry,
        event: Option<EventKey>,
    ) -> Result<(), RepoError> {
        let row = OrderRow::try_from(order)?;
        let audit = audit.clone();
        let report = order.result.as_ref().and_then(|r| r.report_file_id);
        let attachment = reports::attachment(order.id);
        match self
            .transaction(move |conn| {
                // A savepoint: a report attached elsewhere undoes the order's write too.
                let saved = conn.transaction(|conn| {
                    let saved = write(conn, &row, event.as_ref())?;
                    if saved != Saved::Done {
                        return Ok(saved);
                    }
                    detach_others(conn, &row.id, report)?;
                    if let Some(file) = report
                        && !attach_in(conn, FileId(file), attachment)?
                    {
                        return Err(diesel::result::Error::RollbackTransaction);
                    }
                    write_entries(conn, std::slice::from_ref(&audit))?;
                    Ok(Saved::Done)
                });
                match saved {
                    Err(diesel::result::Error::RollbackTransaction) => Ok(Saved::FileAttached),
                    other => other,
                }
            })
            .await?
        {
            Saved::Done => Ok(()),
            Saved::Stale => Err(RepoError::Stale),
            Saved::FileAttached => Err(RepoError::Conflict("file_attached")),
        }
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn event_seen(&self, key: &EventKey) -> Result<bool, RepoError> {
        let (integration, event) = (id(key.integration.0), key.event_id.clone());
        self.run(move |conn| {
            let n: i64 = lab_events::table
                .filter(lab_events::integration_id.eq(integration))
                .filter(lab_events::event_id.eq(event))
                .count()
                .get_result(conn)?;
            Ok(n > 0)
        })
        .await
    }
}
