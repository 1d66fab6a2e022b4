//! Errors shared across capabilities.
//!
//! `DomainError` is what services return; the HTTP layer maps each variant to one status code in
//! one place. Messages are user-facing plain sentences: they never carry the internal cause, which
//! travels in `Unexpected` for the log only.

use serde::Serialize;
use std::fmt;

/// An opaque internal error (driver, I/O). Logged, never shown.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// One segment of a field location: `["body", "patients", 0, "email"]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Loc {
    /// An object key.
    Key(String),
    /// An array index.
    Index(usize),
}

impl From<&str> for Loc {
    fn from(s: &str) -> Self {
        Self::Key(s.to_owned())
    }
}

impl From<usize> for Loc {
    fn from(i: usize) -> Self {
        Self::Index(i)
    }
}

/// A validation failure tied to a field, rendered as one item of a 422 `detail` list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// Where: `loc[0]` is `body`, `query`, `path` or `header`.
    pub loc: Vec<Loc>,
    /// A plain sentence for the user.
    pub msg: String,
    /// A machine-readable kind, e.g. `value_error.email`, `missing`.
    #[serde(rename = "type")]
    pub kind: String,
}

impl FieldError {
    /// A failure of a body field (`loc = ["body", field]`).
    pub fn body(field: &str, msg: impl Into<String>, kind: &str) -> Self {
        Self {
            loc: vec!["body".into(), field.into()],
            msg: msg.into(),
            kind: kind.to_owned(),
        }
    }

    /// A failure of a query parameter.
    pub fn query(field: &str, msg: impl Into<String>, kind: &str) -> Self {
        Self {
            loc: vec!["query".into(), field.into()],
            msg: msg.into(),
            kind: kind.to_owned(),
        }
    }

    /// A missing required body field.
    pub fn missing(field: &str) -> Self {
        Self::body(field, "field required", "missing")
    }

    /// Nest this error under a prefix, e.g. row 3 of `patients`.
    #[must_use]
    pub fn under(mut self, prefix: &[Loc]) -> Self {
        let mut loc = Vec::with_capacity(prefix.len() + self.loc.len());
        loc.extend_from_slice(prefix);
        // Keep our own `body` head out of the middle of the path.
        let rest = match self.loc.first() {
            Some(Loc::Key(k)) if k == "body" => self.loc.split_off(1),
            _ => self.loc,
        };
        loc.extend(rest);
        Self { loc, ..self }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path: Vec<String> = self
            .loc
            .iter()
            .map(|l| match l {
                Loc::Key(k) => k.clone(),
                Loc::Index(i) => i.to_string(),
            })
            .collect();
        write!(f, "{}: {}", path.join("."), self.msg)
    }
}

/// What a repository (storage adapter) can report. Adapters translate driver errors into these.
#[derive(Debug, thiserror::Error)]
pub enum RepoError {
    /// No such row (or not visible).
    #[error("not found")]
    NotFound,
    /// A uniqueness rule was violated; the string names the rule in domain words (`email`, `domain`).
    #[error("duplicate {0}")]
    Duplicate(&'static str),
    /// An invariant the store keeps atomically would break (the sentence says which).
    #[error("{0}")]
    Conflict(&'static str),
    /// The record changed since it was read (its version moved on): nothing was written.
    #[error("stale record")]
    Stale,
    /// The store cannot be reached now (no connection within the timeout).
    #[error("storage unavailable")]
    Unavailable(#[source] BoxError),
    /// Anything else: driver, serialization.
    #[error("storage error")]
    Unexpected(#[source] BoxError),
}

/// The outcome of a use case that did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    /// 401: missing, invalid, expired or revoked credentials.
    #[error("{0}")]
    Unauthorized(&'static str),
    /// 400: refused with no field at fault.
    #[error("{0}")]
    BadRequest(String),
    /// 403: the role may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// 404: missing or outside the caller's scope (same answer either way).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// 404 with a sentence of its own (the record exists but has nothing of the kind asked for).
    #[error("{0}")]
    Missing(&'static str),
    /// 409: a state conflict.
    #[error("{0}")]
    Conflict(String),
    /// 422: field-level validation failures.
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    /// 429: too many attempts; retry after this many seconds.
    #[error("too many requests")]
    TooManyRequests {
        /// Seconds until a retry may succeed.
        retry_after_secs: u64,
    },
    /// 413: an upload or body beyond its size limit.
    #[error("payload too large")]
    PayloadTooLarge,
    /// 503: a dependency is down.
    #[error("service unavailable")]
    Unavailable(#[source] BoxError),
    /// 500: a bug or an unexpected failure. The cause is for the log only.
    #[error("internal error")]
    Unexpected(#[source] BoxError),
}

impl DomainError {
    /// A single-field validation failure.
    pub fn field(field: &str, msg: impl Into<String>, kind: &str) -> Self {
        Self::Validation(vec![FieldError::body(field, msg, kind)])
    }

    /// Wrap any internal error.
    pub fn unexpected(e: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Unexpected(Box::new(e))
    }
}

impl From<RepoError> for DomainError {
    fn from(e: RepoError) -> Self {
        match e {
            RepoError::NotFound => Self::NotFound("Record"),
            RepoError::Duplicate(what) => Self::Conflict(format!("Duplicate {what}")),
            RepoError::Conflict(m) => Self::Conflict(m.to_owned()),
            RepoError::Stale => Self::Conflict(
                "The record was changed by someone else since it was read; reload it and try again"
                    .to_owned(),
            ),
            RepoError::Unavailable(e) => Self::Unavailable(e),
            RepoError::Unexpected(e) => Self::Unexpected(e),
        }
    }
}
