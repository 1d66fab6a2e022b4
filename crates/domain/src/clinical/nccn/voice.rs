//! How rationales speak of the subject: the proband as "you", a relative as "her"/"his".

use super::bearer::Bearer;
use crate::clinical::profile::Sex;

/// How rationales speak of the subject: the proband as "you", a relative as "her"/"his".
#[derive(Debug, Clone, Copy)]
pub(super) struct Voice {
    /// Starts a personal-history rationale: `"Personal"`, `"Her"`, `"His"`, `"Their"`.
    pub(super) personal: &'static str,
    /// `"your"`, `"her"`...
    pub(super) possessive: &'static str,
    /// `"yours"`, `"hers"`, `"his"`, `"theirs"`.
    pub(super) yours: &'static str,
    /// The subject is the proband.
    pub(super) proband: bool,
}

impl Voice {
    pub(super) fn of(b: Bearer) -> Self {
        let (personal, yours) = match (b.proband, b.sex) {
            (true, _) => ("Personal", "yours"),
            (false, Some(Sex::Female)) => ("Her", "hers"),
            (false, Some(Sex::Male)) => ("His", "his"),
            (false, None) => ("Their", "theirs"),
        };
        Self {
            personal,
            possessive: b.possessive(),
            yours,
            proband: b.proband,
        }
    }

    /// Leads for a family criterion naming "close relatives": `"Close relative"` for the proband,
    /// `"Her close relative"` for a relative.
    pub(super) fn close_relative(self, many: bool) -> String {
        let noun = if many {
            "close relatives"
        } else {
            "close relative"
        };
        if self.proband {
            capitalise(noun)
        } else {
            format!("{} {noun}", capitalise(self.possessive))
        }
    }
}

pub(super) fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}
