//! Fixtures.

use genascope_adapters_postgres::testing::TestDb;
use genascope_domain::audit::{AuditAction, AuditEntry, AuditRecords};
use genascope_domain::common::{AccountId, PatientId, Timestamp, UserId};
use genascope_domain::identity::model::{Account, AccountStatus, Email, Role, User};
use genascope_domain::identity::ports::{
    AccountRepository, NewUser, RefreshTokenRecord, ResetLink, UserRepository,
};
use genascope_domain::notify::OutgoingEmail;
use genascope_domain::patients::model::{Patient, PatientStatus};
use genascope_domain::patients::ports::PatientLogin;
use time::macros::datetime;
use uuid::Uuid;

/// A fixed instant, plus `minutes`.
pub fn at(minutes: i64) -> Timestamp {
    datetime!(2026-03-01 09:00:00 UTC) + time::Duration::minutes(minutes)
}

pub fn email(s: &str) -> Email {
    Email::parse(s).unwrap()
}

pub fn account(name: &str, domain: Option<&str>) -> Account {
    Account {
        id: AccountId(Uuid::new_v4()),
        name: name.to_owned(),
        domain: domain.map(str::to_owned),
        status: AccountStatus::Active,
        time_zone: genascope_domain::common::ClinicZone::default(),
        created_at: at(0),
        updated_at: at(0),
    }
}

pub fn user(account: Option<AccountId>, mail: &str, name: &str, role: Role) -> User {
    let (first, last) = name.rsplit_once(' ').unwrap_or(("", name));
    User {
        id: UserId(Uuid::new_v4()),
        account_id: account,
        email: email(mail),
        name: name.to_owned(),
        first_name: first.to_owned(),
        last_name: last.to_owned(),
        role,
        is_active: true,
        clinician_id: None,
        phone: None,
        created_at: at(0),
        updated_at: at(0),
    }
}

pub fn new_user(user: User) -> NewUser {
    NewUser {
        user,
        password_hash: Some("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".to_owned()),
    }
}

pub fn patient(account: AccountId, mail: &str, first: &str, last: &str) -> Patient {
    Patient {
        id: PatientId(Uuid::new_v4()),
        account_id: account,
        first_name: first.to_owned(),
        last_name: last.to_owned(),
        email: email(mail),
        phone: None,
        date_of_birth: None,
        external_id: None,
        clinician_id: None,
        status: PatientStatus::Active,
        notes: None,
        created_at: at(0),
        updated_at: at(0),
        version: 1,
    }
}

/// An audit entry for a repository write (its content is checked in `audit.rs`).
/// A patient login `user` that comes with the new patient record `p` (and its audit entry).
pub fn login_with_record(user: User, p: &Patient) -> PatientLogin {
    PatientLogin {
        login: new_user(user),
        record: Some((
            p.clone(),
            AuditEntry {
                records: AuditRecords::One(p.id.0),
                account_id: Some(p.account_id),
                ..audit(AuditAction::Create)
            },
        )),
        setup: None,
    }
}

pub fn audit(action: AuditAction) -> AuditEntry {
    AuditEntry {
        id: Uuid::new_v4(),
        at: at(0),
        actor_id: None,
        action,
        record_type: "patient",
        records: AuditRecords::One(Uuid::new_v4()),
        account_id: None,
    }
}

pub fn refresh(user: UserId, digest: &str, created: Timestamp) -> RefreshTokenRecord {
    RefreshTokenRecord {
        id: Uuid::new_v4(),
        user_id: user,
        family_id: Uuid::new_v4(),
        token_digest: digest.to_owned(),
        created_at: created,
        expires_at: created + time::Duration::days(14),
    }
}

/// A reset link without an email.
pub fn link(digest: &str, created: Timestamp, expires: Timestamp) -> ResetLink {
    ResetLink {
        digest: digest.to_owned(),
        created_at: created,
        expires_at: expires,
        mail: None,
    }
}

/// An email to `to` whose subject is `subject`.
pub fn mail(to: &str, subject: &str) -> OutgoingEmail {
    OutgoingEmail {
        to: to.to_owned(),
        subject: subject.to_owned(),
        text: format!("{subject}: https://app.example.org/reset-password?token=secret"),
        html: format!("<p>{subject}</p>"),
        attachments: Vec::new(),
    }
}

/// An account with its admin and a clinician.
pub async fn clinic(t: &TestDb, name: &str) -> (AccountId, User) {
    let a = account(name, None);
    let lower = name.to_lowercase();
    let admin = user(
        Some(a.id),
        &format!("admin@{lower}.org"),
        "The Admin",
        Role::Admin,
    );
    AccountRepository::create_with_admin(t.db(), &a, &new_user(admin))
        .await
        .unwrap();
    let doc = user(
        Some(a.id),
        &format!("doc@{lower}.org"),
        "Doc Holliday",
        Role::Clinician,
    );
    UserRepository::insert(t.db(), &new_user(doc.clone()), None)
        .await
        .unwrap();
    (a.id, doc)
}
