//! Manchester Scoring System, pathology-adjusted version 3 ("MSS3").
//!
//! Source of every number in this module: D. G. Evans et al., "Pathology update to the Manchester
//! Scoring System based on testing in over 4000 families", *J Med Genet* 2017;54(10):674–681,
//! doi:10.1136/jmedgenet-2017-104584, **Table 1** (reproduced in PMC7575602 and on jmg.bmj.com;
//! summarised in `shared/reference/clinical.md` §4.1).
//!
//! How the score is built (Table 1 and its legend):
//! 1. Every cancer in **one lineage** (one side of the family, direct line) gets BRCA1 and BRCA2
//!    points by "cancer, age at diagnosis".
//! 2. The index case's breast cancer is then adjusted for pathology; any ovarian case in the family
//!    is adjusted for histology; an adopted index case with no known family status gets +2/+2.
//! 3. The BRCA1 and BRCA2 scores are summed. The score is computed for the maternal and the paternal
//!    lineage (cancers of the proband, full siblings and descendants belong to both) and the
//!    higher-scoring lineage is reported.
//!
//! Thresholds (paper, abstract and Table 1 legend): a combined score of **15 ≈ 10 %** BRCA1/2
//! carrier probability (the usual UK testing threshold, and NHS Scotland's "combined ≥ 15 meets
//! threshold"), **20 ≈ 20 %**. For an *unaffected* person the paper says to use 20 points in the
//! affected first-degree relative; [`ManchesterResult::threshold`] states which one was applied.
//!
//! Interpretations where Table 1 is silent are documented on the items they concern
//! (see [`score`]). Items that exist in other Manchester versions but **not** in MSS3 Table 1
//! (LCIS −4 and HER2+ −4 of the older NHS Scotland variant, prostate Gleason score) are not applied.

use serde::{Deserialize, Serialize};

use super::pedigree::{Lineage, Side};
use super::profile::{ReceptorStatus, Sex};

/// Combined score at or above which the carrier probability is ≈ 10 % (Evans 2017, abstract and
/// Table 1 legend; NHS Scotland pathway "combined ≥ 15 meets threshold").
pub const THRESHOLD_TEN_PERCENT: i32 = 15;

/// Combined score at or above which the carrier probability is ≈ 20 % (Evans 2017, abstract). The
/// paper uses it, scored in the affected first-degree relative, as the eligibility threshold for
/// unaffected people.
pub const THRESHOLD_TWENTY_PERCENT: i32 = 20;

/// Oldest plausible age in years; anything above is rejected as a data-entry error.
const MAX_AGE: u8 = 120;

/// Histology of a breast tumour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BreastHistology {
    /// Ductal (no special type).
    Ductal,
    /// Lobular.
    Lobular,
    /// Any other histology.
    Other,
}

/// Histology of an ovarian (tubal, primary peritoneal) cancer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OvarianHistology {
    /// High-grade serous carcinoma (HGSOC).
    HighGradeSerous,
    /// Low-grade serous carcinoma.
    LowGradeSerous,
    /// Endometrioid carcinoma (any grade).
    Endometrioid,
    /// Clear-cell carcinoma.
    ClearCell,
    /// Epithelial, subtype not known.
    EpithelialUnspecified,
    /// Mucinous tumour: scores no ovarian points.
    Mucinous,
    /// Borderline tumour: scores no ovarian points.
    Borderline,
    /// Germ-cell tumour: scores no ovarian points.
    GermCell,
    /// Sex-cord stromal tumour (e.g. granulosa cell): not excluded by Table 1, so it scores.
    SexCordStromal,
}

/// One primary cancer. A bilateral breast cancer is two entries (each primary is scored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum MssCancer {
    /// Breast cancer (female or male, by the person's sex).
    Breast {
        /// Age at diagnosis in years; `None` = unknown.
        #[serde(default)]
        age_at_diagnosis: Option<u8>,
        /// `Some(false)` = ductal carcinoma in situ only; `None` = unknown (treated as invasive).
        #[serde(default)]
        invasive: Option<bool>,
        /// Histology, when known.
        #[serde(default)]
        histology: Option<BreastHistology>,
        /// Oestrogen-receptor status.
        #[serde(default)]
        er: Option<ReceptorStatus>,
        /// Progesterone-receptor status (only used to derive triple-negative).
        #[serde(default)]
        pr: Option<ReceptorStatus>,
        /// HER2 status (positive = amplified).
        #[serde(default)]
        her2: Option<ReceptorStatus>,
        /// Explicit triple-negative flag; ER−, PR− and HER2− together also count as triple-negative.
        #[serde(default)]
        triple_negative: Option<bool>,
        /// Histological grade 1..=3.
        #[serde(default)]
        grade: Option<u8>,
    },
    /// Ovarian, fallopian-tube or primary peritoneal cancer.
    Ovarian {
        /// Age at diagnosis in years; `None` = unknown.
        #[serde(default)]
        age_at_diagnosis: Option<u8>,
        /// Histology, when known (unknown scores as an ordinary epithelial cancer).
        #[serde(default)]
        histology: Option<OvarianHistology>,
    },
    /// Pancreatic cancer.
    Pancreatic {
        /// Age at diagnosis in years (the table does not use it; validated only).
        #[serde(default)]
        age_at_diagnosis: Option<u8>,
    },
    /// Prostate cancer.
    Prostate {
        /// Age at diagnosis in years; `None` = unknown.
        #[serde(default)]
        age_at_diagnosis: Option<u8>,
    },
    /// Any other cancer: scores nothing in MSS3.
    Other,
}

/// The person the score is computed for (the consultand).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManchesterProband {
    /// Sex.
    pub sex: Sex,
    /// The proband's own primary cancers.
    #[serde(default)]
    pub cancers: Vec<MssCancer>,
    /// Adopted, with no known cancer status in blood relatives (Table 1: +2 / +2).
    #[serde(default)]
    pub adopted_no_known_family_status: bool,
}

/// A blood relative of the proband.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManchesterRelative {
    /// Side of the family: maternal, paternal, or `none` for full siblings, their children and
    /// the proband's descendants, whose cancers count in both lineages.
    pub lineage: Side,
    /// Sex.
    pub sex: Sex,
    /// The relative's primary cancers.
    #[serde(default)]
    pub cancers: Vec<MssCancer>,
    /// Number of unaffected women aged > 60 through whom this relative is related to the index
    /// case (Table 1, footnote ‡: ovarian pathology adjustments apply only when this is ≤ 1).
    #[serde(default)]
    pub intervening_unaffected_women_over_60: u8,
}

/// Whose breast cancer receives the index-case pathology adjustment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(tag = "kind", content = "relative", rename_all = "snake_case")]
pub enum IndexCase {
    /// The proband (default).
    #[default]
    Proband,
    /// The relative at this position of [`ManchesterInput::relatives`] (for an unaffected proband
    /// scored through an affected relative).
    Relative(usize),
}

/// Everything the Manchester score needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManchesterInput {
    /// The consultand.
    pub proband: ManchesterProband,
    /// Blood relatives with their lineage.
    #[serde(default)]
    pub relatives: Vec<ManchesterRelative>,
    /// Whose breast cancer gets the pathology adjustment.
    #[serde(default)]
    pub index: IndexCase,
}

/// The contract shape (`risk-profile.md`: `manchester`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManchesterScore {
    /// BRCA1 points of the reported lineage.
    pub brca1_score: i32,
    /// BRCA2 points of the reported lineage.
    pub brca2_score: i32,
    /// `brca1_score + brca2_score`.
    pub total: i32,
    /// `total >= threshold` (see [`ManchesterResult::threshold`]).
    pub meets_threshold: bool,
}

/// BRCA1/BRCA2 points of one lineage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineageScore {
    /// BRCA1 points.
    pub brca1: i32,
    /// BRCA2 points.
    pub brca2: i32,
}

impl LineageScore {
    /// BRCA1 + BRCA2.
    pub fn total(&self) -> i32 {
        self.brca1 + self.brca2
    }
}

/// The score with the detail behind it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManchesterResult {
    /// The contract output (highest-scoring lineage).
    pub score: ManchesterScore,
    /// Which lineage was reported (ties report `Maternal`).
    pub lineage: Lineage,
    /// Score of the maternal lineage (with the shared cancers).
    pub maternal: LineageScore,
    /// Score of the paternal lineage (with the shared cancers).
    pub paternal: LineageScore,
    /// Threshold applied: 15 if the proband has breast or ovarian cancer, else 20.
    pub threshold: i32,
    /// Assumptions made for missing data (e.g. unknown ages).
    pub warnings: Vec<String>,
}

/// A rejected input, naming the offending field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[error("{path}: {reason}")]
pub struct ManchesterError {
    /// Field path, e.g. `relatives[2].cancers[0].age_at_diagnosis`.
    pub path: String,
    /// What is wrong with it.
    pub reason: String,
}

impl ManchesterError {
    fn new(path: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            reason: reason.into(),
        }
    }
}

/// Points for "cancer, age at diagnosis" — Evans 2017, Table 1, upper block (BRCA1, BRCA2).
/// Age bands are whole years: "<30" is 0..=29, "30–39" … "50–59", ">59" is 60 and over.
mod table {
    use super::LineageScore;

    const fn s(brca1: i32, brca2: i32) -> LineageScore {
        LineageScore { brca1, brca2 }
    }

    /// Female breast cancer: <30 6/5; 30–39 4/4; 40–49 3/3; 50–59 2/2; >59 1/1 (Table 1).
    pub(super) fn female_breast(age: u8) -> LineageScore {
        match age {
            0..=29 => s(6, 5),
            30..=39 => s(4, 4),
            40..=49 => s(3, 3),
            50..=59 => s(2, 2),
            _ => s(1, 1),
        }
    }

    /// Male breast cancer: <60 5/8; >59 5/5 (Table 1).
    pub(super) fn male_breast(age: u8) -> LineageScore {
        if age < 60 { s(5, 8) } else { s(5, 5) }
    }

    /// Ovarian cancer: <60 8/5; >59 5/5 (Table 1).
    pub(super) fn ovarian(age: u8) -> LineageScore {
        if age < 60 { s(8, 5) } else { s(5, 5) }
    }

    /// Pancreatic cancer, any age: 0/1 (Table 1).
    pub(super) const PANCREATIC: LineageScore = s(0, 1);

    /// Prostate cancer: <60 0/2; >59 0/1 (Table 1).
    pub(super) fn prostate(age: u8) -> LineageScore {
        if age < 60 { s(0, 2) } else { s(0, 1) }
    }

    // Pathology adjustment, breast cancer of the index case only (Table 1, lower block; all are
    // BRCA1 points, BRCA2 adjustment 0).
    /// Grade 3: +2.
    pub(super) const GRADE_3: i32 = 2;
    /// Grade 2: 0.
    pub(super) const GRADE_2: i32 = 0;
    /// Grade 1: −2.
    pub(super) const GRADE_1: i32 = -2;
    /// ER positive: −1.
    pub(super) const ER_POSITIVE: i32 = -1;
    /// ER negative: +1.
    pub(super) const ER_NEGATIVE: i32 = 1;
    /// Triple-negative: +4 (footnote *: grade is also scored).
    pub(super) const TRIPLE_NEGATIVE: i32 = 4;
    /// HER2 amplified: −6 (footnote †: grade and ER are also scored).
    pub(super) const HER2_AMPLIFIED: i32 = -6;
    /// Ductal carcinoma in situ: −2.
    pub(super) const DCIS: i32 = -2;
    /// Lobular: −2.
    pub(super) const LOBULAR: i32 = -2;

    // Ovarian cancer, any case in the family (Table 1, lower block).
    /// High-grade serous, diagnosed < 60: +2 BRCA1, 0 BRCA2.
    pub(super) const HGSOC_UNDER_60: i32 = 2;

    /// Adopted, no known status in blood relatives: +2 / +2 (Table 1).
    pub(super) const ADOPTED: LineageScore = s(2, 2);
}

/// Computes MSS3 for both lineages and reports the higher one.
///
/// Interpretations (Table 1 leaves these open; each is the reading stated here):
/// - **Unknown age at diagnosis** scores the oldest (lowest-scoring) band of that cancer, with a
///   warning, so missing data never raises the score.
/// - **Breast pathology** adjusts one breast cancer of the index case: the earliest diagnosed (the
///   first listed when ages are unknown). Items are additive, except that a triple-negative tumour
///   does not also take the ER-negative point (footnote * adds only grade to triple-negative, while
///   footnote † adds grade and ER to HER2). DCIS is `invasive == Some(false)`.
/// - **Ovarian exclusions** (mucinous, germ-cell, borderline score 0/0) always apply, as NHS
///   Scotland's pathway applies them; the **HGSOC < 60 bonus** applies only when the relative is
///   related to the index case through at most one unaffected woman over 60 (footnote ‡).
/// - **Threshold**: 15 when the proband has breast or ovarian cancer (the paper's affected
///   population), otherwise 20 (the paper's rule for unaffected people).
///
/// # Errors
/// A [`ManchesterError`] naming the field: an age above 120, a grade outside 1..=3, ovarian cancer
/// in a male, prostate cancer in a female, an index relative that does not exist.
pub fn score(input: &ManchesterInput) -> Result<ManchesterResult, ManchesterError> {
    validate(input)?;
    let mut warnings = Vec::new();

    // Points common to both lineages: the proband and relatives with no side (`Side::None`).
    let mut shared = LineageScore { brca1: 0, brca2: 0 };
    let mut maternal_only = LineageScore { brca1: 0, brca2: 0 };
    let mut paternal_only = LineageScore { brca1: 0, brca2: 0 };

    let proband_is_index = input.index == IndexCase::Proband;
    add(
        &mut shared,
        person_points(
            "proband",
            input.proband.sex,
            &input.proband.cancers,
            proband_is_index,
            0,
            &mut warnings,
        ),
    );
    if input.proband.adopted_no_known_family_status {
        add(&mut shared, table::ADOPTED);
    }

    for (i, rel) in input.relatives.iter().enumerate() {
        let is_index = input.index == IndexCase::Relative(i);
        let pts = person_points(
            &format!("relatives[{i}]"),
            rel.sex,
            &rel.cancers,
            is_index,
            rel.intervening_unaffected_women_over_60,
            &mut warnings,
        );
        match rel.lineage {
            Side::None => add(&mut shared, pts),
            Side::Maternal => add(&mut maternal_only, pts),
            Side::Paternal => add(&mut paternal_only, pts),
        }
    }

    let maternal = sum(shared, maternal_only);
    let paternal = sum(shared, paternal_only);
    let (lineage, best) = if paternal.total() > maternal.total() {
        (Lineage::Paternal, paternal)
    } else {
        (Lineage::Maternal, maternal)
    };

    let proband_affected = input.proband.cancers.iter().any(|c| {
        matches!(c, MssCancer::Breast { .. })
            || matches!(c, MssCancer::Ovarian { histology, .. } if !ovarian_excluded(*histology))
    });
    let threshold = if proband_affected {
        THRESHOLD_TEN_PERCENT
    } else {
        THRESHOLD_TWENTY_PERCENT
    };
    let total = best.total();
    Ok(ManchesterResult {
        score: ManchesterScore {
            brca1_score: best.brca1,
            brca2_score: best.brca2,
            total,
            meets_threshold: total >= threshold,
        },
        lineage,
        maternal,
        paternal,
        threshold,
        warnings,
    })
}

fn add(acc: &mut LineageScore, x: LineageScore) {
    acc.brca1 += x.brca1;
    acc.brca2 += x.brca2;
}

fn sum(a: LineageScore, b: LineageScore) -> LineageScore {
    LineageScore {
        brca1: a.brca1 + b.brca1,
        brca2: a.brca2 + b.brca2,
    }
}

fn ovarian_excluded(h: Option<OvarianHistology>) -> bool {
    matches!(
        h,
        Some(
            OvarianHistology::Mucinous | OvarianHistology::Borderline | OvarianHistology::GermCell
        )
    )
}

/// Age used for a band lookup; unknown → the oldest band (lowest points), with a warning.
fn age_or_oldest(path: &str, age: Option<u8>, warnings: &mut Vec<String>) -> u8 {
    age.unwrap_or_else(|| {
        warnings.push(format!(
            "{path}.age_at_diagnosis unknown: scored in the oldest age band (fewest points)."
        ));
        MAX_AGE
    })
}

fn person_points(
    who: &str,
    sex: Sex,
    cancers: &[MssCancer],
    is_index: bool,
    intervening_women: u8,
    warnings: &mut Vec<String>,
) -> LineageScore {
    let mut pts = LineageScore { brca1: 0, brca2: 0 };
    for (j, c) in cancers.iter().enumerate() {
        let path = format!("{who}.cancers[{j}]");
        match c {
            MssCancer::Breast {
                age_at_diagnosis, ..
            } => {
                let age = age_or_oldest(&path, *age_at_diagnosis, warnings);
                add(
                    &mut pts,
                    match sex {
                        Sex::Female => table::female_breast(age),
                        Sex::Male => table::male_breast(age),
                    },
                );
            }
            MssCancer::Ovarian {
                age_at_diagnosis,
                histology,
            } => {
                if ovarian_excluded(*histology) {
                    continue;
                }
                let age = age_or_oldest(&path, *age_at_diagnosis, warnings);
                add(&mut pts, table::ovarian(age));
                if *histology == Some(OvarianHistology::HighGradeSerous)
                    && age < 60
                    && intervening_women <= 1
                {
                    pts.brca1 += table::HGSOC_UNDER_60;
                }
            }
            MssCancer::Pancreatic { .. } => add(&mut pts, table::PANCREATIC),
            MssCancer::Prostate { age_at_diagnosis } => {
                let age = age_or_oldest(&path, *age_at_diagnosis, warnings);
                add(&mut pts, table::prostate(age));
            }
            MssCancer::Other => {}
        }
    }
    if is_index && let Some(bc) = index_breast_cancer(cancers) {
        pts.brca1 += breast_pathology_brca1(bc);
    }
    pts
}

/// The index case's breast cancer that receives the pathology adjustment: the earliest diagnosed,
/// else the first listed.
fn index_breast_cancer(cancers: &[MssCancer]) -> Option<&MssCancer> {
    let breasts = || {
        cancers
            .iter()
            .filter(|c| matches!(c, MssCancer::Breast { .. }))
    };
    breasts()
        .filter_map(|c| match c {
            MssCancer::Breast {
                age_at_diagnosis: Some(a),
                ..
            } => Some((*a, c)),
            _ => None,
        })
        .min_by_key(|(a, _)| *a)
        .map(|(_, c)| c)
        .or_else(|| breasts().next())
}

/// BRCA1 pathology adjustment of one breast cancer (Table 1, "Breast cancer (index case only)").
fn breast_pathology_brca1(c: &MssCancer) -> i32 {
    let MssCancer::Breast {
        invasive,
        histology,
        er,
        pr,
        her2,
        triple_negative,
        grade,
        ..
    } = c
    else {
        return 0;
    };
    let neg = Some(ReceptorStatus::Negative);
    let is_tn = *triple_negative == Some(true) || (*er == neg && *pr == neg && *her2 == neg);
    let mut adj = 0;
    adj += match grade {
        Some(3) => table::GRADE_3,
        Some(2) => table::GRADE_2,
        Some(1) => table::GRADE_1,
        _ => 0,
    };
    if is_tn {
        adj += table::TRIPLE_NEGATIVE;
    } else {
        adj += match er {
            Some(ReceptorStatus::Positive) => table::ER_POSITIVE,
            Some(ReceptorStatus::Negative) => table::ER_NEGATIVE,
            None => 0,
        };
        if *her2 == Some(ReceptorStatus::Positive) {
            adj += table::HER2_AMPLIFIED;
        }
    }
    if *invasive == Some(false) {
        adj += table::DCIS;
    }
    if *histology == Some(BreastHistology::Lobular) {
        adj += table::LOBULAR;
    }
    adj
}

fn validate(input: &ManchesterInput) -> Result<(), ManchesterError> {
    validate_person("proband", input.proband.sex, &input.proband.cancers)?;
    for (i, r) in input.relatives.iter().enumerate() {
        validate_person(&format!("relatives[{i}]"), r.sex, &r.cancers)?;
    }
    if let IndexCase::Relative(i) = input.index
        && i >= input.relatives.len()
    {
        return Err(ManchesterError::new(
            "index.relative",
            format!(
                "no relative at position {i} ({} relatives given)",
                input.relatives.len()
            ),
        ));
    }
    Ok(())
}

fn validate_person(who: &str, sex: Sex, cancers: &[MssCancer]) -> Result<(), ManchesterError> {
    for (j, c) in cancers.iter().enumerate() {
        let path = format!("{who}.cancers[{j}]");
        let age = match c {
            MssCancer::Breast {
                age_at_diagnosis,
                grade,
                triple_negative,
                her2,
                ..
            } => {
                if let Some(g) = grade
                    && !(1..=3).contains(g)
                {
                    return Err(ManchesterError::new(
                        format!("{path}.grade"),
                        format!("grade must be 1, 2 or 3, got {g}"),
                    ));
                }
                if *triple_negative == Some(true) && *her2 == Some(ReceptorStatus::Positive) {
                    return Err(ManchesterError::new(
                        format!("{path}.triple_negative"),
                        "a triple-negative tumour cannot be HER2 positive",
                    ));
                }
                *age_at_diagnosis
            }
            MssCancer::Ovarian {
                age_at_diagnosis, ..
            } => {
                if sex == Sex::Male {
                    return Err(ManchesterError::new(
                        format!("{path}.type"),
                        "ovarian cancer recorded for a male",
                    ));
                }
                *age_at_diagnosis
            }
            MssCancer::Prostate { age_at_diagnosis } => {
                if sex == Sex::Female {
                    return Err(ManchesterError::new(
                        format!("{path}.type"),
                        "prostate cancer recorded for a female",
                    ));
                }
                *age_at_diagnosis
            }
            MssCancer::Pancreatic { age_at_diagnosis } => *age_at_diagnosis,
            MssCancer::Other => None,
        };
        if let Some(a) = age
            && a > MAX_AGE
        {
            return Err(ManchesterError::new(
                format!("{path}.age_at_diagnosis"),
                format!("age {a} is above {MAX_AGE}"),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
