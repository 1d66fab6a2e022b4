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

mod ids;
mod relatives;

use serde::{Deserialize, Serialize};

pub use ids::CriterionId;

use super::assessment::{CriterionLevel, CriterionMet, NccnOutcome, NccnSummary};
use super::pedigree::{Diagnosis, Line, PersonId, Tri, diagnoses_seen_from};
use super::profile::{
    Cancer, CancerType, GeneticResult, Histology, ProstateRiskGroup, ReceptorStatus, Relative,
    RiskProfile, Sex,
};
use CriterionId as C;

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

/// The CRIT-2 breast criteria B1–B10 (B3 is not evaluable), which B11 and G7 require unmet.
const B1_TO_B10: [CriterionId; 9] = [
    C::B1,
    C::B2,
    C::B4,
    C::B5,
    C::B6,
    C::B7,
    C::B8,
    C::B9,
    C::B10,
];

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
    known_variants(&mut ctx);
    // G5/Pr6 first: Pr7 ("not meeting the above") must see Pr6.
    relatives::relatives_meeting_criteria(&mut ctx);
    breast(&mut ctx);
    ovarian(&mut ctx);
    pancreatic(&mut ctx);
    prostate(&mut ctx);
    li_fraumeni(&mut ctx);
    cowden(&mut ctx);
    model(&mut ctx, carrier_probability);
    low_yield(&mut ctx);
    flags(&mut ctx);
    ctx.finish()
}

// ---------------------------------------------------------------------------------------------
// Evaluation context

/// One criterion met, with the people its rationale relies on.
#[derive(Debug, Clone)]
struct Met {
    id: CriterionId,
    level: CriterionLevel,
    rationale: String,
    /// People named (relatives and, in a re-rooted evaluation, possibly the proband), in order.
    people: Vec<PersonId>,
}

/// The state of one evaluation. The *subject* is the person whose criteria are read: the proband,
/// or (for G5/Pr6) a relative seen as if they were the person; `all` holds the subject's
/// diagnoses and those of the subject's close relatives, each with its position seen from the
/// subject. Rationales always name people in the proband's terms ("maternal aunt, maternal
/// side"), and speak of the subject as "you" or "her"/"his" ([`Voice`]).
struct Ctx<'a> {
    p: &'a RiskProfile,
    subject: PersonId,
    all: Vec<Diagnosis<'a>>,
    met: Vec<Met>,
    /// Warnings that matter only if the outcome stays below the level.
    potentials: Vec<(NccnOutcome, String)>,
    /// Warnings always emitted.
    notes: Vec<String>,
}

impl<'a> Ctx<'a> {
    fn new(p: &'a RiskProfile) -> Self {
        Self::seen_from(p, PersonId::Proband)
    }

    /// A context whose subject is `subject` (a relative for G5/Pr6).
    fn seen_from(p: &'a RiskProfile, subject: PersonId) -> Self {
        Self {
            p,
            subject,
            all: diagnoses_seen_from(p, subject),
            met: Vec::new(),
            potentials: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// Records a criterion met (the first rationale for an id wins).
    fn meet(
        &mut self,
        id: CriterionId,
        level: CriterionLevel,
        rationale: String,
        people: &[PersonId],
    ) {
        if self.has(id) {
            return;
        }
        let mut unique: Vec<PersonId> = Vec::new();
        for p in people {
            if !unique.contains(p) {
                unique.push(*p);
            }
        }
        self.met.push(Met {
            id,
            level,
            rationale,
            people: unique,
        });
    }

    fn has(&self, id: CriterionId) -> bool {
        self.met.iter().any(|m| m.id == id)
    }

    fn any(&self, ids: &[CriterionId]) -> bool {
        ids.iter().any(|id| self.has(*id))
    }

    /// Whether any criterion that raises the outcome (indicated, may consider) is met.
    fn any_raising(&self) -> bool {
        self.met
            .iter()
            .any(|m| m.level.outcome() > NccnOutcome::NotMet)
    }

    fn potential(&mut self, level: CriterionLevel, msg: String) {
        self.potentials.push((level.outcome(), msg));
    }

    fn note(&mut self, msg: String) {
        self.notes.push(msg);
    }

    fn is_proband(&self) -> bool {
        self.subject == PersonId::Proband
    }

    /// The subject's cancers of type `t`.
    fn subject_cancers(&self, t: CancerType) -> Vec<&'a Cancer> {
        let cancers: &'a [Cancer] = match self.subject {
            PersonId::Proband => &self.p.proband.cancers,
            PersonId::Relative(i) => self.p.relatives.get(i).map_or(&[], |r| &r.cancers),
        };
        cancers.iter().filter(|c| c.cancer_type == t).collect()
    }

    fn subject_sex(&self) -> Option<Sex> {
        self.subject_bearer().sex
    }

    fn subject_bearer(&self) -> Bearer {
        match self.subject {
            PersonId::Proband => Bearer::proband(self.p),
            PersonId::Relative(i) => self
                .p
                .relatives
                .get(i)
                .map_or(Bearer::UNKNOWN, Bearer::relative),
        }
    }

    fn voice(&self) -> Voice {
        Voice::of(self.subject_bearer())
    }

    /// Diagnoses of the subject's close relatives (everyone in `all` but the subject).
    fn family(&self) -> impl Iterator<Item = &Diagnosis<'a>> {
        let subject = self.subject;
        self.all.iter().filter(move |d| d.person != subject)
    }

    fn relative(&self, person: PersonId) -> Option<&'a Relative> {
        match person {
            PersonId::Proband => None,
            PersonId::Relative(i) => self.p.relatives.get(i),
        }
    }

    /// Relatives named by any criterion met.
    fn involved(&self) -> Vec<PersonId> {
        let mut out: Vec<PersonId> = Vec::new();
        for p in self.met.iter().flat_map(|m| &m.people) {
            if !out.contains(p) {
                out.push(*p);
            }
        }
        out
    }

    /// Relation codes of the relatives among `people` (the proband has none), in order.
    fn codes(&self, people: &[PersonId]) -> Vec<String> {
        people
            .iter()
            .filter_map(|p| self.relative(*p).map(|r| r.relation.as_str().to_owned()))
            .collect()
    }

    fn finish(mut self) -> NccnResult {
        self.met.sort_by_key(|m| m.id);
        let outcome = self
            .met
            .iter()
            .map(|m| m.level.outcome())
            .max()
            .unwrap_or(NccnOutcome::NotMet);
        let mut warnings: Vec<String> = Vec::new();
        for w in std::mem::take(&mut self.notes).into_iter().chain(
            std::mem::take(&mut self.potentials)
                .into_iter()
                .filter(|(level, _)| *level > outcome)
                .map(|(_, m)| m),
        ) {
            if !warnings.contains(&w) {
                warnings.push(w);
            }
        }
        let criteria = self
            .met
            .iter()
            .map(|m| CriterionMet {
                id: m.id.as_str().to_owned(),
                level: m.level,
                rationale: m.rationale.clone(),
                relatives: self.codes(&m.people),
            })
            .collect();
        NccnResult {
            outcome,
            criteria,
            warnings,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The person a diagnosis belongs to: age bound and wording

/// The bearer of a cancer: what bounds an unknown age at diagnosis, and how to speak of them.
#[derive(Debug, Clone, Copy)]
struct Bearer {
    /// Current age, or age at death (risk-profile.md `age`).
    age: Option<i32>,
    alive: Option<bool>,
    sex: Option<Sex>,
    proband: bool,
}

/// An age at diagnosis as the age criteria read it (issue #15).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DxAge {
    /// Recorded.
    Known(i32),
    /// Not recorded, but no later than the bearer's age (current age or age at death).
    AtMost(i32),
    /// Neither recorded nor bounded.
    Unknown,
}

impl Bearer {
    const UNKNOWN: Bearer = Bearer {
        age: None,
        alive: None,
        sex: None,
        proband: false,
    };

    fn proband(p: &RiskProfile) -> Self {
        Self {
            age: p.proband.age,
            alive: Some(true),
            sex: p.proband.sex,
            proband: true,
        }
    }

    fn relative(r: &Relative) -> Self {
        Self {
            age: r.age,
            alive: r.alive,
            sex: r.relation.sex(r.sex),
            proband: false,
        }
    }

    fn of(d: &Diagnosis<'_>) -> Self {
        Self {
            age: d.age,
            alive: d.alive,
            sex: d.sex,
            proband: d.person == PersonId::Proband,
        }
    }

    fn dx(self, c: &Cancer) -> DxAge {
        match (c.age_at_diagnosis, self.age) {
            (Some(a), _) => DxAge::Known(a),
            (None, Some(b)) if b >= 0 => DxAge::AtMost(b),
            (None, _) => DxAge::Unknown,
        }
    }

    /// Diagnosed at or before `max`: a bounded unknown age counts when the bound is within.
    fn le(self, c: &Cancer, max: i32) -> Tri {
        match self.dx(c) {
            DxAge::Known(a) if a <= max => Tri::Yes,
            DxAge::Known(_) => Tri::No,
            DxAge::AtMost(b) if b <= max => Tri::Yes,
            DxAge::AtMost(_) | DxAge::Unknown => Tri::Unknown,
        }
    }

    /// Diagnosed before `below`.
    fn lt(self, c: &Cancer, below: i32) -> Tri {
        self.le(c, below - 1)
    }

    /// `"your"`, `"her"`, `"his"`, `"their"`.
    fn possessive(self) -> &'static str {
        match (self.proband, self.sex) {
            (true, _) => "your",
            (false, Some(Sex::Female)) => "her",
            (false, Some(Sex::Male)) => "his",
            (false, None) => "their",
        }
    }

    /// What bounds the age: `"your current age"`, `"her age at death"`...
    fn basis(self) -> String {
        let what = match (self.proband, self.alive) {
            (true, _) | (false, Some(true)) => "current age",
            (false, Some(false)) => "age at death",
            (false, None) => "recorded age",
        };
        format!("{} {what}", self.possessive())
    }

    /// `"diagnosed at 45"`, `"with age at diagnosis unknown but no later than 48 (her current
    /// age)"`, `"with age at diagnosis unknown"`.
    fn at_age(self, c: &Cancer) -> String {
        match self.dx(c) {
            DxAge::Known(a) => format!("diagnosed at {a}"),
            DxAge::AtMost(b) => format!(
                "with age at diagnosis unknown but no later than {b} ({})",
                self.basis()
            ),
            DxAge::Unknown => "with age at diagnosis unknown".to_owned(),
        }
    }

    /// `""` or `" (no later than 60, your current age)"`, for warnings about an unknown age.
    fn bound_note(self, c: &Cancer) -> String {
        match self.dx(c) {
            DxAge::AtMost(b) => format!(" (no later than {b}, {})", self.basis()),
            _ => String::new(),
        }
    }

    /// Among `cancers`, the earliest diagnosed at or before `max` (bounded ages included).
    fn earliest_within<'c>(self, cancers: &[&'c Cancer], max: i32) -> Option<&'c Cancer> {
        cancers
            .iter()
            .copied()
            .filter(|c| self.le(c, max) == Tri::Yes)
            .min_by_key(|c| c.age_at_diagnosis.or(self.age).unwrap_or(i32::MAX))
    }
}

/// How rationales speak of the subject: the proband as "you", a relative as "her"/"his".
#[derive(Debug, Clone, Copy)]
struct Voice {
    /// Starts a personal-history rationale: `"Personal"`, `"Her"`, `"His"`, `"Their"`.
    personal: &'static str,
    /// `"your"`, `"her"`...
    possessive: &'static str,
    /// `"yours"`, `"hers"`, `"his"`, `"theirs"`.
    yours: &'static str,
    /// The subject is the proband.
    proband: bool,
}

impl Voice {
    fn of(b: Bearer) -> Self {
        let (personal, yours) = match (b.proband, b.sex) {
            (true, _) => ("Personal", "yours"),
            (false, Some(Sex::Female)) => ("Her", "hers"),
            (false, Some(Sex::Male)) => ("His", "his"),
            (false, None) => ("Their", "theirs"),
        };
        Self {
            personal,
            possessive: b.possessive(),
            yours,
            proband: b.proband,
        }
    }

    /// Leads for a family criterion naming "close relatives": `"Close relative"` for the proband,
    /// `"Her close relative"` for a relative.
    fn close_relative(self, many: bool) -> String {
        let noun = if many {
            "close relatives"
        } else {
            "close relative"
        };
        if self.proband {
            capitalise(noun)
        } else {
            format!("{} {noun}", capitalise(self.possessive))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Small helpers

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// `"breast, 60"`, `"breast, bilateral, 60"`, `"prostate, age unknown"` (B10/Pr5 lists).
fn short(d: &Diagnosis<'_>) -> String {
    let bilateral = if d.cancer.bilateral == Some(true) {
        ", bilateral"
    } else {
        ""
    };
    match d.cancer.age_at_diagnosis {
        Some(a) => format!("{}{bilateral}, {a}", d.cancer.cancer_type.as_str()),
        None => format!("{}{bilateral}, age unknown", d.cancer.cancer_type.as_str()),
    }
}

/// Triple-negative: the flag, else ER/PR/HER2 all negative.
fn triple_negative(c: &Cancer) -> Tri {
    match c.triple_negative {
        Some(true) => Tri::Yes,
        Some(false) => Tri::No,
        None => {
            let r = [c.er, c.pr, c.her2];
            if r.iter().all(|x| *x == Some(ReceptorStatus::Negative)) {
                Tri::Yes
            } else if r.contains(&Some(ReceptorStatus::Positive)) {
                Tri::No
            } else {
                Tri::Unknown
            }
        }
    }
}

/// Ovarian cancer that counts as epithelial for O1/O3: epithelial (mucinous is an epithelial
/// subtype) or unknown histology (assumed; most ovarian cancers are epithelial, and relatives'
/// histology is rarely known). Returns the qualifier to print, or `None`.
fn epithelial_ovarian(c: &Cancer) -> Option<&'static str> {
    if c.cancer_type != CancerType::Ovarian {
        return None;
    }
    match c.histology {
        Some(Histology::Epithelial | Histology::Mucinous) => Some(""),
        None => Some(" (histology unknown, counted as epithelial)"),
        _ => None,
    }
}

/// Exocrine pancreatic cancer, or pancreatic of unknown histology, which clinical.md §3.2 says to
/// assume exocrine. Neuroendocrine tumours do not count. `Tri::Unknown` for `other`.
fn exocrine_pancreatic(c: &Cancer) -> (Tri, &'static str) {
    if c.cancer_type != CancerType::Pancreatic {
        return (Tri::No, "");
    }
    match c.histology {
        Some(Histology::Exocrine) => (Tri::Yes, ""),
        None => (Tri::Yes, " (histology unknown, assumed exocrine)"),
        Some(Histology::Neuroendocrine) => (Tri::No, ""),
        Some(_) => (Tri::Unknown, ""),
    }
}

/// Prostate cancer that is metastatic (incl. node-positive) or high/very-high risk.
/// A known low/intermediate risk group without a metastatic flag counts as "no" (a risk group is
/// assigned to localised disease).
fn prostate_advanced(c: &Cancer) -> (Tri, &'static str) {
    if c.cancer_type != CancerType::Prostate {
        return (Tri::No, "");
    }
    if c.metastatic == Some(true) {
        return (Tri::Yes, "metastatic prostate cancer");
    }
    match c.prostate_risk_group {
        Some(ProstateRiskGroup::VeryHigh) => (Tri::Yes, "very-high-risk prostate cancer"),
        Some(ProstateRiskGroup::High) => (Tri::Yes, "high-risk prostate cancer"),
        Some(ProstateRiskGroup::Low | ProstateRiskGroup::Intermediate) => (Tri::No, ""),
        None if c.metastatic == Some(false) => {
            (Tri::Unknown, "prostate cancer of unknown risk group")
        }
        None => (
            Tri::Unknown,
            "prostate cancer with unknown risk group and metastatic status",
        ),
    }
}

/// The B9 / Pr4 family feature of one relative's diagnosis: breast <= 50 (an unknown age bounded
/// by the relative's age counts), male breast, ovarian, pancreatic (exocrine), metastatic or
/// high/very-high-risk prostate (clinical.md §3.3 B9, Pr4).
/// `Ok(Some(desc))` = qualifies; `Err(desc)` = could qualify but an input is unknown.
fn close_relative_feature(d: &Diagnosis<'_>) -> Result<Option<String>, String> {
    let c = d.cancer;
    let b = Bearer::of(d);
    match c.cancer_type {
        CancerType::Breast => {
            if d.sex == Some(Sex::Male) {
                return Ok(Some(format!("male breast cancer {}", b.at_age(c))));
            }
            match b.le(c, BREAST_EARLY_ONSET_MAX) {
                Tri::Yes => Ok(Some(format!(
                    "breast cancer {} (<= {BREAST_EARLY_ONSET_MAX})",
                    b.at_age(c)
                ))),
                Tri::Unknown => Err(format!(
                    "breast cancer with unknown age at diagnosis{} (counts if <= {BREAST_EARLY_ONSET_MAX})",
                    b.bound_note(c)
                )),
                Tri::No if d.sex.is_none() => Err(format!(
                    "breast cancer {} and sex not recorded (male breast cancer counts at any age)",
                    b.at_age(c)
                )),
                Tri::No => Ok(None),
            }
        }
        CancerType::Ovarian => match c.histology {
            Some(Histology::Borderline) => Err(
                "a borderline ovarian tumour (not an invasive cancer; a clinician must decide whether it counts)".to_owned(),
            ),
            _ => Ok(Some(format!("ovarian cancer {}", b.at_age(c)))),
        },
        CancerType::Pancreatic => match exocrine_pancreatic(c) {
            (Tri::Yes, q) => Ok(Some(format!("pancreatic cancer {}{q}", b.at_age(c)))),
            (Tri::Unknown, _) => Err("pancreatic cancer of `other` histology (exocrine counts)".to_owned()),
            (Tri::No, _) => Ok(None),
        },
        CancerType::Prostate => match prostate_advanced(c) {
            (Tri::Yes, what) => Ok(Some(format!("{what} {}", b.at_age(c)))),
            (Tri::Unknown, what) => Err(format!("{what} (counts if metastatic, node-positive, high or very-high risk)")),
            (Tri::No, _) => Ok(None),
        },
        _ => Ok(None),
    }
}

/// Groups qualifying diagnoses per relative and writes one rationale line:
/// `"{lead} ({who}) with {desc}."` for one relative, a `;`-separated list for several.
fn family_rationale(lead_one: &str, lead_many: &str, hits: &[(String, String)]) -> String {
    match hits {
        [(who, desc)] => format!("{lead_one} ({who}) with {desc}."),
        _ => {
            let parts: Vec<String> = hits.iter().map(|(w, d)| format!("{w}: {d}")).collect();
            format!("{lead_many}: {}.", parts.join("; "))
        }
    }
}

/// Collects B9/Pr4 close-relative hits and unknowns among the subject's close relatives
/// (clinical.md §3.2: first to third degree; seen from the subject).
fn close_relative_hits(ctx: &Ctx<'_>) -> (Vec<(PersonId, String, String)>, Vec<String>) {
    let mut hits = Vec::new();
    let mut unknowns = Vec::new();
    for d in ctx.family() {
        match close_relative_feature(d) {
            Ok(Some(desc)) => hits.push((d.person, d.who(), desc)),
            Ok(None) => {}
            Err(desc) => unknowns.push(format!("{}: {desc}", capitalise(&d.who()))),
        }
    }
    (hits, unknowns)
}

/// Merges hits per person: `(person, who, "desc1 and desc2")`.
fn merge_hits(hits: Vec<(PersonId, String, String)>) -> Vec<(PersonId, String, String)> {
    let mut out: Vec<(PersonId, String, String)> = Vec::new();
    for (p, who, desc) in hits {
        if let Some(e) = out.iter_mut().find(|e| e.0 == p) {
            if !e.2.split(" and ").any(|d| d == desc) {
                e.2.push_str(" and ");
                e.2.push_str(&desc);
            }
        } else {
            out.push((p, who, desc));
        }
    }
    out
}

fn meet_family(
    ctx: &mut Ctx<'_>,
    id: CriterionId,
    level: CriterionLevel,
    lead_one: &str,
    lead_many: &str,
    hits: Vec<(PersonId, String, String)>,
) {
    if hits.is_empty() {
        return;
    }
    let hits = merge_hits(hits);
    let people: Vec<PersonId> = hits.iter().map(|h| h.0).collect();
    let pairs: Vec<(String, String)> = hits.into_iter().map(|(_, w, d)| (w, d)).collect();
    let rationale = family_rationale(lead_one, lead_many, &pairs);
    ctx.meet(id, level, rationale, &people);
}

/// B9 / Pr4: the subject's cancer and >= 1 close relative with a B9/Pr4 feature. Unknown features
/// warn with `unknown_suffix` when nothing qualifies.
fn meet_close_relative(ctx: &mut Ctx<'_>, id: CriterionId, unknown_suffix: &str) {
    let (hits, unknowns) = close_relative_hits(ctx);
    if hits.is_empty() {
        for u in unknowns {
            ctx.potential(CriterionLevel::Indicated, format!("{u}{unknown_suffix}"));
        }
    }
    let v = ctx.voice();
    meet_family(
        ctx,
        id,
        CriterionLevel::Indicated,
        &v.close_relative(false),
        &v.close_relative(true),
        hits,
    );
}

// ---------------------------------------------------------------------------------------------
// B10 / Pr5: >= 3 breast/prostate diagnoses on the same side of the family

/// How diagnoses are counted on one side of the family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Count {
    /// B10 "≥ 3 total diagnoses": primaries, a `bilateral` breast cancer counting as two, exactly
    /// as two rows do (B5 reads bilateral as multiple primaries; issue #15).
    Primaries,
    /// Pr5: one per recorded cancer (clinical.md words Pr5 as "≥ 3 close relatives"; the count of
    /// recorded diagnoses is kept pending clinical sign-off, see docs/clinical-models.md §2).
    Rows,
}

fn weight(d: &Diagnosis<'_>, count: Count) -> usize {
    let bilateral = d.cancer.cancer_type == CancerType::Breast && d.cancer.bilateral == Some(true);
    if count == Count::Primaries && bilateral {
        2
    } else {
        1
    }
}

/// Breast/prostate diagnoses counted on one of the subject's lines (B10, Pr5).
struct SameSide<'a> {
    line: Line,
    diagnoses: Vec<Diagnosis<'a>>,
    /// Weighted count ([`Count`]).
    n: usize,
    /// Whether someone other than the subject is on this line only (not on both lines).
    one_sided: bool,
}

/// The subject's line with the most breast/prostate diagnoses (the subject and relatives on both
/// lines count on each), if it reaches 3. Ties go to a line with more relatives on it alone,
/// then paternal, as before re-rooting.
fn same_side_breast_prostate<'a>(ctx: &Ctx<'a>, count: Count) -> Option<SameSide<'a>> {
    let bp: Vec<Diagnosis<'a>> = ctx
        .all
        .iter()
        .filter(|d| {
            matches!(
                d.cancer.cancer_type,
                CancerType::Breast | CancerType::Prostate
            )
        })
        .copied()
        .collect();
    [Line::LinkingParent, Line::Maternal, Line::Paternal]
        .into_iter()
        .map(|line| {
            let ds: Vec<Diagnosis<'a>> = bp.iter().copied().filter(|d| d.on_line(line)).collect();
            let n: usize = ds.iter().map(|d| weight(d, count)).sum();
            let own = ds
                .iter()
                .filter(|d| d.seen.is_some_and(|s| s.line == Some(line)))
                .count();
            (line, ds, n, own)
        })
        .filter(|(_, _, n, _)| *n >= 3)
        .max_by_key(|(_, _, n, own)| (*n, *own))
        .map(|(line, diagnoses, n, own)| SameSide {
            line,
            diagnoses,
            n,
            one_sided: own > 0,
        })
}

/// `"the maternal side"` for the proband; `"her maternal side"`, `"the side of her parent related
/// to you"` for a relative.
fn line_phrase(v: Voice, line: Line) -> String {
    match (v.proband, line) {
        (true, Line::Maternal) => "the maternal side".to_owned(),
        (true, Line::Paternal) => "the paternal side".to_owned(),
        (_, Line::Maternal) => format!("{} maternal side", v.possessive),
        (_, Line::Paternal) => format!("{} paternal side", v.possessive),
        (_, Line::LinkingParent | Line::Both) => {
            format!("the side of {} parent related to you", v.possessive)
        }
    }
}

/// Why a relative listed on one side also belongs to the other: `"; full sibling, counted on
/// both sides"`. Empty for a relative on that side only.
fn both_sides_note(ctx: &Ctx<'_>, d: &Diagnosis<'_>) -> String {
    use super::pedigree::Generation;
    use super::profile::Relation as R;
    if d.person == ctx.subject || !d.seen.is_some_and(|s| s.line == Some(Line::Both)) {
        return String::new();
    }
    if !ctx.is_proband() {
        return format!(
            "; counted on both sides of {} family",
            ctx.voice().possessive
        );
    }
    match d.relation {
        Some(R::Sister | R::Brother) => "; full sibling, counted on both sides",
        Some(r) if r.generation() == Generation::Younger => {
            "; your descendant, counted on both sides"
        }
        Some(R::Niece | R::Nephew) => "; your sibling's child, counted on both sides",
        _ => "; counted on both sides",
    }
    .to_owned()
}

/// B10 / Pr5 for the subject: `"4 breast/prostate cancer diagnoses on the paternal side including
/// yours: you (breast, 66), father, paternal side (prostate, 70), daughter (breast, 40; your
/// descendant, counted on both sides)."`. When nobody but the subject's full siblings and
/// descendants is counted, no side is named (issue #15: children were placed "on the paternal
/// side").
fn meet_same_side(ctx: &mut Ctx<'_>, id: CriterionId, count: Count) {
    let Some(side) = same_side_breast_prostate(ctx, count) else {
        return;
    };
    let list: Vec<String> = side
        .diagnoses
        .iter()
        .map(|d| {
            let s = short(d);
            format!("{} ({s}{})", d.who(), both_sides_note(ctx, d))
        })
        .collect();
    let people: Vec<PersonId> = side.diagnoses.iter().map(|d| d.person).collect();
    let v = ctx.voice();
    let where_ = if side.one_sided {
        format!("on {}", line_phrase(v, side.line))
    } else {
        let me = if v.proband { "you" } else { v.possessive };
        format!(
            "among {me} and relatives on both sides of {} family (full siblings and their children, descendants)",
            v.possessive
        )
    };
    let rationale = format!(
        "{} breast/prostate cancer diagnoses {where_} including {}: {}.",
        side.n,
        v.yours,
        list.join(", ")
    );
    ctx.meet(id, CriterionLevel::Indicated, rationale, &people);
}

// ---------------------------------------------------------------------------------------------
// G1, L1, C1: known familial variant

fn known_variants(ctx: &mut Ctx<'_>) {
    let aj = ctx.p.proband.ashkenazi_jewish == Some(true);
    let mut g1 = Vec::new();
    let mut l1 = Vec::new();
    let mut c1 = Vec::new();
    for (i, r) in ctx.p.relatives.iter().enumerate() {
        for t in &r.genetic_tests {
            let gene = t.gene.trim().to_ascii_uppercase();
            let who = r.relation.describe();
            match t.result {
                Some(res) if res.is_plp() => {
                    let hit = (PersonId::Relative(i), who, format!("a pathogenic/likely pathogenic {gene} variant"));
                    // G1 covers a P/LP variant in any cancer-susceptibility gene (clinical.md §3.3
                    // G1); TP53 and PTEN also meet their syndrome's own criterion (L1, C1).
                    match gene.as_str() {
                        "TP53" => l1.push(hit.clone()),
                        "PTEN" => c1.push(hit.clone()),
                        _ => {}
                    }
                    g1.push(hit);
                }
                Some(_) => {}
                None => ctx.potential(
                    CriterionLevel::Indicated,
                    format!(
                        "{}: {gene} test result unknown; if pathogenic, testing for the familial variant is indicated (G1).",
                        capitalise(&who)
                    ),
                ),
            }
        }
    }
    let suffix = if aj {
        " Test for the familial variant, plus the three Ashkenazi founder variants."
    } else {
        " Test for the familial variant."
    };
    for (id, hits) in [(C::G1, g1), (C::L1, l1), (C::C1, c1)] {
        if hits.is_empty() {
            continue;
        }
        let merged = merge_hits(hits);
        let people: Vec<PersonId> = merged.iter().map(|h| h.0).collect();
        let pairs: Vec<(String, String)> = merged.into_iter().map(|(_, w, d)| (w, d)).collect();
        let mut rationale = family_rationale("Blood relative", "Blood relatives", &pairs);
        rationale.push_str(suffix);
        ctx.meet(id, CriterionLevel::Indicated, rationale, &people);
    }
    for t in &ctx.p.proband.genetic_tests {
        if t.result.is_some_and(GeneticResult::is_plp) {
            let gene = t.gene.trim().to_ascii_uppercase();
            ctx.note(format!(
                "You already carry a pathogenic/likely pathogenic {gene} variant: follow gene-specific management and offer cascade testing to relatives; the testing criteria below only document history."
            ));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Breast (CRIT-2 / CRIT-3): B1–B12; B14 in `low_yield`

fn breast(ctx: &mut Ctx<'_>) {
    let pb = ctx.subject_cancers(CancerType::Breast);
    if pb.is_empty() {
        return;
    }
    b1_diagnosed_by_50(ctx, &pb);
    b2_metastatic(ctx, &pb);
    b4_triple_negative(ctx, &pb);
    b5_multiple_primaries(ctx, &pb);
    b6_lobular_with_diffuse_gastric(ctx, &pb);
    b7_male(ctx);
    b8_ashkenazi(ctx);
    meet_close_relative(ctx, C::B9, "; with your breast cancer this would meet B9.");
    meet_same_side(ctx, C::B10, Count::Primaries);
    b12_relative_cribriform_prostate(ctx);
    b11_diagnosed_by_65(ctx, &pb);
}

/// The breast criteria a relative is read on for G5 (clinical.md §3.3 CRIT-2): B1, B4–B7, B9,
/// B10. Not B2/B3 (systemic-therapy-only criteria do not qualify relatives, §3.2) and not B8 (a
/// relative's ancestry is not recorded; `relatives` warns instead).
fn breast_as_relative(ctx: &mut Ctx<'_>) {
    let pb = ctx.subject_cancers(CancerType::Breast);
    if pb.is_empty() {
        return;
    }
    b1_diagnosed_by_50(ctx, &pb);
    b4_triple_negative(ctx, &pb);
    b5_multiple_primaries(ctx, &pb);
    b6_lobular_with_diffuse_gastric(ctx, &pb);
    b7_male(ctx);
    meet_close_relative(ctx, C::B9, "");
    meet_same_side(ctx, C::B10, Count::Primaries);
}

/// B1: breast cancer diagnosed <= 50 (an unknown age counts when the person's age is <= 50).
fn b1_diagnosed_by_50(ctx: &mut Ctx<'_>, pb: &[&Cancer]) {
    let b = ctx.subject_bearer();
    if let Some(c) = b.earliest_within(pb, BREAST_EARLY_ONSET_MAX) {
        ctx.meet(
            C::B1,
            CriterionLevel::Indicated,
            format!(
                "{} breast cancer {} (<= {BREAST_EARLY_ONSET_MAX}).",
                ctx.voice().personal,
                b.at_age(c)
            ),
            &[],
        );
    } else if let Some(c) = pb
        .iter()
        .find(|c| b.le(c, BREAST_EARLY_ONSET_MAX) == Tri::Unknown)
    {
        ctx.potential(
            CriterionLevel::Indicated,
            format!(
                "Your breast cancer: age at diagnosis unknown{}; if <= {BREAST_EARLY_ONSET_MAX}, testing is indicated (B1).",
                b.bound_note(c)
            ),
        );
    }
}

/// B2: metastatic breast cancer (testing aids PARP-inhibitor decisions; systemic-therapy
/// criterion, never read for a relative).
fn b2_metastatic(ctx: &mut Ctx<'_>, pb: &[&Cancer]) {
    if pb.iter().any(|c| c.metastatic == Some(true)) {
        ctx.meet(
            C::B2,
            CriterionLevel::Indicated,
            "Personal metastatic breast cancer: testing aids PARP-inhibitor treatment decisions."
                .to_owned(),
            &[],
        );
    }
}

/// B4: triple-negative breast cancer at any age.
fn b4_triple_negative(ctx: &mut Ctx<'_>, pb: &[&Cancer]) {
    let tn: Vec<Tri> = pb.iter().map(|c| triple_negative(c)).collect();
    if tn.contains(&Tri::Yes) {
        ctx.meet(
            C::B4,
            CriterionLevel::Indicated,
            format!("{} triple-negative breast cancer.", ctx.voice().personal),
            &[],
        );
    } else if tn.contains(&Tri::Unknown) {
        ctx.potential(
            CriterionLevel::Indicated,
            "Your breast cancer: ER/PR/HER2 status unknown; if triple-negative, testing is indicated (B4).".to_owned(),
        );
    }
}

/// B5: multiple primary breast cancers (synchronous or metachronous; bilateral counts).
fn b5_multiple_primaries(ctx: &mut Ctx<'_>, pb: &[&Cancer]) {
    if pb.len() >= 2 {
        ctx.meet(
            C::B5,
            CriterionLevel::Indicated,
            format!("Multiple primary breast cancers ({} diagnoses).", pb.len()),
            &[],
        );
    } else if pb.iter().any(|c| c.bilateral == Some(true)) {
        ctx.meet(
            C::B5,
            CriterionLevel::Indicated,
            "Bilateral (multiple primary) breast cancer.".to_owned(),
            &[],
        );
    }
}

/// B6: lobular breast cancer with personal or family history of diffuse gastric cancer.
fn b6_lobular_with_diffuse_gastric(ctx: &mut Ctx<'_>, pb: &[&Cancer]) {
    if !pb.iter().any(|c| c.histology == Some(Histology::Lobular)) {
        return;
    }
    let gastric: Vec<Diagnosis<'_>> = ctx
        .all
        .iter()
        .filter(|d| d.cancer.cancer_type == CancerType::Gastric)
        .copied()
        .collect();
    let diffuse: Vec<&Diagnosis<'_>> = gastric
        .iter()
        .filter(|d| d.cancer.histology == Some(Histology::Diffuse))
        .collect();
    if diffuse.is_empty() {
        for d in gastric.iter().filter(|d| d.cancer.histology.is_none()) {
            ctx.potential(
                CriterionLevel::Indicated,
                format!(
                    "{}: gastric cancer of unknown histology; with your lobular breast cancer, testing is indicated if it was diffuse (B6).",
                    capitalise(&d.who())
                ),
            );
        }
        return;
    }
    let who: Vec<String> = diffuse.iter().map(|d| d.who()).collect();
    let people: Vec<PersonId> = diffuse.iter().map(|d| d.person).collect();
    ctx.meet(
        C::B6,
        CriterionLevel::Indicated,
        format!(
            "Lobular breast cancer with diffuse gastric cancer ({}).",
            who.join(", ")
        ),
        &people,
    );
}

/// B7: male breast cancer.
fn b7_male(ctx: &mut Ctx<'_>) {
    match ctx.subject_sex() {
        Some(Sex::Male) => ctx.meet(
            C::B7,
            CriterionLevel::Indicated,
            format!("{} male breast cancer.", ctx.voice().personal),
            &[],
        ),
        None => ctx.potential(
            CriterionLevel::Indicated,
            "Your sex is not recorded: male breast cancer meets the testing criteria (B7)."
                .to_owned(),
        ),
        Some(Sex::Female) => {}
    }
}

/// B8: breast cancer with Ashkenazi Jewish ancestry (the proband's; not recorded for relatives).
fn b8_ashkenazi(ctx: &mut Ctx<'_>) {
    match ctx.p.proband.ashkenazi_jewish {
        Some(true) => ctx.meet(
            C::B8,
            CriterionLevel::Indicated,
            "Personal breast cancer with Ashkenazi Jewish ancestry.".to_owned(),
            &[],
        ),
        None => ctx.potential(
            CriterionLevel::Indicated,
            "Ashkenazi Jewish ancestry unknown: with breast cancer, it makes testing indicated (B8).".to_owned(),
        ),
        Some(false) => {}
    }
}

/// B12: breast cancer at any age and a close relative with intermediate-risk
/// intraductal/cribriform prostate cancer (may consider).
fn b12_relative_cribriform_prostate(ctx: &mut Ctx<'_>) {
    let cribriform: Vec<(PersonId, String, String)> = ctx
        .family()
        .filter(|d| {
            d.cancer.cancer_type == CancerType::Prostate
                && d.cancer.prostate_risk_group == Some(ProstateRiskGroup::Intermediate)
                && d.cancer.histology == Some(Histology::IntraductalCribriform)
        })
        .map(|d| {
            (
                d.person,
                d.who(),
                format!(
                    "intermediate-risk intraductal/cribriform prostate cancer {}",
                    Bearer::of(d).at_age(d.cancer)
                ),
            )
        })
        .collect();
    meet_family(
        ctx,
        C::B12,
        CriterionLevel::MayConsider,
        "Breast cancer and a close relative",
        "Breast cancer and close relatives",
        cribriform,
    );
}

/// B11: breast cancer <= 65 not meeting B1–B10 (may consider; an unknown age counts when the
/// person's age is <= 65).
fn b11_diagnosed_by_65(ctx: &mut Ctx<'_>, pb: &[&Cancer]) {
    if ctx.any(&B1_TO_B10) {
        return;
    }
    let b = ctx.subject_bearer();
    if let Some(c) = b.earliest_within(pb, BREAST_MAY_CONSIDER_MAX) {
        ctx.meet(
            C::B11,
            CriterionLevel::MayConsider,
            format!(
                "Personal breast cancer {} (<= {BREAST_MAY_CONSIDER_MAX}) not meeting other breast criteria.",
                b.at_age(c)
            ),
            &[],
        );
    } else if let Some(c) = pb
        .iter()
        .find(|c| b.le(c, BREAST_MAY_CONSIDER_MAX) == Tri::Unknown)
    {
        ctx.potential(
            CriterionLevel::MayConsider,
            format!(
                "Your breast cancer: age at diagnosis unknown{}; if <= {BREAST_MAY_CONSIDER_MAX}, testing may be considered (B11).",
                b.bound_note(c)
            ),
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Ovarian (CRIT-4): O1–O4

fn ovarian(ctx: &mut Ctx<'_>) {
    ovarian_personal(ctx);
    o3_relative_with_ovarian(ctx);
}

/// O1, O2, O4 from the subject's own ovarian cancers.
fn ovarian_personal(ctx: &mut Ctx<'_>) {
    let b = ctx.subject_bearer();
    let personal = ctx.voice().personal;
    for c in ctx.subject_cancers(CancerType::Ovarian) {
        if let Some(q) = epithelial_ovarian(c) {
            ctx.meet(
                C::O1,
                CriterionLevel::Indicated,
                format!("{personal} epithelial ovarian (incl. fallopian tube / primary peritoneal) cancer {}{q}.", b.at_age(c)),
                &[],
            );
            if !q.is_empty() {
                ctx.note("Your ovarian cancer: histology unknown; counted as epithelial (O1). Confirm from pathology.".to_owned());
            }
            continue;
        }
        match c.histology {
            Some(Histology::NonEpithelial) => ctx.meet(
                C::O2,
                CriterionLevel::Indicated,
                format!("{personal} non-epithelial ovarian cancer {} (the criterion names SCTAT and SCCOHT; confirm the subtype).", b.at_age(c)),
                &[],
            ),
            Some(Histology::Stic) => {
                // [S26] v3.2026 lists STIC as "may consider"; Helix's v2.2026 summary says
                // "indicated" (clinical.md §3.3 O4). We follow the pinned v3.2026 paraphrase.
                ctx.meet(
                    C::O4,
                    CriterionLevel::MayConsider,
                    format!("{personal} serous tubal intraepithelial carcinoma (STIC) {}.", b.at_age(c)),
                    &[],
                );
                ctx.note("STIC: sources differ on the level (v3.2026 paraphrase: may consider; Helix v2.2026 summary: indicated); verify against the NCCN PDF.".to_owned());
            }
            Some(h) => ctx.potential(
                CriterionLevel::Indicated,
                format!(
                    "Your ovarian tumour ({}): outside the O1/O2 histologies (epithelial, SCTAT, SCCOHT); clinician review.",
                    serde_json::to_value(h).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
                ),
            ),
            None => {}
        }
    }
}

/// O3: first- or second-degree relative (third degree through two males) with epithelial ovarian
/// cancer.
fn o3_relative_with_ovarian(ctx: &mut Ctx<'_>) {
    let mut hits = Vec::new();
    let mut unknown_lineage = Vec::new();
    for d in ctx.family() {
        let Some(q) = epithelial_ovarian(d.cancer) else {
            continue;
        };
        let Some(rel) = d.relation else { continue };
        match rel.first_or_second_degree_extended() {
            Tri::Yes => hits.push((d.person, d.who(), format!("ovarian cancer {}{q}", Bearer::of(d).at_age(d.cancer)))),
            Tri::Unknown => unknown_lineage.push(format!(
                "{}: ovarian cancer; if related through two male relatives (e.g. via your paternal grandfather), testing is indicated (O3).",
                capitalise(&d.who())
            )),
            Tri::No => {}
        }
    }
    for u in unknown_lineage {
        ctx.potential(CriterionLevel::Indicated, u);
    }
    meet_family(
        ctx,
        C::O3,
        CriterionLevel::Indicated,
        "First- or second-degree relative",
        "First- or second-degree relatives",
        hits,
    );
}

// ---------------------------------------------------------------------------------------------
// Pancreatic (CRIT-5): Pa1, Pa2

fn pancreatic(ctx: &mut Ctx<'_>) {
    let b = ctx.subject_bearer();
    for c in ctx.subject_cancers(CancerType::Pancreatic) {
        match exocrine_pancreatic(c) {
            (Tri::Yes, q) => {
                ctx.meet(
                    C::Pa1,
                    CriterionLevel::Indicated,
                    format!("Personal exocrine pancreatic cancer {}{q}.", b.at_age(c)),
                    &[],
                );
            }
            (Tri::Unknown, _) => ctx.potential(
                CriterionLevel::Indicated,
                "Your pancreatic cancer (`other` histology): exocrine pancreatic cancer of any type meets Pa1; clinician review.".to_owned(),
            ),
            (Tri::No, _) => ctx.note(
                "Your pancreatic neuroendocrine tumour is outside this guideline (see the NCCN Neuroendocrine guideline).".to_owned(),
            ),
        }
    }
    // Pa2: first-degree relative with exocrine pancreatic cancer.
    let mut hits = Vec::new();
    let mut others = Vec::new();
    for d in ctx.family() {
        let (t, q) = exocrine_pancreatic(d.cancer);
        if t == Tri::No {
            continue;
        }
        let first = d
            .relation
            .is_some_and(|r| r.degree() == super::pedigree::Degree::First);
        if first && t == Tri::Yes {
            hits.push((
                d.person,
                d.who(),
                format!(
                    "exocrine pancreatic cancer {}{q}",
                    Bearer::of(d).at_age(d.cancer)
                ),
            ));
        } else {
            others.push(format!(
                "{}: pancreatic cancer; a clinician should review whether further family history qualifies you (Pa2 covers first-degree relatives, some second-degree relatives with additional history).",
                capitalise(&d.who())
            ));
        }
    }
    if hits.is_empty() {
        for o in others {
            ctx.potential(CriterionLevel::Indicated, o);
        }
    }
    meet_family(
        ctx,
        C::Pa2,
        CriterionLevel::Indicated,
        "First-degree relative",
        "First-degree relatives",
        hits,
    );
}

// ---------------------------------------------------------------------------------------------
// Prostate (CRIT-6): Pr1–Pr5, Pr7, Pr8; Pr6 in `relatives`, P0 in `low_yield`

fn prostate(ctx: &mut Ctx<'_>) {
    let pp = ctx.subject_cancers(CancerType::Prostate);
    if pp.is_empty() {
        return;
    }
    pr1_pr2_advanced(ctx, &pp);
    pr3_ashkenazi(ctx);
    meet_close_relative(
        ctx,
        C::Pr4,
        "; with your prostate cancer this would meet Pr4.",
    );
    meet_same_side(ctx, C::Pr5, Count::Rows);
    pr8_intermediate_cribriform(ctx, &pp);
    pr7_diagnosed_by_55(ctx, &pp);
}

/// The prostate criteria a relative is read on for Pr6 (clinical.md §3.3 Pr6: "meeting
/// Pr1–Pr5"): Pr1, Pr2, Pr4, Pr5. Not Pr3 (a relative's ancestry is not recorded).
fn prostate_as_relative(ctx: &mut Ctx<'_>) {
    let pp = ctx.subject_cancers(CancerType::Prostate);
    if pp.is_empty() {
        return;
    }
    pr1_pr2_advanced(ctx, &pp);
    meet_close_relative(ctx, C::Pr4, "");
    meet_same_side(ctx, C::Pr5, Count::Rows);
}

/// Pr1: metastatic or node-positive; Pr2: high or very-high risk group.
fn pr1_pr2_advanced(ctx: &mut Ctx<'_>, pp: &[&Cancer]) {
    let personal = ctx.voice().personal;
    if pp.iter().any(|c| c.metastatic == Some(true)) {
        ctx.meet(
            C::Pr1,
            CriterionLevel::Indicated,
            format!("{personal} metastatic or node-positive prostate cancer."),
            &[],
        );
    }
    if let Some(g) = pp.iter().find_map(|c| match c.prostate_risk_group {
        Some(ProstateRiskGroup::High) => Some("high"),
        Some(ProstateRiskGroup::VeryHigh) => Some("very-high"),
        _ => None,
    }) {
        ctx.meet(
            C::Pr2,
            CriterionLevel::Indicated,
            format!("{personal} {g}-risk prostate cancer."),
            &[],
        );
    }
    if !ctx.any(&[C::Pr1, C::Pr2]) && pp.iter().any(|c| prostate_advanced(c).0 == Tri::Unknown) {
        ctx.potential(
            CriterionLevel::Indicated,
            "Your prostate cancer: risk group or metastatic status unknown; testing is indicated if metastatic, node-positive, high or very-high risk (Pr1, Pr2).".to_owned(),
        );
    }
}

/// Pr3: prostate cancer with Ashkenazi Jewish ancestry (the proband's).
fn pr3_ashkenazi(ctx: &mut Ctx<'_>) {
    match ctx.p.proband.ashkenazi_jewish {
        Some(true) => ctx.meet(
            C::Pr3,
            CriterionLevel::Indicated,
            "Personal prostate cancer with Ashkenazi Jewish ancestry.".to_owned(),
            &[],
        ),
        None => ctx.potential(
            CriterionLevel::Indicated,
            "Ashkenazi Jewish ancestry unknown: with prostate cancer, it makes testing indicated (Pr3).".to_owned(),
        ),
        Some(false) => {}
    }
}

/// Pr8: intermediate-risk prostate cancer with intraductal/cribriform histology (may consider).
fn pr8_intermediate_cribriform(ctx: &mut Ctx<'_>, pp: &[&Cancer]) {
    if pp.iter().any(|c| {
        c.prostate_risk_group == Some(ProstateRiskGroup::Intermediate)
            && c.histology == Some(Histology::IntraductalCribriform)
    }) {
        ctx.meet(
            C::Pr8,
            CriterionLevel::MayConsider,
            "Personal intermediate-risk prostate cancer with intraductal/cribriform histology."
                .to_owned(),
            &[],
        );
    }
}

/// Pr7: prostate cancer <= 55 not meeting Pr1–Pr6 (may consider; an unknown age counts when the
/// person's age is <= 55).
fn pr7_diagnosed_by_55(ctx: &mut Ctx<'_>, pp: &[&Cancer]) {
    if ctx.any(&[C::Pr1, C::Pr2, C::Pr3, C::Pr4, C::Pr5, C::Pr6]) {
        return;
    }
    let b = ctx.subject_bearer();
    if let Some(c) = b.earliest_within(pp, PROSTATE_MAY_CONSIDER_MAX) {
        ctx.meet(
            C::Pr7,
            CriterionLevel::MayConsider,
            format!(
                "Personal prostate cancer {} (<= {PROSTATE_MAY_CONSIDER_MAX}) not meeting other prostate criteria.",
                b.at_age(c)
            ),
            &[],
        );
    } else if let Some(c) = pp
        .iter()
        .find(|c| b.le(c, PROSTATE_MAY_CONSIDER_MAX) == Tri::Unknown)
    {
        ctx.potential(
            CriterionLevel::MayConsider,
            format!(
                "Your prostate cancer: age at diagnosis unknown{}; if <= {PROSTATE_MAY_CONSIDER_MAX}, testing may be considered (Pr7).",
                b.bound_note(c)
            ),
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Low yield (CRIT-3): B14, P0 — "< 2.5 % probability, testing not indicated"

/// B14 and P0 state that testing is *not* indicated, so they are reported only when no criterion
/// that raises the outcome is met (issue #15: B14 was listed next to G1).
fn low_yield(ctx: &mut Ctx<'_>) {
    if ctx.any_raising() {
        return;
    }
    let bopp_family = ctx.family().any(|d| {
        matches!(
            d.cancer.cancer_type,
            CancerType::Breast
                | CancerType::Ovarian
                | CancerType::Pancreatic
                | CancerType::Prostate
        )
    });
    if bopp_family {
        return;
    }
    // B14: female breast cancer > 65 with no close relative with B/O/Pa/Pr cancer.
    let pb = ctx.subject_cancers(CancerType::Breast);
    let all_over_65 = pb.iter().all(|c| {
        c.age_at_diagnosis
            .is_some_and(|a| a > BREAST_MAY_CONSIDER_MAX)
    });
    if !pb.is_empty() && ctx.subject_sex() == Some(Sex::Female) && all_over_65 {
        ctx.meet(
            C::B14,
            CriterionLevel::LowYield,
            "Breast cancer after 65 with no close relative with breast, ovarian, pancreatic or prostate cancer: probability of a P/LP variant < 2.5 %.".to_owned(),
            &[],
        );
    }
    // P0: localised low-risk (Gleason < 7) prostate cancer with no close relative with B/O/Pa/Pr.
    let pp = ctx.subject_cancers(CancerType::Prostate);
    if !pp.is_empty()
        && pp.iter().all(|c| {
            c.prostate_risk_group == Some(ProstateRiskGroup::Low) && c.metastatic != Some(true)
        })
    {
        ctx.meet(
            C::P0,
            CriterionLevel::LowYield,
            "Localised low-risk prostate cancer with no close relative with breast, ovarian, pancreatic or prostate cancer: probability of a P/LP variant < 2.5 %.".to_owned(),
            &[],
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Li-Fraumeni / TP53 (CRIT-7): L2–L6, L9 (L1 in known_variants)

/// LFS-spectrum tumours (clinical.md §3.3 L3): soft-tissue sarcoma / osteosarcoma (`sarcoma`),
/// CNS tumour (`brain`), breast cancer, adrenocortical carcinoma.
fn lfs_spectrum(t: CancerType) -> bool {
    matches!(
        t,
        CancerType::Sarcoma | CancerType::Brain | CancerType::Breast | CancerType::Adrenocortical
    )
}

/// Chompret 2 (L4) on one person's cancers: >= 2 tumours, two of them in the spectrum and not
/// both breast, the first < 46 (an unknown age counts when the person's age is below 46).
fn chompret_multiple(cancers: &[Cancer], b: Bearer) -> Tri {
    let spectrum: Vec<&Cancer> = cancers
        .iter()
        .filter(|c| lfs_spectrum(c.cancer_type))
        .collect();
    let non_breast = spectrum
        .iter()
        .filter(|c| c.cancer_type != CancerType::Breast)
        .count();
    if spectrum.len() < 2 || non_breast == 0 {
        return Tri::No;
    }
    let first_before: Vec<Tri> = cancers
        .iter()
        .map(|c| b.lt(c, CHOMPRET_PROBAND_BELOW))
        .collect();
    if first_before.contains(&Tri::Yes) {
        Tri::Yes
    } else if first_before.contains(&Tri::Unknown) {
        Tri::Unknown
    } else {
        Tri::No
    }
}

/// Personal LFS criteria that depend on one person's own cancers only: L4, L5, L6.
fn lfs_personal(cancers: &[Cancer], b: Bearer) -> Vec<(CriterionId, String)> {
    let mut out = Vec::new();
    if chompret_multiple(cancers, b) == Tri::Yes {
        out.push((
            C::L4,
            "multiple LFS-spectrum tumours, the first before 46".to_owned(),
        ));
    }
    if let Some(c) = cancers
        .iter()
        .find(|c| c.cancer_type == CancerType::Adrenocortical)
    {
        out.push((C::L5, format!("adrenocortical carcinoma {}", b.at_age(c))));
    }
    let breast: Vec<&Cancer> = cancers
        .iter()
        .filter(|c| c.cancer_type == CancerType::Breast)
        .collect();
    if let Some(c) = b.earliest_within(&breast, LFS_BREAST_BELOW - 1) {
        out.push((
            C::L6,
            format!("breast cancer {} (< {LFS_BREAST_BELOW})", b.at_age(c)),
        ));
    }
    out
}

fn li_fraumeni(ctx: &mut Ctx<'_>) {
    l2_classic(ctx);
    l3_chompret_family(ctx);
    let b = ctx.subject_bearer();
    let cancers = &ctx.p.proband.cancers;
    for (id, what) in lfs_personal(cancers, b) {
        ctx.meet(
            id,
            CriterionLevel::Indicated,
            format!("Personal {what}."),
            &[],
        );
    }
    if chompret_multiple(cancers, b) == Tri::Unknown {
        ctx.potential(
            CriterionLevel::Indicated,
            "Your multiple cancers: some ages at diagnosis unknown; if the first LFS-spectrum tumour was before 46, testing is indicated (L4).".to_owned(),
        );
    }
    l7_childhood_leukaemia(ctx);
    l9_deceased_relative(ctx);
}

/// L2: classic LFS: sarcoma < 45, a first-degree relative with cancer < 45, and a further
/// first- or second-degree relative in the same lineage with cancer < 45 or sarcoma.
fn l2_classic(ctx: &mut Ctx<'_>) {
    use super::pedigree::{Degree, Side};
    let b = ctx.subject_bearer();
    let Some(s) =
        ctx.p.proband.cancers.iter().find(|c| {
            c.cancer_type == CancerType::Sarcoma && b.lt(c, LFS_CLASSIC_BELOW) == Tri::Yes
        })
    else {
        return;
    };
    let before_45 = |d: &Diagnosis<'_>| Bearer::of(d).lt(d.cancer, LFS_CLASSIC_BELOW) == Tri::Yes;
    let mut found: Option<(Diagnosis<'_>, Diagnosis<'_>)> = None;
    for f in ctx
        .family()
        .filter(|d| d.relation.is_some_and(|r| r.degree() == Degree::First) && before_45(d))
    {
        let side = f.side();
        let second = ctx.family().find(|d| {
            d.person != f.person
                && d.relation.is_some_and(|r| r.degree() <= Degree::Second)
                && (side == Side::None || d.side() == Side::None || d.side() == side)
                && (before_45(d) || d.cancer.cancer_type == CancerType::Sarcoma)
        });
        if let Some(s2) = second {
            found = Some((*f, *s2));
            break;
        }
    }
    let Some((f, s2)) = found else { return };
    ctx.meet(
        C::L2,
        CriterionLevel::Indicated,
        format!(
            "Classic Li-Fraumeni: your sarcoma {}, first-degree relative ({}) with {} cancer {}, and relative ({}) with {} cancer {}.",
            b.at_age(s),
            f.who(),
            f.cancer.cancer_type.as_str(),
            Bearer::of(&f).at_age(f.cancer),
            s2.who(),
            s2.cancer.cancer_type.as_str(),
            Bearer::of(&s2).at_age(s2.cancer)
        ),
        &[f.person, s2.person],
    );
}

/// L3: Chompret 1: an LFS-spectrum tumour < 46 and a first- or second-degree relative with a
/// spectrum tumour < 56 (not breast if the proband's is breast) or with multiple primaries.
fn l3_chompret_family(ctx: &mut Ctx<'_>) {
    use super::pedigree::Degree;
    let b = ctx.subject_bearer();
    let proband_spectrum: Vec<&Cancer> = ctx
        .p
        .proband
        .cancers
        .iter()
        .filter(|c| lfs_spectrum(c.cancer_type) && b.lt(c, CHOMPRET_PROBAND_BELOW) == Tri::Yes)
        .collect();
    if proband_spectrum.is_empty() {
        return;
    }
    let only_breast = proband_spectrum
        .iter()
        .all(|c| c.cancer_type == CancerType::Breast);
    let mut hits = Vec::new();
    let mut unknown = Vec::new();
    for d in ctx.family() {
        let Some(rel) = d.relation else { continue };
        if rel.degree() > Degree::Second {
            continue;
        }
        let multiple = ctx.relative(d.person).is_some_and(|r| r.cancers.len() >= 2);
        let spectrum_ok = lfs_spectrum(d.cancer.cancer_type)
            && !(only_breast && d.cancer.cancer_type == CancerType::Breast);
        let bd = Bearer::of(d);
        match (spectrum_ok, bd.lt(d.cancer, CHOMPRET_RELATIVE_BELOW)) {
            (true, Tri::Yes) => hits.push((
                d.person,
                d.who(),
                format!("{} cancer {} (< {CHOMPRET_RELATIVE_BELOW})", d.cancer.cancer_type.as_str(), bd.at_age(d.cancer)),
            )),
            _ if multiple => hits.push((d.person, d.who(), "multiple primary cancers".to_owned())),
            (true, Tri::Unknown) => unknown.push(format!(
                "{}: {} cancer with unknown age; if < 56, with your LFS-spectrum tumour before 46 this meets Chompret criteria (L3).",
                capitalise(&d.who()),
                d.cancer.cancer_type.as_str()
            )),
            _ => {}
        }
    }
    if hits.is_empty() {
        for u in unknown {
            ctx.potential(CriterionLevel::Indicated, u);
        }
    }
    meet_family(
        ctx,
        C::L3,
        CriterionLevel::Indicated,
        "Chompret: your LFS-spectrum tumour before 46 and a first- or second-degree relative",
        "Chompret: your LFS-spectrum tumour before 46 and first- or second-degree relatives",
        hits,
    );
}

/// L7 (not evaluable: leukaemia subtype not recorded): childhood leukaemia anywhere warns.
fn l7_childhood_leukaemia(ctx: &mut Ctx<'_>) {
    let childhood: Vec<String> = ctx
        .all
        .iter()
        .filter(|d| {
            d.cancer.cancer_type == CancerType::Leukemia
                && Bearer::of(d).lt(d.cancer, 18) == Tri::Yes
        })
        .map(|d| capitalise(&d.who()))
        .collect();
    for who in childhood {
        ctx.potential(
            CriterionLevel::Indicated,
            format!(
                "{who}: childhood leukaemia; if it was hypodiploid acute lymphoblastic leukaemia, TP53 testing is indicated (L7)."
            ),
        );
    }
}

/// L9: untested, deceased first- or second-degree relative meeting L4–L6 personally.
fn l9_deceased_relative(ctx: &mut Ctx<'_>) {
    use super::pedigree::Degree;
    let mut hits = Vec::new();
    for (i, r) in ctx.p.relatives.iter().enumerate() {
        if r.relation.degree() > Degree::Second
            || r.alive != Some(false)
            || !r.genetic_tests.is_empty()
        {
            continue;
        }
        let crit = lfs_personal(&r.cancers, Bearer::relative(r));
        if !crit.is_empty() {
            let what: Vec<String> = crit.iter().map(|(id, w)| format!("{w} ({id})")).collect();
            hits.push((
                PersonId::Relative(i),
                r.relation.describe(),
                what.join(", "),
            ));
        }
    }
    meet_family(
        ctx,
        C::L9,
        CriterionLevel::Indicated,
        "Untested, deceased relative",
        "Untested, deceased relatives",
        hits,
    );
}

// ---------------------------------------------------------------------------------------------
// Cowden / PHTS (CRIT-8): C1 in known_variants; phenotype criteria not carried.

fn cowden(ctx: &mut Ctx<'_>) {
    // PTEN-associated cancers among the Pilarski 2013 major (breast, endometrial, follicular
    // thyroid) and minor (colon, renal cell, papillary thyroid) criteria (clinical.md §3.3 CRIT-8A [R]).
    let mut sites: Vec<&'static str> = Vec::new();
    for c in &ctx.p.proband.cancers {
        let s = match c.cancer_type {
            CancerType::Breast => "breast",
            CancerType::Endometrial => "endometrial",
            CancerType::Thyroid => "thyroid",
            CancerType::Kidney => "kidney",
            CancerType::Colorectal => "colorectal",
            _ => continue,
        };
        if !sites.contains(&s) {
            sites.push(s);
        }
    }
    if sites.len() >= 2 {
        ctx.potential(
            CriterionLevel::Indicated,
            format!(
                "Your {} cancers are PTEN-associated: assess the Cowden/PHTS clinical criteria (CRIT-8A: macrocephaly, mucocutaneous lesions and others are not recorded) (C3, C4).",
                sites.join(" and ")
            ),
        );
    }
}

// ---------------------------------------------------------------------------------------------
// G6, G7: model carrier probability

fn model(ctx: &mut Ctx<'_>, carrier_probability: Option<f64>) {
    match carrier_probability {
        None => ctx.potential(
            CriterionLevel::Indicated,
            "No model BRCA1/2 carrier probability was supplied: G6 (> 5 %) and G7 (2.5-5 %) were not evaluated.".to_owned(),
        ),
        Some(p) if !p.is_finite() || !(0.0..=1.0).contains(&p) => ctx.note(format!(
            "Model carrier probability {p} is outside 0..1 (a fraction is expected, e.g. 0.05 for 5 %); G6/G7 were not evaluated."
        )),
        Some(p) if p > CARRIER_INDICATED_ABOVE => ctx.meet(
            C::G6,
            CriterionLevel::Indicated,
            format!("Model BRCA1/2 carrier probability {:.1} % (> 5 %).", p * 100.0),
            &[],
        ),
        Some(p) if p >= CARRIER_MAY_CONSIDER_FROM => {
            // G7 applies to unaffected people or to affected people not meeting CRIT-2 (B1–B10).
            if !ctx.any(&B1_TO_B10) {
                ctx.meet(
                    C::G7,
                    CriterionLevel::MayConsider,
                    format!("Model BRCA1/2 carrier probability {:.1} % (2.5-5 %).", p * 100.0),
                    &[],
                );
            }
        }
        Some(_) => {}
    }
}

// ---------------------------------------------------------------------------------------------
// Flags (clinical.md §3.2): negative tested relative, limited family structure, prior testing.

fn flags(ctx: &mut Ctx<'_>) {
    negative_tested_relative(ctx);
    limited_family_structure(ctx);
    prior_testing(ctx);
}

/// A first-degree relative named by a criterion met who tested negative: informational, never
/// an exclusion (clinical.md §3.2 "Negative tested relative").
fn negative_tested_relative(ctx: &mut Ctx<'_>) {
    use super::pedigree::Degree;
    let involved = ctx.involved();
    for (i, r) in ctx.p.relatives.iter().enumerate() {
        if r.relation.degree() != Degree::First || !involved.contains(&PersonId::Relative(i)) {
            continue;
        }
        let negative = !r.genetic_tests.is_empty()
            && r.genetic_tests.iter().all(|t| {
                matches!(
                    t.result,
                    Some(
                        GeneticResult::Negative
                            | GeneticResult::Benign
                            | GeneticResult::LikelyBenign
                    )
                )
            });
        if negative {
            let genes: Vec<String> = r
                .genetic_tests
                .iter()
                .map(|t| t.gene.trim().to_ascii_uppercase())
                .collect();
            let msg = format!(
                "{} tested negative ({}): if that testing was comprehensive and there is no other family history, the yield of testing you is low.",
                capitalise(&r.relation.describe()),
                genes.join(", ")
            );
            ctx.note(msg);
        }
    }
}

/// EVAL-A: breast cancer >= 51 or prostate cancer, and no relatives listed.
fn limited_family_structure(ctx: &mut Ctx<'_>) {
    let late_breast = ctx.p.proband.cancers.iter().any(|c| {
        c.cancer_type == CancerType::Breast
            && c.age_at_diagnosis
                .is_some_and(|a| a > BREAST_EARLY_ONSET_MAX)
    });
    let prostate = ctx
        .p
        .proband
        .cancers
        .iter()
        .any(|c| c.cancer_type == CancerType::Prostate);
    if (late_breast || prostate) && ctx.p.relatives.is_empty() {
        ctx.potential(
            CriterionLevel::Indicated,
            "No family history recorded: with breast cancer at >= 51 or prostate cancer, NCCN asks to consider an unknown or limited family structure (clinician review).".to_owned(),
        );
    }
}

/// G2 (not evaluable): earlier testing without a pathogenic result, scope not recorded.
fn prior_testing(ctx: &mut Ctx<'_>) {
    let prior: Vec<String> = ctx
        .p
        .proband
        .genetic_tests
        .iter()
        .filter(|t| {
            matches!(
                t.result,
                Some(
                    GeneticResult::Negative
                        | GeneticResult::Benign
                        | GeneticResult::LikelyBenign
                        | GeneticResult::Vus
                )
            )
        })
        .map(|t| t.gene.trim().to_ascii_uppercase())
        .collect();
    if !prior.is_empty() && ctx.any_raising() {
        ctx.note(format!(
            "Earlier testing ({}) without a pathogenic result: if it was limited (single gene, no deletion/duplication analysis), multigene testing is indicated (G2); test scope is not recorded.",
            prior.join(", ")
        ));
    }
}

#[cfg(test)]
mod tests;
