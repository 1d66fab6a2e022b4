//! Eligibility use cases (contract §3.7): who may run the clinical engine, for whom.
//!
//! The engine itself (`assess`) is a pure function; this service decides access first, so the
//! HTTP layer never does. The computation is split from the check so that the caller can run it
//! off the async executor (a 1 MiB family takes a fraction of a second).

use super::assess::assess_json;
use super::assessment::Assessment;
use crate::common::{Clock, DomainError, FieldError, PatientId};
use crate::identity::policy::{self, Action, Principal};
use crate::patients::service::PatientService;
use std::sync::Arc;

/// Eligibility use cases.
#[derive(Clone)]
pub struct EligibilityService {
    patients: PatientService,
    clock: Arc<dyn Clock>,
}

/// Permission to run one assessment, with the time it is stamped with.
#[derive(Debug, Clone, Copy)]
pub struct AssessmentTicket {
    /// `assessed_at`.
    pub at: time::OffsetDateTime,
    /// The patient it is for, when given and visible.
    pub patient: Option<PatientId>,
}

impl EligibilityService {
    /// Wire the service.
    #[must_use]
    pub fn new(patients: PatientService, clock: Arc<dyn Clock>) -> Self {
        Self { patients, clock }
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
        if let Some(id) = patient {
            policy::require(p, Action::PatientManage)?;
            self.patients.get(p, id).await?;
        }
        Ok(AssessmentTicket {
            at: self.clock.now(),
            patient,
        })
    }

    /// Run the engine on a JSON `RiskProfile` (CPU only).
    pub fn compute(ticket: AssessmentTicket, body: &[u8]) -> Result<Assessment, Vec<FieldError>> {
        assess_json(body, ticket.at)
    }
}
