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
    ChatContext, ChatMessage, ChatSession, EndReason, HistoryEntry, MessageRole, MessageText,
    MessageType, SUMMARY, SUPERSEDED, SessionAssessment, SessionId, SessionStatus, SessionType,
};
use super::policy;
use super::ports::{ChatSessionRepository, NewSession, SessionFilter, SessionWrite};
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
}

fn json<T: serde::Serialize>(value: &T, what: &str) -> Result<Value, ChatError> {
    serde_json::to_value(value).map_err(|_| ChatError::bug(what))
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
        Self { ports }
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

    /// A strategy the care team named: one of the account's live strategies (404 otherwise),
    /// active (422 otherwise); without one, the account's default.
    async fn chosen_strategy(
        &self,
        account: AccountId,
        requested: Option<ChatStrategyId>,
    ) -> Result<Option<Strategy>, ChatError> {
        let Some(id) = requested else {
            return Ok(self.ports.strategies.default_for(account).await?);
        };
        let s = self
            .ports
            .strategies
            .get(id, false)
            .await
            .map_err(not_found_as(Entity::ChatStrategy))?;
        if s.account_id != account {
            return Err(ChatError::NotFound(Entity::ChatStrategy));
        }
        if !s.is_active {
            return Err(ChatError::field(
                "strategy_id",
                "the strategy is not active",
                "value_error.inactive",
            ));
        }
        Ok(Some(s))
    }

    /// A patient's or `user`'s strategy, which never fails for want of one: the requested one
    /// if it is an active strategy of the account (the frontend sends the placeholder
    /// `strategy-1`), else the invite's (even if deleted since: it keeps working), else the
    /// account's default, else none.
    async fn fallback_strategy(
        &self,
        account: AccountId,
        requested: Option<ChatStrategyId>,
        invited: Option<ChatStrategyId>,
    ) -> Result<Option<Strategy>, ChatError> {
        for (id, include_deleted) in [(requested, false), (invited, true)] {
            let Some(id) = id else { continue };
            match self.ports.strategies.get(id, include_deleted).await {
                Ok(s) if s.account_id == account && (include_deleted || s.is_active) => {
                    return Ok(Some(s));
                }
                Ok(_) | Err(RepoError::NotFound) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(self.ports.strategies.default_for(account).await?)
    }

    /// Where a new session of `p` goes (contract §3.5.3, §3.5.4).
    async fn plan(
        &self,
        p: &Principal,
        patient: Option<PatientId>,
        strategy: Option<ChatStrategyId>,
        account: Option<AccountId>,
    ) -> Result<Plan, ChatError> {
        let own_account = || p.account_id.ok_or(ChatError::NotFound(Entity::Account));
        match p.role {
            Role::Patient => {
                let own = PatientId::from(p.user_id);
                if patient.is_some_and(|id| id != own) {
                    return Err(ChatError::NotFound(Entity::Patient));
                }
                let account = own_account()?;
                let strategy = self
                    .fallback_strategy(account, strategy, invite_strategy(p))
                    .await?;
                Ok(Plan {
                    account,
                    patient: Some(own),
                    strategy,
                })
            }
            Role::User => {
                if patient.is_some_and(|id| UserId::from(id) != p.user_id) {
                    return Err(ChatError::NotFound(Entity::Patient));
                }
                let account = own_account()?;
                let strategy = self.fallback_strategy(account, strategy, None).await?;
                Ok(Plan {
                    account,
                    patient: None,
                    strategy,
                })
            }
            _ => match patient {
                // The frontend's chat page opened by staff sends their own id: an unattached
                // preview with the account's default strategy (the placeholder is ignored).
                Some(id) if UserId::from(id) == p.user_id => {
                    let account = access::target_account(p, account)?;
                    let strategy = self.ports.strategies.default_for(account).await?;
                    Ok(Plan {
                        account,
                        patient: None,
                        strategy,
                    })
                }
                Some(id) => {
                    let view = self.ports.patients.get(p, id).await?;
                    let account = view.patient.account_id;
                    let strategy = self.chosen_strategy(account, strategy).await?;
                    Ok(Plan {
                        account,
                        patient: Some(id),
                        strategy,
                    })
                }
                None => {
                    let account = access::target_account(p, account)?;
                    let strategy = self.chosen_strategy(account, strategy).await?;
                    Ok(Plan {
                        account,
                        patient: None,
                        strategy,
                    })
                }
            },
        }
    }

    /// A new session at question 1.
    fn fresh(
        &self,
        p: &Principal,
        plan: &Plan,
        id: SessionId,
        session_type: Option<SessionType>,
        context: Option<ChatContext>,
    ) -> Result<ChatSession, ChatError> {
        let now = self.now();
        let q = Questionnaire::start();
        Ok(ChatSession {
            ref_id: id.as_uuid().unwrap_or_else(|| self.ports.random.uuid()),
            id,
            account_id: plan.account,
            patient_id: plan.patient,
            created_by: p.user_id,
            strategy_id: plan.strategy.as_ref().map(|s| s.id),
            strategy_name: plan.strategy.as_ref().map(|s| s.name.to_string()),
            session_type: session_type.unwrap_or(SessionType::Screening),
            status: SessionStatus::Active,
            chat_context: context,
            answers: Vec::new(),
            extracted_data: json(q.profile(), "profile")?,
            current_question: Some(QuestionId::FIRST),
            progress_percentage: q.progress_percentage(),
            message_count: 0,
            initial_message: None,
            assessment: None,
            started_at: now,
            last_activity: now,
            completed_at: None,
            ended_at: None,
            end_reason: None,
            version: 1,
        })
    }

    /// `s` cancelled now with `reason`.
    fn ended(&self, s: &ChatSession, reason: Option<String>) -> ChatSession {
        let now = self.now().max(s.last_activity);
        ChatSession {
            status: SessionStatus::Cancelled,
            ended_at: Some(now),
            end_reason: reason,
            last_activity: now,
            version: s.version + 1,
            ..s.clone()
        }
    }

    /// Store a new session. `supersede`: end the patient's active session first (else an
    /// active one is returned instead). A race on the id resumes the session created meanwhile.
    async fn create(
        &self,
        p: &Principal,
        session: ChatSession,
        messages: Vec<ChatMessage>,
        supersede: bool,
    ) -> Result<ChatSession, ChatError> {
        for _ in 0..ATTEMPTS {
            let active = match session.patient_id {
                Some(patient) => self.ports.sessions.active_for_patient(patient).await?,
                None => None,
            };
            if let (Some(active), false) = (&active, supersede) {
                self.audit_read(p, active).await?;
                return Ok(active.clone());
            }
            let ended = active.map(|a| self.ended(&a, Some(SUPERSEDED.to_owned())));
            let mut audit = vec![self.entry(p, AuditAction::Create, &session)];
            audit.extend(ended.iter().map(|e| self.entry(p, AuditAction::Update, e)));
            let new = NewSession {
                session: session.clone(),
                messages: messages.clone(),
                supersede: ended,
                audit,
            };
            match self.ports.sessions.create(&new).await {
                Ok(()) => return Ok(session),
                // Opened meanwhile: the next round returns or ends it.
                Err(RepoError::Duplicate("active_session") | RepoError::Stale) => {}
                Err(RepoError::Duplicate("id")) => {
                    let existing = self.load(p, Action::ChatUse, &session.id).await?;
                    self.audit_read(p, &existing).await?;
                    return Ok(existing);
                }
                // The account (a super_admin's), patient or strategy went away.
                Err(RepoError::NotFound) => return Err(ChatError::NotFound(Entity::Account)),
                Err(e) => return Err(e.into()),
            }
        }
        Err(ChatError::Conflict(StoreConflict::Stale))
    }

    /// `POST /api/start_chat`: resume a visible session named by `session_id` (404 if it exists
    /// but is not visible), else create one with that id (or a new UUID). Without an id, a
    /// patient's active session is resumed; with a new id, that active session is ended
    /// (replaced) in the transaction that creates the new one.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %p.user_id))]
    pub async fn start(&self, p: &Principal, cmd: StartChat) -> Result<ChatSession, ChatError> {
        access::require(p, Action::ChatUse)?;
        if let Some(id) = &cmd.session_id {
            match self.ports.sessions.get(id).await {
                Ok(s) => {
                    policy::authorize(p, Action::ChatUse, &s)?;
                    self.audit_read(p, &s).await?;
                    return Ok(s);
                }
                Err(RepoError::NotFound) => {}
                Err(e) => return Err(e.into()),
            }
        }
        let plan = self
            .plan(p, cmd.patient_id, cmd.strategy_id, cmd.account_id)
            .await?;
        let explicit = cmd.session_id.is_some();
        let id = cmd
            .session_id
            .unwrap_or_else(|| SessionId::from_uuid(self.ports.random.uuid()));
        let session = self.fresh(p, &plan, id, cmd.session_type, None)?;
        self.create(p, session, Vec::new(), explicit).await
    }

    /// `POST /ai-chat/sessions`: the patient's active session if it has one, else a new session
    /// whose introduction and question 1 are stored as one reply message.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %p.user_id))]
    pub async fn open(&self, p: &Principal, cmd: OpenSession) -> Result<ChatSession, ChatError> {
        access::require(p, Action::ChatUse)?;
        let plan = self
            .plan(p, cmd.patient_id, cmd.strategy_id, cmd.account_id)
            .await?;
        let id = SessionId::from_uuid(self.ports.random.uuid());
        let mut session = self.fresh(p, &plan, id, cmd.session_type, cmd.initial_context)?;
        let intro = plan
            .strategy
            .as_ref()
            .map_or(DEFAULT_INTRODUCTION, Strategy::introduction);
        let first = crate::questionnaire::question(QuestionId::FIRST);
        let text = format!("{intro}\n\n{}", asking(first));
        let opening = ChatMessage {
            id: self.ports.random.uuid(),
            session_id: session.id.clone(),
            seq: 1,
            role: MessageRole::Assistant,
            message_type: MessageType::Question,
            content: text.clone(),
            question_id: Some(first.id),
            extracted_entities: None,
            metadata: None,
            created_at: session.started_at,
        };
        session.message_count = 1;
        session.initial_message = Some(text);
        self.create(p, session, vec![opening], false).await
    }

    /// The session after `step` (accepted by `q`, which is now past it): the answer appended,
    /// the derived fields, and at completion the frozen profile and the assessment computed
    /// once. Returns the assessment row to store for the patient, with its audit entry.
    fn advance(
        &self,
        p: &Principal,
        s: &ChatSession,
        q: &Questionnaire,
        step: &Step,
        raw: String,
    ) -> Result<(ChatSession, Option<AssessmentRecord>, Vec<AuditEntry>), ChatError> {
        let now = self.now().max(s.last_activity);
        let mut after = s.clone();
        after.answers.push(HistoryEntry {
            question_id: step.question.id,
            answer: step.answer.clone(),
            raw,
            answered_at: now,
        });
        after.extracted_data = json(q.profile(), "profile")?;
        after.current_question = q.current_question().map(|q| q.id);
        after.progress_percentage = q.progress_percentage();
        after.last_activity = now;
        after.version = s.version + 1;
        let mut audit = vec![self.entry(p, AuditAction::Update, &after)];
        if !step.completed {
            return Ok((after, None, audit));
        }
        let profile = q
            .completed_profile()
            .ok_or_else(|| ChatError::bug("a completed questionnaire has no profile"))?;
        let mut assessment = assess(profile, now)
            .map_err(|_| ChatError::bug("a completed questionnaire's profile did not validate"))?;
        let id = self.ports.random.uuid();
        assessment.profile_id = Some(id);
        let body = json(&assessment, "assessment")?;
        after.status = SessionStatus::Completed;
        after.completed_at = Some(now);
        after.assessment = Some(SessionAssessment {
            id,
            body: body.clone(),
        });
        let record = match after.patient_id {
            Some(patient_id) => Some(AssessmentRecord {
                id,
                account_id: after.account_id,
                patient_id,
                // A simplified token's principal is the patient record, which has no user row
                // unless the patient registered: only a full token names a user.
                created_by: (!p.user_id.0.is_nil() && p.access == AccessType::Full)
                    .then_some(p.user_id),
                assessed_at: assessment.assessed_at,
                body,
                profile: Some(json(profile, "profile")?),
            }),
            None => None,
        };
        if record.is_some() {
            audit.push(AuditEntry {
                record_type: "assessment",
                action: AuditAction::Create,
                records: AuditRecords::One(id),
                ..self.entry(p, AuditAction::Create, &after)
            });
        }
        Ok((after, record, audit))
    }

    /// `POST /api/submit_answer`: answer `question_id` of the session with `input`. The safe
    /// retry (the last accepted question with the same answer) returns the original step and
    /// stores nothing.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %p.user_id))]
    pub async fn answer(
        &self,
        p: &Principal,
        id: &SessionId,
        question_id: i64,
        input: &AnswerInput,
    ) -> Result<Answered, ChatError> {
        for _ in 0..ATTEMPTS {
            let s = self.load(p, Action::ChatUse, id).await?;
            if s.status == SessionStatus::Cancelled {
                return Err(ChatError::NotActive);
            }
            let mut q = s
                .questionnaire()
                .map_err(|e| ChatError::Unexpected(Box::new(e)))?;
            let step = q.answer(question_id, input)?;
            if step.retry {
                return Ok(Answered { session: s, step });
            }
            let (after, assessment, audit) = self.advance(p, &s, &q, &step, input.text())?;
            let write = SessionWrite {
                after,
                version: s.version,
                messages: Vec::new(),
                assessment,
                audit,
            };
            match self.ports.sessions.save(&write).await {
                Ok(()) => {
                    return Ok(Answered {
                        session: write.after,
                        step,
                    });
                }
                Err(RepoError::Stale) => {}
                Err(e) => return Err(not_found_as(Entity::ChatSession)(e)),
            }
        }
        Err(ChatError::Conflict(StoreConflict::Stale))
    }

    fn message_of(
        &self,
        s: &ChatSession,
        seq: u32,
        role: MessageRole,
        message_type: MessageType,
        content: String,
        question_id: Option<QuestionId>,
    ) -> ChatMessage {
        ChatMessage {
            id: self.ports.random.uuid(),
            session_id: s.id.clone(),
            seq,
            role,
            message_type,
            content,
            question_id,
            extracted_entities: None,
            metadata: None,
            created_at: s.last_activity,
        }
    }

    /// `POST /ai-chat/sessions/{id}/messages`: the message is stored and read as the answer to
    /// the current question; the one reply (stored too) is the next question, a clarification
    /// that asks again, or at completion the summary (never risk figures).
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %p.user_id))]
    pub async fn message(
        &self,
        p: &Principal,
        id: &SessionId,
        text: MessageText,
        metadata: Option<Map<String, Value>>,
    ) -> Result<ChatMessage, ChatError> {
        for _ in 0..ATTEMPTS {
            let s = self.load(p, Action::ChatUse, id).await?;
            if !s.is_active() {
                return Err(ChatError::NotActive);
            }
            let mut q = s
                .questionnaire()
                .map_err(|e| ChatError::Unexpected(Box::new(e)))?;
            let current = q.current_question().ok_or(ChatError::NotActive)?;
            let input = AnswerInput::from(text.as_str());
            let (mut after, assessment, audit, entities, reply) = match q.answer(current.id, &input)
            {
                Ok(step) => {
                    let (after, assessment, audit) =
                        self.advance(p, &s, &q, &step, input.text())?;
                    let reply = match step.next_question {
                        Some(next) if !step.completed => {
                            (MessageType::Question, asking(next), Some(next.id))
                        }
                        _ => (MessageType::Summary, SUMMARY.to_owned(), None),
                    };
                    let entities = json(&step.answer, "answer")?;
                    (after, assessment, audit, Some(entities), reply)
                }
                Err(crate::questionnaire::QuestionnaireError::Invalid { message }) => {
                    let now = self.now().max(s.last_activity);
                    let after = ChatSession {
                        last_activity: now,
                        version: s.version + 1,
                        ..s.clone()
                    };
                    let audit = vec![self.entry(p, AuditAction::Update, &after)];
                    let content = format!("{message}\n\n{}", asking(current));
                    let reply = (MessageType::Clarification, content, Some(current.id));
                    (after, None, audit, None, reply)
                }
                Err(e) => return Err(e.into()),
            };
            let mut asked = self.message_of(
                &after,
                s.message_count + 1,
                MessageRole::User,
                MessageType::Answer,
                text.to_string(),
                Some(current.id),
            );
            asked.extracted_entities = entities;
            asked.metadata = metadata.clone();
            let (kind, content, question) = reply;
            let answer = self.message_of(
                &after,
                s.message_count + 2,
                MessageRole::Assistant,
                kind,
                content,
                question,
            );
            after.message_count = s.message_count + 2;
            let write = SessionWrite {
                after,
                version: s.version,
                messages: vec![asked, answer.clone()],
                assessment,
                audit,
            };
            match self.ports.sessions.save(&write).await {
                Ok(()) => return Ok(answer),
                Err(RepoError::Stale) => {}
                Err(e) => return Err(not_found_as(Entity::ChatSession)(e)),
            }
        }
        Err(ChatError::Conflict(StoreConflict::Stale))
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
