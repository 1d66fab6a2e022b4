//! In-process failed-login throttle (contract §1.7): at most 10 failures per email and 50 per IP
//! within a sliding 15-minute window; beyond that, 429 with the seconds until the oldest failure
//! leaves the window. One process's memory: replicas each keep their own window (documented in
//! docs/operations.md).

use genascope_domain::common::Timestamp;
use genascope_domain::identity::ports::LoginThrottle;
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use time::Duration;

/// Limits of the window.
#[derive(Debug, Clone, Copy)]
pub struct ThrottleLimits {
    /// Failures allowed per email.
    pub per_email: usize,
    /// Failures allowed per IP.
    pub per_ip: usize,
    /// Window length.
    pub window: Duration,
}

impl Default for ThrottleLimits {
    fn default() -> Self {
        Self {
            per_email: 10,
            per_ip: 50,
            window: Duration::minutes(15),
        }
    }
}

/// Sliding-window failure counter.
#[derive(Debug, Default)]
pub struct MemoryLoginThrottle {
    limits: ThrottleLimits,
    failures: Mutex<HashMap<String, VecDeque<Timestamp>>>,
}

impl MemoryLoginThrottle {
    /// With custom limits.
    #[must_use]
    pub fn new(limits: ThrottleLimits) -> Self {
        Self {
            limits,
            failures: Mutex::default(),
        }
    }

    fn keys(email: &str, ip: Option<String>) -> [(String, bool); 2] {
        [
            (format!("e:{email}"), true),
            (format!("i:{}", ip.unwrap_or_default()), false),
        ]
    }
}

impl LoginThrottle for MemoryLoginThrottle {
    fn check(&self, email: &str, ip: Option<String>, now: Timestamp) -> Result<(), u64> {
        let has_ip = ip.is_some();
        let mut map = self
            .failures
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut wait = 0u64;
        for (key, is_email) in Self::keys(email, ip) {
            if !is_email && !has_ip {
                continue;
            }
            let limit = if is_email {
                self.limits.per_email
            } else {
                self.limits.per_ip
            };
            if let Some(q) = map.get_mut(&key) {
                while q.front().is_some_and(|t| *t + self.limits.window <= now) {
                    q.pop_front();
                }
                if q.len() >= limit
                    && let Some(oldest) = q.front()
                {
                    let secs = (*oldest + self.limits.window - now).whole_seconds().max(1);
                    wait = wait.max(u64::try_from(secs).unwrap_or(1));
                }
            }
        }
        if wait > 0 { Err(wait) } else { Ok(()) }
    }

    fn record_failure(&self, email: &str, ip: Option<String>, now: Timestamp) {
        let has_ip = ip.is_some();
        let mut map = self
            .failures
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // Bound memory: forget stale keys once the map grows large.
        if map.len() > 100_000 {
            let window = self.limits.window;
            map.retain(|_, q| q.back().is_some_and(|t| *t + window > now));
        }
        for (key, is_email) in Self::keys(email, ip) {
            if is_email || has_ip {
                map.entry(key).or_default().push_back(now);
            }
        }
    }

    fn forgive(&self, email: &str, ip: Option<String>) {
        let mut map = self
            .failures
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        map.remove(&format!("e:{email}"));
        if let Some(ip) = ip
            && let Some(q) = map.get_mut(&format!("i:{ip}"))
        {
            q.pop_back();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_after_the_limit_and_unlocks_after_the_window() {
        let t = MemoryLoginThrottle::default();
        let t0 = time::macros::datetime!(2026-01-01 00:00 UTC);
        for i in 0..10 {
            assert!(t.check("a@x.org", None, t0 + Duration::seconds(i)).is_ok());
            t.record_failure("a@x.org", None, t0 + Duration::seconds(i));
        }
        let wait = t
            .check("a@x.org", None, t0 + Duration::seconds(10))
            .unwrap_err();
        assert_eq!(wait, 15 * 60 - 10);
        assert!(
            t.check("b@x.org", None, t0).is_ok(),
            "other emails unaffected"
        );
        assert!(t.check("a@x.org", None, t0 + Duration::minutes(15)).is_ok());
        t.forgive("a@x.org", None);
        assert!(t.check("a@x.org", None, t0 + Duration::seconds(11)).is_ok());
    }

    #[test]
    fn ip_limit_spans_emails() {
        let t = MemoryLoginThrottle::default();
        let t0 = time::macros::datetime!(2026-01-01 00:00 UTC);
        for i in 0..50 {
            t.record_failure(&format!("u{i}@x.org"), Some("10.0.0.1".into()), t0);
        }
        assert!(t.check("new@x.org", Some("10.0.0.1".into()), t0).is_err());
        assert!(t.check("new@x.org", Some("10.0.0.2".into()), t0).is_ok());
        // A success takes back its own reserved attempt, so the IP is free again.
        t.forgive("u0@x.org", Some("10.0.0.1".into()));
        assert!(t.check("new@x.org", Some("10.0.0.1".into()), t0).is_ok());
    }
}
