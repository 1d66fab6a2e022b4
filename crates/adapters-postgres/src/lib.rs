//! genascope's persistence adapter: the repository ports of `genascope-domain` on diesel.
//!
//! One set of queries runs on PostgreSQL (production) and on an embedded SQLite file (the
//! default for development and single-node installs): [`DbConnection`] is a diesel
//! `MultiConnection`, so only portable SQL types and syntax are used (ids as TEXT, naive UTC
//! timestamps, no `RETURNING`, no `ON CONFLICT`, no `ILIKE`).
//!
//! - [`Database`]: the pool, `connect`, `migrate`, `ping`; it implements
//!   [`AccountRepository`](genascope_domain::identity::ports::AccountRepository),
//!   [`UserRepository`](genascope_domain::identity::ports::UserRepository),
//!   [`TokenStore`](genascope_domain::identity::ports::TokenStore),
//!   [`PatientRepository`](genascope_domain::patients::ports::PatientRepository),
//!   [`InviteRepository`](genascope_domain::invites::ports::InviteRepository),
//!   [`StrategyRepository`](genascope_domain::questionnaire::strategies::ports::StrategyRepository)
//!   [`ChatSessionRepository`](genascope_domain::questionnaire::sessions::ports::ChatSessionRepository)
//!   and [`SchedulingRepository`](genascope_domain::scheduling::ports::SchedulingRepository).
//! - [`DbLoginThrottle`]: the `LoginThrottle` port (failed logins, reset requests) in the database,
//!   so every replica counts against the same limits; [`Database`] also implements the domain's
//!   `WindowCounter` (the edge's limits per client address) on the same table.
//! - [`CachedPrincipals`]: `UserRepository` and `GrantRepository` with the principal and the
//!   invite grant of every authenticated request cached, evicted on every replica by database
//!   triggers (PostgreSQL `LISTEN/NOTIFY` on a dedicated session; SQLite in-process).
//! - [`notify`]: the transactional outbox (rows written by the repository methods above in the
//!   transaction of their cause) and its delivery worker.
//! - `testing` (feature `test-support`): throwaway databases for integration tests. Other crates
//!   enable it from their dev-dependencies:
//!   `genascope-adapters-postgres = { workspace = true, features = ["test-support"] }`, then per
//!   test `let t = testing::pg_test_db();` (or `sqlite_test_db()`, or `test_db(backend)`), hand
//!   `t.db().clone()` (or `t.url()`) to the code under test and keep `t` alive until the end.
//!
//! Writing queries: every call goes through `Database::run` / `Database::transaction`
//! (`spawn_blocking` + error mapping). Multi-statement transactions start with a write (an
//! UPDATE that claims the row, or an INSERT): on SQLite that takes the write lock up front, so
//! `busy_timeout` applies instead of a deadlock-prone read-then-upgrade, and on PostgreSQL the
//! conditional UPDATE makes concurrent claims (refresh rotation, reset tokens) safe.

mod audit;
mod clinical;
mod connection;
mod convert;
mod database;
pub mod files;
mod identity;
mod invites;
pub mod labs;
mod lane;
pub mod migrations;
pub mod notify;
mod patients;
mod questionnaire;
mod scheduling;
mod schema;
mod sql;
#[cfg(feature = "test-support")]
pub mod testing;

pub use audit::{AuditWriter, AuditWriterHandle};
pub use connection::{DbConnection, DbConnectionManager, MultiBackend};
pub use database::{Backend, Database, DbError, PoolConfig, PoolShutdown, PoolState, metric};
pub use identity::principals::{
    CacheCounts, CacheState, CachedPrincipals, PrincipalCacheConfig, track_writes,
};
pub use identity::{DbLoginThrottle, IN_FLIGHT_TTL, PRUNE_EVERY};
