//! Questionnaires of sessions as their last answer left them, for the session's next answer.
//!
//! A session stores its answers; its questionnaire is rebuilt from them by
//! [`Questionnaire::replay`], which checks the profile after every answer again: over a whole
//! interview, 351 validations for 26 answers, the largest share of an answer's decision in the
//! journey's profile (issue #8). The questionnaire an answer produced is kept here and serves the
//! same session's next decision, but only if its answers are exactly the session's (as read or
//! cached by storage): a questionnaire is a function of its answers (`replay` of `answers()`
//! rebuilds an equal value), so a kept one is never trusted beyond what the session says.

use crate::questionnaire::Questionnaire;
use crate::questionnaire::error::ReplayError;
use crate::questionnaire::sessions::model::{ChatSession, SessionId};
use std::collections::HashMap;
#[cfg(test)]
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

/// Most questionnaires kept (one per session answered recently; a few KB each).
const CAPACITY: usize = 1024;

/// See the module.
#[derive(Debug, Default)]
pub(super) struct Replays {
    kept: Mutex<HashMap<SessionId, Questionnaire>>,
    /// Replays done (the tests tell a kept questionnaire from a rebuilt one by it).
    #[cfg(test)]
    replayed: AtomicUsize,
}

impl Replays {
    /// `s`'s questionnaire: the one kept for it if it holds exactly `s`'s answers, else rebuilt
    /// from them. Either way it is no longer kept ([`Self::keep`] puts it back).
    ///
    /// # Errors
    /// `s`'s answers do not replay.
    pub(super) fn take(&self, s: &ChatSession) -> Result<Questionnaire, ReplayError> {
        let kept = self
            .kept
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&s.id);
        match kept {
            Some(q) if holds(&q, s) => Ok(q),
            _ => {
                #[cfg(test)]
                self.replayed.fetch_add(1, Ordering::Relaxed);
                s.questionnaire()
            }
        }
    }

    /// Keep `q` for session `id`'s next answer (one arbitrary other is dropped when full).
    pub(super) fn keep(&self, id: &SessionId, q: Questionnaire) {
        let mut kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        if kept.len() >= CAPACITY
            && !kept.contains_key(id)
            && let Some(other) = kept.keys().next().cloned()
        {
            kept.remove(&other);
        }
        kept.insert(id.clone(), q);
    }
}

/// Whether `q`'s answers are `s`'s, in order.
fn holds(q: &Questionnaire, s: &ChatSession) -> bool {
    let answers = q.answers();
    answers.len() == s.answers.len()
        && answers
            .iter()
            .zip(&s.answers)
            .all(|(a, h)| a.question_id == h.question_id && a.answer == h.answer)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::common::{AccountId, UserId};
    use crate::questionnaire::AnswerInput;
    use crate::questionnaire::sessions::model::{HistoryEntry, SessionStatus, SessionType};

    /// A session holding `q`'s answers (nothing else matters here).
    fn session_of(id: &str, q: &Questionnaire) -> ChatSession {
        let at = time::OffsetDateTime::UNIX_EPOCH;
        ChatSession {
            id: SessionId::parse(id).unwrap(),
            ref_id: uuid::Uuid::nil(),
            account_id: AccountId(uuid::Uuid::nil()),
            patient_id: None,
            created_by: UserId(uuid::Uuid::nil()),
            strategy_id: None,
            strategy_name: None,
            session_type: SessionType::Screening,
            status: SessionStatus::Active,
            chat_context: None,
            answers: q
                .answers()
                .iter()
                .map(|a| HistoryEntry {
                    question_id: a.question_id,
                    answer: a.answer.clone(),
                    raw: a.answer.canonical_text(),
                    answered_at: at,
                })
                .collect(),
            extracted_data: crate::questionnaire::sessions::model::JsonText::null(),
            current_question: None,
            progress_percentage: 0,
            message_count: 0,
            initial_message: None,
            assessment: None,
            started_at: at,
            last_activity: at,
            completed_at: None,
            ended_at: None,
            end_reason: None,
            version: 1,
        }
    }

    fn answered(answers: &[(u8, &str)]) -> Questionnaire {
        let mut q = Questionnaire::start();
        for (id, text) in answers {
            q.answer(*id, &AnswerInput::from(*text)).unwrap();
        }
        q
    }

    fn replayed(r: &Replays) -> usize {
        r.replayed.load(Ordering::Relaxed)
    }

    #[test]
    fn a_kept_questionnaire_serves_only_the_same_answers() {
        let replays = Replays::default();
        let q = answered(&[(1, "yes"), (2, "40"), (3, "mother")]);
        let s = session_of("s1", &q);

        // Kept with the same answers: served without a replay.
        replays.keep(&s.id, q.clone());
        assert_eq!(replays.take(&s).unwrap(), q);
        assert_eq!(replayed(&replays), 0);
        // Taken: no longer kept; the next take replays.
        assert_eq!(replays.take(&s).unwrap(), q);
        assert_eq!(replayed(&replays), 1);

        // Kept for another session: not this one's.
        replays.keep(&SessionId::parse("s2").unwrap(), q.clone());
        assert_eq!(replays.take(&s).unwrap(), q);
        assert_eq!(replayed(&replays), 2);

        // As many answers, one of them different; one fewer; one more: each replayed from the
        // session, never the kept one served.
        let others = [
            answered(&[(1, "yes"), (2, "45"), (3, "mother")]),
            answered(&[(1, "yes"), (2, "40")]),
            answered(&[(1, "yes"), (2, "40"), (3, "mother"), (4, "no")]),
        ];
        for (n, other) in others.into_iter().enumerate() {
            replays.keep(&s.id, other);
            assert_eq!(replays.take(&s).unwrap(), q);
            assert_eq!(replayed(&replays), 3 + n);
        }
    }

    #[test]
    fn it_keeps_at_most_its_capacity() {
        let replays = Replays::default();
        let q = Questionnaire::start();
        let mut last = session_of("s0", &q);
        for n in 0..CAPACITY + 10 {
            last = session_of(&format!("s{n}"), &q);
            replays.keep(&last.id, q.clone());
        }
        assert_eq!(replays.kept.lock().unwrap().len(), CAPACITY);
        // The last one kept is there.
        replays.take(&last).unwrap();
        assert_eq!(replayed(&replays), 0);
    }
}
