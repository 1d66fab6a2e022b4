//! Checklist ids (clinical.md §3.3) as a type, so that a misspelt id does not compile.

/// A criterion of the NCCN BOPP v3.2026 checklist (clinical.md §3.3).
///
/// Declaration order is the report order ([`super::CRITERION_ORDER`]): the person's own criteria
/// first (personal history, their family history, a familial variant, the model probability),
/// then the criteria met *through a relative who meets criteria* (G5, Pr6, L9), so that a
/// summary leads with the person's own criteria (issue #15).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[allow(missing_docs)]
pub enum CriterionId {
    G1,
    B1,
    B2,
    B4,
    B5,
    B6,
    B7,
    B8,
    B9,
    B10,
    B11,
    B12,
    B14,
    O1,
    O2,
    O3,
    O4,
    Pa1,
    Pa2,
    Pr1,
    Pr2,
    Pr3,
    Pr4,
    Pr5,
    Pr7,
    Pr8,
    P0,
    L1,
    L2,
    L3,
    L4,
    L5,
    L6,
    C1,
    G6,
    G7,
    G5,
    Pr6,
    L9,
}

impl CriterionId {
    /// Every implemented criterion, in report order.
    pub const ALL: [CriterionId; 39] = {
        use CriterionId::*;
        [
            G1, B1, B2, B4, B5, B6, B7, B8, B9, B10, B11, B12, B14, O1, O2, O3, O4, Pa1, Pa2, Pr1,
            Pr2, Pr3, Pr4, Pr5, Pr7, Pr8, P0, L1, L2, L3, L4, L5, L6, C1, G6, G7, G5, Pr6, L9,
        ]
    };

    /// The checklist id as the Assessment reports it (`"B10"`).
    pub fn as_str(self) -> &'static str {
        use CriterionId::*;
        match self {
            G1 => "G1",
            B1 => "B1",
            B2 => "B2",
            B4 => "B4",
            B5 => "B5",
            B6 => "B6",
            B7 => "B7",
            B8 => "B8",
            B9 => "B9",
            B10 => "B10",
            B11 => "B11",
            B12 => "B12",
            B14 => "B14",
            O1 => "O1",
            O2 => "O2",
            O3 => "O3",
            O4 => "O4",
            Pa1 => "Pa1",
            Pa2 => "Pa2",
            Pr1 => "Pr1",
            Pr2 => "Pr2",
            Pr3 => "Pr3",
            Pr4 => "Pr4",
            Pr5 => "Pr5",
            Pr7 => "Pr7",
            Pr8 => "Pr8",
            P0 => "P0",
            L1 => "L1",
            L2 => "L2",
            L3 => "L3",
            L4 => "L4",
            L5 => "L5",
            L6 => "L6",
            C1 => "C1",
            G6 => "G6",
            G7 => "G7",
            G5 => "G5",
            Pr6 => "Pr6",
            L9 => "L9",
        }
    }

    /// The id named by `s` (exact spelling), if it is an implemented criterion.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|id| id.as_str() == s)
    }
}

impl std::fmt::Display for CriterionId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
