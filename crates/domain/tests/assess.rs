//! End-to-end tests of `clinical::assess`: RiskProfile JSON in, Assessment out.

use genascope_domain::clinical::assess::{assess, assess_json, assess_value};
use genascope_domain::clinical::assessment::{Assessment, NccnOutcome, RecommendationKind};
use genascope_domain::clinical::profile::RiskProfile;
use genascope_domain::common::{FieldError, Loc};
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::macros::datetime;

const AT: OffsetDateTime = datetime!(2026-11-25 19:00:00.123 UTC);

/// The risk-profile.md example, with one change: the proband is 50, not 35. As documented she
/// is 35 with a breast cancer diagnosed at 45, which validation rightly rejects (a diagnosis
/// after the current age).
fn example() -> Value {
    let mut v: Value =
        serde_json::from_str(include_str!("../src/clinical/profile/example_profile.json"))
            .expect("example json");
    v["proband"]["age"] = json!(50);
    v
}

fn run(v: &Value) -> Assessment {
    match assess_value(v, AT) {
        Ok(a) => a,
        Err(e) => panic!("expected an assessment, got {e:?}"),
    }
}

fn errors(v: &Value) -> Vec<FieldError> {
    match assess_value(v, AT) {
        Ok(a) => panic!("expected errors, got {a:?}"),
        Err(e) => e,
    }
}

fn loc(e: &FieldError) -> Vec<String> {
    e.loc
        .iter()
        .map(|l| match l {
            Loc::Key(k) => k.clone(),
            Loc::Index(i) => i.to_string(),
        })
        .collect()
}

/// The Lynch block: outcome = strongest level met; PREMM5 fields agree with each other.
fn check_lynch(l: &genascope_domain::clinical::lynch::LynchSummary) {
    let strongest = l
        .nccn
        .criteria
        .iter()
        .map(|c| c.level.outcome())
        .max()
        .unwrap_or(NccnOutcome::NotMet);
    assert_eq!(l.nccn.outcome, strongest);
    let p = &l.premm5;
    assert_eq!(p.applicable, p.score_range.is_some());
    assert_eq!(p.applicable, p.not_applicable_reason.is_none());
    assert_eq!(p.score.is_some(), p.genes.is_some());
    if let Some(r) = p.score_range {
        assert!(0.0 <= r.low && r.low <= r.high && r.high < 100.0, "{r:?}");
    }
    if let (Some(score), Some(g), Some(r)) = (p.score, p.genes, p.score_range) {
        assert!((g.mlh1 + g.msh2_epcam + g.msh6 + g.pms2 - score).abs() < 0.03);
        assert!((r.low - r.high).abs() < f64::EPSILON && (score - r.high).abs() < f64::EPSILON);
    }
}

/// Consistency properties every assessment must hold.
fn check_consistency(a: &Assessment) {
    assert_eq!(a.nccn_eligible, a.nccn.outcome != NccnOutcome::NotMet);
    assert_eq!(
        a.tyrer_cuzick_score,
        a.tyrer_cuzick.as_ref().map(|t| t.lifetime_risk)
    );
    assert!((a.tyrer_cuzick_threshold - 20.0).abs() < f64::EPSILON);
    if let Some(t) = &a.tyrer_cuzick {
        assert_eq!(t.model, "Tyrer-Cuzick (IBIS v8-style)");
        assert_eq!(t.above_threshold, t.lifetime_risk >= t.threshold);
        assert!((t.threshold - a.tyrer_cuzick_threshold).abs() < f64::EPSILON);
        assert!((0.0..=1.0).contains(&t.brca1_probability));
        assert!((0.0..=1.0).contains(&t.brca2_probability));
        assert!((0.0..=100.0).contains(&t.lifetime_risk));
        assert!((0.0..=100.0).contains(&t.ten_year_risk));
    }
    let tc_above = a.tyrer_cuzick.as_ref().is_some_and(|t| t.above_threshold);
    let mss = a.manchester.as_ref().is_some_and(|m| m.meets_threshold);
    let lynch = a
        .lynch
        .as_ref()
        .expect("every new assessment has a lynch block");
    let lynch_eligible = lynch.nccn.outcome != NccnOutcome::NotMet;
    assert_eq!(
        a.is_eligible,
        a.nccn_eligible || tc_above || mss || lynch_eligible
    );
    check_lynch(lynch);
    if let Some(g) = &a.gail {
        assert_eq!(g.applicable, g.not_applicable_reason.is_none());
        assert_eq!(g.applicable, g.five_year_risk.is_some());
        assert_eq!(g.applicable, g.lifetime_risk.is_some());
    }
    if let Some(m) = &a.manchester {
        assert_eq!(m.total, m.brca1_score + m.brca2_score);
    }
    assert!(!a.recommendations.is_empty());
    assert_eq!(a.profile_id, None);
    assert_eq!(a.assessed_at, datetime!(2026-11-25 19:00:00 UTC));
    for w in &a.warnings {
        assert!(
            !w.contains("relatives[") && !w.contains("cancers[") && !w.contains("proband."),
            "warning with a struct path: {w}"
        );
        assert!(w.ends_with('.'), "not a sentence: {w}");
    }
    let mut seen = std::collections::HashSet::new();
    assert!(
        a.warnings.iter().all(|w| seen.insert(w)),
        "duplicate warnings"
    );

    // JSON: every documented field present (null rather than omitted) and a lossless round trip.
    let v = serde_json::to_value(a).expect("serialise");
    for k in [
        "profile_id",
        "assessed_at",
        "is_eligible",
        "nccn_eligible",
        "tyrer_cuzick_score",
        "tyrer_cuzick_threshold",
        "nccn",
        "tyrer_cuzick",
        "gail",
        "manchester",
        "lynch",
        "recommendations",
        "warnings",
    ] {
        assert!(v.get(k).is_some(), "missing {k}");
    }
    assert_eq!(v["assessed_at"], "2026-11-25T19:00:00Z");
    for k in ["guideline", "version", "outcome", "criteria"] {
        assert!(v["nccn"].get(k).is_some(), "missing nccn.{k}");
    }
    if !v["tyrer_cuzick"].is_null() {
        for k in [
            "model",
            "ten_year_risk",
            "lifetime_risk",
            "horizon_age",
            "brca1_probability",
            "brca2_probability",
            "population_ten_year_risk",
            "population_lifetime_risk",
            "threshold",
            "above_threshold",
        ] {
            assert!(
                v["tyrer_cuzick"].get(k).is_some(),
                "missing tyrer_cuzick.{k}"
            );
        }
    }
    for k in [
        "applicable",
        "not_applicable_reason",
        "five_year_risk",
        "lifetime_risk",
        "average_five_year_risk",
        "average_lifetime_risk",
    ] {
        assert!(v["gail"].get(k).is_some(), "missing gail.{k}");
    }
    if !v["manchester"].is_null() {
        for k in ["brca1_score", "brca2_score", "total", "meets_threshold"] {
            assert!(v["manchester"].get(k).is_some(), "missing manchester.{k}");
        }
    }
    for r in v["recommendations"].as_array().expect("array") {
        for k in ["kind", "priority", "text"] {
            assert!(r.get(k).is_some(), "missing recommendations[].{k}");
        }
    }
    let back: Assessment = serde_json::from_value(v).expect("deserialise");
    assert_eq!(&back, a);
}

#[test]
fn documented_example_aged_50() {
    let a = run(&example());
    check_consistency(&a);
    // Breast cancer at 45, triple-negative: NCCN indicated (B1, B4, B9 for the mother at 40).
    assert_eq!(a.nccn.outcome, NccnOutcome::Indicated);
    for id in ["B1", "B4", "B9"] {
        assert!(a.nccn.criteria.iter().any(|c| c.id == id), "{id} not met");
    }
    assert!(a.is_eligible && a.nccn_eligible);
    // Personal breast cancer: Tyrer-Cuzick (first cancer) does not run, Gail does not apply.
    assert!(a.tyrer_cuzick.is_none());
    assert_eq!(a.tyrer_cuzick_score, None);
    assert!(
        a.warnings
            .iter()
            .any(|w| w.starts_with("Tyrer-Cuzick not computed"))
    );
    let g = a.gail.as_ref().expect("gail section");
    assert!(!g.applicable);
    assert!(
        g.not_applicable_reason
            .as_deref()
            .is_some_and(|r| r.contains("prior breast cancer"))
    );
    // Manchester: proband breast 40-49 (3/3) + grade 3 (+2) + triple-negative (+4) on BRCA1;
    // maternal line: mother breast 40 (3/3), grandmother ovarian 50 (8/5).
    let m = a.manchester.as_ref().expect("manchester");
    assert_eq!((m.brca1_score, m.brca2_score), (3 + 6 + 3 + 8, 3 + 3 + 5));
    assert!(m.meets_threshold);
    assert_eq!(
        a.recommendations[0].kind,
        RecommendationKind::GeneticCounseling
    );
    // The paternal aunt's unknown age is named, not pointed to by a path.
    assert!(
        a.warnings
            .iter()
            .any(|w| w.starts_with("Paternal aunt, paternal side:")),
        "{:#?}",
        a.warnings
    );
}

#[test]
fn documented_example_as_printed_is_rejected_naming_the_field() {
    let mut v = example();
    v["proband"]["age"] = json!(35);
    let e = errors(&v);
    assert!(
        e.iter()
            .any(|e| loc(e) == ["proband", "cancers", "0", "age_at_diagnosis"]),
        "{e:?}"
    );
}

#[test]
fn unaffected_woman_with_the_example_family_gets_every_model() {
    let mut v = example();
    v["proband"]["age"] = json!(35);
    v["proband"]["cancers"] = json!([]);
    let a = run(&v);
    check_consistency(&a);
    let t = a.tyrer_cuzick.as_ref().expect("tc ran");
    assert!(t.lifetime_risk > t.population_lifetime_risk);
    assert!(t.brca1_probability > 0.0012 && t.brca2_probability > 0.0020);
    let g = a.gail.as_ref().expect("gail");
    assert!(g.applicable, "{g:?}");
    let five = g.five_year_risk.expect("five-year");
    let avg = g.average_five_year_risk.expect("average");
    assert!(
        five > avg,
        "atypical hyperplasia and an affected mother raise the risk"
    );
    // Mother with breast cancer at 40 meets B1 herself: G5 indicated; and the model carrier
    // probability reaches NCCN through G6.
    assert_eq!(a.nccn.outcome, NccnOutcome::Indicated);
    assert!(a.nccn.criteria.iter().any(|c| c.id == "G5"));
    let carrier = t.brca1_probability + t.brca2_probability;
    assert_eq!(a.nccn.criteria.iter().any(|c| c.id == "G6"), carrier > 0.05);
    assert!(a.is_eligible);
}

#[test]
fn male_proband_gets_nccn_and_manchester_only() {
    let v = json!({
        "proband": { "sex": "male", "age": 58, "ashkenazi_jewish": false,
            "cancers": [ { "type": "prostate", "age_at_diagnosis": 55, "metastatic": true } ] },
        "relatives": [
            { "relation": "mother", "age": 80, "cancers": [ { "type": "breast", "age_at_diagnosis": 44 } ] }
        ]
    });
    let a = run(&v);
    check_consistency(&a);
    assert!(a.tyrer_cuzick.is_none());
    assert!(a.warnings.iter().any(|w| w.contains("women only")));
    let g = a.gail.as_ref().expect("gail");
    assert!(!g.applicable);
    assert_eq!(
        g.not_applicable_reason.as_deref(),
        Some("The Gail model is validated for women only.")
    );
    assert_eq!(
        a.nccn.outcome,
        NccnOutcome::Indicated,
        "metastatic prostate"
    );
    assert!(a.manchester.is_some());
    assert!(a.is_eligible);
}

#[test]
fn minimal_profile_age_and_sex() {
    let a = run(&json!({ "proband": { "age": 40, "sex": "female" } }));
    check_consistency(&a);
    assert_eq!(a.nccn.outcome, NccnOutcome::NotMet);
    let t = a.tyrer_cuzick.as_ref().expect("tc");
    // Nothing known: her risk is the population reference.
    assert!((t.lifetime_risk - t.population_lifetime_risk).abs() < 0.05);
    assert!(!a.is_eligible);
    let g = a.gail.as_ref().expect("gail");
    assert!(g.applicable);
    let m = a.manchester.as_ref().expect("manchester");
    assert_eq!(m.total, 0);
    assert!(!a.warnings.is_empty(), "unknown inputs are reported");
}

#[test]
fn proband_of_unknown_sex_is_assessed_without_guessing() {
    let a = run(&json!({ "proband": { "age": 40 } }));
    check_consistency(&a);
    assert!(a.tyrer_cuzick.is_none());
    assert!(!a.gail.as_ref().expect("gail").applicable);
    assert!(a.warnings.iter().any(|w| w.contains("sex is not recorded")));
}

#[test]
fn empty_family_and_out_of_range_ages() {
    for age in [15, 19, 34, 60, 85, 88, 95] {
        let a = run(
            &json!({ "proband": { "age": age, "sex": "female", "ethnicity": "black",
            "menarche_age": 12, "live_births": 0, "breast_biopsies": 0 }, "relatives": [] }),
        );
        check_consistency(&a);
        assert_eq!(
            a.tyrer_cuzick.is_some(),
            (18..=84).contains(&age),
            "tc at {age}"
        );
        let g = a.gail.as_ref().expect("gail");
        assert_eq!(g.applicable, (20..=89).contains(&age), "gail at {age}");
    }
}

#[test]
fn known_carrier_dense_family_and_every_relation() {
    let relations = [
        "mother",
        "father",
        "sister",
        "brother",
        "daughter",
        "son",
        "maternal_half_sister",
        "maternal_half_brother",
        "paternal_half_sister",
        "paternal_half_brother",
        "maternal_grandmother",
        "maternal_grandfather",
        "paternal_grandmother",
        "paternal_grandfather",
        "maternal_aunt",
        "maternal_uncle",
        "paternal_aunt",
        "paternal_uncle",
        "niece",
        "nephew",
        "granddaughter",
        "grandson",
        "maternal_cousin",
        "paternal_cousin",
        "maternal_great_grandmother",
        "paternal_great_grandmother",
        "maternal_great_aunt",
        "paternal_great_aunt",
    ];
    let relatives: Vec<Value> = relations
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let young = matches!(*r, "daughter" | "son" | "niece" | "nephew" | "granddaughter" | "grandson");
            let male = r.ends_with("father") || r.ends_with("brother") || r.ends_with("son")
                || r.ends_with("uncle") || *r == "nephew";
            let cancer = if male {
                json!({ "type": "prostate", "age_at_diagnosis": null })
            } else if i % 3 == 0 {
                json!({ "type": "ovarian" })
            } else {
                json!({ "type": "breast", "age_at_diagnosis": if young { 20 } else { 45 }, "bilateral": i % 2 == 0 })
            };
            json!({ "relation": r, "age": if young { 25 } else { 70 }, "alive": false,
                    "cancers": [cancer] })
        })
        .collect();
    let v = json!({
        "proband": { "sex": "female", "age": 45, "ashkenazi_jewish": true,
            "genetic_tests": [ { "gene": "brca2", "result": "likely_pathogenic" } ] },
        "relatives": relatives
    });
    let a = run(&v);
    check_consistency(&a);
    let g = a.gail.as_ref().expect("gail");
    assert!(!g.applicable, "known BRCA carrier");
    assert!(
        a.warnings
            .iter()
            .any(|w| w.contains("does not use genetic test results"))
    );
    assert!(
        a.recommendations
            .iter()
            .any(|r| r.kind == RecommendationKind::CascadeTesting)
    );
    let t = a.tyrer_cuzick.as_ref().expect("tc");
    assert!(t.brca1_probability + t.brca2_probability > 0.05);
    assert!(a.nccn.criteria.iter().any(|c| c.id == "G6"));
}

#[test]
fn typed_entry_point_validates_too() {
    let mut p: RiskProfile =
        serde_json::from_value(json!({ "proband": { "age": 40, "sex": "female" } }))
            .expect("profile");
    assert!(assess(&p, AT).is_ok());
    p.proband.age = Some(-3);
    let e = assess(&p, AT).expect_err("negative age");
    assert_eq!(loc(&e[0]), ["proband", "age"]);
    assert_eq!(e[0].kind, "out_of_range");
}

#[test]
fn invalid_profiles_name_the_field() {
    let cases: Vec<(Value, Vec<&str>)> = vec![
        (
            json!({ "proband": { "sex": "female" } }),
            vec!["proband", "age"],
        ),
        (
            json!({ "proband": { "age": "forty" } }),
            vec!["proband", "age"],
        ),
        (
            json!({ "proband": { "age": 40, "sex": "robot" } }),
            vec!["proband", "sex"],
        ),
        (json!({}), vec!["proband"]),
        (
            json!({ "proband": { "age": 40 }, "relatives": [ { "relation": "mother", "age": -1 } ] }),
            vec!["relatives", "0", "age"],
        ),
        (
            json!({ "proband": { "age": 40 }, "relatives": [ { "relation": "aunt" } ] }),
            vec!["relatives", "0", "relation"],
        ),
        (
            json!({ "proband": { "age": 40 }, "relatives": [ { "relation": "sister",
                "cancers": [ { "type": "breast", "age_at_diagnosis": 70 } ], "age": 50 } ] }),
            vec!["relatives", "0", "cancers", "0", "age_at_diagnosis"],
        ),
    ];
    for (v, want) in cases {
        let e = errors(&v);
        assert!(
            e.iter().any(|e| loc(e) == want),
            "{v}: expected an error at {want:?}, got {e:?}"
        );
        assert!(e.iter().all(|e| !e.msg.is_empty() && !e.kind.is_empty()));
    }
}

#[test]
fn undecodable_json_is_one_error_about_the_whole_input() {
    let e = assess_json(b"{not json", AT).expect_err("bad json");
    assert_eq!(e.len(), 1);
    assert!(loc(&e[0]).is_empty(), "the input as a whole");
    assert_eq!(e[0].kind, "json_invalid");
    let a = assess_json(br#"{"proband":{"age":"40","sex":"FEMALE"}}"#, AT).expect("lenient");
    check_consistency(&a);
}

#[test]
fn same_input_same_output() {
    let v = example();
    assert_eq!(run(&v), run(&v));
}

#[test]
fn manchester_paper_worked_example_through_the_profile() {
    // Evans et al. 2017, Table 1 legend: a 34-year-old woman with ER- HER2-amplified grade 3
    // invasive ductal carcinoma and a first-degree relative with endometrioid ovarian cancer at
    // 63 scores 4+4+2+1-6+5+5 = 15. (The profile has no `endometrioid`: `epithelial` scores the
    // same 5/5 at 63.)
    let v = json!({
        "proband": { "sex": "female", "age": 34, "cancers": [ { "type": "breast",
            "age_at_diagnosis": 34, "invasive": true, "histology": "ductal", "er": "negative",
            "her2": "positive", "grade": 3 } ] },
        "relatives": [ { "relation": "mother", "age": 66, "cancers": [ { "type": "ovarian",
            "age_at_diagnosis": 63, "histology": "epithelial" } ] } ]
    });
    let a = run(&v);
    check_consistency(&a);
    let m = a.manchester.as_ref().expect("manchester");
    assert_eq!((m.brca1_score, m.brca2_score, m.total), (6, 9, 15));
    assert!(m.meets_threshold);
}

mod properties {
    use super::*;
    use genascope_domain::clinical::pedigree::Generation;
    use genascope_domain::clinical::profile::{Cancer, CancerType, Relation, Relative, Sex};
    use proptest::prelude::*;

    const TYPES: [CancerType; 6] = [
        CancerType::Breast,
        CancerType::Ovarian,
        CancerType::Prostate,
        CancerType::Pancreatic,
        CancerType::Colorectal,
        CancerType::Other,
    ];

    /// A generated cancer: index into `TYPES`, age at diagnosis, bilateral.
    type GenCancer = (usize, Option<i32>, Option<bool>);
    /// A generated relative: index into `Relation::ALL`, age, alive, cancers.
    type GenRelative = (usize, Option<i32>, bool, Vec<GenCancer>);

    fn cancers() -> impl Strategy<Value = Vec<GenCancer>> {
        prop::collection::vec(
            (
                0..TYPES.len(),
                prop::option::of(1i32..90),
                prop::option::of(any::<bool>()),
            ),
            0..3,
        )
    }

    /// Turns generated parts into a valid profile where that is easy (sex-specific sites follow
    /// the person's sex, ages are made consistent); the rare remaining invalid one is skipped.
    fn build(
        sex: Option<bool>,
        age: i32,
        own: Vec<GenCancer>,
        family: Vec<GenRelative>,
    ) -> RiskProfile {
        let fix = |t: CancerType, sex: Option<Sex>| match (t, sex) {
            (CancerType::Prostate, Some(Sex::Female)) => CancerType::Ovarian,
            (CancerType::Ovarian, Some(Sex::Male)) => CancerType::Prostate,
            (CancerType::Ovarian | CancerType::Prostate, None) => CancerType::Other,
            (t, _) => t,
        };
        let make = |parts: &[GenCancer], sex, max: i32| -> Vec<Cancer> {
            parts
                .iter()
                .map(|(t, a, bilateral)| {
                    let mut c = Cancer::new(fix(TYPES[*t], sex), a.map(|a| a.min(max).max(1)));
                    c.bilateral = *bilateral;
                    c
                })
                .collect()
        };
        let psex = sex.map(|f| if f { Sex::Female } else { Sex::Male });
        let mut p: RiskProfile =
            serde_json::from_value(json!({ "proband": { "age": age } })).expect("minimal");
        p.proband.sex = psex;
        p.proband.cancers = make(&own, psex, age.max(1));
        let mut seen = Vec::new();
        for (ri, rage, alive, parts) in family {
            let relation = Relation::ALL[ri];
            if relation.is_unique() && seen.contains(&relation) {
                continue;
            }
            seen.push(relation);
            let mut r = Relative::new(relation);
            let rage = rage.map(|a| match relation.generation() {
                Generation::Older => (age + 15 + a % 30).min(120),
                Generation::Younger => a % age.max(1),
                Generation::Collateral => a,
            });
            r.age = rage;
            r.alive = Some(alive);
            let rsex = relation.sex(None).or(Some(Sex::Female));
            r.sex = if relation.sex(None).is_none() {
                rsex
            } else {
                None
            };
            r.cancers = make(&parts, rsex, rage.unwrap_or(120).max(1));
            p.relatives.push(r);
        }
        p
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(150))]
        #[test]
        fn every_valid_profile_gets_a_consistent_assessment(
            sex in prop::option::of(any::<bool>()),
            age in 0i32..100,
            own in cancers(),
            family in prop::collection::vec(
                (0..Relation::ALL.len(), prop::option::of(0i32..100), any::<bool>(), cancers()),
                0..12,
            ),
        ) {
            let p = build(sex, age, own, family);
            if p.validate().is_err() {
                return Ok(()); // rare: a descendant's diagnosis after its clamped age
            }
            let a = assess(&p, AT).expect("valid profile");
            check_consistency(&a);
            // The Rust value and its JSON take the same path.
            let v = serde_json::to_value(&p).expect("profile json");
            prop_assert_eq!(&a, &run(&v));
        }
    }
}

// ---- issue #15: NCCN rule defects, through the whole pipeline (what `genascope assess` runs) ---

/// Assesses raw JSON bytes, as the CLI does (`assess_json`), and checks the invariants.
fn run_cli(v: &Value) -> Assessment {
    let bytes = serde_json::to_vec(v).expect("serialise");
    let a = match assess_json(&bytes, AT) {
        Ok(a) => a,
        Err(e) => panic!("expected an assessment, got {e:?}"),
    };
    check_consistency(&a);
    a
}

fn criterion<'a>(
    a: &'a Assessment,
    id: &str,
) -> Option<&'a genascope_domain::clinical::assessment::CriterionMet> {
    a.nccn.criteria.iter().find(|c| c.id == id)
}

fn criterion_ids(a: &Assessment) -> Vec<&str> {
    a.nccn.criteria.iter().map(|c| c.id.as_str()).collect()
}

#[test]
fn issue_15_unknown_breast_age_is_bounded_by_current_age() {
    let a = run_cli(
        &json!({"proband": {"sex": "female", "age": 45, "ashkenazi_jewish": false,
        "cancers": [{"type": "breast", "age_at_diagnosis": null, "triple_negative": false}]}}),
    );
    let b1 = criterion(&a, "B1").expect("B1");
    assert!(
        b1.rationale.contains("no later than 45 (your current age)"),
        "{}",
        b1.rationale
    );
    assert_eq!(a.nccn.outcome, NccnOutcome::Indicated);
    assert!(a.nccn_eligible && a.is_eligible);
}

#[test]
fn issue_15_unknown_prostate_age_is_bounded_by_current_age() {
    let a = run_cli(
        &json!({"proband": {"sex": "male", "age": 50, "ashkenazi_jewish": false,
        "cancers": [{"type": "prostate", "prostate_risk_group": "low", "metastatic": false}]}}),
    );
    assert!(criterion(&a, "Pr7").is_some(), "{:?}", criterion_ids(&a));
    assert!(criterion(&a, "P0").is_none(), "{:?}", criterion_ids(&a));
    assert_eq!(a.nccn.outcome, NccnOutcome::MayConsider);
}

#[test]
fn issue_15_living_and_deceased_mother_with_unknown_age_qualify_the_daughter() {
    for (alive, basis) in [(true, "her current age"), (false, "her age at death")] {
        let a = run_cli(
            &json!({"proband": {"sex": "female", "age": 25, "ashkenazi_jewish": false},
            "relatives": [{"relation": "mother", "alive": alive, "age": 48,
                "cancers": [{"type": "breast", "age_at_diagnosis": null}]}]}),
        );
        let g5 = criterion(&a, "G5").expect("G5");
        assert_eq!(g5.relatives, vec!["mother".to_owned()]);
        assert!(
            g5.rationale.contains("meets B1") && g5.rationale.contains(basis),
            "{}",
            g5.rationale
        );
        assert_eq!(a.nccn.outcome, NccnOutcome::Indicated);
    }
}

#[test]
fn issue_15_unaffected_man_whose_mother_meets_b10() {
    let a = run_cli(
        &json!({"proband": {"sex": "male", "age": 40, "ashkenazi_jewish": false},
        "relatives": [
            {"relation": "mother", "cancers": [{"type": "breast", "age_at_diagnosis": 60}]},
            {"relation": "maternal_aunt", "cancers": [{"type": "breast", "age_at_diagnosis": 65}]},
            {"relation": "maternal_grandmother", "cancers": [{"type": "breast", "age_at_diagnosis": 70}]}]}),
    );
    let g5 = criterion(&a, "G5").expect("G5");
    assert_eq!(g5.relatives[0], "mother");
    assert!(
        g5.rationale
            .contains("mother, maternal side meets B10 (3 breast/prostate cancer diagnoses on her maternal side"),
        "{}",
        g5.rationale
    );
    assert_eq!(a.nccn.outcome, NccnOutcome::Indicated);
    assert_eq!(
        a.recommendations[0].kind,
        RecommendationKind::GeneticCounseling
    );
}

#[test]
fn issue_15_unaffected_woman_whose_mother_meets_b10_alongside_the_models() {
    // Female variant: Tyrer-Cuzick also runs; G5 is listed whatever G6/G7 say, after them.
    let a = run_cli(
        &json!({"proband": {"sex": "female", "age": 40, "ashkenazi_jewish": false},
        "relatives": [
            {"relation": "mother", "cancers": [{"type": "breast", "age_at_diagnosis": 60}]},
            {"relation": "maternal_aunt", "cancers": [{"type": "breast", "age_at_diagnosis": 65}]},
            {"relation": "maternal_grandmother", "cancers": [{"type": "breast", "age_at_diagnosis": 70}]}]}),
    );
    assert!(a.tyrer_cuzick.is_some());
    assert!(criterion(&a, "G5").is_some(), "{:?}", criterion_ids(&a));
    assert_eq!(criterion_ids(&a).last(), Some(&"G5"));
    assert_eq!(a.nccn.outcome, NccnOutcome::Indicated);
}

#[test]
fn issue_15_unaffected_man_whose_mother_meets_b9() {
    let a = run_cli(
        &json!({"proband": {"sex": "male", "age": 40, "ashkenazi_jewish": false},
        "relatives": [
            {"relation": "mother", "cancers": [{"type": "breast", "age_at_diagnosis": 60}]},
            {"relation": "maternal_grandfather", "cancers": [{"type": "pancreatic", "age_at_diagnosis": 70}]}]}),
    );
    let g5 = criterion(&a, "G5").expect("G5");
    assert!(
        g5.rationale
            .contains("meets B9 (her close relative (maternal grandfather, maternal side) with pancreatic cancer"),
        "{}",
        g5.rationale
    );
    assert_eq!(a.nccn.outcome, NccnOutcome::Indicated);
}

#[test]
fn issue_15_unaffected_man_whose_father_meets_pr5() {
    let a = run_cli(
        &json!({"proband": {"sex": "male", "age": 45, "ashkenazi_jewish": false},
        "relatives": [
            {"relation": "father", "cancers": [{"type": "prostate", "age_at_diagnosis": 70, "prostate_risk_group": "low"}]},
            {"relation": "paternal_uncle", "cancers": [{"type": "prostate", "age_at_diagnosis": 72, "prostate_risk_group": "low"}]},
            {"relation": "paternal_grandfather", "cancers": [{"type": "prostate", "age_at_diagnosis": 80, "prostate_risk_group": "low"}]}]}),
    );
    let pr6 = criterion(&a, "Pr6").expect("Pr6");
    assert_eq!(pr6.relatives[0], "father");
    assert!(
        pr6.rationale.contains("father, paternal side meets Pr5"),
        "{}",
        pr6.rationale
    );
    assert_eq!(a.nccn.outcome, NccnOutcome::Indicated);
}

#[test]
fn issue_15_cousins_bilateral_breast_cancer_is_two_diagnoses() {
    let a = run_cli(
        &json!({"proband": {"sex": "female", "age": 70, "ashkenazi_jewish": false,
        "cancers": [{"type": "breast", "age_at_diagnosis": 66, "triple_negative": false}]},
        "relatives": [{"relation": "maternal_cousin", "sex": "female",
            "cancers": [{"type": "breast", "age_at_diagnosis": 60, "bilateral": true}]}]}),
    );
    let b10 = criterion(&a, "B10").expect("B10");
    assert!(
        b10.rationale
            .starts_with("3 breast/prostate cancer diagnoses on the maternal side")
    );
    assert_eq!(a.nccn.outcome, NccnOutcome::Indicated);
}

#[test]
fn issue_15_no_low_yield_line_next_to_a_familial_variant() {
    let a = run_cli(
        &json!({"proband": {"sex": "female", "age": 75, "ashkenazi_jewish": false,
        "cancers": [{"type": "breast", "age_at_diagnosis": 70, "triple_negative": false}]},
        "relatives": [{"relation": "sister", "genetic_tests": [{"gene": "BRCA2", "result": "pathogenic"}]},
                      {"relation": "mother", "genetic_tests": [{"gene": "TP53", "result": "pathogenic"}]}]}),
    );
    assert_eq!(criterion_ids(&a), vec!["G1", "L1"]);
    let g1 = criterion(&a, "G1").expect("G1");
    assert!(
        g1.rationale.contains("BRCA2") && g1.rationale.contains("TP53"),
        "{}",
        g1.rationale
    );
}

/// Issue #6 item 9: a profile's size is bounded before the engine runs (the 1 MiB body limit
/// alone let one request cost a third of a CPU second).
#[test]
fn oversized_profiles_are_refused_naming_the_list() {
    let relative = json!({"relation": "maternal_cousin", "sex": "female", "cancers": []});
    let mut many = example();
    many["relatives"] = Value::Array(vec![relative; 201]);
    let e = errors(&many);
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!(loc(&e[0]), ["relatives"]);
    assert!(e[0].msg.contains("200"), "{}", e[0].msg);

    let mut cancers = example();
    let cancer = json!({"type": "breast", "age_at_diagnosis": 40});
    cancers["relatives"][0]["cancers"] = Value::Array(vec![cancer; 11]);
    let e = errors(&cancers);
    assert_eq!(loc(&e[0]), ["relatives", "0", "cancers"], "{e:?}");

    // At the limits the profile is assessed.
    let mut full = example();
    let cousin = json!({"relation": "maternal_cousin", "sex": "female"});
    full["relatives"] = Value::Array(vec![cousin; 200]);
    let _ = run(&full);
}
