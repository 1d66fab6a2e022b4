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
//! [`estimate`]) and every estimate is noted. Unaffected people without both are kept (they link
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

use std::collections::{HashMap, HashSet};

use super::super::profile::{
    BiradsDensity, Cancer, DensityMethod, DensityValue, Ethnicity, GeneticTest, HrtStatus, HrtType,
    MenopauseStatus, Proband, ReceptorStatus, Relation, Relative, RiskProfile, Sex,
};
use super::{
    DxAge, ExportError, ExportOutput, GeneStatus, MAX_AGE, Notes, Who, check_family_id, diagnoses,
    diagnosis_notes, fmt_num, gene_notes, gene_status, resolved_sex,
};

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
/// Years per generation when a year of birth is estimated.
const GENERATION_YEARS: i32 = 30;
/// An estimated current age never exceeds this.
const MAX_ESTIMATED_AGE: i32 = 100;
/// An estimated age at death never exceeds this: the end of the models' risk range (bws
/// computes risks to age 80), so that an unknown age does not push a diagnosis "at the age of
/// last follow-up" past the range the models were fitted on.
const MAX_ESTIMATED_AGE_AT_DEATH: i32 = 80;

/// Parameters of the CanRisk export that are not in the profile.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CanRiskOptions {
    /// Family id (FamID column): 1–8 ASCII letters, digits or `_` (the service keeps 8 characters).
    /// Must not identify the patient.
    pub family_id: String,
    /// Calendar year the ages refer to; years of birth are `reference_year - age`. Passed in
    /// because the domain has no clock.
    pub reference_year: i32,
    /// Estimate the year of birth and age of affected people who lack them (see [`estimate`]).
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

/// The ONS group (bws/risk_factors/ethnicity.py) of an unambiguous mapping of the profile's (US,
/// Gail) groups; `None` for the others.
fn ons_ethnicity(e: Ethnicity) -> Option<&'static str> {
    match e {
        Ethnicity::White => Some("White"),
        Ethnicity::Black => Some("Black or Black British"),
        Ethnicity::Chinese => Some("Asian or Asian British;Chinese"),
        _ => None,
    }
}

/// `##key=value` lines for the target woman (clinical.md §4.3 and bws/risk_factors/bc.py
/// categories). Only known values are written; a male target gets none.
fn risk_factor_lines(
    p: &Proband,
    opts: &CanRiskOptions,
    notes: &mut Notes,
) -> Result<Vec<String>, ExportError> {
    let mut v = Vec::new();
    let mut continuous_density = false;
    if p.sex == Some(Sex::Female) {
        if let Some(m) = p.menarche_age {
            v.push(format!("##menarche={m}"));
        }
        if let Some(n) = p.live_births {
            // CanRisk's parity counts births; the profile has live births.
            v.push(format!("##parity={n}"));
            if n > 0
                && let Some(a) = p.first_live_birth_age
            {
                v.push(format!("##first_live_birth={a}"));
            }
        }
        // mht_use: N never, F former, E current oestrogen-only, C current combined or unknown type
        // (bws MHT categories: "current other/unknown type (including combined type)").
        if let Some(status) = p.hrt.as_ref().and_then(|h| h.status) {
            let code = match status {
                HrtStatus::Never => "N",
                HrtStatus::FormerOver5y | HrtStatus::FormerUnder5y => "F",
                HrtStatus::Current => match p.hrt.as_ref().and_then(|h| h.hrt_type) {
                    Some(HrtType::EstrogenOnly) => "E",
                    Some(HrtType::Combined) | None => "C",
                },
            };
            v.push(format!("##mht_use={code}"));
        }
        if let (Some(h), Some(w)) = (p.height_cm, p.weight_kg)
            && h > 0.0
        {
            let bmi = w / (h / 100.0).powi(2);
            v.push(format!("##BMI={}", fmt_num("proband.weight_kg", bmi, 2)?));
        }
        // menopause: N (not yet) or the age at menopause. CanRisk refuses `Y` (post, age
        // unknown; bws AgeOfMenopause takes N, NA or an age), so that case writes nothing.
        match (p.menopause_status, p.menopause_age) {
            (Some(MenopauseStatus::Pre), _) => v.push("##menopause=N".to_owned()),
            (Some(MenopauseStatus::Peri), _) => {
                v.push("##menopause=N".to_owned());
                notes.info(
                    "Proband (PB; proband): peri-menopausal is written as not yet post-menopausal \
                     (##menopause=N).",
                );
            }
            (Some(MenopauseStatus::Post), Some(a)) => v.push(format!("##menopause={a}")),
            (Some(MenopauseStatus::Post), None) => notes.info(
                "Proband (PB; proband): post-menopausal at an unknown age. CanRisk takes only an age at \
                 menopause (it refuses a file that says just 'post-menopausal'), so no menopause \
                 line is written: enter the age in CanRisk if it is known.",
            ),
            (Some(MenopauseStatus::Unknown) | None, Some(a)) => {
                v.push(format!("##menopause={a}"));
                notes.info(format!(
                    "Proband (PB; proband): menopausal status unknown but an age at menopause ({a}) is given: \
                     written as post-menopausal at {a}."
                ));
            }
            (Some(MenopauseStatus::Unknown) | None, None) => {}
        }
        if let Some(d) = &p.breast_density {
            match (d.method, d.value) {
                // BI-RADS a..d are the service's categories 1..4.
                (DensityMethod::Birads, Some(DensityValue::Birads(b))) => {
                    let n = match b {
                        BiradsDensity::A => 1,
                        BiradsDensity::B => 2,
                        BiradsDensity::C => 3,
                        BiradsDensity::D => 4,
                    };
                    v.push(format!("##birads={n}"));
                }
                (DensityMethod::Volpara, Some(DensityValue::Percent(x))) => {
                    continuous_density = true;
                    v.push(format!(
                        "##volpara={}",
                        fmt_num("proband.breast_density.value", x, 2)?
                    ));
                }
                (DensityMethod::Vas, Some(_)) => notes.info(
                    "Proband (PB; proband): breast density measured by VAS is not written: CanRisk takes \
                     BI-RADS, Volpara or Stratus.",
                ),
                _ => {}
            }
        }
        if let Some(h) = p.height_cm {
            v.push(format!("##height={}", fmt_num("proband.height_cm", h, 1)?));
        }
    }
    if let Some(line) = ethnicity_line(p, opts, continuous_density, notes) {
        v.push(line);
    }
    Ok(v)
}

/// The `##ethnicity` line, only on request, for a female target, with an unambiguous ONS group,
/// and not together with Volpara/Stratus density unless White (bws refuses that pair).
fn ethnicity_line(
    p: &Proband,
    opts: &CanRiskOptions,
    continuous_density: bool,
    notes: &mut Notes,
) -> Option<String> {
    let e = match p.ethnicity {
        Some(Ethnicity::Unknown) | None => {
            if opts.uk_ethnicity {
                notes.info("Proband (PB; proband): uk_ethnicity was asked for, but the ethnicity is unknown.");
            }
            return None;
        }
        Some(e) => e,
    };
    let name = format!("{e:?}");
    if p.sex != Some(Sex::Female) {
        notes.info(format!(
            "Proband (PB; proband): ethnicity ({name}) is not written for a male target: \
             CanRisk's prostate model refuses a UK ethnicity."
        ));
        return None;
    }
    if !opts.uk_ethnicity {
        notes.info(format!(
            "Proband (PB; proband): ethnicity ({name}) is not written: CanRisk's ethnicity groups are UK groups, \
             and any ethnicity line stops CanRisk from using non-UK incidence rates. Export with \
             uk_ethnicity if CanRisk will be run with UK incidence rates."
        ));
        return None;
    }
    let Some(ons) = ons_ethnicity(e) else {
        notes.info(format!(
            "Proband (PB; proband): ethnicity ({name}) has no unambiguous UK (ONS) group in CanRisk; not \
             written."
        ));
        return None;
    };
    if continuous_density && e != Ethnicity::White {
        notes.info(format!(
            "Proband (PB; proband): ethnicity ({name}) is not written: CanRisk refuses Volpara or Stratus \
             density together with a non-White ethnicity, and density is the stronger risk \
             factor."
        ));
        return None;
    }
    Some(format!("##ethnicity={ons}"))
}

/// One pedigree row.
#[derive(Debug, Clone)]
struct Row {
    id: String,
    father: String,
    mother: String,
    sex: Sex,
    target: bool,
    dead: bool,
    /// 0 = unknown.
    age: u8,
    /// 0 = unknown.
    yob: i32,
    bc1: Option<DxAge>,
    bc2: Option<DxAge>,
    oc: Option<DxAge>,
    pro: Option<DxAge>,
    pan: Option<DxAge>,
    ashkn: bool,
    genes: [GeneStatus; 10],
    /// ER, PR, HER2, CK14, CK56 as `P`/`N`/`0`.
    pathology: [char; 5],
    /// The person of the profile this row writes (None: a placeholder).
    who: Option<Who>,
    /// Generations above the proband (parents 1, children -1).
    generation: i32,
    /// `alive` was not given (written as alive).
    vital_unknown: bool,
    /// The latest known diagnosis age.
    latest_dx: Option<u8>,
}

impl Row {
    fn placeholder(id: &str, sex: Sex) -> Self {
        Self {
            id: id.to_owned(),
            father: "0".to_owned(),
            mother: "0".to_owned(),
            sex,
            target: false,
            dead: false,
            age: 0,
            yob: 0,
            bc1: None,
            bc2: None,
            oc: None,
            pro: None,
            pan: None,
            ashkn: false,
            genes: [GeneStatus::Untested; 10],
            pathology: ['0'; 5],
            who: None,
            generation: 0,
            vital_unknown: false,
            latest_dx: None,
        }
    }

    fn with_parents(mut self, father: &str, mother: &str) -> Self {
        self.father = father.to_owned();
        self.mother = mother.to_owned();
        self
    }

    fn affected(&self) -> bool {
        [self.bc1, self.bc2, self.oc, self.pro, self.pan]
            .iter()
            .any(Option::is_some)
    }

    fn to_line(&self, fam: &str) -> String {
        let dx = |d: Option<DxAge>| match d {
            None => "0".to_owned(),
            Some(DxAge::Unknown) => "AU".to_owned(),
            Some(DxAge::Known(a)) => a.to_string(),
        };
        let mut cols: Vec<String> = vec![
            fam.to_owned(),
            self.id.clone(), // Name: the relationship code, never a personal name
            if self.target { "1" } else { "0" }.to_owned(),
            self.id.clone(),
            self.father.clone(),
            self.mother.clone(),
            match self.sex {
                Sex::Female => "F",
                Sex::Male => "M",
            }
            .to_owned(),
            "0".to_owned(),
            if self.dead { "1" } else { "0" }.to_owned(),
            self.age.to_string(),
            self.yob.to_string(),
            dx(self.bc1),
            dx(self.bc2),
            dx(self.oc),
            dx(self.pro),
            dx(self.pan),
            if self.ashkn { "1" } else { "0" }.to_owned(),
        ];
        cols.extend(self.genes.iter().enumerate().map(|(i, g)| {
            match (i == HOXB13, g) {
                (_, GeneStatus::Untested) => "0:0",
                (_, GeneStatus::Negative) => "S:N",
                (false, GeneStatus::Positive) => "S:P",
                // bws reads HOXB13 results as N / HET / HOM (a `P` reaches the model as a
                // BRCA-style code); zygosity is not in the profile: heterozygous, noted.
                (true, GeneStatus::Positive) => "T:HET",
            }
            .to_owned()
        }));
        cols.push(
            self.pathology
                .iter()
                .map(char::to_string)
                .collect::<Vec<_>>()
                .join(":"),
        );
        cols.join("\t")
    }
}

/// A person's data as `fill` needs it.
struct Person<'a> {
    alive: Option<bool>,
    age: Option<i32>,
    cancers: &'a [Cancer],
    tests: &'a [GeneticTest],
}

/// Fills a row's clinical columns from a person's data.
fn fill(
    row: &mut Row,
    who: Who,
    person: &Person<'_>,
    reference_year: i32,
    notes: &mut Notes,
) -> Result<(), ExportError> {
    let mut d = diagnoses(&who.path, Some(row.sex), person.cancers)?;
    row.dead = person.alive == Some(false);
    row.vital_unknown = person.alive.is_none() && !row.target;
    row.age = match person.age {
        None => 0,
        Some(a) if (0..=MAX_AGE).contains(&a) => u8::try_from(a)
            .map_err(|_| ExportError::invalid(format!("{}.age", who.path), "age out of range"))?,
        Some(a) => {
            return Err(ExportError::invalid(
                format!("{}.age", who.path),
                format!("age must be between 0 and {MAX_AGE}, got {a}"),
            ));
        }
    };
    row.yob = if row.age > 0 && !row.dead {
        reference_year - i32::from(row.age)
    } else {
        0
    };
    if row.yob != 0 && row.yob < MIN_YEAR_OF_BIRTH {
        return Err(ExportError::invalid(
            format!("{}.age", who.path),
            format!("year of birth {} is before {MIN_YEAR_OF_BIRTH}", row.yob),
        ));
    }
    // A diagnosis cannot come after the current age / age at death (CanRisk rejects it).
    for (j, c) in person.cancers.iter().enumerate() {
        if let (Some(dx), true) = (c.age_at_diagnosis, row.age > 0)
            && dx > i32::from(row.age)
        {
            return Err(ExportError::invalid(
                format!("{}.cancers[{j}].age_at_diagnosis", who.path),
                format!("diagnosed at {dx}, after the age of {}", row.age),
            ));
        }
    }
    // CanRisk's editor deletes a male relative's second breast cancer when it opens the file
    // (pedigreejs `canrisk_validation`) and the models do not use it: left out, said.
    if row.sex == Sex::Male && !row.target && d.bc2.is_some() {
        notes.info(format!(
            "{who}: a second breast cancer in a man is left out: CanRisk's editor deletes it \
             when it opens the file, and the models do not use it."
        ));
        d.bc2 = None;
        d.bc2_assumed_contralateral = false;
    }
    row.bc1 = d.bc1;
    row.bc2 = d.bc2;
    row.oc = d.oc;
    row.pro = d.pro;
    row.pan = d.pan;
    row.latest_dx = [d.bc1, d.bc2, d.oc, d.pro, d.pan]
        .into_iter()
        .flatten()
        .filter_map(DxAge::known)
        .max();
    for (slot, gene) in row.genes.iter_mut().zip(CANRISK_V4_GENES) {
        *slot = gene_status(person.tests, gene);
    }
    if row.genes[HOXB13] == GeneStatus::Positive {
        notes.info(format!(
            "{who}: the HOXB13 pathogenic variant is written as T:HET (heterozygous): the \
             profile does not record zygosity. Change it to HOM in CanRisk if homozygous."
        ));
    }
    if let Some(bc) = d.bc1_record {
        let code = |s: Option<ReceptorStatus>| match s {
            Some(ReceptorStatus::Positive) => 'P',
            Some(ReceptorStatus::Negative) => 'N',
            None => '0',
        };
        let tn = bc.triple_negative == Some(true);
        let neg_if_tn = |s: Option<ReceptorStatus>| {
            if s.is_none() && tn { 'N' } else { code(s) }
        };
        row.pathology = [
            neg_if_tn(bc.er),
            neg_if_tn(bc.pr),
            neg_if_tn(bc.her2),
            '0',
            '0',
        ];
    }
    diagnosis_notes(&who, &d, "BC2", notes);
    gene_notes(&who, person.tests, &CANRISK_V4_GENES, notes);
    row.who = Some(who);
    Ok(())
}

/// Generations between a relation and the proband (up positive).
fn generation_of(rel: Relation) -> i32 {
    use Relation as R;
    match rel {
        R::Mother
        | R::Father
        | R::MaternalAunt
        | R::MaternalUncle
        | R::PaternalAunt
        | R::PaternalUncle => 1,
        R::MaternalGrandmother
        | R::MaternalGrandfather
        | R::PaternalGrandmother
        | R::PaternalGrandfather
        | R::MaternalGreatAunt
        | R::PaternalGreatAunt => 2,
        R::MaternalGreatGrandmother | R::PaternalGreatGrandmother => 3,
        R::Sister
        | R::Brother
        | R::MaternalHalfSister
        | R::MaternalHalfBrother
        | R::PaternalHalfSister
        | R::PaternalHalfBrother
        | R::MaternalCousin
        | R::PaternalCousin => 0,
        R::Daughter | R::Son | R::Niece | R::Nephew => -1,
        R::Granddaughter | R::Grandson => -2,
    }
}

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
    let generations = |n: i32| match n {
        1 => "one generation".to_owned(),
        2 => "two generations".to_owned(),
        3 => "three generations".to_owned(),
        n => format!("{n} generations"),
    };
    let born = match generation {
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
    };
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

/// Affected people without a year of birth or age: estimated (on request) or named as blocking;
/// unaffected people without them are listed as left out of the calculation.
fn resolve_missing(rows: &mut [Row], opts: &CanRiskOptions, notes: &mut Notes) {
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
fn default_notes(profile: &RiskProfile, rows: &[Row], notes: &mut Notes) {
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

/// Which single-valued anchor a relation fills, if any.
fn anchor_of(rel: Relation) -> Option<&'static str> {
    match rel {
        Relation::Mother => Some("MO"),
        Relation::Father => Some("FA"),
        Relation::MaternalGrandmother => Some("MGM"),
        Relation::MaternalGrandfather => Some("MGF"),
        Relation::PaternalGrandmother => Some("PGM"),
        Relation::PaternalGrandfather => Some("PGF"),
        _ => None,
    }
}

/// Id prefix of numbered relatives.
fn prefix_of(rel: Relation) -> &'static str {
    use Relation as R;
    match rel {
        R::Sister => "SIS",
        R::Brother => "BRO",
        R::Daughter => "DAU",
        R::Son => "SON",
        R::MaternalHalfSister => "MHS",
        R::MaternalHalfBrother => "MHB",
        R::PaternalHalfSister => "PHS",
        R::PaternalHalfBrother => "PHB",
        R::MaternalAunt => "MAU",
        R::MaternalUncle => "MUN",
        R::PaternalAunt => "PAU",
        R::PaternalUncle => "PUN",
        R::Niece => "NIE",
        R::Nephew => "NEP",
        R::Granddaughter => "GDA",
        R::Grandson => "GSO",
        R::MaternalCousin => "MCO",
        R::PaternalCousin => "PCO",
        R::MaternalGreatGrandmother => "MGGM",
        R::PaternalGreatGrandmother => "PGGM",
        R::MaternalGreatAunt => "MGA",
        R::PaternalGreatAunt => "PGA",
        R::Mother => "MO",
        R::Father => "FA",
        R::MaternalGrandmother => "MGM",
        R::MaternalGrandfather => "MGF",
        R::PaternalGrandmother => "PGM",
        R::PaternalGrandfather => "PGF",
    }
}

/// Builds every row: the proband, the skeleton people the relations need, then the relatives.
fn build_rows(
    profile: &RiskProfile,
    reference_year: i32,
    notes: &mut Notes,
) -> Result<Vec<Row>, ExportError> {
    let p = &profile.proband;
    let psex = p.sex.ok_or_else(|| {
        ExportError::unsupported("proband.sex", "CanRisk needs the target's sex (M or F)")
    })?;
    if p.age.is_none() {
        return Err(ExportError::unsupported(
            "proband.age",
            "CanRisk needs the target's age",
        ));
    }

    // Resolve each relative's sex first (CanRisk has no unknown sex).
    let mut sexes = Vec::with_capacity(profile.relatives.len());
    for (i, r) in profile.relatives.iter().enumerate() {
        let path = format!("relatives[{i}]");
        let sex = resolved_sex(&path, r.relation, r.sex)?.ok_or_else(|| {
            ExportError::unsupported(
                format!("{path}.sex"),
                "CanRisk needs every person's sex; give the cousin's sex",
            )
        })?;
        sexes.push(sex);
    }

    let has = |pred: &dyn Fn(Relation) -> bool| profile.relatives.iter().any(|r| pred(r.relation));
    use Relation as R;
    let maternal_gp = has(&|r| {
        matches!(
            r,
            R::MaternalGrandmother
                | R::MaternalGrandfather
                | R::MaternalAunt
                | R::MaternalUncle
                | R::MaternalCousin
                | R::MaternalGreatGrandmother
                | R::MaternalGreatAunt
        )
    });
    let paternal_gp = has(&|r| {
        matches!(
            r,
            R::PaternalGrandmother
                | R::PaternalGrandfather
                | R::PaternalAunt
                | R::PaternalUncle
                | R::PaternalCousin
                | R::PaternalGreatGrandmother
                | R::PaternalGreatAunt
        )
    });
    // A lone proband gets placeholder parents: CanRisk's editor cannot root a tree of one.
    let parents = profile.relatives.is_empty()
        || maternal_gp
        || paternal_gp
        || has(&|r| !matches!(r, R::Daughter | R::Son | R::Granddaughter | R::Grandson));
    let children = has(&|r| matches!(r, R::Daughter | R::Son | R::Granddaughter | R::Grandson));
    let grandchildren = has(&|r| matches!(r, R::Granddaughter | R::Grandson));
    let nieces = has(&|r| matches!(r, R::Niece | R::Nephew));
    let m_cousins = has(&|r| r == R::MaternalCousin);
    let p_cousins = has(&|r| r == R::PaternalCousin);
    let m_half = has(&|r| matches!(r, R::MaternalHalfSister | R::MaternalHalfBrother));
    let p_half = has(&|r| matches!(r, R::PaternalHalfSister | R::PaternalHalfBrother));
    let count = |rel: Relation| {
        profile
            .relatives
            .iter()
            .filter(|r| r.relation == rel)
            .count()
    };
    let m_ggm = count(R::MaternalGreatGrandmother);
    let p_ggm = count(R::PaternalGreatGrandmother);
    for (rel, n) in [
        (R::MaternalGreatGrandmother, m_ggm),
        (R::PaternalGreatGrandmother, p_ggm),
    ] {
        if n > 2 {
            return Err(ExportError::invalid(
                "relatives",
                format!("{n} relatives with relation {rel}; a person has at most two"),
            ));
        }
    }
    let m_gg1 = m_ggm >= 1 || has(&|r| r == R::MaternalGreatAunt);
    let p_gg1 = p_ggm >= 1 || has(&|r| r == R::PaternalGreatAunt);

    // The skeleton, in writing order: (id, sex, father, mother).
    let mut skeleton: Vec<Row> = Vec::new();
    let mut pb = Row::placeholder("PB", psex);
    pb.target = true;
    pb.ashkn = p.ashkenazi_jewish == Some(true);
    if parents {
        pb = pb.with_parents("FA", "MO");
    }
    fill(
        &mut pb,
        Who::proband(Some("PB")),
        &Person {
            alive: Some(true),
            age: p.age,
            cancers: &p.cancers,
            tests: &p.genetic_tests,
        },
        reference_year,
        notes,
    )?;
    if pb.age == 0 {
        return Err(ExportError::unsupported(
            "proband.age",
            "CanRisk needs the target's age (0 means unknown)",
        ));
    }
    skeleton.push(pb);
    if parents {
        let (mf, mm) = if maternal_gp {
            ("MGF", "MGM")
        } else {
            ("0", "0")
        };
        let (pf, pm) = if paternal_gp {
            ("PGF", "PGM")
        } else {
            ("0", "0")
        };
        skeleton.push(Row::placeholder("FA", Sex::Male).with_parents(pf, pm));
        skeleton.push(Row::placeholder("MO", Sex::Female).with_parents(mf, mm));
    }
    if maternal_gp {
        let gp1 = if m_gg1 {
            ("MGGF1", "MGGM1")
        } else {
            ("0", "0")
        };
        let gp2 = if m_ggm >= 2 {
            ("MGGF2", "MGGM2")
        } else {
            ("0", "0")
        };
        skeleton.push(Row::placeholder("MGF", Sex::Male).with_parents(gp2.0, gp2.1));
        skeleton.push(Row::placeholder("MGM", Sex::Female).with_parents(gp1.0, gp1.1));
        if m_gg1 {
            skeleton.push(Row::placeholder("MGGF1", Sex::Male));
            skeleton.push(Row::placeholder("MGGM1", Sex::Female));
        }
        if m_ggm >= 2 {
            skeleton.push(Row::placeholder("MGGF2", Sex::Male));
            skeleton.push(Row::placeholder("MGGM2", Sex::Female));
        }
    }
    if paternal_gp {
        let gp1 = if p_gg1 {
            ("PGGF1", "PGGM1")
        } else {
            ("0", "0")
        };
        let gp2 = if p_ggm >= 2 {
            ("PGGF2", "PGGM2")
        } else {
            ("0", "0")
        };
        skeleton.push(Row::placeholder("PGF", Sex::Male).with_parents(gp2.0, gp2.1));
        skeleton.push(Row::placeholder("PGM", Sex::Female).with_parents(gp1.0, gp1.1));
        if p_gg1 {
            skeleton.push(Row::placeholder("PGGF1", Sex::Male));
            skeleton.push(Row::placeholder("PGGM1", Sex::Female));
        }
        if p_ggm >= 2 {
            skeleton.push(Row::placeholder("PGGF2", Sex::Male));
            skeleton.push(Row::placeholder("PGGM2", Sex::Female));
        }
    }
    // The proband's partner (parent of the proband's children).
    let (child_f, child_m) = match psex {
        Sex::Female => ("PBP", "PB"),
        Sex::Male => ("PB", "PBP"),
    };
    if children {
        let partner_sex = match psex {
            Sex::Female => Sex::Male,
            Sex::Male => Sex::Female,
        };
        skeleton.push(Row::placeholder("PBP", partner_sex));
    }
    if grandchildren {
        skeleton.push(Row::placeholder("CHX", Sex::Female).with_parents(child_f, child_m));
        skeleton.push(Row::placeholder("CHXP", Sex::Male));
    }
    if nieces {
        skeleton.push(Row::placeholder("SIBX", Sex::Female).with_parents("FA", "MO"));
        skeleton.push(Row::placeholder("SIBXP", Sex::Male));
    }
    if m_cousins {
        skeleton.push(Row::placeholder("MAUX", Sex::Female).with_parents("MGF", "MGM"));
        skeleton.push(Row::placeholder("MAUXP", Sex::Male));
    }
    if p_cousins {
        skeleton.push(Row::placeholder("PAUX", Sex::Female).with_parents("PGF", "PGM"));
        skeleton.push(Row::placeholder("PAUXP", Sex::Male));
    }
    if m_half {
        skeleton.push(Row::placeholder("MOP", Sex::Male));
    }
    if p_half {
        skeleton.push(Row::placeholder("FAP", Sex::Female));
    }

    // Relatives: fill anchors, append numbered people.
    let mut filled: HashSet<&'static str> = HashSet::new();
    let mut numbered: Vec<Row> = Vec::new();
    let mut counters: HashMap<&'static str, usize> = HashMap::new();
    let mut ggm_seen = [0usize; 2];
    for (i, (r, sex)) in profile.relatives.iter().zip(sexes).enumerate() {
        let path = format!("relatives[{i}]");
        let anchor = match r.relation {
            R::MaternalGreatGrandmother => {
                ggm_seen[0] += 1;
                Some(if ggm_seen[0] == 1 { "MGGM1" } else { "MGGM2" })
            }
            R::PaternalGreatGrandmother => {
                ggm_seen[1] += 1;
                Some(if ggm_seen[1] == 1 { "PGGM1" } else { "PGGM2" })
            }
            other => anchor_of(other),
        };
        if let Some(id) = anchor {
            if !filled.insert(id) {
                return Err(ExportError::invalid(
                    format!("{path}.relation"),
                    format!("more than one {}", r.relation),
                ));
            }
            let row = skeleton
                .iter_mut()
                .find(|row| row.id == id)
                .ok_or_else(|| ExportError::invalid(&path, "internal: skeleton row missing"))?;
            fill_relative(row, i, r, reference_year, notes)?;
            continue;
        }
        let prefix = prefix_of(r.relation);
        let n = counters.entry(prefix).or_insert(0);
        *n += 1;
        let id = format!("{prefix}{n}");
        let (f, m) = match r.relation {
            R::Sister | R::Brother => ("FA", "MO"),
            R::Daughter | R::Son => (child_f, child_m),
            R::MaternalHalfSister | R::MaternalHalfBrother => ("MOP", "MO"),
            R::PaternalHalfSister | R::PaternalHalfBrother => ("FA", "FAP"),
            R::MaternalAunt | R::MaternalUncle => ("MGF", "MGM"),
            R::PaternalAunt | R::PaternalUncle => ("PGF", "PGM"),
            R::Niece | R::Nephew => ("SIBXP", "SIBX"),
            R::Granddaughter | R::Grandson => ("CHXP", "CHX"),
            R::MaternalCousin => ("MAUXP", "MAUX"),
            R::PaternalCousin => ("PAUXP", "PAUX"),
            R::MaternalGreatAunt => ("MGGF1", "MGGM1"),
            R::PaternalGreatAunt => ("PGGF1", "PGGM1"),
            // Anchored relations were handled above.
            _ => ("0", "0"),
        };
        let mut row = Row::placeholder(&id, sex).with_parents(f, m);
        fill_relative(&mut row, i, r, reference_year, notes)?;
        numbered.push(row);
    }
    skeleton.extend(numbered);
    Ok(skeleton)
}

fn fill_relative(
    row: &mut Row,
    i: usize,
    r: &Relative,
    reference_year: i32,
    notes: &mut Notes,
) -> Result<(), ExportError> {
    row.generation = generation_of(r.relation);
    let who = Who::relative(i, r.relation, Some(&row.id));
    fill(
        row,
        who,
        &Person {
            alive: r.alive,
            age: r.age,
            cancers: &r.cancers,
            tests: &r.genetic_tests,
        },
        reference_year,
        notes,
    )
}
