//! Chat-session use cases (contract §3.5.2–§3.5.4, §3.7 analyze): start or resume, answer (the
//! documented routes), open, message, end (the `/ai-chat` family), reads, and the analysis of a
//! completed session.
//!
//! Every write is one repository call (one transaction) with its audit entries; a session's
//! completion writes the session (`completed`, frozen profile, assessment) and, when it has a
//! patient, the patient's assessment row in that same transaction. Writes are optimistic (the
//! session's `version`): a write that lost a race is recomputed from the fresh state, so two
//! answers sent at once give one accepted answer and one safe retry or 409, never a lost update.
//! Answers are PHI: nothing here logs them. Spans carry the actor, not the session id: a
//! client-chosen id (`start_chat`) may hold anything.

use super::error::{ChatError, not_found_as};
use super::model::{
    ChatContext, ChatMessage, ChatSession, EndReason, HistoryEntry, JsonText, MessageRole,
    MessageText, MessageType, SUMMARY, SUPERSEDED, SessionAssessment, SessionId, SessionStatus,
    SessionType,
};
use super::policy;
use super::ports::{ChatSessionRepository, Decide, NewSession, SessionFilter, SessionWrite};
use crate::audit::{AuditAction, AuditEntry, AuditLog, AuditRecords};
use crate::clinical::assess::assess;
use crate::clinical::ports::AssessmentRecord;
use crate::common::{
    AccountId, ChatStrategyId, Clock, Entity, PatientId, Random, RepoError, StoreConflict,
    Timestamp, UserId, to_seconds,
};
use crate::identity::model::Role;
use crate::identity::policy::{self as access, AccessType, Action, Principal};
use crate::patients::service::PatientService;
use crate::questionnaire::strategies::model::{DEFAULT_INTRODUCTION, Strategy};
use crate::questionnaire::strategies::ports::StrategyRepository;
use crate::questionnaire::{AnswerInput, Question, QuestionId, Questionnaire, Step};
use serde_json::{Map, Value};
use std::sync::Arc;

mod answer;
mod open;
mod replays;

/// How often a write that lost a race (the session changed meanwhile) is recomputed.
const ATTEMPTS: usize = 5;

/// `POST /api/start_chat`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StartChat {
    /// Resume this session if it exists (and is visible), else create it with this id.
    pub session_id: Option<SessionId>,
    /// The care team's patient (a patient principal: absent or its own).
    pub patient_id: Option<PatientId>,
    /// A strategy (a malformed one is the nil id: no strategy has it).
    pub strategy_id: Option<ChatStrategyId>,
    /// Default `screening`.
    pub session_type: Option<SessionType>,
    /// A super_admin's account for an unattached session.
    pub account_id: Option<AccountId>,
}

/// `POST /ai-chat/sessions`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OpenSession {
    /// As in [`StartChat`]; staff naming their own user id open an unattached preview.
    pub patient_id: Option<PatientId>,
    /// As in [`StartChat`].
    pub strategy_id: Option<ChatStrategyId>,
    /// Default `screening`.
    pub session_type: Option<SessionType>,
    /// `initial_context`.
    pub initial_context: Option<ChatContext>,
    /// A super_admin's account for an unattached session.
    pub account_id: Option<AccountId>,
}

/// `GET /ai-chat/sessions` (style E).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionQuery {
    /// Only this patient's (an out-of-scope patient matches nothing).
    pub patient_id: Option<PatientId>,
    /// Only with this status.
    pub status: Option<SessionStatus>,
    /// 1..=100.
    pub limit: u32,
}

/// What `POST /api/eligibility/analyze` names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnalyzeTarget {
    /// One session.
    Session(SessionId),
    /// A patient's latest completed session.
    Patient(PatientId),
}

/// A completed session's assessment (`analyze`).
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    /// The `Assessment` JSON computed at completion, as stored.
    pub assessment: Value,
    /// Its id.
    pub assessment_id: uuid::Uuid,
    /// The session.
    pub session_id: SessionId,
    /// The session's patient.
    pub patient_id: Option<PatientId>,
}

/// An accepted answer (`submit_answer`): the session after it and the engine's step.
#[derive(Debug, Clone, PartialEq)]
pub struct Answered {
    /// The session as stored after the answer (unchanged for a safe retry).
    pub session: ChatSession,
    /// What the answer did.
    pub step: Step,
}

/// Where a new session goes.
struct Plan {
    account: AccountId,
    patient: Option<PatientId>,
    strategy: Option<Strategy>,
}

/// The ports and services the chat-session use cases need.
#[derive(Clone)]
pub struct ChatPorts {
    /// Sessions and messages.
    pub sessions: Arc<dyn ChatSessionRepository>,
    /// Strategies (a session names one).
    pub strategies: Arc<dyn StrategyRepository>,
    /// Patients (the care team names one).
    pub patients: PatientService,
    /// Time.
    pub clock: Arc<dyn Clock>,
    /// Ids.
    pub random: Arc<dyn Random>,
    /// Audited reads.
    pub audit: Arc<dyn AuditLog>,
}

/// Chat-session use cases.
#[derive(Clone)]
pub struct ChatService {
    ports: ChatPorts,
    /// Each session's questionnaire as its last answer here left it (see `replays`).
    replays: Arc<replays::Replays>,
}

fn json<T: serde::Serialize>(value: &T, what: &str) -> Result<Value, ChatError> {
    serde_json::to_value(value).map_err(|_| ChatError::bug(what))
}

/// [`json`] as text, serialised once ([`JsonText`]).
fn json_text<T: serde::Serialize>(value: &T, what: &str) -> Result<JsonText, ChatError> {
    JsonText::of(value).map_err(|_| ChatError::bug(what))
}

/// The invited patient's strategy (a simplified token's invite), if any.
fn invite_strategy(p: &Principal) -> Option<ChatStrategyId> {
    p.grant.and_then(|g| g.chat_strategy_id)
}

/// The reply asking `q`.
fn asking(q: &Question) -> String {
    q.text.to_owned()
}

impl ChatService {
    /// Wire the service.
    #[must_use]
    pub fn new(ports: ChatPorts) -> Self {
        Self {
            ports,
            replays: Arc::default(),
        }
    }

    fn now(&self) -> Timestamp {
        to_seconds(self.ports.clock.now())
    }

    fn entry(&self, p: &Principal, action: AuditAction, s: &ChatSession) -> AuditEntry {
        AuditEntry {
            id: self.ports.random.uuid(),
            at: self.now(),
            actor_id: (!p.user_id.0.is_nil()).then_some(p.user_id),
            action,
            record_type: "chat_session",
            records: AuditRecords::One(s.ref_id),
            account_id: Some(s.account_id),
        }
    }

    async fn audit_read(&self, p: &Principal, s: &ChatSession) -> Result<(), ChatError> {
        let entry = self.entry(p, AuditAction::Read, s);
        Ok(self.ports.audit.record(vec![entry]).await?)
    }

    /// A session `p` may `action` (404 otherwise, 403 for the role first).
    async fn load(
        &self,
        p: &Principal,
        action: Action,
        id: &SessionId,
    ) -> Result<ChatSession, ChatError> {
        access::require(p, action)?;
        let s = self
            .ports
            .sessions
            .get(id)
            .await
            .map_err(not_found_as(Entity::ChatSession))?;
        policy::authorize(p, action, &s)?;
        Ok(s)
    }

    /// `GET /ai-chat/sessions/{id}` and `GET /api/history/{id}`.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %p.user_id))]
    pub async fn get(&self, p: &Principal, id: &SessionId) -> Result<ChatSession, ChatError> {
        let s = self.load(p, Action::ChatUse, id).await?;
        self.audit_read(p, &s).await?;
        Ok(s)
    }

    /// `GET /ai-chat/sessions`: the sessions `p` may see, by `last_activity` desc. A list read
    /// is one audit entry.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %p.user_id))]
    pub async fn list(
        &self,
        p: &Principal,
        q: SessionQuery,
    ) -> Result<Vec<ChatSession>, ChatError> {
        let scope = policy::list_scope(p, Action::ChatUse, None)?;
        let filter = SessionFilter {
            scope,
            patient_id: q.patient_id,
            status: q.status,
            limit: q.limit,
        };
        let sessions = self.ports.sessions.list(&filter).await?;
        if !sessions.is_empty() {
            let account_id = sessions
                .first()
                .map(|s| s.account_id)
                .filter(|a| sessions.iter().all(|s| s.account_id == *a));
            let query = serde_json::json!({
                "patient_id": q.patient_id.map(|p| p.0),
                "session_status": q.status.map(SessionStatus::as_str),
                "limit": q.limit,
            })
            .to_string();
            let entry = AuditEntry {
                id: self.ports.random.uuid(),
                at: self.now(),
                actor_id: (!p.user_id.0.is_nil()).then_some(p.user_id),
                action: AuditAction::Read,
                record_type: "chat_session",
                records: AuditRecords::Many {
                    ids: sessions.iter().map(|s| s.ref_id).collect(),
                    query: Some(query),
                },
                account_id,
            };
            self.ports.audit.record(vec![entry]).await?;
        }
        Ok(sessions)
    }

    /// `GET /ai-chat/sessions/{id}/messages`: the latest `limit` messages, oldest first.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %p.user_id))]
    pub async fn messages(
        &self,
        p: &Principal,
        id: &SessionId,
        limit: u32,
    ) -> Result<Vec<ChatMessage>, ChatError> {
        let s = self.load(p, Action::ChatUse, id).await?;
        self.audit_read(p, &s).await?;
        Ok(self.ports.sessions.messages(id, limit).await?)
    }

    /// `POST /ai-chat/sessions/{id}/end`: an active session becomes `cancelled` with its end
    /// time and reason; a completed (or already ended) one is returned unchanged.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %p.user_id))]
    pub async fn end(
        &self,
        p: &Principal,
        id: &SessionId,
        reason: Option<EndReason>,
    ) -> Result<ChatSession, ChatError> {
        for _ in 0..ATTEMPTS {
            let s = self.load(p, Action::ChatUse, id).await?;
            if !s.is_active() {
                self.audit_read(p, &s).await?;
                return Ok(s);
            }
            let after = self.ended(&s, reason.as_ref().map(ToString::to_string));
            let write = SessionWrite {
                audit: vec![self.entry(p, AuditAction::Update, &after)],
                after,
                version: s.version,
                messages: Vec::new(),
                assessment: None,
            };
            match self.ports.sessions.save(&write).await {
                Ok(()) => return Ok(write.after),
                Err(RepoError::Stale) => {}
                Err(e) => return Err(not_found_as(Entity::ChatSession)(e)),
            }
        }
        Err(ChatError::Conflict(StoreConflict::Stale))
    }

    /// `GET /ai-chat/sessions/{id}/assessment` (care team, super_admin): the stored assessment,
    /// or `None` while the questionnaire is not complete.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %p.user_id))]
    pub async fn assessment(
        &self,
        p: &Principal,
        id: &SessionId,
    ) -> Result<Option<Value>, ChatError> {
        let s = self.load(p, Action::ChatAssessmentRead, id).await?;
        self.audit_read(p, &s).await?;
        Ok(s.assessment.map(|a| a.body))
    }

    /// `POST /api/eligibility/analyze`: the assessment computed when the session completed
    /// (identical on every call). A patient names its latest completed session visible to the
    /// caller; 409 while the questionnaire is not complete.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %p.user_id))]
    pub async fn analyze(
        &self,
        p: &Principal,
        target: AnalyzeTarget,
    ) -> Result<Analysis, ChatError> {
        access::require(p, Action::SessionAnalyze)?;
        let s = match target {
            AnalyzeTarget::Session(id) => self.load(p, Action::SessionAnalyze, &id).await?,
            AnalyzeTarget::Patient(patient) => self.latest_of(p, patient).await?,
        };
        self.audit_read(p, &s).await?;
        let assessment = s.assessment.ok_or(ChatError::NotComplete)?;
        Ok(Analysis {
            assessment: assessment.body,
            assessment_id: assessment.id,
            session_id: s.id,
            patient_id: s.patient_id,
        })
    }

    /// The patient's latest completed session that `p` may analyze; else its latest session
    /// (not complete: 409); else 404.
    async fn latest_of(&self, p: &Principal, patient: PatientId) -> Result<ChatSession, ChatError> {
        let scope = policy::list_scope(p, Action::SessionAnalyze, None)?;
        let query = |status| SessionFilter {
            scope,
            patient_id: Some(patient),
            status,
            limit: 1,
        };
        let completed = self
            .ports
            .sessions
            .list(&query(Some(SessionStatus::Completed)))
            .await?;
        if let Some(s) = completed.into_iter().next() {
            return Ok(s);
        }
        let any = self.ports.sessions.list(&query(None)).await?;
        match any.into_iter().next() {
            Some(_) => Err(ChatError::NotComplete),
            None => Err(ChatError::NotFound(Entity::ChatSession)),
        }
    }
}
