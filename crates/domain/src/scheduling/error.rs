//! What the scheduling capability answers when it does not succeed (contract §3.9).

use super::model::AppointmentStatus;
use crate::common::{BoxError, Entity, FieldError, RepoError, StoreConflict, joined};
use crate::identity::error::{AccessError, Denial};

/// A booking, move or status change refused because of the state of the records (409).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SchedulingConflict {
    /// The time is not a bookable start time of the date.
    #[error("The clinician is not available at this time")]
    NotAvailable,
    /// Another active appointment of the clinician overlaps.
    #[error("This time slot is already booked")]
    SlotBooked,
    /// Another active appointment of the patient overlaps.
    #[error("The patient already has an appointment at this time")]
    PatientBusy,
    /// The status table forbids this change.
    #[error("An appointment cannot go from {} to {}", .from.as_str(), .to.as_str())]
    Transition {
        /// Current status.
        from: AppointmentStatus,
        /// Requested status.
        to: AppointmentStatus,
    },
    /// Anything else storage refused (a stale version, …).
    #[error(transparent)]
    Store(StoreConflict),
}

/// The outcome of a scheduling use case that did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum SchedulingError {
    /// The caller may not do this.
    #[error("{0}")]
    Denied(Denial),
    /// Missing, or outside the caller's scope (the same answer either way).
    #[error("{0} not found")]
    NotFound(Entity),
    /// The state of the records stands in the way.
    #[error("{0}")]
    Conflict(SchedulingConflict),
    /// Fields break rules (every one listed).
    #[error("{}", joined(.0))]
    Invalid(Vec<FieldError>),
    /// A dependency (storage) is down.
    #[error("service unavailable")]
    Unavailable(#[source] BoxError),
    /// A bug or an unexpected failure (the cause is for the log only).
    #[error("internal error")]
    Unexpected(#[source] BoxError),
}

impl SchedulingError {
    /// One field breaking a rule.
    pub fn field(field: &str, msg: impl Into<String>, kind: &str) -> Self {
        Self::Invalid(vec![FieldError::new(field, msg, kind)])
    }
}

impl From<AccessError> for SchedulingError {
    fn from(e: AccessError) -> Self {
        match e {
            AccessError::Denied(d) => Self::Denied(d),
            AccessError::NotFound(what) => Self::NotFound(what),
            AccessError::AccountRequired => Self::field("account_id", "field required", "missing"),
        }
    }
}

impl From<SchedulingConflict> for SchedulingError {
    fn from(c: SchedulingConflict) -> Self {
        Self::Conflict(c)
    }
}

/// Storage errors in scheduling's words; an outage stays `Unavailable`.
impl From<RepoError> for SchedulingError {
    fn from(e: RepoError) -> Self {
        match e {
            RepoError::NotFound => Self::NotFound(Entity::Appointment),
            RepoError::Duplicate("appointment_slot") => {
                Self::Conflict(SchedulingConflict::SlotBooked)
            }
            RepoError::Duplicate(rule) => {
                Self::Conflict(SchedulingConflict::Store(StoreConflict::Duplicate(rule)))
            }
            RepoError::Conflict(rule) => {
                Self::Conflict(SchedulingConflict::Store(StoreConflict::Invariant(rule)))
            }
            RepoError::Stale => Self::Conflict(SchedulingConflict::Store(StoreConflict::Stale)),
            RepoError::Unavailable(e) => Self::Unavailable(e),
            RepoError::Unexpected(e) => Self::Unexpected(e),
        }
    }
}

/// Why storage did not write a booking or a move.
#[derive(Debug, thiserror::Error)]
pub enum BookError {
    /// A conflict found inside the transaction ([`super::rules::conflict`]).
    #[error("{0}")]
    Conflict(SchedulingConflict),
    /// Anything else (`Duplicate("confirmation_code")`: draw another code).
    #[error(transparent)]
    Repo(#[from] RepoError),
}

impl From<BookError> for SchedulingError {
    fn from(e: BookError) -> Self {
        match e {
            BookError::Conflict(c) => Self::Conflict(c),
            BookError::Repo(r) => r.into(),
        }
    }
}
