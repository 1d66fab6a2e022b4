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
    /// The pool could not open its first connection.
    #[error("cannot connect to the database")]
    Connect(#[source] diesel::r2d2::PoolError),
    /// A dedicated connection (migrations) could not be opened.
    #[error("cannot connect to the database")]
    Establish(#[source] diesel::ConnectionError),
    /// No pooled connection in time.
    #[error("no database connection available")]
    Pool(#[source] diesel::r2d2::PoolError),
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

/// A pooled database. Cheap to clone (the pool is shared). Implements every repository port.
#[derive(Clone)]
pub struct Database {
    pool: Pool<DbConnectionManager>,
    backend: Backend,
    /// For migrations on PostgreSQL, which use a dedicated session (see [`Database::migrate`]).
    url: String,
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
        let (backend, target_url) = parse_url(url)?;
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
        let mut builder = Pool::builder()
            .max_size(config.max_size.max(1))
            .min_idle(Some(min_idle))
            .connection_timeout(config.connection_timeout);
        if backend == Backend::Sqlite {
            builder = builder.connection_customizer(Box::new(SqlitePragmas));
        }
        let pool = builder.build(manager).map_err(DbError::Connect)?;
        Ok(Self {
            pool,
            backend,
            url: target_url,
        })
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
                let mut conn = self.pool.get().map_err(DbError::Pool)?;
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
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = pool.get().map_err(DbError::Pool)?;
            conn.ping().map_err(DbError::Query)
        })
        .await
        .map_err(DbError::Task)?
    }

    /// A pooled connection (blocking). For tests and tools; repository code uses `run`.
    pub fn connection(&self) -> Result<PooledConnection<DbConnectionManager>, DbError> {
        self.pool.get().map_err(DbError::Pool)
    }

    /// Run `f` on a pooled connection on the blocking thread pool, mapping every failure to a
    /// `RepoError` (unique violation -> `Duplicate`, not found -> `NotFound`, else `Unexpected`).
    pub(crate) async fn run<T, F>(&self, f: F) -> Result<T, RepoError>
    where
        F: FnOnce(&mut DbConnection) -> QueryResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || {
            // No connection within the pool's timeout: the database is down or saturated (503).
            let mut conn = pool
                .get()
                .map_err(|e| RepoError::Unavailable(Box::new(e)))?;
            f(&mut conn).map_err(map_error)
        })
        .await
        .map_err(|e| RepoError::Unexpected(Box::new(e)))?
    }

    /// Like `run`, inside one transaction (rolled back on any error).
    pub(crate) async fn transaction<T, F>(&self, f: F) -> Result<T, RepoError>
    where
        F: FnOnce(&mut DbConnection) -> QueryResult<T> + Send + 'static,
        T: Send + 'static,
    {
        self.run(move |conn| conn.transaction(f)).await
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
