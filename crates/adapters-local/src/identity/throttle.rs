//! In-process store of the login throttle (contract §1.7, issue #6 item 7). The rules are
//! `genascope_domain::identity::throttle` (10 free failures per (email, address), then a doubling
//! delay; 50 per address; reset requests 5 per hour per email); this keeps the failures and the
//! attempts in flight.
//!
//! `check` reserves one of at most [`MAX_IN_FLIGHT`] concurrent attempts per key and *waits* for
//! a free one: a burst of parallel guesses is verified a few at a time and every failure is
//! counted before the next attempt is let through, while parallel correct logins queue briefly
//! instead of getting 429. `record_failure` and `forgive` end the attempt.
//!
//! Memory is bounded: the keys live in [`SHARDS`] maps of at most [`MAX_KEYS_PER_SHARD`] each;
//! a full shard first forgets keys with no failure in the window, then the least recently used.
//! One process's memory: replicas each keep their own counts (docs/operations.md); the
//! architecture issue moves them to the database.

use genascope_domain::common::Timestamp;
use genascope_domain::identity::ports::LoginThrottle;
pub use genascope_domain::identity::throttle::ThrottleLimits;
use std::collections::{HashMap, VecDeque};
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};
use time::Duration;
use tokio::sync::Notify;

/// Concurrent attempts per key; more wait for a free slot.
pub const MAX_IN_FLIGHT: usize = 4;
/// How long an attempt waits for a slot before it is refused (429, retry after 1 s).
const SLOT_WAIT: std::time::Duration = std::time::Duration::from_secs(10);
/// Independent maps (each behind its own lock).
pub const SHARDS: usize = 16;
/// Keys per map before old ones are forgotten.
pub const MAX_KEYS_PER_SHARD: usize = 8_192;

#[derive(Debug, Default)]
struct Entry {
    failures: VecDeque<Timestamp>,
    in_flight: usize,
    freed: Arc<Notify>,
    last_seen: Option<Timestamp>,
}

impl Entry {
    fn prune(&mut self, now: Timestamp, window: Duration) {
        while self.failures.front().is_some_and(|t| *t + window <= now) {
            self.failures.pop_front();
        }
    }
}

/// The throttle. Cheap to share.
#[derive(Debug)]
pub struct MemoryLoginThrottle {
    limits: ThrottleLimits,
    shards: Vec<Mutex<HashMap<String, Entry>>>,
}

impl Default for MemoryLoginThrottle {
    fn default() -> Self {
        Self::new(ThrottleLimits::login())
    }
}

impl MemoryLoginThrottle {
    /// With a policy.
    #[must_use]
    pub fn new(limits: ThrottleLimits) -> Self {
        Self {
            limits,
            shards: (0..SHARDS).map(|_| Mutex::default()).collect(),
        }
    }

    fn key(&self, email: &str, ip: Option<&str>) -> String {
        format!("e:{}", self.limits.key(email, ip))
    }

    fn shard(&self, key: &str) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        key.hash(&mut h);
        let i = usize::try_from(h.finish() % SHARDS as u64).unwrap_or(0);
        self.shards[i]
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The entry of `key`, making room in a full shard first.
    fn entry<'a>(
        map: &'a mut HashMap<String, Entry>,
        key: &str,
        now: Timestamp,
        window: Duration,
    ) -> &'a mut Entry {
        if !map.contains_key(key) && map.len() >= MAX_KEYS_PER_SHARD {
            map.retain(|_, e| {
                e.prune(now, window);
                e.in_flight > 0 || !e.failures.is_empty()
            });
            while map.len() >= MAX_KEYS_PER_SHARD {
                let oldest = map
                    .iter()
                    .filter(|(_, e)| e.in_flight == 0)
                    .min_by_key(|(_, e)| e.last_seen)
                    .map(|(k, _)| k.clone());
                match oldest {
                    Some(k) => {
                        map.remove(&k);
                    }
                    None => break,
                }
            }
        }
        let e = map.entry(key.to_owned()).or_default();
        e.last_seen = Some(now);
        e
    }

    fn ip_blocked(&self, ip: Option<&str>, now: Timestamp) -> Option<u64> {
        let ip = ip?;
        let key = format!("i:{ip}");
        let mut map = self.shard(&key);
        let e = map.get_mut(&key)?;
        e.prune(now, self.limits.window);
        self.limits.ip_wait(e.failures.make_contiguous(), now)
    }

    fn finish(&self, email: &str, ip: Option<&str>, failed_at: Option<Timestamp>) {
        let key = self.key(email, ip);
        {
            let mut map = self.shard(&key);
            if let Some(e) = map.get_mut(&key) {
                e.in_flight = e.in_flight.saturating_sub(1);
                match failed_at {
                    Some(t) => e.failures.push_back(t),
                    None => e.failures.clear(),
                }
                e.freed.notify_one();
            }
        }
        if let (Some(t), Some(ip)) = (failed_at, ip) {
            let key = format!("i:{ip}");
            let mut map = self.shard(&key);
            Self::entry(&mut map, &key, t, self.limits.window)
                .failures
                .push_back(t);
        }
    }
}

#[async_trait::async_trait]
impl LoginThrottle for MemoryLoginThrottle {
    async fn check(&self, email: &str, ip: Option<String>, now: Timestamp) -> Result<(), u64> {
        if let Some(wait) = self.ip_blocked(ip.as_deref(), now) {
            return Err(wait);
        }
        let key = self.key(email, ip.as_deref());
        let deadline = tokio::time::Instant::now() + SLOT_WAIT;
        loop {
            let freed = {
                let mut map = self.shard(&key);
                let e = Self::entry(&mut map, &key, now, self.limits.window);
                e.prune(now, self.limits.window);
                // Attempts in flight count as failures-to-be: a burst cannot outrun the limit.
                let in_flight = e.in_flight;
                if let Some(wait) =
                    self.limits
                        .key_wait(e.failures.make_contiguous(), in_flight, now)
                {
                    return Err(wait);
                }
                if e.in_flight < MAX_IN_FLIGHT {
                    e.in_flight += 1;
                    return Ok(());
                }
                e.freed.clone()
            };
            if tokio::time::timeout_at(deadline, freed.notified())
                .await
                .is_err()
            {
                return Err(1);
            }
        }
    }

    fn record_failure(&self, email: &str, ip: Option<String>, now: Timestamp) {
        self.finish(email, ip.as_deref(), Some(now));
    }

    fn forgive(&self, email: &str, ip: Option<String>) {
        self.finish(email, ip.as_deref(), None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t0() -> Timestamp {
        time::macros::datetime!(2026-01-01 00:00 UTC)
    }

    async fn fail(t: &MemoryLoginThrottle, email: &str, ip: &str, at: Timestamp) {
        t.check(email, Some(ip.into()), at).await.unwrap();
        t.record_failure(email, Some(ip.into()), at);
    }

    #[tokio::test]
    async fn delay_doubles_per_email_and_address_and_others_are_unaffected() {
        let t = MemoryLoginThrottle::default();
        let a = "10.0.0.1";
        for i in 0..10 {
            fail(&t, "v@x.org", a, t0() + Duration::seconds(i)).await;
        }
        // 10 free failures; the 11th attempt waits 30 s after the last failure, then 60 s.
        let last = t0() + Duration::seconds(9);
        assert_eq!(t.check("v@x.org", Some(a.into()), last).await, Err(30));
        fail(&t, "v@x.org", a, last + Duration::seconds(30)).await;
        let last = last + Duration::seconds(30);
        assert_eq!(t.check("v@x.org", Some(a.into()), last).await, Err(60));
        assert_eq!(
            t.check("v@x.org", Some(a.into()), last + Duration::seconds(50))
                .await,
            Err(10)
        );
        // The victim, from its own address, is not locked out by the attacker's failures.
        t.check("v@x.org", Some("192.0.2.7".into()), last)
            .await
            .unwrap();
        t.forgive("v@x.org", Some("192.0.2.7".into()));
        // A success clears its own key.
        t.check("v@x.org", Some(a.into()), last + Duration::seconds(60))
            .await
            .unwrap();
        t.forgive("v@x.org", Some(a.into()));
        t.check("v@x.org", Some(a.into()), last + Duration::seconds(60))
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn the_delay_never_exceeds_the_window() {
        let t = MemoryLoginThrottle::default();
        // The key exists once an attempt began; then 40 failures.
        t.check("v@x.org", Some("10.0.0.9".into()), t0())
            .await
            .unwrap();
        for i in 0..40 {
            t.record_failure(
                "v@x.org",
                Some("10.0.0.9".into()),
                t0() + Duration::seconds(i),
            );
        }
        let wait = t
            .check(
                "v@x.org",
                Some("10.0.0.9".into()),
                t0() + Duration::seconds(40),
            )
            .await;
        assert!(wait.unwrap_err() <= 15 * 60);
    }

    #[tokio::test]
    async fn address_limit_spans_emails() {
        let t = MemoryLoginThrottle::default();
        for i in 0..50 {
            fail(&t, &format!("u{i}@x.org"), "10.0.0.1", t0()).await;
        }
        assert!(
            t.check("new@x.org", Some("10.0.0.1".into()), t0())
                .await
                .is_err()
        );
        t.check("new@x.org", Some("10.0.0.2".into()), t0())
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn reset_requests_have_a_hard_cap_per_email() {
        let t = MemoryLoginThrottle::new(ThrottleLimits::reset_requests());
        for i in 0..5 {
            fail(&t, "r@x.org", &format!("10.0.0.{i}"), t0()).await;
        }
        // Any address: the email is capped for the hour.
        assert_eq!(
            t.check("r@x.org", Some("10.9.9.9".into()), t0()).await,
            Err(3600)
        );
    }

    /// Parallel attempts wait for a slot instead of being refused; a burst of guesses is let
    /// through only as far as the failures it would add stay under the limit.
    #[tokio::test]
    async fn parallel_attempts_queue_and_a_burst_cannot_outrun_the_limit() {
        let t = Arc::new(MemoryLoginThrottle::default());
        // 20 parallel correct logins: all admitted (some after waiting), none refused.
        let mut handles = Vec::new();
        for _ in 0..20 {
            let t = t.clone();
            handles.push(tokio::spawn(async move {
                t.check("ok@x.org", Some("10.0.0.5".into()), t0()).await?;
                tokio::task::yield_now().await;
                t.forgive("ok@x.org", Some("10.0.0.5".into()));
                Ok::<(), u64>(())
            }));
        }
        for h in handles {
            assert_eq!(h.await.unwrap(), Ok(()));
        }
        // 40 parallel guesses: at most `free` are admitted before the first failures land.
        let mut handles = Vec::new();
        for _ in 0..40 {
            let t = t.clone();
            handles.push(tokio::spawn(async move {
                let r = t.check("g@x.org", Some("10.0.0.6".into()), t0()).await;
                if r.is_ok() {
                    tokio::task::yield_now().await;
                    t.record_failure("g@x.org", Some("10.0.0.6".into()), t0());
                }
                r
            }));
        }
        let mut admitted = 0;
        for h in handles {
            admitted += usize::from(h.await.unwrap().is_ok());
        }
        assert!(admitted <= 10, "{admitted} guesses admitted");
    }

    #[tokio::test]
    async fn memory_is_bounded() {
        let t = MemoryLoginThrottle::default();
        for i in 0..(SHARDS * MAX_KEYS_PER_SHARD + 5_000) {
            t.record_failure(&format!("u{i}@x.org"), None, t0());
            // Keys are made by `check`; failures alone on unknown keys add nothing.
            t.check(&format!("u{i}@x.org"), None, t0()).await.unwrap();
            t.forgive(&format!("u{i}@x.org"), None);
        }
        let total: usize = t.shards.iter().map(|s| s.lock().unwrap().len()).sum();
        assert!(total <= SHARDS * MAX_KEYS_PER_SHARD, "{total}");
    }
}
