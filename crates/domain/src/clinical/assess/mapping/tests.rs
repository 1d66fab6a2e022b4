//! How warnings and errors read, and the relation mapping.

use super::gail::gail_race;
use super::tyrer_cuzick::tc_relative;
use super::*;
use crate::clinical::gail::GailRace;
use crate::clinical::profile::{Ethnicity, Relation, Relative};
use crate::clinical::tyrer_cuzick as tc;

fn family(relations: &[Relation]) -> RiskProfile {
    let mut p: RiskProfile =
        serde_json::from_str(r#"{"proband":{"age":40,"sex":"female"}}"#).expect("minimal profile");
    p.relatives = relations.iter().map(|r| Relative::new(*r)).collect();
    p
}

#[test]
fn names_people_and_ranks_duplicates() {
    let p = family(&[Relation::Sister, Relation::Mother, Relation::Sister]);
    assert_eq!(who(&p, None), "You");
    assert_eq!(who(&p, Some(1)), "Mother, maternal side");
    assert_eq!(who(&p, Some(0)), "Sister (1st listed)");
    assert_eq!(who(&p, Some(2)), "Sister (2nd listed)");
    assert_eq!(ordinal(11), "11th");
    assert_eq!(ordinal(23), "23rd");
}

#[test]
fn rewrites_model_paths() {
    let p = family(&[Relation::PaternalAunt]);
    assert_eq!(
        tc_warning(&p, "relatives[0] (paternal_aunt): age unknown; taken as 5."),
        "Paternal aunt, paternal side: age unknown; taken as 5 (Tyrer-Cuzick)."
    );
    assert_eq!(
        tc_warning(
            &p,
            "Unknown personal factors taken at the population-typical value (relative risk 1): menarche_age, parity, height_m, BMI (height_m and weight_kg)."
        ),
        "Unknown personal factors taken at the population-typical value (relative risk 1): age at menarche, number of live births, height, body mass index (Tyrer-Cuzick)."
    );
    let types = vec![vec![], vec![CancerType::Breast]];
    assert_eq!(
        manchester_warning(
            &p,
            &types,
            "relatives[0].cancers[0].age_at_diagnosis unknown: scored in the oldest age band (fewest points)."
        ),
        "Paternal aunt, paternal side: breast cancer with unknown age at diagnosis; scored in the oldest age band (fewest points) (Manchester score)."
    );
    assert_eq!(
        humanise_paths(&p, "see relatives[0] (paternal_aunt) and relatives[9]"),
        "see paternal aunt, paternal side and relative 10"
    );
}

#[test]
fn tc_errors_read_as_sentences() {
    let p = family(&[Relation::Sister]);
    let e = |field: &str, message: &str| tc::TcError {
        field: field.to_owned(),
        message: message.to_owned(),
    };
    assert_eq!(
        tc_error(&p, &e("relatives", "at most 500 relatives are accepted")),
        "Tyrer-Cuzick not computed: at most 500 relatives are accepted."
    );
    assert_eq!(
        tc_error(
            &p,
            &e(
                "relatives[0].breast.age_at_diagnosis",
                "must be between 1 and 50, got 60"
            )
        ),
        "Tyrer-Cuzick not computed: Sister: breast age at diagnosis must be between 1 and 50, got 60."
    );
    assert_eq!(
        tc_error(&p, &e("menarche_age", "must be between 6 and 25, got 30")),
        "Tyrer-Cuzick not computed: age at menarche must be between 6 and 25, got 30."
    );
}

#[test]
fn gail_race_uses_white_tables_for_unknown() {
    assert_eq!(gail_race(None), GailRace::AmericanIndianOrOther);
    assert_eq!(
        gail_race(Some(Ethnicity::Other)),
        GailRace::AmericanIndianOrOther
    );
    assert_eq!(gail_race(Some(Ethnicity::White)), GailRace::White);
    assert_eq!(gail_race(Some(Ethnicity::Black)), GailRace::AfricanAmerican);
}

#[test]
fn every_relation_maps_to_the_same_tc_relation() {
    for r in Relation::ALL {
        let t = tc_relative(&Relative::new(r));
        assert_eq!(t.relation, r, "{r}");
        assert_eq!(
            serde_json::to_value(t.relation).ok(),
            serde_json::to_value(r).ok(),
            "{r}"
        );
    }
}
