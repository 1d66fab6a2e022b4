//! What the chat-session use cases answer when they do not succeed.

use crate::common::{BoxError, Entity, FieldError, RepoError, StoreConflict, joined};
use crate::identity::error::{AccessError, Denial};
use crate::patients::error::PatientError;
use crate::questionnaire::{QuestionId, QuestionnaireError};

/// The outcome of a chat-session use case that did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum ChatError {
    /// The caller may not do this.
    #[error("{0}")]
    Denied(Denial),
    /// Missing, or outside the caller's scope (the same answer either way).
    #[error("{0} not found")]
    NotFound(Entity),
    /// The session does not take answers: completed or ended (also a completed questionnaire
    /// answered again with another answer).
    #[error("Chat session is not active")]
    NotActive,
    /// The answer names a question other than the current one.
    #[error("Expected an answer to question {expected}")]
    NotCurrent {
        /// The current question.
        expected: QuestionId,
    },
    /// The answer does not fit the current question. `message` says why and the expected
    /// format; it may quote the answer, so it goes back to the person who wrote it and never
    /// into a log (hence not in this variant's `Display`).
    #[error("The answer does not fit the question")]
    InvalidAnswer {
        /// For the person answering only.
        message: String,
    },
    /// The session's questionnaire is not complete, so there is no assessment yet.
    #[error("Questionnaire not complete")]
    NotComplete,
    /// Fields break business rules (every one is listed).
    #[error("{}", joined(.0))]
    Invalid(Vec<FieldError>),
    /// Storage refused a write (a version that moved on too often, …).
    #[error("{0}")]
    Conflict(StoreConflict),
    /// A dependency (storage) is down: a retry may succeed soon.
    #[error("service unavailable")]
    Unavailable(#[source] BoxError),
    /// A bug or an unexpected failure. The cause is for the log only.
    #[error("internal error")]
    Unexpected(#[source] BoxError),
}

impl ChatError {
    /// One field breaking a rule.
    pub fn field(field: &str, msg: impl Into<String>, kind: &str) -> Self {
        Self::Invalid(vec![FieldError::new(field, msg, kind)])
    }

    /// An unexpected failure described in our own words (never PHI).
    pub(crate) fn bug(what: &str) -> Self {
        Self::Unexpected(what.to_owned().into())
    }
}

impl From<QuestionnaireError> for ChatError {
    fn from(e: QuestionnaireError) -> Self {
        match e {
            QuestionnaireError::NotCurrent { expected } => Self::NotCurrent { expected },
            QuestionnaireError::Completed => Self::NotActive,
            QuestionnaireError::Invalid { message } => Self::InvalidAnswer { message },
        }
    }
}

impl From<AccessError> for ChatError {
    fn from(e: AccessError) -> Self {
        match e {
            AccessError::Denied(d) => Self::Denied(d),
            AccessError::NotFound(what) => Self::NotFound(what),
            AccessError::AccountRequired => Self::Invalid(vec![FieldError::missing("account_id")]),
        }
    }
}

/// A patient looked up for a session: out of scope is "not found" here too.
impl From<PatientError> for ChatError {
    fn from(e: PatientError) -> Self {
        match e {
            PatientError::Denied(d) => Self::Denied(d),
            PatientError::NotFound(what) => Self::NotFound(what),
            PatientError::Invalid(errors) => Self::Invalid(errors),
            PatientError::Unavailable(e) => Self::Unavailable(e),
            other => Self::Unexpected(Box::new(other)),
        }
    }
}

/// Storage errors; an outage stays `Unavailable`.
impl From<RepoError> for ChatError {
    fn from(e: RepoError) -> Self {
        match e {
            RepoError::NotFound => Self::NotFound(Entity::ChatSession),
            RepoError::Duplicate(rule) => Self::Conflict(StoreConflict::Duplicate(rule)),
            RepoError::Conflict(rule) => Self::Conflict(StoreConflict::Invariant(rule)),
            RepoError::Stale => Self::Conflict(StoreConflict::Stale),
            RepoError::Unavailable(e) => Self::Unavailable(e),
            RepoError::Unexpected(e) => Self::Unexpected(e),
        }
    }
}

/// Storage's `NotFound` named as `what`; every other error as [`From<RepoError>`].
pub(crate) fn not_found_as(what: Entity) -> impl Fn(RepoError) -> ChatError {
    move |e| match e {
        RepoError::NotFound => ChatError::NotFound(what),
        other => other.into(),
    }
}
