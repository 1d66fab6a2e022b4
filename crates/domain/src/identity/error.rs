//! What identity's use cases (and the access policy, which every capability asks) answer when they
//! do not succeed: outcomes with typed reasons. Which status code each becomes is the edge's
//! business; the sentences (`Display`) are the user-facing messages.

use crate::common::{BoxError, Entity, FieldError, RepoError, StoreConflict, joined};

/// Why a caller is not authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Unauthenticated {
    /// No credentials were presented at all.
    #[error("Not authenticated")]
    NoCredentials,
    /// Unknown email, wrong password, or no password set (the same answer for all three).
    #[error("Incorrect username or password")]
    BadCredentials,
    /// A token that is malformed, expired, revoked, or whose user or account may no longer act.
    #[error("Could not validate credentials")]
    InvalidToken,
}

/// Why the caller may not do what it asked (whatever the record).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Denial {
    /// The caller's role may not use this action.
    #[error("Not enough permissions")]
    NotPermitted,
    /// A simplified-access token reaches only the actions open to it.
    #[error("This endpoint is not accessible with simplified access")]
    SimplifiedAccess,
    /// Nobody changes this field of its own user (`role`, `is_active`, `clinician_id`).
    #[error("Not enough permissions to change {0}")]
    OwnField(&'static str),
    /// Nobody deletes its own user.
    #[error("You cannot delete yourself")]
    DeleteSelf,
}

/// What the access policy answers when it refuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AccessError {
    /// The role may never do this.
    #[error("{0}")]
    Denied(Denial),
    /// The record is outside the caller's scope: the same answer as a missing record.
    #[error("{0} not found")]
    NotFound(Entity),
    /// A super_admin creating a record must name its account (`account_id`).
    #[error("account_id: field required")]
    AccountRequired,
}

/// A request whose fields are fine, refused because of the state of the user or the token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The user is deactivated.
    #[error("Inactive user")]
    InactiveUser,
    /// The user's account is deactivated or deleted.
    #[error("Account is inactive")]
    InactiveAccount,
    /// The caller's current password, asked to prove who it is, is wrong.
    #[error("Current password is incorrect")]
    WrongPassword,
    /// A password-reset token that is unknown, used, expired, or whose user is gone.
    #[error("Invalid or expired reset token")]
    InvalidResetToken,
}

/// A change refused because of other records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum IdentityConflict {
    /// Another live user has this email.
    #[error("Email already registered")]
    EmailTaken,
    /// Another live account has this domain.
    #[error("Domain already in use")]
    DomainTaken,
    /// The account would be left without an active admin.
    #[error("Cannot remove the last active admin of the account")]
    LastAdmin,
    /// Anything else storage refused.
    #[error(transparent)]
    Store(StoreConflict),
}

/// The outcome of an identity use case that did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    /// The caller is not (or no longer) authenticated.
    #[error("{0}")]
    Unauthenticated(Unauthenticated),
    /// The caller may not do this.
    #[error("{0}")]
    Denied(Denial),
    /// Missing, or outside the caller's scope (the same answer either way).
    #[error("{0} not found")]
    NotFound(Entity),
    /// Refused with no field at fault.
    #[error("{0}")]
    Refused(Refusal),
    /// Other records stand in the way.
    #[error("{0}")]
    Conflict(IdentityConflict),
    /// Fields break business rules (every one is listed).
    #[error("{}", joined(.0))]
    Invalid(Vec<FieldError>),
    /// Too many attempts; a retry may succeed after this many seconds.
    #[error("too many attempts; retry in {retry_after_secs} s")]
    RateLimited {
        /// Seconds until a retry may succeed.
        retry_after_secs: u64,
    },
    /// A dependency (storage) is down: a retry may succeed soon.
    #[error("service unavailable")]
    Unavailable(#[source] BoxError),
    /// A bug or an unexpected failure. The cause is for the log only.
    #[error("internal error")]
    Unexpected(#[source] BoxError),
}

impl IdentityError {
    /// One field breaking a rule.
    pub fn field(field: &str, msg: impl Into<String>, kind: &str) -> Self {
        Self::Invalid(vec![FieldError::new(field, msg, kind)])
    }
}

impl From<AccessError> for IdentityError {
    fn from(e: AccessError) -> Self {
        match e {
            AccessError::Denied(d) => Self::Denied(d),
            AccessError::NotFound(what) => Self::NotFound(what),
            AccessError::AccountRequired => Self::Invalid(vec![FieldError::missing("account_id")]),
        }
    }
}

/// Storage errors in identity's words; an outage stays `Unavailable`.
impl From<RepoError> for IdentityError {
    fn from(e: RepoError) -> Self {
        match e {
            RepoError::NotFound => Self::NotFound(Entity::Record),
            RepoError::Duplicate("email") => Self::Conflict(IdentityConflict::EmailTaken),
            RepoError::Duplicate("domain") => Self::Conflict(IdentityConflict::DomainTaken),
            RepoError::Duplicate(rule) => {
                Self::Conflict(IdentityConflict::Store(StoreConflict::Duplicate(rule)))
            }
            RepoError::Conflict("last_admin") => Self::Conflict(IdentityConflict::LastAdmin),
            RepoError::Conflict(rule) => {
                Self::Conflict(IdentityConflict::Store(StoreConflict::Invariant(rule)))
            }
            RepoError::Stale => Self::Conflict(IdentityConflict::Store(StoreConflict::Stale)),
            RepoError::Unavailable(e) => Self::Unavailable(e),
            RepoError::Unexpected(e) => Self::Unexpected(e),
        }
    }
}

/// Storage's `NotFound` named as `what`; every other error as [`From<RepoError>`] (an outage is
/// never disguised as a missing record).
pub(crate) fn not_found_as(what: Entity) -> impl Fn(RepoError) -> IdentityError {
    move |e| match e {
        RepoError::NotFound => IdentityError::NotFound(what),
        other => other.into(),
    }
}
