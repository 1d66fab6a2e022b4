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

// --- TLS: the listener connects as `DATABASE_URL`'s sslmode says (the server under test has
// `ssl = on`, Debian's self-signed snakeoil certificate for `localhost`). ---

/// The server's certificate file (its own root: it is self-signed). Fails when the server has
/// no TLS: these tests need it.
async fn server_certificate() -> String {
    let on = admin_value("SELECT current_setting('ssl') AS v").await;
    assert_eq!(on, "on", "these tests need PostgreSQL with ssl = on");
    admin_value("SELECT current_setting('ssl_cert_file') AS v").await
}

/// `url` with `params` added to its query.
fn with_params(url: &str, params: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}{params}")
}

/// `url` with its host replaced.
fn with_host(url: &str, host: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap();
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let (user, hostport) = authority
        .rsplit_once('@')
        .map_or(("", authority), |(u, h)| (u, h));
    let port = hostport.rsplit_once(':').map(|(_, p)| p);
    let at = if user.is_empty() { "" } else { "@" };
    let colon = if port.is_some() { ":" } else { "" };
    let port = port.unwrap_or("");
    format!("{scheme}://{user}{at}{host}{colon}{port}{path}")
}

/// A database (pool) over `url`.
async fn connect(url: &str) -> genascope_adapters_postgres::Database {
    let url = url.to_owned();
    tokio::task::spawn_blocking(move || genascope_adapters_postgres::Database::connect(&url))
        .await
        .unwrap()
        .unwrap()
}

/// Whether each listener session on `t`'s database is encrypted (pg_stat_ssl).
async fn listener_ssl(t: &TestDb) -> Vec<bool> {
    let name = t
        .url()
        .rsplit('/')
        .next()
        .unwrap()
        .split('?')
        .next()
        .unwrap();
    let rows = admin_values(&format!(
        "SELECT s.ssl::text AS v FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) \
         WHERE a.datname = '{name}' AND a.application_name = 'genascope-principal-listener'"
    ))
    .await;
    rows.iter().map(|v| v == "true").collect()
}

/// A change made now is seen through `c` after its fence (the cache listens and evicts).
async fn evicts_across_a_change(t: &TestDb, c: &CachedPrincipals, label: &str) {
    let (_, doc) = clinic(t, label).await;
    let look = || c.principal(doc.id, "j-tls", None);
    settle(c).await;
    assert_eq!(look().await.unwrap().user.role, Role::Clinician);
    assert_eq!(c.counts().unwrap().principals, 1, "cached");
    raw(
        t,
        &format!("UPDATE users SET role = 'admin' WHERE id = '{}'", doc.id.0),
    )
    .await;
    settle(c).await;
    assert_eq!(look().await.unwrap().user.role, Role::Admin, "evicted");
}

/// PostgreSQL: `sslmode=require` (no root: encrypted, not verified, as libpq), and libpq's
/// default `prefer`, listen over TLS; `disable` listens in plaintext. Each evicts.
pub async fn the_listener_follows_the_urls_sslmode(t: &TestDb) {
    assert_eq!(t.backend(), Backend::Postgres);
    server_certificate().await;
    for (params, encrypted) in [
        (Some("sslmode=require"), true),
        (None, true),
        (Some("sslmode=disable"), false),
    ] {
        let url = params.map_or_else(|| t.url().to_owned(), |p| with_params(t.url(), p));
        let c = CachedPrincipals::start(connect(&url).await, config()).unwrap();
        assert!(
            c.wait_listening(Duration::from_secs(20)).await,
            "{params:?}"
        );
        assert_eq!(c.state(), CacheState::Listening);
        assert_eq!(listener_ssl(t).await, vec![encrypted], "{params:?}");
        evicts_across_a_change(t, &c, &format!("Tls{encrypted}{}", params.is_some())).await;
        drop(c);
        assert!(listener_ssl(t).await.is_empty());
    }
}

/// PostgreSQL: with the server's own certificate as root, `verify-ca` listens (no host name
/// check: 127.0.0.1 is not in the certificate) and `verify-full` listens at `localhost` (the
/// certificate's name); `verify-full` at 127.0.0.1 does not (the name does not match).
pub async fn the_listener_verifies_the_server_against_sslrootcert(t: &TestDb) {
    assert_eq!(t.backend(), Backend::Postgres);
    let root = server_certificate().await;
    let at_ip = with_host(t.url(), "127.0.0.1");
    let at_name = with_host(t.url(), "localhost");
    for (i, url) in [
        with_params(&at_ip, &format!("sslmode=verify-ca&sslrootcert={root}")),
        with_params(&at_name, &format!("sslmode=verify-full&sslrootcert={root}")),
    ]
    .iter()
    .enumerate()
    {
        // The pool verifies too (libpq): the same URL serves both.
        let c = CachedPrincipals::start(connect(url).await, config()).unwrap();
        assert!(c.wait_listening(Duration::from_secs(20)).await, "{url}");
        assert_eq!(listener_ssl(t).await, vec![true], "{url}");
        evicts_across_a_change(t, &c, &format!("Verified{i}")).await;
        drop(c);
    }
    let wrong_name = with_params(&at_ip, &format!("sslmode=verify-full&sslrootcert={root}"));
    bypassed_while_the_listener_cannot_verify(t, &wrong_name, "WrongName").await;
}

/// PostgreSQL: `verify-full` with a root that did not sign the server's certificate: the
/// listener never connects (not in plaintext either), the cache stays bypassed and requests
/// see fresh data. A root file that does not exist: the same.
pub async fn the_listener_stays_off_when_the_server_cannot_be_verified(t: &TestDb) {
    assert_eq!(t.backend(), Backend::Postgres);
    server_certificate().await;
    let dir = std::env::temp_dir().join(format!("genascope-ca-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let other_ca = dir.join("other-ca.pem");
    std::fs::write(&other_ca, other_ca_pem()).unwrap();
    let at_name = with_host(t.url(), "localhost");
    for (i, root) in [other_ca.clone(), dir.join("missing.pem")]
        .iter()
        .enumerate()
    {
        let url = with_params(
            &at_name,
            &format!("sslmode=verify-full&sslrootcert={}", root.display()),
        );
        bypassed_while_the_listener_cannot_verify(t, &url, &format!("Unverified{i}")).await;
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// With the listener on `listener_url` (the pool on the test's plain URL): it fails again and
/// again without ever listening or opening a session; the cache is bypassed and a change is
/// seen at once.
async fn bypassed_while_the_listener_cannot_verify(t: &TestDb, listener_url: &str, label: &str) {
    let c =
        CachedPrincipals::start_with_listener_url(t.db().clone(), config(), listener_url).unwrap();
    poll(|| c.listener_failures() >= 2, "it fails and tries again").await;
    assert_eq!(c.state(), CacheState::Reconnecting, "{listener_url}");
    assert_eq!(c.listener_sessions(), 0);
    assert!(
        listener_ssl(t).await.is_empty(),
        "no session, not even plaintext"
    );
    let (_, doc) = clinic(t, label).await;
    assert_eq!(
        c.principal(doc.id, "j-u", None).await.unwrap().user.role,
        Role::Clinician
    );
    raw(
        t,
        &format!("UPDATE users SET role = 'admin' WHERE id = '{}'", doc.id.0),
    )
    .await;
    assert_eq!(
        c.principal(doc.id, "j-u", None).await.unwrap().user.role,
        Role::Admin,
        "fresh"
    );
    assert_eq!(c.counts().unwrap().principals, 0, "nothing cached");
}

fn config() -> PrincipalCacheConfig {
    PrincipalCacheConfig {
        ttl: Duration::from_secs(3600),
        capacity: 1000,
    }
}

/// A certificate authority made now: it signed nothing the server has.
fn other_ca_pem() -> String {
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["localhost".to_owned()]).unwrap();
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "Not the server's CA");
    params.self_signed(&key).unwrap().pem()
}

/// The first column (`v`, text) of `sql`'s first row, on the admin database.
async fn admin_value(sql: &str) -> String {
    admin_values(sql).await.remove(0)
}

/// The column `v` (text) of `sql`'s rows, on the admin database.
async fn admin_values(sql: &str) -> Vec<String> {
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        v: String,
    }
    let sql = sql.to_owned();
    tokio::task::spawn_blocking(move || {
        use diesel::{Connection, RunQueryDsl};
        let url = genascope_adapters_postgres::testing::pg_admin_url();
        let mut conn = diesel::PgConnection::establish(&url).unwrap();
        diesel::sql_query(&sql)
            .load::<Row>(&mut conn)
            .unwrap()
            .into_iter()
            .map(|r| r.v)
            .collect()
    })
    .await
    .unwrap()
}
