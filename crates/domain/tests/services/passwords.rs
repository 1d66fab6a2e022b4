//! Change password, password-reset request and confirm (contract §1.6, §1.7, §3.1).

use crate::support::*;
use genascope_domain::common::{BoxError, RepoError, UserId};
use genascope_domain::identity::error::{IdentityError, Refusal};
use genascope_domain::identity::model::{Credentials, Email, Role, User};
use genascope_domain::identity::policy::Principal;
use genascope_domain::identity::ports::{AccessClaims, Admission, ResetLink};
use genascope_domain::notify::OutgoingEmail;
use time::Duration;

/// Change-password mocks up to the current-password check.
fn change_setup(u: &User, current_ok: bool) -> Mocks {
    let mut m = Mocks::new();
    let c = creds(u, Some("old-hash"), Some(NOW - Duration::days(9)));
    let id = u.id;
    m.users
        .expect_credentials()
        .withf(move |i| *i == id)
        .returning(move |_| Ok(c.clone()));
    m.hasher
        .expect_verify_password()
        .withf(|p, h| p.expose() == "current-pw" && h == "old-hash")
        .times(1)
        .return_const(current_ok);
    // A wrong current password counts as a failed login of this email (from no particular
    // client); a right one does not.
    m.throttle
        .expect_check()
        .withf(|_, client, _| client.is_none())
        .returning(|k, _, _| admitted(k));
    let email = u.email.to_string();
    m.throttle
        .expect_record_failure()
        .withf(move |a, _| a.key == email)
        .times(usize::from(!current_ok))
        .returning(|_, _| Ok(()));
    // A right one ends the attempt as a success.
    m.throttle
        .expect_forgive()
        .times(usize::from(current_ok))
        .returning(|_| Ok(()));
    m
}

#[tokio::test]
async fn change_password_wrong_current_is_400_and_changes_nothing() {
    let u = user(Role::Clinician, Some(account_id()));
    // No hash_password, set_password or token expectations: any such call panics.
    let r = change_setup(&u, false)
        .identity()
        .change_password(
            &principal(&u),
            "current-pw",
            "brand new pw",
            Some("brand new pw"),
        )
        .await;
    assert_err!(r, IdentityError::Refused(Refusal::WrongPassword));
}

#[tokio::test]
async fn change_password_without_a_stored_password_is_400() {
    let u = user(Role::Clinician, Some(account_id()));
    let mut m = Mocks::new();
    m.throttle.expect_check().returning(|k, _, _| admitted(k));
    m.throttle
        .expect_record_failure()
        .times(1)
        .returning(|_, _| Ok(()));
    let c = creds(&u, None, None);
    m.users
        .expect_credentials()
        .returning(move |_| Ok(c.clone()));
    let r = m
        .identity()
        .change_password(&principal(&u), "x", "brand new pw", None)
        .await;
    assert_err!(r, IdentityError::Refused(Refusal::WrongPassword));
}

#[tokio::test]
async fn change_password_policy_and_mismatch_are_422_naming_the_fields() {
    let u = user(Role::Clinician, Some(account_id()));
    let email = u.email.to_string();
    let cases: Vec<(&str, Option<&str>, Vec<&str>)> = vec![
        ("short", None, vec!["new_password"]),
        ("          ", None, vec!["new_password"]),
        ("long enough", Some("different"), vec!["confirm_password"]),
        (
            "short",
            Some("other"),
            vec!["new_password", "confirm_password"],
        ),
        (&email, None, vec!["new_password"]),
    ];
    for (new, confirm, want) in cases {
        let r = change_setup(&u, true)
            .identity()
            .change_password(&principal(&u), "current-pw", new, confirm)
            .await;
        assert_eq!(fields(&r), want, "new={new:?} confirm={confirm:?}");
    }
}

#[tokio::test]
async fn change_password_success_sets_the_password_and_returns_a_fresh_pair() {
    let u = user(Role::Admin, Some(account_id()));
    let mut m = change_setup(&u, true);
    m.hasher
        .expect_hash_password()
        .withf(|p| p.expose() == "brand new pw")
        .times(1)
        .returning(|_| Ok("new-hash".into()));
    let id = u.id;
    m.users
        .expect_set_password()
        .withf(move |i, h, at| *i == id && h == "new-hash" && *at == NOW)
        .times(1)
        .returning(|_, _, _| Ok(()));
    let claims: Slot<AccessClaims> = Slot::new();
    let c = claims.clone();
    m.codec.expect_issue().times(1).returning(move |cl| {
        c.push(cl.clone());
        Ok("signed".into())
    });
    m.tokens
        .expect_insert_refresh()
        .times(1)
        .returning(|_| Ok(()));
    let pair = m
        .identity()
        .change_password(
            &principal(&u),
            "current-pw",
            "brand new pw",
            Some("brand new pw"),
        )
        .await
        .unwrap();
    assert_eq!(pair.access_token, "signed");
    assert_eq!(pair.user_id, u.id);
    assert!(!pair.refresh_token.is_empty());
    // The new token must survive the change it caused: iat strictly after it.
    let cl = claims.one();
    assert!(cl.iat > NOW.unix_timestamp());
    assert_eq!(cl.exp, cl.iat + 3600);
}

// ----- reset request -----

fn by_email(m: &mut Mocks, u: Option<User>) {
    m.users
        .expect_credentials_by_email()
        .times(1)
        .returning(move |_| Ok(u.as_ref().map(|u| creds(u, Some("h"), None))));
}

#[tokio::test]
async fn reset_request_for_an_unknown_email_is_ok_and_sends_nothing() {
    let mut m = Mocks::new();
    by_email(&mut m, None);
    // No insert_reset expectation (which would carry the mail): a call would panic.
    m.identity()
        .request_password_reset(&email("ghost@clinic.org"))
        .await
        .unwrap();
}

#[tokio::test]
async fn reset_request_for_an_inactive_user_is_ok_and_sends_nothing() {
    let mut m = Mocks::new();
    let mut u = user(Role::Clinician, Some(account_id()));
    u.is_active = false;
    by_email(&mut m, Some(u.clone()));
    m.identity().request_password_reset(&u.email).await.unwrap();
}

#[tokio::test]
async fn reset_request_mails_a_link_with_the_token_and_escapes_the_name() {
    let mut m = Mocks::new();
    let mut u = user(Role::Clinician, Some(account_id()));
    u.name = "<b>Jane & \"Co\"</b>".into();
    let (id, to) = (u.id, u.email.to_string());
    let stored: Slot<(UserId, ResetLink)> = Slot::new();
    let s = stored.clone();
    m.users
        .expect_credentials_by_email()
        .withf(|e: &Email| e.as_str() == "jane@clinic.org")
        .returning(move |_| Ok(Some(creds(&u, Some("h"), None))));
    m.tokens
        .expect_insert_reset()
        .times(1)
        .returning(move |uid, link| {
            s.push((uid, link.clone()));
            Ok(())
        });
    m.identity()
        .request_password_reset(&email(" Jane@Clinic.org "))
        .await
        .unwrap();

    let token = token_hex(1);
    let (uid, link) = stored.one();
    assert_eq!(uid, id);
    assert_eq!(link.digest, digest_of(&token), "only the digest is stored");
    assert_eq!(link.created_at, NOW);
    assert_eq!(link.expires_at, NOW + Duration::minutes(60));
    // The email travels with the link: stored and queued in one transaction by the adapter.
    let mail: OutgoingEmail = link.mail.expect("the link's email");
    assert_eq!(mail.to, to);
    let link = format!("https://app.genascope.test/reset-password?token={token}");
    assert!(mail.text.contains(&link), "text lacks link: {}", mail.text);
    assert!(mail.html.contains(&link), "html lacks link: {}", mail.html);
    assert!(
        mail.html
            .contains("&lt;b&gt;Jane &amp; &quot;Co&quot;&lt;/b&gt;"),
        "name not escaped: {}",
        mail.html
    );
    assert!(!mail.html.contains("<b>Jane"));
}

#[tokio::test]
async fn reset_request_fails_when_the_link_cannot_be_stored() {
    // The mail is queued with the link: a store that is down fails the request (503) instead
    // of answering as if a link had been sent. A slow or broken mail server cannot: it is only
    // reached by the outbox worker.
    let mut m = Mocks::new();
    let u = user(Role::User, Some(account_id()));
    by_email(&mut m, Some(u.clone()));
    m.tokens
        .expect_insert_reset()
        .times(1)
        .returning(|_, _| Err(RepoError::Unavailable(BoxError::from("db down"))));
    let r = m.identity().request_password_reset(&u.email).await;
    assert!(matches!(r, Err(IdentityError::Unavailable(_))), "{r:?}");
}

// ----- reset confirm -----

#[tokio::test]
async fn reset_confirm_unknown_or_expired_token_is_400() {
    let mut m = Mocks::new();
    m.tokens
        .expect_reset_owner()
        .withf(|d, now| d == digest_of("tok") && *now == NOW)
        .times(1)
        .returning(|_, _| Ok(None));
    // No user lookup, no hash, no set_password.
    let r = m
        .identity()
        .confirm_password_reset(" tok ", "brand new pw", Some("brand new pw"))
        .await;
    assert_err!(r, IdentityError::Refused(Refusal::InvalidResetToken));
}

#[tokio::test]
async fn reset_confirm_for_a_deleted_user_is_400() {
    let mut m = Mocks::new();
    let uid = user_id();
    m.tokens
        .expect_reset_owner()
        .returning(move |_, _| Ok(Some(uid)));
    m.users.expect_get().returning(|_| Err(RepoError::NotFound));
    let r = m
        .identity()
        .confirm_password_reset("tok", "brand new pw", None)
        .await;
    assert_err!(r, IdentityError::Refused(Refusal::InvalidResetToken));
}

#[tokio::test]
async fn reset_confirm_policy_or_mismatch_is_422_without_spending_the_token() {
    for (new, confirm, want) in [
        ("short", None, vec!["new_password"]),
        ("long enough", Some("other thing"), vec!["confirm_password"]),
    ] {
        // consume_reset has no expectation: spending the token would panic.
        let r = Mocks::new()
            .identity()
            .confirm_password_reset("tok", new, confirm)
            .await;
        assert_eq!(fields(&r), want);
    }
}

#[tokio::test]
async fn reset_confirm_success_sets_the_password() {
    let mut m = Mocks::new();
    let u = user(Role::Clinician, Some(account_id()));
    let uid = u.id;
    m.tokens
        .expect_reset_owner()
        .returning(move |_, _| Ok(Some(uid)));
    m.tokens
        .expect_consume_reset()
        .times(1)
        .returning(move |_, _| Ok(Some(uid)));
    m.users
        .expect_get()
        .withf(move |i| *i == uid)
        .returning(move |_| Ok(u.clone()));
    m.hasher
        .expect_hash_password()
        .withf(|p| p.expose() == "brand new pw")
        .returning(|_| Ok("new-hash".into()));
    m.users
        .expect_set_password()
        .withf(move |i, h, at| *i == uid && h == "new-hash" && *at == NOW)
        .times(1)
        .returning(|_, _, _| Ok(()));
    m.identity()
        .confirm_password_reset("tok", "brand new pw", Some("brand new pw"))
        .await
        .unwrap();
}

#[tokio::test]
async fn reset_confirm_refuses_the_users_own_email_as_password() {
    let mut m = Mocks::new();
    let u = user(Role::Clinician, Some(account_id()));
    let (uid, email) = (u.id, u.email.to_string());
    m.tokens
        .expect_reset_owner()
        .returning(move |_, _| Ok(Some(uid)));
    // Refused before the token is spent: the link still works for a second try.
    m.tokens.expect_consume_reset().times(0);
    m.users.expect_get().returning(move |_| Ok(u.clone()));
    let r = m
        .identity()
        .confirm_password_reset("tok", &email.to_uppercase(), None)
        .await;
    assert_eq!(fields(&r), vec!["new_password"]);
}

#[tokio::test]
async fn reset_requests_are_throttled_per_email() {
    let mut m = Mocks::new();
    let mut t = genascope_domain::identity::ports::MockLoginThrottle::new();
    t.expect_check()
        .returning(|_, _, _| Ok(Admission::Wait(1200)));
    m.reset_throttle = t;
    let r = m
        .identity()
        .request_password_reset(&email("jane@clinic.org"))
        .await;
    assert!(matches!(
        r,
        Err(IdentityError::RateLimited {
            retry_after_secs: 1200
        })
    ));
}

#[tokio::test]
async fn change_password_guesses_share_the_login_limit() {
    let mut m = Mocks::new();
    let u = user(Role::Clinician, Some(account_id()));
    let (uid, email) = (u.id, u.email.to_string());
    m.users.expect_credentials().returning(move |_| {
        Ok(Credentials {
            user: u.clone(),
            password_hash: Some("h".into()),
            password_changed_at: None,
        })
    });
    m.throttle
        .expect_check()
        .withf(move |k, _, _| k == email)
        .returning(|_, _, _| Ok(Admission::Wait(600)));
    // Locked: no verification is even attempted.
    let p = Principal {
        user_id: uid,
        ..principal_as(Role::Clinician, None)
    };
    let r = m
        .identity()
        .change_password(&p, "guess", "brand new pw", None)
        .await;
    assert!(matches!(
        r,
        Err(IdentityError::RateLimited {
            retry_after_secs: 600
        })
    ));
}
