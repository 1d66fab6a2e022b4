//! Ports for the clock, for randomness, and for counting attempts over a window.

use super::{RepoError, Timestamp, seconds_until};

/// The current time. Services never read the system clock directly.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait Clock: Send + Sync {
    /// Now, UTC.
    fn now(&self) -> Timestamp;
}

/// The real clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        time::OffsetDateTime::now_utc()
    }
}

/// Cryptographically secure randomness and id generation.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait Random: Send + Sync {
    /// A fresh random (v4) UUID.
    fn uuid(&self) -> uuid::Uuid;
    /// `n` random bytes from a CSPRNG, for tokens.
    fn bytes(&self, n: usize) -> Vec<u8>;
}

/// One attempt admitted by a limit ([`WindowCounter`], or the login throttle of
/// `identity::ports`), in flight until it is ended. Opaque outside the adapter that made it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    /// This attempt.
    pub id: uuid::Uuid,
    /// The key it counts against, as the adapter stores it.
    pub key: String,
}

/// Attempts per key within a sliding window, shared by every process that uses the same store
/// (the per-client-address limits at the HTTP edge). An attempt counts from the moment it
/// begins: while it is in flight (for at most a minute: one left by a crashed process expires),
/// then, if it is ended as counted, for `window` after its end. So a burst of parallel attempts
/// cannot all pass before the first of them is counted.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait::async_trait]
pub trait WindowCounter: Send + Sync {
    /// Begin an attempt on `key` unless it is held back: `Ok(Err(seconds))` when `key` has
    /// `limit` counted attempts within `window` before `now` (until enough of them leave the
    /// window), or when attempts in flight fill the rest of the limit (1 s: they end soon).
    async fn begin(
        &self,
        key: &str,
        limit: u32,
        window: time::Duration,
        now: Timestamp,
    ) -> Result<Result<Attempt, u64>, RepoError>;
    /// End an attempt as counted: it holds its key back for `window` from `now`.
    async fn count(
        &self,
        attempt: &Attempt,
        window: time::Duration,
        now: Timestamp,
    ) -> Result<(), RepoError>;
    /// End an attempt as not counted: forgotten.
    async fn discard(&self, attempt: &Attempt) -> Result<(), RepoError>;
}

/// The rule of [`WindowCounter::begin`]: seconds until a key whose counted attempts within the
/// window happened at `counted` (oldest first) and with `in_flight` attempts in flight has room
/// for one more under `limit` per `window`; `None` = now. At or past the limit: until enough of
/// them leave the window. Counted and in flight together at the limit: 1 s (those end soon).
#[must_use]
pub fn window_wait(
    counted: &[Timestamp],
    in_flight: usize,
    limit: usize,
    window: time::Duration,
    now: Timestamp,
) -> Option<u64> {
    let limit = limit.max(1);
    let n = counted.len();
    if n >= limit {
        return seconds_until(counted[n - limit] + window, now);
    }
    (n + in_flight >= limit).then_some(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: i64) -> Timestamp {
        time::macros::datetime!(2026-01-01 00:00 UTC) + time::Duration::seconds(s)
    }

    #[test]
    fn the_window_holds_back_past_the_limit_and_while_attempts_are_in_flight() {
        let w = time::Duration::minutes(15);
        assert_eq!(window_wait(&[], 2, 3, w, at(0)), None);
        assert_eq!(window_wait(&[], 3, 3, w, at(0)), Some(1));
        assert_eq!(window_wait(&[at(0)], 2, 3, w, at(0)), Some(1));
        // At the limit: until the oldest leaves; past it (a burst): until enough have left.
        let three = [at(0), at(10), at(20)];
        assert_eq!(window_wait(&three, 0, 3, w, at(30)), Some(900 - 30));
        assert_eq!(window_wait(&three, 0, 2, w, at(30)), Some(900 - 20));
        assert_eq!(window_wait(&three, 0, 3, w, at(900)), None);
    }
}
