//! Shared fixtures: a fixed clock, deterministic randomness, records and principals, and the
//! wiring of both services over fresh mocks.

use genascope_domain::audit::MockAuditLog;
use genascope_domain::common::{
    AccountId, Attempt, FieldError, Loc, MockClock, MockRandom, PatientId, RepoError, Text,
    Timestamp, UserId,
};
use genascope_domain::identity::error::IdentityError;
use genascope_domain::identity::model::{
    Account, AccountStatus, Credentials, Email, NewPassword, PersonName, Role, User,
};
use genascope_domain::identity::policy::{AccessType, Principal};
use genascope_domain::identity::ports::{
    Admission, MockAccountRepository, MockCredentialHasher, MockGrantRepository, MockLoginThrottle,
    MockTokenCodec, MockTokenStore, MockUserRepository,
};
use genascope_domain::identity::service::{IdentityPorts, IdentityService, IdentitySettings};
use genascope_domain::invites::ports::MockInviteRepository;
use genascope_domain::patients::error::PatientError;
use genascope_domain::patients::model::{Patient, PatientStatus, PatientView, ScreeningStatus};
use genascope_domain::patients::ports::{MockChatStages, MockPatientRepository};
use genascope_domain::patients::service::{PatientPorts, PatientService};
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use time::macros::datetime;
use uuid::Uuid;

/// The instant every service sees (whole seconds).
pub const NOW: Timestamp = datetime!(2026-03-10 12:00:00 UTC);

/// The frontend base URL the identity tests configure (with a trailing slash on purpose).
pub const FRONTEND: &str = "https://app.genascope.test/";

/// A clock stuck at `t`.
pub fn clock_at(t: Timestamp) -> MockClock {
    let mut c = MockClock::new();
    c.expect_now().return_const(t);
    c
}

/// Fresh v4 uuids; `bytes(n)` returns `[k; n]` with k = 1, 2, 3... on successive calls, so
/// successive opaque tokens are `token_hex(1)`, `token_hex(2)`, ...
pub fn random() -> MockRandom {
    let mut r = MockRandom::new();
    r.expect_uuid().returning(Uuid::new_v4);
    let counter = AtomicU8::new(0);
    r.expect_bytes().returning(move |n| {
        let k = counter.fetch_add(1, Ordering::SeqCst) + 1;
        vec![k; n]
    });
    r
}

/// The hex opaque token built from the k-th `bytes(32)` call.
pub fn token_hex(k: u8) -> String {
    format!("{k:02x}").repeat(32)
}

/// The digest the mock hasher computes.
pub fn digest_of(token: &str) -> String {
    format!("sha256({token})")
}

/// A hasher mock that only knows how to digest; tests add password expectations.
pub fn hasher() -> MockCredentialHasher {
    let mut h = MockCredentialHasher::new();
    h.expect_digest().returning(digest_of);
    h
}

/// Records every value passed to a mock.
#[derive(Debug)]
pub struct Slot<T>(Arc<Mutex<Vec<T>>>);

impl<T> Clone for Slot<T> {
    fn clone(&self) -> Self {
        Self(Arc::clone(&self.0))
    }
}

impl<T: Clone> Slot<T> {
    pub fn new() -> Self {
        Self(Arc::new(Mutex::new(Vec::new())))
    }
    pub fn push(&self, v: T) {
        self.0.lock().unwrap().push(v);
    }
    pub fn all(&self) -> Vec<T> {
        self.0.lock().unwrap().clone()
    }
    /// The single recorded value (panics unless exactly one).
    pub fn one(&self) -> T {
        let all = self.all();
        assert_eq!(all.len(), 1, "expected exactly one recorded call");
        all[0].clone()
    }
}

pub fn account_id() -> AccountId {
    AccountId(Uuid::new_v4())
}

pub fn user_id() -> UserId {
    UserId(Uuid::new_v4())
}

/// An active user of `account` (None: super_admin-style) with a unique email.
pub fn user(role: Role, account: Option<AccountId>) -> User {
    let id = user_id();
    User {
        id,
        account_id: account,
        email: Email::from_trusted(format!("u{}@clinic.org", id.0.simple())),
        name: "Jane Doe".into(),
        first_name: "Jane".into(),
        last_name: "Doe".into(),
        role,
        is_active: true,
        clinician_id: None,
        phone: None,
        created_at: NOW - time::Duration::days(30),
        updated_at: NOW - time::Duration::days(30),
    }
}

pub fn account(id: AccountId, status: AccountStatus) -> Account {
    Account {
        id,
        name: "Clinic".into(),
        domain: Some("clinic.org".into()),
        status,
        time_zone: genascope_domain::common::ClinicZone::default(),
        created_at: NOW - time::Duration::days(100),
        updated_at: NOW - time::Duration::days(100),
    }
}

pub fn creds(user: &User, hash: Option<&str>, changed: Option<Timestamp>) -> Credentials {
    Credentials {
        user: user.clone(),
        password_hash: hash.map(str::to_owned),
        password_changed_at: changed,
    }
}

/// The full-token principal of a stored user.
pub fn principal(u: &User) -> Principal {
    Principal {
        user_id: u.id,
        role: u.role,
        account_id: u.account_id,
        access: AccessType::Full,
        jti: "jti-1".into(),
        token_exp: (NOW + time::Duration::minutes(30)).unix_timestamp(),
        session: None,
        grant: None,
    }
}

/// A principal without a stored user behind it.
pub fn principal_as(role: Role, account: Option<AccountId>) -> Principal {
    principal(&user(role, account))
}

pub fn patient(account: AccountId) -> Patient {
    let id = PatientId(Uuid::new_v4());
    Patient {
        id,
        account_id: account,
        first_name: "Pat".into(),
        last_name: "Smith".into(),
        email: Email::from_trusted(format!("p{}@mail.org", id.0.simple())),
        phone: Some("+1 555 0100".into()),
        date_of_birth: Some(time::macros::date!(1980 - 05 - 17)),
        external_id: Some("EXT-1".into()),
        clinician_id: None,
        status: PatientStatus::Active,
        notes: Some("note".into()),
        created_at: NOW - time::Duration::days(3),
        updated_at: NOW - time::Duration::days(3),
        version: 1,
    }
}

pub fn view(p: &Patient) -> PatientView {
    PatientView {
        patient: p.clone(),
        clinician_name: None,
        has_login: false,
        has_pending_invite: false,
        screening_status: ScreeningStatus::NotInvited,
        last_activity: p.updated_at.date(),
    }
}

/// An error with a list of field errors when invalid.
pub trait Invalid: std::fmt::Debug {
    /// The field errors, when the error is `Invalid`.
    fn field_errors(&self) -> Option<&[FieldError]>;
}

impl Invalid for IdentityError {
    fn field_errors(&self) -> Option<&[FieldError]> {
        match self {
            Self::Invalid(errors) => Some(errors),
            _ => None,
        }
    }
}

impl Invalid for genascope_domain::invites::error::InviteError {
    fn field_errors(&self) -> Option<&[FieldError]> {
        match self {
            Self::Invalid(errors) => Some(errors),
            _ => None,
        }
    }
}

impl Invalid for PatientError {
    fn field_errors(&self) -> Option<&[FieldError]> {
        match self {
            Self::Invalid(errors) => Some(errors),
            Self::Identity(e) => e.field_errors(),
            _ => None,
        }
    }
}

/// The field names (`loc[0]`) of an `Invalid` error, in order; panics on anything else.
pub fn fields<T: std::fmt::Debug, E: Invalid>(r: &Result<T, E>) -> Vec<String> {
    match r.as_ref().err().and_then(Invalid::field_errors) {
        Some(errs) => errs
            .iter()
            .map(|e| match e.loc.first() {
                Some(Loc::Key(k)) => k.clone(),
                other => panic!("unexpected loc {other:?}"),
            })
            .collect(),
        None => panic!("expected invalid fields, got {:?}", r.as_ref().err()),
    }
}

/// A valid email.
pub fn email(s: &str) -> Email {
    Email::parse(s).expect("a valid email")
}

/// A valid full name, split.
pub fn person(s: &str) -> PersonName {
    PersonName::field(&mut Vec::new(), Some(s), None, None).expect("a valid name")
}

/// A password that passes the policy.
pub fn new_password(s: &str) -> NewPassword {
    NewPassword::check(&mut Vec::new(), ("password", "confirm"), s, None, None)
        .expect("a valid password")
}

/// A valid, non-blank text.
pub fn text<const MAX: usize, const MULTILINE: bool>(s: &str) -> Text<MAX, MULTILINE> {
    Text::parse("text", s)
        .expect("a valid text")
        .expect("a non-blank text")
}

/// A throttle's answer letting an attempt on `key` through (its attempt names the key).
pub fn admitted(key: &str) -> Result<Admission, RepoError> {
    Ok(Admission::Admitted(Attempt {
        id: uuid::Uuid::nil(),
        key: key.to_owned(),
    }))
}

/// Every port of the identity service as a fresh mock.
pub struct Mocks {
    pub accounts: MockAccountRepository,
    pub users: MockUserRepository,
    pub tokens: MockTokenStore,
    pub hasher: MockCredentialHasher,
    pub codec: MockTokenCodec,
    pub grants: MockGrantRepository,
    pub throttle: MockLoginThrottle,
    pub reset_throttle: MockLoginThrottle,
    pub clock: MockClock,
    pub random: MockRandom,
    pub settings: IdentitySettings,
}

impl Mocks {
    pub fn new() -> Self {
        Self::at(NOW)
    }

    pub fn at(t: Timestamp) -> Self {
        Self {
            accounts: MockAccountRepository::new(),
            users: MockUserRepository::new(),
            tokens: MockTokenStore::new(),
            hasher: hasher(),
            codec: MockTokenCodec::new(),
            grants: MockGrantRepository::new(),
            throttle: MockLoginThrottle::new(),
            reset_throttle: {
                let mut t = MockLoginThrottle::new();
                t.expect_check().returning(|k, _, _| admitted(k));
                t.expect_record_failure().returning(|_, _| Ok(()));
                t
            },
            clock: clock_at(t),
            random: random(),
            settings: IdentitySettings {
                frontend_base_url: FRONTEND.into(),
                ..IdentitySettings::default()
            },
        }
    }

    pub fn identity(self) -> IdentityService {
        IdentityService::new(
            IdentityPorts {
                accounts: Arc::new(self.accounts),
                users: Arc::new(self.users),
                tokens: Arc::new(self.tokens),
                hasher: Arc::new(self.hasher),
                codec: Arc::new(self.codec),
                grants: Arc::new(self.grants),
                throttle: Arc::new(self.throttle),
                reset_throttle: Arc::new(self.reset_throttle),
                clock: Arc::new(self.clock),
                random: Arc::new(self.random),
            },
            self.settings,
        )
    }
}

/// The ports of the patient service.
pub struct PatientMocks {
    pub patients: MockPatientRepository,
    pub users: MockUserRepository,
    pub accounts: MockAccountRepository,
    pub audit: MockAuditLog,
    pub invites: MockInviteRepository,
    pub chats: MockChatStages,
}

impl PatientMocks {
    pub fn new() -> Self {
        Self {
            patients: MockPatientRepository::new(),
            users: MockUserRepository::new(),
            accounts: {
                // Every account a test names exists and is live, unless the test says otherwise.
                let mut a = MockAccountRepository::new();
                a.expect_get()
                    .returning(|id| Ok(account(id, AccountStatus::Active)));
                a
            },
            audit: {
                // Every patient read or write must be audited; the entries are checked where it
                // matters (patients::*audit*).
                let mut audit = MockAuditLog::new();
                audit.expect_record().returning(|_| Ok(()));
                audit
            },
            invites: {
                // No patient has invites, unless the test says otherwise.
                let mut i = MockInviteRepository::new();
                i.expect_summaries().returning(|_| Ok(Vec::new()));
                i
            },
            chats: {
                // No patient has chat sessions, unless the test says otherwise.
                let mut c = MockChatStages::new();
                c.expect_chat_summaries().returning(|_| Ok(Vec::new()));
                c
            },
        }
    }

    pub fn service(self) -> PatientService {
        self.service_with(Mocks::new())
    }

    /// The service over these mocks, with identity over `identity`'s (patients' logins).
    pub fn service_with(self, identity: Mocks) -> PatientService {
        PatientService::new(
            PatientPorts {
                patients: Arc::new(self.patients),
                users: Arc::new(self.users),
                accounts: Arc::new(self.accounts),
                clock: Arc::new(clock_at(NOW)),
                random: Arc::new(random()),
                audit: Arc::new(self.audit),
                invites: Arc::new(self.invites),
                chats: Arc::new(self.chats),
            },
            identity.identity(),
        )
    }
}

/// The patient repository holds `p`.
pub fn existing(m: &mut PatientMocks, p: &Patient) {
    let (id, v) = (p.id, view(p));
    m.patients
        .expect_get()
        .withf(move |i| *i == id)
        .returning(move |_| Ok(v.clone()));
}

impl Invalid for genascope_domain::questionnaire::knowledge::error::KnowledgeError {
    fn field_errors(&self) -> Option<&[FieldError]> {
        match self {
            Self::Invalid(errors) => Some(errors),
            _ => None,
        }
    }
}
