//! Who may run the clinical engine, for whom, and the assessments kept for patients
//! (contract §2.3, §3.7).

use crate::support::*;
use genascope_domain::audit::{AuditAction, MockAuditLog};
use genascope_domain::clinical::export::ExportFormat;
use genascope_domain::clinical::ports::{AssessmentRecord, MockAssessmentRepository};
use genascope_domain::clinical::service::{Absent, EligibilityError};
use genascope_domain::clinical::service::{EligibilityService, ExportRequest, family_id_of};
use genascope_domain::common::Entity;
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
            assert!(matches!(r, Err(EligibilityError::Denied(_))), "{role}");
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
        EligibilityError::NotFound(Entity::Patient)
    );
    for role in [Role::Patient, Role::User] {
        let r = svc
            .authorize(&principal_as(role, Some(a)), Some(mine.id))
            .await;
        assert!(matches!(r, Err(EligibilityError::Denied(_))), "{role}");
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
    // The record and its audit entry go to storage together (one transaction).
    repo.expect_insert()
        .withf(|r, e| {
            e.record_type == "assessment"
                && e.action == AuditAction::Create
                && e.records == genascope_domain::audit::AuditRecords::One(r.id)
        })
        .times(1)
        .returning(move |r, _| {
            sink.lock().unwrap().push(r.clone());
            Ok(())
        });
    let mut audit = MockAuditLog::new();
    audit
        .expect_record()
        .withf(|e| e[0].record_type == "patient")
        .returning(|_| Ok(()));
    let svc = service(m, repo, audit);
    let clinician = principal_as(Role::Clinician, Some(a));
    let ticket = svc.authorize(&clinician, Some(mine.id)).await.unwrap();
    let computed = EligibilityService::compute(ticket, PROFILE).unwrap();
    assert_eq!(computed.assessment.profile_id, None);
    let profile = computed.profile.clone();
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
    // The profile it was computed from is kept, as the domain serialises it.
    assert_eq!(r.profile, Some(serde_json::to_value(&profile).unwrap()));
    assert_eq!(
        genascope_domain::clinical::profile::RiskProfile::from_json_value(
            r.profile.as_ref().unwrap()
        )
        .unwrap(),
        profile
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
        profile: None,
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
        EligibilityError::Missing(Absent::Assessment)
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
        EligibilityError::NotFound(Entity::Patient)
    );
}

fn export_request(format: ExportFormat) -> ExportRequest {
    ExportRequest {
        format,
        estimate_missing: false,
        uk_ethnicity: false,
    }
}

/// A stored record for `patient` of account `a`, with or without its profile.
fn stored(
    a: genascope_domain::common::AccountId,
    patient: genascope_domain::common::PatientId,
    profile: Option<&[u8]>,
) -> AssessmentRecord {
    AssessmentRecord {
        id: uuid::Uuid::new_v4(),
        account_id: a,
        patient_id: patient,
        created_by: None,
        assessed_at: NOW,
        body: serde_json::json!({"is_eligible": true}),
        profile: profile.map(|b| serde_json::from_slice(b).unwrap()),
    }
}

#[tokio::test]
async fn exports_write_the_latest_stored_profile_for_the_care_team() {
    let a = account_id();
    let (with, legacy, none) = (patient(a), patient(a), patient(a));
    let mut m = PatientMocks::new();
    for p in [&with, &legacy, &none] {
        existing(&mut m, p);
    }
    let (wid, lid) = (with.id, legacy.id);
    let (r_with, r_legacy) = (stored(a, wid, Some(PROFILE)), stored(a, lid, None));
    let mut repo = MockAssessmentRepository::new();
    repo.expect_latest_for_patient().returning(move |p| {
        Ok(if p == wid {
            Some(r_with.clone())
        } else if p == lid {
            Some(r_legacy.clone())
        } else {
            None
        })
    });
    let mut audit = MockAuditLog::new();
    audit
        .expect_record()
        .withf(|e| e[0].record_type == "patient")
        .returning(|_| Ok(()));
    audit
        .expect_record()
        .withf(|e| e[0].record_type == "assessment" && e[0].action == AuditAction::Read)
        .returning(|_| Ok(()));
    let svc = service(m, repo, audit);
    for role in [Role::Admin, Role::Clinician, Role::Physician] {
        let p = principal_as(role, Some(a));
        let file = svc
            .export(&p, with.id, export_request(ExportFormat::CanRisk4))
            .await
            .unwrap()
            .unwrap();
        let fam = family_id_of(with.id);
        assert_eq!(file.family_id, fam);
        assert_eq!(file.filename, format!("{fam}_canrisk4.txt"));
        assert!(file.content.starts_with("##CanRisk 4.0\n"), "{role}");
        // The reference year is the clock's: the proband (40 in 2026) was born in 1986.
        assert!(
            file.content
                .contains(&format!("{fam}\tPB\t1\tPB\tFA\tMO\tF\t0\t0\t40\t1986\t"))
        );
        let ibis = svc
            .export(&p, with.id, export_request(ExportFormat::Ibis8))
            .await
            .unwrap()
            .unwrap();
        assert!(ibis.content.starts_with(&format!("v8\n1\n{fam}\t40\t")));
    }
    let admin = principal_as(Role::Admin, Some(a));
    assert_err!(
        svc.export(&admin, none.id, export_request(ExportFormat::CanRisk4))
            .await,
        EligibilityError::Missing(Absent::Assessment)
    );
    assert!(matches!(
        svc.export(&admin, legacy.id, export_request(ExportFormat::CanRisk4))
            .await,
        Err(EligibilityError::Missing(Absent::StoredProfile))
    ));
    let sa = principal_as(Role::SuperAdmin, None);
    assert!(
        svc.export(&sa, with.id, export_request(ExportFormat::Ibis8))
            .await
            .unwrap()
            .is_ok()
    );
}

#[tokio::test]
async fn exports_are_refused_to_other_roles_before_anything_is_read_and_404_elsewhere() {
    let a = account_id();
    let mine = patient(a);
    // No patient lookups, no repository reads, no audit for refused roles: the mocks have no
    // expectations, so any call would fail the test.
    let svc = service(
        PatientMocks::new(),
        MockAssessmentRepository::new(),
        MockAuditLog::new(),
    );
    for role in [Role::Patient, Role::LabTech, Role::User] {
        let r = svc
            .export(
                &principal_as(role, Some(a)),
                mine.id,
                export_request(ExportFormat::CanRisk4),
            )
            .await;
        assert!(matches!(r, Err(EligibilityError::Denied(_))), "{role}");
    }
    // Another account's care team: 404, as if the patient did not exist.
    let mut m = PatientMocks::new();
    existing(&mut m, &mine);
    let svc = service(m, MockAssessmentRepository::new(), quiet_audit());
    let stranger = principal_as(Role::Clinician, Some(account_id()));
    assert_err!(
        svc.export(&stranger, mine.id, export_request(ExportFormat::CanRisk4))
            .await,
        EligibilityError::NotFound(Entity::Patient)
    );
}

#[tokio::test]
async fn a_format_that_cannot_hold_the_profile_is_an_inner_error_naming_the_field() {
    let a = account_id();
    let p = patient(a);
    let mut m = PatientMocks::new();
    existing(&mut m, &p);
    let affected: &[u8] = br#"{"proband":{"sex":"female","age":40,"cancers":[{"type":"breast","age_at_diagnosis":38}]}}"#;
    let record = stored(a, p.id, Some(affected));
    let mut repo = MockAssessmentRepository::new();
    repo.expect_latest_for_patient()
        .returning(move |_| Ok(Some(record.clone())));
    let svc = service(m, repo, quiet_audit());
    let inner = svc
        .export(
            &principal_as(Role::Clinician, Some(a)),
            p.id,
            export_request(ExportFormat::Ibis8),
        )
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(inner.path(), "proband.cancers[0]");
}
