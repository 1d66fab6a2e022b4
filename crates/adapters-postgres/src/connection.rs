//! The connection type: PostgreSQL or SQLite behind one diesel backend, and its r2d2 manager.

use diesel::connection::SimpleConnection;
use diesel::r2d2::{CustomizeConnection, ManageConnection, R2D2Connection};
use diesel::{Connection, PgConnection, SqliteConnection};

/// A connection to either backend. Queries written against it (`MultiBackend`) run on both.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    /// Production.
    Postgresql(PgConnection),
    /// Embedded file.
    Sqlite(SqliteConnection),
}

/// Which backend a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    Postgres,
    Sqlite,
}

/// An r2d2 manager that opens the backend the URL names.
///
/// Not `diesel::r2d2::ConnectionManager<DbConnection>`: the derived `MultiConnection::establish`
/// tries every backend in turn and swallows their errors, so an unreachable PostgreSQL would
/// report only "Invalid connection url for multiconnection" (after also trying to open the URL
/// as an SQLite file). This one opens exactly one backend and keeps its error.
#[derive(Debug, Clone)]
pub struct DbConnectionManager {
    pub(crate) url: String,
    pub(crate) target: Target,
}

impl DbConnectionManager {
    pub(crate) fn establish(&self) -> diesel::ConnectionResult<DbConnection> {
        match self.target {
            Target::Postgres => PgConnection::establish(&self.url).map(|mut c| {
                c.set_instrumentation(note_writes);
                DbConnection::Postgresql(c)
            }),
            Target::Sqlite => SqliteConnection::establish(&self.url).map(|mut c| {
                // Debug builds (the tests): `Database::run` checks that nothing wrote outside
                // the write lane (`lane`).
                if cfg!(debug_assertions) {
                    c.set_instrumentation(note_writes);
                }
                DbConnection::Sqlite(c)
            }),
        }
    }
}

impl ManageConnection for DbConnectionManager {
    type Connection = DbConnection;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<DbConnection, Self::Error> {
        self.establish()
            .map_err(diesel::r2d2::Error::ConnectionError)
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), Self::Error> {
        conn.ping().map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        std::thread::panicking() || LOST.take() || conn.is_broken()
    }
}

thread_local! {
    /// Set when a statement other than a `SELECT` (or a transaction) started on this thread
    /// (PostgreSQL connections, and SQLite ones in debug builds; see [`take_wrote`]).
    static WROTE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    /// Set when a statement on this thread found its connection lost; read (and cleared) by
    /// `has_broken` when that connection goes back to the pool, on the same thread, just after.
    static LOST: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// diesel's instrumentation hook of every pooled PostgreSQL connection: notes on the thread
/// whether a statement may have written (anything but a `SELECT`, or a transaction), so that a
/// request that wrote can wait for the principal cache's fence (`principals`). Only the first
/// few characters of the statement are formatted.
fn note_writes(event: diesel::connection::InstrumentationEvent<'_>) {
    use diesel::connection::InstrumentationEvent as E;
    let wrote = match event {
        E::StartQuery { query, .. } => !starts_with_select(query),
        E::BeginTransaction { .. } => true,
        _ => false,
    };
    if wrote {
        WROTE.set(true);
    }
}

/// Whether a statement starts with `SELECT` (leading white space ignored, any case).
fn starts_with_select(query: &dyn std::fmt::Display) -> bool {
    /// Keeps the first 16 non-space characters, then stops the formatting.
    struct Head(String);
    impl std::fmt::Write for Head {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            for c in s.chars() {
                if self.0.is_empty() && c.is_whitespace() {
                    continue;
                }
                if self.0.len() >= 16 {
                    return Err(std::fmt::Error);
                }
                self.0.push(c);
            }
            Ok(())
        }
    }
    let mut head = Head(String::with_capacity(16));
    let _ = std::fmt::write(&mut head, format_args!("{query}"));
    head.0
        .get(..6)
        .is_some_and(|h| h.eq_ignore_ascii_case("select"))
}

/// Whether a statement that may write ran on this thread since the last call (and forget it).
pub(crate) fn take_wrote() -> bool {
    WROTE.take()
}

/// Connections are not tested on checkout (that would be a `SELECT 1` round trip before every
/// request's own query, issue #11); a connection the server closed (restart, failover,
/// `pg_terminate_backend`) is found by the first statement that fails on it. diesel reports that
/// as `ClosedConnection` or `UnableToSendCommand` but still calls such a connection healthy
/// outside a transaction, so the caller marks it here and the pool discards it instead of handing
/// it out again.
pub(crate) fn note_if_lost(e: &diesel::result::Error) -> bool {
    use diesel::result::{DatabaseErrorKind, Error};
    let lost = matches!(
        e,
        Error::DatabaseError(
            DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
            _
        )
    );
    if lost {
        LOST.set(true);
    }
    lost
}

/// Per-connection SQLite settings, applied to every pooled connection: enforce foreign keys,
/// write-ahead log (readers never block the writer), wait up to 5 s for the write lock instead
/// of failing with `SQLITE_BUSY`, and fsync less often (safe with WAL); and the function the
/// principal cache's triggers call.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SqlitePragmas;

impl CustomizeConnection<DbConnection, diesel::r2d2::Error> for SqlitePragmas {
    fn on_acquire(&self, conn: &mut DbConnection) -> Result<(), diesel::r2d2::Error> {
        if let DbConnection::Sqlite(c) = conn {
            c.batch_execute(
                "PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON; \
                 PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;",
            )
            .map_err(diesel::r2d2::Error::QueryError)?;
            // Before anything runs on the connection (migrations included): the triggers of
            // the principal cache call it.
            crate::identity::principals::register_sqlite_function(c)
                .map_err(diesel::r2d2::Error::QueryError)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_selects_are_reads() {
        for read in [
            "SELECT 1",
            "  select x FROM t",
            "\nSELECT EXISTS (SELECT 1)",
        ] {
            assert!(super::starts_with_select(&read), "{read}");
        }
        for write in [
            "UPDATE t SET a = 1",
            "INSERT INTO t",
            "DELETE FROM t",
            "BEGIN",
            "sel",
            "",
        ] {
            assert!(!super::starts_with_select(&write), "{write}");
        }
    }
}
