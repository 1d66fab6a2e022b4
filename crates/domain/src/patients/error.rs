//! What the patient use cases answer when they do not succeed.

use crate::common::{BoxError, Entity, FieldError, RepoError, StoreConflict, joined};
use crate::identity::error::{AccessError, Denial, IdentityError};

/// A patient write refused because of other records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PatientConflict {
    /// Another live patient of the account has this email.
    #[error("A patient with this email already exists")]
    EmailTaken,
    /// Another live patient of the account has this external id.
    #[error("A patient with this external id already exists")]
    ExternalIdTaken,
    /// Anything else storage refused (a stale version, …).
    #[error(transparent)]
    Store(StoreConflict),
}

/// The outcome of a patient use case that did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum PatientError {
    /// The caller may not do this.
    #[error("{0}")]
    Denied(Denial),
    /// Missing, or outside the caller's scope (the same answer either way).
    #[error("{0} not found")]
    NotFound(Entity),
    /// Other records stand in the way.
    #[error("{0}")]
    Conflict(PatientConflict),
    /// Fields break business rules (every one is listed).
    #[error("{}", joined(.0))]
    Invalid(Vec<FieldError>),
    /// The user part of a patient's login was refused by identity.
    #[error(transparent)]
    Identity(IdentityError),
    /// A dependency (storage) is down: a retry may succeed soon.
    #[error("service unavailable")]
    Unavailable(#[source] BoxError),
    /// A bug or an unexpected failure. The cause is for the log only.
    #[error("internal error")]
    Unexpected(#[source] BoxError),
}

impl PatientError {
    /// One field breaking a rule.
    pub fn field(field: &str, msg: impl Into<String>, kind: &str) -> Self {
        Self::Invalid(vec![FieldError::new(field, msg, kind)])
    }
}

impl From<AccessError> for PatientError {
    fn from(e: AccessError) -> Self {
        match e {
            AccessError::Denied(d) => Self::Denied(d),
            AccessError::NotFound(what) => Self::NotFound(what),
            AccessError::AccountRequired => Self::Invalid(vec![FieldError::missing("account_id")]),
        }
    }
}

impl From<IdentityError> for PatientError {
    fn from(e: IdentityError) -> Self {
        Self::Identity(e)
    }
}

/// Storage errors in the patients' words; an outage stays `Unavailable`.
impl From<RepoError> for PatientError {
    fn from(e: RepoError) -> Self {
        match e {
            RepoError::NotFound => Self::NotFound(Entity::Record),
            RepoError::Duplicate("email") => Self::Conflict(PatientConflict::EmailTaken),
            RepoError::Duplicate("external_id") => Self::Conflict(PatientConflict::ExternalIdTaken),
            RepoError::Duplicate(rule) => {
                Self::Conflict(PatientConflict::Store(StoreConflict::Duplicate(rule)))
            }
            RepoError::Conflict(rule) => {
                Self::Conflict(PatientConflict::Store(StoreConflict::Invariant(rule)))
            }
            RepoError::Stale => Self::Conflict(PatientConflict::Store(StoreConflict::Stale)),
            RepoError::Unavailable(e) => Self::Unavailable(e),
            RepoError::Unexpected(e) => Self::Unexpected(e),
        }
    }
}

/// Storage's `NotFound` named as `what`; every other error as [`From<RepoError>`] (an outage is
/// never disguised as a missing record).
pub(crate) fn not_found_as(what: Entity) -> impl Fn(RepoError) -> PatientError {
    move |e| match e {
        RepoError::NotFound => PatientError::NotFound(what),
        other => other.into(),
    }
}
