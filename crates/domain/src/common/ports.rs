//! Ports for the clock, for randomness, and for counting attempts over a window.

use super::{RepoError, Timestamp};

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
