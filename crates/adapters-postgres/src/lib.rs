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
//!   [`TokenStore`](genascope_domain::identity::ports::TokenStore) and
//!   [`PatientRepository`](genascope_domain::patients::ports::PatientRepository).
//! - `testing` (feature `test-support`): throwaway databases for integration tests.

mod connection;
mod convert;
mod database;
mod identity;
pub mod migrations;
mod patients;
mod schema;
mod sql;
#[cfg(feature = "test-support")]
pub mod testing;

pub use connection::{DbConnection, DbConnectionManager, MultiBackend};
pub use database::{Backend, Database, DbError, PoolConfig};
