//! Who may run the clinical engine, and for whom (contract §2.3, §3.7).

use crate::support::*;
use genascope_domain::clinical::service::EligibilityService;
use genascope_domain::common::DomainError;
use genascope_domain::identity::model::Role;
use std::sync::Arc;

fn service(m: PatientMocks) -> EligibilityService {
    EligibilityService::new(m.service(), Arc::new(clock_at(NOW)))
}

#[tokio::test]
async fn every_role_but_lab_tech_may_assess_a_bare_profile() {
    let a = account_id();
    for role in Role::ALL {
        let account = (role != Role::SuperAdmin).then_some(a);
        let r = service(PatientMocks::new())
            .authorize(&principal_as(role, account), None)
            .await;
        if role == Role::LabTech {
            assert!(matches!(r, Err(DomainError::Forbidden(_))), "{role}");
        } else {
            assert_eq!(r.unwrap().patient, None, "{role}");
        }
    }
}

#[tokio::test]
async fn naming_a_patient_is_for_the_care_team_and_in_scope_only() {
    let a = account_id();
    let mine = patient(a);
    let theirs = patient(account_id());
    let mut m = PatientMocks::new();
    existing(&mut m, &mine);
    existing(&mut m, &theirs);
    let svc = service(m);
    let clinician = principal_as(Role::Clinician, Some(a));
    let ticket = svc.authorize(&clinician, Some(mine.id)).await.unwrap();
    assert_eq!(ticket.patient, Some(mine.id));
    assert_eq!(ticket.at, NOW);
    assert_err!(
        svc.authorize(&clinician, Some(theirs.id)).await,
        DomainError::NotFound("Patient")
    );
    for role in [Role::Patient, Role::User] {
        let r = svc
            .authorize(&principal_as(role, Some(a)), Some(mine.id))
            .await;
        assert!(matches!(r, Err(DomainError::Forbidden(_))), "{role}");
    }
}
