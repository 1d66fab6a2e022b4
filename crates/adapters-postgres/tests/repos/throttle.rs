//! The login throttle and the window counter in the database (issue #7 §3): the limits hold
//! across two `Database` handles on one database (two replicas), a burst cannot outrun them,
//! attempts in flight count and expire, a success forgives its key, old rows are pruned.

use crate::support::at;
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use genascope_adapters_postgres::testing::TestDb;
use genascope_adapters_postgres::{Database, DbLoginThrottle, IN_FLIGHT_TTL, PoolConfig};
use genascope_domain::common::{Attempt, Timestamp, WindowCounter};
use genascope_domain::identity::ports::{Admission, LoginThrottle};
use genascope_domain::identity::throttle::ThrottleLimits;
use std::sync::Arc;
use time::Duration;

const WINDOW: Duration = Duration::minutes(15);

fn secs(s: i64) -> Duration {
    Duration::seconds(s)
}

/// Another handle on the test's database, with its own pool: another replica.
async fn replica(t: &TestDb) -> Database {
    let url = t.url().to_owned();
    let pool = PoolConfig {
        max_size: 4,
        min_idle: 1,
        connection_timeout: std::time::Duration::from_secs(10),
    };
    tokio::task::spawn_blocking(move || Database::connect_with(&url, pool))
        .await
        .unwrap()
        .unwrap()
}

/// Close a handle from [`replica`] (its pool's thread must be idle before the process exits).
async fn close(db: Database) {
    let pool = db.shutdown_handle();
    drop(db);
    tokio::task::spawn_blocking(move || pool.wait(std::time::Duration::from_secs(10)))
        .await
        .unwrap();
}

fn logins(db: &Database) -> DbLoginThrottle {
    DbLoginThrottle::new(db.clone(), "login", ThrottleLimits::login())
}

fn resets(db: &Database) -> DbLoginThrottle {
    DbLoginThrottle::new(db.clone(), "reset", ThrottleLimits::reset_requests())
}

fn admitted(a: Admission) -> Attempt {
    match a {
        Admission::Admitted(a) => a,
        other => panic!("not admitted: {other:?}"),
    }
}

async fn begin(t: &dyn LoginThrottle, email: &str, client: &str, now: Timestamp) -> Attempt {
    admitted(t.check(email, Some(client.into()), now).await.unwrap())
}

async fn fail(t: &dyn LoginThrottle, email: &str, client: &str, now: Timestamp) {
    let a = begin(t, email, client, now).await;
    t.record_failure(&a, now).await.unwrap();
}

async fn answer(t: &dyn LoginThrottle, email: &str, client: &str, now: Timestamp) -> Admission {
    t.check(email, Some(client.into()), now).await.unwrap()
}

/// Begin an attempt on the window counter's `key` (at most `limit` per [`WINDOW`]): the wait
/// when it is held back.
async fn try_begin(db: &Database, key: &str, limit: u32, now: Timestamp) -> Result<Attempt, u64> {
    db.begin(key, limit, WINDOW, now).await.unwrap()
}

/// One counted attempt on the window counter's `key`.
async fn hit(db: &Database, key: &str, limit: u32, now: Timestamp) {
    let a = try_begin(db, key, limit, now).await.unwrap();
    db.count(&a, WINDOW, now).await.unwrap();
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Rows in the throttle table.
fn rows(db: &Database) -> i64 {
    let mut conn = db.connection().unwrap();
    let q = diesel::sql_query("SELECT count(*) AS n FROM login_throttle");
    let c: Count = match &mut *conn {
        genascope_adapters_postgres::DbConnection::Postgresql(c) => q.get_result(c).unwrap(),
        genascope_adapters_postgres::DbConnection::Sqlite(c) => q.get_result(c).unwrap(),
    };
    c.n
}

pub async fn limits_hold_across_replicas(t: &TestDb) {
    let other = replica(t).await;
    let (a, b) = (logins(t.db()), logins(&other));
    let (v, ip) = ("v@clinic.org", "10.0.0.1");
    // Ten free failures, half on each replica.
    for i in 0..10 {
        let on: &dyn LoginThrottle = if i % 2 == 0 { &a } else { &b };
        fail(on, v, ip, at(0) + secs(i)).await;
    }
    let last = at(0) + secs(9);
    assert_eq!(answer(&a, v, ip, last).await, Admission::Wait(30));
    assert_eq!(
        answer(&b, v, ip, last + secs(10)).await,
        Admission::Wait(20)
    );
    // The delay doubles whichever replica the next failure lands on.
    fail(&b, v, ip, last + secs(30)).await;
    assert_eq!(
        answer(&a, v, ip, last + secs(30)).await,
        Admission::Wait(60)
    );
    // The same email from another client is not held back.
    let other_client = begin(&a, v, "192.0.2.7", last).await;
    b.forgive(&other_client).await.unwrap();

    // Reset requests: 5 an hour per email, whatever the client and the replica.
    let (ra, rb) = (resets(t.db()), resets(&other));
    for i in 0..5 {
        let on: &dyn LoginThrottle = if i < 3 { &ra } else { &rb };
        fail(on, "r@clinic.org", &format!("10.0.1.{i}"), at(0)).await;
    }
    assert_eq!(
        answer(&rb, "r@clinic.org", "10.9.9.9", at(1)).await,
        Admission::Wait(3600 - 60)
    );
    // Logins of that email are another limit.
    let login = begin(&a, "r@clinic.org", "10.9.9.9", at(1)).await;
    a.forgive(&login).await.unwrap();

    // The window counter: 3 per address, counted on either replica.
    let key = "login|203.0.113.9";
    for (i, on) in [t.db(), &other, t.db()].into_iter().enumerate() {
        hit(on, key, 3, at(0) + secs(i64::try_from(i).unwrap())).await;
    }
    assert_eq!(try_begin(&other, key, 3, at(1)).await, Err(15 * 60 - 60));
    // A discarded attempt does not count.
    let key = "login|203.0.113.10";
    let d = try_begin(t.db(), key, 1, at(0)).await.unwrap();
    other.discard(&d).await.unwrap();
    hit(&other, key, 1, at(0)).await;
    assert!(try_begin(t.db(), key, 1, at(0)).await.is_err());
    close(other).await;
}

/// Thirty guesses for one (email, client) at once, half on each replica, each counted only
/// after a pause: the ten free ones are let through and no more, and nothing fails (no
/// deadlock, no "database is locked").
pub async fn concurrent_guesses_never_pass_the_free_count(t: &TestDb) {
    let other = replica(t).await;
    let throttles: [Arc<dyn LoginThrottle>; 2] =
        [Arc::new(logins(t.db())), Arc::new(logins(&other))];
    let now = at(0);
    let guesses: Vec<_> = (0..30)
        .map(|i| {
            let t = throttles[i % 2].clone();
            tokio::spawn(async move {
                let answer = t
                    .check("g@clinic.org", Some("10.0.0.6".into()), now)
                    .await?;
                if let Admission::Admitted(a) = &answer {
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                    t.record_failure(a, now).await?;
                }
                Ok::<_, genascope_domain::common::RepoError>(answer)
            })
        })
        .collect();
    let mut admitted = 0;
    for g in guesses {
        let answer = g.await.unwrap().unwrap();
        admitted += usize::from(matches!(answer, Admission::Admitted(_)));
    }
    // Each admitted attempt counts from its start, so the free ten are let through and no more,
    // however the checks and failures interleave.
    assert_eq!(admitted, 10);
    assert_eq!(
        answer(&*throttles[0], "g@clinic.org", "10.0.0.6", now).await,
        Admission::Wait(30)
    );

    // The window counter alike: 10 per address.
    let counters: [Database; 2] = [t.db().clone(), other.clone()];
    let hits: Vec<_> = (0..30)
        .map(|i| {
            let db = counters[i % 2].clone();
            tokio::spawn(async move {
                let begun = db.begin("login|10.0.0.7", 10, WINDOW, now).await.unwrap();
                if let Ok(a) = &begun {
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                    db.count(a, WINDOW, now).await.unwrap();
                }
                begun.is_ok()
            })
        })
        .collect();
    let mut passed = 0;
    for h in hits {
        passed += usize::from(h.await.unwrap());
    }
    assert_eq!(passed, 10);
    drop(counters);
    close(other).await;
}

/// Attempts a crashed process left in flight count for a minute, then no longer; one that
/// ends after its row expired still counts.
pub async fn attempts_in_flight_expire(t: &TestDb) {
    let throttle = logins(t.db());
    let (v, ip) = ("crash@clinic.org", "10.0.0.8");
    let mut stranded = Vec::new();
    for _ in 0..10 {
        stranded.push(begin(&throttle, v, ip, at(0)).await);
    }
    assert_eq!(answer(&throttle, v, ip, at(0)).await, Admission::Busy);
    assert_eq!(
        answer(&throttle, v, ip, at(0) + IN_FLIGHT_TTL - secs(1)).await,
        Admission::Busy
    );
    let later = at(0) + IN_FLIGHT_TTL;
    let now_free = begin(&throttle, v, ip, later).await;
    throttle.record_failure(&now_free, later).await.unwrap();
    // Pruned, and then one of the stranded attempts ends as a failure after all: it counts.
    t.db().throttle_prune(later).await.unwrap();
    throttle.record_failure(&stranded[0], later).await.unwrap();
    for i in 0..8 {
        fail(&throttle, v, ip, later + secs(i)).await;
    }
    assert_eq!(
        answer(&throttle, v, ip, later + secs(7)).await,
        Admission::Wait(30),
        "10 failures: the in-flight one, the stranded one and 8 more"
    );

    // The window counter: in flight fills the limit for 1 s at a time, until they expire.
    let key = "reset|10.0.0.8";
    for _ in 0..2 {
        try_begin(t.db(), key, 2, at(0)).await.unwrap();
    }
    assert_eq!(try_begin(t.db(), key, 2, at(0)).await, Err(1));
    assert!(try_begin(t.db(), key, 2, later).await.is_ok());
}

/// A success forgets its key's failures, not the attempts still in flight, and not other keys.
pub async fn forgive_clears_the_key(t: &TestDb) {
    let throttle = logins(t.db());
    let (v, ip) = ("f@clinic.org", "10.0.0.9");
    for i in 0..8 {
        fail(&throttle, v, ip, at(0) + secs(i)).await;
    }
    // Another client's failures for the same email.
    for i in 0..10 {
        fail(&throttle, v, "10.0.0.10", at(0) + secs(i)).await;
    }
    let right = begin(&throttle, v, ip, at(1)).await;
    let wrong = begin(&throttle, v, ip, at(1)).await;
    // Eight failures (their delay long over) and two in flight: those decide.
    assert_eq!(answer(&throttle, v, ip, at(1)).await, Admission::Busy);
    throttle.forgive(&right).await.unwrap();
    // The failures are gone; `wrong` is still in flight and counts.
    let next = begin(&throttle, v, ip, at(1)).await;
    throttle.record_failure(&wrong, at(1)).await.unwrap();
    throttle.record_failure(&next, at(1)).await.unwrap();
    for _ in 0..8 {
        fail(&throttle, v, ip, at(1)).await;
    }
    assert_eq!(
        answer(&throttle, v, ip, at(1)).await,
        Admission::Wait(30),
        "10 failures since the success"
    );
    // The other client's key was not touched.
    assert!(matches!(
        answer(&throttle, v, "10.0.0.10", at(0) + secs(10)).await,
        Admission::Wait(_)
    ));
}

/// Rows that no longer count are deleted, each after its own window: by `throttle_prune`, and by
/// any attempt on a handle that has not pruned for a minute. Over a thousand at once (more than
/// one pruning batch).
pub async fn old_rows_are_pruned(t: &TestDb) {
    const KEYS: usize = 1_200;
    let db = t.db();
    let (login, reset) = (logins(db), resets(db));
    // Window counts at 09:00 (15 minutes), logins failed at 09:00 (15 minutes), reset requests
    // at 09:00 (an hour), attempts left in flight at 09:00 (a minute).
    let streams: Vec<_> = (0..4)
        .map(|s| {
            let db = db.clone();
            tokio::spawn(async move {
                for i in (s..KEYS).step_by(4) {
                    hit(
                        &db,
                        &format!("login|10.1.{}.{}", i / 256, i % 256),
                        1,
                        at(0),
                    )
                    .await;
                }
            })
        })
        .collect();
    for s in streams {
        s.await.unwrap();
    }
    for i in 0..20 {
        fail(&login, &format!("u{i}@clinic.org"), "10.0.0.1", at(0)).await;
        fail(&reset, &format!("u{i}@clinic.org"), "10.0.0.1", at(0)).await;
        begin(&login, &format!("gone{i}@clinic.org"), "10.0.0.1", at(0)).await;
    }
    let all = i64::try_from(KEYS).unwrap() + 60;
    assert_eq!(rows(db), all);
    // After two minutes only the attempts in flight are gone.
    assert_eq!(db.throttle_prune(at(2)).await.unwrap(), 20);
    assert_eq!(rows(db), all - 20);
    // An attempt a quarter of an hour later, on a handle that never pruned, prunes as it goes:
    // the reset requests stay (their window is an hour), with the new attempt.
    let other = replica(t).await;
    let fresh = begin(&logins(&other), "new@clinic.org", "10.0.0.2", at(15)).await;
    assert_eq!(rows(db), 20 + 1);
    // An hour on, nothing old is left.
    assert_eq!(other.throttle_prune(at(61)).await.unwrap(), 21);
    assert_eq!(rows(db), 0);
    drop(fresh);
    close(other).await;
}

/// Keys are stored as digests: an email with a NUL byte (PostgreSQL text cannot hold one) or of
/// any length, and any client string, are keys like the others.
pub async fn keys_with_any_bytes_are_stored(t: &TestDb) {
    let throttle = logins(t.db());
    let odd = format!("nul\0byte{}@clinic.org", "x".repeat(240));
    for i in 0..10 {
        fail(&throttle, &odd, "::ffff:10.0.0.1\0", at(0) + secs(i)).await;
    }
    assert_eq!(
        answer(&throttle, &odd, "::ffff:10.0.0.1\0", at(0) + secs(9)).await,
        Admission::Wait(30)
    );
    hit(t.db(), "login|\0\u{202e}", 1, at(0)).await;
    assert!(
        try_begin(t.db(), "login|\0\u{202e}", 1, at(0))
            .await
            .is_err()
    );
}
