//! The principal cache (issue #11): every column the principal and the grant read evicts them
//! when changed by hand (the triggers, not the code paths, are under test); and on PostgreSQL the
//! listener comes back after its session is killed, bypassing the cache meanwhile.

use crate::support::{at, clinic, refresh};
use genascope_adapters_postgres::testing::TestDb;
use genascope_adapters_postgres::{
    Backend, CacheState, CachedPrincipals, DbConnection, PrincipalCacheConfig, track_writes,
};
use genascope_domain::common::RepoError;
use genascope_domain::identity::model::Role;
use genascope_domain::identity::ports::{PrincipalRecord, TokenStore, UserRepository};
use std::time::Duration;

/// A cache with a TTL far beyond the test, so that only evictions can refresh it.
pub fn cached(t: &TestDb) -> CachedPrincipals {
    CachedPrincipals::start(
        t.db().clone(),
        PrincipalCacheConfig {
            ttl: Duration::from_secs(3600),
            capacity: 1000,
        },
    )
    .unwrap()
}

/// Start `cached(t)` and wait until it is in use.
pub async fn listening(t: &TestDb) -> CachedPrincipals {
    let c = cached(t);
    assert!(c.wait_listening(Duration::from_secs(20)).await, "listener");
    c
}

/// Run SQL on a pooled connection, not through any repository method (then, on SQLite, evict
/// what the triggers recorded on this thread, as `Database::run` does).
pub async fn raw(t: &TestDb, sql: &str) {
    let db = t.db().clone();
    let sql = sql.to_owned();
    tokio::task::spawn_blocking(move || {
        use diesel::RunQueryDsl;
        let mut conn = db.connection().unwrap();
        let conn: &mut DbConnection = &mut conn;
        diesel::sql_query(&sql)
            .execute(conn)
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        db.apply_pending_evictions();
    })
    .await
    .unwrap();
}

/// Wait until the cache has seen every change committed so far (PostgreSQL: its listener got
/// a fence sent after them; SQLite: already done by `raw`).
pub async fn settle(c: &CachedPrincipals) {
    assert!(c.fence(Duration::from_secs(10)).await, "fence");
}

/// Every change by hand to a column the principal reads is seen on the next read; without its
/// trigger, a change is not (so the test would catch a missing trigger).
pub async fn every_column_a_principal_reads_evicts_it(t: &TestDb) {
    let c = listening(t).await;
    let (account, doc) = clinic(t, "Cached").await;
    let (u, a) = (doc.id.0, account.0);
    let token = refresh(doc.id, "digest-c", at(0));
    let family = token.family_id;
    TokenStore::insert_refresh(t.db(), &token).await.unwrap();
    let look = || c.principal(doc.id, "jti-c", Some(family));
    // The fixture's own notifications, delivered first.
    settle(&c).await;
    let first = look().await.unwrap();
    assert_eq!(first.user.role, Role::Clinician);
    assert!(first.session_live && first.account_active && !first.jti_denied);
    assert_eq!(c.counts().unwrap().principals, 1, "cached");

    let when = "'2030-01-01 00:00:00'";
    type Check = fn(&PrincipalRecord) -> bool;
    let changes: Vec<(String, Check)> = vec![
        (
            format!("UPDATE users SET role = 'admin' WHERE id = '{u}'"),
            |p| p.user.role == Role::Admin,
        ),
        (
            format!("UPDATE users SET email = 'moved@cached.org' WHERE id = '{u}'"),
            |p| p.user.email.as_str() == "moved@cached.org",
        ),
        (
            format!("UPDATE users SET phone = '+15550100', name = 'Renamed' WHERE id = '{u}'"),
            |p| p.user.phone.as_deref() == Some("+15550100") && p.user.name == "Renamed",
        ),
        (
            format!("UPDATE users SET password_changed_at = {when} WHERE id = '{u}'"),
            |p| p.password_changed_at.is_some(),
        ),
        (
            format!("UPDATE users SET is_active = false WHERE id = '{u}'"),
            |p| !p.user.is_active,
        ),
        (
            format!("UPDATE users SET is_active = true WHERE id = '{u}'"),
            |p| p.user.is_active,
        ),
        (
            format!("UPDATE accounts SET name = 'Moved' WHERE id = '{a}'"),
            |p| p.account_name.as_deref() == Some("Moved"),
        ),
        (
            format!("UPDATE accounts SET status = 'inactive' WHERE id = '{a}'"),
            |p| !p.account_active,
        ),
        (
            format!("UPDATE accounts SET status = 'active' WHERE id = '{a}'"),
            |p| p.account_active,
        ),
        (
            format!("UPDATE accounts SET deleted_at = {when} WHERE id = '{a}'"),
            |p| !p.account_active && p.account_name.is_none(),
        ),
        (
            format!("UPDATE accounts SET deleted_at = NULL WHERE id = '{a}'"),
            |p| p.account_active,
        ),
        (
            format!("UPDATE refresh_tokens SET revoked_at = {when} WHERE family_id = '{family}'"),
            |p| !p.session_live,
        ),
        (
            format!("UPDATE refresh_tokens SET revoked_at = NULL WHERE family_id = '{family}'"),
            |p| p.session_live,
        ),
        (
            format!("DELETE FROM refresh_tokens WHERE family_id = '{family}'"),
            |p| !p.session_live,
        ),
        (
            format!("INSERT INTO denied_jtis (jti, expires_at) VALUES ('jti-c', {when})"),
            |p| p.jti_denied,
        ),
    ];
    for (sql, check) in &changes {
        raw(t, sql).await;
        settle(&c).await;
        let p = look().await.unwrap();
        assert!(check(&p), "not seen after: {sql}\n{p:?}");
    }

    // A soft-deleted user is gone.
    raw(
        t,
        &format!("UPDATE users SET deleted_at = {when} WHERE id = '{u}'"),
    )
    .await;
    settle(&c).await;
    assert!(matches!(look().await, Err(RepoError::NotFound)));
    raw(
        t,
        &format!("UPDATE users SET deleted_at = NULL WHERE id = '{u}'"),
    )
    .await;
    settle(&c).await;
    assert!(look().await.is_ok());

    // Not vacuous: without the trigger the cached record is still served after the change.
    let drop = match t.backend() {
        Backend::Postgres => "DROP TRIGGER users_principal_notify ON users",
        Backend::Sqlite => "DROP TRIGGER users_principal_notify",
    };
    raw(t, drop).await;
    raw(
        t,
        &format!("UPDATE users SET role = 'physician' WHERE id = '{u}'"),
    )
    .await;
    settle(&c).await;
    assert_eq!(
        look().await.unwrap().user.role,
        Role::Admin,
        "served from the cache"
    );
    // ... while the database says otherwise.
    let fresh = UserRepository::principal(t.db(), doc.id, "jti-c", Some(family)).await;
    assert_eq!(fresh.unwrap().user.role, Role::Physician);
}

/// A change made through a repository method (the code path) evicts too, and an eviction
/// evicts only what it names: another user's entry stays cached.
pub async fn repository_changes_evict_only_what_they_name(t: &TestDb) {
    let c = listening(t).await;
    let (_, doc) = clinic(t, "Named").await;
    let admin = UserRepository::list(
        t.db(),
        &genascope_domain::identity::ports::UserFilter {
            roles: vec![Role::Admin],
            ..Default::default()
        },
        genascope_domain::identity::ports::Page {
            offset: 0,
            limit: 10,
        },
    )
    .await
    .unwrap()
    .remove(0);
    settle(&c).await;
    c.principal(doc.id, "j-doc", None).await.unwrap();
    c.principal(admin.id, "j-admin", None).await.unwrap();
    assert_eq!(c.counts().unwrap().principals, 2);
    let mut changed = doc.clone();
    changed.role = Role::Physician;
    // A read is no write; the update is one (PostgreSQL's instrumentation tells; on SQLite
    // nothing needs to know: evictions are applied before `run` returns).
    let (read, wrote) = track_writes(UserRepository::get(t.db(), doc.id)).await;
    assert!(read.is_ok() && !wrote, "a read");
    let (updated, wrote) = track_writes(UserRepository::update(t.db(), &doc, &changed, None)).await;
    updated.unwrap();
    assert_eq!(wrote, t.backend() == Backend::Postgres, "an update");
    settle(&c).await;
    assert_eq!(c.counts().unwrap().principals, 1, "only the doctor evicted");
    let p = c.principal(doc.id, "j-doc", None).await.unwrap();
    assert_eq!(p.user.role, Role::Physician);
}

/// PostgreSQL: when the listener's session is killed the cache is bypassed (a change made
/// meanwhile is seen at once), and once it listens again the cache is back, emptied.
pub async fn the_listener_comes_back_and_the_cache_is_bypassed_meanwhile(t: &TestDb) {
    assert_eq!(t.backend(), Backend::Postgres);
    let c = listening(t).await;
    assert_eq!(c.listener_sessions(), 1);
    let (_, doc) = clinic(t, "Relisten").await;
    let u = doc.id.0;
    let look = || c.principal(doc.id, "j", None);
    settle(&c).await;
    assert_eq!(look().await.unwrap().user.role, Role::Clinician);
    assert_eq!(c.counts().unwrap().principals, 1);

    // Keep it from reconnecting for now, then kill its session.
    let name = t.url().rsplit('/').next().unwrap().to_owned();
    admin(&format!(
        "ALTER DATABASE \"{name}\" WITH ALLOW_CONNECTIONS false"
    ))
    .await;
    admin(&format!(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = '{name}' AND application_name = 'genascope-principal-listener'"
    ))
    .await;
    poll(
        || c.state() == CacheState::Reconnecting,
        "the loss is noticed",
    )
    .await;
    assert_eq!(c.counts().unwrap().principals, 0, "emptied");

    // A change while it is down is seen on the next read (through the pool's open connection).
    raw(
        t,
        &format!("UPDATE users SET role = 'physician' WHERE id = '{u}'"),
    )
    .await;
    assert_eq!(look().await.unwrap().user.role, Role::Physician);
    assert_eq!(
        c.counts().unwrap().principals,
        0,
        "nothing stored while down"
    );

    admin(&format!(
        "ALTER DATABASE \"{name}\" WITH ALLOW_CONNECTIONS true"
    ))
    .await;
    poll(|| c.listener_sessions() == 2, "it listens again").await;
    assert_eq!(c.state(), CacheState::Listening);
    assert_eq!(look().await.unwrap().user.role, Role::Physician);
    assert_eq!(c.counts().unwrap().principals, 1, "cached again");
    raw(
        t,
        &format!("UPDATE users SET role = 'admin' WHERE id = '{u}'"),
    )
    .await;
    settle(&c).await;
    assert_eq!(
        look().await.unwrap().user.role,
        Role::Admin,
        "evicted again"
    );
}

/// PostgreSQL: dropping the cache stops its listener thread and waits until it has ended, both
/// while it listens and while it cannot connect (backing off between attempts). A process may
/// exit right after: nothing of the listener runs any more (a thread left inside its session
/// once crashed a test process at exit).
pub async fn dropping_the_cache_joins_the_listener_thread(t: &TestDb) {
    assert_eq!(t.backend(), Backend::Postgres);
    assert_eq!(listener_threads(), 0);
    let c = listening(t).await;
    assert_eq!(listener_threads(), 1);
    let started = std::time::Instant::now();
    drop(c);
    assert_eq!(listener_threads(), 0, "joined while listening");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );

    // Refused connections: the thread is connecting or backing off when it is dropped.
    let name = t.url().rsplit('/').next().unwrap().to_owned();
    admin(&format!(
        "ALTER DATABASE \"{name}\" WITH ALLOW_CONNECTIONS false"
    ))
    .await;
    let c = cached(t);
    // The thread names itself once running.
    poll(|| listener_threads() == 1, "the thread runs").await;
    assert_eq!(c.state(), CacheState::Reconnecting);
    let started = std::time::Instant::now();
    drop(c);
    assert_eq!(listener_threads(), 0, "joined while reconnecting");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    admin(&format!(
        "ALTER DATABASE \"{name}\" WITH ALLOW_CONNECTIONS true"
    ))
    .await;
}

/// This process's threads named `principal-listener` (Linux: /proc/self/task/*/comm, which
/// keeps the first 15 bytes of a thread's name).
fn listener_threads() -> usize {
    std::fs::read_dir("/proc/self/task")
        .unwrap()
        .filter_map(|e| std::fs::read_to_string(e.ok()?.path().join("comm")).ok())
        .filter(|comm| comm.trim_end() == &"principal-listener"[..15])
        .count()
}

/// Run SQL on the test server's admin database.
async fn admin(sql: &str) {
    let sql = sql.to_owned();
    tokio::task::spawn_blocking(move || {
        use diesel::{Connection, RunQueryDsl};
        let url = genascope_adapters_postgres::testing::pg_admin_url();
        let mut conn = diesel::PgConnection::establish(&url).unwrap();
        diesel::sql_query(&sql).execute(&mut conn).unwrap();
    })
    .await
    .unwrap();
}

/// Wait (at most 20 s) until `cond` holds.
async fn poll(cond: impl Fn() -> bool, what: &str) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while !cond() {
        assert!(tokio::time::Instant::now() < deadline, "timed out: {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
