//! Login, refresh, authenticate, logout (contract §1.6, §3.1).

use crate::support::*;
use genascope_domain::common::{RepoError, Timestamp, UserId};
use genascope_domain::identity::error::{IdentityError, Refusal, Unauthenticated};
use genascope_domain::identity::model::{AccountStatus, Email, Password, Role, User};
use genascope_domain::identity::policy::{AccessType, InviteGrant};
use genascope_domain::identity::ports::{
    AccessClaims, Admission, GrantRecord, PrincipalRecord, RefreshTokenRecord, Rotation,
    SimplifiedClaims, TokenError, VerifiedToken,
};
use time::Duration;

const BAD_CREDENTIALS: Unauthenticated = Unauthenticated::BadCredentials;
const INVALID_TOKEN: Unauthenticated = Unauthenticated::InvalidToken;

fn pw(s: &str) -> Password {
    Password::new(s.into())
}

/// Throttle that lets the attempt through and records what happens afterwards.
fn open_throttle(m: &mut Mocks, failures: &Slot<String>, resets: &Slot<String>) {
    m.throttle.expect_check().returning(|k, _, _| admitted(k));
    let f = failures.clone();
    m.throttle.expect_record_failure().returning(move |a, _| {
        f.push(a.key.clone());
        Ok(())
    });
    let r = resets.clone();
    m.throttle.expect_forgive().returning(move |a| {
        r.push(a.key.clone());
        Ok(())
    });
}

/// A codec that records the claims it signs and returns `signed:<jti>`.
fn recording_codec(m: &mut Mocks, claims: &Slot<AccessClaims>) {
    let c = claims.clone();
    m.codec.expect_issue().returning(move |cl| {
        c.push(cl.clone());
        Ok(format!("signed:{}", cl.jti))
    });
}

fn stored_user(m: &mut Mocks, u: &User, hash: Option<&str>, changed: Option<Timestamp>) {
    let c = creds(u, hash, changed);
    let email = u.email.clone();
    m.users
        .expect_credentials_by_email()
        .withf(move |e: &Email| *e == email)
        .returning(move |_| Ok(Some(c.clone())));
}

fn active_account(m: &mut Mocks, u: &User) {
    let id = u.account_id.unwrap();
    m.accounts
        .expect_get()
        .withf(move |a| *a == id)
        .returning(|a| Ok(account(a, AccountStatus::Active)));
}

// ----- login -----

#[tokio::test]
async fn login_unknown_email_is_401_after_a_dummy_verification_and_counts_a_failure() {
    let mut m = Mocks::new();
    let (failures, resets) = (Slot::new(), Slot::new());
    open_throttle(&mut m, &failures, &resets);
    m.users
        .expect_credentials_by_email()
        .withf(|e: &Email| e.as_str() == "nobody@clinic.org")
        .times(1)
        .returning(|_| Ok(None));
    m.hasher.expect_dummy_verify().times(1).return_const(());
    // verify_password must not run: there is no hash to check.
    let r = m
        .identity()
        .login(
            "  Nobody@Clinic.org ",
            pw("whatever1"),
            Some("10.0.0.1".into()),
        )
        .await;
    assert_err!(r, IdentityError::Unauthenticated(BAD_CREDENTIALS));
    assert_eq!(failures.all(), vec!["nobody@clinic.org".to_owned()]);
    assert!(resets.all().is_empty());
}

#[tokio::test]
async fn login_wrong_password_is_the_same_401_and_counts_a_failure() {
    let mut m = Mocks::new();
    let u = user(Role::Clinician, Some(account_id()));
    let (failures, resets) = (Slot::new(), Slot::new());
    open_throttle(&mut m, &failures, &resets);
    stored_user(&mut m, &u, Some("phc-hash"), None);
    m.hasher
        .expect_verify_password()
        .withf(|p, h| p.expose() == "wrong-pass" && h == "phc-hash")
        .times(1)
        .return_const(false);
    // No account lookup, no token issued, no dummy verification on top of the real one.
    let r = m
        .identity()
        .login(u.email.as_str(), pw("wrong-pass"), None)
        .await;
    assert_err!(r, IdentityError::Unauthenticated(BAD_CREDENTIALS));
    assert_eq!(failures.all(), vec![u.email.to_string()]);
    assert!(resets.all().is_empty());
}

#[tokio::test]
async fn login_user_without_password_is_401_after_a_dummy_verification() {
    let mut m = Mocks::new();
    let u = user(Role::Clinician, Some(account_id()));
    let (failures, resets) = (Slot::new(), Slot::new());
    open_throttle(&mut m, &failures, &resets);
    stored_user(&mut m, &u, None, None);
    m.hasher.expect_dummy_verify().times(1).return_const(());
    let r = m
        .identity()
        .login(u.email.as_str(), pw("anything1"), None)
        .await;
    assert_err!(r, IdentityError::Unauthenticated(BAD_CREDENTIALS));
    assert_eq!(failures.all().len(), 1);
}

#[tokio::test]
async fn login_malformed_username_is_the_same_401_with_a_dummy_verification() {
    let mut m = Mocks::new();
    let (failures, resets) = (Slot::new(), Slot::new());
    open_throttle(&mut m, &failures, &resets);
    m.hasher.expect_dummy_verify().times(1).return_const(());
    let r = m.identity().login("not-an-email", pw("x"), None).await;
    assert_err!(r, IdentityError::Unauthenticated(BAD_CREDENTIALS));
    assert_eq!(failures.all(), vec!["not-an-email".to_owned()]);
}

#[tokio::test]
async fn login_locked_out_is_429_with_retry_seconds_before_any_lookup() {
    let mut m = Mocks::new();
    m.throttle
        .expect_check()
        .withf(|k, ip, now| {
            k == "jane@clinic.org" && ip.as_deref() == Some("10.0.0.9") && *now == NOW
        })
        .times(1)
        .returning(|_, _, _| Ok(Admission::Wait(420)));
    // No user lookup, no hashing, no failure recorded.
    let r = m
        .identity()
        .login("Jane@Clinic.org", pw("pw-123456"), Some("10.0.0.9".into()))
        .await;
    assert_err!(
        r,
        IdentityError::RateLimited {
            retry_after_secs: 420
        }
    );
}

/// Attempts in flight decide whether this one may go: 429 with one second to wait. A throttle
/// that cannot be asked (its store is down) lets nothing through.
#[tokio::test]
async fn login_while_the_key_is_busy_is_429_for_a_second_and_a_throttle_outage_is_503() {
    let mut m = Mocks::new();
    m.throttle
        .expect_check()
        .times(1)
        .returning(|_, _, _| Ok(Admission::Busy));
    let r = m
        .identity()
        .login("jane@clinic.org", pw("pw-123456"), None)
        .await;
    assert_err!(
        r,
        IdentityError::RateLimited {
            retry_after_secs: 1
        }
    );
    let mut m = Mocks::new();
    m.throttle
        .expect_check()
        .times(1)
        .returning(|_, _, _| Err(RepoError::Unavailable("down".into())));
    let r = m
        .identity()
        .login("jane@clinic.org", pw("pw-123456"), None)
        .await;
    assert_err!(r, IdentityError::Unavailable(_));
}

#[tokio::test]
async fn login_inactive_user_is_400_after_a_correct_password_only() {
    let mut u = user(Role::Clinician, Some(account_id()));
    u.is_active = false;
    for (correct, expect_400) in [(true, true), (false, false)] {
        let mut m = Mocks::new();
        let (failures, resets) = (Slot::new(), Slot::new());
        open_throttle(&mut m, &failures, &resets);
        stored_user(&mut m, &u, Some("h"), None);
        m.hasher.expect_verify_password().return_const(correct);
        m.accounts
            .expect_get()
            .returning(|a| Ok(account(a, AccountStatus::Active)));
        let r = m.identity().login(u.email.as_str(), pw("pw"), None).await;
        if expect_400 {
            assert_err!(r, IdentityError::Refused(Refusal::InactiveUser));
            assert!(
                resets.all().is_empty(),
                "throttle reset for an inactive user"
            );
        } else {
            assert_err!(r, IdentityError::Unauthenticated(BAD_CREDENTIALS));
        }
    }
}

#[tokio::test]
async fn login_inactive_or_deleted_account_is_400_after_a_correct_password() {
    for found in [true, false] {
        let mut m = Mocks::new();
        let u = user(Role::Admin, Some(account_id()));
        let (failures, resets) = (Slot::new(), Slot::new());
        open_throttle(&mut m, &failures, &resets);
        stored_user(&mut m, &u, Some("h"), None);
        m.hasher.expect_verify_password().return_const(true);
        m.accounts.expect_get().times(1).returning(move |a| {
            if found {
                Ok(account(a, AccountStatus::Inactive))
            } else {
                Err(RepoError::NotFound)
            }
        });
        let r = m.identity().login(u.email.as_str(), pw("pw"), None).await;
        assert_err!(r, IdentityError::Refused(Refusal::InactiveAccount));
        // No session was opened: the attempt stays counted.
        assert_eq!(failures.all().len(), 1);
        assert!(resets.all().is_empty());
    }
}

#[tokio::test]
async fn login_success_resets_the_throttle_and_issues_the_right_claims() {
    let mut m = Mocks::new();
    let u = user(Role::Physician, Some(account_id()));
    let (failures, resets) = (Slot::new(), Slot::new());
    open_throttle(&mut m, &failures, &resets);
    stored_user(&mut m, &u, Some("h"), Some(NOW - Duration::days(2)));
    m.hasher.expect_verify_password().return_const(true);
    active_account(&mut m, &u);
    let claims = Slot::new();
    recording_codec(&mut m, &claims);
    let stored: Slot<RefreshTokenRecord> = Slot::new();
    let s = stored.clone();
    m.tokens
        .expect_insert_refresh()
        .times(1)
        .returning(move |r| {
            s.push(r.clone());
            Ok(())
        });

    let pair = m
        .identity()
        .login(&u.email.as_str().to_uppercase(), pw("pw"), None)
        .await
        .unwrap();

    // Begun by `check`, ended as a success: no failure counted, forgiven.
    assert!(failures.all().is_empty());
    assert_eq!(resets.all(), vec![u.email.to_string()]);
    let c = claims.one();
    assert_eq!(c.sub, u.id);
    assert_eq!(c.role, Role::Physician);
    assert_eq!(c.account_id, u.account_id);
    assert_eq!(c.email, u.email.to_string());
    assert_eq!(c.iat, NOW.unix_timestamp());
    assert_eq!(c.exp, c.iat + 60 * 60);
    assert!(!c.jti.is_empty());
    assert_eq!(pair.access_token, format!("signed:{}", c.jti));
    assert_eq!(pair.expires_in, 3600);
    assert_eq!(pair.user_id, u.id);
    assert_eq!(pair.role, Role::Physician);
    assert_eq!(pair.account_id, u.account_id);
    // The refresh token is 32 random bytes in hex; only its digest is stored, for 14 days.
    assert_eq!(pair.refresh_token, token_hex(1));
    let rec = stored.one();
    assert_eq!(rec.token_digest, digest_of(&pair.refresh_token));
    assert_eq!(rec.user_id, u.id);
    assert_eq!(rec.created_at, NOW);
    assert_eq!(rec.expires_at, NOW + Duration::days(14));
}

#[tokio::test]
async fn login_iat_is_strictly_after_a_password_change_in_the_same_second() {
    let mut m = Mocks::new();
    let u = user(Role::SuperAdmin, None);
    let (failures, resets) = (Slot::new(), Slot::new());
    open_throttle(&mut m, &failures, &resets);
    // Changed at this very second (sub-second part kept by storage).
    let changed = NOW + Duration::milliseconds(400);
    stored_user(&mut m, &u, Some("h"), Some(changed));
    m.hasher.expect_verify_password().return_const(true);
    let claims = Slot::new();
    recording_codec(&mut m, &claims);
    m.tokens.expect_insert_refresh().returning(|_| Ok(()));
    // A super_admin has no account: no account lookup.
    m.identity()
        .login(u.email.as_str(), pw("pw"), None)
        .await
        .unwrap();
    let c = claims.one();
    assert!(
        c.iat > changed.unix_timestamp(),
        "iat {} not after {}",
        c.iat,
        changed.unix_timestamp()
    );
    assert_eq!(c.exp, c.iat + 3600);
    assert_eq!(c.account_id, None);
}

// ----- refresh -----

fn creds_lookup(m: &mut Mocks, u: &User) {
    let c = creds(u, Some("h"), None);
    let id = u.id;
    m.users
        .expect_credentials()
        .withf(move |i| *i == id)
        .returning(move |_| Ok(c.clone()));
}

#[tokio::test]
async fn refresh_rotated_returns_a_new_pair_with_a_different_refresh_token() {
    let mut m = Mocks::new();
    let u = user(Role::Clinician, Some(account_id()));
    let presented = "aa".repeat(32);
    let nexts: Slot<RefreshTokenRecord> = Slot::new();
    let n = nexts.clone();
    let (uid, want) = (u.id, digest_of(&presented));
    m.tokens
        .expect_refresh_family()
        .returning(|_| Ok(Some(uuid::Uuid::from_u128(7))));
    m.tokens
        .expect_rotate_refresh()
        .times(1)
        .returning(move |d, now, next| {
            assert_eq!(d, want);
            assert_eq!(now, NOW);
            n.push(next.clone());
            Ok(Rotation::Rotated(uid))
        });
    creds_lookup(&mut m, &u);
    active_account(&mut m, &u);
    let claims = Slot::new();
    recording_codec(&mut m, &claims);
    // The rotation stored the successor: no second insert.
    let pair = m.identity().refresh(&presented).await.unwrap();
    assert_ne!(pair.refresh_token, presented);
    let next = nexts.one();
    assert_eq!(next.token_digest, digest_of(&pair.refresh_token));
    assert_eq!(next.expires_at, NOW + Duration::days(14));
    assert_eq!(pair.user_id, u.id);
    let claims = claims.one();
    assert_eq!(claims.sub, u.id);
    // The access token stays in the presented token's session.
    assert_eq!(claims.sid, Some(uuid::Uuid::from_u128(7)));
}

#[tokio::test]
async fn refresh_reused_or_invalid_token_is_401() {
    for outcome in [Rotation::Reused, Rotation::Invalid] {
        let mut m = Mocks::new();
        m.tokens
            .expect_refresh_family()
            .returning(|_| Ok(Some(uuid::Uuid::from_u128(7))));
        m.tokens
            .expect_rotate_refresh()
            .times(1)
            .returning(move |_, _, _| Ok(outcome.clone()));
        let r = m.identity().refresh("some-token").await;
        assert_err!(r, IdentityError::Unauthenticated(INVALID_TOKEN));
    }
}

#[tokio::test]
async fn refresh_empty_token_is_401_without_touching_the_store() {
    let r = Mocks::new().identity().refresh("   ").await;
    assert_err!(r, IdentityError::Unauthenticated(INVALID_TOKEN));
}

#[tokio::test]
async fn refresh_for_an_inactive_user_is_401_and_revokes_every_refresh_token() {
    let mut m = Mocks::new();
    let mut u = user(Role::Clinician, Some(account_id()));
    u.is_active = false;
    let uid = u.id;
    m.tokens
        .expect_refresh_family()
        .returning(|_| Ok(Some(uuid::Uuid::from_u128(7))));
    m.tokens
        .expect_rotate_refresh()
        .returning(move |_, _, _| Ok(Rotation::Rotated(uid)));
    creds_lookup(&mut m, &u);
    m.accounts
        .expect_get()
        .returning(|a| Ok(account(a, AccountStatus::Active)));
    m.tokens
        .expect_revoke_all_refresh()
        .withf(move |id, at| *id == uid && *at == NOW)
        .times(1)
        .returning(|_, _| Ok(()));
    let r = m.identity().refresh("tok").await;
    assert_err!(r, IdentityError::Unauthenticated(INVALID_TOKEN));
}

#[tokio::test]
async fn refresh_in_an_inactive_account_is_401_and_revokes_every_refresh_token() {
    let mut m = Mocks::new();
    let u = user(Role::Clinician, Some(account_id()));
    let uid = u.id;
    m.tokens
        .expect_refresh_family()
        .returning(|_| Ok(Some(uuid::Uuid::from_u128(7))));
    m.tokens
        .expect_rotate_refresh()
        .returning(move |_, _, _| Ok(Rotation::Rotated(uid)));
    creds_lookup(&mut m, &u);
    m.accounts
        .expect_get()
        .returning(|a| Ok(account(a, AccountStatus::Inactive)));
    m.tokens
        .expect_revoke_all_refresh()
        .times(1)
        .returning(|_, _| Ok(()));
    let r = m.identity().refresh("tok").await;
    assert_err!(r, IdentityError::Unauthenticated(_));
}

#[tokio::test]
async fn refresh_for_a_deleted_user_is_401() {
    let mut m = Mocks::new();
    let uid = user_id();
    m.tokens
        .expect_refresh_family()
        .returning(|_| Ok(Some(uuid::Uuid::from_u128(7))));
    m.tokens
        .expect_rotate_refresh()
        .returning(move |_, _, _| Ok(Rotation::Rotated(uid)));
    m.users
        .expect_credentials()
        .returning(|_| Err(RepoError::NotFound));
    let r = m.identity().refresh("tok").await;
    assert_err!(r, IdentityError::Unauthenticated(INVALID_TOKEN));
}

// ----- authenticate -----

/// Claims that lie about role and account; the record is the truth.
fn claims_for(sub: UserId, iat: i64) -> AccessClaims {
    AccessClaims {
        sub,
        email: "old@clinic.org".into(),
        role: Role::SuperAdmin,
        account_id: None,
        iat,
        exp: iat + 3600,
        jti: "jti-42".into(),
        sid: None,
    }
}

fn record(u: &User) -> PrincipalRecord {
    PrincipalRecord {
        user: u.clone(),
        password_changed_at: None,
        account_active: true,
        account_name: Some("Clinic".into()),
        jti_denied: false,
        session_live: true,
    }
}

fn authenticate_with(
    claims: AccessClaims,
    rec: Result<PrincipalRecord, RepoError>,
) -> genascope_domain::identity::service::IdentityService {
    let mut m = Mocks::new();
    let cl = claims.clone();
    m.codec
        .expect_verify()
        .withf(|t| t == "the-token")
        .returning(move |_| Ok(VerifiedToken::Full(cl.clone())));
    let rec = std::sync::Mutex::new(Some(rec));
    let (sub, jti) = (claims.sub, claims.jti);
    m.users
        .expect_principal()
        .withf(move |id, j, _| *id == sub && j == jti)
        .times(1)
        .returning(move |_, _, _| rec.lock().unwrap().take().unwrap());
    m.identity()
}

#[tokio::test]
async fn authenticate_takes_role_and_account_from_storage_not_claims() {
    let u = user(Role::Clinician, Some(account_id()));
    let iat = NOW.unix_timestamp();
    let a = authenticate_with(claims_for(u.id, iat), Ok(record(&u)))
        .authenticate("the-token")
        .await
        .unwrap();
    assert_eq!(a.principal.user_id, u.id);
    assert_eq!(a.principal.role, Role::Clinician);
    assert_eq!(a.principal.account_id, u.account_id);
    assert_eq!(a.principal.access, AccessType::Full);
    assert_eq!(a.principal.jti, "jti-42");
    assert_eq!(a.principal.token_exp, iat + 3600);
}

/// A way to make a stored principal unusable.
type Spoil = fn(&mut PrincipalRecord);

#[tokio::test]
async fn authenticate_refuses_denied_jti_inactive_account_and_inactive_user() {
    let u = user(Role::Admin, Some(account_id()));
    let iat = NOW.unix_timestamp();
    let cases: [(&str, Spoil); 3] = [
        ("jti denied", |r| r.jti_denied = true),
        ("account inactive", |r| r.account_active = false),
        ("user inactive", |r| r.user.is_active = false),
    ];
    for (what, spoil) in cases {
        let mut rec = record(&u);
        spoil(&mut rec);
        let r = authenticate_with(claims_for(u.id, iat), Ok(rec))
            .authenticate("the-token")
            .await;
        match r {
            Err(IdentityError::Unauthenticated(INVALID_TOKEN)) => {}
            other => panic!("{what}: expected 401, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn authenticate_refuses_tokens_issued_at_or_before_the_password_change() {
    let u = user(Role::User, Some(account_id()));
    let changed: Timestamp = NOW - Duration::minutes(5);
    let c = changed.unix_timestamp();
    for (iat, ok) in [(c - 60, false), (c, false), (c + 1, true)] {
        let mut rec = record(&u);
        rec.password_changed_at = Some(changed);
        let r = authenticate_with(claims_for(u.id, iat), Ok(rec))
            .authenticate("the-token")
            .await;
        if ok {
            assert!(r.is_ok(), "iat {iat} after change refused: {r:?}");
        } else {
            assert_err!(r, IdentityError::Unauthenticated(_));
        }
    }
}

#[tokio::test]
async fn authenticate_deleted_user_is_401() {
    let uid = user_id();
    let r = authenticate_with(
        claims_for(uid, NOW.unix_timestamp()),
        Err(RepoError::NotFound),
    )
    .authenticate("the-token")
    .await;
    assert_err!(r, IdentityError::Unauthenticated(INVALID_TOKEN));
}

#[tokio::test]
async fn authenticate_bad_or_expired_signature_is_401_without_a_lookup() {
    for e in [TokenError::Invalid, TokenError::Expired] {
        let mut m = Mocks::new();
        m.codec.expect_verify().returning(move |_| Err(e));
        let r = m.identity().authenticate("x").await;
        assert_err!(r, IdentityError::Unauthenticated(INVALID_TOKEN));
    }
}

// ----- logout -----

#[tokio::test]
async fn logout_denies_the_jti_until_expiry_and_revokes_the_given_refresh_token() {
    let mut m = Mocks::new();
    let u = user(Role::Clinician, Some(account_id()));
    let p = principal(&u);
    let exp = Timestamp::from_unix_timestamp(p.token_exp).unwrap();
    m.tokens
        .expect_deny_jti()
        .withf(move |j, e, now| j == "jti-1" && *e == exp && *now == NOW)
        .times(1)
        .returning(|_, _, _| Ok(()));
    let uid = u.id;
    m.tokens
        .expect_revoke_refresh()
        .withf(move |id, d, at| *id == uid && d == digest_of("rt-1") && *at == NOW)
        .times(1)
        .returning(|_, _, _| Ok(()));
    m.identity()
        .logout(&p, Some(" rt-1 "), false)
        .await
        .unwrap();
}

#[tokio::test]
async fn logout_all_devices_revokes_every_refresh_token() {
    let mut m = Mocks::new();
    let u = user(Role::Patient, Some(account_id()));
    m.tokens
        .expect_deny_jti()
        .times(1)
        .returning(|_, _, _| Ok(()));
    let uid = u.id;
    m.tokens
        .expect_revoke_all_refresh()
        .withf(move |id, _| *id == uid)
        .times(1)
        .returning(|_, _| Ok(()));
    m.identity()
        .logout(&principal(&u), Some("rt"), true)
        .await
        .unwrap();
}

// ----- simplified tokens -----

/// The claims of a simplified token of a patient of `account`, from invite `invite` at `gen`.
fn simplified_claims(
    patient: genascope_domain::common::PatientId,
    account: genascope_domain::common::AccountId,
    invite: genascope_domain::common::InviteId,
    token_gen: i32,
) -> SimplifiedClaims {
    SimplifiedClaims {
        patient_id: patient,
        email: "p@mail.org".into(),
        invite_id: invite,
        chat_strategy_id: None,
        account_id: account,
        token_gen,
        iat: NOW.unix_timestamp(),
        exp: NOW.unix_timestamp() + 14400,
        jti: "sim-1".into(),
    }
}

/// The stored facts behind a healthy simplified token.
fn grant_record(p: &genascope_domain::patients::model::Patient) -> GrantRecord {
    GrantRecord {
        patient_id: p.id,
        account_id: p.account_id,
        email: p.email.clone(),
        first_name: p.first_name.clone(),
        last_name: p.last_name.clone(),
        phone: p.phone.clone(),
        clinician_id: p.clinician_id,
        patient_active: true,
        patient_times: (p.created_at, p.updated_at),
        account_active: true,
        account_name: "Clinic".into(),
        invite_accepted: true,
        token_gen: 2,
        chat_strategy_id: Some(genascope_domain::common::ChatStrategyId(uuid::Uuid::nil())),
    }
}

fn authenticate_simplified(
    claims: SimplifiedClaims,
    grant: Option<GrantRecord>,
) -> genascope_domain::identity::service::IdentityService {
    let mut m = Mocks::new();
    m.codec
        .expect_verify()
        .returning(move |_| Ok(VerifiedToken::Simplified(claims.clone())));
    m.grants
        .expect_grant()
        .times(1)
        .returning(move |_| Ok(grant.clone()));
    // A simplified token is never looked up as a user.
    m.users.expect_principal().never();
    m.identity()
}

/// Every request reloads the invite, its patient and its account: the token is the patient,
/// role `patient`, simplified, carrying its invite; a revoke, a resend (another generation), a
/// paused patient or clinic, a deleted record, or a token bound elsewhere all end it.
#[tokio::test]
async fn simplified_tokens_are_checked_against_their_invite_on_every_request() {
    let account = account_id();
    let p = patient(account);
    let invite = genascope_domain::common::InviteId(uuid::Uuid::new_v4());
    let good = grant_record(&p);
    let a = authenticate_simplified(
        simplified_claims(p.id, account, invite, 2),
        Some(good.clone()),
    )
    .authenticate("t")
    .await
    .unwrap();
    assert_eq!(a.principal.user_id.0, p.id.0);
    assert_eq!(a.principal.role, Role::Patient);
    assert_eq!(a.principal.account_id, Some(account));
    assert_eq!(a.principal.access, AccessType::Simplified);
    assert_eq!(
        a.principal.grant,
        Some(InviteGrant {
            invite_id: invite,
            chat_strategy_id: good.chat_strategy_id,
        })
    );
    assert_eq!(a.record.user.name, "Pat Smith");
    assert_eq!(a.record.user.patient_id(), Some(p.id));
    assert_eq!(a.record.account_name.as_deref(), Some("Clinic"));
    let broken: Vec<(&str, SimplifiedClaims, Option<GrantRecord>)> = vec![
        ("gone", simplified_claims(p.id, account, invite, 2), None),
        (
            "resent (another generation)",
            simplified_claims(p.id, account, invite, 1),
            Some(good.clone()),
        ),
        (
            "revoked",
            simplified_claims(p.id, account, invite, 2),
            Some(GrantRecord {
                invite_accepted: false,
                ..good.clone()
            }),
        ),
        (
            "patient paused",
            simplified_claims(p.id, account, invite, 2),
            Some(GrantRecord {
                patient_active: false,
                ..good.clone()
            }),
        ),
        (
            "clinic inactive",
            simplified_claims(p.id, account, invite, 2),
            Some(GrantRecord {
                account_active: false,
                ..good.clone()
            }),
        ),
        (
            "another patient",
            simplified_claims(
                genascope_domain::common::PatientId(uuid::Uuid::new_v4()),
                account,
                invite,
                2,
            ),
            Some(good.clone()),
        ),
        (
            "another account",
            simplified_claims(p.id, account_id(), invite, 2),
            Some(good.clone()),
        ),
    ];
    for (what, claims, grant) in broken {
        let r = authenticate_simplified(claims, grant)
            .authenticate("t")
            .await;
        assert!(
            matches!(r, Err(IdentityError::Unauthenticated(INVALID_TOKEN))),
            "{what}: {r:?}"
        );
    }
}
