//! `StrategyRepository` and `ChatSessionRepository` (issue #8): strategies with their unique live
//! names, optimistic updates and soft delete; sessions with their messages, the one active
//! session per patient, the versioned writes, the completion that stores the patient's assessment
//! in the same transaction, the scoped lists, and the patient views' stages for a page.

use crate::support::{at, audit, patient};
use genascope_adapters_postgres::testing::TestDb;
use genascope_domain::audit::{AuditAction, AuditEntry, AuditRecords};
use genascope_domain::clinical::ports::{AssessmentRecord, AssessmentRepository};
use genascope_domain::common::{AccountId, ChatStrategyId, PatientId, RepoError, Text, UserId};
use genascope_domain::identity::policy::ListScope;
use genascope_domain::identity::ports::AccountRepository;
use genascope_domain::invites::model::ChatStage;
use genascope_domain::patients::model::Patient;
use genascope_domain::patients::ports::{ChatStages, PatientFilter, PatientRepository};
use genascope_domain::questionnaire::sessions::model::{
    ChatContext, ChatMessage, ChatSession, HistoryEntry, JsonText, MessageRole, MessageType,
    SessionAssessment, SessionId, SessionStatus, SessionType,
};
use genascope_domain::questionnaire::sessions::ports::{
    ChatSessionRepository, NewSession, SessionFilter, SessionScope, SessionWrite,
};
use genascope_domain::questionnaire::strategies::model::{
    ActionType, OutcomeAction, OutcomeCondition, RuleOperator, Specialty, Strategy, TargetingRule,
};
use genascope_domain::questionnaire::strategies::ports::{StrategyFilter, StrategyRepository};
use genascope_domain::questionnaire::{AnswerInput, QuestionId, Questionnaire};
use serde_json::json;
use uuid::Uuid;

fn text<const MAX: usize, const MULTILINE: bool>(s: &str) -> Text<MAX, MULTILINE> {
    Text::parse("text", s).unwrap().unwrap()
}

fn strategy(account: AccountId, name: &str, minute: i64) -> Strategy {
    Strategy {
        id: ChatStrategyId(Uuid::new_v4()),
        account_id: account,
        name: text(name),
        description: Some(text("line one\nline two")),
        goal: None,
        patient_introduction: Some(text("Welcome.")),
        specialty: Some(Specialty::Genetics),
        is_active: true,
        version: 1,
        created_by: None,
        created_at: at(minute),
        updated_at: at(minute),
        deleted_at: None,
        knowledge_sources: Vec::new(),
        targeting_rules: vec![TargetingRule {
            id: Uuid::new_v4(),
            field: "age".into(),
            operator: RuleOperator::IsBetween,
            value: json!([30, 70]),
            sequence: 0,
        }],
        outcome_actions: vec![OutcomeAction {
            id: Uuid::new_v4(),
            condition: OutcomeCondition::IncompleteData,
            action_type: ActionType::SendMessage,
            details: json!({"template": "reminder"}).as_object().unwrap().clone(),
            sequence: 1,
        }],
    }
}

fn scoped(scope: ListScope) -> StrategyFilter {
    StrategyFilter {
        scope,
        active_only: false,
        specialty: None,
        skip: 0,
        limit: 100,
    }
}

pub async fn strategies_unique_names_versions_and_soft_delete(t: &TestDb) {
    let repo: &dyn StrategyRepository = t.db();
    let (a, _) = crate::support::clinic(t, "Strat").await;
    let (b, _) = crate::support::clinic(t, "Other").await;
    let first = strategy(a, "Screening", 0);
    repo.insert(&first).await.unwrap();
    assert_eq!(
        repo.get(first.id, false).await.unwrap(),
        first,
        "stored as given"
    );
    // Names are unique among an account's live strategies, case-insensitively.
    let clash = strategy(a, " SCREENING", 1);
    assert!(matches!(
        repo.insert(&clash).await,
        Err(RepoError::Duplicate("strategy_name"))
    ));
    repo.insert(&strategy(b, "Screening", 1)).await.unwrap();
    // An unknown account: not found.
    assert!(matches!(
        repo.insert(&strategy(AccountId(Uuid::new_v4()), "Nowhere", 1))
            .await,
        Err(RepoError::NotFound)
    ));
    // Versioned updates.
    let second = strategy(a, "Second", 2);
    repo.insert(&second).await.unwrap();
    let mut renamed = Strategy {
        name: text("Renamed"),
        specialty: None,
        goal: Some(text("A goal")),
        targeting_rules: Vec::new(),
        version: 2,
        updated_at: at(5),
        ..second.clone()
    };
    repo.update(&renamed, 1).await.unwrap();
    assert_eq!(repo.get(second.id, false).await.unwrap(), renamed);
    assert!(matches!(
        repo.update(&renamed, 1).await,
        Err(RepoError::Stale)
    ));
    renamed.name = text("screening");
    renamed.version = 3;
    assert!(matches!(
        repo.update(&renamed, 2).await,
        Err(RepoError::Duplicate("strategy_name"))
    ));
    // Lists: the scope, filters, updated_at desc, paging.
    let page = |f: StrategyFilter| async move {
        repo.list(&f)
            .await
            .unwrap()
            .into_iter()
            .map(|s| s.id)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        page(scoped(ListScope::Account(a))).await,
        [second.id, first.id]
    );
    assert_eq!(page(scoped(ListScope::All)).await.len(), 3);
    assert!(page(scoped(ListScope::Nothing)).await.is_empty());
    let genetics = StrategyFilter {
        specialty: Some(Specialty::Genetics),
        ..scoped(ListScope::Account(a))
    };
    assert_eq!(page(genetics).await, [first.id]);
    let paged = StrategyFilter {
        skip: 1,
        limit: 1,
        ..scoped(ListScope::Account(a))
    };
    assert_eq!(page(paged).await, [first.id]);
    // The default: the oldest live active strategy.
    assert_eq!(
        repo.default_for(a).await.unwrap().map(|s| s.id),
        Some(first.id)
    );
    let paused = Strategy {
        is_active: false,
        version: 2,
        updated_at: at(6),
        ..first.clone()
    };
    repo.update(&paused, 1).await.unwrap();
    assert_eq!(
        repo.default_for(a).await.unwrap().map(|s| s.id),
        Some(second.id)
    );
    let active_only = StrategyFilter {
        active_only: true,
        ..scoped(ListScope::Account(a))
    };
    assert_eq!(page(active_only).await, [second.id]);
    // Soft delete: hidden, except to sessions that name it; its name is free again.
    assert!(matches!(
        repo.delete(second.id, 1, at(7)).await,
        Err(RepoError::Stale)
    ));
    repo.delete(second.id, 2, at(7)).await.unwrap();
    assert!(matches!(
        repo.get(second.id, false).await,
        Err(RepoError::NotFound)
    ));
    let kept = repo.get(second.id, true).await.unwrap();
    assert_eq!(kept.deleted_at, Some(at(7)));
    assert_eq!(kept.name.as_str(), "Renamed");
    assert!(matches!(
        repo.delete(second.id, 3, at(8)).await,
        Err(RepoError::NotFound)
    ));
    assert_eq!(repo.default_for(a).await.unwrap(), None);
    repo.insert(&strategy(a, "renamed", 9)).await.unwrap();
    // A deleted account's strategies are nobody's.
    AccountRepository::soft_delete(t.db(), b, at(10))
        .await
        .unwrap();
    assert_eq!(page(scoped(ListScope::All)).await.len(), 2);
}

/// A new session of `patient` (or unattached) at question 1, created by `by` at `minute`.
pub(crate) fn session(
    account: AccountId,
    patient: Option<PatientId>,
    by: UserId,
    id: &str,
    minute: i64,
) -> ChatSession {
    let q = Questionnaire::start();
    ChatSession {
        id: SessionId::parse(id).unwrap(),
        ref_id: Uuid::new_v4(),
        account_id: account,
        patient_id: patient,
        created_by: by,
        strategy_id: None,
        strategy_name: None,
        session_type: SessionType::Screening,
        status: SessionStatus::Active,
        chat_context: ChatContext::new(json!({"source": "test"})).unwrap(),
        answers: Vec::new(),
        extracted_data: JsonText::of(q.profile()).unwrap(),
        current_question: Some(QuestionId::FIRST),
        progress_percentage: 0,
        message_count: 0,
        initial_message: None,
        assessment: None,
        started_at: at(minute),
        last_activity: at(minute),
        completed_at: None,
        ended_at: None,
        end_reason: None,
        version: 1,
    }
}

pub(crate) fn entry(s: &ChatSession, action: AuditAction) -> AuditEntry {
    AuditEntry {
        record_type: "chat_session",
        records: AuditRecords::One(s.ref_id),
        account_id: Some(s.account_id),
        ..audit(action)
    }
}

pub(crate) fn new(s: &ChatSession, messages: Vec<ChatMessage>) -> NewSession {
    NewSession {
        session: s.clone(),
        messages,
        supersede: None,
        audit: vec![entry(s, AuditAction::Create)],
    }
}

pub(crate) fn message(
    s: &ChatSession,
    seq: u32,
    role: MessageRole,
    kind: MessageType,
    content: &str,
) -> ChatMessage {
    ChatMessage {
        id: Uuid::new_v4(),
        session_id: s.id.clone(),
        seq,
        role,
        message_type: kind,
        content: content.into(),
        question_id: QuestionId::new(1),
        extracted_entities: (role == MessageRole::User)
            .then(|| json!({"type": "yes_no", "value": "yes"})),
        metadata: (role == MessageRole::User)
            .then(|| json!({"ui": "web"}).as_object().unwrap().clone()),
        created_at: s.last_activity,
    }
}

/// `s` after "yes" to its first question at minute 2 (one version on), and the questionnaire
/// that answer leaves.
pub(crate) fn answered_yes(s: &ChatSession) -> (ChatSession, Questionnaire) {
    let mut q = s.questionnaire().unwrap();
    let step = q.answer(1, &AnswerInput::from("yes")).unwrap();
    let after = ChatSession {
        answers: vec![HistoryEntry {
            question_id: step.question.id,
            answer: step.answer.clone(),
            raw: "yes".into(),
            answered_at: at(2),
        }],
        extracted_data: JsonText::of(q.profile()).unwrap(),
        current_question: q.current_question().map(|q| q.id),
        progress_percentage: q.progress_percentage(),
        last_activity: at(2),
        version: s.version + 1,
        ..s.clone()
    };
    (after, q)
}

/// The write that adds `n` user messages to `current` (computed from its version).
pub(crate) fn with_messages(current: &ChatSession, n: u32) -> SessionWrite {
    let after = ChatSession {
        message_count: current.message_count + n,
        last_activity: at(1),
        version: current.version + 1,
        ..current.clone()
    };
    SessionWrite {
        messages: (1..=n)
            .map(|i| {
                let seq = current.message_count + i;
                message(&after, seq, MessageRole::User, MessageType::Answer, "x")
            })
            .collect(),
        after,
        version: current.version,
        assessment: None,
        audit: vec![entry(current, AuditAction::Update)],
    }
}

/// Of two writes computed from the same version, exactly one stood and the other is `Stale`;
/// the stored session has the winner's messages only. Returns it.
pub(crate) async fn one_stood<T: std::fmt::Debug>(
    repo: &dyn ChatSessionRepository,
    id: &SessionId,
    r1: Result<T, RepoError>,
    r2: Result<T, RepoError>,
) -> ChatSession {
    let outcomes = [r1.is_ok(), r2.is_ok()];
    assert_eq!(
        outcomes.iter().filter(|ok| **ok).count(),
        1,
        "{r1:?} {r2:?}"
    );
    assert!(matches!(
        if outcomes[0] { r2 } else { r1 },
        Err(RepoError::Stale)
    ));
    let stored = repo.get(id).await.unwrap();
    let messages = repo.messages(id, 10).await.unwrap();
    assert_eq!(
        messages.len(),
        stored.message_count as usize,
        "the winner's messages only"
    );
    stored
}

pub(crate) async fn add(t: &TestDb, p: &Patient) {
    PatientRepository::insert(t.db(), p, &audit(AuditAction::Create))
        .await
        .unwrap();
}

pub async fn sessions_create_answer_and_read(t: &TestDb) {
    let repo: &dyn ChatSessionRepository = t.db();
    let (a, doc) = crate::support::clinic(t, "Chat").await;
    let p = patient(a, "p@chat.org", "Pat", "Chat");
    add(t, &p).await;
    let s = session(a, Some(p.id), doc.id, "visit-1", 0);
    let opening = message(
        &s,
        1,
        MessageRole::Assistant,
        MessageType::Question,
        "Hello. Do you have…?",
    );
    let s = ChatSession {
        message_count: 1,
        initial_message: Some(opening.content.clone()),
        ..s
    };
    repo.create(&new(&s, vec![opening.clone()])).await.unwrap();
    assert_eq!(repo.get(&s.id).await.unwrap(), s, "stored as given");
    assert_eq!(
        repo.active_for_patient(p.id).await.unwrap(),
        Some(s.clone())
    );
    // The id is taken; the patient already has an active session.
    let twin = session(a, None, doc.id, "visit-1", 1);
    assert!(matches!(
        repo.create(&new(&twin, Vec::new())).await,
        Err(RepoError::Duplicate("id"))
    ));
    let second = session(a, Some(p.id), doc.id, "visit-2", 1);
    assert!(matches!(
        repo.create(&new(&second, Vec::new())).await,
        Err(RepoError::Duplicate("active_session"))
    ));

    // An answer: the row replaced if its version is still the one read, messages appended.
    let (after, q) = answered_yes(&s);
    let after = ChatSession {
        message_count: 3,
        ..after
    };
    let write = SessionWrite {
        after: after.clone(),
        version: 1,
        messages: vec![
            message(&after, 2, MessageRole::User, MessageType::Answer, "yes"),
            message(
                &after,
                3,
                MessageRole::Assistant,
                MessageType::Question,
                "At what age…?",
            ),
        ],
        assessment: None,
        audit: vec![entry(&after, AuditAction::Update)],
    };
    repo.save(&write).await.unwrap();
    let stored = repo.get(&s.id).await.unwrap();
    assert_eq!(stored, after);
    assert_eq!(
        stored.questionnaire().unwrap(),
        q,
        "replays to the same state"
    );
    // The same write again lost the race.
    assert!(matches!(repo.save(&write).await, Err(RepoError::Stale)));
    let gone = SessionWrite {
        after: session(a, None, doc.id, "nobody", 2),
        ..write.clone()
    };
    assert!(matches!(repo.save(&gone).await, Err(RepoError::NotFound)));
    // Messages: the latest `limit`, oldest first.
    let all = repo.messages(&s.id, 100).await.unwrap();
    assert_eq!(all.iter().map(|m| m.seq).collect::<Vec<_>>(), [1, 2, 3]);
    assert_eq!(all[0], opening);
    assert_eq!(all[1], write.messages[0]);
    let last_two = repo.messages(&s.id, 2).await.unwrap();
    assert_eq!(last_two.iter().map(|m| m.seq).collect::<Vec<_>>(), [2, 3]);

    // Replacing: the active session ended in the transaction that creates the new one.
    let ended = ChatSession {
        status: SessionStatus::Cancelled,
        ended_at: Some(at(3)),
        end_reason: Some("Replaced by a new session".into()),
        last_activity: at(3),
        version: 3,
        ..after.clone()
    };
    let stale_end = NewSession {
        supersede: Some(ChatSession {
            version: 2,
            ..ended.clone()
        }),
        ..new(&second, Vec::new())
    };
    assert!(matches!(
        repo.create(&stale_end).await,
        Err(RepoError::Stale)
    ));
    assert!(
        matches!(repo.get(&second.id).await, Err(RepoError::NotFound)),
        "rolled back"
    );
    let replace = NewSession {
        supersede: Some(ended.clone()),
        ..new(&second, Vec::new())
    };
    repo.create(&replace).await.unwrap();
    assert_eq!(repo.get(&s.id).await.unwrap(), ended);
    assert_eq!(
        repo.active_for_patient(p.id).await.unwrap(),
        Some(second.clone())
    );

    // Completion: the session and the patient's assessment in one transaction.
    let aid = Uuid::new_v4();
    let body = json!({"profile_id": aid, "is_eligible": false, "nccn_eligible": false,
                      "tyrer_cuzick_score": 9.5, "assessed_at": "2026-03-01T09:04:00Z"});
    let done = ChatSession {
        status: SessionStatus::Completed,
        current_question: None,
        progress_percentage: 100,
        completed_at: Some(at(4)),
        last_activity: at(4),
        assessment: Some(SessionAssessment {
            id: aid,
            body: body.clone(),
        }),
        version: 2,
        ..second.clone()
    };
    let record = AssessmentRecord {
        id: aid,
        account_id: a,
        patient_id: p.id,
        created_by: Some(doc.id),
        assessed_at: at(4),
        body: body.clone(),
        profile: Some(json!({"proband": {"age": 40}})),
    };
    // A failing assessment insert (its id taken) rolls the completion back.
    let earlier = AssessmentRecord {
        assessed_at: at(3),
        ..record.clone()
    };
    AssessmentRepository::insert(t.db(), &earlier, &audit(AuditAction::Create))
        .await
        .unwrap();
    let completion = SessionWrite {
        after: done.clone(),
        version: 1,
        messages: Vec::new(),
        assessment: Some(record.clone()),
        audit: vec![entry(&done, AuditAction::Update)],
    };
    assert!(repo.save(&completion).await.is_err());
    assert_eq!(
        repo.get(&second.id).await.unwrap().status,
        SessionStatus::Active
    );
    let fresh = AssessmentRecord {
        id: Uuid::new_v4(),
        ..record
    };
    let done = ChatSession {
        assessment: Some(SessionAssessment {
            id: fresh.id,
            body: body.clone(),
        }),
        ..done
    };
    // A completion decided on a version that moved on writes nothing, its assessment neither
    // (PostgreSQL writes it in the same statement as the session, `at_once`).
    let stale = SessionWrite {
        after: done.clone(),
        version: 0,
        assessment: Some(fresh.clone()),
        ..completion.clone()
    };
    assert!(matches!(repo.save(&stale).await, Err(RepoError::Stale)));
    let latest = AssessmentRepository::latest_for_patient(t.db(), p.id)
        .await
        .unwrap();
    assert_eq!(
        latest.map(|r| r.id),
        Some(earlier.id),
        "no assessment stored"
    );
    repo.save(&SessionWrite {
        after: done.clone(),
        assessment: Some(fresh.clone()),
        ..completion
    })
    .await
    .unwrap();
    assert_eq!(repo.get(&second.id).await.unwrap(), done);
    let latest = AssessmentRepository::latest_for_patient(t.db(), p.id)
        .await
        .unwrap();
    assert_eq!(latest.map(|r| r.id), Some(fresh.id));
    assert_eq!(repo.active_for_patient(p.id).await.unwrap(), None);
}

pub async fn session_lists_scopes_and_stages(t: &TestDb) {
    let repo: &dyn ChatSessionRepository = t.db();
    let (a, doc) = crate::support::clinic(t, "Lists").await;
    let (b, other) = crate::support::clinic(t, "Elsewhere").await;
    let p = patient(a, "p@lists.org", "Pat", "L");
    let q = patient(a, "q@lists.org", "Quinn", "L");
    let r = patient(b, "r@lists.org", "Rae", "L");
    for x in [&p, &q, &r] {
        add(t, x).await;
    }
    let member = UserId(Uuid::new_v4());
    let done = |s: ChatSession| ChatSession {
        status: SessionStatus::Completed,
        current_question: None,
        completed_at: Some(s.last_activity),
        assessment: Some(SessionAssessment {
            id: Uuid::new_v4(),
            body: json!({}),
        }),
        ..s
    };
    let cancelled = |s: ChatSession| ChatSession {
        status: SessionStatus::Cancelled,
        ended_at: Some(s.last_activity),
        ..s
    };
    let sessions = [
        done(session(a, Some(p.id), doc.id, "p-done", 1)),
        session(a, Some(p.id), p.id.into(), "p-active", 5),
        cancelled(session(a, Some(q.id), doc.id, "q-cancelled", 3)),
        session(a, None, member, "member", 4),
        session(a, None, doc.id, "preview", 2),
        session(b, Some(r.id), other.id, "r-active", 6),
    ];
    for s in &sessions {
        repo.create(&new(s, Vec::new())).await.unwrap();
    }
    let list = |scope, patient, status| async move {
        repo.list(&SessionFilter {
            scope,
            patient_id: patient,
            status,
            limit: 100,
        })
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.id.to_string())
        .collect::<Vec<_>>()
    };
    use SessionScope as S;
    assert_eq!(
        list(S::Account(a), None, None).await,
        ["p-active", "member", "q-cancelled", "preview", "p-done"],
        "by last activity, latest first"
    );
    assert_eq!(list(S::All, None, None).await.len(), 6);
    assert!(list(S::Nothing, None, None).await.is_empty());
    assert_eq!(
        list(S::Patient(a, p.id), None, None).await,
        ["p-active", "p-done"]
    );
    assert!(list(S::Patient(b, p.id), None, None).await.is_empty());
    assert_eq!(list(S::Creator(a, member), None, None).await, ["member"]);
    assert_eq!(
        list(S::Account(a), Some(p.id), Some(SessionStatus::Completed)).await,
        ["p-done"]
    );
    assert!(list(S::Account(a), Some(r.id), None).await.is_empty());
    let two = repo
        .list(&SessionFilter {
            scope: S::Account(a),
            patient_id: None,
            status: None,
            limit: 2,
        })
        .await
        .unwrap();
    assert_eq!(two.len(), 2);

    // The stages of a page of patients, in the page's order, one query per 1000 ids (a clinic's
    // page holds up to 1000 patients; ids without sessions are absent).
    let mut page: Vec<PatientId> = (0..1500).map(|_| PatientId(Uuid::new_v4())).collect();
    page.insert(1200, q.id);
    page.insert(3, r.id);
    page.insert(700, p.id);
    let chats: &dyn ChatStages = t.db();
    let got = chats.chat_summaries(&page).await.unwrap();
    let stages: Vec<(PatientId, ChatStage)> = got.iter().map(|s| (s.patient_id, s.stage)).collect();
    assert_eq!(
        stages,
        [
            (r.id, ChatStage::InProgress),
            (p.id, ChatStage::Completed),
            (q.id, ChatStage::NotStarted),
        ]
    );
    assert_eq!(
        got[1].last_activity,
        at(5),
        "the latest activity of its sessions"
    );
    assert!(chats.chat_summaries(&[]).await.unwrap().is_empty());
    // The patient list reads the same stages with its page (one call, one connection).
    let listed = PatientRepository::list(
        t.db(),
        &PatientFilter {
            scope: ListScope::Account(a),
            query: None,
            status: None,
            clinician_id: None,
            offset: 0,
            limit: 50,
        },
    )
    .await
    .unwrap();
    let mut ids: Vec<PatientId> = listed.views.iter().map(|v| v.patient.id).collect();
    ids.sort();
    let mut expected = vec![p.id, q.id];
    expected.sort();
    assert_eq!(ids, expected, "account a's patients");
    let mut page_chats = listed.chats.clone();
    page_chats.sort_by_key(|c| c.patient_id);
    let mut alone = chats.chat_summaries(&[p.id, q.id]).await.unwrap();
    alone.sort_by_key(|c| c.patient_id);
    assert_eq!(page_chats, alone);
    assert_eq!(page_chats.len(), 2);
    assert!(listed.invites.is_empty(), "no invites here");

    // A deleted patient's sessions are nobody's.
    PatientRepository::soft_delete(t.db(), p.id, at(9), &audit(AuditAction::Delete))
        .await
        .unwrap();
    assert!(matches!(
        repo.get(&SessionId::parse("p-active").unwrap()).await,
        Err(RepoError::NotFound)
    ));
    assert_eq!(repo.active_for_patient(p.id).await.unwrap(), None);
    assert_eq!(
        list(S::Account(a), None, None).await,
        ["member", "q-cancelled", "preview"]
    );
}

/// Two writes computed from the same version: exactly one stands, the other is `Stale`.
pub async fn concurrent_session_writes_do_not_lose_updates(t: &TestDb) {
    let repo: &dyn ChatSessionRepository = t.db();
    let (a, doc) = crate::support::clinic(t, "Race").await;
    let s = session(a, None, doc.id, "race", 0);
    repo.create(&new(&s, Vec::new())).await.unwrap();
    let (w1, w2) = (with_messages(&s, 1), with_messages(&s, 2));
    let (r1, r2) = tokio::join!(repo.save(&w1), repo.save(&w2));
    one_stood(repo, &s.id, r1, r2).await;
}
