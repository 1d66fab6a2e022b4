//! Pedigree queries over a [`RiskProfile`]: what a relation code says about degree, side and sex,
//! and the family-history questions the NCCN rules and the risk models ask.
//!
//! Definitions (clinical.md §3.2, NCCN BOPP v3.2026 CRIT-2/2A/4/6A footnotes, and §5 on RoleCode-style
//! relation codes, which fix degree and side without a full pedigree graph):
//! - **Degree**: first = parents, full siblings, children; second = half-siblings, grandparents,
//!   aunts/uncles, nieces/nephews, grandchildren; third = first cousins, great-grandparents,
//!   great-aunts/uncles.
//! - **Side**: maternal or paternal for relatives reached through one parent (a parent is on its own
//!   side; half-siblings by the shared parent). Full siblings and the proband's descendants (children,
//!   nieces/nephews, grandchildren) have no side ([`Side::None`]): they share both parental lineages,
//!   so lineage counting puts them, like the proband, in **both** lineages.
//! - **Close blood relative** = first-, second- or third-degree relative on the same side of the
//!   family. Every relation of the contract is at most third degree, so every listed relative is
//!   close; "same side" matters when diagnoses are counted per lineage ([`lineage_diagnoses`]).
//! - **Third degree through two males**: a criterion naming first- or second-degree relatives
//!   extends to a third-degree relative related through two male relatives (e.g. the paternal
//!   grandfather's mother or sister). The relation codes cannot always tell: a
//!   `paternal_great_aunt` may be the paternal grandfather's sister (two males) or the paternal
//!   grandmother's sister (one). [`Relation::through_two_males`] answers [`Tri::Unknown`] there, so
//!   callers can warn instead of silently answering "no".
//! - **Seen from a relative** (re-rooting, for NCCN G5/Pr6): [`kin_between`] places two members
//!   of the family in a small virtual pedigree and reads degree and side *from one of them*;
//!   [`diagnoses_seen_from`] lists a subject's diagnoses with those of the subject's close
//!   relatives, each with its [`Close`] position (see the `kin` module for the readings tried
//!   where the codes leave a placement open).

use serde::{Deserialize, Serialize};

use super::profile::{Cancer, CancerType, Proband, Relation, Relative, RiskProfile, Sex};

pub mod drawing;
mod kin;

pub use kin::{Close, Kin, Line, kin_between};

/// Genetic degree of relationship.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Degree {
    /// Parents, full siblings, children (share ~50 % of genes).
    First = 1,
    /// Half-siblings, grandparents, aunts/uncles, nieces/nephews, grandchildren (~25 %).
    Second = 2,
    /// First cousins, great-grandparents, great-aunts/uncles (~12.5 %).
    Third = 3,
}

impl Degree {
    /// 1, 2 or 3.
    pub fn number(self) -> u8 {
        self as u8
    }
}

/// Side of the family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// Through the mother.
    Maternal,
    /// Through the father.
    Paternal,
    /// Full siblings and the proband's descendants: both lineages.
    None,
}

/// One parental lineage, for counting "on the same side of the family".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lineage {
    /// The mother's side.
    Maternal,
    /// The father's side.
    Paternal,
}

impl Lineage {
    /// Both lineages.
    pub const BOTH: [Lineage; 2] = [Lineage::Maternal, Lineage::Paternal];

    /// `"maternal"` / `"paternal"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Maternal => "maternal",
            Self::Paternal => "paternal",
        }
    }
}

impl Side {
    /// Whether a relative on this side belongs to `lineage` (side-less relatives belong to both).
    pub fn in_lineage(self, lineage: Lineage) -> bool {
        match self {
            Side::Maternal => lineage == Lineage::Maternal,
            Side::Paternal => lineage == Lineage::Paternal,
            Side::None => true,
        }
    }
}

/// What a relation says about sex.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RelationSex {
    /// The relation fixes the sex (mother, uncle...).
    Fixed(Sex),
    /// The relation leaves it open (cousins): use the relative's `sex` field.
    FromRecord,
}

/// Lineal position relative to the proband.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Generation {
    /// Direct ancestor (parent, grandparent, great-grandparent): necessarily older than the proband.
    Older,
    /// Collateral relative (siblings, aunts, cousins, nieces): age order not fixed.
    Collateral,
    /// Direct descendant (child, grandchild): necessarily younger than the proband.
    Younger,
}

/// Three-valued answer: unknown is never silently "no".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tri {
    /// Yes.
    Yes,
    /// No.
    No,
    /// Cannot be told from the data.
    Unknown,
}

impl Relation {
    /// Degree of relationship (clinical.md §3.2, §5).
    pub fn degree(self) -> Degree {
        use Relation as R;
        match self {
            R::Mother | R::Father | R::Sister | R::Brother | R::Daughter | R::Son => Degree::First,
            R::MaternalHalfSister
            | R::MaternalHalfBrother
            | R::PaternalHalfSister
            | R::PaternalHalfBrother
            | R::MaternalGrandmother
            | R::MaternalGrandfather
            | R::PaternalGrandmother
            | R::PaternalGrandfather
            | R::MaternalAunt
            | R::MaternalUncle
            | R::PaternalAunt
            | R::PaternalUncle
            | R::Niece
            | R::Nephew
            | R::Granddaughter
            | R::Grandson => Degree::Second,
            R::MaternalCousin
            | R::PaternalCousin
            | R::MaternalGreatGrandmother
            | R::PaternalGreatGrandmother
            | R::MaternalGreatAunt
            | R::PaternalGreatAunt => Degree::Third,
        }
    }

    /// Side of the family (a parent is on its own side; half-siblings by the shared parent;
    /// full siblings and descendants have none).
    pub fn side(self) -> Side {
        use Relation as R;
        match self {
            R::Mother
            | R::MaternalHalfSister
            | R::MaternalHalfBrother
            | R::MaternalGrandmother
            | R::MaternalGrandfather
            | R::MaternalAunt
            | R::MaternalUncle
            | R::MaternalCousin
            | R::MaternalGreatGrandmother
            | R::MaternalGreatAunt => Side::Maternal,
            R::Father
            | R::PaternalHalfSister
            | R::PaternalHalfBrother
            | R::PaternalGrandmother
            | R::PaternalGrandfather
            | R::PaternalAunt
            | R::PaternalUncle
            | R::PaternalCousin
            | R::PaternalGreatGrandmother
            | R::PaternalGreatAunt => Side::Paternal,
            R::Sister
            | R::Brother
            | R::Daughter
            | R::Son
            | R::Niece
            | R::Nephew
            | R::Granddaughter
            | R::Grandson => Side::None,
        }
    }

    /// What the relation fixes about sex.
    pub fn fixed_sex(self) -> RelationSex {
        use Relation as R;
        match self {
            R::MaternalCousin | R::PaternalCousin => RelationSex::FromRecord,
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
            | R::Grandson => RelationSex::Fixed(Sex::Male),
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
            | R::PaternalGreatAunt => RelationSex::Fixed(Sex::Female),
        }
    }

    /// The relative's sex: fixed by the relation, else the recorded `sex` (None = unknown).
    pub fn sex(self, recorded: Option<Sex>) -> Option<Sex> {
        match self.fixed_sex() {
            RelationSex::Fixed(s) => Some(s),
            RelationSex::FromRecord => recorded,
        }
    }

    /// Lineal position (ancestor / collateral / descendant).
    pub fn generation(self) -> Generation {
        use Relation as R;
        match self {
            R::Mother
            | R::Father
            | R::MaternalGrandmother
            | R::MaternalGrandfather
            | R::PaternalGrandmother
            | R::PaternalGrandfather
            | R::MaternalGreatGrandmother
            | R::PaternalGreatGrandmother => Generation::Older,
            R::Daughter | R::Son | R::Granddaughter | R::Grandson => Generation::Younger,
            _ => Generation::Collateral,
        }
    }

    /// Relations that name exactly one person (a second `mother` is a data error).
    pub fn is_unique(self) -> bool {
        use Relation as R;
        matches!(
            self,
            R::Mother
                | R::Father
                | R::MaternalGrandmother
                | R::MaternalGrandfather
                | R::PaternalGrandmother
                | R::PaternalGrandfather
        )
    }

    /// Whether a third-degree relative is related through two male relatives (clinical.md §3.2).
    /// `No` for first- and second-degree relatives (the rule does not apply) and for maternal-side
    /// third-degree relatives (the first link, the mother, is female). `Unknown` for paternal-side
    /// third-degree relatives: the code does not say whether the link past the father is the
    /// paternal grandfather (two males) or grandmother (one).
    pub fn through_two_males(self) -> Tri {
        if self.degree() != Degree::Third {
            return Tri::No;
        }
        match self.side() {
            Side::Paternal => Tri::Unknown,
            Side::Maternal | Side::None => Tri::No,
        }
    }

    /// "First- or second-degree relative, extended to third degree through two males"
    /// (clinical.md §3.2): `Yes` for first/second degree, else [`Relation::through_two_males`].
    pub fn first_or_second_degree_extended(self) -> Tri {
        if self.degree() <= Degree::Second {
            Tri::Yes
        } else {
            self.through_two_males()
        }
    }

    /// Human label: `"maternal aunt"`, `"maternal half-sister"`, `"mother"`.
    pub fn label(self) -> String {
        self.as_str()
            .replace("half_", "half-")
            .replace("great_", "great-")
            .replace('_', " ")
    }

    /// Label with the side, as used in rationales: `"mother, maternal side"`, `"sister"`.
    pub fn describe(self) -> String {
        match self.side() {
            Side::Maternal => format!("{}, maternal side", self.label()),
            Side::Paternal => format!("{}, paternal side", self.label()),
            Side::None => self.label(),
        }
    }
}

/// Who a diagnosis belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PersonId {
    /// The proband.
    Proband,
    /// `relatives[i]`.
    Relative(usize),
}

/// One cancer diagnosis with the facts about its bearer that the rules need.
#[derive(Debug, Clone, Copy)]
pub struct Diagnosis<'a> {
    /// Whose diagnosis.
    pub person: PersonId,
    /// The relative's relation to the proband (`None` for the proband): who the bearer *is*,
    /// whatever the point of view.
    pub relation: Option<Relation>,
    /// The bearer's sex (fixed by relation, else recorded; `None` = unknown).
    pub sex: Option<Sex>,
    /// The bearer's age: the proband's current age; a relative's current age if alive, else
    /// the age at death (risk-profile.md). An age at diagnosis cannot exceed it.
    pub age: Option<i32>,
    /// Whether the bearer is alive (`Some(true)` for the proband).
    pub alive: Option<bool>,
    /// Where the bearer stands as seen from the person whose criteria are evaluated (the
    /// *subject*: the proband, or a relative re-rooted for G5/Pr6); `None` for the subject.
    pub seen: Option<Close>,
    /// Index of the cancer in the bearer's `cancers`.
    pub cancer_index: usize,
    /// The cancer.
    pub cancer: &'a Cancer,
}

impl Diagnosis<'_> {
    /// Side of the bearer relative to the proband (`Side::None` for the proband).
    pub fn side(&self) -> Side {
        self.relation.map_or(Side::None, Relation::side)
    }

    /// Whether the bearer is in the subject's `lineage` (the subject is in both; a relative whose
    /// line cannot be told is in neither).
    pub fn in_lineage(&self, lineage: Lineage) -> bool {
        let line = match lineage {
            Lineage::Maternal => Line::Maternal,
            Lineage::Paternal => Line::Paternal,
        };
        self.on_line(line)
    }

    /// Whether the bearer counts on the subject's `line` (the subject and relatives on both
    /// lines count on each; a relative whose line cannot be told counts on none).
    pub fn on_line(&self, line: Line) -> bool {
        match self.seen {
            None => true,
            Some(Close { line: l, .. }) => l.is_some_and(|l| l.counts_on(line)),
        }
    }

    /// Who, for rationales, always in the proband's terms: `"you"` or `"mother, maternal side"`.
    pub fn who(&self) -> String {
        self.relation
            .map_or_else(|| "you".to_owned(), Relation::describe)
    }
}

/// The proband's sex (recorded; `None` = unknown).
pub fn proband_sex(p: &Proband) -> Option<Sex> {
    p.sex
}

/// A relative's sex (fixed by the relation, else recorded).
pub fn relative_sex(r: &Relative) -> Option<Sex> {
    r.relation.sex(r.sex)
}

/// Every diagnosis in the profile, seen from the proband: the proband's first, then each
/// relative's in order.
pub fn diagnoses(profile: &RiskProfile) -> Vec<Diagnosis<'_>> {
    diagnoses_seen_from(profile, PersonId::Proband)
}

/// The diagnoses of `subject` and of the subject's close blood relatives (first to third degree,
/// see [`kin_between`]), each with its position seen from the subject: the subject's first,
/// then the proband's (when the subject is a relative), then each relative's in order. People who
/// are not close to the subject, or may not be ([`Kin::Uncertain`]), are left out.
pub fn diagnoses_seen_from(profile: &RiskProfile, subject: PersonId) -> Vec<Diagnosis<'_>> {
    let subject_rel = match subject {
        PersonId::Proband => None,
        PersonId::Relative(i) => match profile.relatives.get(i) {
            Some(r) => Some(r.relation),
            None => return Vec::new(),
        },
    };
    // Where a relation stands depends only on the two relations and the proband's sex, so it is
    // worked out once per relation code; people without a diagnosis add nothing and are skipped
    // (kin_between builds a few small trees per call: with G5/Pr6 re-rooting at every affected
    // relative, calling it for every pair made a 60-relative family ~11x slower).
    let mut known: Vec<(Option<Relation>, Option<Option<Close>>)> = Vec::new();
    let mut seen = |other: Option<Relation>| -> Option<Option<Close>> {
        if let Some((_, s)) = known.iter().find(|(rel, _)| *rel == other) {
            return *s;
        }
        let s = match (subject_rel, other) {
            // From the proband, a relation's own degree and side (kin_between agrees; tested).
            (None, Some(rel)) => Some(Some(Close {
                degree: rel.degree(),
                line: Some(Line::from_side(rel.side())),
            })),
            _ => match kin_between(subject_rel, other, profile.proband.sex) {
                Kin::Close(c) => Some(Some(c)),
                Kin::NotClose | Kin::Uncertain => None,
            },
        };
        known.push((other, s));
        s
    };
    let mut people: Vec<(PersonId, Option<Close>)> = vec![(subject, None)];
    if subject != PersonId::Proband
        && !profile.proband.cancers.is_empty()
        && let Some(c) = seen(None)
    {
        people.push((PersonId::Proband, c));
    }
    for (i, r) in profile.relatives.iter().enumerate() {
        let id = PersonId::Relative(i);
        if id != subject
            && !r.cancers.is_empty()
            && let Some(c) = seen(Some(r.relation))
        {
            people.push((id, c));
        }
    }
    let mut out = Vec::new();
    for (person, seen) in people {
        let (relation, sex, age, alive, cancers) = match person {
            PersonId::Proband => {
                let p = &profile.proband;
                (None, p.sex, p.age, Some(true), &p.cancers)
            }
            PersonId::Relative(i) => {
                let r = &profile.relatives[i];
                (
                    Some(r.relation),
                    relative_sex(r),
                    r.age,
                    r.alive,
                    &r.cancers,
                )
            }
        };
        for (ci, c) in cancers.iter().enumerate() {
            out.push(Diagnosis {
                person,
                relation,
                sex,
                age,
                alive,
                seen,
                cancer_index: ci,
                cancer: c,
            });
        }
    }
    out
}

/// Relatives' diagnoses only (the family history).
pub fn family_diagnoses(profile: &RiskProfile) -> Vec<Diagnosis<'_>> {
    diagnoses(profile)
        .into_iter()
        .filter(|d| d.person != PersonId::Proband)
        .collect()
}

/// Diagnoses matching `pred` in each lineage (the proband and side-less relatives are in both).
/// Returns `(lineage, matching diagnoses)` for maternal then paternal.
pub fn lineage_diagnoses<'a>(
    profile: &'a RiskProfile,
    pred: impl Fn(&Diagnosis<'a>) -> bool,
) -> [(Lineage, Vec<Diagnosis<'a>>); 2] {
    let all: Vec<Diagnosis<'a>> = diagnoses(profile).into_iter().filter(|d| pred(d)).collect();
    Lineage::BOTH.map(|l| (l, all.iter().copied().filter(|d| d.in_lineage(l)).collect()))
}

/// Relatives (with their index) of the given degree.
pub fn relatives_of_degree(
    profile: &RiskProfile,
    degree: Degree,
) -> impl Iterator<Item = (usize, &Relative)> {
    profile
        .relatives
        .iter()
        .enumerate()
        .filter(move |(_, r)| r.relation.degree() == degree)
}

/// Whether any relative had a cancer of `cancer_type`.
pub fn family_has(profile: &RiskProfile, cancer_type: CancerType) -> bool {
    profile
        .relatives
        .iter()
        .any(|r| r.cancers.iter().any(|c| c.cancer_type == cancer_type))
}

/// Relative's display name for the `relatives` list of a criterion: the relation code
/// (`"mother"`), as in the Assessment example.
pub fn relative_code(profile: &RiskProfile, person: PersonId) -> Option<&'static str> {
    match person {
        PersonId::Proband => None,
        PersonId::Relative(i) => profile.relatives.get(i).map(|r| r.relation.as_str()),
    }
}

#[cfg(test)]
mod tests;
