//! The rules of the login throttle (contract §1.7, issue #6 item 7), as pure functions over the
//! failures a store keeps. The store (the database adapter, shared by every replica) keeps
//! failures per key and attempts in flight.
//!
//! - **Logins** ([`ThrottleLimits::login`]): failures are counted per *(email, client address)*,
//!   so an attacker elsewhere cannot lock a victim out. The first 10 failures in the window cost
//!   nothing (the contract's 11th attempt is 429); after that each attempt must wait
//!   `base_delay · 2^(n - 10)` after the last failure (30 s, 1 min, 2 min, … at most the window).
//! - **Reset requests** ([`ThrottleLimits::reset_requests`]): a hard cap per email (5 per hour).
//!
//! Attempts in flight count as failures-to-be, so a burst of parallel guesses cannot all pass
//! before the first of them is counted. The limit per client address, whatever the email, is
//! the HTTP edge's (a `WindowCounter`), not a rule of these use cases.

use crate::common::{Timestamp, seconds_until};
use time::Duration;

/// The policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottleLimits {
    /// Failures per key that cost nothing (login), or the hard cap per key (reset).
    pub free: usize,
    /// After `free`, a delay doubling per failure (login) instead of a hard cap (reset).
    pub progressive: bool,
    /// The first delay of the progressive policy.
    pub base_delay: Duration,
    /// Keys are per (email, client address) (login) or per email (reset).
    pub per_client: bool,
    /// Window length (and the longest delay).
    pub window: Duration,
}

impl ThrottleLimits {
    /// Logins: 10 free failures per (email, address), then a doubling delay from 30 s.
    #[must_use]
    pub const fn login() -> Self {
        Self {
            free: 10,
            progressive: true,
            base_delay: Duration::seconds(30),
            per_client: true,
            window: Duration::minutes(15),
        }
    }

    /// Password-reset requests: 5 per hour per email (contract §1.7).
    #[must_use]
    pub const fn reset_requests() -> Self {
        Self {
            free: 5,
            progressive: false,
            base_delay: Duration::ZERO,
            per_client: false,
            window: Duration::hours(1),
        }
    }

    /// The store's key of an attempt (`email` already normalised).
    #[must_use]
    pub fn key(&self, email: &str, ip: Option<&str>) -> String {
        if self.per_client {
            format!("{email}|{}", ip.unwrap_or("-"))
        } else {
            email.to_owned()
        }
    }

    /// Seconds until a key with these `failures` (oldest first, all within the window) and
    /// `in_flight` attempts may try again; `None` = now.
    #[must_use]
    pub fn key_wait(
        &self,
        failures: &[Timestamp],
        in_flight: usize,
        now: Timestamp,
    ) -> Option<u64> {
        let cap = self.free.saturating_sub(in_flight);
        let n = failures.len();
        if n < cap {
            return None;
        }
        let until = if self.progressive {
            let exp = u32::try_from(n - cap).unwrap_or(u32::MAX).min(20);
            let step = (self.base_delay * (1i32 << exp)).min(self.window);
            *failures.last()? + step
        } else {
            *failures.first()? + self.window
        };
        seconds_until(until, now)
    }

    /// Whether a key that [`key_wait`](Self::key_wait) lets through must still wait for
    /// attempts in flight to end: with them counted as failures the key would be past its free
    /// attempts (their outcome decides whether the next one waits). A key past its free attempts
    /// whose delay has passed admits one attempt at a time.
    #[must_use]
    pub fn busy(&self, failures: usize, in_flight: usize) -> bool {
        in_flight > 0 && failures + in_flight >= self.free
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: i64) -> Timestamp {
        time::macros::datetime!(2026-01-01 00:00 UTC) + Duration::seconds(s)
    }

    #[test]
    fn login_delays_double_after_ten_free_failures() {
        let l = ThrottleLimits::login();
        let f: Vec<_> = (0..10).map(at).collect();
        assert_eq!(l.key_wait(&f[..9], 0, at(9)), None);
        assert_eq!(l.key_wait(&f, 0, at(9)), Some(30));
        assert_eq!(l.key_wait(&f, 0, at(39)), None);
        let mut g = f.clone();
        g.push(at(40));
        assert_eq!(l.key_wait(&g, 0, at(40)), Some(60));
        // Attempts in flight count: 8 failures and 2 in flight hold the 11th back.
        assert_eq!(l.key_wait(&f[..8], 2, at(8)), Some(29));
        // The delay never exceeds the window.
        let many: Vec<_> = (0..40).map(at).collect();
        assert!(l.key_wait(&many, 0, at(40)).unwrap() <= 15 * 60);
        assert_eq!(l.key("a@x.org", Some("10.0.0.1")), "a@x.org|10.0.0.1");
    }

    #[test]
    fn reset_requests_are_capped_for_the_window() {
        let l = ThrottleLimits::reset_requests();
        let f: Vec<_> = (0..5).map(at).collect();
        assert_eq!(l.key_wait(&f[..4], 0, at(4)), None);
        assert_eq!(l.key_wait(&f, 0, at(5)), Some(3600 - 5));
        assert_eq!(l.key("a@x.org", Some("10.0.0.1")), "a@x.org");
    }

    #[test]
    fn attempts_in_flight_fill_the_free_ones() {
        let l = ThrottleLimits::login();
        // No failures yet: the free attempts may all be in flight at once, not more.
        assert_eq!(l.key_wait(&[], 10, at(0)), None);
        assert!(!l.busy(0, 9));
        assert!(l.busy(0, 10));
        assert!(l.busy(4, 6));
        // Past the free ones with the delay over: one attempt at a time.
        assert!(!l.busy(10, 0));
        assert!(l.busy(10, 1));
    }
}
