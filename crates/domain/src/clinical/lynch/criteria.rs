//! NCCN *Genetic/Familial High-Risk Assessment: Colorectal, Endometrial, and Gastric* v1.2026,
//! Lynch syndrome testing criteria (HRS-2), as rules LS1–LS10.
//!
//! Source: clinical.md §3.3 "Lynch syndrome" [S26] (a third-party paraphrase of the NCCN page; the
//! wording here is our own). **A clinician must sign these off against the official NCCN PDF.**
//!
//! | Id | Criterion | Level |
//! |---|---|---|
//! | LS1 | a blood relative with a P/LP variant in MLH1, MSH2, MSH6, PMS2 or EPCAM | indicated |
//! | LS2 | personal colorectal, endometrial, gastric or other Lynch cancer diagnosed < 50 | indicated |
//! | LS3 | personal endometrial cancer at 50 or later | indicated |
//! | LS4 | personal colorectal or gastric cancer at 50 or later (category 2B) | indicated |
//! | LS5 | a first-degree relative with colorectal, endometrial or gastric cancer < 50 | indicated |
//! | LS6 | a first- or second-degree relative with two Lynch cancers (synchronous or metachronous) | indicated |
//! | LS7 | two or more first- or second-degree relatives on one side with Lynch cancers, one < 50 | indicated |
//! | LS8 | three or more first- or second-degree relatives on one side with Lynch cancers | indicated |
//! | LS9 | PREMM5 score ≥ 5 % | indicated |
//! | LS10 | PREMM5 score ≥ 2.5 % for a person without colorectal or endometrial cancer | may consider |
//!
//! Not evaluable from a `RiskProfile`: a dMMR / MSI-high tumour (indicated at any age); a warning
//! says so when the person has a Lynch-associated cancer.
//!
//! Unknown ages at diagnosis: a cancer diagnosed in someone now younger than 50 was diagnosed
//! before 50 (the rationale says so); otherwise an unknown age that could have met a criterion
//! stronger than the outcome is a warning naming the person.

use super::family::{LYNCH_GENES, LynchKind, Member};
use super::premm5::coefficients::{THRESHOLD_INDICATED, THRESHOLD_MAY_CONSIDER};
use super::premm5::mapping::Estimate;
use crate::clinical::assessment::{CriterionLevel, CriterionMet, NccnOutcome};
use crate::clinical::pedigree::Lineage;
use crate::clinical::profile::{Cancer, CancerType, Relation, RiskProfile};

/// Early-onset cut-off (diagnosed before this age).
pub const EARLY_ONSET_BELOW: i32 = 50;

/// The evaluation state: criteria met, warnings that matter below a level, notes.
#[derive(Debug, Default)]
pub struct Rules {
    /// Criteria met, in rule order.
    pub met: Vec<CriterionMet>,
    potentials: Vec<(NccnOutcome, String)>,
    /// Warnings always emitted.
    pub notes: Vec<String>,
}

impl Rules {
    fn meet(&mut self, id: &str, level: CriterionLevel, rationale: String, people: &[Relation]) {
        if self.met.iter().any(|c| c.id == id) {
            return;
        }
        let mut relatives: Vec<String> = Vec::new();
        for r in people {
            let code = r.as_str().to_owned();
            if !relatives.contains(&code) {
                relatives.push(code);
            }
        }
        self.met.push(CriterionMet {
            id: id.to_owned(),
            level,
            rationale,
            relatives,
        });
    }

    fn potential(&mut self, level: CriterionLevel, warning: String) {
        self.potentials.push((level.outcome(), warning));
    }

    /// The strongest level met.
    pub fn outcome(&self) -> NccnOutcome {
        self.met
            .iter()
            .map(|c| c.level.outcome())
            .max()
            .unwrap_or(NccnOutcome::NotMet)
    }

    /// The warnings: the potentials that could have raised the outcome, then the notes.
    pub fn warnings(&self) -> Vec<String> {
        let outcome = self.outcome();
        let mut out: Vec<String> = Vec::new();
        for w in self
            .potentials
            .iter()
            .filter(|(l, _)| *l > outcome)
            .map(|(_, w)| w)
            .chain(self.notes.iter())
        {
            if !out.contains(w) {
                out.push(w.clone());
            }
        }
        out
    }
}

/// Capitalises the first letter.
fn cap(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map_or_else(String::new, |f| f.to_uppercase().chain(c).collect())
}

fn at_age(c: &Cancer) -> String {
    c.age_at_diagnosis.map_or_else(
        || "(age at diagnosis unknown)".to_owned(),
        |a| format!("at {a}"),
    )
}

/// Evaluates LS1–LS10 (PREMM5's estimate as computed by the caller, `None` when not applicable).
pub fn evaluate(profile: &RiskProfile, members: &[Member<'_>], premm5: Option<&Estimate>) -> Rules {
    let mut r = Rules::default();
    familial_variant(profile, &mut r);
    personal(members, &mut r);
    first_degree_early(members, &mut r);
    multiple_primaries(members, &mut r);
    same_side(members, &mut r);
    model(members, premm5, &mut r);
    tumour_testing_note(members, &mut r);
    r
}

/// LS1.
fn familial_variant(profile: &RiskProfile, r: &mut Rules) {
    for rel in &profile.relatives {
        if let Some(gene) = LYNCH_GENES
            .iter()
            .find(|g| rel.genetic_tests.iter().any(|t| t.is_plp_in(g)))
        {
            r.meet(
                "LS1",
                CriterionLevel::Indicated,
                format!(
                    "{} carries a pathogenic or likely pathogenic {gene} variant (a Lynch syndrome gene): test for the familial variant.",
                    cap(&rel.relation.describe())
                ),
                &[rel.relation],
            );
        }
    }
}

/// LS2–LS4 from the proband's own cancers.
fn personal(members: &[Member<'_>], r: &mut Rules) {
    let Some(me) = members.iter().find(|m| m.relation.is_none()) else {
        return;
    };
    for (kind, c) in me.lynch_cancers() {
        let site = c.cancer_type.as_str();
        match me.diagnosed_before(c, EARLY_ONSET_BELOW) {
            Some(true) => {
                let how = if c.age_at_diagnosis.is_none() {
                    " (age at diagnosis unknown; you are under 50)"
                } else {
                    ""
                };
                r.meet(
                    "LS2",
                    CriterionLevel::Indicated,
                    format!(
                        "Your {site} cancer {}{how}: a Lynch-associated cancer before 50.",
                        at_age(c)
                    ),
                    &[],
                );
            }
            Some(false) | None => later_personal(kind, c, r),
        }
    }
}

/// LS3/LS4 for a personal cancer at 50 or later (or of unknown age in someone 50 or older).
fn later_personal(kind: LynchKind, c: &Cancer, r: &mut Rules) {
    let site = c.cancer_type.as_str();
    let unknown = if c.age_at_diagnosis.is_none() {
        " (if diagnosed before 50, LS2 applies as well)"
    } else {
        ""
    };
    match kind {
        LynchKind::Endometrial => r.meet(
            "LS3",
            CriterionLevel::Indicated,
            format!("Your endometrial cancer {}: testing is indicated at any age{unknown}.", at_age(c)),
            &[],
        ),
        LynchKind::Colorectal => r.meet(
            "LS4",
            CriterionLevel::Indicated,
            format!("Your colorectal cancer {}: testing is indicated at any age (category 2B at 50 or later){unknown}.", at_age(c)),
            &[],
        ),
        LynchKind::Other if c.cancer_type == CancerType::Gastric => r.meet(
            "LS4",
            CriterionLevel::Indicated,
            format!("Your gastric cancer {}: testing is indicated at any age (category 2B at 50 or later){unknown}.", at_age(c)),
            &[],
        ),
        LynchKind::Other if c.age_at_diagnosis.is_none() => r.potential(
            CriterionLevel::Indicated,
            format!("Your {site} cancer: age at diagnosis unknown; before 50 it would make testing indicated (LS2)."),
        ),
        LynchKind::Other => {}
    }
}

/// LS5: a first-degree relative with colorectal, endometrial or gastric cancer before 50.
fn first_degree_early(members: &[Member<'_>], r: &mut Rules) {
    for m in members.iter().filter(|m| m.degree == 1) {
        for c in m.cancers.iter().filter(|c| {
            matches!(
                c.cancer_type,
                CancerType::Colorectal | CancerType::Endometrial | CancerType::Gastric
            )
        }) {
            let site = c.cancer_type.as_str();
            match m.diagnosed_before(c, EARLY_ONSET_BELOW) {
                Some(true) => r.meet(
                    "LS5",
                    CriterionLevel::Indicated,
                    format!("{}: {site} cancer {} (before 50), a first-degree relative.", cap(&m.who()), at_age(c)),
                    &m.relation.into_iter().collect::<Vec<_>>(),
                ),
                Some(false) => {}
                None => r.potential(
                    CriterionLevel::Indicated,
                    format!("{}: {site} cancer, age at diagnosis unknown; before 50 it would make testing indicated (LS5).", cap(&m.who())),
                ),
            }
        }
    }
}

/// LS6: a first- or second-degree relative with two or more Lynch-associated cancers.
fn multiple_primaries(members: &[Member<'_>], r: &mut Rules) {
    for m in members.iter().filter(|m| m.degree > 0) {
        let sites: Vec<&str> = m
            .lynch_cancers()
            .map(|(_, c)| c.cancer_type.as_str())
            .collect();
        if sites.len() >= 2 {
            r.meet(
                "LS6",
                CriterionLevel::Indicated,
                format!(
                    "{}: two or more Lynch-associated cancers ({}), synchronous or metachronous.",
                    cap(&m.who()),
                    sites.join(", ")
                ),
                &m.relation.into_iter().collect::<Vec<_>>(),
            );
        }
    }
}

/// LS7/LS8: relatives with Lynch-associated cancers on one side of the family.
fn same_side(members: &[Member<'_>], r: &mut Rules) {
    for lineage in Lineage::BOTH {
        let affected: Vec<&Member<'_>> = members
            .iter()
            .filter(|m| m.degree > 0 && m.in_lineage(lineage) && m.lynch_cancers().next().is_some())
            .collect();
        let names = || {
            affected
                .iter()
                .map(|m| m.who())
                .collect::<Vec<_>>()
                .join("; ")
        };
        if affected.len() >= 3 {
            r.meet("LS8", CriterionLevel::Indicated, format!("Three or more first- or second-degree relatives on your {} side with Lynch-associated cancers: {}.", lineage.as_str(), names()), &relations(&affected));
        }
        if affected.len() >= 2 {
            let early: Vec<Option<bool>> = affected
                .iter()
                .flat_map(|m| {
                    m.lynch_cancers()
                        .map(|(_, c)| m.diagnosed_before(c, EARLY_ONSET_BELOW))
                })
                .collect();
            if early.contains(&Some(true)) {
                r.meet("LS7", CriterionLevel::Indicated, format!("Two or more first- or second-degree relatives on your {} side with Lynch-associated cancers, one before 50: {}.", lineage.as_str(), names()), &relations(&affected));
            } else if early.contains(&None) {
                r.potential(CriterionLevel::Indicated, format!("Relatives on your {} side with Lynch-associated cancers ({}): an age at diagnosis is unknown; one before 50 would make testing indicated (LS7).", lineage.as_str(), names()));
            }
        }
    }
}

/// LS9/LS10 from the PREMM5 score interval (percent thresholds on fractions).
fn model(members: &[Member<'_>], premm5: Option<&Estimate>, r: &mut Rules) {
    let Some(e) = premm5 else { return };
    let (low, high) = (e.low * 100.0, e.high * 100.0);
    let score = if (high - low).abs() < 1e-9 {
        format!("{low:.2} %")
    } else {
        format!("between {low:.2} % and {high:.2} % (an age at diagnosis is unknown)")
    };
    let crc_or_ec = members.iter().any(|m| {
        m.relation.is_none()
            && m.cancers.iter().any(|c| {
                matches!(
                    c.cancer_type,
                    CancerType::Colorectal | CancerType::Endometrial
                )
            })
    });
    if low >= THRESHOLD_INDICATED {
        r.meet(
            "LS9",
            CriterionLevel::Indicated,
            format!("PREMM5 score {score}: at or above 5 %."),
            &[],
        );
        return;
    }
    if high >= THRESHOLD_INDICATED {
        r.potential(
            CriterionLevel::Indicated,
            format!(
                "PREMM5 score {score}: with the unknown age(s) known, it could reach 5 % (LS9)."
            ),
        );
    }
    if crc_or_ec {
        return;
    }
    if low >= THRESHOLD_MAY_CONSIDER {
        r.meet("LS10", CriterionLevel::MayConsider, format!("PREMM5 score {score}: at or above 2.5 %, and you have had neither colorectal nor endometrial cancer."), &[]);
    } else if high >= THRESHOLD_MAY_CONSIDER {
        r.potential(
            CriterionLevel::MayConsider,
            format!(
                "PREMM5 score {score}: with the unknown age(s) known, it could reach 2.5 % (LS10)."
            ),
        );
    }
}

/// Tumour MMR / MSI status is not in the profile: say what it would change.
fn tumour_testing_note(members: &[Member<'_>], r: &mut Rules) {
    let affected = members
        .iter()
        .any(|m| m.relation.is_none() && m.lynch_cancers().next().is_some());
    if affected {
        r.potential(
            CriterionLevel::Indicated,
            "Tumour mismatch-repair (IHC) or microsatellite (MSI) results are not recorded: a dMMR or MSI-high tumour makes Lynch testing indicated at any age.".to_owned(),
        );
    }
}

/// The relations of the members (the proband has none).
fn relations(members: &[&Member<'_>]) -> Vec<Relation> {
    members.iter().filter_map(|m| m.relation).collect()
}
