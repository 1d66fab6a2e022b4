//! Input checks: every out-of-range or contradictory value is refused with its field path.

use super::{HORIZON_AGE, MAX_RELATIVES, MIN_AGE, TcDensity, TcError, TcInput, TcRelative};
use crate::clinical::pedigree::RelationSex;
use crate::clinical::profile::{MenopauseStatus, Sex};

fn err(field: impl Into<String>, message: impl Into<String>) -> TcError {
    TcError {
        field: field.into(),
        message: message.into(),
    }
}

fn check_f64(value: Option<f64>, field: &str, lo: f64, hi: f64) -> Result<(), TcError> {
    match value {
        Some(v) if !(lo..=hi).contains(&v) => Err(err(
            field,
            format!("must be a number between {lo} and {hi}, got {v}"),
        )),
        _ => Ok(()),
    }
}

fn check_u32(value: Option<u32>, field: &str, lo: u32, hi: u32) -> Result<(), TcError> {
    match value {
        Some(v) if !(lo..=hi).contains(&v) => Err(err(
            field,
            format!("must be between {lo} and {hi}, got {v}"),
        )),
        _ => Ok(()),
    }
}

/// Refuses an input the model cannot use, naming the field.
pub(super) fn validate(input: &TcInput) -> Result<(), TcError> {
    let age = input.age;
    if !(MIN_AGE..HORIZON_AGE).contains(&age) {
        return Err(err(
            "age",
            format!(
                "must be between {MIN_AGE} and {} for a lifetime risk to {HORIZON_AGE}, got {age}",
                HORIZON_AGE - 1
            ),
        ));
    }
    validate_personal(input, age)?;
    if input.relatives.len() > MAX_RELATIVES {
        return Err(err(
            "relatives",
            format!("at most {MAX_RELATIVES} relatives are accepted"),
        ));
    }
    for (i, r) in input.relatives.iter().enumerate() {
        validate_relative(&format!("relatives[{i}]"), r)?;
    }
    Ok(())
}

/// The proband's own factors, each within its range and consistent with her age.
fn validate_personal(input: &TcInput, age: u32) -> Result<(), TcError> {
    check_u32(input.menarche_age, "menarche_age", 6, 25.min(age))?;
    check_u32(input.parity, "parity", 0, 30)?;
    check_u32(input.first_birth_age, "first_birth_age", 10, age)?;
    if input.parity == Some(0) && input.first_birth_age.is_some() {
        return Err(err(
            "first_birth_age",
            "given for a woman with parity 0 (no live births)",
        ));
    }
    check_u32(input.menopause_age, "menopause_age", 20, age)?;
    if input.menopause_age.is_some() && input.menopause != MenopauseStatus::Post {
        return Err(err(
            "menopause_age",
            "only meaningful when menopause status is `post`",
        ));
    }
    check_f64(input.height_m, "height_m", 1.0, 2.3)?;
    check_f64(input.weight_kg, "weight_kg", 25.0, 300.0)?;
    if let Some(hrt) = &input.hrt {
        check_f64(hrt.years_used, "hrt.years_used", 0.0, f64::from(age))?;
        check_f64(hrt.intended_years, "hrt.intended_years", 0.0, 60.0)?;
        check_f64(
            hrt.years_since_stopped,
            "hrt.years_since_stopped",
            0.0,
            f64::from(age),
        )?;
    }
    match input.density {
        Some(TcDensity::Vas(v)) => check_f64(Some(v), "density.value", 0.0, 100.0)?,
        Some(TcDensity::Volpara(v)) => check_f64(Some(v), "density.value", 0.0, 100.0)?,
        _ => {}
    }
    if let Some(oc) = input.ovarian_cancer {
        check_u32(
            oc.age_at_diagnosis,
            "ovarian_cancer.age_at_diagnosis",
            1,
            age,
        )?;
    }
    Ok(())
}

/// One relative at `path`: ages in range, diagnoses not after her age, sex consistent with the
/// relation, no ovarian cancer in a man.
fn validate_relative(path: &str, r: &TcRelative) -> Result<(), TcError> {
    check_u32(r.age, &format!("{path}.age"), 0, 120)?;
    let max_dx = r.age.unwrap_or(120);
    if let (RelationSex::Fixed(fixed), Some(given)) = (r.relation.fixed_sex(), r.sex)
        && fixed != given
    {
        return Err(err(
            format!("{path}.sex"),
            format!("contradicts relation `{}`", r.relation),
        ));
    }
    let sex = r.relation.sex(r.sex).unwrap_or(Sex::Female);
    if let Some(bc) = r.breast {
        check_u32(
            bc.age_at_diagnosis,
            &format!("{path}.breast.age_at_diagnosis"),
            1,
            max_dx,
        )?;
        let lo = bc.age_at_diagnosis.unwrap_or(1);
        check_u32(
            bc.contralateral_age,
            &format!("{path}.breast.contralateral_age"),
            lo,
            max_dx,
        )?;
        if bc.contralateral_age.is_some() && !bc.bilateral {
            return Err(err(
                format!("{path}.breast.contralateral_age"),
                "given but `bilateral` is false",
            ));
        }
    }
    if let Some(oc) = r.ovarian {
        if sex == Sex::Male {
            return Err(err(
                format!("{path}.ovarian"),
                "ovarian cancer recorded for a male relative",
            ));
        }
        check_u32(
            oc.age_at_diagnosis,
            &format!("{path}.ovarian.age_at_diagnosis"),
            1,
            max_dx,
        )?;
    }
    Ok(())
}
