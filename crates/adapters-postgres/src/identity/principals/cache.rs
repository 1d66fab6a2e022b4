//! The cache itself: the records, their eviction by key, the epoch that keeps a stale read out,
//! and the "evictions are being delivered" switch (see `super` and docs/architecture.md).

use genascope_domain::identity::ports::{GrantRecord, PrincipalRecord};
use std::collections::HashMap;
use std::sync::RwLock;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// What a change notification names (payload `<kind>:<id>` of the triggers of migration
/// `2026-12-06-000021_principal_notify`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Eviction {
    /// A user row, or one of its refresh tokens: every cached principal of that user.
    User(uuid::Uuid),
    /// An account: its users' principals and its patients' grants.
    Account(uuid::Uuid),
    /// A denied access-token id: the principals cached for that token.
    Jti(String),
    /// An invite: its grant.
    Invite(uuid::Uuid),
    /// A patient: the grants of its invites.
    Patient(uuid::Uuid),
    /// Anything else (an unknown kind or a malformed id): everything, to be safe.
    All,
}

impl Eviction {
    /// Parse a trigger's payload. Whatever cannot be understood evicts everything.
    pub(crate) fn parse(payload: &str) -> Self {
        let Some((kind, key)) = payload.split_once(':') else {
            return Self::All;
        };
        let uuid = || uuid::Uuid::parse_str(key).ok();
        let parsed = match kind {
            "user" => uuid().map(Self::User),
            "account" => uuid().map(Self::Account),
            "invite" => uuid().map(Self::Invite),
            "patient" => uuid().map(Self::Patient),
            "jti" => Some(Self::Jti(key.to_owned())),
            _ => None,
        };
        parsed.unwrap_or(Self::All)
    }
}

/// A principal's key: the user, the token's id and its session (the record depends on all
/// three: `jti_denied`, `session_live`).
pub(crate) type PrincipalKey = (uuid::Uuid, String, Option<uuid::Uuid>);

struct Entry<T> {
    value: T,
    at: Instant,
}

#[derive(Default)]
struct Maps {
    principals: HashMap<PrincipalKey, Entry<PrincipalRecord>>,
    grants: HashMap<uuid::Uuid, Entry<GrantRecord>>,
}

/// The cache's numbers, for `/ready` and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CacheCounts {
    /// Principals cached now.
    pub principals: usize,
    /// Grants cached now.
    pub grants: usize,
    /// Evictions (and clears) so far.
    pub epoch: u64,
}

/// The records, the eviction epoch and whether the cache may be used.
///
/// Race guard: a caller takes [`PrincipalCache::epoch`] before its database read and hands it
/// to `put_*`; every eviction increments the epoch under the same lock as the insert checks it,
/// so a read that started before an eviction (and may have seen the old row) is never stored
/// after it. Evictions are rare (a logout, a role change), so one lock and a scan of the map per
/// eviction cost less than indexes would.
pub(crate) struct PrincipalCache {
    maps: RwLock<Maps>,
    epoch: AtomicU64,
    /// Evictions are being delivered (SQLite: always; PostgreSQL: while the listener is
    /// connected). While false, nothing is read from or stored in the cache.
    live: AtomicBool,
    ttl: Duration,
    capacity: usize,
}

impl PrincipalCache {
    /// An empty cache; `live` as given.
    pub(crate) fn new(ttl: Duration, capacity: usize, live: bool) -> Self {
        Self {
            maps: RwLock::default(),
            epoch: AtomicU64::new(0),
            live: AtomicBool::new(live),
            ttl,
            capacity: capacity.max(1),
        }
    }

    /// Whether reads may use the cache now.
    pub(crate) fn is_live(&self) -> bool {
        self.live.load(Ordering::Acquire)
    }

    /// The eviction epoch: take it before reading the database, hand it to `put_*`.
    pub(crate) fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::Acquire)
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Maps> {
        self.maps
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Maps> {
        self.maps
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A cached principal younger than the TTL, while live.
    pub(crate) fn principal(&self, key: &PrincipalKey) -> Option<PrincipalRecord> {
        if !self.is_live() {
            return None;
        }
        let maps = self.read();
        let e = maps.principals.get(key)?;
        (e.at.elapsed() < self.ttl).then(|| e.value.clone())
    }

    /// A cached grant younger than the TTL, while live.
    pub(crate) fn grant(&self, invite: uuid::Uuid) -> Option<GrantRecord> {
        if !self.is_live() {
            return None;
        }
        let maps = self.read();
        let e = maps.grants.get(&invite)?;
        (e.at.elapsed() < self.ttl).then(|| e.value.clone())
    }

    /// Store a principal read from the database, unless an eviction happened since `epoch` was
    /// taken or the cache is not live.
    pub(crate) fn put_principal(&self, key: PrincipalKey, value: PrincipalRecord, epoch: u64) {
        let mut maps = self.write();
        if !self.admits(epoch) {
            return;
        }
        if maps.principals.len() >= self.capacity {
            make_room(&mut maps.principals, self.ttl, self.capacity);
        }
        let at = Instant::now();
        maps.principals.insert(key, Entry { value, at });
    }

    /// Store a grant read from the database (see [`PrincipalCache::put_principal`]).
    pub(crate) fn put_grant(&self, invite: uuid::Uuid, value: GrantRecord, epoch: u64) {
        let mut maps = self.write();
        if !self.admits(epoch) {
            return;
        }
        if maps.grants.len() >= self.capacity {
            make_room(&mut maps.grants, self.ttl, self.capacity);
        }
        let at = Instant::now();
        maps.grants.insert(invite, Entry { value, at });
    }

    /// Called with the write lock held: the epoch is only moved under it.
    fn admits(&self, epoch: u64) -> bool {
        self.is_live() && self.epoch.load(Ordering::Acquire) == epoch
    }

    /// Evict what `e` names (and move the epoch: reads in flight are not stored).
    pub(crate) fn evict(&self, e: &Eviction) {
        let mut maps = self.write();
        self.epoch.fetch_add(1, Ordering::AcqRel);
        let Maps { principals, grants } = &mut *maps;
        let account_of = |r: &PrincipalRecord| r.user.account_id.map(|a| a.0);
        match e {
            Eviction::User(u) => principals.retain(|k, _| k.0 != *u),
            Eviction::Jti(j) => principals.retain(|k, _| k.1 != *j),
            Eviction::Account(a) => {
                principals.retain(|_, v| account_of(&v.value) != Some(*a));
                grants.retain(|_, v| v.value.account_id.0 != *a);
            }
            Eviction::Invite(i) => {
                grants.remove(i);
            }
            Eviction::Patient(p) => grants.retain(|_, v| v.value.patient_id.0 != *p),
            Eviction::All => {
                principals.clear();
                grants.clear();
            }
        }
    }

    /// Drop everything and switch the cache on or off (the listener: off when its connection
    /// is lost, on again once it listens; either way notifications may have been missed).
    pub(crate) fn reset(&self, live: bool) {
        let mut maps = self.write();
        self.epoch.fetch_add(1, Ordering::AcqRel);
        maps.principals.clear();
        maps.grants.clear();
        self.live.store(live, Ordering::Release);
    }

    /// How much is cached now.
    pub(crate) fn counts(&self) -> CacheCounts {
        let maps = self.read();
        CacheCounts {
            principals: maps.principals.len(),
            grants: maps.grants.len(),
            epoch: self.epoch(),
        }
    }
}

/// A full map: drop the expired entries, and if none was, an arbitrary tenth (a cap, not an
/// LRU: the cache only has to stay bounded; a dropped entry costs one database read).
fn make_room<K: Clone + Eq + std::hash::Hash, V>(
    map: &mut HashMap<K, Entry<V>>,
    ttl: Duration,
    capacity: usize,
) {
    map.retain(|_, e| e.at.elapsed() < ttl);
    if map.len() >= capacity {
        let drop: Vec<K> = map.keys().take(capacity / 10 + 1).cloned().collect();
        for k in drop {
            map.remove(&k);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use genascope_domain::common::{AccountId, UserId};
    use genascope_domain::identity::model::{Email, Role, User};

    fn record(user: uuid::Uuid, account: uuid::Uuid) -> PrincipalRecord {
        let now = time::OffsetDateTime::UNIX_EPOCH;
        PrincipalRecord {
            user: User {
                id: UserId(user),
                account_id: Some(AccountId(account)),
                email: Email::parse("a@b.test").unwrap(),
                name: "A B".into(),
                first_name: "A".into(),
                last_name: "B".into(),
                role: Role::Clinician,
                is_active: true,
                clinician_id: None,
                phone: None,
                created_at: now,
                updated_at: now,
            },
            password_changed_at: None,
            session_live: true,
            account_active: true,
            account_name: None,
            jti_denied: false,
        }
    }

    fn cache() -> PrincipalCache {
        PrincipalCache::new(Duration::from_secs(60), 100, true)
    }

    #[test]
    fn a_read_that_started_before_an_eviction_is_not_stored_after_it() {
        let c = cache();
        let (u, a) = (uuid::Uuid::new_v4(), uuid::Uuid::new_v4());
        let key = (u, "j1".to_owned(), None);
        // The read starts (epoch taken), the row changes and its eviction arrives, then the
        // read's (old) answer comes back: it must not be stored.
        let before = c.epoch();
        c.evict(&Eviction::User(u));
        c.put_principal(key.clone(), record(u, a), before);
        assert!(c.principal(&key).is_none());
        // Without an eviction in between it is stored (the guard is not vacuous).
        let now = c.epoch();
        c.put_principal(key.clone(), record(u, a), now);
        assert!(c.principal(&key).is_some());
        // Any eviction moves the epoch, even one of another user's entries.
        let before = c.epoch();
        c.evict(&Eviction::User(uuid::Uuid::new_v4()));
        let other = (u, "j2".to_owned(), None);
        c.put_principal(other.clone(), record(u, a), before);
        assert!(c.principal(&other).is_none());
    }

    #[test]
    fn evictions_remove_what_they_name_and_only_that() {
        let c = cache();
        let (u1, u2, a1, a2) = (
            uuid::Uuid::new_v4(),
            uuid::Uuid::new_v4(),
            uuid::Uuid::new_v4(),
            uuid::Uuid::new_v4(),
        );
        let k1 = (u1, "j1".to_owned(), None);
        let k2 = (u2, "j2".to_owned(), Some(uuid::Uuid::new_v4()));
        let fill = |c: &PrincipalCache| {
            c.put_principal(k1.clone(), record(u1, a1), c.epoch());
            c.put_principal(k2.clone(), record(u2, a2), c.epoch());
        };
        for (e, gone1, gone2) in [
            (Eviction::User(u1), true, false),
            (Eviction::Jti("j2".into()), false, true),
            (Eviction::Account(a1), true, false),
            (Eviction::All, true, true),
            (Eviction::Invite(u1), false, false),
        ] {
            fill(&c);
            c.evict(&e);
            assert_eq!(c.principal(&k1).is_none(), gone1, "{e:?}");
            assert_eq!(c.principal(&k2).is_none(), gone2, "{e:?}");
        }
    }

    #[test]
    fn a_cache_that_is_not_live_neither_answers_nor_stores() {
        let c = cache();
        let u = uuid::Uuid::new_v4();
        let key = (u, "j".to_owned(), None);
        c.put_principal(key.clone(), record(u, u), c.epoch());
        c.reset(false);
        assert!(c.principal(&key).is_none());
        c.put_principal(key.clone(), record(u, u), c.epoch());
        c.reset(true);
        assert!(c.principal(&key).is_none(), "nothing stored while off");
    }

    #[test]
    fn entries_expire_and_the_size_stays_bounded() {
        let c = PrincipalCache::new(Duration::ZERO, 10, true);
        let u = uuid::Uuid::new_v4();
        let key = (u, "j".to_owned(), None);
        c.put_principal(key.clone(), record(u, u), c.epoch());
        assert!(c.principal(&key).is_none(), "older than the TTL");
        let c = PrincipalCache::new(Duration::from_secs(60), 10, true);
        for i in 0..100 {
            c.put_principal((u, format!("j{i}"), None), record(u, u), c.epoch());
        }
        assert!(c.counts().principals <= 10, "{:?}", c.counts());
    }

    #[test]
    fn payloads_parse_and_nonsense_evicts_everything() {
        let u = uuid::Uuid::new_v4();
        assert_eq!(Eviction::parse(&format!("user:{u}")), Eviction::User(u));
        assert_eq!(
            Eviction::parse(&format!("account:{u}")),
            Eviction::Account(u)
        );
        assert_eq!(Eviction::parse(&format!("invite:{u}")), Eviction::Invite(u));
        assert_eq!(
            Eviction::parse(&format!("patient:{u}")),
            Eviction::Patient(u)
        );
        assert_eq!(Eviction::parse("jti:abc"), Eviction::Jti("abc".into()));
        for bad in ["", "user", "user:not-a-uuid", "what:ever"] {
            assert_eq!(Eviction::parse(bad), Eviction::All, "{bad}");
        }
    }
}
