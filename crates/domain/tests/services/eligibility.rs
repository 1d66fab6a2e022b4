//! Who may run the clinical engine, for whom, and the assessments kept for patients
//! (contract §2.3, §3.7).

use crate::support::*;
use genascope_domain::audit::{AuditAction, MockAuditLog};
use genascope_domain::clinical::ports::{AssessmentRecord, MockAssessmentRepository};
use genascope_domain::clinical::service::EligibilityService;
use genascope_domain::common::DomainError;
use genascope_domain::identity::model::Role;
use std::sync::{Arc, Mutex};

fn quiet_audit() -> MockAuditLog {
    let mut a = MockAuditLog::new();
    a.expect_record().returning(|_| Ok(()));
    a
}

fn service(
    m: PatientMocks,
    repo: MockAssessmentRepository,
    audit: MockAuditLog,
) -> EligibilityService {
    EligibilityService::new(
        m.service(),
        Arc::new(repo),
        Arc::new(clock_at(NOW)),
        Arc::new(random()),
        Arc::new(audit),
    )
}

const PROFILE: &[u8] = br#"{"proband":{"sex":"female","age":40},"relatives":[{"relation":"mother","cancers":[{"type":"breast","age_at_diagnosis":42}]}]}"#;

#[tokio::test]
async fn every_role_but_lab_tech_may_assess_a_bare_profile() {
    let a = account_id();
    for role in Role::ALL {
        let account = (role != Role::SuperAdmin).then_some(a);
        let svc = service(
            PatientMocks::new(),
            MockAssessmentRepository::new(),
            MockAuditLog::new(),
        );
        let r = svc.authorize(&principal_as(role, account), None).await;
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
    let svc = service(m, MockAssessmentRepository::new(), quiet_audit());
    let clinician = principal_as(Role::Clinician, Some(a));
    let ticket = svc.authorize(&clinician, Some(mine.id)).await.unwrap();
    assert_eq!(ticket.patient, Some((mine.id, a)));
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

#[tokio::test]
async fn a_patients_assessment_is_stored_with_its_id_as_profile_id_and_audited() {
    let a = account_id();
    let mine = patient(a);
    let mut m = PatientMocks::new();
    existing(&mut m, &mine);
    let saved: Arc<Mutex<Vec<AssessmentRecord>>> = Arc::default();
    let mut repo = MockAssessmentRepository::new();
    let sink = saved.clone();
    repo.expect_insert().times(1).returning(move |r| {
        sink.lock().unwrap().push(r.clone());
        Ok(())
    });
    let mut audit = MockAuditLog::new();
    audit
        .expect_record()
        .withf(|e| e[0].record_type == "patient")
        .returning(|_| Ok(()));
    audit
        .expect_record()
        .withf(|e| e[0].record_type == "assessment" && e[0].action == AuditAction::Create)
        .times(1)
        .returning(|_| Ok(()));
    let svc = service(m, repo, audit);
    let clinician = principal_as(Role::Clinician, Some(a));
    let ticket = svc.authorize(&clinician, Some(mine.id)).await.unwrap();
    let computed = EligibilityService::compute(ticket, PROFILE).unwrap();
    assert_eq!(computed.profile_id, None);
    let stored = svc.store(&clinician, ticket, computed).await.unwrap();
    let records = saved.lock().unwrap();
    let r = &records[0];
    assert_eq!(stored.profile_id, Some(r.id));
    assert_eq!(
        (r.patient_id, r.account_id, r.created_by),
        (mine.id, a, Some(clinician.user_id))
    );
    assert_eq!(r.assessed_at, NOW);
    assert_eq!(
        r.body,
        serde_json::to_value(&stored).unwrap(),
        "the stored JSON is the answer"
    );
}

#[tokio::test]
async fn without_a_patient_nothing_is_stored() {
    let svc = service(
        PatientMocks::new(),
        MockAssessmentRepository::new(),
        MockAuditLog::new(),
    );
    let user = principal_as(Role::User, Some(account_id()));
    let ticket = svc.authorize(&user, None).await.unwrap();
    let computed = EligibilityService::compute(ticket, PROFILE).unwrap();
    assert_eq!(
        svc.store(&user, ticket, computed).await.unwrap().profile_id,
        None
    );
}

#[tokio::test]
async fn latest_is_the_stored_body_or_a_plain_404() {
    let a = account_id();
    let (with, without) = (patient(a), patient(a));
    let mut m = PatientMocks::new();
    existing(&mut m, &with);
    existing(&mut m, &without);
    let body = serde_json::json!({"is_eligible": true});
    let record = AssessmentRecord {
        id: uuid::Uuid::new_v4(),
        account_id: a,
        patient_id: with.id,
        created_by: None,
        assessed_at: NOW,
        body: body.clone(),
    };
    let mut repo = MockAssessmentRepository::new();
    let wid = with.id;
    repo.expect_latest_for_patient()
        .returning(move |p| Ok((p == wid).then(|| record.clone())));
    let svc = service(m, repo, quiet_audit());
    let admin = principal_as(Role::Admin, Some(a));
    assert_eq!(svc.latest(&admin, with.id).await.unwrap(), body);
    assert_err!(
        svc.latest(&admin, without.id).await,
        DomainError::Missing("No assessment for this patient")
    );
    // The patient itself may read its own; another account's staff may not know it exists.
    let me = genascope_domain::identity::policy::Principal {
        user_id: genascope_domain::common::UserId(with.id.0),
        ..principal_as(Role::Patient, Some(a))
    };
    assert_eq!(svc.latest(&me, with.id).await.unwrap(), body);
    let stranger = principal_as(Role::Admin, Some(account_id()));
    assert_err!(
        svc.latest(&stranger, with.id).await,
        DomainError::NotFound("Patient")
    );
}
