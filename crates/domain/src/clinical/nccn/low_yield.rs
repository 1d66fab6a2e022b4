//! Low yield (CRIT-3): B14, P0 — "< 2.5 % probability, testing not indicated".

use super::BREAST_MAY_CONSIDER_MAX;
use super::context::Ctx;
use super::ids::CriterionId as C;
use crate::clinical::assessment::CriterionLevel;
use crate::clinical::profile::{CancerType, ProstateRiskGroup, Sex};

/// B14 and P0 state that testing is *not* indicated, so they are reported only when no criterion
/// that raises the outcome is met (issue #15: B14 was listed next to G1).
pub(super) fn low_yield(ctx: &mut Ctx<'_>) {
    if ctx.any_raising() {
        return;
    }
    let bopp_family = ctx.family().any(|d| {
        matches!(
            d.cancer.cancer_type,
            CancerType::Breast
                | CancerType::Ovarian
                | CancerType::Pancreatic
                | CancerType::Prostate
        )
    });
    if bopp_family {
        return;
    }
    b14_breast_after_65(ctx);
    p0_low_risk_prostate(ctx);
}

/// B14: female breast cancer > 65 with no close relative with B/O/Pa/Pr cancer.
fn b14_breast_after_65(ctx: &mut Ctx<'_>) {
    let pb = ctx.subject_cancers(CancerType::Breast);
    let all_over_65 = pb.iter().all(|c| {
        c.age_at_diagnosis
            .is_some_and(|a| a > BREAST_MAY_CONSIDER_MAX)
    });
    if !pb.is_empty() && ctx.subject_sex() == Some(Sex::Female) && all_over_65 {
        ctx.meet(
            C::B14,
            CriterionLevel::LowYield,
            "Breast cancer after 65 with no close relative with breast, ovarian, pancreatic or prostate cancer: probability of a P/LP variant < 2.5 %.".to_owned(),
            &[],
        );
    }
}

/// P0: localised low-risk (Gleason < 7) prostate cancer with no close relative with B/O/Pa/Pr.
fn p0_low_risk_prostate(ctx: &mut Ctx<'_>) {
    let pp = ctx.subject_cancers(CancerType::Prostate);
    if !pp.is_empty()
        && pp.iter().all(|c| {
            c.prostate_risk_group == Some(ProstateRiskGroup::Low) && c.metastatic != Some(true)
        })
    {
        ctx.meet(
            C::P0,
            CriterionLevel::LowYield,
            "Localised low-risk prostate cancer with no close relative with breast, ovarian, pancreatic or prostate cancer: probability of a P/LP variant < 2.5 %.".to_owned(),
            &[],
        );
    }
}
