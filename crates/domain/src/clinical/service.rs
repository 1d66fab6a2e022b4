//! Eligibility use cases (contract §3.7): who may run the clinical engine, for whom, and the
//! assessments kept for patients.
//!
//! The engine itself (`assess`) is a pure function; this service decides access first, so the
//! HTTP layer never does. The computation is split from the check so that the caller can run it
//! off the async executor (a 1 MiB family takes a fraction of a second).

use super::assess::assess_json;
use super::assessment::Assessment;
use super::ports::{AssessmentRecord, AssessmentRepository};
use crate::audit::{AuditAction, AuditEntry, AuditLog, AuditRecords};
use crate::common::{AccountId, Clock, DomainError, FieldError, PatientId, Random};
use crate::identity::policy::{self, Action, Principal};
use crate::patients::service::PatientService;
use std::sync::Arc;

/// Eligibility use cases.
#[derive(Clone)]
pub struct EligibilityService {
    patients: PatientService,
    assessments: Arc<dyn AssessmentRepository>,
    clock: Arc<dyn Clock>,
    random: Arc<dyn Random>,
    audit: Arc<dyn AuditLog>,
}

/// Permission to run one assessment, with the time it is stamped with.
#[derive(Debug, Clone, Copy)]
pub struct AssessmentTicket {
    /// `assessed_at`.
    pub at: time::OffsetDateTime,
    /// The patient it is stored for (and that patient's account), when one was named.
    pub patient: Option<(PatientId, AccountId)>,
}

impl EligibilityService {
    /// Wire the service.
    #[must_use]
    pub fn new(
        patients: PatientService,
        assessments: Arc<dyn AssessmentRepository>,
        clock: Arc<dyn Clock>,
        random: Arc<dyn Random>,
        audit: Arc<dyn AuditLog>,
    ) -> Self {
        Self {
            patients,
            assessments,
            clock,
            random,
            audit,
        }
    }

    async fn audit(
        &self,
        p: &Principal,
        action: AuditAction,
        record: &AssessmentRecord,
    ) -> Result<(), DomainError> {
        let entry = AuditEntry {
            id: self.random.uuid(),
            at: crate::common::to_seconds(self.clock.now()),
            actor_id: (!p.user_id.0.is_nil()).then_some(p.user_id),
            action,
            record_type: "assessment",
            records: AuditRecords::One(record.id),
            account_id: Some(record.account_id),
        };
        Ok(self.audit.record(vec![entry]).await?)
    }

    /// May `p` assess a profile, for `patient` if given? Any role but lab_tech may assess a bare
    /// profile; naming a patient (to store the result against it) is for the care team and
    /// super_admin, and the patient must be in scope (404 otherwise).
    pub async fn authorize(
        &self,
        p: &Principal,
        patient: Option<PatientId>,
    ) -> Result<AssessmentTicket, DomainError> {
        policy::require(p, Action::AssessProfile)?;
        let patient = match patient {
            None => None,
            Some(id) => {
                policy::require(p, Action::PatientManage)?;
                let view = self.patients.get(p, id).await?;
                Some((id, view.patient.account_id))
            }
        };
        Ok(AssessmentTicket {
            at: crate::common::to_seconds(self.clock.now()),
            patient,
        })
    }

    /// Run the engine on a JSON `RiskProfile` (CPU only).
    pub fn compute(ticket: AssessmentTicket, body: &[u8]) -> Result<Assessment, Vec<FieldError>> {
        assess_json(body, ticket.at)
    }

    /// Keep the assessment for the ticket's patient, if it names one; `profile_id` becomes the
    /// stored record's id. Without a patient, nothing is stored and `profile_id` stays null.
    pub async fn store(
        &self,
        p: &Principal,
        ticket: AssessmentTicket,
        mut assessment: Assessment,
    ) -> Result<Assessment, DomainError> {
        let Some((patient_id, account_id)) = ticket.patient else {
            return Ok(assessment);
        };
        let id = self.random.uuid();
        assessment.profile_id = Some(id);
        let body = serde_json::to_value(&assessment).map_err(DomainError::unexpected)?;
        let record = AssessmentRecord {
            id,
            account_id,
            patient_id,
            created_by: (!p.user_id.0.is_nil()).then_some(p.user_id),
            assessed_at: ticket.at,
            body,
        };
        self.assessments.insert(&record).await?;
        self.audit(p, AuditAction::Create, &record).await?;
        Ok(assessment)
    }

    /// `GET /api/eligibility/analyze/{patient_id}`: the patient's latest stored assessment. Care
    /// team and super_admin in scope, and the patient itself (a read of the patient record, so
    /// it is audited like one).
    pub async fn latest(
        &self,
        p: &Principal,
        patient: PatientId,
    ) -> Result<serde_json::Value, DomainError> {
        self.patients.get(p, patient).await?;
        match self.assessments.latest_for_patient(patient).await? {
            Some(record) => {
                self.audit(p, AuditAction::Read, &record).await?;
                Ok(record.body)
            }
            None => Err(DomainError::Missing("No assessment for this patient")),
        }
    }
}
