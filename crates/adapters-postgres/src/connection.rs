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
    /// (PostgreSQL connections, and SQLite ones in debug builds; see [`take_writes`]).
    static WROTE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    /// Set when, of those, one may have changed a table the principal cache's triggers watch
    /// (see [`NOTIFYING_TABLES`]).
    static NOTIFYING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    /// Set while a statement runs that the caller knows writes to no table of
    /// [`NOTIFYING_TABLES`] (see [`writes_elsewhere`]).
    static NOT_NOTIFYING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    /// Set when a statement on this thread found its connection lost; read (and cleared) by
    /// `has_broken` when that connection goes back to the pool, on the same thread, just after.
    static LOST: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// The tables whose changes the principal cache's triggers notify (migration
/// `2026-12-06-000021_principal_notify`: updates and deletes of these, inserts into
/// `denied_jtis`; no foreign key cascades into them). A test checks this list against the
/// migrations' `CREATE TRIGGER`s.
pub(crate) const NOTIFYING_TABLES: [&str; 6] = [
    "users",
    "accounts",
    "refresh_tokens",
    "denied_jtis",
    "invites",
    "patients",
];

/// What a statement may do, from its first words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Effect {
    /// A `SELECT`.
    Read,
    /// A write to no table of [`NOTIFYING_TABLES`], or transaction control.
    Write,
    /// Anything else: it may have made the principal cache's triggers notify.
    Notifying,
}

/// diesel's instrumentation hook of every pooled PostgreSQL connection: notes on the thread
/// whether a statement may have written (anything but a `SELECT`, or a transaction), and whether
/// it may have changed what the principal cache holds, so that a request that did can wait for
/// the cache's fence (`principals`); a request that wrote only elsewhere (an answer's session
/// row and audit entry) has nothing to wait for. Only the first few characters of the
/// statement are looked at, and none once there is nothing left to learn: diesel builds a
/// statement's whole SQL text to show it (5 % of the server's CPU in the journey benchmark when
/// every statement was shown).
fn note_writes(event: diesel::connection::InstrumentationEvent<'_>) {
    use diesel::connection::InstrumentationEvent as E;
    if NOTIFYING.get() || (NOT_NOTIFYING.get() && WROTE.get()) {
        return;
    }
    let effect = match event {
        E::StartQuery { query, .. } => effect(query),
        E::BeginTransaction { .. } => Effect::Write,
        _ => Effect::Read,
    };
    if effect != Effect::Read {
        WROTE.set(true);
    }
    if effect == Effect::Notifying && !NOT_NOTIFYING.get() {
        NOTIFYING.set(true);
    }
}

/// Run `f` on `conn`, whose statements the caller knows write, and to no table of
/// [`NOTIFYING_TABLES`] (where their first words may not tell: a `WITH … UPDATE chat_sessions
/// …`): they count as writes, not as changes the principal cache's fence must wait for, and the
/// hook need not look at them. On PostgreSQL only: SQLite's connections (in debug builds) keep
/// looking, for the write lane's check in `Database::run`.
pub(crate) fn writes_elsewhere<T>(
    conn: &mut DbConnection,
    f: impl FnOnce(&mut DbConnection) -> T,
) -> T {
    struct Reset(bool);
    impl Drop for Reset {
        fn drop(&mut self) {
            NOT_NOTIFYING.set(self.0);
        }
    }
    if matches!(conn, DbConnection::Sqlite(_)) {
        return f(conn);
    }
    let _reset = Reset(NOT_NOTIFYING.replace(true));
    WROTE.set(true);
    f(conn)
}

/// [`Effect`] of a statement: `SELECT` reads; `UPDATE t`, `INSERT INTO t` and `DELETE FROM t`
/// notify only when `t` is one of [`NOTIFYING_TABLES`]; transaction control writes nothing that
/// notifies; anything else (`WITH`, `TRUNCATE`, a statement cut short) is taken to notify.
fn effect(query: &dyn std::fmt::Display) -> Effect {
    /// Keeps the first [`HEAD`] characters after leading white space, then stops the
    /// formatting.
    struct Head(String);
    const HEAD: usize = 64;
    impl std::fmt::Write for Head {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            for c in s.chars() {
                if self.0.is_empty() && c.is_whitespace() {
                    continue;
                }
                if self.0.len() >= HEAD {
                    return Err(std::fmt::Error);
                }
                self.0.push(c.to_ascii_lowercase());
            }
            Ok(())
        }
    }
    let mut head = Head(String::with_capacity(HEAD));
    let cut = std::fmt::write(&mut head, format_args!("{query}")).is_err();
    let mut words = head
        .0
        .split(|c: char| c.is_whitespace() || c == '(' || c == ';')
        .filter(|w| !w.is_empty());
    let target = match (words.next(), words.next()) {
        (Some("select"), _) => return Effect::Read,
        (Some("begin" | "commit" | "rollback" | "savepoint" | "release"), _) => {
            return Effect::Write;
        }
        (Some("update"), Some(table)) => Some(table),
        (Some("insert"), Some("into")) | (Some("delete"), Some("from")) => words.next(),
        _ => None,
    };
    // A name that ends the head of a longer statement may be cut short, and `ONLY` precedes
    // one: any table.
    match target.filter(|t| !(cut && head.0.ends_with(t)) && *t != "only") {
        Some(t) => {
            let name = t.rsplit('.').next().unwrap_or(t).trim_matches('"');
            if NOTIFYING_TABLES.contains(&name) {
                Effect::Notifying
            } else {
                Effect::Write
            }
        }
        None => Effect::Notifying,
    }
}

/// What statements ran on this thread since the last call (and forget them): `(any write, a
/// write that may have changed what the principal cache holds)`.
pub(crate) fn take_writes() -> (bool, bool) {
    (WROTE.take(), NOTIFYING.take())
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
    use super::{Effect, NOTIFYING_TABLES, effect};

    #[test]
    fn statements_are_read_written_or_notifying() {
        for read in [
            "SELECT 1",
            "  select x FROM t",
            "\nSELECT EXISTS (SELECT 1)",
        ] {
            assert_eq!(effect(&read), Effect::Read, "{read}");
        }
        for write in [
            "UPDATE chat_sessions SET a = 1 WHERE EXISTS (SELECT 1 FROM accounts)",
            "INSERT INTO \"audit_log\" (\"id\") VALUES ($1)",
            "insert into assessments(id) values (1)",
            "DELETE FROM \"login_attempts\" WHERE x",
            "BEGIN",
            "COMMIT",
            "SAVEPOINT diesel_savepoint_1",
            "RELEASE SAVEPOINT diesel_savepoint_1",
            "ROLLBACK",
        ] {
            assert_eq!(effect(&write), Effect::Write, "{write}");
        }
        for notifying in [
            "UPDATE \"users\" SET \"role\" = $1",
            "UPDATE public.patients SET status = 'active'",
            "INSERT INTO \"denied_jtis\" (\"jti\") VALUES ($1)",
            "DELETE FROM refresh_tokens WHERE user_id = $1",
            "update invites set status = 'revoked'",
            "WITH x AS (UPDATE users SET a = 1) SELECT 1",
            "TRUNCATE accounts",
            "UPDATE",
            "UPDATE ONLY chat_sessions SET a = 1",
            "sel",
            "",
            // A name longer than what is read of the statement: any table.
            &format!("UPDATE {} SET a = 1", "t".repeat(80)),
        ] {
            assert_eq!(effect(&notifying), Effect::Notifying, "{notifying}");
        }
    }

    /// The list is the migrations': every table with a trigger (only the principal cache's
    /// have one), and no foreign key action that could change such a table from another.
    #[test]
    fn notifying_tables_are_the_triggers_tables() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../migrations/postgres");
        let mut tables = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let sql = std::fs::read_to_string(entry.unwrap().path().join("up.sql")).unwrap();
            assert!(!sql.contains("ON DELETE") && !sql.contains("ON UPDATE"));
            tables.extend(
                sql.split("CREATE TRIGGER")
                    .skip(1)
                    .map(|t| t.split(" ON ").nth(1).unwrap().split_whitespace().next())
                    .map(|t| t.unwrap().to_owned()),
            );
        }
        tables.sort_unstable();
        tables.dedup();
        let mut listed = NOTIFYING_TABLES.to_vec();
        listed.sort_unstable();
        assert_eq!(tables, listed);
    }
}
