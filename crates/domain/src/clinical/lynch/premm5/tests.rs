//! PREMM5 arithmetic: hand-computed cases and monotonicity properties.
//!
//! The expected values were computed independently in Python 3 (a separate ~20-line script
//! written from clinical.md §4.4's formula and coefficient table, not from this code), in
//! percent, and are compared with a tolerance of 0.001 percentage points.

use super::coefficients::{COEFFICIENTS, CRC_LIMITS, EC_LIMITS};
use super::{Premm5Input, RelativeCounts};
use proptest::prelude::*;

const TOL: f64 = 0.001;

fn assert_percent(input: &Premm5Input, expected: [f64; 5]) {
    let p = input.probabilities().scaled(100.0);
    let got = [p.mlh1, p.msh2_epcam, p.msh6, p.pms2, p.total()];
    for (i, (g, e)) in got.iter().zip(expected).enumerate() {
        assert!(
            (g - e).abs() < TOL,
            "component {i}: got {g}, expected {e} (all: {got:?})"
        );
    }
}

/// A 40-year-old woman, no personal or family history.
#[test]
fn unaffected_woman_without_family_history() {
    let input = Premm5Input {
        testing_age: 40.0,
        ..Premm5Input::default()
    };
    assert_percent(&input, [0.0718, 0.1721, 0.2161, 0.5412, 1.0012]);
}

/// A 45-year-old man with colorectal cancer at 40, his father's colorectal cancer at 50 and
/// a paternal aunt's endometrial cancer at 45.
#[test]
fn man_with_crc_and_family() {
    let input = Premm5Input {
        male: true,
        testing_age: 45.0,
        proband_colorectal: 1,
        first_degree: RelativeCounts {
            colorectal: 1,
            ..RelativeCounts::default()
        },
        second_degree: RelativeCounts {
            endometrial: 1,
            ..RelativeCounts::default()
        },
        colorectal_ages: [Some(40.0), Some(50.0), None],
        endometrial_ages: [None, None, Some(45.0)],
        ..Premm5Input::default()
    };
    assert_percent(&input, [10.2499, 8.6215, 3.0687, 1.1785, 23.1186]);
}

/// A 55-year-old woman with endometrial cancer at 52, her mother's colorectal cancer at 48 and
/// a sister's ovarian cancer.
#[test]
fn woman_with_endometrial_cancer() {
    let input = Premm5Input {
        testing_age: 55.0,
        proband_endometrial: true,
        first_degree: RelativeCounts {
            colorectal: 1,
            endometrial: 0,
            other_lynch: true,
        },
        colorectal_ages: [None, Some(48.0), None],
        endometrial_ages: [Some(52.0), None, None],
        ..Premm5Input::default()
    };
    assert_percent(&input, [1.0821, 3.2858, 1.9903, 0.8372, 7.1954]);
}

/// A 30-year-old man with two colorectal cancers, the youngest at 25 (clipped to 27): the MSH6
/// probability vanishes (its degenerate "two or more CRCs" coefficient).
#[test]
fn two_colorectal_cancers_clip_and_zero_msh6() {
    let input = Premm5Input {
        male: true,
        testing_age: 30.0,
        proband_colorectal: 2,
        colorectal_ages: [Some(25.0), None, None],
        ..Premm5Input::default()
    };
    assert_percent(&input, [13.4547, 15.0824, 0.0, 0.4596, 28.9966]);
    let at_27 = Premm5Input {
        colorectal_ages: [Some(27.0), None, None],
        ..input.clone()
    };
    assert_eq!(input.probabilities(), at_27.probabilities());
}

/// An unaffected 30-year-old woman whose mother had endometrial cancer at 40 and whose maternal
/// grandmother and aunt had colorectal cancer at 60 and 55: between the two NCCN thresholds.
#[test]
fn unaffected_woman_with_maternal_history() {
    let input = Premm5Input {
        testing_age: 30.0,
        first_degree: RelativeCounts {
            endometrial: 1,
            ..RelativeCounts::default()
        },
        second_degree: RelativeCounts {
            colorectal: 2,
            ..RelativeCounts::default()
        },
        colorectal_ages: [None, None, Some(55.0)],
        endometrial_ages: [None, Some(40.0), None],
        ..Premm5Input::default()
    };
    assert_percent(&input, [0.6493, 1.3016, 1.0087, 0.3391, 3.2987]);
}

/// The range logic of `mapping` relies on the signs: every colorectal age coefficient negative,
/// every endometrial one positive.
#[test]
fn age_coefficients_have_one_sign_per_cancer() {
    assert!(COEFFICIENTS.iter().all(|row| row[9] < 0.0));
    assert!(COEFFICIENTS.iter().all(|row| row[10] > 0.0));
    assert!(CRC_LIMITS.iter().chain(&EC_LIMITS).all(|l| l.lo < l.hi));
}

fn any_input() -> impl Strategy<Value = Premm5Input> {
    let counts = (0u32..4, 0u32..4, any::<bool>()).prop_map(|(c, e, o)| RelativeCounts {
        colorectal: c,
        endometrial: e,
        other_lynch: o,
    });
    let age = prop::option::of(15.0f64..95.0);
    (
        (
            any::<bool>(),
            18.0f64..95.0,
            0u32..4,
            any::<bool>(),
            any::<bool>(),
        ),
        (counts.clone(), counts),
        (
            [age.clone(), age.clone(), age.clone()],
            [age.clone(), age.clone(), age],
        ),
    )
        .prop_map(
            |((male, testing_age, crc, ec, other), (f, s), (ca, ea))| Premm5Input {
                male,
                testing_age,
                proband_colorectal: crc,
                proband_endometrial: ec && !male,
                proband_other_lynch: other,
                first_degree: f,
                second_degree: s,
                colorectal_ages: ca,
                endometrial_ages: ea,
            },
        )
}

proptest! {
    #[test]
    fn probabilities_are_proper(input in any_input()) {
        let p = input.probabilities();
        for x in [p.mlh1, p.msh2_epcam, p.msh6, p.pms2] {
            prop_assert!((0.0..1.0).contains(&x));
        }
        prop_assert!(p.total() < 1.0);
    }

    /// One more first- or second-degree relative with colorectal cancer never lowers the score.
    #[test]
    fn more_colorectal_relatives_never_lower_the_score(input in any_input(), second in any::<bool>()) {
        let mut more = input.clone();
        if second { more.second_degree.colorectal += 1 } else { more.first_degree.colorectal += 1 }
        prop_assert!(more.probabilities().total() >= input.probabilities().total() - 1e-15);
    }

    /// A colorectal cancer diagnosed younger never lowers the score; testing at an older age
    /// never raises it; a first colorectal cancer raises it; male sex raises it.
    #[test]
    fn age_and_sex_move_the_score_one_way(input in any_input(), years in 1.0f64..30.0) {
        let total = input.probabilities().total();
        if let Some(a) = input.colorectal_ages[0] {
            let mut younger = input.clone();
            younger.colorectal_ages[0] = Some(a - years);
            prop_assert!(younger.probabilities().total() >= total - 1e-15);
        }
        let mut older = input.clone();
        older.testing_age += years;
        prop_assert!(older.probabilities().total() <= total + 1e-15);
        if input.proband_colorectal == 0 {
            let mut crc = input.clone();
            crc.proband_colorectal = 1;
            prop_assert!(crc.probabilities().total() > total);
        }
        if !input.male && !input.proband_endometrial {
            let mut man = input.clone();
            man.male = true;
            prop_assert!(man.probabilities().total() > total);
        }
    }
}
