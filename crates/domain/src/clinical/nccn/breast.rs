//! Breast (CRIT-2 / CRIT-3): B1–B12. B14 is in [`super::low_yield`]; B9 and B10 are written by
//! [`super::close_relative`] and [`super::same_side`].

use super::bearer::Bearer;
use super::close_relative::meet_close_relative;
use super::context::Ctx;
use super::family::meet_family;
use super::ids::CriterionId as C;
use super::same_side::{Count, meet_same_side};
use super::voice::capitalise;
use super::{BREAST_EARLY_ONSET_MAX, BREAST_MAY_CONSIDER_MAX};
use crate::clinical::assessment::CriterionLevel;
use crate::clinical::pedigree::{Diagnosis, PersonId, Tri};
use crate::clinical::profile::{
    Cancer, CancerType, Histology, ProstateRiskGroup, ReceptorStatus, Sex,
};

/// The CRIT-2 breast criteria B1–B10 (B3 is not evaluable), which B11 and G7 require unmet.
pub(super) const B1_TO_B10: [C; 9] = [
    C::B1,
    C::B2,
    C::B4,
    C::B5,
    C::B6,
    C::B7,
    C::B8,
    C::B9,
    C::B10,
];

pub(super) fn breast(ctx: &mut Ctx<'_>) {
    let pb = ctx.subject_cancers(CancerType::Breast);
    if pb.is_empty() {
        return;
    }
    b1_diagnosed_by_50(ctx, &pb);
    b2_metastatic(ctx, &pb);
    b4_triple_negative(ctx, &pb);
    b5_multiple_primaries(ctx, &pb);
    b6_lobular_with_diffuse_gastric(ctx, &pb);
    b7_male(ctx);
    b8_ashkenazi(ctx);
    meet_close_relative(ctx, C::B9, "; with your breast cancer this would meet B9.");
    meet_same_side(ctx, C::B10, Count::Primaries);
    b12_relative_cribriform_prostate(ctx);
    b11_diagnosed_by_65(ctx, &pb);
}

/// The breast criteria a relative is read on for G5 (clinical.md §3.3 CRIT-2): B1, B4–B7, B9,
/// B10. Not B2/B3 (systemic-therapy-only criteria do not qualify relatives, §3.2) and not B8 (a
/// relative's ancestry is not recorded; `relatives` warns instead).
pub(super) fn breast_as_relative(ctx: &mut Ctx<'_>) {
    let pb = ctx.subject_cancers(CancerType::Breast);
    if pb.is_empty() {
        return;
    }
    b1_diagnosed_by_50(ctx, &pb);
    b4_triple_negative(ctx, &pb);
    b5_multiple_primaries(ctx, &pb);
    b6_lobular_with_diffuse_gastric(ctx, &pb);
    b7_male(ctx);
    meet_close_relative(ctx, C::B9, "");
    meet_same_side(ctx, C::B10, Count::Primaries);
}

/// B1: breast cancer diagnosed <= 50 (an unknown age counts when the person's age is <= 50).
fn b1_diagnosed_by_50(ctx: &mut Ctx<'_>, pb: &[&Cancer]) {
    let b = ctx.subject_bearer();
    if let Some(c) = b.earliest_within(pb, BREAST_EARLY_ONSET_MAX) {
        ctx.meet(
            C::B1,
            CriterionLevel::Indicated,
            format!(
                "{} breast cancer {} (<= {BREAST_EARLY_ONSET_MAX}).",
                ctx.voice().personal,
                b.at_age(c)
            ),
            &[],
        );
    } else if let Some(c) = pb
        .iter()
        .find(|c| b.le(c, BREAST_EARLY_ONSET_MAX) == Tri::Unknown)
    {
        ctx.potential(
            CriterionLevel::Indicated,
            format!(
                "Your breast cancer: age at diagnosis unknown{}; if <= {BREAST_EARLY_ONSET_MAX}, testing is indicated (B1).",
                b.bound_note(c)
            ),
        );
    }
}

/// B2: metastatic breast cancer (testing aids PARP-inhibitor decisions; systemic-therapy
/// criterion, never read for a relative).
fn b2_metastatic(ctx: &mut Ctx<'_>, pb: &[&Cancer]) {
    if pb.iter().any(|c| c.metastatic == Some(true)) {
        ctx.meet(
            C::B2,
            CriterionLevel::Indicated,
            "Personal metastatic breast cancer: testing aids PARP-inhibitor treatment decisions."
                .to_owned(),
            &[],
        );
    }
}

/// B4: triple-negative breast cancer at any age.
fn b4_triple_negative(ctx: &mut Ctx<'_>, pb: &[&Cancer]) {
    let tn: Vec<Tri> = pb.iter().map(|c| triple_negative(c)).collect();
    if tn.contains(&Tri::Yes) {
        ctx.meet(
            C::B4,
            CriterionLevel::Indicated,
            format!("{} triple-negative breast cancer.", ctx.voice().personal),
            &[],
        );
    } else if tn.contains(&Tri::Unknown) {
        ctx.potential(
            CriterionLevel::Indicated,
            "Your breast cancer: ER/PR/HER2 status unknown; if triple-negative, testing is indicated (B4).".to_owned(),
        );
    }
}

/// B5: multiple primary breast cancers (synchronous or metachronous; bilateral counts).
fn b5_multiple_primaries(ctx: &mut Ctx<'_>, pb: &[&Cancer]) {
    if pb.len() >= 2 {
        ctx.meet(
            C::B5,
            CriterionLevel::Indicated,
            format!("Multiple primary breast cancers ({} diagnoses).", pb.len()),
            &[],
        );
    } else if pb.iter().any(|c| c.bilateral == Some(true)) {
        ctx.meet(
            C::B5,
            CriterionLevel::Indicated,
            "Bilateral (multiple primary) breast cancer.".to_owned(),
            &[],
        );
    }
}

/// B6: lobular breast cancer with personal or family history of diffuse gastric cancer.
fn b6_lobular_with_diffuse_gastric(ctx: &mut Ctx<'_>, pb: &[&Cancer]) {
    if !pb.iter().any(|c| c.histology == Some(Histology::Lobular)) {
        return;
    }
    let gastric: Vec<Diagnosis<'_>> = ctx
        .all
        .iter()
        .filter(|d| d.cancer.cancer_type == CancerType::Gastric)
        .copied()
        .collect();
    let diffuse: Vec<&Diagnosis<'_>> = gastric
        .iter()
        .filter(|d| d.cancer.histology == Some(Histology::Diffuse))
        .collect();
    if diffuse.is_empty() {
        for d in gastric.iter().filter(|d| d.cancer.histology.is_none()) {
            ctx.potential(
                CriterionLevel::Indicated,
                format!(
                    "{}: gastric cancer of unknown histology; with your lobular breast cancer, testing is indicated if it was diffuse (B6).",
                    capitalise(&d.who())
                ),
            );
        }
        return;
    }
    let who: Vec<String> = diffuse.iter().map(|d| d.who()).collect();
    let people: Vec<PersonId> = diffuse.iter().map(|d| d.person).collect();
    ctx.meet(
        C::B6,
        CriterionLevel::Indicated,
        format!(
            "Lobular breast cancer with diffuse gastric cancer ({}).",
            who.join(", ")
        ),
        &people,
    );
}

/// B7: male breast cancer.
fn b7_male(ctx: &mut Ctx<'_>) {
    match ctx.subject_sex() {
        Some(Sex::Male) => ctx.meet(
            C::B7,
            CriterionLevel::Indicated,
            format!("{} male breast cancer.", ctx.voice().personal),
            &[],
        ),
        None => ctx.potential(
            CriterionLevel::Indicated,
            "Your sex is not recorded: male breast cancer meets the testing criteria (B7)."
                .to_owned(),
        ),
        Some(Sex::Female) => {}
    }
}

/// B8: breast cancer with Ashkenazi Jewish ancestry (the proband's; not recorded for relatives).
fn b8_ashkenazi(ctx: &mut Ctx<'_>) {
    match ctx.p.proband.ashkenazi_jewish {
        Some(true) => ctx.meet(
            C::B8,
            CriterionLevel::Indicated,
            "Personal breast cancer with Ashkenazi Jewish ancestry.".to_owned(),
            &[],
        ),
        None => ctx.potential(
            CriterionLevel::Indicated,
            "Ashkenazi Jewish ancestry unknown: with breast cancer, it makes testing indicated (B8).".to_owned(),
        ),
        Some(false) => {}
    }
}

/// B12: breast cancer at any age and a close relative with intermediate-risk
/// intraductal/cribriform prostate cancer (may consider).
fn b12_relative_cribriform_prostate(ctx: &mut Ctx<'_>) {
    let cribriform: Vec<(PersonId, String, String)> = ctx
        .family()
        .filter(|d| {
            d.cancer.cancer_type == CancerType::Prostate
                && d.cancer.prostate_risk_group == Some(ProstateRiskGroup::Intermediate)
                && d.cancer.histology == Some(Histology::IntraductalCribriform)
        })
        .map(|d| {
            (
                d.person,
                d.who(),
                format!(
                    "intermediate-risk intraductal/cribriform prostate cancer {}",
                    Bearer::of(d).at_age(d.cancer)
                ),
            )
        })
        .collect();
    meet_family(
        ctx,
        C::B12,
        CriterionLevel::MayConsider,
        "Breast cancer and a close relative",
        "Breast cancer and close relatives",
        cribriform,
    );
}

/// B11: breast cancer <= 65 not meeting B1–B10 (may consider; an unknown age counts when the
/// person's age is <= 65).
fn b11_diagnosed_by_65(ctx: &mut Ctx<'_>, pb: &[&Cancer]) {
    if ctx.any(&B1_TO_B10) {
        return;
    }
    let b = ctx.subject_bearer();
    if let Some(c) = b.earliest_within(pb, BREAST_MAY_CONSIDER_MAX) {
        ctx.meet(
            C::B11,
            CriterionLevel::MayConsider,
            format!(
                "Personal breast cancer {} (<= {BREAST_MAY_CONSIDER_MAX}) not meeting other breast criteria.",
                b.at_age(c)
            ),
            &[],
        );
    } else if let Some(c) = pb
        .iter()
        .find(|c| b.le(c, BREAST_MAY_CONSIDER_MAX) == Tri::Unknown)
    {
        ctx.potential(
            CriterionLevel::MayConsider,
            format!(
                "Your breast cancer: age at diagnosis unknown{}; if <= {BREAST_MAY_CONSIDER_MAX}, testing may be considered (B11).",
                b.bound_note(c)
            ),
        );
    }
}

/// Triple-negative: the flag, else ER/PR/HER2 all negative.
fn triple_negative(c: &Cancer) -> Tri {
    match c.triple_negative {
        Some(true) => Tri::Yes,
        Some(false) => Tri::No,
        None => {
            let r = [c.er, c.pr, c.her2];
            if r.iter().all(|x| *x == Some(ReceptorStatus::Negative)) {
                Tri::Yes
            } else if r.contains(&Some(ReceptorStatus::Positive)) {
                Tri::No
            } else {
                Tri::Unknown
            }
        }
    }
}
