//! CanRisk pedigree file, format version 4 (clinical.md §4.3; layout and validation rules as the
//! CanRisk web service `CCGE-BOADICEA/bws` reads it: `bws/pedigree_file.py`, `bws/person.py`,
//! `bws/pedigree.py`, `bws/cancer.py`, `bws/settings.py`, example `bws/tests/data/d10.canrisk4`).
//!
//! Layout:
//! - line 1 `##CanRisk 4.0` (the service accepts `##CanRisk 4` and `##CanRisk 4.0`);
//! - `##key=value` risk-factor lines for the target, only for values the profile knows;
//! - the column header `##FamID Name Target IndivID FathID MothID Sex MZtwin Dead Age Yob BC1 BC2
//!   OC PRO PAN Ashkn BRCA1 BRCA2 PALB2 ATM CHEK2 BARD1 RAD51D RAD51C BRIP1 HOXB13
//!   ER:PR:HER2:CK14:CK56` (28 columns, tab-separated);
//! - one tab-separated row per person.
//!
//! Codes: cancer columns hold the age at diagnosis, `0` = unaffected, `AU` = affected at unknown
//! age; `Age`/`Yob` `0` = unknown; `Dead` 0/1; `Ashkn` 0/1; genes `type:result` with type `S`
//! (mutation search) or `T` (targeted), result `P`/`N`, `0:0` untested; pathology `P`/`N`/`0`.
//!
//! Rules the service enforces and this writer keeps (bws): individual ids are 1–7 alphanumeric
//! characters, names at most 8; every person has both parents or none; fathers are `M`, mothers
//! `F`; everybody is connected to the single target; the target has an age and a year of birth;
//! at most 275 people; ovarian cancer only in females, prostate only in males.
//!
//! Pedigree skeleton: each relative is attached to the proband through the people the relation
//! implies (parents, grandparents, great-grandparents). People the profile does not list are
//! written as placeholders (age, year of birth unknown; CanRisk leaves them out of the likelihood
//! except as links). Where the profile does not say *which* sibling / aunt / child a niece,
//! cousin or grandchild descends from, one placeholder parent per side is created
//! (`SIBX`, `MAUX`, `PAUX`, `CHX`, each with a placeholder partner) rather than guessing a listed
//! relative; maternal (paternal) half-siblings share one placeholder other parent (`MOP`, `FAP`).
//!
//! Unknown values: a relative's unknown age → `Age 0`; a deceased relative's year of birth is
//! unknown (the profile has the age at death, not the year) → `Yob 0`; an unknown diagnosis age →
//! `AU`. CanRisk refuses a file in which an affected person lacks a year of birth, or has an age
//! below a diagnosis age: the notes name each such person ("Must fix before computing"), and
//! with [`CanRiskOptions::estimate_missing`] both are estimated from the person's generation (see
//! [`missing::estimate`]) and every estimate is noted. Unaffected people without both are kept (they link
//! the family) and CanRisk leaves them out of the likelihood; the notes list them. Gene test type
//! is not in the profile: a known result is written as `S` (mutation search), except HOXB13,
//! whose carriers are `T:HET` (CanRisk reads HOXB13 results as `N`/`HET`/`HOM`). Twins are not in
//! the profile: `MZtwin 0`. CK14 and CK5/6 are not in the profile: `0`.
//!
//! Fixed by what CanRisk refuses or misreads (bws and pedigreejs, clinical.md §4.3):
//! - `##menopause=Y` is refused: a post-menopausal woman of unknown menopause age gets no
//!   menopause line (and a note);
//! - Volpara or Stratus density with a non-White ethnicity is refused: the ethnicity line goes;
//! - any `##ethnicity` line stops CanRisk from using non-UK incidence rates, and its prostate
//!   model refuses UK ethnicity for a male target: the line is written only on request
//!   ([`CanRiskOptions::uk_ethnicity`]) and never for a male target;
//! - the editor deletes a male relative's second breast cancer on load: it is left out;
//! - the editor cannot root a lone target: a proband without relatives gets placeholder parents.

mod fill;
mod missing;
mod risk_factors;
mod row;
mod skeleton;

use super::super::profile::RiskProfile;
use super::{ExportError, ExportOutput, Notes, check_family_id};
use missing::{default_notes, resolve_missing};
use risk_factors::risk_factor_lines;
use skeleton::build_rows;

/// File header line (clinical.md §4.3: `##CanRisk 1|2|3|4`; the service's header pattern accepts
/// an optional `.0`).
pub const CANRISK_V4_HEADER: &str = "##CanRisk 4.0";

/// Gene columns of format 4, in order (clinical.md §4.3; HOXB13 is new in v4).
pub const CANRISK_V4_GENES: [&str; 10] = [
    "BRCA1", "BRCA2", "PALB2", "ATM", "CHEK2", "BARD1", "RAD51D", "RAD51C", "BRIP1", "HOXB13",
];

/// Index of HOXB13 in [`CANRISK_V4_GENES`] (its results are `N`, `HET`, `HOM`, not `N`/`P`).
const HOXB13: usize = 9;

/// Number of tab-separated columns of a format-4 row (11 person + 5 cancer + Ashkn + 10 genes +
/// pathology; bws `BOADICEA_CANRISK_FORMAT_FOUR_DATA_FIELDS`).
pub const CANRISK_V4_COLUMNS: usize = 28;

/// Largest pedigree the service accepts (bws/settings.py `MAX_PEDIGREE_SIZE`).
const MAX_PEDIGREE_SIZE: usize = 275;
/// Earliest year of birth the service accepts (bws/settings.py `MIN_YEAR_OF_BIRTH`).
const MIN_YEAR_OF_BIRTH: i32 = 1850;

/// Parameters of the CanRisk export that are not in the profile.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CanRiskOptions {
    /// Family id (FamID column): 1–8 ASCII letters, digits or `_` (the service keeps 8 characters).
    /// Must not identify the patient.
    pub family_id: String,
    /// Calendar year the ages refer to; years of birth are `reference_year - age`. Passed in
    /// because the domain has no clock.
    pub reference_year: i32,
    /// Estimate the year of birth and age of affected people who lack them (see [`missing::estimate`]).
    #[serde(default)]
    pub estimate_missing: bool,
    /// Write the `##ethnicity` line (female target only; UK ONS groups).
    #[serde(default)]
    pub uk_ethnicity: bool,
}

impl CanRiskOptions {
    /// Options with the opt-in behaviours off.
    #[must_use]
    pub fn new(family_id: impl Into<String>, reference_year: i32) -> Self {
        Self {
            family_id: family_id.into(),
            reference_year,
            estimate_missing: false,
            uk_ethnicity: false,
        }
    }
}

/// Writes the CanRisk v4 pedigree file for `profile`. See [`to_canrisk_v4_report`].
///
/// # Errors
/// As [`to_canrisk_v4_report`].
pub fn to_canrisk_v4(profile: &RiskProfile, opts: &CanRiskOptions) -> Result<String, ExportError> {
    to_canrisk_v4_report(profile, opts).map(|o| o.content)
}

/// Writes the CanRisk v4 pedigree file for `profile`, with notes on what blocks computation,
/// what was estimated, defaulted or left out.
///
/// # Errors
/// `family_id` or `reference_year` unusable; the proband's sex or age missing (CanRisk requires
/// them for the target); an impossible value (negative age, diagnosis after the current age,
/// ovarian cancer in a male, a second mother); a cousin without `sex` (CanRisk has no unknown
/// sex); more people than CanRisk accepts.
pub fn to_canrisk_v4_report(
    profile: &RiskProfile,
    opts: &CanRiskOptions,
) -> Result<ExportOutput, ExportError> {
    let fam = &opts.family_id;
    check_family_id(fam)?;
    if !(MIN_YEAR_OF_BIRTH..=9999).contains(&opts.reference_year) {
        return Err(ExportError::invalid(
            "reference_year",
            format!("must be between {MIN_YEAR_OF_BIRTH} and 9999"),
        ));
    }
    let mut notes = Notes::default();
    let mut rows = build_rows(profile, opts.reference_year, &mut notes)?;
    if rows.len() > MAX_PEDIGREE_SIZE {
        return Err(ExportError::unsupported(
            "relatives",
            format!(
                "the pedigree has {} people; CanRisk accepts at most {MAX_PEDIGREE_SIZE}",
                rows.len()
            ),
        ));
    }
    resolve_missing(&mut rows, opts, &mut notes);
    default_notes(profile, &rows, &mut notes);

    let mut out = String::new();
    out.push_str(CANRISK_V4_HEADER);
    out.push('\n');
    for line in risk_factor_lines(&profile.proband, opts, &mut notes)? {
        out.push_str(&line);
        out.push('\n');
    }
    out.push_str(&column_header());
    out.push('\n');
    for r in &rows {
        out.push_str(&r.to_line(fam));
        out.push('\n');
    }
    Ok(ExportOutput {
        content: out,
        notes: notes.into_vec(),
    })
}

/// The `##FamID …` column header line.
fn column_header() -> String {
    let mut cols: Vec<&str> = vec![
        "##FamID", "Name", "Target", "IndivID", "FathID", "MothID", "Sex", "MZtwin", "Dead", "Age",
        "Yob", "BC1", "BC2", "OC", "PRO", "PAN", "Ashkn",
    ];
    cols.extend(CANRISK_V4_GENES);
    cols.push("ER:PR:HER2:CK14:CK56");
    cols.join("\t")
}
