//! Starting and resuming sessions: which strategy, which session (resume, replace or new),
//! and its first reply (`start_chat`, `POST /ai-chat/sessions`).

use super::*;

impl ChatService {
    /// A strategy the care team named: one of the account's live strategies (404 otherwise),
    /// active (422 otherwise); without one, the account's default.
    pub(super) async fn chosen_strategy(
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
    pub(super) async fn fallback_strategy(
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
    pub(super) async fn plan(
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
                    let account = self.ports.patients.account_of(p, id).await?;
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
    pub(super) fn fresh(
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
            extracted_data: json_text(q.profile(), "profile")?,
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
    pub(super) fn ended(&self, s: &ChatSession, reason: Option<String>) -> ChatSession {
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
    ///
    /// The first attempt assumes the patient has no active session (a new patient's case): the
    /// store's one-active-session rule refuses it otherwise (`Duplicate("active_session")`), and
    /// the next attempt reads the active session. A new session costs no read of it (issue #8).
    pub(super) async fn create(
        &self,
        p: &Principal,
        session: ChatSession,
        messages: Vec<ChatMessage>,
        supersede: bool,
    ) -> Result<ChatSession, ChatError> {
        let mut assume_none = true;
        for _ in 0..ATTEMPTS {
            let active = match session.patient_id {
                Some(patient) if !assume_none => {
                    self.ports.sessions.active_for_patient(patient).await?
                }
                _ => None,
            };
            assume_none = false;
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
}
