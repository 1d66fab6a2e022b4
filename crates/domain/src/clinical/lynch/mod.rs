//! Lynch syndrome: the NCCN Colorectal/Endometrial/Gastric v1.2026 testing criteria
//! ([`criteria`], rules LS1–LS10) and the PREMM5 model ([`premm5`]), assembled into the
//! Assessment's `lynch` block ([`LynchSummary`]).
//!
//! The block is additive: nothing in the breast/ovarian (BOPP) `nccn` block changes. How it feeds
//! `is_eligible` and the recommendations is `clinical::assess`'s business (see its docs).
//!
//! Inputs come from the same `RiskProfile` (risk-profile.md): the proband's sex and age, and the
//! colorectal, endometrial and other Lynch-associated cancers (gastric, ovarian, pancreatic, brain,
//! kidney) of the proband and the first- and second-degree relatives, with ages at diagnosis and
//! the relatives' current ages (which bound an unknown age at diagnosis).

pub mod criteria;
pub mod family;
pub mod premm5;

use serde::{Deserialize, Serialize};

use super::assessment::NccnSummary;
use super::pedigree::Lineage;
use super::profile::RiskProfile;
use premm5::GeneProbabilities;
use premm5::coefficients::{THRESHOLD_INDICATED, THRESHOLD_MAY_CONSIDER};

/// Guideline title of the Lynch criteria.
pub const GUIDELINE: &str =
    "NCCN Genetic/Familial High-Risk Assessment: Colorectal, Endometrial, and Gastric";

/// The pinned guideline version (clinical.md §3.1/§3.3: CEG v1.2026, HRS-2).
pub const VERSION: &str = "1.2026";

/// The model label in the Assessment.
pub const PREMM5_MODEL: &str = "PREMM5 (Kastrinos et al., J Clin Oncol 2017;35:2165)";

/// The Assessment's `lynch` block.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LynchSummary {
    /// NCCN CEG Lynch criteria: the same shape as the BOPP `nccn` block.
    pub nccn: NccnSummary,
    /// PREMM5.
    pub premm5: Premm5Summary,
}

/// The PREMM5 block. Percentages, rounded to 2 decimals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Premm5Summary {
    /// Model label.
    pub model: String,
    /// Whether the model could run (sex and age known).
    pub applicable: bool,
    /// Why not, when not applicable.
    pub not_applicable_reason: Option<String>,
    /// Total probability of a variant in any of the genes (%); `null` when not applicable or
    /// when an age at diagnosis is unknown (then see `score_range`).
    pub score: Option<f64>,
    /// Per-gene probabilities (%), when `score` is given.
    pub genes: Option<GeneProbabilities>,
    /// Lowest and highest possible score (%) over the unknown ages at diagnosis; equal when
    /// every age is known. `null` when not applicable.
    pub score_range: Option<ScoreRange>,
    /// The side of the family whose relatives gave the score (`null`: both sides give the same).
    pub family_side: Option<Lineage>,
    /// "May consider" threshold (%): 2.5.
    pub threshold_may_consider: f64,
    /// "Indicated" threshold (%): 5.
    pub threshold_indicated: f64,
}

/// A score interval (%).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ScoreRange {
    /// Lowest possible score.
    pub low: f64,
    /// Highest possible score.
    pub high: f64,
}

/// The Lynch evaluation: the block and its warnings.
#[derive(Debug, Clone, PartialEq)]
pub struct LynchResult {
    /// The Assessment's `lynch` block.
    pub summary: LynchSummary,
    /// Warnings (unknown inputs that could change the outcome, counting assumptions).
    pub warnings: Vec<String>,
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Evaluates the Lynch criteria and PREMM5 for a validated profile. Never panics.
pub fn evaluate(profile: &RiskProfile) -> LynchResult {
    let members = family::members(profile);
    let estimate = premm5::mapping::estimate(profile, &members);
    let rules = criteria::evaluate(profile, &members, estimate.as_ref());
    let mut warnings = rules.warnings();
    for n in family::counting_notes(profile) {
        if !warnings.contains(&n) {
            warnings.push(n);
        }
    }
    let premm5 = match estimate {
        Some(e) => {
            let range = ScoreRange {
                low: round2(e.low * 100.0),
                high: round2(e.high * 100.0),
            };
            let genes = e.genes.map(|g| {
                let g = g.scaled(100.0);
                GeneProbabilities {
                    mlh1: round2(g.mlh1),
                    msh2_epcam: round2(g.msh2_epcam),
                    msh6: round2(g.msh6),
                    pms2: round2(g.pms2),
                }
            });
            Premm5Summary {
                model: PREMM5_MODEL.to_owned(),
                applicable: true,
                not_applicable_reason: None,
                score: genes.map(|_| range.high),
                genes,
                score_range: Some(range),
                family_side: e.side,
                threshold_may_consider: THRESHOLD_MAY_CONSIDER,
                threshold_indicated: THRESHOLD_INDICATED,
            }
        }
        None => {
            let reason = match (profile.proband.sex, profile.proband.age) {
                (None, _) => "PREMM5 needs your sex, which is not recorded.",
                _ => "PREMM5 needs your current age, which is not recorded.",
            };
            warnings.push(format!("PREMM5 not computed: {reason}"));
            Premm5Summary {
                model: PREMM5_MODEL.to_owned(),
                applicable: false,
                not_applicable_reason: Some(reason.to_owned()),
                score: None,
                genes: None,
                score_range: None,
                family_side: None,
                threshold_may_consider: THRESHOLD_MAY_CONSIDER,
                threshold_indicated: THRESHOLD_INDICATED,
            }
        }
    };
    LynchResult {
        summary: LynchSummary {
            nccn: NccnSummary {
                guideline: GUIDELINE.to_owned(),
                version: VERSION.to_owned(),
                outcome: rules.outcome(),
                criteria: rules.met,
            },
            premm5,
        },
        warnings,
    }
}

#[cfg(test)]
mod tests;
