//! NCCN genetic-testing criteria: *Genetic/Familial High-Risk Assessment: Breast, Ovarian,
//! Pancreatic, and Prostate* ("BOPP"), rule set pinned to **v3.2026**.
//!
//! Source: clinical.md §3 (checklist §3.3, definitions §3.2, inputs §3.4), itself built from NCCN
//! transparency documents, flash updates, Helix's v2.2026 summary and a third-party page-by-page
//! paraphrase of v3.2026 ([S26]). The rule wording here is our own paraphrase; NCCN text is not
//! reproduced. **A clinician must sign this rule set off against the official NCCN PDF.**
//!
//! Every criterion met is reported with its checklist id, its level, a one-line rationale naming
//! the people involved (relation and side) and the relation codes of the relatives involved.
//! The outcome is the strongest level met (`indicated` > `may_consider` > `not_met`);
//! informational levels (`low_yield`, `refer_only`) never raise it.
//!
//! Unknown is never silently "no": where an unknown input (an age, a receptor status, a lineage, a
//! relative's sex...) could have met a criterion stronger than the outcome reached, a warning names
//! it. Warnings that do not depend on the outcome (assumptions made, source discrepancies) are
//! always emitted.
//!
//! Implemented: G1, G5, G6, G7, B1, B2, B4–B12, B14, P0, O1–O4, Pa1, Pa2, Pr1–Pr8, L1–L6, L9, C1.
//! Not evaluable from a `RiskProfile` (inputs not carried; see clinical.md §3.4): G2 (test scope;
//! a warning is emitted instead), G3/L8/C6 (tumour testing), G4/B3 (treatment context; metastatic
//! breast cancer is covered by B2), B13 (phyllodes), Pr9 (biochemical recurrence), L7 (leukaemia
//! subtype; a warning is emitted for childhood leukaemia), C2–C5/C7 (PHTS phenotype; a warning is
//! emitted for PTEN-associated cancer combinations).
//!
//! Approximations (family criteria that need a re-rooted pedigree): G5, Pr6 and L9 test the
//! relative's *personal-history* criteria only (a relative's own family-history criteria would need
//! the relative's relatives, which relation codes to the proband only partly give). The proband's
//! own family-history criteria (B9, B10, Pr4, Pr5, O3, Pa2) cover most such families.

use serde::{Deserialize, Serialize};

use super::assessment::{CriterionLevel, CriterionMet, NccnOutcome, NccnSummary};
use super::pedigree::{Diagnosis, Lineage, PersonId, Tri, diagnoses, lineage_diagnoses};
use super::profile::{
    Cancer, CancerType, GeneticResult, Histology, ProstateRiskGroup, ReceptorStatus, Relative,
    RiskProfile, Sex,
};

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

/// Checklist order of the criteria, for stable output (clinical.md §3.3).
pub const CRITERION_ORDER: [&str; 39] = [
    "G1", "B1", "B2", "B4", "B5", "B6", "B7", "B8", "B9", "B10", "B11", "B12", "B14", "O1", "O2",
    "O3", "O4", "Pa1", "Pa2", "Pr1", "Pr2", "Pr3", "Pr4", "Pr5", "Pr6", "Pr7", "Pr8", "P0", "L1",
    "L2", "L3", "L4", "L5", "L6", "L9", "C1", "G5", "G6", "G7",
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

    /// Whether criterion `id` was met.
    pub fn has(&self, id: &str) -> bool {
        self.criteria.iter().any(|c| c.id == id)
    }

    /// The entry for criterion `id`, if met.
    pub fn get(&self, id: &str) -> Option<&CriterionMet> {
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
    breast(&mut ctx);
    ovarian(&mut ctx);
    pancreatic(&mut ctx);
    prostate(&mut ctx);
    li_fraumeni(&mut ctx);
    cowden(&mut ctx);
    relatives_meeting_criteria(&mut ctx);
    model(&mut ctx, carrier_probability);
    flags(&mut ctx);
    ctx.finish()
}

// ---------------------------------------------------------------------------------------------
// Evaluation context

struct Ctx<'a> {
    p: &'a RiskProfile,
    all: Vec<Diagnosis<'a>>,
    met: Vec<CriterionMet>,
    /// Warnings that matter only if the outcome stays below the level.
    potentials: Vec<(NccnOutcome, String)>,
    /// Warnings always emitted.
    notes: Vec<String>,
    /// Relatives named by a criterion met.
    involved: Vec<PersonId>,
}

impl<'a> Ctx<'a> {
    fn new(p: &'a RiskProfile) -> Self {
        Self {
            p,
            all: diagnoses(p),
            met: Vec::new(),
            potentials: Vec::new(),
            notes: Vec::new(),
            involved: Vec::new(),
        }
    }

    fn meet(
        &mut self,
        id: &str,
        level: CriterionLevel,
        rationale: String,
        relatives: Vec<&'static str>,
    ) {
        if self.has(id) {
            return;
        }
        self.met.push(CriterionMet {
            id: id.to_owned(),
            level,
            rationale,
            relatives: relatives.into_iter().map(str::to_owned).collect(),
        });
    }

    /// Relation codes of the relatives in `people`, one per person, in order; remembers them as
    /// involved in a criterion (for the negative-tested-relative flag).
    fn codes(&mut self, people: &[PersonId]) -> Vec<&'static str> {
        let mut seen: Vec<PersonId> = Vec::new();
        let mut out = Vec::new();
        for p in people {
            if seen.contains(p) {
                continue;
            }
            seen.push(*p);
            if let Some(r) = self.relative(*p) {
                out.push(r.relation.as_str());
                if !self.involved.contains(p) {
                    self.involved.push(*p);
                }
            }
        }
        out
    }

    fn has(&self, id: &str) -> bool {
        self.met.iter().any(|c| c.id == id)
    }

    fn any(&self, ids: &[&str]) -> bool {
        ids.iter().any(|id| self.has(id))
    }

    fn potential(&mut self, level: CriterionLevel, msg: String) {
        self.potentials.push((level.outcome(), msg));
    }

    fn note(&mut self, msg: String) {
        self.notes.push(msg);
    }

    fn proband(&self, t: CancerType) -> Vec<&'a Cancer> {
        self.p
            .proband
            .cancers
            .iter()
            .filter(|c| c.cancer_type == t)
            .collect()
    }

    fn family(&self) -> impl Iterator<Item = &Diagnosis<'a>> {
        self.all.iter().filter(|d| d.person != PersonId::Proband)
    }

    fn relative(&self, person: PersonId) -> Option<&'a Relative> {
        match person {
            PersonId::Proband => None,
            PersonId::Relative(i) => self.p.relatives.get(i),
        }
    }

    fn finish(mut self) -> NccnResult {
        self.met.sort_by_key(|c| {
            CRITERION_ORDER
                .iter()
                .position(|id| *id == c.id)
                .unwrap_or(CRITERION_ORDER.len())
        });
        let outcome = self
            .met
            .iter()
            .map(|c| c.level.outcome())
            .max()
            .unwrap_or(NccnOutcome::NotMet);
        let mut warnings: Vec<String> = Vec::new();
        for w in self.notes.into_iter().chain(
            self.potentials
                .into_iter()
                .filter(|(level, _)| *level > outcome)
                .map(|(_, m)| m),
        ) {
            if !warnings.contains(&w) {
                warnings.push(w);
            }
        }
        NccnResult {
            outcome,
            criteria: self.met,
            warnings,
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

fn at_age(c: &Cancer) -> String {
    match c.age_at_diagnosis {
        Some(a) => format!("diagnosed at {a}"),
        None => "age at diagnosis unknown".to_owned(),
    }
}

fn short(d: &Diagnosis<'_>) -> String {
    match d.cancer.age_at_diagnosis {
        Some(a) => format!("{}, {a}", d.cancer.cancer_type.as_str()),
        None => format!("{}, age unknown", d.cancer.cancer_type.as_str()),
    }
}

fn age_le(c: &Cancer, max: i32) -> Tri {
    match c.age_at_diagnosis {
        Some(a) if a <= max => Tri::Yes,
        Some(_) => Tri::No,
        None => Tri::Unknown,
    }
}

fn age_lt(c: &Cancer, below: i32) -> Tri {
    age_le(c, below - 1)
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

/// The B9 / Pr4 family feature of one relative's diagnosis: breast <= 50, male breast, ovarian,
/// pancreatic (exocrine), metastatic or high/very-high-risk prostate (clinical.md §3.3 B9, Pr4).
/// `Ok(Some(desc))` = qualifies; `Err(desc)` = could qualify but an input is unknown.
fn close_relative_feature(d: &Diagnosis<'_>) -> Result<Option<String>, String> {
    let c = d.cancer;
    match c.cancer_type {
        CancerType::Breast => {
            if d.sex == Some(Sex::Male) {
                return Ok(Some(format!("male breast cancer {}", at_age(c))));
            }
            match age_le(c, BREAST_EARLY_ONSET_MAX) {
                Tri::Yes => Ok(Some(format!(
                    "breast cancer {} (<= {BREAST_EARLY_ONSET_MAX})",
                    at_age(c)
                ))),
                Tri::Unknown => Err("breast cancer with unknown age at diagnosis (counts if <= 50)".to_owned()),
                Tri::No if d.sex.is_none() => Err(format!(
                    "breast cancer {} and sex not recorded (male breast cancer counts at any age)",
                    at_age(c)
                )),
                Tri::No => Ok(None),
            }
        }
        CancerType::Ovarian => match c.histology {
            Some(Histology::Borderline) => Err(
                "a borderline ovarian tumour (not an invasive cancer; a clinician must decide whether it counts)".to_owned(),
            ),
            _ => Ok(Some(format!("ovarian cancer {}", at_age(c)))),
        },
        CancerType::Pancreatic => match exocrine_pancreatic(c) {
            (Tri::Yes, q) => Ok(Some(format!("pancreatic cancer {}{q}", at_age(c)))),
            (Tri::Unknown, _) => Err("pancreatic cancer of `other` histology (exocrine counts)".to_owned()),
            (Tri::No, _) => Ok(None),
        },
        CancerType::Prostate => match prostate_advanced(c) {
            (Tri::Yes, what) => Ok(Some(format!("{what} {}", at_age(c)))),
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

/// Collects B9/Pr4 close-relative hits and unknowns (every listed relative is a close relative:
/// clinical.md §3.2, all relation codes are within the third degree).
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

/// Merges hits per person: `(person, who, "desc1, desc2")`.
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
    id: &str,
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
    let rel = ctx.codes(&people);
    ctx.meet(id, level, rationale, rel);
}

/// ≥ 3 breast and/or prostate diagnoses on one side of the family including the proband
/// (B10, Pr5). Returns the lineage and its diagnoses.
fn same_side_breast_prostate<'a>(ctx: &Ctx<'a>) -> Option<(Lineage, Vec<Diagnosis<'a>>)> {
    let lineages = lineage_diagnoses(ctx.p, |d| {
        matches!(
            d.cancer.cancer_type,
            CancerType::Breast | CancerType::Prostate
        )
    });
    lineages
        .into_iter()
        .filter(|(_, ds)| ds.len() >= 3)
        .max_by_key(|(_, ds)| ds.len())
}

fn meet_same_side(ctx: &mut Ctx<'_>, id: &str) {
    if let Some((lineage, ds)) = same_side_breast_prostate(ctx) {
        let list: Vec<String> = ds
            .iter()
            .map(|d| format!("{} ({})", d.who(), short(d)))
            .collect();
        let people: Vec<PersonId> = ds.iter().map(|d| d.person).collect();
        let rationale = format!(
            "{} breast/prostate cancer diagnoses on the {} side including yours: {}.",
            ds.len(),
            lineage.as_str(),
            list.join(", ")
        );
        let rel = ctx.codes(&people);
        ctx.meet(id, CriterionLevel::Indicated, rationale, rel);
    }
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
                    match gene.as_str() {
                        "TP53" => l1.push(hit),
                        "PTEN" => c1.push(hit),
                        _ => g1.push(hit),
                    }
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
    for (id, hits) in [("G1", g1), ("L1", l1), ("C1", c1)] {
        if hits.is_empty() {
            continue;
        }
        let merged = merge_hits(hits);
        let people: Vec<PersonId> = merged.iter().map(|h| h.0).collect();
        let pairs: Vec<(String, String)> = merged.into_iter().map(|(_, w, d)| (w, d)).collect();
        let mut rationale = family_rationale("Blood relative", "Blood relatives", &pairs);
        rationale.push_str(suffix);
        let rel = ctx.codes(&people);
        ctx.meet(id, CriterionLevel::Indicated, rationale, rel);
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
// Breast (CRIT-2 / CRIT-3): B1–B14

fn breast(ctx: &mut Ctx<'_>) {
    let pb = ctx.proband(CancerType::Breast);
    if pb.is_empty() {
        return;
    }
    // B1: diagnosed <= 50.
    if let Some(a) = pb
        .iter()
        .filter_map(|c| c.age_at_diagnosis)
        .filter(|a| *a <= BREAST_EARLY_ONSET_MAX)
        .min()
    {
        ctx.meet(
            "B1",
            CriterionLevel::Indicated,
            format!("Personal breast cancer diagnosed at {a} (<= {BREAST_EARLY_ONSET_MAX})."),
            vec![],
        );
    } else if pb.iter().any(|c| c.age_at_diagnosis.is_none()) {
        ctx.potential(
            CriterionLevel::Indicated,
            "Your breast cancer: age at diagnosis unknown; if <= 50, testing is indicated (B1)."
                .to_owned(),
        );
    }
    // B2: metastatic breast cancer (testing aids PARP-inhibitor decisions; systemic-therapy criterion).
    if pb.iter().any(|c| c.metastatic == Some(true)) {
        ctx.meet(
            "B2",
            CriterionLevel::Indicated,
            "Personal metastatic breast cancer: testing aids PARP-inhibitor treatment decisions."
                .to_owned(),
            vec![],
        );
    }
    // B4: triple-negative.
    let tn: Vec<Tri> = pb.iter().map(|c| triple_negative(c)).collect();
    if tn.contains(&Tri::Yes) {
        ctx.meet(
            "B4",
            CriterionLevel::Indicated,
            "Personal triple-negative breast cancer.".to_owned(),
            vec![],
        );
    } else if tn.contains(&Tri::Unknown) {
        ctx.potential(
            CriterionLevel::Indicated,
            "Your breast cancer: ER/PR/HER2 status unknown; if triple-negative, testing is indicated (B4).".to_owned(),
        );
    }
    // B5: multiple primary breast cancers (synchronous or metachronous; bilateral counts).
    if pb.len() >= 2 {
        ctx.meet(
            "B5",
            CriterionLevel::Indicated,
            format!("Multiple primary breast cancers ({} diagnoses).", pb.len()),
            vec![],
        );
    } else if pb.iter().any(|c| c.bilateral == Some(true)) {
        ctx.meet(
            "B5",
            CriterionLevel::Indicated,
            "Bilateral (multiple primary) breast cancer.".to_owned(),
            vec![],
        );
    }
    // B6: lobular breast cancer with personal or family history of diffuse gastric cancer.
    if pb.iter().any(|c| c.histology == Some(Histology::Lobular)) {
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
        } else {
            let who: Vec<String> = diffuse.iter().map(|d| d.who()).collect();
            let people: Vec<PersonId> = diffuse.iter().map(|d| d.person).collect();
            let rel = ctx.codes(&people);
            ctx.meet(
                "B6",
                CriterionLevel::Indicated,
                format!(
                    "Lobular breast cancer with diffuse gastric cancer ({}).",
                    who.join(", ")
                ),
                rel,
            );
        }
    }
    // B7: male breast cancer.
    match ctx.p.proband.sex {
        Some(Sex::Male) => ctx.meet(
            "B7",
            CriterionLevel::Indicated,
            "Personal male breast cancer.".to_owned(),
            vec![],
        ),
        None => ctx.potential(
            CriterionLevel::Indicated,
            "Your sex is not recorded: male breast cancer meets the testing criteria (B7)."
                .to_owned(),
        ),
        Some(Sex::Female) => {}
    }
    // B8: Ashkenazi Jewish ancestry.
    match ctx.p.proband.ashkenazi_jewish {
        Some(true) => ctx.meet(
            "B8",
            CriterionLevel::Indicated,
            "Personal breast cancer with Ashkenazi Jewish ancestry.".to_owned(),
            vec![],
        ),
        None => ctx.potential(
            CriterionLevel::Indicated,
            "Ashkenazi Jewish ancestry unknown: with breast cancer, it makes testing indicated (B8).".to_owned(),
        ),
        Some(false) => {}
    }
    // B9: >= 1 close relative with breast <= 50, male breast, ovarian, pancreatic, advanced prostate.
    let (hits, unknowns) = close_relative_hits(ctx);
    if hits.is_empty() {
        for u in unknowns {
            ctx.potential(
                CriterionLevel::Indicated,
                format!("{u}; with your breast cancer this would meet B9."),
            );
        }
    }
    meet_family(
        ctx,
        "B9",
        CriterionLevel::Indicated,
        "Close relative",
        "Close relatives",
        hits,
    );
    // B10: >= 3 breast/prostate diagnoses on the same side, including the patient.
    meet_same_side(ctx, "B10");
    // B12: any age + close relative with intermediate-risk intraductal/cribriform prostate cancer.
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
                    at_age(d.cancer)
                ),
            )
        })
        .collect();
    meet_family(
        ctx,
        "B12",
        CriterionLevel::MayConsider,
        "Breast cancer and a close relative",
        "Breast cancer and close relatives",
        cribriform,
    );
    // B11: <= 65 not meeting B1–B10.
    let b1_10 = ["B1", "B2", "B4", "B5", "B6", "B7", "B8", "B9", "B10"];
    if !ctx.any(&b1_10) {
        if let Some(a) = pb
            .iter()
            .filter_map(|c| c.age_at_diagnosis)
            .filter(|a| *a <= BREAST_MAY_CONSIDER_MAX)
            .min()
        {
            ctx.meet(
                "B11",
                CriterionLevel::MayConsider,
                format!("Personal breast cancer diagnosed at {a} (<= {BREAST_MAY_CONSIDER_MAX}) not meeting other breast criteria."),
                vec![],
            );
        } else if pb.iter().any(|c| c.age_at_diagnosis.is_none()) {
            ctx.potential(
                CriterionLevel::MayConsider,
                "Your breast cancer: age at diagnosis unknown; if <= 65, testing may be considered (B11).".to_owned(),
            );
        }
    }
    // B14: female breast cancer > 65 with no close relative with breast/ovarian/pancreatic/prostate.
    let all_over_65 = pb.iter().all(|c| {
        c.age_at_diagnosis
            .is_some_and(|a| a > BREAST_MAY_CONSIDER_MAX)
    });
    let bopp_family = ctx.family().any(|d| {
        matches!(
            d.cancer.cancer_type,
            CancerType::Breast
                | CancerType::Ovarian
                | CancerType::Pancreatic
                | CancerType::Prostate
        )
    });
    if ctx.p.proband.sex == Some(Sex::Female)
        && all_over_65
        && !bopp_family
        && !ctx.any(&[
            "B1", "B2", "B4", "B5", "B6", "B7", "B8", "B9", "B10", "B11", "B12",
        ])
    {
        ctx.meet(
            "B14",
            CriterionLevel::LowYield,
            "Breast cancer after 65 with no close relative with breast, ovarian, pancreatic or prostate cancer: probability of a P/LP variant < 2.5 %.".to_owned(),
            vec![],
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Ovarian (CRIT-4): O1–O4

fn ovarian(ctx: &mut Ctx<'_>) {
    for c in ctx.proband(CancerType::Ovarian) {
        if let Some(q) = epithelial_ovarian(c) {
            ctx.meet(
                "O1",
                CriterionLevel::Indicated,
                format!("Personal epithelial ovarian (incl. fallopian tube / primary peritoneal) cancer {}{q}.", at_age(c)),
                vec![],
            );
            if !q.is_empty() {
                ctx.note("Your ovarian cancer: histology unknown; counted as epithelial (O1). Confirm from pathology.".to_owned());
            }
            continue;
        }
        match c.histology {
            Some(Histology::NonEpithelial) => ctx.meet(
                "O2",
                CriterionLevel::Indicated,
                format!("Personal non-epithelial ovarian cancer {} (the criterion names SCTAT and SCCOHT; confirm the subtype).", at_age(c)),
                vec![],
            ),
            Some(Histology::Stic) => {
                // [S26] v3.2026 lists STIC as "may consider"; Helix's v2.2026 summary says
                // "indicated" (clinical.md §3.3 O4). We follow the pinned v3.2026 paraphrase.
                ctx.meet(
                    "O4",
                    CriterionLevel::MayConsider,
                    format!("Personal serous tubal intraepithelial carcinoma (STIC) {}.", at_age(c)),
                    vec![],
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
    // O3: first- or second-degree relative (third degree through two males) with epithelial ovarian.
    let mut hits = Vec::new();
    let mut unknown_lineage = Vec::new();
    for d in ctx.family() {
        let Some(q) = epithelial_ovarian(d.cancer) else {
            continue;
        };
        let Some(rel) = d.relation else { continue };
        match rel.first_or_second_degree_extended() {
            Tri::Yes => hits.push((d.person, d.who(), format!("ovarian cancer {}{q}", at_age(d.cancer)))),
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
        "O3",
        CriterionLevel::Indicated,
        "First- or second-degree relative",
        "First- or second-degree relatives",
        hits,
    );
}

// ---------------------------------------------------------------------------------------------
// Pancreatic (CRIT-5): Pa1, Pa2

fn pancreatic(ctx: &mut Ctx<'_>) {
    for c in ctx.proband(CancerType::Pancreatic) {
        match exocrine_pancreatic(c) {
            (Tri::Yes, q) => {
                ctx.meet(
                    "Pa1",
                    CriterionLevel::Indicated,
                    format!("Personal exocrine pancreatic cancer {}{q}.", at_age(c)),
                    vec![],
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
                format!("exocrine pancreatic cancer {}{q}", at_age(d.cancer)),
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
        "Pa2",
        CriterionLevel::Indicated,
        "First-degree relative",
        "First-degree relatives",
        hits,
    );
}

// ---------------------------------------------------------------------------------------------
// Prostate (CRIT-6): Pr1–Pr8, P0

fn prostate(ctx: &mut Ctx<'_>) {
    let pp = ctx.proband(CancerType::Prostate);
    if !pp.is_empty() {
        if pp.iter().any(|c| c.metastatic == Some(true)) {
            ctx.meet(
                "Pr1",
                CriterionLevel::Indicated,
                "Personal metastatic or node-positive prostate cancer.".to_owned(),
                vec![],
            );
        }
        if let Some(g) = pp.iter().find_map(|c| match c.prostate_risk_group {
            Some(ProstateRiskGroup::High) => Some("high"),
            Some(ProstateRiskGroup::VeryHigh) => Some("very-high"),
            _ => None,
        }) {
            ctx.meet(
                "Pr2",
                CriterionLevel::Indicated,
                format!("Personal {g}-risk prostate cancer."),
                vec![],
            );
        }
        if !ctx.any(&["Pr1", "Pr2"]) && pp.iter().any(|c| prostate_advanced(c).0 == Tri::Unknown) {
            ctx.potential(
                CriterionLevel::Indicated,
                "Your prostate cancer: risk group or metastatic status unknown; testing is indicated if metastatic, node-positive, high or very-high risk (Pr1, Pr2).".to_owned(),
            );
        }
        match ctx.p.proband.ashkenazi_jewish {
            Some(true) => ctx.meet(
                "Pr3",
                CriterionLevel::Indicated,
                "Personal prostate cancer with Ashkenazi Jewish ancestry.".to_owned(),
                vec![],
            ),
            None => ctx.potential(
                CriterionLevel::Indicated,
                "Ashkenazi Jewish ancestry unknown: with prostate cancer, it makes testing indicated (Pr3).".to_owned(),
            ),
            Some(false) => {}
        }
        let (hits, unknowns) = close_relative_hits(ctx);
        if hits.is_empty() {
            for u in unknowns {
                ctx.potential(
                    CriterionLevel::Indicated,
                    format!("{u}; with your prostate cancer this would meet Pr4."),
                );
            }
        }
        meet_family(
            ctx,
            "Pr4",
            CriterionLevel::Indicated,
            "Close relative",
            "Close relatives",
            hits,
        );
        meet_same_side(ctx, "Pr5");
        if pp.iter().any(|c| {
            c.prostate_risk_group == Some(ProstateRiskGroup::Intermediate)
                && c.histology == Some(Histology::IntraductalCribriform)
        }) {
            ctx.meet(
                "Pr8",
                CriterionLevel::MayConsider,
                "Personal intermediate-risk prostate cancer with intraductal/cribriform histology."
                    .to_owned(),
                vec![],
            );
        }
    }
    // Pr6: first- or second-degree relative meeting Pr1/Pr2 (relative's personal criteria).
    let mut hits = Vec::new();
    let family: Vec<Diagnosis<'_>> = ctx.family().copied().collect();
    for d in &family {
        let (t, what) = prostate_advanced(d.cancer);
        if t == Tri::No || d.cancer.cancer_type != CancerType::Prostate {
            continue;
        }
        let Some(rel) = d.relation else { continue };
        match (t, rel.first_or_second_degree_extended()) {
            (Tri::Yes, Tri::Yes) => hits.push((d.person, d.who(), format!("{what} {}", at_age(d.cancer)))),
            (Tri::No, _) | (_, Tri::No) => {}
            _ => ctx.potential(
                CriterionLevel::Indicated,
                format!(
                    "{}: {what}; testing is indicated if it was metastatic, node-positive, high or very-high risk and the relative is first/second degree (or third degree through two males) (Pr6).",
                    capitalise(&d.who())
                ),
            ),
        }
    }
    meet_family(
        ctx,
        "Pr6",
        CriterionLevel::Indicated,
        "First- or second-degree relative",
        "First- or second-degree relatives",
        hits,
    );
    if pp.is_empty() {
        return;
    }
    // Pr7: <= 55 not meeting the above.
    if !ctx.any(&["Pr1", "Pr2", "Pr3", "Pr4", "Pr5", "Pr6"]) {
        if let Some(a) = pp
            .iter()
            .filter_map(|c| c.age_at_diagnosis)
            .filter(|a| *a <= PROSTATE_MAY_CONSIDER_MAX)
            .min()
        {
            ctx.meet(
                "Pr7",
                CriterionLevel::MayConsider,
                format!("Personal prostate cancer diagnosed at {a} (<= {PROSTATE_MAY_CONSIDER_MAX}) not meeting other prostate criteria."),
                vec![],
            );
        } else if pp.iter().any(|c| c.age_at_diagnosis.is_none()) {
            ctx.potential(
                CriterionLevel::MayConsider,
                "Your prostate cancer: age at diagnosis unknown; if <= 55, testing may be considered (Pr7).".to_owned(),
            );
        }
    }
    // P0: localised low-risk (Gleason < 7) with no close relative with B/O/Pa/Pr cancer.
    let bopp_family = ctx.family().any(|d| {
        matches!(
            d.cancer.cancer_type,
            CancerType::Breast
                | CancerType::Ovarian
                | CancerType::Pancreatic
                | CancerType::Prostate
        )
    });
    if pp.iter().all(|c| {
        c.prostate_risk_group == Some(ProstateRiskGroup::Low) && c.metastatic != Some(true)
    }) && !bopp_family
        && !ctx.any(&["Pr1", "Pr2", "Pr3", "Pr4", "Pr5", "Pr6", "Pr7", "Pr8"])
    {
        ctx.meet(
            "P0",
            CriterionLevel::LowYield,
            "Localised low-risk prostate cancer with no close relative with breast, ovarian, pancreatic or prostate cancer: probability of a P/LP variant < 2.5 %.".to_owned(),
            vec![],
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
/// both breast, the first < 46.
fn chompret_multiple(cancers: &[Cancer]) -> Tri {
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
    let ages: Vec<i32> = cancers.iter().filter_map(|c| c.age_at_diagnosis).collect();
    match ages.iter().min() {
        Some(a) if *a < CHOMPRET_PROBAND_BELOW => Tri::Yes,
        _ if ages.len() < cancers.len() => Tri::Unknown,
        _ => Tri::No,
    }
}

/// Personal LFS criteria that depend on one person's own cancers only: L4, L5, L6.
fn lfs_personal(cancers: &[Cancer]) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if chompret_multiple(cancers) == Tri::Yes {
        out.push((
            "L4",
            "multiple LFS-spectrum tumours, the first before 46".to_owned(),
        ));
    }
    if let Some(c) = cancers
        .iter()
        .find(|c| c.cancer_type == CancerType::Adrenocortical)
    {
        out.push(("L5", format!("adrenocortical carcinoma {}", at_age(c))));
    }
    if let Some(a) = cancers
        .iter()
        .filter(|c| c.cancer_type == CancerType::Breast)
        .filter_map(|c| c.age_at_diagnosis)
        .filter(|a| *a < LFS_BREAST_BELOW)
        .min()
    {
        out.push((
            "L6",
            format!("breast cancer diagnosed at {a} (< {LFS_BREAST_BELOW})"),
        ));
    }
    out
}

fn li_fraumeni(ctx: &mut Ctx<'_>) {
    use super::pedigree::Degree;
    let cancers = &ctx.p.proband.cancers;
    // L2: classic LFS.
    if let Some(s) = cancers
        .iter()
        .find(|c| c.cancer_type == CancerType::Sarcoma && age_lt(c, LFS_CLASSIC_BELOW) == Tri::Yes)
    {
        let fdr_hits: Vec<&Diagnosis<'_>> = ctx
            .family()
            .filter(|d| {
                d.relation.is_some_and(|r| r.degree() == Degree::First)
                    && age_lt(d.cancer, LFS_CLASSIC_BELOW) == Tri::Yes
            })
            .collect();
        let mut found: Option<(Diagnosis<'_>, Diagnosis<'_>)> = None;
        for f in &fdr_hits {
            let side = f.side();
            let second = ctx.family().find(|d| {
                d.person != f.person
                    && d.relation.is_some_and(|r| r.degree() <= Degree::Second)
                    && (side == super::pedigree::Side::None
                        || d.side() == super::pedigree::Side::None
                        || d.side() == side)
                    && (age_lt(d.cancer, LFS_CLASSIC_BELOW) == Tri::Yes
                        || d.cancer.cancer_type == CancerType::Sarcoma)
            });
            if let Some(s2) = second {
                found = Some((**f, *s2));
                break;
            }
        }
        if let Some((f, s2)) = found {
            let rel = ctx.codes(&[f.person, s2.person]);
            ctx.meet(
                "L2",
                CriterionLevel::Indicated,
                format!(
                    "Classic Li-Fraumeni: your sarcoma {}, first-degree relative ({}) with {} cancer {}, and relative ({}) with {} cancer {}.",
                    at_age(s),
                    f.who(),
                    f.cancer.cancer_type.as_str(),
                    at_age(f.cancer),
                    s2.who(),
                    s2.cancer.cancer_type.as_str(),
                    at_age(s2.cancer)
                ),
                rel,
            );
        }
    }
    // L3: Chompret 1.
    let proband_spectrum: Vec<&Cancer> = cancers
        .iter()
        .filter(|c| lfs_spectrum(c.cancer_type) && age_lt(c, CHOMPRET_PROBAND_BELOW) == Tri::Yes)
        .collect();
    if !proband_spectrum.is_empty() {
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
            match (spectrum_ok, age_lt(d.cancer, CHOMPRET_RELATIVE_BELOW)) {
                (true, Tri::Yes) => hits.push((
                    d.person,
                    d.who(),
                    format!("{} cancer {} (< {CHOMPRET_RELATIVE_BELOW})", d.cancer.cancer_type.as_str(), at_age(d.cancer)),
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
            "L3",
            CriterionLevel::Indicated,
            "Chompret: your LFS-spectrum tumour before 46 and a first- or second-degree relative",
            "Chompret: your LFS-spectrum tumour before 46 and first- or second-degree relatives",
            hits,
        );
    }
    // L4–L6: personal.
    for (id, what) in lfs_personal(cancers) {
        ctx.meet(
            id,
            CriterionLevel::Indicated,
            format!("Personal {what}."),
            vec![],
        );
    }
    if chompret_multiple(cancers) == Tri::Unknown {
        ctx.potential(
            CriterionLevel::Indicated,
            "Your multiple cancers: some ages at diagnosis unknown; if the first LFS-spectrum tumour was before 46, testing is indicated (L4).".to_owned(),
        );
    }
    // L7 (not evaluable: leukaemia subtype not recorded): childhood leukaemia anywhere.
    let all = ctx.all.clone();
    for d in all.iter().filter(|d| {
        d.cancer.cancer_type == CancerType::Leukemia && age_lt(d.cancer, 18) == Tri::Yes
    }) {
        ctx.potential(
            CriterionLevel::Indicated,
            format!(
                "{}: childhood leukaemia; if it was hypodiploid acute lymphoblastic leukaemia, TP53 testing is indicated (L7).",
                capitalise(&d.who())
            ),
        );
    }
    // L9: untested, deceased first- or second-degree relative meeting L4–L6 personally.
    let mut hits = Vec::new();
    for (i, r) in ctx.p.relatives.iter().enumerate() {
        if r.relation.degree() > Degree::Second
            || r.alive != Some(false)
            || !r.genetic_tests.is_empty()
        {
            continue;
        }
        let crit = lfs_personal(&r.cancers);
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
        "L9",
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
// G5: first- or second-degree relative meeting a cancer-specific criterion

/// A relative's own breast criteria (B1, B4, B5, B7) and non-epithelial ovarian (O2). Systemic-
/// therapy-only criteria (B2, B3) are excluded (clinical.md §3.2). Ovarian epithelial, pancreatic
/// and prostate relatives are handled by O3, Pa2 and Pr6.
fn relative_personal(r: &Relative) -> (Vec<String>, Vec<String>) {
    let mut met = Vec::new();
    let mut unknown = Vec::new();
    let breast: Vec<&Cancer> = r
        .cancers
        .iter()
        .filter(|c| c.cancer_type == CancerType::Breast)
        .collect();
    let sex = r.relation.sex(r.sex);
    if !breast.is_empty() {
        if let Some(a) = breast
            .iter()
            .filter_map(|c| c.age_at_diagnosis)
            .filter(|a| *a <= BREAST_EARLY_ONSET_MAX)
            .min()
        {
            met.push(format!(
                "breast cancer diagnosed at {a} (<= {BREAST_EARLY_ONSET_MAX}, B1)"
            ));
        } else if breast.iter().any(|c| c.age_at_diagnosis.is_none()) {
            unknown.push("breast cancer with unknown age (B1 if <= 50)".to_owned());
        }
        if breast.iter().any(|c| triple_negative(c) == Tri::Yes) {
            met.push("triple-negative breast cancer (B4)".to_owned());
        }
        if breast.len() >= 2 || breast.iter().any(|c| c.bilateral == Some(true)) {
            met.push("multiple primary breast cancers (B5)".to_owned());
        }
        match sex {
            Some(Sex::Male) => met.push("male breast cancer (B7)".to_owned()),
            None => unknown.push("breast cancer and sex not recorded (B7 if male)".to_owned()),
            Some(Sex::Female) => {}
        }
    }
    if r.cancers.iter().any(|c| {
        c.cancer_type == CancerType::Ovarian && c.histology == Some(Histology::NonEpithelial)
    }) {
        met.push("non-epithelial ovarian cancer (O2)".to_owned());
    }
    (met, unknown)
}

fn relatives_meeting_criteria(ctx: &mut Ctx<'_>) {
    let mut hits = Vec::new();
    for (i, r) in ctx.p.relatives.iter().enumerate() {
        let (met, unknown) = relative_personal(r);
        let who = r.relation.describe();
        match r.relation.first_or_second_degree_extended() {
            Tri::Yes => {
                if met.is_empty() {
                    for u in unknown {
                        ctx.potential(
                            CriterionLevel::Indicated,
                            format!("{}: {u}; a first/second-degree relative meeting a criterion qualifies you (G5).", capitalise(&who)),
                        );
                    }
                } else {
                    hits.push((PersonId::Relative(i), who, met.join(", ")));
                }
            }
            Tri::Unknown if !met.is_empty() => ctx.potential(
                CriterionLevel::Indicated,
                format!(
                    "{}: {}; if related through two male relatives (e.g. via your paternal grandfather), this qualifies you (G5).",
                    capitalise(&who),
                    met.join(", ")
                ),
            ),
            _ => {}
        }
        if ctx.p.proband.ashkenazi_jewish == Some(true)
            && r.relation.degree() <= super::pedigree::Degree::Second
            && r.cancers
                .iter()
                .any(|c| matches!(c.cancer_type, CancerType::Breast | CancerType::Prostate))
        {
            ctx.potential(
                CriterionLevel::Indicated,
                format!(
                    "{}: breast/prostate cancer; if of Ashkenazi Jewish ancestry, the relative meets B8/Pr3 and qualifies you (G5).",
                    capitalise(&r.relation.describe())
                ),
            );
        }
    }
    meet_family(
        ctx,
        "G5",
        CriterionLevel::Indicated,
        "First- or second-degree relative meeting a testing criterion",
        "First- or second-degree relatives meeting testing criteria",
        hits,
    );
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
            "G6",
            CriterionLevel::Indicated,
            format!("Model BRCA1/2 carrier probability {:.1} % (> 5 %).", p * 100.0),
            vec![],
        ),
        Some(p) if p >= CARRIER_MAY_CONSIDER_FROM => {
            // G7 applies to unaffected people or to affected people not meeting CRIT-2 (B1–B10).
            if !ctx.any(&["B1", "B2", "B4", "B5", "B6", "B7", "B8", "B9", "B10"]) {
                ctx.meet(
                    "G7",
                    CriterionLevel::MayConsider,
                    format!("Model BRCA1/2 carrier probability {:.1} % (2.5-5 %).", p * 100.0),
                    vec![],
                );
            }
        }
        Some(_) => {}
    }
}

// ---------------------------------------------------------------------------------------------
// Flags (clinical.md §3.2): negative tested relative, limited family structure, prior testing.

fn flags(ctx: &mut Ctx<'_>) {
    use super::pedigree::Degree;
    // Negative tested first-degree relative involved in a family criterion.
    for (i, r) in ctx.p.relatives.iter().enumerate() {
        if r.relation.degree() != Degree::First || !ctx.involved.contains(&PersonId::Relative(i)) {
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
    // Limited family structure (EVAL-A): breast cancer >= 51 or prostate cancer, no relatives listed.
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
    // G2 (not evaluable): earlier negative testing of unknown scope.
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
    let any_met = ctx
        .met
        .iter()
        .any(|c| c.level.outcome() > NccnOutcome::NotMet);
    if !prior.is_empty() && any_met {
        ctx.note(format!(
            "Earlier testing ({}) without a pathogenic result: if it was limited (single gene, no deletion/duplication analysis), multigene testing is indicated (G2); test scope is not recorded.",
            prior.join(", ")
        ));
    }
}

#[cfg(test)]
mod tests;
