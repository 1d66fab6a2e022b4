use crate::support::{account, at, new_user, refresh, user};
use genascope_adapters_postgres::testing::TestDb;
use genascope_domain::common::ClinicZone;
use genascope_domain::common::{AccountId, RepoError};
use genascope_domain::identity::model::{AccountStatus, Role};
use genascope_domain::identity::ports::{
    AccountFilter, AccountRepository, Page, Rotation, TokenStore, UserRepository,
};
use genascope_domain::scheduling::ports::SchedulingRepository;

const ALL: Page = Page {
    offset: 0,
    limit: 100,
};

fn names(accounts: &[genascope_domain::identity::model::Account]) -> Vec<&str> {
    accounts.iter().map(|a| a.name.as_str()).collect()
}

pub async fn create_with_admin_and_get(t: &TestDb) {
    let (accounts, users): (&dyn AccountRepository, &dyn UserRepository) = (t.db(), t.db());
    let a = account("Clinic", Some("clinic.example.org"));
    let admin = user(
        Some(a.id),
        "Admin@Clinic.example.org",
        "Ada Admin",
        Role::Admin,
    );
    accounts
        .create_with_admin(&a, &new_user(admin.clone()))
        .await
        .unwrap();

    assert_eq!(accounts.get(a.id).await.unwrap(), a);
    assert_eq!(users.get(admin.id).await.unwrap(), admin);
    let creds = users
        .credentials_by_email(&admin.email)
        .await
        .unwrap()
        .expect("admin stored");
    assert_eq!(creds.user.account_id, Some(a.id));
    assert!(creds.password_hash.is_some());
    assert!(matches!(
        accounts.get(AccountId(uuid::Uuid::new_v4())).await,
        Err(RepoError::NotFound)
    ));
}

pub async fn duplicate_admin_email_leaves_no_account(t: &TestDb) {
    let accounts: &dyn AccountRepository = t.db();
    let a = account("First", None);
    accounts
        .create_with_admin(
            &a,
            &new_user(user(Some(a.id), "boss@a.org", "B Oss", Role::Admin)),
        )
        .await
        .unwrap();

    let b = account("Second", Some("second.org"));
    let err = accounts
        .create_with_admin(
            &b,
            &new_user(user(Some(b.id), "BOSS@a.org", "Other Boss", Role::Admin)),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, RepoError::Duplicate("email")), "{err:?}");
    // Atomic: the account insert was rolled back with the failed admin insert.
    assert!(matches!(accounts.get(b.id).await, Err(RepoError::NotFound)));
    assert_eq!(
        names(&accounts.list(&AccountFilter::default(), ALL).await.unwrap()),
        ["First"]
    );
    // And its domain is still free.
    let c = account("Third", Some("second.org"));
    accounts
        .create_with_admin(
            &c,
            &new_user(user(Some(c.id), "c@c.org", "C C", Role::Admin)),
        )
        .await
        .unwrap();
}

pub async fn domain_is_unique_among_live_accounts(t: &TestDb) {
    let accounts: &dyn AccountRepository = t.db();
    let a = account("A", Some("a.example.org"));
    accounts
        .create_with_admin(
            &a,
            &new_user(user(Some(a.id), "a@a.org", "A A", Role::Admin)),
        )
        .await
        .unwrap();
    let b = account("B", Some("a.example.org"));
    let err = accounts
        .create_with_admin(
            &b,
            &new_user(user(Some(b.id), "b@b.org", "B B", Role::Admin)),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, RepoError::Duplicate("domain")), "{err:?}");

    // Accounts without a domain do not collide.
    for (name, mail) in [("N1", "n1@n.org"), ("N2", "n2@n.org")] {
        let n = account(name, None);
        accounts
            .create_with_admin(&n, &new_user(user(Some(n.id), mail, "N N", Role::Admin)))
            .await
            .unwrap();
    }

    // Update into a taken domain.
    let mut c = account("C", Some("c.example.org"));
    accounts
        .create_with_admin(
            &c,
            &new_user(user(Some(c.id), "c@c.org", "C C", Role::Admin)),
        )
        .await
        .unwrap();
    c.domain = Some("a.example.org".into());
    let err = accounts.update(&c).await.unwrap_err();
    assert!(matches!(err, RepoError::Duplicate("domain")), "{err:?}");

    // Free again once the holder is deleted.
    accounts.soft_delete(a.id, at(5)).await.unwrap();
    accounts.update(&c).await.unwrap();
    assert_eq!(
        accounts.get(c.id).await.unwrap().domain.as_deref(),
        Some("a.example.org")
    );
}

pub async fn list_filters_pages_and_orders(t: &TestDb) {
    let accounts: &dyn AccountRepository = t.db();
    let mut ids = Vec::new();
    for (i, name) in ["Charlie", "alpha", "Bravo", "100% Care", "Delta"]
        .iter()
        .enumerate()
    {
        let mut a = account(name, None);
        if *name == "Delta" {
            a.status = AccountStatus::Inactive;
        }
        let admin = user(Some(a.id), &format!("admin{i}@x.org"), "A A", Role::Admin);
        accounts
            .create_with_admin(&a, &new_user(admin))
            .await
            .unwrap();
        ids.push(a.id);
    }
    let gone = account("Echo", None);
    accounts
        .create_with_admin(
            &gone,
            &new_user(user(Some(gone.id), "e@x.org", "E E", Role::Admin)),
        )
        .await
        .unwrap();
    accounts.soft_delete(gone.id, at(1)).await.unwrap();

    let all = accounts.list(&AccountFilter::default(), ALL).await.unwrap();
    assert_eq!(
        names(&all),
        ["100% Care", "alpha", "Bravo", "Charlie", "Delta"]
    );

    let page = accounts
        .list(
            &AccountFilter::default(),
            Page {
                offset: 1,
                limit: 2,
            },
        )
        .await
        .unwrap();
    assert_eq!(names(&page), ["alpha", "Bravo"]);
    let past_end = accounts
        .list(
            &AccountFilter::default(),
            Page {
                offset: 10,
                limit: 2,
            },
        )
        .await
        .unwrap();
    assert!(past_end.is_empty());

    let by_name = |q: &str| AccountFilter {
        name: Some(q.to_owned()),
        ..AccountFilter::default()
    };
    assert_eq!(
        names(&accounts.list(&by_name("RA"), ALL).await.unwrap()),
        ["Bravo"]
    );
    assert_eq!(
        names(&accounts.list(&by_name("a"), ALL).await.unwrap()).len(),
        5
    );
    // Wildcards are literal.
    assert_eq!(
        names(&accounts.list(&by_name("%"), ALL).await.unwrap()),
        ["100% Care"]
    );
    assert!(accounts.list(&by_name("_"), ALL).await.unwrap().is_empty());

    let inactive = AccountFilter {
        status: Some(AccountStatus::Inactive),
        ..AccountFilter::default()
    };
    assert_eq!(
        names(&accounts.list(&inactive, ALL).await.unwrap()),
        ["Delta"]
    );

    let only = AccountFilter {
        only: Some(ids[1]),
        ..AccountFilter::default()
    };
    assert_eq!(names(&accounts.list(&only, ALL).await.unwrap()), ["alpha"]);
    let only_gone = AccountFilter {
        only: Some(gone.id),
        ..AccountFilter::default()
    };
    assert!(accounts.list(&only_gone, ALL).await.unwrap().is_empty());
}

pub async fn update_and_soft_delete(t: &TestDb) {
    let (accounts, users, tokens): (&dyn AccountRepository, &dyn UserRepository, &dyn TokenStore) =
        (t.db(), t.db(), t.db());
    let mut a = account("Old", None);
    let admin = user(Some(a.id), "admin@old.org", "A Admin", Role::Admin);
    accounts
        .create_with_admin(&a, &new_user(admin.clone()))
        .await
        .unwrap();
    tokens
        .insert_refresh(&refresh(admin.id, "d1", at(0)))
        .await
        .unwrap();

    a.name = "New".into();
    a.domain = Some("new.org".into());
    a.status = AccountStatus::Inactive;
    a.updated_at = at(3);
    assert_eq!(accounts.get(a.id).await.unwrap().time_zone.name(), "UTC");
    a.time_zone = ClinicZone::named("Europe/Paris").unwrap();
    accounts.update(&a).await.unwrap();
    assert_eq!(accounts.get(a.id).await.unwrap(), a);
    // The zone scheduling reads is the one the account update stored, and lists show it.
    let zone = SchedulingRepository::zone(t.db(), a.id).await.unwrap();
    assert_eq!(zone.name(), "Europe/Paris");
    let listed = accounts.list(&AccountFilter::default(), ALL).await.unwrap();
    assert_eq!(listed[0].time_zone.name(), "Europe/Paris");
    a.time_zone = ClinicZone::named("Asia/Kolkata").unwrap();
    accounts.update(&a).await.unwrap();
    assert_eq!(accounts.get(a.id).await.unwrap(), a);

    accounts.soft_delete(a.id, at(4)).await.unwrap();
    assert!(matches!(accounts.get(a.id).await, Err(RepoError::NotFound)));
    assert!(matches!(
        accounts.update(&a).await,
        Err(RepoError::NotFound)
    ));
    assert!(matches!(
        accounts.soft_delete(a.id, at(5)).await,
        Err(RepoError::NotFound)
    ));
    assert!(
        accounts
            .list(&AccountFilter::default(), ALL)
            .await
            .unwrap()
            .is_empty()
    );

    // Its users can no longer authenticate or refresh.
    let p = users.principal(admin.id, "jti", None).await.unwrap();
    assert!(!p.account_active);
    assert_eq!(p.account_name, None);
    let next = refresh(admin.id, "d2", at(6));
    assert_ne!(
        tokens.rotate_refresh("d1", at(6), &next).await.unwrap(),
        Rotation::Rotated(admin.id)
    );
}
