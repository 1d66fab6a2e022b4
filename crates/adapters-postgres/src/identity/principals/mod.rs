//! The principal cache (issue #11): `UserRepository::principal` and `GrantRepository::grant`,
//! the two reads every authenticated request makes, answered from memory, and evicted on every
//! replica before its next request when a row they read changes.
//!
//! - Eviction comes from the database itself: triggers (migration
//!   `2026-12-06-000021_principal_notify`) on every table the two reads touch. On PostgreSQL they
//!   `NOTIFY genascope_principals` (delivered at commit, to every listening session) and each
//!   process listens on a dedicated session ([`listener`]). On SQLite (one process) they call an
//!   application function registered on every connection, which records the key on the thread;
//!   `Database::run` evicts the recorded keys after its closure, i.e. after the commit.
//! - Race guard: the cache's epoch is taken before each database read and checked at insert
//!   (see [`cache::PrincipalCache`]).
//! - A TTL (safety net) and a size cap. The domain's checks (expiry, `iat` against the password
//!   change, denied ids, sessions) still run on every request, on the cached record.
//!
//! [`CachedPrincipals`] is a decorator of the two ports over [`Database`]; everything else of
//! `UserRepository` goes straight through.

mod cache;
mod listener;
mod target;
mod tls;

use crate::database::metric;
use crate::{Backend, Database};
use async_trait::async_trait;
pub use cache::CacheCounts;
use cache::{Eviction, PrincipalCache};
use genascope_domain::common::{AccountId, InviteId, RepoError, Timestamp, UserId};
use genascope_domain::identity::model::{Credentials, Email, User};
use genascope_domain::identity::ports::{
    GrantRecord, GrantRepository, NewUser, Page, PrincipalRecord, ResetLink, UserFilter,
    UserRepository,
};
use genascope_domain::notify::OutgoingEmail;
use std::sync::{Arc, Weak};
use std::time::Duration;

/// Cache settings.
#[derive(Debug, Clone, Copy)]
pub struct PrincipalCacheConfig {
    /// How long an entry may be used at most (the safety net under the evictions); zero turns
    /// the cache off.
    pub ttl: Duration,
    /// Most principals (and, separately, grants) kept.
    pub capacity: usize,
}

impl Default for PrincipalCacheConfig {
    fn default() -> Self {
        Self {
            ttl: Duration::from_secs(60),
            capacity: 10_000,
        }
    }
}

/// The cache's state, for `/ready` and logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheState {
    /// `PRINCIPAL_CACHE_TTL_SECS=0`: every request reads the database.
    Disabled,
    /// SQLite: evicted in-process, always on.
    InProcess,
    /// PostgreSQL, the listener is listening: the cache is on.
    Listening,
    /// PostgreSQL, the listener is (re)connecting: the cache is bypassed meanwhile.
    Reconnecting,
}

impl CacheState {
    /// A word for `/ready`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Disabled => "disabled",
            Self::InProcess => "in_process",
            Self::Listening => "listening",
            Self::Reconnecting => "reconnecting",
        }
    }
}

/// `UserRepository` and `GrantRepository` over a [`Database`], with the principal and the grant
/// cached (see the module documentation).
pub struct CachedPrincipals {
    db: Database,
    /// None when disabled.
    cache: Option<Arc<PrincipalCache>>,
    /// Stopped and joined when this is dropped.
    listener: Option<listener::ListenerThread>,
}

impl std::fmt::Debug for CachedPrincipals {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CachedPrincipals")
            .field("state", &self.state())
            .finish_non_exhaustive()
    }
}

impl CachedPrincipals {
    /// The decorator over `db`; on PostgreSQL this starts the listener thread (the cache stays
    /// bypassed until it listens).
    ///
    /// # Errors
    /// The listener thread could not be started.
    pub fn start(db: Database, config: PrincipalCacheConfig) -> std::io::Result<Self> {
        Self::start_listening_to(db, config, None)
    }

    /// [`Self::start`], the listener connecting to `listener_url` rather than to the pool's URL
    /// (tests: a listener that cannot verify the server while the pool connects).
    ///
    /// # Errors
    /// The listener thread could not be started.
    #[cfg(feature = "test-support")]
    pub fn start_with_listener_url(
        db: Database,
        config: PrincipalCacheConfig,
        listener_url: &str,
    ) -> std::io::Result<Self> {
        Self::start_listening_to(db, config, Some(listener_url))
    }

    fn start_listening_to(
        db: Database,
        config: PrincipalCacheConfig,
        listener_url: Option<&str>,
    ) -> std::io::Result<Self> {
        if config.ttl.is_zero() {
            return Ok(Self {
                db,
                cache: None,
                listener: None,
            });
        }
        let sqlite = db.backend() == Backend::Sqlite;
        let cache = Arc::new(PrincipalCache::new(config.ttl, config.capacity, sqlite));
        let listener = if sqlite {
            db.principal_caches().register(&cache);
            None
        } else {
            let url = listener_url.unwrap_or_else(|| db.url());
            Some(listener::Listener::start(cache.clone(), url)?)
        };
        Ok(Self {
            db,
            cache: Some(cache),
            listener,
        })
    }

    /// Whether the cache is in use now.
    #[must_use]
    pub fn state(&self) -> CacheState {
        match (&self.cache, &self.listener) {
            (None, _) => CacheState::Disabled,
            (Some(_), None) => CacheState::InProcess,
            (Some(_), Some(l)) if l.listener().is_listening() => CacheState::Listening,
            (Some(_), Some(_)) => CacheState::Reconnecting,
        }
    }

    /// How many times the listener started listening (0 on SQLite or disabled).
    #[must_use]
    pub fn listener_sessions(&self) -> u64 {
        self.listener
            .as_ref()
            .map_or(0, |l| l.listener().sessions())
    }

    /// How many times the listener failed to connect or lost its session (0 on SQLite or
    /// disabled).
    #[must_use]
    pub fn listener_failures(&self) -> u64 {
        self.listener
            .as_ref()
            .map_or(0, |l| l.listener().failures())
    }

    /// How much is cached now.
    #[must_use]
    pub fn counts(&self) -> Option<CacheCounts> {
        self.cache.as_ref().map(|c| c.counts())
    }

    /// Wait (at most `limit`) until this process has evicted everything committed before now.
    /// A request that changed something calls it before answering, so that its client's next
    /// request, here or at any replica, finds the change (docs/architecture.md). Immediate on
    /// SQLite (evicted before `run` returns) and while the cache is off; `false` when the limit
    /// passed.
    pub async fn fence(&self, limit: Duration) -> bool {
        match &self.listener {
            Some(l) => {
                let l = l.listener();
                l.fence(limit).await || !l.is_listening()
            }
            None => true,
        }
    }

    /// Wait (at most `limit`) until the listener listens (tests, and startup logs).
    pub async fn wait_listening(&self, limit: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + limit;
        while self.state() == CacheState::Reconnecting {
            if tokio::time::Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        true
    }

    fn live_cache(&self) -> Option<&PrincipalCache> {
        self.cache.as_deref().filter(|c| c.is_live())
    }
}

fn count(result: &'static str) {
    metrics::counter!(metric::PRINCIPAL_CACHE, "result" => result).increment(1);
}

#[async_trait]
impl GrantRepository for CachedPrincipals {
    async fn grant(&self, invite: InviteId) -> Result<Option<GrantRecord>, RepoError> {
        let Some(cache) = self.live_cache() else {
            count("bypass");
            return self.db.grant(invite).await;
        };
        if let Some(hit) = cache.grant(invite.0) {
            count("hit");
            return Ok(Some(hit));
        }
        count("miss");
        let epoch = cache.epoch();
        let found = self.db.grant(invite).await?;
        if let Some(g) = &found {
            cache.put_grant(invite.0, g.clone(), epoch);
        }
        Ok(found)
    }
}

#[async_trait]
impl UserRepository for CachedPrincipals {
    async fn principal(
        &self,
        id: UserId,
        jti: &str,
        session: Option<uuid::Uuid>,
    ) -> Result<PrincipalRecord, RepoError> {
        let Some(cache) = self.live_cache() else {
            count("bypass");
            return self.db.principal(id, jti, session).await;
        };
        let key = (id.0, jti.to_owned(), session);
        if let Some(hit) = cache.principal(&key) {
            count("hit");
            return Ok(hit);
        }
        count("miss");
        let epoch = cache.epoch();
        let record = self.db.principal(id, jti, session).await?;
        cache.put_principal(key, record.clone(), epoch);
        Ok(record)
    }

    async fn insert(&self, user: &NewUser, setup: Option<ResetLink>) -> Result<(), RepoError> {
        self.db.insert(user, setup).await
    }

    async fn get(&self, id: UserId) -> Result<User, RepoError> {
        UserRepository::get(&self.db, id).await
    }

    async fn credentials_by_email(&self, email: &Email) -> Result<Option<Credentials>, RepoError> {
        self.db.credentials_by_email(email).await
    }

    async fn credentials(&self, id: UserId) -> Result<Credentials, RepoError> {
        self.db.credentials(id).await
    }

    async fn list(&self, filter: &UserFilter, page: Page) -> Result<Vec<User>, RepoError> {
        UserRepository::list(&self.db, filter, page).await
    }

    async fn update(
        &self,
        previous: &User,
        user: &User,
        notice: Option<OutgoingEmail>,
    ) -> Result<(), RepoError> {
        UserRepository::update(&self.db, previous, user, notice).await
    }

    async fn set_password(&self, id: UserId, hash: &str, at: Timestamp) -> Result<(), RepoError> {
        self.db.set_password(id, hash, at).await
    }

    async fn soft_delete(&self, id: UserId, at: Timestamp) -> Result<(), RepoError> {
        UserRepository::soft_delete(&self.db, id, at).await
    }

    async fn count_active_admins(&self, account: AccountId) -> Result<u64, RepoError> {
        self.db.count_active_admins(account).await
    }
}

/// The SQLite caches of one database (shared by every clone of a `Database`): the keys the
/// triggers recorded on a thread are evicted from each of them.
#[derive(Default)]
pub(crate) struct LocalCaches(std::sync::RwLock<Vec<Weak<PrincipalCache>>>);

impl LocalCaches {
    fn register(&self, cache: &Arc<PrincipalCache>) {
        let mut all = self
            .0
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        all.retain(|w| w.strong_count() > 0);
        all.push(Arc::downgrade(cache));
    }

    /// Evict the keys the triggers recorded on this thread (after the commit of the statements
    /// that recorded them; or after their rollback, which evicts for nothing).
    pub(crate) fn apply_pending(&self) {
        let keys = take_pending();
        if keys.is_empty() {
            return;
        }
        let caches: Vec<Arc<PrincipalCache>> = self
            .0
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .iter()
            .filter_map(Weak::upgrade)
            .collect();
        for key in &keys {
            let e = Eviction::parse(key);
            for c in &caches {
                c.evict(&e);
            }
        }
    }
}

tokio::task_local! {
    /// Within [`track_writes`]: whether a database call of this task may have written.
    static REQUEST_WROTE: std::cell::Cell<bool>;
}

/// Run `f` (a request) and tell whether any of its database calls may have changed what the
/// principal cache holds (on PostgreSQL: wrote to a table the cache's triggers watch, or ran a
/// statement whose target is not known; writes of other tasks, such as the audit writer's, do
/// not count). Such a request waits for [`CachedPrincipals::fence`] before it answers; one that
/// only read, or wrote only elsewhere (an answer's session row and audit entry), has nothing to
/// wait for.
pub async fn track_writes<F: std::future::Future>(f: F) -> (F::Output, bool) {
    REQUEST_WROTE
        .scope(std::cell::Cell::new(false), async {
            let out = f.await;
            (out, REQUEST_WROTE.with(std::cell::Cell::get))
        })
        .await
}

/// Called by `Database::run` after a call that may have changed what the cache holds.
pub(crate) fn note_principal_change() {
    let _ = REQUEST_WROTE.try_with(|w| w.set(true));
}

thread_local! {
    /// Keys recorded by `genascope_principal_changed` on this thread, not yet evicted.
    static PENDING: std::cell::RefCell<Vec<String>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The SQLite function the triggers call: record `key` for eviction after the commit.
pub(crate) fn record_pending(key: String) {
    PENDING.with_borrow_mut(|p| {
        if !p.contains(&key) {
            p.push(key);
        }
    });
}

fn take_pending() -> Vec<String> {
    PENDING.with_borrow_mut(std::mem::take)
}

diesel::define_sql_function! {
    /// Called by the SQLite triggers of migration `2026-12-06-000021_principal_notify`.
    fn genascope_principal_changed(key: diesel::sql_types::Text) -> diesel::sql_types::Integer;
}

/// Register `genascope_principal_changed` on an SQLite connection (every pooled connection, from
/// its customizer, before anything runs on it: migrations included).
pub(crate) fn register_sqlite_function(
    conn: &mut diesel::SqliteConnection,
) -> diesel::QueryResult<()> {
    genascope_principal_changed_utils::register_nondeterministic_impl(conn, |key: String| {
        record_pending(key);
        0_i32
    })
}
