//! # Tyrer-Cuzick (IBIS v8-style) breast-cancer risk model
//!
//! **Not the official IBIS software.** This is our own implementation of the *published
//! structure* of the Tyrer-Cuzick model (Tyrer, Duffy & Cuzick, *Stat Med* 2004;23:1111) with
//! our own, cited, published approximations of the parameters that IBIS does not publish
//! (`clinical.md` §1.2). It is labelled [`MODEL_LABEL`] everywhere and must not be presented
//! as "Tyrer-Cuzick v8" or "IBIS". Licensed sites can run the official tool through the IBIS v8
//! batch export.
//!
//! ## What it computes
//! For a woman aged 18–84 without breast cancer, [`assess`] returns:
//! - the absolute risk (percent) of a first breast cancer in the next 10 years and up to her
//!   85th birthday, net of competing mortality;
//! - the same two numbers for a *population reference woman* of the same age and ancestry
//!   (no family history, every personal factor at its population-typical value);
//! - her posterior probabilities (fractions 0–1, not percent) of carrying a BRCA1 or a BRCA2
//!   pathogenic variant. Fractions match `risk-profile.md`'s example (`0.10`, `0.21` for a woman
//!   whose mother had breast cancer at 40 and grandmother ovarian cancer at 50): read as
//!   percent they would fall below the population prior, impossible with that family history.
//!
//! ## How
//! 1. **Genotype classes**: none, BRCA1, BRCA2, and the hypothetical dominant low-penetrance gene
//!    "T" of Tyrer 2004. BRCA1 and BRCA2 are mutually exclusive; T is modelled as a separate,
//!    independently inherited locus whose hazard ratio multiplies (so the four published classes
//!    are the margins of six joint genotypes). We chose this so that evidence for T from one
//!    side of the family cannot pull probability away from a BRCA variant on the other side and
//!    lower the risk (with four exclusive classes, adding an affected paternal relative could
//!    cut the 10-year risk of a young woman with a maternal BRCA1 pattern by ~30 %).
//!    Priors are carrier frequencies: BRCA1 0.12 % / BRCA2 0.20 % (Ashkenazi: 1.49 % / 1.07 %)
//!    as inferred from real IBIS v8 outputs; T: see `params.rs`.
//! 2. **Penetrance**: each class has age-specific female breast, ovarian and male breast hazards,
//!    expressed as hazard ratios over a non-carrier baseline. The baseline is solved age by age
//!    so that the survivor-weighted genotype mixture reproduces the population incidence.
//! 3. **Bayesian update** from every relative, affected or not: each relative's phenotype
//!    (first breast cancer and age, contralateral cancer and age, ovarian cancer and age, or
//!    cancer-free to her current age / age at death; male breast cancer for men) has a
//!    likelihood under each genotype. Given the proband's class and the parental origin of her
//!    allele, a relative shares it with probability 1/2 per meiosis along the line of descent
//!    (mother 1, maternal aunt or grandmother 1/2, maternal cousin 1/4, sister 1/2, niece 1/4;
//!    0 for the other parent's side), else carries genes at population frequency. Relatives
//!    are conditionally independent given that origin (an approximation for relatives who
//!    descend from one another). The proband's own cancer-free survival to her age (and any
//!    ovarian cancer of her own) enters the posterior too.
//! 4. **Personal factors** multiply every genotype's breast hazard: menarche, parity and age at
//!    first birth, menopause and its age, height, BMI (pre/postmenopausal slopes), HRT (type,
//!    current/former, duration, intended future use, time since stopping), hyperplasia /
//!    atypical hyperplasia / LCIS, and breast density (BI-RADS, VAS or Volpara) where given.
//! 5. **Absolute risk**: `Σ_g P(g | family, cancer-free at age) · ∫ S_g(t) h_g(t) RR(t) dt` with
//!    all-cause mortality competing, in annual steps.
//!
//! ## Calibration and validation
//! The population reference reproduces IBIS v8's quoted figures (`clinical.md` §1.6): lifetime
//! 13.2 % at 35 and 13.0 % at 39, 10-year 0.99 % at 35 and 1.50 % at 39 (tests:
//! `population_reference_*`). BRCA1/2 cumulative penetrance to 80 matches Kuchenbaecker 2017
//! within its confidence interval; familial relative risks match the Collaborative Group 2001
//! meta-analysis. `clinical.md` gives no published individual IBIS example outputs, so
//! agreement with real IBIS v8 outputs (±3 points lifetime, ±1 point 10-year, same side of
//! 20 %) is for the product owners' acceptance set.
//!
//! ## Unknown inputs (documented rules; each produces a warning, never silently)
//! - Personal factors left unknown take the population-typical value (RR 1).
//! - A relative's breast or ovarian cancer with unknown age at diagnosis counts as "affected by
//!   her current age" (the likelihood integrates over the diagnosis age); if her age is unknown
//!   too, by an age assumed from her generation (proband's age + 28 years per generation up,
//!   − 28 per generation down, clamped to 20–100).
//! - An unaffected relative with unknown age carries no information and is skipped.
//! - A contralateral cancer of unknown age is taken as synchronous with the first.
//! - A cousin of unknown sex is taken as female.
//! - HRT: unknown type = combined; unknown duration = 5 years; unknown intended future use of a
//!   current user = 5 years; unknown time since stopping (< 5 years ago) = 2 years.
//! - Unknown menopausal status: premenopausal before 50, postmenopausal at 50 from 50 on.
//!
//! ## Monotonicity, and where a Bayesian model cannot promise it
//! In families of female relatives with breast cancer, at most one of them already affected,
//! adding a relative diagnosed at or before 60, or making her diagnosis younger, never lowers
//! the 10-year or lifetime risk (property tests in `tests/tyrer_cuzick_props.rs`). In denser
//! families, or with a late diagnosis, it can: a relative diagnosed late in a
//! family that already points to BRCA1 is evidence against BRCA1 (carriers rarely stay
//! cancer-free that long); evidence that shifts the posterior from BRCA2 to BRCA1 lowers the
//! risk of a woman over ~48, because BRCA2 penetrance is the higher one at those ages; and with
//! Ashkenazi ancestry an affected relative is more often an independent carrier. These are
//! consequences of Bayesian Mendelian reasoning on the published structure, not defects.
//!
//! ## Limits
//! - The parameter tables are published approximations, not IBIS's (see `params.rs`, every
//!   table cites its source and says where it is an approximation). Expect agreement with
//!   IBIS to a few points, not to its decimals.
//! - No genetic test results, SNP score, or density–BMI interaction; no personal breast cancer
//!   (the model is for unaffected women); relatives are not a full pedigree (no joint
//!   likelihood over shared ancestors).

mod engine;
mod params;

#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

use super::pedigree::{RelationSex, Side};
use super::profile::{
    BiradsDensity, HrtStatus, HrtType, Hyperplasia, MenopauseStatus, Relation, Sex,
};
use engine::{BRCA1, BRCA2, Evidence, Freqs, Line, N_GENOTYPES, TABLES, joint};
use params::{self as p, MAX_AGE, N_AGES};

/// The label every output of this module carries.
pub const MODEL_LABEL: &str = "Tyrer-Cuzick (IBIS v8-style)";

/// The age up to which the lifetime risk is computed.
pub const HORIZON_AGE: u32 = 85;

/// Youngest proband age accepted.
pub const MIN_AGE: u32 = 18;

/// Most relatives accepted in one input.
pub const MAX_RELATIVES: usize = 500;

/// Years per generation used to assume a relative's age when it is unknown.
const GENERATION_YEARS: i64 = 28;

/// HRT history.
///
/// Kept apart from [`crate::clinical::profile::Hrt`]: here the use status is required (the
/// mapping drops an HRT record whose status is unknown), and the field is `kind`, not `hrt_type`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TcHrt {
    /// Use status.
    pub status: HrtStatus,
    /// Preparation; `None` = unknown (treated as combined, with a warning).
    #[serde(default, rename = "type")]
    pub kind: Option<HrtType>,
    /// Years used so far.
    #[serde(default)]
    pub years_used: Option<f64>,
    /// Years of further use intended (current users).
    #[serde(default)]
    pub intended_years: Option<f64>,
    /// Years since stopping (former users).
    #[serde(default)]
    pub years_since_stopped: Option<f64>,
}

/// Mammographic density, as in `risk-profile.md` (`breast_density`).
///
/// Kept apart from [`crate::clinical::profile::BreastDensity`]: that is a method plus an
/// optional value of either kind, while this enum only admits a known value of the kind its
/// method takes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", content = "value", rename_all = "snake_case")]
pub enum TcDensity {
    /// BI-RADS category a–d.
    Birads(BiradsDensity),
    /// Visual analogue scale, percent 0–100.
    Vas(f64),
    /// Volpara volumetric density, percent 0–100.
    Volpara(f64),
}

/// Generations above (+) or below (−) the proband, used to assume a relative's age when it is
/// unknown. TC-specific: [`Relation::generation`] only says ancestor / collateral / descendant, and
/// this counts great-aunts as two generations up and nieces as one down.
fn generation_offset(relation: Relation) -> i64 {
    use Relation as R;
    match relation {
        R::MaternalGreatGrandmother | R::PaternalGreatGrandmother => 3,
        R::MaternalGrandmother
        | R::MaternalGrandfather
        | R::PaternalGrandmother
        | R::PaternalGrandfather
        | R::MaternalGreatAunt
        | R::PaternalGreatAunt => 2,
        R::Mother
        | R::Father
        | R::MaternalAunt
        | R::MaternalUncle
        | R::PaternalAunt
        | R::PaternalUncle => 1,
        R::Daughter | R::Son | R::Niece | R::Nephew => -1,
        R::Granddaughter | R::Grandson => -2,
        _ => 0,
    }
}

/// A cancer with an optional age at diagnosis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct TcCancer {
    /// Age at diagnosis; `None` = unknown (documented rule, with a warning).
    #[serde(default)]
    pub age_at_diagnosis: Option<u32>,
}

/// A (first) breast cancer of a relative.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct TcBreastCancer {
    /// Age at the first diagnosis; `None` = unknown.
    #[serde(default)]
    pub age_at_diagnosis: Option<u32>,
    /// A contralateral (second-breast) cancer occurred.
    #[serde(default)]
    pub bilateral: bool,
    /// Age at the contralateral diagnosis; `None` = unknown (taken as synchronous).
    #[serde(default)]
    pub contralateral_age: Option<u32>,
}

/// One relative of the proband.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TcRelative {
    /// Relationship to the proband (fixes degree, side and, except for cousins, sex; see
    /// `clinical::pedigree`).
    pub relation: Relation,
    /// Sex, needed for cousins; must agree with the relation otherwise.
    #[serde(default)]
    pub sex: Option<Sex>,
    /// Current age if alive, else age at death; `None` = unknown.
    #[serde(default)]
    pub age: Option<u32>,
    /// Alive (informational: `age` is read as current age or age at death either way).
    #[serde(default)]
    pub alive: Option<bool>,
    /// Breast cancer (women or men).
    #[serde(default)]
    pub breast: Option<TcBreastCancer>,
    /// Ovarian cancer (women only).
    #[serde(default)]
    pub ovarian: Option<TcCancer>,
}

impl TcRelative {
    /// A relative of the given relation with nothing else known.
    pub fn new(relation: Relation) -> Self {
        Self {
            relation,
            sex: None,
            age: None,
            alive: None,
            breast: None,
            ovarian: None,
        }
    }
}

/// Everything the model reads about the proband (a woman without breast cancer).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct TcInput {
    /// Current age in years (18–84).
    pub age: u32,
    /// Ashkenazi Jewish ancestry (changes the BRCA priors).
    #[serde(default)]
    pub ashkenazi: bool,
    /// Age at menarche.
    #[serde(default)]
    pub menarche_age: Option<u32>,
    /// Number of live births (0 = nulliparous).
    #[serde(default)]
    pub parity: Option<u32>,
    /// Age at first live birth.
    #[serde(default)]
    pub first_birth_age: Option<u32>,
    /// Menopausal status.
    #[serde(default)]
    pub menopause: MenopauseStatus,
    /// Age at menopause (only with `menopause = post`).
    #[serde(default)]
    pub menopause_age: Option<u32>,
    /// Height in metres.
    #[serde(default)]
    pub height_m: Option<f64>,
    /// Weight in kilograms.
    #[serde(default)]
    pub weight_kg: Option<f64>,
    /// HRT history; `None` = unknown.
    #[serde(default)]
    pub hrt: Option<TcHrt>,
    /// Biopsy result (default `none`: no biopsy, or no hyperplasia).
    #[serde(default)]
    pub hyperplasia: Hyperplasia,
    /// Lobular carcinoma in situ; `None` = unknown (treated as no).
    #[serde(default)]
    pub lcis: Option<bool>,
    /// Mammographic density, where measured.
    #[serde(default)]
    pub density: Option<TcDensity>,
    /// The proband's own ovarian cancer, if any.
    #[serde(default)]
    pub ovarian_cancer: Option<TcCancer>,
    /// Relatives, affected and unaffected.
    #[serde(default)]
    pub relatives: Vec<TcRelative>,
}

/// The model's answer. Risks in percent (0–100), carrier probabilities as fractions (0–1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TcResult {
    /// Always [`MODEL_LABEL`].
    pub model: String,
    /// Risk of breast cancer within 10 years, percent.
    pub ten_year_risk: f64,
    /// Risk of breast cancer before [`HORIZON_AGE`], percent.
    pub lifetime_risk: f64,
    /// [`HORIZON_AGE`].
    pub horizon_age: u32,
    /// Posterior probability of a BRCA1 pathogenic variant, fraction 0–1.
    pub brca1_probability: f64,
    /// Posterior probability of a BRCA2 pathogenic variant, fraction 0–1.
    pub brca2_probability: f64,
    /// 10-year risk of a population reference woman of the same age and ancestry, percent.
    pub population_ten_year_risk: f64,
    /// Lifetime risk of the population reference woman, percent.
    pub population_lifetime_risk: f64,
    /// Assumptions made for unknown or out-of-model inputs.
    pub warnings: Vec<String>,
}

/// An input the model cannot use; `field` is the path inside [`TcInput`]
/// (e.g. `age`, `relatives[2].breast.age_at_diagnosis`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[error("{field}: {message}")]
pub struct TcError {
    /// Path of the offending field.
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

fn err(field: impl Into<String>, message: impl Into<String>) -> TcError {
    TcError {
        field: field.into(),
        message: message.into(),
    }
}

fn check_f64(value: Option<f64>, field: &str, lo: f64, hi: f64) -> Result<(), TcError> {
    match value {
        Some(v) if !(lo..=hi).contains(&v) => Err(err(
            field,
            format!("must be a number between {lo} and {hi}, got {v}"),
        )),
        _ => Ok(()),
    }
}

fn check_u32(value: Option<u32>, field: &str, lo: u32, hi: u32) -> Result<(), TcError> {
    match value {
        Some(v) if !(lo..=hi).contains(&v) => Err(err(
            field,
            format!("must be between {lo} and {hi}, got {v}"),
        )),
        _ => Ok(()),
    }
}

fn validate(input: &TcInput) -> Result<(), TcError> {
    let age = input.age;
    if !(MIN_AGE..HORIZON_AGE).contains(&age) {
        return Err(err(
            "age",
            format!(
                "must be between {MIN_AGE} and {} for a lifetime risk to {HORIZON_AGE}, got {age}",
                HORIZON_AGE - 1
            ),
        ));
    }
    check_u32(input.menarche_age, "menarche_age", 6, 25.min(age))?;
    check_u32(input.parity, "parity", 0, 30)?;
    check_u32(input.first_birth_age, "first_birth_age", 10, age)?;
    if input.parity == Some(0) && input.first_birth_age.is_some() {
        return Err(err(
            "first_birth_age",
            "given for a woman with parity 0 (no live births)",
        ));
    }
    check_u32(input.menopause_age, "menopause_age", 20, age)?;
    if input.menopause_age.is_some() && input.menopause != MenopauseStatus::Post {
        return Err(err(
            "menopause_age",
            "only meaningful when menopause status is `post`",
        ));
    }
    check_f64(input.height_m, "height_m", 1.0, 2.3)?;
    check_f64(input.weight_kg, "weight_kg", 25.0, 300.0)?;
    if let Some(hrt) = &input.hrt {
        check_f64(hrt.years_used, "hrt.years_used", 0.0, f64::from(age))?;
        check_f64(hrt.intended_years, "hrt.intended_years", 0.0, 60.0)?;
        check_f64(
            hrt.years_since_stopped,
            "hrt.years_since_stopped",
            0.0,
            f64::from(age),
        )?;
    }
    match input.density {
        Some(TcDensity::Vas(v)) => check_f64(Some(v), "density.value", 0.0, 100.0)?,
        Some(TcDensity::Volpara(v)) => check_f64(Some(v), "density.value", 0.0, 100.0)?,
        _ => {}
    }
    if let Some(oc) = input.ovarian_cancer {
        check_u32(
            oc.age_at_diagnosis,
            "ovarian_cancer.age_at_diagnosis",
            1,
            age,
        )?;
    }
    if input.relatives.len() > MAX_RELATIVES {
        return Err(err(
            "relatives",
            format!("at most {MAX_RELATIVES} relatives are accepted"),
        ));
    }
    for (i, r) in input.relatives.iter().enumerate() {
        let path = format!("relatives[{i}]");
        check_u32(r.age, &format!("{path}.age"), 0, 120)?;
        let max_dx = r.age.unwrap_or(120);
        if let (RelationSex::Fixed(fixed), Some(given)) = (r.relation.fixed_sex(), r.sex)
            && fixed != given
        {
            return Err(err(
                format!("{path}.sex"),
                format!("contradicts relation `{}`", r.relation),
            ));
        }
        let sex = r.relation.sex(r.sex).unwrap_or(Sex::Female);
        if let Some(bc) = r.breast {
            check_u32(
                bc.age_at_diagnosis,
                &format!("{path}.breast.age_at_diagnosis"),
                1,
                max_dx,
            )?;
            let lo = bc.age_at_diagnosis.unwrap_or(1);
            check_u32(
                bc.contralateral_age,
                &format!("{path}.breast.contralateral_age"),
                lo,
                max_dx,
            )?;
            if bc.contralateral_age.is_some() && !bc.bilateral {
                return Err(err(
                    format!("{path}.breast.contralateral_age"),
                    "given but `bilateral` is false",
                ));
            }
        }
        if let Some(oc) = r.ovarian {
            if sex == Sex::Male {
                return Err(err(
                    format!("{path}.ovarian"),
                    "ovarian cancer recorded for a male relative",
                ));
            }
            check_u32(
                oc.age_at_diagnosis,
                &format!("{path}.ovarian.age_at_diagnosis"),
                1,
                max_dx,
            )?;
        }
    }
    Ok(())
}

/// Computes the Tyrer-Cuzick (IBIS v8-style) risks for one woman.
///
/// # Errors
/// [`TcError`] naming the field when an input is out of range or contradictory.
pub fn assess(input: &TcInput) -> Result<TcResult, TcError> {
    validate(input)?;
    let mut warnings = Vec::new();
    let age = input.age as usize;
    let horizon = HORIZON_AGE as usize;
    let freqs = Freqs::of(input.ashkenazi);

    // Genotype posterior.
    let evidence: Vec<Evidence> = input
        .relatives
        .iter()
        .enumerate()
        .filter_map(|(i, r)| relative_evidence(i, r, input.age, &mut warnings))
        .collect();
    let family = engine::family_log_likelihood(&evidence, &freqs);
    let proband_ovarian = input.ovarian_cancer.map(|oc| {
        oc.age_at_diagnosis.map_or_else(
            || {
                warnings.push(
                    "Proband: ovarian cancer with unknown age at diagnosis; treated as diagnosed \
                     at some age up to her current age."
                        .to_owned(),
                );
                Event::By(age)
            },
            |a| Event::At(a as usize),
        )
    });
    let posterior = proband_posterior(&freqs, &family, age, proband_ovarian);

    // Personal relative risks by age.
    let rr = personal_rr(input, &mut warnings);
    let (ten, life) = mixture_risk(&posterior, age, horizon, &rr);

    // Population reference woman: same age and ancestry, no relatives, RR 1.
    let ref_post = proband_posterior(&freqs, &[0.0; N_GENOTYPES], age, None);
    let (pop_ten, pop_life) = mixture_risk(&ref_post, age, horizon, &[1.0; N_AGES]);

    Ok(TcResult {
        model: MODEL_LABEL.to_owned(),
        ten_year_risk: 100.0 * ten,
        lifetime_risk: 100.0 * life,
        horizon_age: HORIZON_AGE,
        brca1_probability: posterior[joint(BRCA1, 0)] + posterior[joint(BRCA1, 1)],
        brca2_probability: posterior[joint(BRCA2, 0)] + posterior[joint(BRCA2, 1)],
        population_ten_year_risk: 100.0 * pop_ten,
        population_lifetime_risk: 100.0 * pop_life,
        warnings,
    })
}

fn mixture_risk(
    posterior: &[f64; N_GENOTYPES],
    age: usize,
    horizon: usize,
    rr: &[f64; N_AGES],
) -> (f64, f64) {
    let mut ten = 0.0;
    let mut life = 0.0;
    for (g, &w) in posterior.iter().enumerate() {
        if w < 1e-12 {
            continue;
        }
        let (t, l) = engine::project(g, age, horizon, rr);
        ten += w * t;
        life += w * l;
    }
    (ten, life)
}

/// Posterior genotype probabilities of the proband: prior × family likelihood × her own
/// cancer-free survival to her current age (× her ovarian cancer, if any).
fn proband_posterior(
    freqs: &Freqs,
    family: &[f64; N_GENOTYPES],
    age: usize,
    ovarian: Option<Event>,
) -> [f64; N_GENOTYPES] {
    let t = &*TABLES;
    let prior = freqs.joint_prior();
    let mut log_w = [0.0; N_GENOTYPES];
    for g in 0..N_GENOTYPES {
        let ov = match ovarian {
            Some(Event::At(a)) => t.ovarian.density(g, a),
            Some(Event::By(a)) => t.ovarian.by_age(g, a),
            None => t.ovarian.survival(g, age),
        };
        log_w[g] = prior[g].ln() + family[g] + t.breast.survival(g, age).ln() + ov.max(1e-300).ln();
    }
    engine::normalise(&log_w)
}

/// An observed cancer: at a known age, or at some unknown age up to a given age.
#[derive(Debug, Clone, Copy)]
enum Event {
    At(usize),
    By(usize),
}

fn clamp_age(a: u32) -> usize {
    (a as usize).min(MAX_AGE)
}

/// Turns one relative into genotype likelihoods, applying (and reporting) the unknown-age rules.
fn relative_evidence(
    i: usize,
    r: &TcRelative,
    proband_age: u32,
    warnings: &mut Vec<String>,
) -> Option<Evidence> {
    let who = format!("relatives[{i}] ({})", r.relation);
    let sex = r.relation.sex(r.sex).unwrap_or_else(|| {
        warnings.push(format!("{who}: sex unknown; taken as female."));
        Sex::Female
    });
    let assumed = || {
        let a = i64::from(proband_age) + GENERATION_YEARS * generation_offset(r.relation);
        a.clamp(20, 100) as usize
    };
    let current = r.age.map(clamp_age);
    let t = &*TABLES;

    let breast = r.breast.map(|bc| match bc.age_at_diagnosis {
        Some(a) => (Event::At(clamp_age(a)), bc),
        None => {
            let by = current.unwrap_or_else(assumed);
            warnings.push(if current.is_some() {
                format!(
                    "{who}: age at breast cancer diagnosis unknown; treated as diagnosed at some \
                     age up to her current age ({by})."
                )
            } else {
                format!(
                    "{who}: age at breast cancer diagnosis and current age unknown; treated as \
                     diagnosed at some age up to {by} (assumed from her generation)."
                )
            });
            (Event::By(by), bc)
        }
    });
    let ovarian = if sex == Sex::Female {
        r.ovarian.map(|oc| match oc.age_at_diagnosis {
            Some(a) => Event::At(clamp_age(a)),
            None => {
                let by = current.unwrap_or_else(assumed);
                warnings.push(format!(
                    "{who}: age at ovarian cancer diagnosis unknown; treated as diagnosed at \
                     some age up to {by}."
                ));
                Event::By(by)
            }
        })
    } else {
        None
    };
    if breast.is_none() && ovarian.is_none() && current.is_none() {
        warnings.push(format!(
            "{who}: unaffected with unknown age; carries no information and was not used."
        ));
        return None;
    }
    // Censoring ages: unaffected for a site up to her current age, else (at least) up to the
    // diagnosis of her other cancer.
    let event_age = |e: Option<Event>| match e {
        Some(Event::At(a) | Event::By(a)) => Some(a),
        None => None,
    };
    let breast_censor = current.or(event_age(ovarian));
    let ovarian_censor = current.or(event_age(breast.map(|b| b.0)));

    if let Some((_, bc)) = breast
        && bc.bilateral
        && bc.contralateral_age.is_none()
    {
        warnings.push(format!(
            "{who}: age at contralateral breast cancer unknown; taken as synchronous with the \
             first."
        ));
    }

    let breast_table = if sex == Sex::Male {
        &t.male_breast
    } else {
        &t.breast
    };
    let mut lik = [1.0; N_GENOTYPES];
    for (g, l) in lik.iter_mut().enumerate() {
        let b = match breast {
            Some((Event::At(d), bc)) => {
                let mut x = breast_table.density(g, d);
                if bc.bilateral {
                    let c = bc.contralateral_age.map_or(d, clamp_age);
                    x *= breast_table.contralateral(g, d, c.max(d));
                }
                x
            }
            Some((Event::By(a), bc)) => {
                let x = breast_table.by_age(g, a);
                if bc.bilateral { x * x } else { x }
            }
            None => breast_censor.map_or(1.0, |c| breast_table.survival(g, c)),
        };
        let o = match (sex, ovarian) {
            (Sex::Male, _) => 1.0,
            (_, Some(Event::At(a))) => t.ovarian.density(g, a),
            (_, Some(Event::By(a))) => t.ovarian.by_age(g, a),
            (_, None) => ovarian_censor.map_or(1.0, |c| t.ovarian.survival(g, c)),
        };
        *l = b * o;
    }
    let max = lik.iter().copied().fold(0.0, f64::max);
    if max <= 0.0 || !max.is_finite() {
        return None;
    }
    for l in &mut lik {
        *l /= max;
    }
    let line = match r.relation.side() {
        Side::Maternal => Line::Maternal,
        Side::Paternal => Line::Paternal,
        Side::None => Line::Direct,
    };
    Some(Evidence {
        degree: r.relation.degree().number(),
        line,
        likelihood: lik,
    })
}

fn hrt_current_rr(kind: HrtType, duration: f64) -> f64 {
    let table = match kind {
        HrtType::Combined => &p::HRT_COMBINED_RR,
        HrtType::EstrogenOnly => &p::HRT_ESTROGEN_RR,
    };
    let idx = if duration < 1.0 {
        0
    } else if duration < 5.0 {
        1
    } else if duration < 10.0 {
        2
    } else {
        3
    };
    table[idx]
}

fn hrt_rr_by_age(input: &TcInput, warnings: &mut Vec<String>) -> [f64; N_AGES] {
    let mut rr = [1.0; N_AGES];
    let Some(hrt) = &input.hrt else {
        return rr;
    };
    let age = input.age as usize;
    let mut kind = || {
        hrt.kind.unwrap_or_else(|| {
            warnings.push("HRT type unknown; taken as combined.".to_owned());
            HrtType::Combined
        })
    };
    let former = |rr_stop: f64, since: f64| {
        if since < 5.0 {
            1.0 + p::HRT_FORMER_EXCESS_FRACTION * (rr_stop - 1.0)
        } else {
            1.0
        }
    };
    match hrt.status {
        HrtStatus::Never | HrtStatus::FormerOver5y => {}
        HrtStatus::Current => {
            let kind = kind();
            let used = hrt.years_used.unwrap_or_else(|| {
                warnings.push("HRT years of use unknown; taken as 5.".to_owned());
                5.0
            });
            let intended = hrt.intended_years.unwrap_or_else(|| {
                warnings.push("HRT intended further years unknown; taken as 5.".to_owned());
                5.0
            });
            let rr_stop = hrt_current_rr(kind, used + intended);
            for (y, a) in (age..N_AGES).enumerate() {
                let y = y as f64;
                rr[a] = if y < intended {
                    hrt_current_rr(kind, used + y)
                } else {
                    former(rr_stop, y - intended)
                };
            }
        }
        HrtStatus::FormerUnder5y => {
            let kind = kind();
            let used = hrt.years_used.unwrap_or_else(|| {
                warnings.push("HRT years of use unknown; taken as 5.".to_owned());
                5.0
            });
            let since = hrt.years_since_stopped.unwrap_or_else(|| {
                warnings.push("Years since stopping HRT unknown; taken as 2.".to_owned());
                2.0
            });
            let rr_stop = hrt_current_rr(kind, used);
            for (y, a) in (age..N_AGES).enumerate() {
                rr[a] = former(rr_stop, since + y as f64);
            }
        }
    }
    rr
}

/// Personal relative risk at every future age (ages before the proband's are unused).
fn personal_rr(input: &TcInput, warnings: &mut Vec<String>) -> [f64; N_AGES] {
    let mut unknown: Vec<&str> = Vec::new();
    let age = input.age as usize;

    let menarche = match input.menarche_age {
        Some(m) => p::MENARCHE_RR_PER_YEAR.powf(p::MENARCHE_REF_AGE - f64::from(m)),
        None => {
            unknown.push("menarche_age");
            1.0
        }
    };
    let afb_rr = |a: u32| p::FIRST_BIRTH_RR_PER_YEAR.powf(f64::from(a) - p::FIRST_BIRTH_REF_AGE);
    let parity = match (input.parity, input.first_birth_age) {
        (Some(0), _) => p::NULLIPAROUS_RR,
        (Some(n), Some(a)) => afb_rr(a) * p::PER_BIRTH_RR.powf(f64::from(n) - p::REF_BIRTHS),
        (Some(n), None) => {
            unknown.push("first_birth_age");
            p::PER_BIRTH_RR.powf(f64::from(n) - p::REF_BIRTHS)
        }
        (None, Some(a)) => {
            unknown.push("parity");
            afb_rr(a)
        }
        (None, None) => {
            unknown.push("parity");
            1.0
        }
    };
    let height = match input.height_m {
        Some(h) => {
            let h = h.clamp(1.40, 1.90);
            p::HEIGHT_RR_PER_10CM.powf((h - p::HEIGHT_REF_M) * 10.0)
        }
        None => {
            unknown.push("height_m");
            1.0
        }
    };
    let bmi = match (input.height_m, input.weight_kg) {
        (Some(h), Some(w)) => Some((w / (h * h)).clamp(15.0, 50.0)),
        _ => {
            unknown.push("BMI (height_m and weight_kg)");
            None
        }
    };
    let bbd_hyper = match input.hyperplasia {
        Hyperplasia::None => 1.0,
        Hyperplasia::Hyperplasia => p::RR_HYPERPLASIA,
        Hyperplasia::Atypical => p::RR_ATYPICAL,
        Hyperplasia::Unknown => {
            warnings.push(format!(
                "Breast biopsy with unknown result; relative risk {} applied.",
                p::RR_BIOPSY_UNKNOWN
            ));
            p::RR_BIOPSY_UNKNOWN
        }
    };
    let bbd = if input.lcis == Some(true) {
        p::RR_LCIS.max(bbd_hyper)
    } else {
        bbd_hyper
    };
    let birads = |c: usize| p::BIRADS_RR.get(c).copied().unwrap_or(1.0);
    let density = match input.density {
        None => 1.0,
        Some(TcDensity::Birads(c)) => birads(c as usize),
        Some(TcDensity::Vas(v)) => p::VAS_RR_PER_10.powf((v - p::VAS_REF) / 10.0),
        Some(TcDensity::Volpara(v)) => birads(
            p::VOLPARA_GRADE_THRESHOLDS
                .iter()
                .filter(|&&t| v >= t)
                .count(),
        ),
    };

    // Menopause: age from which the postmenopausal terms apply.
    let (meno_age, meno_known) = match (input.menopause, input.menopause_age) {
        (MenopauseStatus::Post, Some(m)) => (m as usize, true),
        (MenopauseStatus::Post, None) => {
            warnings.push("Age at menopause unknown; taken as 50 (or her age if younger).".into());
            (age.min(50), false)
        }
        (MenopauseStatus::Pre | MenopauseStatus::Peri, _) => {
            (age.max(50) + usize::from(age >= 50), false)
        }
        (MenopauseStatus::Unknown, _) => {
            warnings.push(
                "Menopausal status unknown; taken as premenopausal before 50 and postmenopausal \
                 from 50."
                    .into(),
            );
            (50, false)
        }
    };
    let meno_rr = if meno_known {
        p::MENOPAUSE_RR_PER_YEAR.powf(meno_age as f64 - p::MENOPAUSE_REF_AGE)
    } else {
        p::MENOPAUSE_RR_PER_YEAR.powf(meno_age.max(50) as f64 - p::MENOPAUSE_REF_AGE)
    };

    if !unknown.is_empty() {
        warnings.push(format!(
            "Unknown personal factors taken at the population-typical value (relative risk 1): {}.",
            unknown.join(", ")
        ));
    }

    let hrt = hrt_rr_by_age(input, warnings);
    let base = menarche * parity * height * bbd * density;
    let mut rr = [1.0; N_AGES];
    for a in age..N_AGES {
        let post = a >= meno_age;
        let bmi_rr = bmi.map_or(1.0, |b| {
            let per5 = if post {
                p::BMI_RR_PER_5_POST
            } else {
                p::BMI_RR_PER_5_PRE
            };
            per5.powf((b - p::BMI_REF) / 5.0)
        });
        let m = if post { meno_rr } else { 1.0 };
        rr[a] = base * bmi_rr * m * hrt[a];
    }
    rr
}
