//! `RiskProfile` → Tyrer-Cuzick input, and its warnings and errors as sentences.

use super::{
    age_u32, breast_cancers, earliest, humanise_paths, known_brca_carrier, leading_relative,
    tagged, who,
};
use crate::clinical::profile::{
    CancerType, DensityMethod, DensityValue, Hyperplasia, MenopauseStatus, Proband, Relative,
    RiskProfile, Sex,
};
use crate::clinical::tyrer_cuzick::{
    self as tc, TcBreastCancer, TcCancer, TcDensity, TcHrt, TcInput, TcRelative,
};

/// Why Tyrer-Cuzick cannot run for this person (a sentence), if it cannot.
pub(in crate::clinical::assess) fn tc_not_applicable(p: &Proband) -> Option<String> {
    let age = p.age.unwrap_or(-1);
    match p.sex {
        Some(Sex::Male) => {
            return Some(
                "Tyrer-Cuzick not computed: the model estimates breast cancer risk for women only."
                    .to_owned(),
            );
        }
        None => {
            return Some(
                "Tyrer-Cuzick not computed: your sex is not recorded (the model is for women only)."
                    .to_owned(),
            );
        }
        Some(Sex::Female) => {}
    }
    if p.cancers
        .iter()
        .any(|c| c.cancer_type == CancerType::Breast)
    {
        return Some(
            "Tyrer-Cuzick not computed: the model estimates the risk of a first breast cancer, and you have had one."
                .to_owned(),
        );
    }
    let (lo, hi) = (tc::MIN_AGE as i32, tc::HORIZON_AGE as i32 - 1);
    if !(lo..=hi).contains(&age) {
        return Some(format!(
            "Tyrer-Cuzick not computed: the model covers ages {lo} to {hi}, and your age is {age}."
        ));
    }
    None
}

/// A relative, 1:1 (same position, so `relatives[i]` in TC warnings is the profile's `i`).
/// Breast cancers: the earliest is the first; a second entry or `bilateral` makes it bilateral,
/// with the second entry's age as the contralateral age (DCIS counts as a breast cancer here).
pub(super) fn tc_relative(r: &Relative) -> TcRelative {
    let breasts = breast_cancers(&r.cancers);
    let breast = breasts.first().map(|first| {
        let second = breasts.get(1);
        TcBreastCancer {
            age_at_diagnosis: age_u32(first.age_at_diagnosis),
            bilateral: second.is_some() || breasts.iter().any(|c| c.bilateral == Some(true)),
            contralateral_age: second
                .and_then(|c| age_u32(c.age_at_diagnosis))
                .filter(|a| age_u32(first.age_at_diagnosis).is_some_and(|f| *a >= f)),
        }
    });
    let ovarian = earliest(&r.cancers, CancerType::Ovarian).map(|c| TcCancer {
        age_at_diagnosis: age_u32(c.age_at_diagnosis),
    });
    TcRelative {
        relation: r.relation,
        sex: r.sex,
        age: age_u32(r.age),
        alive: r.alive,
        breast,
        ovarian,
    }
}

/// The Tyrer-Cuzick input, with the warnings of the mapping (inputs the model cannot use).
/// Call only when [`tc_not_applicable`] is `None`.
pub(in crate::clinical::assess) fn tc_input(
    profile: &RiskProfile,
    warnings: &mut Vec<String>,
) -> TcInput {
    let p = &profile.proband;
    let age = age_u32(p.age).unwrap_or(tc::MIN_AGE);
    let mut note = |s: String| warnings.push(tagged(&s, "Tyrer-Cuzick"));
    if p.ashkenazi_jewish.is_none() {
        note("Ashkenazi Jewish ancestry unknown; BRCA carrier frequencies of the general population used.".to_owned());
    }
    if let Some(gene) = known_brca_carrier(p) {
        note(format!(
            "You carry a pathogenic {gene} variant, but the model does not use genetic test results: its risk understates a carrier's risk; use gene-specific risk estimates."
        ));
    }
    let parity = age_u32(p.live_births);
    let first_birth_age = first_birth_age(p, parity, &mut note);
    let (menopause, menopause_age) = menopause(p, &mut note);
    let height_m = height_m(p, &mut note);
    let weight_kg = weight_kg(p, &mut note);
    let hrt = hrt(p);
    let hyperplasia = hyperplasia(p);
    let density = density(p);
    let ovarian_cancer = earliest(&p.cancers, CancerType::Ovarian).map(|c| TcCancer {
        age_at_diagnosis: age_u32(c.age_at_diagnosis),
    });
    TcInput {
        age,
        ashkenazi: p.ashkenazi_jewish == Some(true),
        menarche_age: age_u32(p.menarche_age),
        parity,
        first_birth_age,
        menopause,
        menopause_age,
        height_m,
        weight_kg,
        hrt,
        hyperplasia,
        lcis: p.lcis,
        density,
        ovarian_cancer,
        relatives: profile.relatives.iter().map(tc_relative).collect(),
    }
}

/// The age at first live birth (none for a nulliparous woman); below the model's range, unknown.
fn first_birth_age(p: &Proband, parity: Option<u32>, note: &mut impl FnMut(String)) -> Option<u32> {
    if parity == Some(0) {
        None
    } else {
        match age_u32(p.first_live_birth_age) {
            Some(a) if a < 10 => {
                note(format!(
                    "Age at first live birth {a} is outside the model's range (10 or more); treated as unknown."
                ));
                None
            }
            a => a,
        }
    }
}

/// Menopausal status and age: an age with no status means postmenopausal; an age with a
/// perimenopausal status, or below the model's range, is not used.
fn menopause(p: &Proband, note: &mut impl FnMut(String)) -> (MenopauseStatus, Option<u32>) {
    let (menopause, menopause_age) = match (p.menopause_status, age_u32(p.menopause_age)) {
        (Some(MenopauseStatus::Post), a) => (MenopauseStatus::Post, a),
        (Some(MenopauseStatus::Pre), _) => (MenopauseStatus::Pre, None),
        (Some(MenopauseStatus::Peri), Some(a)) => {
            note(format!(
                "A menopause age ({a}) is given with a perimenopausal status; the age is not used."
            ));
            (MenopauseStatus::Peri, None)
        }
        (Some(MenopauseStatus::Peri), None) => (MenopauseStatus::Peri, None),
        // A menopause age with no status: she is postmenopausal.
        (Some(MenopauseStatus::Unknown) | None, Some(a)) => (MenopauseStatus::Post, Some(a)),
        (Some(MenopauseStatus::Unknown) | None, None) => (MenopauseStatus::Unknown, None),
    };
    let menopause_age = match menopause_age {
        Some(a) if a < 20 => {
            note(format!(
                "Menopause at {a} is outside the model's range (20 or more); age at menopause treated as unknown."
            ));
            None
        }
        a => a,
    };
    (menopause, menopause_age)
}

/// Height in metres; outside the model's range, unknown.
fn height_m(p: &Proband, note: &mut impl FnMut(String)) -> Option<f64> {
    match p.height_cm.map(|h| h / 100.0) {
        Some(h) if !(1.0..=2.3).contains(&h) => {
            note(format!(
                "Height {} cm is outside the model's range (100-230 cm); treated as unknown.",
                h * 100.0
            ));
            None
        }
        h => h,
    }
}

/// Weight; outside the model's range, unknown.
fn weight_kg(p: &Proband, note: &mut impl FnMut(String)) -> Option<f64> {
    match p.weight_kg {
        Some(w) if !(25.0..=300.0).contains(&w) => {
            note(format!(
                "Weight {w} kg is outside the model's range (25-300 kg); treated as unknown."
            ));
            None
        }
        w => w,
    }
}

/// HRT history, when its status is known.
fn hrt(p: &Proband) -> Option<TcHrt> {
    p.hrt.as_ref().and_then(|h| {
        Some(TcHrt {
            status: h.status?,
            kind: h.hrt_type,
            years_used: h.years_used,
            // The model accepts up to 60 further years; more cannot change a risk to age 85.
            intended_years: h.intended_years.map(|y| y.min(60.0)),
            years_since_stopped: h.years_since_stopped,
        })
    })
}

/// Hyperplasia: unknown after a biopsy, none without one.
fn hyperplasia(p: &Proband) -> Hyperplasia {
    match p.hyperplasia {
        Some(h) => h,
        None if p.breast_biopsies.is_some_and(|n| n > 0) => Hyperplasia::Unknown,
        None => Hyperplasia::None,
    }
}

/// Breast density, when its value fits its method.
fn density(p: &Proband) -> Option<TcDensity> {
    p.breast_density
        .as_ref()
        .and_then(|d| match (d.method, d.value?) {
            (DensityMethod::Birads, DensityValue::Birads(b)) => Some(TcDensity::Birads(b)),
            (DensityMethod::Vas, DensityValue::Percent(v)) => Some(TcDensity::Vas(v)),
            (DensityMethod::Volpara, DensityValue::Percent(v)) => Some(TcDensity::Volpara(v)),
            _ => None,
        })
}

/// A Tyrer-Cuzick warning as a plain sentence: `relatives[2] (sister): ...` names the person,
/// struct field names become words.
pub(in crate::clinical::assess) fn tc_warning(profile: &RiskProfile, w: &str) -> String {
    let text = if let Some((i, rest)) = leading_relative(w) {
        let rest = profile
            .relatives
            .get(i)
            .and_then(|r| rest.strip_prefix(format!(" ({})", r.relation.as_str()).as_str()))
            .unwrap_or(rest);
        format!("{}{rest}", who(profile, Some(i)))
    } else if let Some(rest) = w.strip_prefix("Proband: ") {
        format!("Your {rest}")
    } else if let Some((head, list)) = w.split_once(": ")
        && head.starts_with("Unknown personal factors")
    {
        let list = list
            .replace("BMI (height_m and weight_kg)", "body mass index")
            .replace("menarche_age", "age at menarche")
            .replace("first_birth_age", "age at first live birth")
            .replace("parity", "number of live births")
            .replace("height_m", "height");
        format!("{head}: {list}")
    } else {
        humanise_paths(profile, w)
    };
    tagged(&text, "Tyrer-Cuzick")
}

/// A Tyrer-Cuzick input error (`field: message`) as a sentence: `relatives[2].breast.age_at_diagnosis`
/// becomes "Sister: breast age at diagnosis ...", `relatives` alone just the message.
pub(in crate::clinical::assess) fn tc_error(profile: &RiskProfile, e: &tc::TcError) -> String {
    let words = |f: &str| {
        f.replace("menarche_age", "age at menarche")
            .replace("first_birth_age", "age at first live birth")
            .replace("menopause_age", "age at menopause")
            .replace("height_m", "height")
            .replace("weight_kg", "weight")
            .replace(['_', '.'], " ")
            .trim()
            .to_owned()
    };
    let message = e.message.trim_end_matches('.');
    let text = if let Some((i, rest)) = leading_relative(&e.field) {
        let rest = words(rest);
        if rest.is_empty() {
            format!("{}: {message}", who(profile, Some(i)))
        } else {
            format!("{}: {rest} {message}", who(profile, Some(i)))
        }
    } else if e.field == "relatives" {
        message.to_owned()
    } else {
        format!("{} {message}", words(&e.field))
    };
    format!("Tyrer-Cuzick not computed: {text}.")
}
