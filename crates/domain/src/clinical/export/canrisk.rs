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
//! `AU`. CanRisk asks for an age and year of birth (an estimate is fine) for every affected person
//! before it computes; the notes list those people. Gene test type is not in the profile: a known
//! result is written as `S` (mutation search). Twins are not in the profile: `MZtwin 0`. CK14 and
//! CK5/6 are not in the profile: `0`.

use std::collections::HashSet;

use super::super::profile::{
    BiradsDensity, DensityMethod, DensityValue, Ethnicity, HrtStatus, HrtType, MenopauseStatus,
    Proband, ReceptorStatus, Relation, Relative, RiskProfile, Sex,
};
use super::{
    Diagnoses, DxAge, ExportError, ExportOutput, GeneStatus, MAX_AGE, diagnoses, fmt_num,
    gene_status, resolved_sex,
};

/// File header line (clinical.md §4.3: `##CanRisk 1|2|3|4`; the service's header pattern accepts
/// an optional `.0`).
pub const CANRISK_V4_HEADER: &str = "##CanRisk 4.0";

/// Gene columns of format 4, in order (clinical.md §4.3; HOXB13 is new in v4).
pub const CANRISK_V4_GENES: [&str; 10] = [
    "BRCA1", "BRCA2", "PALB2", "ATM", "CHEK2", "BARD1", "RAD51D", "RAD51C", "BRIP1", "HOXB13",
];

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
}

/// Writes the CanRisk v4 pedigree file for `profile`. See [`to_canrisk_v4_report`].
///
/// # Errors
/// As [`to_canrisk_v4_report`].
pub fn to_canrisk_v4(profile: &RiskProfile, opts: &CanRiskOptions) -> Result<String, ExportError> {
    to_canrisk_v4_report(profile, opts).map(|o| o.content)
}

/// Writes the CanRisk v4 pedigree file for `profile`, with notes on what was written as unknown
/// or left out.
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
    if fam.is_empty()
        || fam.len() > 8
        || !fam.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        || fam.chars().all(|c| c == '0')
    {
        return Err(ExportError::invalid(
            "family_id",
            "must be 1-8 ASCII letters, digits or '_', not all zeros",
        ));
    }
    if !(MIN_YEAR_OF_BIRTH..=9999).contains(&opts.reference_year) {
        return Err(ExportError::invalid(
            "reference_year",
            format!("must be between {MIN_YEAR_OF_BIRTH} and 9999"),
        ));
    }
    let mut notes = Vec::new();
    let rows = build_rows(profile, opts.reference_year, &mut notes)?;
    if rows.len() > MAX_PEDIGREE_SIZE {
        return Err(ExportError::unsupported(
            "relatives",
            format!(
                "the pedigree has {} people; CanRisk accepts at most {MAX_PEDIGREE_SIZE}",
                rows.len()
            ),
        ));
    }

    let mut out = String::new();
    out.push_str(CANRISK_V4_HEADER);
    out.push('\n');
    for line in risk_factor_lines(&profile.proband, &mut notes)? {
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
        notes,
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

/// `##key=value` lines for the target woman (clinical.md §4.3 and bws/risk_factors/bc.py
/// categories). Only known values are written; a male target gets none except ethnicity.
fn risk_factor_lines(p: &Proband, notes: &mut Vec<String>) -> Result<Vec<String>, ExportError> {
    let mut v = Vec::new();
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
        // menopause: N (not yet), Y (post, age unknown) or the age at menopause.
        match p.menopause_status {
            Some(MenopauseStatus::Pre | MenopauseStatus::Peri) => {
                v.push("##menopause=N".to_owned());
            }
            Some(MenopauseStatus::Post) => match p.menopause_age {
                Some(a) => v.push(format!("##menopause={a}")),
                None => v.push("##menopause=Y".to_owned()),
            },
            Some(MenopauseStatus::Unknown) | None => {}
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
                    v.push(format!(
                        "##volpara={}",
                        fmt_num("proband.breast_density.value", x, 2)?
                    ));
                }
                (DensityMethod::Vas, Some(_)) => notes.push(
                    "proband.breast_density: CanRisk takes BI-RADS, Volpara or Stratus, not VAS; \
                     not written."
                        .to_owned(),
                ),
                _ => {}
            }
        }
        if let Some(h) = p.height_cm {
            v.push(format!("##height={}", fmt_num("proband.height_cm", h, 1)?));
        }
    }
    // ONS ethnic groups (bws/risk_factors/ethnicity.py). Only unambiguous mappings of the
    // profile's (US, Gail) groups are written; the others are left to CanRisk's default.
    match p.ethnicity {
        Some(Ethnicity::White) => v.push("##ethnicity=White".to_owned()),
        Some(Ethnicity::Black) => v.push("##ethnicity=Black or Black British".to_owned()),
        Some(Ethnicity::Chinese) => v.push("##ethnicity=Asian or Asian British;Chinese".to_owned()),
        Some(Ethnicity::Unknown) | None => {}
        Some(other) => notes.push(format!(
            "proband.ethnicity: {other:?} has no unambiguous ONS group in CanRisk; not written."
        )),
    }
    Ok(v)
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
        }
    }

    fn with_parents(mut self, father: &str, mother: &str) -> Self {
        self.father = father.to_owned();
        self.mother = mother.to_owned();
        self
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
        cols.extend(self.genes.iter().map(|g| {
            match g {
                GeneStatus::Untested => "0:0",
                GeneStatus::Negative => "S:N",
                GeneStatus::Positive => "S:P",
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

/// Fills a row's clinical columns from a person's data.
#[allow(clippy::too_many_arguments)]
fn fill(
    row: &mut Row,
    who: &str,
    alive: Option<bool>,
    age: Option<i32>,
    cancers: &[super::super::profile::Cancer],
    tests: &[super::super::profile::GeneticTest],
    reference_year: i32,
    notes: &mut Vec<String>,
) -> Result<(), ExportError> {
    let d: Diagnoses<'_> = diagnoses(who, Some(row.sex), cancers, notes)?;
    row.dead = alive == Some(false);
    row.age = match age {
        None => 0,
        Some(a) if (0..=MAX_AGE).contains(&a) => u8::try_from(a)
            .map_err(|_| ExportError::invalid(format!("{who}.age"), "age out of range"))?,
        Some(a) => {
            return Err(ExportError::invalid(
                format!("{who}.age"),
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
            format!("{who}.age"),
            format!("year of birth {} is before {MIN_YEAR_OF_BIRTH}", row.yob),
        ));
    }
    // A diagnosis cannot come after the current age / age at death (CanRisk rejects it).
    for (j, c) in cancers.iter().enumerate() {
        if let (Some(dx), true) = (c.age_at_diagnosis, row.age > 0)
            && dx > i32::from(row.age)
        {
            return Err(ExportError::invalid(
                format!("{who}.cancers[{j}].age_at_diagnosis"),
                format!("diagnosed at {dx}, after the age of {}", row.age),
            ));
        }
    }
    row.bc1 = d.bc1;
    row.bc2 = d.bc2;
    row.oc = d.oc;
    row.pro = d.pro;
    row.pan = d.pan;
    for (slot, gene) in row.genes.iter_mut().zip(super::canrisk::CANRISK_V4_GENES) {
        *slot = gene_status(tests, gene);
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
    let affected = [row.bc1, row.oc, row.pro, row.pan]
        .iter()
        .any(Option::is_some);
    if affected && (row.age == 0 || row.yob == 0) {
        notes.push(format!(
            "{who} ({}): affected, but age or year of birth unknown (written as 0); CanRisk needs \
             an estimate of both before it will compute.",
            row.id
        ));
    }
    Ok(())
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
    notes: &mut Vec<String>,
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
    let parents = maternal_gp
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
        "proband",
        Some(true),
        p.age,
        &p.cancers,
        &p.genetic_tests,
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
    let mut counters: std::collections::HashMap<&'static str, usize> =
        std::collections::HashMap::new();
    let mut ggm_seen = [0usize; 2];
    for (i, (r, sex)) in profile.relatives.iter().zip(sexes).enumerate() {
        let who = format!("relatives[{i}]");
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
                    format!("{who}.relation"),
                    format!("more than one {}", r.relation),
                ));
            }
            let row = skeleton
                .iter_mut()
                .find(|row| row.id == id)
                .ok_or_else(|| ExportError::invalid(&who, "internal: skeleton row missing"))?;
            fill_relative(row, &who, r, reference_year, notes)?;
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
        fill_relative(&mut row, &who, r, reference_year, notes)?;
        numbered.push(row);
    }
    skeleton.extend(numbered);
    Ok(skeleton)
}

fn fill_relative(
    row: &mut Row,
    who: &str,
    r: &Relative,
    reference_year: i32,
    notes: &mut Vec<String>,
) -> Result<(), ExportError> {
    fill(
        row,
        who,
        r.alive,
        r.age,
        &r.cancers,
        &r.genetic_tests,
        reference_year,
        notes,
    )
}
