//! Chat sessions and their messages (contract §3.5.2): one run of the questionnaire engine for a
//! patient (or unattached), as stored.

use crate::common::{AccountId, ChatStrategyId, FieldError, Note, PatientId, Timestamp, UserId};
use crate::questionnaire::vocabulary::vocabulary;
use crate::questionnaire::{
    AcceptedAnswer, Answer, Question, QuestionId, Questionnaire, ReplayError,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::fmt;

/// The completion reply of `/ai-chat` (patients never see risk figures in chat).
pub const SUMMARY: &str = "Thank you. Your answers have been sent to your care team.";

/// A chat message: 1..2000 characters (trimmed; line breaks allowed).
pub type MessageText = Note<2000>;

/// Why a session was ended: at most 500 characters.
pub type EndReason = Note<500>;

/// What a session ended by a newer one (`POST /api/start_chat` with a new id for a patient who
/// has an active session) records as its end reason.
pub const SUPERSEDED: &str = "Replaced by a new session";

/// A session's public id: chosen by the client in `POST /api/start_chat` (1..64 characters of
/// `[A-Za-z0-9_-]`), else a UUID.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SessionId(String);

impl SessionId {
    /// Longest id a client may choose.
    pub const MAX_LEN: usize = 64;

    /// A client's id (trimmed): `None` unless 1..64 characters of `[A-Za-z0-9_-]`.
    #[must_use]
    pub fn parse(raw: &str) -> Option<Self> {
        let s = raw.trim();
        let ok = (1..=Self::MAX_LEN).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        ok.then(|| Self(s.to_owned()))
    }

    /// The id of a session whose client chose none.
    #[must_use]
    pub fn from_uuid(u: uuid::Uuid) -> Self {
        Self(u.hyphenated().to_string())
    }

    /// The id.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The id as a UUID, when it is one (then it is also the session's `ref_id`).
    #[must_use]
    pub fn as_uuid(&self) -> Option<uuid::Uuid> {
        uuid::Uuid::try_parse(&self.0).ok()
    }
}

impl fmt::Display for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

vocabulary!(
    /// What a session is for.
    SessionType {
        /// The default.
        Screening = "screening",
        /// An assessment.
        Assessment = "assessment",
        /// A follow-up.
        FollowUp = "follow_up",
        /// A consultation.
        Consultation = "consultation",
    }
);

vocabulary!(
    /// Where a session stands.
    SessionStatus {
        /// Awaiting the current question's answer.
        Active = "active",
        /// Every question answered; the assessment is stored.
        Completed = "completed",
        /// Ended before completion.
        Cancelled = "cancelled",
    }
);

vocabulary!(
    /// Who wrote a message.
    MessageRole {
        /// The person answering.
        User = "user",
        /// The engine's replies.
        Assistant = "assistant",
        /// The system.
        System = "system",
    }
);

vocabulary!(
    /// What a message is.
    MessageType {
        /// A question (a reply).
        Question = "question",
        /// An invalid answer's clarification, asking again (a reply).
        Clarification = "clarification",
        /// The completion reply.
        Summary = "summary",
        /// A user's answer.
        Answer = "answer",
    }
);

/// The `initial_context` a session was created with: a JSON object of at most 8 KiB.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatContext(Map<String, Value>);

impl ChatContext {
    /// Largest context, as compact JSON.
    pub const MAX_BYTES: usize = 8 * 1024;

    /// Check `value` (`null` is no context). The error names `initial_context`.
    ///
    /// # Errors
    /// Not an object, or larger than [`ChatContext::MAX_BYTES`].
    pub fn new(value: Value) -> Result<Option<Self>, FieldError> {
        let field = "initial_context";
        match value {
            Value::Null => Ok(None),
            Value::Object(map) => {
                let size = serde_json::to_vec(&map).map_or(usize::MAX, |v| v.len());
                if size > Self::MAX_BYTES {
                    Err(FieldError::new(
                        field,
                        format!("must be at most {} bytes of JSON", Self::MAX_BYTES),
                        "value_error.any_str.max_length",
                    ))
                } else {
                    Ok(Some(Self(map)))
                }
            }
            _ => Err(FieldError::new(
                field,
                "must be a JSON object",
                "type_error.dict",
            )),
        }
    }

    /// The object.
    #[must_use]
    pub fn as_map(&self) -> &Map<String, Value> {
        &self.0
    }

    /// The object, owned.
    #[must_use]
    pub fn into_map(self) -> Map<String, Value> {
        self.0
    }
}

/// One accepted answer as the session keeps it: the engine's [`AcceptedAnswer`] plus what the
/// history shows (the text as given, when).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// The question answered.
    pub question_id: QuestionId,
    /// The normalised answer.
    pub answer: Answer,
    /// The answer as given (at most 2000 characters).
    pub raw: String,
    /// When it was accepted.
    #[serde(with = "time::serde::rfc3339")]
    pub answered_at: Timestamp,
}

impl HistoryEntry {
    /// What the engine replays.
    #[must_use]
    pub fn accepted(&self) -> AcceptedAnswer {
        AcceptedAnswer {
            question_id: self.question_id,
            answer: self.answer.clone(),
        }
    }
}

/// The assessment a session's completion computed and stored.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionAssessment {
    /// Its id (`profile_id`, `assessment_id`; the `assessments` row of the patient, if any).
    pub id: uuid::Uuid,
    /// The `Assessment` JSON (risk-profile.md), returned as stored.
    pub body: Value,
}

impl SessionAssessment {
    /// The care team's summary in a `ChatSession` (`assessment_results`): `is_eligible`,
    /// `nccn_eligible`, `tyrer_cuzick_score`, `assessed_at`.
    #[must_use]
    pub fn results(&self) -> Value {
        let mut out = Map::new();
        for key in [
            "is_eligible",
            "nccn_eligible",
            "tyrer_cuzick_score",
            "assessed_at",
        ] {
            out.insert(
                key.to_owned(),
                self.body.get(key).cloned().unwrap_or(Value::Null),
            );
        }
        Value::Object(out)
    }
}

/// A JSON document kept as the text it was serialised to, once: every copy of a session shares
/// it (a clone counts a reference) and storage writes it as it is. A session's
/// `extracted_data` is rebuilt on every answer and the session copied several times per answer
/// (the write, the cache, the reply); as a `serde_json::Value` tree, building, copying and
/// dropping it cost about a tenth of the server's CPU in the journey benchmark (issue #8).
#[derive(Clone, PartialEq, Eq)]
pub struct JsonText(std::sync::Arc<str>);

impl JsonText {
    /// `value` serialised.
    ///
    /// # Errors
    /// When `value` cannot be serialised as JSON (a map with non-string keys, say).
    pub fn of<T: Serialize + ?Sized>(value: &T) -> Result<Self, serde_json::Error> {
        serde_json::to_string(value).map(|s| Self(s.into()))
    }

    /// `text`, if it is one JSON document.
    ///
    /// # Errors
    /// When it is not.
    pub fn parse(text: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str::<serde::de::IgnoredAny>(text)?;
        Ok(Self(text.into()))
    }

    /// JSON `null`.
    #[must_use]
    pub fn null() -> Self {
        Self("null".into())
    }

    /// The text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The document as a `Value` (`null` if the text were not JSON, which `of` and `parse`
    /// never let in).
    #[must_use]
    pub fn to_value(&self) -> Value {
        serde_json::from_str(&self.0).unwrap_or(Value::Null)
    }
}

impl fmt::Debug for JsonText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A chat session.
#[derive(Debug, Clone, PartialEq)]
pub struct ChatSession {
    /// Public id.
    pub id: SessionId,
    /// Always a UUID (the id itself when it is one): audit entries name the session by it.
    pub ref_id: uuid::Uuid,
    /// Tenant.
    pub account_id: AccountId,
    /// The patient, if attached.
    pub patient_id: Option<PatientId>,
    /// The creating principal (a user, or an invited patient).
    pub created_by: UserId,
    /// The strategy, if any.
    pub strategy_id: Option<ChatStrategyId>,
    /// Its name, copied at creation.
    pub strategy_name: Option<String>,
    /// What it is for.
    pub session_type: SessionType,
    /// Where it stands.
    pub status: SessionStatus,
    /// `initial_context`.
    pub chat_context: Option<ChatContext>,
    /// The accepted answers, in order: the questionnaire's state.
    pub answers: Vec<HistoryEntry>,
    /// `extracted_data`: the `RiskProfile` so far (frozen at completion).
    pub extracted_data: JsonText,
    /// The question awaiting an answer (None once completed).
    pub current_question: Option<QuestionId>,
    /// `progress_percentage`.
    pub progress_percentage: u8,
    /// Messages stored (the `/ai-chat` transcript).
    pub message_count: u32,
    /// The opening reply's text (`/ai-chat` sessions).
    pub initial_message: Option<String>,
    /// Set at completion.
    pub assessment: Option<SessionAssessment>,
    /// Created.
    pub started_at: Timestamp,
    /// Last answer, message or status change.
    pub last_activity: Timestamp,
    /// When completed.
    pub completed_at: Option<Timestamp>,
    /// When cancelled.
    pub ended_at: Option<Timestamp>,
    /// Why cancelled.
    pub end_reason: Option<String>,
    /// +1 on every write.
    pub version: i32,
}

impl ChatSession {
    /// The questionnaire rebuilt from the stored answers.
    ///
    /// # Errors
    /// The stored answers do not replay (a corrupted store; by position only, never the answer).
    pub fn questionnaire(&self) -> Result<Questionnaire, ReplayError> {
        let accepted: Vec<AcceptedAnswer> =
            self.answers.iter().map(HistoryEntry::accepted).collect();
        Questionnaire::replay(&accepted)
    }

    /// The question awaiting an answer.
    #[must_use]
    pub fn current(&self) -> Option<&'static Question> {
        self.current_question.map(crate::questionnaire::question)
    }

    /// Whether answers are accepted.
    #[must_use]
    pub fn is_active(&self) -> bool {
        self.status == SessionStatus::Active
    }
}

/// One message of a session's transcript.
#[derive(Debug, Clone, PartialEq)]
pub struct ChatMessage {
    /// Id.
    pub id: uuid::Uuid,
    /// Its session.
    pub session_id: SessionId,
    /// Its place in the transcript (1, 2, …).
    pub seq: u32,
    /// Who wrote it.
    pub role: MessageRole,
    /// What it is.
    pub message_type: MessageType,
    /// The text.
    pub content: String,
    /// The question it asks or answers.
    pub question_id: Option<QuestionId>,
    /// A user message's normalised answer (null for an answer that was not accepted).
    pub extracted_entities: Option<Value>,
    /// The client's `message_metadata`.
    pub metadata: Option<Map<String, Value>>,
    /// Written.
    pub created_at: Timestamp,
}
