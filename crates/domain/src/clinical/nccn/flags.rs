//! Flags (clinical.md §3.2): negative tested relative, limited family structure, prior testing
//! (G2, not evaluable).

use super::BREAST_EARLY_ONSET_MAX;
use super::context::Ctx;
use super::voice::capitalise;
use crate::clinical::assessment::CriterionLevel;
use crate::clinical::pedigree::PersonId;
use crate::clinical::profile::{CancerType, GeneticResult};

pub(super) fn flags(ctx: &mut Ctx<'_>) {
    negative_tested_relative(ctx);
    limited_family_structure(ctx);
    prior_testing(ctx);
}

/// A first-degree relative named by a criterion met who tested negative: informational, never
/// an exclusion (clinical.md §3.2 "Negative tested relative").
fn negative_tested_relative(ctx: &mut Ctx<'_>) {
    use crate::clinical::pedigree::Degree;
    let involved = ctx.involved();
    for (i, r) in ctx.p.relatives.iter().enumerate() {
        if r.relation.degree() != Degree::First || !involved.contains(&PersonId::Relative(i)) {
            continue;
        }
        let negative = !r.genetic_tests.is_empty()
            && r.genetic_tests.iter().all(|t| {
                matches!(
                    t.result,
                    Some(
                        GeneticResult::Negative
                            | GeneticResult::Benign
                            | GeneticResult::LikelyBenign
                    )
                )
            });
        if negative {
            let genes: Vec<String> = r
                .genetic_tests
                .iter()
                .map(|t| t.gene.trim().to_ascii_uppercase())
                .collect();
            let msg = format!(
                "{} tested negative ({}): if that testing was comprehensive and there is no other family history, the yield of testing you is low.",
                capitalise(&r.relation.describe()),
                genes.join(", ")
            );
            ctx.note(msg);
        }
    }
}

/// EVAL-A: breast cancer >= 51 or prostate cancer, and no relatives listed.
fn limited_family_structure(ctx: &mut Ctx<'_>) {
    let late_breast = ctx.p.proband.cancers.iter().any(|c| {
        c.cancer_type == CancerType::Breast
            && c.age_at_diagnosis
                .is_some_and(|a| a > BREAST_EARLY_ONSET_MAX)
    });
    let prostate = ctx
        .p
        .proband
        .cancers
        .iter()
        .any(|c| c.cancer_type == CancerType::Prostate);
    if (late_breast || prostate) && ctx.p.relatives.is_empty() {
        ctx.potential(
            CriterionLevel::Indicated,
            "No family history recorded: with breast cancer at >= 51 or prostate cancer, NCCN asks to consider an unknown or limited family structure (clinician review).".to_owned(),
        );
    }
}

/// G2 (not evaluable): earlier testing without a pathogenic result, scope not recorded.
fn prior_testing(ctx: &mut Ctx<'_>) {
    let prior: Vec<String> = ctx
        .p
        .proband
        .genetic_tests
        .iter()
        .filter(|t| {
            matches!(
                t.result,
                Some(
                    GeneticResult::Negative
                        | GeneticResult::Benign
                        | GeneticResult::LikelyBenign
                        | GeneticResult::Vus
                )
            )
        })
        .map(|t| t.gene.trim().to_ascii_uppercase())
        .collect();
    if !prior.is_empty() && ctx.any_raising() {
        ctx.note(format!(
            "Earlier testing ({}) without a pathogenic result: if it was limited (single gene, no deletion/duplication analysis), multigene testing is indicated (G2); test scope is not recorded.",
            prior.join(", ")
        ));
    }
}
