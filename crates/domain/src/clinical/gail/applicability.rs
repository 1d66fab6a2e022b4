//! When the Gail model may be used at all (risk-profile.md, `gail.applicable`; clinical.md §2.2
//! "Validity").
//!
//! The model is not valid for men, for women with a prior breast cancer, DCIS or LCIS, chest
//! radiation, or a known BRCA1/2 mutation, and BCRA computes only for ages 20 to below 90. The
//! NCI web tool publishes results for ages 35–85 only, so ages outside that band (20–34 and
//! above 85) are computed with a warning.

use serde::{Deserialize, Serialize};

/// Facts the mapping layer supplies, as plain values.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GailApplicabilityFacts {
    /// Current age in years.
    pub age: f64,
    /// Male (the model is for women only).
    pub male: bool,
    /// Personal history of invasive breast cancer.
    pub prior_breast_cancer: bool,
    /// Personal history of ductal carcinoma in situ.
    pub dcis: bool,
    /// Personal history of lobular carcinoma in situ.
    pub lcis: bool,
    /// Radiotherapy to the chest (e.g. for Hodgkin lymphoma) before age 30.
    pub chest_radiation: bool,
    /// Known carrier of a pathogenic BRCA1 or BRCA2 variant.
    pub known_brca_carrier: bool,
}

/// Why the Gail model does not apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GailNotApplicableReason {
    /// The model is for women only.
    Male,
    /// Prior invasive breast cancer.
    PriorBreastCancer,
    /// Prior DCIS.
    Dcis,
    /// Prior LCIS.
    Lcis,
    /// Chest radiation.
    ChestRadiation,
    /// Known BRCA1/2 mutation carrier.
    KnownBrcaCarrier,
    /// Age not a finite number.
    AgeInvalid,
    /// Age below 20.
    AgeBelow20,
    /// Age 90 or above (above 89 in whole years).
    AgeAbove89,
}

impl GailNotApplicableReason {
    /// A sentence for the report.
    pub const fn text(self) -> &'static str {
        match self {
            Self::Male => "The Gail model is validated for women only.",
            Self::PriorBreastCancer => {
                "The Gail model does not apply to women with a prior breast cancer."
            }
            Self::Dcis => {
                "The Gail model does not apply to women with a prior ductal carcinoma in situ (DCIS)."
            }
            Self::Lcis => {
                "The Gail model does not apply to women with a prior lobular carcinoma in situ (LCIS)."
            }
            Self::ChestRadiation => {
                "The Gail model does not apply to women who had radiation therapy to the chest."
            }
            Self::KnownBrcaCarrier => {
                "The Gail model does not apply to known BRCA1/BRCA2 mutation carriers."
            }
            Self::AgeInvalid => "The Gail model needs a valid current age.",
            Self::AgeBelow20 => "The Gail model applies from age 20.",
            Self::AgeAbove89 => "The Gail model applies up to age 89.",
        }
    }
}

/// A caveat on a computed Gail result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GailWarning {
    /// Age 20–34: computed, but the NCI tool publishes results for ages 35–85 only.
    BelowNciPublishedAgeRange,
    /// Age above 85 (86–89): computed, but the NCI tool publishes results for ages 35–85
    /// only, and the five-year horizon is cut at age 90.
    AboveNciPublishedAgeRange,
}

impl GailWarning {
    /// A sentence for the report.
    pub const fn text(self) -> &'static str {
        match self {
            Self::BelowNciPublishedAgeRange => {
                "Gail risk computed for an age below 35; the NCI tool publishes results for ages 35-85 only."
            }
            Self::AboveNciPublishedAgeRange => {
                "Gail risk computed for an age above 85; the NCI tool publishes results for ages 35-85 only, and the five-year risk runs to age 90 only."
            }
        }
    }
}

/// Verdict of [`applicability`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GailApplicability {
    /// Whether the model may be computed.
    pub applicable: bool,
    /// The first reason it may not, in the order of [`GailApplicability::reasons`].
    pub not_applicable_reason: Option<GailNotApplicableReason>,
    /// Every reason it may not (sex, history, mutation, then age).
    pub reasons: Vec<GailNotApplicableReason>,
    /// Caveats when it is applicable.
    pub warnings: Vec<GailWarning>,
}

/// Decide whether the Gail model applies (risk-profile.md `gail.applicable`).
pub fn applicability(f: &GailApplicabilityFacts) -> GailApplicability {
    let mut reasons = Vec::new();
    let flags = [
        (f.male, GailNotApplicableReason::Male),
        (
            f.prior_breast_cancer,
            GailNotApplicableReason::PriorBreastCancer,
        ),
        (f.dcis, GailNotApplicableReason::Dcis),
        (f.lcis, GailNotApplicableReason::Lcis),
        (f.chest_radiation, GailNotApplicableReason::ChestRadiation),
        (
            f.known_brca_carrier,
            GailNotApplicableReason::KnownBrcaCarrier,
        ),
    ];
    reasons.extend(flags.iter().filter(|(on, _)| *on).map(|(_, r)| *r));
    if !f.age.is_finite() {
        reasons.push(GailNotApplicableReason::AgeInvalid);
    } else if f.age < 20.0 {
        reasons.push(GailNotApplicableReason::AgeBelow20);
    } else if f.age >= 90.0 {
        reasons.push(GailNotApplicableReason::AgeAbove89);
    }
    let mut warnings = Vec::new();
    if reasons.is_empty() {
        if f.age < 35.0 {
            warnings.push(GailWarning::BelowNciPublishedAgeRange);
        } else if f.age > 85.0 {
            warnings.push(GailWarning::AboveNciPublishedAgeRange);
        }
    }
    GailApplicability {
        applicable: reasons.is_empty(),
        not_applicable_reason: reasons.first().copied(),
        reasons,
        warnings,
    }
}
