//! Patients (contract §2.2, §3.3).

use crate::support::*;
use genascope_domain::audit::AuditAction;
use genascope_domain::common::{AccountId, DomainError, Patch, PatientId, RepoError, UserId};
use genascope_domain::identity::model::{Role, User};
use genascope_domain::identity::policy::{ListScope, Principal};
use genascope_domain::patients::model::{Patient, PatientStatus};
use genascope_domain::patients::ports::PatientFilter;
use genascope_domain::patients::service::{
    MAX_IMPORT_ROWS, PatientInput, PatientPatch, PatientService,
};

fn input(email: &str) -> PatientInput {
    PatientInput {
        first_name: Some(" Ada ".into()),
        last_name: Some("Lovelace".into()),
        email: Some(email.into()),
        ..PatientInput::default()
    }
}

/// Inserts are recorded (duplicates refused for `dup@mail.org`); `get` reads them back.
fn storing(m: &mut PatientMocks) -> Slot<Patient> {
    let s: Slot<Patient> = Slot::new();
    let c = s.clone();
    m.patients.expect_insert().returning(move |p, _| {
        if p.email.as_str() == "dup@mail.org" {
            return Err(RepoError::Duplicate("email"));
        }
        c.push(p.clone());
        Ok(())
    });
    let c = s.clone();
    m.patients.expect_import().returning(move |batch, _| {
        Ok(batch
            .iter()
            .map(|p| {
                if p.email.as_str() == "dup@mail.org" {
                    return Err(RepoError::Duplicate("email"));
                }
                c.push(p.clone());
                Ok(())
            })
            .collect())
    });
    let r = s.clone();
    m.patients.expect_get().returning(move |id| {
        r.all()
            .into_iter()
            .find(|p| p.id == id)
            .map(|p| view(&p))
            .ok_or(RepoError::NotFound)
    });
    s
}

fn staff(m: &mut PatientMocks, u: &User) {
    let (id, u) = (u.id, u.clone());
    m.users
        .expect_get()
        .withf(move |i| *i == id)
        .returning(move |_| Ok(u.clone()));
}

// ----- create -----

#[tokio::test]
async fn create_defaults_the_clinician_to_the_calling_clinician() {
    for role in [Role::Clinician, Role::Physician] {
        let a = account_id();
        let me = principal_as(role, Some(a));
        let mut m = PatientMocks::new();
        let saved = storing(&mut m);
        let v = m
            .service()
            .create(&me, None, input("Ada@Mail.org"))
            .await
            .unwrap();
        let p = saved.one();
        assert_eq!(v.patient, p);
        assert_eq!(p.clinician_id, Some(me.user_id));
        assert_eq!(p.account_id, a);
        assert_eq!(p.first_name, "Ada");
        assert_eq!(p.email.as_str(), "ada@mail.org");
        assert_eq!(p.status, PatientStatus::Active);
        assert_eq!(p.created_at, NOW);
    }
}

#[tokio::test]
async fn create_by_an_admin_leaves_the_clinician_empty() {
    let me = principal_as(Role::Admin, Some(account_id()));
    let mut m = PatientMocks::new();
    let saved = storing(&mut m);
    m.service()
        .create(&me, None, input("a@mail.org"))
        .await
        .unwrap();
    assert_eq!(saved.one().clinician_id, None);
}

#[tokio::test]
async fn create_with_the_named_clinician_of_the_account() {
    let a = account_id();
    let doc = user(Role::Physician, Some(a));
    let mut m = PatientMocks::new();
    let saved = storing(&mut m);
    staff(&mut m, &doc);
    let mut req = input("a@mail.org");
    req.clinician_id = Some(doc.id.to_string());
    m.service()
        .create(&principal_as(Role::Clinician, Some(a)), None, req)
        .await
        .unwrap();
    assert_eq!(saved.one().clinician_id, Some(doc.id));
}

#[tokio::test]
async fn create_with_a_clinician_of_another_account_is_404() {
    let doc = user(Role::Clinician, Some(account_id()));
    let mut m = PatientMocks::new();
    staff(&mut m, &doc);
    // No insert expectation.
    let mut req = input("a@mail.org");
    req.clinician_id = Some(doc.id.to_string());
    let r = m
        .service()
        .create(&principal_as(Role::Admin, Some(account_id())), None, req)
        .await;
    assert_err!(r, DomainError::NotFound("Clinician"));
}

#[tokio::test]
async fn create_with_an_unparsable_or_unknown_clinician_is_404() {
    for raw in ["null", "12345"] {
        let mut req = input("a@mail.org");
        req.clinician_id = Some(raw.into());
        let r = PatientMocks::new()
            .service()
            .create(&principal_as(Role::Admin, Some(account_id())), None, req)
            .await;
        assert_err!(r, DomainError::NotFound("Clinician"));
    }
    let mut m = PatientMocks::new();
    m.users.expect_get().returning(|_| Err(RepoError::NotFound));
    let mut req = input("a@mail.org");
    req.clinician_id = Some(user_id().to_string());
    let r = m
        .service()
        .create(&principal_as(Role::Admin, Some(account_id())), None, req)
        .await;
    assert_err!(r, DomainError::NotFound("Clinician"));
}

#[tokio::test]
async fn create_with_a_clinician_of_the_wrong_role_or_inactive_is_422() {
    let a = account_id();
    let lab = user(Role::LabTech, Some(a));
    let admin = user(Role::Admin, Some(a));
    let mut gone = user(Role::Clinician, Some(a));
    gone.is_active = false;
    for c in [lab, admin, gone] {
        let mut m = PatientMocks::new();
        staff(&mut m, &c);
        let mut req = input("a@mail.org");
        req.clinician_id = Some(c.id.to_string());
        let r = m
            .service()
            .create(&principal_as(Role::Admin, Some(a)), None, req)
            .await;
        assert_eq!(fields(&r), vec!["clinician_id"], "{:?}", c.role);
    }
}

#[tokio::test]
async fn create_validation_names_every_bad_field_at_once() {
    let me = principal_as(Role::Admin, Some(account_id()));
    let r = PatientMocks::new()
        .service()
        .create(&me, None, PatientInput::default())
        .await;
    assert_eq!(fields(&r), vec!["first_name", "last_name", "email"]);

    let bad = PatientInput {
        first_name: Some("x".repeat(101)),
        last_name: Some("Ok".into()),
        email: Some("nope".into()),
        phone: Some("12ab".into()),
        external_id: Some("e".repeat(101)),
        date_of_birth: Some("2026-03-11".into()),
        notes: Some("n".repeat(5001)),
        status: Some("deceased".into()),
        clinician_id: None,
    };
    let r = PatientMocks::new().service().create(&me, None, bad).await;
    assert_eq!(
        fields(&r),
        vec![
            "first_name",
            "email",
            "phone",
            "external_id",
            "date_of_birth",
            "notes",
            "status"
        ]
    );
}

#[tokio::test]
async fn date_of_birth_is_between_1900_and_today() {
    let me = principal_as(Role::Admin, Some(account_id()));
    for (dob, ok) in [
        ("1899-12-31", false),
        ("1900-01-01", true),
        ("2026-03-10", true),
        ("2026-03-11", false),
        ("10/03/1980", false),
    ] {
        let mut m = PatientMocks::new();
        let saved = storing(&mut m);
        let mut req = input("a@mail.org");
        req.date_of_birth = Some(dob.into());
        let r = m.service().create(&me, None, req).await;
        if ok {
            assert!(r.is_ok(), "{dob}: {r:?}");
            assert_eq!(saved.one().date_of_birth.unwrap().to_string(), dob);
        } else {
            assert_eq!(fields(&r), vec!["date_of_birth"], "{dob}");
        }
    }
}

#[tokio::test]
async fn create_duplicate_email_is_409() {
    let mut m = PatientMocks::new();
    storing(&mut m);
    let r = m
        .service()
        .create(
            &principal_as(Role::Admin, Some(account_id())),
            None,
            input("dup@mail.org"),
        )
        .await;
    assert_err!(r, DomainError::Conflict(m) if m == "A patient with this email already exists");
}

#[tokio::test]
async fn create_in_another_account_is_404_and_super_admin_must_name_one() {
    let r = PatientMocks::new()
        .service()
        .create(
            &principal_as(Role::Clinician, Some(account_id())),
            Some(account_id()),
            input("a@mail.org"),
        )
        .await;
    assert_err!(r, DomainError::NotFound("Account"));
    let r = PatientMocks::new()
        .service()
        .create(
            &principal_as(Role::SuperAdmin, None),
            None,
            input("a@mail.org"),
        )
        .await;
    assert_eq!(fields(&r), vec!["account_id"]);
}

// ----- roles -----

#[tokio::test]
async fn lab_tech_user_and_patient_cannot_manage_patients() {
    let a = account_id();
    let pid = PatientId(uuid::Uuid::new_v4());
    for role in [Role::LabTech, Role::User, Role::Patient] {
        let me = principal_as(role, Some(a));
        // No repository expectation at all: the role check comes before any lookup.
        let svc = PatientMocks::new().service();
        assert_err!(
            svc.create(&me, None, input("a@mail.org")).await,
            DomainError::Forbidden(_)
        );
        assert_err!(
            svc.import(&me, None, None, vec![input("a@mail.org")], 2)
                .await,
            DomainError::Forbidden(_)
        );
        assert_err!(
            svc.update(&me, pid, PatientPatch::default(), None).await,
            DomainError::Forbidden(_)
        );
        assert_err!(svc.delete(&me, pid).await, DomainError::Forbidden(_));
    }
    for role in [Role::LabTech, Role::User] {
        let svc = PatientMocks::new().service();
        assert_err!(
            svc.get(&principal_as(role, Some(a)), pid).await,
            DomainError::Forbidden(_)
        );
    }
}

#[tokio::test]
async fn only_admins_delete_patients() {
    let a = account_id();
    let p = patient(a);
    for role in [Role::Clinician, Role::Physician] {
        let r = PatientMocks::new()
            .service()
            .delete(&principal_as(role, Some(a)), p.id)
            .await;
        assert_err!(r, DomainError::Forbidden(_));
    }
    let mut m = PatientMocks::new();
    existing(&mut m, &p);
    let id = p.id;
    m.patients
        .expect_soft_delete()
        .withf(move |i, at, e| *i == id && *at == NOW && e.action == AuditAction::Delete)
        .times(1)
        .returning(|_, _, _| Ok(()));
    m.service()
        .delete(&principal_as(Role::Admin, Some(a)), p.id)
        .await
        .unwrap();
}

// ----- cross-account and own records -----

#[tokio::test]
async fn another_accounts_patient_is_404_for_get_update_and_delete() {
    let p = patient(account_id());
    let other = account_id();
    let mut m = PatientMocks::new();
    existing(&mut m, &p);
    // No update / soft_delete expectation.
    let svc = m.service();
    let clin = principal_as(Role::Clinician, Some(other));
    let admin = principal_as(Role::Admin, Some(other));
    assert_err!(svc.get(&clin, p.id).await, DomainError::NotFound("Patient"));
    let change = PatientPatch {
        first_name: Patch::Set("Eve".into()),
        ..PatientPatch::default()
    };
    assert_err!(
        svc.update(&clin, p.id, change, None).await,
        DomainError::NotFound("Patient")
    );
    assert_err!(
        svc.delete(&admin, p.id).await,
        DomainError::NotFound("Patient")
    );
}

#[tokio::test]
async fn a_patient_reads_its_own_record_only() {
    let a = account_id();
    let mine = patient(a);
    let theirs = patient(a);
    let mut m = PatientMocks::new();
    existing(&mut m, &mine);
    existing(&mut m, &theirs);
    let svc = m.service();
    let me = Principal {
        user_id: UserId(mine.id.0),
        ..principal_as(Role::Patient, Some(a))
    };
    // Staff notes are the care team's, not the patient's (issue #6 item 21).
    assert!(mine.notes.is_some());
    let own = svc.get(&me, mine.id).await.unwrap().patient;
    assert_eq!(own.notes, None);
    assert_eq!(
        own,
        Patient {
            notes: None,
            ..mine.clone()
        }
    );
    let staff = principal_as(Role::Clinician, Some(a));
    assert_eq!(svc.get(&staff, mine.id).await.unwrap().patient, mine);
    assert_err!(
        svc.get(&me, theirs.id).await,
        DomainError::NotFound("Patient")
    );
}

#[tokio::test]
async fn missing_patient_is_404() {
    let mut m = PatientMocks::new();
    m.patients
        .expect_get()
        .returning(|_| Err(RepoError::NotFound));
    let r = m
        .service()
        .get(
            &principal_as(Role::Admin, Some(account_id())),
            PatientId(uuid::Uuid::new_v4()),
        )
        .await;
    assert_err!(r, DomainError::NotFound("Patient"));
}

#[tokio::test]
async fn list_is_scoped_to_the_callers_account() {
    let a = account_id();
    let me = principal_as(Role::Clinician, Some(a));
    let scopes: Slot<ListScope> = Slot::new();
    let mut m = PatientMocks::new();
    let s = scopes.clone();
    m.patients.expect_list().returning(move |f| {
        s.push(f.scope);
        Ok(Vec::new())
    });
    let svc = m.service();
    let filter = || PatientFilter {
        scope: ListScope::All,
        query: None,
        status: None,
        clinician_id: None,
        offset: 0,
        limit: 20,
    };
    svc.list(&me, None, filter()).await.unwrap();
    let foreign: Option<AccountId> = Some(account_id());
    let _ = svc.list(&me, foreign, filter()).await.unwrap();
    let seen = scopes.all();
    assert_eq!(seen[0], ListScope::Account(a));
    // An out-of-scope filter matches nothing (or is not even queried).
    assert!(seen.get(1).is_none_or(|s| *s == ListScope::Nothing));
    assert_err!(
        svc.list(&principal_as(Role::LabTech, Some(a)), None, filter())
            .await,
        DomainError::Forbidden(_)
    );
}

// ----- import -----

fn import_svc() -> (PatientService, Slot<Patient>) {
    let mut m = PatientMocks::new();
    let saved = storing(&mut m);
    (m.service(), saved)
}

#[tokio::test]
async fn import_numbers_rows_from_two_and_reports_invalid_rows_and_duplicates() {
    let me = principal_as(Role::Clinician, Some(account_id()));
    let (svc, saved) = import_svc();
    let missing_last = PatientInput {
        last_name: None,
        ..input(" bad@mail.org ")
    };
    let rows = vec![
        input("one@mail.org"),
        missing_last,
        input("dup@mail.org"),
        input("two@mail.org"),
    ];
    let rep = svc.import(&me, None, None, rows, 2).await.unwrap();
    assert_eq!(rep.successful_count, 2);
    assert_eq!(rep.failed_count, 2);
    assert_eq!(rep.errors.len(), 2);
    assert_eq!(rep.errors[0].row, 3);
    assert_eq!(rep.errors[0].email.as_deref(), Some("bad@mail.org"));
    assert!(
        rep.errors[0].error.contains("last_name"),
        "{:?}",
        rep.errors[0]
    );
    assert_eq!(rep.errors[1].row, 4);
    assert_eq!(rep.errors[1].email.as_deref(), Some("dup@mail.org"));
    assert_eq!(
        rep.errors[1].error,
        "A patient with this email already exists"
    );
    let emails: Vec<String> = saved.all().iter().map(|p| p.email.to_string()).collect();
    assert_eq!(emails, vec!["one@mail.org", "two@mail.org"]);
    // The calling clinician is every row's default clinician.
    assert!(
        saved
            .all()
            .iter()
            .all(|p| p.clinician_id == Some(me.user_id))
    );
    assert_eq!(rep.sample_patients.len(), 2);
}

#[tokio::test]
async fn bulk_numbers_items_from_one() {
    let me = principal_as(Role::Admin, Some(account_id()));
    let (svc, _) = import_svc();
    let rep = svc
        .import(
            &me,
            None,
            None,
            vec![input("dup@mail.org"), input("x@mail.org")],
            1,
        )
        .await
        .unwrap();
    assert_eq!(rep.errors[0].row, 1);
    assert_eq!(rep.successful_count, 1);
}

#[tokio::test]
async fn import_sample_holds_at_most_five_patients() {
    let me = principal_as(Role::Admin, Some(account_id()));
    let mut m = PatientMocks::new();
    let saved: Slot<Patient> = Slot::new();
    let s = saved.clone();
    m.patients.expect_import().returning(move |batch, _| {
        batch.iter().for_each(|p| s.push(p.clone()));
        Ok(batch.iter().map(|_| Ok(())).collect())
    });
    let r = saved.clone();
    m.patients
        .expect_get()
        .times(5)
        .returning(move |id| Ok(view(&r.all().into_iter().find(|p| p.id == id).unwrap())));
    let rows = (0..7).map(|i| input(&format!("p{i}@mail.org"))).collect();
    let rep = m.service().import(&me, None, None, rows, 2).await.unwrap();
    assert_eq!(rep.successful_count, 7);
    assert_eq!(rep.failed_count, 0);
    assert_eq!(rep.sample_patients.len(), 5);
    assert_eq!(saved.all().len(), 7);
}

#[tokio::test]
async fn import_of_more_than_5000_rows_is_422_and_creates_nothing() {
    let me = principal_as(Role::Admin, Some(account_id()));
    let rows = vec![input("a@mail.org"); MAX_IMPORT_ROWS + 1];
    // No insert expectation.
    let r = PatientMocks::new()
        .service()
        .import(&me, None, None, rows, 2)
        .await;
    assert_eq!(fields(&r), vec!["file"]);
    assert_eq!(MAX_IMPORT_ROWS, 5000);
}

#[tokio::test]
async fn import_row_with_a_foreign_clinician_fails_that_row_only() {
    let a = account_id();
    let me = principal_as(Role::Admin, Some(a));
    let foreign = user(Role::Clinician, Some(account_id()));
    let mut m = PatientMocks::new();
    let saved = storing(&mut m);
    staff(&mut m, &foreign);
    let mut bad = input("b@mail.org");
    bad.clinician_id = Some(foreign.id.to_string());
    let rep = m
        .service()
        .import(&me, None, None, vec![bad, input("ok@mail.org")], 2)
        .await
        .unwrap();
    assert_eq!(rep.successful_count, 1);
    assert_eq!(rep.errors.len(), 1);
    assert_eq!(rep.errors[0].row, 2);
    assert!(
        rep.errors[0].error.contains("Clinician"),
        "{:?}",
        rep.errors
    );
    assert_eq!(saved.one().email.as_str(), "ok@mail.org");
}

#[tokio::test]
async fn import_with_a_foreign_default_clinician_is_404() {
    let me = principal_as(Role::Admin, Some(account_id()));
    let foreign = user(Role::Clinician, Some(account_id()));
    let mut m = PatientMocks::new();
    staff(&mut m, &foreign);
    let r = m
        .service()
        .import(
            &me,
            None,
            Some(foreign.id.to_string()),
            vec![input("a@mail.org")],
            2,
        )
        .await;
    assert_err!(r, DomainError::NotFound("Clinician"));
}

// ----- update -----

fn saving(m: &mut PatientMocks) -> Slot<Patient> {
    let s = Slot::new();
    let c = s.clone();
    m.patients.expect_update().returning(move |_, p, _, _| {
        c.push(p.clone());
        Ok(())
    });
    s
}

#[tokio::test]
async fn update_clears_nullable_fields() {
    let a = account_id();
    let mut p = patient(a);
    p.clinician_id = Some(user_id());
    let mut m = PatientMocks::new();
    existing(&mut m, &p);
    let saved = saving(&mut m);
    let change = PatientPatch {
        phone: Patch::Clear,
        external_id: Patch::Clear,
        date_of_birth: Patch::Clear,
        notes: Patch::Clear,
        clinician_id: Patch::Clear,
        ..PatientPatch::default()
    };
    m.service()
        .update(&principal_as(Role::Clinician, Some(a)), p.id, change, None)
        .await
        .unwrap();
    let s = saved.one();
    assert_eq!(s.phone, None);
    assert_eq!(s.external_id, None);
    assert_eq!(s.date_of_birth, None);
    assert_eq!(s.notes, None);
    assert_eq!(s.clinician_id, None);
    assert_eq!(s.first_name, p.first_name);
    assert_eq!(s.updated_at, NOW);
}

#[tokio::test]
async fn update_refuses_to_clear_required_fields() {
    let a = account_id();
    let p = patient(a);
    let mut m = PatientMocks::new();
    existing(&mut m, &p);
    // No update expectation.
    let change = PatientPatch {
        first_name: Patch::Clear,
        last_name: Patch::Set("   ".into()),
        email: Patch::Clear,
        status: Patch::Clear,
        phone: Patch::Clear,
        ..PatientPatch::default()
    };
    let r = m
        .service()
        .update(&principal_as(Role::Admin, Some(a)), p.id, change, None)
        .await;
    assert_eq!(
        fields(&r),
        vec!["first_name", "last_name", "email", "status"]
    );
}

#[tokio::test]
async fn update_sets_fields_and_skips_the_write_when_nothing_changes() {
    let a = account_id();
    let p = patient(a);
    let me = principal_as(Role::Admin, Some(a));
    let mut m = PatientMocks::new();
    existing(&mut m, &p);
    let saved = saving(&mut m);
    let svc = m.service();
    let same = PatientPatch {
        first_name: Patch::Set(p.first_name.clone()),
        status: Patch::Set("ACTIVE".into()),
        ..PatientPatch::default()
    };
    assert_eq!(svc.update(&me, p.id, same, None).await.unwrap().patient, p);
    assert!(saved.all().is_empty(), "an unchanged record was written");
    let change = PatientPatch {
        email: Patch::Set(" New@Mail.org ".into()),
        status: Patch::Set("archived".into()),
        date_of_birth: Patch::Set("1970-01-02".into()),
        ..PatientPatch::default()
    };
    svc.update(&me, p.id, change, None).await.unwrap();
    let s = saved.one();
    assert_eq!(s.email.as_str(), "new@mail.org");
    assert_eq!(s.status, PatientStatus::Archived);
    assert_eq!(s.date_of_birth.unwrap().to_string(), "1970-01-02");
}

#[tokio::test]
async fn update_to_a_clinician_of_another_account_is_404() {
    let a = account_id();
    let p = patient(a);
    let foreign = user(Role::Clinician, Some(account_id()));
    let mut m = PatientMocks::new();
    existing(&mut m, &p);
    staff(&mut m, &foreign);
    let r = m
        .service()
        .update(
            &principal_as(Role::Admin, Some(a)),
            p.id,
            PatientPatch {
                clinician_id: Patch::Set(foreign.id.to_string()),
                ..PatientPatch::default()
            },
            None,
        )
        .await;
    assert_err!(r, DomainError::NotFound("Clinician"));
}

#[tokio::test]
async fn update_duplicate_external_id_is_409() {
    let a = account_id();
    let p = patient(a);
    let mut m = PatientMocks::new();
    existing(&mut m, &p);
    m.patients
        .expect_update()
        .returning(|_, _, _, _| Err(RepoError::Duplicate("external_id")));
    let r = m
        .service()
        .update(
            &principal_as(Role::Admin, Some(a)),
            p.id,
            PatientPatch {
                external_id: Patch::Set("EXT-2".into()),
                ..PatientPatch::default()
            },
            None,
        )
        .await;
    assert_err!(r, DomainError::Conflict(m) if m.contains("external id"));
}

// ----- audit -----

#[tokio::test]
async fn reads_and_writes_are_audited_with_ids_only_and_refusals_are_not() {
    use genascope_domain::audit::{AuditAction, MockAuditLog};
    let a = account_id();
    let mine = patient(a);
    let theirs = patient(account_id());
    let mut m = PatientMocks::new();
    existing(&mut m, &mine);
    existing(&mut m, &theirs);
    let reader = principal_as(Role::Clinician, Some(a));
    let (id, actor) = (mine.id.0, reader.user_id);
    let mut audit = MockAuditLog::new();
    audit
        .expect_record()
        .withf(move |e| {
            e.len() == 1
                && e[0].action == AuditAction::Read
                && e[0].record_type == "patient"
                && e[0].records == genascope_domain::audit::AuditRecords::One(id)
                && e[0].actor_id == Some(actor)
                && e[0].account_id == Some(a)
        })
        .times(1)
        .returning(|_| Ok(()));
    m.audit = audit;
    let svc = m.service();
    svc.get(&reader, mine.id).await.unwrap();
    // Out of scope: refused before anything is read, so nothing is audited (times(1) above).
    assert_err!(
        svc.get(&reader, theirs.id).await,
        DomainError::NotFound("Patient")
    );
}

#[tokio::test]
async fn an_audit_failure_fails_the_read() {
    use genascope_domain::audit::MockAuditLog;
    let a = account_id();
    let mine = patient(a);
    let mut m = PatientMocks::new();
    existing(&mut m, &mine);
    let mut audit = MockAuditLog::new();
    audit
        .expect_record()
        .returning(|_| Err(RepoError::Unexpected("audit store down".into())));
    m.audit = audit;
    let svc = m.service();
    assert!(matches!(
        svc.get(&principal_as(Role::Admin, Some(a)), mine.id).await,
        Err(DomainError::Unexpected(_))
    ));
}

#[tokio::test]
async fn a_super_admin_naming_an_unknown_or_deleted_account_gets_404() {
    let mut m = PatientMocks::new();
    let mut accounts = genascope_domain::identity::ports::MockAccountRepository::new();
    accounts
        .expect_get()
        .returning(|_| Err(RepoError::NotFound));
    m.accounts = accounts;
    let svc = m.service();
    let sa = principal_as(Role::SuperAdmin, None);
    // No insert expectation: nothing is written.
    assert_err!(
        svc.create(&sa, Some(account_id()), input("a@mail.org"))
            .await,
        DomainError::NotFound("Account")
    );
    assert_err!(
        svc.import(&sa, Some(account_id()), None, vec![input("b@mail.org")], 2)
            .await,
        DomainError::NotFound("Account")
    );
}

/// Issue #7 §4: a storage outage while resolving the clinician is a 503, not a 404.
#[tokio::test]
async fn an_outage_while_resolving_the_clinician_is_unavailable() {
    let a = account_id();
    let mut m = PatientMocks::new();
    m.users
        .expect_get()
        .returning(|_| Err(RepoError::Unavailable("pool timed out".into())));
    let r = m
        .service()
        .create(
            &principal_as(Role::Admin, Some(a)),
            None,
            PatientInput {
                clinician_id: Some(uuid::Uuid::new_v4().to_string()),
                ..input("new@mail.org")
            },
        )
        .await;
    assert_err!(r, DomainError::Unavailable(_));
}
