//! What the labs capability answers when it does not succeed. Which status code each becomes is
//! the edge's business; the sentences (`Display`) are the user-facing messages.

use super::rules::{InvalidTransition, NoFinalResult};
use crate::common::{BoxError, Entity, FieldError, RepoError, StoreConflict, joined};
use crate::identity::error::{AccessError, Denial};

/// A lab operation refused because of the state of the records (409).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LabConflict {
    /// The status table does not allow it.
    #[error(transparent)]
    Transition(#[from] InvalidTransition),
    /// A review without a final result.
    #[error(transparent)]
    NoFinalResult(#[from] NoFinalResult),
    /// The report file is attached to another order's result.
    #[error("This file is attached to another lab result")]
    FileAttached,
    /// The lab reference is another order's already.
    #[error("This lab reference belongs to another order")]
    ReferenceTaken,
    /// Anything else storage refused (a stale version, …).
    #[error(transparent)]
    Store(StoreConflict),
}

/// Why a webhook call is not authenticated (one answer for all: `"Invalid signature"`; the
/// reason is for logs and tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureRefusal {
    /// A header is missing or malformed.
    #[error("missing or malformed signature headers")]
    Headers,
    /// No such integration, or it is inactive.
    #[error("unknown or inactive integration")]
    Integration,
    /// The timestamp is more than the window away from now.
    #[error("timestamp outside the window")]
    Stale,
    /// The signature does not match.
    #[error("signature mismatch")]
    Mismatch,
    /// The secret cannot be opened (the at-rest key is missing or wrong).
    #[error("secret unavailable")]
    Secret,
}

/// The outcome of a lab use case that did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum LabError {
    /// The caller may not do this.
    #[error("{0}")]
    Denied(Denial),
    /// Missing, or outside the caller's scope (the same answer either way).
    #[error("{0} not found")]
    NotFound(Entity),
    /// The state of the records stands in the way.
    #[error("{0}")]
    Conflict(LabConflict),
    /// Fields break business rules (every one is listed).
    #[error("{}", joined(.0))]
    Invalid(Vec<FieldError>),
    /// A webhook call whose signature does not hold.
    #[error("Invalid signature")]
    BadSignature(SignatureRefusal),
    /// A dependency (storage) is down: a retry may succeed soon.
    #[error("service unavailable")]
    Unavailable(#[source] BoxError),
    /// A bug or an unexpected failure. The cause is for the log only.
    #[error("internal error")]
    Unexpected(#[source] BoxError),
}

impl LabError {
    /// One field breaking a rule.
    pub fn field(field: &str, msg: impl Into<String>, kind: &str) -> Self {
        Self::Invalid(vec![FieldError::new(field, msg, kind)])
    }
}

impl From<AccessError> for LabError {
    fn from(e: AccessError) -> Self {
        match e {
            AccessError::Denied(d) => Self::Denied(d),
            AccessError::NotFound(what) => Self::NotFound(what),
            AccessError::AccountRequired => Self::Invalid(vec![FieldError::missing("patient_id")]),
        }
    }
}

impl From<InvalidTransition> for LabError {
    fn from(e: InvalidTransition) -> Self {
        Self::Conflict(e.into())
    }
}

impl From<NoFinalResult> for LabError {
    fn from(e: NoFinalResult) -> Self {
        Self::Conflict(e.into())
    }
}

/// Storage errors in the labs' words; an outage stays `Unavailable`.
impl From<RepoError> for LabError {
    fn from(e: RepoError) -> Self {
        match e {
            RepoError::NotFound => Self::NotFound(Entity::LabOrder),
            RepoError::Duplicate("lab_reference") => Self::Conflict(LabConflict::ReferenceTaken),
            RepoError::Conflict("file_attached") => Self::Conflict(LabConflict::FileAttached),
            RepoError::Duplicate(rule) => {
                Self::Conflict(LabConflict::Store(StoreConflict::Duplicate(rule)))
            }
            RepoError::Conflict(rule) => {
                Self::Conflict(LabConflict::Store(StoreConflict::Invariant(rule)))
            }
            RepoError::Stale => Self::Conflict(LabConflict::Store(StoreConflict::Stale)),
            RepoError::Unavailable(e) => Self::Unavailable(e),
            RepoError::Unexpected(e) => Self::Unexpected(e),
        }
    }
}

/// Storage's `NotFound` named as `what`; every other error as [`From<RepoError>`].
pub(crate) fn not_found_as(what: Entity) -> impl Fn(RepoError) -> LabError {
    move |e| match e {
        RepoError::NotFound => LabError::NotFound(what),
        other => other.into(),
    }
}
