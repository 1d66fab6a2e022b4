use crate::support::{account, at, audit, new_user, patient, user};
use genascope_adapters_postgres::testing::TestDb;
use genascope_domain::audit::AuditAction;
use genascope_domain::clinical::ports::{AssessmentRecord, AssessmentRepository};
use genascope_domain::identity::model::Role;
use genascope_domain::identity::ports::AccountRepository;
use genascope_domain::patients::ports::PatientRepository;

pub async fn latest_is_by_assessed_at(t: &TestDb) {
    let a = account("Assess Clinic", None);
    let admin = user(Some(a.id), "admin@assess.org", "The Admin", Role::Admin);
    AccountRepository::create_with_admin(t.db(), &a, &new_user(admin.clone()))
        .await
        .unwrap();
    let (p1, p2) = (
        patient(a.id, "p1@assess.org", "Pat", "One"),
        patient(a.id, "p2@assess.org", "Pat", "Two"),
    );
    PatientRepository::insert(t.db(), &p1, &audit(AuditAction::Create))
        .await
        .unwrap();
    PatientRepository::insert(t.db(), &p2, &audit(AuditAction::Create))
        .await
        .unwrap();
    let repo: &dyn AssessmentRepository = t.db();
    assert_eq!(repo.latest_for_patient(p1.id).await.unwrap(), None);
    let record = |minutes, score: f64, by| AssessmentRecord {
        id: uuid::Uuid::new_v4(),
        account_id: a.id,
        patient_id: p1.id,
        created_by: by,
        assessed_at: at(minutes),
        body: serde_json::json!({"tyrer_cuzick_score": score, "warnings": ["é ü"]}),
        profile: by.map(|_| serde_json::json!({"proband": {"sex": "female", "age": 40}})),
    };
    let (old, new, older) = (
        record(10, 12.5, Some(admin.id)),
        record(20, 23.9, None),
        record(5, 1.0, None),
    );
    for r in [&old, &new, &older] {
        repo.insert(r, &audit(AuditAction::Create)).await.unwrap();
    }
    assert_eq!(repo.latest_for_patient(p1.id).await.unwrap(), Some(new));
    assert_eq!(repo.latest_for_patient(p2.id).await.unwrap(), None);
    // A patient that does not exist: not found, nothing stored.
    let nobody = genascope_domain::common::PatientId(uuid::Uuid::new_v4());
    let orphan = AssessmentRecord {
        patient_id: nobody,
        ..record(30, 5.0, None)
    };
    assert!(matches!(
        repo.insert(&orphan, &audit(AuditAction::Create)).await,
        Err(genascope_domain::common::RepoError::NotFound)
    ));
    assert_eq!(repo.latest_for_patient(nobody).await.unwrap(), None);
}

/// Two assessments of one patient stored in the same second: the later stored is the latest,
/// whatever their random ids (run many times so an id-based tie-break cannot pass by luck).
pub async fn same_second_ties_go_to_the_later_stored(t: &TestDb) {
    let a = account("Same Second Clinic", None);
    let admin = user(Some(a.id), "admin@second.org", "The Admin", Role::Admin);
    AccountRepository::create_with_admin(t.db(), &a, &new_user(admin.clone()))
        .await
        .unwrap();
    let p = patient(a.id, "p@second.org", "Pat", "Second");
    PatientRepository::insert(t.db(), &p, &audit(AuditAction::Create))
        .await
        .unwrap();
    let repo: &dyn AssessmentRepository = t.db();
    let second = at(30);
    for round in 0..24 {
        // Sub-second parts differ but are not stored: both land on the same stored second.
        let record = |millis: i64| AssessmentRecord {
            id: uuid::Uuid::new_v4(),
            account_id: a.id,
            patient_id: p.id,
            created_by: None,
            assessed_at: second + time::Duration::milliseconds(millis),
            body: serde_json::json!({"round": round, "millis": millis}),
            profile: None,
        };
        let (first, then) = (record(100), record(900));
        repo.insert(&first, &audit(AuditAction::Create))
            .await
            .unwrap();
        repo.insert(&then, &audit(AuditAction::Create))
            .await
            .unwrap();
        let latest = repo.latest_for_patient(p.id).await.unwrap().unwrap();
        assert_eq!(latest.id, then.id, "round {round}");
        assert_eq!(latest.body, then.body);
    }
}

/// Concurrent inserts for one patient all succeed (they take turns on the patient's row) and
/// the latest is one of them.
pub async fn concurrent_inserts_for_one_patient_all_succeed(t: &TestDb) {
    let a = account("Busy Clinic", None);
    let admin = user(Some(a.id), "admin@busy.org", "The Admin", Role::Admin);
    AccountRepository::create_with_admin(t.db(), &a, &new_user(admin.clone()))
        .await
        .unwrap();
    let p = patient(a.id, "p@busy.org", "Pat", "Busy");
    PatientRepository::insert(t.db(), &p, &audit(AuditAction::Create))
        .await
        .unwrap();
    let records: Vec<AssessmentRecord> = (0..16)
        .map(|i| AssessmentRecord {
            id: uuid::Uuid::new_v4(),
            account_id: a.id,
            patient_id: p.id,
            created_by: None,
            assessed_at: at(0),
            body: serde_json::json!({"i": i}),
            profile: None,
        })
        .collect();
    let tasks: Vec<_> = records
        .iter()
        .map(|r| {
            let (db, r) = (t.db().clone(), r.clone());
            tokio::spawn(async move {
                AssessmentRepository::insert(&db, &r, &audit(AuditAction::Create)).await
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    let latest = AssessmentRepository::latest_for_patient(t.db(), p.id)
        .await
        .unwrap()
        .unwrap();
    assert!(records.iter().any(|r| r.id == latest.id));
}

/// Migration 000025 on a clinic's volume: 2,000 patients with an assessment each, stored before
/// it; then the migration reverted and applied again (as on an upgrade from 000024). On
/// PostgreSQL the new sequence starts above every stored `seq`, so an assessment stored after it
/// in the same second as a patient's old one is that patient's latest, for every patient tried;
/// had it started at 1, the new numbers would repeat or undercut the stored ones (a unique
/// violation or the old assessment as latest). SQLite's `MAX(seq) + 1` is checked the same way.
pub async fn assessments_stored_before_the_seq_migration_stay_older(t: &TestDb) {
    use diesel_migrations::MigrationHarness;
    use genascope_adapters_postgres::{DbConnection, migrations};
    use genascope_domain::audit::{AuditEntry, AuditRecords};
    const PATIENTS: usize = 2_000;
    let a = account("Upgrade Clinic", None);
    let admin = user(Some(a.id), "admin@upgrade.org", "The Admin", Role::Admin);
    AccountRepository::create_with_admin(t.db(), &a, &new_user(admin.clone()))
        .await
        .unwrap();
    let patients: Vec<_> = (0..PATIENTS)
        .map(|i| patient(a.id, &format!("p{i}@upgrade.org"), "Pat", &format!("N{i}")))
        .collect();
    let import = AuditEntry {
        id: uuid::Uuid::new_v4(),
        at: at(1),
        actor_id: Some(admin.id),
        action: AuditAction::Create,
        record_type: "patient",
        records: AuditRecords::Many {
            ids: patients.iter().map(|p| p.id.0).collect(),
            query: None,
        },
        account_id: Some(a.id),
    };
    let outcomes = PatientRepository::import(t.db(), &patients, &import)
        .await
        .unwrap();
    assert!(outcomes.iter().all(Result::is_ok));
    let repo: &dyn AssessmentRepository = t.db();
    let second = at(30);
    let record = |p: &genascope_domain::patients::model::Patient, millis: i64| AssessmentRecord {
        id: uuid::Uuid::new_v4(),
        account_id: a.id,
        patient_id: p.id,
        created_by: None,
        assessed_at: second + time::Duration::milliseconds(millis),
        body: serde_json::json!({"millis": millis}),
        profile: None,
    };
    let old: Vec<_> = patients.iter().map(|p| record(p, 100)).collect();
    for r in &old {
        repo.insert(r, &audit(AuditAction::Create)).await.unwrap();
    }

    // Back to 000024 and up again: every migration after 000025 too, if any.
    {
        let mut conn = t.db().connection().unwrap();
        loop {
            let reverted = match &mut *conn {
                DbConnection::Postgresql(c) => c.revert_last_migration(migrations::POSTGRES),
                DbConnection::Sqlite(c) => c.revert_last_migration(migrations::SQLITE),
            }
            .unwrap()
            .to_string();
            if reverted.replace('-', "") == "20261208000025" {
                break;
            }
        }
    }
    assert!(
        !t.db().migrate().unwrap().is_empty(),
        "000025 applied again"
    );

    // Every 40th patient, and the last one stored (the highest `seq` so far).
    for i in (0..PATIENTS).step_by(40).chain([PATIENTS - 1]) {
        let new = record(&patients[i], 900);
        repo.insert(&new, &audit(AuditAction::Create))
            .await
            .unwrap();
        let latest = repo.latest_for_patient(patients[i].id).await.unwrap();
        assert_eq!(latest.map(|r| r.id), Some(new.id), "patient {i}");
    }
    // The others keep their one assessment.
    let latest = repo.latest_for_patient(patients[1].id).await.unwrap();
    assert_eq!(latest.map(|r| r.id), Some(old[1].id));
}
