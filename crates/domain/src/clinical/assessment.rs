//! The output of the clinical engine: the `Assessment` JSON (risk-profile.md, "Output: `Assessment`").
//!
//! Field names are fixed by the contract. Optional fields serialise as `null`, never omitted
//! (api-contract.md §1.3). `assessed_at` is RFC 3339 UTC with `Z`, second precision.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

/// Lifetime-risk threshold (%) above which annual breast MRI screening is recommended
/// (ACS: Saslow et al., *CA Cancer J Clin* 2007; clinical.md §6 "MRI 20% rule").
pub const MRI_LIFETIME_RISK_THRESHOLD: f64 = 20.0;

/// The assessment of one `RiskProfile`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assessment {
    /// Stored record id, or `null` when not stored.
    pub profile_id: Option<Uuid>,
    /// When computed: RFC 3339 UTC `Z`, second precision.
    #[serde(with = "rfc3339_seconds")]
    pub assessed_at: OffsetDateTime,
    /// Referral indicated by any route (NCCN criteria met, or a model above its threshold).
    pub is_eligible: bool,
    /// NCCN testing criteria met (`nccn.outcome` is `indicated` or `may_consider`; see the
    /// assembling code for the exact policy).
    pub nccn_eligible: bool,
    /// Tyrer-Cuzick lifetime risk (%), `null` when the model did not run.
    pub tyrer_cuzick_score: Option<f64>,
    /// Lifetime risk threshold (%), normally [`MRI_LIFETIME_RISK_THRESHOLD`].
    pub tyrer_cuzick_threshold: f64,
    /// NCCN testing-criteria evaluation.
    pub nccn: NccnSummary,
    /// Tyrer-Cuzick (IBIS-style) result, `null` when not run.
    pub tyrer_cuzick: Option<TyrerCuzickSummary>,
    /// Gail (BCRAT) result, `null` when not run.
    pub gail: Option<GailSummary>,
    /// Manchester score, `null` when not run.
    pub manchester: Option<ManchesterSummary>,
    /// Lynch syndrome: NCCN CEG v1.2026 criteria and PREMM5 (added by issue #13). Every new
    /// assessment has it; an assessment stored before it has no such key and keeps having none
    /// (`default` in, omitted out when `None`), so old documents round-trip unchanged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lynch: Option<super::lynch::LynchSummary>,
    /// What to do next.
    pub recommendations: Vec<Recommendation>,
    /// Caveats a clinician must see (unknown inputs, out-of-range model use...).
    pub warnings: Vec<String>,
}

/// The NCCN block of an assessment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NccnSummary {
    /// Guideline title.
    pub guideline: String,
    /// Pinned version, e.g. `"3.2026"`.
    pub version: String,
    /// Strongest level met.
    pub outcome: NccnOutcome,
    /// Criteria met, in checklist order.
    pub criteria: Vec<CriterionMet>,
}

/// Overall NCCN outcome: the strongest level of any criterion met.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NccnOutcome {
    /// No testing criterion met.
    NotMet,
    /// Testing may be considered.
    MayConsider,
    /// Testing is clinically indicated.
    Indicated,
}

/// Evidence level of one criterion (clinical.md §3.2 "Evidence levels").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CriterionLevel {
    /// Testing is clinically indicated.
    Indicated,
    /// Testing may be considered.
    MayConsider,
    /// Informational: probability of a P/LP variant < 2.5 %; never raises the outcome.
    LowYield,
    /// Informational: refer (prostate biochemical recurrence); never raises the outcome.
    ReferOnly,
}

impl CriterionLevel {
    /// The outcome this level contributes (`LowYield` and `ReferOnly` contribute nothing).
    pub fn outcome(self) -> NccnOutcome {
        match self {
            Self::Indicated => NccnOutcome::Indicated,
            Self::MayConsider => NccnOutcome::MayConsider,
            Self::LowYield | Self::ReferOnly => NccnOutcome::NotMet,
        }
    }
}

/// One criterion met, with its explanation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CriterionMet {
    /// Checklist id (clinical.md §3.3), e.g. `"B9"`.
    pub id: String,
    /// Level.
    pub level: CriterionLevel,
    /// One line naming the people involved.
    pub rationale: String,
    /// Relation codes of the relatives involved (empty for purely personal criteria).
    pub relatives: Vec<String>,
}

/// Tyrer-Cuzick (IBIS-style) block.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TyrerCuzickSummary {
    /// Model label (never "v8" for an approximation; clinical.md §0).
    pub model: String,
    /// 10-year breast cancer risk (%).
    pub ten_year_risk: f64,
    /// Risk to `horizon_age` (%).
    pub lifetime_risk: f64,
    /// Age at which "lifetime" ends.
    pub horizon_age: u32,
    /// BRCA1 carrier probability (fraction 0..1).
    pub brca1_probability: f64,
    /// BRCA2 carrier probability (fraction 0..1).
    pub brca2_probability: f64,
    /// Population 10-year risk at the same age (%).
    pub population_ten_year_risk: f64,
    /// Population lifetime risk (%).
    pub population_lifetime_risk: f64,
    /// Lifetime threshold (%).
    pub threshold: f64,
    /// `lifetime_risk >= threshold`.
    pub above_threshold: bool,
}

/// Gail (BCRAT) block.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GailSummary {
    /// Whether the model is valid for this person.
    pub applicable: bool,
    /// Why not, when not applicable.
    pub not_applicable_reason: Option<String>,
    /// 5-year risk (%).
    pub five_year_risk: Option<f64>,
    /// Risk to age 90 (%).
    pub lifetime_risk: Option<f64>,
    /// Average woman's 5-year risk (%).
    pub average_five_year_risk: Option<f64>,
    /// Average woman's lifetime risk (%).
    pub average_lifetime_risk: Option<f64>,
}

/// Manchester score block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManchesterSummary {
    /// BRCA1 points.
    pub brca1_score: i32,
    /// BRCA2 points.
    pub brca2_score: i32,
    /// Combined points.
    pub total: i32,
    /// Total at or above the testing threshold.
    pub meets_threshold: bool,
}

/// One recommendation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recommendation {
    /// Category.
    pub kind: RecommendationKind,
    /// Urgency.
    pub priority: Priority,
    /// One sentence for the clinician.
    pub text: String,
}

/// Recommendation category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecommendationKind {
    /// Refer for genetic counselling and testing.
    GeneticCounseling,
    /// Test relatives for a known familial variant.
    CascadeTesting,
    /// Annual breast MRI screening.
    MriScreening,
    /// Mammography screening.
    Mammography,
    /// Discuss risk-reducing medication.
    RiskReducingMedication,
    /// A clinician must review the inputs before acting.
    ClinicianReview,
    /// Routine population screening.
    RoutineScreening,
}

/// Recommendation urgency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    /// Low.
    Low,
    /// Medium.
    Medium,
    /// High.
    High,
}

/// Gail 5-year risk (%) from which risk-reducing medication should be discussed, for women aged
/// 35 or more: ASCO 2019 (Visvanathan et al., *J Clin Oncol* 2019;37:3152), the NSABP P-1
/// eligibility threshold of 1.66 % (Fisher et al., *JNCI* 1998;90:1371).
pub const CHEMOPREVENTION_GAIL_FIVE_YEAR: f64 = 1.66;

/// Model numbers the recommendations depend on (each `None` when the model did not run).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ModelNumbers {
    /// Tyrer-Cuzick lifetime breast cancer risk (%).
    pub tc_lifetime_risk: Option<f64>,
    /// Gail 5-year risk (%), only when Gail is applicable.
    pub gail_five_year_risk: Option<f64>,
    /// Manchester total score and whether it meets the testing threshold.
    pub manchester: Option<(i32, bool)>,
}

/// Builds the `recommendations` of an Assessment, highest priority first:
/// - NCCN `indicated` → genetic counselling and testing (high); `may_consider` → discuss (medium);
///   otherwise a Manchester score at threshold → genetic counselling (medium, UK criteria);
/// - the proband carries a P/LP variant → cascade testing of relatives (high);
/// - female, Tyrer-Cuzick lifetime risk >= 20 % → annual MRI (medium; ACS, Saslow 2007);
/// - female aged >= 35 with Gail 5-year risk >= 1.66 %, or atypical hyperplasia, or LCIS →
///   discuss risk-reducing medication (medium; ASCO 2019);
/// - NCCN not indicated and warnings present → clinician review of the unknowns (low);
/// - nothing above → routine population screening (low).
pub fn build_recommendations(
    profile: &super::profile::RiskProfile,
    nccn: &super::nccn::NccnResult,
    models: &ModelNumbers,
) -> Vec<Recommendation> {
    let p = &profile.proband;
    let mut out: Vec<Recommendation> = [
        genetic_counselling(nccn, models),
        cascade_testing(p),
        mri_screening(p, models),
        risk_reducing_medication(p, models),
        clinician_review(nccn),
    ]
    .into_iter()
    .flatten()
    .collect();
    if out.is_empty() {
        out.push(Recommendation {
            kind: RecommendationKind::RoutineScreening,
            priority: Priority::Low,
            text: "No elevated-risk criteria met: follow population screening for your age."
                .to_owned(),
        });
    }
    out.sort_by_key(|r| std::cmp::Reverse(r.priority));
    out
}

/// NCCN `indicated` (high) or `may_consider` (medium); otherwise a Manchester score at threshold
/// (medium, UK criteria).
fn genetic_counselling(
    nccn: &super::nccn::NccnResult,
    models: &ModelNumbers,
) -> Option<Recommendation> {
    match nccn.outcome {
        NccnOutcome::Indicated => Some(Recommendation {
            kind: RecommendationKind::GeneticCounseling,
            priority: Priority::High,
            text: "Refer for genetic counselling and testing (NCCN criteria met).".to_owned(),
        }),
        NccnOutcome::MayConsider => Some(Recommendation {
            kind: RecommendationKind::GeneticCounseling,
            priority: Priority::Medium,
            text: "Discuss genetic counselling: under NCCN criteria, testing may be considered."
                .to_owned(),
        }),
        NccnOutcome::NotMet => match models.manchester {
            Some((total, true)) => Some(Recommendation {
                kind: RecommendationKind::GeneticCounseling,
                priority: Priority::Medium,
                text: format!(
                    "Manchester score {total} (>= 15, about 10 % BRCA1/2 probability): UK criteria support referral for genetic counselling."
                ),
            }),
            _ => None,
        },
    }
}

/// The proband carries a P/LP variant: cascade testing of relatives (high).
fn cascade_testing(p: &super::profile::Proband) -> Option<Recommendation> {
    let carried: Vec<String> = p
        .genetic_tests
        .iter()
        .filter(|t| t.result.is_some_and(super::profile::GeneticResult::is_plp))
        .map(|t| t.gene.trim().to_ascii_uppercase())
        .collect();
    (!carried.is_empty()).then(|| Recommendation {
        kind: RecommendationKind::CascadeTesting,
        priority: Priority::High,
        text: format!(
            "Offer testing for the familial {} variant to blood relatives (cascade testing).",
            carried.join("/")
        ),
    })
}

/// Female, Tyrer-Cuzick lifetime risk >= 20 %: annual MRI (medium; ACS, Saslow 2007).
fn mri_screening(p: &super::profile::Proband, models: &ModelNumbers) -> Option<Recommendation> {
    let female = p.sex == Some(super::profile::Sex::Female);
    (female
        && models
            .tc_lifetime_risk
            .is_some_and(|r| r >= MRI_LIFETIME_RISK_THRESHOLD))
    .then(|| Recommendation {
        kind: RecommendationKind::MriScreening,
        priority: Priority::Medium,
        text: "Lifetime risk >= 20 %: annual breast MRI from age 30 (or 10 years before the youngest affected relative).".to_owned(),
    })
}

/// Female aged >= 35 without breast cancer, with Gail 5-year risk >= 1.66 %, atypical
/// hyperplasia or LCIS: discuss risk-reducing medication (medium; ASCO 2019).
fn risk_reducing_medication(
    p: &super::profile::Proband,
    models: &ModelNumbers,
) -> Option<Recommendation> {
    use super::profile::{Hyperplasia, Sex};
    let female = p.sex == Some(Sex::Female);
    let gail_high = models
        .gail_five_year_risk
        .is_some_and(|r| r >= CHEMOPREVENTION_GAIL_FIVE_YEAR);
    let lesion = p.hyperplasia == Some(Hyperplasia::Atypical) || p.lcis == Some(true);
    let no_breast_cancer = !p
        .cancers
        .iter()
        .any(|c| c.cancer_type == super::profile::CancerType::Breast);
    if !(female && p.age.is_some_and(|a| a >= 35) && no_breast_cancer && (gail_high || lesion)) {
        return None;
    }
    let why = if gail_high {
        format!("Gail 5-year risk >= {CHEMOPREVENTION_GAIL_FIVE_YEAR} %")
    } else {
        "Atypical hyperplasia or LCIS".to_owned()
    };
    Some(Recommendation {
        kind: RecommendationKind::RiskReducingMedication,
        priority: Priority::Medium,
        text: format!(
            "{why}: discuss risk-reducing medication (tamoxifen, raloxifene or an aromatase inhibitor)."
        ),
    })
}

/// NCCN not indicated and warnings present: clinician review of the unknowns (low).
fn clinician_review(nccn: &super::nccn::NccnResult) -> Option<Recommendation> {
    (nccn.outcome != NccnOutcome::Indicated && !nccn.warnings.is_empty()).then(|| Recommendation {
        kind: RecommendationKind::ClinicianReview,
        priority: Priority::Low,
        text: "Some inputs are unknown and could change the result: a clinician should review the warnings.".to_owned(),
    })
}

/// Truncates a timestamp to whole seconds in UTC, as `assessed_at` carries it.
pub fn to_assessed_at(t: OffsetDateTime) -> OffsetDateTime {
    let utc = t.to_offset(time::UtcOffset::UTC);
    utc.replace_nanosecond(0).unwrap_or(utc)
}

/// Serde for RFC 3339 UTC `Z` with second precision (`2026-11-25T19:00:00Z`). Any RFC 3339 input
/// is accepted; output is converted to UTC and truncated to the second.
pub mod rfc3339_seconds {
    use serde::{Deserialize, Deserializer, Serializer, de};
    use time::OffsetDateTime;
    use time::format_description::well_known::Rfc3339;
    use time::macros::format_description;

    /// Formats as `YYYY-MM-DDTHH:MM:SSZ` in UTC.
    pub fn format(t: OffsetDateTime) -> Result<String, time::error::Format> {
        let utc = super::to_assessed_at(t);
        utc.format(format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second]Z"
        ))
    }

    /// Serialises.
    pub fn serialize<S: Serializer>(t: &OffsetDateTime, s: S) -> Result<S::Ok, S::Error> {
        let text = format(*t).map_err(serde::ser::Error::custom)?;
        s.serialize_str(&text)
    }

    /// Deserialises any RFC 3339 timestamp.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<OffsetDateTime, D::Error> {
        let s = String::deserialize(d)?;
        OffsetDateTime::parse(&s, &Rfc3339).map_err(de::Error::custom)
    }
}

#[cfg(test)]
mod tests;
