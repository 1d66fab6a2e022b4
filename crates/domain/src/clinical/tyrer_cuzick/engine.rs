//! Numerical core: genotype-specific hazard tables, the Bayesian genotype posterior and the
//! competing-risk projection. Everything here works on validated, clamped inputs.

use std::sync::LazyLock;

use super::params::{self as p, N_AGES, band5, band10};

/// BRCA status: none, BRCA1 or BRCA2 (mutually exclusive).
pub(crate) const NONE: usize = 0;
pub(crate) const BRCA1: usize = 1;
pub(crate) const BRCA2: usize = 2;
pub(crate) const N_BRCA: usize = 3;
/// Joint genotypes: BRCA status × carrier of the low-penetrance gene T (index `brca * 2 + t`).
/// T is a separate, independently inherited locus, so a woman can carry T alongside BRCA1/2;
/// the four classes of the published structure (none, BRCA1, BRCA2, T) are its margins.
pub(crate) const N_GENOTYPES: usize = 6;

/// Index of the joint genotype (BRCA status `b`, T carrier `t` = 0 or 1).
pub(crate) const fn joint(b: usize, t: usize) -> usize {
    b * 2 + t
}

/// Smallest annual hazard used anywhere, so that no likelihood is exactly zero.
const HAZARD_FLOOR: f64 = 1e-8;

/// Annual hazards and their cumulative sums for one cancer site, per genotype.
pub(crate) struct SiteTable {
    /// Annual hazard at single-year age `a`.
    pub(crate) hazard: [[f64; N_AGES]; N_GENOTYPES],
    /// `cum[g][a]`: cumulative hazard over ages `0..a` (so `cum[g][0] == 0`).
    pub(crate) cum: [[f64; N_AGES + 1]; N_GENOTYPES],
}

impl SiteTable {
    fn from_hazards(hazard: [[f64; N_AGES]; N_GENOTYPES]) -> Self {
        let mut cum = [[0.0; N_AGES + 1]; N_GENOTYPES];
        for g in 0..N_GENOTYPES {
            for a in 0..N_AGES {
                cum[g][a + 1] = cum[g][a] + hazard[g][a];
            }
        }
        Self { hazard, cum }
    }

    /// Probability of no event before age `a` (survival through ages `0..a`).
    pub(crate) fn survival(&self, g: usize, a: usize) -> f64 {
        (-self.cum[g][a.min(N_AGES)]).exp()
    }

    /// Probability of a first event during the year of age `a`.
    pub(crate) fn density(&self, g: usize, a: usize) -> f64 {
        let a = a.min(N_AGES - 1);
        self.survival(g, a) * (1.0 - (-self.hazard[g][a]).exp())
    }

    /// Probability of an event at some age up to and including `a`.
    pub(crate) fn by_age(&self, g: usize, a: usize) -> f64 {
        1.0 - self.survival(g, a + 1)
    }

    /// Probability of a contralateral cancer during the year of age `c`, after a first one at
    /// age `d <= c`; the remaining breast is given the genotype's first-cancer hazard.
    pub(crate) fn contralateral(&self, g: usize, d: usize, c: usize) -> f64 {
        let c = c.min(N_AGES - 1);
        let d = d.min(c);
        (-(self.cum[g][c] - self.cum[g][d])).exp() * (1.0 - (-self.hazard[g][c]).exp())
    }
}

/// All tables, built once.
pub(crate) struct Tables {
    pub(crate) breast: SiteTable,
    pub(crate) ovarian: SiteTable,
    pub(crate) male_breast: SiteTable,
    /// Annual all-cause mortality hazard (competing risk).
    pub(crate) mortality: [f64; N_AGES],
}

pub(crate) static TABLES: LazyLock<Tables> = LazyLock::new(build_tables);

/// Carrier frequencies of an ancestry: BRCA status (none, BRCA1, BRCA2) and the T gene.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Freqs {
    pub(crate) brca: [f64; N_BRCA],
    pub(crate) t: f64,
}

impl Freqs {
    pub(crate) fn of(ashkenazi: bool) -> Self {
        let (b1, b2) = if ashkenazi {
            (p::BRCA1_CARRIER_ASHKENAZI, p::BRCA2_CARRIER_ASHKENAZI)
        } else {
            (p::BRCA1_CARRIER_GENERAL, p::BRCA2_CARRIER_GENERAL)
        };
        Self {
            brca: [1.0 - b1 - b2, b1, b2],
            t: p::T_GENE_CARRIER,
        }
    }

    /// Prior probability of each joint genotype.
    pub(crate) fn joint_prior(&self) -> [f64; N_GENOTYPES] {
        let mut out = [0.0; N_GENOTYPES];
        for b in 0..N_BRCA {
            out[joint(b, 0)] = self.brca[b] * (1.0 - self.t);
            out[joint(b, 1)] = self.brca[b] * self.t;
        }
        out
    }
}

fn brca_breast_rr(b: usize, a: usize) -> f64 {
    match b {
        BRCA1 => p::BRCA1_BREAST_RR[band10(a)],
        BRCA2 => p::BRCA2_BREAST_RR[band10(a)],
        _ => 1.0,
    }
}

fn breast_rr(g: usize, a: usize) -> f64 {
    let t = if g % 2 == 1 {
        p::T_GENE_RR[band10(a)]
    } else {
        1.0
    };
    brca_breast_rr(g / 2, a) * t
}

// The loop index is the age, which also indexes the per-band parameter tables.
#[allow(clippy::needless_range_loop)]
fn build_tables() -> Tables {
    // Female breast: the population rate is the survivor-weighted mixture over genotypes
    // (general-population priors), so the non-carrier baseline is solved age by age.
    let freqs = Freqs::of(false);
    let prior = freqs.joint_prior();
    let mut weight = prior;
    let mut breast = [[0.0; N_AGES]; N_GENOTYPES];
    for a in 0..N_AGES {
        let pop = p::POP_BREAST_PER_100K[band5(a)] / 1e5;
        let total: f64 = weight.iter().sum();
        let weighted_rr: f64 = (0..N_GENOTYPES).map(|g| weight[g] * breast_rr(g, a)).sum();
        let baseline = if weighted_rr > 0.0 {
            pop * total / weighted_rr
        } else {
            pop
        };
        for g in 0..N_GENOTYPES {
            let h = (baseline * breast_rr(g, a)).max(HAZARD_FLOOR);
            breast[g][a] = h;
            weight[g] *= (-h).exp();
        }
    }

    // Ovarian and male breast: prior-weighted split of the population rate (carriers are too
    // rare for survivor weighting to matter at the precision of these tables).
    let brca_male_rr = [1.0, p::BRCA1_MALE_BREAST_RR, p::BRCA2_MALE_BREAST_RR];
    let male_rr = |g: usize| brca_male_rr[g / 2] * if g % 2 == 1 { p::T_GENE_MALE_RR } else { 1.0 };
    let male_mean: f64 = (0..N_GENOTYPES).map(|g| prior[g] * male_rr(g)).sum();
    let mut ovarian = [[0.0; N_AGES]; N_GENOTYPES];
    let mut male = [[0.0; N_AGES]; N_GENOTYPES];
    let mut mortality = [0.0; N_AGES];
    for a in 0..N_AGES {
        let b = band5(a);
        let ov_rr = [
            1.0,
            p::BRCA1_OVARIAN_RR[band10(a)],
            p::BRCA2_OVARIAN_RR[band10(a)],
        ];
        let ov_mean: f64 = (0..N_BRCA).map(|k| freqs.brca[k] * ov_rr[k]).sum();
        let ov0 = p::POP_OVARIAN_PER_100K[b] / 1e5 / ov_mean;
        let m0 = p::POP_MALE_BREAST_PER_100K[b] / 1e5 / male_mean;
        for g in 0..N_GENOTYPES {
            ovarian[g][a] = (ov0 * ov_rr[g / 2]).max(HAZARD_FLOOR);
            male[g][a] = (m0 * male_rr(g)).max(HAZARD_FLOOR);
        }
        mortality[a] = -(1.0 - p::FEMALE_MORTALITY_QX[b]).ln();
    }

    Tables {
        breast: SiteTable::from_hazards(breast),
        ovarian: SiteTable::from_hazards(ovarian),
        male_breast: SiteTable::from_hazards(male),
        mortality,
    }
}

/// How a relative's genotype relates to the proband's, for the Mendelian sharing rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Line {
    /// Related through the mother only (mother, maternal grandparents, aunts, half-sibs, cousins).
    Maternal,
    /// Related through the father only.
    Paternal,
    /// Shares both parents or descends from the proband or a full sibling (siblings, children,
    /// nieces, grandchildren).
    Direct,
}

/// A relative reduced to what the likelihood needs: the degree, the line, and the
/// probability of her observed phenotype under each genotype (scaled so the largest is 1).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Evidence {
    pub(crate) degree: u8,
    pub(crate) line: Line,
    pub(crate) likelihood: [f64; N_GENOTYPES],
}

/// Probability that the relative carries the proband's gene, given that the proband carries it
/// and that the proband's copy came from `origin` (maternal or paternal). Rare-allele rule: the
/// relative shares the proband's allele with probability `k` (1/2 per meiosis along the line
/// of descent), otherwise carries it at the population frequency.
fn sharing(e: &Evidence, origin: Line) -> f64 {
    let d = i32::from(e.degree);
    match e.line {
        Line::Direct => 0.5f64.powi(d),
        line if line == origin => 0.5f64.powi(d - 1),
        _ => 0.0,
    }
}

/// Probability that a relative carries a gene, given whether the proband carries it and, if
/// she does, the parent it came from (`origin`). Rare-allele rule: a carrier proband's relative
/// shares her allele with probability `k` (1/2 per meiosis along the line of descent), else
/// carries it at population frequency `f`; a non-carrier proband's relative carries it with
/// probability `f (1 - (1/2)^degree)`.
fn carrier_prob(e: &Evidence, origin: Option<Line>, f: f64) -> f64 {
    match origin {
        Some(o) => {
            let k = sharing(e, o);
            k + (1.0 - k) * f
        }
        None => f * (1.0 - 0.5f64.powi(i32::from(e.degree))),
    }
}

const ORIGINS: [Option<Line>; 2] = [Some(Line::Maternal), Some(Line::Paternal)];
const NO_ORIGIN: [Option<Line>; 1] = [None];

/// Log-likelihood of all relatives' phenotypes given each joint genotype of the proband.
///
/// For a carrier proband the parental origin of each of her alleles is averaged over (1/2
/// each); given the origins, relatives are conditionally independent (an approximation for
/// relatives who descend from one another, e.g. an aunt and her daughter).
pub(crate) fn family_log_likelihood(evidence: &[Evidence], freqs: &Freqs) -> [f64; N_GENOTYPES] {
    let mut out = [0.0; N_GENOTYPES];
    if evidence.is_empty() {
        return out;
    }
    for b in 0..N_BRCA {
        for t in 0..2 {
            let b_origins: &[Option<Line>] = if b == NONE { &NO_ORIGIN } else { &ORIGINS };
            let t_origins: &[Option<Line>] = if t == 0 { &NO_ORIGIN } else { &ORIGINS };
            let mut terms = [0.0; 4];
            let mut n = 0;
            for &ob in b_origins {
                for &ot in t_origins {
                    let mut ll = 0.0;
                    for e in evidence {
                        let mut pb = [0.0; N_BRCA];
                        for (k, slot) in pb.iter_mut().enumerate().skip(1) {
                            let origin = if k == b { ob } else { None };
                            *slot = carrier_prob(e, origin, freqs.brca[k]);
                        }
                        pb[NONE] = (1.0 - pb[BRCA1] - pb[BRCA2]).max(0.0);
                        let pt = carrier_prob(e, ot, freqs.t);
                        let mut m = 0.0;
                        for (k, &pk) in pb.iter().enumerate() {
                            m += pk
                                * ((1.0 - pt) * e.likelihood[joint(k, 0)]
                                    + pt * e.likelihood[joint(k, 1)]);
                        }
                        ll += m.max(f64::MIN_POSITIVE).ln();
                    }
                    if let Some(slot) = terms.get_mut(n) {
                        *slot = ll;
                        n += 1;
                    }
                }
            }
            let m = terms[..n].iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let s: f64 = terms[..n].iter().map(|x| (x - m).exp()).sum();
            out[joint(b, t)] = m + (s / n as f64).ln();
        }
    }
    out
}

/// Normalises log-weights into probabilities.
pub(crate) fn normalise(log_w: &[f64; N_GENOTYPES]) -> [f64; N_GENOTYPES] {
    let m = log_w.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut w = [0.0; N_GENOTYPES];
    for g in 0..N_GENOTYPES {
        w[g] = (log_w[g] - m).exp();
    }
    let s: f64 = w.iter().sum();
    for x in &mut w {
        *x /= s;
    }
    w
}

/// Absolute breast-cancer risks from `age` for one genotype: (to `age + 10`, to `horizon`),
/// with the personal relative risk `rr[a]` multiplying the genotype hazard at age `a` and
/// all-cause mortality as the competing risk. Annual steps, exact within a year for constant
/// hazards.
// The loop index is the age, shared by three tables.
#[allow(clippy::needless_range_loop)]
pub(crate) fn project(g: usize, age: usize, horizon: usize, rr: &[f64; N_AGES]) -> (f64, f64) {
    let t = &*TABLES;
    let ten_end = age + 10;
    let end = ten_end.max(horizon).min(N_AGES);
    let mut surv = 1.0;
    let mut risk = 0.0;
    let mut ten = 0.0;
    let mut life = 0.0;
    for a in age..end {
        let h = t.breast.hazard[g][a] * rr[a];
        let total = h + t.mortality[a];
        let step = (-total).exp();
        risk += surv * h / total * (1.0 - step);
        surv *= step;
        if a + 1 == ten_end {
            ten = risk;
        }
        if a + 1 == horizon {
            life = risk;
        }
    }
    (ten, life)
}
