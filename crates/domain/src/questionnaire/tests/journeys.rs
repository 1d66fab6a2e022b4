//! Two reference journeys through the engine and the existing clinical assessment
//! (`clinical::assess::assess`): the questionnaire's profile is what the models read.

use time::macros::datetime;

use super::super::*;
use super::{no_history_answers, run};
use crate::clinical::assess::assess;
use crate::clinical::assessment::{Assessment, NccnOutcome};
use crate::clinical::profile::{CancerType, Relation};

fn assessed(q: &Questionnaire) -> Assessment {
    let profile = q
        .completed_profile()
        .expect("the questionnaire is complete");
    assess(profile, datetime!(2026-05-12 12:00 UTC)).expect("a completed profile validates")
}

fn criteria(a: &Assessment) -> Vec<&str> {
    a.nccn.criteria.iter().map(|c| c.id.as_str()).collect()
}

/// (a) A 35-year-old woman whose mother had breast cancer at 40 and whose maternal aunt had
/// ovarian cancer: testing indicated through O3 (a first- or second-degree relative with ovarian
/// cancer: the maternal aunt), G5 (a first-degree relative meeting a criterion: the mother meets
/// B1, breast cancer at <= 50, and B9) and G6 (Tyrer-Cuzick BRCA1/2 carrier probability > 5 %).
/// B9 itself is a criterion for a person with breast cancer; for an unaffected person the
/// mother's early breast cancer counts through G5.
#[test]
fn mother_with_breast_cancer_at_40_and_maternal_aunt_with_ovarian_cancer() {
    let answers = examples::MOTHER_AND_AUNT;
    let q = run(&answers);
    let profile = q.completed_profile().expect("complete");
    assert_eq!(profile.proband.age, Some(35));
    assert_eq!(profile.relatives.len(), 2);
    assert_eq!(profile.relatives[0].relation, Relation::Mother);
    assert_eq!(
        profile.relatives[0].cancers[0].cancer_type,
        CancerType::Breast
    );
    assert_eq!(profile.relatives[0].cancers[0].age_at_diagnosis, Some(40));
    assert_eq!(profile.relatives[1].relation, Relation::MaternalAunt);
    assert_eq!(
        profile.relatives[1].cancers[0].cancer_type,
        CancerType::Ovarian
    );

    let a = assessed(&q);
    assert!(a.nccn_eligible);
    assert!(a.is_eligible);
    assert_eq!(a.nccn.outcome, NccnOutcome::Indicated);
    assert_eq!(criteria(&a), ["O3", "G6", "G5"]);
    let o3 = a.nccn.criteria.iter().find(|c| c.id == "O3").expect("O3");
    assert_eq!(o3.relatives, ["maternal_aunt"]);
    let g5 = a.nccn.criteria.iter().find(|c| c.id == "G5").expect("G5");
    assert_eq!(g5.relatives, ["mother"]);
    assert!(g5.rationale.contains("meets B1"), "{}", g5.rationale);
    // Deterministic: the same answers, the same profile and assessment.
    assert_eq!(assessed(&run(&answers)), a);
}

/// (b) A woman with no family history (and no history of her own): not NCCN eligible.
#[test]
fn woman_without_family_history() {
    let q = run(&no_history_answers());
    let profile = q.completed_profile().expect("complete");
    assert!(profile.relatives.is_empty());
    let a = assessed(&q);
    assert!(!a.nccn_eligible, "{:?}", criteria(&a));
    assert_eq!(a.nccn.outcome, NccnOutcome::NotMet);
    assert!(!a.is_eligible);
    assert!(a.tyrer_cuzick_score.is_some());
}

/// The shared answer path of journey (b) is the path above.
#[test]
fn the_example_path_without_family_history_is_journey_b() {
    assert_eq!(
        run(&examples::NO_FAMILY_HISTORY).completed_profile(),
        run(&no_history_answers()).completed_profile()
    );
}
