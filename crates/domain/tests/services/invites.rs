//! The invite use cases (contract §3.4) over mocked ports: what each writes, in which order, and
//! what it answers. The HTTP suite runs the same journeys against both databases; these pin the
//! rules that are about order and content (the reservation before the identity check, what goes
//! into the one write, the role check before any read).

use crate::support::*;
use genascope_domain::audit::{AuditAction, AuditRecords, MockAuditLog};
use genascope_domain::common::{ChatStrategyId, Entity, InviteId, Patch, RepoError};
use genascope_domain::identity::error::Denial;
use genascope_domain::identity::model::{AccountStatus, Role, User};
use genascope_domain::identity::policy::{AccessType, InviteGrant, Principal};
use genascope_domain::identity::ports::{
    MockAccountRepository, MockCredentialHasher, MockTokenCodec, MockUserRepository,
    SimplifiedClaims,
};
use genascope_domain::invites::error::{InviteConflict, InviteError, InviteRefusal};
use genascope_domain::invites::model::{
    ExpiryDays, IdentityClaim, Invite, InvitePatient, InviteState, InviteToken, InviteView,
};
use genascope_domain::invites::ports::{
    Acceptance, IssueError, Issued, MockInviteRepository, NewInvite, StrategyChoice, StrategyRef,
};
use genascope_domain::invites::rules::InviteDraft;
use genascope_domain::invites::service::{
    BulkItem, GenerateInvite, InvitePorts, InviteService, InviteSettings, InvitedPatient,
    RegisterPatient, RegistrationCredential, ResendInvite, SimplifiedAccess,
};
use genascope_domain::patients::model::{Patient, PatientStatus};
use genascope_domain::patients::ports::MockPatientRepository;
use mockall::Sequence;
use std::sync::Arc;
use time::macros::date;
use uuid::Uuid;

const DOB: time::Date = date!(1980 - 05 - 17);

/// Every port of the invite service as a fresh mock: accounts exist and are active, audit
/// records succeed.
struct InviteMocks {
    invites: MockInviteRepository,
    patients: MockPatientRepository,
    users: MockUserRepository,
    accounts: MockAccountRepository,
    codec: MockTokenCodec,
    hasher: MockCredentialHasher,
    audit: MockAuditLog,
    settings: InviteSettings,
}

impl InviteMocks {
    fn new() -> Self {
        let mut accounts = MockAccountRepository::new();
        accounts
            .expect_get()
            .returning(|id| Ok(account(id, AccountStatus::Active)));
        let mut audit = MockAuditLog::new();
        audit.expect_record().returning(|_| Ok(()));
        Self {
            invites: MockInviteRepository::new(),
            patients: MockPatientRepository::new(),
            users: MockUserRepository::new(),
            accounts,
            codec: MockTokenCodec::new(),
            hasher: MockCredentialHasher::new(),
            audit,
            settings: InviteSettings {
                frontend_base_url: "https://app.genascope.test".into(),
                ..InviteSettings::default()
            },
        }
    }

    fn service(self) -> InviteService {
        InviteService::new(
            InvitePorts {
                invites: Arc::new(self.invites),
                patients: Arc::new(self.patients),
                users: Arc::new(self.users),
                accounts: Arc::new(self.accounts),
                codec: Arc::new(self.codec),
                hasher: Arc::new(self.hasher),
                audit: Arc::new(self.audit),
                clock: Arc::new(clock_at(NOW)),
                random: Arc::new(random()),
            },
            self.settings,
        )
    }

    /// The patient repository holds `p` (live).
    fn patient(&mut self, p: &Patient) {
        let v = view(p);
        let id = p.id;
        self.patients
            .expect_get()
            .withf(move |i| *i == id)
            .returning(move |_| Ok(v.clone()));
    }

    /// Fresh mocks holding the patient `p` and the staff user `u`.
    fn holding(p: &Patient, u: &User) -> Self {
        let mut m = Self::new();
        m.patient(p);
        m.user(u);
        m
    }

    /// The user repository holds `u`.
    fn user(&mut self, u: &User) {
        let (id, u) = (u.id, u.clone());
        self.users
            .expect_get()
            .withf(move |i| *i == id)
            .returning(move |_| Ok(u.clone()));
    }
}

fn generate(p: &Patient) -> GenerateInvite {
    GenerateInvite {
        patient: InvitedPatient::Existing(p.id),
        provider_id: None,
        strategy: StrategyChoice::AccountDefault,
        custom_message: None,
        send_email: true,
        expiry: ExpiryDays::DEFAULT,
    }
}

/// A pending invite of `p` issued a day ago, and its token.
fn pending(p: &Patient) -> (Invite, InviteToken) {
    let token = InviteToken::from_bytes([42; 32]);
    let invite = Invite::issue(
        InviteDraft {
            id: InviteId(Uuid::new_v4()),
            account_id: p.account_id,
            patient_id: p.id,
            provider_id: None,
            provider_name: Some("Dr Who".into()),
            chat_strategy_id: Some(ChatStrategyId(Uuid::new_v4())),
            chat_strategy_name: Some("Screening".into()),
            custom_message: None,
            created_by: user_id(),
        },
        &token,
        ExpiryDays::DEFAULT,
        NOW - time::Duration::days(1),
    );
    (invite, token)
}

fn invite_view(i: &Invite, p: &Patient) -> InviteView {
    InviteView {
        invite: i.clone(),
        patient: InvitePatient {
            email: p.email.clone(),
            first_name: p.first_name.clone(),
            last_name: p.last_name.clone(),
            phone: p.phone.clone(),
        },
    }
}

/// The token store finds `i` by its token's hash.
fn findable(m: &mut InviteMocks, i: &Invite, p: &Patient) {
    let v = invite_view(i, p);
    m.invites
        .expect_find_by_token_hash()
        .returning(move |_| Ok(Some(v.clone())));
}

/// `simplified_access` with `token` and these names (born `DOB`), over the mocks.
async fn access(
    m: InviteMocks,
    token: &InviteToken,
    first: &str,
    last: &str,
) -> Result<genascope_domain::invites::service::SimplifiedSession, InviteError> {
    m.service()
        .simplified_access(SimplifiedAccess {
            token: token.expose().to_owned(),
            identity: claim(first, last, DOB),
        })
        .await
}

fn claim(first: &str, last: &str, dob: time::Date) -> IdentityClaim {
    IdentityClaim {
        first_name: first.into(),
        last_name: last.into(),
        date_of_birth: dob,
    }
}

#[tokio::test]
async fn generate_writes_the_invite_its_email_and_audit_in_one_call() {
    let account = account_id();
    let p = patient(account);
    let clin = user(Role::Clinician, Some(account));
    let mut m = InviteMocks::holding(&p, &clin);
    let strategy = StrategyRef {
        id: ChatStrategyId(Uuid::new_v4()),
        name: "Hereditary".into(),
    };
    let written: Slot<NewInvite> = Slot::new();
    let (w, s) = (written.clone(), strategy.clone());
    m.invites.expect_create().times(1).returning(move |new| {
        w.push(new.clone());
        Ok(Issued {
            revoked: vec![InviteId(Uuid::new_v4())],
            chat_strategy: Some(s.clone()),
        })
    });
    let mut cmd = generate(&p);
    cmd.custom_message =
        genascope_domain::invites::model::CustomMessage::parse("<b>Hi</b>").unwrap();
    let issued = m.service().generate(&principal(&clin), cmd).await.unwrap();
    let new = written.one();
    let invite = &new.invite;
    // Rules 1 and 2: a pending invite, 14 days, the caller as provider.
    assert_eq!(invite.state, InviteState::Pending);
    assert_eq!(invite.expires_at, NOW + time::Duration::days(14));
    assert_eq!(invite.provider_id, Some(clin.id));
    assert_eq!(invite.provider_name.as_deref(), Some("Jane Doe"));
    assert_eq!(invite.created_by, clin.id);
    assert_eq!(new.strategy, StrategyChoice::AccountDefault);
    assert!(new.new_patient.is_none());
    // The link's token is the one whose hash is stored.
    let token = issued.invite_url.rsplit('/').next().unwrap();
    assert!(
        issued
            .invite_url
            .starts_with("https://app.genascope.test/invite/")
    );
    assert!(
        invite
            .token_hash
            .matches(&InviteToken::parse(token).unwrap())
    );
    // The email: to the patient, with the link, the note escaped.
    let mail = new.mail.clone().expect("an email");
    assert_eq!(mail.to, p.email.to_string());
    assert!(mail.text.contains(&issued.invite_url));
    assert!(mail.html.contains("&lt;b&gt;Hi&lt;/b&gt;") && !mail.html.contains("<b>Hi"));
    assert!(issued.email_sent);
    // Audit: the invite's creation; rule 5's revocations named in their own entry.
    assert_eq!(new.audit.len(), 1);
    assert_eq!(new.audit[0].action, AuditAction::Create);
    assert_eq!(new.audit[0].record_type, "invite");
    assert_eq!(new.audit[0].records, AuditRecords::One(invite.id.0));
    assert_eq!(new.superseded_audit.action, AuditAction::Update);
    // The answer carries the strategy storage chose.
    assert_eq!(issued.view.invite.chat_strategy_id, Some(strategy.id));
    assert_eq!(
        issued.view.invite.chat_strategy_name.as_deref(),
        Some("Hereditary")
    );
    assert_eq!(issued.view.patient.email, p.email);
}

#[tokio::test]
async fn generate_checks_the_role_before_reading_and_the_scope_before_writing() {
    let account = account_id();
    let p = patient(account);
    // No expectations: a lab tech is refused before any port is asked.
    let m = InviteMocks::new();
    let r = m
        .service()
        .generate(&principal_as(Role::LabTech, Some(account)), generate(&p))
        .await;
    assert_err!(r, InviteError::Denied(Denial::NotPermitted));
    // Another account's clinician: the patient is read, and is not found for it.
    let mut m = InviteMocks::new();
    m.patient(&p);
    let r = m
        .service()
        .generate(
            &principal_as(Role::Clinician, Some(account_id())),
            generate(&p),
        )
        .await;
    assert_err!(r, InviteError::NotFound(Entity::Patient));
    // A simplified token never invites.
    let mut sim = principal_as(Role::Patient, Some(account));
    sim.access = AccessType::Simplified;
    let r = InviteMocks::new()
        .service()
        .generate(&sim, generate(&p))
        .await;
    assert_err!(r, InviteError::Denied(Denial::SimplifiedAccess));
}

#[tokio::test]
async fn no_email_when_mail_is_off_or_not_wanted_and_strategy_refusals_are_named() {
    let account = account_id();
    let p = patient(account);
    let admin = user(Role::Admin, Some(account));
    for (mail_enabled, send_email) in [(false, true), (true, false)] {
        let mut m = InviteMocks::new();
        m.settings.mail_enabled = mail_enabled;
        m.patient(&p);
        m.user(&admin);
        m.invites.expect_create().times(1).returning(|new| {
            assert!(new.mail.is_none());
            Ok(Issued {
                revoked: Vec::new(),
                chat_strategy: None,
            })
        });
        let mut cmd = generate(&p);
        cmd.send_email = send_email;
        let issued = m.service().generate(&principal(&admin), cmd).await.unwrap();
        assert!(!issued.email_sent);
    }
    for (refusal, inactive) in [
        (IssueError::StrategyNotFound, false),
        (IssueError::StrategyInactive, true),
    ] {
        let mut m = InviteMocks::holding(&p, &admin);
        let refusal = std::sync::Mutex::new(Some(refusal));
        m.invites
            .expect_create()
            .returning(move |_| Err(refusal.lock().unwrap().take().unwrap()));
        let mut cmd = generate(&p);
        cmd.strategy = StrategyChoice::Named(ChatStrategyId(Uuid::new_v4()));
        let r = m.service().generate(&principal(&admin), cmd).await;
        if inactive {
            assert_eq!(fields(&r), vec!["chat_strategy_id"]);
        } else {
            assert_err!(r, InviteError::NotFound(Entity::ChatStrategy));
        }
    }
}

#[tokio::test]
async fn a_provider_must_be_an_active_care_team_member_of_the_patients_account() {
    let account = account_id();
    let p = patient(account);
    let admin = user(Role::Admin, Some(account));
    let lab = user(Role::LabTech, Some(account));
    let elsewhere = user(Role::Clinician, Some(account_id()));
    let mut inactive = user(Role::Physician, Some(account));
    inactive.is_active = false;
    for (provider, field) in [(&lab, true), (&elsewhere, false), (&inactive, true)] {
        let mut m = InviteMocks::new();
        m.patient(&p);
        m.user(provider);
        let mut cmd = generate(&p);
        cmd.provider_id = Some(provider.id);
        let r = m.service().generate(&principal(&admin), cmd).await;
        if field {
            assert_eq!(fields(&r), vec!["provider_id"]);
        } else {
            assert_err!(r, InviteError::NotFound(Entity::Provider));
        }
    }
    // A super admin names the account by the patient or the provider.
    let sa = principal_as(Role::SuperAdmin, None);
    let cmd = GenerateInvite {
        patient: InvitedPatient::Identity {
            email: email("new@mail.org"),
            first_name: text("New"),
            last_name: text("Comer"),
            phone: None,
        },
        ..generate(&p)
    };
    let r = InviteMocks::new().service().generate(&sa, cmd).await;
    assert_eq!(fields(&r), vec!["patient_id"]);
}

#[tokio::test]
async fn simplified_access_reserves_a_failure_before_it_compares() {
    let account = account_id();
    let p = patient(account);
    let (invite, token) = pending(&p);
    let mut m = InviteMocks::new();
    findable(&mut m, &invite, &p);
    m.patient(&p);
    let mut seq = Sequence::new();
    let before = invite.clone();
    m.invites
        .expect_update()
        .times(1)
        .in_sequence(&mut seq)
        .withf(move |b, a, audit, mail| {
            b.version == before.version
                && a.failed_attempts == before.failed_attempts + 1
                && a.version == before.version + 1
                && audit.actor_id.is_none()
                && mail.is_none()
        })
        .returning(|_, _, _, _| Ok(()));
    // A mismatch: nothing else is written.
    m.invites.expect_accept().never();
    let r = access(m, &token, "Pat", "Smyth").await;
    assert_err!(r, InviteError::IdentityMismatch);
}

#[tokio::test]
async fn simplified_access_accepts_from_the_reservation_and_issues_a_four_hour_token() {
    let account = account_id();
    let mut p = patient(account);
    p.status = PatientStatus::Pending;
    p.date_of_birth = None;
    let (mut invite, token) = pending(&p);
    invite.failed_attempts = 4;
    let mut m = InviteMocks::new();
    findable(&mut m, &invite, &p);
    m.patient(&p);
    // The first reservation loses a race (the invite moved on): it is read and reserved again.
    let mut seq = Sequence::new();
    m.invites
        .expect_update()
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_, _, _, _| Err(RepoError::Stale));
    m.invites
        .expect_update()
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_, _, _, _| Ok(()));
    let accepted: Slot<Acceptance> = Slot::new();
    let a = accepted.clone();
    m.invites
        .expect_accept()
        .times(1)
        .in_sequence(&mut seq)
        .returning(move |acc| {
            a.push(acc.clone());
            Ok(())
        });
    let claims: Slot<SimplifiedClaims> = Slot::new();
    let c = claims.clone();
    m.codec
        .expect_issue_simplified()
        .times(1)
        .returning(move |cl| {
            c.push(cl.clone());
            Ok("simplified.jwt.token".into())
        });
    let session = access(m, &token, " pat ", "SMITH").await.unwrap();
    let acc = accepted.one();
    // From the reserved version (five reservations would lock; a right answer takes its back).
    assert_eq!(acc.before.failed_attempts, 5);
    assert_eq!(acc.before.version, invite.version + 1);
    assert_eq!(acc.after.state, InviteState::Accepted);
    assert_eq!(acc.after.failed_attempts, 4);
    assert_eq!(acc.after.accepted_at, Some(NOW));
    assert_eq!(
        acc.date_of_birth,
        Some(DOB),
        "recorded: the record had none"
    );
    assert!(acc.login.is_none());
    let patient_entries = acc
        .audit
        .iter()
        .filter(|e| e.record_type == "patient")
        .count();
    assert_eq!(patient_entries, 1, "the pending patient is activated");
    let cl = claims.one();
    assert_eq!(cl.patient_id, p.id);
    assert_eq!(cl.invite_id, invite.id);
    assert_eq!(cl.account_id, account);
    assert_eq!(cl.chat_strategy_id, invite.chat_strategy_id);
    assert_eq!(cl.token_gen, invite.token_gen);
    assert_eq!(cl.exp - cl.iat, 4 * 3600);
    assert_eq!(session.expires_in, 14400);
    assert_eq!(session.access_token, "simplified.jwt.token");
    assert_eq!(session.patient_name, "Pat Smith");
}

#[tokio::test]
async fn unusable_invites_are_refused_before_anything_is_written() {
    let account = account_id();
    let p = patient(account);
    let (invite, token) = pending(&p);
    let locked = Invite {
        failed_attempts: 5,
        ..invite.clone()
    };
    let expired = Invite {
        expires_at: NOW,
        ..invite.clone()
    };
    let used = invite.accept(NOW).unwrap();
    let cases = [(locked, "locked"), (expired, "expired"), (used, "used")];
    for (i, what) in cases {
        let mut m = InviteMocks::new();
        findable(&mut m, &i, &p);
        m.patient(&p);
        m.invites.expect_update().never();
        let r = access(m, &token, "Pat", "Smith").await;
        match what {
            "locked" => {
                assert_err!(r, InviteError::TooManyAttempts { retry_after_secs } if retry_after_secs > 1)
            }
            "expired" => assert_err!(r, InviteError::InvalidInvite(InviteRefusal::Expired)),
            _ => assert_err!(r, InviteError::InvalidInvite(InviteRefusal::AlreadyUsed)),
        }
    }
    // A malformed token is not even looked up; a paused patient opens nothing.
    let m = InviteMocks::new();
    let r = m
        .service()
        .simplified_access(SimplifiedAccess {
            token: "short".into(),
            identity: claim("Pat", "Smith", DOB),
        })
        .await;
    assert_err!(r, InviteError::InvalidInvite(InviteRefusal::TokenInvalid));
    let mut paused = p.clone();
    paused.status = PatientStatus::Inactive;
    let mut m = InviteMocks::new();
    findable(&mut m, &invite, &paused);
    m.patient(&paused);
    let v = m.service().verify(token.expose()).await.unwrap();
    assert_eq!(v.refusal, Some(InviteRefusal::AlreadyRevoked));
    assert_eq!((v.invite_id, v.clinic_name), (None, None));
}

#[tokio::test]
async fn verify_names_the_clinic_and_provider_only() {
    let clinic = account_id();
    let p = patient(clinic);
    let (invite, token) = pending(&p);
    let mut m = InviteMocks::new();
    findable(&mut m, &invite, &p);
    m.patient(&p);
    let v = m.service().verify(token.expose()).await.unwrap();
    assert_eq!(v.refusal, None);
    assert_eq!(v.invite_id, Some(invite.id));
    assert_eq!(v.expires_at, Some(invite.expires_at));
    assert_eq!(v.clinic_name.as_deref(), Some("Clinic"));
    assert_eq!(v.provider_name.as_deref(), Some("Dr Who"));
    // An inactive clinic: no longer valid.
    let mut m = InviteMocks::new();
    findable(&mut m, &invite, &p);
    m.patient(&p);
    m.accounts = MockAccountRepository::new();
    m.accounts
        .expect_get()
        .returning(|id| Ok(account(id, AccountStatus::Inactive)));
    let v = m.service().verify(token.expose()).await.unwrap();
    assert_eq!(v.refusal, Some(InviteRefusal::AlreadyRevoked));
    // An outage is an error, never "invalid".
    let mut m = InviteMocks::new();
    m.invites
        .expect_find_by_token_hash()
        .returning(|_| Err(RepoError::Unavailable("down".into())));
    assert_err!(
        m.service().verify(token.expose()).await,
        InviteError::Unavailable(_)
    );
}

#[tokio::test]
async fn resend_and_revoke_follow_rules_6_and_7() {
    let account = account_id();
    let p = patient(account);
    let clin = principal_as(Role::Clinician, Some(account));
    let (invite, _) = pending(&p);
    let get = |m: &mut InviteMocks, i: &Invite| {
        let v = invite_view(i, &p);
        m.invites.expect_get().returning(move |_, _| Ok(v.clone()));
    };
    let resend = ResendInvite {
        custom_message: Patch::Keep,
        expiry: ExpiryDays::new(30).unwrap(),
        send_email: true,
    };
    // A resend: new token, generation + 1, lock reset, its email; a stale write is retried.
    let mut m = InviteMocks::new();
    get(
        &mut m,
        &Invite {
            failed_attempts: 3,
            ..invite.clone()
        },
    );
    let mut seq = Sequence::new();
    m.invites
        .expect_update()
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_, _, _, _| Err(RepoError::Stale));
    let (id, gen0) = (invite.id, invite.token_gen);
    m.invites
        .expect_update()
        .times(1)
        .in_sequence(&mut seq)
        .withf(move |_, a, audit, mail| {
            a.id == id
                && a.token_gen == gen0 + 1
                && a.failed_attempts == 0
                && a.expires_at == NOW + time::Duration::days(30)
                && audit.action == AuditAction::Update
                && mail.as_ref().is_some_and(|m| m.text.contains("/invite/"))
        })
        .returning(|_, _, _, _| Ok(()));
    let issued = m
        .service()
        .resend(&clin, invite.id, resend.clone())
        .await
        .unwrap();
    assert!(issued.email_sent);
    let token = issued.invite_url.rsplit('/').next().unwrap();
    assert!(
        issued
            .view
            .invite
            .token_hash
            .matches(&InviteToken::parse(token).unwrap())
    );
    // Revoked or used: a conflict, nothing written.
    for (state, conflict) in [
        (invite.revoke(NOW).unwrap(), InviteConflict::ResendRevoked),
        (invite.accept(NOW).unwrap(), InviteConflict::ResendAccepted),
    ] {
        let mut m = InviteMocks::new();
        get(&mut m, &state);
        m.invites.expect_update().never();
        let r = m.service().resend(&clin, invite.id, resend.clone()).await;
        assert_err!(r, InviteError::Conflict(c) if c == conflict);
    }
    // Revoke once, then a conflict.
    let mut m = InviteMocks::new();
    get(&mut m, &invite);
    m.invites
        .expect_update()
        .times(1)
        .withf(|_, a, _, _| a.state == InviteState::Revoked && a.revoked_at == Some(NOW))
        .returning(|_, _, _, _| Ok(()));
    m.service().revoke(&clin, invite.id).await.unwrap();
    let mut m = InviteMocks::new();
    get(&mut m, &invite.revoke(NOW).unwrap());
    m.invites.expect_update().never();
    assert_err!(
        m.service().revoke(&clin, invite.id).await,
        InviteError::Conflict(InviteConflict::AlreadyRevoked)
    );
    // Out of scope: not found (the repository is asked within the caller's account).
    let mut m = InviteMocks::new();
    m.invites
        .expect_get()
        .withf(move |_, scope| {
            *scope == genascope_domain::identity::policy::ListScope::Account(account)
        })
        .returning(|_, _| Err(RepoError::NotFound));
    assert_err!(
        m.service().revoke(&clin, invite.id).await,
        InviteError::NotFound(Entity::Invite)
    );
}

#[tokio::test]
async fn bulk_reports_each_item_and_refuses_a_role_as_a_whole() {
    let account = account_id();
    let p = patient(account);
    let admin = user(Role::Admin, Some(account));
    let mut m = InviteMocks::holding(&p, &admin);
    m.patients
        .expect_get()
        .returning(|_| Err(RepoError::NotFound));
    m.invites.expect_create().times(1).returning(|_| {
        Ok(Issued {
            revoked: Vec::new(),
            chat_strategy: None,
        })
    });
    let items = vec![
        BulkItem {
            patient_id: Some(p.id.0.to_string()),
            command: Ok(generate(&p)),
        },
        BulkItem {
            patient_id: Some("unknown".into()),
            command: Ok(generate(&patient(account))),
        },
        BulkItem {
            patient_id: None,
            command: Err(vec![genascope_domain::common::FieldError::missing(
                "patient_id",
            )]),
        },
    ];
    let report = m.service().bulk(&principal(&admin), items).await.unwrap();
    assert_eq!(report.successful.len(), 1);
    let failed: Vec<String> = report.failed.iter().map(|f| f.error.to_string()).collect();
    assert_eq!(
        failed,
        vec!["Patient not found", "patient_id: field required"]
    );
    let r = InviteMocks::new()
        .service()
        .bulk(&principal_as(Role::User, Some(account)), Vec::new())
        .await;
    assert_err!(r, InviteError::Denied(Denial::NotPermitted));
}

#[tokio::test]
async fn registration_checks_fields_before_it_reserves_and_takes_the_patients_id() {
    let account = account_id();
    let p = patient(account);
    let (invite, token) = pending(&p);
    // The patient's email as password: a field error, and no failure reserved.
    let mut m = InviteMocks::new();
    findable(&mut m, &invite, &p);
    m.patient(&p);
    m.invites.expect_update().never();
    let r = m
        .service()
        .register(RegisterPatient {
            credential: RegistrationCredential::InviteToken(token.expose().to_owned()),
            password: new_password(p.email.as_str()),
            date_of_birth: DOB,
        })
        .await;
    assert_eq!(fields(&r), vec!["password"]);
    // Registered: one acceptance with the login, whose id is the patient's.
    let mut m = InviteMocks::new();
    findable(&mut m, &invite, &p);
    m.patient(&p);
    m.hasher
        .expect_hash_password()
        .returning(|_| Ok("$argon2id$hash".into()));
    m.invites
        .expect_update()
        .times(1)
        .returning(|_, _, _, _| Ok(()));
    let accepted: Slot<Acceptance> = Slot::new();
    let a = accepted.clone();
    m.invites.expect_accept().times(1).returning(move |acc| {
        a.push(acc.clone());
        Ok(())
    });
    let done = m
        .service()
        .register(RegisterPatient {
            credential: RegistrationCredential::InviteToken(token.expose().to_owned()),
            password: new_password("a-strong-password"),
            date_of_birth: DOB,
        })
        .await
        .unwrap();
    assert_eq!(done.user_id.0, p.id.0);
    let login = accepted.one().login.expect("a login");
    assert_eq!(login.user.id.0, p.id.0);
    assert_eq!(login.user.role, Role::Patient);
    assert_eq!(login.user.email, p.email);
    assert_eq!(login.user.account_id, Some(account));
    assert_eq!(login.password_hash.as_deref(), Some("$argon2id$hash"));
    // By a simplified session of a patient that has a login already: a conflict.
    let mut with_login = view(&p);
    with_login.has_login = true;
    let mut m = InviteMocks::new();
    m.patients
        .expect_get()
        .returning(move |_| Ok(with_login.clone()));
    let session = Principal {
        user_id: genascope_domain::common::UserId(p.id.0),
        role: Role::Patient,
        account_id: Some(account),
        access: AccessType::Simplified,
        jti: "j".into(),
        token_exp: 0,
        session: None,
        grant: Some(InviteGrant {
            invite_id: invite.id,
            chat_strategy_id: None,
        }),
    };
    let r = m
        .service()
        .register(RegisterPatient {
            credential: RegistrationCredential::Simplified(session),
            password: new_password("a-strong-password"),
            date_of_birth: DOB,
        })
        .await;
    assert_err!(r, InviteError::Conflict(InviteConflict::PatientHasLogin));
}

#[tokio::test]
async fn an_acceptance_overtaken_by_a_parallel_one_reads_the_invite_again() {
    let account = account_id();
    let p = patient(account);
    let (invite, token) = pending(&p);
    let used = invite.accept(NOW).unwrap();
    let mut m = InviteMocks::new();
    m.patient(&p);
    // First the pending invite; read again, it is used (the parallel attempt won).
    let mut seq = Sequence::new();
    for i in [invite.clone(), used] {
        let v = invite_view(&i, &p);
        m.invites
            .expect_find_by_token_hash()
            .times(1)
            .in_sequence(&mut seq)
            .returning(move |_| Ok(Some(v.clone())));
        if i.state == InviteState::Pending {
            m.invites
                .expect_update()
                .times(1)
                .in_sequence(&mut seq)
                .returning(|_, _, _, _| Ok(()));
            m.invites
                .expect_accept()
                .times(1)
                .in_sequence(&mut seq)
                .returning(|_| Err(RepoError::Stale));
        }
    }
    m.codec.expect_issue_simplified().never();
    let r = access(m, &token, "Pat", "Smith").await;
    assert_err!(r, InviteError::InvalidInvite(InviteRefusal::AlreadyUsed));
}
