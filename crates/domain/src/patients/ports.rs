//! What patients need from storage.

use super::model::{Patient, PatientStatus, PatientView};
use crate::audit::AuditEntry;
use crate::common::{AccountId, PatientId, RepoError, Timestamp, UserId};
use crate::identity::model::Email;
use crate::identity::policy::ListScope;
use crate::identity::ports::{NewUser, ResetLink};
use crate::invites::model::{ChatSummary, InviteSummary};
use async_trait::async_trait;

/// Where each patient's questionnaire stands, read from its chat sessions (the questionnaire's
/// storage implements it): what the patient views derive (`screening_status`, `lastActivity`).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait ChatStages: Send + Sync {
    /// The summary of each of these patients that has a chat session, in the order given (one
    /// read per page).
    async fn chat_summaries(&self, patients: &[PatientId]) -> Result<Vec<ChatSummary>, RepoError>;
}

/// A patient's login to store: the user (it shares the patient's id), with the patient record
/// when the patient had none yet (and that record's audit entry), and its set-password link.
#[derive(Debug, Clone)]
pub struct PatientLogin {
    /// The user, role `patient`.
    pub login: NewUser,
    /// A new patient record and its audit entry; None when the login joins an existing record.
    pub record: Option<(Patient, AuditEntry)>,
    /// The set-password link and its email, when the login has no password.
    pub setup: Option<ResetLink>,
}

/// Filters of `GET /api/patients` (style B paging).
#[derive(Debug, Clone)]
pub struct PatientFilter {
    /// Account scope.
    pub scope: ListScope,
    /// Case-insensitive substring of first/last name, email or external id.
    pub query: Option<String>,
    /// Exact status.
    pub status: Option<PatientStatus>,
    /// Exact clinician.
    pub clinician_id: Option<UserId>,
    /// Rows to skip.
    pub offset: u32,
    /// Rows to return.
    pub limit: u32,
}

/// A page of `GET /api/patients`: the views, and what their derived fields come from (the
/// invite and chat summaries of the patients listed, in any order), read together.
#[derive(Debug, Clone, Default)]
pub struct PatientPage {
    /// The patients, newest first (their invite-derived fields not filled).
    pub views: Vec<PatientView>,
    /// The invite summary of each listed patient that has invites.
    pub invites: Vec<InviteSummary>,
    /// The chat summary of each listed patient that has chat sessions.
    pub chats: Vec<ChatSummary>,
}

/// Patients storage. Soft-deleted patients are invisible to every method. Every write records
/// its audit entry in the same transaction: both happen or neither does.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait PatientRepository: Send + Sync {
    /// Insert. `Duplicate("email")` or `Duplicate("external_id")` within the account.
    async fn insert(&self, patient: &Patient, audit: &AuditEntry) -> Result<(), RepoError>;
    /// Insert many in one transaction, each row on its own (a duplicate row is skipped and
    /// reported in its slot; the others are kept), with `audit` naming exactly the rows inserted
    /// (its `records` are replaced by their ids). Any other failure rolls back everything.
    async fn import(
        &self,
        patients: &[Patient],
        audit: &AuditEntry,
    ) -> Result<Vec<Result<(), RepoError>>, RepoError>;
    /// Insert a patient's login, with its new patient record and that record's audit entry, and
    /// its set-password link and email, in one transaction: all of it is stored or none.
    /// `Duplicate("email")` when a live user (or, for a new record, a patient of the account)
    /// has the email.
    async fn insert_login(&self, login: &PatientLogin) -> Result<(), RepoError>;
    /// One live patient with its derived fields.
    async fn get(&self, id: PatientId) -> Result<PatientView, RepoError>;
    /// The live patient of an account with this email, and whether it has a login.
    async fn find_by_email(
        &self,
        account: AccountId,
        email: &Email,
    ) -> Result<Option<(Patient, bool)>, RepoError>;
    /// Matching live patients, newest first (`created_at` desc, then id), with the invite and
    /// chat summaries of those listed: a constant number of queries whatever the page's size,
    /// on one connection in one call (issue #11: one hop to the database, not three).
    async fn list(&self, filter: &PatientFilter) -> Result<PatientPage, RepoError>;
    /// Write the fields of `after` that differ from `before` (no others: a concurrent edit of
    /// another field is kept) and bump the version. With `expected_version`, only if the stored
    /// version is still that one; else `Stale` and nothing is written. `Duplicate(..)` as for
    /// insert.
    async fn update(
        &self,
        before: &Patient,
        after: &Patient,
        audit: &AuditEntry,
        expected_version: Option<i32>,
    ) -> Result<(), RepoError>;
    /// Soft delete; disables the patient's login, revokes its refresh tokens and revokes its
    /// invites (used ones too, so simplified tokens die), in one transaction.
    async fn soft_delete(
        &self,
        id: PatientId,
        at: Timestamp,
        audit: &AuditEntry,
    ) -> Result<(), RepoError>;
}
