//! Throwaway databases for integration tests (cargo feature `test-support`).
//!
//! - [`pg_test_db`]: a fresh PostgreSQL database per call, copied from a template database that
//!   is migrated once (the rust-lang/crates.io pattern). The server is
//!   `postgres://postgres@127.0.0.1:5432` (trust auth) unless `GENASCOPE_TEST_PG_URL` names
//!   another (its database is only used to create and drop ours). The template is named after
//!   a fingerprint of `migrations/postgres`, so a changed migration gets a new template; it is
//!   created under an advisory lock, so parallel test processes do not race. Each test database
//!   is `genascope_test_<uuid>` and is dropped `WITH (FORCE)` when the [`TestDb`] drops. Nothing
//!   else on the server is touched.
//! - [`sqlite_test_db`]: a fresh, migrated SQLite file in the temp directory, deleted on drop.
//!
//! ```ignore
//! let t = genascope_adapters_postgres::testing::pg_test_db();
//! let db: Database = t.db().clone(); // or t.url() for code that connects itself
//! // ... keep `t` alive for the whole test; dropping it deletes the database.
//! ```

use crate::{Backend, Database, PoolConfig, migrations};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};
use diesel_migrations::MigrationHarness;
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;

/// The default test server.
pub const DEFAULT_PG_URL: &str = "postgres://postgres@127.0.0.1:5432";

/// Advisory lock key serialising template creation across test processes.
const TEMPLATE_LOCK_KEY: i64 = 0x6765_6e61_7465_7374;

/// A migrated database that exists as long as this value.
pub struct TestDb {
    /// Always `Some` until dropped.
    db: Option<Database>,
    url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    Postgres { admin_url: String, name: String },
    Sqlite { path: PathBuf },
}

impl std::fmt::Debug for TestDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestDb")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

impl TestDb {
    /// The database (clone it freely; keep the `TestDb` alive).
    #[must_use]
    pub fn db(&self) -> &Database {
        self.db
            .as_ref()
            .unwrap_or_else(|| panic!("TestDb used while dropping"))
    }

    /// Its URL, for code that connects by itself (e.g. an app built from `DATABASE_URL`).
    #[must_use]
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Which backend.
    #[must_use]
    pub fn backend(&self) -> Backend {
        self.db().backend()
    }
}

impl std::ops::Deref for TestDb {
    type Target = Database;

    fn deref(&self) -> &Database {
        self.db()
    }
}

impl Drop for TestDb {
    /// Close this handle's pool and wait for its worker thread (issue #14: a test process that
    /// exits while the pool is still opening or closing a connection can crash), then delete the
    /// database.
    fn drop(&mut self) {
        if let Some(db) = self.db.take() {
            let pool = db.shutdown_handle();
            drop(db);
            pool.wait(Duration::from_secs(10));
        }
        remove(&self.cleanup);
    }
}

/// Delete a test database: `DROP ... WITH (FORCE)` (ending the pool's sessions too), or the
/// SQLite file and its companions.
fn remove(cleanup: &Cleanup) {
    match cleanup {
        Cleanup::Postgres { admin_url, name } => {
            let dropped = PgConnection::establish(admin_url)
                .map_err(|e| e.to_string())
                .and_then(|mut c| {
                    c.batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                        .map_err(|e| e.to_string())
                });
            if let Err(e) = dropped {
                eprintln!("warning: could not drop test database {name}: {e}");
            }
        }
        Cleanup::Sqlite { path } => {
            for suffix in ["", "-wal", "-shm", "-journal"] {
                let mut p = path.clone().into_os_string();
                p.push(suffix);
                let _ = std::fs::remove_file(p);
            }
        }
    }
}

/// A small pool: tests run many databases at once.
fn test_pool() -> PoolConfig {
    PoolConfig {
        max_size: 4,
        min_idle: 1,
        connection_timeout: Duration::from_secs(10),
    }
}

/// The server test databases live on: `GENASCOPE_TEST_PG_URL` or [`DEFAULT_PG_URL`].
#[must_use]
pub fn pg_admin_url() -> String {
    std::env::var("GENASCOPE_TEST_PG_URL")
        .ok()
        .filter(|u| !u.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_PG_URL.to_owned())
}

/// `url` with its database name replaced by `name` (query parameters kept).
#[must_use]
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let base = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

#[derive(QueryableByName)]
struct Present {
    #[diesel(sql_type = Bool)]
    present: bool,
}

fn database_exists(conn: &mut PgConnection, name: &str) -> QueryResult<bool> {
    diesel::sql_query("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1) AS present")
        .bind::<Text, _>(name)
        .get_result::<Present>(conn)
        .map(|p| p.present)
}

fn is_duplicate_database(e: &diesel::result::Error) -> bool {
    // SQLSTATE 42P04 has no diesel kind of its own; the message is stable.
    e.to_string().contains("already exists")
}

/// Create (once per server and migration fingerprint) the migrated template; its name.
fn create_template(admin_url: &str) -> Result<String, String> {
    let name = format!("genascope_tpl_{}", migrations::POSTGRES_FINGERPRINT);
    let mut admin = PgConnection::establish(admin_url)
        .map_err(|e| format!("cannot connect to the test PostgreSQL server: {e}"))?;
    admin
        .batch_execute(&format!("SELECT pg_advisory_lock({TEMPLATE_LOCK_KEY})"))
        .map_err(|e| format!("advisory lock: {e}"))?;
    let result = (|| {
        if database_exists(&mut admin, &name).map_err(|e| e.to_string())? {
            return Ok(());
        }
        // Build under a temporary name and rename at the end, so a template that exists is
        // always complete (even if a test process died half way through).
        let building = format!(
            "{name}_b{}",
            &uuid::Uuid::new_v4().simple().to_string()[..12]
        );
        admin
            .batch_execute(&format!("CREATE DATABASE \"{building}\""))
            .map_err(|e| format!("create {building}: {e}"))?;
        {
            let mut conn = PgConnection::establish(&with_database(admin_url, &building))
                .map_err(|e| format!("connect {building}: {e}"))?;
            conn.run_pending_migrations(migrations::POSTGRES)
                .map_err(|e| format!("migrate {building}: {e}"))?;
        }
        match admin.batch_execute(&format!(
            "ALTER DATABASE \"{building}\" RENAME TO \"{name}\""
        )) {
            Ok(()) => Ok(()),
            Err(e) if is_duplicate_database(&e) => {
                let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS \"{building}\""));
                Ok(())
            }
            Err(e) => Err(format!("rename {building}: {e}")),
        }
    })();
    let _ = admin.batch_execute(&format!("SELECT pg_advisory_unlock({TEMPLATE_LOCK_KEY})"));
    result.map(|()| name)
}

fn template(admin_url: &str) -> &'static Result<String, String> {
    static TEMPLATE: OnceLock<Result<String, String>> = OnceLock::new();
    TEMPLATE.get_or_init(|| create_template(admin_url))
}

/// A fresh, migrated PostgreSQL database, dropped with the returned value. Panics when the
/// test server is unreachable (tests of both backends are meant to run everywhere).
#[must_use]
pub fn pg_test_db() -> TestDb {
    let admin_url = pg_admin_url();
    let template = match template(&admin_url) {
        Ok(t) => t.clone(),
        Err(e) => panic!("PostgreSQL test template: {e} (set GENASCOPE_TEST_PG_URL)"),
    };
    let name = format!("genascope_test_{}", uuid::Uuid::new_v4().simple());
    let mut admin = PgConnection::establish(&admin_url)
        .unwrap_or_else(|e| panic!("cannot connect to the test PostgreSQL server: {e}"));
    let sql = format!("CREATE DATABASE \"{name}\" TEMPLATE \"{template}\"");
    let mut attempt = 0;
    loop {
        match admin.batch_execute(&sql) {
            Ok(()) => break,
            // Another process may be copying it this very moment ("is being accessed").
            Err(e) if attempt < 50 && e.to_string().contains("being accessed") => {
                attempt += 1;
                std::thread::sleep(Duration::from_millis(100));
            }
            Err(e) => panic!("create test database: {e}"),
        }
    }
    let url = with_database(&admin_url, &name);
    let cleanup = Cleanup::Postgres {
        admin_url,
        name: name.clone(),
    };
    let db = match Database::connect_with(&url, test_pool()) {
        Ok(db) => db,
        Err(e) => {
            // Still drop the database we created.
            remove(&cleanup);
            panic!("connect to {name}: {e}");
        }
    };
    TestDb {
        db: Some(db),
        url,
        cleanup,
    }
}

/// A fresh, migrated SQLite file in the temp directory, deleted with the returned value.
#[must_use]
pub fn sqlite_test_db() -> TestDb {
    let path = std::env::temp_dir().join(format!(
        "genascope-test-{}.db",
        uuid::Uuid::new_v4().simple()
    ));
    let url = path.to_string_lossy().into_owned();
    let db = Database::connect_with(&url, test_pool())
        .unwrap_or_else(|e| panic!("open test SQLite file: {e}"));
    let t = TestDb {
        db: Some(db),
        url,
        cleanup: Cleanup::Sqlite { path },
    };
    if let Err(e) = t.db().migrate() {
        panic!("migrate test SQLite file: {e}");
    }
    t
}

/// A fresh test database of either backend.
#[must_use]
pub fn test_db(backend: Backend) -> TestDb {
    match backend {
        Backend::Postgres => pg_test_db(),
        Backend::Sqlite => sqlite_test_db(),
    }
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn database_names_are_replaced() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            with_database("postgresql://u:p@h/db?sslmode=disable", "x"),
            "postgresql://u:p@h/x?sslmode=disable"
        );
    }
}
