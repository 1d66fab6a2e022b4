//! The state machine of api-contract.md §3.5.1: which question comes next, what an answer does,
//! the safe retry of §3.5.3, progress, and replay from stored answers. Pure: no I/O, no clock.

use super::error::{QuestionnaireError, ReplayError};
use super::fill::Fill;
use super::model::{AcceptedAnswer, Answer, AnswerInput, Question, QuestionId, YesNo};
use super::parse::{invalid, parse_answer};
use super::questions::question;
use crate::clinical::profile::{RiskProfile, Sex};

/// The 2 → 3 → 4 loop runs at most this many times; after the 10th relative named at question 3,
/// question 4 is skipped (§3.5.1).
pub const MAX_BREAST_CANCER_ROUNDS: usize = 10;

const Q3: QuestionId = QuestionId::of(3);

/// A questionnaire in progress or completed. Its state is the ordered list of accepted answers;
/// everything else (the current question, the profile) is derived from it, so
/// [`Questionnaire::replay`] of [`Questionnaire::answers`] rebuilds an equal value.
#[derive(Debug, Clone, PartialEq)]
pub struct Questionnaire {
    answers: Vec<AcceptedAnswer>,
    fill: Fill,
    current: Option<QuestionId>,
}

/// What accepting an answer did: the §3.5.3 `submit_answer` response in domain terms.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// The question just answered.
    pub question: &'static Question,
    /// The answer as normalised (a chat message's `extracted_entities`, the history's
    /// `normalized`; what storage keeps with `question.id`).
    pub answer: Answer,
    /// The next question; `None` once complete.
    pub next_question: Option<&'static Question>,
    /// Every question on the path is answered; the profile is final.
    pub completed: bool,
    /// `progress_percentage` after this answer (see the module docs).
    pub progress_percentage: u8,
    /// A safe retry: the last accepted answer sent again. The state did not change and nothing
    /// is to be stored; the step is the one the original answer returned.
    pub retry: bool,
}

impl Default for Questionnaire {
    fn default() -> Self {
        Self::start()
    }
}

/// The question after `q`. `answer` is `q`'s answer, or `None` to predict the default branch
/// (the table's "else"; a woman's path at question 15 while the sex is not known). `rounds` is
/// the number of question-3 answers including this one.
fn branch(
    q: QuestionId,
    answer: Option<&Answer>,
    rounds: usize,
    sex: Option<Sex>,
) -> Option<QuestionId> {
    use Answer as A;
    let n = match (q.get(), answer) {
        (1 | 4, Some(A::YesNo(YesNo::Yes))) => 2,
        (1 | 4, _) => 5,
        (3, _) if rounds >= MAX_BREAST_CANCER_ROUNDS => 5,
        (15, _) if sex == Some(Sex::Male) => return None,
        (17, Some(A::Count(n))) if *n > 0 => 18,
        (17, _) => 19,
        (19, Some(A::Choice(c))) if c == "post" => 20,
        (19, _) => 21,
        (23, Some(A::Count(n))) if *n > 0 => 24,
        (23, _) => 25,
        (n, _) => n + 1,
    };
    QuestionId::new(i64::from(n))
}

impl Questionnaire {
    /// A new questionnaire at question 1.
    #[must_use]
    pub fn start() -> Self {
        Self {
            answers: Vec::new(),
            fill: Fill::default(),
            current: Some(QuestionId::FIRST),
        }
    }

    /// Rebuilds a questionnaire from stored answers, in order. Each answer must answer the
    /// question then current and be in normal form (its canonical text parses back to it), and
    /// passes every rule again, so a corrupted or outdated store is detected, never trusted.
    ///
    /// # Errors
    /// The first answer that fails, with why.
    pub fn replay(answers: &[AcceptedAnswer]) -> Result<Self, ReplayError> {
        let mut s = Self::start();
        for (index, stored) in answers.iter().enumerate() {
            let fail = |error| ReplayError {
                index,
                question_id: stored.question_id,
                error,
            };
            let Some(current) = s.current else {
                return Err(fail(QuestionnaireError::Completed));
            };
            if current != stored.question_id {
                return Err(fail(QuestionnaireError::NotCurrent { expected: current }));
            }
            let q = question(current);
            let text = AnswerInput::Text(stored.answer.canonical_text());
            let answer = parse_answer(q, &text).map_err(|e| fail(e.into()))?;
            if answer != stored.answer {
                return Err(fail(QuestionnaireError::Invalid {
                    message: "The stored answer is not in normal form.".to_owned(),
                }));
            }
            s.accept(current, answer)
                .map_err(|problem| fail(invalid(q, problem).into()))?;
        }
        Ok(s)
    }

    /// The accepted answers, in order: all that storage needs to keep.
    #[must_use]
    pub fn answers(&self) -> &[AcceptedAnswer] {
        &self.answers
    }

    /// The question awaiting an answer; `None` once complete.
    #[must_use]
    pub fn current_question(&self) -> Option<&'static Question> {
        self.current.map(question)
    }

    /// Whether every question on the path has been answered.
    #[must_use]
    pub fn is_complete(&self) -> bool {
        self.current.is_none()
    }

    /// `progress_percentage`: floor(100 × answered steps / steps on the current path); 100 once
    /// complete. The path is the answered steps plus the questions from the current one to the
    /// end, each unanswered branch taking its default (see the module docs).
    #[must_use]
    pub fn progress_percentage(&self) -> u8 {
        let Some(current) = self.current else {
            return 100;
        };
        let mut rounds = self.rounds();
        let sex = self.fill.profile.proband.sex;
        let mut ahead = 0;
        let mut next = Some(current);
        while let Some(q) = next {
            ahead += 1;
            if q == Q3 {
                rounds += 1;
            }
            next = branch(q, None, rounds, sex);
        }
        let done = self.answers.len();
        u8::try_from(done * 100 / (done + ahead)).unwrap_or(100)
    }

    /// `extracted_data`: the `RiskProfile` built so far. Unknown answers are `null`; until
    /// question 10 the proband's age is missing, otherwise it passes `RiskProfile::validate`.
    #[must_use]
    pub fn profile(&self) -> &RiskProfile {
        &self.fill.profile
    }

    /// The frozen profile, once complete: it passes `RiskProfile::validate`, ready for
    /// `clinical::assess::assess`.
    #[must_use]
    pub fn completed_profile(&self) -> Option<&RiskProfile> {
        self.is_complete().then_some(&self.fill.profile)
    }

    /// The step the last accepted answer returned (what a safe retry returns again); `None`
    /// before the first answer.
    #[must_use]
    pub fn last_step(&self) -> Option<Step> {
        self.answers.last().map(|last| self.step(last, false))
    }

    /// Answers question `question_id` (as the client sent it: an id outside 1..=26 is simply
    /// not the current question) with `input`.
    ///
    /// In order: the last accepted question sent again with an answer that normalises to the
    /// same (`"Yes"` after `"yes"`) is a safe retry, `Ok` with `retry: true` and no change (also
    /// after completion); after completion, `Completed`; another question than the current one,
    /// `NotCurrent`; an answer that does not parse or breaks a rule, `Invalid`. On every error
    /// the state is unchanged.
    ///
    /// # Errors
    /// [`QuestionnaireError`].
    pub fn answer(
        &mut self,
        question_id: impl Into<i64>,
        input: &AnswerInput,
    ) -> Result<Step, QuestionnaireError> {
        let id = question_id.into();
        if let Some(step) = self.retry(id, input) {
            return Ok(step);
        }
        let Some(current) = self.current else {
            return Err(QuestionnaireError::Completed);
        };
        if i64::from(current) != id {
            return Err(QuestionnaireError::NotCurrent { expected: current });
        }
        let q = question(current);
        let answer = parse_answer(q, input)?;
        self.accept(current, answer)
            .map_err(|problem| invalid(q, problem))?;
        self.last_step().ok_or(QuestionnaireError::Completed)
    }

    /// Number of question-3 answers (rounds of the breast cancer loop).
    fn rounds(&self) -> usize {
        self.answers.iter().filter(|a| a.question_id == Q3).count()
    }

    fn step(&self, last: &AcceptedAnswer, retry: bool) -> Step {
        Step {
            question: question(last.question_id),
            answer: last.answer.clone(),
            next_question: self.current_question(),
            completed: self.is_complete(),
            progress_percentage: self.progress_percentage(),
            retry,
        }
    }

    /// The safe retry: `Some` when `id` is the last accepted question and `input`, read in the
    /// state before that answer, gives the state we are in.
    fn retry(&self, id: i64, input: &AnswerInput) -> Option<Step> {
        let (last, before) = self.answers.split_last()?;
        if i64::from(last.question_id) != id {
            return None;
        }
        let mut again = Self::replay(before).ok()?;
        let answer = parse_answer(question(last.question_id), input).ok()?;
        again.accept(last.question_id, answer).ok()?;
        (again == *self).then(|| self.step(last, true))
    }

    /// Fills `answer` to question `q` (the current one) into a copy of the profile, checks it,
    /// and moves on. `Err` (a problem sentence) leaves `self` unchanged.
    fn accept(&mut self, q: QuestionId, answer: Answer) -> Result<(), String> {
        let mut fill = self.fill.clone();
        fill.apply(q, &answer)?;
        fill.check()?;
        let rounds = self.rounds() + usize::from(q == Q3);
        self.current = branch(q, Some(&answer), rounds, fill.profile.proband.sex);
        self.fill = fill;
        self.answers.push(AcceptedAnswer {
            question_id: q,
            answer,
        });
        Ok(())
    }
}
