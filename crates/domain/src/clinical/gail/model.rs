//! Gail model input, output and error types.

use serde::{Deserialize, Serialize};
use std::fmt;

/// BCRA race / ethnicity model (R BCRA race codes 1..=11, see clinical.md §2.2).
///
/// Each variant selects its own incidence, mortality, attributable-risk and β tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GailRace {
    /// 1: non-Hispanic White (Gail 1989 model, SEER White 1983–87).
    White,
    /// 2: African-American (CARE model).
    AfricanAmerican,
    /// 3: Hispanic, US-born (SFBCS model).
    HispanicUsBorn,
    /// 4: Other, including American Indian / Alaska Native and unknown race: BCRA uses the
    /// White parameters.
    AmericanIndianOrOther,
    /// 5: Hispanic, foreign-born (SFBCS model).
    HispanicForeignBorn,
    /// 6: Chinese (AABCS model).
    Chinese,
    /// 7: Japanese (AABCS model).
    Japanese,
    /// 8: Filipino (AABCS model).
    Filipino,
    /// 9: Hawaiian (AABCS model).
    Hawaiian,
    /// 10: Other Pacific Islander (AABCS model).
    OtherPacificIslander,
    /// 11: Other Asian (AABCS model).
    OtherAsian,
}

impl GailRace {
    /// All race models in BCRA code order.
    pub const ALL: [GailRace; 11] = [
        GailRace::White,
        GailRace::AfricanAmerican,
        GailRace::HispanicUsBorn,
        GailRace::AmericanIndianOrOther,
        GailRace::HispanicForeignBorn,
        GailRace::Chinese,
        GailRace::Japanese,
        GailRace::Filipino,
        GailRace::Hawaiian,
        GailRace::OtherPacificIslander,
        GailRace::OtherAsian,
    ];

    /// The BCRA race code (1..=11).
    pub const fn code(self) -> u8 {
        match self {
            GailRace::White => 1,
            GailRace::AfricanAmerican => 2,
            GailRace::HispanicUsBorn => 3,
            GailRace::AmericanIndianOrOther => 4,
            GailRace::HispanicForeignBorn => 5,
            GailRace::Chinese => 6,
            GailRace::Japanese => 7,
            GailRace::Filipino => 8,
            GailRace::Hawaiian => 9,
            GailRace::OtherPacificIslander => 10,
            GailRace::OtherAsian => 11,
        }
    }

    /// The race model for a BCRA code; `None` outside 1..=11 (BCRA's "??" race, an error).
    pub fn from_code(code: f64) -> Option<GailRace> {
        GailRace::ALL
            .iter()
            .copied()
            .find(|r| f64::from(r.code()) == code)
    }

    /// Zero-based table index (code − 1).
    pub(crate) const fn index(self) -> usize {
        self.code() as usize - 1
    }
}

/// Age at first live birth, with BCRA's two special codes as variants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FirstLiveBirth {
    /// Age in whole years at the first live birth.
    AtAge(u32),
    /// No live birth (BCRA code 98).
    Nulliparous,
    /// Unknown (BCRA code 99).
    Unknown,
}

/// Typed Gail input for one woman. `None` means "unknown" (BCRA code 99).
///
/// Converted to BCRA's coded form ([`GailCodedInput`]) and run through the same recoding and
/// checks as R BCRA 2.1, so the error verdicts are BCRA's.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GailInput {
    /// Current age in years (T1); BCRA accepts 20 ≤ T1 < 90.
    pub current_age: f64,
    /// Age at menarche in years; `None` = unknown.
    pub age_at_menarche: Option<u32>,
    /// Number of breast biopsies (benign or unknown result); `None` = unknown.
    pub number_of_biopsies: Option<u32>,
    /// Atypical hyperplasia found on any biopsy: `Some(true)` yes, `Some(false)` no, `None`
    /// unknown or not applicable. BCRA requires `None` when there was no biopsy or the number of
    /// biopsies is unknown.
    pub atypical_hyperplasia: Option<bool>,
    /// Age at first live birth, nulliparous or unknown.
    pub age_at_first_live_birth: FirstLiveBirth,
    /// Number of first-degree female relatives (mother, sisters, daughters) with breast
    /// cancer; `None` = unknown.
    pub first_degree_relatives: Option<u32>,
    /// Race / ethnicity model.
    pub race: GailRace,
}

/// BCRA's raw coded covariates, exactly as R's `absolute.risk(data, Raw_Ind = 1)` takes a row.
///
/// Every field is a number, as in R: `n_biop` 99 = unknown; `hyp_plas` 0 / 1 / 99;
/// `age_men` 99 = unknown; `age_1st` 98 = nulliparous, 99 = unknown; `n_rels` 99 = unknown;
/// `race` 1..=11. Out-of-range codes are accepted here and get BCRA's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GailCodedInput {
    /// Current age (T1).
    pub t1: f64,
    /// Projection age (T2).
    pub t2: f64,
    /// Number of biopsies (`N_Biop`).
    pub n_biop: f64,
    /// Atypical hyperplasia (`HypPlas`).
    pub hyp_plas: f64,
    /// Age at menarche (`AgeMen`).
    pub age_men: f64,
    /// Age at first live birth (`Age1st`).
    pub age_1st: f64,
    /// First-degree relatives with breast cancer (`N_Rels`).
    pub n_rels: f64,
    /// Race code (`Race`).
    pub race: f64,
}

/// One reason for an invalid Gail input. Each names the offending field of [`GailInput`]
/// (see [`GailErrorKind::field`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[repr(u8)]
pub enum GailErrorKind {
    /// T1 < 20, T1 ≥ 90 or not a number (BCRA `set_T1_missing`).
    CurrentAgeOutOfRange = 0,
    /// T2 > 90 or not a number (BCRA `set_T2_missing`).
    ProjectionAgeOutOfRange,
    /// T2 ≤ T1 (BCRA `set_T1_missing` / `set_T2_missing`).
    ProjectionNotAfterCurrentAge,
    /// Hyperplasia given as yes/no although there was no biopsy or the number is unknown
    /// (BCRA requirement (A): `HypPlas` must be 99).
    HyperplasiaWithoutBiopsy,
    /// Hyperplasia code other than 0, 1, 99 with biopsies (BCRA requirement (B)); coded input only.
    InvalidHyperplasiaCode,
    /// Number of biopsies not a number; coded input only.
    InvalidBiopsyCount,
    /// Menarche after the current age.
    MenarcheAfterCurrentAge,
    /// Menarche age ≤ 0 or not a number.
    InvalidMenarcheAge,
    /// First live birth before menarche.
    FirstBirthBeforeMenarche,
    /// First live birth after the current age.
    FirstBirthAfterCurrentAge,
    /// First-birth code not a number, or above 99, or between 98 and 99; coded input only.
    InvalidFirstBirthAge,
    /// Relatives count negative, fractional, above 99 or not a number; coded input only.
    InvalidRelativesCount,
    /// Race code outside 1..=11; coded input only.
    InvalidRace,
    /// Menarche given as 99, BCRA's "unknown" code: use `None`.
    MenarcheReservedCode,
    /// Biopsies given as 99, BCRA's "unknown" code: use `None`.
    BiopsiesReservedCode,
    /// First birth given as 98 or 99, BCRA's nulliparous / unknown codes: use the variants.
    FirstBirthReservedCode,
    /// Relatives given as 99, BCRA's "unknown" code: use `None`.
    RelativesReservedCode,
    /// BCRA defines no hyperplasia factor (`R_Hyp` is NA) although its error flag is clear,
    /// so its relative and absolute risks are NA; coded input only (e.g. `N_Biop` = −1 with
    /// `HypPlas` = 2).
    UndefinedRelativeRisk,
}

impl GailErrorKind {
    /// Every kind, in bit order.
    pub const ALL: [GailErrorKind; 18] = [
        GailErrorKind::CurrentAgeOutOfRange,
        GailErrorKind::ProjectionAgeOutOfRange,
        GailErrorKind::ProjectionNotAfterCurrentAge,
        GailErrorKind::HyperplasiaWithoutBiopsy,
        GailErrorKind::InvalidHyperplasiaCode,
        GailErrorKind::InvalidBiopsyCount,
        GailErrorKind::MenarcheAfterCurrentAge,
        GailErrorKind::InvalidMenarcheAge,
        GailErrorKind::FirstBirthBeforeMenarche,
        GailErrorKind::FirstBirthAfterCurrentAge,
        GailErrorKind::InvalidFirstBirthAge,
        GailErrorKind::InvalidRelativesCount,
        GailErrorKind::InvalidRace,
        GailErrorKind::MenarcheReservedCode,
        GailErrorKind::BiopsiesReservedCode,
        GailErrorKind::FirstBirthReservedCode,
        GailErrorKind::RelativesReservedCode,
        GailErrorKind::UndefinedRelativeRisk,
    ];

    /// The offending field of [`GailInput`] (projection age is the separate argument
    /// `projection_age`).
    pub const fn field(self) -> &'static str {
        match self {
            GailErrorKind::CurrentAgeOutOfRange => "current_age",
            GailErrorKind::ProjectionAgeOutOfRange
            | GailErrorKind::ProjectionNotAfterCurrentAge => "projection_age",
            GailErrorKind::HyperplasiaWithoutBiopsy
            | GailErrorKind::InvalidHyperplasiaCode
            | GailErrorKind::UndefinedRelativeRisk => "atypical_hyperplasia",
            GailErrorKind::InvalidBiopsyCount | GailErrorKind::BiopsiesReservedCode => {
                "number_of_biopsies"
            }
            GailErrorKind::MenarcheAfterCurrentAge
            | GailErrorKind::InvalidMenarcheAge
            | GailErrorKind::MenarcheReservedCode => "age_at_menarche",
            GailErrorKind::FirstBirthBeforeMenarche
            | GailErrorKind::FirstBirthAfterCurrentAge
            | GailErrorKind::InvalidFirstBirthAge
            | GailErrorKind::FirstBirthReservedCode => "age_at_first_live_birth",
            GailErrorKind::InvalidRelativesCount | GailErrorKind::RelativesReservedCode => {
                "first_degree_relatives"
            }
            GailErrorKind::InvalidRace => "race",
        }
    }

    /// A short human-readable message.
    pub const fn message(self) -> &'static str {
        match self {
            GailErrorKind::CurrentAgeOutOfRange => "current age must be at least 20 and below 90",
            GailErrorKind::ProjectionAgeOutOfRange => "projection age must be at most 90",
            GailErrorKind::ProjectionNotAfterCurrentAge => {
                "projection age must be greater than the current age"
            }
            GailErrorKind::HyperplasiaWithoutBiopsy => {
                "atypical hyperplasia must be unknown when there was no biopsy or the number of biopsies is unknown"
            }
            GailErrorKind::InvalidHyperplasiaCode => "atypical hyperplasia code must be 0, 1 or 99",
            GailErrorKind::InvalidBiopsyCount => "number of biopsies is not a number",
            GailErrorKind::MenarcheAfterCurrentAge => {
                "age at menarche must not exceed the current age"
            }
            GailErrorKind::InvalidMenarcheAge => "age at menarche must be positive",
            GailErrorKind::FirstBirthBeforeMenarche => {
                "age at first live birth must not be below the age at menarche"
            }
            GailErrorKind::FirstBirthAfterCurrentAge => {
                "age at first live birth must not exceed the current age"
            }
            GailErrorKind::InvalidFirstBirthAge => "age at first live birth code is invalid",
            GailErrorKind::InvalidRelativesCount => {
                "number of affected first-degree relatives must be a whole number from 0"
            }
            GailErrorKind::InvalidRace => "race code must be 1 to 11",
            GailErrorKind::MenarcheReservedCode => {
                "99 is the code for unknown; give no age at menarche instead"
            }
            GailErrorKind::BiopsiesReservedCode => {
                "99 is the code for unknown; give no number of biopsies instead"
            }
            GailErrorKind::FirstBirthReservedCode => {
                "98 and 99 are the codes for nulliparous and unknown; use those variants instead"
            }
            GailErrorKind::RelativesReservedCode => {
                "99 is the code for unknown; give no number of relatives instead"
            }
            GailErrorKind::UndefinedRelativeRisk => {
                "no hyperplasia factor is defined for this biopsy and hyperplasia combination"
            }
        }
    }

    const fn bit(self) -> u32 {
        1 << (self as u8)
    }
}

impl fmt::Display for GailErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field(), self.message())
    }
}

/// A set of [`GailErrorKind`]s (a bit set: copying it never allocates).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct GailErrorSet(u32);

impl GailErrorSet {
    /// The empty set.
    pub const fn empty() -> Self {
        GailErrorSet(0)
    }

    /// Whether the set is empty.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Whether `kind` is in the set.
    pub const fn contains(self, kind: GailErrorKind) -> bool {
        self.0 & kind.bit() != 0
    }

    /// Add `kind`.
    pub fn insert(&mut self, kind: GailErrorKind) {
        self.0 |= kind.bit();
    }

    /// Number of kinds in the set.
    pub const fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    /// The kinds in the set, in [`GailErrorKind::ALL`] order.
    pub fn iter(self) -> impl Iterator<Item = GailErrorKind> {
        GailErrorKind::ALL
            .into_iter()
            .filter(move |k| self.contains(*k))
    }
}

impl fmt::Debug for GailErrorSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

impl Serialize for GailErrorSet {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for GailErrorSet {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let kinds = Vec::<GailErrorKind>::deserialize(deserializer)?;
        let mut set = GailErrorSet::empty();
        for k in kinds {
            set.insert(k);
        }
        Ok(set)
    }
}

/// An invalid Gail input: every reason found, each naming its field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub struct GailError {
    /// The reasons.
    pub kinds: GailErrorSet,
}

impl fmt::Display for GailError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("invalid Gail model input")?;
        for (i, k) in self.kinds.iter().enumerate() {
            f.write_str(if i == 0 { ": " } else { "; " })?;
            write!(f, "{k}")?;
        }
        Ok(())
    }
}

/// BCRA's relative risks `RR_Star1` (ages < 50) and `RR_Star2` (ages ≥ 50), including the
/// atypical-hyperplasia factor `R_Hyp`; relative to a woman with all covariates at the
/// reference level (not to the average woman).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GailRelativeRisk {
    /// `RR_Star1`: relative risk at ages below 50.
    pub under_50: f64,
    /// `RR_Star2`: relative risk at ages 50 and above.
    pub from_50: f64,
}

/// Absolute risk over one projection interval, in percent (0–100).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GailRisk {
    /// Start of the interval (current age, T1).
    pub from_age: f64,
    /// End of the interval (projection age, T2).
    pub to_age: f64,
    /// This woman's absolute risk of invasive breast cancer in [T1, T2), percent (`AbsRisk`).
    pub absolute_percent: f64,
    /// The average woman of the same age and race model, percent (`AvgRisk`).
    pub average_percent: f64,
}

/// Five-year and lifetime (to age 90) Gail risks, in percent, with the relative risks.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GailAssessment {
    /// Five-year absolute risk, percent (interval [T1, min(T1 + 5, 90))).
    pub five_year_risk: f64,
    /// Lifetime absolute risk to age 90, percent.
    pub lifetime_risk: f64,
    /// Five-year risk of the average woman, percent.
    pub average_five_year_risk: f64,
    /// Lifetime risk of the average woman, percent.
    pub average_lifetime_risk: f64,
    /// End of the five-year horizon: T1 + 5, or 90 when that is earlier (ages above 85).
    pub five_year_horizon_end: f64,
    /// True when the five-year horizon was cut at 90 (current age above 85).
    pub five_year_horizon_truncated: bool,
    /// BCRA relative risks.
    pub relative_risk: GailRelativeRisk,
}
