//! The state machine: every branch, the loop cap, progress, the safe retry, NotCurrent, answers
//! after completion, replay.

use super::super::*;
use super::{NO_FAMILY, no_history_answers, qid, run};

fn current(q: &Questionnaire) -> Option<u8> {
    q.current_question().map(|q| q.id.get())
}

fn answer(q: &mut Questionnaire, n: u8, text: &str) -> Result<Step, QuestionnaireError> {
    q.answer(i64::from(n), &AnswerInput::from(text))
}

#[test]
fn a_new_questionnaire_asks_question_1() {
    let q = Questionnaire::start();
    assert_eq!(current(&q), Some(1));
    assert_eq!(q.progress_percentage(), 0);
    assert!(!q.is_complete());
    assert_eq!(q.completed_profile(), None);
    assert_eq!(q.last_step(), None);
    assert!(q.answers().is_empty());
    assert_eq!(q, Questionnaire::default());
}

#[test]
fn every_branch_of_the_table() {
    let woman_to_15: Vec<(u8, &str)> = [(1, "no")]
        .into_iter()
        .chain(NO_FAMILY)
        .chain([
            (10, "40"),
            (11, "female"),
            (12, "no"),
            (13, "white"),
            (14, "no"),
        ])
        .collect();
    let to = |extra: &[(u8, &'static str)]| {
        let mut v = woman_to_15.clone();
        v.extend_from_slice(extra);
        v
    };
    let to_19 = to(&[(15, "no"), (16, "12"), (17, "0")]);
    let to_23 = [to_19.clone(), vec![(19, "pre"), (21, "165"), (22, "60")]].concat();
    type Answers<'a> = Vec<(u8, &'a str)>;
    let cases: Vec<(Answers<'_>, Option<u8>)> = vec![
        (vec![(1, "yes")], Some(2)),
        (vec![(1, "no")], Some(5)),
        (vec![(1, "unknown")], Some(5)),
        (vec![(1, "yes"), (2, "40")], Some(3)),
        (vec![(1, "yes"), (2, "40"), (3, "mother")], Some(4)),
        (
            vec![(1, "yes"), (2, "40"), (3, "mother"), (4, "yes")],
            Some(2),
        ),
        (
            vec![(1, "yes"), (2, "40"), (3, "mother"), (4, "no")],
            Some(5),
        ),
        (
            vec![(1, "yes"), (2, "40"), (3, "mother"), (4, "skip")],
            Some(5),
        ),
        (vec![(1, "no"), (5, "no")], Some(6)),
        (
            vec![(1, "no"), (5, "no"), (6, "no"), (7, "no"), (8, "no")],
            Some(9),
        ),
        (woman_to_15.clone(), Some(15)),
        (to(&[(15, "no")]), Some(16)),
        (to(&[(15, "no"), (16, "12")]), Some(17)),
        (to(&[(15, "no"), (16, "12"), (17, "2")]), Some(18)),
        (
            to(&[(15, "no"), (16, "12"), (17, "2"), (18, "30")]),
            Some(19),
        ),
        (to_19.clone(), Some(19)),
        ([to_19.clone(), vec![(19, "post")]].concat(), Some(20)),
        (
            [to_19.clone(), vec![(19, "post"), (20, "39")]].concat(),
            Some(21),
        ),
        ([to_19.clone(), vec![(19, "pre")]].concat(), Some(21)),
        ([to_19.clone(), vec![(19, "peri")]].concat(), Some(21)),
        ([to_19.clone(), vec![(19, "unknown")]].concat(), Some(21)),
        (
            [to_19.clone(), vec![(19, "pre"), (21, "165")]].concat(),
            Some(22),
        ),
        (to_23.clone(), Some(23)),
        ([to_23.clone(), vec![(23, "1")]].concat(), Some(24)),
        (
            [to_23.clone(), vec![(23, "1"), (24, "none")]].concat(),
            Some(25),
        ),
        ([to_23.clone(), vec![(23, "0")]].concat(), Some(25)),
        (
            [to_23.clone(), vec![(23, "0"), (25, "never")]].concat(),
            Some(26),
        ),
        (
            [to_23.clone(), vec![(23, "0"), (25, "never"), (26, "a")]].concat(),
            None,
        ),
    ];
    for (answers, want) in cases {
        let q = run(&answers);
        assert_eq!(current(&q), want, "after {answers:?}");
        assert_eq!(q.is_complete(), want.is_none());
    }
}

#[test]
fn a_man_ends_at_question_15() {
    let mut answers: Vec<(u8, &str)> = vec![(1, "no")];
    answers.extend(NO_FAMILY);
    answers.extend([
        (10, "50"),
        (11, "male"),
        (12, "yes"),
        (13, "white"),
        (14, "prostate 49"),
    ]);
    let mut q = run(&answers);
    assert_eq!(q.progress_percentage(), 91, "11 of 12 steps");
    let step = answer(&mut q, 15, "no").expect("accepted");
    assert!(step.completed);
    assert_eq!(step.next_question, None);
    assert_eq!(step.progress_percentage, 100);
    let p = q.completed_profile().expect("complete");
    assert_eq!(p.proband.menarche_age, None);
    assert_eq!(p.proband.ashkenazi_jewish, Some(true));
    assert!(p.validate().is_ok());
}

#[test]
fn the_breast_cancer_loop_runs_at_most_10_times() {
    let mut q = run(&[(1, "yes")]);
    for round in 1..=10 {
        answer(&mut q, 2, "45").expect("age");
        let step = answer(&mut q, 3, "sister").expect("relation");
        if round < 10 {
            assert_eq!(
                step.next_question.map(|q| q.id.get()),
                Some(4),
                "round {round}"
            );
            answer(&mut q, 4, "yes").expect("another");
        } else {
            assert_eq!(
                step.next_question.map(|q| q.id.get()),
                Some(5),
                "question 4 skipped"
            );
        }
    }
    assert_eq!(current(&q), Some(5));
    assert_eq!(q.profile().relatives.len(), 10);
    assert_eq!(
        answer(&mut q, 4, "yes"),
        Err(QuestionnaireError::NotCurrent { expected: qid(5) })
    );
    assert_eq!(
        q.answers()
            .iter()
            .filter(|a| a.question_id == qid(3))
            .count(),
        MAX_BREAST_CANCER_ROUNDS
    );
}

#[test]
fn progress_along_the_shortest_path_is_5_per_answer() {
    let mut q = Questionnaire::start();
    let answers = no_history_answers();
    assert_eq!(answers.len(), 20);
    for (k, (n, text)) in answers.iter().enumerate() {
        assert_eq!(
            usize::from(q.progress_percentage()),
            5 * k,
            "before question {n}"
        );
        let step = answer(&mut q, *n, text).expect("accepted");
        assert_eq!(step.progress_percentage, q.progress_percentage());
    }
    assert_eq!(q.progress_percentage(), 100);
}

#[test]
fn progress_when_branches_open() {
    let mut q = Questionnaire::start();
    let mut seen = Vec::new();
    for (n, text) in [
        (1, "yes"),
        (2, "40"),
        (3, "mother"),
        (4, "yes"),
        (2, "50"),
        (3, "sister"),
        (4, "no"),
    ] {
        seen.push(
            answer(&mut q, n, text)
                .expect("accepted")
                .progress_percentage,
        );
    }
    // 1 of 23, 2 of 23, 3 of 23, 4 of 26 (a second round), 5, 6, 7 of 26.
    assert_eq!(seen, [4, 8, 13, 15, 19, 23, 26]);
}

#[test]
fn resending_the_last_answer_is_a_safe_retry() {
    let mut q = Questionnaire::start();
    let first = answer(&mut q, 1, "yes").expect("accepted");
    assert!(!first.retry);
    assert_eq!(first.question.id, qid(1));
    assert_eq!(first.next_question.map(|q| q.id), Some(qid(2)));
    let before = q.clone();
    let again = answer(&mut q, 1, " Yes ").expect("retry");
    assert!(again.retry);
    assert_eq!(
        Step {
            retry: false,
            ..again
        },
        first
    );
    assert_eq!(q, before, "state unchanged");
    assert_eq!(q.last_step(), Some(first));
    // A different answer to the last question is not a retry.
    assert_eq!(
        answer(&mut q, 1, "no"),
        Err(QuestionnaireError::NotCurrent { expected: qid(2) })
    );
    // An invalid one neither.
    assert_eq!(
        answer(&mut q, 1, "maybe"),
        Err(QuestionnaireError::NotCurrent { expected: qid(2) })
    );
    assert_eq!(q, before);
    // A retry reads the answer in the state before it (question 14 checks the age of 10).
    let mut answers: Vec<(u8, &str)> = vec![(1, "no")];
    answers.extend(NO_FAMILY);
    answers.extend([
        (10, "50"),
        (11, "female"),
        (12, "no"),
        (13, "white"),
        (14, "Breast 45"),
    ]);
    let mut q = run(&answers);
    let before = q.clone();
    assert!(answer(&mut q, 14, "breast 45").expect("retry").retry);
    assert_eq!(q, before);
}

#[test]
fn answers_to_another_question_are_refused() {
    let mut q = Questionnaire::start();
    for n in [2, 26, 0, 27, -1] {
        let e = q
            .answer(n, &AnswerInput::from("40"))
            .expect_err("not current");
        assert_eq!(e, QuestionnaireError::NotCurrent { expected: qid(1) });
        assert_eq!(e.to_string(), "Expected an answer to question 1");
    }
    assert_eq!(q, Questionnaire::start());
}

#[test]
fn an_invalid_answer_changes_nothing() {
    let mut q = run(&[(1, "yes")]);
    let before = q.clone();
    let e = answer(&mut q, 2, "forty-ish").expect_err("invalid");
    let QuestionnaireError::Invalid { message } = e else {
        panic!("{e:?}")
    };
    assert!(message.ends_with("Give an age in whole years (for example 45), or unknown."));
    assert_eq!(q, before);
}

#[test]
fn nothing_but_a_retry_is_accepted_after_completion() {
    let mut q = run(&no_history_answers());
    assert!(q.is_complete());
    assert_eq!(q.current_question(), None);
    let done = q.clone();
    let step = answer(&mut q, 26, "B").expect("retry of the last answer");
    assert!(step.retry && step.completed);
    assert_eq!(step.progress_percentage, 100);
    assert_eq!(answer(&mut q, 26, "c"), Err(QuestionnaireError::Completed));
    assert_eq!(answer(&mut q, 1, "yes"), Err(QuestionnaireError::Completed));
    assert_eq!(q, done);
}

#[test]
fn replay_rebuilds_the_same_state() {
    let full = run(&no_history_answers());
    let json = serde_json::to_string(full.answers()).expect("json");
    let stored: Vec<AcceptedAnswer> = serde_json::from_str(&json).expect("back");
    assert_eq!(Questionnaire::replay(&stored), Ok(full.clone()));
    for k in 0..stored.len() {
        let part = Questionnaire::replay(&stored[..k]).expect("prefix");
        assert_eq!(part.answers(), &stored[..k]);
    }
    assert_eq!(Questionnaire::replay(&[]), Ok(Questionnaire::start()));
}

#[test]
fn replay_refuses_a_corrupted_store() {
    let full = run(&no_history_answers());
    let mut swapped = full.answers().to_vec();
    swapped.swap(1, 2);
    let e = Questionnaire::replay(&swapped).expect_err("out of order");
    assert_eq!(
        (e.index, e.error.clone()),
        (1, QuestionnaireError::NotCurrent { expected: qid(5) })
    );
    assert_eq!(
        e.to_string(),
        "stored answer 1 (question 6) cannot be replayed"
    );

    let mut bad_age = full.answers().to_vec();
    bad_age[6].answer = Answer::Age(Some(200));
    assert_eq!(
        Questionnaire::replay(&bad_age).expect_err("bad age").index,
        6
    );

    let mut wrong_type = full.answers().to_vec();
    wrong_type[0].answer = Answer::Count(1);
    assert_eq!(
        Questionnaire::replay(&wrong_type)
            .expect_err("wrong type")
            .index,
        0
    );

    let mut unrounded = full.answers().to_vec();
    let i = unrounded
        .iter()
        .position(|a| a.question_id == qid(21))
        .expect("21");
    unrounded[i].answer = Answer::Measure(165.04);
    assert_eq!(
        Questionnaire::replay(&unrounded)
            .expect_err("not normal")
            .index,
        i
    );

    let mut extra = full.answers().to_vec();
    extra.push(extra[0].clone());
    let e = Questionnaire::replay(&extra).expect_err("after completion");
    assert_eq!(e.error, QuestionnaireError::Completed);
}
