//! `RiskProfile` → Gail (BCRA) input and applicability facts.

use super::{age_u32, known_brca_carrier, tagged};
use crate::clinical::gail::{FirstLiveBirth, GailApplicabilityFacts, GailInput, GailRace};
use crate::clinical::pedigree::Degree;
use crate::clinical::profile::{CancerType, Ethnicity, Hyperplasia, Proband, RiskProfile, Sex};

/// The Gail applicability facts (`None` sex counts as "not male": the caller handles it first).
pub(in crate::clinical::assess) fn gail_facts(p: &Proband) -> GailApplicabilityFacts {
    let breast = p
        .cancers
        .iter()
        .filter(|c| c.cancer_type == CancerType::Breast);
    GailApplicabilityFacts {
        age: f64::from(p.age.unwrap_or(-1)),
        male: p.sex == Some(Sex::Male),
        prior_breast_cancer: breast.clone().any(|c| c.invasive != Some(false)),
        dcis: breast.clone().any(|c| c.invasive == Some(false)),
        lcis: p.lcis == Some(true),
        chest_radiation: p.chest_radiation == Some(true),
        known_brca_carrier: known_brca_carrier(p).is_some(),
    }
}

/// The BCRA race model for an ethnicity. `other`, `american_indian`, `unknown` and an absent
/// ethnicity use BCRA code 4, which runs on the White tables (BCRA: "other, including American
/// Indian / Alaska Native and unknown race").
pub(super) fn gail_race(e: Option<Ethnicity>) -> GailRace {
    match e {
        Some(Ethnicity::White) => GailRace::White,
        Some(Ethnicity::Black) => GailRace::AfricanAmerican,
        Some(Ethnicity::HispanicUsBorn) => GailRace::HispanicUsBorn,
        Some(Ethnicity::HispanicForeignBorn) => GailRace::HispanicForeignBorn,
        Some(Ethnicity::Chinese) => GailRace::Chinese,
        Some(Ethnicity::Japanese) => GailRace::Japanese,
        Some(Ethnicity::Filipino) => GailRace::Filipino,
        Some(Ethnicity::Hawaiian) => GailRace::Hawaiian,
        Some(Ethnicity::OtherPacificIslander) => GailRace::OtherPacificIslander,
        Some(Ethnicity::OtherAsian) => GailRace::OtherAsian,
        Some(Ethnicity::AmericanIndian | Ethnicity::Other | Ethnicity::Unknown) | None => {
            GailRace::AmericanIndianOrOther
        }
    }
}

/// Female first-degree relatives (mother, sisters, daughters) with breast cancer: persons, not
/// diagnoses. A relative listed is a relative reported; an empty family counts as none.
fn gail_affected_first_degree(profile: &RiskProfile) -> u32 {
    let n = profile
        .relatives
        .iter()
        .filter(|r| {
            r.relation.degree() == Degree::First
                && r.relation.sex(r.sex) == Some(Sex::Female)
                && r.cancers
                    .iter()
                    .any(|c| c.cancer_type == CancerType::Breast)
        })
        .count();
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The Gail input, with the mapping's warnings.
pub(in crate::clinical::assess) fn gail_input(
    profile: &RiskProfile,
    warnings: &mut Vec<String>,
) -> GailInput {
    let p = &profile.proband;
    let mut note = |s: String| warnings.push(tagged(&s, "Gail"));
    let known_result = matches!(
        p.hyperplasia,
        Some(Hyperplasia::None | Hyperplasia::Hyperplasia | Hyperplasia::Atypical)
    );
    let biopsies = match age_u32(p.breast_biopsies) {
        None if known_result => {
            note(
                "Number of breast biopsies unknown but a biopsy result is recorded; taken as 1."
                    .to_owned(),
            );
            Some(1)
        }
        n => n,
    };
    // BCRA: hyperplasia must be "unknown" (99) without a biopsy or with an unknown count.
    let atypical_hyperplasia = match biopsies {
        Some(n) if n > 0 => match p.hyperplasia {
            Some(Hyperplasia::Atypical) => Some(true),
            Some(Hyperplasia::None | Hyperplasia::Hyperplasia) => Some(false),
            Some(Hyperplasia::Unknown) | None => None,
        },
        _ => None,
    };
    let first_birth = match (p.live_births, age_u32(p.first_live_birth_age)) {
        (Some(0), _) => FirstLiveBirth::Nulliparous,
        (_, Some(a)) => FirstLiveBirth::AtAge(a),
        _ => FirstLiveBirth::Unknown,
    };
    if p.ethnicity.is_none() || p.ethnicity == Some(Ethnicity::Unknown) {
        note(
            "Ethnicity unknown; BCRA's tables for other/unknown race (the White rates) used."
                .to_owned(),
        );
    }
    let unknown_history: Vec<&str> = [
        (p.lcis.is_none(), "LCIS"),
        (p.chest_radiation.is_none(), "chest radiation before 30"),
    ]
    .into_iter()
    .filter(|(u, _)| *u)
    .map(|(_, w)| w)
    .collect();
    if !unknown_history.is_empty() {
        note(format!(
            "History of {} unknown; the model does not apply if present, and was computed assuming absent.",
            unknown_history.join(" and ")
        ));
    }
    GailInput {
        current_age: f64::from(p.age.unwrap_or(0)),
        age_at_menarche: age_u32(p.menarche_age),
        number_of_biopsies: biopsies,
        atypical_hyperplasia,
        age_at_first_live_birth: first_birth,
        first_degree_relatives: Some(gail_affected_first_degree(profile)),
        race: gail_race(p.ethnicity),
    }
}
