//! Answer parsers, one module per answer family (api-contract.md §3.5.1 "Answer formats").
//!
//! Every parser reads the answer's text ([`AnswerInput::text`]: a JSON number, boolean or string
//! array is read as text first), case-insensitive and trimmed, and returns the normalised
//! [`Answer`] or an [`InvalidAnswer`] whose message is the problem followed by the question's
//! expected format (its `description`). Parsers know the answer type only; the rules that depend
//! on earlier answers (an age at diagnosis after the person's age, a female relative named for
//! prostate cancer...) are applied when the answer is filled into the profile (`fill`).
//!
//! [`Answer::canonical_text`] writes any normalised answer back as text that parses to the same
//! answer; replay relies on it (a property test checks it).

mod cancer;
mod choice;
mod gene;
mod measure;
mod number;
mod relation;
pub(crate) mod text;
mod yes_no;

use std::fmt::Display;

use serde::Serialize;

pub use number::MAX_COUNT;

use super::error::InvalidAnswer;
use super::model::{Answer, AnswerInput, AnswerType, Question};

/// Longest answer read (a chat message is at most 2000 characters, contract §3.5.4).
pub const MAX_ANSWER_CHARS: usize = 2000;
/// Most items in one list answer. With the loop cap this bounds a questionnaire's family to
/// 10 + 5 × 20 relatives, within the profile's `MAX_RELATIVES`.
pub const MAX_LIST_ITEMS: usize = 20;

/// Parses `input` as an answer to `question`.
///
/// # Errors
/// An [`InvalidAnswer`] stating the problem and the expected format.
pub fn parse_answer(question: &Question, input: &AnswerInput) -> Result<Answer, InvalidAnswer> {
    let text = input.text();
    if text.chars().count() > MAX_ANSWER_CHARS {
        return Err(invalid(
            question,
            format!("The answer is too long (at most {MAX_ANSWER_CHARS} characters)"),
        ));
    }
    let s = text.as_str();
    let parsed = match question.answer_type {
        AnswerType::YesNo => yes_no::parse(s).map(Answer::YesNo),
        AnswerType::Age => number::age(s, false).map(Answer::Age),
        AnswerType::AgeOptional => number::age(s, true).map(Answer::Age),
        AnswerType::Count => number::count(s).map(Answer::Count),
        AnswerType::Choice => choice::parse(question.options.unwrap_or_default(), s)
            .map(|code| Answer::Choice(code.to_owned())),
        AnswerType::Measure(kind) => measure::parse(kind, s).map(Answer::Measure),
        AnswerType::Relation => relation::parse(s).map(Answer::Relation),
        AnswerType::RelativeList => relation::list(s).map(Answer::RelativeList),
        AnswerType::CancerList => cancer::list(s).map(Answer::CancerList),
        AnswerType::GeneList => gene::list(s).map(Answer::GeneList),
        AnswerType::RelativeGeneList => gene::relative_list(s).map(Answer::RelativeGeneList),
    };
    parsed.map_err(|problem| invalid(question, problem))
}

/// An invalid answer to `question`: the problem, then the expected format.
pub(crate) fn invalid(question: &Question, problem: impl Display) -> InvalidAnswer {
    match question.description {
        Some(d) => InvalidAnswer::new(format!("{problem}. {d}")),
        None => InvalidAnswer::new(format!("{problem}.")),
    }
}

/// A list answer: `no`/`none` → `[]`, `unknown` → `None`, else the items (at most
/// [`MAX_LIST_ITEMS`]) each read by `item`.
fn list<T>(s: &str, item: impl Fn(&str) -> Result<T, String>) -> Result<Option<Vec<T>>, String> {
    if s.trim().is_empty() {
        return Err("An answer is required".to_owned());
    }
    if text::is_none(s) {
        return Ok(Some(Vec::new()));
    }
    if text::is_unknown(s) {
        return Ok(None);
    }
    if text::key(s) == "yes" {
        return Err("Please list them".to_owned());
    }
    let items = text::split_items(&text::normalise(s));
    if items.is_empty() {
        return Err("An answer is required".to_owned());
    }
    if items.len() > MAX_LIST_ITEMS {
        return Err(format!("List at most {MAX_LIST_ITEMS} items"));
    }
    items
        .iter()
        .map(|i| item(i))
        .collect::<Result<_, _>>()
        .map(Some)
}

/// The snake_case wire name of a serde enum value.
fn wire_name<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// Joins list items for [`Answer::canonical_text`].
fn join_items<T>(items: Option<&Vec<T>>, each: impl Fn(&T) -> String) -> String {
    match items {
        None => "unknown".to_owned(),
        Some(v) if v.is_empty() => "none".to_owned(),
        Some(v) => v.iter().map(each).collect::<Vec<_>>().join("; "),
    }
}

fn result_text(r: Option<crate::clinical::profile::GeneticResult>) -> String {
    r.map_or_else(|| "unknown".to_owned(), |r| wire_name(&r))
}

impl Answer {
    /// The answer as text that parses back to this same answer (for the question it answers):
    /// `yes`, `45`, `unknown`, `female`, `165.5`, `mother 52; maternal_aunt`,
    /// `breast 45 triple negative`, `BRCA1 pathogenic`, `none`. Also a readable form for a
    /// history or a summary.
    #[must_use]
    pub fn canonical_text(&self) -> String {
        match self {
            Self::YesNo(y) => wire_name(y),
            Self::Age(Some(a)) => a.to_string(),
            Self::Age(None) => "unknown".to_owned(),
            Self::Count(n) => n.to_string(),
            Self::Choice(code) => code.clone(),
            Self::Measure(v) => v.to_string(),
            Self::Relation(r) => r.as_str().to_owned(),
            Self::RelativeList(items) => join_items(items.as_ref(), |m| match m.age_at_diagnosis {
                Some(a) => format!("{} {a}", m.relation),
                None => m.relation.as_str().to_owned(),
            }),
            Self::CancerList(items) => join_items(items.as_ref(), |c| {
                let mut parts = vec![c.cancer_type.as_str().to_owned()];
                parts.extend(c.age_at_diagnosis.map(|a| a.to_string()));
                for (set, word) in [
                    (c.bilateral, "bilateral"),
                    (c.dcis, "dcis"),
                    (c.triple_negative, "triple negative"),
                    (c.metastatic, "metastatic"),
                ] {
                    if set {
                        parts.push(word.to_owned());
                    }
                }
                parts.join(" ")
            }),
            Self::GeneList(items) => join_items(items.as_ref(), |t| {
                format!("{} {}", t.gene, result_text(t.result))
            }),
            Self::RelativeGeneList(items) => join_items(items.as_ref(), |t| {
                format!("{} {} {}", t.relation, t.gene, result_text(t.result))
            }),
        }
    }
}
