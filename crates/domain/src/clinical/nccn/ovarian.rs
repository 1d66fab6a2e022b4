//! Ovarian (CRIT-4): O1–O4.

use super::bearer::Bearer;
use super::context::Ctx;
use super::family::meet_family;
use super::ids::CriterionId as C;
use super::voice::capitalise;
use crate::clinical::assessment::CriterionLevel;
use crate::clinical::pedigree::Tri;
use crate::clinical::profile::{Cancer, CancerType, Histology};

pub(super) fn ovarian(ctx: &mut Ctx<'_>) {
    ovarian_personal(ctx);
    o3_relative_with_ovarian(ctx);
}

/// O1, O2, O4 from the subject's own ovarian cancers.
pub(super) fn ovarian_personal(ctx: &mut Ctx<'_>) {
    let b = ctx.subject_bearer();
    let personal = ctx.voice().personal;
    for c in ctx.subject_cancers(CancerType::Ovarian) {
        if let Some(q) = epithelial_ovarian(c) {
            ctx.meet(
                C::O1,
                CriterionLevel::Indicated,
                format!("{personal} epithelial ovarian (incl. fallopian tube / primary peritoneal) cancer {}{q}.", b.at_age(c)),
                &[],
            );
            if !q.is_empty() {
                ctx.note("Your ovarian cancer: histology unknown; counted as epithelial (O1). Confirm from pathology.".to_owned());
            }
            continue;
        }
        match c.histology {
            Some(Histology::NonEpithelial) => ctx.meet(
                C::O2,
                CriterionLevel::Indicated,
                format!("{personal} non-epithelial ovarian cancer {} (the criterion names SCTAT and SCCOHT; confirm the subtype).", b.at_age(c)),
                &[],
            ),
            Some(Histology::Stic) => {
                // [S26] v3.2026 lists STIC as "may consider"; Helix's v2.2026 summary says
                // "indicated" (clinical.md §3.3 O4). We follow the pinned v3.2026 paraphrase.
                ctx.meet(
                    C::O4,
                    CriterionLevel::MayConsider,
                    format!("{personal} serous tubal intraepithelial carcinoma (STIC) {}.", b.at_age(c)),
                    &[],
                );
                ctx.note("STIC: sources differ on the level (v3.2026 paraphrase: may consider; Helix v2.2026 summary: indicated); verify against the NCCN PDF.".to_owned());
            }
            Some(h) => ctx.potential(
                CriterionLevel::Indicated,
                format!(
                    "Your ovarian tumour ({}): outside the O1/O2 histologies (epithelial, SCTAT, SCCOHT); clinician review.",
                    serde_json::to_value(h).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
                ),
            ),
            None => {}
        }
    }
}

/// O3: first- or second-degree relative (third degree through two males) with epithelial ovarian
/// cancer.
fn o3_relative_with_ovarian(ctx: &mut Ctx<'_>) {
    let mut hits = Vec::new();
    let mut unknown_lineage = Vec::new();
    for d in ctx.family() {
        let Some(q) = epithelial_ovarian(d.cancer) else {
            continue;
        };
        let Some(rel) = d.relation else { continue };
        match rel.first_or_second_degree_extended() {
            Tri::Yes => hits.push((d.person, d.who(), format!("ovarian cancer {}{q}", Bearer::of(d).at_age(d.cancer)))),
            Tri::Unknown => unknown_lineage.push(format!(
                "{}: ovarian cancer; if related through two male relatives (e.g. via your paternal grandfather), testing is indicated (O3).",
                capitalise(&d.who())
            )),
            Tri::No => {}
        }
    }
    for u in unknown_lineage {
        ctx.potential(CriterionLevel::Indicated, u);
    }
    meet_family(
        ctx,
        C::O3,
        CriterionLevel::Indicated,
        "First- or second-degree relative",
        "First- or second-degree relatives",
        hits,
    );
}

/// Ovarian cancer that counts as epithelial for O1/O3: epithelial (mucinous is an epithelial
/// subtype) or unknown histology (assumed; most ovarian cancers are epithelial, and relatives'
/// histology is rarely known). Returns the qualifier to print, or `None`.
fn epithelial_ovarian(c: &Cancer) -> Option<&'static str> {
    if c.cancer_type != CancerType::Ovarian {
        return None;
    }
    match c.histology {
        Some(Histology::Epithelial | Histology::Mucinous) => Some(""),
        None => Some(" (histology unknown, counted as epithelial)"),
        _ => None,
    }
}
