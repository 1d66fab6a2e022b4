//! Ports for the clock and for randomness.

use super::Timestamp;

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
