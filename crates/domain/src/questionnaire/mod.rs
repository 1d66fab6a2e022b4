//! The questionnaire: api-contract.md §3.5.1, "one deterministic questionnaire engine".
//!
//! Data (the 26 questions of the §3.5.1 table, [`questions::QUESTIONS`]) plus pure functions
//! (parsers, the "fills" column, the branches). No generative model, no external call, no I/O, no
//! clock, no async, no persistence: the same answers always give the same path, the same
//! `RiskProfile` (risk-profile.md) and therefore the same `Assessment`. Sessions (§3.5.2), their
//! storage and the routes (§3.5.3, §3.5.4) are built on the API below: [`sessions`] (the chat
//! sessions, their storage port, visibility policy and use cases) and [`strategies`] (the chat
//! configuration of §3.6). [`examples`] holds the two reference journeys as answer paths.
//!
//! # API for sessions and routes
//! - [`Questionnaire::start`] → question 1. [`Questionnaire::current_question`] is the §3.5.3
//!   `question` / `currentQuestion` (`None` once complete); [`Question`] serialises to the
//!   contract's question object `{"id", "sequence", "text", "answer_type", "options",
//!   "required", "description"}`.
//! - [`Questionnaire::answer`]`(question_id, &input)`: `input` is an [`AnswerInput`]
//!   ([`AnswerInput::from_json`] for `submit_answer`'s `answer` — or `answer_value` when
//!   present —, `AnswerInput::from(&str)` for a chat message). `Ok(`[`Step`]`)`: the question
//!   answered (`question`), the next one (`nextQuestion`), `completed` (`sessionComplete`),
//!   `progress_percentage`, the normalised [`Answer`] (`extracted_entities`, history
//!   `normalized`; [`Answer::canonical_text`] is a readable form), and `retry`. Errors
//!   ([`QuestionnaireError`]): `NotCurrent { expected }` → 409 "Expected an answer to question
//!   N"; `Completed` → 409 "Chat session is not active"; `Invalid { message }` → 422
//!   `loc ["body","answer"]` with `msg` = `message`, or an `/ai-chat` `clarification` reply
//!   (`message` + the current question). The state is unchanged on every error.
//! - **Safe retry** (§3.5.3): the last accepted `questionId` sent again with an answer that
//!   normalises to the same value returns `Ok` with the original step and `retry: true`, even
//!   after completion. The session layer must then store nothing (no new history row, no
//!   second assessment) and answer the same 200.
//! - **Storage** keeps [`Questionnaire::answers`] only (a list of [`AcceptedAnswer`]
//!   `{question_id, answer}`, serde-ready), plus whatever raw text it wants for the history.
//!   [`Questionnaire::replay`] rebuilds the state from them; it re-checks every answer, so a
//!   corrupted store is a [`ReplayError`] (a 500 to log, by position only), never a wrong
//!   profile.
//! - [`Questionnaire::profile`] is `extracted_data`; [`Questionnaire::completed_profile`] is the
//!   frozen profile once complete: it passes `RiskProfile::validate`, so
//!   `clinical::assess::assess(profile, now)` yields the `Assessment` to store once.
//! - [`Questionnaire::progress_percentage`], [`Questionnaire::is_complete`],
//!   [`Questionnaire::last_step`]; [`questions::question`] looks a question up by id.
//!
//! Invalid-answer messages may quote a word of the answer: they go back to the person who wrote
//! it and never into a log (answers are PHI).
//!
//! # Branches (§3.5.1 "next")
//! 1: yes → 2, else (no, unknown) → 5. 2 → 3 → 4; 4: yes → 2, else → 5; the loop runs at most
//! [`MAX_BREAST_CANCER_ROUNDS`] (10) times: after the 10th relative at question 3, question 4 is
//! skipped and question 5 follows. 5 → … → 15 in order; 15: female → 16, male → end. 17: > 0 →
//! 18, else 19. 19: post → 20, else 21. 23: > 0 → 24, else 25. 26 → end.
//!
//! # Progress
//! `progress_percentage` = floor(100 × answered steps / steps on the current path), 100 when
//! complete. Answered steps = accepted answers (each loop round counts its three questions).
//! Steps on the current path = answered steps + the questions from the current question to the
//! end, following for each question not yet answered its default branch: 1 and 4 "no", 3 back
//! to 4 until the 10th round, 15 by the sex already answered (female while question 11 is
//! unanswered), 17 and 23 "0", 19 "not post". So a new path starts at 0 % of 20 steps, and
//! an answer that opens a branch (yes at 1 or 4, children, postmenopausal, biopsies) lengthens
//! the path: the percentage then grows more slowly, and in a long 2 → 3 → 4 loop it can fall by
//! a point when a "yes" adds a round. "Male" at 11 shortens the path to 15 questions.
//!
//! # How answers fill the profile (§3.5.1 "fills")
//! - Unknown is `null`, never "no": `unknown` at 12 leaves `ashkenazi_jewish` null; `unknown`
//!   ages leave the age null; `unknown` at 25 and 26 leave `hrt` and `breast_density` null; a
//!   list answered `unknown` adds nothing (the normalised answer keeps `null`, so a clinician
//!   reading the history sees it). A cancer flag not said (bilateral, dcis, triple negative,
//!   metastatic) is null, not false.
//! - 2 + 3: a breast cancer at 2's age for 3's relative. 5 ovarian, 6 pancreatic, 7 prostate,
//!   8 breast (male relative): one cancer per item at the item's age. 9: genetic tests.
//! - 10 `proband.age` (18..=120); 11 `sex`; 12 `ashkenazi_jewish`; 13 `ethnicity`; 14
//!   `proband.cancers` (bilateral → `bilateral: true`, dcis → `invasive: false`, triple negative
//!   → `triple_negative: true`, metastatic → `metastatic: true`); 15 `proband.genetic_tests`;
//!   16 `menarche_age`; 17 `live_births`; 18 `first_live_birth_age`; 19 `menopause_status`; 20
//!   `menopause_age`; 21 `height_cm`; 22 `weight_kg`; 23 `breast_biopsies` (0 also sets
//!   `hyperplasia: none`, `lcis: false`: both are biopsy findings); 24 atypical → `hyperplasia:
//!   atypical`, hyperplasia → `hyperplasia: hyperplasia`, unknown → `hyperplasia: unknown` (each
//!   with `lcis` null), lcis → `lcis: true` (`hyperplasia` null), none → `hyperplasia: none,
//!   lcis: false`; 25 `hrt.status` (never, current, former_under_5y, former_over_5y); 26
//!   `breast_density` `{"method": "birads", "value": "a".."d"}`.
//! - Rules on earlier answers (refused as `Invalid`, with the reason): the proband's cancers
//!   diagnosed no later than the age at 10 and possible for the sex at 11; menarche 6..=25, first
//!   birth 9..=70 and menopause 10..=70, each not after the current age and not before menarche;
//!   height 50..=250 cm, weight 20..=350 kg; a female relation named for prostate or male breast
//!   cancer, or a male one for ovarian cancer. After every answer the profile must still pass
//!   `RiskProfile::validate` (all but the age, before 10), so a completed profile always does.
//!
//! # Relatives named in several answers: the merge rule
//! - **Mother, father and the four grandparents** (`Relation::is_unique`: one person each) are
//!   always one person: a `mother` named at 3 (breast) and at 5 (ovarian) is one mother with
//!   both cancers, and a mother's test at 9 is hers. Named again for a cancer she already has
//!   (the loop at 3, or twice in one list), it is the same diagnosis: an age fills an unknown
//!   one; a different age is refused ("already listed with breast cancer at 40").
//! - **Every other relation** (sister, aunt, cousin, half-sibling...) may be several people:
//!   each mention at 3 and each item at 5–8 is a new person. We do not assume that the sister
//!   with breast cancer at 3 is the sister with ovarian cancer at 5: joining them would invent a
//!   breast-and-ovarian phenotype, which NCCN and Manchester score higher, that the person never
//!   stated; listed apart, they meet the same family-history criteria for the proband, and the
//!   care team reviews the pedigree. Cousins get the sex the question implies (female at 5, male
//!   at 7 and 8), so the models read them correctly.
//! - **Genetic tests at 9** go to the one person already listed under that relation; when there
//!   are none or several, to a new person (so all of question 9's tests for such a relation go
//!   to that one new person). A gene listed twice for one person is refused.
//! - Bounds: at most [`parse::MAX_LIST_ITEMS`] (20) items per list and 10 loop rounds keep the
//!   family within the profile's `MAX_RELATIVES`.

pub mod error;
pub mod examples;
mod fill;
pub mod knowledge;
mod machine;
pub mod model;
pub mod parse;
pub mod questions;
pub mod sessions;
pub mod strategies;
mod vocabulary;

pub use error::{InvalidAnswer, QuestionnaireError, ReplayError, UnknownQuestion};
pub use fill::MIN_PROBAND_AGE;
pub use machine::{MAX_BREAST_CANCER_ROUNDS, Questionnaire, Step};
pub use model::{
    AcceptedAnswer, Answer, AnswerInput, AnswerType, CancerMention, ChoiceOption, Measure,
    Question, QuestionId, RelativeGeneTest, RelativeMention, YesNo,
};
pub use parse::parse_answer;
pub use questions::{QUESTIONS, question};

#[cfg(test)]
mod tests;
