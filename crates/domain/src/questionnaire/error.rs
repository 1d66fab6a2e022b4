//! The questionnaire's errors (its own, as every capability has: the edge maps these variants to
//! HTTP; see the module docs of `questionnaire`).

use super::model::QuestionId;

/// Why an answer was refused. The state is unchanged in every case.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuestionnaireError {
    /// The answer names a question other than the current one (contract §3.5.3: 409
    /// `"Expected an answer to question N"`). Not raised for a safe retry of the last answer.
    #[error("Expected an answer to question {expected}")]
    NotCurrent {
        /// The current question.
        expected: QuestionId,
    },
    /// Every question is answered; nothing more is accepted (but a safe retry of the last answer
    /// still succeeds). The session layer answers 409 `"Chat session is not active"`.
    #[error("The questionnaire is complete")]
    Completed,
    /// The answer does not fit the question (contract §3.5.1: 422 `loc ["body","answer"]`, or a
    /// chat clarification). `message` says what is wrong and the expected format; it may quote a
    /// word of the answer, so it goes to the person who wrote it and never into a log.
    #[error("{message}")]
    Invalid {
        /// One or two plain sentences for the person answering.
        message: String,
    },
}

/// A parser's refusal: one or two sentences stating the problem and the expected format.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct InvalidAnswer {
    /// The message for the person answering.
    pub message: String,
}

impl InvalidAnswer {
    /// An invalid answer with this message.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }
}

impl From<InvalidAnswer> for QuestionnaireError {
    fn from(e: InvalidAnswer) -> Self {
        Self::Invalid { message: e.message }
    }
}

/// A question id outside 1..=26.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("question ids run from 1 to 26 (got {0})")]
pub struct UnknownQuestion(pub i64);

/// Stored answers that do not rebuild a questionnaire (storage corrupted, or written by an engine
/// whose rules have since changed). The message names the position only, never the answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("stored answer {index} (question {question_id}) cannot be replayed")]
pub struct ReplayError {
    /// Position (0-based) of the first answer that failed.
    pub index: usize,
    /// The question it claims to answer.
    pub question_id: QuestionId,
    /// Why it failed (may quote the answer: not for logs).
    pub error: QuestionnaireError,
}
