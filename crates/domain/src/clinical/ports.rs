//! What the eligibility use cases need from storage.

use crate::common::{AccountId, PatientId, RepoError, Timestamp, UserId};
use async_trait::async_trait;

/// A stored assessment: the `Assessment` JSON computed for one patient, and its input.
#[derive(Debug, Clone, PartialEq)]
pub struct AssessmentRecord {
    /// The `profile_id` the Assessment carries.
    pub id: uuid::Uuid,
    /// The patient's account.
    pub account_id: AccountId,
    /// The patient.
    pub patient_id: PatientId,
    /// Who asked for it (None for an operator at the console).
    pub created_by: Option<UserId>,
    /// `assessed_at`.
    pub assessed_at: Timestamp,
    /// The Assessment as JSON (risk-profile.md).
    pub body: serde_json::Value,
    /// The RiskProfile it was computed from (risk-profile.md), as the domain serialises it; None
    /// for assessments stored before profiles were kept.
    pub profile: Option<serde_json::Value>,
}

/// Stored assessments.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait AssessmentRepository: Send + Sync {
    /// Store one, with its audit entry in the same transaction.
    async fn insert(
        &self,
        record: &AssessmentRecord,
        audit: &crate::audit::AuditEntry,
    ) -> Result<(), RepoError>;
    /// The patient's latest by `assessed_at` (then id), if any.
    async fn latest_for_patient(
        &self,
        patient: PatientId,
    ) -> Result<Option<AssessmentRecord>, RepoError>;
}
