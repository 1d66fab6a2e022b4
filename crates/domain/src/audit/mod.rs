//! The audit trail (contract §1.7): who read or changed which record, and when. Entries carry ids
//! only: never names, answers, results or other clinical values.

use crate::common::{AccountId, RepoError, Timestamp, UserId};
use async_trait::async_trait;

/// What was done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditAction {
    /// A record was shown (alone or in a list).
    Read,
    /// A record was created.
    Create,
    /// A record was changed.
    Update,
    /// A record was (soft-)deleted.
    Delete,
}

impl AuditAction {
    /// Stored name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Create => "create",
            Self::Update => "update",
            Self::Delete => "delete",
        }
    }
}

/// Which records an entry speaks of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditRecords {
    /// One record (indexed: "who touched patient X" is one lookup).
    One(uuid::Uuid),
    /// A list read or an import: every record, in order, in one entry whatever their number, and
    /// for a list read its filters (never a search term, which may be a name).
    Many {
        /// The records.
        ids: Vec<uuid::Uuid>,
        /// The list's filters as compact JSON, e.g. `{"status":"active","offset":0,"limit":100}`.
        query: Option<String>,
    },
}

/// One audit line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// Row id.
    pub id: uuid::Uuid,
    /// When.
    pub at: Timestamp,
    /// Who (None for an operator at the console).
    pub actor_id: Option<UserId>,
    /// What.
    pub action: AuditAction,
    /// Which kind of record (`patient`, `assessment`).
    pub record_type: &'static str,
    /// Which records.
    pub records: AuditRecords,
    /// The records' account (None when a list spans several).
    pub account_id: Option<AccountId>,
}

/// Where audit entries of reads are kept. A failure to record fails the operation: patient data
/// is not served unaudited. (Writes are audited by the repository method that makes them, in the
/// same transaction.)
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait AuditLog: Send + Sync {
    /// Append entries (one statement for a list).
    async fn record(&self, entries: Vec<AuditEntry>) -> Result<(), RepoError>;
}
