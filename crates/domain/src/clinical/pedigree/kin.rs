//! Re-rooting the pedigree: where one member of the family stands as seen from another.
//!
//! NCCN BOPP v3.2026 G5 and Pr6 (clinical.md §3.3: "a first- or second-degree relative meeting
//! any criterion", "a relative meeting Pr1–Pr5") ask whether a *relative* would meet a criterion
//! if they were the person assessed. Their family-history criteria (B9, B10, Pr4, Pr5) then need
//! the family as the relative sees it: the proband's maternal grandmother is the mother's mother,
//! on the mother's *maternal* side; the proband's father is no blood relative of the mother.
//!
//! The relation codes (risk-profile.md) place every relative relative to the proband only. To see
//! the family from someone else, both people are placed in a small virtual pedigree (the proband,
//! the parents, the four grandparents, the eight great-grandparents, and fresh people for
//! siblings, children, aunts, cousins and their unknown other parents), and the relationship is
//! read from their most recent common ancestors (clinical.md §3.2 degree definitions):
//! - **degree** from the coefficient of relationship r = Σ 2^-(n1+n2) over those ancestors
//!   (n1, n2: generations from each person): 1/2 first, 1/4 second, 1/8 third degree; less is not
//!   a close relative. A couple of common ancestors (full siblings, aunts, cousins) counts twice.
//! - **line** (side) from the subject's parent through whom those ancestors are reached: the
//!   mother, the father, both (full siblings), or none (the subject's own descendants, which,
//!   like the proband's, count in both lines).
//!
//! Where the codes leave a placement open, every reading is tried:
//! - a great-grandmother or great-aunt may descend through either grandparent of that side;
//! - a niece's parent may be a listed sibling or an unlisted one; likewise a grandchild's parent
//!   (a listed child or not) and a cousin's parent (a listed aunt/uncle or not).
//!
//! Readings that agree on closeness and line give the answer (with the most distant degree any
//! reading gives); readings that are all close but disagree on the line give a close relative of
//! unknown line; readings that disagree on closeness give [`Kin::Uncertain`].
//!
//! Unrecorded people are taken to be different people, the more distant reading: the proband's
//! children are read as having different other parents (half-siblings of one another), and two
//! nieces (or cousins, or grandchildren) as children of different parents. The degree is then
//! the most distant possible; a relative read on one line of the subject instead of both still
//! counts on that line, so counting "on the same side" never counts someone who might not be
//! there.

use super::{Degree, Side};
use crate::clinical::profile::{Relation, Sex};

/// One of the subject's parental lines, for counting "on the same side of the family".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Line {
    /// Through the subject's mother.
    Maternal,
    /// Through the subject's father.
    Paternal,
    /// Through the subject's parent who links them to the proband's family, when the codes do not
    /// say whether that parent is the mother or the father (a niece's parent, a grandchild's
    /// parent, a cousin's parent, the proband as a parent when the proband's sex is unknown).
    LinkingParent,
    /// Both lines: full siblings of the subject (and everyone reached through both parents) and
    /// the subject's own descendants.
    Both,
}

impl Line {
    /// The line of a relative seen from the proband (the relation's own [`Side`]).
    pub fn from_side(side: Side) -> Self {
        match side {
            Side::Maternal => Line::Maternal,
            Side::Paternal => Line::Paternal,
            Side::None => Line::Both,
        }
    }

    /// Whether a relative on this line is counted on `line` (relatives on both lines count on
    /// each).
    pub fn counts_on(self, line: Line) -> bool {
        self == Line::Both || self == line
    }
}

/// A close blood relative (first to third degree) of the subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Close {
    /// Degree of relationship (the most distant one any reading of the codes gives).
    pub degree: Degree,
    /// The subject's line the relative is on; `None` when readings of the codes disagree (e.g.
    /// the proband's maternal great-grandmother seen from the mother: her mother's or her
    /// father's mother).
    pub line: Option<Line>,
}

/// Where a member of the family stands as seen from the subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kin {
    /// A blood relative within the third degree.
    Close(Close),
    /// No blood relative of the subject (the mother and the father), or beyond the third degree.
    NotClose,
    /// A close relative in some readings of the codes, not in others (the proband's maternal
    /// great-aunt seen from the maternal grandmother: her sister, or her husband's sister).
    Uncertain,
}

/// Where `other` stands as seen from `subject` (`None` = the proband, for either).
/// `proband_sex` names the line of the proband's relatives seen from the proband's children.
///
/// Two entries of the same non-unique relation (two sisters) are two different people.
pub fn kin_between(
    subject: Option<Relation>,
    other: Option<Relation>,
    proband_sex: Option<Sex>,
) -> Kin {
    let mut readings: Vec<Option<Close>> = Vec::new();
    for vs in 0..variants(subject) {
        for vo in 0..variants(other) {
            for link in [
                Link::None,
                Link::OtherIsChildOfSubject,
                Link::SubjectIsChildOfOther,
            ] {
                if let Some(r) = reading(subject, vs, other, vo, link, proband_sex) {
                    readings.push(r);
                }
            }
        }
    }
    combine(&readings)
}

fn combine(readings: &[Option<Close>]) -> Kin {
    let close: Vec<Close> = readings.iter().flatten().copied().collect();
    if close.is_empty() {
        return if readings.is_empty() {
            Kin::Uncertain
        } else {
            Kin::NotClose
        };
    }
    if close.len() != readings.len() {
        return Kin::Uncertain;
    }
    let degree = close
        .iter()
        .map(|c| c.degree)
        .max()
        .unwrap_or(Degree::Third);
    let first = close[0].line;
    let line = if close.iter().all(|c| c.line == first) {
        first
    } else {
        None
    };
    Kin::Close(Close { degree, line })
}

/// Which of the two people, if either, is the other's unspecified intermediate parent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Link {
    None,
    OtherIsChildOfSubject,
    SubjectIsChildOfOther,
}

/// One reading: `None` = this combination is impossible (skipped); `Some(None)` = not close.
fn reading(
    subject: Option<Relation>,
    vs: usize,
    other: Option<Relation>,
    vo: usize,
    link: Link,
    proband_sex: Option<Sex>,
) -> Option<Option<Close>> {
    let mut t = Tree::new(proband_sex);
    let (s, o) = match link {
        Link::None => {
            let s = t.place(subject, vs, None);
            let o = t.place(other, vo, None);
            (s, o)
        }
        Link::OtherIsChildOfSubject => {
            if !can_be_parent(other?, subject?) {
                return None;
            }
            let s = t.place(subject, vs, None);
            let o = t.place(other, vo, Some(s.node));
            (s, o)
        }
        Link::SubjectIsChildOfOther => {
            if !can_be_parent(subject?, other?) {
                return None;
            }
            let o = t.place(other, vo, None);
            let s = t.place(subject, vs, Some(o.node));
            (s, o)
        }
    };
    if s.node == o.node {
        // Two entries cannot be the same person.
        return None;
    }
    Some(t.relationship(&s, o.node))
}

/// Whether a person of relation `parent` may be the unspecified parent of a `child` (a niece's
/// parent is a sibling; a grandchild's parent a child; a cousin's parent an aunt or uncle).
fn can_be_parent(child: Relation, parent: Relation) -> bool {
    use Relation as R;
    matches!(
        (child, parent),
        (R::Niece | R::Nephew, R::Sister | R::Brother)
            | (R::Granddaughter | R::Grandson, R::Daughter | R::Son)
            | (R::MaternalCousin, R::MaternalAunt | R::MaternalUncle)
            | (R::PaternalCousin, R::PaternalAunt | R::PaternalUncle)
    )
}

/// Number of readings of where a code sits among the proband's ancestors.
fn variants(rel: Option<Relation>) -> usize {
    use Relation as R;
    match rel {
        Some(
            R::MaternalGreatGrandmother
            | R::PaternalGreatGrandmother
            | R::MaternalGreatAunt
            | R::PaternalGreatAunt,
        ) => 2,
        _ => 1,
    }
}

// ---------------------------------------------------------------------------------------------
// The virtual pedigree

#[derive(Debug, Clone, Copy)]
struct Node {
    /// Parents, slot 0 then slot 1 (see [`Placed::lines`] for what each slot is).
    parents: [Option<usize>; 2],
}

/// A person placed in the tree, with the line each parent slot stands for.
#[derive(Debug, Clone, Copy)]
struct Placed {
    node: usize,
    lines: [Line; 2],
}

// Fixed nodes: the proband, parents, grandparents, great-grandparents (mother's side first).
const P: usize = 0;
const M: usize = 1;
const F: usize = 2;
const MM: usize = 3;
const MF: usize = 4;
const FM: usize = 5;
const FF: usize = 6;
const MMM: usize = 7;
const MMF: usize = 8;
const MFM: usize = 9;
const MFF: usize = 10;
const FMM: usize = 11;
const FMF: usize = 12;
const FFM: usize = 13;
const FFF: usize = 14;

const BY_SEX: [Line; 2] = [Line::Maternal, Line::Paternal];

struct Tree {
    nodes: Vec<Node>,
    proband_sex: Option<Sex>,
}

impl Tree {
    fn new(proband_sex: Option<Sex>) -> Self {
        let parents_of = |n: usize| -> [Option<usize>; 2] {
            match n {
                P => [Some(M), Some(F)],
                M => [Some(MM), Some(MF)],
                F => [Some(FM), Some(FF)],
                MM => [Some(MMM), Some(MMF)],
                MF => [Some(MFM), Some(MFF)],
                FM => [Some(FMM), Some(FMF)],
                FF => [Some(FFM), Some(FFF)],
                _ => [None, None],
            }
        };
        Self {
            nodes: (0..=FFF)
                .map(|n| Node {
                    parents: parents_of(n),
                })
                .collect(),
            proband_sex,
        }
    }

    fn add(&mut self, parents: [Option<usize>; 2]) -> usize {
        self.nodes.push(Node { parents });
        self.nodes.len() - 1
    }

    /// A founder outside the family (an unknown other parent).
    fn outsider(&mut self) -> usize {
        self.add([None, None])
    }

    fn fixed(node: usize) -> Placed {
        Placed {
            node,
            lines: BY_SEX,
        }
    }

    /// Places a relation (`None` = the proband). `variant` picks the grandparent a
    /// great-grandmother or great-aunt descends through; `parent` is the node of the person's
    /// unspecified intermediate parent when it is another listed person.
    fn place(&mut self, rel: Option<Relation>, variant: usize, parent: Option<usize>) -> Placed {
        use Relation as R;
        let Some(rel) = rel else {
            return Self::fixed(P);
        };
        let linking = [Line::LinkingParent, Line::LinkingParent];
        match rel {
            R::Mother => Self::fixed(M),
            R::Father => Self::fixed(F),
            R::MaternalGrandmother => Self::fixed(MM),
            R::MaternalGrandfather => Self::fixed(MF),
            R::PaternalGrandmother => Self::fixed(FM),
            R::PaternalGrandfather => Self::fixed(FF),
            R::MaternalGreatGrandmother => Self::fixed([MMM, MFM][variant]),
            R::PaternalGreatGrandmother => Self::fixed([FMM, FFM][variant]),
            R::Sister | R::Brother => self.child_of([Some(M), Some(F)], BY_SEX),
            R::MaternalAunt | R::MaternalUncle => self.child_of([Some(MM), Some(MF)], BY_SEX),
            R::PaternalAunt | R::PaternalUncle => self.child_of([Some(FM), Some(FF)], BY_SEX),
            R::MaternalGreatAunt => {
                let [a, b] = [[MMM, MMF], [MFM, MFF]][variant];
                self.child_of([Some(a), Some(b)], BY_SEX)
            }
            R::PaternalGreatAunt => {
                let [a, b] = [[FMM, FMF], [FFM, FFF]][variant];
                self.child_of([Some(a), Some(b)], BY_SEX)
            }
            R::MaternalHalfSister | R::MaternalHalfBrother => {
                let father = self.outsider();
                self.child_of([Some(M), Some(father)], BY_SEX)
            }
            R::PaternalHalfSister | R::PaternalHalfBrother => {
                let mother = self.outsider();
                self.child_of([Some(mother), Some(F)], BY_SEX)
            }
            R::Daughter | R::Son => {
                let other = self.outsider();
                let line = match self.proband_sex {
                    Some(Sex::Female) => Line::Maternal,
                    Some(Sex::Male) => Line::Paternal,
                    None => Line::LinkingParent,
                };
                self.child_of([Some(P), Some(other)], [line, line])
            }
            R::Niece | R::Nephew => {
                let sibling = parent.unwrap_or_else(|| self.add([Some(M), Some(F)]));
                self.child_of_linking(sibling, linking)
            }
            R::Granddaughter | R::Grandson => {
                let child = parent.unwrap_or_else(|| {
                    let other = self.outsider();
                    self.add([Some(P), Some(other)])
                });
                self.child_of_linking(child, linking)
            }
            R::MaternalCousin => {
                let aunt = parent.unwrap_or_else(|| self.add([Some(MM), Some(MF)]));
                self.child_of_linking(aunt, linking)
            }
            R::PaternalCousin => {
                let aunt = parent.unwrap_or_else(|| self.add([Some(FM), Some(FF)]));
                self.child_of_linking(aunt, linking)
            }
        }
    }

    fn child_of(&mut self, parents: [Option<usize>; 2], lines: [Line; 2]) -> Placed {
        Placed {
            node: self.add(parents),
            lines,
        }
    }

    /// A child of `linking` (a relative) and an outsider.
    fn child_of_linking(&mut self, linking: usize, lines: [Line; 2]) -> Placed {
        let other = self.outsider();
        self.child_of([Some(linking), Some(other)], lines)
    }

    /// Every ancestor of `n` (and `n` itself at 0) with its distance in generations.
    fn ancestors(&self, n: usize) -> Vec<(usize, u32)> {
        let mut out = vec![(n, 0)];
        let mut i = 0;
        while i < out.len() {
            let (node, d) = out[i];
            for p in self.nodes[node].parents.into_iter().flatten() {
                out.push((p, d + 1));
            }
            i += 1;
        }
        out
    }

    /// Whether `a` is `of` or one of its ancestors (a walk up the tree, at most five generations,
    /// without building the ancestor list: this runs for every pair of common ancestors).
    fn is_ancestor_or_self(&self, a: usize, of: usize) -> bool {
        a == of
            || self.nodes[of]
                .parents
                .into_iter()
                .flatten()
                .any(|p| self.is_ancestor_or_self(a, p))
    }

    /// The relationship of `other` seen from `subject`: `None` when not a close relative.
    fn relationship(&self, subject: &Placed, other: usize) -> Option<Close> {
        let sa = self.ancestors(subject.node);
        let oa = self.ancestors(other);
        let common: Vec<(usize, u32, u32)> = sa
            .iter()
            .filter_map(|(n, ds)| {
                oa.iter()
                    .find(|(m, _)| m == n)
                    .map(|(_, d_o)| (*n, *ds, *d_o))
            })
            .collect();
        // Most recent common ancestors: not an ancestor of another common ancestor.
        let mrca: Vec<(usize, u32, u32)> = common
            .iter()
            .copied()
            .filter(|(c, _, _)| {
                !common
                    .iter()
                    .any(|(d, _, _)| d != c && self.is_ancestor_or_self(*c, *d))
            })
            .collect();
        // r in units of 2^-8 (exact: at most a few terms of 2^-k with k <= 8 matter).
        let r: u32 = mrca
            .iter()
            .map(|(_, ds, d_o)| 256u32.checked_shr(ds + d_o).unwrap_or(0))
            .sum();
        let degree = match r {
            128.. => Degree::First,
            64.. => Degree::Second,
            32.. => Degree::Third,
            _ => return None,
        };
        Some(Close {
            degree,
            line: Some(self.line(subject, &mrca)),
        })
    }

    /// The subject's line through which the most recent common ancestors are reached.
    fn line(&self, subject: &Placed, mrca: &[(usize, u32, u32)]) -> Line {
        if mrca.iter().any(|(c, _, _)| *c == subject.node) {
            // The other person descends from the subject.
            return Line::Both;
        }
        let parents = self.nodes[subject.node].parents;
        let mut slots = [false; 2];
        for (c, _, _) in mrca {
            for (slot, p) in parents.iter().enumerate() {
                if p.is_some_and(|p| self.is_ancestor_or_self(*c, p)) {
                    slots[slot] = true;
                }
            }
        }
        match slots {
            [true, true] => Line::Both,
            [true, false] => subject.lines[0],
            [false, true] => subject.lines[1],
            // Unreachable for a relative (a common ancestor is the subject or above a parent).
            [false, false] => Line::Both,
        }
    }
}
