//! PREMM5: the probability of a germline Lynch syndrome variant (MLH1, MSH2/EPCAM, MSH6, PMS2)
//! from a person's sex, age and personal and family cancer history (Kastrinos et al., *J Clin
//! Oncol* 2017;35:2165, PMC5493047).
//!
//! The model is a polytomous (multinomial) logistic regression with "no variant" as reference:
//! for each gene k, a linear predictor `LP_k = b_k0 + Σ_j b_kj · v_j`, and
//! `P(k) = exp(LP_k) / (1 + Σ_m exp(LP_m))`; the PREMM5 score is `100 · Σ_k P(k)` (percent).
//! The predictors `v_j` are built in [`Premm5Input::predictors`]; the coefficients, age limits,
//! their sources and what could not be verified are in [`coefficients`].
//!
//! This module is the arithmetic only, on an input whose every value is known. Turning a
//! `RiskProfile` into that input (which relatives count, on which side, and what to do with an
//! unknown age at diagnosis) is [`mapping`].

pub mod coefficients;
pub mod mapping;

use coefficients::{AGE_CENTRE, COEFFICIENTS, CRC_LIMITS, EC_LIMITS, GENES, TESTING_AGE_LIMITS};
use serde::{Deserialize, Serialize};

/// Cancers among the first- or second-degree relatives of one degree (relatives counted once
/// each, however many cancers of the kind they had).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RelativeCounts {
    /// Relatives with colorectal cancer.
    pub colorectal: u32,
    /// Relatives with endometrial cancer.
    pub endometrial: u32,
    /// Whether any relative had another Lynch-associated cancer.
    pub other_lynch: bool,
}

/// Youngest age at diagnosis of one cancer kind, for the proband, the first-degree and the
/// second-degree relatives (`None`: nobody in that group had it). Unclipped; the model clips.
pub type YoungestAges = [Option<f64>; 3];

/// Everything PREMM5 uses, every value known.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Premm5Input {
    /// Male sex.
    pub male: bool,
    /// Age at genetic testing (the current age), years.
    pub testing_age: f64,
    /// Number of the proband's colorectal cancers (0, 1, 2 or more).
    pub proband_colorectal: u32,
    /// The proband had endometrial cancer.
    pub proband_endometrial: bool,
    /// The proband had another Lynch-associated cancer.
    pub proband_other_lynch: bool,
    /// First-degree relatives.
    pub first_degree: RelativeCounts,
    /// Second-degree relatives.
    pub second_degree: RelativeCounts,
    /// Youngest colorectal cancer age: proband, first-degree, second-degree.
    pub colorectal_ages: YoungestAges,
    /// Youngest endometrial cancer age: proband, first-degree, second-degree.
    pub endometrial_ages: YoungestAges,
}

/// Weighted relative count: one relative of a degree counts 1, two or more count 2; second-degree
/// relatives count half (PREMM5's family history coding).
fn weighted(first: u32, second: u32) -> f64 {
    f64::from(first.min(2)) + 0.5 * f64::from(second.min(2))
}

/// Σ over proband, first- and second-degree of (clipped youngest age − 45), absent = 0.
fn age_term(ages: &YoungestAges, limits: &[coefficients::Limits; 3]) -> f64 {
    ages.iter()
        .zip(limits)
        .filter_map(|(a, l)| a.map(|a| l.clip(a) - AGE_CENTRE))
        .sum()
}

fn flag(b: bool) -> f64 {
    if b { 1.0 } else { 0.0 }
}

impl Premm5Input {
    /// The predictors v0..v10 (see [`coefficients::COEFFICIENTS`]).
    pub fn predictors(&self) -> [f64; 11] {
        let (f, s) = (&self.first_degree, &self.second_degree);
        [
            flag(self.male),
            flag(self.proband_colorectal == 1),
            flag(self.proband_colorectal >= 2),
            flag(self.proband_endometrial),
            flag(self.proband_other_lynch),
            weighted(f.colorectal, s.colorectal),
            weighted(f.endometrial, s.endometrial),
            flag(f.other_lynch) + 0.5 * flag(s.other_lynch),
            age_term(&self.colorectal_ages, &CRC_LIMITS),
            age_term(&self.endometrial_ages, &EC_LIMITS),
            TESTING_AGE_LIMITS.clip(self.testing_age),
        ]
    }

    /// The four linear predictors (MLH1, MSH2/EPCAM, MSH6, PMS2).
    pub fn linear_predictors(&self) -> [f64; GENES] {
        let v = self.predictors();
        COEFFICIENTS.map(|row| {
            row[0]
                + row[1..]
                    .iter()
                    .zip(v.iter())
                    .map(|(b, x)| b * x)
                    .sum::<f64>()
        })
    }

    /// Per-gene probabilities.
    pub fn probabilities(&self) -> GeneProbabilities {
        let e = self.linear_predictors().map(f64::exp);
        let denominator = 1.0 + e.iter().sum::<f64>();
        let [mlh1, msh2_epcam, msh6, pms2] = e.map(|x| x / denominator);
        GeneProbabilities {
            mlh1,
            msh2_epcam,
            msh6,
            pms2,
        }
    }
}

/// PREMM5 probabilities per outcome category (fractions 0..1, or percent once scaled).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GeneProbabilities {
    /// MLH1.
    pub mlh1: f64,
    /// MSH2, including EPCAM deletions.
    pub msh2_epcam: f64,
    /// MSH6.
    pub msh6: f64,
    /// PMS2.
    pub pms2: f64,
}

impl GeneProbabilities {
    /// Sum over the genes (the PREMM5 score as a fraction).
    pub fn total(&self) -> f64 {
        self.mlh1 + self.msh2_epcam + self.msh6 + self.pms2
    }

    /// Every probability times `f` (100 for percent).
    pub fn scaled(&self, f: f64) -> Self {
        Self {
            mlh1: self.mlh1 * f,
            msh2_epcam: self.msh2_epcam * f,
            msh6: self.msh6 * f,
            pms2: self.pms2 * f,
        }
    }
}

#[cfg(test)]
mod tests;
