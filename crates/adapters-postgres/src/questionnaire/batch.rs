//! PostgreSQL: group commit of answers (issue #8).
//!
//! An answer writes its session's progress (a versioned UPDATE of one `chat_sessions` row) and
//! one audit entry. One statement and one commit each, PostgreSQL spent most of the 2-core
//! machine on the commits: measured with pgbench on it, about 4,000 such write transactions per
//! second saturated both cores, and so did a one-column UPDATE of one row (4,300/s), while the
//! same UPDATEs eight to a statement ran 11,900 rows/s.
//!
//! Here every answer's write goes to one thread with its own connection, which writes all the
//! answers waiting (up to [`MAX_BATCH`], each session at most once) as one statement:
//!
//! ```sql
//! WITH written AS (
//!     UPDATE chat_sessions SET answers = v.answers, … FROM unnest($1, …) AS v (id, version, …)
//!     WHERE chat_sessions.id = v.id AND chat_sessions.version = v.version
//!       AND chat_sessions.status = v.status AND <account and patient live>
//!     RETURNING chat_sessions.id),
//! audited AS (
//!     INSERT INTO audit_log (…) SELECT … FROM unnest($11, …) AS e (written_id, …)
//!     JOIN written ON written.id = e.written_id)
//! SELECT written.id FROM written
//! ```
//!
//! One statement is atomic, so a session's progress and its audit entry are written together or
//! not at all, and a caller is answered only after the statement committed: written (its
//! session's id came back) or not (the stored version moved on, or the session ended or is not
//! visible any more: the caller then reads it again). If the statement fails, each answer of
//! the batch is written again alone, so a bad row fails only its own caller.
//!
//! There are [`WRITERS`] such threads, each with its own connection: one alone spent most of
//! its time waiting (its batch's turn on the cores, its commit) while the cores had room (the
//! journey used 171 % of 200 %). A session's answers always go to the same writer (by a hash of
//! its id), so two batches never touch the same row: they never wait for each other's row locks
//! nor deadlock.

use super::progress::ProgressRow;
use super::sessions::{account_live, patient_live};
use crate::audit::{AuditFromWritten, AuditRow};
use crate::connection::{DbConnection, DbConnectionManager};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use genascope_domain::audit::AuditEntry;
use genascope_domain::common::RepoError;
use genascope_domain::questionnaire::sessions::model::SessionStatus;
use std::collections::{HashSet, VecDeque};
use std::time::Duration;
use time::PrimitiveDateTime;

/// Most answers in one statement: enough to amortise a commit, small enough that one batch
/// does not hold its first caller long.
const MAX_BATCH: usize = 64;

/// Most answers queued per writer (callers wait for room beyond it, bounded by the pool's
/// timeout).
const QUEUE: usize = 1024;

/// How many writer threads (and connections).
const WRITERS: usize = 2;

/// One answer's write: its session's progress columns if the stored version is still
/// `version`, and its audit entry.
pub(super) struct AnswerWrite {
    id: String,
    version: i32,
    answers: String,
    extracted_data: String,
    current_question: Option<i32>,
    progress_percentage: i32,
    message_count: i32,
    last_activity: PrimitiveDateTime,
    new_version: i32,
    audit: AuditRow,
}

impl AnswerWrite {
    pub(super) fn new(id: &str, version: i32, row: &ProgressRow<'_>, entry: &AuditEntry) -> Self {
        Self {
            id: id.to_owned(),
            version,
            answers: row.answers.to_owned(),
            extracted_data: row.extracted_data.to_owned(),
            current_question: row.current_question,
            progress_percentage: row.progress_percentage,
            message_count: row.message_count,
            last_activity: row.last_activity,
            new_version: row.version,
            audit: AuditRow::from(entry),
        }
    }
}

/// An answer waiting for its batch, and where to tell its caller.
struct Pending {
    write: AnswerWrite,
    reply: tokio::sync::oneshot::Sender<Result<bool, RepoError>>,
}

/// The answer writers of one PostgreSQL database (see the module). Dropping it lets their
/// threads write what is queued and joins them (which closes their connections before the
/// process exits).
pub(crate) struct AnswerBatcher {
    queues: Vec<tokio::sync::mpsc::Sender<Pending>>,
    threads: Vec<std::thread::JoinHandle<()>>,
    timeout: Duration,
}

impl std::fmt::Debug for AnswerBatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AnswerBatcher").finish_non_exhaustive()
    }
}

impl AnswerBatcher {
    /// Start the writers' threads; each opens its connection on its first answer (and again
    /// after losing it). `timeout`: how long a caller waits for room in a queue.
    pub(crate) fn start(manager: DbConnectionManager, timeout: Duration) -> std::io::Result<Self> {
        let mut this = Self {
            queues: Vec::with_capacity(WRITERS),
            threads: Vec::with_capacity(WRITERS),
            timeout,
        };
        for n in 0..WRITERS {
            let (queue, jobs) = tokio::sync::mpsc::channel(QUEUE);
            let manager = manager.clone();
            // On failure, `this` drops: the threads already started end and are joined.
            let thread = std::thread::Builder::new()
                .name(format!("pg-answers-{n}"))
                .spawn(move || serve(&manager, jobs))?;
            this.queues.push(queue);
            this.threads.push(thread);
        }
        Ok(this)
    }

    /// Write `write` in the next batch: `Ok(true)` once committed, `Ok(false)` if its session's
    /// stored version was not `write`'s any more (or the session is not active or not visible).
    pub(super) async fn write(&self, write: AnswerWrite) -> Result<bool, RepoError> {
        let stopped = || RepoError::Unavailable("the answer writer has stopped".into());
        let writer = {
            use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
            let hash = BuildHasherDefault::<DefaultHasher>::default().hash_one(&write.id);
            usize::try_from(hash % u64::try_from(WRITERS).unwrap_or(1)).unwrap_or(0)
        };
        let queue = self.queues.get(writer).ok_or_else(stopped)?;
        let (reply, answer) = tokio::sync::oneshot::channel();
        match tokio::time::timeout(self.timeout, queue.send(Pending { write, reply })).await {
            Ok(Ok(())) => {}
            Ok(Err(_)) => return Err(stopped()),
            Err(_) => {
                return Err(RepoError::Unavailable(
                    "the answer writer is saturated".into(),
                ));
            }
        }
        answer.await.map_err(|_| stopped())?
    }
}

impl Drop for AnswerBatcher {
    fn drop(&mut self) {
        // Closing a queue ends its thread once it has written what is queued.
        self.queues.clear();
        for thread in self.threads.drain(..) {
            if thread.thread().id() != std::thread::current().id() {
                let _ = thread.join();
            }
        }
    }
}

/// The writer's loop: a batch of every answer waiting, one per session (a second answer for a
/// session already in the batch waits for the next: both in one UPDATE … FROM would update the
/// row once and report both written).
fn serve(manager: &DbConnectionManager, mut jobs: tokio::sync::mpsc::Receiver<Pending>) {
    let mut conn: Option<DbConnection> = None;
    let mut held: VecDeque<Pending> = VecDeque::new();
    loop {
        let mut batch: Vec<Pending> = Vec::new();
        let mut sessions: HashSet<String> = HashSet::new();
        let mut later = VecDeque::new();
        for p in held.drain(..) {
            if batch.len() < MAX_BATCH && sessions.insert(p.write.id.clone()) {
                batch.push(p);
            } else {
                later.push_back(p);
            }
        }
        held = later;
        if batch.is_empty() {
            let Some(p) = jobs.blocking_recv() else { break };
            sessions.insert(p.write.id.clone());
            batch.push(p);
        }
        while batch.len() < MAX_BATCH {
            let Ok(p) = jobs.try_recv() else { break };
            if sessions.insert(p.write.id.clone()) {
                batch.push(p);
            } else {
                held.push_back(p);
            }
        }
        write_batch(manager, &mut conn, batch);
    }
}

/// Write `batch` and answer its callers (see the module).
fn write_batch(
    manager: &DbConnectionManager,
    conn: &mut Option<DbConnection>,
    batch: Vec<Pending>,
) {
    let c = match conn {
        Some(c) => c,
        None => match manager.establish() {
            Ok(c) => conn.insert(c),
            Err(_) => {
                for p in batch {
                    let _ = p.reply.send(Err(RepoError::Unavailable(
                        "the database is unreachable".into(),
                    )));
                }
                return;
            }
        },
    };
    let writes: Vec<&AnswerWrite> = batch.iter().map(|p| &p.write).collect();
    match written(c, &writes) {
        Ok(ids) => {
            let ids: HashSet<String> = ids.into_iter().collect();
            for p in batch {
                let done = ids.contains(&p.write.id);
                let _ = p.reply.send(Ok(done));
            }
        }
        Err(e) if lost(c, &e) => {
            *conn = None;
            for p in batch {
                let _ = p.reply.send(Err(RepoError::Unavailable(
                    "the database connection was lost".into(),
                )));
            }
        }
        Err(e) if batch.len() == 1 => {
            // Alone already: its error is its answer (not run a second time).
            if let Some(p) = batch.into_iter().next() {
                let _ = p.reply.send(Err(crate::sql::map_error(e)));
            }
        }
        Err(_) => {
            // One of them may be the cause: each alone, so that only it fails.
            for p in batch {
                let result = match written(c, &[&p.write]) {
                    Ok(ids) => Ok(ids.contains(&p.write.id)),
                    Err(e) => Err(crate::sql::map_error(e)),
                };
                let _ = p.reply.send(result);
            }
        }
    }
}

/// The connection is gone (or unusable): open a new one for the next batch.
fn lost(conn: &mut DbConnection, e: &diesel::result::Error) -> bool {
    use diesel::result::{DatabaseErrorKind, Error};
    matches!(
        e,
        Error::DatabaseError(
            DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
            _
        )
    ) || diesel::r2d2::R2D2Connection::is_broken(conn)
}

/// Run the batch statement for `writes`: the ids of the sessions it wrote.
fn written(conn: &mut DbConnection, writes: &[&AnswerWrite]) -> QueryResult<Vec<String>> {
    let statement = Batch::of(writes);
    // Its first word is `WITH`: say that it changes nothing the principal cache holds. Nothing
    // here waits for the cache's fence; forget what the hook noted.
    let result = crate::connection::writes_elsewhere(conn, |conn| match conn {
        DbConnection::Postgresql(pg) => statement.load::<String>(pg),
        DbConnection::Sqlite(_) => Err(diesel::result::Error::QueryBuilderError(
            "the answer writer is PostgreSQL's".into(),
        )),
    });
    let _ = crate::connection::take_writes();
    result
}

/// The batch statement (see the module), its binds one array per column.
struct Batch<'a> {
    id: Vec<&'a str>,
    version: Vec<i32>,
    answers: Vec<&'a str>,
    extracted_data: Vec<&'a str>,
    current_question: Vec<Option<i32>>,
    progress_percentage: Vec<i32>,
    message_count: Vec<i32>,
    last_activity: Vec<PrimitiveDateTime>,
    new_version: Vec<i32>,
    /// `active` for each: see `walk_ast`.
    status: Vec<&'static str>,
    /// Each answer's audit entry, written with its session.
    audit: AuditFromWritten<'a>,
    account_live: account_live,
    patient_live: patient_live,
}

impl<'a> Batch<'a> {
    fn of(writes: &[&'a AnswerWrite]) -> Self {
        fn each<'a, T>(writes: &[&'a AnswerWrite], f: impl Fn(&'a AnswerWrite) -> T) -> Vec<T> {
            writes.iter().map(|w| f(w)).collect()
        }
        Self {
            id: each(writes, |w| w.id.as_str()),
            version: each(writes, |w| w.version),
            answers: each(writes, |w| w.answers.as_str()),
            extracted_data: each(writes, |w| w.extracted_data.as_str()),
            current_question: each(writes, |w| w.current_question),
            progress_percentage: each(writes, |w| w.progress_percentage),
            message_count: each(writes, |w| w.message_count),
            last_activity: each(writes, |w| w.last_activity),
            new_version: each(writes, |w| w.new_version),
            status: vec![SessionStatus::Active.as_str(); writes.len()],
            audit: {
                let mut audit = AuditFromWritten::default();
                for w in writes {
                    audit.push(&w.id, &w.audit);
                }
                audit
            },
            account_live: account_live(),
            patient_live: patient_live(),
        }
    }
}

/// [`Batch`]'s prepared statement's identity (its SQL never varies with the batch's size).
struct BatchId;

impl QueryId for Batch<'_> {
    type QueryId = BatchId;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl diesel::query_builder::Query for Batch<'_> {
    type SqlType = diesel::sql_types::Text;
}

impl<Conn> RunQueryDsl<Conn> for Batch<'_> {}

impl QueryFragment<Pg> for Batch<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        use diesel::sql_types::{Array, Integer, Nullable, Text, Timestamp};
        out.push_sql(
            "WITH written AS (UPDATE chat_sessions SET answers = v.answers, \
             extracted_data = v.extracted_data, current_question = v.current_question, \
             progress_percentage = v.progress_percentage, message_count = v.message_count, \
             last_activity = v.last_activity, version = v.new_version FROM unnest(",
        );
        out.push_bind_param::<Array<Text>, _>(&self.id)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Integer>, _>(&self.version)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Text>, _>(&self.answers)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Text>, _>(&self.extracted_data)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Nullable<Integer>>, _>(&self.current_question)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Integer>, _>(&self.progress_percentage)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Integer>, _>(&self.message_count)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Timestamp>, _>(&self.last_activity)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Integer>, _>(&self.new_version)?;
        out.push_sql(", ");
        // The status is a column of `v`, not the constant 'active': a constant matches the
        // predicate of the partial index `chat_sessions_one_active_per_patient_uq`, and the
        // generic plan then scanned that index (every active session, and every dead entry)
        // for each batch instead of looking each id up (measured: 1.4 ms per batch of ~6).
        out.push_bind_param::<Array<Text>, _>(&self.status)?;
        out.push_sql(
            ") AS v (id, version, answers, extracted_data, current_question, \
             progress_percentage, message_count, last_activity, new_version, status) \
             WHERE chat_sessions.id = v.id AND chat_sessions.version = v.version \
             AND chat_sessions.status = v.status AND ",
        );
        // Only a visible session (as the single-row `VersionedUpdate`): an answer decided on a
        // cached copy must not write to a session whose account or patient was deleted since.
        QueryFragment::<Pg>::walk_ast(&self.account_live, out.reborrow())?;
        out.push_sql(" AND (");
        QueryFragment::<Pg>::walk_ast(&self.patient_live, out.reborrow())?;
        out.push_sql(") RETURNING chat_sessions.id), audited AS (");
        self.audit.walk_ast(out.reborrow())?;
        out.push_sql(") SELECT written.id FROM written");
        Ok(())
    }
}
