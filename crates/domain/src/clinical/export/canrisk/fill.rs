//! A row's clinical columns from a person of the profile: vital status, age and year of birth,
//! diagnoses, genes, pathology, with notes on what was left out or assumed.

use super::row::Row;
use super::{CANRISK_V4_GENES, HOXB13, MIN_YEAR_OF_BIRTH};
use crate::clinical::export::{
    Diagnoses, DxAge, ExportError, GeneStatus, MAX_AGE, Notes, Who, diagnoses, diagnosis_notes,
    gene_notes, gene_status,
};
use crate::clinical::profile::{Cancer, GeneticTest, ReceptorStatus, Relation, Relative, Sex};

/// A person's data as `fill` needs it.
pub(super) struct Person<'a> {
    pub(super) alive: Option<bool>,
    pub(super) age: Option<i32>,
    pub(super) cancers: &'a [Cancer],
    pub(super) tests: &'a [GeneticTest],
}

/// Fills a row's clinical columns from a person's data.
pub(super) fn fill(
    row: &mut Row,
    who: Who,
    person: &Person<'_>,
    reference_year: i32,
    notes: &mut Notes,
) -> Result<(), ExportError> {
    let mut d = diagnoses(&who.path, Some(row.sex), person.cancers)?;
    row.dead = person.alive == Some(false);
    row.vital_unknown = person.alive.is_none() && !row.target;
    fill_age(row, &who, person, reference_year)?;
    fill_diagnoses(row, &who, &mut d, notes);
    fill_genes(row, &who, person.tests, notes);
    if let Some(bc) = d.bc1_record {
        row.pathology = pathology(bc);
    }
    diagnosis_notes(&who, &d, "BC2", notes);
    gene_notes(&who, person.tests, &CANRISK_V4_GENES, notes);
    row.who = Some(who);
    Ok(())
}

/// `Age` and `Yob`: the age (0 = unknown), the year of birth of a living person with a known age;
/// no diagnosis after that age.
fn fill_age(
    row: &mut Row,
    who: &Who,
    person: &Person<'_>,
    reference_year: i32,
) -> Result<(), ExportError> {
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
    Ok(())
}

/// The cancer columns and the latest known diagnosis age.
fn fill_diagnoses(row: &mut Row, who: &Who, d: &mut Diagnoses<'_>, notes: &mut Notes) {
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
}

/// The gene columns (HOXB13 carriers as heterozygous, noted).
fn fill_genes(row: &mut Row, who: &Who, tests: &[GeneticTest], notes: &mut Notes) {
    for (slot, gene) in row.genes.iter_mut().zip(CANRISK_V4_GENES) {
        *slot = gene_status(tests, gene);
    }
    if row.genes[HOXB13] == GeneStatus::Positive {
        notes.info(format!(
            "{who}: the HOXB13 pathogenic variant is written as T:HET (heterozygous): the \
             profile does not record zygosity. Change it to HOM in CanRisk if homozygous."
        ));
    }
}

/// ER, PR, HER2, CK14, CK5/6 of the first breast cancer: a triple-negative flag makes an unknown
/// receptor `N`; CK14 and CK5/6 are not in the profile.
fn pathology(bc: &Cancer) -> [char; 5] {
    let code = |s: Option<ReceptorStatus>| match s {
        Some(ReceptorStatus::Positive) => 'P',
        Some(ReceptorStatus::Negative) => 'N',
        None => '0',
    };
    let tn = bc.triple_negative == Some(true);
    let neg_if_tn = |s: Option<ReceptorStatus>| {
        if s.is_none() && tn { 'N' } else { code(s) }
    };
    [
        neg_if_tn(bc.er),
        neg_if_tn(bc.pr),
        neg_if_tn(bc.her2),
        '0',
        '0',
    ]
}

pub(super) fn fill_relative(
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
