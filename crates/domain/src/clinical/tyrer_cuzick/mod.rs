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
//! - the same two numbers for a *population reference woman* of the same age: the population
//!   incidence itself, general-population carrier frequencies whatever the ancestry, every
//!   personal factor at its population-typical value (as IBIS v8's reference, which depends on
//!   age only);
//! - her posterior probabilities (fractions 0–1, not percent) of carrying a BRCA1 or a BRCA2
//!   pathogenic variant. `risk-profile.md`'s example `Assessment` (`0.10`, `0.21`, 1.9 / 23.9 %,
//!   population 0.99 / 13.2 %) is IBIS v8.0b's output for the published case TST_1 rounded, and
//!   there 0.10 and 0.21 are **percent** (IBIS prints 0.0998386 % and 0.214921 %; see
//!   `ibis_cases.rs`). It is not evidence for the fraction convention, which is the contract's
//!   choice; read as fractions, those two numbers are 100 times IBIS's.
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
//!    0 for the other parent's side), else carries genes at population frequency. Only the
//!    relatives in the input count: unlike IBIS v8, whose batch record always has a mother and
//!    both grandmothers, none is added (evaluated and not adopted: `docs/clinical-models.md`
//!    §10). Relatives are conditionally independent given that origin (an approximation for relatives who
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
//! The population reference reproduces IBIS v8.0b's reference woman at 30–39 (10-year within
//! 0.03 points, lifetime within 0.1), its incidence at 30–59 being IBIS's own curve
//! (`params.rs`). BRCA1/2 cumulative penetrance to 80 matches Kuchenbaecker 2017 within its
//! confidence interval; familial relative risks (versus a woman with no affected relative)
//! match the Collaborative Group 2001 meta-analysis. Ten published IBIS v8.0b cases
//! (`ibis_cases.rs`; `docs/clinical-models.md` §10) are compared with tolerances taken from
//! the measured agreement; nothing was fitted to them. Of the acceptance criteria, the lifetime
//! risk is on the same side of 20 % as IBIS for all ten, within ±1 point over 10 years for 9 and
//! within ±3 points over the lifetime for 8; carrier probabilities are 0.37–2.7 × IBIS's (§10).
//!
//! ## Unknown inputs (documented rules; each produces a warning, never silently)
//! - Personal factors left unknown take the population-typical value (RR 1).
//! - A relative's breast or ovarian cancer with unknown age at diagnosis counts as "affected by
//!   her current age" (the likelihood integrates over the diagnosis age); if her age is unknown
//!   too, by an age assumed from her generation (proband's age + 28 years per generation up,
//!   − 28 per generation down, clamped to 20–100).
//! - An unaffected relative with unknown age carries no information and is skipped. (IBIS v8
//!   counts such relatives; doing so here, with the mother and grandmothers always present,
//!   lowers the lifetime risk of three of the ten published cases below 20 % where IBIS puts
//!   them above: evaluated and not adopted, `docs/clinical-models.md` §10.)
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
mod evidence;
mod params;
mod personal;
mod validate;

#[cfg(test)]
mod ibis_cases;
#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

use super::profile::{
    BiradsDensity, HrtStatus, HrtType, Hyperplasia, MenopauseStatus, Relation, Sex,
};
use engine::{BRCA1, BRCA2, Evidence, Freqs, N_GENOTYPES, TABLES, joint};
use evidence::{Event, relative_evidence};
use params::N_AGES;
use personal::personal_rr;
use validate::validate;

/// The label every output of this module carries.
pub const MODEL_LABEL: &str = "Tyrer-Cuzick (IBIS v8-style)";

/// The age up to which the lifetime risk is computed.
pub const HORIZON_AGE: u32 = 85;

/// Youngest proband age accepted.
pub const MIN_AGE: u32 = 18;

/// Most relatives accepted in one input.
pub const MAX_RELATIVES: usize = 500;

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
    /// 10-year risk of a population reference woman of the same age (any ancestry), percent.
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

    // Population reference woman: same age, no relatives, RR 1, general-population carrier
    // frequencies whatever her ancestry (IBIS v8's reference risk depends on age only: TST_1 and
    // the Ashkenazi TST_2, both 35, get the same 0.993416 % / 13.1976 %; see `ibis_cases.rs`).
    let ref_post = proband_posterior(&Freqs::of(false), &[0.0; N_GENOTYPES], age, None);
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
