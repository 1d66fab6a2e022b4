//! Questionnaire tests: parsers (`parse`), the fills and the merge rule (`fill`), the state
//! machine (`machine`), two reference journeys through the clinical assessment (`journeys`) and
//! property tests (`props`).

use super::*;

mod fill;
mod journeys;
mod machine;
mod parse;
mod props;

/// Question `n`.
fn qid(n: u8) -> QuestionId {
    QuestionId::new(i64::from(n)).expect("a question id")
}

/// Parses `s` as an answer to question `n`.
fn parse(n: u8, s: &str) -> Result<Answer, InvalidAnswer> {
    parse_answer(question(qid(n)), &AnswerInput::from(s))
}

/// Parses `s` as an answer to question `n`, which must succeed.
fn ok(n: u8, s: &str) -> Answer {
    parse(n, s).unwrap_or_else(|e| panic!("question {n}, {s:?}: {e}"))
}

/// Parses `s` as an answer to question `n`, which must fail; returns the message.
fn err(n: u8, s: &str) -> String {
    match parse(n, s) {
        Ok(a) => panic!("question {n}, {s:?} should fail, got {a:?}"),
        Err(e) => e.message,
    }
}

/// Runs `answers` (question id, text) from the start; every answer must be accepted.
fn run(answers: &[(u8, &str)]) -> Questionnaire {
    let mut q = Questionnaire::start();
    for (n, text) in answers {
        q.answer(i64::from(*n), &AnswerInput::from(*text))
            .unwrap_or_else(|e| panic!("question {n}, {text:?}: {e}"));
    }
    q
}

/// Answers 5–9 "no".
const NO_FAMILY: [(u8, &str); 5] = [(5, "no"), (6, "no"), (7, "no"), (8, "no"), (9, "no")];

/// The answers after the family questions for a 35-year-old White woman with no history of her
/// own: 10 to 26 on the shortest female path.
const WOMAN_35: [(u8, &str); 13] = [
    (10, "35"),
    (11, "female"),
    (12, "no"),
    (13, "white"),
    (14, "no"),
    (15, "no"),
    (16, "12"),
    (17, "0"),
    (19, "pre"),
    (21, "165"),
    (22, "60"),
    (23, "0"),
    (25, "never"),
];

/// The full path for a woman without family history: 1 no, 5–9 no, then [`WOMAN_35`], 26.
fn no_history_answers() -> Vec<(u8, &'static str)> {
    let mut v = vec![(1, "no")];
    v.extend(NO_FAMILY);
    v.extend(WOMAN_35);
    v.push((26, "b"));
    v
}
