//! What the knowledge-source use cases answer when they do not succeed.

use crate::common::{BoxError, Entity, FieldError, RepoError};
use crate::files::error::FileError;
use crate::identity::error::{AccessError, Denial};

/// The outcome of a knowledge-source use case that did not succeed. Which status code each
/// becomes is the edge's business.
#[derive(Debug, thiserror::Error)]
pub enum KnowledgeError {
    /// The caller may not do this.
    #[error("{0}")]
    Denied(Denial),
    /// Missing, or outside the caller's sight (the same answer either way).
    #[error("{0} not found")]
    NotFound(Entity),
    /// Fields break business rules (every one is listed).
    #[error("{}", crate::common::joined(.0))]
    Invalid(Vec<FieldError>),
    /// The document was refused or could not be stored (413, 415, 422, 500 "Upload failed",
    /// 503), in the files capability's words.
    #[error("{0}")]
    File(FileError),
    /// A dependency (storage) is down: a retry may succeed soon.
    #[error("service unavailable")]
    Unavailable(#[source] BoxError),
    /// A bug or an unexpected failure. The cause is for the log only.
    #[error("internal error")]
    Unexpected(#[source] BoxError),
}

impl From<AccessError> for KnowledgeError {
    fn from(e: AccessError) -> Self {
        match e {
            AccessError::Denied(d) => Self::Denied(d),
            AccessError::NotFound(what) => Self::NotFound(what),
            AccessError::AccountRequired => Self::Invalid(vec![FieldError::missing("account_id")]),
        }
    }
}

impl From<FileError> for KnowledgeError {
    fn from(e: FileError) -> Self {
        match e {
            FileError::Denied(d) => Self::Denied(d),
            other => Self::File(other),
        }
    }
}

/// Storage errors in the knowledge sources' words; an outage stays `Unavailable`.
impl From<RepoError> for KnowledgeError {
    fn from(e: RepoError) -> Self {
        match e {
            RepoError::NotFound => Self::NotFound(Entity::KnowledgeSource),
            RepoError::Unavailable(e) => Self::Unavailable(e),
            other => Self::Unexpected(Box::new(other)),
        }
    }
}
