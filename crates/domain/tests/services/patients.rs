//! Patients (contract §2.2, §3.3).

use crate::support::*;
use genascope_domain::audit::AuditAction;
use genascope_domain::common::{
    AccountId, Entity, FieldError, Patch, PatientId, RepoError, UserId,
};
use genascope_domain::identity::error::{Denial, IdentityConflict, IdentityError};
use genascope_domain::identity::model::{AccountStatus, Role, User};
use genascope_domain::identity::policy::{ListScope, Principal};
use genascope_domain::identity::service::CreateUser;
use genascope_domain::patients::error::{PatientConflict, PatientError};
use genascope_domain::patients::model::{BirthDate, Patient, PatientStatus};
use genascope_domain::patients::ports::{PatientFilter, PatientLogin};
use genascope_domain::patients::service::{
    ImportRow, MAX_IMPORT_ROWS, NewPatient, PatientPatch, PatientService, RowFailure,
};
use time::macros::date;

fn input(address: &str) -> NewPatient {
    NewPatient {
        first_name: text(" Ada "),
        last_name: text("Lovelace"),
        email: email(address),
        phone: None,
        external_id: None,
        date_of_birth: None,
        clinician_id: None,
        notes: None,
        status: PatientStatus::Active,
    }
}

/// Rows numbered from `first`.
fn numbered(first: usize, patients: Vec<NewPatient>) -> Vec<ImportRow> {
    patients
        .into_iter()
        .enumerate()
        .map(|(i, p)| ImportRow {
            row: first + i,
            email: Some(p.email.to_string()),
            patient: Ok(p),
        })
        .collect()
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
    req.clinician_id = Some(doc.id);
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
    req.clinician_id = Some(doc.id);
    let r = m
        .service()
        .create(&principal_as(Role::Admin, Some(account_id())), None, req)
        .await;
    assert_err!(r, PatientError::NotFound(Entity::Clinician));
}

/// An unknown clinician, or the nil id the edge gives one that does not parse, is not found.
#[tokio::test]
async fn create_with_an_unknown_clinician_is_404() {
    for id in [user_id(), UserId(uuid::Uuid::nil())] {
        let mut m = PatientMocks::new();
        m.users
            .expect_get()
            .withf(move |i| *i == id)
            .returning(|_| Err(RepoError::NotFound));
        let mut req = input("a@mail.org");
        req.clinician_id = Some(id);
        let r = m
            .service()
            .create(&principal_as(Role::Admin, Some(account_id())), None, req)
            .await;
        assert_err!(r, PatientError::NotFound(Entity::Clinician));
    }
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
        req.clinician_id = Some(c.id);
        let r = m
            .service()
            .create(&principal_as(Role::Admin, Some(a)), None, req)
            .await;
        assert_eq!(fields(&r), vec!["clinician_id"], "{:?}", c.role);
    }
}

#[tokio::test]
async fn date_of_birth_is_between_1900_and_today() {
    let today = PatientMocks::new().service().today();
    assert_eq!(today, NOW.date());
    for (dob, ok) in [
        (date!(1899 - 12 - 31), false),
        (date!(1900 - 01 - 01), true),
        (date!(2026 - 03 - 10), true),
        (date!(2026 - 03 - 11), false),
    ] {
        match BirthDate::new(dob, today) {
            Ok(d) => {
                assert!(ok, "{dob}");
                assert_eq!(d.date(), dob);
            }
            Err(e) => {
                assert!(!ok, "{dob}");
                assert_eq!(e.loc, vec!["date_of_birth".into()]);
                assert_eq!(e.kind, "value_error.date");
            }
        }
    }
    let me = principal_as(Role::Admin, Some(account_id()));
    let mut m = PatientMocks::new();
    let saved = storing(&mut m);
    let mut req = input("a@mail.org");
    req.date_of_birth = Some(BirthDate::new(date!(1900 - 01 - 01), today).unwrap());
    m.service().create(&me, None, req).await.unwrap();
    assert_eq!(saved.one().date_of_birth, Some(date!(1900 - 01 - 01)));
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
    assert_err!(r, PatientError::Conflict(PatientConflict::EmailTaken));
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
    assert_err!(r, PatientError::NotFound(Entity::Account));
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
            PatientError::Denied(Denial::NotPermitted)
        );
        assert_err!(
            svc.import(&me, None, None, numbered(2, vec![input("a@mail.org")]))
                .await,
            PatientError::Denied(Denial::NotPermitted)
        );
        assert_err!(
            svc.update(&me, pid, PatientPatch::default(), None).await,
            PatientError::Denied(Denial::NotPermitted)
        );
        assert_err!(
            svc.delete(&me, pid).await,
            PatientError::Denied(Denial::NotPermitted)
        );
    }
    for role in [Role::LabTech, Role::User] {
        let svc = PatientMocks::new().service();
        assert_err!(
            svc.get(&principal_as(role, Some(a)), pid).await,
            PatientError::Denied(Denial::NotPermitted)
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
        assert_err!(r, PatientError::Denied(Denial::NotPermitted));
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
    assert_err!(
        svc.get(&clin, p.id).await,
        PatientError::NotFound(Entity::Patient)
    );
    let change = PatientPatch {
        first_name: Some(text("Eve")),
        ..PatientPatch::default()
    };
    assert_err!(
        svc.update(&clin, p.id, change, None).await,
        PatientError::NotFound(Entity::Patient)
    );
    assert_err!(
        svc.delete(&admin, p.id).await,
        PatientError::NotFound(Entity::Patient)
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
        PatientError::NotFound(Entity::Patient)
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
    assert_err!(r, PatientError::NotFound(Entity::Patient));
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
        Ok(genascope_domain::patients::ports::PatientPage::default())
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
        PatientError::Denied(Denial::NotPermitted)
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
    let mut rows = numbered(
        2,
        vec![
            input("one@mail.org"),
            input("bad@mail.org"),
            input("dup@mail.org"),
            input("two@mail.org"),
        ],
    );
    // The edge could not read row 3 as a patient: it is reported, never created.
    rows[1].patient = Err(vec![FieldError::missing("last_name")]);
    let rep = svc.import(&me, None, None, rows).await.unwrap();
    assert_eq!(rep.successful_count, 2);
    assert_eq!(rep.failed_count, 2);
    assert_eq!(rep.errors.len(), 2);
    assert_eq!(rep.errors[0].row, 3);
    assert_eq!(rep.errors[0].email.as_deref(), Some("bad@mail.org"));
    assert_eq!(
        rep.errors[0].failure,
        RowFailure::Invalid(vec![FieldError::missing("last_name")])
    );
    assert_eq!(rep.errors[1].row, 4);
    assert_eq!(rep.errors[1].email.as_deref(), Some("dup@mail.org"));
    assert_eq!(
        rep.errors[1].failure,
        RowFailure::Conflict(PatientConflict::EmailTaken)
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
async fn rows_are_reported_by_their_own_numbers_in_order() {
    let me = principal_as(Role::Admin, Some(account_id()));
    let (svc, _) = import_svc();
    let mut rows = numbered(1, vec![input("x@mail.org"), input("dup@mail.org")]);
    rows[0].row = 7;
    rows[0].patient = Err(vec![FieldError::missing("email")]);
    let rep = svc.import(&me, None, None, rows).await.unwrap();
    let numbers: Vec<usize> = rep.errors.iter().map(|e| e.row).collect();
    assert_eq!(numbers, vec![2, 7]);
    assert_eq!(rep.successful_count, 0);
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
    let rep = m
        .service()
        .import(&me, None, None, numbered(2, rows))
        .await
        .unwrap();
    assert_eq!(rep.successful_count, 7);
    assert_eq!(rep.failed_count, 0);
    assert_eq!(rep.sample_patients.len(), 5);
    assert_eq!(saved.all().len(), 7);
}

#[tokio::test]
async fn import_of_more_than_5000_rows_is_422_and_creates_nothing() {
    let me = principal_as(Role::Admin, Some(account_id()));
    let rows = numbered(2, vec![input("a@mail.org"); MAX_IMPORT_ROWS + 1]);
    // No insert expectation.
    let r = PatientMocks::new()
        .service()
        .import(&me, None, None, rows)
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
    bad.clinician_id = Some(foreign.id);
    let rep = m
        .service()
        .import(
            &me,
            None,
            None,
            numbered(2, vec![bad, input("ok@mail.org")]),
        )
        .await
        .unwrap();
    assert_eq!(rep.successful_count, 1);
    assert_eq!(rep.errors.len(), 1);
    assert_eq!(rep.errors[0].row, 2);
    assert_eq!(
        rep.errors[0].failure,
        RowFailure::NotFound(Entity::Clinician)
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
            Some(foreign.id),
            numbered(2, vec![input("a@mail.org")]),
        )
        .await;
    assert_err!(r, PatientError::NotFound(Entity::Clinician));
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
async fn update_sets_fields_and_skips_the_write_when_nothing_changes() {
    let a = account_id();
    let p = patient(a);
    let me = principal_as(Role::Admin, Some(a));
    let mut m = PatientMocks::new();
    existing(&mut m, &p);
    let saved = saving(&mut m);
    let svc = m.service();
    let same = PatientPatch {
        first_name: Some(text(&p.first_name)),
        status: Some(PatientStatus::Active),
        ..PatientPatch::default()
    };
    assert_eq!(svc.update(&me, p.id, same, None).await.unwrap().patient, p);
    assert!(saved.all().is_empty(), "an unchanged record was written");
    let change = PatientPatch {
        email: Some(email(" New@Mail.org ")),
        status: Some(PatientStatus::Archived),
        date_of_birth: Patch::Set(BirthDate::new(date!(1970 - 01 - 02), NOW.date()).unwrap()),
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
                clinician_id: Patch::Set(foreign.id),
                ..PatientPatch::default()
            },
            None,
        )
        .await;
    assert_err!(r, PatientError::NotFound(Entity::Clinician));
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
                external_id: Patch::Set(text("EXT-2")),
                ..PatientPatch::default()
            },
            None,
        )
        .await;
    assert_err!(r, PatientError::Conflict(PatientConflict::ExternalIdTaken));
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
        PatientError::NotFound(Entity::Patient)
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
        Err(PatientError::Unexpected(_))
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
        PatientError::NotFound(Entity::Account)
    );
    assert_err!(
        svc.import(
            &sa,
            Some(account_id()),
            None,
            numbered(2, vec![input("b@mail.org")])
        )
        .await,
        PatientError::NotFound(Entity::Account)
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
            NewPatient {
                clinician_id: Some(user_id()),
                ..input("new@mail.org")
            },
        )
        .await;
    assert_err!(r, PatientError::Unavailable(_));
}

// ----- patients' logins -----

fn login_req() -> CreateUser {
    crate::users::create_req(Role::Patient)
}

/// The identity side of a patient login: accounts exist, passwords hash.
fn login_identity() -> Mocks {
    let mut m = Mocks::new();
    m.accounts
        .expect_get()
        .returning(|a| Ok(account(a, AccountStatus::Active)));
    m.hasher
        .expect_hash_password()
        .returning(|_| Ok("phc".into()));
    m
}

/// Stored logins are recorded.
fn logins(m: &mut PatientMocks) -> Slot<PatientLogin> {
    let s = Slot::new();
    let c = s.clone();
    m.patients.expect_insert_login().returning(move |l| {
        c.push(l.clone());
        Ok(())
    });
    s
}

#[tokio::test]
async fn a_patient_login_takes_the_id_of_the_accounts_patient_with_that_email() {
    let own = account_id();
    let admin = principal_as(Role::Admin, Some(own));
    let mut m = PatientMocks::new();
    let existing = Patient {
        email: email("new.person@clinic.org"),
        ..patient(own)
    };
    let pid = existing.id;
    m.patients
        .expect_find_by_email()
        .withf(move |a, e| *a == own && e.as_str() == "new.person@clinic.org")
        .times(1)
        .returning(move |_, _| Ok(Some((existing.clone(), false))));
    let saved = logins(&mut m);
    let u = m
        .service_with(login_identity())
        .create_login(&admin, login_req())
        .await
        .unwrap();
    assert_eq!(u.id, UserId(pid.0));
    assert_eq!(u.role, Role::Patient);
    let l = saved.one();
    assert_eq!(l.login.user, u);
    assert_eq!(l.login.password_hash.as_deref(), Some("phc"));
    assert!(
        l.record.is_none(),
        "an existing patient must not be duplicated"
    );
}

#[tokio::test]
async fn a_patient_login_without_a_patient_comes_with_an_audited_record_of_the_same_id() {
    let own = account_id();
    let admin = principal_as(Role::Admin, Some(own));
    let mut m = PatientMocks::new();
    m.patients.expect_find_by_email().returning(|_, _| Ok(None));
    let saved = logins(&mut m);
    let mut req = login_req();
    req.password = None;
    let u = m
        .service_with(login_identity())
        .create_login(&admin, req)
        .await
        .unwrap();
    let l = saved.one();
    let (p, audit) = l
        .record
        .expect("a patient record is created with the login");
    assert_eq!(p.id, PatientId(u.id.0));
    assert_eq!(p.account_id, own);
    assert_eq!(p.email, u.email);
    assert_eq!(p.status, PatientStatus::Active);
    assert_eq!(
        (p.first_name.as_str(), p.last_name.as_str()),
        ("New", "Person")
    );
    assert_eq!(audit.action, AuditAction::Create);
    assert_eq!(
        audit.records,
        genascope_domain::audit::AuditRecords::One(p.id.0)
    );
    assert_eq!(audit.actor_id, Some(admin.user_id));
    assert_eq!(audit.account_id, Some(own));
    // Without a password, its set-password link goes in the same call.
    let link = l.setup.expect("a set-password link");
    assert_eq!(link.mail.expect("its email").to, "new.person@clinic.org");
}

#[tokio::test]
async fn a_patient_that_has_a_login_gets_no_second_one() {
    let own = account_id();
    let admin = principal_as(Role::Admin, Some(own));
    let mut m = PatientMocks::new();
    let existing = patient(own);
    m.patients
        .expect_find_by_email()
        .returning(move |_, _| Ok(Some((existing.clone(), true))));
    // No insert_login expectation: storing would panic.
    let r = m
        .service_with(login_identity())
        .create_login(&admin, login_req())
        .await;
    assert_err!(
        r,
        PatientError::Identity(IdentityError::Conflict(IdentityConflict::EmailTaken))
    );
}

#[tokio::test]
async fn a_patient_login_with_a_taken_email_is_a_conflict_and_an_outage_stays_one() {
    let own = account_id();
    let admin = principal_as(Role::Admin, Some(own));
    for (stored, taken) in [
        (RepoError::Duplicate("email"), true),
        (RepoError::Unavailable("pool timed out".into()), false),
    ] {
        let mut m = PatientMocks::new();
        m.patients.expect_find_by_email().returning(|_, _| Ok(None));
        let outcome = std::sync::Mutex::new(Some(stored));
        m.patients
            .expect_insert_login()
            .returning(move |_| Err(outcome.lock().unwrap().take().expect("one insert")));
        let r = m
            .service_with(login_identity())
            .create_login(&admin, login_req())
            .await;
        if taken {
            assert_err!(
                r,
                PatientError::Identity(IdentityError::Conflict(IdentityConflict::EmailTaken))
            );
        } else {
            assert_err!(r, PatientError::Unavailable(_));
        }
    }
}

#[tokio::test]
async fn patient_logins_keep_identitys_rules() {
    let own = account_id();
    // Who may create users at all: checked before anything is read (no mock expectations).
    let r = PatientMocks::new()
        .service()
        .create_login(&principal_as(Role::Clinician, Some(own)), login_req())
        .await;
    assert_err!(
        r,
        PatientError::Identity(IdentityError::Denied(Denial::NotPermitted))
    );
    // Another account does not exist for an admin.
    let mut req = login_req();
    req.account_id = Some(account_id());
    let r = PatientMocks::new()
        .service()
        .create_login(&principal_as(Role::Admin, Some(own)), req)
        .await;
    assert_err!(
        r,
        PatientError::Identity(IdentityError::NotFound(Entity::Account))
    );
    // A login of another role is identity's own use case.
    let r = PatientMocks::new()
        .service()
        .create_login(
            &principal_as(Role::Admin, Some(own)),
            crate::users::create_req(Role::Clinician),
        )
        .await;
    assert_eq!(fields(&r), vec!["role"]);
}
