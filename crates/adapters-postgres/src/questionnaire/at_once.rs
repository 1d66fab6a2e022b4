//! PostgreSQL: a chat session's write as one statement (issue #8).
//!
//! A session's creation (its row and audit entry) and its other writes without messages (a
//! completion: the versioned row, the patient's assessment, the audit entries) were a
//! transaction of four to eight statements, each a round trip; in the journey benchmark these
//! round trips cost PostgreSQL about as much as the statements themselves. Here they are one:
//!
//! ```sql
//! WITH written AS (<the session's INSERT, or its versioned UPDATE> RETURNING chat_sessions.id),
//! assessed AS (INSERT INTO assessments (…) SELECT $1, … FROM written),
//! audited AS (INSERT INTO audit_log (…) SELECT … FROM unnest(…) AS e … JOIN written …)
//! SELECT id FROM written
//! ```
//!
//! One statement is atomic (all of it or, on any error, none), so it needs no transaction.
//! The assessment and the audit entries are inserted once per row `written` returns: when the
//! versioned UPDATE finds the session moved on (no row), nothing is written at all and the
//! caller learns it from the empty result, as from a transaction it rolled back.

use crate::audit::{AuditFromWritten, AuditRow};
use crate::clinical::NewAssessmentRow;
use crate::connection::{DbConnection, writes_elsewhere};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};

/// The statement (see the module): `head` writes one row of `chat_sessions` (no `RETURNING`
/// clause of its own).
pub(super) struct AtOnce<'a, H> {
    head: H,
    assessment: Option<&'a NewAssessmentRow>,
    audit: AuditFromWritten<'a>,
}

impl<'a, H: QueryFragment<Pg>> AtOnce<'a, H> {
    /// `head`, writing session `sid`, with `assessment` and `audit` if it wrote.
    pub(super) fn new(
        head: H,
        sid: &'a str,
        assessment: Option<&'a NewAssessmentRow>,
        audit: &'a [AuditRow],
    ) -> Self {
        let mut entries = AuditFromWritten::default();
        for row in audit {
            entries.push(sid, row);
        }
        Self {
            head,
            assessment,
            audit: entries,
        }
    }

    /// Run it on `conn`: whether `head` wrote its row. Its statements write to sessions,
    /// assessments and audit entries only: nothing the principal cache watches.
    pub(super) fn wrote(self, conn: &mut DbConnection) -> QueryResult<bool> {
        writes_elsewhere(conn, |conn| match conn {
            DbConnection::Postgresql(pg) => self.load::<String>(pg).map(|ids| !ids.is_empty()),
            DbConnection::Sqlite(_) => Err(diesel::result::Error::QueryBuilderError(
                "a session's one-statement write is PostgreSQL's".into(),
            )),
        })
    }
}

impl<H: QueryFragment<Pg>> QueryFragment<Pg> for AtOnce<'_, H> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql("WITH written AS (");
        self.head.walk_ast(out.reborrow())?;
        out.push_sql(" RETURNING chat_sessions.id)");
        if let Some(assessment) = self.assessment {
            out.push_sql(", assessed AS (");
            assessment.walk_insert_from(out.reborrow(), "written")?;
            out.push_sql(")");
        }
        out.push_sql(", audited AS (");
        self.audit.walk_ast(out.reborrow())?;
        out.push_sql(") SELECT id FROM written");
        Ok(())
    }
}

/// Its SQL varies with its head and whether it has an assessment: diesel keeps it prepared by
/// its SQL text.
impl<H> QueryId for AtOnce<'_, H> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<H> diesel::query_builder::Query for AtOnce<'_, H> {
    type SqlType = diesel::sql_types::Text;
}

impl<H, Conn> RunQueryDsl<Conn> for AtOnce<'_, H> {}
