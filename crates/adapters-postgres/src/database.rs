//! The pool, connecting, migrating, health, and the one helper every query goes through.

use crate::connection::{DbConnection, DbConnectionManager, SqlitePragmas, Target};
use crate::sql::map_error;
use diesel::connection::SimpleConnection;
use diesel::r2d2::{Pool, PooledConnection, R2D2Connection};
use diesel::{Connection, PgConnection, QueryResult, RunQueryDsl};
use diesel_migrations::MigrationHarness;
use genascope_domain::common::RepoError;
use std::time::Duration;

/// Key of the session-level advisory lock held while migrating PostgreSQL ("genascop" in ASCII),
/// so replicas starting together migrate one after another.
pub(crate) const MIGRATION_LOCK_KEY: i64 = 0x6765_6e61_7363_6f70;

/// The metrics this adapter records through the `metrics` facade (a no-op until the binary
/// installs a recorder; the binary renders them at `/metrics`). No labels but fixed words.
pub mod metric {
    /// Gauge: callers waiting for a pooled connection now.
    pub const POOL_WAITING: &str = "genascope_db_pool_waiting";
    /// Histogram (seconds): how long each checkout waited for a connection (success or not).
    pub const POOL_WAIT: &str = "genascope_db_pool_wait_seconds";
    /// Counter: checkouts refused, `reason` = `timeout` (no connection within the pool's
    /// timeout) or `down` (the database known unreachable: failing fast).
    pub const POOL_REFUSED: &str = "genascope_db_pool_refused_total";
    /// Gauge: database calls handed to the blocking thread pool and not yet started there
    /// (`pool` = `db`); histogram (seconds): how long each waited to start.
    pub const BLOCKING_QUEUED: &str = "genascope_blocking_queued";
    /// See [`BLOCKING_QUEUED`].
    pub const BLOCKING_QUEUE_WAIT: &str = "genascope_blocking_queue_wait_seconds";
    /// Counter: principal and grant look-ups of the principal cache, `result` = `hit`, `miss`
    /// or `bypass` (the cache is off: disabled, or its PostgreSQL listener is reconnecting).
    pub const PRINCIPAL_CACHE: &str = "genascope_principal_cache_total";
    /// Gauge: 1 while the principal cache's PostgreSQL listener listens, else 0.
    pub const PRINCIPAL_LISTENER_UP: &str = "genascope_principal_listener_up";
}

/// The pool's numbers at one moment (see [`Database::pool_state`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolState {
    /// Connections open.
    pub connections: u32,
    /// Of those, idle (not checked out).
    pub idle: u32,
    /// The most the pool opens.
    pub max_size: u32,
}

/// One database call between `spawn_blocking` and its start on a blocking thread: counted in
/// [`metric::BLOCKING_QUEUED`] while it waits. Dropped when the closure starts, or with the
/// closure if the runtime never runs it (so the gauge cannot drift).
struct BlockingQueued(std::time::Instant);

impl BlockingQueued {
    fn enter() -> Self {
        metrics::gauge!(metric::BLOCKING_QUEUED, "pool" => "db").increment(1.0);
        Self(std::time::Instant::now())
    }
}

impl Drop for BlockingQueued {
    fn drop(&mut self) {
        metrics::gauge!(metric::BLOCKING_QUEUED, "pool" => "db").decrement(1.0);
        metrics::histogram!(metric::BLOCKING_QUEUE_WAIT, "pool" => "db")
            .record(self.0.elapsed().as_secs_f64());
    }
}

/// Which database a [`Database`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// PostgreSQL (`postgres://` / `postgresql://` URLs).
    Postgres,
    /// An SQLite file (`sqlite://path` or a path ending `.db`).
    Sqlite,
}

impl Backend {
    /// A short name for health output.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Postgres => "postgres",
            Self::Sqlite => "sqlite",
        }
    }
}

/// Errors of setting up or checking the database (not of repository calls: those are
/// `RepoError`). Messages never carry the URL (it may hold a password).
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The URL is neither a PostgreSQL URL nor an SQLite path.
    #[error(
        "DATABASE_URL must be a postgres:// or postgresql:// URL, sqlite://path, or a path ending .db"
    )]
    UnsupportedUrl,
    /// The SQLite file's directory could not be created.
    #[error("cannot create the database directory")]
    CreateDir(#[source] std::io::Error),
    /// SQLite's writer thread could not be started.
    #[error("cannot start the database writer thread")]
    Writer(#[source] std::io::Error),
    /// The pool could not open its first connection.
    #[error("cannot connect to the database")]
    Connect(#[source] diesel::r2d2::PoolError),
    /// A dedicated connection (migrations) could not be opened.
    #[error("cannot connect to the database")]
    Establish(#[source] diesel::ConnectionError),
    /// No pooled connection in time.
    #[error("no database connection available")]
    Pool(#[source] diesel::r2d2::PoolError),
    /// The database is known to be unreachable (failing fast until the next probe).
    #[error("the database is unreachable")]
    Down,
    /// A query failed.
    #[error("database query failed")]
    Query(#[source] diesel::result::Error),
    /// Running the migrations failed.
    #[error("database migration failed")]
    Migration(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// The blocking task failed (panicked or was cancelled).
    #[error("database task failed")]
    Task(#[source] tokio::task::JoinError),
}

/// Pool settings.
#[derive(Debug, Clone, Copy)]
pub struct PoolConfig {
    /// Most connections open at once.
    pub max_size: u32,
    /// Connections kept open while idle.
    pub min_idle: u32,
    /// How long a caller waits for a free connection.
    pub connection_timeout: Duration,
}

impl Default for PoolConfig {
    fn default() -> Self {
        Self {
            max_size: 10,
            min_idle: 1,
            connection_timeout: Duration::from_secs(5),
        }
    }
}

/// While the database is known to be down, callers fail at once instead of each waiting the
/// pool's whole timeout; one caller per [`PROBE_INTERVAL`] tries again (with a short wait), and
/// the first success closes the breaker.
const PROBE_INTERVAL: Duration = Duration::from_secs(1);
/// How long a probing caller waits for a connection while the breaker is open.
const PROBE_TIMEOUT: Duration = Duration::from_millis(250);

/// The shared "is the database down" state (a minimal circuit breaker).
#[derive(Debug, Default)]
struct Breaker {
    /// Milliseconds since `origin` of the last failed attempt; 0 = closed (healthy).
    failed_at_ms: std::sync::atomic::AtomicU64,
    origin: std::sync::OnceLock<std::time::Instant>,
}

impl Breaker {
    fn now_ms(&self) -> u64 {
        let origin = *self.origin.get_or_init(std::time::Instant::now);
        u64::try_from(origin.elapsed().as_millis())
            .unwrap_or(u64::MAX)
            .max(1)
    }

    /// `None`: fail at once. `Some(t)`: try, waiting at most `t`.
    fn admit(&self, normal: Duration) -> Option<Duration> {
        use std::sync::atomic::Ordering;
        let failed = self.failed_at_ms.load(Ordering::Acquire);
        if failed == 0 {
            return Some(normal);
        }
        let now = self.now_ms();
        let due =
            now.saturating_sub(failed) >= u64::try_from(PROBE_INTERVAL.as_millis()).unwrap_or(1000);
        // One prober per interval: whoever moves the mark forward probes.
        (due && self
            .failed_at_ms
            .compare_exchange(failed, now, Ordering::AcqRel, Ordering::Acquire)
            .is_ok())
        .then_some(PROBE_TIMEOUT.min(normal))
    }

    fn failed(&self) {
        self.failed_at_ms
            .store(self.now_ms(), std::sync::atomic::Ordering::Release);
    }

    fn succeeded(&self) {
        self.failed_at_ms
            .store(0, std::sync::atomic::Ordering::Release);
    }
}

/// A pooled database. Cheap to clone (the pool is shared). Implements every repository port.
#[derive(Clone)]
pub struct Database {
    pool: Pool<DbConnectionManager>,
    backend: Backend,
    /// For migrations on PostgreSQL, which use a dedicated session (see [`Database::migrate`]).
    url: String,
    timeout: Duration,
    breaker: std::sync::Arc<Breaker>,
    /// One permit per pooled connection: callers wait for a turn here, asynchronously, before
    /// they take a blocking thread, so no blocking thread ever sleeps in the pool's queue (see
    /// `run`).
    turns: std::sync::Arc<tokio::sync::Semaphore>,
    /// r2d2's worker thread (one), ours so that shutdown can wait for it.
    workers: std::sync::Arc<scheduled_thread_pool::ScheduledThreadPool>,
    /// Notified when a transaction that queued an outbox message commits (see `notify`).
    pub(crate) outbox_signal: std::sync::Arc<tokio::sync::Notify>,
    /// When (unix seconds, the callers' clock) this handle last pruned the login throttle.
    pub(crate) throttle_pruned_at: std::sync::Arc<std::sync::atomic::AtomicI64>,
    /// SQLite: the principal caches the triggers' recorded keys are evicted from (see
    /// `identity::principals`).
    principal_caches: std::sync::Arc<crate::identity::principals::LocalCaches>,
    /// SQLite: the one connection every write goes through (see `lane`).
    lane: Option<std::sync::Arc<crate::lane::WriteLane>>,
    /// The chat sessions this process last wrote (see `questionnaire::cache`).
    session_cache: std::sync::Arc<crate::questionnaire::SessionCache>,
    /// PostgreSQL: the thread that writes answers in batches (see `questionnaire::batch`).
    answer_batcher: Option<std::sync::Arc<crate::questionnaire::AnswerBatcher>>,
}

/// Waits for the pool's background work before the process exits.
///
/// r2d2 opens connections on its worker thread (to refill `min_idle`, or for a waiting caller),
/// and that job holds the pool alive while it runs. If the last handle is dropped meanwhile, the
/// worker drops the pool and closes every connection (libpq `PQfinish`, a TLS close) on its own
/// detached thread, while the main thread returns from `main` and libc's `exit` runs OpenSSL's
/// cleanup underneath it: SIGSEGV at exit (issue #14, 2 of 12 `create-super-admin` runs on
/// PostgreSQL). Drop every `Database` handle first, then [`PoolShutdown::wait`]: the worker runs
/// jobs one at a time in order, so when a job queued now has run, every earlier job has finished
/// and dropped what it held.
#[derive(Clone)]
pub struct PoolShutdown(std::sync::Arc<scheduled_thread_pool::ScheduledThreadPool>);

impl PoolShutdown {
    /// Block until the worker has finished what it was doing (at most `limit`).
    pub fn wait(self, limit: Duration) {
        let (done, finished) = std::sync::mpsc::channel::<()>();
        self.0.execute(move || {
            let _ = done.send(());
        });
        let _ = finished.recv_timeout(limit);
    }
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the URL: it may carry a password.
        f.debug_struct("Database")
            .field("backend", &self.backend)
            .finish_non_exhaustive()
    }
}

/// Which backend a URL names, and the URL to hand to the driver.
pub(crate) fn parse_url(url: &str) -> Result<(Backend, String), DbError> {
    let url = url.trim();
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok((Backend::Postgres, url.to_owned()));
    }
    let path = if let Some(p) = url.strip_prefix("sqlite://") {
        p
    } else if url.ends_with(".db") && !url.contains("://") {
        url
    } else {
        return Err(DbError::UnsupportedUrl);
    };
    if path.is_empty() {
        return Err(DbError::UnsupportedUrl);
    }
    Ok((Backend::Sqlite, path.to_owned()))
}

impl Database {
    /// Connect with default pool settings. See [`Database::connect_with`].
    pub fn connect(url: &str) -> Result<Self, DbError> {
        Self::connect_with(url, PoolConfig::default())
    }

    /// Connect: `postgres://` / `postgresql://` URLs open PostgreSQL; `sqlite://path` or a path
    /// ending `.db` opens (creating it and its directory if needed) an SQLite file. Blocks until
    /// the first connection is open; call it before the async runtime serves requests, or from
    /// `spawn_blocking`.
    pub fn connect_with(url: &str, config: PoolConfig) -> Result<Self, DbError> {
        let (backend, mut target_url) = parse_url(url)?;
        if backend == Backend::Postgres && !target_url.contains("connect_timeout=") {
            // libpq waits forever for an unanswered TCP connect by default: bound it too.
            let sep = if target_url.contains('?') { '&' } else { '?' };
            let secs = config.connection_timeout.as_secs().max(1);
            target_url = format!("{target_url}{sep}connect_timeout={secs}");
        }
        if backend == Backend::Sqlite {
            let parent = std::path::Path::new(&target_url).parent();
            if let Some(dir) = parent.filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(DbError::CreateDir)?;
            }
        }
        let manager = DbConnectionManager {
            url: target_url.clone(),
            target: match backend {
                Backend::Postgres => Target::Postgres,
                Backend::Sqlite => Target::Sqlite,
            },
        };
        let min_idle = config.min_idle.min(config.max_size);
        let workers = std::sync::Arc::new(
            scheduled_thread_pool::ScheduledThreadPool::builder()
                .num_threads(1)
                .thread_name_pattern("db-pool-{}")
                .build(),
        );
        let mut builder = Pool::builder()
            .thread_pool(workers.clone())
            .max_size(config.max_size.max(1))
            .min_idle(Some(min_idle))
            // No `SELECT 1` before every checkout: a lost connection is noticed by the query
            // that fails on it and discarded (`connection::note_if_lost`).
            .test_on_check_out(false)
            .connection_timeout(config.connection_timeout);
        if backend == Backend::Sqlite {
            builder = builder.connection_customizer(Box::new(SqlitePragmas));
        }
        let principal_caches: std::sync::Arc<crate::identity::principals::LocalCaches> =
            std::sync::Arc::default();
        let lane = match backend {
            Backend::Sqlite => Some(std::sync::Arc::new(
                crate::lane::WriteLane::start(
                    manager.clone(),
                    principal_caches.clone(),
                    config.connection_timeout,
                )
                .map_err(DbError::Writer)?,
            )),
            Backend::Postgres => None,
        };
        let answer_batcher = match backend {
            Backend::Postgres => Some(std::sync::Arc::new(
                crate::questionnaire::AnswerBatcher::start(
                    manager.clone(),
                    config.connection_timeout,
                )
                .map_err(DbError::Writer)?,
            )),
            Backend::Sqlite => None,
        };
        let pool = builder.build(manager).map_err(DbError::Connect)?;
        Ok(Self {
            pool,
            backend,
            url: target_url,
            timeout: config.connection_timeout,
            breaker: std::sync::Arc::default(),
            turns: std::sync::Arc::new(tokio::sync::Semaphore::new(
                usize::try_from(config.max_size.max(1)).unwrap_or(1),
            )),
            workers,
            outbox_signal: std::sync::Arc::default(),
            throttle_pruned_at: std::sync::Arc::default(),
            principal_caches,
            lane,
            session_cache: std::sync::Arc::default(),
            answer_batcher,
        })
    }

    /// A pooled connection, through the breaker (see [`Breaker`]). Measured: how many callers
    /// wait for a connection now, how long each waited, and the refusals (see [`metric`]).
    pub(crate) fn checkout(&self) -> Result<PooledConnection<DbConnectionManager>, DbError> {
        self.checkout_within(self.timeout)
    }

    /// [`Database::checkout`], waiting at most `limit` for a connection.
    fn checkout_within(
        &self,
        limit: Duration,
    ) -> Result<PooledConnection<DbConnectionManager>, DbError> {
        let Some(wait) = self.breaker.admit(limit) else {
            metrics::counter!(metric::POOL_REFUSED, "reason" => "down").increment(1);
            return Err(DbError::Down);
        };
        let waiting = metrics::gauge!(metric::POOL_WAITING);
        waiting.increment(1.0);
        let started = std::time::Instant::now();
        let got = self.pool.get_timeout(wait);
        waiting.decrement(1.0);
        metrics::histogram!(metric::POOL_WAIT).record(started.elapsed().as_secs_f64());
        match got {
            Ok(c) => {
                self.breaker.succeeded();
                Ok(c)
            }
            Err(e) => {
                metrics::counter!(metric::POOL_REFUSED, "reason" => "timeout").increment(1);
                // A saturated pool of a live database also times out; it is not "down" unless
                // nothing is connected at all.
                if self.pool.state().connections == 0 {
                    self.breaker.failed();
                }
                Err(DbError::Pool(e))
            }
        }
    }

    /// The pool now: connections open, and of those idle (the rest are checked out).
    #[must_use]
    pub fn pool_state(&self) -> PoolState {
        let state = self.pool.state();
        PoolState {
            connections: state.connections,
            idle: state.idle_connections,
            max_size: self.pool.max_size(),
        }
    }

    /// A handle that outlives this `Database` to wait, at shutdown, for the pool's background
    /// work. See [`PoolShutdown`].
    #[must_use]
    pub fn shutdown_handle(&self) -> PoolShutdown {
        PoolShutdown(self.workers.clone())
    }

    /// Which backend this is.
    #[must_use]
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Run the pending migrations (blocking; call at startup). On PostgreSQL this happens on a
    /// dedicated session under `pg_advisory_lock`, so replicas starting at once migrate one after
    /// another; the lock is released afterwards, also on error (and in any case when the
    /// session closes). Returns the names of the migrations applied.
    pub fn migrate(&self) -> Result<Vec<String>, DbError> {
        match self.backend {
            Backend::Postgres => {
                let mut conn = PgConnection::establish(&self.url).map_err(DbError::Establish)?;
                migrate_postgres(&mut conn)
            }
            Backend::Sqlite => {
                let mut conn = self.checkout()?;
                let DbConnection::Sqlite(c) = &mut *conn else {
                    return Err(DbError::UnsupportedUrl);
                };
                c.run_pending_migrations(crate::migrations::SQLITE)
                    .map(|v| v.iter().map(ToString::to_string).collect())
                    .map_err(DbError::Migration)
            }
        }
    }

    /// Check that a connection can be had and answers (for `/ready`).
    pub async fn ping(&self) -> Result<(), DbError> {
        let db = self.clone();
        let queued = BlockingQueued::enter();
        tokio::task::spawn_blocking(move || {
            drop(queued);
            db.probe(db.timeout)
        })
        .await
        .map_err(DbError::Task)?
    }

    /// Find a connection that answers (blocking), waiting at most `limit` for each checkout.
    /// Connections are not tested on checkout: after a server restart the pool may hold several
    /// lost ones; each failed ping discards its connection, and the database counts as down
    /// (the breaker opens) only when a fresh one fails too or none can be had.
    fn probe(&self, limit: Duration) -> Result<(), DbError> {
        let mut attempts = self.pool.max_size().max(1) + 1;
        loop {
            let mut conn = self.checkout_within(limit)?;
            match conn.ping() {
                Ok(()) => return Ok(()),
                Err(e) if crate::connection::note_if_lost(&e) && attempts > 1 => attempts -= 1,
                Err(e) => {
                    self.breaker.failed();
                    return Err(DbError::Query(e));
                }
            }
        }
    }

    /// SQLite: the principal caches of this database.
    pub(crate) fn principal_caches(&self) -> &crate::identity::principals::LocalCaches {
        &self.principal_caches
    }

    /// The URL the pool connects to (it may carry a password: never log it).
    pub(crate) fn url(&self) -> &str {
        &self.url
    }

    /// SQLite: evict from the principal caches what triggers recorded on this thread, for
    /// statements run on a [`Database::connection`] (tests and tools; `run` does it itself).
    pub fn apply_pending_evictions(&self) {
        self.principal_caches.apply_pending();
    }

    /// A pooled connection (blocking). For tests and tools; repository code uses `run`.
    pub fn connection(&self) -> Result<PooledConnection<DbConnectionManager>, DbError> {
        self.checkout()
    }

    /// Run `f` on a pooled connection on the blocking thread pool, mapping every failure to a
    /// `RepoError` (unique violation -> `Duplicate`, not found -> `NotFound`, else `Unexpected`).
    pub(crate) async fn run<T, F>(&self, f: F) -> Result<T, RepoError>
    where
        F: FnOnce(&mut DbConnection) -> QueryResult<T> + Send + 'static,
        T: Send + 'static,
    {
        // Wait for a connection's turn here, not on a blocking thread: under a burst of requests
        // a thread per waiting request would sleep in r2d2's queue (hundreds of threads, their
        // wake-ups, their memory; issue #11). Only callers with a turn take a blocking thread.
        let asked = std::time::Instant::now();
        let waiting = metrics::gauge!(metric::POOL_WAITING);
        waiting.increment(1.0);
        let turn = tokio::time::timeout(self.timeout, self.turns.clone().acquire_owned()).await;
        waiting.decrement(1.0);
        let Some(turn) = turn.ok().and_then(Result::ok) else {
            metrics::counter!(metric::POOL_REFUSED, "reason" => "timeout").increment(1);
            return Err(RepoError::Unavailable(
                "no database connection free in time".into(),
            ));
        };
        let db = self.clone();
        let queued = BlockingQueued::enter();
        let (result, notifying) = tokio::task::spawn_blocking(move || {
            drop(queued);
            let _turn = turn;
            // No connection within the pool's timeout (the wait for a turn included), or the
            // database known down: 503.
            let left = db
                .timeout
                .saturating_sub(asked.elapsed())
                .max(Duration::from_millis(1));
            let mut conn = match db.checkout_within(left) {
                Ok(c) => c,
                Err(e) => return (Err(RepoError::Unavailable(Box::new(e))), false),
            };
            let _ = crate::connection::take_writes();
            let result = f(&mut conn);
            let (wrote, notifying) = crate::connection::take_writes();
            // SQLite: every write goes through the lane (`write`, `transaction`); one here
            // would wait in SQLite's busy handler behind the lane's batches.
            debug_assert!(
                !(wrote && db.lane.is_some()),
                "an SQLite write outside the write lane (use Database::write or transaction)"
            );
            // SQLite: evict what the triggers recorded, now that it is committed (or rolled
            // back: an eviction for nothing), before the caller answers anyone.
            db.principal_caches.apply_pending();
            let result = match result {
                Err(e) if crate::connection::note_if_lost(&e) => {
                    // The connection was lost (a restart, a failover, a killed session): this
                    // request fails as an outage (503). Before answering, sweep the pool's other
                    // lost connections and open the breaker if no fresh one can be had, so the
                    // next requests neither meet the same fate nor wait the whole timeout.
                    drop(conn);
                    let _ = db.probe(PROBE_TIMEOUT);
                    Err(RepoError::Unavailable(Box::new(e)))
                }
                other => other.map_err(map_error),
            };
            (result, notifying)
        })
        .await
        .map_err(|e| RepoError::Unexpected(Box::new(e)))?;
        if notifying {
            crate::identity::principals::note_principal_change();
        }
        result
    }

    /// Like `run`, inside one transaction (rolled back on any error). On SQLite it runs on the
    /// write lane, in a savepoint of the lane's group commit (see `lane`).
    pub(crate) async fn transaction<T, F>(&self, f: F) -> Result<T, RepoError>
    where
        F: FnOnce(&mut DbConnection) -> QueryResult<T> + Send + 'static,
        T: Send + 'static,
    {
        match &self.lane {
            Some(lane) => lane.write(f).await,
            None => self.run(move |conn| write_transaction(conn, f)).await,
        }
    }

    /// SQLite (whose writes go through the lane): the chat sessions this process last wrote
    /// (see `questionnaire::cache`); `None` on PostgreSQL.
    pub(crate) fn session_cache(&self) -> &std::sync::Arc<crate::questionnaire::SessionCache> {
        &self.session_cache
    }

    /// PostgreSQL: the answer writer (see `questionnaire::batch`).
    pub(crate) fn answer_batcher(
        &self,
    ) -> Option<&std::sync::Arc<crate::questionnaire::AnswerBatcher>> {
        self.answer_batcher.as_ref()
    }

    /// Like `run`, for work that writes: on SQLite on the write lane (its own savepoint of
    /// the lane's group commit, so also all or nothing), on PostgreSQL exactly `run`.
    pub(crate) async fn write<T, F>(&self, f: F) -> Result<T, RepoError>
    where
        F: FnOnce(&mut DbConnection) -> QueryResult<T> + Send + 'static,
        T: Send + 'static,
    {
        match &self.lane {
            Some(lane) => lane.write(f).await,
            None => self.run(f).await,
        }
    }
}

/// A transaction that writes. On SQLite it begins `IMMEDIATE`: it takes the write lock at once
/// (waiting up to `busy_timeout` for it), where a deferred transaction that first reads and then
/// writes fails with "database is locked" when another writer got in between, without waiting.
/// Nested `conn.transaction` calls inside `f` are savepoints on both backends.
pub(crate) fn write_transaction<T, F>(conn: &mut DbConnection, f: F) -> QueryResult<T>
where
    F: FnOnce(&mut DbConnection) -> QueryResult<T>,
{
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    let DbConnection::Sqlite(sqlite) = conn else {
        return conn.transaction(f);
    };
    // Already inside one (the write lane's batch): a savepoint.
    if <AnsiTransactionManager as TransactionManager<diesel::SqliteConnection>>::transaction_manager_status_mut(sqlite)
        .transaction_depth()?
        .is_some()
    {
        return conn.transaction(f);
    }
    AnsiTransactionManager::begin_transaction_sql(sqlite, "BEGIN IMMEDIATE")?;
    let result = f(conn);
    let DbConnection::Sqlite(sqlite) = conn else {
        return result;
    };
    match result {
        Ok(value) => {
            <AnsiTransactionManager as TransactionManager<diesel::SqliteConnection>>::commit_transaction(sqlite)?;
            Ok(value)
        }
        Err(e) => {
            // The transaction's own error is the one to report.
            let _ = <AnsiTransactionManager as TransactionManager<diesel::SqliteConnection>>::rollback_transaction(sqlite);
            Err(e)
        }
    }
}

fn migrate_postgres(conn: &mut PgConnection) -> Result<Vec<String>, DbError> {
    conn.batch_execute(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})"))
        .map_err(DbError::Query)?;
    let result = conn
        .run_pending_migrations(crate::migrations::POSTGRES)
        .map(|v| v.iter().map(ToString::to_string).collect())
        .map_err(DbError::Migration);
    let unlocked = diesel::sql_query(format!("SELECT pg_advisory_unlock({MIGRATION_LOCK_KEY})"))
        .execute(conn)
        .map_err(DbError::Query);
    let applied = result?;
    unlocked?;
    Ok(applied)
}

#[cfg(test)]
mod tests {
    use super::{Backend, parse_url};

    #[test]
    fn urls_choose_the_backend() {
        for url in [
            "postgres://u@h/db",
            "postgresql://u:p@h:5432/db?sslmode=require",
        ] {
            assert_eq!(parse_url(url).unwrap(), (Backend::Postgres, url.to_owned()));
        }
        assert_eq!(
            parse_url("sqlite://data/genascope.sqlite3").unwrap(),
            (Backend::Sqlite, "data/genascope.sqlite3".to_owned())
        );
        assert_eq!(
            parse_url("./data/genascope.db").unwrap(),
            (Backend::Sqlite, "./data/genascope.db".to_owned())
        );
        for bad in [
            "",
            "mysql://x/y",
            "sqlite://",
            "data/genascope",
            "http://x/y.db",
        ] {
            assert!(parse_url(bad).is_err(), "{bad}");
        }
    }
}
