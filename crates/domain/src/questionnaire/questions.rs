//! The 26 questions of api-contract.md §3.5.1 as data. Texts are the table's, word for word,
//! except question 13, whose table text carries an editor's note ("(options of risk-profile.md)")
//! in place of the options: the question says "Which best describes your ethnicity?" and lists
//! the risk-profile.md vocabulary in `options`. Choice options are the risk-profile.md codes;
//! questions 25 and 26 also offer `unknown` (it fills `null`).

use super::model::{AnswerType, ChoiceOption, Measure, Question, QuestionId};

const YES_NO: &str = "Answer yes, no or unknown.";
const AGE_OPTIONAL: &str = "Give an age in whole years (for example 45), or unknown.";
const COUNT: &str = "Give a whole number from 0 to 30.";
const RELATIVE_LIST: &str = "Answer no, or list each relative with the age at diagnosis if you \
know it, separated by commas (for example: mother 52, maternal aunt).";

const fn opt(
    code: &'static str,
    label: &'static str,
    synonyms: &'static [&'static str],
) -> ChoiceOption {
    ChoiceOption {
        code,
        label,
        synonyms,
    }
}

/// Question 11: `proband.sex`.
pub(crate) const SEX: &[ChoiceOption] = &[
    opt("female", "Female", &["f", "woman"]),
    opt("male", "Male", &["m", "man"]),
];

/// Question 13: `ethnicity` (risk-profile.md vocabulary).
pub(crate) const ETHNICITY: &[ChoiceOption] = &[
    opt("white", "White", &["caucasian"]),
    opt(
        "black",
        "Black or African American",
        &["african american", "african"],
    ),
    opt("hispanic_us_born", "Hispanic (US-born)", &[]),
    opt("hispanic_foreign_born", "Hispanic (foreign-born)", &[]),
    opt("chinese", "Chinese", &[]),
    opt("japanese", "Japanese", &[]),
    opt("filipino", "Filipino", &[]),
    opt("hawaiian", "Native Hawaiian", &[]),
    opt("other_pacific_islander", "Other Pacific Islander", &[]),
    opt("other_asian", "Other Asian", &[]),
    opt(
        "american_indian",
        "American Indian or Alaska Native",
        &["native american"],
    ),
    opt("other", "Other", &[]),
    opt("unknown", "Unknown", &[]),
];

/// Question 19: `menopause_status`.
pub(crate) const MENOPAUSE: &[ChoiceOption] = &[
    opt("pre", "Premenopausal", &["no", "not yet"]),
    opt(
        "peri",
        "Perimenopausal",
        &["perimenopause", "going through it"],
    ),
    opt("post", "Postmenopausal", &["yes", "postmenopause"]),
    opt("unknown", "Unknown", &[]),
];

/// Question 24: `hyperplasia` and `lcis`.
pub(crate) const BIOPSY_RESULT: &[ChoiceOption] = &[
    opt(
        "atypical",
        "Atypical hyperplasia",
        &[
            "atypia",
            "atypical ductal hyperplasia",
            "atypical lobular hyperplasia",
        ],
    ),
    opt("hyperplasia", "Hyperplasia without atypia", &[]),
    opt(
        "lcis",
        "LCIS (lobular carcinoma in situ)",
        &["lobular carcinoma in situ"],
    ),
    opt("none", "None of these", &["no", "none", "benign", "normal"]),
    opt("unknown", "Unknown", &[]),
];

/// Question 25: `hrt.status`.
pub(crate) const HRT: &[ChoiceOption] = &[
    opt("never", "Never", &["no", "none"]),
    opt("current", "Current", &["currently", "yes currently"]),
    opt(
        "former_under_5y",
        "Stopped under 5 years ago",
        &["stopped less than 5 years ago", "stopped within 5 years"],
    ),
    opt(
        "former_over_5y",
        "Stopped over 5 years ago",
        &["stopped more than 5 years ago"],
    ),
    opt("unknown", "Unknown", &[]),
];

/// Question 26: `breast_density` (BI-RADS).
pub(crate) const DENSITY: &[ChoiceOption] = &[
    opt(
        "a",
        "A: almost entirely fatty",
        &["almost entirely fatty", "bi-rads a"],
    ),
    opt(
        "b",
        "B: scattered fibroglandular density",
        &["scattered fibroglandular", "bi-rads b"],
    ),
    opt(
        "c",
        "C: heterogeneously dense",
        &["heterogeneously dense", "bi-rads c"],
    ),
    opt("d", "D: extremely dense", &["extremely dense", "bi-rads d"]),
    opt("unknown", "Unknown", &[]),
];

const fn q(
    id: u8,
    text: &'static str,
    answer_type: AnswerType,
    options: Option<&'static [ChoiceOption]>,
    description: &'static str,
) -> Question {
    Question {
        id: QuestionId::of(id),
        sequence: id,
        text,
        answer_type,
        options,
        required: !matches!(answer_type, AnswerType::AgeOptional),
        description: Some(description),
    }
}

/// The table, in order: `QUESTIONS[n - 1]` is question `n`.
pub static QUESTIONS: [Question; QuestionId::COUNT] = [
    q(
        1,
        "Do you have a family history of breast cancer?",
        AnswerType::YesNo,
        None,
        YES_NO,
    ),
    q(
        2,
        "At what age was your relative diagnosed?",
        AnswerType::AgeOptional,
        None,
        AGE_OPTIONAL,
    ),
    q(
        3,
        "Which relative was it (for example mother, sister, maternal aunt)?",
        AnswerType::Relation,
        None,
        "Name one relative, such as mother, sister, maternal aunt or paternal grandmother (for \
         grandparents, aunts, uncles and cousins say maternal or paternal).",
    ),
    q(
        4,
        "Has another relative had breast cancer?",
        AnswerType::YesNo,
        None,
        YES_NO,
    ),
    q(
        5,
        "Has any relative had ovarian, fallopian tube or primary peritoneal cancer? List each \
         relative and age, or answer no.",
        AnswerType::RelativeList,
        None,
        RELATIVE_LIST,
    ),
    q(
        6,
        "Has any relative had pancreatic cancer? List each relative and age, or answer no.",
        AnswerType::RelativeList,
        None,
        RELATIVE_LIST,
    ),
    q(
        7,
        "Has any male relative had prostate cancer? List each relative and age, or answer no.",
        AnswerType::RelativeList,
        None,
        RELATIVE_LIST,
    ),
    q(
        8,
        "Has any male relative had breast cancer? List each relative and age, or answer no.",
        AnswerType::RelativeList,
        None,
        RELATIVE_LIST,
    ),
    q(
        9,
        "Has any relative had a positive genetic test for a cancer gene (for example \"mother \
         BRCA1 pathogenic\")?",
        AnswerType::RelativeGeneList,
        None,
        "Answer no, or list each relative with the gene and the result (pathogenic, likely \
         pathogenic, vus, likely benign, benign or negative), separated by commas (for example: \
         mother BRCA1 pathogenic).",
    ),
    q(
        10,
        "How old are you?",
        AnswerType::Age,
        None,
        "Give your age in whole years, from 18 to 120.",
    ),
    q(
        11,
        "What sex were you assigned at birth: female or male?",
        AnswerType::Choice,
        Some(SEX),
        "Answer female or male.",
    ),
    q(
        12,
        "Are you of Ashkenazi Jewish ancestry?",
        AnswerType::YesNo,
        None,
        YES_NO,
    ),
    q(
        13,
        "Which best describes your ethnicity?",
        AnswerType::Choice,
        Some(ETHNICITY),
        "Choose one: White, Black or African American, Hispanic (US-born), Hispanic \
         (foreign-born), Chinese, Japanese, Filipino, Native Hawaiian, Other Pacific Islander, \
         Other Asian, American Indian or Alaska Native, Other, or Unknown.",
    ),
    q(
        14,
        "Have you ever been diagnosed with cancer? List each type and age (for example \"breast \
         45 triple negative\"), or answer no.",
        AnswerType::CancerList,
        None,
        "Answer no, or list each cancer with the age at diagnosis and, if they apply, bilateral, \
         dcis, triple negative or metastatic, separated by commas (for example: breast 45 triple \
         negative, colon 60).",
    ),
    q(
        15,
        "Have you had genetic testing for cancer genes? List each gene and result, or answer no.",
        AnswerType::GeneList,
        None,
        "Answer no, or list each gene with its result (pathogenic, likely pathogenic, vus, \
         likely benign, benign or negative), separated by commas (for example: BRCA1 negative).",
    ),
    q(
        16,
        "How old were you at your first menstrual period?",
        AnswerType::AgeOptional,
        None,
        AGE_OPTIONAL,
    ),
    q(
        17,
        "How many children have you given birth to?",
        AnswerType::Count,
        None,
        COUNT,
    ),
    q(
        18,
        "How old were you when your first child was born?",
        AnswerType::AgeOptional,
        None,
        AGE_OPTIONAL,
    ),
    q(
        19,
        "Have you gone through menopause? (pre, peri, post, unknown)",
        AnswerType::Choice,
        Some(MENOPAUSE),
        "Answer pre, peri, post or unknown.",
    ),
    q(
        20,
        "At what age did your menopause start?",
        AnswerType::AgeOptional,
        None,
        AGE_OPTIONAL,
    ),
    q(
        21,
        "What is your height?",
        AnswerType::Measure(Measure::Height),
        None,
        "Give your height in cm (for example 165), or with a unit: 1.65 m, 65 in or 5'5\".",
    ),
    q(
        22,
        "What is your weight?",
        AnswerType::Measure(Measure::Weight),
        None,
        "Give your weight in kg (for example 60), or in pounds (for example 132 lb).",
    ),
    q(
        23,
        "How many breast biopsies have you had?",
        AnswerType::Count,
        None,
        COUNT,
    ),
    q(
        24,
        "Did any biopsy show atypical hyperplasia, hyperplasia or LCIS? (atypical, hyperplasia, \
         lcis, none, unknown)",
        AnswerType::Choice,
        Some(BIOPSY_RESULT),
        "Answer atypical, hyperplasia, lcis, none or unknown.",
    ),
    q(
        25,
        "Have you used hormone replacement therapy? (never, current, stopped under 5 years ago, \
         stopped over 5 years ago)",
        AnswerType::Choice,
        Some(HRT),
        "Answer never, current, stopped under 5 years ago, stopped over 5 years ago, or unknown.",
    ),
    q(
        26,
        "What breast density did your last mammogram report? (a, b, c, d, unknown)",
        AnswerType::Choice,
        Some(DENSITY),
        "Answer a, b, c, d or unknown.",
    ),
];

/// The question with this id.
#[must_use]
pub fn question(id: QuestionId) -> &'static Question {
    &QUESTIONS[id.index()]
}
