//! From a `RiskProfile` to PREMM5: which people count, on which side, and unknown ages.
//!
//! - **People**: the proband, and first- and second-degree relatives (PREMM5 has no third-degree
//!   predictor). Relatives count once per kind of cancer, whatever the number of tumours.
//! - **Side**: the PREMM5 calculator asks for the relatives "from the affected side of the
//!   family" (Dana-Farber referral page). The model is therefore run once per parental lineage
//!   (full siblings and the proband's descendants belong to both) and the higher result is
//!   reported, with its side; when both lineages give the same input, no side is named.
//! - **Required**: sex and current age. Without either the model is not applicable (never
//!   guessed).
//! - **Unknown age at diagnosis** is not guessed either. A diagnosis cannot be later than the
//!   person's current age (or age at death), nor later than a known younger diagnosis in the same
//!   group, so the youngest age of the group lies in an interval. Every colorectal age coefficient
//!   is negative and every endometrial one positive ([`super::coefficients::COEFFICIENTS`]), so the
//!   total score is monotone in each age and its extremes are at the interval ends: the result is
//!   a score range (a test checks the monotonicity). Per-gene probabilities are only given when the
//!   range collapses to one value (for example when clipping makes the unknown age irrelevant).

use super::coefficients::{CRC_LIMITS, EC_LIMITS, Limits};
use super::{GeneProbabilities, Premm5Input, RelativeCounts, YoungestAges};
use crate::clinical::lynch::family::{LynchKind, Member};
use crate::clinical::pedigree::Lineage;
use crate::clinical::profile::{RiskProfile, Sex};

/// The youngest age at diagnosis of one group, as an interval (unclipped).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Youngest {
    /// Lowest possible youngest age.
    lo: f64,
    /// Highest possible youngest age.
    hi: f64,
}

/// Collects the diagnoses of one kind in one group.
#[derive(Debug, Default)]
struct Slot {
    any: bool,
    known_min: Option<f64>,
    /// Upper bound of an unknown age (infinite when the person's age is unknown too).
    unknown_max: Option<f64>,
}

impl Slot {
    fn add(&mut self, dx: Option<i32>, person_age: Option<i32>) {
        self.any = true;
        match dx {
            Some(a) => {
                let a = f64::from(a);
                self.known_min = Some(self.known_min.map_or(a, |m| m.min(a)));
            }
            None => {
                let bound = person_age.map_or(f64::INFINITY, f64::from);
                self.unknown_max = Some(self.unknown_max.map_or(bound, |m| m.min(bound)));
            }
        }
    }

    fn youngest(&self) -> Option<Youngest> {
        if !self.any {
            return None;
        }
        Some(match (self.known_min, self.unknown_max) {
            (Some(k), None) => Youngest { lo: k, hi: k },
            (k, Some(u)) => Youngest {
                lo: 0.0,
                hi: k.map_or(u, |k| k.min(u)),
            },
            (None, None) => Youngest {
                lo: 0.0,
                hi: f64::INFINITY,
            },
        })
    }
}

/// Whether the interval is one value once clipped.
fn determined(y: Option<Youngest>, l: Limits) -> bool {
    y.is_none_or(|y| l.clip(y.lo) == l.clip(y.hi))
}

/// The PREMM5 inputs of one lineage: the inputs giving the lowest and the highest score (equal
/// when every age is known).
#[derive(Debug, Clone, PartialEq)]
pub struct LineageInputs {
    /// Lowest-score input (colorectal ages at their highest, endometrial at their lowest).
    pub low: Premm5Input,
    /// Highest-score input.
    pub high: Premm5Input,
    /// Every age is determined: `low == high`.
    pub determined: bool,
}

/// Builds the inputs for `lineage`. `None` when sex or age is unknown.
pub fn lineage_inputs(
    profile: &RiskProfile,
    members: &[Member<'_>],
    lineage: Lineage,
) -> Option<LineageInputs> {
    let p = &profile.proband;
    let male = p.sex? == Sex::Male;
    let testing_age = f64::from(p.age?);
    let mut base = Premm5Input {
        male,
        testing_age,
        ..Premm5Input::default()
    };
    let mut crc: [Slot; 3] = Default::default();
    let mut ec: [Slot; 3] = Default::default();
    for m in members.iter().filter(|m| m.in_lineage(lineage)) {
        let group = usize::from(m.degree);
        let (mut has_crc, mut has_ec, mut has_other) = (0u32, false, false);
        for (kind, c) in m.lynch_cancers() {
            match kind {
                LynchKind::Colorectal => {
                    has_crc += 1;
                    crc[group].add(c.age_at_diagnosis, m.age);
                }
                LynchKind::Endometrial => {
                    has_ec = true;
                    ec[group].add(c.age_at_diagnosis, m.age);
                }
                LynchKind::Other => has_other = true,
            }
        }
        let counts = match m.degree {
            0 => {
                base.proband_colorectal = has_crc;
                base.proband_endometrial = has_ec;
                base.proband_other_lynch = has_other;
                continue;
            }
            1 => &mut base.first_degree,
            _ => &mut base.second_degree,
        };
        add_counts(counts, has_crc > 0, has_ec, has_other);
    }
    let crc_y: [Option<Youngest>; 3] = std::array::from_fn(|i| crc[i].youngest());
    let ec_y: [Option<Youngest>; 3] = std::array::from_fn(|i| ec[i].youngest());
    let pick = |ys: &[Option<Youngest>; 3], high_end: bool| -> YoungestAges {
        ys.map(|y| y.map(|y| if high_end { y.hi } else { y.lo }))
    };
    let low = Premm5Input {
        colorectal_ages: pick(&crc_y, true),
        endometrial_ages: pick(&ec_y, false),
        ..base.clone()
    };
    let high = Premm5Input {
        colorectal_ages: pick(&crc_y, false),
        endometrial_ages: pick(&ec_y, true),
        ..base
    };
    let determined =
        (0..3).all(|i| determined(crc_y[i], CRC_LIMITS[i]) && determined(ec_y[i], EC_LIMITS[i]));
    Some(LineageInputs {
        low,
        high,
        determined,
    })
}

fn add_counts(c: &mut RelativeCounts, crc: bool, ec: bool, other: bool) {
    c.colorectal += u32::from(crc);
    c.endometrial += u32::from(ec);
    c.other_lynch |= other;
}

/// The result for one person: the score interval (fractions), per-gene probabilities when the
/// interval is one value, and the lineage it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Estimate {
    /// Lowest possible total probability.
    pub low: f64,
    /// Highest possible total probability.
    pub high: f64,
    /// Per-gene probabilities, when every age used is known.
    pub genes: Option<GeneProbabilities>,
    /// The lineage whose relatives gave this result; `None` when both give the same input.
    pub side: Option<Lineage>,
}

/// Runs PREMM5 on both lineages and keeps the higher. `None` when sex or age is unknown.
pub fn estimate(profile: &RiskProfile, members: &[Member<'_>]) -> Option<Estimate> {
    let maternal = lineage_inputs(profile, members, Lineage::Maternal)?;
    let paternal = lineage_inputs(profile, members, Lineage::Paternal)?;
    let run = |li: &LineageInputs, side: Option<Lineage>| {
        let high = li.high.probabilities();
        Estimate {
            low: li.low.probabilities().total(),
            high: high.total(),
            genes: li.determined.then_some(high),
            side,
        }
    };
    if maternal == paternal {
        return Some(run(&maternal, None));
    }
    let m = run(&maternal, Some(Lineage::Maternal));
    let p = run(&paternal, Some(Lineage::Paternal));
    Some(if p.high > m.high { p } else { m })
}
