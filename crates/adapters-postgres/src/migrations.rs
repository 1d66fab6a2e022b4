//! The embedded migrations, one set per backend (`migrations/postgres`, `migrations/sqlite` at
//! the workspace root). `Database::migrate` runs them; they are public for migration tests.

use diesel_migrations::{EmbeddedMigrations, embed_migrations};

/// PostgreSQL migrations.
pub const POSTGRES: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");

/// SQLite migrations (same schema).
pub const SQLITE: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");

/// A fingerprint of the PostgreSQL migration files (computed by `build.rs`); test template
/// databases are named after it so a changed migration gets a fresh template.
pub const POSTGRES_FINGERPRINT: &str = env!("GENASCOPE_PG_MIGRATIONS_HASH");
