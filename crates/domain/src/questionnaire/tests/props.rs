//! Property tests: no input makes a parser panic; any sequence of accepted answers ends in a
//! profile that validates (and that the clinical engine assesses); replaying the accepted
//! answers rebuilds the same state.

use proptest::prelude::*;
use serde_json::Value;
use time::macros::datetime;

use super::super::*;
use crate::clinical::assess::assess;
use crate::clinical::profile::{FieldErrorKind, RiskProfile};

/// Words the parsers know, and some they do not, to reach deep into every parser.
const TOKENS: &[&str] = &[
    "yes",
    "no",
    "unknown",
    "none",
    "and",
    ",",
    ";",
    "&",
    "-",
    ".",
    "'",
    "\"",
    "0",
    "5",
    "12",
    "17",
    "18",
    "45",
    "45.5",
    "1,65",
    "1.65",
    "120",
    "121",
    "999999999999",
    "-3",
    "years",
    "cm",
    "m",
    "in",
    "ft",
    "kg",
    "lb",
    "5'4\"",
    "mother",
    "mom",
    "father",
    "sister",
    "brother",
    "maternal",
    "paternal",
    "aunt",
    "uncle",
    "cousin",
    "grandmother",
    "half",
    "great",
    "side",
    "breast",
    "ovarian",
    "colon",
    "dcis",
    "in situ",
    "bilateral",
    "triple",
    "negative",
    "metastatic",
    "prostate",
    "BRCA1",
    "BRCA",
    "brca2",
    "ATM",
    "positive",
    "pathogenic",
    "likely",
    "vus",
    "female",
    "male",
    "post",
    "pre",
    "a",
    "d",
    "stopped under 5 years ago",
    "hispanic",
    "white",
    "é",
    "ß",
    "\u{2019}",
    "\u{2033}",
    "İ",
];

fn token_text() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(TOKENS), 0..10).prop_map(|v| v.join(" "))
}

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![token_text(), ".{0,120}", "[0-9'\" .,;a-z-]{0,40}"]
}

fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        any_text().prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((".{0,6}", inner), 0..4)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

/// Candidate answers by answer type: valid ones, edge cases and invalid ones.
fn candidates(t: AnswerType) -> &'static [&'static str] {
    match t {
        AnswerType::YesNo => &["yes", "no", "unknown", "maybe", "Y"],
        AnswerType::Age => &["18", "35", "45", "60", "90", "120", "17", "unknown", "abc"],
        AnswerType::AgeOptional => &[
            "0", "6", "9", "12", "14", "25", "30", "40", "55", "70", "120", "unknown", "", "-1",
        ],
        AnswerType::Count => &["0", "1", "2", "30", "31", "none", "three"],
        AnswerType::Choice => &[
            "female",
            "male",
            "white",
            "unknown",
            "post",
            "pre",
            "peri",
            "atypical",
            "lcis",
            "none",
            "hyperplasia",
            "never",
            "current",
            "stopped over 5 years ago",
            "a",
            "d",
            "purple",
        ],
        AnswerType::Measure(_) => &["165", "1.65 m", "5'4\"", "132 lb", "60", "45", "300", "x"],
        AnswerType::Relation => &[
            "mother",
            "father",
            "sister",
            "maternal aunt",
            "paternal cousin",
            "maternal cousin",
            "paternal grandmother",
            "son",
            "aunt",
            "mom",
        ],
        AnswerType::RelativeList => &[
            "no",
            "unknown",
            "mother 52",
            "mother 40, mother 50",
            "mother, mother 60",
            "sister 40, sister 45 and maternal aunt",
            "father 70; brother 60",
            "maternal cousin 50, paternal cousin",
            "daughter 20",
            "maternal grandmother 80, paternal grandfather",
            "aunt 50",
        ],
        AnswerType::RelativeGeneList => &[
            "no",
            "mother BRCA1 pathogenic",
            "sister BRCA2 negative, sister BRCA1 vus",
            "maternal aunt PALB2 positive, mother BRCA1 negative, mother BRCA1 positive",
            "brother ATM unknown",
            "unknown",
        ],
        AnswerType::CancerList => &[
            "no",
            "breast 45 triple negative",
            "breast 30 bilateral dcis, colon 33",
            "prostate 50",
            "ovarian 40, endometrial 41",
            "breast 99",
            "dcis metastatic",
            "unknown",
            "melanoma",
        ],
        AnswerType::GeneList => &[
            "no",
            "BRCA1 negative",
            "BRCA2 pathogenic, CHEK2 vus",
            "BRCA1 negative, BRCA1 positive",
            "unknown",
        ],
    }
}

/// A safe answer per question, used when a candidate is refused, so that walks complete.
fn fallback(q: QuestionId) -> &'static str {
    match q.get() {
        2 | 16 | 18 | 20 => "unknown",
        3 => "sister",
        10 => "40",
        11 => "female",
        13 | 19 | 24 | 26 => "unknown",
        17 | 23 => "0",
        21 => "165",
        22 => "60",
        25 => "never",
        _ => "no",
    }
}

/// Validation errors other than the proband's age missing before question 10.
fn problems(p: &RiskProfile) -> Vec<String> {
    match p.validate() {
        Ok(()) => Vec::new(),
        Err(errors) => errors
            .into_iter()
            .filter(|e| !(e.kind == FieldErrorKind::Missing && e.path_string() == "proband.age"))
            .map(|e| e.to_string())
            .collect(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn no_string_makes_a_parser_panic(s in any_text()) {
        for q in &QUESTIONS {
            let _ = parse_answer(q, &AnswerInput::from(s.as_str()));
        }
    }

    #[test]
    fn no_json_makes_a_parser_panic(v in json()) {
        if let Ok(input) = AnswerInput::from_json(&v) {
            for q in &QUESTIONS {
                if let Ok(a) = parse_answer(q, &input) {
                    // Whatever parses has a canonical text that parses to it.
                    prop_assert_eq!(parse_answer(q, &AnswerInput::Text(a.canonical_text())), Ok(a));
                }
            }
        }
    }

    /// Random walks: at each step a candidate (or random text) for the current question, then
    /// the fallback if it is refused. Every state validates (but for the age before 10), the
    /// completed profile validates and is assessed, replay rebuilds every state, a refused
    /// answer changes nothing, and progress stays within 0..=100.
    #[test]
    fn accepted_answers_always_give_a_valid_profile_and_replay(
        picks in prop::collection::vec((any::<prop::sample::Index>(), prop::option::weighted(0.1, any_text())), 60),
    ) {
        let mut q = Questionnaire::start();
        for (pick, random) in picks {
            let Some(current) = q.current_question() else { break };
            let text = random.unwrap_or_else(|| pick.get(candidates(current.answer_type)).to_string());
            let before = q.clone();
            match q.answer(current.id, &AnswerInput::from(text.as_str())) {
                Ok(step) => {
                    prop_assert!(!step.retry);
                    prop_assert_eq!(step.question.id, current.id);
                }
                Err(e) => {
                    prop_assert!(matches!(e, QuestionnaireError::Invalid { .. }), "{:?}", e);
                    prop_assert_eq!(&q, &before);
                    q.answer(current.id, &AnswerInput::from(fallback(current.id)))
                        .map_err(|e| TestCaseError::fail(format!("fallback {}: {e}", current.id)))?;
                }
            }
            prop_assert!(problems(q.profile()).is_empty(), "{:?}", problems(q.profile()));
            prop_assert!(q.progress_percentage() <= 100);
            let replayed = Questionnaire::replay(q.answers());
            prop_assert_eq!(replayed.as_ref(), Ok(&q));
        }
        while let Some(current) = q.current_question() {
            q.answer(current.id, &AnswerInput::from(fallback(current.id)))
                .map_err(|e| TestCaseError::fail(format!("fallback {}: {e}", current.id)))?;
        }
        let profile = q.completed_profile().expect("complete");
        prop_assert!(profile.validate().is_ok(), "{:?}", profile.validate());
        prop_assert!(assess(profile, datetime!(2026-05-12 12:00 UTC)).is_ok());
        prop_assert_eq!(q.progress_percentage(), 100);
        let stored: Vec<AcceptedAnswer> =
            serde_json::from_str(&serde_json::to_string(q.answers()).expect("json")).expect("back");
        prop_assert_eq!(Questionnaire::replay(&stored), Ok(q));
    }
}
