//! Pedigree file exports, so that clinicians can run the licensed models themselves:
//!
//! - [`to_canrisk_v4`]: the CanRisk v4 pedigree file for canrisk.org (BOADICEA), per
//!   `shared/reference/clinical.md` §4.3 (CanRisk file format, from `CCGE-BOADICEA/bws`
//!   `bws/pedigree_file.py` and `bws/tests/data/*.canrisk4`).
//! - [`to_ibis_v8`]: an IBIS Risk Evaluator v8 batch file (Tyrer-Cuzick), per clinical.md §1.4.
//!
//! Both are pure serialisations of a [`RiskProfile`]; no risk is computed here. Where the profile
//! lacks a value a format needs, the format's own "unknown" code is written (CanRisk `0` / `AU`,
//! IBIS `-99` or the documented default) and a note says so in the `*_report` variants.
//! Information a format cannot hold (e.g. a granddaughter in IBIS) is left out with a note.

use serde::{Deserialize, Serialize};

use super::profile::{Cancer, CancerType, GeneticResult, GeneticTest, Histology, Relation, Sex};

mod canrisk;
mod ibis;

pub use canrisk::{
    CANRISK_V4_COLUMNS, CANRISK_V4_GENES, CANRISK_V4_HEADER, CanRiskOptions, to_canrisk_v4,
    to_canrisk_v4_report,
};
pub use ibis::{to_ibis_v8, to_ibis_v8_report};

/// Why a profile could not be exported. `path` is the offending field's JSON path.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ExportError {
    /// A value is impossible or contradictory (e.g. a negative age, ovarian cancer in a male).
    #[error("{path}: {reason}")]
    Invalid {
        /// Field path, e.g. `relatives[2].age`.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// The value is valid but the format cannot express it, or the format requires something the
    /// profile does not have (e.g. the CanRisk target's age).
    #[error("{path}: {reason}")]
    Unsupported {
        /// Field path.
        path: String,
        /// What the format cannot express or needs.
        reason: String,
    },
}

impl ExportError {
    fn invalid(path: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::Invalid {
            path: path.into(),
            reason: reason.into(),
        }
    }

    fn unsupported(path: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::Unsupported {
            path: path.into(),
            reason: reason.into(),
        }
    }

    /// The offending field path.
    pub fn path(&self) -> &str {
        match self {
            Self::Invalid { path, .. } | Self::Unsupported { path, .. } => path,
        }
    }
}

/// A file's text with the notes on what was approximated or left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportOutput {
    /// The file content (UTF-8, `\n` line ends, trailing newline).
    pub content: String,
    /// Human-readable notes (unknown values written as unknown codes, omitted data).
    pub notes: Vec<String>,
}

/// Highest age both formats accept (CanRisk `MAX_AGE = 125`, bws/settings.py); the profile's own
/// validation is stricter (120).
const MAX_AGE: i32 = 125;

/// The sex a relation implies; `None` for cousins, whose `sex` field says which.
fn relation_sex(rel: Relation) -> Option<Sex> {
    use Relation as R;
    match rel {
        R::Mother
        | R::Sister
        | R::Daughter
        | R::MaternalHalfSister
        | R::PaternalHalfSister
        | R::MaternalGrandmother
        | R::PaternalGrandmother
        | R::MaternalAunt
        | R::PaternalAunt
        | R::Niece
        | R::Granddaughter
        | R::MaternalGreatGrandmother
        | R::PaternalGreatGrandmother
        | R::MaternalGreatAunt
        | R::PaternalGreatAunt => Some(Sex::Female),
        R::Father
        | R::Brother
        | R::Son
        | R::MaternalHalfBrother
        | R::PaternalHalfBrother
        | R::MaternalGrandfather
        | R::PaternalGrandfather
        | R::MaternalUncle
        | R::PaternalUncle
        | R::Nephew
        | R::Grandson => Some(Sex::Male),
        R::MaternalCousin | R::PaternalCousin => None,
    }
}

/// The relative's sex: the relation's, checked against a recorded `sex`; for cousins the recorded
/// one (or `None`).
fn resolved_sex(
    path: &str,
    rel: Relation,
    recorded: Option<Sex>,
) -> Result<Option<Sex>, ExportError> {
    match (relation_sex(rel), recorded) {
        (Some(implied), Some(given)) if implied != given => Err(ExportError::invalid(
            format!("{path}.sex"),
            format!("a {rel} cannot be {given:?}").to_lowercase(),
        )),
        (Some(implied), _) => Ok(Some(implied)),
        (None, given) => Ok(given),
    }
}

/// An age at diagnosis as the formats need it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DxAge {
    /// Known age in years (1..=125).
    Known(u8),
    /// Affected, age unknown.
    Unknown,
}

/// A person's cancers, reduced to the sites both formats carry.
#[derive(Debug, Clone, Default)]
struct Diagnoses<'a> {
    /// First breast cancer.
    bc1: Option<DxAge>,
    /// Contralateral breast cancer.
    bc2: Option<DxAge>,
    /// The cancer record of the first breast cancer (for pathology).
    bc1_record: Option<&'a Cancer>,
    /// Ovarian cancer (epithelial; see [`ovarian_counts`]).
    oc: Option<DxAge>,
    /// Prostate cancer.
    pro: Option<DxAge>,
    /// Pancreatic cancer.
    pan: Option<DxAge>,
}

/// Whether an ovarian tumour is written as ovarian cancer. Both BOADICEA/CanRisk and IBIS model
/// invasive epithelial ovarian cancer; borderline, germ-cell and other non-epithelial tumours are
/// left out (the same exclusion as the Manchester score, Evans 2017 Table 1). Unknown histology
/// counts.
fn ovarian_counts(c: &Cancer) -> bool {
    !matches!(
        c.histology,
        Some(Histology::Borderline | Histology::GermCell | Histology::NonEpithelial)
    )
}

fn dx_age(path: &str, age: Option<i32>) -> Result<DxAge, ExportError> {
    match age {
        None => Ok(DxAge::Unknown),
        Some(a) if (1..=MAX_AGE).contains(&a) => {
            Ok(DxAge::Known(u8::try_from(a).map_err(|_| {
                ExportError::invalid(format!("{path}.age_at_diagnosis"), "age out of range")
            })?))
        }
        Some(a) => Err(ExportError::invalid(
            format!("{path}.age_at_diagnosis"),
            format!("age at diagnosis must be between 1 and {MAX_AGE}, got {a}"),
        )),
    }
}

/// Sort key: known ages ascending, unknown last.
fn dx_key(d: DxAge) -> u16 {
    match d {
        DxAge::Known(a) => u16::from(a),
        DxAge::Unknown => u16::MAX,
    }
}

/// Reduces `cancers` of the person at `who` (a field path such as `relatives[3]`).
///
/// Breast: the earliest is BC1, the next BC2; a single breast cancer flagged `bilateral` is
/// written as synchronous (BC2 = BC1's age). Ovarian, prostate, pancreatic: the earliest.
fn diagnoses<'a>(
    who: &str,
    sex: Option<Sex>,
    cancers: &'a [Cancer],
    notes: &mut Vec<String>,
) -> Result<Diagnoses<'a>, ExportError> {
    let mut breasts: Vec<(DxAge, &Cancer)> = Vec::new();
    let mut d = Diagnoses::default();
    let earliest = |slot: &mut Option<DxAge>, age: DxAge| {
        if slot.is_none_or(|cur| dx_key(age) < dx_key(cur)) {
            *slot = Some(age);
        }
    };
    for (j, c) in cancers.iter().enumerate() {
        let path = format!("{who}.cancers[{j}]");
        let age = dx_age(&path, c.age_at_diagnosis)?;
        match c.cancer_type {
            CancerType::Breast => breasts.push((age, c)),
            CancerType::Ovarian => {
                if sex == Some(Sex::Male) {
                    return Err(ExportError::invalid(
                        format!("{path}.type"),
                        "ovarian cancer recorded for a male",
                    ));
                }
                if ovarian_counts(c) {
                    earliest(&mut d.oc, age);
                } else {
                    notes.push(format!(
                        "{path}: borderline / germ-cell / non-epithelial ovarian tumour not written \
                         (the models use epithelial ovarian cancer)."
                    ));
                }
            }
            CancerType::Prostate => {
                if sex == Some(Sex::Female) {
                    return Err(ExportError::invalid(
                        format!("{path}.type"),
                        "prostate cancer recorded for a female",
                    ));
                }
                earliest(&mut d.pro, age);
            }
            CancerType::Pancreatic => earliest(&mut d.pan, age),
            other => notes.push(format!(
                "{path}: {} cancer has no column in this format; not written.",
                other.as_str()
            )),
        }
    }
    breasts.sort_by_key(|(a, _)| dx_key(*a));
    let mut it = breasts.iter();
    if let Some((a1, c1)) = it.next() {
        d.bc1 = Some(*a1);
        d.bc1_record = Some(c1);
        if let Some((a2, _)) = it.next() {
            d.bc2 = Some(*a2);
        } else if c1.bilateral == Some(true) {
            d.bc2 = Some(*a1);
        }
    }
    if breasts.len() > 2 {
        notes.push(format!(
            "{who}: more than two breast cancers; only the first two are written."
        ));
    }
    Ok(d)
}

/// A person's result for one gene.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum GeneStatus {
    /// Not tested, or only uninformative results (VUS, unknown).
    Untested,
    /// Tested, no pathogenic variant (negative, benign, likely benign).
    Negative,
    /// Pathogenic or likely pathogenic variant.
    Positive,
}

/// Combines every test of `gene` (case-insensitive): a P/LP result wins over a negative one; a VUS
/// is uninformative and counts as untested.
fn gene_status(tests: &[GeneticTest], gene: &str) -> GeneStatus {
    let mut status = GeneStatus::Untested;
    for t in tests
        .iter()
        .filter(|t| t.gene.trim().eq_ignore_ascii_case(gene))
    {
        match t.result {
            Some(GeneticResult::Pathogenic | GeneticResult::LikelyPathogenic) => {
                return GeneStatus::Positive;
            }
            Some(GeneticResult::Negative | GeneticResult::Benign | GeneticResult::LikelyBenign) => {
                status = GeneStatus::Negative;
            }
            Some(GeneticResult::Vus) | None => {}
        }
    }
    status
}

/// Formats a finite number without a trailing `.0` and with at most `decimals` decimals.
fn fmt_num(path: &str, v: f64, decimals: usize) -> Result<String, ExportError> {
    if !v.is_finite() {
        return Err(ExportError::invalid(path, "not a finite number"));
    }
    let s = format!("{v:.decimals$}");
    Ok(if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        s
    })
}

#[cfg(test)]
mod tests;
