//! What invites need from storage.

use super::model::{Invite, InviteStatus, InviteSummary, InviteView, TokenHash};
use crate::audit::AuditEntry;
use crate::common::{ChatStrategyId, InviteId, PatientId, RepoError, Timestamp, UserId};
use crate::identity::policy::ListScope;
use crate::identity::ports::NewUser;
use crate::notify::OutgoingEmail;
use crate::patients::model::Patient;
use async_trait::async_trait;

/// `sort_by` of `GET /api/invites`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum InviteSort {
    /// Issue time (default).
    #[default]
    CreatedAt,
    /// Expiry.
    ExpiresAt,
    /// The reported status (`expired` computed), by its wire name.
    Status,
    /// The patient's email.
    Email,
    /// The patient's given name (case-insensitive).
    FirstName,
    /// The patient's family name (case-insensitive).
    LastName,
}

impl InviteSort {
    /// A `sort_by` value: case-insensitive; unknown values sort by `created_at` (contract).
    #[must_use]
    pub fn parse_lenient(s: &str) -> Self {
        match s.trim().to_ascii_lowercase().as_str() {
            "expires_at" => Self::ExpiresAt,
            "status" => Self::Status,
            "email" => Self::Email,
            "first_name" => Self::FirstName,
            "last_name" => Self::LastName,
            _ => Self::CreatedAt,
        }
    }
}

/// `sort_order`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortOrder {
    /// Ascending.
    Asc,
    /// Descending (default).
    #[default]
    Desc,
}

/// Filters, order and page of `GET /api/invites` (style C paging). Every ordering ends with the
/// invite id (ascending) as tie-breaker.
#[derive(Debug, Clone)]
pub struct InviteFilter {
    /// Account scope.
    pub scope: ListScope,
    /// The reported status (`expired` and `pending` computed against `now`).
    pub status: Option<InviteStatus>,
    /// Exact provider.
    pub provider_id: Option<UserId>,
    /// Exact patient.
    pub patient_id: Option<PatientId>,
    /// Case-insensitive substring of the patient's first name, last name, "first last" or email.
    pub search: Option<String>,
    /// `created_at >= created_after`.
    pub created_after: Option<Timestamp>,
    /// `created_at <= created_before`.
    pub created_before: Option<Timestamp>,
    /// Sort key.
    pub sort_by: InviteSort,
    /// Direction.
    pub sort_order: SortOrder,
    /// 1-based page.
    pub page: u32,
    /// Rows per page.
    pub limit: u32,
}

/// One page of invites and the number of all that match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitePage {
    /// The page's rows.
    pub invites: Vec<InviteView>,
    /// Rows matching the filters, over all pages.
    pub total: u64,
}

/// Which questionnaire strategy a new invite gets (contract §3.4 `chat_strategy_id`), resolved
/// by storage in the transaction that issues the invite, against the patient's account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StrategyChoice {
    /// The account's oldest active live strategy, or none when it has none.
    #[default]
    AccountDefault,
    /// This one: a live strategy of the account (else `StrategyNotFound`), active (else
    /// `StrategyInactive`).
    Named(ChatStrategyId),
}

/// A strategy as an invite names it: its id and its name when the invite was issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StrategyRef {
    /// The strategy.
    pub id: ChatStrategyId,
    /// Its name.
    pub name: String,
}

/// What issuing an invite did besides inserting it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issued {
    /// The patient's other open invites, revoked (rule 5).
    pub revoked: Vec<InviteId>,
    /// The strategy the invite was given (also stored on it).
    pub chat_strategy: Option<StrategyRef>,
}

/// Why storage did not issue an invite.
#[derive(Debug, thiserror::Error)]
pub enum IssueError {
    /// The named strategy is not a live strategy of the patient's account.
    #[error("chat strategy not found")]
    StrategyNotFound,
    /// The named strategy is switched off.
    #[error("chat strategy inactive")]
    StrategyInactive,
    /// Anything else storage reports (`NotFound`: the patient is gone; `Duplicate("email")`: a
    /// patient with the new patient's email was created meanwhile).
    #[error(transparent)]
    Repo(#[from] RepoError),
}

/// Everything `generate_invite` (and each `bulk_invite` item) writes, in one transaction.
#[derive(Debug, Clone)]
pub struct NewInvite {
    /// The invite ([`Invite::issue`]); its `chat_strategy_*` fields are set from `strategy`.
    pub invite: Invite,
    /// Its strategy.
    pub strategy: StrategyChoice,
    /// A patient to create with it (status `pending`): `generate_invite` called with identity
    /// fields for an email the account has no patient for. Its id is `invite.patient_id`.
    pub new_patient: Option<Patient>,
    /// The invite's audit entry, and the new patient's when there is one.
    pub audit: Vec<AuditEntry>,
    /// The entry of rule 5 (the patient's other open invites revoked): its `records` are
    /// replaced by their ids; not written when there were none.
    pub superseded_audit: AuditEntry,
    /// The invitation email, queued in the same transaction.
    pub mail: Option<OutgoingEmail>,
}

/// Everything a successful `simplified_access` (or `register_patient` with an invite token)
/// writes, in one transaction.
#[derive(Debug, Clone)]
pub struct Acceptance {
    /// The invite as read (its version is checked).
    pub before: Invite,
    /// The accepted invite ([`Invite::accept`]).
    pub after: Invite,
    /// The date of birth to record on a patient that has none ([`super::rules::check_identity`]).
    pub date_of_birth: Option<time::Date>,
    /// `register_patient`: the patient's login (id = the patient id, role `patient`).
    pub login: Option<NewUser>,
    /// The audit entries (the invite's; the patient's when it changes).
    pub audit: Vec<AuditEntry>,
}

/// Invites storage. Invites of soft-deleted patients or accounts are invisible to every read.
/// Every write records its audit entries (and queues its email) in its own transaction: all of
/// it happens or none does.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait InviteRepository: Send + Sync {
    /// Issue an invite, in one transaction: create `new_patient` if given (`Duplicate("email")`
    /// when the account got a live patient with that email meanwhile) or else claim the live
    /// patient `invite.patient_id` of `invite.account_id` (`NotFound` otherwise); resolve the
    /// strategy ([`StrategyChoice`]); revoke the patient's other open (stored pending) invites
    /// (rule 5); insert the invite; write the audit entries and queue the mail. Creates for the
    /// same patient are serialised on the patient row, so concurrent ones both succeed and leave
    /// one open invite (the last).
    async fn create(&self, new: &NewInvite) -> Result<Issued, IssueError>;

    /// One visible invite within `scope` (`NotFound` outside it, exactly as if it did not exist).
    async fn get(&self, id: InviteId, scope: ListScope) -> Result<InviteView, RepoError>;

    /// The visible invite whose current token has this hash (public routes: no scope).
    async fn find_by_token_hash(&self, hash: &TokenHash) -> Result<Option<InviteView>, RepoError>;

    /// A page of `GET /api/invites`, with the total, statuses computed at `now` (two queries).
    async fn list(&self, filter: &InviteFilter, now: Timestamp) -> Result<InvitePage, RepoError>;

    /// `GET /api/pending/{clinician_id}`: the provider's pending, unexpired invites within
    /// `scope`, newest first.
    async fn pending_for_provider(
        &self,
        scope: ListScope,
        provider: UserId,
        now: Timestamp,
    ) -> Result<Vec<InviteView>, RepoError>;

    /// `GET /api/patients/{id}/invites`: the patient's invites within `scope`, optionally of one
    /// reported status at `now`, newest first.
    async fn list_for_patient(
        &self,
        scope: ListScope,
        patient: PatientId,
        status: Option<InviteStatus>,
        now: Timestamp,
    ) -> Result<Vec<InviteView>, RepoError>;

    /// Write `after` (a rule's result: resend, revoke, a failed identity check) over `before`,
    /// only if the stored version is still `before.version` (else `Stale`, nothing written;
    /// `NotFound` when gone), with its audit entry and, for a resend, the mail.
    async fn update(
        &self,
        before: &Invite,
        after: &Invite,
        audit: &AuditEntry,
        mail: Option<OutgoingEmail>,
    ) -> Result<(), RepoError>;

    /// Accept, in one transaction: the invite becomes `after` if still at `before.version`
    /// (`Stale` otherwise); its live patient becomes `active` if `pending` and gets
    /// `date_of_birth` if it had none (`NotFound` when the patient is gone); the login, if any,
    /// is created (`Duplicate("email")`); the audit entries are written.
    async fn accept(&self, acceptance: &Acceptance) -> Result<(), RepoError>;

    /// What the patient views derive from invites, for a page of patients in one query: one
    /// summary per patient that has any invite (patients without invites are absent).
    async fn summaries(&self, patients: &[PatientId]) -> Result<Vec<InviteSummary>, RepoError>;
}
