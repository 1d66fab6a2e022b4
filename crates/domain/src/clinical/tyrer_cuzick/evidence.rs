//! A relative's cancers (or cancer-free survival) as genotype likelihoods, with the unknown-age
//! rules of the module docs.

use super::engine::{Evidence, Line, N_GENOTYPES, TABLES};
use super::params::MAX_AGE;
use super::{TcBreastCancer, TcRelative};
use crate::clinical::pedigree::Side;
use crate::clinical::profile::{Relation, Sex};

/// Years per generation used to assume a relative's age when it is unknown.
const GENERATION_YEARS: i64 = 28;

/// Generations above (+) or below (−) the proband, used to assume a relative's age when it is
/// unknown. TC-specific: [`Relation::generation`] only says ancestor / collateral / descendant, and
/// this counts great-aunts as two generations up and nieces as one down.
fn generation_offset(relation: Relation) -> i64 {
    use Relation as R;
    match relation {
        R::MaternalGreatGrandmother | R::PaternalGreatGrandmother => 3,
        R::MaternalGrandmother
        | R::MaternalGrandfather
        | R::PaternalGrandmother
        | R::PaternalGrandfather
        | R::MaternalGreatAunt
        | R::PaternalGreatAunt => 2,
        R::Mother
        | R::Father
        | R::MaternalAunt
        | R::MaternalUncle
        | R::PaternalAunt
        | R::PaternalUncle => 1,
        R::Daughter | R::Son | R::Niece | R::Nephew => -1,
        R::Granddaughter | R::Grandson => -2,
        _ => 0,
    }
}

/// An observed cancer: at a known age, or at some unknown age up to a given age.
#[derive(Debug, Clone, Copy)]
pub(super) enum Event {
    At(usize),
    By(usize),
}

fn clamp_age(a: u32) -> usize {
    (a as usize).min(MAX_AGE)
}

/// Turns one relative into genotype likelihoods, applying (and reporting) the unknown-age rules.
pub(super) fn relative_evidence(
    i: usize,
    r: &TcRelative,
    proband_age: u32,
    warnings: &mut Vec<String>,
) -> Option<Evidence> {
    let who = format!("relatives[{i}] ({})", r.relation);
    let sex = r.relation.sex(r.sex).unwrap_or_else(|| {
        warnings.push(format!("{who}: sex unknown; taken as female."));
        Sex::Female
    });
    let current = r.age.map(clamp_age);
    let assumed = {
        let a = i64::from(proband_age) + GENERATION_YEARS * generation_offset(r.relation);
        a.clamp(20, 100) as usize
    };
    // An unknown age at diagnosis is bounded by her current age, else by the assumed one.
    let by = current.unwrap_or(assumed);
    let breast = r.breast.map(|bc| {
        let unknown = || breast_age_unknown(&who, by, current.is_some());
        (
            diagnosis_event(bc.age_at_diagnosis, by, warnings, unknown),
            bc,
        )
    });
    let ovarian = if sex == Sex::Female {
        r.ovarian.map(|oc| {
            diagnosis_event(oc.age_at_diagnosis, by, warnings, || {
                format!(
                    "{who}: age at ovarian cancer diagnosis unknown; treated as diagnosed at \
                     some age up to {by}."
                )
            })
        })
    } else {
        None
    };
    if breast.is_none() && ovarian.is_none() && current.is_none() {
        warnings.push(format!(
            "{who}: unaffected with unknown age; carries no information and was not used."
        ));
        return None;
    }
    let (breast_censor, ovarian_censor) = censoring_ages(current, breast.map(|b| b.0), ovarian);

    if let Some((_, bc)) = breast
        && bc.bilateral
        && bc.contralateral_age.is_none()
    {
        warnings.push(format!(
            "{who}: age at contralateral breast cancer unknown; taken as synchronous with the \
             first."
        ));
    }

    let mut lik = likelihood(sex, breast, ovarian, breast_censor, ovarian_censor);
    let max = lik.iter().copied().fold(0.0, f64::max);
    if max <= 0.0 || !max.is_finite() {
        return None;
    }
    for l in &mut lik {
        *l /= max;
    }
    let line = match r.relation.side() {
        Side::Maternal => Line::Maternal,
        Side::Paternal => Line::Paternal,
        Side::None => Line::Direct,
    };
    Some(Evidence {
        degree: r.relation.degree().number(),
        line,
        likelihood: lik,
    })
}

/// Censoring ages (breast, ovarian): unaffected for a site up to her current age, else (at
/// least) up to the diagnosis of her other cancer.
fn censoring_ages(
    current: Option<usize>,
    breast: Option<Event>,
    ovarian: Option<Event>,
) -> (Option<usize>, Option<usize>) {
    let event_age = |e: Option<Event>| match e {
        Some(Event::At(a) | Event::By(a)) => Some(a),
        None => None,
    };
    (
        current.or(event_age(ovarian)),
        current.or(event_age(breast)),
    )
}

/// A diagnosis at its age or, its age unknown, at some age up to `by`, with the warning
/// `unknown` words.
fn diagnosis_event(
    age_at_diagnosis: Option<u32>,
    by: usize,
    warnings: &mut Vec<String>,
    unknown: impl FnOnce() -> String,
) -> Event {
    match age_at_diagnosis {
        Some(a) => Event::At(clamp_age(a)),
        None => {
            warnings.push(unknown());
            Event::By(by)
        }
    }
}

/// The warning for a breast cancer of unknown age, bounded by `by`: her current age if known,
/// else the age assumed from her generation.
fn breast_age_unknown(who: &str, by: usize, current_known: bool) -> String {
    if current_known {
        format!(
            "{who}: age at breast cancer diagnosis unknown; treated as diagnosed at some \
             age up to her current age ({by})."
        )
    } else {
        format!(
            "{who}: age at breast cancer diagnosis and current age unknown; treated as \
             diagnosed at some age up to {by} (assumed from her generation)."
        )
    }
}

/// The likelihood of the relative's phenotype under each genotype: her (or his) breast and
/// ovarian events, or cancer-free survival to the censoring ages.
fn likelihood(
    sex: Sex,
    breast: Option<(Event, TcBreastCancer)>,
    ovarian: Option<Event>,
    breast_censor: Option<usize>,
    ovarian_censor: Option<usize>,
) -> [f64; N_GENOTYPES] {
    let t = &*TABLES;
    let breast_table = if sex == Sex::Male {
        &t.male_breast
    } else {
        &t.breast
    };
    let mut lik = [1.0; N_GENOTYPES];
    for (g, l) in lik.iter_mut().enumerate() {
        let b = match breast {
            Some((Event::At(d), bc)) => {
                let mut x = breast_table.density(g, d);
                if bc.bilateral {
                    let c = bc.contralateral_age.map_or(d, clamp_age);
                    x *= breast_table.contralateral(g, d, c.max(d));
                }
                x
            }
            Some((Event::By(a), bc)) => {
                let x = breast_table.by_age(g, a);
                if bc.bilateral { x * x } else { x }
            }
            None => breast_censor.map_or(1.0, |c| breast_table.survival(g, c)),
        };
        let o = match (sex, ovarian) {
            (Sex::Male, _) => 1.0,
            (_, Some(Event::At(a))) => t.ovarian.density(g, a),
            (_, Some(Event::By(a))) => t.ovarian.by_age(g, a),
            (_, None) => ovarian_censor.map_or(1.0, |c| t.ovarian.survival(g, c)),
        };
        *l = b * o;
    }
    lik
}
