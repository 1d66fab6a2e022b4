//! Building blocks shared by every capability: ids, text values, field errors and what storage
//! reports, and the ports for the clock and randomness (so expiry and scheduling rules are
//! testable without sleeping).

mod error;
mod ids;
mod ports;
mod text;
pub mod validate;

pub use error::{BoxError, Entity, FieldError, Loc, RepoError, StoreConflict, joined};
pub use ids::{AccountId, PatientId, UserId};
pub use ports::{Clock, Random, SystemClock};
pub use text::{Note, Phone, Text};

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

/// A partial-update field of an optional value: keep it, clear it, or set it. (A required field
/// is an `Option` in an update command instead: it cannot be cleared.)
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Patch<T> {
    /// Unchanged.
    #[default]
    Keep,
    /// Cleared.
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

    /// The same change of another value.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Patch<U> {
        match self {
            Self::Keep => Patch::Keep,
            Self::Clear => Patch::Clear,
            Self::Set(v) => Patch::Set(f(v)),
        }
    }
}
