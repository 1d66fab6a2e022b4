//! The person a diagnosis belongs to: what bounds an unknown age at diagnosis (issue #15), and
//! the words for them.

use crate::clinical::pedigree::{Diagnosis, PersonId, Tri};
use crate::clinical::profile::{Cancer, Relative, RiskProfile, Sex};

/// The bearer of a cancer: what bounds an unknown age at diagnosis, and how to speak of them.
#[derive(Debug, Clone, Copy)]
pub(super) struct Bearer {
    /// Current age, or age at death (risk-profile.md `age`).
    age: Option<i32>,
    alive: Option<bool>,
    pub(super) sex: Option<Sex>,
    pub(super) proband: bool,
}

/// An age at diagnosis as the age criteria read it (issue #15).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DxAge {
    /// Recorded.
    Known(i32),
    /// Not recorded, but no later than the bearer's age (current age or age at death).
    AtMost(i32),
    /// Neither recorded nor bounded.
    Unknown,
}

impl Bearer {
    pub(super) const UNKNOWN: Bearer = Bearer {
        age: None,
        alive: None,
        sex: None,
        proband: false,
    };

    pub(super) fn proband(p: &RiskProfile) -> Self {
        Self {
            age: p.proband.age,
            alive: Some(true),
            sex: p.proband.sex,
            proband: true,
        }
    }

    pub(super) fn relative(r: &Relative) -> Self {
        Self {
            age: r.age,
            alive: r.alive,
            sex: r.relation.sex(r.sex),
            proband: false,
        }
    }

    pub(super) fn of(d: &Diagnosis<'_>) -> Self {
        Self {
            age: d.age,
            alive: d.alive,
            sex: d.sex,
            proband: d.person == PersonId::Proband,
        }
    }

    fn dx(self, c: &Cancer) -> DxAge {
        match (c.age_at_diagnosis, self.age) {
            (Some(a), _) => DxAge::Known(a),
            (None, Some(b)) if b >= 0 => DxAge::AtMost(b),
            (None, _) => DxAge::Unknown,
        }
    }

    /// Diagnosed at or before `max`: a bounded unknown age counts when the bound is within.
    pub(super) fn le(self, c: &Cancer, max: i32) -> Tri {
        match self.dx(c) {
            DxAge::Known(a) if a <= max => Tri::Yes,
            DxAge::Known(_) => Tri::No,
            DxAge::AtMost(b) if b <= max => Tri::Yes,
            DxAge::AtMost(_) | DxAge::Unknown => Tri::Unknown,
        }
    }

    /// Diagnosed before `below`.
    pub(super) fn lt(self, c: &Cancer, below: i32) -> Tri {
        self.le(c, below - 1)
    }

    /// `"your"`, `"her"`, `"his"`, `"their"`.
    pub(super) fn possessive(self) -> &'static str {
        match (self.proband, self.sex) {
            (true, _) => "your",
            (false, Some(Sex::Female)) => "her",
            (false, Some(Sex::Male)) => "his",
            (false, None) => "their",
        }
    }

    /// What bounds the age: `"your current age"`, `"her age at death"`...
    fn basis(self) -> String {
        let what = match (self.proband, self.alive) {
            (true, _) | (false, Some(true)) => "current age",
            (false, Some(false)) => "age at death",
            (false, None) => "recorded age",
        };
        format!("{} {what}", self.possessive())
    }

    /// `"diagnosed at 45"`, `"with age at diagnosis unknown but no later than 48 (her current
    /// age)"`, `"with age at diagnosis unknown"`.
    pub(super) fn at_age(self, c: &Cancer) -> String {
        match self.dx(c) {
            DxAge::Known(a) => format!("diagnosed at {a}"),
            DxAge::AtMost(b) => format!(
                "with age at diagnosis unknown but no later than {b} ({})",
                self.basis()
            ),
            DxAge::Unknown => "with age at diagnosis unknown".to_owned(),
        }
    }

    /// `""` or `" (no later than 60, your current age)"`, for warnings about an unknown age.
    pub(super) fn bound_note(self, c: &Cancer) -> String {
        match self.dx(c) {
            DxAge::AtMost(b) => format!(" (no later than {b}, {})", self.basis()),
            _ => String::new(),
        }
    }

    /// Among `cancers`, the earliest diagnosed at or before `max` (bounded ages included).
    pub(super) fn earliest_within<'c>(
        self,
        cancers: &[&'c Cancer],
        max: i32,
    ) -> Option<&'c Cancer> {
        cancers
            .iter()
            .copied()
            .filter(|c| self.le(c, max) == Tri::Yes)
            .min_by_key(|c| c.age_at_diagnosis.or(self.age).unwrap_or(i32::MAX))
    }
}
