//! Prostate (CRIT-6): Pr1–Pr5, Pr7, Pr8. Pr6 is in [`super::relatives`], P0 in
//! [`super::low_yield`]; Pr4 and Pr5 are written by [`super::close_relative`] and
//! [`super::same_side`].

use super::PROSTATE_MAY_CONSIDER_MAX;
use super::close_relative::meet_close_relative;
use super::context::Ctx;
use super::ids::CriterionId as C;
use super::same_side::{Count, meet_same_side};
use crate::clinical::assessment::CriterionLevel;
use crate::clinical::pedigree::Tri;
use crate::clinical::profile::{Cancer, CancerType, Histology, ProstateRiskGroup};

pub(super) fn prostate(ctx: &mut Ctx<'_>) {
    let pp = ctx.subject_cancers(CancerType::Prostate);
    if pp.is_empty() {
        return;
    }
    pr1_pr2_advanced(ctx, &pp);
    pr3_ashkenazi(ctx);
    meet_close_relative(
        ctx,
        C::Pr4,
        "; with your prostate cancer this would meet Pr4.",
    );
    meet_same_side(ctx, C::Pr5, Count::Rows);
    pr8_intermediate_cribriform(ctx, &pp);
    pr7_diagnosed_by_55(ctx, &pp);
}

/// The prostate criteria a relative is read on for Pr6 (clinical.md §3.3 Pr6: "meeting
/// Pr1–Pr5"): Pr1, Pr2, Pr4, Pr5. Not Pr3 (a relative's ancestry is not recorded).
pub(super) fn prostate_as_relative(ctx: &mut Ctx<'_>) {
    let pp = ctx.subject_cancers(CancerType::Prostate);
    if pp.is_empty() {
        return;
    }
    pr1_pr2_advanced(ctx, &pp);
    meet_close_relative(ctx, C::Pr4, "");
    meet_same_side(ctx, C::Pr5, Count::Rows);
}

/// Pr1: metastatic or node-positive; Pr2: high or very-high risk group.
fn pr1_pr2_advanced(ctx: &mut Ctx<'_>, pp: &[&Cancer]) {
    let personal = ctx.voice().personal;
    if pp.iter().any(|c| c.metastatic == Some(true)) {
        ctx.meet(
            C::Pr1,
            CriterionLevel::Indicated,
            format!("{personal} metastatic or node-positive prostate cancer."),
            &[],
        );
    }
    if let Some(g) = pp.iter().find_map(|c| match c.prostate_risk_group {
        Some(ProstateRiskGroup::High) => Some("high"),
        Some(ProstateRiskGroup::VeryHigh) => Some("very-high"),
        _ => None,
    }) {
        ctx.meet(
            C::Pr2,
            CriterionLevel::Indicated,
            format!("{personal} {g}-risk prostate cancer."),
            &[],
        );
    }
    if !ctx.any(&[C::Pr1, C::Pr2]) && pp.iter().any(|c| prostate_advanced(c).0 == Tri::Unknown) {
        ctx.potential(
            CriterionLevel::Indicated,
            "Your prostate cancer: risk group or metastatic status unknown; testing is indicated if metastatic, node-positive, high or very-high risk (Pr1, Pr2).".to_owned(),
        );
    }
}

/// Pr3: prostate cancer with Ashkenazi Jewish ancestry (the proband's).
fn pr3_ashkenazi(ctx: &mut Ctx<'_>) {
    match ctx.p.proband.ashkenazi_jewish {
        Some(true) => ctx.meet(
            C::Pr3,
            CriterionLevel::Indicated,
            "Personal prostate cancer with Ashkenazi Jewish ancestry.".to_owned(),
            &[],
        ),
        None => ctx.potential(
            CriterionLevel::Indicated,
            "Ashkenazi Jewish ancestry unknown: with prostate cancer, it makes testing indicated (Pr3).".to_owned(),
        ),
        Some(false) => {}
    }
}

/// Pr8: intermediate-risk prostate cancer with intraductal/cribriform histology (may consider).
fn pr8_intermediate_cribriform(ctx: &mut Ctx<'_>, pp: &[&Cancer]) {
    if pp.iter().any(|c| {
        c.prostate_risk_group == Some(ProstateRiskGroup::Intermediate)
            && c.histology == Some(Histology::IntraductalCribriform)
    }) {
        ctx.meet(
            C::Pr8,
            CriterionLevel::MayConsider,
            "Personal intermediate-risk prostate cancer with intraductal/cribriform histology."
                .to_owned(),
            &[],
        );
    }
}

/// Pr7: prostate cancer <= 55 not meeting Pr1–Pr6 (may consider; an unknown age counts when the
/// person's age is <= 55).
fn pr7_diagnosed_by_55(ctx: &mut Ctx<'_>, pp: &[&Cancer]) {
    if ctx.any(&[C::Pr1, C::Pr2, C::Pr3, C::Pr4, C::Pr5, C::Pr6]) {
        return;
    }
    let b = ctx.subject_bearer();
    if let Some(c) = b.earliest_within(pp, PROSTATE_MAY_CONSIDER_MAX) {
        ctx.meet(
            C::Pr7,
            CriterionLevel::MayConsider,
            format!(
                "Personal prostate cancer {} (<= {PROSTATE_MAY_CONSIDER_MAX}) not meeting other prostate criteria.",
                b.at_age(c)
            ),
            &[],
        );
    } else if let Some(c) = pp
        .iter()
        .find(|c| b.le(c, PROSTATE_MAY_CONSIDER_MAX) == Tri::Unknown)
    {
        ctx.potential(
            CriterionLevel::MayConsider,
            format!(
                "Your prostate cancer: age at diagnosis unknown{}; if <= {PROSTATE_MAY_CONSIDER_MAX}, testing may be considered (Pr7).",
                b.bound_note(c)
            ),
        );
    }
}

/// Prostate cancer that is metastatic (incl. node-positive) or high/very-high risk.
/// A known low/intermediate risk group without a metastatic flag counts as "no" (a risk group is
/// assigned to localised disease).
pub(super) fn prostate_advanced(c: &Cancer) -> (Tri, &'static str) {
    if c.cancer_type != CancerType::Prostate {
        return (Tri::No, "");
    }
    if c.metastatic == Some(true) {
        return (Tri::Yes, "metastatic prostate cancer");
    }
    match c.prostate_risk_group {
        Some(ProstateRiskGroup::VeryHigh) => (Tri::Yes, "very-high-risk prostate cancer"),
        Some(ProstateRiskGroup::High) => (Tri::Yes, "high-risk prostate cancer"),
        Some(ProstateRiskGroup::Low | ProstateRiskGroup::Intermediate) => (Tri::No, ""),
        None if c.metastatic == Some(false) => {
            (Tri::Unknown, "prostate cancer of unknown risk group")
        }
        None => (
            Tri::Unknown,
            "prostate cancer with unknown risk group and metastatic status",
        ),
    }
}
