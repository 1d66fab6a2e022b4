//! Accounts (contract §3.2).

use crate::support::*;
use genascope_domain::common::{Entity, Patch, RepoError};
use genascope_domain::identity::error::{Denial, IdentityConflict, IdentityError};
use genascope_domain::identity::model::{Account, AccountStatus, HostName, Role};
use genascope_domain::identity::ports::{AccountFilter, NewUser, Page};
use genascope_domain::identity::service::{AccountPatch, CreateAccount};

fn full_request() -> CreateAccount {
    CreateAccount {
        name: text("  North Clinic "),
        domain: HostName::parse("North.Clinic.ORG").unwrap(),
        admin_email: email("Boss@North.org"),
        admin_name: person("Mary Ann Smith"),
        admin_password: new_password("a good password"),
    }
}

fn super_admin() -> genascope_domain::identity::policy::Principal {
    principal_as(Role::SuperAdmin, None)
}

#[tokio::test]
async fn create_account_is_super_admin_only() {
    for role in [Role::Admin, Role::Clinician, Role::LabTech, Role::User] {
        let r = Mocks::new()
            .identity()
            .create_account(&principal_as(role, Some(account_id())), full_request())
            .await;
        assert_err!(r, IdentityError::Denied(Denial::NotPermitted));
    }
}

#[tokio::test]
async fn create_account_duplicates_are_409_with_the_contract_messages() {
    for (what, conflict) in [
        ("email", IdentityConflict::EmailTaken),
        ("domain", IdentityConflict::DomainTaken),
    ] {
        let mut m = Mocks::new();
        m.hasher
            .expect_hash_password()
            .returning(|_| Ok("hash".into()));
        m.accounts
            .expect_create_with_admin()
            .times(1)
            .returning(move |_, _| Err(RepoError::Duplicate(what)));
        let r = m
            .identity()
            .create_account(&super_admin(), full_request())
            .await;
        assert_err!(r, IdentityError::Conflict(c) if c == conflict);
    }
}

#[tokio::test]
async fn create_account_creates_an_active_account_and_its_admin_in_one_call() {
    let mut m = Mocks::new();
    m.hasher
        .expect_hash_password()
        .withf(|p| p.expose() == "a good password")
        .returning(|_| Ok("phc".into()));
    let saved: Slot<(Account, NewUser)> = Slot::new();
    let s = saved.clone();
    m.accounts
        .expect_create_with_admin()
        .times(1)
        .returning(move |a, u| {
            s.push((a.clone(), u.clone()));
            Ok(())
        });
    let (acc, admin_id) = m
        .identity()
        .create_account(&super_admin(), full_request())
        .await
        .unwrap();
    let (a, nu) = saved.one();
    assert_eq!(a, acc);
    assert_eq!(acc.name, "North Clinic");
    assert_eq!(acc.domain.as_deref(), Some("north.clinic.org"));
    assert_eq!(acc.status, AccountStatus::Active);
    assert_eq!(acc.created_at, NOW);
    assert_eq!(nu.user.id, admin_id);
    assert_eq!(nu.user.role, Role::Admin);
    assert_eq!(nu.user.account_id, Some(acc.id));
    assert_eq!(nu.user.email.as_str(), "boss@north.org");
    assert_eq!(
        (nu.user.first_name.as_str(), nu.user.last_name.as_str()),
        ("Mary Ann", "Smith")
    );
    assert!(nu.user.is_active);
    assert_eq!(nu.password_hash.as_deref(), Some("phc"));
}

#[tokio::test]
async fn admin_may_not_change_account_status_but_may_resend_it() {
    let own = account_id();
    let admin = principal_as(Role::Admin, Some(own));
    // Changing the status: 403, nothing saved.
    let mut m = Mocks::new();
    m.accounts
        .expect_get()
        .returning(|a| Ok(account(a, AccountStatus::Active)));
    let r = m
        .identity()
        .update_account(
            &admin,
            own,
            AccountPatch {
                status: Some(AccountStatus::Inactive),
                ..AccountPatch::default()
            },
        )
        .await;
    assert_err!(r, IdentityError::Denied(Denial::NotPermitted));
    // Sending the current value is fine.
    let mut m = Mocks::new();
    m.accounts
        .expect_get()
        .returning(|a| Ok(account(a, AccountStatus::Active)));
    m.accounts.expect_update().times(1).returning(|_| Ok(()));
    let a = m
        .identity()
        .update_account(
            &admin,
            own,
            AccountPatch {
                status: Some(AccountStatus::Active),
                name: Some(text("Renamed")),
                ..AccountPatch::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(a.name, "Renamed");
}

#[tokio::test]
async fn account_update_domain_duplicate_is_409_and_clear_removes_it() {
    let sa = super_admin();
    let id = account_id();
    let mut m = Mocks::new();
    m.accounts
        .expect_get()
        .returning(|a| Ok(account(a, AccountStatus::Active)));
    m.accounts
        .expect_update()
        .returning(|_| Err(RepoError::Duplicate("domain")));
    let r = m
        .identity()
        .update_account(
            &sa,
            id,
            AccountPatch {
                domain: Patch::Set(HostName::parse("taken.org").unwrap().unwrap()),
                ..AccountPatch::default()
            },
        )
        .await;
    assert_err!(r, IdentityError::Conflict(IdentityConflict::DomainTaken));

    let mut m = Mocks::new();
    m.accounts
        .expect_get()
        .returning(|a| Ok(account(a, AccountStatus::Active)));
    m.accounts
        .expect_update()
        .withf(|a| a.domain.is_none() && a.updated_at == NOW)
        .times(1)
        .returning(|_| Ok(()));
    let a = m
        .identity()
        .update_account(
            &sa,
            id,
            AccountPatch {
                domain: Patch::Clear,
                ..AccountPatch::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(a.domain, None);
}

#[tokio::test]
async fn another_accounts_record_is_404_for_members_and_admins() {
    let own = account_id();
    let other = account_id();
    for role in [Role::Admin, Role::Clinician, Role::Patient] {
        // No repository expectation: the answer comes before any lookup.
        let r = Mocks::new()
            .identity()
            .get_account(&principal_as(role, Some(own)), other)
            .await;
        assert_err!(r, IdentityError::NotFound(Entity::Account));
    }
    let r = Mocks::new()
        .identity()
        .update_account(
            &principal_as(Role::Admin, Some(own)),
            other,
            AccountPatch::default(),
        )
        .await;
    assert_err!(r, IdentityError::NotFound(Entity::Account));
}

#[tokio::test]
async fn admin_lists_only_its_own_account_and_others_are_403() {
    let own = account_id();
    let mut m = Mocks::new();
    m.accounts
        .expect_list()
        .withf(move |f: &AccountFilter, _: &Page| f.only == Some(own))
        .times(1)
        .returning(|_, _| Ok(Vec::new()));
    let page = Page {
        offset: 0,
        limit: 10,
    };
    m.identity()
        .list_accounts(&principal_as(Role::Admin, Some(own)), None, None, page)
        .await
        .unwrap();
    let r = Mocks::new()
        .identity()
        .list_accounts(&principal_as(Role::Clinician, Some(own)), None, None, page)
        .await;
    assert_err!(r, IdentityError::Denied(Denial::NotPermitted));
}

#[tokio::test]
async fn delete_account_is_super_admin_only() {
    let own = account_id();
    let r = Mocks::new()
        .identity()
        .delete_account(&principal_as(Role::Admin, Some(own)), own)
        .await;
    assert_err!(r, IdentityError::Denied(Denial::NotPermitted));
    let mut m = Mocks::new();
    m.accounts
        .expect_soft_delete()
        .withf(move |a, at| *a == own && *at == NOW)
        .times(1)
        .returning(|_, _| Ok(()));
    m.identity()
        .delete_account(&super_admin(), own)
        .await
        .unwrap();
}

#[tokio::test]
async fn account_update_sets_the_time_zone_and_keeps_it_otherwise() {
    let own = account_id();
    let admin = principal_as(Role::Admin, Some(own));
    let paris = genascope_domain::common::ClinicZone::named("Europe/Paris").unwrap();
    let mut m = Mocks::new();
    m.accounts
        .expect_get()
        .returning(|a| Ok(account(a, AccountStatus::Active)));
    m.accounts
        .expect_update()
        .withf(|a| a.time_zone.name() == "Europe/Paris" && a.name == "Clinic")
        .times(1)
        .returning(|_| Ok(()));
    let a = m
        .identity()
        .update_account(
            &admin,
            own,
            AccountPatch {
                time_zone: Some(paris.clone()),
                ..AccountPatch::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(a.time_zone, paris);
    // Not in the patch: the stored zone stays.
    let mut m = Mocks::new();
    m.accounts.expect_get().returning(|a| {
        let mut stored = account(a, AccountStatus::Active);
        stored.time_zone = genascope_domain::common::ClinicZone::named("Asia/Kolkata").unwrap();
        Ok(stored)
    });
    m.accounts
        .expect_update()
        .withf(|a| a.time_zone.name() == "Asia/Kolkata")
        .times(1)
        .returning(|_| Ok(()));
    let a = m
        .identity()
        .update_account(
            &admin,
            own,
            AccountPatch {
                name: Some(text("Renamed")),
                ..AccountPatch::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(a.time_zone.name(), "Asia/Kolkata");
}
