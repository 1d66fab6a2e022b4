//! What the files capability answers when it does not succeed (contract §3.10).

use super::ports::StoreError;
use crate::common::{BoxError, Entity, FieldError, RepoError};
use crate::identity::error::{AccessError, Denial};

/// The outcome of a files use case that did not succeed. Which status code each becomes is the
/// edge's business; the sentences are the user-facing messages.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// The caller may not do this.
    #[error("{0}")]
    Denied(Denial),
    /// Missing, or not the caller's (the same answer either way).
    #[error("{0} not found")]
    NotFound(Entity),
    /// Larger than the configured limit (413).
    #[error("File exceeds the maximum size of {limit_mb} MB")]
    TooLarge {
        /// The limit in MiB.
        limit_mb: u64,
    },
    /// A type upload does not accept, or content contradicting its extension (415).
    #[error("File type not allowed: {0}")]
    Unsupported(&'static str),
    /// A field is missing or wrong (an empty file, a bad multipart body).
    #[error("{}", crate::common::joined(.0))]
    Invalid(Vec<FieldError>),
    /// The file is attached to a lab result (409).
    #[error("The file is attached to a lab result and cannot be deleted")]
    Attached,
    /// The store or the database cannot be reached now.
    #[error("Storage is unavailable")]
    Unavailable(#[source] BoxError),
    /// The store failed while writing (500 "Upload failed").
    #[error("Upload failed")]
    StoreFailed(#[source] BoxError),
    /// Anything else.
    #[error("Internal server error")]
    Unexpected(#[source] BoxError),
}

impl FileError {
    /// An empty file (422 on `file`).
    #[must_use]
    pub fn empty(field: &str) -> Self {
        Self::Invalid(vec![FieldError::new(
            field,
            "The file is empty",
            "value_error.empty_file",
        )])
    }
}

impl From<AccessError> for FileError {
    fn from(e: AccessError) -> Self {
        match e {
            AccessError::Denied(d) => Self::Denied(d),
            AccessError::NotFound(what) => Self::NotFound(what),
            AccessError::AccountRequired => Self::Invalid(vec![FieldError::missing("account_id")]),
        }
    }
}

impl From<RepoError> for FileError {
    fn from(e: RepoError) -> Self {
        match e {
            RepoError::NotFound => Self::NotFound(Entity::File),
            RepoError::Conflict("file_attached") => Self::Attached,
            RepoError::Unavailable(e) => Self::Unavailable(e),
            other => Self::Unexpected(Box::new(other)),
        }
    }
}

impl FileError {
    /// A store error while writing `field`, with the limit of that write.
    #[must_use]
    pub fn from_put(e: StoreError, field: &str, limit: u64) -> Self {
        match e {
            StoreError::TooLarge => Self::TooLarge {
                limit_mb: limit / (1024 * 1024),
            },
            StoreError::Body(_) => Self::Invalid(vec![FieldError::new(
                field,
                "The upload was interrupted or malformed",
                "value_error.multipart",
            )]),
            StoreError::Unavailable(e) => Self::Unavailable(e),
            other => Self::StoreFailed(Box::new(other)),
        }
    }
}

impl From<StoreError> for FileError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Self::NotFound(Entity::File),
            StoreError::Unavailable(e) => Self::Unavailable(e),
            other => Self::Unexpected(Box::new(other)),
        }
    }
}
