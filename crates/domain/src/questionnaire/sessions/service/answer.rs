//! Answers: one step of the questionnaire per answer (`submit_answer`, a chat message), and
//! at completion the frozen profile with its assessment, in one write.

use super::*;

impl ChatService {
    /// The session after `step` (accepted by `q`, which is now past it): the answer appended,
    /// the derived fields, and at completion the frozen profile and the assessment computed
    /// once. Returns the assessment row to store for the patient, with its audit entry.
    pub(super) fn advance(
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
        after.extracted_data = json_text(q.profile(), "profile")?;
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
    /// stores nothing. One storage call per attempt: the read, the step, the versioned write.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %p.user_id))]
    pub async fn answer(
        &self,
        p: &Principal,
        id: &SessionId,
        question_id: i64,
        input: &AnswerInput,
    ) -> Result<Answered, ChatError> {
        access::require(p, Action::ChatUse)?;
        let (svc, p, input) = (self.clone(), p.clone(), input.clone());
        self.stepped(id, move |s| svc.answer_step(&p, s, question_id, &input))
            .await
    }

    /// The answer to the stored session `s`: what to return, and what to write (nothing for a
    /// safe retry).
    fn answer_step(
        &self,
        p: &Principal,
        s: &ChatSession,
        question_id: i64,
        input: &AnswerInput,
    ) -> Result<(Answered, Option<SessionWrite>), ChatError> {
        policy::authorize(p, Action::ChatUse, s)?;
        if s.status == SessionStatus::Cancelled {
            return Err(ChatError::NotActive);
        }
        let mut q = self
            .replays
            .take(s)
            .map_err(|e| ChatError::Unexpected(Box::new(e)))?;
        let step = match q.answer(question_id, input) {
            Ok(step) => step,
            Err(e) => {
                // Unchanged by a refused answer.
                self.replays.keep(&s.id, q);
                return Err(e.into());
            }
        };
        if step.retry {
            self.replays.keep(&s.id, q);
            let session = s.clone();
            return Ok((Answered { session, step }, None));
        }
        let (after, assessment, audit) = self.advance(p, s, &q, &step, input.text())?;
        if !step.completed {
            self.replays.keep(&s.id, q);
        }
        let write = SessionWrite {
            after: after.clone(),
            version: s.version,
            messages: Vec::new(),
            assessment,
            audit,
        };
        Ok((
            Answered {
                session: after,
                step,
            },
            Some(write),
        ))
    }

    /// Run `decide` on the stored session `id` in one storage call (the read, `decide`, the
    /// versioned write: `ChatSessionRepository::step`), recomputed from the fresh session when
    /// the write lost a race. `decide` is pure; it returns its caller's outcome and the write to
    /// make, if any.
    pub(super) async fn stepped<T, F>(&self, id: &SessionId, decide: F) -> Result<T, ChatError>
    where
        T: Send + 'static,
        F: Fn(&ChatSession) -> Result<(T, Option<SessionWrite>), ChatError>
            + Clone
            + Send
            + 'static,
    {
        for _ in 0..ATTEMPTS {
            // The decision runs inside the storage's call; its outcome comes back through here.
            let (outcome, decided) = std::sync::mpsc::sync_channel(1);
            let decide = decide.clone();
            let decision: Decide = Box::new(move |s: &ChatSession| {
                let (result, write) = match decide(s) {
                    Ok((value, write)) => (Ok(value), write),
                    Err(e) => (Err(e), None),
                };
                // One send into a channel of one: it cannot be full.
                let _ = outcome.send(result);
                write
            });
            match self.ports.sessions.step(id, decision).await {
                Ok(_) => {
                    return decided
                        .try_recv()
                        .unwrap_or_else(|_| Err(ChatError::bug("a session step decided nothing")));
                }
                Err(RepoError::Stale) => {}
                Err(e) => return Err(not_found_as(Entity::ChatSession)(e)),
            }
        }
        Err(ChatError::Conflict(StoreConflict::Stale))
    }

    pub(super) fn message_of(
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
    /// that asks again, or at completion the summary (never risk figures). One storage call per
    /// attempt, as for [`Self::answer`].
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %p.user_id))]
    pub async fn message(
        &self,
        p: &Principal,
        id: &SessionId,
        text: MessageText,
        metadata: Option<Map<String, Value>>,
    ) -> Result<ChatMessage, ChatError> {
        access::require(p, Action::ChatUse)?;
        let (svc, p) = (self.clone(), p.clone());
        self.stepped(id, move |s| {
            svc.message_step(&p, s, &text, metadata.clone())
        })
        .await
    }

    /// The message `text` to the stored session `s`: the reply, and the write (the session, the
    /// message and the reply).
    fn message_step(
        &self,
        p: &Principal,
        s: &ChatSession,
        text: &MessageText,
        metadata: Option<Map<String, Value>>,
    ) -> Result<(ChatMessage, Option<SessionWrite>), ChatError> {
        policy::authorize(p, Action::ChatUse, s)?;
        if !s.is_active() {
            return Err(ChatError::NotActive);
        }
        let mut q = self
            .replays
            .take(s)
            .map_err(|e| ChatError::Unexpected(Box::new(e)))?;
        let Some(current) = q.current_question() else {
            return Err(ChatError::NotActive);
        };
        let input = AnswerInput::from(text.as_str());
        let (mut after, assessment, audit, entities, reply) = match q.answer(current.id, &input) {
            Ok(step) => {
                let (after, assessment, audit) = self.advance(p, s, &q, &step, input.text())?;
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
        if !q.is_complete() {
            self.replays.keep(&s.id, q);
        }
        let mut asked = self.message_of(
            &after,
            s.message_count + 1,
            MessageRole::User,
            MessageType::Answer,
            text.to_string(),
            Some(current.id),
        );
        asked.extracted_entities = entities;
        asked.metadata = metadata;
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
        Ok((answer, Some(write)))
    }
}
