//! Views of a patient's latest stored family history: the pedigree drawing and the FHIR R4
//! family-history bundle. Who may read them: the care team of the patient's account,
//! super_admin and the patient itself (`patients.get` decides, as for the stored assessment);
//! every read is audited like one.

use super::{Absent, AssessmentTicket, Computed, EligibilityError, EligibilityService};
use crate::clinical::assessment::Assessment;
use crate::clinical::profile::RiskProfile;
use crate::common::{FieldError, PatientId};
use crate::identity::policy::Principal;

/// The latest stored profile and the assessment computed from it.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredFamily {
    /// The patient.
    pub patient: PatientId,
    /// The stored input.
    pub profile: RiskProfile,
    /// The stored answer (`None` if it no longer parses as today's `Assessment`).
    pub assessment: Option<Assessment>,
}

impl EligibilityService {
    /// The patient's latest stored profile (and assessment). Not found outside the caller's
    /// scope; Missing when there is no assessment, or only one stored before profiles were kept.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %p.user_id, patient_id = %patient))]
    pub async fn stored_family(
        &self,
        p: &Principal,
        patient: PatientId,
    ) -> Result<StoredFamily, EligibilityError> {
        self.patients.get(p, patient).await?;
        let record = self
            .assessments
            .latest_for_patient(patient)
            .await?
            .ok_or(EligibilityError::Missing(Absent::Assessment))?;
        self.audit
            .record(vec![self.entry(
                p,
                crate::audit::AuditAction::Read,
                &record,
            )])
            .await?;
        let value = record
            .profile
            .ok_or(EligibilityError::Missing(Absent::StoredProfile))?;
        let profile = RiskProfile::from_json_value(&value).map_err(|e| {
            EligibilityError::Unexpected(
                format!("stored risk profile does not parse at {}", e.path_string()).into(),
            )
        })?;
        let assessment = serde_json::from_value(record.body).ok();
        Ok(StoredFamily {
            patient,
            profile,
            assessment,
        })
    }

    /// `GET /api/eligibility/pedigree/{patient_id}.svg`: the latest stored profile drawn.
    pub async fn pedigree_svg(
        &self,
        p: &Principal,
        patient: PatientId,
    ) -> Result<String, EligibilityError> {
        let family = self.stored_family(p, patient).await?;
        Ok(crate::clinical::pedigree::drawing::render_svg(
            &family.profile,
        ))
    }

    /// `GET /api/patients/{id}/fhir/family-history`: the latest stored profile, and the
    /// assessment computed from it, as a FHIR R4 bundle (`clinical::fhir`).
    pub async fn fhir_family_history(
        &self,
        p: &Principal,
        patient: PatientId,
    ) -> Result<serde_json::Value, EligibilityError> {
        let family = self.stored_family(p, patient).await?;
        Ok(crate::clinical::fhir::to_bundle(
            &family.profile,
            family.assessment.as_ref(),
            family.patient.0,
        ))
    }

    /// Run the engine on a FHIR R4 family-history bundle (CPU only). Errors name the bundle
    /// entry and element that could not be mapped (`["entry", 3, "resource", ...]`), or the
    /// whole body when it is not JSON.
    pub fn compute_bundle(
        ticket: AssessmentTicket,
        body: &[u8],
    ) -> Result<Computed, Vec<FieldError>> {
        let value: serde_json::Value = serde_json::from_slice(body).map_err(|e| {
            vec![FieldError {
                loc: Vec::new(),
                msg: format!(
                    "the body is not valid JSON: unexpected character or value at line {}, column {}",
                    e.line(),
                    e.column()
                ),
                kind: "json_invalid".to_owned(),
            }]
        })?;
        let profile = crate::clinical::fhir::from_bundle(&value)?;
        let assessment = crate::clinical::assess::assess(&profile, ticket.at)?;
        Ok(Computed {
            assessment,
            profile,
        })
    }
}
