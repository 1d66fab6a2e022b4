//! Li-Fraumeni / TP53 (CRIT-7): L2–L6, L9, and the L7 warning. L1 (a familial TP53 variant) is in
//! [`super::familial_variant`].

use super::bearer::Bearer;
use super::context::Ctx;
use super::family::meet_family;
use super::ids::CriterionId;
use super::ids::CriterionId as C;
use super::voice::capitalise;
use super::{CHOMPRET_PROBAND_BELOW, CHOMPRET_RELATIVE_BELOW, LFS_BREAST_BELOW, LFS_CLASSIC_BELOW};
use crate::clinical::assessment::CriterionLevel;
use crate::clinical::pedigree::{Diagnosis, PersonId, Tri};
use crate::clinical::profile::{Cancer, CancerType};

/// LFS-spectrum tumours (clinical.md §3.3 L3): soft-tissue sarcoma / osteosarcoma (`sarcoma`),
/// CNS tumour (`brain`), breast cancer, adrenocortical carcinoma.
fn lfs_spectrum(t: CancerType) -> bool {
    matches!(
        t,
        CancerType::Sarcoma | CancerType::Brain | CancerType::Breast | CancerType::Adrenocortical
    )
}

/// Chompret 2 (L4) on one person's cancers: >= 2 tumours, two of them in the spectrum and not
/// both breast, the first < 46 (an unknown age counts when the person's age is below 46).
fn chompret_multiple(cancers: &[Cancer], b: Bearer) -> Tri {
    let spectrum: Vec<&Cancer> = cancers
        .iter()
        .filter(|c| lfs_spectrum(c.cancer_type))
        .collect();
    let non_breast = spectrum
        .iter()
        .filter(|c| c.cancer_type != CancerType::Breast)
        .count();
    if spectrum.len() < 2 || non_breast == 0 {
        return Tri::No;
    }
    let first_before: Vec<Tri> = cancers
        .iter()
        .map(|c| b.lt(c, CHOMPRET_PROBAND_BELOW))
        .collect();
    if first_before.contains(&Tri::Yes) {
        Tri::Yes
    } else if first_before.contains(&Tri::Unknown) {
        Tri::Unknown
    } else {
        Tri::No
    }
}

/// Personal LFS criteria that depend on one person's own cancers only: L4, L5, L6.
fn lfs_personal(cancers: &[Cancer], b: Bearer) -> Vec<(CriterionId, String)> {
    let mut out = Vec::new();
    if chompret_multiple(cancers, b) == Tri::Yes {
        out.push((
            C::L4,
            "multiple LFS-spectrum tumours, the first before 46".to_owned(),
        ));
    }
    if let Some(c) = cancers
        .iter()
        .find(|c| c.cancer_type == CancerType::Adrenocortical)
    {
        out.push((C::L5, format!("adrenocortical carcinoma {}", b.at_age(c))));
    }
    let breast: Vec<&Cancer> = cancers
        .iter()
        .filter(|c| c.cancer_type == CancerType::Breast)
        .collect();
    if let Some(c) = b.earliest_within(&breast, LFS_BREAST_BELOW - 1) {
        out.push((
            C::L6,
            format!("breast cancer {} (< {LFS_BREAST_BELOW})", b.at_age(c)),
        ));
    }
    out
}

pub(super) fn li_fraumeni(ctx: &mut Ctx<'_>) {
    l2_classic(ctx);
    l3_chompret_family(ctx);
    let b = ctx.subject_bearer();
    let cancers = &ctx.p.proband.cancers;
    for (id, what) in lfs_personal(cancers, b) {
        ctx.meet(
            id,
            CriterionLevel::Indicated,
            format!("Personal {what}."),
            &[],
        );
    }
    if chompret_multiple(cancers, b) == Tri::Unknown {
        ctx.potential(
            CriterionLevel::Indicated,
            "Your multiple cancers: some ages at diagnosis unknown; if the first LFS-spectrum tumour was before 46, testing is indicated (L4).".to_owned(),
        );
    }
    l7_childhood_leukaemia(ctx);
    l9_deceased_relative(ctx);
}

/// L2: classic LFS: sarcoma < 45, a first-degree relative with cancer < 45, and a further
/// first- or second-degree relative in the same lineage with cancer < 45 or sarcoma.
fn l2_classic(ctx: &mut Ctx<'_>) {
    use crate::clinical::pedigree::{Degree, Side};
    let b = ctx.subject_bearer();
    let Some(s) =
        ctx.p.proband.cancers.iter().find(|c| {
            c.cancer_type == CancerType::Sarcoma && b.lt(c, LFS_CLASSIC_BELOW) == Tri::Yes
        })
    else {
        return;
    };
    let before_45 = |d: &Diagnosis<'_>| Bearer::of(d).lt(d.cancer, LFS_CLASSIC_BELOW) == Tri::Yes;
    let mut found: Option<(Diagnosis<'_>, Diagnosis<'_>)> = None;
    for f in ctx
        .family()
        .filter(|d| d.relation.is_some_and(|r| r.degree() == Degree::First) && before_45(d))
    {
        let side = f.side();
        let second = ctx.family().find(|d| {
            d.person != f.person
                && d.relation.is_some_and(|r| r.degree() <= Degree::Second)
                && (side == Side::None || d.side() == Side::None || d.side() == side)
                && (before_45(d) || d.cancer.cancer_type == CancerType::Sarcoma)
        });
        if let Some(s2) = second {
            found = Some((*f, *s2));
            break;
        }
    }
    let Some((f, s2)) = found else { return };
    ctx.meet(
        C::L2,
        CriterionLevel::Indicated,
        format!(
            "Classic Li-Fraumeni: your sarcoma {}, first-degree relative ({}) with {} cancer {}, and relative ({}) with {} cancer {}.",
            b.at_age(s),
            f.who(),
            f.cancer.cancer_type.as_str(),
            Bearer::of(&f).at_age(f.cancer),
            s2.who(),
            s2.cancer.cancer_type.as_str(),
            Bearer::of(&s2).at_age(s2.cancer)
        ),
        &[f.person, s2.person],
    );
}

/// L3: Chompret 1: an LFS-spectrum tumour < 46 and a first- or second-degree relative with a
/// spectrum tumour < 56 (not breast if the proband's is breast) or with multiple primaries.
fn l3_chompret_family(ctx: &mut Ctx<'_>) {
    use crate::clinical::pedigree::Degree;
    let b = ctx.subject_bearer();
    let proband_spectrum: Vec<&Cancer> = ctx
        .p
        .proband
        .cancers
        .iter()
        .filter(|c| lfs_spectrum(c.cancer_type) && b.lt(c, CHOMPRET_PROBAND_BELOW) == Tri::Yes)
        .collect();
    if proband_spectrum.is_empty() {
        return;
    }
    let only_breast = proband_spectrum
        .iter()
        .all(|c| c.cancer_type == CancerType::Breast);
    let mut hits = Vec::new();
    let mut unknown = Vec::new();
    for d in ctx.family() {
        let Some(rel) = d.relation else { continue };
        if rel.degree() > Degree::Second {
            continue;
        }
        let multiple = ctx.relative(d.person).is_some_and(|r| r.cancers.len() >= 2);
        let spectrum_ok = lfs_spectrum(d.cancer.cancer_type)
            && !(only_breast && d.cancer.cancer_type == CancerType::Breast);
        let bd = Bearer::of(d);
        match (spectrum_ok, bd.lt(d.cancer, CHOMPRET_RELATIVE_BELOW)) {
            (true, Tri::Yes) => hits.push((
                d.person,
                d.who(),
                format!("{} cancer {} (< {CHOMPRET_RELATIVE_BELOW})", d.cancer.cancer_type.as_str(), bd.at_age(d.cancer)),
            )),
            _ if multiple => hits.push((d.person, d.who(), "multiple primary cancers".to_owned())),
            (true, Tri::Unknown) => unknown.push(format!(
                "{}: {} cancer with unknown age; if < 56, with your LFS-spectrum tumour before 46 this meets Chompret criteria (L3).",
                capitalise(&d.who()),
                d.cancer.cancer_type.as_str()
            )),
            _ => {}
        }
    }
    if hits.is_empty() {
        for u in unknown {
            ctx.potential(CriterionLevel::Indicated, u);
        }
    }
    meet_family(
        ctx,
        C::L3,
        CriterionLevel::Indicated,
        "Chompret: your LFS-spectrum tumour before 46 and a first- or second-degree relative",
        "Chompret: your LFS-spectrum tumour before 46 and first- or second-degree relatives",
        hits,
    );
}

/// L7 (not evaluable: leukaemia subtype not recorded): childhood leukaemia anywhere warns.
fn l7_childhood_leukaemia(ctx: &mut Ctx<'_>) {
    let childhood: Vec<String> = ctx
        .all
        .iter()
        .filter(|d| {
            d.cancer.cancer_type == CancerType::Leukemia
                && Bearer::of(d).lt(d.cancer, 18) == Tri::Yes
        })
        .map(|d| capitalise(&d.who()))
        .collect();
    for who in childhood {
        ctx.potential(
            CriterionLevel::Indicated,
            format!(
                "{who}: childhood leukaemia; if it was hypodiploid acute lymphoblastic leukaemia, TP53 testing is indicated (L7)."
            ),
        );
    }
}

/// L9: untested, deceased first- or second-degree relative meeting L4–L6 personally.
fn l9_deceased_relative(ctx: &mut Ctx<'_>) {
    use crate::clinical::pedigree::Degree;
    let mut hits = Vec::new();
    for (i, r) in ctx.p.relatives.iter().enumerate() {
        if r.relation.degree() > Degree::Second
            || r.alive != Some(false)
            || !r.genetic_tests.is_empty()
        {
            continue;
        }
        let crit = lfs_personal(&r.cancers, Bearer::relative(r));
        if !crit.is_empty() {
            let what: Vec<String> = crit.iter().map(|(id, w)| format!("{w} ({id})")).collect();
            hits.push((
                PersonId::Relative(i),
                r.relation.describe(),
                what.join(", "),
            ));
        }
    }
    meet_family(
        ctx,
        C::L9,
        CriterionLevel::Indicated,
        "Untested, deceased relative",
        "Untested, deceased relatives",
        hits,
    );
}
