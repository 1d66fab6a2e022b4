//! What the strategy use cases answer when they do not succeed.

use crate::common::{BoxError, Entity, FieldError, RepoError, StoreConflict, joined};
use crate::identity::error::{AccessError, Denial};

/// A strategy write refused because of other records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum StrategyConflict {
    /// Another live strategy of the account has this name.
    #[error("A strategy with this name already exists")]
    NameTaken,
    /// Anything else storage refused (a stale version, …).
    #[error(transparent)]
    Store(StoreConflict),
}

/// The outcome of a strategy use case that did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum StrategyError {
    /// The caller may not do this.
    #[error("{0}")]
    Denied(Denial),
    /// Missing, or outside the caller's scope (the same answer either way).
    #[error("{0} not found")]
    NotFound(Entity),
    /// Other records stand in the way.
    #[error("{0}")]
    Conflict(StrategyConflict),
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

impl From<AccessError> for StrategyError {
    fn from(e: AccessError) -> Self {
        match e {
            AccessError::Denied(d) => Self::Denied(d),
            AccessError::NotFound(what) => Self::NotFound(what),
            AccessError::AccountRequired => Self::Invalid(vec![FieldError::missing("account_id")]),
        }
    }
}

/// Storage errors in the strategies' words; an outage stays `Unavailable`.
impl From<RepoError> for StrategyError {
    fn from(e: RepoError) -> Self {
        match e {
            RepoError::NotFound => Self::NotFound(Entity::ChatStrategy),
            RepoError::Duplicate("strategy_name") => Self::Conflict(StrategyConflict::NameTaken),
            RepoError::Duplicate(rule) => {
                Self::Conflict(StrategyConflict::Store(StoreConflict::Duplicate(rule)))
            }
            // A linked knowledge source was deleted between the check and the write.
            RepoError::Conflict("knowledge_source") => Self::NotFound(Entity::KnowledgeSource),
            RepoError::Conflict(rule) => {
                Self::Conflict(StrategyConflict::Store(StoreConflict::Invariant(rule)))
            }
            RepoError::Stale => Self::Conflict(StrategyConflict::Store(StoreConflict::Stale)),
            RepoError::Unavailable(e) => Self::Unavailable(e),
            RepoError::Unexpected(e) => Self::Unexpected(e),
        }
    }
}
