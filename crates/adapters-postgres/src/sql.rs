//! Shared query pieces: SQL functions, LIKE patterns, error translation, stored-value decoding.

use diesel::result::{DatabaseErrorKind, Error as DieselError};
use genascope_domain::common::RepoError;

diesel::define_sql_function! {
    /// `lower(text)`, on both backends (ASCII-only on SQLite; emails are ASCII).
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

diesel::define_sql_function! {
    /// `lower(text)` of a nullable column.
    #[sql_name = "lower"]
    fn lower_nullable(x: diesel::sql_types::Nullable<diesel::sql_types::Text>) -> diesel::sql_types::Nullable<diesel::sql_types::Text>;
}

/// The escape character of every LIKE pattern we build.
pub(crate) const LIKE_ESCAPE: char = '\\';

/// `%q%` with `%`, `_` and the escape character in `q` escaped, for
/// `lower(col) LIKE lower(pattern) ESCAPE '\'` (a case-insensitive substring match).
pub(crate) fn contains_pattern(q: &str) -> String {
    let mut out = String::with_capacity(q.len() + 2);
    out.push('%');
    for c in q.chars() {
        if c == '%' || c == '_' || c == LIKE_ESCAPE {
            out.push(LIKE_ESCAPE);
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// Whether a patient's first name, last name, "first last" or email contains `pattern` (a
/// [`contains_pattern`]), case-insensitively: the search of the patient and invite lists. An
/// expression over `patients`, for any query that has that table in its FROM clause.
macro_rules! patient_matches {
    ($pattern:expr) => {{
        use $crate::schema::patients;
        use $crate::sql::{LIKE_ESCAPE, lower};
        let p: String = $pattern;
        let full_name = patients::first_name.concat(" ").concat(patients::last_name);
        lower(patients::first_name)
            .like(lower(p.clone()))
            .escape(LIKE_ESCAPE)
            .or(lower(patients::last_name)
                .like(lower(p.clone()))
                .escape(LIKE_ESCAPE))
            .or(lower(full_name).like(lower(p.clone())).escape(LIKE_ESCAPE))
            .or(lower(patients::email).like(lower(p)).escape(LIKE_ESCAPE))
    }};
}
pub(crate) use patient_matches;

/// The domain name of the uniqueness rule a violation broke, from the index name (PostgreSQL
/// reports it) or the message (SQLite names the columns: `UNIQUE constraint failed: users.email`).
fn duplicate_field(constraint: Option<&str>, message: &str) -> &'static str {
    let text = constraint.unwrap_or(message);
    // Chat: PostgreSQL names the index; SQLite names the columns.
    if text.contains("chat_strategies_live_name") || text.contains("chat_strategies.name_key") {
        return "strategy_name";
    }
    if text.contains("chat_sessions_one_active") || text.contains("chat_sessions.patient_id") {
        return "active_session";
    }
    if text.contains("chat_sessions_ref_id") || text.contains("chat_sessions.ref_id") {
        return "ref_id";
    }
    // Labs: a webhook event's key (the primary key of `lab_events`), a lab's reference.
    if text.contains("lab_events") {
        return "event_id";
    }
    if text.contains("lab_reference") {
        return "lab_reference";
    }
    if text.contains("files_file_key") || text.contains("files.file_key") {
        return "file_key";
    }
    // Scheduling: PostgreSQL names the index; SQLite names the columns.
    if text.contains("appointments_clinician_slot") || text.contains("appointments.starts_at") {
        return "appointment_slot";
    }
    if text.contains("confirmation_code") {
        return "confirmation_code";
    }
    // Invites: PostgreSQL names the index; SQLite names the column of the partial index.
    if text.contains("invites_one_pending") || text.contains("invites.patient_id") {
        "pending_invite"
    } else if text.contains("token_hash") {
        "token"
    } else if text.contains("external_id") {
        "external_id"
    } else if text.contains("email") {
        "email"
    } else if text.contains("domain") {
        "domain"
    } else if text.contains("digest") {
        "token"
    } else if text.contains("jti") {
        "jti"
    } else {
        "id"
    }
}

/// Translate a diesel error into the port's error. The cause travels in `Unexpected` for the
/// log; no SQL or value reaches a message.
pub(crate) fn map_error(e: DieselError) -> RepoError {
    match e {
        DieselError::NotFound => RepoError::NotFound,
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
            RepoError::Duplicate(duplicate_field(info.constraint_name(), info.message()))
        }
        // A reference to a row that does not exist (or no longer does): not a server fault.
        DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, _) => {
            RepoError::NotFound
        }
        other => RepoError::Unexpected(Box::new(other)),
    }
}

/// A stored value that does not decode (a corrupt row).
#[derive(Debug, thiserror::Error)]
#[error("stored {0} is invalid")]
pub(crate) struct Corrupt(pub(crate) &'static str);

impl From<Corrupt> for DieselError {
    fn from(c: Corrupt) -> Self {
        DieselError::DeserializationError(Box::new(c))
    }
}

/// Is this error a unique violation? (`deny_jti` treats it as success.)
pub(crate) fn is_unique_violation(e: &DieselError) -> bool {
    matches!(
        e,
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)
    )
}

/// An update or delete of one row by id: no row is `NotFound`.
pub(crate) fn found(rows: usize) -> diesel::QueryResult<()> {
    if rows == 0 {
        Err(diesel::result::Error::NotFound)
    } else {
        Ok(())
    }
}

/// Run a write on the backend's own connection. Through [`crate::DbConnection`] (diesel's
/// multi-backend wrapper) every statement's SQL is built again on every call, even when its
/// prepared statement is cached: a tenth of SQLite's write lane in the journey's profile
/// (issue #8). For the statements of the hot paths.
pub(crate) fn execute<Q>(conn: &mut crate::DbConnection, query: Q) -> diesel::QueryResult<usize>
where
    Q: diesel::query_dsl::methods::ExecuteDsl<diesel::SqliteConnection>
        + diesel::query_dsl::methods::ExecuteDsl<diesel::PgConnection>,
{
    use diesel::query_dsl::methods::ExecuteDsl;
    match conn {
        crate::DbConnection::Sqlite(c) => ExecuteDsl::execute(query, c),
        crate::DbConnection::Postgresql(c) => ExecuteDsl::execute(query, c),
    }
}

/// The first row of `query`, if any, on the backend's own connection (see [`execute`]: through
/// diesel's multi-backend wrapper every read's SQL is built again too, quoting every column name
/// of a wide select on each call). `query` must select backend-neutral columns (a tuple, not
/// `as_select()`, whose type names one backend).
pub(crate) fn first<'q, Q, U>(
    conn: &mut crate::DbConnection,
    query: Q,
) -> diesel::QueryResult<Option<U>>
where
    Q: diesel::query_dsl::methods::LimitDsl
        + diesel::RunQueryDsl<diesel::SqliteConnection>
        + diesel::RunQueryDsl<diesel::PgConnection>,
    diesel::dsl::Limit<Q>: diesel::query_dsl::LoadQuery<'q, diesel::SqliteConnection, U>
        + diesel::query_dsl::LoadQuery<'q, diesel::PgConnection, U>,
{
    use diesel::{OptionalExtension, RunQueryDsl};
    match conn {
        crate::DbConnection::Sqlite(c) => RunQueryDsl::first(query, c).optional(),
        crate::DbConnection::Postgresql(c) => RunQueryDsl::first(query, c).optional(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_escape_wildcards() {
        assert_eq!(contains_pattern("a%b_c\\d"), "%a\\%b\\_c\\\\d%");
        assert_eq!(contains_pattern(""), "%%");
    }

    #[test]
    fn fields_from_index_names_and_messages() {
        assert_eq!(duplicate_field(Some("users_email_live_uq"), ""), "email");
        assert_eq!(
            duplicate_field(
                None,
                "UNIQUE constraint failed: patients.account_id, patients.external_id"
            ),
            "external_id"
        );
        assert_eq!(
            duplicate_field(
                None,
                "UNIQUE constraint failed: patients.account_id, patients.email"
            ),
            "email"
        );
        assert_eq!(
            duplicate_field(Some("accounts_domain_live_uq"), ""),
            "domain"
        );
        assert_eq!(duplicate_field(Some("users_pkey"), ""), "id");
        assert_eq!(
            duplicate_field(Some("invites_one_pending_per_patient_uq"), ""),
            "pending_invite"
        );
        assert_eq!(
            duplicate_field(None, "UNIQUE constraint failed: invites.patient_id"),
            "pending_invite"
        );
        assert_eq!(duplicate_field(Some("invites_token_hash_uq"), ""), "token");
        assert_eq!(
            duplicate_field(None, "UNIQUE constraint failed: invites.token_hash"),
            "token"
        );
    }
}
