//! `ChatSessionRepository::step` on both backends: the read, the decision and the versioned
//! write; races; and decisions made on a copy of the session that is no longer the stored state.

use crate::questionnaire::{add, answered_yes, entry, new, one_stood, session, with_messages};
use crate::support::{at, audit, patient};
use genascope_adapters_postgres::testing::TestDb;
use genascope_domain::audit::AuditAction;
use genascope_domain::common::RepoError;
use genascope_domain::patients::ports::PatientRepository;
use genascope_domain::questionnaire::sessions::model::{ChatSession, SessionId};
use genascope_domain::questionnaire::sessions::ports::{
    ChatSessionRepository, Decide, SessionWrite,
};

/// `step`: the read, the decision and the versioned write in one call. Nothing to decide on a
/// missing session; a decision of nothing writes nothing; and two steps that read the same
/// version (each waits until the other has read) give one write and one `Stale`, never a lost
/// update.
pub async fn a_step_reads_decides_and_writes_once(t: &TestDb) {
    use genascope_domain::questionnaire::sessions::ports::Stepped;
    use std::sync::mpsc;
    use std::time::Duration;
    let repo: &dyn ChatSessionRepository = t.db();
    let (a, doc) = crate::support::clinic(t, "Step").await;
    let s = session(a, None, doc.id, "step", 0);
    repo.create(&new(&s, Vec::new())).await.unwrap();
    let missing = SessionId::parse("no-such-session").unwrap();
    let got = repo
        .step(&missing, Box::new(|_| panic!("nothing to decide on")))
        .await;
    assert!(matches!(got, Err(RepoError::NotFound)), "{got:?}");
    // Decided on the session as this process created it: a decision to write nothing is
    // `Stale` (decide again, on a fresh read), which is then `Unchanged`.
    let nothing = repo.step(&s.id, Box::new(|_| None)).await;
    assert!(matches!(nothing, Err(RepoError::Stale)), "{nothing:?}");
    assert_eq!(
        repo.step(&s.id, Box::new(|_| None)).await.unwrap(),
        Stepped::Unchanged
    );
    assert_eq!(repo.get(&s.id).await.unwrap(), s);

    // Two steps that both read the stored version: each tells the other it has read, and waits
    // (at most 10 s) to hear the same before it decides.
    let (tx1, rx1) = mpsc::channel::<()>();
    let (tx2, rx2) = mpsc::channel::<()>();
    let racer = |tell: mpsc::Sender<()>, hear: mpsc::Receiver<()>, n: u32| -> Decide {
        Box::new(move |current: &ChatSession| {
            let _ = tell.send(());
            let _ = hear.recv_timeout(Duration::from_secs(10));
            Some(with_messages(current, n))
        })
    };
    let (r1, r2) = tokio::join!(
        repo.step(&s.id, racer(tx1, rx2, 1)),
        repo.step(&s.id, racer(tx2, rx1, 2))
    );
    let stored = one_stood(repo, &s.id, r1, r2).await;
    assert_eq!(stored.version, s.version + 1);

    // The next step builds on the winner's write.
    let one = repo
        .step(
            &s.id,
            Box::new(move |current| Some(with_messages(current, 1))),
        )
        .await
        .unwrap();
    assert_eq!(one, Stepped::Written);
    let last = repo.get(&s.id).await.unwrap();
    assert_eq!(
        (last.version, last.message_count),
        (stored.version + 1, stored.message_count + 1)
    );
    // A decision to write nothing, just after a write: `Stale` where it was made on the
    // session as this process last wrote it, never on the stored row: the caller decides
    // again, on a fresh read.
    let nothing = repo.step(&s.id, Box::new(|_| None)).await;
    assert!(
        matches!(nothing, Ok(Stepped::Unchanged) | Err(RepoError::Stale)),
        "{nothing:?}"
    );
    assert_eq!(
        repo.step(&s.id, Box::new(|_| None)).await.unwrap(),
        Stepped::Unchanged
    );
    assert_eq!(repo.get(&s.id).await.unwrap(), last);
}

/// A step decided on a copy of the session that is no longer the stored state writes nothing:
/// another process (a second handle on the same database) wrote the session meanwhile, or its
/// patient was deleted. Steps on SQLite decide on the session as this process last wrote it,
/// when kept; these are the cases where that copy is wrong.
pub async fn a_step_on_an_outdated_copy_writes_nothing(t: &TestDb) {
    use genascope_domain::questionnaire::sessions::ports::Stepped;
    let repo: &dyn ChatSessionRepository = t.db();
    let (a, doc) = crate::support::clinic(t, "Copies").await;
    let p = patient(a, "p@copies.org", "Pat", "Copies");
    add(t, &p).await;
    let s = session(a, Some(p.id), doc.id, "copies", 0);
    repo.create(&new(&s, Vec::new())).await.unwrap();
    // Each write adds one to the progress: a lost or doubled write shows there.
    let bump = || -> Decide {
        Box::new(|current: &ChatSession| {
            Some(SessionWrite {
                after: ChatSession {
                    progress_percentage: current.progress_percentage + 1,
                    last_activity: at(1),
                    version: current.version + 1,
                    ..current.clone()
                },
                version: current.version,
                messages: Vec::new(),
                assessment: None,
                audit: vec![entry(current, AuditAction::Update)],
            })
        })
    };
    assert_eq!(repo.step(&s.id, bump()).await.unwrap(), Stepped::Written);
    let other = genascope_adapters_postgres::Database::connect(t.url()).unwrap();
    assert_eq!(
        ChatSessionRepository::step(&other, &s.id, bump())
            .await
            .unwrap(),
        Stepped::Written
    );
    // This handle's copy (if it kept one) is one write behind.
    match repo.step(&s.id, bump()).await {
        Ok(Stepped::Written) => {}
        Err(RepoError::Stale) => {
            assert_eq!(repo.step(&s.id, bump()).await.unwrap(), Stepped::Written);
        }
        other => panic!("{other:?}"),
    }
    let stored = repo.get(&s.id).await.unwrap();
    assert_eq!(
        (stored.progress_percentage, stored.version),
        (3, s.version + 3),
        "every write kept once"
    );

    // The patient is deleted: no step writes to their session any more.
    PatientRepository::soft_delete(t.db(), p.id, at(9), &audit(AuditAction::Delete))
        .await
        .unwrap();
    let after_delete = repo.step(&s.id, bump()).await;
    assert!(
        matches!(after_delete, Err(RepoError::NotFound | RepoError::Stale)),
        "{after_delete:?}"
    );
    assert!(matches!(
        repo.step(&s.id, bump()).await,
        Err(RepoError::NotFound)
    ));
    let (version, progress): (i32, i32) = {
        use diesel::{QueryableByName, RunQueryDsl};
        #[derive(QueryableByName)]
        struct Row {
            #[diesel(sql_type = diesel::sql_types::Integer)]
            version: i32,
            #[diesel(sql_type = diesel::sql_types::Integer)]
            progress_percentage: i32,
        }
        let row: Row = diesel::sql_query(
            "SELECT version, progress_percentage FROM chat_sessions WHERE id = 'copies'",
        )
        .get_result(&mut *t.db().connection().unwrap())
        .unwrap();
        (row.version, row.progress_percentage)
    };
    assert_eq!((version, progress), (s.version + 3, 3), "nothing written");
}

/// An answer's write (the session stays active, one audit entry, no message; on PostgreSQL the
/// answer writers' batch statement): the row and its audit entry are written together, or neither
/// when the version read is no longer the stored one. And it changes nothing the principal
/// cache holds: the request need not wait for the cache's fence.
pub async fn an_answer_writes_its_row_and_audit_entry_together(t: &TestDb) {
    use genascope_adapters_postgres::track_writes;
    use genascope_domain::questionnaire::sessions::ports::Stepped;
    let repo: &dyn ChatSessionRepository = t.db();
    let (a, doc) = crate::support::clinic(t, "Answers").await;
    let p = patient(a, "p@answers.org", "Ann", "Answers");
    add(t, &p).await;
    let s = session(a, Some(p.id), doc.id, "answers", 0);
    repo.create(&new(&s, Vec::new())).await.unwrap();
    let (after, _) = answered_yes(&s);
    let mut logged = entry(&after, AuditAction::Update);
    logged.actor_id = Some(doc.id);
    let write = SessionWrite {
        after: after.clone(),
        version: s.version,
        messages: Vec::new(),
        assessment: None,
        audit: vec![logged],
    };
    // The session's updates in the audit log, as (action, record type, actor, count).
    let updates = || {
        crate::audit::rows(t)
            .into_iter()
            .filter(|r| r.action == "update" && r.record_id == Some(s.ref_id.to_string()))
            .map(|r| (r.record_type, r.actor_id, r.record_count))
            .collect::<Vec<_>>()
    };
    let once = write.clone();
    let (stepped, notifying) = track_writes(repo.step(&s.id, Box::new(move |_| Some(once)))).await;
    assert_eq!(stepped.unwrap(), Stepped::Written);
    assert!(
        !notifying,
        "an answer is no change the principal cache holds"
    );
    assert_eq!(repo.get(&s.id).await.unwrap(), after);
    let one = vec![(
        "chat_session".to_owned(),
        Some(doc.id.0.to_string()),
        Some(1),
    )];
    assert_eq!(updates(), one);
    // The same write again: the version it was decided on is gone. Nothing written, no entry.
    let again = write.clone();
    let stale = repo.step(&s.id, Box::new(move |_| Some(again))).await;
    assert!(matches!(stale, Err(RepoError::Stale)), "{stale:?}");
    assert_eq!(repo.get(&s.id).await.unwrap(), after);
    assert_eq!(updates(), one);
}

/// Answers to many sessions at once (on PostgreSQL they are written in batches, several
/// sessions to a statement): each written with its own audit entry, every column of it; and of
/// two answers decided on the same version of one session (sent back to back, so often in the
/// same batch), exactly one is written, with its entry alone, the other `Stale`.
pub async fn answers_to_many_sessions_at_once(t: &TestDb) {
    use genascope_domain::audit::AuditEntry;
    use genascope_domain::questionnaire::sessions::ports::Stepped;
    let db = t.db().clone();
    let repo: &dyn ChatSessionRepository = t.db();
    let (a, doc) = crate::support::clinic(t, "Batch").await;
    let mut sessions = Vec::new();
    for i in 0..16u8 {
        // Half with a patient: the write checks that the patient is still live.
        let p = if i % 2 == 0 {
            let p = patient(a, &format!("p{i}@batch.org"), "Bea", &format!("Batch{i}"));
            add(t, &p).await;
            Some(p.id)
        } else {
            None
        };
        let s = session(a, p, doc.id, &format!("batch-{i}"), i64::from(i));
        repo.create(&new(&s, Vec::new())).await.unwrap();
        sessions.push(s);
    }
    // (session index, racer, the write): racer 0 for every session, racer 1 for the first four.
    let mut writes: Vec<(usize, u8, SessionWrite)> = Vec::new();
    for (i, s) in sessions.iter().enumerate() {
        for racer in 0..if i < 4 { 2 } else { 1 } {
            let (after, _) = answered_yes(s);
            let mut logged = entry(&after, AuditAction::Update);
            logged.actor_id = (racer == 0).then_some(doc.id);
            logged.at = at(10 + i64::try_from(i).unwrap());
            writes.push((
                i,
                racer,
                SessionWrite {
                    after,
                    version: s.version,
                    messages: Vec::new(),
                    assessment: None,
                    audit: vec![logged],
                },
            ));
        }
    }
    let mut running = tokio::task::JoinSet::new();
    for (i, racer, write) in writes.clone() {
        let db = db.clone();
        let id = sessions[i].id.clone();
        running.spawn(async move {
            let got = db.step(&id, Box::new(move |_| Some(write))).await;
            (i, racer, got)
        });
    }
    let mut won: Vec<Option<u8>> = vec![None; sessions.len()];
    while let Some(done) = running.join_next().await {
        let (i, racer, got) = done.unwrap();
        match got {
            Ok(Stepped::Written) => {
                assert_eq!(
                    won[i], None,
                    "session {i}: two answers on one version written"
                );
                won[i] = Some(racer);
            }
            Err(RepoError::Stale) => assert!(i < 4, "session {i}: stale with no rival"),
            other => panic!("session {i}, racer {racer}: {other:?}"),
        }
    }
    let stored_entries = crate::audit::every_column(t);
    for (i, s) in sessions.iter().enumerate() {
        let racer = won[i].unwrap_or_else(|| panic!("session {i}: no answer written"));
        let (_, _, write) = writes
            .iter()
            .find(|(j, r, _)| *j == i && *r == racer)
            .unwrap();
        assert_eq!(repo.get(&s.id).await.unwrap(), write.after, "session {i}");
        let expected: &AuditEntry = &write.audit[0];
        let updates: Vec<_> = stored_entries
            .iter()
            .filter(|e| e.row.action == "update" && e.row.record_id == Some(s.ref_id.to_string()))
            .collect();
        assert_eq!(updates.len(), 1, "session {i}: {updates:?}");
        let e = updates[0];
        assert_eq!(e.id, expected.id.to_string(), "session {i}");
        assert_eq!(e.at, crate::audit::stored_at(expected.at), "session {i}");
        assert_eq!(e.account_id, Some(a.0.to_string()));
        let r = &e.row;
        assert_eq!(r.actor_id, expected.actor_id.map(|u| u.0.to_string()));
        assert_eq!(r.record_type, "chat_session");
        assert_eq!(
            (r.record_count, r.record_ids.as_ref(), r.query.as_ref()),
            (Some(1), None, None)
        );
    }
}
