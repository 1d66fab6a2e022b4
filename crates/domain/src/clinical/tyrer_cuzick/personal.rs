//! Personal factors: the relative risk at every future age from menarche, parity, height, BMI,
//! menopause, HRT, benign breast disease and density.

use super::params::{self as p, N_AGES};
use super::{TcDensity, TcInput};
use crate::clinical::profile::{HrtStatus, HrtType, Hyperplasia, MenopauseStatus};

fn hrt_current_rr(kind: HrtType, duration: f64) -> f64 {
    let table = match kind {
        HrtType::Combined => &p::HRT_COMBINED_RR,
        HrtType::EstrogenOnly => &p::HRT_ESTROGEN_RR,
    };
    let idx = if duration < 1.0 {
        0
    } else if duration < 5.0 {
        1
    } else if duration < 10.0 {
        2
    } else {
        3
    };
    table[idx]
}

fn hrt_rr_by_age(input: &TcInput, warnings: &mut Vec<String>) -> [f64; N_AGES] {
    let mut rr = [1.0; N_AGES];
    let Some(hrt) = &input.hrt else {
        return rr;
    };
    let age = input.age as usize;
    let mut kind = || {
        hrt.kind.unwrap_or_else(|| {
            warnings.push("HRT type unknown; taken as combined.".to_owned());
            HrtType::Combined
        })
    };
    let former = |rr_stop: f64, since: f64| {
        if since < 5.0 {
            1.0 + p::HRT_FORMER_EXCESS_FRACTION * (rr_stop - 1.0)
        } else {
            1.0
        }
    };
    match hrt.status {
        HrtStatus::Never | HrtStatus::FormerOver5y => {}
        HrtStatus::Current => {
            let kind = kind();
            let used = hrt.years_used.unwrap_or_else(|| {
                warnings.push("HRT years of use unknown; taken as 5.".to_owned());
                5.0
            });
            let intended = hrt.intended_years.unwrap_or_else(|| {
                warnings.push("HRT intended further years unknown; taken as 5.".to_owned());
                5.0
            });
            let rr_stop = hrt_current_rr(kind, used + intended);
            for (y, a) in (age..N_AGES).enumerate() {
                let y = y as f64;
                rr[a] = if y < intended {
                    hrt_current_rr(kind, used + y)
                } else {
                    former(rr_stop, y - intended)
                };
            }
        }
        HrtStatus::FormerUnder5y => {
            let kind = kind();
            let used = hrt.years_used.unwrap_or_else(|| {
                warnings.push("HRT years of use unknown; taken as 5.".to_owned());
                5.0
            });
            let since = hrt.years_since_stopped.unwrap_or_else(|| {
                warnings.push("Years since stopping HRT unknown; taken as 2.".to_owned());
                2.0
            });
            let rr_stop = hrt_current_rr(kind, used);
            for (y, a) in (age..N_AGES).enumerate() {
                rr[a] = former(rr_stop, since + y as f64);
            }
        }
    }
    rr
}

/// Personal relative risk at every future age (ages before the proband's are unused).
pub(super) fn personal_rr(input: &TcInput, warnings: &mut Vec<String>) -> [f64; N_AGES] {
    let mut unknown: Vec<&str> = Vec::new();
    let age = input.age as usize;
    let menarche = menarche_rr(input, &mut unknown);
    let parity = parity_rr(input, &mut unknown);
    let height = height_rr(input, &mut unknown);
    let bmi = bmi(input, &mut unknown);
    let bbd = benign_disease_rr(input, warnings);
    let density = density_rr(input);
    // Menopause: age from which the postmenopausal terms apply.
    let (meno_age, meno_rr) = menopause(input, age, warnings);

    if !unknown.is_empty() {
        warnings.push(format!(
            "Unknown personal factors taken at the population-typical value (relative risk 1): {}.",
            unknown.join(", ")
        ));
    }

    let hrt = hrt_rr_by_age(input, warnings);
    let base = menarche * parity * height * bbd * density;
    let mut rr = [1.0; N_AGES];
    for a in age..N_AGES {
        let post = a >= meno_age;
        let bmi_rr = bmi.map_or(1.0, |b| {
            let per5 = if post {
                p::BMI_RR_PER_5_POST
            } else {
                p::BMI_RR_PER_5_PRE
            };
            per5.powf((b - p::BMI_REF) / 5.0)
        });
        let m = if post { meno_rr } else { 1.0 };
        rr[a] = base * bmi_rr * m * hrt[a];
    }
    rr
}

/// Menarche, relative to the reference age.
fn menarche_rr(input: &TcInput, unknown: &mut Vec<&str>) -> f64 {
    match input.menarche_age {
        Some(m) => p::MENARCHE_RR_PER_YEAR.powf(p::MENARCHE_REF_AGE - f64::from(m)),
        None => {
            unknown.push("menarche_age");
            1.0
        }
    }
}

/// Parity and age at first birth.
fn parity_rr(input: &TcInput, unknown: &mut Vec<&str>) -> f64 {
    let afb_rr = |a: u32| p::FIRST_BIRTH_RR_PER_YEAR.powf(f64::from(a) - p::FIRST_BIRTH_REF_AGE);
    match (input.parity, input.first_birth_age) {
        (Some(0), _) => p::NULLIPAROUS_RR,
        (Some(n), Some(a)) => afb_rr(a) * p::PER_BIRTH_RR.powf(f64::from(n) - p::REF_BIRTHS),
        (Some(n), None) => {
            unknown.push("first_birth_age");
            p::PER_BIRTH_RR.powf(f64::from(n) - p::REF_BIRTHS)
        }
        (None, Some(a)) => {
            unknown.push("parity");
            afb_rr(a)
        }
        (None, None) => {
            unknown.push("parity");
            1.0
        }
    }
}

/// Height, clamped to 1.40–1.90 m.
fn height_rr(input: &TcInput, unknown: &mut Vec<&str>) -> f64 {
    match input.height_m {
        Some(h) => {
            let h = h.clamp(1.40, 1.90);
            p::HEIGHT_RR_PER_10CM.powf((h - p::HEIGHT_REF_M) * 10.0)
        }
        None => {
            unknown.push("height_m");
            1.0
        }
    }
}

/// BMI from height and weight, clamped to 15–50.
fn bmi(input: &TcInput, unknown: &mut Vec<&str>) -> Option<f64> {
    match (input.height_m, input.weight_kg) {
        (Some(h), Some(w)) => Some((w / (h * h)).clamp(15.0, 50.0)),
        _ => {
            unknown.push("BMI (height_m and weight_kg)");
            None
        }
    }
}

/// Hyperplasia, atypical hyperplasia and LCIS: the strongest applies.
fn benign_disease_rr(input: &TcInput, warnings: &mut Vec<String>) -> f64 {
    let bbd_hyper = match input.hyperplasia {
        Hyperplasia::None => 1.0,
        Hyperplasia::Hyperplasia => p::RR_HYPERPLASIA,
        Hyperplasia::Atypical => p::RR_ATYPICAL,
        Hyperplasia::Unknown => {
            warnings.push(format!(
                "Breast biopsy with unknown result; relative risk {} applied.",
                p::RR_BIOPSY_UNKNOWN
            ));
            p::RR_BIOPSY_UNKNOWN
        }
    };
    if input.lcis == Some(true) {
        p::RR_LCIS.max(bbd_hyper)
    } else {
        bbd_hyper
    }
}

/// Breast density: BI-RADS, VAS, or Volpara read as a BI-RADS grade.
fn density_rr(input: &TcInput) -> f64 {
    let birads = |c: usize| p::BIRADS_RR.get(c).copied().unwrap_or(1.0);
    match input.density {
        None => 1.0,
        Some(TcDensity::Birads(c)) => birads(c as usize),
        Some(TcDensity::Vas(v)) => p::VAS_RR_PER_10.powf((v - p::VAS_REF) / 10.0),
        Some(TcDensity::Volpara(v)) => birads(
            p::VOLPARA_GRADE_THRESHOLDS
                .iter()
                .filter(|&&t| v >= t)
                .count(),
        ),
    }
}

/// The age from which the postmenopausal terms apply, and the menopause relative risk.
fn menopause(input: &TcInput, age: usize, warnings: &mut Vec<String>) -> (usize, f64) {
    let (meno_age, meno_known) = match (input.menopause, input.menopause_age) {
        (MenopauseStatus::Post, Some(m)) => (m as usize, true),
        (MenopauseStatus::Post, None) => {
            warnings.push("Age at menopause unknown; taken as 50 (or her age if younger).".into());
            (age.min(50), false)
        }
        (MenopauseStatus::Pre | MenopauseStatus::Peri, _) => {
            (age.max(50) + usize::from(age >= 50), false)
        }
        (MenopauseStatus::Unknown, _) => {
            warnings.push(
                "Menopausal status unknown; taken as premenopausal before 50 and postmenopausal \
                 from 50."
                    .into(),
            );
            (50, false)
        }
    };
    let meno_rr = if meno_known {
        p::MENOPAUSE_RR_PER_YEAR.powf(meno_age as f64 - p::MENOPAUSE_REF_AGE)
    } else {
        p::MENOPAUSE_RR_PER_YEAR.powf(meno_age.max(50) as f64 - p::MENOPAUSE_REF_AGE)
    };
    (meno_age, meno_rr)
}
