//! PREMM5 coefficients and age limits.
//!
//! **Source.** Kastrinos F, Uno H, Ukaegbu C, et al. *Development and Validation of the PREMM5
//! Model for Comprehensive Risk Assessment of Lynch Syndrome.* J Clin Oncol 2017;35(19):2165–2172,
//! doi:10.1200/JCO.2016.69.6120, open access PMC5493047 (the coefficients are in its online
//! appendix).
//!
//! **What was verified, and what was not** (see also `docs/clinical-models.md` §9):
//! - Verified against the paper's abstract (PMC5493047): polytomous logistic regression; outcome
//!   categories MLH1, MSH2 (with EPCAM), MSH6, PMS2 against no mutation; predictors sex, age at
//!   genetic testing, proband and family (first- and second-degree) cancer histories.
//! - Verified against the DFCI model page (premm.dfci.harvard.edu/premm/model_development): the
//!   model truncates extreme ages of diagnosis at upper and lower limits, and includes age at
//!   genetic testing; the Dana-Farber referral page states the ≥ 2.5 % evaluation threshold.
//! - **Not verified**: the numbers below. They are clinical.md §4.4's transcription [S] of a
//!   third-party implementation of the appendix; the appendix itself was not reachable when this
//!   was written. A clinician or statistician must compare every cell with the JCO appendix (and
//!   a few cases with premm.dfci.harvard.edu) before clinical use.

/// Number of linear predictors (one per outcome category).
pub const GENES: usize = 4;

/// Coefficients per outcome category, in the order MLH1, MSH2/EPCAM, MSH6, PMS2. Columns:
/// intercept, then the predictors v0..v10 of [`super::Premm5Input::predictors`]:
/// v0 male; v1 one CRC; v2 two or more CRCs; v3 endometrial cancer; v4 other Lynch cancer
/// (proband); v5 CRC in relatives (weighted count); v6 endometrial cancer in relatives (weighted
/// count); v7 other Lynch cancer in relatives (weighted); v8 CRC ages (sum of clipped youngest
/// age − 45); v9 endometrial cancer ages (same); v10 age at genetic testing (clipped).
///
/// MSH6's "two or more CRCs" estimate (−53.205) is degenerate (no MSH6 carrier in the
/// development cohort had two CRCs): it drives the MSH6 probability to zero for such people.
pub const COEFFICIENTS: [[f64; 12]; GENES] = [
    // MLH1
    [
        -5.325, 0.904, 2.586, 3.183, 1.621, 1.276, 1.560, 0.804, 0.397, -0.0557, 0.0115, -0.0476,
    ],
    // MSH2 / EPCAM
    [
        -4.427, 0.937, 1.799, 2.593, 1.924, 1.585, 1.337, 0.670, 0.607, -0.0441, 0.0002, -0.0482,
    ],
    // MSH6
    [
        -4.675, 0.816, 1.265, -53.205, 1.759, 0.538, 0.545, 0.923, 0.313, -0.0095, 0.0344, -0.0363,
    ],
    // PMS2
    [
        -4.913, 0.294, 0.989, -0.354, 0.739, 0.395, -0.002, -0.426, -0.105, -0.0086, 0.0008,
        -0.0074,
    ],
];

/// The reference age from which diagnosis ages are counted (an absent cancer contributes 0).
pub const AGE_CENTRE: f64 = 45.0;

/// Inclusive limits to which an age is clipped before use.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    /// Lowest age used.
    pub lo: f64,
    /// Highest age used.
    pub hi: f64,
}

impl Limits {
    /// `age` clipped to the limits.
    pub fn clip(self, age: f64) -> f64 {
        age.clamp(self.lo, self.hi)
    }
}

/// Colorectal cancer age limits: proband, first-degree, second-degree relatives.
pub const CRC_LIMITS: [Limits; 3] = [
    Limits { lo: 27.0, hi: 77.0 },
    Limits { lo: 28.0, hi: 81.0 },
    Limits { lo: 30.0, hi: 85.0 },
];

/// Endometrial cancer age limits: proband, first-degree, second-degree relatives.
pub const EC_LIMITS: [Limits; 3] = [
    Limits { lo: 31.0, hi: 67.0 },
    Limits { lo: 28.0, hi: 69.0 },
    Limits { lo: 34.0, hi: 70.0 },
];

/// Age at genetic testing limits.
pub const TESTING_AGE_LIMITS: Limits = Limits { lo: 22.0, hi: 83.0 };

/// NCCN CEG v1.2026: testing is indicated at a PREMM5 score of 5 % or more (percent).
pub const THRESHOLD_INDICATED: f64 = 5.0;

/// NCCN CEG v1.2026: testing is reasonable from 2.5 % for people without colorectal or
/// endometrial cancer; also the DFCI evaluation threshold (percent).
pub const THRESHOLD_MAY_CONSIDER: f64 = 2.5;
