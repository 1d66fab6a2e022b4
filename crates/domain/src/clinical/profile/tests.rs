use serde_json::{Value, json};

use super::*;

/// The `RiskProfile` example of risk-profile.md, copied verbatim.
const EXAMPLE: &str = include_str!("example_profile.json");

fn example_value() -> Value {
    serde_json::from_str(EXAMPLE).expect("example is JSON")
}

fn p(segs: &[PathSeg]) -> Vec<PathSeg> {
    segs.to_vec()
}

fn k(s: &str) -> PathSeg {
    PathSeg::Key(s.to_owned())
}

fn i(n: usize) -> PathSeg {
    PathSeg::Index(n)
}

/// Parses `v`, validates, and returns the errors (empty if valid).
fn errors_of(v: &Value) -> Vec<FieldError> {
    match RiskProfile::parse_and_validate(v) {
        Ok(_) => Vec::new(),
        Err(e) => e,
    }
}

fn has_error(errs: &[FieldError], path: &[PathSeg], kind: FieldErrorKind) -> bool {
    errs.iter().any(|e| e.path == path && e.kind == kind)
}

#[test]
fn example_parses_with_plain_serde_and_with_path_parser_identically() {
    let strict: RiskProfile =
        serde_json::from_str(EXAMPLE).expect("strict serde parses the example");
    let tracked = RiskProfile::from_json_str(EXAMPLE).expect("path parser parses the example");
    assert_eq!(strict, tracked);
    assert_eq!(strict.proband.age, Some(35));
    assert_eq!(strict.proband.sex, Some(Sex::Female));
    assert_eq!(strict.proband.hyperplasia, Some(Hyperplasia::Atypical));
    assert_eq!(
        strict.proband.breast_density,
        Some(BreastDensity {
            method: DensityMethod::Birads,
            value: Some(DensityValue::Birads(BiradsDensity::C))
        })
    );
    let c = &strict.proband.cancers[0];
    assert_eq!(c.cancer_type, CancerType::Breast);
    assert_eq!(c.histology, Some(Histology::Ductal));
    assert_eq!(c.grade, Some(3));
    assert_eq!(strict.relatives.len(), 3);
    assert_eq!(strict.relatives[2].relation, Relation::PaternalAunt);
    assert_eq!(strict.relatives[2].cancers[0].age_at_diagnosis, None);
    // absent `alive` is unknown, not false
    assert_eq!(strict.relatives[2].alive, None);
    assert!(strict.relatives[1].genetic_tests.is_empty());
}

/// The documented example is internally inconsistent: the proband is 35 but her breast cancer
/// was diagnosed at 45. Validation must say so, at that path, and find nothing else.
#[test]
fn documented_example_fails_validation_only_on_its_diagnosis_after_current_age() {
    let prof = RiskProfile::from_json_str(EXAMPLE).expect("parses");
    let errs = prof.validate().expect_err("45 > 35");
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert_eq!(errs[0].path_string(), "proband.cancers[0].age_at_diagnosis");
    assert_eq!(errs[0].kind, FieldErrorKind::Inconsistent);
    let mut fixed = prof;
    fixed.proband.age = Some(50);
    assert_eq!(fixed.validate(), Ok(()));
}

/// Every key/value of `orig` appears in `out` (recursively); `out` may add keys (as null).
fn assert_subset(orig: &Value, out: &Value, path: &str) {
    match (orig, out) {
        (Value::Object(a), Value::Object(b)) => {
            for (key, val) in a {
                let Some(o) = b.get(key) else {
                    panic!("{path}.{key} missing")
                };
                assert_subset(val, o, &format!("{path}.{key}"));
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            assert_eq!(a.len(), b.len(), "{path}");
            for (n, (x, y)) in a.iter().zip(b).enumerate() {
                assert_subset(x, y, &format!("{path}[{n}]"));
            }
        }
        // 160 and 160.0 are the same JSON number for a float field
        (Value::Number(a), Value::Number(b)) => assert_eq!(a.as_f64(), b.as_f64(), "{path}"),
        _ => assert_eq!(orig, out, "{path}"),
    }
}

#[test]
fn round_trip_keeps_every_documented_field() {
    let prof: RiskProfile = serde_json::from_str(EXAMPLE).expect("parses");
    let out = serde_json::to_value(&prof).expect("serialises");
    assert_subset(&example_value(), &out, "");
    // absent optional keys come back as null, never omitted
    assert_eq!(out["relatives"][2]["alive"], Value::Null);
    assert_eq!(
        out["proband"]["cancers"][0]["prostate_risk_group"],
        Value::Null
    );
    let again: RiskProfile = serde_json::from_value(out).expect("re-parses");
    assert_eq!(again, prof);
}

/// Every vocabulary string listed in risk-profile.md parses (guards serde's snake_case
/// conversion, which turns `FormerOver5y` into `former_over5y` unless renamed).
#[test]
fn every_documented_vocabulary_string_parses() {
    fn ok<T: serde::de::DeserializeOwned>(words: &[&str]) {
        for w in words {
            assert!(serde_json::from_value::<T>(json!(w)).is_ok(), "{w}");
        }
    }
    ok::<Sex>(&["female", "male"]);
    ok::<Ethnicity>(&[
        "white",
        "black",
        "hispanic_us_born",
        "hispanic_foreign_born",
        "chinese",
        "japanese",
        "filipino",
        "hawaiian",
        "other_pacific_islander",
        "other_asian",
        "american_indian",
        "other",
        "unknown",
    ]);
    ok::<MenopauseStatus>(&["pre", "peri", "post", "unknown"]);
    ok::<Hyperplasia>(&["none", "hyperplasia", "atypical", "unknown"]);
    ok::<HrtStatus>(&["never", "former_over_5y", "former_under_5y", "current"]);
    ok::<HrtType>(&["estrogen_only", "combined"]);
    ok::<DensityMethod>(&["birads", "vas", "volpara"]);
    ok::<CancerType>(&[
        "breast",
        "ovarian",
        "pancreatic",
        "prostate",
        "colorectal",
        "endometrial",
        "gastric",
        "melanoma",
        "sarcoma",
        "brain",
        "adrenocortical",
        "thyroid",
        "kidney",
        "leukemia",
        "other",
    ]);
    ok::<Histology>(&[
        "ductal",
        "lobular",
        "other",
        "epithelial",
        "non_epithelial",
        "stic",
        "mucinous",
        "borderline",
        "germ_cell",
        "exocrine",
        "neuroendocrine",
        "diffuse",
        "intestinal",
        "intraductal_cribriform",
    ]);
    ok::<ReceptorStatus>(&["positive", "negative"]);
    ok::<ProstateRiskGroup>(&["low", "intermediate", "high", "very_high"]);
    ok::<GeneticResult>(&[
        "pathogenic",
        "likely_pathogenic",
        "vus",
        "likely_benign",
        "benign",
        "negative",
    ]);
    for t in ["breast", "ovarian", "prostate", "leukemia", "other"] {
        let c: CancerType = serde_json::from_value(json!(t)).expect("parses");
        assert_eq!(c.as_str(), t);
    }
}

#[test]
fn null_and_absent_are_unknown() {
    let v = json!({"proband": {"age": 40, "sex": null}});
    let prof = RiskProfile::from_json_value(&v).expect("parses");
    assert_eq!(prof.proband.sex, None);
    assert_eq!(prof.proband.ashkenazi_jewish, None);
    assert!(prof.relatives.is_empty());
    assert!(prof.proband.cancers.is_empty());
}

#[test]
fn unknown_enum_strings_are_rejected_with_their_path() {
    let mut v = example_value();
    v["relatives"][1]["cancers"][0]["type"] = json!("ovary");
    let e = RiskProfile::from_json_value(&v).expect_err("ovary is not in the vocabulary");
    assert_eq!(
        e.path,
        p(&[k("relatives"), i(1), k("cancers"), i(0), k("type")])
    );
    assert_eq!(e.kind, FieldErrorKind::UnknownValue);
    assert!(e.msg.contains("ovary"), "{}", e.msg);
    // plain serde also rejects it
    assert!(serde_json::from_value::<RiskProfile>(v).is_err());

    let mut v = example_value();
    v["relatives"][0]["relation"] = json!("stepmother");
    let e = RiskProfile::from_json_value(&v).expect_err("stepmother is not a blood relation");
    assert_eq!(e.path, p(&[k("relatives"), i(0), k("relation")]));
    assert_eq!(e.path_string(), "relatives[0].relation");

    let mut v = example_value();
    v["proband"]["hrt"]["status"] = json!("sometimes");
    let e = RiskProfile::from_json_value(&v).expect_err("bad hrt status");
    assert_eq!(e.path_string(), "proband.hrt.status");
}

#[test]
fn wrong_types_carry_their_path() {
    let mut v = example_value();
    v["relatives"][2]["cancers"][0]["age_at_diagnosis"] = json!("forty");
    let e = RiskProfile::from_json_value(&v).expect_err("not a number");
    assert_eq!(
        e.path,
        p(&[
            k("relatives"),
            i(2),
            k("cancers"),
            i(0),
            k("age_at_diagnosis")
        ])
    );
    assert_eq!(e.kind, FieldErrorKind::InvalidType);

    let mut v = example_value();
    v["proband"]["age"] = json!(35.5);
    let e = RiskProfile::from_json_value(&v).expect_err("fractional age");
    assert_eq!(e.path_string(), "proband.age");

    let mut v = example_value();
    v["relatives"] = json!({"mother": {}});
    let e = RiskProfile::from_json_value(&v).expect_err("relatives must be a list");
    assert_eq!(e.path_string(), "relatives");
}

#[test]
fn missing_required_keys_carry_their_path() {
    let e = RiskProfile::from_json_value(&json!({"relatives": []})).expect_err("no proband");
    assert_eq!(e.path, p(&[k("proband")]));
    assert_eq!(e.kind, FieldErrorKind::Missing);

    let v = json!({"proband": {"age": 40}, "relatives": [{"cancers": []}]});
    let e = RiskProfile::from_json_value(&v).expect_err("relative without relation");
    assert_eq!(e.path, p(&[k("relatives"), i(0), k("relation")]));

    let v = json!({"proband": {"age": 40, "cancers": [{"age_at_diagnosis": 30}]}});
    let e = RiskProfile::from_json_value(&v).expect_err("cancer without type");
    assert_eq!(e.path_string(), "proband.cancers[0].type");
}

#[test]
fn invalid_json_is_reported_at_the_root() {
    let e = RiskProfile::from_json_str("{\"proband\": ").expect_err("truncated");
    assert!(e.path.is_empty());
    assert_eq!(e.kind, FieldErrorKind::InvalidJson);
    assert_eq!(e.path_string(), "(root)");
}

#[test]
fn api_leniency_applies_only_to_the_path_parser() {
    let v = json!({
        "proband": {"age": " 40 ", "sex": "Female", "ashkenazi_jewish": "1", "ethnicity": "",
                    "breast_density": {"method": "VAS", "value": "35.5"},
                    "genetic_tests": [{"gene": " BRCA2 ", "result": "Likely_Pathogenic"}]},
        "relatives": [{"relation": "Mother ", "alive": "false", "extra_field_ignored": 1}]
    });
    let prof = RiskProfile::from_json_value(&v).expect("lenient parse");
    assert_eq!(prof.proband.age, Some(40));
    assert_eq!(prof.proband.sex, Some(Sex::Female));
    assert_eq!(prof.proband.ashkenazi_jewish, Some(true));
    assert_eq!(prof.proband.ethnicity, None);
    assert_eq!(
        prof.proband.breast_density.as_ref().and_then(|d| d.value),
        Some(DensityValue::Percent(35.5))
    );
    assert_eq!(prof.proband.genetic_tests[0].gene, "BRCA2");
    assert!(prof.proband.genetic_tests[0].is_plp_in("brca2"));
    assert_eq!(prof.relatives[0].relation, Relation::Mother);
    assert_eq!(prof.relatives[0].alive, Some(false));
    // Strict serde keeps JSON types.
    assert!(serde_json::from_value::<RiskProfile>(v).is_err());
}

#[test]
fn every_relation_code_parses_and_prints_back() {
    for r in Relation::ALL {
        let v = json!({"proband": {"age": 40}, "relatives": [{"relation": r.as_str()}]});
        let prof = RiskProfile::from_json_value(&v).expect("parses");
        assert_eq!(prof.relatives[0].relation, r);
        assert_eq!(serde_json::to_value(r).expect("ser"), json!(r.as_str()));
    }
}

// ---- validation ----

#[test]
fn proband_age_is_required_and_bounded() {
    let errs = errors_of(&json!({"proband": {"sex": "female"}}));
    assert!(
        has_error(&errs, &[k("proband"), k("age")], FieldErrorKind::Missing),
        "{errs:?}"
    );
    let errs = errors_of(&json!({"proband": {"age": -1}}));
    assert!(has_error(
        &errs,
        &[k("proband"), k("age")],
        FieldErrorKind::OutOfRange
    ));
    assert!(errs[0].msg.contains("negative"));
    let errs = errors_of(&json!({"proband": {"age": 121}}));
    assert!(has_error(
        &errs,
        &[k("proband"), k("age")],
        FieldErrorKind::OutOfRange
    ));
    assert!(errors_of(&json!({"proband": {"age": 120}})).is_empty());
    assert!(errors_of(&json!({"proband": {"age": 0}})).is_empty());
}

#[test]
fn relative_negative_age_is_named() {
    let errs = errors_of(&json!({"proband": {"age": 40}, "relatives": [
        {"relation": "sister"}, {"relation": "brother", "age": -3}]}));
    assert!(has_error(
        &errs,
        &[k("relatives"), i(1), k("age")],
        FieldErrorKind::OutOfRange
    ));
}

#[test]
fn diagnosis_after_current_age_or_death_is_inconsistent() {
    let errs = errors_of(
        &json!({"proband": {"age": 40, "cancers": [{"type": "breast", "age_at_diagnosis": 41}]}}),
    );
    assert!(has_error(
        &errs,
        &[k("proband"), k("cancers"), i(0), k("age_at_diagnosis")],
        FieldErrorKind::Inconsistent
    ));
    let errs = errors_of(&json!({"proband": {"age": 40}, "relatives": [
        {"relation": "maternal_grandmother", "alive": false, "age": 60,
         "cancers": [{"type": "ovarian", "age_at_diagnosis": 50}, {"type": "breast", "age_at_diagnosis": 65}]}]}));
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(has_error(
        &errs,
        &[
            k("relatives"),
            i(0),
            k("cancers"),
            i(1),
            k("age_at_diagnosis")
        ],
        FieldErrorKind::Inconsistent
    ));
    assert!(errs[0].msg.contains("age at death"));
    // equal ages are fine (diagnosed this year)
    assert!(errors_of(&json!({"proband": {"age": 40, "cancers": [{"type": "breast", "age_at_diagnosis": 40}]}})).is_empty());
}

#[test]
fn reproductive_history_consistency() {
    let base = |extra: Value| {
        let mut v = json!({"proband": {"age": 45, "sex": "female"}});
        for (key, val) in extra.as_object().expect("object") {
            v["proband"][key] = val.clone();
        }
        errors_of(&v)
    };
    let path = |f: &str| vec![k("proband"), k(f)];
    assert!(has_error(
        &base(json!({"menarche_age": 13, "first_live_birth_age": 12})),
        &path("first_live_birth_age"),
        FieldErrorKind::Inconsistent
    ));
    assert!(has_error(
        &base(json!({"menarche_age": 3})),
        &path("menarche_age"),
        FieldErrorKind::OutOfRange
    ));
    assert!(has_error(
        &base(json!({"menarche_age": 30})),
        &path("menarche_age"),
        FieldErrorKind::OutOfRange
    ));
    assert!(has_error(
        &base(json!({"menarche_age": 14, "menopause_age": 12})),
        &path("menopause_age"),
        FieldErrorKind::Inconsistent
    ));
    assert!(has_error(
        &base(json!({"menopause_age": 50})),
        &path("menopause_age"),
        FieldErrorKind::Inconsistent
    ));
    assert!(has_error(
        &base(json!({"menopause_status": "pre", "menopause_age": 44})),
        &path("menopause_age"),
        FieldErrorKind::Inconsistent
    ));
    assert!(has_error(
        &base(json!({"live_births": 0, "first_live_birth_age": 30})),
        &path("first_live_birth_age"),
        FieldErrorKind::Inconsistent
    ));
    assert!(has_error(
        &base(json!({"first_live_birth_age": 46})),
        &path("first_live_birth_age"),
        FieldErrorKind::Inconsistent
    ));
    assert!(has_error(
        &base(json!({"live_births": -1})),
        &path("live_births"),
        FieldErrorKind::OutOfRange
    ));
    assert!(
        base(
            json!({"menarche_age": 12, "live_births": 2, "first_live_birth_age": 25,
                         "menopause_status": "post", "menopause_age": 44})
        )
        .is_empty()
    );
}

#[test]
fn body_measures_biopsies_and_density() {
    let errs = errors_of(
        &json!({"proband": {"age": 40, "height_cm": 20, "weight_kg": 1000,
        "breast_biopsies": 0, "hyperplasia": "atypical", "lcis": true,
        "breast_density": {"method": "volpara", "value": 120}}}),
    );
    for (f, kind) in [
        ("height_cm", FieldErrorKind::OutOfRange),
        ("weight_kg", FieldErrorKind::OutOfRange),
        ("hyperplasia", FieldErrorKind::Inconsistent),
        ("lcis", FieldErrorKind::Inconsistent),
    ] {
        assert!(
            has_error(&errs, &[k("proband"), k(f)], kind),
            "{f}: {errs:?}"
        );
    }
    assert!(has_error(
        &errs,
        &[k("proband"), k("breast_density"), k("value")],
        FieldErrorKind::OutOfRange
    ));
    let errs = errors_of(
        &json!({"proband": {"age": 40, "breast_density": {"method": "birads", "value": 40}}}),
    );
    assert!(has_error(
        &errs,
        &[k("proband"), k("breast_density"), k("value")],
        FieldErrorKind::Inconsistent
    ));
    let errs = errors_of(
        &json!({"proband": {"age": 40, "breast_density": {"method": "vas", "value": "b"}}}),
    );
    assert!(has_error(
        &errs,
        &[k("proband"), k("breast_density"), k("value")],
        FieldErrorKind::Inconsistent
    ));
    let e = RiskProfile::from_json_value(
        &json!({"proband": {"age": 40, "breast_density": {"method": "birads", "value": "e"}}}),
    )
    .expect_err("e is not a category");
    assert_eq!(e.path_string(), "proband.breast_density.value");
}

#[test]
fn hrt_consistency() {
    let hrt = |h: Value| errors_of(&json!({"proband": {"age": 60, "hrt": h}}));
    assert!(has_error(
        &hrt(json!({"status": "never", "type": "combined"})),
        &[k("proband"), k("hrt"), k("status")],
        FieldErrorKind::Inconsistent
    ));
    assert!(has_error(
        &hrt(json!({"status": "former_over_5y", "years_since_stopped": 2})),
        &[k("proband"), k("hrt"), k("years_since_stopped")],
        FieldErrorKind::Inconsistent
    ));
    assert!(has_error(
        &hrt(json!({"status": "former_under_5y", "years_since_stopped": 8})),
        &[k("proband"), k("hrt"), k("years_since_stopped")],
        FieldErrorKind::Inconsistent
    ));
    assert!(has_error(
        &hrt(json!({"status": "current", "years_used": -1})),
        &[k("proband"), k("hrt"), k("years_used")],
        FieldErrorKind::OutOfRange
    ));
    assert!(has_error(
        &hrt(json!({"status": "current", "years_used": 61})),
        &[k("proband"), k("hrt"), k("years_used")],
        FieldErrorKind::OutOfRange
    ));
    assert!(
        hrt(json!({"status": "current", "type": "combined", "years_used": 4, "intended_years": 5}))
            .is_empty()
    );
}

#[test]
fn cancer_detail_consistency() {
    let c = |cancer: Value, sex: &str| {
        errors_of(&json!({"proband": {"age": 60, "sex": sex, "cancers": [cancer]}}))
    };
    let path = |f: &str| vec![k("proband"), k("cancers"), i(0), k(f)];
    assert!(has_error(
        &c(json!({"type": "breast", "grade": 4}), "female"),
        &path("grade"),
        FieldErrorKind::OutOfRange
    ));
    assert!(has_error(
        &c(json!({"type": "breast", "grade": 0}), "female"),
        &path("grade"),
        FieldErrorKind::OutOfRange
    ));
    assert!(has_error(
        &c(json!({"type": "ovarian", "histology": "lobular"}), "female"),
        &path("histology"),
        FieldErrorKind::Inconsistent
    ));
    assert!(has_error(
        &c(
            json!({"type": "breast", "prostate_risk_group": "high"}),
            "female"
        ),
        &path("prostate_risk_group"),
        FieldErrorKind::Inconsistent
    ));
    assert!(has_error(
        &c(
            json!({"type": "breast", "triple_negative": true, "er": "positive"}),
            "female"
        ),
        &path("triple_negative"),
        FieldErrorKind::Inconsistent
    ));
    assert!(has_error(
        &c(
            json!({"type": "breast", "triple_negative": false, "er": "negative", "pr": "negative", "her2": "negative"}),
            "female"
        ),
        &path("triple_negative"),
        FieldErrorKind::Inconsistent
    ));
    assert!(has_error(
        &c(
            json!({"type": "breast", "invasive": false, "metastatic": true}),
            "female"
        ),
        &path("metastatic"),
        FieldErrorKind::Inconsistent
    ));
    assert!(has_error(
        &c(json!({"type": "prostate"}), "female"),
        &path("type"),
        FieldErrorKind::Inconsistent
    ));
    assert!(has_error(
        &c(json!({"type": "ovarian"}), "male"),
        &path("type"),
        FieldErrorKind::Inconsistent
    ));
    assert!(
        c(json!({"type": "breast"}), "male").is_empty(),
        "male breast cancer is possible"
    );
    assert!(c(json!({"type": "prostate", "histology": "intraductal_cribriform", "prostate_risk_group": "intermediate", "grade": 2}), "male").is_empty());
    assert!(
        c(
            json!({"type": "pancreatic", "histology": "other"}),
            "female"
        )
        .is_empty()
    );
}

#[test]
fn relative_sex_and_relation_consistency() {
    let errs = errors_of(&json!({"proband": {"age": 40}, "relatives": [
        {"relation": "mother", "sex": "male"},
        {"relation": "father", "cancers": [{"type": "ovarian"}]},
        {"relation": "maternal_cousin", "sex": "male", "cancers": [{"type": "prostate"}]},
        {"relation": "paternal_cousin", "sex": "female", "cancers": [{"type": "prostate"}]}]}));
    assert!(has_error(
        &errs,
        &[k("relatives"), i(0), k("sex")],
        FieldErrorKind::Inconsistent
    ));
    assert!(has_error(
        &errs,
        &[k("relatives"), i(1), k("cancers"), i(0), k("type")],
        FieldErrorKind::Inconsistent
    ));
    assert!(
        !errs.iter().any(|e| e.path.get(1) == Some(&i(2))),
        "{errs:?}"
    );
    assert!(has_error(
        &errs,
        &[k("relatives"), i(3), k("cancers"), i(0), k("type")],
        FieldErrorKind::Inconsistent
    ));
}

#[test]
fn duplicate_parents_and_generation_order() {
    let errs = errors_of(&json!({"proband": {"age": 40}, "relatives": [
        {"relation": "mother"}, {"relation": "mother"}, {"relation": "sister"}, {"relation": "sister"},
        {"relation": "father", "alive": true, "age": 35},
        {"relation": "daughter", "age": 41},
        {"relation": "paternal_grandfather", "alive": false, "age": 30}]}));
    assert!(has_error(
        &errs,
        &[k("relatives"), i(1), k("relation")],
        FieldErrorKind::Inconsistent
    ));
    assert!(
        !errs.iter().any(|e| e.path.get(1) == Some(&i(3))),
        "two sisters are fine"
    );
    assert!(has_error(
        &errs,
        &[k("relatives"), i(4), k("age")],
        FieldErrorKind::Inconsistent
    ));
    assert!(has_error(
        &errs,
        &[k("relatives"), i(5), k("age")],
        FieldErrorKind::Inconsistent
    ));
    assert!(
        !errs.iter().any(|e| e.path.get(1) == Some(&i(6))),
        "a grandfather may have died young"
    );
}

#[test]
fn all_errors_are_returned_not_just_the_first() {
    let errs = errors_of(
        &json!({"proband": {"age": 130, "menarche_age": 2, "cancers": [{"type": "breast", "grade": 7}]},
        "relatives": [{"relation": "sister", "age": 200}]}),
    );
    assert!(errs.len() >= 4, "{errs:?}");
}

#[test]
fn empty_gene_is_missing() {
    let errs = errors_of(
        &json!({"proband": {"age": 40, "genetic_tests": [{"gene": " ", "result": "negative"}]}}),
    );
    assert!(has_error(
        &errs,
        &[k("proband"), k("genetic_tests"), i(0), k("gene")],
        FieldErrorKind::Missing
    ));
}

#[test]
fn field_error_serialises_path_as_mixed_array() {
    let e = FieldError::new(
        vec![
            k("relatives"),
            i(2),
            k("cancers"),
            i(0),
            k("age_at_diagnosis"),
        ],
        FieldErrorKind::OutOfRange,
        "x",
    );
    let v = serde_json::to_value(&e).expect("ser");
    assert_eq!(
        v["path"],
        json!(["relatives", 2, "cancers", 0, "age_at_diagnosis"])
    );
    assert_eq!(v["kind"], json!("out_of_range"));
    assert_eq!(e.to_string(), "relatives[2].cancers[0].age_at_diagnosis: x");
}

mod props {
    use proptest::prelude::*;

    use super::super::*;

    proptest! {
        /// The path parser never panics and, on arbitrary JSON, either parses or names a path
        /// that exists in the input (or the missing key's parent exists).
        #[test]
        fn parser_never_panics_on_arbitrary_json(s in ".{0,200}") {
            let _ = RiskProfile::from_json_str(&s);
        }

        #[test]
        fn validation_never_panics(age in proptest::option::of(-1000i32..1000), men in proptest::option::of(-50i32..100),
                                   flb in proptest::option::of(-50i32..100), dx in proptest::option::of(-50i32..300),
                                   rel_age in proptest::option::of(-50i32..300), grade in proptest::option::of(-5i32..10)) {
            let mut c = Cancer::new(CancerType::Breast, dx);
            c.grade = grade;
            let mut r = Relative::new(Relation::Mother);
            r.age = rel_age;
            r.cancers.push(c.clone());
            let prof = RiskProfile {
                proband: Proband {
                    sex: Some(Sex::Female), age, ethnicity: None, ashkenazi_jewish: None, menarche_age: men,
                    live_births: None, first_live_birth_age: flb, menopause_status: None, menopause_age: None,
                    height_cm: None, weight_kg: None, breast_biopsies: None, hyperplasia: None, lcis: None,
                    chest_radiation: None, hrt: None, breast_density: None, cancers: vec![c], genetic_tests: vec![],
                },
                relatives: vec![r],
            };
            let res = prof.validate();
            // Property: an age outside 0..=120 is always reported at its path.
            if let Some(a) = age && !(0..=120).contains(&a) {
                let errs = res.clone().expect_err("out-of-range age must fail");
                prop_assert!(errs.iter().any(|e| e.path_string() == "proband.age"));
            }
            if let (Some(d), Some(a)) = (dx, age) && (0..=120).contains(&a) && (0..=120).contains(&d) && d > a {
                let errs = res.clone().expect_err("diagnosis after age must fail");
                prop_assert!(errs.iter().any(|e| e.path_string() == "proband.cancers[0].age_at_diagnosis"));
            }
        }
    }
}
