//! Tests of MSS3. Expected points are typed from Evans et al. 2017, *J Med Genet* 54:674, Table 1
//! (the published table and its worked example), never from running this code.

use super::*;
use proptest::prelude::*;

fn breast(age: Option<u8>) -> MssCancer {
    MssCancer::Breast {
        age_at_diagnosis: age,
        invasive: None,
        histology: None,
        er: None,
        pr: None,
        her2: None,
        triple_negative: None,
        grade: None,
    }
}

fn ovarian(age: Option<u8>, histology: Option<OvarianHistology>) -> MssCancer {
    MssCancer::Ovarian {
        age_at_diagnosis: age,
        histology,
    }
}

fn proband(sex: Sex, cancers: Vec<MssCancer>) -> ManchesterInput {
    ManchesterInput {
        proband: ManchesterProband {
            sex,
            cancers,
            adopted_no_known_family_status: false,
        },
        relatives: vec![],
        index: IndexCase::Proband,
    }
}

fn relative(lineage: Side, sex: Sex, cancers: Vec<MssCancer>) -> ManchesterRelative {
    ManchesterRelative {
        lineage,
        sex,
        cancers,
        intervening_unaffected_women_over_60: 0,
    }
}

/// (brca1, brca2) of a single cancer in an otherwise empty family, scored in a relative so no
/// index-case pathology applies.
fn single(sex: Sex, cancer: MssCancer) -> (i32, i32) {
    let mut input = proband(Sex::Female, vec![]);
    input
        .relatives
        .push(relative(Side::Maternal, sex, vec![cancer]));
    let r = score(&input).expect("valid input");
    (r.score.brca1_score, r.score.brca2_score)
}

// ---- The paper's worked example (Table 1 legend) -------------------------------------------

#[test]
fn paper_worked_example_scores_15() {
    // "a 34 year-old woman diagnosed with ER- HER2 amplified grade 3 invasive ductal carcinoma and
    // a first-degree relative with high-grade endometrioid ovarian cancer diagnosed at 63 years of
    // age would score 4+4+2+1–6+5+5=15 points."
    let mut input = proband(
        Sex::Female,
        vec![MssCancer::Breast {
            age_at_diagnosis: Some(34),
            invasive: Some(true),
            histology: Some(BreastHistology::Ductal),
            er: Some(ReceptorStatus::Negative),
            pr: None,
            her2: Some(ReceptorStatus::Positive),
            triple_negative: None,
            grade: Some(3),
        }],
    );
    input.relatives.push(relative(
        Side::Maternal,
        Sex::Female,
        vec![ovarian(Some(63), Some(OvarianHistology::Endometrioid))],
    ));
    let r = score(&input).expect("valid");
    assert_eq!(r.score.total, 15);
    // BRCA1 = 4 + 2 + 1 − 6 + 5 = 6; BRCA2 = 4 + 5 = 9.
    assert_eq!(r.score.brca1_score, 6);
    assert_eq!(r.score.brca2_score, 9);
    assert_eq!(r.threshold, 15);
    assert!(r.score.meets_threshold);
    assert_eq!(r.lineage, Lineage::Maternal);
}

#[test]
fn worked_example_without_her2_would_be_21() {
    // Same family, HER2 not amplified: 4+4+2+1+5+5 = 21 (the −6 removed).
    let mut input = proband(
        Sex::Female,
        vec![MssCancer::Breast {
            age_at_diagnosis: Some(34),
            invasive: Some(true),
            histology: Some(BreastHistology::Ductal),
            er: Some(ReceptorStatus::Negative),
            pr: Some(ReceptorStatus::Positive),
            her2: Some(ReceptorStatus::Negative),
            triple_negative: None,
            grade: Some(3),
        }],
    );
    input.relatives.push(relative(
        Side::Maternal,
        Sex::Female,
        vec![ovarian(Some(63), Some(OvarianHistology::Endometrioid))],
    ));
    assert_eq!(score(&input).expect("valid").score.total, 21);
}

// ---- Table 1 band boundaries ---------------------------------------------------------------

#[test]
fn female_breast_bands() {
    // FBC <30 6/5, 30–39 4/4, 40–49 3/3, 50–59 2/2, >59 1/1.
    let cases = [
        (0, (6, 5)),
        (29, (6, 5)),
        (30, (4, 4)),
        (39, (4, 4)),
        (40, (3, 3)),
        (49, (3, 3)),
        (50, (2, 2)),
        (59, (2, 2)),
        (60, (1, 1)),
        (120, (1, 1)),
    ];
    for (age, want) in cases {
        assert_eq!(single(Sex::Female, breast(Some(age))), want, "FBC at {age}");
    }
}

#[test]
fn male_breast_bands() {
    // MBC <60 5/8, >59 5/5.
    assert_eq!(single(Sex::Male, breast(Some(59))), (5, 8));
    assert_eq!(single(Sex::Male, breast(Some(25))), (5, 8));
    assert_eq!(single(Sex::Male, breast(Some(60))), (5, 5));
}

#[test]
fn ovarian_bands() {
    // Ovarian <60 8/5, >59 5/5.
    assert_eq!(single(Sex::Female, ovarian(Some(59), None)), (8, 5));
    assert_eq!(single(Sex::Female, ovarian(Some(60), None)), (5, 5));
}

#[test]
fn pancreatic_any_age_and_sex() {
    // Pancreatic 0/1.
    for sex in [Sex::Female, Sex::Male] {
        for age in [Some(20), Some(59), Some(60), Some(90), None] {
            let c = MssCancer::Pancreatic {
                age_at_diagnosis: age,
            };
            assert_eq!(single(sex, c), (0, 1));
        }
    }
}

#[test]
fn prostate_bands() {
    // Prostate <60 0/2, >59 0/1.
    let p = |a| MssCancer::Prostate {
        age_at_diagnosis: Some(a),
    };
    assert_eq!(single(Sex::Male, p(59)), (0, 2));
    assert_eq!(single(Sex::Male, p(60)), (0, 1));
}

#[test]
fn other_cancers_score_nothing() {
    assert_eq!(single(Sex::Female, MssCancer::Other), (0, 0));
}

// ---- Pathology adjustments (index case breast cancer) ----------------------------------------

fn index_bc(
    grade: Option<u8>,
    er: Option<ReceptorStatus>,
    pr: Option<ReceptorStatus>,
    her2: Option<ReceptorStatus>,
) -> i32 {
    // FBC at 45 = 3/3 before adjustment; returns the BRCA1 adjustment.
    let input = proband(
        Sex::Female,
        vec![MssCancer::Breast {
            age_at_diagnosis: Some(45),
            invasive: Some(true),
            histology: Some(BreastHistology::Ductal),
            er,
            pr,
            her2,
            triple_negative: None,
            grade,
        }],
    );
    let r = score(&input).expect("valid");
    assert_eq!(r.score.brca2_score, 3, "pathology never changes BRCA2");
    r.score.brca1_score - 3
}

#[test]
fn grade_adjustments() {
    assert_eq!(index_bc(Some(3), None, None, None), 2);
    assert_eq!(index_bc(Some(2), None, None, None), 0);
    assert_eq!(index_bc(Some(1), None, None, None), -2);
    assert_eq!(index_bc(None, None, None, None), 0);
}

#[test]
fn er_adjustments() {
    use ReceptorStatus::*;
    assert_eq!(index_bc(None, Some(Positive), None, None), -1);
    assert_eq!(index_bc(None, Some(Negative), None, None), 1);
}

#[test]
fn triple_negative_adds_four_plus_grade_not_er() {
    use ReceptorStatus::*;
    // Footnote *: also score grade. Grade 3 TN = +2 +4.
    assert_eq!(
        index_bc(Some(3), Some(Negative), Some(Negative), Some(Negative)),
        6
    );
    assert_eq!(
        index_bc(None, Some(Negative), Some(Negative), Some(Negative)),
        4
    );
    // Explicit flag without receptor detail.
    let input = proband(
        Sex::Female,
        vec![MssCancer::Breast {
            age_at_diagnosis: Some(45),
            invasive: None,
            histology: None,
            er: None,
            pr: None,
            her2: None,
            triple_negative: Some(true),
            grade: Some(1),
        }],
    );
    assert_eq!(score(&input).expect("valid").score.brca1_score, 3 + 4 - 2);
}

#[test]
fn her2_amplified_minus_six_plus_grade_and_er() {
    use ReceptorStatus::*;
    // Footnote †: also score grade and ER.
    assert_eq!(
        index_bc(Some(3), Some(Positive), None, Some(Positive)),
        2 - 1 - 6
    );
    assert_eq!(index_bc(None, None, None, Some(Positive)), -6);
}

#[test]
fn dcis_and_lobular_minus_two() {
    let mk = |invasive, histology| {
        proband(
            Sex::Female,
            vec![MssCancer::Breast {
                age_at_diagnosis: Some(35),
                invasive,
                histology,
                er: None,
                pr: None,
                her2: None,
                triple_negative: None,
                grade: None,
            }],
        )
    };
    // FBC 30–39 = 4/4.
    let dcis = score(&mk(Some(false), None)).expect("valid");
    assert_eq!((dcis.score.brca1_score, dcis.score.brca2_score), (2, 4));
    let lob = score(&mk(Some(true), Some(BreastHistology::Lobular))).expect("valid");
    assert_eq!((lob.score.brca1_score, lob.score.brca2_score), (2, 4));
}

#[test]
fn pathology_applies_to_index_case_only() {
    use ReceptorStatus::*;
    let tn = MssCancer::Breast {
        age_at_diagnosis: Some(45),
        invasive: Some(true),
        histology: None,
        er: Some(Negative),
        pr: Some(Negative),
        her2: Some(Negative),
        triple_negative: None,
        grade: Some(3),
    };
    // In a relative: only the 3/3 age points.
    assert_eq!(single(Sex::Female, tn.clone()), (3, 3));
    // Same relative made the index case (unaffected proband): +6.
    let mut input = proband(Sex::Female, vec![]);
    input
        .relatives
        .push(relative(Side::Maternal, Sex::Female, vec![tn]));
    input.index = IndexCase::Relative(0);
    let r = score(&input).expect("valid");
    assert_eq!((r.score.brca1_score, r.score.brca2_score), (9, 3));
    assert_eq!(r.threshold, 20, "unaffected proband uses the 20-point rule");
}

#[test]
fn only_earliest_index_breast_cancer_is_adjusted() {
    let g3 = |age| MssCancer::Breast {
        age_at_diagnosis: Some(age),
        invasive: Some(true),
        histology: None,
        er: None,
        pr: None,
        her2: None,
        triple_negative: None,
        grade: Some(if age == 38 { 3 } else { 1 }),
    };
    // Bilateral: 55 (grade 1) and 38 (grade 3): 2/2 + 4/4, adjusted once by the 38's grade 3.
    let r = score(&proband(Sex::Female, vec![g3(55), g3(38)])).expect("valid");
    assert_eq!((r.score.brca1_score, r.score.brca2_score), (2 + 4 + 2, 6));
}

// ---- Ovarian adjustments ---------------------------------------------------------------------

#[test]
fn ovarian_excluded_histologies_score_zero() {
    use OvarianHistology::*;
    for h in [Mucinous, GermCell, Borderline] {
        assert_eq!(
            single(Sex::Female, ovarian(Some(45), Some(h))),
            (0, 0),
            "{h:?}"
        );
    }
    for h in [
        SexCordStromal,
        ClearCell,
        LowGradeSerous,
        EpithelialUnspecified,
    ] {
        assert_eq!(
            single(Sex::Female, ovarian(Some(45), Some(h))),
            (8, 5),
            "{h:?}"
        );
    }
}

#[test]
fn hgsoc_under_60_plus_two_with_footnote() {
    let hgs = |age| ovarian(Some(age), Some(OvarianHistology::HighGradeSerous));
    assert_eq!(single(Sex::Female, hgs(59)), (10, 5));
    assert_eq!(single(Sex::Female, hgs(60)), (5, 5));
    // Footnote ‡: related through two unaffected women > 60: no bonus.
    let mut input = proband(Sex::Female, vec![]);
    let mut rel = relative(Side::Maternal, Sex::Female, vec![hgs(50)]);
    rel.intervening_unaffected_women_over_60 = 2;
    input.relatives.push(rel.clone());
    assert_eq!(score(&input).expect("valid").score.brca1_score, 8);
    rel.intervening_unaffected_women_over_60 = 1;
    input.relatives = vec![rel];
    assert_eq!(score(&input).expect("valid").score.brca1_score, 10);
}

#[test]
fn sporadic_hgsoc_under_60_reaches_15() {
    // Abstract: "Sporadic HGSOC <60 years thus reached a score of 15-19 points."
    let r = score(&proband(
        Sex::Female,
        vec![ovarian(Some(52), Some(OvarianHistology::HighGradeSerous))],
    ))
    .expect("valid");
    assert!((15..=19).contains(&r.score.total), "{}", r.score.total);
    assert!(r.score.meets_threshold);
}

#[test]
fn adopted_adds_two_and_two() {
    let mut input = proband(Sex::Female, vec![breast(Some(45))]);
    input.proband.adopted_no_known_family_status = true;
    let r = score(&input).expect("valid");
    assert_eq!((r.score.brca1_score, r.score.brca2_score), (5, 5));
}

// ---- Lineages ---------------------------------------------------------------------------------

#[test]
fn highest_lineage_is_reported_and_sides_are_not_summed() {
    let mut input = proband(Sex::Female, vec![breast(Some(45))]); // 3/3 shared
    input.relatives.push(relative(
        Side::Maternal,
        Sex::Female,
        vec![breast(Some(35))],
    )); // 4/4
    input
        .relatives
        .push(relative(Side::Paternal, Sex::Male, vec![breast(Some(50))])); // 5/8
    input
        .relatives
        .push(relative(Side::None, Sex::Female, vec![breast(Some(55))])); // 2/2 sister
    let r = score(&input).expect("valid");
    assert_eq!(r.maternal, LineageScore { brca1: 9, brca2: 9 });
    assert_eq!(
        r.paternal,
        LineageScore {
            brca1: 10,
            brca2: 13
        }
    );
    assert_eq!(r.lineage, Lineage::Paternal);
    assert_eq!(r.score.total, 23);
}

#[test]
fn threshold_boundary_14_15() {
    // Proband FBC 45 (3/3) + mother OC 65 (5/5) = 16; with grade 1 (−2) = 14; with grade 2 = 16.
    let mk = |grade| {
        let mut i = proband(
            Sex::Female,
            vec![MssCancer::Breast {
                age_at_diagnosis: Some(45),
                invasive: Some(true),
                histology: None,
                er: Some(ReceptorStatus::Positive),
                pr: None,
                her2: None,
                triple_negative: None,
                grade: Some(grade),
            }],
        );
        i.relatives.push(relative(
            Side::Maternal,
            Sex::Female,
            vec![ovarian(Some(65), None)],
        ));
        score(&i).expect("valid").score
    };
    // grade 1, ER+: 3+3−2−1+5+5 = 13; grade 2, ER+: 15; grade 3, ER+: 17.
    assert_eq!(mk(1).total, 13);
    assert!(!mk(1).meets_threshold);
    assert_eq!(mk(2).total, 15);
    assert!(mk(2).meets_threshold);
    assert_eq!(mk(3).total, 17);
}

#[test]
fn unknown_age_scores_oldest_band_with_warning() {
    let r = score(&proband(Sex::Female, vec![breast(None)])).expect("valid");
    assert_eq!((r.score.brca1_score, r.score.brca2_score), (1, 1));
    assert_eq!(r.warnings.len(), 1);
    assert!(r.warnings[0].contains("proband.cancers[0].age_at_diagnosis"));
}

// ---- Validation -------------------------------------------------------------------------------

#[test]
fn errors_name_the_field() {
    let mut i = proband(Sex::Female, vec![breast(Some(121))]);
    assert_eq!(
        score(&i).expect_err("too old").path,
        "proband.cancers[0].age_at_diagnosis"
    );
    i = proband(Sex::Female, vec![]);
    i.relatives.push(relative(
        Side::Paternal,
        Sex::Male,
        vec![ovarian(Some(40), None)],
    ));
    assert_eq!(
        score(&i).expect_err("male OC").path,
        "relatives[0].cancers[0].type"
    );
    i = proband(
        Sex::Female,
        vec![MssCancer::Prostate {
            age_at_diagnosis: Some(50),
        }],
    );
    assert_eq!(
        score(&i).expect_err("female PC").path,
        "proband.cancers[0].type"
    );
    i = proband(
        Sex::Female,
        vec![MssCancer::Breast {
            age_at_diagnosis: Some(40),
            invasive: None,
            histology: None,
            er: None,
            pr: None,
            her2: None,
            triple_negative: None,
            grade: Some(4),
        }],
    );
    assert_eq!(
        score(&i).expect_err("grade").path,
        "proband.cancers[0].grade"
    );
    i = proband(Sex::Female, vec![]);
    i.index = IndexCase::Relative(3);
    assert_eq!(score(&i).expect_err("index").path, "index.relative");
}

#[test]
fn json_round_trip_and_contract_shape() {
    let input: ManchesterInput = serde_json::from_value(serde_json::json!({
        "proband": { "sex": "female", "cancers": [
            { "type": "breast", "age_at_diagnosis": 34, "er": "negative", "her2": "positive", "grade": 3 }
        ]},
        "relatives": [
            { "lineage": "maternal", "sex": "female",
              "cancers": [ { "type": "ovarian", "age_at_diagnosis": 63, "histology": "endometrioid" } ] }
        ]
    }))
    .expect("deserialises");
    let r = score(&input).expect("valid");
    let v = serde_json::to_value(r.score).expect("serialises");
    assert_eq!(
        v,
        serde_json::json!({ "brca1_score": 6, "brca2_score": 9, "total": 15, "meets_threshold": true })
    );
}

// ---- Properties -------------------------------------------------------------------------------

fn arb_cancer() -> impl Strategy<Value = MssCancer> {
    let status = || {
        prop_oneof![
            Just(None),
            Just(Some(ReceptorStatus::Positive)),
            Just(Some(ReceptorStatus::Negative))
        ]
    };
    prop_oneof![
        (
            proptest::option::of(0u8..=130),
            proptest::option::of(any::<bool>()),
            status(),
            status(),
            status(),
            proptest::option::of(0u8..=4),
        )
            .prop_map(|(age, inv, er, pr, her2, grade)| MssCancer::Breast {
                age_at_diagnosis: age,
                invasive: inv,
                histology: None,
                er,
                pr,
                her2,
                triple_negative: None,
                grade,
            }),
        (
            proptest::option::of(0u8..=130),
            prop_oneof![
                Just(None),
                Just(Some(OvarianHistology::HighGradeSerous)),
                Just(Some(OvarianHistology::Mucinous))
            ]
        )
            .prop_map(|(a, h)| ovarian(a, h)),
        proptest::option::of(0u8..=130).prop_map(|a| MssCancer::Prostate {
            age_at_diagnosis: a
        }),
        Just(MssCancer::Other),
    ]
}

fn arb_relative() -> impl Strategy<Value = ManchesterRelative> {
    (
        prop_oneof![Just(Side::Maternal), Just(Side::Paternal), Just(Side::None)],
        prop_oneof![Just(Sex::Female), Just(Sex::Male)],
        proptest::collection::vec(arb_cancer(), 0..3),
        0u8..3,
    )
        .prop_map(|(lineage, sex, cancers, w)| ManchesterRelative {
            lineage,
            sex,
            cancers,
            intervening_unaffected_women_over_60: w,
        })
}

proptest! {
    /// Any input either scores or is rejected with a field path; never panics. The reported total
    /// is the larger lineage total, and equals brca1 + brca2.
    #[test]
    fn never_panics_and_reports_max_lineage(
        cancers in proptest::collection::vec(arb_cancer(), 0..3),
        relatives in proptest::collection::vec(arb_relative(), 0..8),
        idx in 0usize..10,
        use_rel_index in any::<bool>(),
    ) {
        let input = ManchesterInput {
            proband: ManchesterProband { sex: Sex::Female, cancers, adopted_no_known_family_status: false },
            relatives,
            index: if use_rel_index { IndexCase::Relative(idx) } else { IndexCase::Proband },
        };
        match score(&input) {
            Ok(r) => {
                prop_assert_eq!(r.score.total, r.score.brca1_score + r.score.brca2_score);
                prop_assert_eq!(r.score.total, r.maternal.total().max(r.paternal.total()));
                prop_assert_eq!(r.score.meets_threshold, r.score.total >= r.threshold);
            }
            Err(e) => prop_assert!(!e.path.is_empty()),
        }
    }

    /// Adding an affected relative (no pathology adjustment applies to relatives) never lowers
    /// the score of their lineage.
    #[test]
    fn adding_a_relative_never_lowers_the_score(
        relatives in proptest::collection::vec(arb_relative(), 0..6),
        extra in arb_relative(),
    ) {
        let mut input = proband(Sex::Female, vec![]);
        input.relatives = relatives;
        let before = score(&input);
        input.relatives.push(extra);
        if let (Ok(b), Ok(a)) = (before, score(&input)) {
            prop_assert!(a.maternal.total() >= b.maternal.total());
            prop_assert!(a.paternal.total() >= b.paternal.total());
            prop_assert!(a.score.total >= b.score.total);
        }
    }
}
