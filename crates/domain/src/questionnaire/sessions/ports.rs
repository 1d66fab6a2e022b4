//! What the chat-session use cases need from storage.

use super::model::{ChatMessage, ChatSession, SessionId, SessionStatus};
use crate::audit::AuditEntry;
use crate::clinical::ports::AssessmentRecord;
use crate::common::{AccountId, PatientId, RepoError, UserId};
use async_trait::async_trait;

/// Which sessions a principal may see (the policy decides it: `sessions::policy::list_scope`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionScope {
    /// Every account (super_admin).
    All,
    /// One account (the care team; a super_admin's `account_id` filter).
    Account(AccountId),
    /// One patient's sessions (a patient principal), in its account.
    Patient(AccountId, PatientId),
    /// Those one principal created (a `user`), in its account.
    Creator(AccountId, UserId),
    /// Nothing.
    Nothing,
}

/// What `list` selects (style E: the latest first, at most `limit`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionFilter {
    /// Who may see what.
    pub scope: SessionScope,
    /// Only this patient's.
    pub patient_id: Option<PatientId>,
    /// Only with this status.
    pub status: Option<SessionStatus>,
    /// At most this many, by `last_activity` desc then id.
    pub limit: u32,
}

/// A new session: the row, its opening messages and its audit entry, in one transaction.
#[derive(Debug, Clone, PartialEq)]
pub struct NewSession {
    /// The session.
    pub session: ChatSession,
    /// Its first messages (the `/ai-chat` opening reply), if any.
    pub messages: Vec<ChatMessage>,
    /// The patient's active session as ended (`cancelled`; its `version` is the stored one + 1),
    /// written first, in the same transaction, if its stored version has not moved on (else
    /// `Stale`): a `start_chat` with a new id replaces it.
    pub supersede: Option<ChatSession>,
    /// The audit entries (the creation; an ended session's update).
    pub audit: Vec<AuditEntry>,
}

/// A change of a session, in one transaction: the row (if its stored version is still
/// `version`), new messages, at completion the patient's assessment, and the audit entries.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionWrite {
    /// The session after the change (its `version` is `version + 1`). Only what a session's
    /// life changes differs from the stored one (answers, profile, progress, messages, activity,
    /// and its status with the completion or end): its identity, creator, strategy, type,
    /// context and opening never do, and storage may leave those columns as stored.
    pub after: ChatSession,
    /// The version the change was computed from.
    pub version: i32,
    /// Messages to append (their `seq` follow the stored ones).
    pub messages: Vec<ChatMessage>,
    /// At completion of a session with a patient: the assessment row (same id as the session's).
    pub assessment: Option<AssessmentRecord>,
    /// The audit entries.
    pub audit: Vec<AuditEntry>,
}

/// The domain's decision about a session as stored: the write to make, or `None` when there is
/// nothing to write (a safe retry, a refusal: the decision keeps its outcome for its caller).
/// Pure code (no I/O, no waiting): the storage runs it between its read and its write.
pub type Decide = Box<dyn FnOnce(&ChatSession) -> Option<SessionWrite> + Send>;

/// What [`ChatSessionRepository::step`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stepped {
    /// The decision's write is stored.
    Written,
    /// The decision was to write nothing.
    Unchanged,
}

/// Stored sessions and messages. Sessions of deleted accounts and deleted patients are
/// invisible to every method. (What the patient views derive from sessions is
/// `patients::ports::ChatStages`, which the same storage implements.)
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait ChatSessionRepository: Send + Sync {
    /// Store a new session. `Duplicate("id")` when the id is taken; `Duplicate("active_session")`
    /// when its patient has another active session; `Stale` when `supersede` changed meanwhile;
    /// `NotFound` when the
    /// account, patient or strategy does not exist.
    async fn create(&self, new: &NewSession) -> Result<(), RepoError>;

    /// One session (`NotFound` otherwise).
    async fn get(&self, id: &SessionId) -> Result<ChatSession, RepoError>;

    /// The patient's active session, if any.
    async fn active_for_patient(
        &self,
        patient: PatientId,
    ) -> Result<Option<ChatSession>, RepoError>;

    /// Sessions by `last_activity` desc (then id).
    async fn list(&self, filter: &SessionFilter) -> Result<Vec<ChatSession>, RepoError>;

    /// Write a change (`Stale` when the stored version moved on; `NotFound` when it is gone).
    async fn save(&self, write: &SessionWrite) -> Result<(), RepoError>;

    /// Read session `id`, let `decide` compute the change from it, and write that change as
    /// `save` does (if the stored version is still the one read), in one call (issue #11). The
    /// read takes no lock: concurrency stays optimistic. An adapter may decide on a copy of the
    /// session it wrote itself instead of reading it (SQLite, issue #8); the versioned write
    /// still only lands on the stored version. `NotFound` when the session is not there (or
    /// invisible, as for `get`; `decide` is not called); `Stale` when it changed between the
    /// read and the write (nothing written), or when a decision made on such a copy wrote
    /// nothing: the caller decides again (on a fresh read), so no refusal rests on a copy.
    async fn step(&self, id: &SessionId, decide: Decide) -> Result<Stepped, RepoError>;

    /// The latest `limit` messages of a session, oldest first.
    async fn messages(&self, id: &SessionId, limit: u32) -> Result<Vec<ChatMessage>, RepoError>;
}
