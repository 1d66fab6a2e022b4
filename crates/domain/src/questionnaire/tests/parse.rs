//! Parsers: every answer type's valid and invalid forms, synonyms, units, edge ages; the
//! question objects; canonical text.

use serde_json::json;

use super::super::*;
use super::{err, ok, qid};
use crate::clinical::profile::{
    CancerType, Ethnicity, GeneticResult, GeneticTest, MenopauseStatus, Relation, Sex,
};

fn relatives(n: u8, s: &str) -> Vec<(Relation, Option<i32>)> {
    match ok(n, s) {
        Answer::RelativeList(Some(v)) => v
            .into_iter()
            .map(|m| (m.relation, m.age_at_diagnosis))
            .collect(),
        other => panic!("{s:?}: {other:?}"),
    }
}

fn cancers(s: &str) -> Vec<CancerMention> {
    match ok(14, s) {
        Answer::CancerList(Some(v)) => v,
        other => panic!("{s:?}: {other:?}"),
    }
}

fn genes(s: &str) -> Vec<GeneticTest> {
    match ok(15, s) {
        Answer::GeneList(Some(v)) => v,
        other => panic!("{s:?}: {other:?}"),
    }
}

/// Each text parses as a measure for question `n` (21 height, 22 weight) to the value given.
fn measures(n: u8, cases: &[(&str, f64)]) {
    for (s, want) in cases {
        match ok(n, s) {
            Answer::Measure(v) => assert!((v - want).abs() < 1e-9, "{s}: {v}"),
            other => panic!("{s:?}: {other:?}"),
        }
    }
}

fn mention(cancer_type: CancerType, age: Option<i32>) -> CancerMention {
    CancerMention {
        cancer_type,
        age_at_diagnosis: age,
        bilateral: false,
        dcis: false,
        triple_negative: false,
        metastatic: false,
    }
}

#[test]
fn yes_no_synonyms_case_and_spaces() {
    for s in ["yes", "Y", " TRUE ", "Yes.", "yeah"] {
        assert_eq!(ok(1, s), Answer::YesNo(YesNo::Yes), "{s}");
    }
    for s in ["no", "N", "false", " No "] {
        assert_eq!(ok(1, s), Answer::YesNo(YesNo::No), "{s}");
    }
    for s in [
        "unknown",
        "unsure",
        "Not sure",
        "don't know",
        "Don\u{2019}t know",
        "skip",
        "I don't know",
    ] {
        assert_eq!(ok(12, s), Answer::YesNo(YesNo::Unknown), "{s}");
    }
    let m = err(1, "maybe");
    assert!(m.ends_with("Answer yes, no or unknown."), "{m}");
}

#[test]
fn json_inputs_are_read_as_text() {
    let q1 = question(qid(1));
    let q10 = question(qid(10));
    let yes = AnswerInput::from_json(&json!(true)).expect("bool");
    assert_eq!(parse_answer(q1, &yes), Ok(Answer::YesNo(YesNo::Yes)));
    let no = AnswerInput::from_json(&json!(false)).expect("bool");
    assert_eq!(parse_answer(q1, &no), Ok(Answer::YesNo(YesNo::No)));
    for v in [json!(45), json!(45.0), json!("45")] {
        let input = AnswerInput::from_json(&v).expect("number");
        assert_eq!(parse_answer(q10, &input), Ok(Answer::Age(Some(45))), "{v}");
    }
    let frac = AnswerInput::from_json(&json!(45.5)).expect("number");
    assert_eq!(frac.text(), "45.5");
    assert!(parse_answer(q10, &frac).is_err());
    let list = AnswerInput::from_json(&json!(["mother 52", "maternal aunt"])).expect("list");
    assert_eq!(list.text(), "mother 52, maternal aunt");
    assert_eq!(
        parse_answer(question(qid(5)), &list).map(|a| a.canonical_text()),
        Ok("mother 52; maternal_aunt".to_owned())
    );
    for bad in [
        json!(null),
        json!({"a": 1}),
        json!([{"a": 1}]),
        json!([["x"]]),
    ] {
        assert!(AnswerInput::from_json(&bad).is_err(), "{bad}");
    }
    assert_eq!(AnswerInput::from(7).text(), "7");
}

#[test]
fn ages_take_words_and_stay_within_0_to_120() {
    for s in [
        "45",
        " 45 ",
        "45 years",
        "45 years old",
        "age 45",
        "45yo",
        "I'm 45",
    ] {
        assert_eq!(ok(10, s), Answer::Age(Some(45)), "{s}");
    }
    assert_eq!(ok(2, "0"), Answer::Age(Some(0)));
    assert_eq!(ok(2, "120"), Answer::Age(Some(120)));
    for s in ["121", "-5", "45.5", "forty", "40s", "45 50", "", "unknown"] {
        let m = err(10, s);
        assert!(
            m.ends_with("Give your age in whole years, from 18 to 120."),
            "{s}: {m}"
        );
    }
    assert!(err(2, "121").starts_with("An age must be between 0 and 120."));
    assert!(err(2, "-1").starts_with("An age cannot be negative."));
}

#[test]
fn optional_ages_accept_unknown_as_null() {
    for n in [2, 16, 18, 20] {
        for s in ["unknown", "Not sure", "don't know", "skip", ""] {
            assert_eq!(ok(n, s), Answer::Age(None), "{n} {s:?}");
        }
        assert!(!question(qid(n)).required);
    }
    assert!(question(qid(10)).required);
}

#[test]
fn counts_are_0_to_30() {
    assert_eq!(ok(17, "0"), Answer::Count(0));
    assert_eq!(ok(17, "30"), Answer::Count(30));
    assert_eq!(ok(17, "none"), Answer::Count(0));
    assert_eq!(ok(17, "two"), Answer::Count(2));
    assert_eq!(ok(17, "2 children"), Answer::Count(2));
    assert_eq!(ok(23, "one biopsy"), Answer::Count(1));
    assert_eq!(ok(23, "3"), Answer::Count(3));
    for s in ["31", "-1", "1.5", "many", "", "99999999999999999999"] {
        let m = err(17, s);
        assert!(m.ends_with("Give a whole number from 0 to 30."), "{s}: {m}");
    }
}

#[test]
fn choices_by_code_label_or_synonym() {
    assert_eq!(ok(11, "Female"), Answer::Choice("female".into()));
    assert_eq!(ok(11, " F "), Answer::Choice("female".into()));
    assert_eq!(ok(11, "MALE"), Answer::Choice("male".into()));
    assert!(err(11, "unknown").ends_with("Answer female or male."));
    for s in [
        "hispanic_us_born",
        "Hispanic (US-born)",
        "hispanic us born",
        "HISPANIC-US-BORN",
    ] {
        assert_eq!(ok(13, s), Answer::Choice("hispanic_us_born".into()), "{s}");
    }
    assert_eq!(ok(13, "Caucasian"), Answer::Choice("white".into()));
    assert_eq!(ok(13, "not sure"), Answer::Choice("unknown".into()));
    assert!(err(13, "hispanic").starts_with("\"hispanic\" is not one of the options."));
    assert_eq!(ok(19, "post"), Answer::Choice("post".into()));
    assert_eq!(ok(19, "Postmenopausal"), Answer::Choice("post".into()));
    assert_eq!(ok(19, "yes"), Answer::Choice("post".into()));
    assert_eq!(ok(19, "don't know"), Answer::Choice("unknown".into()));
    assert_eq!(ok(24, "LCIS"), Answer::Choice("lcis".into()));
    assert_eq!(
        ok(24, "atypical hyperplasia"),
        Answer::Choice("atypical".into())
    );
    assert_eq!(ok(24, "no"), Answer::Choice("none".into()));
    assert_eq!(
        ok(25, "Stopped under 5 years ago"),
        Answer::Choice("former_under_5y".into())
    );
    assert_eq!(
        ok(25, "former_over_5y"),
        Answer::Choice("former_over_5y".into())
    );
    assert_eq!(ok(25, "never"), Answer::Choice("never".into()));
    assert_eq!(ok(26, "C"), Answer::Choice("c".into()));
    assert_eq!(ok(26, "extremely dense"), Answer::Choice("d".into()));
    assert_eq!(ok(26, "unknown"), Answer::Choice("unknown".into()));
    assert!(err(26, "e").ends_with("Answer a, b, c, d or unknown."));
    assert!(err(26, "").starts_with("An answer is required."));
}

#[test]
fn every_choice_code_is_a_profile_code() {
    for o in question(qid(11)).options.expect("options") {
        let _: Sex = serde_json::from_value(json!(o.code)).expect(o.code);
    }
    for o in question(qid(13)).options.expect("options") {
        let _: Ethnicity = serde_json::from_value(json!(o.code)).expect(o.code);
    }
    for o in question(qid(19)).options.expect("options") {
        let _: MenopauseStatus = serde_json::from_value(json!(o.code)).expect(o.code);
    }
    assert_eq!(question(qid(13)).options.map(<[_]>::len), Some(13));
}

#[test]
fn heights_in_every_unit() {
    let cases = [
        ("165", 165.0),
        ("165 cm", 165.0),
        ("165cm", 165.0),
        ("165.04", 165.0),
        ("165.06", 165.1),
        ("1.65 m", 165.0),
        ("1,65 m", 165.0),
        ("1.65m", 165.0),
        ("65 in", 165.1),
        ("65 inches", 165.1),
        ("65\"", 165.1),
        ("5'4\"", 162.6),
        ("5' 4\"", 162.6),
        ("5\u{2032}4\u{2033}", 162.6),
        ("5'4", 162.6),
        ("5 ft 4 in", 162.6),
        ("5 feet 4", 162.6),
        ("5ft", 152.4),
        ("about 170 cm", 170.0),
    ];
    measures(21, &cases);
    for s in [
        "1.65", "tall", "-165", "60 kg", "5'13\"", "", "1.6.5 m", "300",
    ] {
        let m = err(21, s);
        assert!(m.ends_with("65 in or 5'5\"."), "{s}: {m}");
    }
    assert!(err(21, "1.65").starts_with("A height must be between 50 and 250 cm"));
}

#[test]
fn weights_in_kg_and_pounds() {
    let cases = [
        ("60", 60.0),
        ("60 kg", 60.0),
        ("60kg", 60.0),
        ("60.55 kg", 60.6),
        ("132 lb", 59.9),
        ("132 lbs", 59.9),
        ("150 pounds", 68.0),
    ];
    measures(22, &cases);
    for s in ["10", "60 cm", "heavy", "400 kg", "5'4\""] {
        assert!(err(22, s).ends_with("(for example 132 lb)."), "{s}");
    }
}

#[test]
fn relations_codes_spaces_hyphens_and_everyday_words() {
    let cases = [
        ("mother", Relation::Mother),
        ("Mom", Relation::Mother),
        ("mum", Relation::Mother),
        ("dad", Relation::Father),
        ("my sister", Relation::Sister),
        ("maternal aunt", Relation::MaternalAunt),
        ("Maternal-Aunt", Relation::MaternalAunt),
        ("maternal_aunt", Relation::MaternalAunt),
        ("aunt (maternal)", Relation::MaternalAunt),
        ("paternal grandma", Relation::PaternalGrandmother),
        ("maternal half sister", Relation::MaternalHalfSister),
        ("paternal great-aunt", Relation::PaternalGreatAunt),
        ("maternal cousin", Relation::MaternalCousin),
        ("niece", Relation::Niece),
    ];
    for (s, want) in cases {
        assert_eq!(ok(3, s), Answer::Relation(want), "{s}");
    }
    for r in Relation::ALL {
        assert_eq!(ok(3, r.as_str()), Answer::Relation(r));
    }
}

#[test]
fn relations_without_a_side_are_refused() {
    for s in [
        "grandmother",
        "grandfather",
        "aunt",
        "uncle",
        "cousin",
        "half sister",
        "great grandmother",
    ] {
        let m = err(3, s);
        assert!(m.starts_with("Say which side: maternal"), "{s}: {m}");
        assert!(m.contains("say maternal or paternal"), "{m}");
    }
    assert!(err(3, "neighbour").starts_with("\"neighbour\" is not a relation we know."));
    assert!(err(3, "").starts_with("Name the relative."));
}

#[test]
fn relative_lists() {
    assert_eq!(ok(5, "no"), Answer::RelativeList(Some(vec![])));
    assert_eq!(ok(5, "None"), Answer::RelativeList(Some(vec![])));
    assert_eq!(ok(5, "not sure"), Answer::RelativeList(None));
    assert_eq!(
        relatives(5, "mother 52; maternal aunt"),
        vec![(Relation::Mother, Some(52)), (Relation::MaternalAunt, None)]
    );
    assert_eq!(
        relatives(6, "Mom 52, sister 45 and paternal cousin"),
        vec![
            (Relation::Mother, Some(52)),
            (Relation::Sister, Some(45)),
            (Relation::PaternalCousin, None)
        ]
    );
    assert_eq!(
        relatives(7, "my father at 70 & brother 61 years"),
        vec![(Relation::Father, Some(70)), (Relation::Brother, Some(61))]
    );
    assert_eq!(
        relatives(5, "sister 40, sister 45"),
        vec![(Relation::Sister, Some(40)), (Relation::Sister, Some(45))]
    );
    let expected = "Answer no, or list each relative with the age at diagnosis if you know it, \
                    separated by commas (for example: mother 52, maternal aunt).";
    for s in [
        "mother 130",
        "mother 52 60",
        "aunt 50",
        "yes",
        "",
        "52",
        "mother, 52",
        "mother 45.5",
    ] {
        let m = err(5, s);
        assert!(m.ends_with(expected), "{s}: {m}");
    }
    assert!(err(5, "yes").starts_with("Please list them."));
    assert!(err(5, "aunt 50").starts_with("Say which side"));
    let many = ["sister"; 21].join(", ");
    assert!(err(5, &many).starts_with("List at most 20 items."));
    assert_eq!(relatives(5, &["sister"; 20].join(", ")).len(), 20);
}

#[test]
fn cancer_lists_types_synonyms_flags_and_ages() {
    assert_eq!(ok(14, "no"), Answer::CancerList(Some(vec![])));
    assert_eq!(ok(14, "unknown"), Answer::CancerList(None));
    let tn = cancers("breast 45 triple negative");
    assert_eq!(
        tn,
        vec![CancerMention {
            triple_negative: true,
            ..mention(CancerType::Breast, Some(45))
        }]
    );
    assert_eq!(cancers("Breast cancer at 45 (triple-negative)"), tn);
    assert_eq!(cancers("breast 45 TNBC"), tn);
    let synonyms = [
        ("colon 60", CancerType::Colorectal),
        ("rectal 60", CancerType::Colorectal),
        ("uterine 60", CancerType::Endometrial),
        ("womb 60", CancerType::Endometrial),
        ("stomach 60", CancerType::Gastric),
        ("fallopian tube 60", CancerType::Ovarian),
        ("primary peritoneal 60", CancerType::Ovarian),
        ("ovary 60", CancerType::Ovarian),
        ("pancreas 60", CancerType::Pancreatic),
        ("renal 60", CancerType::Kidney),
        ("leukaemia 60", CancerType::Leukemia),
        ("lung 60", CancerType::Other),
        ("melanoma 60", CancerType::Melanoma),
        ("thyroid 60", CancerType::Thyroid),
        ("other 60", CancerType::Other),
    ];
    for (s, t) in synonyms {
        assert_eq!(cancers(s), vec![mention(t, Some(60))], "{s}");
    }
    for t in [
        CancerType::Prostate,
        CancerType::Sarcoma,
        CancerType::Brain,
        CancerType::Adrenocortical,
    ] {
        assert_eq!(cancers(t.as_str()), vec![mention(t, None)]);
    }
    assert_eq!(
        cancers("breast 40 bilateral dcis"),
        vec![CancerMention {
            bilateral: true,
            dcis: true,
            ..mention(CancerType::Breast, Some(40))
        }]
    );
    assert_eq!(
        cancers("DCIS 45"),
        vec![CancerMention {
            dcis: true,
            ..mention(CancerType::Breast, Some(45))
        }]
    );
    assert_eq!(cancers("breast in situ 45"), cancers("dcis 45"));
    assert_eq!(
        cancers("pancreatic 60 metastatic"),
        vec![CancerMention {
            metastatic: true,
            ..mention(CancerType::Pancreatic, Some(60))
        }]
    );
    assert_eq!(
        cancers("breast 45, ovarian 50 and colon"),
        vec![
            mention(CancerType::Breast, Some(45)),
            mention(CancerType::Ovarian, Some(50)),
            mention(CancerType::Colorectal, None)
        ]
    );
    let expected = "separated by commas (for example: breast 45 triple negative, colon 60).";
    for (s, start) in [
        (
            "ovarian 50 bilateral",
            "\"bilateral\" applies to breast cancer only.",
        ),
        ("colon dcis", "DCIS is a breast condition."),
        (
            "breast dcis metastatic",
            "An in-situ cancer (DCIS) cannot be metastatic.",
        ),
        (
            "banana 40",
            "\"banana\" is not a cancer type or detail we know.",
        ),
        (
            "breast ovarian",
            "Name one cancer per item, separated by commas.",
        ),
        ("45", "\"45\": name the cancer type first."),
        ("breast 45 50", "Give one age per cancer."),
        ("breast 130", "An age must be between 0 and 120."),
        ("yes", "Please list them."),
    ] {
        let m = err(14, s);
        assert!(m.starts_with(start), "{s}: {m}");
        assert!(m.ends_with(expected), "{s}: {m}");
    }
    let eleven = ["other"; 11].join(", ");
    assert!(err(14, &eleven).starts_with("List at most 10 cancers."));
}

#[test]
fn gene_lists() {
    use GeneticResult as R;
    let t = |gene: &str, result| GeneticTest {
        gene: gene.to_owned(),
        result,
    };
    assert_eq!(ok(15, "no"), Answer::GeneList(Some(vec![])));
    assert_eq!(ok(15, "don't know"), Answer::GeneList(None));
    assert_eq!(genes("BRCA1 negative"), vec![t("BRCA1", Some(R::Negative))]);
    assert_eq!(
        genes("brca2 positive"),
        vec![t("BRCA2", Some(R::Pathogenic))]
    );
    assert_eq!(
        genes("PALB2 variant of uncertain significance"),
        vec![t("PALB2", Some(R::Vus))]
    );
    assert_eq!(
        genes("CHEK2 likely pathogenic; ATM likely_benign, TP53 benign and PTEN vus"),
        vec![
            t("CHEK2", Some(R::LikelyPathogenic)),
            t("ATM", Some(R::LikelyBenign)),
            t("TP53", Some(R::Benign)),
            t("PTEN", Some(R::Vus))
        ]
    );
    assert_eq!(genes("BRCA1 unknown"), vec![t("BRCA1", None)]);
    let expected = "(for example: BRCA1 negative).";
    for (s, start) in [
        ("BRCA positive", "\"brca\": say which gene, BRCA1 or BRCA2."),
        ("BRCA1", "Give the result after the gene"),
        ("BRCA1 great", "\"great\" is not a result we know"),
        ("BRCA1 negative, BRCA1 positive", "BRCA1 is listed twice."),
        ("positive", "Name the gene (for example BRCA1)."),
        (
            "mother BRCA1 positive",
            "\"mother brca1 positive\": start with the gene",
        ),
    ] {
        let m = err(15, s);
        assert!(m.starts_with(start), "{s}: {m}");
        assert!(m.ends_with(expected), "{s}: {m}");
    }
}

#[test]
fn relative_gene_lists_put_the_relation_first() {
    let got = ok(9, "mother BRCA1 pathogenic, maternal aunt brca2 positive");
    assert_eq!(
        got,
        Answer::RelativeGeneList(Some(vec![
            RelativeGeneTest {
                relation: Relation::Mother,
                gene: "BRCA1".into(),
                result: Some(GeneticResult::Pathogenic)
            },
            RelativeGeneTest {
                relation: Relation::MaternalAunt,
                gene: "BRCA2".into(),
                result: Some(GeneticResult::Pathogenic)
            },
        ]))
    );
    assert_eq!(ok(9, "none"), Answer::RelativeGeneList(Some(vec![])));
    assert!(err(9, "aunt BRCA1 positive").starts_with("Say which side"));
    assert!(err(9, "BRCA1 positive").starts_with("Name the relative."));
    assert!(err(9, "mother positive").starts_with("Name the gene"));
}

#[test]
fn overlong_answers_are_refused() {
    let long = "a".repeat(crate::questionnaire::parse::MAX_ANSWER_CHARS + 1);
    assert!(err(1, &long).starts_with("The answer is too long"));
}

#[test]
fn canonical_text_parses_back_to_the_same_answer() {
    let cases: [(u8, &str); 14] = [
        (1, "Y"),
        (2, "not sure"),
        (10, "45 years"),
        (13, "Hispanic (US-born)"),
        (17, "two"),
        (21, "5'4\""),
        (22, "132 lb"),
        (3, "Maternal-Aunt"),
        (5, "Mom 52, sister and paternal cousin 40"),
        (5, "unknown"),
        (
            14,
            "DCIS 45 and breast 50 bilateral triple negative metastatic, colon",
        ),
        (14, "no"),
        (15, "BRCA1 likely pathogenic, CHEK2 unknown"),
        (9, "mother BRCA1 positive; maternal cousin ATM vus"),
    ];
    for (n, s) in cases {
        let a = ok(n, s);
        assert_eq!(
            ok(n, &a.canonical_text()),
            a,
            "{n} {s:?} -> {:?}",
            a.canonical_text()
        );
    }
    assert_eq!(
        ok(5, "Mom 52, sister").canonical_text(),
        "mother 52; sister"
    );
    assert_eq!(ok(21, "5'4\"").canonical_text(), "162.6");
}

#[test]
fn normalised_answers_serialise_with_their_type() {
    assert_eq!(
        serde_json::to_value(ok(5, "mother 52")).expect("json"),
        json!({"type": "relative_list", "value": [{"relation": "mother", "age_at_diagnosis": 52}]})
    );
    assert_eq!(
        serde_json::to_value(ok(2, "unknown")).expect("json"),
        json!({"type": "age", "value": null})
    );
    assert_eq!(
        serde_json::to_value(ok(1, "yes")).expect("json"),
        json!({"type": "yes_no", "value": "yes"})
    );
    let a = ok(14, "breast 45 triple negative");
    let back: Answer =
        serde_json::from_value(serde_json::to_value(&a).expect("json")).expect("back");
    assert_eq!(back, a);
}

#[test]
fn question_objects_match_the_contract() {
    assert_eq!(QUESTIONS.len(), 26);
    for (i, q) in QUESTIONS.iter().enumerate() {
        assert_eq!(usize::from(q.id.get()), i + 1);
        assert_eq!(usize::from(q.sequence), i + 1);
        assert_eq!(
            q.options.is_some(),
            q.answer_type == AnswerType::Choice,
            "{}",
            q.id
        );
    }
    assert_eq!(
        serde_json::to_value(question(qid(1))).expect("json"),
        json!({
            "id": 1, "sequence": 1, "text": "Do you have a family history of breast cancer?",
            "answer_type": "yes_no", "options": null, "required": true,
            "description": "Answer yes, no or unknown."
        })
    );
    let q11 = serde_json::to_value(question(qid(11))).expect("json");
    assert_eq!(q11["answer_type"], json!("choice"));
    assert_eq!(
        q11["options"],
        json!([{"code": "female", "label": "Female"}, {"code": "male", "label": "Male"}])
    );
    let types: Vec<&str> = QUESTIONS.iter().map(|q| q.answer_type.as_str()).collect();
    assert_eq!(
        types,
        [
            "yes_no",
            "age_optional",
            "relation",
            "yes_no",
            "relative_list",
            "relative_list",
            "relative_list",
            "relative_list",
            "relative_gene_list",
            "age",
            "choice",
            "yes_no",
            "choice",
            "cancer_list",
            "gene_list",
            "age_optional",
            "count",
            "age_optional",
            "choice",
            "age_optional",
            "measure",
            "measure",
            "count",
            "choice",
            "choice",
            "choice"
        ]
    );
    assert_eq!(
        question(qid(14)).text,
        "Have you ever been diagnosed with cancer? List each type and age (for example \"breast \
         45 triple negative\"), or answer no."
    );
    assert_eq!(
        question(qid(25)).text,
        "Have you used hormone replacement therapy? (never, current, stopped under 5 years ago, \
         stopped over 5 years ago)"
    );
    assert_eq!(QuestionId::new(0), None);
    assert_eq!(QuestionId::new(27), None);
    assert_eq!(QuestionId::try_from(27), Err(UnknownQuestion(27)));
    assert_eq!(serde_json::to_value(qid(7)).expect("json"), json!(7));
    assert!(serde_json::from_value::<QuestionId>(json!(0)).is_err());
}
