//! Gail model: the NCI Breast Cancer Risk Assessment Tool (BCRAT), as implemented by the
//! NCI's R package BCRA 2.1 (clinical.md §2).
//!
//! Two entry points:
//! - the typed API ([`GailInput`] → [`assess`], [`five_year_risk`], [`lifetime_risk`],
//!   [`absolute_risk`], [`relative_risk`]), and
//! - BCRA's coded form ([`GailCodedInput`] → [`evaluate_coded`]), which reproduces R's
//!   `recode.check`, `relative.risk` and `absolute.risk` row by row, including its error
//!   verdict on inconsistent input.
//!
//! Every risk is a **percentage** (0–100), as in R's `AbsRisk` and the Assessment JSON.
//! [`applicability`] holds the clinical "not applicable" rules (male, prior breast cancer,
//! DCIS/LCIS, chest radiation, BRCA carrier, age) for the mapping layer.

mod applicability;
mod engine;
mod model;
mod tables;

#[cfg(test)]
mod tests;

pub use applicability::{
    GailApplicability, GailApplicabilityFacts, GailNotApplicableReason, GailWarning, applicability,
};
pub use engine::{GailCodedOutput, GailRecode, evaluate_coded, recode, relative_risk_recoded};
pub use model::{
    FirstLiveBirth, GailAssessment, GailCodedInput, GailError, GailErrorKind, GailErrorSet,
    GailInput, GailRace, GailRelativeRisk, GailRisk,
};

use engine::absolute_risk_percent;
use tables::{AVERAGE_RATES, RACES, RaceParams};

/// Oldest projection age BCRA accepts ("lifetime" horizon).
pub const MAX_PROJECTION_AGE: f64 = 90.0;

impl GailInput {
    /// BCRA's coded form of this input for the interval [current_age, projection_age).
    ///
    /// Fails only when a value equals one of BCRA's reserved codes (99 = unknown, and 98 =
    /// nulliparous for the first birth), which the typed API expresses as `None` / variants.
    pub fn to_coded(&self, projection_age: f64) -> Result<GailCodedInput, GailError> {
        let mut kinds = GailErrorSet::empty();
        let mut code = |v: Option<u32>, kind: GailErrorKind| match v {
            None => 99.0,
            Some(99) => {
                kinds.insert(kind);
                99.0
            }
            Some(n) => f64::from(n),
        };
        let n_biop = code(self.number_of_biopsies, GailErrorKind::BiopsiesReservedCode);
        let age_men = code(self.age_at_menarche, GailErrorKind::MenarcheReservedCode);
        let n_rels = code(
            self.first_degree_relatives,
            GailErrorKind::RelativesReservedCode,
        );
        let age_1st = match self.age_at_first_live_birth {
            FirstLiveBirth::Unknown => 99.0,
            FirstLiveBirth::Nulliparous => 98.0,
            FirstLiveBirth::AtAge(a @ (98 | 99)) => {
                kinds.insert(GailErrorKind::FirstBirthReservedCode);
                f64::from(a)
            }
            FirstLiveBirth::AtAge(a) => f64::from(a),
        };
        let hyp_plas = match self.atypical_hyperplasia {
            None => 99.0,
            Some(false) => 0.0,
            Some(true) => 1.0,
        };
        if !kinds.is_empty() {
            return Err(GailError { kinds });
        }
        Ok(GailCodedInput {
            t1: self.current_age,
            t2: projection_age,
            n_biop,
            hyp_plas,
            age_men,
            age_1st,
            n_rels,
            race: f64::from(self.race.code()),
        })
    }
}

/// A validated input, ready for any interval starting at its current age.
struct Prepared {
    t1: f64,
    params: &'static RaceParams,
    average: (
        &'static [f64; tables::AGE_GROUPS],
        &'static [f64; tables::AGE_GROUPS],
    ),
    rr: GailRelativeRisk,
}

impl Prepared {
    /// Check the input with BCRA's rules (as for a projection to 90) and compute its relative
    /// risks.
    fn new(input: &GailInput) -> Result<Self, GailError> {
        let coded = input.to_coded(MAX_PROJECTION_AGE)?;
        let rec = engine::recode(&coded);
        if rec.error_ind() {
            return Err(GailError { kinds: rec.errors });
        }
        let undefined = || {
            let mut kinds = GailErrorSet::empty();
            kinds.insert(GailErrorKind::UndefinedRelativeRisk);
            GailError { kinds }
        };
        let rr = engine::relative_risk_recoded(&rec).ok_or_else(undefined)?;
        let idx = input.race.index();
        let params = RACES.get(idx).ok_or_else(undefined)?;
        let average = *AVERAGE_RATES.get(idx).ok_or_else(undefined)?;
        Ok(Prepared {
            t1: input.current_age,
            params,
            average,
            rr,
        })
    }

    fn risk(&self, t2: f64) -> GailRisk {
        let p = self.params;
        GailRisk {
            from_age: self.t1,
            to_age: t2,
            absolute_percent: absolute_risk_percent(
                &p.lambda1,
                &p.lambda2,
                p.one_minus_ar[0] * self.rr.under_50,
                p.one_minus_ar[1] * self.rr.from_50,
                self.t1,
                t2,
            ),
            average_percent: absolute_risk_percent(
                self.average.0,
                self.average.1,
                1.0,
                1.0,
                self.t1,
                t2,
            ),
        }
    }

    fn five_year_end(&self) -> f64 {
        (self.t1 + 5.0).min(MAX_PROJECTION_AGE)
    }
}

/// BCRA relative risks (`RR_Star1`, `RR_Star2`) for a valid input.
pub fn relative_risk(input: &GailInput) -> Result<GailRelativeRisk, GailError> {
    Prepared::new(input).map(|p| p.rr)
}

/// Absolute risk (and average-woman risk) in percent over [current_age, projection_age),
/// with BCRA's checks (20 ≤ current age < projection age ≤ 90).
pub fn absolute_risk(input: &GailInput, projection_age: f64) -> Result<GailRisk, GailError> {
    let coded = input.to_coded(projection_age)?;
    let rec = engine::recode(&coded);
    if rec.error_ind() {
        return Err(GailError { kinds: rec.errors });
    }
    Prepared::new(input).map(|p| p.risk(projection_age))
}

/// Five-year risk in percent: [T1, T1 + 5), cut at 90 for current ages above 85.
pub fn five_year_risk(input: &GailInput) -> Result<GailRisk, GailError> {
    Prepared::new(input).map(|p| p.risk(p.five_year_end()))
}

/// Lifetime risk in percent: [T1, 90).
pub fn lifetime_risk(input: &GailInput) -> Result<GailRisk, GailError> {
    Prepared::new(input).map(|p| p.risk(MAX_PROJECTION_AGE))
}

/// Five-year and lifetime risks with their average-woman comparators, in percent.
pub fn assess(input: &GailInput) -> Result<GailAssessment, GailError> {
    let p = Prepared::new(input)?;
    let end = p.five_year_end();
    let five = p.risk(end);
    let life = p.risk(MAX_PROJECTION_AGE);
    Ok(GailAssessment {
        five_year_risk: five.absolute_percent,
        lifetime_risk: life.absolute_percent,
        average_five_year_risk: five.average_percent,
        average_lifetime_risk: life.average_percent,
        five_year_horizon_end: end,
        five_year_horizon_truncated: end < p.t1 + 5.0,
        relative_risk: p.rr,
    })
}
