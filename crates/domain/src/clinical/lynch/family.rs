//! What the Lynch rules and PREMM5 read from a `RiskProfile`: which cancers are Lynch-associated,
//! and the proband and first- and second-degree relatives as one list of [`Member`]s.

use crate::clinical::pedigree::{Degree, Lineage, Side};
use crate::clinical::profile::{Cancer, CancerType, Relation, RiskProfile};

/// How a cancer site counts for Lynch syndrome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LynchKind {
    /// Colorectal cancer.
    Colorectal,
    /// Endometrial cancer.
    Endometrial,
    /// Another Lynch-associated cancer that the profile's vocabulary can name: gastric, ovarian,
    /// pancreatic, brain, kidney (counted as renal pelvis / ureter; see [`KIDNEY_NOTE`]).
    /// Small bowel, biliary, urothelial and sebaceous tumours are `other` in the vocabulary and
    /// cannot be recognised ([`OTHER_NOTE`]).
    Other,
}

/// The Lynch kind of a cancer site, or `None` when the site is not Lynch-associated.
/// Sources: NCCN CEG v1.2026 HRS-2 (clinical.md §3.3 "Lynch syndrome") and PREMM's "other LS
/// cancers" (Kastrinos 2011/2017: ovary, stomach, small intestine, pancreas, biliary tract, kidney,
/// ureter, bladder, brain, sebaceous neoplasms).
pub fn lynch_kind(t: CancerType) -> Option<LynchKind> {
    match t {
        CancerType::Colorectal => Some(LynchKind::Colorectal),
        CancerType::Endometrial => Some(LynchKind::Endometrial),
        CancerType::Gastric
        | CancerType::Ovarian
        | CancerType::Pancreatic
        | CancerType::Brain
        | CancerType::Kidney => Some(LynchKind::Other),
        _ => None,
    }
}

/// Said when a kidney cancer was counted.
pub const KIDNEY_NOTE: &str = "Kidney cancer is counted as a Lynch-associated (renal pelvis or ureter) cancer; a renal cell carcinoma is not one. Confirm the histology.";

/// Said when a cancer of type `other` was reported.
pub const OTHER_NOTE: &str = "Cancers recorded as \"other\" are not counted for Lynch syndrome; small bowel, biliary tract, urothelial (bladder, ureter) and sebaceous tumours would count. Review them.";

/// The genes whose P/LP variants cause Lynch syndrome.
pub const LYNCH_GENES: [&str; 5] = ["MLH1", "MSH2", "MSH6", "PMS2", "EPCAM"];

/// The proband or a first- or second-degree relative.
#[derive(Debug, Clone, Copy)]
pub struct Member<'a> {
    /// `None` for the proband.
    pub relation: Option<Relation>,
    /// 0 for the proband, 1 or 2 for relatives.
    pub degree: u8,
    /// Current age, or age at death.
    pub age: Option<i32>,
    /// Cancers.
    pub cancers: &'a [Cancer],
}

impl Member<'_> {
    /// Whether this member belongs to `lineage` (the proband belongs to both).
    pub fn in_lineage(&self, lineage: Lineage) -> bool {
        self.relation.is_none_or(|r| r.side().in_lineage(lineage))
    }

    /// How rationales name this member: "you", "maternal aunt, maternal side".
    pub fn who(&self) -> String {
        self.relation
            .map_or_else(|| "you".to_owned(), Relation::describe)
    }

    /// The side of the family (`None` for the proband and side-less relatives).
    pub fn side(&self) -> Side {
        self.relation.map_or(Side::None, Relation::side)
    }

    /// The member's Lynch-associated cancers with their kind.
    pub fn lynch_cancers(&self) -> impl Iterator<Item = (LynchKind, &Cancer)> {
        self.cancers
            .iter()
            .filter_map(|c| lynch_kind(c.cancer_type).map(|k| (k, c)))
    }

    /// Whether the cancer `c` of this member was (or, with an unknown age at diagnosis, must have
    /// been: the member is younger than `limit`) diagnosed before `limit`. `None` when unknown.
    pub fn diagnosed_before(&self, c: &Cancer, limit: i32) -> Option<bool> {
        match (c.age_at_diagnosis, self.age) {
            (Some(a), _) => Some(a < limit),
            (None, Some(now)) if now < limit => Some(true),
            _ => None,
        }
    }
}

/// The proband, then the first- and second-degree relatives (third-degree relatives are not
/// used by the Lynch criteria or PREMM5).
pub fn members(profile: &RiskProfile) -> Vec<Member<'_>> {
    let proband = Member {
        relation: None,
        degree: 0,
        age: profile.proband.age,
        cancers: &profile.proband.cancers,
    };
    std::iter::once(proband)
        .chain(profile.relatives.iter().filter_map(|r| {
            let degree = match r.relation.degree() {
                Degree::First => 1,
                Degree::Second => 2,
                Degree::Third => return None,
            };
            Some(Member {
                relation: Some(r.relation),
                degree,
                age: r.age,
                cancers: &r.cancers,
            })
        }))
        .collect()
}

/// Notes about cancers that were not counted or counted with an assumption (kidney, `other`,
/// third-degree relatives).
pub fn counting_notes(profile: &RiskProfile) -> Vec<String> {
    let everyone = profile
        .proband
        .cancers
        .iter()
        .chain(profile.relatives.iter().flat_map(|r| r.cancers.iter()));
    let (mut kidney, mut other) = (false, false);
    for c in everyone {
        kidney |= c.cancer_type == CancerType::Kidney;
        other |= c.cancer_type == CancerType::Other;
    }
    let third_degree = profile.relatives.iter().any(|r| {
        r.relation.degree() == Degree::Third
            && r.cancers
                .iter()
                .any(|c| lynch_kind(c.cancer_type).is_some())
    });
    let mut notes = Vec::new();
    if kidney {
        notes.push(KIDNEY_NOTE.to_owned());
    }
    if other {
        notes.push(OTHER_NOTE.to_owned());
    }
    if third_degree {
        notes.push("Lynch-associated cancers in third-degree relatives (cousins, great-grandparents, great-aunts) are not used by the NCCN Lynch criteria or PREMM5.".to_owned());
    }
    notes
}
