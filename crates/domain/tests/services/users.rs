//! Users: create, read, update, delete (contract §2.2 rules 2, 4, 10; §3.2).

use crate::support::*;
use genascope_domain::common::{AccountId, Entity, Patch, Phone, RepoError, UserId};
use genascope_domain::identity::error::{Denial, IdentityConflict, IdentityError, Refusal};
use genascope_domain::identity::model::{AccountStatus, NameChange, Password, Role, User};
use genascope_domain::identity::policy::Principal;
use genascope_domain::identity::ports::{NewUser, ResetLink};
use genascope_domain::identity::service::{CreateUser, UserPatch};
use time::Duration;

pub fn create_req(role: Role) -> CreateUser {
    CreateUser {
        email: email("New.Person@Clinic.org"),
        name: person("New Person"),
        role,
        password: Some(new_password("a good password")),
        account_id: None,
        is_active: true,
        phone: None,
        clinician_id: None,
    }
}

/// Accounts exist; inserts are recorded.
fn insert_slot(m: &mut Mocks) -> Slot<NewUser> {
    m.accounts
        .expect_get()
        .returning(|a| Ok(account(a, AccountStatus::Active)));
    let s = Slot::new();
    let c = s.clone();
    m.users.expect_insert().returning(move |u, _| {
        c.push(u.clone());
        Ok(())
    });
    s
}

fn phone(s: &str) -> Phone {
    Phone::parse("phone", s).unwrap().unwrap()
}

fn names(full: &str) -> Option<NameChange> {
    NameChange::parse(Some(full), None, None).unwrap()
}

fn hashes(m: &mut Mocks) {
    m.hasher
        .expect_hash_password()
        .returning(|_| Ok("phc".into()));
}

// ----- create -----

#[tokio::test]
async fn admin_cannot_create_a_super_admin() {
    let admin = principal_as(Role::Admin, Some(account_id()));
    let req = create_req(Role::SuperAdmin);
    // No insert expectation: creating would panic.
    let r = Mocks::new().identity().create_user(&admin, req).await;
    assert_err!(r, IdentityError::Denied(Denial::NotPermitted));
}

#[tokio::test]
async fn only_admins_and_super_admins_create_users() {
    for role in [Role::Clinician, Role::Physician, Role::LabTech, Role::User] {
        let r = Mocks::new()
            .identity()
            .create_user(
                &principal_as(role, Some(account_id())),
                create_req(Role::User),
            )
            .await;
        assert_err!(r, IdentityError::Denied(Denial::NotPermitted));
    }
}

#[tokio::test]
async fn admin_creating_in_another_account_is_404_account() {
    let admin = principal_as(Role::Admin, Some(account_id()));
    let mut req = create_req(Role::Clinician);
    req.account_id = Some(account_id());
    let r = Mocks::new().identity().create_user(&admin, req).await;
    assert_err!(r, IdentityError::NotFound(Entity::Account));
}

/// A patient's login comes with its patient record: identity alone does not create one.
#[tokio::test]
async fn identity_alone_creates_no_patient_login() {
    let admin = principal_as(Role::Admin, Some(account_id()));
    // No insert expectation.
    let r = Mocks::new()
        .identity()
        .create_user(&admin, create_req(Role::Patient))
        .await;
    assert_eq!(fields(&r), vec!["role"]);
    // The role check still comes first.
    let r = Mocks::new()
        .identity()
        .create_user(
            &principal_as(Role::Clinician, Some(account_id())),
            create_req(Role::Patient),
        )
        .await;
    assert_err!(r, IdentityError::Denied(Denial::NotPermitted));
}

#[tokio::test]
async fn admin_creates_a_user_in_its_own_account_with_a_hashed_password() {
    let own = account_id();
    let admin = principal_as(Role::Admin, Some(own));
    let mut m = Mocks::new();
    let inserted = insert_slot(&mut m);
    hashes(&mut m);
    // A password was given: no set-password email.
    let u = m
        .identity()
        .create_user(&admin, create_req(Role::Clinician))
        .await
        .unwrap();
    let nu = inserted.one();
    assert_eq!(nu.user, u);
    assert_eq!(u.account_id, Some(own));
    assert_eq!(u.role, Role::Clinician);
    assert_eq!(u.email.as_str(), "new.person@clinic.org");
    assert_eq!(
        (u.first_name.as_str(), u.last_name.as_str()),
        ("New", "Person")
    );
    assert!(u.is_active);
    assert_eq!(nu.password_hash.as_deref(), Some("phc"));
}

#[tokio::test]
async fn create_user_duplicate_email_is_409() {
    let admin = principal_as(Role::Admin, Some(account_id()));
    let mut m = Mocks::new();
    m.accounts
        .expect_get()
        .returning(|a| Ok(account(a, AccountStatus::Active)));
    hashes(&mut m);
    m.users
        .expect_insert()
        .returning(|_, _| Err(RepoError::Duplicate("email")));
    let r = m
        .identity()
        .create_user(&admin, create_req(Role::User))
        .await;
    assert_err!(r, IdentityError::Conflict(IdentityConflict::EmailTaken));
}

#[tokio::test]
async fn user_without_password_gets_a_set_password_email_valid_72_hours() {
    let own = account_id();
    let admin = principal_as(Role::Admin, Some(own));
    let mut m = Mocks::new();
    m.accounts
        .expect_get()
        .returning(|a| Ok(account(a, AccountStatus::Active)));
    // The link and its email are handed to the user insert: one transaction in the adapter.
    let inserted: Slot<(NewUser, Option<ResetLink>)> = Slot::new();
    let c = inserted.clone();
    m.users.expect_insert().times(1).returning(move |u, setup| {
        c.push((u.clone(), setup));
        Ok(())
    });
    // No insert_reset expectation: a separate write would panic.
    let mut req = create_req(Role::User);
    req.password = None;
    // No hash_password expectation: nothing to hash.
    let u = m.identity().create_user(&admin, req).await.unwrap();
    let (nu, setup) = inserted.one();
    assert_eq!(nu.password_hash, None);
    let link = setup.expect("a set-password link");
    assert_eq!(nu.user.id, u.id);
    assert_eq!(link.digest, digest_of(&token_hex(1)));
    assert_eq!(link.created_at, NOW);
    assert_eq!(link.expires_at, NOW + Duration::hours(72));
    let mail = link.mail.expect("the link's email");
    assert_eq!(mail.to, "new.person@clinic.org");
    assert!(mail.text.contains(&format!(
        "https://app.genascope.test/reset-password?token={}",
        token_hex(1)
    )));
}

// ----- get -----

fn stored(m: &mut Mocks, u: &User) {
    let (id, u) = (u.id, u.clone());
    m.users
        .expect_get()
        .withf(move |i| *i == id)
        .returning(move |_| Ok(u.clone()));
}

#[tokio::test]
async fn cross_account_get_is_404_and_own_records_roles_see_only_themselves() {
    let (a, b) = (account_id(), account_id());
    let other = user(Role::Clinician, Some(b));
    for role in [Role::Admin, Role::Clinician] {
        let mut m = Mocks::new();
        stored(&mut m, &other);
        let r = m
            .identity()
            .get_user(&principal_as(role, Some(a)), other.id)
            .await;
        assert_err!(r, IdentityError::NotFound(Entity::User));
    }
    // A lab_tech reads itself, not a colleague.
    let colleague = user(Role::Clinician, Some(a));
    let me = user(Role::LabTech, Some(a));
    let mut m = Mocks::new();
    stored(&mut m, &colleague);
    stored(&mut m, &me);
    let svc = m.identity();
    assert_err!(
        svc.get_user(&principal(&me), colleague.id).await,
        IdentityError::NotFound(Entity::User)
    );
    assert_eq!(svc.get_user(&principal(&me), me.id).await.unwrap(), me);
}

// ----- update -----

fn patch() -> UserPatch {
    UserPatch::default()
}

async fn update(
    m: Mocks,
    p: &Principal,
    id: UserId,
    patch: UserPatch,
) -> Result<User, IdentityError> {
    m.identity().update_user(p, id, patch).await
}

#[tokio::test]
async fn nobody_changes_their_own_role_or_active_flag() {
    let me = user(Role::Admin, Some(account_id()));
    let cases = [
        (
            UserPatch {
                role: Some(Role::Clinician),
                ..patch()
            },
            "role",
        ),
        (
            UserPatch {
                is_active: Some(false),
                ..patch()
            },
            "is_active",
        ),
    ];
    for (p, field) in cases {
        let mut m = Mocks::new();
        stored(&mut m, &me);
        // No update expectation.
        let r = update(m, &principal(&me), me.id, p).await;
        assert_err!(r, IdentityError::Denied(Denial::OwnField(f)) if f == field);
    }
}

#[tokio::test]
async fn self_update_of_profile_fields_is_saved_and_unchanged_role_is_accepted() {
    let me = user(Role::LabTech, Some(account_id()));
    let mut m = Mocks::new();
    stored(&mut m, &me);
    let saved: Slot<User> = Slot::new();
    let s = saved.clone();
    m.users.expect_update().times(1).returning(move |_, u, _| {
        s.push(u.clone());
        Ok(())
    });
    let p = UserPatch {
        names: names("Janet Q Public"),
        phone: Patch::Set(phone(" +44 20 7946 0000 ")),
        role: Some(Role::LabTech),
        is_active: Some(true),
        ..patch()
    };
    let u = update(m, &principal(&me), me.id, p).await.unwrap();
    assert_eq!(saved.one(), u);
    assert_eq!(u.name, "Janet Q Public");
    assert_eq!(
        (u.first_name.as_str(), u.last_name.as_str()),
        ("Janet Q", "Public")
    );
    assert_eq!(u.phone.as_deref(), Some("+44 20 7946 0000"));
    assert_eq!(u.role, Role::LabTech);
    assert_eq!(u.updated_at, NOW);
}

#[tokio::test]
async fn self_update_with_a_taken_email_is_409() {
    let me = user(Role::Clinician, Some(account_id()));
    let mut m = Mocks::new();
    stored(&mut m, &me);
    current_password_is(&mut m, &me, true);
    m.users
        .expect_update()
        .returning(|_, _, _| Err(RepoError::Duplicate("email")));
    let r = update(
        m,
        &principal(&me),
        me.id,
        UserPatch {
            email: Some(email("taken@clinic.org")),
            current_password: Some(Password::new("current-pw".into())),
            ..patch()
        },
    )
    .await;
    assert_err!(r, IdentityError::Conflict(IdentityConflict::EmailTaken));
}

/// The credential check of a self email change: `right` decides the verification.
fn current_password_is(m: &mut Mocks, u: &User, right: bool) {
    let c = creds(u, Some("the-hash"), None);
    m.users
        .expect_credentials()
        .returning(move |_| Ok(c.clone()));
    m.hasher
        .expect_verify_password()
        .withf(|p, h| p.expose() == "current-pw" && h == "the-hash")
        .times(1)
        .return_const(right);
    m.throttle.expect_check().returning(|k, _, _| admitted(k));
    m.throttle
        .expect_forgive()
        .times(usize::from(right))
        .returning(|_| Ok(()));
}

/// Issue #6 item 3: a stolen access token alone cannot move an account to another address.
#[tokio::test]
async fn changing_ones_own_email_needs_the_current_password() {
    let me = user(Role::Clinician, Some(account_id()));
    let change = |pw: Option<&str>| UserPatch {
        email: Some(email("attacker@evil.example")),
        current_password: pw.map(|p| Password::new(p.into())),
        ..patch()
    };
    // Missing: 422 naming the field, nothing written (no update expectation).
    let mut m = Mocks::new();
    stored(&mut m, &me);
    let r = update(m, &principal(&me), me.id, change(None)).await;
    assert_eq!(fields(&r), vec!["current_password"]);
    // Wrong: 400, counted as a failed login of the email, nothing written.
    let mut m = Mocks::new();
    stored(&mut m, &me);
    current_password_is(&mut m, &me, false);
    let key = me.email.to_string();
    m.throttle
        .expect_record_failure()
        .withf(move |a, _| a.key == key)
        .times(1)
        .returning(|_, _| Ok(()));
    let r = update(m, &principal(&me), me.id, change(Some("current-pw"))).await;
    assert_err!(r, IdentityError::Refused(Refusal::WrongPassword));
    // Right: written, every session ended, the old address told.
    let mut m = Mocks::new();
    stored(&mut m, &me);
    current_password_is(&mut m, &me, true);
    // The old address's notice is part of the update (one transaction).
    let old = me.email.to_string();
    m.users
        .expect_update()
        .withf(move |_, _, notice| {
            notice
                .as_ref()
                .is_some_and(|e| e.to == old && e.text.contains("attacker@evil.example"))
        })
        .times(1)
        .returning(|_, _, _| Ok(()));
    m.tokens
        .expect_revoke_resets()
        .times(1)
        .returning(|_, _| Ok(()));
    let id = me.id;
    m.tokens
        .expect_revoke_all_refresh()
        .withf(move |u, _| *u == id)
        .times(1)
        .returning(|_, _| Ok(()));
    let r = update(m, &principal(&me), me.id, change(Some("current-pw"))).await;
    assert_eq!(r.unwrap().email.as_str(), "attacker@evil.example");
}

#[tokio::test]
async fn clinician_cannot_update_a_colleague() {
    let a = account_id();
    let colleague = user(Role::User, Some(a));
    let mut m = Mocks::new();
    stored(&mut m, &colleague);
    let r = update(
        m,
        &principal_as(Role::Clinician, Some(a)),
        colleague.id,
        UserPatch {
            names: names("X Y"),
            ..patch()
        },
    )
    .await;
    assert_err!(r, IdentityError::Denied(Denial::NotPermitted));
}

#[tokio::test]
async fn admin_cannot_promote_to_super_admin() {
    let a = account_id();
    let target = user(Role::Clinician, Some(a));
    let mut m = Mocks::new();
    stored(&mut m, &target);
    let r = update(
        m,
        &principal_as(Role::Admin, Some(a)),
        target.id,
        UserPatch {
            role: Some(Role::SuperAdmin),
            account_id: Patch::Clear,
            ..patch()
        },
    )
    .await;
    assert_err!(r, IdentityError::Denied(Denial::OwnField("role")));
}

#[tokio::test]
async fn admin_updating_another_accounts_user_is_404() {
    let target = user(Role::Clinician, Some(account_id()));
    let mut m = Mocks::new();
    stored(&mut m, &target);
    let r = update(
        m,
        &principal_as(Role::Admin, Some(account_id())),
        target.id,
        UserPatch {
            is_active: Some(false),
            ..patch()
        },
    )
    .await;
    assert_err!(r, IdentityError::NotFound(Entity::User));
}

fn admins_left(m: &mut Mocks, account: AccountId, n: u64) {
    m.users
        .expect_count_active_admins()
        .withf(move |a| *a == account)
        .returning(move |_| Ok(n));
}

#[tokio::test]
async fn demoting_or_deactivating_the_last_active_admin_is_409() {
    let a = account_id();
    let last = user(Role::Admin, Some(a));
    let changes = [
        UserPatch {
            role: Some(Role::Clinician),
            ..patch()
        },
        UserPatch {
            is_active: Some(false),
            ..patch()
        },
    ];
    for change in changes {
        let mut m = Mocks::new();
        stored(&mut m, &last);
        admins_left(&mut m, a, 1);
        // No update expectation.
        let r = update(m, &principal_as(Role::Admin, Some(a)), last.id, change).await;
        assert_err!(r, IdentityError::Conflict(IdentityConflict::LastAdmin));
    }
}

#[tokio::test]
async fn demoting_an_admin_is_fine_when_another_active_admin_remains() {
    let a = account_id();
    let target = user(Role::Admin, Some(a));
    let mut m = Mocks::new();
    stored(&mut m, &target);
    admins_left(&mut m, a, 2);
    m.users
        .expect_update()
        .withf(|_, u, notice| u.role == Role::Clinician && notice.is_none())
        .times(1)
        .returning(|_, _, _| Ok(()));
    let u = update(
        m,
        &principal_as(Role::Admin, Some(a)),
        target.id,
        UserPatch {
            role: Some(Role::Clinician),
            ..patch()
        },
    )
    .await
    .unwrap();
    assert_eq!(u.role, Role::Clinician);
}

#[tokio::test]
async fn non_super_admin_cannot_move_a_user_to_another_account() {
    let a = account_id();
    let target = user(Role::User, Some(a));
    let mut m = Mocks::new();
    stored(&mut m, &target);
    let r = update(
        m,
        &principal_as(Role::Admin, Some(a)),
        target.id,
        UserPatch {
            account_id: Patch::Set(account_id()),
            ..patch()
        },
    )
    .await;
    assert!(
        matches!(
            r,
            Err(IdentityError::Denied(_) | IdentityError::NotFound(Entity::Account))
        ),
        "{r:?}"
    );
}

#[tokio::test]

async fn self_update_clearing_an_already_empty_clinician_is_not_a_change() {
    let me = user(Role::Clinician, Some(account_id()));
    assert_eq!(me.clinician_id, None);
    let mut m = Mocks::new();
    stored(&mut m, &me);
    let r = update(
        m,
        &principal(&me),
        me.id,
        UserPatch {
            clinician_id: Patch::Clear,
            ..patch()
        },
    )
    .await;
    assert_eq!(r.unwrap(), me);
}

#[tokio::test]

async fn demoting_a_super_admin_requires_an_account() {
    let target = user(Role::SuperAdmin, None);
    let mut m = Mocks::new();
    stored(&mut m, &target);
    // The service today saves the account-less admin; the assertion below reports it.
    m.users.expect_update().returning(|_, _, _| Ok(()));
    let r = update(
        m,
        &principal_as(Role::SuperAdmin, None),
        target.id,
        UserPatch {
            role: Some(Role::Admin),
            ..patch()
        },
    )
    .await;
    assert_eq!(fields(&r), vec!["account_id"]);
}

// ----- delete -----

#[tokio::test]
async fn deleting_yourself_is_403() {
    let me = user(Role::Admin, Some(account_id()));
    let mut m = Mocks::new();
    stored(&mut m, &me);
    // No soft_delete expectation.
    let r = m.identity().delete_user(&principal(&me), me.id).await;
    assert_err!(r, IdentityError::Denied(Denial::DeleteSelf));
}

#[tokio::test]
async fn deleting_the_last_active_admin_is_409() {
    let a = account_id();
    let last = user(Role::Admin, Some(a));
    let mut m = Mocks::new();
    stored(&mut m, &last);
    admins_left(&mut m, a, 1);
    let r = m
        .identity()
        .delete_user(&principal_as(Role::SuperAdmin, None), last.id)
        .await;
    assert_err!(r, IdentityError::Conflict(IdentityConflict::LastAdmin));
}

#[tokio::test]
async fn admin_deletes_a_user_of_its_account() {
    let a = account_id();
    let target = user(Role::Admin, Some(a));
    let mut m = Mocks::new();
    stored(&mut m, &target);
    admins_left(&mut m, a, 3);
    let id = target.id;
    m.users
        .expect_soft_delete()
        .withf(move |i, at| *i == id && *at == NOW)
        .times(1)
        .returning(|_, _| Ok(()));
    m.identity()
        .delete_user(&principal_as(Role::Admin, Some(a)), target.id)
        .await
        .unwrap();
}

#[tokio::test]
async fn delete_cross_account_is_404_and_non_admins_get_403() {
    let target = user(Role::User, Some(account_id()));
    let mut m = Mocks::new();
    stored(&mut m, &target);
    let r = m
        .identity()
        .delete_user(&principal_as(Role::Admin, Some(account_id())), target.id)
        .await;
    assert_err!(r, IdentityError::NotFound(Entity::User));
    // Role check first: no lookup for a clinician.
    let r = Mocks::new()
        .identity()
        .delete_user(
            &principal_as(Role::Clinician, Some(account_id())),
            target.id,
        )
        .await;
    assert_err!(r, IdentityError::Denied(Denial::NotPermitted));
}

#[tokio::test]
async fn the_patient_role_is_never_given_to_or_taken_from_an_existing_user() {
    let a = account_id();
    let admin = principal_as(Role::Admin, Some(a));
    for (from, to) in [
        (Role::Patient, Role::Admin),
        (Role::Clinician, Role::Patient),
        (Role::Patient, Role::User),
    ] {
        let target = user(from, Some(a));
        let mut m = Mocks::new();
        stored(&mut m, &target);
        // No update expectation: nothing may be saved.
        let r = update(
            m,
            &admin,
            target.id,
            UserPatch {
                role: Some(to),
                ..patch()
            },
        )
        .await;
        assert_eq!(fields(&r), vec!["role"], "{from} -> {to}");
    }
}

#[tokio::test]
async fn an_admin_sending_account_id_null_or_its_own_is_fine_another_is_404() {
    let a = account_id();
    let admin = principal_as(Role::Admin, Some(a));
    let target = user(Role::Clinician, Some(a));
    for (sent, ok) in [
        (Patch::Clear, true),
        (Patch::Set(a), true),
        (Patch::Set(account_id()), false),
    ] {
        let mut m = Mocks::new();
        stored(&mut m, &target);
        let r = update(
            m,
            &admin,
            target.id,
            UserPatch {
                account_id: sent.clone(),
                ..patch()
            },
        )
        .await;
        if ok {
            assert_eq!(r.unwrap(), target, "{sent:?} is not a change");
        } else {
            assert_err!(r, IdentityError::NotFound(Entity::Account));
        }
    }
}

#[tokio::test]
async fn only_patient_logins_have_a_clinician() {
    let a = account_id();
    let admin = principal_as(Role::Admin, Some(a));
    let staff = user(Role::User, Some(a));
    let doc = user(Role::Clinician, Some(a));
    let mut m = Mocks::new();
    stored(&mut m, &staff);
    stored(&mut m, &doc);
    let r = update(
        m,
        &admin,
        staff.id,
        UserPatch {
            clinician_id: Patch::Set(doc.id),
            ..patch()
        },
    )
    .await;
    assert_eq!(fields(&r), vec!["clinician_id"]);
}

#[tokio::test]
async fn an_email_change_or_a_deactivation_kills_old_links_and_sessions() {
    let a = account_id();
    let admin = principal_as(Role::Admin, Some(a));
    let target = user(Role::Clinician, Some(a));
    let tid = target.id;
    // Email change (by an admin: no password asked): reset links and sessions die, and the old
    // address is told.
    let mut m = Mocks::new();
    stored(&mut m, &target);
    let old = target.email.to_string();
    m.users
        .expect_update()
        .withf(move |_, _, notice| notice.as_ref().is_some_and(|e| e.to == old))
        .times(1)
        .returning(|_, _, _| Ok(()));
    m.tokens
        .expect_revoke_resets()
        .withf(move |u, _| *u == tid)
        .times(1)
        .returning(|_, _| Ok(()));
    m.tokens
        .expect_revoke_all_refresh()
        .withf(move |u, _| *u == tid)
        .times(1)
        .returning(|_, _| Ok(()));
    let r = update(
        m,
        &admin,
        tid,
        UserPatch {
            email: Some(email("new.address@clinic.org")),
            ..patch()
        },
    )
    .await;
    assert_eq!(r.unwrap().email.as_str(), "new.address@clinic.org");
    // Deactivation: reset links and refresh tokens die.
    let mut m = Mocks::new();
    stored(&mut m, &target);
    m.users.expect_update().times(1).returning(|_, _, _| Ok(()));
    m.tokens
        .expect_revoke_resets()
        .times(1)
        .returning(|_, _| Ok(()));
    m.tokens
        .expect_revoke_all_refresh()
        .withf(move |u, _| *u == tid)
        .times(1)
        .returning(|_, _| Ok(()));
    let r = update(
        m,
        &admin,
        tid,
        UserPatch {
            is_active: Some(false),
            ..patch()
        },
    )
    .await;
    assert!(!r.unwrap().is_active);
    // A phone change touches no token.
    let mut m = Mocks::new();
    stored(&mut m, &target);
    m.users.expect_update().times(1).returning(|_, _, _| Ok(()));
    let r = update(
        m,
        &admin,
        tid,
        UserPatch {
            phone: Patch::Set(phone("+1 555 0100")),
            ..patch()
        },
    )
    .await;
    assert!(r.is_ok());
}
