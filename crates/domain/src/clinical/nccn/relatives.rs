//! G5 and Pr6: a close relative who meets a testing criterion (clinical.md §3.3; issue #15).
//!
//! - **G5** (CRIT-2, -4 [S26]): an unaffected person, or an affected person not meeting other
//!   criteria, with a first- or second-degree relative who meets any cancer-specific criterion,
//!   except the systemic-therapy-only ones (clinical.md §3.2).
//! - **Pr6** (CRIT-6 [S26]; second degree added in v2.2026 [HX]): a first- or second-degree
//!   relative meeting Pr1–Pr5.
//!
//! Each relative with a cancer is evaluated **as if they were the person**: the family is
//! re-rooted at the relative ([`crate::clinical::pedigree::kin_between`]), so the relative's own
//! family-history criteria read the relative's own close relatives and sides (the proband's
//! maternal grandmother is the mother's mother; the proband is the mother's child; the proband's
//! father is no relative of hers). The criteria read for a relative, all at the `indicated` level
//! (a relative meeting only a "may consider" criterion does not qualify the person):
//! - for G5: B1, B4, B5, B6, B7, B9, B10 (CRIT-2 without B2/B3, systemic-therapy-only, and B8,
//!   whose ancestry input is recorded for the proband only) and O2 (non-epithelial ovarian).
//!   Epithelial ovarian cancer in a relative is O3's route and exocrine pancreatic cancer Pa2's
//!   (first-degree only, CRIT-5), so neither is repeated as G5;
//! - for Pr6: Pr1, Pr2, Pr4, Pr5 (not Pr3: ancestry).
//!
//! Who can qualify the person: first- and second-degree relatives, extended to third-degree
//! relatives related through two males (clinical.md §3.2). The codes cannot confirm "two males"
//! on the paternal side ([`crate::clinical::profile::Relation::through_two_males`]), so such a
//! relative meeting criteria gives a warning, not the criterion.
//!
//! The rationale names which relative meets which criterion, with that criterion's own
//! rationale written for the relative ("her breast cancer diagnosed at 45 (<= 50)"); the
//! `relatives` list holds the relatives who meet a criterion (the people their criterion counts
//! are named in the rationale).

use super::BREAST_EARLY_ONSET_MAX;
use super::bearer::Bearer;
use super::breast::breast_as_relative;
use super::context::{Ctx, Met};
use super::ids::CriterionId;
use super::ids::CriterionId as C;
use super::ovarian::ovarian_personal;
use super::prostate::{prostate_advanced, prostate_as_relative};
use super::voice::capitalise;
use crate::clinical::assessment::CriterionLevel;
use crate::clinical::pedigree::{PersonId, Tri};
use crate::clinical::profile::{CancerType, Relative, RiskProfile};

/// The criteria a relative is read on for G5 (see the module docs).
const G5_FROM: [CriterionId; 8] = [C::B1, C::B4, C::B5, C::B6, C::B7, C::B9, C::B10, C::O2];

/// The criteria a relative is read on for Pr6.
const PR6_FROM: [CriterionId; 4] = [C::Pr1, C::Pr2, C::Pr4, C::Pr5];

/// What one relative meets, read as if they were the person.
struct Reading {
    g5: Vec<Met>,
    pr6: Vec<Met>,
}

/// Evaluates `person` (a relative) on the criteria of [`G5_FROM`] and [`PR6_FROM`], from their
/// own position in the pedigree. The relative's own warnings are not kept (see
/// [`unknown_breast_age`] and [`unknown_prostate_status`] for the ones reported).
fn read_relative(p: &RiskProfile, person: PersonId) -> Reading {
    let mut sub = Ctx::seen_from(p, person);
    breast_as_relative(&mut sub);
    ovarian_personal(&mut sub);
    prostate_as_relative(&mut sub);
    let indicated = |ids: &[CriterionId]| -> Vec<Met> {
        sub.met
            .iter()
            .filter(|m| m.level == CriterionLevel::Indicated && ids.contains(&m.id))
            .cloned()
            .collect()
    };
    Reading {
        g5: indicated(&G5_FROM),
        pr6: indicated(&PR6_FROM),
    }
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

/// A criterion already written out in full for an earlier relative: its id, the people it
/// counts (the relative included, sorted) and who met it.
type Written = Vec<(CriterionId, Vec<PersonId>, String)>;

/// `"B1 (her breast cancer diagnosed at 45 (<= 50)) and B9 (her close relative (...) with ...)"`.
/// A criterion met on exactly the same people as for an earlier relative (three sisters each
/// meeting B10 on the same diagnoses) refers back instead of repeating the list.
fn describe(person: PersonId, who: &str, found: &[Met], written: &mut Written) -> String {
    let parts: Vec<String> = found
        .iter()
        .map(|m| {
            let mut people = m.people.clone();
            people.push(person);
            people.sort_by_key(|p| match p {
                PersonId::Proband => 0,
                PersonId::Relative(i) => i + 1,
            });
            people.dedup();
            if let Some((_, _, first)) = written
                .iter()
                .find(|(id, ps, _)| *id == m.id && *ps == people)
            {
                return format!("{} (the same diagnoses as for {first})", m.id);
            }
            written.push((m.id, people, who.to_owned()));
            format!(
                "{} ({})",
                m.id,
                lower_first(m.rationale.trim_end_matches('.'))
            )
        })
        .collect();
    parts.join(" and ")
}

/// G5 and Pr6 for the proband.
pub(super) fn relatives_meeting_criteria(ctx: &mut Ctx<'_>) {
    let p = ctx.p;
    let mut g5 = Vec::new();
    let mut pr6 = Vec::new();
    let mut written: Written = Vec::new();
    for (i, r) in p.relatives.iter().enumerate() {
        let reach = r.relation.first_or_second_degree_extended();
        if r.cancers.is_empty() || reach == Tri::No {
            continue;
        }
        let person = PersonId::Relative(i);
        let who = r.relation.describe();
        let reading = read_relative(p, person);
        for (found, id, hits) in [
            (&reading.g5, C::G5, &mut g5),
            (&reading.pr6, C::Pr6, &mut pr6),
        ] {
            if found.is_empty() {
                continue;
            }
            // Only lines of the G5/Pr6 rationale may be referred back to (not warnings).
            let desc = if reach == Tri::Yes {
                describe(person, &who, found, &mut written)
            } else {
                describe(person, &who, found, &mut Vec::new())
            };
            if reach == Tri::Yes {
                hits.push((person, who.clone(), desc));
            } else {
                ctx.potential(
                    CriterionLevel::Indicated,
                    format!(
                        "{}: meets {desc}; if related through two male relatives (e.g. via your paternal grandfather), this qualifies you ({id}).",
                        capitalise(&who)
                    ),
                );
            }
        }
        if reach == Tri::Yes && reading.g5.is_empty() {
            unknown_breast_age(ctx, r);
        }
        if reading.pr6.is_empty() {
            unknown_prostate_status(ctx, r);
        }
        ashkenazi_relative(ctx, r);
    }
    meet_relatives(
        ctx,
        C::G5,
        "First- or second-degree relative meeting a testing criterion",
        "First- or second-degree relatives meeting testing criteria",
        g5,
    );
    meet_relatives(
        ctx,
        C::Pr6,
        "First- or second-degree relative meeting a prostate criterion (Pr1-Pr5)",
        "First- or second-degree relatives meeting prostate criteria (Pr1-Pr5)",
        pr6,
    );
}

/// `"{lead} (mother, maternal side): meets B10 (...)."`, or for several relatives
/// `"{lead}: mother, maternal side meets B1 (...); maternal aunt, maternal side meets B4 (...)."`.
fn meet_relatives(
    ctx: &mut Ctx<'_>,
    id: CriterionId,
    lead_one: &str,
    lead_many: &str,
    hits: Vec<(PersonId, String, String)>,
) {
    let rationale = match hits.as_slice() {
        [] => return,
        [(_, who, desc)] => format!("{lead_one} ({who}): meets {desc}."),
        _ => {
            let parts: Vec<String> = hits
                .iter()
                .map(|(_, who, desc)| format!("{who} meets {desc}"))
                .collect();
            format!("{lead_many}: {}.", parts.join("; "))
        }
    };
    let people: Vec<PersonId> = hits.iter().map(|h| h.0).collect();
    ctx.meet(id, CriterionLevel::Indicated, rationale, &people);
}

/// A first- or second-degree relative's breast cancer of unknown age, not bounded to <= 50 by
/// the relative's age: B1 for the relative (hence G5) is unknown.
fn unknown_breast_age(ctx: &mut Ctx<'_>, r: &Relative) {
    let b = Bearer::relative(r);
    if let Some(c) = r.cancers.iter().find(|c| {
        c.cancer_type == CancerType::Breast && b.le(c, BREAST_EARLY_ONSET_MAX) == Tri::Unknown
    }) {
        ctx.potential(
            CriterionLevel::Indicated,
            format!(
                "{}: breast cancer with unknown age{} (B1 if <= {BREAST_EARLY_ONSET_MAX}); a first/second-degree relative meeting a criterion qualifies you (G5).",
                capitalise(&r.relation.describe()),
                b.bound_note(c)
            ),
        );
    }
}

/// A relative's prostate cancer of unknown risk group or metastatic status: Pr1/Pr2 for the
/// relative (hence Pr6) is unknown.
fn unknown_prostate_status(ctx: &mut Ctx<'_>, r: &Relative) {
    for c in &r.cancers {
        let (t, what) = prostate_advanced(c);
        if t == Tri::Unknown {
            ctx.potential(
                CriterionLevel::Indicated,
                format!(
                    "{}: {what}; testing is indicated if it was metastatic, node-positive, high or very-high risk and the relative is first/second degree (or third degree through two males) (Pr6).",
                    capitalise(&r.relation.describe())
                ),
            );
        }
    }
}

/// The proband is of Ashkenazi Jewish ancestry: a first- or second-degree relative with breast or
/// prostate cancer may be too, and would meet B8/Pr3 (ancestry is not recorded for relatives).
fn ashkenazi_relative(ctx: &mut Ctx<'_>, r: &Relative) {
    if ctx.p.proband.ashkenazi_jewish == Some(true)
        && r.relation.degree() <= super::super::pedigree::Degree::Second
        && r.cancers
            .iter()
            .any(|c| matches!(c.cancer_type, CancerType::Breast | CancerType::Prostate))
    {
        ctx.potential(
            CriterionLevel::Indicated,
            format!(
                "{}: breast/prostate cancer; if of Ashkenazi Jewish ancestry, the relative meets B8/Pr3 and qualifies you (G5, Pr6).",
                capitalise(&r.relation.describe())
            ),
        );
    }
}
