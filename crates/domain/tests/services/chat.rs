//! Chat-session use cases (contract §3.5.2–§3.5.4, §3.7 analyze) over mocks: where a new session
//! goes and with which strategy, who sees which session, the safe retry, the recomputation of a
//! write that lost a race, the completion that stores the assessment once, chat clarifications,
//! and the analysis of completed sessions.

use crate::support::*;
use genascope_domain::audit::MockAuditLog;
use genascope_domain::common::{
    AccountId, ChatStrategyId, Entity, InviteId, PatientId, RepoError, UserId,
};
use genascope_domain::identity::error::Denial;
use genascope_domain::identity::model::Role;
use genascope_domain::identity::policy::{AccessType, InviteGrant, Principal};
use genascope_domain::questionnaire::sessions::error::ChatError;
use genascope_domain::questionnaire::sessions::model::{
    ChatSession, HistoryEntry, JsonText, MessageRole, MessageText, MessageType, SUMMARY,
    SessionAssessment, SessionId, SessionStatus, SessionType,
};
use genascope_domain::questionnaire::sessions::ports::{
    ChatSessionRepository, Decide, MockChatSessionRepository, NewSession, SessionFilter,
    SessionWrite, Stepped,
};
use genascope_domain::questionnaire::sessions::service::{
    AnalyzeTarget, ChatPorts, ChatService, OpenSession, StartChat,
};
use genascope_domain::questionnaire::strategies::model::Strategy;
use genascope_domain::questionnaire::strategies::ports::MockStrategyRepository;
use genascope_domain::questionnaire::{AnswerInput, QuestionId, Questionnaire, examples};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use uuid::Uuid;

/// Reference journey (a), without its last answer (26).
const MOTHER_AND_AUNT: &[(u8, &str)] = examples::MOTHER_AND_AUNT.split_last().expect("a path").1;

/// The storage's `step` as its contract says (read as `get`, decide, write as `save`), over a
/// mock that answers `get` and `save`: the tests set what is read and check what is written.
struct Stepping(MockChatSessionRepository);

#[async_trait::async_trait]
impl ChatSessionRepository for Stepping {
    async fn create(&self, new: &NewSession) -> Result<(), RepoError> {
        self.0.create(new).await
    }
    async fn get(&self, id: &SessionId) -> Result<ChatSession, RepoError> {
        self.0.get(id).await
    }
    async fn active_for_patient(
        &self,
        patient: PatientId,
    ) -> Result<Option<ChatSession>, RepoError> {
        self.0.active_for_patient(patient).await
    }
    async fn list(&self, filter: &SessionFilter) -> Result<Vec<ChatSession>, RepoError> {
        self.0.list(filter).await
    }
    async fn save(&self, write: &SessionWrite) -> Result<(), RepoError> {
        self.0.save(write).await
    }
    async fn step(&self, id: &SessionId, decide: Decide) -> Result<Stepped, RepoError> {
        let current = self.0.get(id).await?;
        match decide(&current) {
            Some(write) => self.0.save(&write).await.map(|()| Stepped::Written),
            None => Ok(Stepped::Unchanged),
        }
    }
    async fn messages(
        &self,
        id: &SessionId,
        limit: u32,
    ) -> Result<Vec<genascope_domain::questionnaire::sessions::model::ChatMessage>, RepoError> {
        self.0.messages(id, limit).await
    }
}

fn service(
    sessions: MockChatSessionRepository,
    strategies: MockStrategyRepository,
    patients: PatientMocks,
) -> ChatService {
    let mut audit = MockAuditLog::new();
    audit.expect_record().returning(|_| Ok(()));
    ChatService::new(ChatPorts {
        sessions: Arc::new(Stepping(sessions)),
        strategies: Arc::new(strategies),
        patients: patients.service(),
        clock: Arc::new(clock_at(NOW)),
        random: Arc::new(random()),
        audit: Arc::new(audit),
    })
}

/// A session of `patient` (or unattached) created by `by`, with `answers` accepted.
fn session(
    account: AccountId,
    patient: Option<PatientId>,
    by: UserId,
    answers: &[(u8, &str)],
) -> ChatSession {
    let mut q = Questionnaire::start();
    let mut history = Vec::new();
    for (id, a) in answers {
        let step = q.answer(i64::from(*id), &AnswerInput::from(*a)).unwrap();
        history.push(HistoryEntry {
            question_id: step.question.id,
            answer: step.answer,
            raw: (*a).to_owned(),
            answered_at: NOW,
        });
    }
    ChatSession {
        id: SessionId::from_uuid(Uuid::new_v4()),
        ref_id: Uuid::new_v4(),
        account_id: account,
        patient_id: patient,
        created_by: by,
        strategy_id: None,
        strategy_name: None,
        session_type: SessionType::Screening,
        status: SessionStatus::Active,
        chat_context: None,
        answers: history,
        extracted_data: JsonText::of(q.profile()).unwrap(),
        current_question: q.current_question().map(|q| q.id),
        progress_percentage: q.progress_percentage(),
        message_count: 1,
        initial_message: None,
        assessment: None,
        started_at: NOW - time::Duration::minutes(10),
        last_activity: NOW - time::Duration::minutes(1),
        completed_at: None,
        ended_at: None,
        end_reason: None,
        version: 3,
    }
}

fn strategy(account: AccountId, active: bool) -> Strategy {
    Strategy {
        id: ChatStrategyId(Uuid::new_v4()),
        account_id: account,
        name: text("Screening"),
        description: None,
        goal: None,
        patient_introduction: Some(text("Hello from the clinic.")),
        specialty: None,
        is_active: active,
        version: 1,
        created_by: None,
        created_at: NOW,
        updated_at: NOW,
        deleted_at: None,
        knowledge_sources: Vec::new(),
        targeting_rules: Vec::new(),
        outcome_actions: Vec::new(),
    }
}

/// A repository whose `get` answers `s` for its id.
fn holding(s: &ChatSession) -> MockChatSessionRepository {
    let mut repo = MockChatSessionRepository::new();
    let (id, s) = (s.id.clone(), s.clone());
    repo.expect_get()
        .withf(move |i| *i == id)
        .returning(move |_| Ok(s.clone()));
    repo
}

/// The patient's own login (its user id is the patient id).
fn patient_principal(account: AccountId, patient: PatientId) -> Principal {
    Principal {
        user_id: UserId(patient.0),
        ..principal_as(Role::Patient, Some(account))
    }
}

#[tokio::test]
async fn a_patients_session_takes_the_invites_strategy_when_the_requested_one_is_unusable() {
    let a = account_id();
    let pid = PatientId(Uuid::new_v4());
    let invited = strategy(a, false);
    let default = strategy(a, true);
    let mut strategies = MockStrategyRepository::new();
    // The frontend's placeholder `strategy-1` reaches the use case as the nil id.
    strategies
        .expect_get()
        .withf(|id, deleted| id.0.is_nil() && !deleted)
        .returning(|_, _| Err(RepoError::NotFound));
    let inv = invited.clone();
    strategies
        .expect_get()
        .withf(move |id, deleted| *id == inv.id && *deleted)
        .returning(move |_, _| Ok(inv.clone()));
    let d = default.clone();
    strategies
        .expect_default_for()
        .returning(move |_| Ok(Some(d.clone())));
    let mut sessions = MockChatSessionRepository::new();
    // A new session: no read of an active one (the store refuses a second, see `create`).
    sessions.expect_active_for_patient().never();
    let created = Slot::<NewSession>::new();
    let c2 = created.clone();
    sessions.expect_create().returning(move |n| {
        c2.push(n.clone());
        Ok(())
    });
    let svc = service(sessions, strategies, PatientMocks::new());
    let simplified = Principal {
        access: AccessType::Simplified,
        grant: Some(InviteGrant {
            invite_id: InviteId(Uuid::new_v4()),
            chat_strategy_id: Some(invited.id),
        }),
        ..patient_principal(a, pid)
    };
    let cmd = OpenSession {
        strategy_id: Some(ChatStrategyId(Uuid::nil())),
        ..OpenSession::default()
    };
    let s = svc.open(&simplified, cmd).await.unwrap();
    let new = created.one();
    assert_eq!(new.session, s);
    assert_eq!(
        s.strategy_id,
        Some(invited.id),
        "the invite's, even inactive since"
    );
    assert_eq!(s.strategy_name.as_deref(), Some("Screening"));
    assert_eq!(s.patient_id, Some(pid));
    assert_eq!(s.account_id, a);
    assert_eq!(s.created_by, simplified.user_id);
    assert_eq!(s.current_question, Some(QuestionId::FIRST));
    assert_eq!(s.message_count, 1);
    assert_eq!(new.messages.len(), 1);
    assert_eq!(new.messages[0].role, MessageRole::Assistant);
    assert!(
        new.messages[0]
            .content
            .starts_with("Hello from the clinic.")
    );
    assert_eq!(
        s.initial_message.as_deref(),
        Some(new.messages[0].content.as_str())
    );
    assert_eq!(new.supersede, None);
    assert_eq!(new.audit.len(), 1);
    assert_eq!(new.audit[0].record_type, "chat_session");

    // A full-token patient without an invite: the account default.
    let s = svc
        .open(&patient_principal(a, pid), OpenSession::default())
        .await
        .unwrap();
    assert_eq!(s.strategy_id, Some(default.id));
    // Another patient's id: not found.
    let other = OpenSession {
        patient_id: Some(PatientId(Uuid::new_v4())),
        ..OpenSession::default()
    };
    assert_err!(
        svc.open(&patient_principal(a, pid), other).await,
        ChatError::NotFound(Entity::Patient)
    );
}

#[tokio::test]
async fn an_open_patient_session_is_returned_instead_of_a_new_one() {
    let a = account_id();
    let pid = PatientId(Uuid::new_v4());
    let active = session(a, Some(pid), UserId(pid.0), &[(1, "no")]);
    let mut sessions = MockChatSessionRepository::new();
    // The first attempt assumes none: the store refuses it (one active session per patient),
    // and the active one is read and returned, not replaced.
    sessions
        .expect_create()
        .times(1)
        .withf(|n| n.supersede.is_none())
        .returning(|_| Err(RepoError::Duplicate("active_session")));
    let s = active.clone();
    sessions
        .expect_active_for_patient()
        .times(1)
        .returning(move |_| Ok(Some(s.clone())));
    let mut strategies = MockStrategyRepository::new();
    strategies.expect_default_for().returning(|_| Ok(None));
    let svc = service(sessions, strategies, PatientMocks::new());
    let got = svc
        .open(&patient_principal(a, pid), OpenSession::default())
        .await
        .unwrap();
    assert_eq!(got, active, "the active session, not a new one");
}

#[tokio::test]
async fn the_care_teams_strategy_must_be_an_active_one_of_the_account() {
    let a = account_id();
    let paused = strategy(a, false);
    let theirs = strategy(account_id(), true);
    let mut strategies = MockStrategyRepository::new();
    let (p2, t2) = (paused.clone(), theirs.clone());
    strategies.expect_get().returning(move |id, _| match id {
        id if id == p2.id => Ok(p2.clone()),
        id if id == t2.id => Ok(t2.clone()),
        _ => Err(RepoError::NotFound),
    });
    let svc = service(
        MockChatSessionRepository::new(),
        strategies,
        PatientMocks::new(),
    );
    let clinician = principal_as(Role::Clinician, Some(a));
    let with = |id| StartChat {
        strategy_id: Some(id),
        ..StartChat::default()
    };
    for id in [theirs.id, ChatStrategyId(Uuid::nil())] {
        assert_err!(
            svc.start(&clinician, with(id)).await,
            ChatError::NotFound(Entity::ChatStrategy)
        );
    }
    match svc.start(&clinician, with(paused.id)).await {
        Err(ChatError::Invalid(errors)) => assert_eq!(
            errors[0].loc,
            [genascope_domain::common::Loc::from("strategy_id")]
        ),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn lab_techs_are_refused_and_simplified_tokens_may_not_analyze() {
    let a = account_id();
    let s = session(a, None, user_id(), &[]);
    let svc = service(
        holding(&s),
        MockStrategyRepository::new(),
        PatientMocks::new(),
    );
    let lab = principal_as(Role::LabTech, Some(a));
    assert_err!(
        svc.start(&lab, StartChat::default()).await,
        ChatError::Denied(Denial::NotPermitted)
    );
    assert_err!(svc.get(&lab, &s.id).await, ChatError::Denied(_));
    let simplified = Principal {
        access: AccessType::Simplified,
        ..patient_principal(a, PatientId(Uuid::new_v4()))
    };
    assert_err!(
        svc.analyze(&simplified, AnalyzeTarget::Session(s.id.clone()))
            .await,
        ChatError::Denied(Denial::SimplifiedAccess)
    );
    // The session assessment view is the care team's.
    assert_err!(
        svc.assessment(&principal_as(Role::User, Some(a)), &s.id)
            .await,
        ChatError::Denied(_)
    );
}

#[tokio::test]
async fn who_sees_which_session() {
    let a = account_id();
    let pid = PatientId(Uuid::new_v4());
    let member = principal_as(Role::User, Some(a));
    let mine = session(a, None, member.user_id, &[]);
    let the_patients = session(a, Some(pid), user_id(), &[]);
    let mut repo = holding(&mine);
    let t = the_patients.clone();
    let tid = t.id.clone();
    repo.expect_get()
        .withf(move |i| *i == tid)
        .returning(move |_| Ok(t.clone()));
    let svc = service(repo, MockStrategyRepository::new(), PatientMocks::new());
    svc.get(&member, &mine.id).await.unwrap();
    assert_err!(
        svc.get(&member, &the_patients.id).await,
        ChatError::NotFound(Entity::ChatSession)
    );
    svc.get(&patient_principal(a, pid), &the_patients.id)
        .await
        .unwrap();
    assert_err!(
        svc.get(&patient_principal(a, pid), &mine.id).await,
        ChatError::NotFound(Entity::ChatSession)
    );
    svc.get(&principal_as(Role::Physician, Some(a)), &mine.id)
        .await
        .unwrap();
    assert_err!(
        svc.get(&principal_as(Role::Admin, Some(account_id())), &mine.id)
            .await,
        ChatError::NotFound(Entity::ChatSession)
    );
    svc.get(&principal_as(Role::SuperAdmin, None), &the_patients.id)
        .await
        .unwrap();
}

#[tokio::test]
async fn answers_retry_safely_and_refuse_in_the_engines_words() {
    let a = account_id();
    let clinician = principal_as(Role::Clinician, Some(a));
    let s = session(a, None, clinician.user_id, &[(1, "yes")]);
    // No `save` is expected: none of these writes anything.
    let svc = service(
        holding(&s),
        MockStrategyRepository::new(),
        PatientMocks::new(),
    );
    let retry = svc
        .answer(&clinician, &s.id, 1, &AnswerInput::from(" YES "))
        .await
        .unwrap();
    assert!(retry.step.retry);
    assert_eq!(retry.session, s);
    assert_eq!(retry.step.next_question.map(|q| q.id.get()), Some(2));
    assert_err!(
        svc.answer(&clinician, &s.id, 3, &AnswerInput::from("mother"))
            .await,
        ChatError::NotCurrent { expected } if expected.get() == 2
    );
    assert_err!(
        svc.answer(&clinician, &s.id, 2, &AnswerInput::from("soon"))
            .await,
        ChatError::InvalidAnswer { .. }
    );
    let ended = ChatSession {
        status: SessionStatus::Cancelled,
        ended_at: Some(NOW),
        ..s.clone()
    };
    let svc = service(
        holding(&ended),
        MockStrategyRepository::new(),
        PatientMocks::new(),
    );
    assert_err!(
        svc.answer(&clinician, &s.id, 1, &AnswerInput::from("yes"))
            .await,
        ChatError::NotActive
    );
}

#[tokio::test]
async fn a_write_that_lost_a_race_is_recomputed_from_the_fresh_session() {
    let a = account_id();
    let clinician = principal_as(Role::Clinician, Some(a));
    let before = session(a, None, clinician.user_id, &[]);
    // Meanwhile another request accepted the same answer.
    let mut won = session(a, None, clinician.user_id, &[(1, "yes")]);
    won.id = before.id.clone();
    won.ref_id = before.ref_id;
    won.version = before.version + 1;
    let reads = Arc::new(AtomicUsize::new(0));
    let mut repo = MockChatSessionRepository::new();
    let (b, w, r) = (before.clone(), won.clone(), reads.clone());
    repo.expect_get().returning(move |_| {
        Ok(if r.fetch_add(1, Ordering::SeqCst) == 0 {
            b.clone()
        } else {
            w.clone()
        })
    });
    repo.expect_save()
        .withf(|w: &SessionWrite| w.version == 3)
        .times(1)
        .returning(|_| Err(RepoError::Stale));
    let svc = service(repo, MockStrategyRepository::new(), PatientMocks::new());
    let done = svc
        .answer(&clinician, &before.id, 1, &AnswerInput::from("yes"))
        .await
        .unwrap();
    assert!(
        done.step.retry,
        "on the fresh session, the same answer is the safe retry"
    );
    assert_eq!(done.session, won);
    assert_eq!(reads.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn the_last_answer_completes_and_stores_the_assessment_once_for_the_patient() {
    let a = account_id();
    let pid = PatientId(Uuid::new_v4());
    let me = patient_principal(a, pid);
    let s = session(a, Some(pid), me.user_id, MOTHER_AND_AUNT);
    assert_eq!(s.current_question.map(QuestionId::get), Some(26));
    let mut repo = holding(&s);
    let saved = Slot::<SessionWrite>::new();
    let s2 = saved.clone();
    repo.expect_save().times(1).returning(move |w| {
        s2.push(w.clone());
        Ok(())
    });
    let svc = service(repo, MockStrategyRepository::new(), PatientMocks::new());
    let done = svc
        .answer(&me, &s.id, 26, &AnswerInput::from("b"))
        .await
        .unwrap();
    assert!(done.step.completed);
    let w = saved.one();
    assert_eq!(w.version, 3);
    let after = &w.after;
    assert_eq!(after, &done.session);
    assert_eq!(after.version, 4);
    assert_eq!(after.status, SessionStatus::Completed);
    assert_eq!(after.completed_at, Some(NOW));
    assert_eq!(after.current_question, None);
    assert_eq!(after.progress_percentage, 100);
    assert_eq!(after.answers.len(), 23);
    let assessment = after.assessment.as_ref().expect("computed at completion");
    assert_eq!(assessment.body["nccn_eligible"], true);
    assert_eq!(assessment.body["profile_id"], assessment.id.to_string());
    let record = w.assessment.as_ref().expect("stored for the patient");
    assert_eq!(record.id, assessment.id);
    assert_eq!(record.patient_id, pid);
    assert_eq!(record.account_id, a);
    assert_eq!(record.body, assessment.body);
    assert_eq!(
        record.profile.as_ref(),
        Some(&after.extracted_data.to_value()),
        "the frozen profile"
    );
    let kinds: Vec<&str> = w.audit.iter().map(|e| e.record_type).collect();
    assert_eq!(kinds, ["chat_session", "assessment"]);

    // Unattached: the session keeps the assessment; no patient row is written.
    let member = principal_as(Role::User, Some(a));
    let s = session(a, None, member.user_id, MOTHER_AND_AUNT);
    let mut repo = holding(&s);
    repo.expect_save()
        .withf(|w: &SessionWrite| w.assessment.is_none() && w.after.assessment.is_some())
        .times(1)
        .returning(|_| Ok(()));
    let svc = service(repo, MockStrategyRepository::new(), PatientMocks::new());
    svc.answer(&member, &s.id, 26, &AnswerInput::from("b"))
        .await
        .unwrap();
}

#[tokio::test]
async fn chat_messages_clarify_or_advance_with_exactly_one_reply() {
    let a = account_id();
    let pid = PatientId(Uuid::new_v4());
    let me = patient_principal(a, pid);
    let s = session(a, Some(pid), me.user_id, &[(1, "yes")]);
    let mut repo = holding(&s);
    let saved = Slot::<SessionWrite>::new();
    let s2 = saved.clone();
    repo.expect_save().returning(move |w| {
        s2.push(w.clone());
        Ok(())
    });
    let svc = service(repo, MockStrategyRepository::new(), PatientMocks::new());
    let msg = |t: &str| -> MessageText { text(t) };
    let reply = svc.message(&me, &s.id, msg("soon"), None).await.unwrap();
    assert_eq!(reply.message_type, MessageType::Clarification);
    assert_eq!(reply.question_id.map(QuestionId::get), Some(2));
    assert!(
        reply
            .content
            .ends_with("At what age was your relative diagnosed?")
    );
    let reply = svc.message(&me, &s.id, msg("40"), None).await.unwrap();
    assert_eq!(reply.message_type, MessageType::Question);
    assert_eq!(reply.question_id.map(QuestionId::get), Some(3));
    let writes = saved.all();
    let (clarified, advanced) = (&writes[0], &writes[1]);
    assert_eq!(
        clarified.after.answers, s.answers,
        "an unclear answer changes nothing"
    );
    assert_eq!(clarified.after.message_count, 3);
    assert_eq!(clarified.messages[0].role, MessageRole::User);
    assert_eq!(clarified.messages[0].seq, 2);
    assert_eq!(clarified.messages[0].extracted_entities, None);
    assert_eq!(clarified.messages[1].seq, 3);
    assert_eq!(advanced.after.answers.len(), 2);
    assert!(advanced.messages[0].extracted_entities.is_some());

    // The last answer's reply is the summary, with no figure in it.
    let s = session(a, Some(pid), me.user_id, MOTHER_AND_AUNT);
    let mut repo = holding(&s);
    repo.expect_save().returning(|_| Ok(()));
    let svc = service(repo, MockStrategyRepository::new(), PatientMocks::new());
    let reply = svc.message(&me, &s.id, msg("b"), None).await.unwrap();
    assert_eq!(reply.message_type, MessageType::Summary);
    assert_eq!(reply.content, SUMMARY);
}

#[tokio::test]
async fn analysis_returns_the_stored_assessment_of_a_completed_session() {
    let a = account_id();
    let clinician = principal_as(Role::Clinician, Some(a));
    let active = session(a, None, clinician.user_id, &[]);
    let mut done = session(a, None, clinician.user_id, &[]);
    done.status = SessionStatus::Completed;
    done.current_question = None;
    done.completed_at = Some(NOW);
    let aid = Uuid::new_v4();
    done.assessment = Some(SessionAssessment {
        id: aid,
        body: serde_json::json!({"profile_id": aid, "nccn_eligible": false}),
    });
    let mut repo = holding(&active);
    let d = done.clone();
    let did = d.id.clone();
    repo.expect_get()
        .withf(move |i| *i == did)
        .returning(move |_| Ok(d.clone()));
    let svc = service(repo, MockStrategyRepository::new(), PatientMocks::new());
    assert_err!(
        svc.analyze(&clinician, AnalyzeTarget::Session(active.id.clone()))
            .await,
        ChatError::NotComplete
    );
    let got = svc
        .analyze(&clinician, AnalyzeTarget::Session(done.id.clone()))
        .await
        .unwrap();
    assert_eq!(got.assessment_id, aid);
    assert_eq!(got.session_id, done.id);
    assert_eq!(got.assessment["nccn_eligible"], false);
}

/// The patient views take the questionnaire's stage and its latest activity from the chat
/// sessions (one read per page): a completed session reads "Chat Completed", an active one
/// "Chat In Progress", whatever the invites say.
#[tokio::test]
async fn patient_views_show_where_the_questionnaire_stands() {
    use genascope_domain::invites::model::{ChatStage, ChatSummary};
    use genascope_domain::patients::model::ScreeningStatus;
    use genascope_domain::patients::ports::MockChatStages;
    let a = account_id();
    let (done, busy, none) = (patient(a), patient(a), patient(a));
    let mut m = PatientMocks::new();
    for p in [&done, &busy, &none] {
        existing(&mut m, p);
    }
    let later = NOW - time::Duration::hours(1);
    let (d, b) = (done.id, busy.id);
    let mut chats = MockChatStages::new();
    chats.expect_chat_summaries().returning(move |ids| {
        Ok(ids
            .iter()
            .filter_map(|id| match *id {
                id if id == d => Some(ChatSummary {
                    patient_id: id,
                    stage: ChatStage::Completed,
                    last_activity: later,
                }),
                id if id == b => Some(ChatSummary {
                    patient_id: id,
                    stage: ChatStage::InProgress,
                    last_activity: later,
                }),
                _ => None,
            })
            .collect())
    });
    m.chats = chats;
    let svc = m.service();
    let clinician = principal_as(Role::Clinician, Some(a));
    let done = svc.get(&clinician, done.id).await.unwrap();
    assert_eq!(done.screening_status, ScreeningStatus::ChatCompleted);
    assert_eq!(
        done.last_activity,
        later.date(),
        "the chat's activity is the latest"
    );
    let busy = svc.get(&clinician, busy.id).await.unwrap();
    assert_eq!(busy.screening_status, ScreeningStatus::ChatInProgress);
    let none = svc.get(&clinician, none.id).await.unwrap();
    assert_eq!(none.screening_status, ScreeningStatus::NotInvited);
    assert_eq!(none.last_activity, none.patient.updated_at.date());
}
