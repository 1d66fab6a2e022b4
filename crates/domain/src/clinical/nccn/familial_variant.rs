//! G1, L1, C1: a blood relative with a known pathogenic / likely pathogenic variant (L1 for TP53,
//! C1 for PTEN, G1 for any gene); the proband's own P/LP result is noted.

use super::context::Ctx;
use super::family::{family_rationale, merge_hits};
use super::ids::CriterionId as C;
use super::voice::capitalise;
use crate::clinical::assessment::CriterionLevel;
use crate::clinical::pedigree::PersonId;
use crate::clinical::profile::GeneticResult;

pub(super) fn known_variants(ctx: &mut Ctx<'_>) {
    let aj = ctx.p.proband.ashkenazi_jewish == Some(true);
    let mut g1 = Vec::new();
    let mut l1 = Vec::new();
    let mut c1 = Vec::new();
    for (i, r) in ctx.p.relatives.iter().enumerate() {
        for t in &r.genetic_tests {
            let gene = t.gene.trim().to_ascii_uppercase();
            let who = r.relation.describe();
            match t.result {
                Some(res) if res.is_plp() => {
                    let hit = (PersonId::Relative(i), who, format!("a pathogenic/likely pathogenic {gene} variant"));
                    // G1 covers a P/LP variant in any cancer-susceptibility gene (clinical.md §3.3
                    // G1); TP53 and PTEN also meet their syndrome's own criterion (L1, C1).
                    match gene.as_str() {
                        "TP53" => l1.push(hit.clone()),
                        "PTEN" => c1.push(hit.clone()),
                        _ => {}
                    }
                    g1.push(hit);
                }
                Some(_) => {}
                None => ctx.potential(
                    CriterionLevel::Indicated,
                    format!(
                        "{}: {gene} test result unknown; if pathogenic, testing for the familial variant is indicated (G1).",
                        capitalise(&who)
                    ),
                ),
            }
        }
    }
    let suffix = if aj {
        " Test for the familial variant, plus the three Ashkenazi founder variants."
    } else {
        " Test for the familial variant."
    };
    for (id, hits) in [(C::G1, g1), (C::L1, l1), (C::C1, c1)] {
        if hits.is_empty() {
            continue;
        }
        let merged = merge_hits(hits);
        let people: Vec<PersonId> = merged.iter().map(|h| h.0).collect();
        let pairs: Vec<(String, String)> = merged.into_iter().map(|(_, w, d)| (w, d)).collect();
        let mut rationale = family_rationale("Blood relative", "Blood relatives", &pairs);
        rationale.push_str(suffix);
        ctx.meet(id, CriterionLevel::Indicated, rationale, &people);
    }
    for t in &ctx.p.proband.genetic_tests {
        if t.result.is_some_and(GeneticResult::is_plp) {
            let gene = t.gene.trim().to_ascii_uppercase();
            ctx.note(format!(
                "You already carry a pathogenic/likely pathogenic {gene} variant: follow gene-specific management and offer cascade testing to relatives; the testing criteria below only document history."
            ));
        }
    }
}
