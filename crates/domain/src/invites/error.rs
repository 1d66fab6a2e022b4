//! What the invites capability answers when it does not succeed (contract §3.4).
//!
//! [`InviteRefusal`]: why a lifecycle rule or an invite value refused, typed so that each use
//! case chooses its outcome: the same `AlreadyRevoked` is a conflict for a second revoke or a
//! resend, and "Invalid or expired invite" for `simplified_access`. [`InviteError`]: the
//! outcome of a use case, which the edge maps to HTTP in one place.

use crate::common::{BoxError, Entity, FieldError, RepoError, StoreConflict, joined};
use crate::identity::error::{AccessError, Denial};

/// A refused invite operation or value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum InviteRefusal {
    /// The invite was accepted: its token never works again (rule 4), and it cannot be resent
    /// (rule 6).
    #[error("This invitation has already been used")]
    AlreadyUsed,
    /// The invite was revoked: it cannot be used, resent or revoked again (rules 6, 7).
    #[error("This invitation is no longer valid")]
    AlreadyRevoked,
    /// The invite is pending but past its expiry (rule 3): it can be resent or revoked, not used.
    #[error("This invitation has expired")]
    Expired,
    /// Too many failed identity checks: locked until resent (rule 8).
    #[error("Too many failed attempts; ask your clinic to resend the invitation")]
    Locked,
    /// The token is not one we could have issued (wrong length or alphabet) or matches no invite.
    #[error("Invalid invitation token")]
    TokenInvalid,
    /// The names or the date of birth given do not match the patient record (counts toward the
    /// lock). One reason for both, so the answer does not tell which was wrong.
    #[error("The details you entered do not match our records")]
    IdentityMismatch,
    /// `expiry_days` outside 1..=90 (rule 2).
    #[error("expiry_days must be an integer between 1 and 90")]
    ExpiryOutOfRange,
    /// `custom_message` longer than 1000 characters.
    #[error("custom_message must be at most 1000 characters")]
    MessageTooLong,
    /// `custom_message` with control, zero-width or text-direction characters.
    #[error("custom_message must not contain control, zero-width or text-direction characters")]
    MessageCharacters,
}

/// An invite operation refused because of the state of the records (409).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum InviteConflict {
    /// Revoking an invite that is revoked already (rule 7).
    #[error("This invitation has already been revoked")]
    AlreadyRevoked,
    /// Resending a revoked invite (rule 6).
    #[error("This invitation was revoked; generate a new invite instead")]
    ResendRevoked,
    /// Resending an accepted invite (rule 6).
    #[error("This invitation has already been used; generate a new invite instead")]
    ResendAccepted,
    /// `register_patient` for a patient that has a login already.
    #[error("Patient already has a login")]
    PatientHasLogin,
    /// `register_patient` with an email another live user has.
    #[error("Email already registered")]
    EmailTaken,
    /// Anything else storage refused (a stale version, …).
    #[error(transparent)]
    Store(StoreConflict),
}

/// The outcome of an invite use case that did not succeed (contract §3.4). Which status code
/// each becomes is the edge's business; the sentences (`Display`) are the user-facing messages.
#[derive(Debug, thiserror::Error)]
pub enum InviteError {
    /// The caller may not do this.
    #[error("{0}")]
    Denied(Denial),
    /// Missing, or outside the caller's scope (the same answer either way).
    #[error("{0} not found")]
    NotFound(Entity),
    /// The state of the records stands in the way.
    #[error("{0}")]
    Conflict(InviteConflict),
    /// A public route was given a token that does not open anything now: unknown, used,
    /// revoked, expired, or its patient or clinic may no longer act. One sentence for all (the
    /// reason is for logs and tests).
    #[error("Invalid or expired invite")]
    InvalidInvite(InviteRefusal),
    /// The names or the date of birth do not match the record (counts toward the lock).
    #[error("The details you entered do not match our records")]
    IdentityMismatch,
    /// Locked by failed identity checks (until resent), or too many checks of the same invite
    /// at once: a retry may succeed after this many seconds.
    #[error("Too many failed attempts; ask your clinic to resend the invitation")]
    TooManyAttempts {
        /// Seconds until a retry may succeed.
        retry_after_secs: u64,
    },
    /// Fields break business rules (every one is listed).
    #[error("{}", joined(.0))]
    Invalid(Vec<FieldError>),
    /// A dependency (storage) is down: a retry may succeed soon.
    #[error("service unavailable")]
    Unavailable(#[source] BoxError),
    /// A bug or an unexpected failure. The cause is for the log only.
    #[error("internal error")]
    Unexpected(#[source] BoxError),
}

impl InviteError {
    /// One field breaking a rule.
    pub fn field(field: &str, msg: impl Into<String>, kind: &str) -> Self {
        Self::Invalid(vec![FieldError::new(field, msg, kind)])
    }
}

impl From<AccessError> for InviteError {
    fn from(e: AccessError) -> Self {
        match e {
            AccessError::Denied(d) => Self::Denied(d),
            AccessError::NotFound(what) => Self::NotFound(what),
            AccessError::AccountRequired => Self::Invalid(vec![FieldError::new(
                "patient_id",
                "a super admin names the patient (patient_id) or the provider (provider_id)",
                "missing",
            )]),
        }
    }
}

/// Storage errors in the invites' words; an outage stays `Unavailable`.
impl From<RepoError> for InviteError {
    fn from(e: RepoError) -> Self {
        match e {
            RepoError::NotFound => Self::NotFound(Entity::Record),
            RepoError::Duplicate("email") => Self::Conflict(InviteConflict::EmailTaken),
            RepoError::Duplicate(rule) => {
                Self::Conflict(InviteConflict::Store(StoreConflict::Duplicate(rule)))
            }
            RepoError::Conflict(rule) => {
                Self::Conflict(InviteConflict::Store(StoreConflict::Invariant(rule)))
            }
            RepoError::Stale => Self::Conflict(InviteConflict::Store(StoreConflict::Stale)),
            RepoError::Unavailable(e) => Self::Unavailable(e),
            RepoError::Unexpected(e) => Self::Unexpected(e),
        }
    }
}

/// Storage's `NotFound` named as `what`; every other error as [`From<RepoError>`] (an outage is
/// never disguised as a missing record).
pub(crate) fn not_found_as(what: Entity) -> impl Fn(RepoError) -> InviteError {
    move |e| match e {
        RepoError::NotFound => InviteError::NotFound(what),
        other => other.into(),
    }
}
