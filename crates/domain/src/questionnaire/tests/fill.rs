//! The "fills" column, the rules on earlier answers, and the merge rule for relatives.

use super::super::*;
use super::{NO_FAMILY, WOMAN_35, no_history_answers, run};
use crate::clinical::profile::{
    BiradsDensity, BreastDensity, Cancer, CancerType, DensityMethod, DensityValue, Ethnicity,
    GeneticResult, GeneticTest, HrtStatus, Hyperplasia, MenopauseStatus, Relative, RiskProfile,
    Sex,
};

/// Answers `prefix`, then `text` to question `n`, which must be refused as invalid without
/// changing anything; returns the message.
fn refused(prefix: &[(u8, &str)], n: u8, text: &str) -> String {
    let mut q = run(prefix);
    let before = q.clone();
    match q.answer(i64::from(n), &AnswerInput::from(text)) {
        Err(QuestionnaireError::Invalid { message }) => {
            assert_eq!(q, before, "state changed");
            message
        }
        other => panic!("question {n}, {text:?}: expected Invalid, got {other:?}"),
    }
}

/// Family answers: breast cancer relatives via the loop (age, relation), then 5–9.
fn family(
    breast: &[(&'static str, &'static str)],
    rest: [&'static str; 5],
) -> Vec<(u8, &'static str)> {
    let mut v = Vec::new();
    if breast.is_empty() {
        v.push((1, "no"));
    } else {
        v.push((1, "yes"));
        for (i, (age, rel)) in breast.iter().enumerate() {
            if i > 0 {
                v.push((4, "yes"));
            }
            v.push((2, *age));
            v.push((3, *rel));
        }
        v.push((4, "no"));
    }
    v.extend((5..=9).zip(rest));
    v
}

/// Up to question 15 for a 35-year-old woman with `rest` family answers.
fn until_16(
    breast: &[(&'static str, &'static str)],
    rest: [&'static str; 5],
) -> Vec<(u8, &'static str)> {
    let mut v = family(breast, rest);
    v.extend(WOMAN_35.iter().take(6));
    v
}

/// The relatives, one line each: `relation[ (Sex)]: cancer age, ..., +N tests` (`?` for an
/// unknown age).
fn relatives_of(p: &RiskProfile) -> Vec<String> {
    p.relatives
        .iter()
        .map(|r: &Relative| {
            let sex = r.sex.map_or(String::new(), |s| format!(" ({s:?})"));
            let mut parts: Vec<String> = r
                .cancers
                .iter()
                .map(|c| {
                    let age = c.age_at_diagnosis.map_or("?".to_owned(), |a| a.to_string());
                    format!("{} {age}", c.cancer_type.as_str())
                })
                .collect();
            if !r.genetic_tests.is_empty() {
                parts.push(format!("+{} tests", r.genetic_tests.len()));
            }
            format!("{}{sex}: {}", r.relation, parts.join(", "))
        })
        .collect()
}

#[test]
fn a_full_path_fills_every_field() {
    let mut answers = family(&[], ["no"; 5]);
    answers.extend([
        (10, "52"),
        (11, "female"),
        (12, "unsure"),
        (13, "Other Asian"),
        (14, "breast 45 bilateral triple negative"),
        (15, "BRCA2 vus"),
        (16, "13"),
        (17, "2"),
        (18, "31"),
        (19, "post"),
        (20, "50"),
        (21, "1.70 m"),
        (22, "150 lb"),
        (23, "2"),
        (24, "atypical"),
        (25, "current"),
        (26, "d"),
    ]);
    let q = run(&answers);
    let p = &q.completed_profile().expect("complete").proband;
    assert_eq!(p.age, Some(52));
    assert_eq!(p.sex, Some(Sex::Female));
    assert_eq!(p.ashkenazi_jewish, None, "unknown is null, never false");
    assert_eq!(p.ethnicity, Some(Ethnicity::OtherAsian));
    let mut breast = Cancer::new(CancerType::Breast, Some(45));
    breast.bilateral = Some(true);
    breast.triple_negative = Some(true);
    assert_eq!(p.cancers, vec![breast]);
    assert_eq!(
        p.genetic_tests,
        vec![GeneticTest {
            gene: "BRCA2".into(),
            result: Some(GeneticResult::Vus)
        }]
    );
    assert_eq!(p.menarche_age, Some(13));
    assert_eq!(p.live_births, Some(2));
    assert_eq!(p.first_live_birth_age, Some(31));
    assert_eq!(p.menopause_status, Some(MenopauseStatus::Post));
    assert_eq!(p.menopause_age, Some(50));
    assert_eq!(p.height_cm, Some(170.0));
    assert_eq!(p.weight_kg, Some(68.0));
    assert_eq!(p.breast_biopsies, Some(2));
    assert_eq!((p.hyperplasia, p.lcis), (Some(Hyperplasia::Atypical), None));
    assert_eq!(
        p.hrt.as_ref().and_then(|h| h.status),
        Some(HrtStatus::Current)
    );
    assert_eq!(
        p.breast_density,
        Some(BreastDensity {
            method: DensityMethod::Birads,
            value: Some(DensityValue::Birads(BiradsDensity::D))
        })
    );
    assert_eq!(p.chest_radiation, None);
    assert!(q.profile().validate().is_ok());
}

#[test]
fn biopsy_results_map_to_hyperplasia_and_lcis() {
    let mut prefix = until_16(&[], ["no"; 5]);
    prefix.extend([(16, "12"), (17, "0"), (19, "pre"), (21, "165"), (22, "60")]);
    let cases = [
        ("atypical", Some(Hyperplasia::Atypical), None),
        ("hyperplasia", Some(Hyperplasia::Hyperplasia), None),
        ("lcis", None, Some(true)),
        ("none", Some(Hyperplasia::None), Some(false)),
        ("unknown", Some(Hyperplasia::Unknown), None),
    ];
    for (answer, hyperplasia, lcis) in cases {
        let mut a = prefix.clone();
        a.extend([(23, "1"), (24, answer)]);
        let p = run(&a).profile().proband.clone();
        assert_eq!((p.hyperplasia, p.lcis), (hyperplasia, lcis), "{answer}");
    }
    let mut none = prefix.clone();
    none.push((23, "0"));
    let p = run(&none).profile().proband.clone();
    assert_eq!(
        (p.hyperplasia, p.lcis),
        (Some(Hyperplasia::None), Some(false))
    );
}

#[test]
fn unknown_hrt_and_density_are_null() {
    let mut a = no_history_answers();
    a.pop();
    a.pop();
    a.extend([(25, "unknown"), (26, "not sure")]);
    let q = run(&a);
    let p = &q.completed_profile().expect("complete").proband;
    assert_eq!(p.hrt, None);
    assert_eq!(p.breast_density, None);
    let q = run(&no_history_answers());
    let p = &q.completed_profile().expect("complete").proband;
    assert_eq!(
        p.hrt.as_ref().and_then(|h| h.status),
        Some(HrtStatus::Never)
    );
}

#[test]
fn the_mother_is_one_person_across_questions() {
    let a = family(
        &[("40", "mother")],
        ["mom 55", "no", "no", "no", "mother BRCA1 pathogenic"],
    );
    let q = run(&a);
    assert_eq!(
        relatives_of(q.profile()),
        ["mother: breast 40, ovarian 55, +1 tests"]
    );
}

#[test]
fn a_unique_relative_named_again_for_the_same_cancer_is_the_same_diagnosis() {
    // Unknown age, then the age: filled in.
    let q = run(&family(&[("unknown", "mother"), ("40", "mom")], ["no"; 5]));
    assert_eq!(relatives_of(q.profile()), ["mother: breast 40"]);
    // The same age again: unchanged.
    let q = run(&family(&[("40", "mother"), ("40", "mother")], ["no"; 5]));
    assert_eq!(q.profile().relatives[0].cancers.len(), 1);
    // Another age: refused.
    let prefix = [(1, "yes"), (2, "40"), (3, "mother"), (4, "yes"), (2, "60")];
    let m = refused(&prefix, 3, "mother");
    assert!(
        m.starts_with("Your mother is already listed with breast cancer at 40."),
        "{m}"
    );
    let m = refused(&family(&[], ["no"; 5])[..1], 5, "mother 40, mother 50");
    assert!(
        m.starts_with("Your mother is already listed with ovarian cancer at 40."),
        "{m}"
    );
}

#[test]
fn other_relations_may_be_several_people() {
    let q = run(&family(
        &[("45", "sister")],
        ["sister 50, sister 60", "maternal aunt", "no", "no", "no"],
    ));
    assert_eq!(
        relatives_of(q.profile()),
        [
            "sister: breast 45",
            "sister: ovarian 50",
            "sister: ovarian 60",
            "maternal_aunt: pancreatic ?",
        ]
    );
}

#[test]
fn genetic_tests_go_to_the_only_person_of_that_relation_else_to_a_new_one() {
    let q = run(&family(
        &[
            ("45", "sister"),
            ("50", "maternal aunt"),
            ("55", "maternal aunt"),
        ],
        [
            "no",
            "no",
            "no",
            "no",
            "sister BRCA1 pathogenic, maternal aunt BRCA2 negative, brother ATM vus, brother CHEK2 negative",
        ],
    ));
    assert_eq!(
        relatives_of(q.profile()),
        [
            "sister: breast 45, +1 tests",
            "maternal_aunt: breast 50",
            "maternal_aunt: breast 55",
            "maternal_aunt: +1 tests",
            "brother: +2 tests",
        ]
    );
    let m = refused(
        &family(&[], ["no"; 5])[..5],
        9,
        "mother BRCA1 positive, mom BRCA1 negative",
    );
    assert!(
        m.starts_with("BRCA1 is listed twice for your mother."),
        "{m}"
    );
}

#[test]
fn questions_about_male_or_female_relatives_check_the_relation_and_set_a_cousins_sex() {
    let start = &family(&[], ["no"; 5])[..1];
    let m = refused(start, 5, "brother 40");
    assert!(
        m.starts_with("Your brother is not a female relative"),
        "{m}"
    );
    let q = run(&family(
        &[("50", "maternal cousin")],
        [
            "paternal cousin 40",
            "maternal cousin",
            "paternal cousin 60",
            "maternal cousin 50",
            "no",
        ],
    ));
    assert_eq!(
        relatives_of(q.profile()),
        [
            "maternal_cousin: breast 50",
            "paternal_cousin (Female): ovarian 40",
            "maternal_cousin: pancreatic ?",
            "paternal_cousin (Male): prostate 60",
            "maternal_cousin (Male): breast 50",
        ]
    );
    let to_7 = [(1, "no"), (5, "no"), (6, "no")];
    let m = refused(&to_7, 7, "father 70, mother 60");
    assert!(
        m.starts_with("Your mother is not a male relative; this question is about male relatives."),
        "{m}"
    );
    let m = refused(&[(1, "no"), (5, "no"), (6, "no"), (7, "no")], 8, "sister");
    assert!(m.starts_with("Your sister is not a male relative"), "{m}");
}

#[test]
fn the_probands_own_answers_are_checked_against_earlier_ones() {
    let mut to_10: Vec<(u8, &str)> = vec![(1, "no")];
    to_10.extend(NO_FAMILY);
    let m = refused(&to_10, 10, "17");
    assert!(m.starts_with("The age must be at least 18."), "{m}");
    assert!(m.ends_with("Give your age in whole years, from 18 to 120."));

    let mut to_14 = to_10.clone();
    to_14.extend(WOMAN_35.iter().take(4));
    let m = refused(&to_14, 14, "breast 36");
    assert!(
        m.starts_with("The age at diagnosis (36) cannot be after your current age (35)."),
        "{m}"
    );
    let m = refused(&to_14, 14, "prostate 30");
    assert!(
        m.starts_with("Prostate cancer is not possible for your sex at birth."),
        "{m}"
    );
    let mut man = to_10.clone();
    man.extend([(10, "60"), (11, "male"), (12, "no"), (13, "white")]);
    let m = refused(&man, 14, "ovarian 50");
    assert!(m.starts_with("Ovarian cancer is not possible"), "{m}");
    assert!(
        run(&[man.clone(), vec![(14, "breast 50, prostate 59")]].concat())
            .profile()
            .proband
            .cancers
            .len()
            == 2
    );

    let to_16 = until_16(&[], ["no"; 5]);
    let to_18 = [to_16.clone(), vec![(16, "14"), (17, "1")]].concat();
    let to_20 = [to_18.clone(), vec![(18, "unknown"), (19, "post")]].concat();
    let first_period = "Your age at your first period must be between 6 and 25.";
    let cases = [
        (&to_16, 16, "30", first_period),
        (&to_16, 16, "5", first_period),
        (
            &to_18,
            18,
            "12",
            "Your age at your first child's birth (12) cannot be before your first period (14).",
        ),
        (
            &to_18,
            18,
            "36",
            "Your age at your first child's birth (36) cannot be after your current age (35).",
        ),
        (
            &to_20,
            20,
            "40",
            "Your age at menopause (40) cannot be after your current age (35).",
        ),
        (
            &to_20,
            20,
            "13",
            "Your age at menopause (13) cannot be before your first period (14).",
        ),
    ];
    for (prefix, n, text, start) in cases {
        let m = refused(prefix, n, text);
        assert!(m.starts_with(start), "{n} {text}: {m}");
    }
    let q = run(&[to_20, vec![(20, "34")]].concat());
    assert_eq!(q.profile().proband.menopause_age, Some(34));
    assert_eq!(q.profile().proband.first_live_birth_age, None);
}
