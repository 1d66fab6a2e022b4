use crate::support::{
    at, audit, clinic, email, login_with_record, new_user, patient, refresh, user,
};
use genascope_adapters_postgres::testing::TestDb;
use genascope_domain::audit::AuditAction;
use genascope_domain::common::{AccountId, RepoError, UserId};
use genascope_domain::identity::model::Role;
use genascope_domain::identity::policy::ListScope;
use genascope_domain::identity::ports::{AccountRepository, Rotation, TokenStore, UserRepository};
use genascope_domain::patients::model::{Patient, PatientStatus, PatientView, ScreeningStatus};
use genascope_domain::patients::ports::{PatientFilter, PatientRepository};
use time::macros::date;

fn filter(scope: ListScope) -> PatientFilter {
    PatientFilter {
        scope,
        query: None,
        status: None,
        clinician_id: None,
        offset: 0,
        limit: 1000,
    }
}

fn emails(views: &[PatientView]) -> Vec<&str> {
    views.iter().map(|v| v.patient.email.as_str()).collect()
}

pub async fn insert_and_get_view(t: &TestDb) {
    let patients: &dyn PatientRepository = t.db();
    let (a, doc) = clinic(t, "View").await;
    let mut p = patient(a, "jane@view.org", "Jane", "Doe");
    p.phone = Some("+1 (555) 010-0000".into());
    p.date_of_birth = Some(date!(1980 - 02 - 29));
    p.external_id = Some("MRN-1".into());
    p.clinician_id = Some(doc.id);
    p.status = PatientStatus::Pending;
    p.notes = Some("Prefers email.".into());
    p.updated_at = at(60 * 24 * 3);
    patients
        .insert(&p, &audit(AuditAction::Create))
        .await
        .unwrap();

    let v = patients.get(p.id).await.unwrap();
    assert_eq!(v.patient, p);
    assert_eq!(v.clinician_name.as_deref(), Some("Doc Holliday"));
    assert!(!v.has_login);
    assert!(!v.has_pending_invite);
    assert_eq!(v.screening_status, ScreeningStatus::NotInvited);
    assert_eq!(v.last_activity, date!(2026 - 03 - 04));

    // No clinician, no external id.
    let q = patient(a, "john@view.org", "John", "Roe");
    patients
        .insert(&q, &audit(AuditAction::Create))
        .await
        .unwrap();
    let v = patients.get(q.id).await.unwrap();
    assert_eq!(v.clinician_name, None);
    assert_eq!(v.patient.external_id, None);
}

pub async fn duplicates_are_per_account(t: &TestDb) {
    let patients: &dyn PatientRepository = t.db();
    let (a, _) = clinic(t, "DupA").await;
    let (b, _) = clinic(t, "DupB").await;
    let mut p = patient(a, "same@dup.org", "Sam", "E");
    p.external_id = Some("X1".into());
    patients
        .insert(&p, &audit(AuditAction::Create))
        .await
        .unwrap();

    let same_email = patient(a, "SAME@dup.org", "Other", "Person");
    let err = patients
        .insert(&same_email, &audit(AuditAction::Create))
        .await
        .unwrap_err();
    assert!(matches!(err, RepoError::Duplicate("email")), "{err:?}");

    let mut same_ext = patient(a, "other@dup.org", "Other", "Person");
    same_ext.external_id = Some("X1".into());
    let err = patients
        .insert(&same_ext, &audit(AuditAction::Create))
        .await
        .unwrap_err();
    assert!(
        matches!(err, RepoError::Duplicate("external_id")),
        "{err:?}"
    );

    // Patients without external ids never collide on it.
    patients
        .insert(
            &patient(a, "n1@dup.org", "N", "One"),
            &audit(AuditAction::Create),
        )
        .await
        .unwrap();
    patients
        .insert(
            &patient(a, "n2@dup.org", "N", "Two"),
            &audit(AuditAction::Create),
        )
        .await
        .unwrap();

    // The same person may be a patient of another account.
    let mut elsewhere = patient(b, "same@dup.org", "Sam", "E");
    elsewhere.external_id = Some("X1".into());
    patients
        .insert(&elsewhere, &audit(AuditAction::Create))
        .await
        .unwrap();

    // Both are free again after a soft delete.
    patients
        .soft_delete(p.id, at(1), &audit(AuditAction::Delete))
        .await
        .unwrap();
    let mut again = patient(a, "same@dup.org", "Sam", "Again");
    again.external_id = Some("X1".into());
    patients
        .insert(&again, &audit(AuditAction::Create))
        .await
        .unwrap();
}

pub async fn list_filters_scope_and_paging(t: &TestDb) {
    let patients: &dyn PatientRepository = t.db();
    let (a, doc) = clinic(t, "ListA").await;
    let (b, _) = clinic(t, "ListB").await;
    let mk = |acc: AccountId, mail: &str, first: &str, last: &str, minute: i64| {
        let mut p = patient(acc, mail, first, last);
        p.created_at = at(minute);
        p.updated_at = at(minute);
        p
    };
    let mut p1 = mk(a, "ann@x.org", "Ann", "Smith", 1);
    p1.clinician_id = Some(doc.id);
    let mut p2 = mk(a, "bo@x.org", "Bo", "Jones", 2);
    p2.external_id = Some("MRN_77".into());
    p2.status = PatientStatus::Archived;
    let mut p3 = mk(a, "cy@x.org", "Cy", "SMITHERS", 3);
    p3.clinician_id = Some(doc.id);
    let p4 = mk(b, "dee@y.org", "Dee", "Smith", 4);
    let gone = mk(a, "gone@x.org", "Gone", "Smith", 5);
    for p in [&p1, &p2, &p3, &p4, &gone] {
        patients
            .insert(p, &audit(AuditAction::Create))
            .await
            .unwrap();
    }
    patients
        .soft_delete(gone.id, at(6), &audit(AuditAction::Delete))
        .await
        .unwrap();

    // Newest first, deleted hidden.
    let all = patients.list(&filter(ListScope::All)).await.unwrap().views;
    assert_eq!(
        emails(&all),
        ["dee@y.org", "cy@x.org", "bo@x.org", "ann@x.org"]
    );
    let in_a = patients
        .list(&filter(ListScope::Account(a)))
        .await
        .unwrap()
        .views;
    assert_eq!(emails(&in_a), ["cy@x.org", "bo@x.org", "ann@x.org"]);
    assert!(
        patients
            .list(&filter(ListScope::Nothing))
            .await
            .unwrap()
            .views
            .is_empty()
    );
    assert!(
        patients
            .list(&filter(ListScope::Account(AccountId(uuid::Uuid::new_v4()))))
            .await
            .unwrap()
            .views
            .is_empty()
    );

    // Paging.
    let page = |offset, limit| PatientFilter {
        offset,
        limit,
        ..filter(ListScope::Account(a))
    };
    assert_eq!(
        emails(&patients.list(&page(1, 1)).await.unwrap().views),
        ["bo@x.org"]
    );
    assert_eq!(
        emails(&patients.list(&page(2, 5)).await.unwrap().views),
        ["ann@x.org"]
    );
    assert!(patients.list(&page(3, 5)).await.unwrap().views.is_empty());

    let query = |q: &str| PatientFilter {
        query: Some(q.to_owned()),
        ..filter(ListScope::All)
    };
    assert_eq!(
        emails(&patients.list(&query("smith")).await.unwrap().views),
        ["dee@y.org", "cy@x.org", "ann@x.org"]
    );
    assert_eq!(
        emails(&patients.list(&query("ANN SMI")).await.unwrap().views),
        ["ann@x.org"]
    );
    assert_eq!(
        emails(&patients.list(&query("@Y.ORG")).await.unwrap().views),
        ["dee@y.org"]
    );
    assert_eq!(
        emails(&patients.list(&query("mrn_7")).await.unwrap().views),
        ["bo@x.org"]
    );
    // `_` is a literal underscore, not "any character" (else "y_" would match "y.org").
    assert!(patients.list(&query("y_")).await.unwrap().views.is_empty());
    assert!(patients.list(&query("%")).await.unwrap().views.is_empty());

    let status = PatientFilter {
        status: Some(PatientStatus::Archived),
        ..filter(ListScope::All)
    };
    assert_eq!(
        emails(&patients.list(&status).await.unwrap().views),
        ["bo@x.org"]
    );
    let by_doc = PatientFilter {
        clinician_id: Some(doc.id),
        ..filter(ListScope::Account(a))
    };
    let mine = patients.list(&by_doc).await.unwrap().views;
    assert_eq!(emails(&mine), ["cy@x.org", "ann@x.org"]);
    assert!(
        mine.iter()
            .all(|v| v.clinician_name.as_deref() == Some("Doc Holliday"))
    );
    // Filters combine; a clinician of another account matches nothing in this one.
    let combined = PatientFilter {
        query: Some("ann".into()),
        ..by_doc.clone()
    };
    assert_eq!(
        emails(&patients.list(&combined).await.unwrap().views),
        ["ann@x.org"]
    );
    let foreign = PatientFilter {
        clinician_id: Some(UserId(uuid::Uuid::new_v4())),
        ..filter(ListScope::Account(a))
    };
    assert!(patients.list(&foreign).await.unwrap().views.is_empty());
}

pub async fn update(t: &TestDb) {
    let patients: &dyn PatientRepository = t.db();
    let (a, doc) = clinic(t, "Upd").await;
    let mut p = patient(a, "p@upd.org", "P", "Q");
    let other = patient(a, "taken@upd.org", "T", "K");
    patients
        .insert(&p, &audit(AuditAction::Create))
        .await
        .unwrap();
    patients
        .insert(&other, &audit(AuditAction::Create))
        .await
        .unwrap();

    let before = p.clone();
    p.first_name = "Pia".into();
    p.last_name = "Quinn".into();
    p.email = email("pia@upd.org");
    p.phone = Some("555-0101".into());
    p.date_of_birth = Some(date!(1990 - 01 - 01));
    p.external_id = Some("E-9".into());
    p.clinician_id = Some(doc.id);
    p.status = PatientStatus::Inactive;
    p.notes = Some("n".into());
    p.updated_at = at(90);
    patients
        .update(&before, &p, &audit(AuditAction::Update), None)
        .await
        .unwrap();
    let v = patients.get(p.id).await.unwrap();
    p.version += 1;
    assert_eq!(v.patient, p);
    assert_eq!(v.clinician_name.as_deref(), Some("Doc Holliday"));

    // Clearing optional fields.
    let before = p.clone();
    p.external_id = None;
    p.clinician_id = None;
    p.notes = None;
    patients
        .update(&before, &p, &audit(AuditAction::Update), None)
        .await
        .unwrap();
    p.version += 1;
    assert_eq!(patients.get(p.id).await.unwrap().patient, p);

    // A write from a stale read changes nothing.
    let mut late = before.clone();
    late.first_name = "Late".into();
    assert!(matches!(
        patients
            .update(
                &before,
                &late,
                &audit(AuditAction::Update),
                Some(before.version)
            )
            .await,
        Err(RepoError::Stale)
    ));
    assert_eq!(patients.get(p.id).await.unwrap().patient, p);

    let mut clash = p.clone();
    clash.email = other.email.clone();
    let err = patients
        .update(&p, &clash, &audit(AuditAction::Update), None)
        .await
        .unwrap_err();
    assert!(matches!(err, RepoError::Duplicate("email")), "{err:?}");

    patients
        .soft_delete(other.id, at(91), &audit(AuditAction::Delete))
        .await
        .unwrap();
    let mut renamed = other.clone();
    renamed.first_name = "Gone".into();
    assert!(matches!(
        patients
            .update(&other, &renamed, &audit(AuditAction::Update), None)
            .await,
        Err(RepoError::NotFound)
    ));
}

/// Two writers of different fields from the same read: without a version check both stand (only
/// changed columns are written); with one, the second is told its read is stale and nothing of it
/// is written.
pub async fn concurrent_field_edits_are_not_lost(t: &TestDb) {
    let patients: &dyn PatientRepository = t.db();
    let (a, _) = clinic(t, "Race").await;
    let p = patient(a, "p@race.org", "P", "Q");
    patients
        .insert(&p, &audit(AuditAction::Create))
        .await
        .unwrap();
    let mut phone = p.clone();
    phone.phone = Some("555-0199".into());
    let mut notes = p.clone();
    notes.notes = Some("called".into());
    patients
        .update(&p, &phone, &audit(AuditAction::Update), None)
        .await
        .unwrap();
    patients
        .update(&p, &notes, &audit(AuditAction::Update), None)
        .await
        .unwrap();
    let last = patients.get(p.id).await.unwrap().patient;
    assert_eq!(last.phone.as_deref(), Some("555-0199"));
    assert_eq!(last.notes.as_deref(), Some("called"));
    assert_eq!(last.version, 3);
    // Conditional on the version read: stale, nothing written.
    let mut status = p.clone();
    status.status = PatientStatus::Inactive;
    assert!(matches!(
        patients
            .update(&p, &status, &audit(AuditAction::Update), Some(p.version))
            .await,
        Err(RepoError::Stale)
    ));
    assert_eq!(patients.get(p.id).await.unwrap().patient, last);
}

pub async fn soft_delete_hides_and_disables_login(t: &TestDb) {
    let (patients, users, tokens): (&dyn PatientRepository, &dyn UserRepository, &dyn TokenStore) =
        (t.db(), t.db(), t.db());
    let (a, _) = clinic(t, "Del").await;
    let p = patient(a, "p@del.org", "P", "Del");
    let mut login = user(Some(a), "p@del.org", "P Del", Role::Patient);
    login.id = UserId::from(p.id);
    patients
        .insert_login(&login_with_record(login.clone(), &p))
        .await
        .unwrap();
    tokens
        .insert_refresh(&refresh(login.id, "pd1", at(0)))
        .await
        .unwrap();

    patients
        .soft_delete(p.id, at(10), &audit(AuditAction::Delete))
        .await
        .unwrap();
    assert!(matches!(patients.get(p.id).await, Err(RepoError::NotFound)));
    assert!(
        patients
            .list(&filter(ListScope::Account(a)))
            .await
            .unwrap()
            .views
            .is_empty()
    );
    assert!(patients.find_by_email(a, &p.email).await.unwrap().is_none());
    assert!(matches!(
        patients
            .soft_delete(p.id, at(11), &audit(AuditAction::Delete))
            .await,
        Err(RepoError::NotFound)
    ));

    // The login stays (for the record) but is disabled and its sessions are gone.
    let u = users.get(login.id).await.unwrap();
    assert!(!u.is_active);
    assert_eq!(u.updated_at, at(10));
    assert_ne!(
        tokens
            .rotate_refresh("pd1", at(12), &refresh(login.id, "pd2", at(12)))
            .await
            .unwrap(),
        Rotation::Rotated(login.id)
    );
}

pub async fn find_by_email(t: &TestDb) {
    let (patients, users): (&dyn PatientRepository, &dyn UserRepository) = (t.db(), t.db());
    let (a, _) = clinic(t, "Find").await;
    let (b, _) = clinic(t, "Elsewhere").await;
    let p: Patient = patient(a, "f@find.org", "F", "Ind");
    patients
        .insert(&p, &audit(AuditAction::Create))
        .await
        .unwrap();

    let (found, has_login) = patients.find_by_email(a, &p.email).await.unwrap().unwrap();
    assert_eq!(found, p);
    assert!(!has_login);
    assert!(patients.find_by_email(b, &p.email).await.unwrap().is_none());

    // Linking a login (the user takes the patient's id).
    let mut login = user(Some(a), "f@find.org", "F Ind", Role::Patient);
    login.id = UserId::from(p.id);
    users.insert(&new_user(login.clone()), None).await.unwrap();
    assert!(
        patients
            .find_by_email(a, &p.email)
            .await
            .unwrap()
            .unwrap()
            .1
    );
    // A deleted login is no login.
    users.soft_delete(login.id, at(2)).await.unwrap();
    assert!(
        !patients
            .find_by_email(a, &p.email)
            .await
            .unwrap()
            .unwrap()
            .1
    );
    assert!(!patients.get(p.id).await.unwrap().has_login);
}

/// A deleted account's patients are kept (retention) but no read shows them, whatever the scope.
pub async fn patients_of_a_deleted_account_are_hidden(t: &TestDb) {
    let patients: &dyn PatientRepository = t.db();
    let (gone, _) = clinic(t, "Gone").await;
    let (kept, _) = clinic(t, "Kept").await;
    let p1 = patient(gone, "p@gone.org", "Pat", "Gone");
    let p2 = patient(kept, "p@kept.org", "Pat", "Kept");
    patients
        .insert(&p1, &audit(AuditAction::Create))
        .await
        .unwrap();
    patients
        .insert(&p2, &audit(AuditAction::Create))
        .await
        .unwrap();
    AccountRepository::soft_delete(t.db(), gone, at(9))
        .await
        .unwrap();
    assert!(matches!(
        patients.get(p1.id).await,
        Err(RepoError::NotFound)
    ));
    let all = patients.list(&filter(ListScope::All)).await.unwrap().views;
    assert_eq!(emails(&all), ["p@kept.org"]);
    assert!(
        patients
            .list(&filter(ListScope::Account(gone)))
            .await
            .unwrap()
            .views
            .is_empty()
    );
}
