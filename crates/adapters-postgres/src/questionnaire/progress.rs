//! How a chat session's row is written: the columns of an answer's write ([`ProgressRow`]) and
//! the versioned UPDATE that writes them, or the whole row ([`VersionedUpdate`]).

use super::sessions::{account_live, patient_live};
use crate::schema::chat_sessions;
use diesel::prelude::*;
use time::PrimitiveDateTime;

/// The columns a write changes while the session stays active (an answer, a message): not its
/// identity, status or end. Updating these alone leaves five of the table's seven indexes
/// untouched (SQLite rewrites every index on a column named in the SET list).
#[derive(AsChangeset)]
#[diesel(table_name = chat_sessions, treat_none_as_null = true)]
pub(super) struct ProgressRow<'a> {
    pub(super) answers: &'a str,
    pub(super) extracted_data: &'a str,
    pub(super) current_question: Option<i32>,
    pub(super) progress_percentage: i32,
    pub(super) message_count: i32,
    pub(super) last_activity: PrimitiveDateTime,
    pub(super) version: i32,
}

/// Which columns a [`VersionedUpdate`] sets; also its prepared statement's identity.
pub(super) trait UpdateKind: 'static {
    /// More of the WHERE clause.
    const CONDITION: &'static str;
}

/// Every column ([`SessionRow`]).
pub(super) struct WholeRow;

impl UpdateKind for WholeRow {
    const CONDITION: &'static str = "";
}

/// [`ProgressRow`]'s columns, over an active session only: what it leaves out is then the same
/// in the stored row (a session's identity never changes, and an active session has no end).
pub(super) struct Progress;

impl UpdateKind for Progress {
    const CONDITION: &'static str = " AND status = 'active'";
}

/// `UPDATE chat_sessions SET <columns> WHERE id = ? AND version = ? AND <visible>`, diesel's
/// own changeset of [`SessionRow`] or [`ProgressRow`] (a `NULL` for `None`: the SQL never varies)
/// in a statement diesel keeps prepared: its `UpdateStatement` is marked never to be cached, so
/// the answer's UPDATE was parsed and planned again on every call (6 % of the server's CPU in
/// the journey's profile, issue #8).
pub(super) struct VersionedUpdate<'a, C, K> {
    changeset: C,
    id: &'a str,
    version: i32,
    account_live: account_live,
    patient_live: patient_live,
    kind: std::marker::PhantomData<K>,
}

impl<C, K: UpdateKind> diesel::query_builder::QueryId for VersionedUpdate<'_, C, K> {
    type QueryId = K;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl<DB, C, K> diesel::query_builder::QueryFragment<DB> for VersionedUpdate<'_, C, K>
where
    DB: diesel::backend::Backend,
    C: diesel::query_builder::QueryFragment<DB>,
    K: UpdateKind,
    account_live: diesel::query_builder::QueryFragment<DB>,
    patient_live: diesel::query_builder::QueryFragment<DB>,
    str: diesel::serialize::ToSql<diesel::sql_types::Text, DB>,
    i32: diesel::serialize::ToSql<diesel::sql_types::Integer, DB>,
{
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, DB>,
    ) -> QueryResult<()> {
        use diesel::sql_types::{Integer, Text};
        out.push_sql("UPDATE chat_sessions SET ");
        self.changeset.walk_ast(out.reborrow())?;
        out.push_sql(" WHERE id = ");
        out.push_bind_param::<Text, _>(self.id)?;
        out.push_sql(" AND version = ");
        out.push_bind_param::<Integer, _>(&self.version)?;
        out.push_sql(K::CONDITION);
        // Only a visible session (as `visible()`): a step decided on a cached copy must not
        // write to a session whose account or patient was deleted since.
        out.push_sql(" AND ");
        self.account_live.walk_ast(out.reborrow())?;
        out.push_sql(" AND (");
        self.patient_live.walk_ast(out.reborrow())?;
        out.push_sql(")");
        Ok(())
    }
}

impl<C, K, Conn> RunQueryDsl<Conn> for VersionedUpdate<'_, C, K> {}

impl<'a, C, K> VersionedUpdate<'a, C, K> {
    pub(super) fn new(changeset: C, id: &'a str, version: i32) -> Self {
        Self {
            changeset,
            id,
            version,
            account_live: account_live(),
            patient_live: patient_live(),
            kind: std::marker::PhantomData,
        }
    }
}
