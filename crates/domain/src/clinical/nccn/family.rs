//! Family criteria: hits on relatives, merged per person and written as one rationale line.

use super::context::Ctx;
use super::ids::CriterionId;
use crate::clinical::assessment::CriterionLevel;
use crate::clinical::pedigree::PersonId;

/// Groups qualifying diagnoses per relative and writes one rationale line:
/// `"{lead} ({who}) with {desc}."` for one relative, a `;`-separated list for several.
pub(super) fn family_rationale(
    lead_one: &str,
    lead_many: &str,
    hits: &[(String, String)],
) -> String {
    match hits {
        [(who, desc)] => format!("{lead_one} ({who}) with {desc}."),
        _ => {
            let parts: Vec<String> = hits.iter().map(|(w, d)| format!("{w}: {d}")).collect();
            format!("{lead_many}: {}.", parts.join("; "))
        }
    }
}

/// Merges hits per person: `(person, who, "desc1 and desc2")`.
pub(super) fn merge_hits(hits: Vec<(PersonId, String, String)>) -> Vec<(PersonId, String, String)> {
    let mut out: Vec<(PersonId, String, String)> = Vec::new();
    for (p, who, desc) in hits {
        if let Some(e) = out.iter_mut().find(|e| e.0 == p) {
            if !e.2.split(" and ").any(|d| d == desc) {
                e.2.push_str(" and ");
                e.2.push_str(&desc);
            }
        } else {
            out.push((p, who, desc));
        }
    }
    out
}

pub(super) fn meet_family(
    ctx: &mut Ctx<'_>,
    id: CriterionId,
    level: CriterionLevel,
    lead_one: &str,
    lead_many: &str,
    hits: Vec<(PersonId, String, String)>,
) {
    if hits.is_empty() {
        return;
    }
    let hits = merge_hits(hits);
    let people: Vec<PersonId> = hits.iter().map(|h| h.0).collect();
    let pairs: Vec<(String, String)> = hits.into_iter().map(|(_, w, d)| (w, d)).collect();
    let rationale = family_rationale(lead_one, lead_many, &pairs);
    ctx.meet(id, level, rationale, &people);
}
