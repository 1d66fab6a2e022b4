//! Building blocks shared by every capability: ids, field errors, the domain error, and the
//! ports for the clock and randomness (so expiry and scheduling rules are testable without sleeping).

mod error;
mod ids;
mod ports;
pub mod validate;

pub use error::{BoxError, DomainError, FieldError, Loc, RepoError};
pub use ids::{AccountId, ChatStrategyId, InviteId, PatientId, UserId};
pub use ports::{Clock, Random, SystemClock};

/// Lower bound of any date of birth.
pub const EARLIEST_BIRTH_YEAR: i32 = 1900;

#[cfg(any(test, feature = "mocks"))]
pub use ports::{MockClock, MockRandom};

/// Timestamps are UTC, second precision (contract §1.3).
pub type Timestamp = time::OffsetDateTime;

/// Truncate a timestamp to whole seconds, as every stored and returned timestamp is.
#[must_use]
pub fn to_seconds(t: Timestamp) -> Timestamp {
    t.replace_nanosecond(0).unwrap_or(t)
}

/// A partial-update field (contract §1.2): absent = keep, `null` or `""` = clear, a value = set.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Patch<T> {
    /// Absent: unchanged.
    #[default]
    Keep,
    /// `null` or `""`: cleared (422 on a required field).
    Clear,
    /// A new value.
    Set(T),
}

impl<T> Patch<T> {
    /// Whether the field was sent at all.
    #[must_use]
    pub const fn is_keep(&self) -> bool {
        matches!(self, Self::Keep)
    }
}
