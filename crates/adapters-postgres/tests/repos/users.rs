use crate::support::{account, at, email, login_with_record, new_user, patient, refresh, user};
use genascope_adapters_postgres::testing::TestDb;
use genascope_domain::common::{AccountId, PatientId, RepoError, UserId};
use genascope_domain::identity::model::{Account, AccountStatus, Role, User};
use genascope_domain::identity::ports::{
    AccountRepository, NewUser, Page, Rotation, TokenStore, UserFilter, UserRepository,
};
use genascope_domain::patients::ports::PatientRepository;

const ALL: Page = Page {
    offset: 0,
    limit: 100,
};

/// An account with its admin.
async fn clinic(t: &TestDb, name: &str) -> (Account, User) {
    let a = account(name, None);
    let admin = user(
        Some(a.id),
        &format!("admin@{}.org", name.to_lowercase()),
        &format!("{name} Admin"),
        Role::Admin,
    );
    AccountRepository::create_with_admin(t.db(), &a, &new_user(admin.clone()))
        .await
        .unwrap();
    (a, admin)
}

fn names(users: &[User]) -> Vec<&str> {
    users.iter().map(|u| u.name.as_str()).collect()
}

pub async fn crud(t: &TestDb) {
    let users: &dyn UserRepository = t.db();
    let (a, _) = clinic(t, "Crud").await;
    let mut u = user(Some(a.id), "doc@crud.org", "Dana Doc", Role::Clinician);
    users.insert(&new_user(u.clone()), None).await.unwrap();
    assert_eq!(users.get(u.id).await.unwrap(), u);
    let before = u.clone();

    u.name = "Dana Q Doc".into();
    u.first_name = "Dana Q".into();
    u.role = Role::Physician;
    u.is_active = false;
    u.phone = Some("+1 555 0100".into());
    u.email = email("dana@crud.org");
    u.updated_at = at(2);
    users.update(&before, &u, None).await.unwrap();
    assert_eq!(users.get(u.id).await.unwrap(), u);

    // A patient-role user with a clinician.
    let mut p = user(Some(a.id), "pat@crud.org", "Pat Ient", Role::Patient);
    p.clinician_id = Some(u.id);
    users.insert(&new_user(p.clone()), None).await.unwrap();
    assert_eq!(users.get(p.id).await.unwrap().clinician_id, Some(u.id));

    users.soft_delete(u.id, at(3)).await.unwrap();
    assert!(matches!(users.get(u.id).await, Err(RepoError::NotFound)));
    assert!(matches!(
        users.credentials(u.id).await,
        Err(RepoError::NotFound)
    ));
    assert!(
        users
            .credentials_by_email(&u.email)
            .await
            .unwrap()
            .is_none()
    );
    assert!(matches!(
        users.update(&before, &u, None).await,
        Err(RepoError::NotFound)
    ));
    assert!(matches!(
        users.soft_delete(u.id, at(4)).await,
        Err(RepoError::NotFound)
    ));
    assert!(matches!(
        users.principal(u.id, "j", None).await,
        Err(RepoError::NotFound)
    ));
    assert!(matches!(
        users.get(UserId(uuid::Uuid::new_v4())).await,
        Err(RepoError::NotFound)
    ));
}

pub async fn email_is_unique_case_insensitively_and_reusable_after_delete(t: &TestDb) {
    let users: &dyn UserRepository = t.db();
    let (a, _) = clinic(t, "One").await;
    let (b, _) = clinic(t, "Two").await;
    let first = user(Some(a.id), "Same@Example.org", "First User", Role::User);
    users.insert(&new_user(first.clone()), None).await.unwrap();

    // Global across accounts, whatever the case it was typed in.
    let second = user(Some(b.id), "SAME@example.ORG", "Second User", Role::User);
    let err = users
        .insert(&new_user(second.clone()), None)
        .await
        .unwrap_err();
    assert!(matches!(err, RepoError::Duplicate("email")), "{err:?}");

    // Changing another user's email to a taken one.
    let mut third = user(Some(b.id), "third@example.org", "Third User", Role::User);
    users.insert(&new_user(third.clone()), None).await.unwrap();
    let before = third.clone();
    third.email = email("same@EXAMPLE.org");
    let err = users.update(&before, &third, None).await.unwrap_err();
    assert!(matches!(err, RepoError::Duplicate("email")), "{err:?}");

    // Reusable once the holder is soft-deleted.
    users.soft_delete(first.id, at(1)).await.unwrap();
    users.insert(&new_user(second.clone()), None).await.unwrap();
    let found = users
        .credentials_by_email(&email("same@example.org"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.user.id, second.id);
}

pub async fn credentials(t: &TestDb) {
    let users: &dyn UserRepository = t.db();
    let (a, _) = clinic(t, "Creds").await;
    let with = new_user(user(
        Some(a.id),
        "with@creds.org",
        "With Password",
        Role::Clinician,
    ));
    let without = NewUser {
        user: user(
            Some(a.id),
            "without@creds.org",
            "No Password",
            Role::Clinician,
        ),
        password_hash: None,
    };
    users.insert(&with, None).await.unwrap();
    users.insert(&without, None).await.unwrap();

    let c = users
        .credentials_by_email(&with.user.email)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(c.user, with.user);
    assert_eq!(c.password_hash, with.password_hash);
    assert_eq!(c.password_changed_at, None);
    let c = users.credentials(without.user.id).await.unwrap();
    assert_eq!(c.password_hash, None);
    assert!(
        users
            .credentials_by_email(&email("nobody@creds.org"))
            .await
            .unwrap()
            .is_none()
    );
}

pub async fn principal(t: &TestDb) {
    let (users, accounts, tokens): (&dyn UserRepository, &dyn AccountRepository, &dyn TokenStore) =
        (t.db(), t.db(), t.db());
    let (mut a, admin) = clinic(t, "Princ").await;

    let p = users.principal(admin.id, "jti-1", None).await.unwrap();
    assert_eq!(p.user, admin);
    assert!(p.account_active);
    assert_eq!(p.account_name.as_deref(), Some("Princ"));
    assert!(!p.jti_denied);
    assert_eq!(p.password_changed_at, None);

    tokens.deny_jti("jti-1", at(60), at(0)).await.unwrap();
    tokens.deny_jti("jti-1", at(60), at(0)).await.unwrap(); // twice is fine
    assert!(
        users
            .principal(admin.id, "jti-1", None)
            .await
            .unwrap()
            .jti_denied
    );
    assert!(
        !users
            .principal(admin.id, "jti-2", None)
            .await
            .unwrap()
            .jti_denied
    );
    // Denying another token later purges denials whose tokens have expired by then.
    tokens.deny_jti("jti-9", at(200), at(62)).await.unwrap();
    assert!(
        users
            .principal(admin.id, "jti-1", None)
            .await
            .unwrap()
            .jti_denied,
        "kept through the clock leeway"
    );
    tokens.deny_jti("jti-9", at(200), at(66)).await.unwrap();
    assert!(
        !users
            .principal(admin.id, "jti-1", None)
            .await
            .unwrap()
            .jti_denied,
        "jti-1 expired at 60: purged"
    );
    assert!(
        users
            .principal(admin.id, "jti-9", None)
            .await
            .unwrap()
            .jti_denied
    );

    a.status = AccountStatus::Inactive;
    accounts.update(&a).await.unwrap();
    let p = users.principal(admin.id, "jti-2", None).await.unwrap();
    assert!(!p.account_active);
    assert_eq!(p.account_name.as_deref(), Some("Princ"));

    // Super admins have no account and are always "in an active account".
    let root = user(None, "root@platform.org", "Root Admin", Role::SuperAdmin);
    users.insert(&new_user(root.clone()), None).await.unwrap();
    let p = users.principal(root.id, "jti-3", None).await.unwrap();
    assert!(p.account_active);
    assert_eq!(p.account_name, None);
    assert_eq!(p.user.account_id, None);

    // The record reports an inactive user as such (the caller refuses it).
    let mut off = user(Some(a.id), "off@princ.org", "Off User", Role::User);
    off.is_active = false;
    users.insert(&new_user(off.clone()), None).await.unwrap();
    assert!(
        !users
            .principal(off.id, "j", None)
            .await
            .unwrap()
            .user
            .is_active
    );

    users
        .set_password(admin.id, "new-hash", at(7))
        .await
        .unwrap();
    let p = users.principal(admin.id, "jti-2", None).await.unwrap();
    assert_eq!(p.password_changed_at, Some(at(7)));
}

pub async fn set_password_revokes_refresh_tokens(t: &TestDb) {
    let (users, tokens): (&dyn UserRepository, &dyn TokenStore) = (t.db(), t.db());
    let (_, admin) = clinic(t, "Pw").await;
    let (_, other) = clinic(t, "Other").await;
    tokens
        .insert_refresh(&refresh(admin.id, "a1", at(0)))
        .await
        .unwrap();
    tokens
        .insert_refresh(&refresh(admin.id, "a2", at(0)))
        .await
        .unwrap();
    tokens
        .insert_refresh(&refresh(other.id, "o1", at(0)))
        .await
        .unwrap();

    users
        .set_password(admin.id, "hash-2", at(10))
        .await
        .unwrap();
    let c = users.credentials(admin.id).await.unwrap();
    assert_eq!(c.password_hash.as_deref(), Some("hash-2"));
    assert_eq!(c.password_changed_at, Some(at(10)));
    assert_eq!(c.user.updated_at, at(10));

    for d in ["a1", "a2"] {
        let r = tokens
            .rotate_refresh(d, at(11), &refresh(admin.id, &format!("{d}-next"), at(11)))
            .await
            .unwrap();
        assert_eq!(r, Rotation::Invalid, "{d}");
    }
    // Other users keep their sessions.
    let r = tokens
        .rotate_refresh("o1", at(11), &refresh(other.id, "o2", at(11)))
        .await
        .unwrap();
    assert_eq!(r, Rotation::Rotated(other.id));
    assert!(matches!(
        users
            .set_password(UserId(uuid::Uuid::new_v4()), "h", at(1))
            .await,
        Err(RepoError::NotFound)
    ));
}

pub async fn list_filters_pages_and_orders(t: &TestDb) {
    let users: &dyn UserRepository = t.db();
    let (a, _) = clinic(t, "Alpha").await; // "Alpha Admin"
    let (b, _) = clinic(t, "Beta").await; // "Beta Admin"
    let mk = |acc: AccountId, mail: &str, name: &str, role: Role, active: bool| {
        let mut u = user(Some(acc), mail, name, role);
        u.is_active = active;
        u
    };
    for u in [
        mk(
            a.id,
            "zed@alpha.org",
            "Zed Clinician",
            Role::Clinician,
            true,
        ),
        mk(
            a.id,
            "carla@alpha.org",
            "carla Physician",
            Role::Physician,
            true,
        ),
        mk(a.id, "lab@alpha.org", "Lab Tech", Role::LabTech, false),
        mk(a.id, "100%@alpha.org", "Percent User", Role::User, true),
        mk(b.id, "bob@beta.org", "Bob Clinician", Role::Clinician, true),
    ] {
        users.insert(&new_user(u), None).await.unwrap();
    }
    let gone = mk(
        a.id,
        "gone@alpha.org",
        "Gone Clinician",
        Role::Clinician,
        true,
    );
    users.insert(&new_user(gone.clone()), None).await.unwrap();
    users.soft_delete(gone.id, at(1)).await.unwrap();

    let in_a = UserFilter {
        account_id: Some(a.id),
        ..UserFilter::default()
    };
    assert_eq!(
        names(&users.list(&in_a, ALL).await.unwrap()),
        [
            "Alpha Admin",
            "carla Physician",
            "Lab Tech",
            "Percent User",
            "Zed Clinician"
        ]
    );
    assert_eq!(
        names(
            &users
                .list(
                    &in_a,
                    Page {
                        offset: 1,
                        limit: 2
                    }
                )
                .await
                .unwrap()
        ),
        ["carla Physician", "Lab Tech"]
    );
    assert_eq!(
        users.list(&UserFilter::default(), ALL).await.unwrap().len(),
        7
    );

    let providers = UserFilter {
        roles: vec![Role::Clinician, Role::Physician],
        ..UserFilter::default()
    };
    assert_eq!(
        names(&users.list(&providers, ALL).await.unwrap()),
        ["Bob Clinician", "carla Physician", "Zed Clinician"]
    );
    let search = |q: &str| UserFilter {
        search: Some(q.to_owned()),
        ..UserFilter::default()
    };
    assert_eq!(
        names(&users.list(&search("CLINIC"), ALL).await.unwrap()),
        ["Bob Clinician", "Zed Clinician"]
    );
    assert_eq!(
        names(&users.list(&search("@BETA."), ALL).await.unwrap()),
        ["Beta Admin", "Bob Clinician"]
    );
    assert_eq!(
        names(&users.list(&search("%@"), ALL).await.unwrap()),
        ["Percent User"]
    );
    let inactive = UserFilter {
        is_active: Some(false),
        ..UserFilter::default()
    };
    assert_eq!(
        names(&users.list(&inactive, ALL).await.unwrap()),
        ["Lab Tech"]
    );
}

pub async fn count_active_admins(t: &TestDb) {
    let users: &dyn UserRepository = t.db();
    let (a, _) = clinic(t, "Admins").await;
    let (b, _) = clinic(t, "Others").await;
    let second = user(Some(a.id), "second@admins.org", "Second Admin", Role::Admin);
    let mut off = user(Some(a.id), "off@admins.org", "Off Admin", Role::Admin);
    off.is_active = false;
    let gone = user(Some(a.id), "gone@admins.org", "Gone Admin", Role::Admin);
    let clin = user(Some(a.id), "clin@admins.org", "Clin Ician", Role::Clinician);
    for u in [&second, &off, &gone, &clin] {
        users.insert(&new_user(u.clone()), None).await.unwrap();
    }
    users.soft_delete(gone.id, at(1)).await.unwrap();
    assert_eq!(users.count_active_admins(a.id).await.unwrap(), 2);
    assert_eq!(users.count_active_admins(b.id).await.unwrap(), 1);
    assert_eq!(
        users
            .count_active_admins(AccountId(uuid::Uuid::new_v4()))
            .await
            .unwrap(),
        0
    );
}

pub async fn insert_with_patient_is_one_transaction(t: &TestDb) {
    let (users, patients): (&dyn UserRepository, &dyn PatientRepository) = (t.db(), t.db());
    let (a, _) = clinic(t, "Tx").await;
    let p = patient(a.id, "pat@tx.org", "Pat", "Tx");
    let mut login = user(Some(a.id), "pat@tx.org", "Pat Tx", Role::Patient);
    login.id = UserId::from(p.id);
    patients
        .insert_login(&login_with_record(login.clone(), &p))
        .await
        .unwrap();
    assert_eq!(users.get(login.id).await.unwrap(), login);
    let view = patients.get(p.id).await.unwrap();
    assert_eq!(view.patient, p);
    assert!(view.has_login);

    // The patient insert fails (email taken in the account): the user is not kept either.
    let q = patient(a.id, "pat@tx.org", "Other", "Pat");
    let mut login2 = user(Some(a.id), "other@tx.org", "Other Pat", Role::Patient);
    login2.id = UserId::from(q.id);
    let err = patients
        .insert_login(&login_with_record(login2.clone(), &q))
        .await
        .unwrap_err();
    assert!(matches!(err, RepoError::Duplicate("email")), "{err:?}");
    assert!(matches!(
        users.get(login2.id).await,
        Err(RepoError::NotFound)
    ));
    assert!(matches!(patients.get(q.id).await, Err(RepoError::NotFound)));
    assert!(matches!(
        patients.get(PatientId(uuid::Uuid::new_v4())).await,
        Err(RepoError::NotFound)
    ));
}

/// Two edits made from the same version, of different fields, both stand (no lost update).
pub async fn concurrent_edits_of_different_fields_both_stand(t: &TestDb) {
    let users: &dyn UserRepository = t.db();
    let (a, _) = clinic(t, "Lost").await;
    let u = user(Some(a.id), "lu@lost.org", "Lou User", Role::Clinician);
    users.insert(&new_user(u.clone()), None).await.unwrap();
    let mut by_admin = u.clone();
    by_admin.is_active = false;
    by_admin.updated_at = at(1);
    let mut by_self = u.clone();
    by_self.phone = Some("+1 555 0199".into());
    by_self.updated_at = at(2);
    users.update(&u, &by_admin, None).await.unwrap();
    users.update(&u, &by_self, None).await.unwrap();
    let now = users.get(u.id).await.unwrap();
    assert!(
        !now.is_active,
        "the deactivation was not undone by the later phone edit"
    );
    assert_eq!(now.phone.as_deref(), Some("+1 555 0199"));
}

/// Two admins demoting each other at once: the store lets one through and refuses the other, so
/// the account keeps an active admin. Deleting the last one is refused the same way.
pub async fn the_last_active_admin_is_kept_atomically(t: &TestDb) {
    let users: &dyn UserRepository = t.db();
    let (a, first) = clinic(t, "Keep").await;
    let second = user(Some(a.id), "second@keep.org", "Second Admin", Role::Admin);
    users.insert(&new_user(second.clone()), None).await.unwrap();
    let demote = |u: &User| {
        let mut d = u.clone();
        d.role = Role::Clinician;
        d.updated_at = at(5);
        d
    };
    let (d1, d2) = (demote(&first), demote(&second));
    let (r1, r2) = tokio::join!(
        users.update(&first, &d1, None),
        users.update(&second, &d2, None)
    );
    let conflicts = [&r1, &r2]
        .iter()
        .filter(|r| matches!(r, Err(RepoError::Conflict(_))))
        .count();
    assert_eq!(conflicts, 1, "{r1:?} {r2:?}");
    assert!(r1.is_ok() || r2.is_ok());
    assert_eq!(users.count_active_admins(a.id).await.unwrap(), 1);
    let survivor = if r1.is_ok() { second.id } else { first.id };
    assert!(matches!(
        users.soft_delete(survivor, at(6)).await,
        Err(RepoError::Conflict(_))
    ));
    assert!(users.get(survivor).await.is_ok(), "nothing was deleted");
}

/// A deleted account's users are kept (retention) but no read shows them; super_admins, who have
/// no account, stay visible.
pub async fn users_of_a_deleted_account_are_hidden(t: &TestDb) {
    let users: &dyn UserRepository = t.db();
    let (gone, gone_admin) = clinic(t, "Vanished").await;
    let (_, kept_admin) = clinic(t, "Remains").await;
    let root = user(None, "root@hidden.org", "Root Admin", Role::SuperAdmin);
    users.insert(&new_user(root.clone()), None).await.unwrap();
    AccountRepository::soft_delete(t.db(), gone.id, at(9))
        .await
        .unwrap();
    assert!(matches!(
        users.get(gone_admin.id).await,
        Err(RepoError::NotFound)
    ));
    assert!(users.get(kept_admin.id).await.is_ok());
    assert!(users.get(root.id).await.is_ok());
    let all = users
        .list(
            &UserFilter::default(),
            Page {
                offset: 0,
                limit: 100,
            },
        )
        .await
        .unwrap();
    let ids: Vec<UserId> = all.iter().map(|u| u.id).collect();
    assert!(!ids.contains(&gone_admin.id));
    assert!(ids.contains(&kept_admin.id) && ids.contains(&root.id));
}
