//! Eligibility use cases (contract §3.7): who may run the clinical engine, for whom, and the
//! assessments kept for patients.
//!
//! The engine itself (`assess`) is a pure function; this service decides access first, so the
//! HTTP layer never does. The computation is split from the check so that the caller can run it
//! off the async executor (a 1 MiB family takes a fraction of a second).

use super::assess::assess_json_with_profile;
use super::assessment::Assessment;
use super::export::{ExportError, ExportFormat, ExportOptions, export};
use super::ports::{AssessmentRecord, AssessmentRepository};
use super::profile::RiskProfile;
use crate::audit::{AuditAction, AuditEntry, AuditLog, AuditRecords};
use crate::common::{AccountId, BoxError, Clock, Entity, FieldError, PatientId, Random, RepoError};
use crate::identity::error::{AccessError, Denial};
use crate::identity::policy::{self, Action, Principal, Target};
use crate::patients::error::PatientError;
use crate::patients::service::PatientService;
use std::sync::Arc;

mod family;

pub use family::StoredFamily;

/// What a patient has not got, that a read asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Absent {
    /// No assessment was stored for the patient.
    #[error("No assessment for this patient")]
    Assessment,
    /// The latest assessment was stored before profiles were kept.
    #[error("No stored risk profile for this patient: assess the patient again to export")]
    StoredProfile,
}

/// The outcome of an eligibility use case that did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum EligibilityError {
    /// The caller may not do this.
    #[error("{0}")]
    Denied(Denial),
    /// Missing, or outside the caller's scope (the same answer either way).
    #[error("{0} not found")]
    NotFound(Entity),
    /// The patient exists but has nothing of the kind asked for.
    #[error("{0}")]
    Missing(Absent),
    /// Any other refusal of the patients capability.
    #[error(transparent)]
    Patients(PatientError),
    /// A dependency (storage) is down: a retry may succeed soon.
    #[error("service unavailable")]
    Unavailable(#[source] BoxError),
    /// A bug or an unexpected failure. The cause is for the log only.
    #[error("internal error")]
    Unexpected(#[source] BoxError),
}

impl From<AccessError> for EligibilityError {
    fn from(e: AccessError) -> Self {
        match e {
            AccessError::Denied(d) => Self::Denied(d),
            AccessError::NotFound(what) => Self::NotFound(what),
            AccessError::AccountRequired => Self::Patients(e.into()),
        }
    }
}

/// The patients' outcomes that eligibility shares are its own (a patient out of scope is "not
/// found" here too); the others stay the patients'.
impl From<PatientError> for EligibilityError {
    fn from(e: PatientError) -> Self {
        match e {
            PatientError::Denied(d) => Self::Denied(d),
            PatientError::NotFound(what) => Self::NotFound(what),
            PatientError::Unavailable(e) => Self::Unavailable(e),
            PatientError::Unexpected(e) => Self::Unexpected(e),
            other => Self::Patients(other),
        }
    }
}

/// Storage errors; an outage stays `Unavailable`.
impl From<RepoError> for EligibilityError {
    fn from(e: RepoError) -> Self {
        match e {
            RepoError::NotFound => Self::NotFound(Entity::Record),
            RepoError::Unavailable(e) => Self::Unavailable(e),
            RepoError::Unexpected(e) => Self::Unexpected(e),
            conflict => Self::Patients(conflict.into()),
        }
    }
}

/// Eligibility use cases.
#[derive(Clone)]
pub struct EligibilityService {
    patients: PatientService,
    assessments: Arc<dyn AssessmentRepository>,
    clock: Arc<dyn Clock>,
    random: Arc<dyn Random>,
    audit: Arc<dyn AuditLog>,
}

/// An assessment and the profile it was computed from (both are stored for a patient).
#[derive(Debug, Clone, PartialEq)]
pub struct Computed {
    /// The engine's answer.
    pub assessment: Assessment,
    /// The validated input.
    pub profile: RiskProfile,
}

/// What a pedigree export asks for; the stored profile and the clock supply the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExportRequest {
    /// The file format.
    pub format: ExportFormat,
    /// CanRisk: estimate missing ages and years of birth of affected relatives.
    pub estimate_missing: bool,
    /// CanRisk: write the UK ethnicity line.
    pub uk_ethnicity: bool,
}

/// A pedigree file written from a patient's latest stored profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportFile {
    /// A file name (no patient data in it: the family id is derived from the patient id).
    pub filename: String,
    /// The format written.
    pub format: ExportFormat,
    /// The family id / IBIS record id written in the file.
    pub family_id: String,
    /// The file.
    pub content: String,
    /// What blocks computation, what was estimated, defaulted or left out (see
    /// `clinical::export`).
    pub notes: Vec<String>,
}

/// The family id written for a patient: `P` and the first 7 hex digits of the patient id. It
/// lets the clinic match a file to its patient, and names nobody outside it.
#[must_use]
pub fn family_id_of(patient: PatientId) -> String {
    let hex = patient.0.simple().to_string();
    format!("P{}", hex.get(..7).unwrap_or_default())
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

    fn entry(&self, p: &Principal, action: AuditAction, record: &AssessmentRecord) -> AuditEntry {
        AuditEntry {
            id: self.random.uuid(),
            at: crate::common::to_seconds(self.clock.now()),
            actor_id: (!p.user_id.0.is_nil()).then_some(p.user_id),
            action,
            record_type: "assessment",
            records: AuditRecords::One(record.id),
            account_id: Some(record.account_id),
        }
    }

    /// May `p` assess a profile, for `patient` if given? Any role but lab_tech may assess a bare
    /// profile; naming a patient (to store the result against it) is for the care team and
    /// super_admin, and the patient must be in scope (else it is not found).
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %p.user_id, patient_id = ?patient.map(|i| i.0)))]
    pub async fn authorize(
        &self,
        p: &Principal,
        patient: Option<PatientId>,
    ) -> Result<AssessmentTicket, EligibilityError> {
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
    pub fn compute(ticket: AssessmentTicket, body: &[u8]) -> Result<Computed, Vec<FieldError>> {
        assess_json_with_profile(body, ticket.at).map(|(profile, assessment)| Computed {
            assessment,
            profile,
        })
    }

    /// Keep the assessment, and the profile it was computed from, for the ticket's patient, if it
    /// names one; `profile_id` becomes the stored record's id. Without a patient, nothing is
    /// stored and `profile_id` stays null.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %p.user_id))]
    pub async fn store(
        &self,
        p: &Principal,
        ticket: AssessmentTicket,
        computed: Computed,
    ) -> Result<Assessment, EligibilityError> {
        let Computed {
            mut assessment,
            profile,
        } = computed;
        let Some((patient_id, account_id)) = ticket.patient else {
            return Ok(assessment);
        };
        let id = self.random.uuid();
        assessment.profile_id = Some(id);
        let unexpected = |e: serde_json::Error| EligibilityError::Unexpected(Box::new(e));
        let body = serde_json::to_value(&assessment).map_err(unexpected)?;
        let profile = serde_json::to_value(&profile).map_err(unexpected)?;
        let record = AssessmentRecord {
            id,
            account_id,
            patient_id,
            created_by: (!p.user_id.0.is_nil()).then_some(p.user_id),
            assessed_at: ticket.at,
            body,
            profile: Some(profile),
        };
        let audit = self.entry(p, AuditAction::Create, &record);
        self.assessments.insert(&record, &audit).await?;
        Ok(assessment)
    }

    /// `GET /api/eligibility/analyze/{patient_id}`: the patient's latest stored assessment. Care
    /// team and super_admin in scope, and the patient itself (a read of the patient record, so
    /// it is audited like one).
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %p.user_id, patient_id = %patient))]
    pub async fn latest(
        &self,
        p: &Principal,
        patient: PatientId,
    ) -> Result<serde_json::Value, EligibilityError> {
        self.patients.get(p, patient).await?;
        match self.assessments.latest_for_patient(patient).await? {
            Some(record) => {
                self.audit
                    .record(vec![self.entry(p, AuditAction::Read, &record)])
                    .await?;
                Ok(record.body)
            }
            None => Err(EligibilityError::Missing(Absent::Assessment)),
        }
    }

    /// `GET /api/eligibility/export/{patient_id}`: the patient's latest stored profile as a
    /// CanRisk v4 or IBIS v8 file. Care team of the patient's account and super_admin (policy
    /// `ExportPedigree`: denied to other roles before anything is read, not found outside the
    /// account). Missing when the patient has no assessment, or only one stored before profiles
    /// were kept.
    ///
    /// The outer error is access or storage; the inner one says that the format cannot hold
    /// this profile (e.g. IBIS and a proband with breast cancer), with the profile's field path.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %p.user_id, patient_id = %patient))]
    pub async fn export(
        &self,
        p: &Principal,
        patient: PatientId,
        req: ExportRequest,
    ) -> Result<Result<ExportFile, ExportError>, EligibilityError> {
        policy::require(p, Action::ExportPedigree)?;
        let view = self.patients.get(p, patient).await?;
        policy::authorize(
            p,
            Action::ExportPedigree,
            Target::in_account(Some(view.patient.account_id)),
            Entity::Patient,
        )?;
        let record = self
            .assessments
            .latest_for_patient(patient)
            .await?
            .ok_or(EligibilityError::Missing(Absent::Assessment))?;
        self.audit
            .record(vec![self.entry(p, AuditAction::Read, &record)])
            .await?;
        let value = record
            .profile
            .ok_or(EligibilityError::Missing(Absent::StoredProfile))?;
        let profile = RiskProfile::from_json_value(&value).map_err(|e| {
            EligibilityError::Unexpected(
                format!("stored risk profile does not parse at {}", e.path_string()).into(),
            )
        })?;
        let opts = ExportOptions {
            family_id: family_id_of(patient),
            reference_year: self.clock.now().year(),
            estimate_missing: req.estimate_missing,
            uk_ethnicity: req.uk_ethnicity,
        };
        Ok(export(&profile, req.format, &opts).map(|out| ExportFile {
            filename: req.format.filename(&opts.family_id),
            format: req.format,
            family_id: opts.family_id.clone(),
            content: out.content,
            notes: out.notes,
        }))
    }
}
