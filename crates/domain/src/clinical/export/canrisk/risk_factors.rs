//! The `##key=value` risk-factor lines of the target woman, and the `##ethnicity` line.

use super::CanRiskOptions;
use crate::clinical::export::{ExportError, Notes, fmt_num};
use crate::clinical::profile::{
    BiradsDensity, DensityMethod, DensityValue, Ethnicity, HrtStatus, HrtType, MenopauseStatus,
    Proband, Sex,
};

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
pub(super) fn risk_factor_lines(
    p: &Proband,
    opts: &CanRiskOptions,
    notes: &mut Notes,
) -> Result<Vec<String>, ExportError> {
    let mut v = Vec::new();
    let mut continuous_density = false;
    if p.sex == Some(Sex::Female) {
        reproductive_lines(p, &mut v);
        v.extend(mht_line(p));
        if let (Some(h), Some(w)) = (p.height_cm, p.weight_kg)
            && h > 0.0
        {
            let bmi = w / (h / 100.0).powi(2);
            v.push(format!("##BMI={}", fmt_num("proband.weight_kg", bmi, 2)?));
        }
        menopause_line(p, &mut v, notes);
        continuous_density = density_line(p, &mut v, notes)?;
        if let Some(h) = p.height_cm {
            v.push(format!("##height={}", fmt_num("proband.height_cm", h, 1)?));
        }
    }
    if let Some(line) = ethnicity_line(p, opts, continuous_density, notes) {
        v.push(line);
    }
    Ok(v)
}

/// `##menarche`, `##parity` and `##first_live_birth`.
fn reproductive_lines(p: &Proband, lines: &mut Vec<String>) {
    if let Some(m) = p.menarche_age {
        lines.push(format!("##menarche={m}"));
    }
    if let Some(n) = p.live_births {
        // CanRisk's parity counts births; the profile has live births.
        lines.push(format!("##parity={n}"));
        if n > 0
            && let Some(a) = p.first_live_birth_age
        {
            lines.push(format!("##first_live_birth={a}"));
        }
    }
}

/// `##mht_use`, if the HRT status is known.
fn mht_line(p: &Proband) -> Option<String> {
    // mht_use: N never, F former, E current oestrogen-only, C current combined or unknown type
    // (bws MHT categories: "current other/unknown type (including combined type)").
    let status = p.hrt.as_ref().and_then(|h| h.status)?;
    let code = match status {
        HrtStatus::Never => "N",
        HrtStatus::FormerOver5y | HrtStatus::FormerUnder5y => "F",
        HrtStatus::Current => match p.hrt.as_ref().and_then(|h| h.hrt_type) {
            Some(HrtType::EstrogenOnly) => "E",
            Some(HrtType::Combined) | None => "C",
        },
    };
    Some(format!("##mht_use={code}"))
}

/// `##menopause`, or a note where CanRisk cannot take what the profile says.
fn menopause_line(p: &Proband, lines: &mut Vec<String>, notes: &mut Notes) {
    // menopause: N (not yet) or the age at menopause. CanRisk refuses `Y` (post, age
    // unknown; bws AgeOfMenopause takes N, NA or an age), so that case writes nothing.
    match (p.menopause_status, p.menopause_age) {
        (Some(MenopauseStatus::Pre), _) => lines.push("##menopause=N".to_owned()),
        (Some(MenopauseStatus::Peri), _) => {
            lines.push("##menopause=N".to_owned());
            notes.info(
                "Proband (PB; proband): peri-menopausal is written as not yet post-menopausal \
                 (##menopause=N).",
            );
        }
        (Some(MenopauseStatus::Post), Some(a)) => lines.push(format!("##menopause={a}")),
        (Some(MenopauseStatus::Post), None) => notes.info(
            "Proband (PB; proband): post-menopausal at an unknown age. CanRisk takes only an age at \
             menopause (it refuses a file that says just 'post-menopausal'), so no menopause \
             line is written: enter the age in CanRisk if it is known.",
        ),
        (Some(MenopauseStatus::Unknown) | None, Some(a)) => {
            lines.push(format!("##menopause={a}"));
            notes.info(format!(
                "Proband (PB; proband): menopausal status unknown but an age at menopause ({a}) is given: \
                 written as post-menopausal at {a}."
            ));
        }
        (Some(MenopauseStatus::Unknown) | None, None) => {}
    }
}

/// `##birads` or `##volpara`, or a note for VAS. Returns whether the density is continuous
/// (Volpara), which CanRisk refuses together with a non-White ethnicity.
fn density_line(
    p: &Proband,
    lines: &mut Vec<String>,
    notes: &mut Notes,
) -> Result<bool, ExportError> {
    let mut continuous_density = false;
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
                lines.push(format!("##birads={n}"));
            }
            (DensityMethod::Volpara, Some(DensityValue::Percent(x))) => {
                continuous_density = true;
                lines.push(format!(
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
    Ok(continuous_density)
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
