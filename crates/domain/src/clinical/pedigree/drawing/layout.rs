//! Where each person stands: the family graph a `RiskProfile` implies, in generation rows, and
//! x positions that keep every row in order without overlap.
//!
//! The relation codes fix generation and side but not always the exact parent (which aunt is a
//! cousin's mother, which sibling a niece's parent). The drawing chooses one reading and marks
//! the people it had to add to connect the reported ones as *implied* (drawn dashed, unlabelled):
//! - cousins descend from the outermost reported aunt/uncle of their side (else an implied one);
//! - nieces and nephews from the first reported full sibling (else an implied one);
//! - grandchildren from the last reported child (else an implied one);
//! - the first great-grandmother of a side is the mother of the outer grandparent (paternal
//!   grandfather, maternal grandmother), a second one the mother of the inner grandparent; the
//!   great-aunts of a side are the outer grandparent's sisters;
//! - half-siblings descend from the shared parent and an implied other partner.
//!
//! Rows left to right: paternal side, the proband's sibship, maternal side (NSGC: the father
//! left of the mother).

use crate::clinical::profile::{Relation, RiskProfile, Sex};

/// Horizontal distance between the centres of two neighbours in a row.
pub const SPACING: f64 = 120.0;

/// Who a drawn symbol stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    /// The proband.
    Proband,
    /// `relatives[i]`.
    Relative(usize),
    /// Not reported: drawn to connect reported relatives.
    Implied,
}

/// One symbol.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// Who it is.
    pub who: Who,
    /// Sex (None: a diamond).
    pub sex: Option<Sex>,
    /// Generation row, 0 = great-grandparents, 3 = the proband's, 5 = grandchildren.
    pub row: usize,
    /// Centre x.
    pub x: f64,
}

/// A couple and their children (node indices). Partners are neighbours in their row.
#[derive(Debug, Clone, PartialEq)]
pub struct Union {
    /// The left partner.
    pub left: usize,
    /// The right partner.
    pub right: usize,
    /// Their children, left to right.
    pub children: Vec<usize>,
}

/// The family placed in rows.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Layout {
    /// Every symbol.
    pub nodes: Vec<Node>,
    /// Every couple with children.
    pub unions: Vec<Union>,
    /// Node indices of each row (0..=5), left to right.
    pub rows: [Vec<usize>; 6],
}

/// The proband's row.
const PROBAND_ROW: usize = 3;

struct Builder<'a> {
    profile: &'a RiskProfile,
    out: Layout,
}

impl Builder<'_> {
    fn node(&mut self, who: Who, sex: Option<Sex>, row: usize) -> usize {
        let i = self.out.nodes.len();
        self.out.nodes.push(Node {
            who,
            sex,
            row,
            x: 0.0,
        });
        i
    }

    /// The indices of the relatives with one of `relations`, in input order.
    fn of(&self, relations: &[Relation]) -> Vec<usize> {
        let rels = &self.profile.relatives;
        (0..rels.len())
            .filter(|&i| relations.contains(&rels[i].relation))
            .collect()
    }

    fn relative(&mut self, i: usize, row: usize) -> usize {
        let r = &self.profile.relatives[i];
        let sex = r.relation.sex(r.sex);
        self.node(Who::Relative(i), sex, row)
    }

    fn relatives(&mut self, list: &[usize], row: usize) -> Vec<usize> {
        list.iter().map(|&i| self.relative(i, row)).collect()
    }

    /// The reported relative with `relation` (unique relations), else an implied person.
    fn reported_or_implied(&mut self, relation: Relation, sex: Sex, row: usize) -> usize {
        match self.of(&[relation]).first() {
            Some(&i) => self.relative(i, row),
            None => self.node(Who::Implied, Some(sex), row),
        }
    }

    fn implied_partner(&mut self, of: usize, row: usize) -> usize {
        let sex = match self.out.nodes[of].sex {
            Some(Sex::Female) => Some(Sex::Male),
            Some(Sex::Male) => Some(Sex::Female),
            None => None,
        };
        self.node(Who::Implied, sex, row)
    }

    fn union(&mut self, left: usize, right: usize, children: Vec<usize>) {
        self.out.unions.push(Union {
            left,
            right,
            children,
        });
    }

    fn has(&self, relations: &[Relation]) -> bool {
        !self.of(relations).is_empty()
    }
}

/// One side's relations, so that the paternal and maternal halves are built by one code path.
struct SideCodes {
    /// The grandparent whose mother and sisters are the side's great-grandmother and great-aunts.
    outer: (Relation, Sex),
    inner: (Relation, Sex),
    /// The maternal half is built outer to inner, then reversed.
    mirrored: bool,
    great_grandmother: Relation,
    great_aunt: Relation,
    aunts_uncles: [Relation; 2],
    cousin: Relation,
    half_sibs: [Relation; 2],
}

const PATERNAL: SideCodes = SideCodes {
    outer: (Relation::PaternalGrandfather, Sex::Male),
    inner: (Relation::PaternalGrandmother, Sex::Female),
    mirrored: false,
    great_grandmother: Relation::PaternalGreatGrandmother,
    great_aunt: Relation::PaternalGreatAunt,
    aunts_uncles: [Relation::PaternalAunt, Relation::PaternalUncle],
    cousin: Relation::PaternalCousin,
    half_sibs: [Relation::PaternalHalfSister, Relation::PaternalHalfBrother],
};

const MATERNAL: SideCodes = SideCodes {
    outer: (Relation::MaternalGrandmother, Sex::Female),
    inner: (Relation::MaternalGrandfather, Sex::Male),
    mirrored: true,
    great_grandmother: Relation::MaternalGreatGrandmother,
    great_aunt: Relation::MaternalGreatAunt,
    aunts_uncles: [Relation::MaternalAunt, Relation::MaternalUncle],
    cousin: Relation::MaternalCousin,
    half_sibs: [Relation::MaternalHalfSister, Relation::MaternalHalfBrother],
};

impl SideCodes {
    fn above_parent(&self) -> [Relation; 6] {
        [
            self.outer.0,
            self.inner.0,
            self.great_grandmother,
            self.great_aunt,
            self.aunts_uncles[0],
            self.aunts_uncles[1],
        ]
    }
}

/// What one side contributes to the rows, built outer to inner; the paternal side is then read
/// left to right as built, the maternal side mirrored.
#[derive(Default)]
struct Half {
    rows: [Vec<usize>; 6],
}

impl Half {
    fn push(&mut self, row: usize, ids: &[usize]) {
        self.rows[row].extend_from_slice(ids);
    }
}

impl Builder<'_> {
    /// One side: great-grandparents, grandparents with great-aunts, aunts/uncles with cousins,
    /// half-siblings; returns the side's rows (outer first) and the parent node.
    fn side(&mut self, codes: &SideCodes, parent_sex: Sex) -> (Half, usize) {
        let mut half = Half::default();
        let parent_rel = match parent_sex {
            Sex::Male => Relation::Father,
            Sex::Female => Relation::Mother,
        };
        let parent = self.reported_or_implied(parent_rel, parent_sex, 2);
        let above = self.has(&codes.above_parent()) || self.has(&[codes.cousin]);
        if above {
            self.grandparents(codes, parent, &mut half);
        }
        if self.has(&codes.half_sibs) {
            let partner = self.implied_partner(parent, 2);
            let sibs = self.relatives(&self.of(&codes.half_sibs), PROBAND_ROW);
            half.push(2, &[partner]);
            half.push(PROBAND_ROW, &sibs);
            self.union(partner, parent, sibs);
        }
        half.push(2, &[parent]);
        (half, parent)
    }

    fn grandparents(&mut self, codes: &SideCodes, parent: usize, half: &mut Half) {
        let outer = self.reported_or_implied(codes.outer.0, codes.outer.1, 1);
        let inner = self.reported_or_implied(codes.inner.0, codes.inner.1, 1);
        // Aunts and uncles (outermost first); the cousins' parent is the outermost.
        let mut aunts = self.relatives(&self.of(&codes.aunts_uncles), 2);
        let cousins = self.of(&[codes.cousin]);
        if !cousins.is_empty() {
            if aunts.is_empty() {
                aunts.push(self.node(Who::Implied, None, 2));
            }
            let partner = self.implied_partner(aunts[0], 2);
            let kids = self.relatives(&cousins, PROBAND_ROW);
            half.push(2, &[partner]);
            half.push(PROBAND_ROW, &kids);
            self.union(partner, aunts[0], kids);
        }
        half.push(2, &aunts);
        let mut children = aunts;
        children.push(parent);
        self.great_grandparents(codes, outer, inner, half);
        half.push(1, &[outer, inner]);
        self.union(outer, inner, children);
    }

    fn great_grandparents(
        &mut self,
        codes: &SideCodes,
        outer: usize,
        inner: usize,
        half: &mut Half,
    ) {
        let ggms = self.of(&[codes.great_grandmother]);
        let great_aunts = self.of(&[codes.great_aunt]);
        if ggms.is_empty() && great_aunts.is_empty() {
            return;
        }
        let mut ggm = ggms.iter().copied();
        let couple = |b: &mut Self, half: &mut Half, first: Option<usize>| {
            let gggf = b.node(Who::Implied, Some(Sex::Male), 0);
            let gggm = match first {
                Some(i) => b.relative(i, 0),
                None => b.node(Who::Implied, Some(Sex::Female), 0),
            };
            // Built outer to inner: the maternal half is reversed, so the father stays left.
            if codes.mirrored {
                half.push(0, &[gggm, gggf]);
            } else {
                half.push(0, &[gggf, gggm]);
            }
            (gggf, gggm)
        };
        let (f, m) = couple(self, half, ggm.next());
        let aunts = self.relatives(&great_aunts, 1);
        half.push(1, &aunts);
        let mut children = aunts;
        children.push(outer);
        self.union(f, m, children);
        if let Some(i) = ggm.next() {
            let (f, m) = couple(self, half, Some(i));
            self.union(f, m, vec![inner]);
        }
        // A third great-grandmother of one side cannot be placed: drawn, unconnected.
        let rest: Vec<usize> = ggm.collect();
        let rest = self.relatives(&rest, 0);
        half.push(0, &rest);
    }
}

impl Builder<'_> {
    /// The proband's sibship and descendants: `(row 3, row 4, row 5)` left to right.
    fn centre(&mut self, father: usize, mother: usize) -> [Vec<usize>; 3] {
        let mut rows: [Vec<usize>; 3] = Default::default();
        let mut sibs = self.relatives(&self.of(&[Relation::Sister, Relation::Brother]), 3);
        let nieces = self.of(&[Relation::Niece, Relation::Nephew]);
        if !nieces.is_empty() {
            if sibs.is_empty() {
                sibs.push(self.node(Who::Implied, None, 3));
            }
            let partner = self.implied_partner(sibs[0], 3);
            let kids = self.relatives(&nieces, 4);
            rows[0].push(partner);
            rows[1].extend_from_slice(&kids);
            self.union(partner, sibs[0], kids);
        }
        rows[0].extend_from_slice(&sibs);
        let proband = self.node(Who::Proband, self.profile.proband.sex, 3);
        rows[0].push(proband);
        let mut children = sibs;
        children.push(proband);
        self.union(father, mother, children);
        self.descendants(proband, &mut rows);
        rows
    }

    fn descendants(&mut self, proband: usize, rows: &mut [Vec<usize>; 3]) {
        let mut kids = self.relatives(&self.of(&[Relation::Daughter, Relation::Son]), 4);
        let grandkids = self.of(&[Relation::Granddaughter, Relation::Grandson]);
        if !grandkids.is_empty() && kids.is_empty() {
            kids.push(self.node(Who::Implied, None, 4));
        }
        if kids.is_empty() {
            return;
        }
        let partner = self.implied_partner(proband, 3);
        rows[0].push(partner);
        rows[1].extend_from_slice(&kids);
        if let Some(&last) = kids.last().filter(|_| !grandkids.is_empty()) {
            let partner = self.implied_partner(last, 4);
            let gk = self.relatives(&grandkids, 5);
            rows[1].push(partner);
            rows[2].extend_from_slice(&gk);
            self.union(last, partner, gk);
        }
        self.union(proband, partner, kids);
    }
}

/// The family graph of `profile`, placed. Every reported relative is exactly one node, the
/// proband one node, and the implied people are as few as connecting them needs.
#[must_use]
pub fn layout(profile: &RiskProfile) -> Layout {
    let mut b = Builder {
        profile,
        out: Layout::default(),
    };
    if profile.relatives.is_empty() {
        let p = b.node(Who::Proband, profile.proband.sex, PROBAND_ROW);
        b.out.rows[PROBAND_ROW].push(p);
        return b.out;
    }
    let (paternal, father) = b.side(&PATERNAL, Sex::Male);
    let (mut maternal, mother) = b.side(&MATERNAL, Sex::Female);
    let centre = b.centre(father, mother);
    for r in 0..6 {
        let mut row = std::mem::take(&mut b.out.rows[r]);
        row.extend_from_slice(&paternal.rows[r]);
        if r >= PROBAND_ROW {
            row.extend_from_slice(&centre[r - PROBAND_ROW]);
        }
        maternal.rows[r].reverse();
        row.extend_from_slice(&maternal.rows[r]);
        b.out.rows[r] = row;
    }
    place(&mut b.out);
    b.out
}

/// x positions: each row in its order, `SPACING` apart at least; rounds of small moves pull
/// each sibship under its parents, each couple over its children and partners together, each
/// round projected back onto the row order (least squares, [`spread`]).
fn place(l: &mut Layout) {
    for row in &l.rows {
        for (k, &i) in row.iter().enumerate() {
            l.nodes[i].x = k as f64 * SPACING;
        }
    }
    for _ in 0..ROUNDS {
        let shift = wanted_moves(l);
        for row in &l.rows {
            let target: Vec<f64> = row
                .iter()
                .map(|&i| {
                    let (s, n) = shift[i];
                    l.nodes[i].x + if n == 0 { 0.0 } else { s / f64::from(n) / 2.0 }
                })
                .collect();
            for (&i, x) in row.iter().zip(spread(&target)) {
                l.nodes[i].x = x;
            }
        }
    }
    let min = l.nodes.iter().map(|n| n.x).fold(f64::INFINITY, f64::min);
    for n in &mut l.nodes {
        n.x -= min;
    }
}

const ROUNDS: usize = 40;

/// For each node, the sum of the moves its unions ask of it, and their number.
fn wanted_moves(l: &Layout) -> Vec<(f64, u32)> {
    let mut shift = vec![(0.0, 0u32); l.nodes.len()];
    let mut ask = |i: usize, by: f64| {
        shift[i].0 += by;
        shift[i].1 += 1;
    };
    for u in &l.unions {
        let (a, b) = (l.nodes[u.left].x, l.nodes[u.right].x);
        let mid = (a + b) / 2.0;
        let Some(centre) = centre_of(l, &u.children) else {
            continue;
        };
        for &c in &u.children {
            ask(c, mid - centre);
        }
        // Partners: over their children, and no further apart than needed.
        let slack = ((b - a).abs() - SPACING) / 2.0;
        let inward = if a <= b { slack } else { -slack };
        ask(u.left, centre - mid + inward);
        ask(u.right, centre - mid - inward);
    }
    shift
}

fn centre_of(l: &Layout, ids: &[usize]) -> Option<f64> {
    let first = l.nodes[*ids.first()?].x;
    let last = l.nodes[*ids.last()?].x;
    Some((first + last) / 2.0)
}

/// The positions nearest `target` in least squares that keep the order with `SPACING` between
/// neighbours: with `y[k] = target[k] - k * SPACING` the constraint is `y` non-decreasing, whose
/// nearest fit is the pool-adjacent-violators isotonic regression.
fn spread(target: &[f64]) -> Vec<f64> {
    // Blocks of (mean, count).
    let mut blocks: Vec<(f64, usize)> = Vec::with_capacity(target.len());
    for (k, t) in target.iter().enumerate() {
        blocks.push((t - k as f64 * SPACING, 1));
        while blocks.len() > 1 {
            let (m2, n2) = blocks[blocks.len() - 1];
            let (m1, n1) = blocks[blocks.len() - 2];
            if m1 <= m2 {
                break;
            }
            blocks.pop();
            let n = n1 + n2;
            let last = blocks.len() - 1;
            blocks[last] = ((m1 * n1 as f64 + m2 * n2 as f64) / n as f64, n);
        }
    }
    let mut out = Vec::with_capacity(target.len());
    for (m, n) in blocks {
        for _ in 0..n {
            out.push(m + out.len() as f64 * SPACING);
        }
    }
    out
}
