//! Pancreatic (CRIT-5): Pa1, Pa2.

use super::bearer::Bearer;
use super::context::Ctx;
use super::family::meet_family;
use super::ids::CriterionId as C;
use super::voice::capitalise;
use crate::clinical::assessment::CriterionLevel;
use crate::clinical::pedigree::{Degree, Tri};
use crate::clinical::profile::{Cancer, CancerType, Histology};

pub(super) fn pancreatic(ctx: &mut Ctx<'_>) {
    pa1_exocrine(ctx);
    pa2_first_degree_relative(ctx);
}

/// Pa1: exocrine pancreatic cancer at any age (a neuroendocrine tumour is noted as outside this
/// guideline).
fn pa1_exocrine(ctx: &mut Ctx<'_>) {
    let b = ctx.subject_bearer();
    for c in ctx.subject_cancers(CancerType::Pancreatic) {
        match exocrine_pancreatic(c) {
            (Tri::Yes, q) => {
                ctx.meet(
                    C::Pa1,
                    CriterionLevel::Indicated,
                    format!("Personal exocrine pancreatic cancer {}{q}.", b.at_age(c)),
                    &[],
                );
            }
            (Tri::Unknown, _) => ctx.potential(
                CriterionLevel::Indicated,
                "Your pancreatic cancer (`other` histology): exocrine pancreatic cancer of any type meets Pa1; clinician review.".to_owned(),
            ),
            (Tri::No, _) => ctx.note(
                "Your pancreatic neuroendocrine tumour is outside this guideline (see the NCCN Neuroendocrine guideline).".to_owned(),
            ),
        }
    }
}

/// Pa2: first-degree relative with exocrine pancreatic cancer.
fn pa2_first_degree_relative(ctx: &mut Ctx<'_>) {
    let mut hits = Vec::new();
    let mut others = Vec::new();
    for d in ctx.family() {
        let (t, q) = exocrine_pancreatic(d.cancer);
        if t == Tri::No {
            continue;
        }
        let first = d.relation.is_some_and(|r| r.degree() == Degree::First);
        if first && t == Tri::Yes {
            hits.push((
                d.person,
                d.who(),
                format!(
                    "exocrine pancreatic cancer {}{q}",
                    Bearer::of(d).at_age(d.cancer)
                ),
            ));
        } else {
            others.push(format!(
                "{}: pancreatic cancer; a clinician should review whether further family history qualifies you (Pa2 covers first-degree relatives, some second-degree relatives with additional history).",
                capitalise(&d.who())
            ));
        }
    }
    if hits.is_empty() {
        for o in others {
            ctx.potential(CriterionLevel::Indicated, o);
        }
    }
    meet_family(
        ctx,
        C::Pa2,
        CriterionLevel::Indicated,
        "First-degree relative",
        "First-degree relatives",
        hits,
    );
}

/// Exocrine pancreatic cancer, or pancreatic of unknown histology, which clinical.md §3.2 says to
/// assume exocrine. Neuroendocrine tumours do not count. `Tri::Unknown` for `other`.
pub(super) fn exocrine_pancreatic(c: &Cancer) -> (Tri, &'static str) {
    if c.cancer_type != CancerType::Pancreatic {
        return (Tri::No, "");
    }
    match c.histology {
        Some(Histology::Exocrine) => (Tri::Yes, ""),
        None => (Tri::Yes, " (histology unknown, assumed exocrine)"),
        Some(Histology::Neuroendocrine) => (Tri::No, ""),
        Some(_) => (Tri::Unknown, ""),
    }
}
