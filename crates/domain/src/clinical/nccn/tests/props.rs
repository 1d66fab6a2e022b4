//! Properties of the whole evaluation (proptest).

use proptest::prelude::*;

use super::super::*;
use crate::clinical::profile::{
    Cancer, CancerType, Histology, Proband, ProstateRiskGroup, Relation, Relative, Sex,
};

fn cancer_type() -> impl Strategy<Value = CancerType> {
    prop::sample::select(vec![
        CancerType::Breast,
        CancerType::Ovarian,
        CancerType::Pancreatic,
        CancerType::Prostate,
        CancerType::Sarcoma,
        CancerType::Brain,
        CancerType::Adrenocortical,
        CancerType::Gastric,
        CancerType::Leukemia,
        CancerType::Colorectal,
    ])
}

fn cancer() -> impl Strategy<Value = Cancer> {
    (
        cancer_type(),
        prop::option::of(1i32..90),
        prop::option::of(any::<bool>()),
        prop::option::of(any::<bool>()),
        prop::option::of(prop::sample::select(vec![
            ProstateRiskGroup::Low,
            ProstateRiskGroup::Intermediate,
            ProstateRiskGroup::High,
            ProstateRiskGroup::VeryHigh,
        ])),
        prop::option::of(prop::sample::select(vec![
            Histology::Lobular,
            Histology::Diffuse,
            Histology::NonEpithelial,
            Histology::Exocrine,
        ])),
    )
        .prop_map(|(t, age, tn, met, rg, h)| {
            let mut c = Cancer::new(t, age);
            c.triple_negative = tn;
            c.metastatic = met;
            c.prostate_risk_group = rg;
            c.histology = h;
            c
        })
}

fn relative() -> impl Strategy<Value = Relative> {
    (
        prop::sample::select(Relation::ALL.to_vec()),
        prop::option::of(any::<bool>()),
        prop::collection::vec(cancer(), 0..3),
    )
        .prop_map(|(rel, alive, cancers)| {
            let mut r = Relative::new(rel);
            r.alive = alive;
            r.cancers = cancers;
            r
        })
}

fn profile() -> impl Strategy<Value = RiskProfile> {
    (
        prop::option::of(prop::sample::select(vec![Sex::Female, Sex::Male])),
        20i32..90,
        prop::option::of(any::<bool>()),
        prop::collection::vec(cancer(), 0..3),
        prop::collection::vec(relative(), 0..6),
    )
        .prop_map(|(sex, age, aj, cancers, relatives)| RiskProfile {
            proband: Proband {
                sex,
                age: Some(age),
                ethnicity: None,
                ashkenazi_jewish: aj,
                menarche_age: None,
                live_births: None,
                first_live_birth_age: None,
                menopause_status: None,
                menopause_age: None,
                height_cm: None,
                weight_kg: None,
                breast_biopsies: None,
                hyperplasia: None,
                lcis: None,
                chest_radiation: None,
                hrt: None,
                breast_density: None,
                cancers,
                genetic_tests: vec![],
            },
            relatives,
        })
}

proptest! {
    /// The outcome is the strongest level met; ids are known, unique and ordered; every listed
    /// relative code names a relative of the profile.
    #[test]
    fn result_is_well_formed(p in profile(), carrier in prop::option::of(0.0f64..0.2)) {
        let r = evaluate(&p, carrier);
        let strongest = r.criteria.iter().map(|c| c.level.outcome()).max().unwrap_or(NccnOutcome::NotMet);
        prop_assert_eq!(r.outcome, strongest);
        let pos: Vec<usize> = r.criteria.iter()
            .map(|c| CRITERION_ORDER.iter().position(|x| x.as_str() == c.id).unwrap_or(usize::MAX)).collect();
        prop_assert!(pos.iter().all(|x| *x != usize::MAX));
        prop_assert!(pos.windows(2).all(|w| w[0] < w[1]), "sorted and unique: {:?}", pos);
        for c in &r.criteria {
            prop_assert!(!c.rationale.is_empty() && !c.rationale.contains('\n'));
            for code in &c.relatives {
                prop_assert!(p.relatives.iter().any(|x| x.relation.as_str() == code));
            }
        }
    }

    /// Adding a relative (more family history) never lowers the outcome.
    #[test]
    fn more_family_history_never_lowers_the_outcome(p in profile(), extra in relative()) {
        let before = evaluate(&p, None).outcome;
        let mut q = p.clone();
        q.relatives.push(extra);
        prop_assert!(evaluate(&q, None).outcome >= before);
    }

    /// A higher carrier probability never lowers the outcome.
    #[test]
    fn higher_carrier_probability_never_lowers_the_outcome(p in profile(), a in 0.0f64..0.2, b in 0.0f64..0.2) {
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        prop_assert!(evaluate(&p, Some(hi)).outcome >= evaluate(&p, Some(lo)).outcome);
    }
}
