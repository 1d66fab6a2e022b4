//! Response shapes of the questionnaire routes (contract §3.5, §3.6): strategies, sessions,
//! messages, the documented questionnaire answers and history. Optional fields are present as
//! `null`; timestamps RFC 3339 UTC with `Z`.

use crate::routes::dto::ts;
use genascope_domain::questionnaire::Question;
use genascope_domain::questionnaire::sessions::model::{ChatMessage, ChatSession};
use genascope_domain::questionnaire::sessions::service::Analysis;
use genascope_domain::questionnaire::strategies::model::{OutcomeAction, Strategy, TargetingRule};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

/// A linked knowledge source (those the caller sees).
#[derive(Debug, Serialize, ToSchema)]
pub struct KnowledgeSourceRefDto {
    pub id: String,
    pub name: String,
    pub source_type: String,
}

/// A targeting rule (stored and returned, never evaluated).
#[derive(Debug, Serialize, ToSchema)]
pub struct TargetingRuleDto {
    pub id: String,
    pub field: String,
    /// `is`, `is_not`, `is_between`, `contains`, `does_not_contain`, `greater_than`,
    /// `less_than`, `in_list`, `not_in_list`.
    pub operator: &'static str,
    /// Any JSON value.
    #[schema(value_type = Object)]
    pub value: Value,
    pub sequence: u32,
}

impl From<&TargetingRule> for TargetingRuleDto {
    fn from(r: &TargetingRule) -> Self {
        Self {
            id: r.id.to_string(),
            field: r.field.clone(),
            operator: r.operator.as_str(),
            value: r.value.clone(),
            sequence: r.sequence,
        }
    }
}

/// An outcome action (stored and returned, never evaluated).
#[derive(Debug, Serialize, ToSchema)]
pub struct OutcomeActionDto {
    pub id: String,
    /// `meets_criteria`, `does_not_meet_criteria`, `incomplete_data`.
    pub condition: &'static str,
    /// `create_task`, `flag_chart`, `send_message`, `schedule_followup`.
    pub action_type: &'static str,
    /// A JSON object.
    #[schema(value_type = Object)]
    pub details: Value,
    pub sequence: u32,
}

impl From<&OutcomeAction> for OutcomeActionDto {
    fn from(a: &OutcomeAction) -> Self {
        Self {
            id: a.id.to_string(),
            condition: a.condition.as_str(),
            action_type: a.action_type.as_str(),
            details: Value::Object(a.details.clone()),
            sequence: a.sequence,
        }
    }
}

/// A chat strategy (contract §3.6).
#[derive(Debug, Serialize, ToSchema)]
pub struct StrategyDto {
    pub id: String,
    pub account_id: String,
    pub name: String,
    pub description: Option<String>,
    pub goal: Option<String>,
    pub patient_introduction: Option<String>,
    /// `Oncology`, `Cardiology`, `Gastroenterology`, `Hepatology`, `Pharmacy`, `Genetics`,
    /// `Other`.
    pub specialty: Option<&'static str>,
    pub is_active: bool,
    pub version: i32,
    pub created_by: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub knowledge_sources: Vec<KnowledgeSourceRefDto>,
    pub targeting_rules: Vec<TargetingRuleDto>,
    pub outcome_actions: Vec<OutcomeActionDto>,
}

impl From<&Strategy> for StrategyDto {
    fn from(s: &Strategy) -> Self {
        Self {
            id: s.id.to_string(),
            account_id: s.account_id.to_string(),
            name: s.name.to_string(),
            description: s.description.as_ref().map(ToString::to_string),
            goal: s.goal.as_ref().map(ToString::to_string),
            patient_introduction: s.patient_introduction.as_ref().map(ToString::to_string),
            specialty: s.specialty.map(|x| x.as_str()),
            is_active: s.is_active,
            version: s.version,
            created_by: s.created_by.map(|u| u.to_string()),
            created_at: ts(s.created_at),
            updated_at: ts(s.updated_at),
            knowledge_sources: s
                .knowledge_sources
                .iter()
                .map(|k| KnowledgeSourceRefDto {
                    id: k.id.to_string(),
                    name: k.name.to_string(),
                    source_type: k.source_type.as_str().to_owned(),
                })
                .collect(),
            targeting_rules: s.targeting_rules.iter().map(Into::into).collect(),
            outcome_actions: s.outcome_actions.iter().map(Into::into).collect(),
        }
    }
}

/// The question object of §3.5.1: `{"id", "sequence", "text", "answer_type", "options",
/// "required", "description"}`.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct QuestionDto(pub &'static Question);

/// A chat session (contract §3.5.2).
#[derive(Debug, Serialize, ToSchema)]
pub struct ChatSessionDto {
    pub id: String,
    pub strategy_id: Option<String>,
    pub strategy_name: Option<String>,
    pub patient_id: Option<String>,
    pub account_id: String,
    /// `screening`, `assessment`, `follow_up`, `consultation`.
    pub session_type: &'static str,
    /// `active`, `completed`, `cancelled`.
    pub status: &'static str,
    /// The `initial_context` given at creation.
    #[schema(value_type = Option<Object>)]
    pub chat_context: Option<Value>,
    /// The RiskProfile built so far (risk-profile.md).
    #[schema(value_type = Object)]
    pub extracted_data: Value,
    /// Care team and super_admin, once completed: `{"is_eligible", "nccn_eligible",
    /// "tyrer_cuzick_score", "assessed_at"}`; always null for patients and users.
    #[schema(value_type = Option<Object>)]
    pub assessment_results: Option<Value>,
    /// The question awaiting an answer (null once completed).
    #[schema(value_type = Option<Object>)]
    pub current_question: Option<QuestionDto>,
    pub initial_message: Option<String>,
    pub message_count: u32,
    pub progress_percentage: u8,
    pub started_at: String,
    pub last_activity: String,
    pub completed_at: Option<String>,
    pub ended_at: Option<String>,
    pub end_reason: Option<String>,
}

impl ChatSessionDto {
    /// The session as `sees_results` (care team, super_admin) or anyone else sees it.
    #[must_use]
    pub fn new(s: &ChatSession, sees_results: bool) -> Self {
        Self {
            id: s.id.to_string(),
            strategy_id: s.strategy_id.map(|x| x.to_string()),
            strategy_name: s.strategy_name.clone(),
            patient_id: s.patient_id.map(|p| p.to_string()),
            account_id: s.account_id.to_string(),
            session_type: s.session_type.as_str(),
            status: s.status.as_str(),
            chat_context: s
                .chat_context
                .as_ref()
                .map(|c| Value::Object(c.as_map().clone())),
            extracted_data: s.extracted_data.to_value(),
            assessment_results: s
                .assessment
                .as_ref()
                .filter(|_| sees_results)
                .map(|a| a.results()),
            current_question: s.current().map(QuestionDto),
            initial_message: s.initial_message.clone(),
            message_count: s.message_count,
            progress_percentage: s.progress_percentage,
            started_at: ts(s.started_at),
            last_activity: ts(s.last_activity),
            completed_at: s.completed_at.map(ts),
            ended_at: s.ended_at.map(ts),
            end_reason: s.end_reason.clone(),
        }
    }
}

/// A chat message (contract §3.5.2).
#[derive(Debug, Serialize, ToSchema)]
pub struct ChatMessageDto {
    pub id: String,
    pub session_id: String,
    /// `user`, `assistant`, `system`.
    pub role: &'static str,
    pub content: String,
    /// `question`, `clarification`, `summary` (replies) or `answer` (user messages).
    pub message_type: &'static str,
    pub question_id: Option<u8>,
    pub created_at: String,
    /// Always null.
    pub confidence_score: Option<f64>,
    /// A user message's normalised answer, or null.
    #[schema(value_type = Option<Object>)]
    pub extracted_entities: Option<Value>,
}

impl From<&ChatMessage> for ChatMessageDto {
    fn from(m: &ChatMessage) -> Self {
        Self {
            id: m.id.to_string(),
            session_id: m.session_id.to_string(),
            role: m.role.as_str(),
            content: m.content.clone(),
            message_type: m.message_type.as_str(),
            question_id: m.question_id.map(|q| q.get()),
            created_at: ts(m.created_at),
            confidence_score: None,
            extracted_entities: m.extracted_entities.clone(),
        }
    }
}

/// `POST /api/start_chat` and `POST /api/submit_answer` (contract §3.5.3).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct QuestionStepDto {
    /// start_chat: the current unanswered question (null once completed); submit_answer: the
    /// question just answered.
    #[schema(value_type = Option<Object>)]
    pub question: Option<QuestionDto>,
    /// submit_answer: the next question (null once completed); start_chat: null.
    #[schema(value_type = Option<Object>)]
    pub next_question: Option<QuestionDto>,
    pub session_id: String,
    pub session_complete: bool,
    /// `active`, `completed`, `cancelled`.
    pub status: &'static str,
    pub progress_percentage: u8,
}

/// One answer of a history.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HistoryItemDto {
    pub question_id: u8,
    /// The question's text.
    pub question: &'static str,
    /// The answer as given.
    pub answer: String,
    /// The normalised answer.
    #[schema(value_type = Object)]
    pub normalized: Value,
    pub answered_at: String,
}

/// `GET /api/history/{session_id}` (contract §3.5.3).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HistoryDto {
    pub session_id: String,
    pub status: &'static str,
    pub patient_id: Option<String>,
    pub started_at: String,
    pub completed_at: Option<String>,
    pub progress_percentage: u8,
    pub history: Vec<HistoryItemDto>,
    #[schema(value_type = Option<Object>)]
    pub current_question: Option<QuestionDto>,
}

impl From<&ChatSession> for HistoryDto {
    fn from(s: &ChatSession) -> Self {
        Self {
            session_id: s.id.to_string(),
            status: s.status.as_str(),
            patient_id: s.patient_id.map(|p| p.to_string()),
            started_at: ts(s.started_at),
            completed_at: s.completed_at.map(ts),
            progress_percentage: s.progress_percentage,
            history: s
                .answers
                .iter()
                .map(|a| HistoryItemDto {
                    question_id: a.question_id.get(),
                    question: genascope_domain::questionnaire::question(a.question_id).text,
                    answer: a.raw.clone(),
                    normalized: serde_json::to_value(&a.answer).unwrap_or(Value::Null),
                    answered_at: ts(a.answered_at),
                })
                .collect(),
            current_question: s.current().map(QuestionDto),
        }
    }
}

/// `POST /api/eligibility/analyze`: the Assessment (risk-profile.md) computed when the session
/// completed, plus `assessment_id`, `session_id`, `patient_id`.
#[must_use]
pub fn analysis_json(a: Analysis) -> Value {
    let mut body = match a.assessment {
        Value::Object(m) => m,
        _ => serde_json::Map::new(),
    };
    body.insert(
        "assessment_id".into(),
        Value::String(a.assessment_id.to_string()),
    );
    body.insert("session_id".into(), Value::String(a.session_id.to_string()));
    body.insert(
        "patient_id".into(),
        a.patient_id
            .map_or(Value::Null, |p| Value::String(p.to_string())),
    );
    Value::Object(body)
}
