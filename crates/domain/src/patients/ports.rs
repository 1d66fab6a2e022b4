//! What patients need from storage.

use super::model::{Patient, PatientStatus, PatientView};
use crate::common::{AccountId, PatientId, RepoError, Timestamp, UserId};
use crate::identity::model::Email;
use crate::identity::policy::ListScope;
use async_trait::async_trait;

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

/// Patients storage. Soft-deleted patients are invisible to every method.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait PatientRepository: Send + Sync {
    /// Insert. `Duplicate("email")` or `Duplicate("external_id")` within the account.
    async fn insert(&self, patient: &Patient) -> Result<(), RepoError>;
    /// One live patient with its derived fields.
    async fn get(&self, id: PatientId) -> Result<PatientView, RepoError>;
    /// The live patient of an account with this email, and whether it has a login.
    async fn find_by_email(
        &self,
        account: AccountId,
        email: &Email,
    ) -> Result<Option<(Patient, bool)>, RepoError>;
    /// Matching live patients, newest first (`created_at` desc, then id).
    async fn list(&self, filter: &PatientFilter) -> Result<Vec<PatientView>, RepoError>;
    /// Save every mutable field. `Duplicate(..)` as for insert.
    async fn update(&self, patient: &Patient) -> Result<(), RepoError>;
    /// Soft delete; disables the patient's login and revokes its refresh tokens, in one transaction.
    async fn soft_delete(&self, id: PatientId, at: Timestamp) -> Result<(), RepoError>;
}
