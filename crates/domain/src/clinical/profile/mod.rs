//! The input of the clinical engine: a person's personal and family history (`RiskProfile`).
//!
//! The JSON shape, field names and vocabularies are fixed by `shared/reference/risk-profile.md`
//! ("Input: `RiskProfile`"). Every field that the contract allows to be unknown is an `Option`
//! (`null` or an absent field both mean *unknown*, never *no*); lists default to empty.
//! Every vocabulary is a serde enum in `snake_case`: an unknown string is rejected, never mapped.
//!
//! Two ways in:
//! - plain serde (`serde_json::from_str::<RiskProfile>`), strict JSON types; errors carry only
//!   line/column;
//! - [`RiskProfile::from_json_value`] / [`RiskProfile::from_json_str`], which track the JSON path
//!   of the failing field (a [`FieldError`] with `path = ["relatives", 2, "cancers", 0, "age_at_diagnosis"]`)
//!   and apply the API's input leniency (api-contract.md §1.2: enums case-insensitive and trimmed,
//!   numeric strings for numbers, `"true"/"false"/"1"/"0"` for booleans, `""` for an unknown optional).
//!
//! After parsing, [`RiskProfile::validate`] checks for impossible or contradictory values.

mod de;
mod validate;

use serde::{Deserialize, Serialize};

pub use de::{FieldError, FieldErrorKind, PathSeg};
pub use validate::{
    BIOPSIES_RANGE, FIRST_BIRTH_RANGE, HEIGHT_RANGE, LIVE_BIRTHS_RANGE, MAX_AGE,
    MAX_CANCERS_PER_PERSON, MAX_GENETIC_TESTS_PER_PERSON, MAX_RELATIVES, MENARCHE_RANGE,
    MENOPAUSE_RANGE, WEIGHT_RANGE,
};

/// A person's personal and family history, as the questionnaire, API and CLI produce it.
/// `Default` is the empty profile: nothing known (the questionnaire's starting point).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RiskProfile {
    /// The person being assessed.
    pub proband: Proband,
    /// Blood relatives (the relation fixes degree and side); absent = none reported.
    #[serde(default)]
    pub relatives: Vec<Relative>,
}

/// Sex assigned at birth.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    /// Female.
    Female,
    /// Male.
    Male,
}

/// Ethnic group: the groups for which the Gail model has published tables (risk-profile.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum Ethnicity {
    White,
    Black,
    HispanicUsBorn,
    HispanicForeignBorn,
    Chinese,
    Japanese,
    Filipino,
    Hawaiian,
    OtherPacificIslander,
    OtherAsian,
    AmericanIndian,
    Other,
    Unknown,
}

/// Menopausal status (default `unknown`, for model inputs that take a status, not an `Option`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum MenopauseStatus {
    Pre,
    Peri,
    Post,
    #[default]
    Unknown,
}

/// Worst result of the breast biopsies (default `none`: what a model input without a reported
/// biopsy reads).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Hyperplasia {
    /// No hyperplasia.
    #[default]
    None,
    /// Hyperplasia without atypia.
    Hyperplasia,
    /// Atypical hyperplasia.
    Atypical,
    /// Biopsied, result unknown.
    Unknown,
}

/// Hormone replacement therapy use.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hrt {
    /// Use status; `None` = unknown.
    pub status: Option<HrtStatus>,
    /// Preparation.
    #[serde(rename = "type")]
    pub hrt_type: Option<HrtType>,
    /// Years of use.
    pub years_used: Option<f64>,
    /// Years since stopping (former users).
    pub years_since_stopped: Option<f64>,
    /// Intended total years of use (current users).
    pub intended_years: Option<f64>,
}

/// HRT use status (IBIS categories: stopped more / less than 5 years ago).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HrtStatus {
    /// Never used.
    Never,
    /// Stopped more than 5 years ago.
    #[serde(rename = "former_over_5y")]
    FormerOver5y,
    /// Stopped less than 5 years ago.
    #[serde(rename = "former_under_5y")]
    FormerUnder5y,
    /// Current user.
    Current,
}

/// HRT preparation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HrtType {
    /// Oestrogen only.
    EstrogenOnly,
    /// Combined oestrogen + progestogen.
    Combined,
}

/// Mammographic density: a method and a value whose type depends on it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BreastDensity {
    /// How density was measured.
    pub method: DensityMethod,
    /// `birads` takes a category (`a`..`d`); `vas`/`volpara` take a percentage. `None` = unknown.
    pub value: Option<DensityValue>,
}

/// Density measurement method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DensityMethod {
    /// BI-RADS 5th edition category a..d.
    Birads,
    /// Visual analogue scale, percent.
    Vas,
    /// Volpara volumetric density, percent.
    Volpara,
}

/// A density value: a BI-RADS category or a percentage (0..100).
///
/// Deserialises from a letter (any case) or a number / numeric string; serialises untagged.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(untagged)]
pub enum DensityValue {
    /// BI-RADS category.
    Birads(BiradsDensity),
    /// Percent dense (VAS or Volpara).
    Percent(f64),
}

/// BI-RADS density category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum BiradsDensity {
    A,
    B,
    C,
    D,
}

/// The proband (the person assessed). `Default`: nothing known.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Proband {
    /// Sex assigned at birth.
    pub sex: Option<Sex>,
    /// Current age in whole years (required for an assessment; see [`RiskProfile::validate`]).
    pub age: Option<i32>,
    /// Ethnic group.
    pub ethnicity: Option<Ethnicity>,
    /// Ashkenazi Jewish ancestry.
    pub ashkenazi_jewish: Option<bool>,
    /// Age at menarche.
    pub menarche_age: Option<i32>,
    /// Number of live births.
    pub live_births: Option<i32>,
    /// Age at first live birth.
    pub first_live_birth_age: Option<i32>,
    /// Menopausal status.
    pub menopause_status: Option<MenopauseStatus>,
    /// Age at menopause.
    pub menopause_age: Option<i32>,
    /// Height in cm.
    pub height_cm: Option<f64>,
    /// Weight in kg.
    pub weight_kg: Option<f64>,
    /// Number of breast biopsies.
    pub breast_biopsies: Option<i32>,
    /// Worst biopsy result.
    pub hyperplasia: Option<Hyperplasia>,
    /// Lobular carcinoma in situ.
    pub lcis: Option<bool>,
    /// Radiotherapy to the chest before age 30 (makes Gail not applicable).
    pub chest_radiation: Option<bool>,
    /// Hormone replacement therapy.
    pub hrt: Option<Hrt>,
    /// Mammographic density.
    pub breast_density: Option<BreastDensity>,
    /// Personal cancers (empty = none reported).
    #[serde(default)]
    pub cancers: Vec<Cancer>,
    /// Germline genetic tests.
    #[serde(default)]
    pub genetic_tests: Vec<GeneticTest>,
}

/// One cancer diagnosis (the proband's or a relative's).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cancer {
    /// Site.
    #[serde(rename = "type")]
    pub cancer_type: CancerType,
    /// Age at diagnosis; `None` = unknown.
    pub age_at_diagnosis: Option<i32>,
    /// Bilateral (breast).
    pub bilateral: Option<bool>,
    /// Invasive; `false` = in situ (DCIS for breast).
    pub invasive: Option<bool>,
    /// Histology (its vocabulary depends on `type`).
    pub histology: Option<Histology>,
    /// Triple-negative breast cancer.
    pub triple_negative: Option<bool>,
    /// Metastatic (distant or regional nodes; for prostate: not biochemical recurrence alone).
    pub metastatic: Option<bool>,
    /// Oestrogen receptor.
    pub er: Option<ReceptorStatus>,
    /// Progesterone receptor.
    pub pr: Option<ReceptorStatus>,
    /// HER2.
    pub her2: Option<ReceptorStatus>,
    /// Histological grade 1..3.
    pub grade: Option<i32>,
    /// NCCN prostate risk group (PROS-2).
    pub prostate_risk_group: Option<ProstateRiskGroup>,
}

impl Cancer {
    /// A cancer of `cancer_type` with every detail unknown.
    pub fn new(cancer_type: CancerType, age_at_diagnosis: Option<i32>) -> Self {
        Self {
            cancer_type,
            age_at_diagnosis,
            bilateral: None,
            invasive: None,
            histology: None,
            triple_negative: None,
            metastatic: None,
            er: None,
            pr: None,
            her2: None,
            grade: None,
            prostate_risk_group: None,
        }
    }
}

/// Cancer site. `Ovarian` includes fallopian tube and primary peritoneal cancer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum CancerType {
    Breast,
    Ovarian,
    Pancreatic,
    Prostate,
    Colorectal,
    Endometrial,
    Gastric,
    Melanoma,
    Sarcoma,
    Brain,
    Adrenocortical,
    Thyroid,
    Kidney,
    Leukemia,
    Other,
}

impl CancerType {
    /// Whether a person of this sex can have this cancer (no prostate cancer for a woman, no
    /// ovarian or endometrial cancer for a man); an unknown sex allows every site.
    pub fn possible_for(self, sex: Option<Sex>) -> bool {
        !matches!(
            (sex, self),
            (Some(Sex::Female), Self::Prostate)
                | (Some(Sex::Male), Self::Ovarian | Self::Endometrial)
        )
    }

    /// The contract's snake_case name (`"breast"`), for messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Breast => "breast",
            Self::Ovarian => "ovarian",
            Self::Pancreatic => "pancreatic",
            Self::Prostate => "prostate",
            Self::Colorectal => "colorectal",
            Self::Endometrial => "endometrial",
            Self::Gastric => "gastric",
            Self::Melanoma => "melanoma",
            Self::Sarcoma => "sarcoma",
            Self::Brain => "brain",
            Self::Adrenocortical => "adrenocortical",
            Self::Thyroid => "thyroid",
            Self::Kidney => "kidney",
            Self::Leukemia => "leukemia",
            Self::Other => "other",
        }
    }
}

/// Histology; which values fit which cancer type is checked by [`RiskProfile::validate`]
/// (see [`Histology::fits`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Histology {
    /// Breast: ductal.
    Ductal,
    /// Breast: lobular.
    Lobular,
    /// Any site: other / not listed.
    Other,
    /// Ovarian: epithelial (incl. fallopian tube, primary peritoneal).
    Epithelial,
    /// Ovarian: non-epithelial (e.g. SCTAT, SCCOHT).
    NonEpithelial,
    /// Ovarian/tubal: serous tubal intraepithelial carcinoma.
    Stic,
    /// Ovarian: mucinous.
    Mucinous,
    /// Ovarian: borderline.
    Borderline,
    /// Ovarian: germ cell.
    GermCell,
    /// Pancreatic: exocrine (incl. acinar cell).
    Exocrine,
    /// Pancreatic: neuroendocrine.
    Neuroendocrine,
    /// Gastric: diffuse.
    Diffuse,
    /// Gastric: intestinal.
    Intestinal,
    /// Prostate: intraductal / cribriform.
    IntraductalCribriform,
}

impl Histology {
    /// Whether this histology belongs to the vocabulary of `cancer_type` (risk-profile.md).
    /// `other` fits every site.
    pub fn fits(self, cancer_type: CancerType) -> bool {
        use CancerType as T;
        use Histology as H;
        match self {
            H::Other => true,
            H::Ductal | H::Lobular => cancer_type == T::Breast,
            H::Epithelial
            | H::NonEpithelial
            | H::Stic
            | H::Mucinous
            | H::Borderline
            | H::GermCell => cancer_type == T::Ovarian,
            H::Exocrine | H::Neuroendocrine => cancer_type == T::Pancreatic,
            H::Diffuse | H::Intestinal => cancer_type == T::Gastric,
            H::IntraductalCribriform => cancer_type == T::Prostate,
        }
    }
}

/// Hormone receptor / HER2 status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum ReceptorStatus {
    Positive,
    Negative,
}

/// NCCN prostate cancer risk group (NCCN Prostate PROS-2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum ProstateRiskGroup {
    Low,
    Intermediate,
    High,
    VeryHigh,
}

/// A germline genetic test result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GeneticTest {
    /// HGNC gene symbol, e.g. `BRCA1` (compared case-insensitively).
    pub gene: String,
    /// Classification; `None` = unknown.
    pub result: Option<GeneticResult>,
}

impl GeneticTest {
    /// Whether this is a pathogenic or likely pathogenic (P/LP) result in `gene` (case-insensitive).
    pub fn is_plp_in(&self, gene: &str) -> bool {
        self.gene.trim().eq_ignore_ascii_case(gene)
            && self.result.is_some_and(GeneticResult::is_plp)
    }
}

/// Variant classification (ACMG five tiers, plus `negative` = no variant found).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum GeneticResult {
    Pathogenic,
    LikelyPathogenic,
    Vus,
    LikelyBenign,
    Benign,
    Negative,
}

impl GeneticResult {
    /// Pathogenic or likely pathogenic.
    pub fn is_plp(self) -> bool {
        matches!(self, Self::Pathogenic | Self::LikelyPathogenic)
    }
}

/// A blood relative of the proband.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Relative {
    /// Relationship to the proband (fixes degree, side and usually sex; see `pedigree`).
    pub relation: Relation,
    /// Sex, where the relation leaves it open (cousins); must agree with the relation otherwise.
    pub sex: Option<Sex>,
    /// Alive.
    pub alive: Option<bool>,
    /// Current age if alive, else age at death.
    pub age: Option<i32>,
    /// Cancers (empty = none reported).
    #[serde(default)]
    pub cancers: Vec<Cancer>,
    /// Germline genetic tests.
    #[serde(default)]
    pub genetic_tests: Vec<GeneticTest>,
}

impl Relative {
    /// A relative with nothing known but the relation.
    pub fn new(relation: Relation) -> Self {
        Self {
            relation,
            sex: None,
            alive: None,
            age: None,
            cancers: Vec::new(),
            genetic_tests: Vec::new(),
        }
    }
}

/// Relationship of a relative to the proband (risk-profile.md vocabulary). Degree, side and sex
/// are derived in `clinical::pedigree`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum Relation {
    Mother,
    Father,
    Sister,
    Brother,
    Daughter,
    Son,
    MaternalHalfSister,
    MaternalHalfBrother,
    PaternalHalfSister,
    PaternalHalfBrother,
    MaternalGrandmother,
    MaternalGrandfather,
    PaternalGrandmother,
    PaternalGrandfather,
    MaternalAunt,
    MaternalUncle,
    PaternalAunt,
    PaternalUncle,
    Niece,
    Nephew,
    Granddaughter,
    Grandson,
    MaternalCousin,
    PaternalCousin,
    MaternalGreatGrandmother,
    PaternalGreatGrandmother,
    MaternalGreatAunt,
    PaternalGreatAunt,
}

impl Relation {
    /// Every relation, in contract order (for table-driven code and tests).
    pub const ALL: [Relation; 28] = [
        Self::Mother,
        Self::Father,
        Self::Sister,
        Self::Brother,
        Self::Daughter,
        Self::Son,
        Self::MaternalHalfSister,
        Self::MaternalHalfBrother,
        Self::PaternalHalfSister,
        Self::PaternalHalfBrother,
        Self::MaternalGrandmother,
        Self::MaternalGrandfather,
        Self::PaternalGrandmother,
        Self::PaternalGrandfather,
        Self::MaternalAunt,
        Self::MaternalUncle,
        Self::PaternalAunt,
        Self::PaternalUncle,
        Self::Niece,
        Self::Nephew,
        Self::Granddaughter,
        Self::Grandson,
        Self::MaternalCousin,
        Self::PaternalCousin,
        Self::MaternalGreatGrandmother,
        Self::PaternalGreatGrandmother,
        Self::MaternalGreatAunt,
        Self::PaternalGreatAunt,
    ];

    /// The contract's snake_case code (`"maternal_aunt"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Mother => "mother",
            Self::Father => "father",
            Self::Sister => "sister",
            Self::Brother => "brother",
            Self::Daughter => "daughter",
            Self::Son => "son",
            Self::MaternalHalfSister => "maternal_half_sister",
            Self::MaternalHalfBrother => "maternal_half_brother",
            Self::PaternalHalfSister => "paternal_half_sister",
            Self::PaternalHalfBrother => "paternal_half_brother",
            Self::MaternalGrandmother => "maternal_grandmother",
            Self::MaternalGrandfather => "maternal_grandfather",
            Self::PaternalGrandmother => "paternal_grandmother",
            Self::PaternalGrandfather => "paternal_grandfather",
            Self::MaternalAunt => "maternal_aunt",
            Self::MaternalUncle => "maternal_uncle",
            Self::PaternalAunt => "paternal_aunt",
            Self::PaternalUncle => "paternal_uncle",
            Self::Niece => "niece",
            Self::Nephew => "nephew",
            Self::Granddaughter => "granddaughter",
            Self::Grandson => "grandson",
            Self::MaternalCousin => "maternal_cousin",
            Self::PaternalCousin => "paternal_cousin",
            Self::MaternalGreatGrandmother => "maternal_great_grandmother",
            Self::PaternalGreatGrandmother => "paternal_great_grandmother",
            Self::MaternalGreatAunt => "maternal_great_aunt",
            Self::PaternalGreatAunt => "paternal_great_aunt",
        }
    }
}

impl std::fmt::Display for Relation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl RiskProfile {
    /// Parses a profile from a JSON value, tracking the path of the first failing field and
    /// applying the API's input leniency (see the module docs). Unknown object keys are ignored
    /// (api-contract.md §1.2); unknown enum strings are rejected.
    pub fn from_json_value(value: &serde_json::Value) -> Result<Self, FieldError> {
        de::from_value(value)
    }

    /// Parses JSON text: syntax errors are reported at the root path with line/column, then as
    /// [`RiskProfile::from_json_value`].
    pub fn from_json_str(text: &str) -> Result<Self, FieldError> {
        let value: serde_json::Value = serde_json::from_str(text).map_err(|e| FieldError {
            path: Vec::new(),
            msg: format!("invalid JSON: {e}"),
            kind: FieldErrorKind::InvalidJson,
        })?;
        Self::from_json_value(&value)
    }

    /// Parses then validates: the one call an API handler needs. Returns every validation error
    /// (or the single parse error).
    pub fn parse_and_validate(value: &serde_json::Value) -> Result<Self, Vec<FieldError>> {
        let profile = Self::from_json_value(value).map_err(|e| vec![e])?;
        profile.validate()?;
        Ok(profile)
    }
}

#[cfg(test)]
mod tests;
