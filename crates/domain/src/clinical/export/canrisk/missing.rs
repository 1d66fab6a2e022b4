//! What the profile does not say: affected people without an age or year of birth (estimated on
//! request, else named as blocking), unaffected ones left out of the calculation, and values
//! written by default.

use super::row::Row;
use super::{CanRiskOptions, HOXB13, MIN_YEAR_OF_BIRTH};
use crate::clinical::export::{GeneStatus, MAX_AGE, Notes};
use crate::clinical::profile::RiskProfile;

/// Years per generation when a year of birth is estimated.
const GENERATION_YEARS: i32 = 30;
/// An estimated current age never exceeds this.
const MAX_ESTIMATED_AGE: i32 = 100;
/// An estimated age at death never exceeds this: the end of the models' risk range (bws
/// computes risks to age 80), so that an unknown age does not push a diagnosis "at the age of
/// last follow-up" past the range the models were fitted on.
const MAX_ESTIMATED_AGE_AT_DEATH: i32 = 80;

/// An estimate of an affected person's missing age and year of birth (see [`estimate`]).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Estimate {
    age: u8,
    yob: i32,
    /// How, in words, for the note.
    how: String,
}

/// Estimates the missing age and/or year of birth of an affected person.
///
/// - Year of birth from the generation: the proband's year of birth minus 30 years per
///   generation above her (plus 30 per generation below); siblings, half-siblings and cousins
///   share hers.
/// - Alive (or vital status unknown) at an unknown age: the age that year of birth gives today,
///   at most 100 and at least the latest known diagnosis age; the year of birth then follows
///   from that age.
/// - Dead at a known age: the generation's year of birth, moved earlier if needed so that the
///   death is not after the reference year.
/// - Dead at an unknown age: the age that year of birth gives today, at most 80 (the end of the
///   models' risk range: CanRisk takes an unknown diagnosis age as the age at last follow-up)
///   and at least the latest known diagnosis age.
///
/// `None` when no estimate fits CanRisk's range of years of birth.
fn estimate(row: &Row, proband_yob: i32, reference_year: i32) -> Option<Estimate> {
    let generation = row.generation;
    let gen_yob = proband_yob - GENERATION_YEARS * generation;
    let born = born(generation, proband_yob);
    // Never below the latest known diagnosis (CanRisk refuses an age below a diagnosis age).
    let floor = i32::from(row.latest_dx.unwrap_or(1)).max(1);
    // The age the generation's year of birth gives in the reference year.
    let gen_age = reference_year - gen_yob;
    let adjusted = |age: i32, cap: i32, cap_why: &str| {
        if age > gen_age.min(cap) {
            format!(", raised to the latest diagnosis age ({age})")
        } else if gen_age > cap {
            format!(", capped at {cap}{cap_why}")
        } else {
            String::new()
        }
    };
    let (age, yob, how) = if !row.dead {
        if row.age > 0 {
            // Alive at a known age always has a year of birth: nothing to estimate.
            return None;
        }
        let age = gen_age.min(MAX_ESTIMATED_AGE).max(floor);
        let yob = reference_year - age;
        let how = format!(
            "age {age} and year of birth {yob}: {born}, so {gen_age} in {reference_year}{}",
            adjusted(age, MAX_ESTIMATED_AGE, "")
        );
        (age, yob, how)
    } else if row.age > 0 {
        let age = i32::from(row.age);
        let yob = gen_yob.min(reference_year - age);
        let mut how = format!("year of birth {yob}: {born}");
        if yob < gen_yob {
            how.push_str(&format!(
                ", moved earlier so that the death at {age} is not after {reference_year}"
            ));
        }
        (age, yob, how)
    } else {
        let age = gen_age.min(MAX_ESTIMATED_AGE_AT_DEATH).max(floor);
        let yob = gen_yob.min(reference_year - age);
        let how = format!(
            "age at death {age} and year of birth {yob}: {born}; the unknown age at death is \
             taken as the age reached by {reference_year} ({gen_age}){}",
            adjusted(
                age,
                MAX_ESTIMATED_AGE_AT_DEATH,
                " (the end of the models' risk range)"
            )
        );
        (age, yob, how)
    };
    if !(MIN_YEAR_OF_BIRTH..=reference_year).contains(&yob) || !(1..=MAX_AGE).contains(&age) {
        return None;
    }
    Some(Estimate {
        age: u8::try_from(age).ok()?,
        yob,
        how,
    })
}

/// `"born in the proband's generation (1980)"`, `"born two generations (60 years) before the
/// proband (1980)"`: the year-of-birth estimate in words.
fn born(generation: i32, proband_yob: i32) -> String {
    let generations = |n: i32| match n {
        1 => "one generation".to_owned(),
        2 => "two generations".to_owned(),
        3 => "three generations".to_owned(),
        n => format!("{n} generations"),
    };
    match generation {
        0 => format!("born in the proband's generation ({proband_yob})"),
        g if g > 0 => format!(
            "born {} ({} years) before the proband ({proband_yob})",
            generations(g),
            GENERATION_YEARS * g
        ),
        g => format!(
            "born {} ({} years) after the proband ({proband_yob})",
            generations(-g),
            GENERATION_YEARS * -g
        ),
    }
}

/// Affected people without a year of birth or age: estimated (on request) or named as blocking;
/// unaffected people without them are listed as left out of the calculation.
pub(super) fn resolve_missing(rows: &mut [Row], opts: &CanRiskOptions, notes: &mut Notes) {
    let proband_yob = rows
        .iter()
        .find(|r| r.target)
        .map_or(opts.reference_year, |r| r.yob);
    let mut left_out: Vec<String> = Vec::new();
    let mut vital_unknown: Vec<String> = Vec::new();
    for row in rows.iter_mut() {
        let Some(who) = row.who.clone() else {
            continue;
        };
        if row.vital_unknown {
            vital_unknown.push(who.to_string());
        }
        if row.target || (row.age > 0 && row.yob != 0) {
            continue;
        }
        if !row.affected() {
            left_out.push(who.to_string());
            continue;
        }
        let missing = match (row.age == 0, row.yob == 0) {
            (true, true) => "the age and the year of birth are unknown".to_owned(),
            (true, false) => "the age is unknown".to_owned(),
            _ if row.dead && row.age > 0 => format!(
                "the year of birth is unknown (the profile has the age at death, {}, not the \
                 year)",
                row.age
            ),
            _ => "the year of birth is unknown".to_owned(),
        };
        let estimated = if opts.estimate_missing {
            estimate(row, proband_yob, opts.reference_year)
        } else {
            None
        };
        match estimated {
            Some(e) => {
                row.age = e.age;
                row.yob = e.yob;
                notes.estimated(format!(
                    "{who}: {}. Correct it in CanRisk if it is known.",
                    e.how
                ));
            }
            None if opts.estimate_missing => notes.must_fix(format!(
                "{who} has cancer, but {missing}, and no estimate fits CanRisk's range of years \
                 of birth. CanRisk refuses the file until an age and a year of birth are entered."
            )),
            None => notes.must_fix(format!(
                "{who} has cancer, but {missing}. CanRisk refuses the file until an age and a \
                 year of birth are entered (an estimate is better than none), or export again \
                 with estimate_missing."
            )),
        }
    }
    if !vital_unknown.is_empty() {
        notes.info(format!(
            "Vital status unknown, written as alive: {}.",
            vital_unknown.join(", ")
        ));
    }
    if !left_out.is_empty() {
        notes.info(format!(
            "Age or year of birth unknown, so CanRisk leaves these unaffected relatives out of \
             the calculation (they still link the family): {}.",
            left_out.join(", ")
        ));
    }
}

/// Notes on values written by default rather than from the profile.
pub(super) fn default_notes(profile: &RiskProfile, rows: &[Row], notes: &mut Notes) {
    if profile.proband.ashkenazi_jewish.is_none() {
        notes.info("Proband (PB; proband): Ashkenazi Jewish ancestry unknown; written as not Ashkenazi (0).");
    }
    let screen_written = rows.iter().any(|r| {
        r.genes
            .iter()
            .enumerate()
            .any(|(i, g)| i != HOXB13 && *g != GeneStatus::Untested)
    });
    if screen_written {
        notes.info(
            "The profile does not record whether a genetic test was a full screen or a targeted \
             test of a known family variant: results are written as S (mutation search). Change \
             them to T in CanRisk for targeted tests.",
        );
    }
}
