//! The questionnaire's vocabulary (api-contract.md §3.5.1): question ids, answer types, the
//! question object, what a client may send as an answer, and the normalised answers the engine
//! keeps.

use std::fmt;

use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;

use super::error::{InvalidAnswer, UnknownQuestion};
use crate::clinical::profile::{CancerType, GeneticResult, GeneticTest, Relation};

/// A question of the §3.5.1 table: an integer from 1 to 26 (contract §1.3: question ids are
/// integers). Serialises as that integer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "i64")]
pub struct QuestionId(u8);

impl QuestionId {
    /// Number of questions.
    pub const COUNT: usize = 26;
    /// The first question.
    pub const FIRST: QuestionId = QuestionId::of(1);

    /// Question `n` of the table; `None` outside 1..=26.
    #[must_use]
    pub fn new(n: i64) -> Option<Self> {
        u8::try_from(n)
            .ok()
            .filter(|n| (1..=26).contains(n))
            .map(Self)
    }

    /// For the table and the branches: `n` must be 1..=26 (checked when the constant is built).
    pub(crate) const fn of(n: u8) -> Self {
        assert!(n >= 1 && n <= 26, "question ids run from 1 to 26");
        Self(n)
    }

    /// The integer id.
    #[must_use]
    pub fn get(self) -> u8 {
        self.0
    }

    /// Every question id, in table order.
    pub fn all() -> impl Iterator<Item = QuestionId> {
        (1..=26).map(Self)
    }

    /// Index into the question table.
    pub(crate) fn index(self) -> usize {
        usize::from(self.0 - 1)
    }
}

impl TryFrom<i64> for QuestionId {
    type Error = UnknownQuestion;

    fn try_from(n: i64) -> Result<Self, Self::Error> {
        Self::new(n).ok_or(UnknownQuestion(n))
    }
}

impl From<QuestionId> for i64 {
    fn from(q: QuestionId) -> Self {
        i64::from(q.0)
    }
}

impl fmt::Display for QuestionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// What a height or weight question measures (its default unit: cm, kg).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Measure {
    /// Height: cm (default), m, in, feet and inches; stored in cm.
    Height,
    /// Weight: kg (default), lb; stored in kg.
    Weight,
}

/// The type column of the §3.5.1 table. Serialises as its wire name (`"yes_no"`, `"age"`,
/// `"age_optional"` for the table's `age?`, `"measure"` for both measures...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AnswerType {
    /// Yes, no or unknown.
    YesNo,
    /// A whole age 0..=120 (a question may narrow it, e.g. question 10 to 18..=120).
    Age,
    /// The table's `age?`: an age, or `unknown` (null).
    AgeOptional,
    /// A whole number 0..=30.
    Count,
    /// One of the question's options, by code or label.
    Choice,
    /// A number with an optional unit, converted and rounded to 0.1.
    Measure(Measure),
    /// One relation code of risk-profile.md.
    Relation,
    /// `no`/`none`, or relatives each with an optional age at diagnosis.
    RelativeList,
    /// `no`/`none`, or relatives each with a gene and a result.
    RelativeGeneList,
    /// `no`/`none`, or cancers each with an optional age and details.
    CancerList,
    /// `no`/`none`, or genes each with a result.
    GeneList,
}

impl AnswerType {
    /// The wire name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::YesNo => "yes_no",
            Self::Age => "age",
            Self::AgeOptional => "age_optional",
            Self::Count => "count",
            Self::Choice => "choice",
            Self::Measure(_) => "measure",
            Self::Relation => "relation",
            Self::RelativeList => "relative_list",
            Self::RelativeGeneList => "relative_gene_list",
            Self::CancerList => "cancer_list",
            Self::GeneList => "gene_list",
        }
    }
}

impl Serialize for AnswerType {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// One option of a choice question: its code (what the profile stores) and its label (what a
/// person reads). Both are accepted as answers, as are a few plain-language synonyms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ChoiceOption {
    /// The code, e.g. `hispanic_us_born`.
    pub code: &'static str,
    /// The label, e.g. `Hispanic (US-born)`.
    pub label: &'static str,
    /// Other accepted words (not part of the question object).
    #[serde(skip)]
    pub synonyms: &'static [&'static str],
}

/// The question object of §3.5.1: `{"id", "sequence", "text", "answer_type", "options",
/// "required", "description"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Question {
    /// The id (1..=26).
    pub id: QuestionId,
    /// Its place in the table (equal to the id: the order of the table).
    pub sequence: u8,
    /// The text, exactly as the table words it.
    pub text: &'static str,
    /// The answer type (wire name).
    pub answer_type: AnswerType,
    /// The options of a choice question; `null` otherwise.
    pub options: Option<&'static [ChoiceOption]>,
    /// `false` only where an empty answer is accepted, meaning unknown (the `age?` questions).
    pub required: bool,
    /// The expected answer format, in one sentence (also the tail of every invalid-answer
    /// message for this question).
    pub description: Option<&'static str>,
}

/// What a client sent as an answer (contract §3.5.3 `answer`: a string, a number, a boolean or
/// a string array). Every parser reads its text (see [`AnswerInput::text`]).
#[derive(Debug, Clone, PartialEq)]
pub enum AnswerInput {
    /// A string (a chat message, a form field).
    Text(String),
    /// A JSON number.
    Number(serde_json::Number),
    /// A JSON boolean (`true` reads as yes).
    Bool(bool),
    /// A string array, read as its items joined with `", "`.
    List(Vec<String>),
}

impl AnswerInput {
    /// Reads a JSON answer. Strings, numbers, booleans and arrays of those are accepted (array
    /// items are joined with `", "`); `null` and objects are not.
    ///
    /// # Errors
    /// An [`InvalidAnswer`] saying which forms are accepted.
    pub fn from_json(value: &Value) -> Result<Self, InvalidAnswer> {
        fn scalar(v: &Value) -> Option<String> {
            match v {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(number_text(n)),
                Value::Bool(b) => Some(b.to_string()),
                Value::Null | Value::Array(_) | Value::Object(_) => None,
            }
        }
        match value {
            Value::String(s) => Ok(Self::Text(s.clone())),
            Value::Number(n) => Ok(Self::Number(n.clone())),
            Value::Bool(b) => Ok(Self::Bool(*b)),
            Value::Array(items) => items
                .iter()
                .map(scalar)
                .collect::<Option<Vec<_>>>()
                .map(Self::List)
                .ok_or_else(|| InvalidAnswer::new("A list answer may only hold texts.")),
            Value::Null => Err(InvalidAnswer::new("An answer is required.")),
            Value::Object(_) => Err(InvalidAnswer::new(
                "Give the answer as text, a number, true/false or a list of texts.",
            )),
        }
    }

    /// The text the parsers read: a string as given, a number in decimal (an integral float
    /// without its `.0`), a boolean as `true`/`false`, a list joined with `", "`.
    #[must_use]
    pub fn text(&self) -> String {
        match self {
            Self::Text(s) => s.clone(),
            Self::Number(n) => number_text(n),
            Self::Bool(b) => b.to_string(),
            Self::List(items) => items.join(", "),
        }
    }
}

/// A JSON number as text: integers as such, `45.0` as `45`, other floats in Rust's shortest form.
fn number_text(n: &serde_json::Number) -> String {
    if let Some(i) = n.as_i64() {
        return i.to_string();
    }
    if let Some(u) = n.as_u64() {
        return u.to_string();
    }
    match n.as_f64() {
        Some(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
        Some(f) => f.to_string(),
        None => n.to_string(),
    }
}

impl From<&str> for AnswerInput {
    fn from(s: &str) -> Self {
        Self::Text(s.to_owned())
    }
}

impl From<String> for AnswerInput {
    fn from(s: String) -> Self {
        Self::Text(s)
    }
}

impl From<bool> for AnswerInput {
    fn from(b: bool) -> Self {
        Self::Bool(b)
    }
}

impl From<i64> for AnswerInput {
    fn from(n: i64) -> Self {
        Self::Number(n.into())
    }
}

impl TryFrom<&Value> for AnswerInput {
    type Error = InvalidAnswer;

    fn try_from(v: &Value) -> Result<Self, Self::Error> {
        Self::from_json(v)
    }
}

/// A yes/no answer; `unknown` (unsure, don't know, skip) takes the "no" branch but fills
/// `null`, never `false`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum YesNo {
    /// Yes.
    Yes,
    /// No.
    No,
    /// Unknown.
    Unknown,
}

impl YesNo {
    /// `Some(true)`, `Some(false)` or `None` (unknown).
    #[must_use]
    pub fn known(self) -> Option<bool> {
        match self {
            Self::Yes => Some(true),
            Self::No => Some(false),
            Self::Unknown => None,
        }
    }
}

/// A relative named in a relative list: the relation and, if given, the age at diagnosis of the
/// cancer the question asks about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RelativeMention {
    /// The relation code.
    pub relation: Relation,
    /// Age at diagnosis; `null` = not given.
    pub age_at_diagnosis: Option<i32>,
}

/// A cancer named in the proband's cancer list. A flag that was not said is `false` here and
/// unknown (`null`) in the profile: not saying "bilateral" does not mean unilateral.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CancerMention {
    /// The site.
    #[serde(rename = "type")]
    pub cancer_type: CancerType,
    /// Age at diagnosis; `null` = not given.
    pub age_at_diagnosis: Option<i32>,
    /// Said `bilateral` (breast).
    #[serde(default)]
    pub bilateral: bool,
    /// Said `dcis` / `in situ` (breast): not invasive.
    #[serde(default)]
    pub dcis: bool,
    /// Said `triple negative` (breast).
    #[serde(default)]
    pub triple_negative: bool,
    /// Said `metastatic`.
    #[serde(default)]
    pub metastatic: bool,
}

/// A relative's genetic test result named in question 9.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RelativeGeneTest {
    /// The relation code.
    pub relation: Relation,
    /// Gene symbol, upper case.
    pub gene: String,
    /// Classification; `null` = unknown.
    pub result: Option<GeneticResult>,
}

/// A normalised answer: what the engine keeps, what storage keeps, what a chat message's
/// `extracted_entities` and the history's `normalized` show. JSON:
/// `{"type": "<answer type>", "value": ...}`. In the lists, `null` means the person answered
/// "unknown" and `[]` means "no / none".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum Answer {
    /// `yes_no`.
    YesNo(YesNo),
    /// `age` and `age_optional` (`null` = unknown, `age_optional` only).
    Age(Option<i32>),
    /// `count`.
    Count(i32),
    /// `choice`: the option's code.
    Choice(String),
    /// `measure`: cm (height) or kg (weight), rounded to 0.1.
    Measure(f64),
    /// `relation`.
    Relation(Relation),
    /// `relative_list`.
    RelativeList(Option<Vec<RelativeMention>>),
    /// `cancer_list`.
    CancerList(Option<Vec<CancerMention>>),
    /// `gene_list` (genes upper case).
    GeneList(Option<Vec<GeneticTest>>),
    /// `relative_gene_list`.
    RelativeGeneList(Option<Vec<RelativeGeneTest>>),
}

/// One accepted answer: the unit of the questionnaire's state, and all that storage has to keep
/// (`Questionnaire::replay` rebuilds everything else from the ordered list).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AcceptedAnswer {
    /// The question answered.
    pub question_id: QuestionId,
    /// The normalised answer.
    pub answer: Answer,
}
