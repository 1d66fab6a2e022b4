//! Lab orders on both backends: the outbound request with the order, version-checked saves, the
//! webhook's event keys, and report files attached in the results' transaction.

use crate::support::{at, audit, clinic, patient};
use genascope_adapters_postgres::labs::OutboxLabGateway;
use genascope_adapters_postgres::testing::TestDb;
use genascope_domain::audit::AuditAction;
use genascope_domain::common::{LabIntegrationId, LabOrderId, RepoError};
use genascope_domain::files::model::{FileId, StoredFile};
use genascope_domain::files::names::{FileKey, SafeName};
use genascope_domain::files::ports::FileRepository;
use genascope_domain::identity::policy::ListScope;
use genascope_domain::labs::model::{
    AddressInput, LabIntegration, LabOrder, LabOrderQuery, LabResult, LabStatus, ResultMap,
    ResultStatus, ShippingAddress, TestType,
};
use genascope_domain::labs::ports::{
    EventKey, LabGateway, LabIntegrationRepository, LabOrderRepository,
};
use genascope_domain::patients::ports::PatientRepository;

fn order(
    account: genascope_domain::common::AccountId,
    p: &genascope_domain::patients::model::Patient,
    doc: genascope_domain::common::UserId,
) -> LabOrder {
    let input = AddressInput {
        line1: Some("1 Main St".into()),
        line2: None,
        city: Some("Springfield".into()),
        state: Some("IL".into()),
        zip_code: Some("62701".into()),
    };
    LabOrder {
        id: LabOrderId(uuid::Uuid::new_v4()),
        account_id: account,
        patient_id: p.id,
        provider_id: doc,
        test_type: TestType::Brca,
        status: LabStatus::Ordered,
        shipping_address: ShippingAddress::parse(&mut Vec::new(), &input).unwrap(),
        notes: None,
        lab_reference: None,
        reason: None,
        result: None,
        review: None,
        created_at: at(0),
        updated_at: at(0),
        completed_at: None,
        version: 1,
    }
}

fn next(mut o: LabOrder, status: LabStatus) -> LabOrder {
    o.status = status;
    o.version += 1;
    o
}

fn with_report(mut o: LabOrder, file: Option<uuid::Uuid>) -> LabOrder {
    let results = ResultMap::parse(
        &mut Vec::new(),
        &[("brca1".into(), Some("negative".into()))],
    )
    .unwrap();
    o.result = Some(LabResult {
        results,
        status: ResultStatus::Final,
        report_url: None,
        report_file_id: file,
        performed_at: None,
        notes: None,
        reported_at: at(1),
    });
    o.status = LabStatus::Completed;
    o.version += 1;
    o
}

pub async fn orders_saves_events_and_reports(t: &TestDb) {
    let (account, doc) = clinic(t, "Labs").await;
    let pat = patient(account, "p@labs.org", "Pat", "Ient");
    PatientRepository::insert(t.db(), &pat, &audit(AuditAction::Create))
        .await
        .unwrap();
    let orders: &dyn LabOrderRepository = t.db();
    let o = order(account, &pat, doc.id);
    orders
        .create(
            &o,
            &OutboxLabGateway.order_request(&o),
            &audit(AuditAction::Create),
        )
        .await
        .unwrap();
    let v = orders.get(o.id).await.unwrap();
    assert_eq!(v.order, o);
    assert_eq!(v.patient_name, "Pat Ient");
    assert_eq!(v.clinician_name, doc.name);
    let q = LabOrderQuery {
        limit: 100,
        ..LabOrderQuery::default()
    };
    assert_eq!(
        orders
            .list(ListScope::Account(account), &q)
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(
        orders
            .list(ListScope::Nothing, &q)
            .await
            .unwrap()
            .is_empty()
    );
    // A save compares the version.
    let collected = next(o.clone(), LabStatus::SpecimenCollected);
    orders
        .save(&collected, &audit(AuditAction::Update), None)
        .await
        .unwrap();
    let again = next(o.clone(), LabStatus::Rejected);
    assert!(matches!(
        orders.save(&again, &audit(AuditAction::Update), None).await,
        Err(RepoError::Stale)
    ));
    // Event keys: a second use of one is a duplicate and writes nothing.
    let lab = LabIntegration {
        id: LabIntegrationId(uuid::Uuid::new_v4()),
        name: "Acme".into(),
        accounts: vec![account],
        active: true,
        sealed_secret: "v1.00".into(),
        created_at: at(0),
        updated_at: at(0),
    };
    LabIntegrationRepository::insert(t.db(), &lab)
        .await
        .unwrap();
    assert_eq!(
        LabIntegrationRepository::get(t.db(), lab.id).await.unwrap(),
        lab
    );
    let key = EventKey {
        integration: lab.id,
        event_id: "e1".into(),
        received_at: at(2),
    };
    let mut in_process = next(collected.clone(), LabStatus::InProcess);
    in_process.lab_reference = genascope_domain::common::Text::parse("r", "ACME-1").unwrap();
    orders
        .save(&in_process, &audit(AuditAction::Update), Some(key.clone()))
        .await
        .unwrap();
    assert!(orders.event_seen(&key).await.unwrap());
    let replay = next(in_process.clone(), LabStatus::Rejected);
    assert!(matches!(
        orders
            .save(&replay, &audit(AuditAction::Update), Some(key.clone()))
            .await,
        Err(RepoError::Duplicate("event_id"))
    ));
    assert_eq!(orders.get(o.id).await.unwrap().order, in_process);
    assert_eq!(
        orders
            .by_reference(&[account], "ACME-1")
            .await
            .unwrap()
            .order
            .id,
        o.id
    );
    assert!(matches!(
        orders.by_reference(&[], "ACME-1").await,
        Err(RepoError::NotFound)
    ));
    // Reports: attached with the results; another order cannot take the same file.
    let file = StoredFile {
        id: FileId(uuid::Uuid::new_v4()),
        owner: doc.id,
        account_id: Some(account),
        key: FileKey::from_trusted(format!("uploads/{}/r.pdf", doc.id)),
        filename: SafeName::from_trusted("r.pdf".into()),
        size: 10,
        content_type: "application/pdf".into(),
        uploaded_at: at(0),
        attached_to: None,
    };
    FileRepository::insert(t.db(), &file).await.unwrap();
    let done = with_report(in_process.clone(), Some(file.id.0));
    orders
        .save(&done, &audit(AuditAction::Update), None)
        .await
        .unwrap();
    let stored = FileRepository::get(t.db(), file.id).await.unwrap();
    assert_eq!(
        stored.attached_to,
        Some(genascope_domain::labs::reports::attachment(o.id))
    );
    let o2 = order(account, &pat, doc.id);
    orders
        .create(
            &o2,
            &OutboxLabGateway.order_request(&o2),
            &audit(AuditAction::Create),
        )
        .await
        .unwrap();
    let taken = with_report(
        next(o2.clone(), LabStatus::SpecimenCollected),
        Some(file.id.0),
    );
    let mut taken = taken;
    taken.version = 2;
    assert!(matches!(
        orders.save(&taken, &audit(AuditAction::Update), None).await,
        Err(RepoError::Conflict("file_attached"))
    ));
    assert_eq!(
        orders.get(o2.id).await.unwrap().order,
        o2,
        "nothing written"
    );
    // A result without the file detaches it.
    let amended = with_report(done.clone(), None);
    orders
        .save(&amended, &audit(AuditAction::Update), None)
        .await
        .unwrap();
    assert_eq!(
        FileRepository::get(t.db(), file.id)
            .await
            .unwrap()
            .attached_to,
        None
    );
}
