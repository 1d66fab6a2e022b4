//! Unit tests for the Gail guards, applicability rules and the closed-form integration.
//! Reference values are R BCRA 2.1 outputs quoted in clinical.md §2.4.

use super::engine::absolute_risk_percent;
use super::engine::yearly::absolute_risk_percent_yearly;
use super::tables::{AVERAGE_RATES, RACES};
use super::*;
use proptest::prelude::*;

fn base() -> GailInput {
    // clinical.md §2.4 case 1: 40, 1 biopsy (hyperplasia unknown), menarche 12, first birth
    // 25, one affected relative, White.
    GailInput {
        current_age: 40.0,
        age_at_menarche: Some(12),
        number_of_biopsies: Some(1),
        atypical_hyperplasia: None,
        age_at_first_live_birth: FirstLiveBirth::AtAge(25),
        first_degree_relatives: Some(1),
        race: GailRace::White,
    }
}

fn kinds(r: Result<impl std::fmt::Debug, GailError>) -> Vec<GailErrorKind> {
    match r {
        Ok(v) => panic!("expected an error, got {v:?}"),
        Err(e) => e.kinds.iter().collect(),
    }
}

fn rel(a: f64, b: f64) -> f64 {
    ((a - b) / b).abs()
}

#[test]
fn typed_api_matches_clinical_md_case_1() {
    // R BCRA: RR 5.1407908505 / 3.8542037918, AbsRisk(40→50) 4.5136216073, AvgRisk 1.5338974272.
    let r = absolute_risk(&base(), 50.0).unwrap();
    assert!(rel(r.absolute_percent, 4.5136216073) < 1e-9);
    assert!(rel(r.average_percent, 1.5338974272) < 1e-9);
    let rr = relative_risk(&base()).unwrap();
    assert!(rel(rr.under_50, 5.1407908505) < 1e-9);
    assert!(rel(rr.from_50, 3.8542037918) < 1e-9);
}

#[test]
fn typed_api_matches_clinical_md_case_2_nulliparous_with_hyperplasia() {
    // Case 2: 45→55, 2 biopsies with atypical hyperplasia, menarche 10, nulliparous, 2 relatives.
    let input = GailInput {
        current_age: 45.0,
        age_at_menarche: Some(10),
        number_of_biopsies: Some(2),
        atypical_hyperplasia: Some(true),
        age_at_first_live_birth: FirstLiveBirth::Nulliparous,
        first_degree_relatives: Some(2),
        race: GailRace::White,
    };
    let r = absolute_risk(&input, 55.0).unwrap();
    assert!(rel(r.absolute_percent, 24.125253066) < 1e-9);
    assert!(rel(r.average_percent, 2.2303822611) < 1e-9);
}

#[test]
fn typed_api_all_unknown_matches_case_4() {
    let input = GailInput {
        current_age: 50.0,
        age_at_menarche: None,
        number_of_biopsies: None,
        atypical_hyperplasia: None,
        age_at_first_live_birth: FirstLiveBirth::Unknown,
        first_degree_relatives: None,
        race: GailRace::White,
    };
    let r = absolute_risk(&input, 60.0).unwrap();
    assert!(rel(r.absolute_percent, 1.3863082967) < 1e-9);
    assert!(rel(r.average_percent, 2.7276339471) < 1e-9);
    let rr = relative_risk(&input).unwrap();
    assert_eq!((rr.under_50, rr.from_50), (1.0, 1.0));
}

#[test]
fn current_age_guard() {
    for age in [19.9, 90.0, 95.0, f64::NAN, f64::INFINITY, -1.0] {
        let i = GailInput {
            current_age: age,
            age_at_menarche: None,
            age_at_first_live_birth: FirstLiveBirth::Unknown,
            ..base()
        };
        assert!(
            kinds(assess(&i)).contains(&GailErrorKind::CurrentAgeOutOfRange),
            "age {age}"
        );
    }
    let i = GailInput {
        current_age: 20.0,
        age_at_first_live_birth: FirstLiveBirth::Unknown,
        ..base()
    };
    assert!(assess(&i).is_ok());
    let i = GailInput {
        current_age: 89.9,
        ..base()
    };
    assert!(assess(&i).is_ok());
}

#[test]
fn projection_age_guards() {
    assert_eq!(
        kinds(absolute_risk(&base(), 40.0)),
        vec![GailErrorKind::ProjectionNotAfterCurrentAge]
    );
    assert_eq!(
        kinds(absolute_risk(&base(), 35.0)),
        vec![GailErrorKind::ProjectionNotAfterCurrentAge]
    );
    assert_eq!(
        kinds(absolute_risk(&base(), 90.5)),
        vec![GailErrorKind::ProjectionAgeOutOfRange]
    );
    assert_eq!(
        kinds(absolute_risk(&base(), f64::NAN)),
        vec![GailErrorKind::ProjectionAgeOutOfRange]
    );
    assert!(absolute_risk(&base(), 90.0).is_ok());
    assert!(absolute_risk(&base(), 40.5).is_ok());
}

#[test]
fn menarche_guards() {
    let i = GailInput {
        age_at_menarche: Some(45),
        ..base()
    };
    let k = kinds(assess(&i));
    assert!(k.contains(&GailErrorKind::MenarcheAfterCurrentAge));
    // First birth 25 is then before menarche 45: BCRA flags that too.
    assert!(k.contains(&GailErrorKind::FirstBirthBeforeMenarche));
    let i = GailInput {
        age_at_menarche: Some(0),
        ..base()
    };
    assert_eq!(kinds(assess(&i)), vec![GailErrorKind::InvalidMenarcheAge]);
    // Menarche equal to the current age is allowed (AgeMen <= T1).
    let i = GailInput {
        current_age: 20.0,
        age_at_menarche: Some(20),
        age_at_first_live_birth: FirstLiveBirth::Nulliparous,
        ..base()
    };
    assert!(assess(&i).is_ok());
}

#[test]
fn first_birth_guards() {
    let i = GailInput {
        age_at_first_live_birth: FirstLiveBirth::AtAge(10),
        ..base()
    };
    assert_eq!(
        kinds(assess(&i)),
        vec![GailErrorKind::FirstBirthBeforeMenarche]
    );
    let i = GailInput {
        age_at_first_live_birth: FirstLiveBirth::AtAge(45),
        ..base()
    };
    assert_eq!(
        kinds(assess(&i)),
        vec![GailErrorKind::FirstBirthAfterCurrentAge]
    );
    // Unknown menarche: no ordering check against menarche (BCRA: AgeMen != 99).
    let i = GailInput {
        age_at_menarche: None,
        age_at_first_live_birth: FirstLiveBirth::AtAge(10),
        ..base()
    };
    assert!(assess(&i).is_ok());
    // Equal to menarche and equal to current age are allowed.
    let i = GailInput {
        age_at_first_live_birth: FirstLiveBirth::AtAge(12),
        ..base()
    };
    assert!(assess(&i).is_ok());
    let i = GailInput {
        age_at_first_live_birth: FirstLiveBirth::AtAge(40),
        ..base()
    };
    assert!(assess(&i).is_ok());
}

#[test]
fn african_american_model_ignores_first_birth_consistency() {
    // BCRA sets AF_Cat = 0 for race 2 before its error check.
    let i = GailInput {
        age_at_first_live_birth: FirstLiveBirth::AtAge(45),
        race: GailRace::AfricanAmerican,
        ..base()
    };
    let a = assess(&i).unwrap();
    let b = assess(&GailInput {
        age_at_first_live_birth: FirstLiveBirth::Unknown,
        ..i
    })
    .unwrap();
    assert_eq!(a, b);
}

#[test]
fn hispanic_us_born_menarche_after_age_is_still_an_error() {
    // AM_Cat is forced to 0 for race 3 only after the error verdict.
    let i = GailInput {
        age_at_menarche: Some(45),
        age_at_first_live_birth: FirstLiveBirth::Nulliparous,
        race: GailRace::HispanicUsBorn,
        ..base()
    };
    assert_eq!(
        kinds(assess(&i)),
        vec![GailErrorKind::MenarcheAfterCurrentAge]
    );
}

#[test]
fn hyperplasia_requires_a_biopsy() {
    for (biopsies, hyp) in [
        (Some(0), Some(false)),
        (Some(0), Some(true)),
        (None, Some(false)),
        (None, Some(true)),
    ] {
        let i = GailInput {
            number_of_biopsies: biopsies,
            atypical_hyperplasia: hyp,
            ..base()
        };
        assert_eq!(
            kinds(assess(&i)),
            vec![GailErrorKind::HyperplasiaWithoutBiopsy],
            "{biopsies:?} {hyp:?}"
        );
    }
    for hyp in [None, Some(false), Some(true)] {
        let i = GailInput {
            number_of_biopsies: Some(3),
            atypical_hyperplasia: hyp,
            ..base()
        };
        assert!(assess(&i).is_ok());
    }
}

#[test]
fn hyperplasia_factor_scales_relative_risk() {
    // R_Hyp 0.93 (no atypia) and 1.82 (atypia) relative to unknown (1.00).
    let rr = |h| {
        relative_risk(&GailInput {
            atypical_hyperplasia: h,
            ..base()
        })
        .unwrap()
        .under_50
    };
    assert!(rel(rr(Some(false)) / rr(None), 0.93) < 1e-12);
    assert!(rel(rr(Some(true)) / rr(None), 1.82) < 1e-12);
}

#[test]
fn reserved_codes_are_rejected_with_their_field() {
    let cases = [
        (
            GailInput {
                age_at_menarche: Some(99),
                ..base()
            },
            GailErrorKind::MenarcheReservedCode,
            "age_at_menarche",
        ),
        (
            GailInput {
                number_of_biopsies: Some(99),
                ..base()
            },
            GailErrorKind::BiopsiesReservedCode,
            "number_of_biopsies",
        ),
        (
            GailInput {
                first_degree_relatives: Some(99),
                ..base()
            },
            GailErrorKind::RelativesReservedCode,
            "first_degree_relatives",
        ),
        (
            GailInput {
                age_at_first_live_birth: FirstLiveBirth::AtAge(98),
                ..base()
            },
            GailErrorKind::FirstBirthReservedCode,
            "age_at_first_live_birth",
        ),
    ];
    for (input, kind, field) in cases {
        assert_eq!(kinds(assess(&input)), vec![kind]);
        assert_eq!(kind.field(), field);
    }
}

#[test]
fn errors_name_fields_and_collect_all_reasons() {
    let i = GailInput {
        current_age: 19.0,
        number_of_biopsies: Some(0),
        atypical_hyperplasia: Some(true),
        age_at_first_live_birth: FirstLiveBirth::AtAge(30),
        ..base()
    };
    let e = assess(&i).unwrap_err();
    let fields: Vec<&str> = e.kinds.iter().map(|k| k.field()).collect();
    assert_eq!(
        fields,
        vec![
            "current_age",
            "atypical_hyperplasia",
            "age_at_first_live_birth"
        ]
    );
    let text = e.to_string();
    assert!(text.contains("current_age:") && text.contains("atypical_hyperplasia:"));
    let json = serde_json::to_string(&e).unwrap();
    let back: GailError = serde_json::from_str(&json).unwrap();
    assert_eq!(back, e);
}

#[test]
fn every_error_kind_has_a_field_of_the_typed_input() {
    let fields = [
        "current_age",
        "projection_age",
        "age_at_menarche",
        "number_of_biopsies",
        "atypical_hyperplasia",
        "age_at_first_live_birth",
        "first_degree_relatives",
        "race",
    ];
    for k in GailErrorKind::ALL {
        assert!(fields.contains(&k.field()), "{k:?}");
        assert!(!k.message().is_empty());
    }
}

#[test]
fn coded_quirks_follow_bcra() {
    let row = GailCodedInput {
        t1: 40.0,
        t2: 50.0,
        n_biop: 1.0,
        hyp_plas: 99.0,
        age_men: 12.0,
        age_1st: 25.0,
        n_rels: 1.0,
        race: 1.0,
    };
    // Negative biopsy count: category 2, no error (R's `N_Biop >= 2 | N_Biop != 99`).
    let out = evaluate_coded(&GailCodedInput {
        n_biop: -1.0,
        ..row
    });
    assert!(!out.recode.error_ind());
    assert_eq!(out.recode.nb_cat, Some(2));
    // ... with an invalid hyperplasia code: no BCRA error, but R_Hyp, RR and AbsRisk are NA
    // while AvgRisk is still computed.
    let out = evaluate_coded(&GailCodedInput {
        n_biop: -1.0,
        hyp_plas: 2.0,
        ..row
    });
    assert!(!out.recode.error_ind());
    assert!(out.recode.r_hyp.is_none() && out.relative_risk.is_none());
    assert!(out.absolute_risk.is_none() && out.average_risk.is_some());
    // Invalid hyperplasia code with biopsies: requirement (B).
    let out = evaluate_coded(&GailCodedInput {
        hyp_plas: 2.0,
        ..row
    });
    assert!(
        out.recode
            .errors
            .contains(GailErrorKind::InvalidHyperplasiaCode)
    );
    // NaN covariates never pass.
    for f in [
        |r: &mut GailCodedInput| r.n_biop = f64::NAN,
        |r: &mut GailCodedInput| r.age_men = f64::NAN,
        |r: &mut GailCodedInput| r.age_1st = f64::NAN,
        |r: &mut GailCodedInput| r.n_rels = f64::NAN,
        |r: &mut GailCodedInput| r.race = f64::NAN,
        |r: &mut GailCodedInput| r.t1 = f64::NAN,
    ] {
        let mut r = row;
        f(&mut r);
        let out = evaluate_coded(&r);
        assert!(out.recode.error_ind(), "{r:?}");
        assert!(out.absolute_risk.is_none() && out.average_risk.is_none());
    }
    // Fractional relatives count: NA category, error.
    let out = evaluate_coded(&GailCodedInput { n_rels: 1.5, ..row });
    assert_eq!(
        out.recode.errors.iter().collect::<Vec<_>>(),
        vec![GailErrorKind::InvalidRelativesCount]
    );
}

#[test]
fn five_year_horizon_is_cut_at_90() {
    let i = GailInput {
        current_age: 87.0,
        ..base()
    };
    let a = assess(&i).unwrap();
    assert!(a.five_year_horizon_truncated);
    assert_eq!(a.five_year_horizon_end, 90.0);
    assert_eq!(a.five_year_risk, a.lifetime_risk);
    let a = assess(&base()).unwrap();
    assert!(!a.five_year_horizon_truncated);
    assert_eq!(a.five_year_horizon_end, 45.0);
    // clinical.md §2.4 case 5 shape: 40→45 equals five_year_risk for a 40-year-old.
    let f = five_year_risk(&base()).unwrap();
    assert_eq!(f.absolute_percent, a.five_year_risk);
    assert_eq!(
        lifetime_risk(&base()).unwrap().absolute_percent,
        a.lifetime_risk
    );
}

type SetFact = fn(&mut GailApplicabilityFacts);

#[test]
fn applicability_rules() {
    let ok = GailApplicabilityFacts {
        age: 50.0,
        male: false,
        prior_breast_cancer: false,
        dcis: false,
        lcis: false,
        chest_radiation: false,
        known_brca_carrier: false,
    };
    let v = applicability(&ok);
    assert!(v.applicable && v.not_applicable_reason.is_none() && v.warnings.is_empty());

    let each: [(SetFact, GailNotApplicableReason); 6] = [
        (|f| f.male = true, GailNotApplicableReason::Male),
        (
            |f| f.prior_breast_cancer = true,
            GailNotApplicableReason::PriorBreastCancer,
        ),
        (|f| f.dcis = true, GailNotApplicableReason::Dcis),
        (|f| f.lcis = true, GailNotApplicableReason::Lcis),
        (
            |f| f.chest_radiation = true,
            GailNotApplicableReason::ChestRadiation,
        ),
        (
            |f| f.known_brca_carrier = true,
            GailNotApplicableReason::KnownBrcaCarrier,
        ),
    ];
    for (set, reason) in each {
        let mut f = ok;
        set(&mut f);
        let v = applicability(&f);
        assert!(!v.applicable);
        assert_eq!(v.not_applicable_reason, Some(reason));
        assert!(!reason.text().is_empty());
    }

    let at = |age: f64| applicability(&GailApplicabilityFacts { age, ..ok });
    for (age, reason) in [
        (19.0, GailNotApplicableReason::AgeBelow20),
        (19.99, GailNotApplicableReason::AgeBelow20),
        (90.0, GailNotApplicableReason::AgeAbove89),
        (95.0, GailNotApplicableReason::AgeAbove89),
        (f64::NAN, GailNotApplicableReason::AgeInvalid),
    ] {
        let v = at(age);
        assert!(!v.applicable, "{age}");
        assert_eq!(v.not_applicable_reason, Some(reason));
    }
    for (age, warning) in [
        (20.0, Some(GailWarning::BelowNciPublishedAgeRange)),
        (34.0, Some(GailWarning::BelowNciPublishedAgeRange)),
        (35.0, None),
        (85.0, None),
        (86.0, Some(GailWarning::AboveNciPublishedAgeRange)),
        (89.0, Some(GailWarning::AboveNciPublishedAgeRange)),
    ] {
        let v = at(age);
        assert!(v.applicable, "{age}");
        assert_eq!(v.warnings.first().copied(), warning, "{age}");
    }

    // Several reasons are all reported, the first as the headline.
    let v = applicability(&GailApplicabilityFacts {
        age: 15.0,
        dcis: true,
        known_brca_carrier: true,
        ..ok
    });
    assert_eq!(
        v.reasons,
        vec![
            GailNotApplicableReason::Dcis,
            GailNotApplicableReason::KnownBrcaCarrier,
            GailNotApplicableReason::AgeBelow20
        ]
    );
    assert_eq!(v.not_applicable_reason, Some(GailNotApplicableReason::Dcis));
}

#[test]
fn race_codes_round_trip() {
    for (i, r) in GailRace::ALL.iter().enumerate() {
        assert_eq!(usize::from(r.code()), i + 1);
        assert_eq!(GailRace::from_code(f64::from(r.code())), Some(*r));
    }
    for bad in [0.0, 12.0, -1.0, 1.5, f64::NAN] {
        assert_eq!(GailRace::from_code(bad), None);
    }
}

#[test]
fn input_serde_round_trip() {
    let i = GailInput {
        race: GailRace::OtherPacificIslander,
        age_at_first_live_birth: FirstLiveBirth::Nulliparous,
        ..base()
    };
    let json = serde_json::to_string(&i).unwrap();
    assert!(json.contains("\"other_pacific_islander\"") && json.contains("\"nulliparous\""));
    assert_eq!(serde_json::from_str::<GailInput>(&json).unwrap(), i);
}

proptest! {
    /// The closed-form per-age-group integration equals BCRA's year-by-year sum.
    #[test]
    fn closed_form_equals_yearly_sum(
        race in 0usize..11,
        t1 in 20.0f64..89.99,
        len in 0.01f64..70.0,
        r1 in 0.1f64..40.0,
        r2 in 0.1f64..40.0,
        avg in any::<bool>(),
    ) {
        let t2 = (t1 + len).min(90.0);
        prop_assume!(t2 > t1);
        let (l1, l2) = if avg {
            AVERAGE_RATES[race]
        } else {
            (&RACES[race].lambda1, &RACES[race].lambda2)
        };
        let a = absolute_risk_percent(l1, l2, r1, r2, t1, t2);
        let b = absolute_risk_percent_yearly(l1, l2, r1, r2, t1, t2);
        prop_assert!(((a - b) / b).abs() < 1e-11, "{} vs {}", a, b);
    }

    /// Risks are percentages, grow with the horizon, and the lifetime risk is at least the
    /// five-year risk; no input panics.
    #[test]
    fn risks_are_bounded_and_monotone(
        race in 0usize..11,
        age in 20.0f64..89.99,
        men in proptest::option::of(1u32..30),
        biop in proptest::option::of(0u32..6),
        hyp in proptest::option::of(any::<bool>()),
        birth in 0u32..50,
        rels in proptest::option::of(0u32..5),
    ) {
        let input = GailInput {
            current_age: age,
            age_at_menarche: men,
            number_of_biopsies: biop,
            atypical_hyperplasia: hyp,
            age_at_first_live_birth: FirstLiveBirth::AtAge(birth),
            first_degree_relatives: rels,
            race: GailRace::ALL[race],
        };
        if let Ok(a) = assess(&input) {
            prop_assert!(a.five_year_risk >= 0.0 && a.lifetime_risk <= 100.0);
            prop_assert!(a.lifetime_risk >= a.five_year_risk);
            prop_assert!(a.average_lifetime_risk >= a.average_five_year_risk);
            prop_assert!(a.average_five_year_risk > 0.0);
        }
    }
}
