//! Users: create, read, update, delete (contract §2.2 rules 2, 4, 10; §3.2).

use crate::support::*;
use genascope_domain::common::{AccountId, DomainError, Patch, PatientId, RepoError, UserId};
use genascope_domain::identity::model::{AccountStatus, Email, Password, Role, User};
use genascope_domain::identity::policy::Principal;
use genascope_domain::identity::ports::{NewUser, ResetLink};
use genascope_domain::identity::service::{CreateUser, UserPatch};
use genascope_domain::patients::model::{Patient, PatientStatus};
use time::Duration;

fn create_req(role: &str) -> CreateUser {
    CreateUser {
        email: Some("New.Person@Clinic.org".into()),
        name: Some("New Person".into()),
        role: Some(role.into()),
        password: Some("a good password".into()),
        confirm_password: Some("a good password".into()),
        ..CreateUser::default()
    }
}

/// Accounts exist; inserts are recorded.
fn insert_slot(m: &mut Mocks) -> Slot<(NewUser, Option<Patient>)> {
    m.accounts
        .expect_get()
        .returning(|a| Ok(account(a, AccountStatus::Active)));
    let s = Slot::new();
    let c = s.clone();
    m.users.expect_insert().returning(move |u, p, _| {
        c.push((u.clone(), p));
        Ok(())
    });
    s
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
    let mut req = create_req("super_admin");
    req.account_id = None;
    // No insert expectation: creating would panic.
    let r = Mocks::new().identity().create_user(&admin, req).await;
    assert_err!(r, DomainError::Forbidden(_));
}

#[tokio::test]
async fn only_admins_and_super_admins_create_users() {
    for role in [Role::Clinician, Role::Physician, Role::LabTech, Role::User] {
        let r = Mocks::new()
            .identity()
            .create_user(&principal_as(role, Some(account_id())), create_req("user"))
            .await;
        assert_err!(r, DomainError::Forbidden(_));
    }
}

#[tokio::test]
async fn admin_creating_in_another_account_is_404_account() {
    let admin = principal_as(Role::Admin, Some(account_id()));
    let mut req = create_req("clinician");
    req.account_id = Some(account_id());
    let r = Mocks::new().identity().create_user(&admin, req).await;
    assert_err!(r, DomainError::NotFound("Account"));
}

#[tokio::test]
async fn create_user_validation_names_every_field_at_once() {
    let admin = principal_as(Role::Admin, Some(account_id()));
    let req = CreateUser {
        phone: Some("abc".into()),
        password: Some("short".into()),
        ..CreateUser::default()
    };
    let r = Mocks::new().identity().create_user(&admin, req).await;
    assert_eq!(
        fields(&r),
        vec!["email", "name", "role", "password", "phone"]
    );
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
        .create_user(&admin, create_req("Clinician"))
        .await
        .unwrap();
    let (nu, patient) = inserted.one();
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
    assert!(patient.is_none());
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
        .returning(|_, _, _| Err(RepoError::Duplicate("email")));
    let r = m.identity().create_user(&admin, create_req("user")).await;
    assert_err!(r, DomainError::Conflict(m) if m == "Email already registered");
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
    m.users
        .expect_insert()
        .times(1)
        .returning(move |u, _, setup| {
            c.push((u.clone(), setup));
            Ok(())
        });
    // No insert_reset expectation: a separate write would panic.
    let mut req = create_req("user");
    req.password = None;
    req.confirm_password = None;
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

#[tokio::test]
async fn patient_user_takes_the_id_of_the_accounts_patient_with_that_email() {
    let own = account_id();
    let admin = principal_as(Role::Admin, Some(own));
    let mut m = Mocks::new();
    let inserted = insert_slot(&mut m);
    hashes(&mut m);
    let existing = Patient {
        email: Email::from_trusted("new.person@clinic.org".into()),
        ..patient(own)
    };
    let pid = existing.id;
    m.patients
        .expect_find_by_email()
        .withf(move |a, e| *a == own && e.as_str() == "new.person@clinic.org")
        .times(1)
        .returning(move |_, _| Ok(Some((existing.clone(), false))));
    let u = m
        .identity()
        .create_user(&admin, create_req("patient"))
        .await
        .unwrap();
    assert_eq!(u.id, UserId(pid.0));
    let (nu, new_patient) = inserted.one();
    assert_eq!(nu.user.id, UserId(pid.0));
    assert!(
        new_patient.is_none(),
        "an existing patient must not be duplicated"
    );
}

#[tokio::test]
async fn patient_user_without_a_patient_creates_one_with_the_same_id() {
    let own = account_id();
    let admin = principal_as(Role::Admin, Some(own));
    let mut m = Mocks::new();
    let inserted = insert_slot(&mut m);
    hashes(&mut m);
    m.patients.expect_find_by_email().returning(|_, _| Ok(None));
    let u = m
        .identity()
        .create_user(&admin, create_req("patient"))
        .await
        .unwrap();
    let (nu, p) = inserted.one();
    let p = p.expect("a patient record is created with the user");
    assert_eq!(p.id, PatientId(u.id.0));
    assert_eq!(nu.user.id, u.id);
    assert_eq!(p.account_id, own);
    assert_eq!(p.email, u.email);
    assert_eq!(p.status, PatientStatus::Active);
    assert_eq!(
        (p.first_name.as_str(), p.last_name.as_str()),
        ("New", "Person")
    );
}

#[tokio::test]

async fn patient_user_is_not_linked_to_a_patient_that_already_has_a_login() {
    let own = account_id();
    let admin = principal_as(Role::Admin, Some(own));
    let mut m = Mocks::new();
    m.accounts
        .expect_get()
        .returning(|a| Ok(account(a, AccountStatus::Active)));
    hashes(&mut m);
    let existing = patient(own);
    let pid = existing.id;
    m.patients
        .expect_find_by_email()
        .returning(move |_, _| Ok(Some((existing.clone(), true))));
    // The store refuses whatever is inserted; what matters is what the service tried.
    let tried: Slot<UserId> = Slot::new();
    let t = tried.clone();
    m.users.expect_insert().returning(move |u, _, _| {
        t.push(u.user.id);
        Err(RepoError::Duplicate("email"))
    });
    let r = m
        .identity()
        .create_user(&admin, create_req("patient"))
        .await;
    assert_err!(r, DomainError::Conflict(_));
    assert!(
        !tried.all().contains(&UserId(pid.0)),
        "a second login was given the id of a patient that already has one"
    );
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
        assert_err!(r, DomainError::NotFound("User"));
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
        DomainError::NotFound("User")
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
) -> Result<User, DomainError> {
    m.identity().update_user(p, id, patch).await
}

#[tokio::test]
async fn nobody_changes_their_own_role_or_active_flag() {
    let me = user(Role::Admin, Some(account_id()));
    let cases = [
        (
            UserPatch {
                role: Patch::Set("clinician".into()),
                ..patch()
            },
            "role",
        ),
        (
            UserPatch {
                is_active: Patch::Set(false),
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
        assert_err!(r, DomainError::Forbidden(msg) if msg.contains(field));
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
        name: Patch::Set("Janet Q Public".into()),
        phone: Patch::Set(" +44 20 7946 0000 ".into()),
        role: Patch::Set("LAB_TECH".into()),
        is_active: Patch::Set(true),
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
            email: Patch::Set("taken@clinic.org".into()),
            current_password: Some(Password::new("current-pw".into())),
            ..patch()
        },
    )
    .await;
    assert_err!(r, DomainError::Conflict(m) if m == "Email already registered");
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
        email: Patch::Set("attacker@evil.example".into()),
        current_password: pw.map(|p| Password::new(p.into())),
        ..patch()
    };
    // Missing: 422 naming the field, nothing written (no update expectation).
    let mut m = Mocks::new();
    stored(&mut m, &me);
    let r = update(m, &principal(&me), me.id, change(None)).await;
    assert_err!(r, DomainError::Validation(e) if e[0].to_string().contains("current_password"));
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
    assert_err!(r, DomainError::BadRequest(m) if m.contains("Current password"));
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
            name: Patch::Set("X Y".into()),
            ..patch()
        },
    )
    .await;
    assert_err!(r, DomainError::Forbidden(_));
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
            role: Patch::Set("super_admin".into()),
            account_id: Patch::Clear,
            ..patch()
        },
    )
    .await;
    assert_err!(r, DomainError::Forbidden(msg) if msg.contains("role"));
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
            is_active: Patch::Set(false),
            ..patch()
        },
    )
    .await;
    assert_err!(r, DomainError::NotFound("User"));
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
            role: Patch::Set("clinician".into()),
            ..patch()
        },
        UserPatch {
            is_active: Patch::Set(false),
            ..patch()
        },
    ];
    for change in changes {
        let mut m = Mocks::new();
        stored(&mut m, &last);
        admins_left(&mut m, a, 1);
        // No update expectation.
        let r = update(m, &principal_as(Role::Admin, Some(a)), last.id, change).await;
        assert_err!(r, DomainError::Conflict(m) if m.contains("last active admin"));
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
            role: Patch::Set("clinician".into()),
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
            Err(DomainError::Forbidden(_) | DomainError::NotFound("Account"))
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
            role: Patch::Set("admin".into()),
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
    assert_err!(r, DomainError::Forbidden(msg) if msg == "You cannot delete yourself");
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
    assert_err!(r, DomainError::Conflict(_));
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
    assert_err!(r, DomainError::NotFound("User"));
    // Role check first: no lookup for a clinician.
    let r = Mocks::new()
        .identity()
        .delete_user(
            &principal_as(Role::Clinician, Some(account_id())),
            target.id,
        )
        .await;
    assert_err!(r, DomainError::Forbidden(_));
}

#[tokio::test]
async fn the_patient_role_is_never_given_to_or_taken_from_an_existing_user() {
    let a = account_id();
    let admin = principal_as(Role::Admin, Some(a));
    for (from, to) in [
        (Role::Patient, "admin"),
        (Role::Clinician, "patient"),
        (Role::Patient, "user"),
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
                role: Patch::Set(to.into()),
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
            assert_err!(r, DomainError::NotFound("Account"));
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
            email: Patch::Set("new.address@clinic.org".into()),
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
            is_active: Patch::Set(false),
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
            phone: Patch::Set("+1 555 0100".into()),
            ..patch()
        },
    )
    .await;
    assert!(r.is_ok());
}
