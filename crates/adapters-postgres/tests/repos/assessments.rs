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
}
