//! The state of one evaluation: the subject, their diagnoses seen from them, the criteria met so
//! far and the warnings; [`Ctx::finish`] turns it into the [`NccnResult`].

use super::NccnResult;
use super::bearer::Bearer;
use super::ids::CriterionId;
use super::voice::Voice;
use crate::clinical::assessment::{CriterionLevel, CriterionMet, NccnOutcome};
use crate::clinical::pedigree::{Diagnosis, PersonId, diagnoses_seen_from};
use crate::clinical::profile::{Cancer, CancerType, Relative, RiskProfile, Sex};

/// One criterion met, with the people its rationale relies on.
#[derive(Debug, Clone)]
pub(super) struct Met {
    pub(super) id: CriterionId,
    pub(super) level: CriterionLevel,
    pub(super) rationale: String,
    /// People named (relatives and, in a re-rooted evaluation, possibly the proband), in order.
    pub(super) people: Vec<PersonId>,
}

/// The state of one evaluation. The *subject* is the person whose criteria are read: the proband,
/// or (for G5/Pr6) a relative seen as if they were the person; `all` holds the subject's
/// diagnoses and those of the subject's close relatives, each with its position seen from the
/// subject. Rationales always name people in the proband's terms ("maternal aunt, maternal
/// side"), and speak of the subject as "you" or "her"/"his" ([`Voice`]).
pub(super) struct Ctx<'a> {
    pub(super) p: &'a RiskProfile,
    pub(super) subject: PersonId,
    pub(super) all: Vec<Diagnosis<'a>>,
    pub(super) met: Vec<Met>,
    /// Warnings that matter only if the outcome stays below the level.
    potentials: Vec<(NccnOutcome, String)>,
    /// Warnings always emitted.
    notes: Vec<String>,
}

impl<'a> Ctx<'a> {
    pub(super) fn new(p: &'a RiskProfile) -> Self {
        Self::seen_from(p, PersonId::Proband)
    }

    /// A context whose subject is `subject` (a relative for G5/Pr6).
    pub(super) fn seen_from(p: &'a RiskProfile, subject: PersonId) -> Self {
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
    pub(super) fn meet(
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

    pub(super) fn has(&self, id: CriterionId) -> bool {
        self.met.iter().any(|m| m.id == id)
    }

    pub(super) fn any(&self, ids: &[CriterionId]) -> bool {
        ids.iter().any(|id| self.has(*id))
    }

    /// Whether any criterion that raises the outcome (indicated, may consider) is met.
    pub(super) fn any_raising(&self) -> bool {
        self.met
            .iter()
            .any(|m| m.level.outcome() > NccnOutcome::NotMet)
    }

    pub(super) fn potential(&mut self, level: CriterionLevel, msg: String) {
        self.potentials.push((level.outcome(), msg));
    }

    pub(super) fn note(&mut self, msg: String) {
        self.notes.push(msg);
    }

    pub(super) fn is_proband(&self) -> bool {
        self.subject == PersonId::Proband
    }

    /// The subject's cancers of type `t`.
    pub(super) fn subject_cancers(&self, t: CancerType) -> Vec<&'a Cancer> {
        let cancers: &'a [Cancer] = match self.subject {
            PersonId::Proband => &self.p.proband.cancers,
            PersonId::Relative(i) => self.p.relatives.get(i).map_or(&[], |r| &r.cancers),
        };
        cancers.iter().filter(|c| c.cancer_type == t).collect()
    }

    pub(super) fn subject_sex(&self) -> Option<Sex> {
        self.subject_bearer().sex
    }

    pub(super) fn subject_bearer(&self) -> Bearer {
        match self.subject {
            PersonId::Proband => Bearer::proband(self.p),
            PersonId::Relative(i) => self
                .p
                .relatives
                .get(i)
                .map_or(Bearer::UNKNOWN, Bearer::relative),
        }
    }

    pub(super) fn voice(&self) -> Voice {
        Voice::of(self.subject_bearer())
    }

    /// Diagnoses of the subject's close relatives (everyone in `all` but the subject).
    pub(super) fn family(&self) -> impl Iterator<Item = &Diagnosis<'a>> {
        let subject = self.subject;
        self.all.iter().filter(move |d| d.person != subject)
    }

    pub(super) fn relative(&self, person: PersonId) -> Option<&'a Relative> {
        match person {
            PersonId::Proband => None,
            PersonId::Relative(i) => self.p.relatives.get(i),
        }
    }

    /// Relatives named by any criterion met.
    pub(super) fn involved(&self) -> Vec<PersonId> {
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

    pub(super) fn finish(mut self) -> NccnResult {
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
