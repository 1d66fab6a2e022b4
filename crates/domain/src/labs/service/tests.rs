//! Lab use cases over mocked ports: the order of checks, what reaches storage, and the webhook's
//! replay answers.

use super::*;
use crate::audit::MockAuditLog;
use crate::common::{AccountId, MockClock, MockRandom, RepoError, Text};
use crate::files::ports::MockFileRepository;
use crate::identity::model::{Email, Role, User};
use crate::identity::policy::AccessType;
use crate::identity::ports::MockUserRepository;
use crate::labs::error::{LabConflict, SignatureRefusal};
use crate::labs::model::{
    AddressInput, EventChange, LabEvent, LabIntegration, OrderRef, ShippingAddress,
};
use crate::labs::ports::{
    LabRequest, MockLabGateway, MockLabIntegrationRepository, MockLabOrderRepository, MockSecretBox,
};
use crate::patients::model::{Patient, PatientStatus, PatientView, ScreeningStatus};
use crate::patients::ports::MockPatientRepository;
use time::macros::datetime;

const NOW: Timestamp = datetime!(2026-12-06 12:00 UTC);

fn account(n: u128) -> AccountId {
    AccountId(uuid::Uuid::from_u128(n))
}

fn principal(role: Role, acc: u128) -> Principal {
    Principal {
        user_id: UserId(uuid::Uuid::from_u128(100 + acc)),
        role,
        account_id: Some(account(acc)),
        access: AccessType::Full,
        jti: String::new(),
        token_exp: 0,
        session: None,
        grant: None,
    }
}

fn patient(acc: u128) -> PatientView {
    PatientView {
        patient: Patient {
            id: PatientId(uuid::Uuid::from_u128(7)),
            account_id: account(acc),
            first_name: "Pat".into(),
            last_name: "Ient".into(),
            email: Email::from_trusted("pat@x.test".into()),
            phone: None,
            date_of_birth: None,
            external_id: None,
            clinician_id: None,
            status: PatientStatus::Active,
            notes: None,
            created_at: NOW,
            updated_at: NOW,
            version: 1,
        },
        clinician_name: None,
        has_login: false,
        has_pending_invite: false,
        screening_status: ScreeningStatus::NotInvited,
        last_activity: NOW.date(),
    }
}

fn clinician(id: UserId, acc: u128) -> User {
    User {
        id,
        account_id: Some(account(acc)),
        email: Email::from_trusted("c@x.test".into()),
        name: "Clin Ician".into(),
        first_name: "Clin".into(),
        last_name: "Ician".into(),
        role: Role::Clinician,
        is_active: true,
        clinician_id: None,
        phone: None,
        created_at: NOW,
        updated_at: NOW,
    }
}

fn address() -> ShippingAddress {
    let input = AddressInput {
        line1: Some("1 Main St".into()),
        line2: None,
        city: Some("Springfield".into()),
        state: Some("IL".into()),
        zip_code: Some("62701".into()),
    };
    ShippingAddress::parse(&mut Vec::new(), &input).expect("valid")
}

fn stored(status: LabStatus, acc: u128) -> LabOrderView {
    LabOrderView {
        order: LabOrder {
            id: LabOrderId(uuid::Uuid::from_u128(9)),
            account_id: account(acc),
            patient_id: PatientId(uuid::Uuid::from_u128(7)),
            provider_id: UserId(uuid::Uuid::from_u128(101)),
            test_type: TestType::Brca,
            status,
            shipping_address: address(),
            notes: None,
            lab_reference: None,
            reason: None,
            result: None,
            review: None,
            created_at: NOW,
            updated_at: NOW,
            completed_at: None,
            version: 1,
        },
        patient_name: "Pat Ient".into(),
        clinician_name: "Clin Ician".into(),
    }
}

/// Mocks with a clock and ids; each test adds its expectations.
struct Mocks {
    orders: MockLabOrderRepository,
    integrations: MockLabIntegrationRepository,
    gateway: MockLabGateway,
    secrets: MockSecretBox,
    patients: MockPatientRepository,
    users: MockUserRepository,
}

impl Mocks {
    fn new() -> Self {
        Self {
            orders: MockLabOrderRepository::new(),
            integrations: MockLabIntegrationRepository::new(),
            gateway: MockLabGateway::new(),
            secrets: MockSecretBox::new(),
            patients: MockPatientRepository::new(),
            users: MockUserRepository::new(),
        }
    }

    fn service(self) -> LabService {
        let mut clock = MockClock::new();
        clock.expect_now().return_const(NOW);
        let mut random = MockRandom::new();
        random.expect_uuid().returning(uuid::Uuid::new_v4);
        random.expect_bytes().returning(|n| vec![7; n]);
        let mut audit = MockAuditLog::new();
        audit.expect_record().returning(|_| Ok(()));
        LabService::new(LabPorts {
            orders: Arc::new(self.orders),
            integrations: Arc::new(self.integrations),
            gateway: Arc::new(self.gateway),
            secrets: Arc::new(self.secrets),
            patients: Arc::new(self.patients),
            users: Arc::new(self.users),
            files: Arc::new(MockFileRepository::new()),
            audit: Arc::new(audit),
            clock: Arc::new(clock),
            random: Arc::new(random),
        })
    }
}

fn new_order(provider: Option<UserId>) -> NewLabOrder {
    NewLabOrder {
        patient_id: PatientId(uuid::Uuid::from_u128(7)),
        test_type: TestType::Mri,
        provider_id: provider,
        shipping_address: address(),
        notes: None,
    }
}

#[tokio::test]
async fn a_clinician_orders_with_itself_as_provider_and_the_lab_request_in_the_same_write() {
    let p = principal(Role::Clinician, 1);
    let mut m = Mocks::new();
    m.patients.expect_get().returning(|_| Ok(patient(1)));
    let me = p.user_id;
    m.users
        .expect_get()
        .withf(move |id| *id == me)
        .returning(move |id| Ok(clinician(id, 1)));
    m.gateway
        .expect_order_request()
        .times(1)
        .returning(|o| LabRequest {
            kind: "lab_order",
            payload: serde_json::json!({"order_id": o.id}),
        });
    m.orders
        .expect_create()
        .times(1)
        .withf(|o, r, a| {
            o.status == LabStatus::Ordered
                && r.payload["order_id"] == serde_json::json!(o.id)
                && a.action == AuditAction::Create
        })
        .returning(|_, _, _| Ok(()));
    let view = m
        .service()
        .order(&p, new_order(None))
        .await
        .expect("ordered");
    assert_eq!(view.order.provider_id, me);
    assert_eq!(view.order.created_at, NOW);
    assert_eq!(view.patient_name, "Pat Ient");
}

#[tokio::test]
async fn another_accounts_patient_is_not_found_and_nothing_is_written() {
    let mut m = Mocks::new();
    m.patients.expect_get().returning(|_| Ok(patient(2)));
    m.orders.expect_create().never();
    let e = m
        .service()
        .order(&principal(Role::Admin, 1), new_order(None))
        .await
        .expect_err("refused");
    assert!(matches!(e, LabError::NotFound(Entity::Patient)), "{e:?}");
}

#[tokio::test]
async fn an_admin_names_the_provider_and_roles_without_orders_are_denied_first() {
    let mut m = Mocks::new();
    m.patients.expect_get().returning(|_| Ok(patient(1)));
    let svc = m.service();
    let e = svc
        .order(&principal(Role::Admin, 1), new_order(None))
        .await
        .expect_err("refused");
    assert!(
        matches!(&e, LabError::Invalid(f) if f[0].loc == vec!["provider_id".into()]),
        "{e:?}"
    );
    for role in [Role::LabTech, Role::Patient, Role::User] {
        let e = svc
            .order(&principal(role, 1), new_order(None))
            .await
            .expect_err("denied");
        assert!(matches!(e, LabError::Denied(_)), "{role}: {e:?}");
    }
}

#[tokio::test]
async fn status_changes_check_the_role_for_the_status_then_the_table() {
    let mut m = Mocks::new();
    m.orders
        .expect_get()
        .returning(|_| Ok(stored(LabStatus::Ordered, 1)));
    m.orders.expect_save().never();
    let svc = m.service();
    let id = LabOrderId(uuid::Uuid::from_u128(9));
    let change = |s| StatusChange {
        status: s,
        reason: None,
    };
    let e = svc
        .set_status(
            &principal(Role::Clinician, 1),
            id,
            change(LabStatus::SpecimenCollected),
        )
        .await
        .expect_err("denied");
    assert!(matches!(e, LabError::Denied(_)), "{e:?}");
    let e = svc
        .set_status(
            &principal(Role::LabTech, 1),
            id,
            change(LabStatus::InProcess),
        )
        .await
        .expect_err("refused");
    assert_eq!(
        e.to_string(),
        "Invalid status transition from ordered to in_process"
    );
    let e = svc
        .set_status(&principal(Role::Admin, 2), id, change(LabStatus::Cancelled))
        .await
        .expect_err("elsewhere");
    assert!(matches!(e, LabError::NotFound(Entity::LabOrder)), "{e:?}");
}

#[tokio::test]
async fn a_review_needs_a_final_result() {
    let mut m = Mocks::new();
    m.orders
        .expect_get()
        .returning(|_| Ok(stored(LabStatus::InProcess, 1)));
    m.orders.expect_save().never();
    let e = m
        .service()
        .review(
            &principal(Role::Clinician, 1),
            LabOrderId(uuid::Uuid::from_u128(9)),
        )
        .await
        .expect_err("refused");
    assert!(
        matches!(e, LabError::Conflict(LabConflict::NoFinalResult(_))),
        "{e:?}"
    );
}

fn lab(active: bool) -> LabIntegration {
    LabIntegration {
        id: crate::common::LabIntegrationId(uuid::Uuid::from_u128(5)),
        name: "Acme".into(),
        accounts: vec![account(1)],
        active,
        sealed_secret: "sealed".into(),
        created_at: NOW,
        updated_at: NOW,
    }
}

fn event(status: LabStatus) -> LabEvent {
    LabEvent {
        event_id: Text::parse("event_id", "e1").ok().flatten().expect("id"),
        order: OrderRef::Id(LabOrderId(uuid::Uuid::from_u128(9))),
        lab_reference: None,
        change: EventChange::Status(StatusChange {
            status,
            reason: None,
        }),
    }
}

#[tokio::test]
async fn a_replay_is_a_duplicate_whether_storage_or_the_table_notices_it_first() {
    // The unique key refuses the second write.
    let mut m = Mocks::new();
    m.orders
        .expect_get()
        .returning(|_| Ok(stored(LabStatus::Ordered, 1)));
    m.orders
        .expect_save()
        .withf(|_, _, e| e.as_ref().is_some_and(|k| k.event_id == "e1"))
        .returning(|_, _, _| Err(RepoError::Duplicate("event_id")));
    let out = m
        .service()
        .apply_event(&lab(true), event(LabStatus::SpecimenCollected))
        .await
        .expect("answered");
    assert_eq!(out, EventOutcome::Duplicate);
    // The order moved on already: the table refuses, and the event was seen.
    let mut m = Mocks::new();
    m.orders
        .expect_get()
        .returning(|_| Ok(stored(LabStatus::SpecimenCollected, 1)));
    m.orders.expect_save().never();
    m.orders.expect_event_seen().returning(|_| Ok(true));
    let out = m
        .service()
        .apply_event(&lab(true), event(LabStatus::SpecimenCollected))
        .await
        .expect("answered");
    assert_eq!(out, EventOutcome::Duplicate);
    // Not seen: the refusal stands.
    let mut m = Mocks::new();
    m.orders
        .expect_get()
        .returning(|_| Ok(stored(LabStatus::SpecimenCollected, 1)));
    m.orders.expect_event_seen().returning(|_| Ok(false));
    let e = m
        .service()
        .apply_event(&lab(true), event(LabStatus::SpecimenCollected))
        .await
        .expect_err("refused");
    assert!(
        matches!(e, LabError::Conflict(LabConflict::Transition(_))),
        "{e:?}"
    );
}

#[tokio::test]
async fn an_event_for_an_account_the_lab_does_not_serve_is_not_found() {
    let mut m = Mocks::new();
    m.orders
        .expect_get()
        .returning(|_| Ok(stored(LabStatus::Ordered, 2)));
    m.orders.expect_event_seen().returning(|_| Ok(false));
    m.orders.expect_save().never();
    let e = m
        .service()
        .apply_event(&lab(true), event(LabStatus::SpecimenCollected))
        .await
        .expect_err("refused");
    assert!(matches!(e, LabError::NotFound(Entity::LabOrder)), "{e:?}");
}

#[tokio::test]
async fn only_active_integrations_with_a_good_signature_pass() {
    let ts = NOW.unix_timestamp();
    let body = br#"{"event_id":"e1"}"#;
    let sig = crate::labs::webhook::sign(b"secret", ts, body);
    let id = "00000000-0000-0000-0000-000000000005";
    let mut m = Mocks::new();
    m.integrations.expect_get().returning(|_| Ok(lab(true)));
    m.secrets
        .expect_open()
        .returning(|_| Ok(b"secret".to_vec()));
    let svc = m.service();
    assert!(
        svc.authenticate(id, &ts.to_string(), &sig, body)
            .await
            .is_ok()
    );
    let e = svc
        .authenticate(id, &ts.to_string(), &sig, b"{}")
        .await
        .expect_err("tampered");
    assert!(
        matches!(e, LabError::BadSignature(SignatureRefusal::Mismatch)),
        "{e:?}"
    );
    let mut m = Mocks::new();
    m.integrations.expect_get().returning(|_| Ok(lab(false)));
    let e = m
        .service()
        .authenticate(id, &ts.to_string(), &sig, body)
        .await
        .expect_err("inactive");
    assert!(
        matches!(e, LabError::BadSignature(SignatureRefusal::Integration)),
        "{e:?}"
    );
}
