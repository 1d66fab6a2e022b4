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

use super::profile::{
    Cancer, CancerType, GeneticResult, GeneticTest, Histology, Relation, RiskProfile, Sex,
};

mod canrisk;
mod ibis;

pub use canrisk::{
    CANRISK_V4_COLUMNS, CANRISK_V4_GENES, CANRISK_V4_HEADER, CanRiskOptions, to_canrisk_v4,
    to_canrisk_v4_report,
};
pub use ibis::{ibis_v8_file, ibis_v8_record, to_ibis_v8, to_ibis_v8_report};

/// The file formats this module writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ExportFormat {
    /// CanRisk pedigree file, format version 4 (canrisk.org, BOADICEA).
    #[serde(rename = "canrisk4")]
    CanRisk4,
    /// IBIS Risk Evaluator v8 batch file (Tyrer-Cuzick).
    #[serde(rename = "ibis8")]
    Ibis8,
}

impl ExportFormat {
    /// Every format, in documentation order.
    pub const ALL: [Self; 2] = [Self::CanRisk4, Self::Ibis8];

    /// The wire name (`canrisk4`, `ibis8`).
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::CanRisk4 => "canrisk4",
            Self::Ibis8 => "ibis8",
        }
    }

    /// Parses a wire name (case-insensitive, trimmed); `None` for anything else.
    #[must_use]
    pub fn parse(raw: &str) -> Option<Self> {
        let raw = raw.trim();
        Self::ALL
            .into_iter()
            .find(|f| f.as_str().eq_ignore_ascii_case(raw))
    }

    /// A file name for `family_id`'s file (both tools take plain-text uploads; `.txt` passes
    /// every upload dialog's filter).
    #[must_use]
    pub fn filename(self, family_id: &str) -> String {
        format!("{family_id}_{}.txt", self.as_str())
    }
}

impl std::fmt::Display for ExportFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What an export needs besides the profile. The same options serve both formats; an option a
/// format has no use for is noted, never an error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportOptions {
    /// The family id (CanRisk `FamID`) / the IBIS record id: 1–8 ASCII letters, digits or `_`,
    /// not all zeros. Must not identify the patient.
    pub family_id: String,
    /// Calendar year the ages refer to (years of birth are `reference_year - age`). Passed in
    /// because the domain has no clock.
    pub reference_year: i32,
    /// CanRisk: estimate the year of birth and age of affected people who lack them (CanRisk
    /// refuses a file with an affected person without both); every estimate is noted.
    #[serde(default)]
    pub estimate_missing: bool,
    /// CanRisk: write the `##ethnicity` line (UK ONS groups; only for a female target). Off by
    /// default because any ethnicity line makes CanRisk's non-UK incidence rates unusable.
    #[serde(default)]
    pub uk_ethnicity: bool,
}

impl ExportOptions {
    /// Options with the opt-in behaviours off.
    #[must_use]
    pub fn new(family_id: impl Into<String>, reference_year: i32) -> Self {
        Self {
            family_id: family_id.into(),
            reference_year,
            estimate_missing: false,
            uk_ethnicity: false,
        }
    }
}

/// Writes `profile` in `format`. The profile should have passed [`RiskProfile::validate`]; the
/// writers re-check what their format needs and name the field otherwise.
///
/// # Errors
/// As [`to_canrisk_v4_report`] / [`to_ibis_v8_report`].
pub fn export(
    profile: &RiskProfile,
    format: ExportFormat,
    opts: &ExportOptions,
) -> Result<ExportOutput, ExportError> {
    match format {
        ExportFormat::CanRisk4 => to_canrisk_v4_report(
            profile,
            &CanRiskOptions {
                family_id: opts.family_id.clone(),
                reference_year: opts.reference_year,
                estimate_missing: opts.estimate_missing,
                uk_ethnicity: opts.uk_ethnicity,
            },
        ),
        ExportFormat::Ibis8 => {
            check_family_id(&opts.family_id)?;
            let mut out = to_ibis_v8_report(profile, &opts.family_id)?;
            if opts.estimate_missing {
                out.notes.push(
                    "estimate_missing has no effect on an IBIS file: IBIS takes unknown ages as \
                     -99."
                        .to_owned(),
                );
            }
            if opts.uk_ethnicity {
                out.notes.push(
                    "uk_ethnicity has no effect on an IBIS file: IBIS has no ethnicity field."
                        .to_owned(),
                );
            }
            Ok(out)
        }
    }
}

/// The family id rule (bws `Pedigree.validate` and `Person` keep 8 characters of letters,
/// digits, `-`, `_`; we allow no `-` so that the id is also a safe IBIS record id and file name).
///
/// # Errors
/// `Invalid` at `family_id` when the id breaks the rule.
pub fn check_family_id(fam: &str) -> Result<(), ExportError> {
    if fam.is_empty()
        || fam.len() > 8
        || !fam.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        || fam.chars().all(|c| c == '0')
    {
        return Err(ExportError::invalid(
            "family_id",
            "must be 1-8 ASCII letters, digits or '_', not all zeros",
        ));
    }
    Ok(())
}

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
    /// Plain sentences for the clinician, most urgent first: what blocks computation until it
    /// is fixed (prefixed [`MUST_FIX`]), then every estimate (prefixed [`ESTIMATED`]), then what
    /// was defaulted, approximated or left out.
    pub notes: Vec<String>,
}

/// Prefix of a note on something the receiving tool refuses until a person edits it.
pub const MUST_FIX: &str = "Must fix before computing: ";
/// Prefix of a note on a value this module estimated (only with `estimate_missing`).
pub const ESTIMATED: &str = "Estimated: ";

/// Notes in three tiers, written most urgent first.
#[derive(Debug, Default)]
struct Notes {
    must_fix: Vec<String>,
    estimated: Vec<String>,
    info: Vec<String>,
}

impl Notes {
    fn must_fix(&mut self, text: impl Into<String>) {
        self.must_fix.push(format!("{MUST_FIX}{}", text.into()));
    }

    fn estimated(&mut self, text: impl Into<String>) {
        self.estimated.push(format!("{ESTIMATED}{}", text.into()));
    }

    fn info(&mut self, text: impl Into<String>) {
        self.info.push(text.into());
    }

    fn into_vec(self) -> Vec<String> {
        let mut v = self.must_fix;
        v.extend(self.estimated);
        v.extend(self.info);
        v
    }
}

/// Who a note is about: "Maternal grandmother (MGM; relatives[1])". The file id is the name the
/// person carries in the receiving tool; the path is where the profile holds them.
#[derive(Debug, Clone)]
struct Who {
    /// `proband` or `relatives[i]`.
    path: String,
    /// `Proband`, `Maternal grandmother`, ...
    label: String,
    /// The person's id in the written file (CanRisk IndivID), if the format has ids.
    file_id: Option<String>,
}

impl Who {
    fn proband(file_id: Option<&str>) -> Self {
        Self {
            path: "proband".to_owned(),
            label: "Proband".to_owned(),
            file_id: file_id.map(str::to_owned),
        }
    }

    fn relative(i: usize, rel: Relation, file_id: Option<&str>) -> Self {
        let mut label = rel.as_str().replace('_', " ");
        if let Some(first) = label.get(..1) {
            label = first.to_uppercase() + label.get(1..).unwrap_or_default();
        }
        Self {
            path: format!("relatives[{i}]"),
            label,
            file_id: file_id.map(str::to_owned),
        }
    }
}

impl std::fmt::Display for Who {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.file_id {
            Some(id) => write!(f, "{} ({id}; {})", self.label, self.path),
            None => write!(f, "{} ({})", self.label, self.path),
        }
    }
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

impl DxAge {
    fn known(self) -> Option<u8> {
        match self {
            Self::Known(a) => Some(a),
            Self::Unknown => None,
        }
    }
}

/// A person's cancers, reduced to the sites both formats carry, with what the reduction did
/// (for the notes).
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
    /// Indices of in-situ breast cancers (DCIS) that were written as breast cancer.
    dcis: Vec<usize>,
    /// Two or more breast cancers, none flagged `bilateral`: the second was taken as a cancer of
    /// the other breast.
    bc2_assumed_contralateral: bool,
    /// More than two breast cancers: only the first two are written.
    extra_breast: bool,
    /// Indices of ovarian tumours left out (borderline, germ-cell, non-epithelial).
    ovarian_left_out: Vec<usize>,
    /// Indices, sites and ages of cancers the formats have no column for.
    no_column: Vec<(usize, CancerType, DxAge)>,
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

/// Reduces `cancers` of the person at `path` (`proband`, `relatives[3]`).
///
/// Breast: the earliest is BC1, the next BC2; a single breast cancer flagged `bilateral` is
/// written as synchronous (BC2 = BC1's age). Ovarian, prostate, pancreatic: the earliest.
fn diagnoses<'a>(
    path: &str,
    sex: Option<Sex>,
    cancers: &'a [Cancer],
) -> Result<Diagnoses<'a>, ExportError> {
    let mut breasts: Vec<(DxAge, &Cancer)> = Vec::new();
    let mut d = Diagnoses::default();
    let earliest = |slot: &mut Option<DxAge>, age: DxAge| {
        if slot.is_none_or(|cur| dx_key(age) < dx_key(cur)) {
            *slot = Some(age);
        }
    };
    for (j, c) in cancers.iter().enumerate() {
        let cpath = format!("{path}.cancers[{j}]");
        let age = dx_age(&cpath, c.age_at_diagnosis)?;
        match c.cancer_type {
            CancerType::Breast => {
                if c.invasive == Some(false) {
                    d.dcis.push(j);
                }
                breasts.push((age, c));
            }
            CancerType::Ovarian => {
                if sex == Some(Sex::Male) {
                    return Err(ExportError::invalid(
                        format!("{cpath}.type"),
                        "ovarian cancer recorded for a male",
                    ));
                }
                if ovarian_counts(c) {
                    earliest(&mut d.oc, age);
                } else {
                    d.ovarian_left_out.push(j);
                }
            }
            CancerType::Prostate => {
                if sex == Some(Sex::Female) {
                    return Err(ExportError::invalid(
                        format!("{cpath}.type"),
                        "prostate cancer recorded for a female",
                    ));
                }
                earliest(&mut d.pro, age);
            }
            CancerType::Pancreatic => earliest(&mut d.pan, age),
            other => d.no_column.push((j, other, age)),
        }
    }
    breasts.sort_by_key(|(a, _)| dx_key(*a));
    let mut it = breasts.iter();
    if let Some((a1, c1)) = it.next() {
        d.bc1 = Some(*a1);
        d.bc1_record = Some(c1);
        if let Some((a2, _)) = it.next() {
            d.bc2 = Some(*a2);
            d.bc2_assumed_contralateral = !breasts.iter().any(|(_, c)| c.bilateral == Some(true));
        } else if c1.bilateral == Some(true) {
            d.bc2 = Some(*a1);
        }
    }
    d.extra_breast = breasts.len() > 2;
    Ok(d)
}

/// A cancer site for a note: "colorectal cancer", "melanoma".
fn site_name(t: CancerType) -> String {
    match t {
        CancerType::Melanoma | CancerType::Sarcoma | CancerType::Leukemia => t.as_str().to_owned(),
        other => format!("{} cancer", other.as_str()),
    }
}

/// An age for a note: `45` or `an unknown age`.
fn age_text(d: Option<DxAge>) -> String {
    match d {
        Some(DxAge::Known(a)) => format!("age {a}"),
        Some(DxAge::Unknown) | None => "an unknown age".to_owned(),
    }
}

/// The notes both formats share about a person's cancers. `bc2_field` names the format's field
/// for a cancer of the other breast.
fn diagnosis_notes(who: &Who, d: &Diagnoses<'_>, bc2_field: &str, notes: &mut Notes) {
    if !d.dcis.is_empty() {
        notes.info(format!(
            "{who}: DCIS (in situ) is written as breast cancer: the file has no field for in-situ \
             disease, and the models were fitted to invasive breast cancer. Review it before \
             computing."
        ));
    }
    if d.bc2_assumed_contralateral {
        notes.info(format!(
            "{who}: the second breast cancer (at {}) is written as a cancer of the other breast \
             ({bc2_field}); the profile does not say which breast. Remove it if it was in the \
             same breast.",
            age_text(d.bc2)
        ));
    }
    if d.extra_breast {
        notes.info(format!(
            "{who}: more than two breast cancers; only the first two are written."
        ));
    }
    if !d.ovarian_left_out.is_empty() {
        notes.info(format!(
            "{who}: a borderline, germ-cell or non-epithelial ovarian tumour is not written (the \
             models use epithelial ovarian cancer)."
        ));
    }
    if !d.no_column.is_empty() {
        let sites: Vec<String> = d
            .no_column
            .iter()
            .map(|&(_, t, age)| format!("{} at {}", site_name(t), age_text(Some(age))))
            .collect();
        notes.info(format!(
            "{who}: not written, no field in this file: {}.",
            sites.join(", ")
        ));
    }
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

fn result_text(r: Option<GeneticResult>) -> &'static str {
    match r {
        Some(GeneticResult::Pathogenic) => "pathogenic",
        Some(GeneticResult::LikelyPathogenic) => "likely pathogenic",
        Some(GeneticResult::Vus) => "VUS",
        Some(GeneticResult::LikelyBenign) => "likely benign",
        Some(GeneticResult::Benign) => "benign",
        Some(GeneticResult::Negative) => "negative",
        None => "result unknown",
    }
}

/// Notes on a person's genetic tests for a file whose gene fields are `columns`: a VUS or an
/// unknown result is written as untested; a gene without a field is not written (a pathogenic
/// variant there is said loudly: the models do not account for it).
fn gene_notes(who: &Who, tests: &[GeneticTest], columns: &[&str], notes: &mut Notes) {
    let mut uninformative: Vec<String> = Vec::new();
    let mut no_field: Vec<String> = Vec::new();
    let mut no_field_plp: Vec<String> = Vec::new();
    for t in tests {
        let gene = t.gene.trim().to_uppercase();
        let has_column = columns.iter().any(|c| c.eq_ignore_ascii_case(&gene));
        if has_column {
            if gene_status(tests, &gene) == GeneStatus::Untested {
                let item = format!("{gene} ({})", result_text(t.result));
                if !uninformative.contains(&item) {
                    uninformative.push(item);
                }
            }
        } else {
            let item = format!("{gene} ({})", result_text(t.result));
            let list = if t.result.is_some_and(GeneticResult::is_plp) {
                &mut no_field_plp
            } else {
                &mut no_field
            };
            if !list.contains(&item) {
                list.push(item);
            }
        }
    }
    if !uninformative.is_empty() {
        notes.info(format!(
            "{who}: {} written as untested (a VUS or an unknown result is not a result the \
             models can use).",
            uninformative.join(", ")
        ));
    }
    if !no_field_plp.is_empty() {
        notes.info(format!(
            "{who}: {}: this gene has no field in the file and is not written. The models do not \
             account for this variant: read their results with it in mind.",
            no_field_plp.join(", ")
        ));
    }
    if !no_field.is_empty() {
        notes.info(format!(
            "{who}: {} has no field in the file; not written.",
            no_field.join(", ")
        ));
    }
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
