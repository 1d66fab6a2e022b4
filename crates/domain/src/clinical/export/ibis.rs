//! IBIS Risk Evaluator v8 batch file (clinical.md §1.4, decoded from the public study application
//! `Xiaoxue-Zheng/bcra`, `OutputArray.java`; the layout is checked there against records that were
//! run through IBIS v8.0b, `tc_test_files/test_cases/algorithmoutputs/TST_*.txt`).
//!
//! File: line 1 `v8`, line 2 the number of records, then one tab-separated record per woman:
//! the woman's 23 fields, relative blocks in IBIS's fixed order, and 5 trailing fields. A relative
//! block is 7 fields: BC (0/1), bilateral (0/1), OC (0/1), BC age or (if no BC) current age / age at
//! death, contralateral BC age, OC age, genetic test (0 none, 1 negative, 2 BRCA1, 3 BRCA2).
//! `-99` = unknown / not applicable.
//!
//! Mapping choices (each documented where the code makes it):
//! - IBIS models unaffected women: a male proband or a proband with breast cancer is refused
//!   (there is no field for the woman's own breast cancer).
//! - Only the relatives IBIS has slots for are written; male relatives only as the "father had
//!   breast cancer" and "a brother had breast cancer" flags. Granddaughters, great-grandmothers,
//!   great-aunts and male cancers other than those flags are left out, with a note.
//! - Nieces and cousins: the profile does not say which sibling / aunt / uncle is the parent, so
//!   nieces are written as daughters of IBIS's unaffected-brother slot and cousins as daughters of
//!   the unaffected-uncle slot on their side, never attributed to a listed (possibly affected)
//!   sister or aunt.
//! - Unknown values follow the mapper's conventions (which produced valid IBIS v8.0b input):
//!   unknown parity → 2, unknown first-birth age with unknown parity → 0, unknown HRT use → 0
//!   (never), HRT type for never / >5-years-ago / unknown type → 1, HRT durations unknown → 0,
//!   hyperplasia unknown → 0 (2 when biopsies were done with unknown result), no density → 0 / -99.
//!   Each default is noted.

use super::super::profile::{
    BiradsDensity, CancerType, DensityMethod, DensityValue, GeneticTest, HrtStatus, HrtType,
    Hyperplasia, MenopauseStatus, Proband, Relation, Relative, RiskProfile, Sex,
};
use super::{
    Diagnoses, DxAge, ExportError, ExportOutput, GeneStatus, MAX_AGE, Notes, Who, diagnoses,
    diagnosis_notes, fmt_num, gene_notes, gene_status, resolved_sex,
};

/// IBIS's unknown / not-applicable code.
const UNKNOWN: i32 = -99;

/// The genes an IBIS record carries (fields 22 and 23 and each relative's test code).
const IBIS_GENES: [&str; 2] = ["BRCA1", "BRCA2"];

/// Writes the IBIS v8 batch file (one record) for `profile`. See [`to_ibis_v8_report`].
///
/// # Errors
/// As [`to_ibis_v8_report`].
pub fn to_ibis_v8(profile: &RiskProfile, record_id: &str) -> Result<String, ExportError> {
    to_ibis_v8_report(profile, record_id).map(|o| o.content)
}

/// Writes the IBIS v8 batch file for `profile` under `record_id` (IBIS's participant id; must not
/// identify the patient), with notes on what was defaulted or left out.
///
/// # Errors
/// As [`ibis_v8_record`].
pub fn to_ibis_v8_report(
    profile: &RiskProfile,
    record_id: &str,
) -> Result<ExportOutput, ExportError> {
    let record = ibis_v8_record(profile, record_id)?;
    Ok(ExportOutput {
        content: ibis_v8_file(&[record.content]),
        notes: record.notes,
    })
}

/// One record of an IBIS v8 batch file (the tab-separated line, without its newline) and its
/// notes. Join records into a file with [`ibis_v8_file`].
///
/// # Errors
/// `record_id` empty or containing whitespace; the proband male, of unknown sex, or with breast
/// cancer; an impossible value (negative age, ovarian cancer in a male, two mothers).
pub fn ibis_v8_record(profile: &RiskProfile, record_id: &str) -> Result<ExportOutput, ExportError> {
    if record_id.is_empty() || record_id.chars().any(char::is_whitespace) {
        return Err(ExportError::invalid(
            "record_id",
            "must be non-empty and contain no whitespace",
        ));
    }
    let mut notes = Notes::default();
    let mut t: Vec<String> = vec![record_id.to_owned()];
    woman_fields(profile, &mut t, &mut notes)?;
    relative_fields(profile, &mut t, &mut notes)?;
    Ok(ExportOutput {
        content: t.join("\t"),
        notes: notes.into_vec(),
    })
}

/// An IBIS v8 batch file of `records` (lines from [`ibis_v8_record`]): `v8`, the count, the
/// records.
#[must_use]
pub fn ibis_v8_file(records: &[String]) -> String {
    let mut out = format!("v8\n{}\n", records.len());
    for r in records {
        out.push_str(r);
        out.push('\n');
    }
    out
}

fn age_field(path: &str, age: Option<i32>) -> Result<i32, ExportError> {
    match age {
        None => Ok(UNKNOWN),
        Some(a) if (0..=MAX_AGE).contains(&a) => Ok(a),
        Some(a) => Err(ExportError::invalid(
            path,
            format!("must be between 0 and {MAX_AGE}, got {a}"),
        )),
    }
}

/// The 0/1/2/3 genetic test code for BRCA1/2 (clinical.md §1.4 field 22).
fn test_code(tests: &[GeneticTest]) -> i32 {
    match (gene_status(tests, "BRCA1"), gene_status(tests, "BRCA2")) {
        (GeneStatus::Positive, _) => 2,
        (_, GeneStatus::Positive) => 3,
        (GeneStatus::Negative, _) | (_, GeneStatus::Negative) => 1,
        _ => 0,
    }
}

fn dx(d: Option<DxAge>) -> i32 {
    match d {
        Some(DxAge::Known(a)) => i32::from(a),
        Some(DxAge::Unknown) | None => UNKNOWN,
    }
}

/// The woman's 23 fields (id already pushed).
fn woman_fields(
    profile: &RiskProfile,
    t: &mut Vec<String>,
    notes: &mut Notes,
) -> Result<(), ExportError> {
    let p = &profile.proband;
    let who = Who::proband(None);
    let d = unaffected_woman(p)?;
    diagnosis_notes(&who, &d, "bilateral", notes);
    gene_notes(&who, &p.genetic_tests, &IBIS_GENES, notes);
    let mut defaulted: Vec<&str> = Vec::new();
    reproductive_fields(p, t, &mut defaulted)?;
    body_fields(p, t)?;
    benign_disease_fields(p, t, &mut defaulted);
    // 14 ovarian cancer, 15 its age
    t.push(i32::from(d.oc.is_some()).to_string());
    t.push(dx(d.oc).to_string());
    // 16 Ashkenazi
    if p.ashkenazi_jewish.is_none() {
        defaulted.push("Ashkenazi Jewish ancestry unknown: written as not Ashkenazi (0)");
    }
    t.push(i32::from(p.ashkenazi_jewish == Some(true)).to_string());
    hrt_fields(p, t, &mut defaulted)?;
    // 22 own genetic test, 23 father's genetic test
    t.push(test_code(&p.genetic_tests).to_string());
    let father_tests = profile
        .relatives
        .iter()
        .find(|r| r.relation == Relation::Father)
        .map(|r| test_code(&r.genetic_tests))
        .unwrap_or(0);
    t.push(father_tests.to_string());
    for text in defaulted {
        notes.info(format!("{who}: {text}."));
    }
    Ok(())
}

/// The proband's diagnoses, if she is a woman without breast cancer: IBIS models unaffected
/// women.
fn unaffected_woman(p: &Proband) -> Result<Diagnoses<'_>, ExportError> {
    match p.sex {
        Some(Sex::Female) => {}
        Some(Sex::Male) => {
            return Err(ExportError::unsupported(
                "proband.sex",
                "IBIS models women's breast cancer risk",
            ));
        }
        None => {
            return Err(ExportError::unsupported(
                "proband.sex",
                "IBIS needs a female proband; sex unknown",
            ));
        }
    }
    let d = diagnoses("proband", p.sex, &p.cancers)?;
    if d.bc1.is_some() {
        let j = p
            .cancers
            .iter()
            .position(|c| c.cancer_type == CancerType::Breast)
            .unwrap_or(0);
        return Err(ExportError::unsupported(
            format!("proband.cancers[{j}]"),
            "IBIS models unaffected women; the proband's breast cancer cannot be written",
        ));
    }
    Ok(d)
}

/// Fields 2–7: age, menarche, parity, age at first birth, menopausal status and age.
fn reproductive_fields(
    p: &Proband,
    t: &mut Vec<String>,
    defaulted: &mut Vec<&str>,
) -> Result<(), ExportError> {
    // 2 age, 3 menarche
    t.push(age_field("proband.age", p.age)?.to_string());
    t.push(age_field("proband.menarche_age", p.menarche_age)?.to_string());
    // 4 parity: 0 nulliparous, 1 parous, 2 unknown (the mapper writes 2 for unknown; a count would
    // collide with that code, so the field is read as a category).
    let parity = match p.live_births {
        None => {
            defaulted.push("number of live births unknown: parity written as 2 (unknown)");
            2
        }
        Some(0) => 0,
        Some(n) if n > 0 => 1,
        Some(n) => {
            return Err(ExportError::invalid(
                "proband.live_births",
                format!("cannot be negative, got {n}"),
            ));
        }
    };
    t.push(parity.to_string());
    // 5 age at first birth: 0 if none or parity unknown, -99 if parous with unknown age
    let first = match parity {
        1 => age_field("proband.first_live_birth_age", p.first_live_birth_age)?,
        _ => 0,
    };
    t.push(first.to_string());
    // 6 menopausal status, 7 age at menopause (post only)
    let status = match p.menopause_status {
        Some(MenopauseStatus::Pre) => 0,
        Some(MenopauseStatus::Peri) => 1,
        Some(MenopauseStatus::Post) => 2,
        Some(MenopauseStatus::Unknown) | None => 3,
    };
    t.push(status.to_string());
    let mage = if status == 2 {
        age_field("proband.menopause_age", p.menopause_age)?
    } else {
        UNKNOWN
    };
    t.push(mage.to_string());
    Ok(())
}

/// Fields 8–9: height and weight.
fn body_fields(p: &Proband, t: &mut Vec<String>) -> Result<(), ExportError> {
    // 8 height in metres (two decimals, as in the reference records), 9 weight in kg
    t.push(match p.height_cm {
        Some(h) if h.is_finite() => format!("{:.2}", h / 100.0),
        Some(_) => return Err(ExportError::invalid("proband.height_cm", "not finite")),
        None => UNKNOWN.to_string(),
    });
    t.push(match p.weight_kg {
        Some(w) => fmt_num("proband.weight_kg", w, 1)?,
        None => UNKNOWN.to_string(),
    });
    Ok(())
}

/// Fields 10–13: hyperplasia, atypical hyperplasia, LCIS, an unused field.
fn benign_disease_fields(p: &Proband, t: &mut Vec<String>, defaulted: &mut Vec<&str>) {
    // 10 hyperplasia, 11 atypical hyperplasia, 12 LCIS, 13 unused
    let biopsied = p.breast_biopsies.is_some_and(|n| n > 0);
    let (hyp, atyp) = match p.hyperplasia {
        Some(Hyperplasia::Hyperplasia) => (1, 0),
        Some(Hyperplasia::Atypical) => (1, 1),
        Some(Hyperplasia::None) => (0, 0),
        Some(Hyperplasia::Unknown) => (2, 0),
        None if biopsied => (2, 0),
        None => {
            if p.breast_biopsies.is_none() {
                defaulted.push("biopsy history unknown: written as no hyperplasia (0)");
            }
            (0, 0)
        }
    };
    t.push(hyp.to_string());
    t.push(atyp.to_string());
    if p.lcis.is_none() {
        defaulted.push("LCIS unknown: written as no LCIS (0)");
    }
    t.push(i32::from(p.lcis == Some(true)).to_string());
    t.push("0".to_owned());
}

/// Fields 17–21: HRT use, type, years used, intended years, years since last use.
fn hrt_fields(
    p: &Proband,
    t: &mut Vec<String>,
    defaulted: &mut Vec<&str>,
) -> Result<(), ExportError> {
    // 17 HRT use, 18 type, 19 years used, 20 intended years, 21 years since last use
    let hrt = p.hrt.as_ref();
    let use_code = match hrt.and_then(|h| h.status) {
        Some(HrtStatus::Never) => 0,
        None => {
            defaulted.push("HRT use unknown: written as never (0)");
            0
        }
        Some(HrtStatus::FormerOver5y) => 1,
        Some(HrtStatus::FormerUnder5y) => 2,
        Some(HrtStatus::Current) => 3,
    };
    t.push(use_code.to_string());
    let hrt_type = hrt.and_then(|h| h.hrt_type);
    let type_code = match (use_code, hrt_type) {
        (2 | 3, Some(HrtType::EstrogenOnly)) => 0,
        (2 | 3, None) => {
            defaulted.push("HRT type unknown: written as combined (1)");
            1
        }
        _ => 1,
    };
    t.push(type_code.to_string());
    let years = |path: &str, v: Option<f64>| -> Result<String, ExportError> {
        match v {
            Some(x) if x < 0.0 => Err(ExportError::invalid(path, "cannot be negative")),
            Some(x) => fmt_num(path, x, 2),
            None => Ok("0".to_owned()),
        }
    };
    let used = hrt.and_then(|h| h.years_used);
    let intended = hrt.and_then(|h| h.intended_years);
    let since = hrt.and_then(|h| h.years_since_stopped);
    if use_code > 0 && used.is_none() {
        defaulted.push("years of HRT use unknown: written as 0");
    }
    if use_code == 3 && intended.is_none() {
        defaulted.push("intended years of HRT use unknown: written as 0");
    }
    if (use_code == 1 || use_code == 2) && since.is_none() {
        defaulted.push("years since HRT was stopped unknown: written as 0");
    }
    t.push(years("proband.hrt.years_used", used)?);
    t.push(years("proband.hrt.intended_years", intended)?);
    t.push(years("proband.hrt.years_since_stopped", since)?);
    Ok(())
}

/// A 7-field relative block.
fn block(who: &Who, r: &Relative, notes: &mut Notes) -> Result<[i32; 7], ExportError> {
    let d = diagnoses(&who.path, Some(Sex::Female), &r.cancers)?;
    diagnosis_notes(who, &d, "bilateral", notes);
    gene_notes(who, &r.genetic_tests, &IBIS_GENES, notes);
    let bc = d.bc1.is_some();
    // Validated even when the diagnosis age is written instead.
    let age = age_field(&format!("{}.age", who.path), r.age)?;
    let age_or_bc = if bc { dx(d.bc1) } else { age };
    Ok([
        i32::from(bc),
        i32::from(d.bc2.is_some()),
        i32::from(d.oc.is_some()),
        age_or_bc,
        dx(d.bc2),
        dx(d.oc),
        test_code(&r.genetic_tests),
    ])
}

const EMPTY_BLOCK: [i32; 7] = [0, 0, 0, UNKNOWN, UNKNOWN, UNKNOWN, 0];

fn push_block(t: &mut Vec<String>, b: [i32; 7]) {
    t.extend(b.iter().map(i32::to_string));
}

fn push_list(t: &mut Vec<String>, blocks: &[[i32; 7]]) {
    t.push(blocks.len().to_string());
    for b in blocks {
        push_block(t, *b);
    }
}

/// Relative blocks in IBIS order, then the trailing fields.
fn relative_fields(
    profile: &RiskProfile,
    t: &mut Vec<String>,
    notes: &mut Notes,
) -> Result<(), ExportError> {
    let slots = slots(profile, notes)?;
    push_slots(t, &slots);
    // Trailing: father BC, brother BC, density measure, density value, SNP score (none: 0).
    t.push(i32::from(slots.father_bc).to_string());
    t.push(i32::from(slots.brother_bc).to_string());
    let (measure, value) = density(profile)?;
    t.push(measure.to_string());
    t.push(value);
    t.push("0".to_owned());
    Ok(())
}

/// The relatives' blocks by IBIS slot, and the flags of the trailing fields.
#[derive(Default)]
struct Slots {
    /// Mother, paternal grandmother, maternal grandmother.
    single: [Option<[i32; 7]>; 3],
    sisters: Vec<[i32; 7]>,
    p_aunts: Vec<[i32; 7]>,
    m_aunts: Vec<[i32; 7]>,
    daughters: Vec<[i32; 7]>,
    nieces: Vec<[i32; 7]>,
    p_half: Vec<[i32; 7]>,
    m_half: Vec<[i32; 7]>,
    p_cousins: Vec<[i32; 7]>,
    m_cousins: Vec<[i32; 7]>,
    /// The father had breast cancer.
    father_bc: bool,
    /// A brother had breast cancer.
    brother_bc: bool,
}

/// Every relative validated, and placed in its slot or left out with a note.
fn slots(profile: &RiskProfile, notes: &mut Notes) -> Result<Slots, ExportError> {
    let mut slots = Slots::default();
    for (i, r) in profile.relatives.iter().enumerate() {
        let who = Who::relative(i, r.relation, None);
        let sex = resolved_sex(&who.path, r.relation, r.sex)?;
        if sex == Some(Sex::Female) {
            place_woman(&mut slots, &who, r, sex, notes)?;
            continue;
        }
        let bc = male_relative(&who, r, sex, notes)?;
        match r.relation {
            Relation::Father => slots.father_bc |= bc,
            Relation::Brother => slots.brother_bc |= bc,
            _ => {}
        }
    }
    Ok(slots)
}

/// A male relative, or one of unknown sex: validated; returns whether he had breast cancer.
fn male_relative(
    who: &Who,
    r: &Relative,
    sex: Option<Sex>,
    notes: &mut Notes,
) -> Result<bool, ExportError> {
    use Relation as R;
    // Male relatives: only breast cancer of the father or a brother is carried, and the
    // father's genetic test (field 23).
    let d = diagnoses(&who.path, sex, &r.cancers)?;
    age_field(&format!("{}.age", who.path), r.age)?;
    let other_cancers = d.oc.is_some()
        || d.pro.is_some()
        || d.pan.is_some()
        || !d.no_column.is_empty()
        || d.bc2.is_some();
    if r.relation == R::Father {
        gene_notes(who, &r.genetic_tests, &IBIS_GENES, notes);
    }
    if sex.is_none() {
        notes.info(format!(
            "{who}: sex unknown; IBIS's slots are for female relatives; not written."
        ));
    } else if !matches!(r.relation, R::Father | R::Brother) && !r.cancers.is_empty() {
        notes.info(format!(
            "{who}: IBIS has no slot for this relative's cancers; not written."
        ));
    } else if matches!(r.relation, R::Father | R::Brother) && other_cancers {
        notes.info(format!(
            "{who}: IBIS carries only whether a father or brother had breast cancer; \
             his other cancers are not written."
        ));
    }
    if r.relation != R::Father && !r.genetic_tests.is_empty() {
        notes.info(format!(
            "{who}: genetic test not written: IBIS carries only the father's test among \
             male relatives."
        ));
    }
    Ok(d.bc1.is_some())
}

/// A female relative's block in her slot; a relative IBIS has no slot for is validated and
/// left out.
fn place_woman(
    slots: &mut Slots,
    who: &Who,
    r: &Relative,
    sex: Option<Sex>,
    notes: &mut Notes,
) -> Result<(), ExportError> {
    use Relation as R;
    let slot = match r.relation {
        R::Mother => Some(0),
        R::PaternalGrandmother => Some(1),
        R::MaternalGrandmother => Some(2),
        _ => None,
    };
    let placed = matches!(
        r.relation,
        R::Mother
            | R::PaternalGrandmother
            | R::MaternalGrandmother
            | R::Sister
            | R::PaternalAunt
            | R::MaternalAunt
            | R::Daughter
            | R::Niece
            | R::PaternalHalfSister
            | R::MaternalHalfSister
            | R::PaternalCousin
            | R::MaternalCousin
    );
    if !placed {
        // Validated, then left out.
        diagnoses(&who.path, sex, &r.cancers)?;
        age_field(&format!("{}.age", who.path), r.age)?;
        notes.info(format!(
            "{who}: IBIS v8 has no slot for this relative; not written."
        ));
        return Ok(());
    }
    let b = block(who, r, notes)?;
    if let Some(k) = slot {
        match slots.single.get_mut(k) {
            Some(s @ None) => *s = Some(b),
            _ => {
                return Err(ExportError::invalid(
                    format!("{}.relation", who.path),
                    format!("more than one {}", r.relation),
                ));
            }
        }
        return Ok(());
    }
    match r.relation {
        R::Sister => slots.sisters.push(b),
        R::PaternalAunt => slots.p_aunts.push(b),
        R::MaternalAunt => slots.m_aunts.push(b),
        R::Daughter => slots.daughters.push(b),
        R::Niece => slots.nieces.push(b),
        R::PaternalHalfSister => slots.p_half.push(b),
        R::MaternalHalfSister => slots.m_half.push(b),
        R::PaternalCousin => slots.p_cousins.push(b),
        _ => slots.m_cousins.push(b),
    }
    Ok(())
}

/// Fields of the relative blocks 1–12, in IBIS order.
fn push_slots(t: &mut Vec<String>, slots: &Slots) {
    let [mother, pgm, mgm] = slots.single;
    // 1 mother
    push_block(t, mother.unwrap_or(EMPTY_BLOCK));
    // 2 sisters
    push_list(t, &slots.sisters);
    // 3 paternal grandmother, 4 maternal grandmother
    push_block(t, pgm.unwrap_or(EMPTY_BLOCK));
    push_block(t, mgm.unwrap_or(EMPTY_BLOCK));
    // 5 paternal aunts, 6 maternal aunts, 7 daughters
    push_list(t, &slots.p_aunts);
    push_list(t, &slots.m_aunts);
    push_list(t, &slots.daughters);
    // 8 nieces: number of "mothers" = sisters + 1 if the brother slot has daughters; each sister
    // has 0 daughters here (see module docs), then the brother slot's daughters.
    t.push((slots.sisters.len() + usize::from(!slots.nieces.is_empty())).to_string());
    for _ in &slots.sisters {
        t.push("0".to_owned());
    }
    if !slots.nieces.is_empty() {
        push_list(t, &slots.nieces);
    }
    // 9 paternal half-sisters, 10 maternal half-sisters
    push_list(t, &slots.p_half);
    push_list(t, &slots.m_half);
    // 11 cousins through paternal aunts, then maternal aunts: per aunt a count (0, see above)
    t.push(slots.p_aunts.len().to_string());
    for _ in &slots.p_aunts {
        t.push("0".to_owned());
    }
    t.push(slots.m_aunts.len().to_string());
    for _ in &slots.m_aunts {
        t.push("0".to_owned());
    }
    // 12 cousins through the unaffected paternal uncle, then maternal uncle: flag, count, blocks
    for cousins in [&slots.p_cousins, &slots.m_cousins] {
        if cousins.is_empty() {
            t.push("0".to_owned());
        } else {
            t.push("1".to_owned());
            push_list(t, cousins);
        }
    }
}

/// Density measure (0 Volpara, 1 VAS, 2 BI-RADS) and value; none known → `0`, `-99` as the mapper
/// writes it. BI-RADS a..d are written as 1..4 (marked (*) in clinical.md §1.4: confirm in the IBIS
/// batch documentation).
fn density(profile: &RiskProfile) -> Result<(i32, String), ExportError> {
    let Some(d) = &profile.proband.breast_density else {
        return Ok((0, UNKNOWN.to_string()));
    };
    let path = "proband.breast_density.value";
    Ok(match (d.method, d.value) {
        (DensityMethod::Volpara, Some(DensityValue::Percent(x))) => (0, fmt_num(path, x, 2)?),
        (DensityMethod::Vas, Some(DensityValue::Percent(x))) => (1, fmt_num(path, x, 2)?),
        (DensityMethod::Birads, Some(DensityValue::Birads(b))) => (
            2,
            match b {
                BiradsDensity::A => "1",
                BiradsDensity::B => "2",
                BiradsDensity::C => "3",
                BiradsDensity::D => "4",
            }
            .to_owned(),
        ),
        (_, None) => (0, UNKNOWN.to_string()),
        (m, Some(_)) => {
            return Err(ExportError::invalid(
                path,
                format!("value does not match the method {m:?}"),
            ));
        }
    })
}
