//! The BCRA 2.1 computation: recoding and checks (`recode.check`), relative risk
//! (`relative.risk`) and absolute risk with competing mortality (`absolute.risk`).
//!
//! Behaviour follows cran/BCRA R/recode.check.R, R/relative.risk.R and R/absolute.risk.R
//! (clinical.md §2.2) for one row at a time. R's missing-value rules are reproduced: a
//! comparison with NaN is "NA" and never selects a row, so every atomic comparison below is
//! written so that NaN yields `false` (`ne` for `!=`).

use super::model::{GailCodedInput, GailErrorKind, GailErrorSet, GailRace, GailRelativeRisk};
use super::tables::{AGE_GROUPS, AVERAGE_RATES, RACES};
use serde::{Deserialize, Serialize};

/// R's `a != b` inside `which()`: NA (NaN) never selects.
#[inline]
fn ne(a: f64, b: f64) -> bool {
    !a.is_nan() && a != b
}

/// R's `x %in% c(3, 5)` for the Hispanic models.
#[inline]
fn is_hispanic(race: f64) -> bool {
    race == 3.0 || race == 5.0
}

/// BCRA's recoded categories and verdict for one coded input (R `recode.check` output).
///
/// Categories are those R returns, i.e. after the race-specific regrouping. `None` is R's NA
/// (and BCRA's "A"/"B" biopsy codes, whose reasons are in `errors`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GailRecode {
    /// BCRA's error verdict reasons; empty exactly when R's `Error_Ind` is 0.
    pub errors: GailErrorSet,
    /// `NB_Cat`: biopsies 0, 1, 2.
    pub nb_cat: Option<u8>,
    /// `AM_Cat`: menarche 0 (≥ 14 or unknown), 1 (12–13), 2 (< 12).
    pub am_cat: Option<u8>,
    /// `AF_Cat`: first birth 0 (< 20 or unknown), 1 (20–24), 2 (25–29 or nulliparous), 3 (≥ 30).
    pub af_cat: Option<u8>,
    /// `NR_Cat`: relatives 0, 1, 2.
    pub nr_cat: Option<u8>,
    /// `R_Hyp`: atypical-hyperplasia factor 1.00, 0.93 or 1.82.
    pub r_hyp: Option<f64>,
    /// The race model, `None` for a code outside 1..=11.
    pub race: Option<GailRace>,
}

impl GailRecode {
    /// R's `Error_Ind` (true = 1).
    pub fn error_ind(&self) -> bool {
        !self.errors.is_empty()
    }

    /// BCRA's covariate pattern number 1..=108 (`NB*36 + AM*12 + AF*3 + NR + 1`), when all
    /// four categories are defined.
    pub fn pattern_number(&self) -> Option<u8> {
        let (nb, am, af, nr) = (self.nb_cat?, self.am_cat?, self.af_cat?, self.nr_cat?);
        Some(nb * 36 + am * 12 + af * 3 + nr + 1)
    }
}

/// Biopsy code while recoding: a category or BCRA's requirement-(A)/(B) failure markers.
#[derive(Clone, Copy, PartialEq)]
enum Nb {
    Unset,
    Cat(u8),
    A,
    B,
}

/// R `recode.check(data, Raw_Ind = 1)` for one row.
pub fn recode(c: &GailCodedInput) -> GailRecode {
    let mut errors = GailErrorSet::empty();
    check_ages(c.t1, c.t2, &mut errors);
    let nb = biopsy_code(c.n_biop, c.hyp_plas, &mut errors);
    let am = menarche_category(c, &mut errors);
    let af = first_birth_category(c, &mut errors);
    let nr = relatives_category(c, &mut errors);
    let r_hyp = hyperplasia_factor(nb, c.hyp_plas);

    let race_model = GailRace::from_code(c.race);
    if race_model.is_none() {
        errors.insert(GailErrorKind::InvalidRace);
    }

    let nb_cat = match nb {
        Nb::Cat(k) => Some(k),
        Nb::Unset | Nb::A | Nb::B => None,
    };
    let mut recoded = GailRecode {
        errors,
        nb_cat,
        am_cat: am,
        af_cat: af,
        nr_cat: nr,
        r_hyp,
        race: race_model,
    };
    // Race-specific regrouping after the error verdict (R recode.check, end).
    if is_hispanic(c.race) {
        regroup_hispanic(&mut recoded, c);
    }
    recoded
}

/// T1 / T2 consistency.
fn check_ages(t1: f64, t2: f64, errors: &mut GailErrorSet) {
    if !(20.0..90.0).contains(&t1) {
        errors.insert(GailErrorKind::CurrentAgeOutOfRange);
    }
    if t2.is_nan() || t2 > 90.0 {
        errors.insert(GailErrorKind::ProjectionAgeOutOfRange);
    }
    if t1 >= t2 {
        errors.insert(GailErrorKind::ProjectionNotAfterCurrentAge);
    }
}

/// Biopsies and hyperplasia: requirements (A) and (B), then the 0/1/2 recode.
fn biopsy_code(n_biop: f64, hyp: f64, errors: &mut GailErrorSet) -> Nb {
    let mut nb = Nb::Unset;
    if (n_biop == 0.0 || n_biop == 99.0) && ne(hyp, 99.0) {
        nb = Nb::A;
        errors.insert(GailErrorKind::HyperplasiaWithoutBiopsy);
    }
    if (n_biop > 0.0 && n_biop < 99.0) && ne(hyp, 0.0) && ne(hyp, 1.0) && ne(hyp, 99.0) {
        nb = Nb::B;
        errors.insert(GailErrorKind::InvalidHyperplasiaCode);
    }
    if nb == Nb::Unset {
        nb = if n_biop == 0.0 || n_biop == 99.0 {
            Nb::Cat(0)
        } else if n_biop == 1.0 {
            Nb::Cat(1)
        } else if n_biop >= 2.0 || ne(n_biop, 99.0) {
            // BCRA's condition `N_Biop >= 2 | N_Biop != 99` puts every other number (also
            // negative or fractional counts) in category 2.
            Nb::Cat(2)
        } else {
            errors.insert(GailErrorKind::InvalidBiopsyCount);
            Nb::Unset
        };
    }
    nb
}

/// Menarche. R assigns in this order, later rules overwriting earlier ones.
fn menarche_category(c: &GailCodedInput, errors: &mut GailErrorSet) -> Option<u8> {
    let (t1, race, age_men) = (c.t1, c.race, c.age_men);
    let mut am: Option<u8> = None;
    if (age_men >= 14.0 && age_men <= t1) || age_men == 99.0 {
        am = Some(0);
    }
    if (12.0..14.0).contains(&age_men) {
        am = Some(1);
    }
    if age_men > 0.0 && age_men < 12.0 {
        am = Some(2);
    }
    let menarche_after_t1 = age_men > t1 && ne(age_men, 99.0);
    if menarche_after_t1 {
        am = None;
    }
    if race == 2.0 && am == Some(2) {
        am = Some(1);
    }
    if am.is_none() {
        errors.insert(if menarche_after_t1 {
            GailErrorKind::MenarcheAfterCurrentAge
        } else {
            GailErrorKind::InvalidMenarcheAge
        });
    }
    am
}

/// First live birth.
fn first_birth_category(c: &GailCodedInput, errors: &mut GailErrorSet) -> Option<u8> {
    let (t1, race, age_men, age_1st) = (c.t1, c.race, c.age_men, c.age_1st);
    let mut af: Option<u8> = None;
    if age_1st < 20.0 || age_1st == 99.0 {
        af = Some(0);
    }
    if (20.0..25.0).contains(&age_1st) {
        af = Some(1);
    }
    if (25.0..30.0).contains(&age_1st) || age_1st == 98.0 {
        af = Some(2);
    }
    if (30.0..98.0).contains(&age_1st) {
        af = Some(3);
    }
    let before_menarche = age_1st < age_men && ne(age_men, 99.0);
    if before_menarche {
        af = None;
    }
    let after_t1 = age_1st > t1 && age_1st < 98.0;
    if after_t1 {
        af = None;
    }
    // African-American (CARE) model: age at first birth is not a covariate; BCRA sets the
    // category to 0 before its error check, so an inconsistent value is not an error.
    if race == 2.0 {
        af = Some(0);
    }
    if af.is_none() {
        errors.insert(if after_t1 {
            GailErrorKind::FirstBirthAfterCurrentAge
        } else if before_menarche {
            GailErrorKind::FirstBirthBeforeMenarche
        } else {
            GailErrorKind::InvalidFirstBirthAge
        });
    }
    af
}

/// First-degree relatives.
fn relatives_category(c: &GailCodedInput, errors: &mut GailErrorSet) -> Option<u8> {
    let (race, n_rels) = (c.race, c.n_rels);
    let mut nr: Option<u8> = None;
    if n_rels == 0.0 || n_rels == 99.0 {
        nr = Some(0);
    }
    if n_rels == 1.0 {
        nr = Some(1);
    }
    if (2.0..99.0).contains(&n_rels) {
        nr = Some(2);
    }
    if nr.is_none() {
        errors.insert(GailErrorKind::InvalidRelativesCount);
    }
    let asian = (6.0..=11.0).contains(&race);
    if asian && nr == Some(2) {
        nr = Some(1);
    }
    nr
}

/// Hyperplasia factor, from the biopsy category before the race-specific regrouping.
fn hyperplasia_factor(nb: Nb, hyp: f64) -> Option<f64> {
    match nb {
        Nb::Cat(0) => Some(1.0),
        Nb::Cat(_) if hyp == 0.0 => Some(0.93),
        Nb::Cat(_) if hyp == 1.0 => Some(1.82),
        Nb::Cat(_) if hyp == 99.0 => Some(1.0),
        _ => None,
    }
}

/// SFBCS Hispanic models: fewer biopsy, menarche, first-birth and relatives categories.
fn regroup_hispanic(r: &mut GailRecode, c: &GailCodedInput) {
    // SFBCS Hispanic models. (In R, the biopsy regrouping line is written
    // `NB_Cat[which(Race %in% c(3,5)) & (NB_Cat==2)]`, which for a multi-row data frame
    // holding any Hispanic woman also regroups every other woman with 2+ biopsies; per row,
    // as here and in the reference fixtures, it regroups Hispanic women only.)
    if c.n_biop == 0.0 || c.n_biop == 99.0 {
        r.nb_cat = Some(0);
    }
    if r.nb_cat == Some(2) {
        r.nb_cat = Some(1);
    }
    if c.race == 3.0 {
        r.am_cat = Some(0);
    }
    if ne(c.age_1st, 98.0) && r.af_cat == Some(2) {
        r.af_cat = Some(1);
    }
    if r.af_cat == Some(3) {
        r.af_cat = Some(2);
    }
    if r.nr_cat == Some(2) {
        r.nr_cat = Some(1);
    }
}

/// R `relative.risk` for one recoded row: `None` where R returns NA.
pub fn relative_risk_recoded(r: &GailRecode) -> Option<GailRelativeRisk> {
    let race = r.race?;
    let (nb, am, af, nr) = (
        f64::from(r.nb_cat?),
        f64::from(r.am_cat?),
        f64::from(r.af_cat?),
        f64::from(r.nr_cat?),
    );
    let r_hyp = r.r_hyp?;
    let b = &RACES.get(race.index())?.beta;
    let lp1 = nb * b[0] + am * b[1] + af * b[2] + nr * b[3] + af * nr * b[5] + r_hyp.ln();
    let lp2 = lp1 + nb * b[4];
    Some(GailRelativeRisk {
        under_50: lp1.exp(),
        from_50: lp2.exp(),
    })
}

/// Absolute risk in percent over [t1, t2) for validated ages (20 ≤ t1 < t2 ≤ 90), rates
/// `lambda1`/`lambda2` and relative hazard multipliers `r1` (ages < 50) and `r2` (≥ 50).
///
/// BCRA integrates year by year (first and last years fractional); the hazard is constant
/// within each five-year age group (and the < 50 / ≥ 50 switch falls on the 50–54 group
/// boundary), so summing BCRA's yearly terms within a group telescopes to one closed-form
/// term per group: `(r λ1 / h) · S(a) · (1 − e^{−h (b − a)})` with `S` the survival to the
/// start `a` of the group piece. The result equals BCRA's up to floating-point rounding.
pub(crate) fn absolute_risk_percent(
    lambda1: &[f64; AGE_GROUPS],
    lambda2: &[f64; AGE_GROUPS],
    r1: f64,
    r2: f64,
    t1: f64,
    t2: f64,
) -> f64 {
    if !(t1 >= 20.0 && t1 < t2 && t2 <= 90.0) {
        return f64::NAN;
    }
    // t1 is in [20, 90): the cast is exact and the group index in 0..14.
    let mut group = (t1.floor() as usize - 20) / 5;
    let mut start = t1;
    let mut survival = 1.0_f64;
    let mut risk = 0.0_f64;
    while start < t2 {
        let (Some(&l1), Some(&l2)) = (lambda1.get(group), lambda2.get(group)) else {
            break;
        };
        let group_end = (25 + 5 * group) as f64;
        let end = if group_end < t2 { group_end } else { t2 };
        let r = if group < 6 { r1 } else { r2 };
        let hazard = l1 * r + l2;
        let decay = (-hazard * (end - start)).exp();
        risk += (r * l1 / hazard) * survival * (1.0 - decay);
        survival *= decay;
        start = end;
        group += 1;
    }
    100.0 * risk
}

/// Full BCRA result for one coded row: R's `recode.check`, `relative.risk` and
/// `absolute.risk` with `Avg_White` 0 and 1.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GailCodedOutput {
    /// Recoded categories and the error verdict.
    pub recode: GailRecode,
    /// `RR_Star1` / `RR_Star2` (computed by R even for some rows with an age error).
    pub relative_risk: Option<GailRelativeRisk>,
    /// `AbsRisk`, percent; `None` when R gives NA.
    pub absolute_risk: Option<f64>,
    /// `AvgRisk` (average-risk comparator), percent; `None` when R gives NA.
    pub average_risk: Option<f64>,
}

/// Run BCRA 2.1 on one coded row exactly as R does.
pub fn evaluate_coded(c: &GailCodedInput) -> GailCodedOutput {
    let recode = recode(c);
    let relative_risk = relative_risk_recoded(&recode);
    let (mut absolute_risk, mut average_risk) = (None, None);
    if !recode.error_ind()
        && let Some(race) = recode.race
    {
        if let Some(p) = RACES.get(race.index()) {
            absolute_risk = relative_risk.map(|rr| {
                absolute_risk_percent(
                    &p.lambda1,
                    &p.lambda2,
                    p.one_minus_ar[0] * rr.under_50,
                    p.one_minus_ar[1] * rr.from_50,
                    c.t1,
                    c.t2,
                )
            });
        }
        if let Some((l1, l2)) = AVERAGE_RATES.get(race.index()) {
            average_risk = Some(absolute_risk_percent(l1, l2, 1.0, 1.0, c.t1, c.t2));
        }
    }
    GailCodedOutput {
        recode,
        relative_risk,
        absolute_risk,
        average_risk,
    }
}

#[cfg(test)]
pub(crate) mod yearly {
    //! A literal transcription of BCRA's year-by-year integration, used only to check the
    //! closed-form group sum above on arbitrary intervals.
    use super::AGE_GROUPS;

    pub(crate) fn absolute_risk_percent_yearly(
        lambda1: &[f64; AGE_GROUPS],
        lambda2: &[f64; AGE_GROUPS],
        r1: f64,
        r2: f64,
        t1: f64,
        t2: f64,
    ) -> f64 {
        let start = t1.floor() as usize - 20; // zero-based year index
        let n = (t2.ceil() - t1.floor()) as usize;
        let (mut risk, mut cum) = (0.0_f64, 0.0_f64);
        for j in 0..n {
            let year = start + j;
            let len = if n == 1 {
                t2 - t1
            } else if j == 0 {
                1.0 - (t1 - t1.floor())
            } else if j == n - 1 {
                if t2 > t2.floor() {
                    t2 - t2.floor()
                } else {
                    1.0
                }
            } else {
                1.0
            };
            let r = if year < 30 { r1 } else { r2 };
            let (l1, l2) = (lambda1[year / 5], lambda2[year / 5]);
            let h = l1 * r + l2;
            risk += (r * l1 / h) * (-cum).exp() * (1.0 - (-h * len).exp());
            cum += h * len;
        }
        100.0 * risk
    }
}
