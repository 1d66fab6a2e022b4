//! B9 / Pr4: the subject's cancer and a close relative with breast cancer <= 50, male breast,
//! ovarian, exocrine pancreatic, or metastatic / high-risk prostate cancer (clinical.md §3.3 B9,
//! Pr4). Called by [`super::breast`] and [`super::prostate`].

use super::BREAST_EARLY_ONSET_MAX;
use super::bearer::Bearer;
use super::context::Ctx;
use super::family::meet_family;
use super::ids::CriterionId;
use super::pancreatic::exocrine_pancreatic;
use super::prostate::prostate_advanced;
use super::voice::capitalise;
use crate::clinical::assessment::CriterionLevel;
use crate::clinical::pedigree::{Diagnosis, PersonId, Tri};
use crate::clinical::profile::{CancerType, Histology, Sex};

/// The B9 / Pr4 family feature of one relative's diagnosis: breast <= 50 (an unknown age bounded
/// by the relative's age counts), male breast, ovarian, pancreatic (exocrine), metastatic or
/// high/very-high-risk prostate (clinical.md §3.3 B9, Pr4).
/// `Ok(Some(desc))` = qualifies; `Err(desc)` = could qualify but an input is unknown.
fn close_relative_feature(d: &Diagnosis<'_>) -> Result<Option<String>, String> {
    let c = d.cancer;
    let b = Bearer::of(d);
    match c.cancer_type {
        CancerType::Breast => {
            if d.sex == Some(Sex::Male) {
                return Ok(Some(format!("male breast cancer {}", b.at_age(c))));
            }
            match b.le(c, BREAST_EARLY_ONSET_MAX) {
                Tri::Yes => Ok(Some(format!(
                    "breast cancer {} (<= {BREAST_EARLY_ONSET_MAX})",
                    b.at_age(c)
                ))),
                Tri::Unknown => Err(format!(
                    "breast cancer with unknown age at diagnosis{} (counts if <= {BREAST_EARLY_ONSET_MAX})",
                    b.bound_note(c)
                )),
                Tri::No if d.sex.is_none() => Err(format!(
                    "breast cancer {} and sex not recorded (male breast cancer counts at any age)",
                    b.at_age(c)
                )),
                Tri::No => Ok(None),
            }
        }
        CancerType::Ovarian => match c.histology {
            Some(Histology::Borderline) => Err(
                "a borderline ovarian tumour (not an invasive cancer; a clinician must decide whether it counts)".to_owned(),
            ),
            _ => Ok(Some(format!("ovarian cancer {}", b.at_age(c)))),
        },
        CancerType::Pancreatic => match exocrine_pancreatic(c) {
            (Tri::Yes, q) => Ok(Some(format!("pancreatic cancer {}{q}", b.at_age(c)))),
            (Tri::Unknown, _) => Err("pancreatic cancer of `other` histology (exocrine counts)".to_owned()),
            (Tri::No, _) => Ok(None),
        },
        CancerType::Prostate => match prostate_advanced(c) {
            (Tri::Yes, what) => Ok(Some(format!("{what} {}", b.at_age(c)))),
            (Tri::Unknown, what) => Err(format!("{what} (counts if metastatic, node-positive, high or very-high risk)")),
            (Tri::No, _) => Ok(None),
        },
        _ => Ok(None),
    }
}

/// Collects B9/Pr4 close-relative hits and unknowns among the subject's close relatives
/// (clinical.md §3.2: first to third degree; seen from the subject).
fn close_relative_hits(ctx: &Ctx<'_>) -> (Vec<(PersonId, String, String)>, Vec<String>) {
    let mut hits = Vec::new();
    let mut unknowns = Vec::new();
    for d in ctx.family() {
        match close_relative_feature(d) {
            Ok(Some(desc)) => hits.push((d.person, d.who(), desc)),
            Ok(None) => {}
            Err(desc) => unknowns.push(format!("{}: {desc}", capitalise(&d.who()))),
        }
    }
    (hits, unknowns)
}

/// B9 / Pr4: the subject's cancer and >= 1 close relative with a B9/Pr4 feature. Unknown features
/// warn with `unknown_suffix` when nothing qualifies.
pub(super) fn meet_close_relative(ctx: &mut Ctx<'_>, id: CriterionId, unknown_suffix: &str) {
    let (hits, unknowns) = close_relative_hits(ctx);
    if hits.is_empty() {
        for u in unknowns {
            ctx.potential(CriterionLevel::Indicated, format!("{u}{unknown_suffix}"));
        }
    }
    let v = ctx.voice();
    meet_family(
        ctx,
        id,
        CriterionLevel::Indicated,
        &v.close_relative(false),
        &v.close_relative(true),
        hits,
    );
}
