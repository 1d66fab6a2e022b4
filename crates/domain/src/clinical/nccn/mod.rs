//! NCCN genetic-testing criteria: *Genetic/Familial High-Risk Assessment: Breast, Ovarian,
//! Pancreatic, and Prostate* ("BOPP"), rule set pinned to **v3.2026**.
//!
//! Source: clinical.md §3 (checklist §3.3, definitions §3.2, inputs §3.4), itself built from NCCN
//! transparency documents, flash updates, Helix's v2.2026 summary and a third-party page-by-page
//! paraphrase of v3.2026 ([S26]). The rule wording here is our own paraphrase; NCCN text is not
//! reproduced. **A clinician must sign this rule set off against the official NCCN PDF.**
//!
//! Every criterion met is reported with its checklist id ([`CriterionId`]), its level, a one-line
//! rationale naming the people involved (relation and side) and the relation codes of the
//! relatives involved. The outcome is the strongest level met (`indicated` > `may_consider` >
//! `not_met`); informational levels (`low_yield`, `refer_only`) never raise it, and are only
//! reported when no other criterion is met (B14, P0).
//!
//! Unknown is never silently "no": where an unknown input (an age, a receptor status, a lineage, a
//! relative's sex...) could have met a criterion stronger than the outcome reached, a warning names
//! it. Warnings that do not depend on the outcome (assumptions made, source discrepancies) are
//! always emitted.
//!
//! **Unknown age at diagnosis** (issue #15): a diagnosis cannot be later than the person's current
//! age (or age at death, for a deceased relative). Every age criterion (B1 <= 50, B11 <= 65,
//! Pr7 <= 55, B9/Pr4 "breast cancer <= 50" in a relative, L2–L6...) reads an unknown age at
//! diagnosis as "no later than the person's age": met when that age is within the cut-off (the
//! rationale says so), still unknown (with a warning) otherwise.
//!
//! **A relative meeting criteria** (G5, Pr6; issue #15): each first- or second-degree relative with
//! a cancer is evaluated *as if they were the person*, from their own position in the pedigree
//! (the family re-rooted at the relative: [`super::pedigree::kin_between`]), on the
//! cancer-specific criteria that can be read for a relative (see [`relatives`]). G5 and Pr6 name
//! which relative meets which criterion.
//!
//! Implemented: G1, G5, G6, G7, B1, B2, B4–B12, B14, P0, O1–O4, Pa1, Pa2, Pr1–Pr8, L1–L6, L9, C1.
//! Not evaluable from a `RiskProfile` (inputs not carried; see clinical.md §3.4): G2 (test scope;
//! a warning is emitted instead), G3/L8/C6 (tumour testing), G4/B3 (treatment context; metastatic
//! breast cancer is covered by B2), B13 (phyllodes), Pr9 (biochemical recurrence), L7 (leukaemia
//! subtype; a warning is emitted for childhood leukaemia), C2–C5/C7 (PHTS phenotype; a warning is
//! emitted for PTEN-associated cancer combinations).
//!
//! Remaining approximations are listed in `docs/clinical-models.md` §2 (L9 reads a relative's
//! personal LFS criteria only; a relative's Ashkenazi ancestry is not recorded...).
//!
//! ## Where each rule lives
//!
//! | Criteria | File |
//! |---|---|
//! | G1, L1, C1 (a familial pathogenic variant) | [`familial_variant`] |
//! | B1, B2, B4–B12 (breast, CRIT-2/-3) | [`breast`] |
//! | O1–O4 (ovarian, CRIT-4) | [`ovarian`] |
//! | Pa1, Pa2 (pancreatic, CRIT-5) | [`pancreatic`] |
//! | Pr1–Pr5, Pr7, Pr8 (prostate, CRIT-6) | [`prostate`] |
//! | B9, Pr4 (a close relative with a qualifying cancer) | [`close_relative`], used by `breast` and `prostate` |
//! | B10, Pr5 (>= 3 breast/prostate diagnoses on one side) | [`same_side`], used by `breast` and `prostate` |
//! | G5, Pr6 (a relative who meets criteria) | [`relatives`] |
//! | L2–L7, L9 (Li-Fraumeni / TP53, CRIT-7) | [`li_fraumeni`] |
//! | C3/C4 warning (Cowden / PHTS, CRIT-8) | [`cowden`] |
//! | G6, G7 (model carrier probability) | [`carrier_probability`] |
//! | B14, P0 (low yield, CRIT-3) | [`low_yield`] |
//! | G2, negative tested relative, limited family structure (flags, §3.2) | [`flags`] |
//!
//! Shared by the rules: the evaluation state and its result ([`context`]), the bearer of a
//! diagnosis with the age bound of an unknown age at diagnosis ([`bearer`]), how rationales speak
//! of the subject ([`voice`]), and how family hits become one rationale line ([`family`]). The
//! checklist ids are [`CriterionId`] ([`ids`]).

mod bearer;
mod breast;
mod carrier_probability;
mod close_relative;
mod context;
mod cowden;
mod familial_variant;
mod family;
mod flags;
mod ids;
mod li_fraumeni;
mod low_yield;
mod ovarian;
mod pancreatic;
mod prostate;
mod relatives;
mod same_side;
mod voice;

use serde::{Deserialize, Serialize};

pub use ids::CriterionId;

use super::assessment::{CriterionMet, NccnOutcome, NccnSummary};
use super::profile::RiskProfile;
use context::Ctx;

/// Guideline title, as the Assessment reports it.
pub const GUIDELINE: &str =
    "NCCN Genetic/Familial High-Risk Assessment: Breast, Ovarian, Pancreatic, and Prostate";

/// The pinned guideline version (clinical.md §3.1: v3.2026, Feb 19 2026).
pub const VERSION: &str = "3.2026";

/// G6: a model BRCA1/2 carrier probability strictly above this fraction (5 %) makes testing
/// indicated (clinical.md §3.3 G6, CRIT-2/-2A/-4 [S26]).
pub const CARRIER_INDICATED_ABOVE: f64 = 0.05;

/// G7: a model probability from this fraction (2.5 %) up to 5 % makes testing "may consider"
/// (clinical.md §3.3 G7, CRIT-3 [S26]).
pub const CARRIER_MAY_CONSIDER_FROM: f64 = 0.025;

/// Breast cancer age cut-off for B1 and for a relative in B9/Pr4 (clinical.md §3.3 B1, B9).
pub const BREAST_EARLY_ONSET_MAX: i32 = 50;
/// B11: breast cancer at or below this age, not meeting B1–B10 (may consider).
pub const BREAST_MAY_CONSIDER_MAX: i32 = 65;
/// Pr7: prostate cancer at or below this age, not meeting Pr1–Pr6 (may consider).
pub const PROSTATE_MAY_CONSIDER_MAX: i32 = 55;
/// L6: breast cancer below this age (i.e. <= 30).
pub const LFS_BREAST_BELOW: i32 = 31;
/// L2 classic LFS age cut-off (< 45).
pub const LFS_CLASSIC_BELOW: i32 = 45;
/// L3/L4 Chompret: proband's spectrum tumour < 46.
pub const CHOMPRET_PROBAND_BELOW: i32 = 46;
/// L3 Chompret: relative's spectrum tumour < 56.
pub const CHOMPRET_RELATIVE_BELOW: i32 = 56;

/// Report order of the criteria (clinical.md §3.3, with the criteria met through a relative
/// last: see [`CriterionId`]).
pub const CRITERION_ORDER: [CriterionId; 39] = CriterionId::ALL;

/// The result of evaluating the NCCN criteria for one profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NccnResult {
    /// Strongest level met.
    pub outcome: NccnOutcome,
    /// Criteria met, in [`CRITERION_ORDER`], one entry per criterion id.
    pub criteria: Vec<CriterionMet>,
    /// Unknown inputs that could have changed the outcome, assumptions made, flags.
    pub warnings: Vec<String>,
}

impl NccnResult {
    /// The `nccn` block of an `Assessment` (warnings go to the Assessment's `warnings`).
    pub fn summary(&self) -> NccnSummary {
        NccnSummary {
            guideline: GUIDELINE.to_owned(),
            version: VERSION.to_owned(),
            outcome: self.outcome,
            criteria: self.criteria.clone(),
        }
    }

    /// Whether criterion `id` was met. `id` must be a checklist id of [`CriterionId`] (a debug
    /// build panics on any other string, so that a misspelt id in a test cannot pass silently).
    pub fn has(&self, id: &str) -> bool {
        self.get(id).is_some()
    }

    /// The entry for criterion `id`, if met (`id` as for [`NccnResult::has`]).
    pub fn get(&self, id: &str) -> Option<&CriterionMet> {
        debug_assert!(
            CriterionId::parse(id).is_some(),
            "unknown criterion id {id:?}"
        );
        self.criteria.iter().find(|c| c.id == id)
    }
}

/// Evaluates the NCCN BOPP v3.2026 testing criteria.
///
/// `carrier_probability` is the model BRCA1 + BRCA2 carrier probability **as a fraction 0..1**
/// (the Tyrer-Cuzick `brca1_probability + brca2_probability`), or `None` when no model ran. A value
/// outside 0..1 is ignored with a warning (it probably is a percentage).
///
/// Expects a profile that passed [`RiskProfile::validate`]; on an unvalidated profile it still
/// never panics, but contradictory data give meaningless criteria.
pub fn evaluate(profile: &RiskProfile, carrier_probability: Option<f64>) -> NccnResult {
    let mut ctx = Ctx::new(profile);
    familial_variant::known_variants(&mut ctx);
    // G5/Pr6 first: Pr7 ("not meeting the above") must see Pr6.
    relatives::relatives_meeting_criteria(&mut ctx);
    breast::breast(&mut ctx);
    ovarian::ovarian(&mut ctx);
    pancreatic::pancreatic(&mut ctx);
    prostate::prostate(&mut ctx);
    li_fraumeni::li_fraumeni(&mut ctx);
    cowden::cowden(&mut ctx);
    carrier_probability::model(&mut ctx, carrier_probability);
    low_yield::low_yield(&mut ctx);
    flags::flags(&mut ctx);
    ctx.finish()
}

#[cfg(test)]
mod tests;
