//! `AuditLog`: append-only rows in `audit_log`; also written by repository writes inside their
//! own transaction (`write_entries`).

use crate::convert::{id, ts};
use crate::schema::audit_log;
use crate::{Database, DbConnection};
use async_trait::async_trait;
use diesel::prelude::*;
use genascope_domain::audit::{AuditEntry, AuditLog, AuditRecords};
use genascope_domain::common::RepoError;
use std::borrow::Borrow;
use time::PrimitiveDateTime;

/// An entry as stored.
#[derive(Debug, Insertable)]
#[diesel(table_name = audit_log, treat_none_as_default_value = false)]
pub(crate) struct AuditRow {
    pub(crate) id: String,
    pub(crate) at: PrimitiveDateTime,
    pub(crate) actor_id: Option<String>,
    pub(crate) action: &'static str,
    pub(crate) record_type: &'static str,
    pub(crate) record_id: Option<String>,
    pub(crate) account_id: Option<String>,
    pub(crate) record_count: Option<i32>,
    /// 16 bytes per id, concatenated (a list of 1,000 patients is 16 KB).
    pub(crate) record_ids: Option<Vec<u8>>,
    pub(crate) query: Option<String>,
}

/// `audit_log`'s columns in [`AuditRow`]'s order, for statements that insert rows from a query
/// (`INSERT … SELECT`), which diesel's `Insertable` cannot build.
const AUDIT_COLUMNS: &str =
    "id, at, actor_id, action, record_type, record_id, account_id, record_count, record_ids, query";

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

/// PostgreSQL: audit rows from arrays (one bind per column), each inserted only if the row of
/// `chat_sessions` it names was written by the `written` statement of the same `WITH`:
///
/// ```sql
/// INSERT INTO audit_log (…) SELECT e.id, … FROM unnest($1, …) AS e (written_id, id, …)
/// JOIN written ON written.id = e.written_id
/// ```
///
/// The answer writer's batch and a session's one-statement writes (`questionnaire`) append
/// their entries so.
#[derive(Default)]
pub(crate) struct AuditFromWritten<'a> {
    written_id: Vec<&'a str>,
    id: Vec<&'a str>,
    at: Vec<PrimitiveDateTime>,
    actor_id: Vec<Option<&'a str>>,
    action: Vec<&'a str>,
    record_type: Vec<&'a str>,
    record_id: Vec<Option<&'a str>>,
    account_id: Vec<Option<&'a str>>,
    record_count: Vec<Option<i32>>,
    record_ids: Vec<Option<&'a [u8]>>,
    query: Vec<Option<&'a str>>,
}

impl<'a> AuditFromWritten<'a> {
    /// `row`, written if `written_id` is.
    pub(crate) fn push(&mut self, written_id: &'a str, row: &'a AuditRow) {
        self.written_id.push(written_id);
        self.id.push(&row.id);
        self.at.push(row.at);
        self.actor_id.push(row.actor_id.as_deref());
        self.action.push(row.action);
        self.record_type.push(row.record_type);
        self.record_id.push(row.record_id.as_deref());
        self.account_id.push(row.account_id.as_deref());
        self.record_count.push(row.record_count);
        self.record_ids.push(row.record_ids.as_deref());
        self.query.push(row.query.as_deref());
    }
}

impl diesel::query_builder::QueryFragment<diesel::pg::Pg> for AuditFromWritten<'_> {
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, diesel::pg::Pg>,
    ) -> QueryResult<()> {
        use diesel::sql_types::{Array, Binary, Integer, Nullable, Text, Timestamp};
        out.push_sql("INSERT INTO audit_log (");
        out.push_sql(AUDIT_COLUMNS);
        out.push_sql(
            ") SELECT e.id, e.at, e.actor_id, e.action, e.record_type, e.record_id, \
             e.account_id, e.record_count, e.record_ids, e.query FROM unnest(",
        );
        out.push_bind_param::<Array<Text>, _>(&self.written_id)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Text>, _>(&self.id)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Timestamp>, _>(&self.at)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Nullable<Text>>, _>(&self.actor_id)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Text>, _>(&self.action)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Text>, _>(&self.record_type)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Nullable<Text>>, _>(&self.record_id)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Nullable<Text>>, _>(&self.account_id)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Nullable<Integer>>, _>(&self.record_count)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Nullable<Binary>>, _>(&self.record_ids)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Nullable<Text>>, _>(&self.query)?;
        out.push_sql(
            ") AS e (written_id, id, at, actor_id, action, record_type, record_id, account_id, \
             record_count, record_ids, query) JOIN written ON written.id = e.written_id",
        );
        Ok(())
    }
}

/// Most entries in one multi-row INSERT on PostgreSQL (ten binds each, far below its 65,535).
const ENTRIES_PER_INSERT: usize = 500;

/// Append entries on `conn` (inside the caller's transaction, when it has one). On PostgreSQL
/// several entries are one multi-row INSERT (a statement is a round trip to the server; the read
/// audit writer commits hundreds of requests' entries at a time); on SQLite, where a statement
/// costs no round trip, each is its own INSERT.
pub(crate) fn write_entries(conn: &mut DbConnection, entries: &[AuditEntry]) -> QueryResult<()> {
    insert_all(conn, entries)
}

/// See [`write_entries`]; `entries` owned or borrowed (a group commit's, gathered from its jobs).
fn insert_all<E: Borrow<AuditEntry>>(conn: &mut DbConnection, entries: &[E]) -> QueryResult<()> {
    match conn {
        DbConnection::Postgresql(pg) if entries.len() > 1 => {
            for chunk in entries.chunks(ENTRIES_PER_INSERT) {
                let rows: Vec<AuditRow> =
                    chunk.iter().map(|e| AuditRow::from(e.borrow())).collect();
                diesel::insert_into(audit_log::table)
                    .values(&rows)
                    .execute(pg)?;
            }
        }
        _ => {
            for entry in entries {
                crate::sql::execute(
                    conn,
                    diesel::insert_into(audit_log::table).values(AuditRow::from(entry.borrow())),
                )?;
            }
        }
    }
    Ok(())
}

/// The entries of several requests, written as one (see [`write_entries`]).
fn write_jobs(conn: &mut DbConnection, jobs: &[Job]) -> QueryResult<()> {
    let entries: Vec<&AuditEntry> = jobs.iter().flat_map(|j| &j.entries).collect();
    insert_all(conn, &entries)
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

/// How many requests' entries one commit may carry.
const MAX_BATCH: usize = 256;
/// Requests waiting for the writer before `record` waits for room (back-pressure, not loss).
const QUEUE: usize = 4096;

/// One request's entries and where to answer it.
struct Job {
    entries: Vec<AuditEntry>,
    done: tokio::sync::oneshot::Sender<Result<(), RepoError>>,
}

/// The `AuditLog` for reads, group-committed: each request hands its entries to one writer
/// thread and waits until they are durable; the writer takes everything queued meanwhile (up to
/// [`MAX_BATCH`] requests) and commits it in one transaction, so many reads share one commit
/// (one fsync on PostgreSQL, one WAL append on SQLite) instead of paying one each. Nothing is
/// acknowledged before its commit, so no read is served unaudited (issue #11).
///
/// If a batch fails, its requests are written again one transaction each, so that one bad entry
/// fails only its own request. Dropping every clone closes the queue: the writer commits what is
/// queued and stops; [`AuditWriterHandle::join`] waits for that (before the pool shuts down).
#[derive(Clone)]
pub struct AuditWriter {
    queue: tokio::sync::mpsc::Sender<Job>,
    /// SQLite: entries go straight to the database's write lane, which group-commits them
    /// with every other write (a second writer would only wait for the lane's lock).
    lane: Option<Database>,
}

/// The writer thread, to be joined at shutdown once every [`AuditWriter`] is dropped.
#[derive(Debug)]
pub struct AuditWriterHandle(std::thread::JoinHandle<()>);

impl AuditWriterHandle {
    /// Wait for the writer to commit what is queued and stop (blocking). Returns at once if the
    /// thread panicked.
    pub fn join(self) {
        let _ = self.0.join();
    }
}

impl std::fmt::Debug for AuditWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditWriter").finish_non_exhaustive()
    }
}

impl AuditWriter {
    /// Start the writer thread on `db`.
    ///
    /// # Errors
    /// The thread could not be spawned.
    pub fn start(db: Database) -> std::io::Result<(Self, AuditWriterHandle)> {
        let (queue, jobs) = tokio::sync::mpsc::channel(QUEUE);
        let lane = (db.backend() == crate::Backend::Sqlite).then(|| db.clone());
        let thread = std::thread::Builder::new()
            .name("audit-writer".into())
            .spawn(move || write_loop(&db, jobs))?;
        Ok((Self { queue, lane }, AuditWriterHandle(thread)))
    }
}

#[async_trait]
impl AuditLog for AuditWriter {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn record(&self, entries: Vec<AuditEntry>) -> Result<(), RepoError> {
        if entries.is_empty() {
            return Ok(());
        }
        if let Some(db) = &self.lane {
            return db.write(move |c| write_entries(c, &entries)).await;
        }
        let stopped = || RepoError::Unavailable("the audit writer has stopped".into());
        let (done, answer) = tokio::sync::oneshot::channel();
        self.queue
            .send(Job { entries, done })
            .await
            .map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

fn write_loop(db: &Database, mut jobs: tokio::sync::mpsc::Receiver<Job>) {
    let mut batch: Vec<Job> = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = jobs.blocking_recv() {
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        commit(db, &mut batch);
    }
}

/// Commit `batch` in one transaction and answer every job; on failure, retry each job alone.
fn commit(db: &Database, batch: &mut Vec<Job>) {
    let mut conn = match db.checkout() {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, requests = batch.len(), "audit writer: no database connection");
            for job in batch.drain(..) {
                let _ = job
                    .done
                    .send(Err(RepoError::Unavailable("database unavailable".into())));
            }
            return;
        }
    };
    let together = crate::database::write_transaction(&mut conn, |c| write_jobs(c, batch));
    if let Err(e) = &together
        && crate::connection::note_if_lost(e)
    {
        // The connection is gone (it is discarded when `conn` drops): retrying on it is useless.
        for job in batch.drain(..) {
            let _ = job.done.send(Err(RepoError::Unavailable(
                "database connection lost".into(),
            )));
        }
        return;
    }
    if together.is_ok() || batch.len() == 1 {
        let result = together.map_err(crate::sql::map_error);
        for job in batch.drain(..) {
            let _ = job.done.send(match &result {
                Ok(()) => Ok(()),
                Err(e) => Err(RepoError::Unexpected(e.to_string().into())),
            });
        }
        return;
    }
    for job in batch.drain(..) {
        let alone =
            crate::database::write_transaction(&mut conn, |c| write_entries(c, &job.entries))
                .map_err(crate::sql::map_error);
        let _ = job.done.send(alone);
    }
}
