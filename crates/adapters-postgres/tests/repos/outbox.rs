//! The transactional outbox (issue #7 §5): rows are written in the transaction of their cause
//! (a rolled-back cause leaves none), claimed under a lease, retried with backoff, dead after the
//! last attempt, retried by operators; several claimers at once never share a row.

use crate::support::{account, at, link, mail, new_user, user};
use genascope_adapters_postgres::notify::{Backoff, Failure, OutboxCounts, OutboxStatus};
use genascope_adapters_postgres::testing::TestDb;
use genascope_domain::common::{RepoError, Timestamp};
use genascope_domain::identity::model::{Role, User};
use genascope_domain::identity::ports::{AccountRepository, ResetLink, TokenStore, UserRepository};
use std::collections::HashSet;
use std::time::Duration;

async fn member(t: &TestDb, mail: &str) -> User {
    let a = account(mail, None);
    let u = user(Some(a.id), mail, "Some One", Role::Admin);
    AccountRepository::create_with_admin(t.db(), &a, &new_user(u.clone()))
        .await
        .unwrap();
    u
}

fn mailed(digest: &str, to: &str, created: Timestamp) -> ResetLink {
    ResetLink {
        mail: Some(mail(to, digest)),
        ..link(digest, created, created + time::Duration::hours(1))
    }
}

async fn counts(t: &TestDb) -> OutboxCounts {
    t.db().outbox_counts().await.unwrap()
}

fn secs(n: u64) -> time::Duration {
    time::Duration::seconds(i64::try_from(n).unwrap())
}

const LEASE: Duration = Duration::from_secs(60);

pub async fn a_reset_link_and_its_email_commit_or_roll_back_together(t: &TestDb) {
    let tokens: &dyn TokenStore = t.db();
    let u = member(t, "reset@outbox.org").await;
    tokens
        .insert_reset(u.id, &mailed("d1", "reset@outbox.org", at(0)))
        .await
        .unwrap();
    assert_eq!(
        counts(t).await,
        OutboxCounts {
            pending: 1,
            dead: 0
        }
    );
    // The same digest again: the link's insert fails, and its email is not queued either.
    let err = tokens
        .insert_reset(u.id, &mailed("d1", "reset@outbox.org", at(1)))
        .await
        .unwrap_err();
    assert!(matches!(err, RepoError::Duplicate(_)), "{err:?}");
    assert_eq!(
        counts(t).await.pending,
        1,
        "the rolled-back link left no row"
    );
    // A link for a user that does not exist: refused, no row.
    let ghost = genascope_domain::common::UserId(uuid::Uuid::new_v4());
    assert!(
        tokens
            .insert_reset(ghost, &mailed("d2", "ghost@outbox.org", at(1)))
            .await
            .is_err()
    );
    assert_eq!(counts(t).await.pending, 1);
    // Without a mail: the link only.
    tokens
        .insert_reset(u.id, &link("d3", at(2), at(60)))
        .await
        .unwrap();
    assert_eq!(counts(t).await.pending, 1);
    let claimed = t.db().outbox_claim(at(3), LEASE, 10).await.unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].email, mail("reset@outbox.org", "d1"));
    assert_eq!(claimed[0].attempts, 0);
}

pub async fn a_new_user_and_its_set_password_email_are_one_transaction(t: &TestDb) {
    let users: &dyn UserRepository = t.db();
    let admin = member(t, "admin@welcome.org").await;
    let mut u = user(
        admin.account_id,
        "new@welcome.org",
        "New Person",
        Role::Clinician,
    );
    users
        .insert(
            &new_user(u.clone()),
            Some(mailed("w1", "new@welcome.org", at(0))),
        )
        .await
        .unwrap();
    assert_eq!(counts(t).await.pending, 1);
    // The link works.
    let tokens: &dyn TokenStore = t.db();
    assert_eq!(tokens.reset_owner("w1", at(1)).await.unwrap(), Some(u.id));
    // A second user with the same email: refused, and neither its link nor its mail is kept.
    u.id = genascope_domain::common::UserId(uuid::Uuid::new_v4());
    let err = users
        .insert(
            &new_user(u.clone()),
            Some(mailed("w2", "new@welcome.org", at(1))),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, RepoError::Duplicate("email")), "{err:?}");
    assert_eq!(counts(t).await.pending, 1);
    assert_eq!(tokens.reset_owner("w2", at(2)).await.unwrap(), None);
}

pub async fn an_email_change_notice_is_part_of_the_update(t: &TestDb) {
    let users: &dyn UserRepository = t.db();
    let admin = member(t, "only@notice.org").await;
    // Demoting the account's only admin is refused: its notice is not queued.
    let mut demoted = admin.clone();
    demoted.role = Role::Clinician;
    demoted.email = genascope_domain::identity::model::Email::parse("moved@notice.org").unwrap();
    demoted.updated_at = at(1);
    let err = users
        .update(&admin, &demoted, Some(mail("only@notice.org", "changed")))
        .await
        .unwrap_err();
    assert!(matches!(err, RepoError::Conflict(_)), "{err:?}");
    assert_eq!(counts(t).await.pending, 0);
    // The email change alone is saved, with its notice.
    let mut moved = admin.clone();
    moved.email = demoted.email.clone();
    moved.updated_at = at(2);
    users
        .update(&admin, &moved, Some(mail("only@notice.org", "changed")))
        .await
        .unwrap();
    let claimed = t.db().outbox_claim(at(3), LEASE, 10).await.unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].email.to, "only@notice.org");
}

pub async fn claim_lease_backoff_dead_retry_and_sent(t: &TestDb) {
    let db = t.db();
    let tokens: &dyn TokenStore = db;
    let u = member(t, "life@outbox.org").await;
    tokens
        .insert_reset(u.id, &mailed("l1", "life@outbox.org", at(0)))
        .await
        .unwrap();
    let backoff = Backoff {
        base: Duration::from_secs(5),
        max: Duration::from_secs(8),
        max_attempts: 3,
    };
    let t0 = at(1);
    let first = db.outbox_claim(t0, LEASE, 10).await.unwrap();
    assert_eq!(first.len(), 1);
    let id = first[0].id;
    assert!(
        db.outbox_claim(t0, LEASE, 10).await.unwrap().is_empty(),
        "leased"
    );
    let listed = db.outbox_list(false, 10, t0).await.unwrap();
    assert_eq!(listed[0].status, OutboxStatus::Sending);
    // Failure 1: due again 5 s later (not before).
    let f = db
        .outbox_mark_failed(id, t0, "SMTP connection or protocol error", &backoff)
        .await
        .unwrap();
    assert_eq!(f, Failure::RetryAt(t0 + secs(5)));
    assert!(
        db.outbox_claim(t0 + secs(4), LEASE, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let listed = db.outbox_list(false, 10, t0 + secs(4)).await.unwrap();
    assert_eq!(listed[0].status, OutboxStatus::Retrying);
    assert_eq!(listed[0].attempts, 1);
    assert_eq!(listed[0].next_attempt_at, Some(t0 + secs(5)));
    assert_eq!(
        listed[0].last_error.as_deref(),
        Some("SMTP connection or protocol error")
    );
    assert_eq!(
        db.outbox_next_due().await.unwrap(),
        Some(t0 + secs(5)),
        "the worker sleeps until then"
    );
    let again = db.outbox_claim(t0 + secs(5), LEASE, 10).await.unwrap();
    assert_eq!((again.len(), again[0].attempts), (1, 1));
    // Failure 2: 10 s, capped at 8.
    let f = db
        .outbox_mark_failed(id, t0 + secs(5), "SMTP transient error", &backoff)
        .await
        .unwrap();
    assert_eq!(f, Failure::RetryAt(t0 + secs(13)));
    let third = db.outbox_claim(t0 + secs(13), LEASE, 10).await.unwrap();
    assert_eq!(third.len(), 1);
    // Failure 3 of 3: dead.
    let f = db
        .outbox_mark_failed(id, t0 + secs(13), "SMTP transient error", &backoff)
        .await
        .unwrap();
    assert_eq!(f, Failure::Dead);
    assert_eq!(
        counts(t).await,
        OutboxCounts {
            pending: 0,
            dead: 1
        }
    );
    assert!(
        db.outbox_claim(t0 + secs(3600), LEASE, 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(db.outbox_next_due().await.unwrap(), None);
    let listed = db.outbox_list(false, 10, t0 + secs(20)).await.unwrap();
    assert_eq!(
        (
            listed[0].status,
            listed[0].attempts,
            listed[0].next_attempt_at
        ),
        (OutboxStatus::Dead, 3, None)
    );
    // An operator retries it: due now, a fresh set of attempts.
    db.outbox_retry(id, t0 + secs(30)).await.unwrap();
    assert_eq!(
        counts(t).await,
        OutboxCounts {
            pending: 1,
            dead: 0
        }
    );
    let retried = db.outbox_claim(t0 + secs(30), LEASE, 10).await.unwrap();
    assert_eq!((retried.len(), retried[0].attempts), (1, 0));
    assert_eq!(retried[0].email, mail("life@outbox.org", "l1"));
    db.outbox_mark_sent(id, t0 + secs(31)).await.unwrap();
    assert_eq!(counts(t).await, OutboxCounts::default());
    // Sent: not listed by default, listed with --all; marked once only; not retryable.
    assert!(
        db.outbox_list(false, 10, t0 + secs(32))
            .await
            .unwrap()
            .is_empty()
    );
    let all = db.outbox_list(true, 10, t0 + secs(32)).await.unwrap();
    assert_eq!((all[0].status, all[0].attempts), (OutboxStatus::Sent, 1));
    assert!(matches!(
        db.outbox_mark_sent(id, t0 + secs(33)).await,
        Err(RepoError::NotFound)
    ));
    assert!(matches!(
        db.outbox_retry(id, t0 + secs(33)).await,
        Err(RepoError::NotFound)
    ));
    assert!(matches!(
        db.outbox_retry(uuid::Uuid::new_v4(), t0).await,
        Err(RepoError::NotFound)
    ));
    // Delivered rows are purged after their retention.
    assert_eq!(db.outbox_purge_sent(t0 + secs(31)).await.unwrap(), 0);
    assert_eq!(db.outbox_purge_sent(t0 + secs(40)).await.unwrap(), 1);
    assert!(db.outbox_list(true, 10, t0).await.unwrap().is_empty());
}

/// A worker that died with a message claimed (its lease running): the message is due again for
/// anyone once the lease ends, not before.
pub async fn an_expired_lease_makes_a_message_due_again(t: &TestDb) {
    let db = t.db();
    let tokens: &dyn TokenStore = db;
    let u = member(t, "lease@outbox.org").await;
    tokens
        .insert_reset(u.id, &mailed("e1", "lease@outbox.org", at(0)))
        .await
        .unwrap();
    let lease = Duration::from_millis(1500);
    let t0 = at(1);
    assert_eq!(db.outbox_claim(t0, lease, 10).await.unwrap().len(), 1);
    let before_end = t0 + time::Duration::milliseconds(1400);
    assert!(
        db.outbox_claim(before_end, lease, 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        db.outbox_next_due().await.unwrap(),
        Some(t0 + time::Duration::milliseconds(1500))
    );
    let after_end = t0 + time::Duration::milliseconds(1500);
    let again = db.outbox_claim(after_end, lease, 10).await.unwrap();
    assert_eq!(again.len(), 1, "the lease ended: due again");
}

/// Four workers claim 300 messages at once, in batches: every message is claimed exactly once
/// (PostgreSQL: `FOR UPDATE SKIP LOCKED`; SQLite: one writer at a time).
pub async fn concurrent_claimers_never_get_the_same_message(t: &TestDb) {
    const N: usize = 300;
    let db = t.db();
    let u = member(t, "many@outbox.org").await;
    for i in 0..N {
        TokenStore::insert_reset(
            db,
            u.id,
            &mailed(&format!("c{i}"), "many@outbox.org", at(0)),
        )
        .await
        .unwrap();
    }
    let now = at(1);
    let claimer = || async move {
        let mut mine = Vec::new();
        loop {
            let batch = db.outbox_claim(now, LEASE, 7).await.unwrap();
            if batch.is_empty() {
                break mine;
            }
            mine.extend(batch.into_iter().map(|m| m.id));
        }
    };
    let (a, b, c, d) = tokio::join!(claimer(), claimer(), claimer(), claimer());
    let all: Vec<uuid::Uuid> = [a, b, c, d].concat();
    let distinct: HashSet<uuid::Uuid> = all.iter().copied().collect();
    assert_eq!(all.len(), N, "every message claimed once, none twice");
    assert_eq!(distinct.len(), N);
}
