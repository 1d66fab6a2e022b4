use crate::support::{account, at, link, new_user, refresh, user};
use genascope_adapters_postgres::testing::TestDb;
use genascope_domain::identity::model::{Role, User};
use genascope_domain::identity::ports::{AccountRepository, Rotation, TokenStore, UserRepository};

async fn member(t: &TestDb, mail: &str) -> User {
    let a = account(mail, None);
    let u = user(Some(a.id), mail, "Some One", Role::Admin);
    AccountRepository::create_with_admin(t.db(), &a, &new_user(u.clone()))
        .await
        .unwrap();
    u
}

pub async fn refresh_rotation_and_reuse_detection(t: &TestDb) {
    let tokens: &dyn TokenStore = t.db();
    let u = member(t, "u@tok.org").await;
    let other = member(t, "o@tok.org").await;
    tokens
        .insert_refresh(&refresh(u.id, "t1", at(0)))
        .await
        .unwrap();
    tokens
        .insert_refresh(&refresh(u.id, "laptop", at(0)))
        .await
        .unwrap(); // another login
    tokens
        .insert_refresh(&refresh(other.id, "x1", at(0)))
        .await
        .unwrap();

    // Valid: used, and the next one stored (in the presented token's family and user).
    let r = tokens
        .rotate_refresh("t1", at(1), &refresh(u.id, "t2", at(1)))
        .await
        .unwrap();
    assert_eq!(r, Rotation::Rotated(u.id));
    let r = tokens
        .rotate_refresh("t2", at(2), &refresh(u.id, "t3", at(2)))
        .await
        .unwrap();
    assert_eq!(r, Rotation::Rotated(u.id));

    // Presenting a used token again: reuse, and every refresh token of the user dies.
    let r = tokens
        .rotate_refresh("t1", at(3), &refresh(u.id, "t1-again", at(3)))
        .await
        .unwrap();
    assert_eq!(r, Rotation::Reused);
    // Their successors were revoked by it: refused (no second cascade needed).
    for d in ["t3", "laptop"] {
        let r = tokens
            .rotate_refresh(d, at(4), &refresh(u.id, &format!("{d}-n"), at(4)))
            .await
            .unwrap();
        assert_eq!(r, Rotation::Invalid, "{d}");
    }
    // The token offered during the reuse was not stored.
    let r = tokens
        .rotate_refresh("t1-again", at(4), &refresh(u.id, "z", at(4)))
        .await
        .unwrap();
    assert_eq!(r, Rotation::Invalid);
    // Nobody else is affected.
    let r = tokens
        .rotate_refresh("x1", at(5), &refresh(other.id, "x2", at(5)))
        .await
        .unwrap();
    assert_eq!(r, Rotation::Rotated(other.id));
}

pub async fn refresh_invalid_expired_and_revoked(t: &TestDb) {
    let tokens: &dyn TokenStore = t.db();
    let u = member(t, "u@inv.org").await;
    let next = |d: &str| refresh(u.id, d, at(0));

    assert_eq!(
        tokens
            .rotate_refresh("unknown", at(0), &next("n0"))
            .await
            .unwrap(),
        Rotation::Invalid
    );

    let mut old = refresh(u.id, "old", at(0));
    old.expires_at = at(10);
    tokens.insert_refresh(&old).await.unwrap();
    assert_eq!(
        tokens
            .rotate_refresh("old", at(10), &next("n1"))
            .await
            .unwrap(),
        Rotation::Invalid,
        "expired at exactly expires_at"
    );
    assert_eq!(
        tokens
            .rotate_refresh("n1", at(11), &next("n2"))
            .await
            .unwrap(),
        Rotation::Invalid,
        "nothing stored for an invalid rotation"
    );

    // Logout of one device revokes that token; presenting it later is refused, and leaves the
    // other device's session alone (it is not a rotated token replayed).
    tokens
        .insert_refresh(&refresh(u.id, "dev1", at(0)))
        .await
        .unwrap();
    tokens
        .insert_refresh(&refresh(u.id, "dev2", at(0)))
        .await
        .unwrap();
    tokens.revoke_refresh(u.id, "dev1", at(1)).await.unwrap();
    tokens.revoke_refresh(u.id, "no-such", at(1)).await.unwrap();
    assert_eq!(
        tokens
            .rotate_refresh("dev2", at(2), &next("dev2b"))
            .await
            .unwrap(),
        Rotation::Rotated(u.id)
    );
    assert_eq!(
        tokens
            .rotate_refresh("dev1", at(3), &next("dev1b"))
            .await
            .unwrap(),
        Rotation::Invalid
    );
    assert_eq!(
        tokens
            .rotate_refresh("dev2b", at(4), &next("dev2c"))
            .await
            .unwrap(),
        Rotation::Rotated(u.id),
        "the other device's session lives on"
    );

    // Logout everywhere.
    tokens
        .insert_refresh(&refresh(u.id, "fresh", at(4)))
        .await
        .unwrap();
    tokens.revoke_all_refresh(u.id, at(5)).await.unwrap();
    assert_ne!(
        tokens
            .rotate_refresh("fresh", at(6), &next("fresh2"))
            .await
            .unwrap(),
        Rotation::Rotated(u.id)
    );
}

pub async fn reset_token_is_single_use_and_expires(t: &TestDb) {
    let (tokens, users): (&dyn TokenStore, &dyn UserRepository) = (t.db(), t.db());
    let u = member(t, "u@reset.org").await;
    tokens
        .insert_reset(u.id, &link("r1", at(0), at(60)))
        .await
        .unwrap();
    tokens
        .insert_reset(u.id, &link("r2", at(0), at(60)))
        .await
        .unwrap();

    // Looking does not spend it.
    assert_eq!(tokens.reset_owner("r1", at(29)).await.unwrap(), Some(u.id));
    assert_eq!(tokens.reset_owner("r1", at(29)).await.unwrap(), Some(u.id));
    assert_eq!(
        tokens.consume_reset("r1", at(30)).await.unwrap(),
        Some(u.id)
    );
    assert_eq!(
        tokens.reset_owner("r1", at(31)).await.unwrap(),
        None,
        "spent"
    );
    assert_eq!(
        tokens.reset_owner("r2", at(60)).await.unwrap(),
        None,
        "expired"
    );
    assert_eq!(tokens.reset_owner("nope", at(1)).await.unwrap(), None);
    assert_eq!(
        tokens.consume_reset("r1", at(31)).await.unwrap(),
        None,
        "single use"
    );
    assert_eq!(
        tokens.consume_reset("r2", at(60)).await.unwrap(),
        None,
        "expired"
    );
    assert_eq!(tokens.consume_reset("nope", at(1)).await.unwrap(), None);
    // Still there for a user (foreign key holds).
    assert!(users.get(u.id).await.is_ok());
}

/// The same refresh token presented several times at once: exactly one rotation wins, the
/// others see a spent token (reuse).
pub async fn concurrent_presentations_rotate_once(t: &TestDb) {
    let u = member(t, "u@race.org").await;
    TokenStore::insert_refresh(t.db(), &refresh(u.id, "race", at(0)))
        .await
        .unwrap();
    let handles: Vec<_> = (0..6)
        .map(|i| {
            let db = t.db().clone();
            let next = refresh(u.id, &format!("race-{i}"), at(1));
            tokio::spawn(async move { db.rotate_refresh("race", at(1), &next).await.unwrap() })
        })
        .collect();
    let mut outcomes = Vec::new();
    for h in handles {
        outcomes.push(h.await.unwrap());
    }
    let rotated = outcomes
        .iter()
        .filter(|r| **r == Rotation::Rotated(u.id))
        .count();
    assert_eq!(rotated, 1, "{outcomes:?}");
    assert!(
        outcomes
            .iter()
            .all(|r| matches!(r, Rotation::Rotated(_) | Rotation::Reused)),
        "{outcomes:?}"
    );
}

pub async fn password_changes_and_revocations_spend_reset_links(t: &TestDb) {
    let (tokens, users): (&dyn TokenStore, &dyn UserRepository) = (t.db(), t.db());
    let u = member(t, "links@reset.org").await;
    tokens
        .insert_reset(u.id, &link("l1", at(0), at(60)))
        .await
        .unwrap();
    users.set_password(u.id, "hash-9", at(5)).await.unwrap();
    assert_eq!(
        tokens.reset_owner("l1", at(6)).await.unwrap(),
        None,
        "spent by the password change"
    );
    tokens
        .insert_reset(u.id, &link("l2", at(10), at(60)))
        .await
        .unwrap();
    tokens
        .insert_reset(u.id, &link("l3", at(10), at(60)))
        .await
        .unwrap();
    tokens.revoke_resets(u.id, at(11)).await.unwrap();
    for l in ["l2", "l3"] {
        assert_eq!(tokens.consume_reset(l, at(12)).await.unwrap(), None, "{l}");
    }
}
