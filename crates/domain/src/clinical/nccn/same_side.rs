//! B10 / Pr5: >= 3 breast/prostate diagnoses on the same side of the family. Called by
//! [`super::breast`] and [`super::prostate`].

use super::context::Ctx;
use super::ids::CriterionId;
use super::voice::Voice;
use crate::clinical::assessment::CriterionLevel;
use crate::clinical::pedigree::{Diagnosis, Line, PersonId};
use crate::clinical::profile::CancerType;

/// `"breast, 60"`, `"breast, bilateral, 60"`, `"prostate, age unknown"` (B10/Pr5 lists).
fn short(d: &Diagnosis<'_>) -> String {
    let bilateral = if d.cancer.bilateral == Some(true) {
        ", bilateral"
    } else {
        ""
    };
    match d.cancer.age_at_diagnosis {
        Some(a) => format!("{}{bilateral}, {a}", d.cancer.cancer_type.as_str()),
        None => format!("{}{bilateral}, age unknown", d.cancer.cancer_type.as_str()),
    }
}

/// How diagnoses are counted on one side of the family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Count {
    /// B10 "≥ 3 total diagnoses": primaries, a `bilateral` breast cancer counting as two, exactly
    /// as two rows do (B5 reads bilateral as multiple primaries; issue #15).
    Primaries,
    /// Pr5: one per recorded cancer (clinical.md words Pr5 as "≥ 3 close relatives"; the count of
    /// recorded diagnoses is kept pending clinical sign-off, see docs/clinical-models.md §2).
    Rows,
}

fn weight(d: &Diagnosis<'_>, count: Count) -> usize {
    let bilateral = d.cancer.cancer_type == CancerType::Breast && d.cancer.bilateral == Some(true);
    if count == Count::Primaries && bilateral {
        2
    } else {
        1
    }
}

/// Breast/prostate diagnoses counted on one of the subject's lines (B10, Pr5).
struct SameSide<'a> {
    line: Line,
    diagnoses: Vec<Diagnosis<'a>>,
    /// Weighted count ([`Count`]).
    n: usize,
    /// Whether someone other than the subject is on this line only (not on both lines).
    one_sided: bool,
}

/// The subject's line with the most breast/prostate diagnoses (the subject and relatives on both
/// lines count on each), if it reaches 3. Ties go to a line with more relatives on it alone,
/// then paternal, as before re-rooting.
fn same_side_breast_prostate<'a>(ctx: &Ctx<'a>, count: Count) -> Option<SameSide<'a>> {
    let bp: Vec<Diagnosis<'a>> = ctx
        .all
        .iter()
        .filter(|d| {
            matches!(
                d.cancer.cancer_type,
                CancerType::Breast | CancerType::Prostate
            )
        })
        .copied()
        .collect();
    [Line::LinkingParent, Line::Maternal, Line::Paternal]
        .into_iter()
        .map(|line| {
            let ds: Vec<Diagnosis<'a>> = bp.iter().copied().filter(|d| d.on_line(line)).collect();
            let n: usize = ds.iter().map(|d| weight(d, count)).sum();
            let own = ds
                .iter()
                .filter(|d| d.seen.is_some_and(|s| s.line == Some(line)))
                .count();
            (line, ds, n, own)
        })
        .filter(|(_, _, n, _)| *n >= 3)
        .max_by_key(|(_, _, n, own)| (*n, *own))
        .map(|(line, diagnoses, n, own)| SameSide {
            line,
            diagnoses,
            n,
            one_sided: own > 0,
        })
}

/// `"the maternal side"` for the proband; `"her maternal side"`, `"the side of her parent related
/// to you"` for a relative.
fn line_phrase(v: Voice, line: Line) -> String {
    match (v.proband, line) {
        (true, Line::Maternal) => "the maternal side".to_owned(),
        (true, Line::Paternal) => "the paternal side".to_owned(),
        (_, Line::Maternal) => format!("{} maternal side", v.possessive),
        (_, Line::Paternal) => format!("{} paternal side", v.possessive),
        (_, Line::LinkingParent | Line::Both) => {
            format!("the side of {} parent related to you", v.possessive)
        }
    }
}

/// Why a relative listed on one side also belongs to the other: `"; full sibling, counted on
/// both sides"`. Empty for a relative on that side only.
fn both_sides_note(ctx: &Ctx<'_>, d: &Diagnosis<'_>) -> String {
    use crate::clinical::pedigree::Generation;
    use crate::clinical::profile::Relation as R;
    if d.person == ctx.subject || !d.seen.is_some_and(|s| s.line == Some(Line::Both)) {
        return String::new();
    }
    if !ctx.is_proband() {
        return format!(
            "; counted on both sides of {} family",
            ctx.voice().possessive
        );
    }
    match d.relation {
        Some(R::Sister | R::Brother) => "; full sibling, counted on both sides",
        Some(r) if r.generation() == Generation::Younger => {
            "; your descendant, counted on both sides"
        }
        Some(R::Niece | R::Nephew) => "; your sibling's child, counted on both sides",
        _ => "; counted on both sides",
    }
    .to_owned()
}

/// B10 / Pr5 for the subject: `"4 breast/prostate cancer diagnoses on the paternal side including
/// yours: you (breast, 66), father, paternal side (prostate, 70), daughter (breast, 40; your
/// descendant, counted on both sides)."`. When nobody but the subject's full siblings and
/// descendants is counted, no side is named (issue #15: children were placed "on the paternal
/// side").
pub(super) fn meet_same_side(ctx: &mut Ctx<'_>, id: CriterionId, count: Count) {
    let Some(side) = same_side_breast_prostate(ctx, count) else {
        return;
    };
    let list: Vec<String> = side
        .diagnoses
        .iter()
        .map(|d| {
            let s = short(d);
            format!("{} ({s}{})", d.who(), both_sides_note(ctx, d))
        })
        .collect();
    let people: Vec<PersonId> = side.diagnoses.iter().map(|d| d.person).collect();
    let v = ctx.voice();
    let where_ = if side.one_sided {
        format!("on {}", line_phrase(v, side.line))
    } else {
        let me = if v.proband { "you" } else { v.possessive };
        format!(
            "among {me} and relatives on both sides of {} family (full siblings and their children, descendants)",
            v.possessive
        )
    };
    let rationale = format!(
        "{} breast/prostate cancer diagnoses {where_} including {}: {}.",
        side.n,
        v.yours,
        list.join(", ")
    );
    ctx.meet(id, CriterionLevel::Indicated, rationale, &people);
}
