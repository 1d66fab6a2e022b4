//! SQLite's write lane: every write of this process on one connection and one thread, with
//! group commit.
//!
//! SQLite lets one connection write at a time. With writes spread over the pool, concurrent
//! writers met at `BEGIN IMMEDIATE` and all but one slept in SQLite's busy handler (1, 2, 5,
//! 10 ms ... a poll, not a queue), while each commit wrote its own WAL frames for the same hot
//! pages (index leaves, the audit table's tail) and every thousandth ran a checkpoint with an
//! fsync inside somebody's request (issue #8's journey profile: commits 20 % of the server's CPU,
//! half of it checkpoints, and the machine 46 % idle at full load).
//!
//! Here, a caller hands its work to the lane and awaits the answer. The lane's thread opens
//! one transaction, runs every job waiting in the queue (up to [`MAX_BATCH`]), each in a
//! savepoint of its own, commits once, and only then answers every caller of the batch: a job
//! that fails rolls back to its savepoint and alone gets its error; the others still commit. If
//! the commit itself fails, or a job panics, nothing of the batch is kept and every caller gets
//! an error (none of them was answered before). No caller is told "done" before its writes are
//! committed.
//!
//! Reads stay on the pool's connections, in parallel (WAL readers never wait for the writer).

use crate::connection::{DbConnection, DbConnectionManager, SqlitePragmas};
use crate::identity::principals::LocalCaches;
use diesel::QueryResult;
use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::r2d2::{CustomizeConnection, ManageConnection};
use genascope_domain::common::RepoError;
use std::sync::Arc;
use std::time::Duration;

/// Most jobs in one transaction: enough to amortise a commit, small enough that a batch does
/// not hold the first caller long.
const MAX_BATCH: usize = 64;

/// Most jobs queued (callers wait for room beyond it, bounded by the pool's timeout).
const QUEUE: usize = 1024;

/// The checkpointer runs after this many commits of the lane, or [`CHECKPOINT_EVERY`] after
/// the last one, whichever comes first.
const COMMITS_PER_CHECKPOINT: u32 = 200;

/// See [`COMMITS_PER_CHECKPOINT`].
const CHECKPOINT_EVERY: Duration = Duration::from_secs(1);

/// One caller's work, type-erased for the queue.
trait Job: Send {
    /// Run on the lane's connection, inside the batch's transaction. `true`: keep its writes.
    fn run(&mut self, conn: &mut DbConnection) -> bool;
    /// Answer the caller: its own result if the batch committed (or the job failed on its own
    /// and was rolled back), else `failed`.
    fn answer(self: Box<Self>, failed: Option<&str>);
}

struct Typed<T, F> {
    work: Option<F>,
    result: Option<QueryResult<T>>,
    reply: tokio::sync::oneshot::Sender<Result<T, RepoError>>,
}

impl<T, F> Job for Typed<T, F>
where
    T: Send + 'static,
    F: FnOnce(&mut DbConnection) -> QueryResult<T> + Send + 'static,
{
    fn run(&mut self, conn: &mut DbConnection) -> bool {
        let Some(work) = self.work.take() else {
            return false;
        };
        let result = work(conn);
        let ok = result.is_ok();
        self.result = Some(result);
        ok
    }

    fn answer(self: Box<Self>, failed: Option<&str>) {
        let this = *self;
        let answer = match (this.result, failed) {
            // Its own failure was rolled back to its savepoint: that is its answer either way.
            (Some(Err(e)), _) => Err(crate::sql::map_error(e)),
            (Some(Ok(_)) | None, Some(why)) => Err(RepoError::Unexpected(why.to_owned().into())),
            (Some(Ok(v)), None) => Ok(v),
            (None, None) => Err(RepoError::Unexpected("a write was never run".into())),
        };
        // The caller may have given up (its request was cancelled): nothing to tell.
        let _ = this.reply.send(answer);
    }
}

/// The lane of one SQLite database (see the module). Dropping it lets its thread finish the
/// queued jobs and joins it.
pub(crate) struct WriteLane {
    queue: Option<tokio::sync::mpsc::Sender<Box<dyn Job>>>,
    thread: Option<std::thread::JoinHandle<()>>,
    checkpointer: Option<std::thread::JoinHandle<()>>,
    timeout: Duration,
}

impl std::fmt::Debug for WriteLane {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WriteLane").finish_non_exhaustive()
    }
}

impl WriteLane {
    /// Start the lane's thread; it opens its connection on the first job. `caches`: the
    /// principal caches its triggers' evictions go to, after each commit.
    pub(crate) fn start(
        manager: DbConnectionManager,
        caches: Arc<LocalCaches>,
        timeout: Duration,
    ) -> std::io::Result<Self> {
        let (queue, jobs) = tokio::sync::mpsc::channel(QUEUE);
        let (nudge, nudged) = std::sync::mpsc::sync_channel::<()>(1);
        let restart = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let checkpoints = manager.clone();
        let wanted = restart.clone();
        let checkpointer = std::thread::Builder::new()
            .name("sqlite-checkpoint".into())
            .spawn(move || checkpoint_loop(&checkpoints, &nudged, &wanted))?;
        let thread = std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || Writer::new(manager, caches, nudge, restart).serve(jobs))?;
        Ok(Self {
            queue: Some(queue),
            thread: Some(thread),
            checkpointer: Some(checkpointer),
            timeout,
        })
    }

    /// Run `work` on the lane in its own savepoint of the next batch; answered once the batch
    /// committed.
    pub(crate) async fn write<T, F>(&self, work: F) -> Result<T, RepoError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConnection) -> QueryResult<T> + Send + 'static,
    {
        let stopped = || RepoError::Unavailable("the SQLite writer has stopped".into());
        let queue = self.queue.as_ref().ok_or_else(stopped)?;
        let (reply, answer) = tokio::sync::oneshot::channel();
        let job: Box<dyn Job> = Box::new(Typed {
            work: Some(work),
            result: None,
            reply,
        });
        match tokio::time::timeout(self.timeout, queue.send(job)).await {
            Ok(Ok(())) => {}
            Ok(Err(_)) => return Err(stopped()),
            Err(_) => {
                return Err(RepoError::Unavailable(
                    "the SQLite writer is saturated".into(),
                ));
            }
        }
        answer.await.map_err(|_| stopped())?
    }
}

impl Drop for WriteLane {
    fn drop(&mut self) {
        // Closing the queue ends the thread once it has run what is queued.
        drop(self.queue.take());
        // The writer's end drops the checkpointer's nudges, which ends the checkpointer (after
        // a last checkpoint).
        for thread in [self.thread.take(), self.checkpointer.take()]
            .into_iter()
            .flatten()
        {
            if thread.thread().id() != std::thread::current().id() {
                let _ = thread.join();
            }
        }
    }
}

/// The lane's thread: its connection (opened on demand, reopened after a failed batch).
struct Writer {
    manager: DbConnectionManager,
    caches: Arc<LocalCaches>,
    conn: Option<DbConnection>,
    /// Tells the checkpointer that the WAL grew.
    nudge: std::sync::mpsc::SyncSender<()>,
    commits: u32,
    /// Set by the checkpointer: the WAL is too long, restart it between two batches.
    restart: Arc<std::sync::atomic::AtomicBool>,
}

impl Writer {
    fn new(
        manager: DbConnectionManager,
        caches: Arc<LocalCaches>,
        nudge: std::sync::mpsc::SyncSender<()>,
        restart: Arc<std::sync::atomic::AtomicBool>,
    ) -> Self {
        Self {
            manager,
            caches,
            conn: None,
            nudge,
            commits: 0,
            restart,
        }
    }

    fn serve(mut self, mut jobs: tokio::sync::mpsc::Receiver<Box<dyn Job>>) {
        let mut batch: Vec<Box<dyn Job>> = Vec::with_capacity(MAX_BATCH);
        while let Some(first) = jobs.blocking_recv() {
            batch.push(first);
            let failed = self.commit(&mut batch, &mut jobs);
            // Triggers recorded evictions on this thread while the batch ran; they apply now
            // that it is committed (or rolled back: an eviction for nothing), before anyone
            // is answered.
            self.caches.apply_pending();
            if failed.is_some() {
                // Whatever state the connection is in, the next batch starts on a fresh one.
                self.conn = None;
            } else {
                self.commits += 1;
                if self.commits >= COMMITS_PER_CHECKPOINT {
                    self.commits = 0;
                    // Full: a nudge is already waiting.
                    let _ = self.nudge.try_send(());
                }
            }
            for job in batch.drain(..) {
                job.answer(failed.as_deref());
            }
            if self
                .restart
                .swap(false, std::sync::atomic::Ordering::Relaxed)
                && let Some(conn) = self.conn.as_mut()
                && let Err(e) = checkpoint(conn, "TRUNCATE")
            {
                tracing::warn!(error = %e, "SQLite WAL restart failed; tried again later");
            }
        }
    }

    /// Run `batch` and whatever else is queued (up to [`MAX_BATCH`]) in one transaction.
    /// `Some(why)` if nothing of it was committed.
    fn commit(
        &mut self,
        batch: &mut Vec<Box<dyn Job>>,
        jobs: &mut tokio::sync::mpsc::Receiver<Box<dyn Job>>,
    ) -> Option<String> {
        let conn = match self.connection() {
            Ok(c) => c,
            Err(why) => return Some(why),
        };
        let DbConnection::Sqlite(sqlite) = conn else {
            return Some("the write lane is for SQLite".into());
        };
        if let Err(e) = AnsiTransactionManager::begin_transaction_sql(sqlite, "BEGIN IMMEDIATE") {
            return Some(format!("could not begin: {e}"));
        }
        let mut next = 0;
        loop {
            while next < batch.len() {
                if let Err(why) = run_one(conn, batch[next].as_mut()) {
                    return Some(why);
                }
                next += 1;
            }
            if batch.len() >= MAX_BATCH {
                break;
            }
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let DbConnection::Sqlite(sqlite) = conn else {
            return Some("the write lane is for SQLite".into());
        };
        match <AnsiTransactionManager as TransactionManager<diesel::SqliteConnection>>::commit_transaction(sqlite) {
            Ok(()) => None,
            Err(e) => {
                tracing::error!(error = %e, jobs = batch.len(), "SQLite writer: commit failed");
                Some(format!("could not commit: {e}"))
            }
        }
    }

    fn connection(&mut self) -> Result<&mut DbConnection, String> {
        if self.conn.is_none() {
            let mut conn = self
                .manager
                .connect()
                .map_err(|e| format!("could not open the database: {e}"))?;
            SqlitePragmas
                .on_acquire(&mut conn)
                .map_err(|e| format!("could not set up the connection: {e}"))?;
            // Checkpoints are the checkpointer's (below), never inside a batch's commit. Each
            // job's savepoint keeps the pages it changes first in a journal of its own: in memory
            // (a batch's pages at most), not a temporary file (a fifth of the lane's time in the
            // journey's profile went to writing that file, issue #8).
            diesel::connection::SimpleConnection::batch_execute(
                &mut conn,
                "PRAGMA wal_autocheckpoint = 0; PRAGMA temp_store = MEMORY;",
            )
            .map_err(|e| format!("could not set up the connection: {e}"))?;
            self.conn = Some(conn);
        }
        self.conn.as_mut().ok_or_else(|| "no connection".to_owned())
    }
}

/// WAL frames (pages) past which a checkpoint also restarts the WAL (see [`checkpoint_loop`]).
const WAL_FRAMES_MAX: i64 = 16_384;

/// The checkpointer: copies the WAL's committed pages back into the database file on its own
/// connection and thread, so that neither the copy nor its fsync happens inside a batch's
/// commit, where every caller of the batch would wait for it. PASSIVE: it neither waits for nor
/// blocks the writer or readers. Runs when nudged (after [`COMMITS_PER_CHECKPOINT`] commits),
/// again after [`CHECKPOINT_EVERY`] if it failed, and a last time when the lane stops.
///
/// The writer rewinds the WAL to its start only when a checkpoint has copied all of it; under
/// a writer that never pauses that may not happen (measured: the WAL grew to 438 MB in a
/// minute of load), and another connection's RESTART would starve behind the lane. So when the
/// WAL has grown past [`WAL_FRAMES_MAX`] pages, the checkpointer asks the lane, which runs a
/// RESTART itself after answering its current batch: the remaining pages are copied (most
/// already were, here), and the next batch writes the WAL from its start.
fn checkpoint_loop(
    manager: &DbConnectionManager,
    nudged: &std::sync::mpsc::Receiver<()>,
    restart: &std::sync::atomic::AtomicBool,
) {
    use std::sync::mpsc::RecvTimeoutError;
    let mut conn: Option<DbConnection> = None;
    let mut dirty = false;
    loop {
        let stop = match nudged.recv_timeout(CHECKPOINT_EVERY) {
            Ok(()) => {
                dirty = true;
                false
            }
            Err(RecvTimeoutError::Timeout) => false,
            Err(RecvTimeoutError::Disconnected) => true,
        };
        if dirty || stop {
            if conn.is_none() {
                conn = manager.connect().ok();
            }
            if let Some(c) = conn.as_mut() {
                match checkpoint(c, "PASSIVE") {
                    Ok(frames) => {
                        dirty = false;
                        if frames > WAL_FRAMES_MAX {
                            restart.store(true, std::sync::atomic::Ordering::Relaxed);
                        }
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "SQLite checkpoint failed; retried later");
                        conn = None;
                    }
                }
            }
        }
        if stop {
            return;
        }
    }
}

/// `PRAGMA wal_checkpoint(mode)`: the WAL's size in frames before it.
fn checkpoint(conn: &mut DbConnection, mode: &str) -> QueryResult<i64> {
    use diesel::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Outcome {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        log: i64,
    }
    let outcome: Outcome =
        diesel::sql_query(format!("PRAGMA wal_checkpoint({mode})")).get_result(conn)?;
    Ok(outcome.log)
}

/// Marks a job's own failure, to roll back its savepoint.
#[derive(Debug)]
struct JobFailed;

impl From<diesel::result::Error> for JobFailed {
    fn from(_: diesel::result::Error) -> Self {
        Self
    }
}

/// Run one job in a savepoint. `Err(why)` when the batch can no longer commit (a panic, or a
/// savepoint that could not be rolled back).
fn run_one(conn: &mut DbConnection, job: &mut dyn Job) -> Result<(), String> {
    use diesel::Connection;
    let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        conn.transaction::<(), JobFailed, _>(|c| if job.run(c) { Ok(()) } else { Err(JobFailed) })
    }));
    match ran {
        Ok(Ok(())) => Ok(()),
        // Rolled back to its savepoint; the job keeps its own error for its answer. If the
        // rollback itself failed the transaction manager is broken and the commit will fail.
        Ok(Err(JobFailed)) => match conn {
            DbConnection::Sqlite(sqlite) => {
                match <AnsiTransactionManager as TransactionManager<diesel::SqliteConnection>>::transaction_manager_status_mut(sqlite).transaction_depth() {
                    Ok(Some(_)) => Ok(()),
                    _ => Err("a write failed and its savepoint could not be rolled back".into()),
                }
            }
            DbConnection::Postgresql(_) => Err("the write lane is for SQLite".into()),
        },
        Err(_) => Err("a write panicked; its batch was rolled back".into()),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use crate::{Database, DbConnection};
    use diesel::{QueryResult, RunQueryDsl};
    use genascope_domain::common::RepoError;
    use std::future::Future;

    /// A fresh SQLite file with one table of keys.
    fn database() -> (Database, std::path::PathBuf) {
        let path = std::env::temp_dir().join(format!(
            "genascope-lane-{}.db",
            uuid::Uuid::new_v4().simple()
        ));
        let db = Database::connect(&path.to_string_lossy()).unwrap();
        diesel::sql_query("CREATE TABLE lane_keys (k TEXT PRIMARY KEY)")
            .execute(&mut *db.connection().unwrap())
            .unwrap();
        (db, path)
    }

    fn insert(conn: &mut DbConnection, k: &str) -> QueryResult<()> {
        diesel::sql_query(format!("INSERT INTO lane_keys (k) VALUES ('{k}')"))
            .execute(conn)
            .map(|_| ())
    }

    #[derive(diesel::QueryableByName)]
    struct Key {
        #[diesel(sql_type = diesel::sql_types::Text)]
        k: String,
    }

    fn keys(db: &Database) -> Vec<String> {
        diesel::sql_query("SELECT k FROM lane_keys ORDER BY k")
            .load::<Key>(&mut *db.connection().unwrap())
            .unwrap()
            .into_iter()
            .map(|k| k.k)
            .collect()
    }

    /// Poll `f` once: enough to queue its job (there is room), not to answer it.
    async fn enqueue<F: Future + Unpin>(f: &mut F) {
        tokio::select! {
            biased;
            _ = f => panic!("answered before its batch could commit"),
            () = std::future::ready(()) => {}
        }
    }

    /// Start a write that holds the lane's thread until `release` is sent, so that what is
    /// queued meanwhile runs in its batch.
    async fn held(
        db: &Database,
    ) -> (
        tokio::task::JoinHandle<Result<(), RepoError>>,
        std::sync::mpsc::Sender<()>,
    ) {
        let (release, hold) = std::sync::mpsc::channel::<()>();
        let (started, running) = tokio::sync::oneshot::channel::<()>();
        let lane = db.clone();
        let first = tokio::spawn(async move {
            lane.write(move |c| {
                let _ = started.send(());
                let _ = hold.recv();
                insert(c, "a")
            })
            .await
        });
        running.await.unwrap();
        (first, release)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failed_write_rolls_back_alone_and_its_batch_commits() {
        let (db, path) = database();
        let (first, release) = held(&db).await;
        let mut b = Box::pin(db.write(|c| insert(c, "b")));
        // Writes "c", then fails (a second "b"): only its own savepoint is rolled back.
        let mut c = Box::pin(db.write(|c| {
            insert(c, "c")?;
            insert(c, "b")
        }));
        let mut d = Box::pin(db.write(|c| insert(c, "d")));
        enqueue(&mut b).await;
        enqueue(&mut c).await;
        enqueue(&mut d).await;
        release.send(()).unwrap();
        assert!(first.await.unwrap().is_ok());
        assert!(b.await.is_ok());
        assert!(matches!(c.await, Err(RepoError::Duplicate(_))));
        assert!(d.await.is_ok());
        assert_eq!(keys(&db), ["a", "b", "d"]);
        drop(db);
        let _ = std::fs::remove_file(path);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_panic_fails_its_whole_batch_and_the_lane_goes_on() {
        let (db, path) = database();
        let (first, release) = held(&db).await;
        let mut b = Box::pin(db.write(|c| insert(c, "b")));
        let mut p = Box::pin(db.write(|c| -> QueryResult<()> {
            insert(c, "p")?;
            panic!("a bug in a write")
        }));
        enqueue(&mut b).await;
        enqueue(&mut p).await;
        release.send(()).unwrap();
        // Nobody of the batch was told "done": nothing of it is kept.
        assert!(first.await.unwrap().is_err());
        assert!(b.await.is_err());
        assert!(p.await.is_err());
        assert!(keys(&db).is_empty());
        db.write(|c| insert(c, "e")).await.unwrap();
        assert_eq!(keys(&db), ["e"]);
        drop(db);
        let _ = std::fs::remove_file(path);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_writes_all_land() {
        let (db, path) = database();
        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..300 {
            let db = db.clone();
            tasks.spawn(async move { db.write(move |c| insert(c, &format!("k{i:03}"))).await });
        }
        while let Some(done) = tasks.join_next().await {
            done.unwrap().unwrap();
        }
        let expected: Vec<String> = (0..300).map(|i| format!("k{i:03}")).collect();
        assert_eq!(keys(&db), expected);
        drop(db);
        let _ = std::fs::remove_file(path);
    }

    /// Debug builds (the tests) refuse a write outside the lane: it would wait in SQLite's
    /// busy handler behind the lane's batches.
    #[cfg(debug_assertions)]
    #[tokio::test]
    async fn a_write_outside_the_lane_is_caught_in_debug_builds() {
        let (db, path) = database();
        assert!(db.run(|c| insert(c, "x")).await.is_err());
        assert!(db.run(|c| Ok(keys_on(c))).await.is_ok());
        drop(db);
        let _ = std::fs::remove_file(path);
    }

    fn keys_on(conn: &mut DbConnection) -> usize {
        diesel::sql_query("SELECT k FROM lane_keys")
            .load::<Key>(conn)
            .map(|v| v.len())
            .unwrap_or(0)
    }
}
