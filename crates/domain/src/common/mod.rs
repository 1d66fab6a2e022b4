//! Building blocks shared by every capability: ids, text values, field errors and what storage
//! reports, and the ports for the clock and randomness (so expiry and scheduling rules are
//! testable without sleeping) and for counting attempts over a window (limits shared by every
//! replica).

mod error;
mod ids;
mod ports;
mod text;
pub mod validate;
mod zone;

pub use error::{BoxError, Entity, FieldError, Loc, RepoError, StoreConflict, joined};
pub use ids::{
    AccountId, AppointmentId, ChatStrategyId, InviteId, KnowledgeSourceId, LabIntegrationId,
    LabOrderId, PatientId, PatternId, UserId,
};
pub use ports::{Attempt, Clock, Random, SystemClock, WindowCounter, window_wait};
pub(crate) use text::string_value;
pub use text::{Note, Phone, Text};
pub use zone::ClinicZone;

/// Lower bound of any date of birth.
pub const EARLIEST_BIRTH_YEAR: i32 = 1900;

#[cfg(any(test, feature = "mocks"))]
pub use ports::{MockClock, MockRandom, MockWindowCounter};

/// Timestamps are UTC, second precision (contract §1.3).
pub type Timestamp = time::OffsetDateTime;

/// Truncate a timestamp to whole seconds, as every stored and returned timestamp is.
#[must_use]
pub fn to_seconds(t: Timestamp) -> Timestamp {
    t.replace_nanosecond(0).unwrap_or(t)
}

/// Whole seconds from `now` until `until` (at least 1); `None` when `until` has passed. What a
/// `Retry-After` says.
#[must_use]
pub fn seconds_until(until: Timestamp, now: Timestamp) -> Option<u64> {
    (until > now).then(|| {
        u64::try_from((until - now).whole_seconds())
            .unwrap_or(0)
            .max(1)
    })
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
