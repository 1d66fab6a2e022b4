use serde_json::json;

use super::*;
use crate::clinical::profile::{Cancer, CancerType, Relation as R, Relative, RiskProfile};

const F: RelationSex = RelationSex::Fixed(Sex::Female);
const M: RelationSex = RelationSex::Fixed(Sex::Male);
const OPEN: RelationSex = RelationSex::FromRecord;

use Degree::{First as D1, Second as D2, Third as D3};
use Generation::{Collateral as C, Older as O, Younger as Y};
use Side::{Maternal as Mat, None as No, Paternal as Pat};

/// The expected facts for every relation code of risk-profile.md, written from the definitions of
/// clinical.md §3.2/§5 (degree by meiosis count, side by the linking parent).
/// Columns: relation, JSON code, degree, side, sex, generation, through-two-males, rationale label.
type Row = (
    R,
    &'static str,
    Degree,
    Side,
    RelationSex,
    Generation,
    Tri,
    &'static str,
);

#[rustfmt::skip]
const TABLE: [Row; 28] = [
    (R::Mother, "mother", D1, Mat, F, O, Tri::No, "mother, maternal side"),
    (R::Father, "father", D1, Pat, M, O, Tri::No, "father, paternal side"),
    (R::Sister, "sister", D1, No, F, C, Tri::No, "sister"),
    (R::Brother, "brother", D1, No, M, C, Tri::No, "brother"),
    (R::Daughter, "daughter", D1, No, F, Y, Tri::No, "daughter"),
    (R::Son, "son", D1, No, M, Y, Tri::No, "son"),
    (R::MaternalHalfSister, "maternal_half_sister", D2, Mat, F, C, Tri::No, "maternal half-sister, maternal side"),
    (R::MaternalHalfBrother, "maternal_half_brother", D2, Mat, M, C, Tri::No, "maternal half-brother, maternal side"),
    (R::PaternalHalfSister, "paternal_half_sister", D2, Pat, F, C, Tri::No, "paternal half-sister, paternal side"),
    (R::PaternalHalfBrother, "paternal_half_brother", D2, Pat, M, C, Tri::No, "paternal half-brother, paternal side"),
    (R::MaternalGrandmother, "maternal_grandmother", D2, Mat, F, O, Tri::No, "maternal grandmother, maternal side"),
    (R::MaternalGrandfather, "maternal_grandfather", D2, Mat, M, O, Tri::No, "maternal grandfather, maternal side"),
    (R::PaternalGrandmother, "paternal_grandmother", D2, Pat, F, O, Tri::No, "paternal grandmother, paternal side"),
    (R::PaternalGrandfather, "paternal_grandfather", D2, Pat, M, O, Tri::No, "paternal grandfather, paternal side"),
    (R::MaternalAunt, "maternal_aunt", D2, Mat, F, C, Tri::No, "maternal aunt, maternal side"),
    (R::MaternalUncle, "maternal_uncle", D2, Mat, M, C, Tri::No, "maternal uncle, maternal side"),
    (R::PaternalAunt, "paternal_aunt", D2, Pat, F, C, Tri::No, "paternal aunt, paternal side"),
    (R::PaternalUncle, "paternal_uncle", D2, Pat, M, C, Tri::No, "paternal uncle, paternal side"),
    (R::Niece, "niece", D2, No, F, C, Tri::No, "niece"),
    (R::Nephew, "nephew", D2, No, M, C, Tri::No, "nephew"),
    (R::Granddaughter, "granddaughter", D2, No, F, Y, Tri::No, "granddaughter"),
    (R::Grandson, "grandson", D2, No, M, Y, Tri::No, "grandson"),
    (R::MaternalCousin, "maternal_cousin", D3, Mat, OPEN, C, Tri::No, "maternal cousin, maternal side"),
    (R::PaternalCousin, "paternal_cousin", D3, Pat, OPEN, C, Tri::Unknown, "paternal cousin, paternal side"),
    (R::MaternalGreatGrandmother, "maternal_great_grandmother", D3, Mat, F, O, Tri::No, "maternal great-grandmother, maternal side"),
    (R::PaternalGreatGrandmother, "paternal_great_grandmother", D3, Pat, F, O, Tri::Unknown, "paternal great-grandmother, paternal side"),
    (R::MaternalGreatAunt, "maternal_great_aunt", D3, Mat, F, C, Tri::No, "maternal great-aunt, maternal side"),
    (R::PaternalGreatAunt, "paternal_great_aunt", D3, Pat, F, C, Tri::Unknown, "paternal great-aunt, paternal side"),
];

#[test]
fn every_relation_has_the_expected_degree_side_sex_and_lineage() {
    // The table covers every variant exactly once.
    assert_eq!(TABLE.len(), R::ALL.len());
    for r in R::ALL {
        assert_eq!(TABLE.iter().filter(|row| row.0 == r).count(), 1, "{r}");
    }
    for (rel, code, degree, side, sex, generation, two_males, described) in TABLE {
        let parsed: R = serde_json::from_value(json!(code)).expect("code parses");
        assert_eq!(parsed, rel, "{code}");
        assert_eq!(rel.as_str(), code);
        assert_eq!(rel.degree(), degree, "{code} degree");
        assert_eq!(rel.side(), side, "{code} side");
        assert_eq!(rel.fixed_sex(), sex, "{code} sex");
        assert_eq!(rel.generation(), generation, "{code} generation");
        assert_eq!(rel.through_two_males(), two_males, "{code} two males");
        assert_eq!(rel.describe(), described, "{code} describe");
        let extended = if degree <= D2 { Tri::Yes } else { two_males };
        assert_eq!(rel.first_or_second_degree_extended(), extended, "{code}");
        // Lineage membership follows the side.
        assert_eq!(side.in_lineage(Lineage::Maternal), side != Pat, "{code}");
        assert_eq!(side.in_lineage(Lineage::Paternal), side != Mat, "{code}");
    }
}

#[test]
fn cousin_sex_comes_from_the_record_other_sexes_are_fixed() {
    assert_eq!(R::MaternalCousin.sex(Some(Sex::Male)), Some(Sex::Male));
    assert_eq!(R::PaternalCousin.sex(None), None);
    // The relation wins over a contradictory record (validation reports the contradiction).
    assert_eq!(R::Mother.sex(Some(Sex::Male)), Some(Sex::Female));
}

#[test]
fn degree_numbers() {
    assert_eq!(D1.number(), 1);
    assert_eq!(D2.number(), 2);
    assert_eq!(D3.number(), 3);
}

fn rel(relation: R, cancers: &[(CancerType, Option<i32>)]) -> Relative {
    let mut r = Relative::new(relation);
    r.cancers = cancers.iter().map(|(t, a)| Cancer::new(*t, *a)).collect();
    r
}

fn profile(proband_cancers: &[(CancerType, Option<i32>)], relatives: Vec<Relative>) -> RiskProfile {
    let mut p: RiskProfile =
        serde_json::from_value(json!({"proband": {"age": 60, "sex": "female"}})).expect("json");
    p.proband.cancers = proband_cancers
        .iter()
        .map(|(t, a)| Cancer::new(*t, *a))
        .collect();
    p.relatives = relatives;
    p
}

#[test]
fn lineage_counting_puts_proband_and_siblings_on_both_sides() {
    use CancerType::{Breast, Ovarian, Prostate};
    let prof = profile(
        &[(Breast, Some(55))],
        vec![
            rel(R::Mother, &[(Breast, Some(60))]),
            rel(R::Sister, &[(Breast, Some(48))]),
            rel(R::PaternalAunt, &[(Breast, None)]),
            rel(R::PaternalGrandfather, &[(Prostate, Some(70))]),
            rel(R::MaternalAunt, &[(Ovarian, Some(50))]),
        ],
    );
    let counts = lineage_diagnoses(&prof, |d| matches!(d.cancer.cancer_type, Breast | Prostate));
    let [(l0, mat), (l1, pat)] = &counts;
    assert_eq!((*l0, *l1), (Lineage::Maternal, Lineage::Paternal));
    // maternal: proband, mother, sister; paternal: proband, sister, aunt, grandfather
    assert_eq!(mat.len(), 3);
    assert_eq!(pat.len(), 4);
    assert!(mat.iter().any(|d| d.person == PersonId::Proband));
    assert!(pat.iter().any(|d| d.relation == Some(R::Sister)));
    assert!(!mat.iter().any(|d| d.relation == Some(R::PaternalAunt)));
    assert!(!mat.iter().any(|d| d.cancer.cancer_type == Ovarian));
}

#[test]
fn a_half_sister_counts_on_her_side_only() {
    use CancerType::Breast;
    let prof = profile(&[], vec![rel(R::PaternalHalfSister, &[(Breast, Some(40))])]);
    let [(_, mat), (_, pat)] = lineage_diagnoses(&prof, |_| true);
    assert!(mat.is_empty());
    assert_eq!(pat.len(), 1);
}

#[test]
fn diagnoses_list_every_cancer_with_bearer_facts() {
    use CancerType::{Breast, Prostate};
    let mut cousin = rel(R::MaternalCousin, &[(Breast, Some(45))]);
    cousin.sex = Some(Sex::Male);
    let prof = profile(
        &[(Breast, Some(50)), (Breast, Some(58))],
        vec![rel(R::Father, &[(Prostate, None)]), cousin],
    );
    let all = diagnoses(&prof);
    assert_eq!(all.len(), 4);
    assert_eq!(
        (all[0].person, all[0].cancer_index, all[0].sex),
        (PersonId::Proband, 0, Some(Sex::Female))
    );
    assert_eq!(all[1].cancer_index, 1);
    assert_eq!(
        (all[2].person, all[2].sex),
        (PersonId::Relative(0), Some(Sex::Male))
    );
    assert_eq!(all[2].who(), "father, paternal side");
    assert_eq!(all[0].who(), "you");
    assert_eq!(all[3].sex, Some(Sex::Male), "cousin's sex from the record");
    assert_eq!(family_diagnoses(&prof).len(), 2);
    assert!(family_has(&prof, Prostate));
    assert!(!family_has(&prof, CancerType::Ovarian));
    assert_eq!(
        relative_code(&prof, PersonId::Relative(1)),
        Some("maternal_cousin")
    );
    assert_eq!(relative_code(&prof, PersonId::Relative(9)), None);
    assert_eq!(relative_code(&prof, PersonId::Proband), None);
}

#[test]
fn relatives_of_degree_filters() {
    let prof = profile(
        &[],
        vec![
            rel(R::Mother, &[]),
            rel(R::MaternalCousin, &[]),
            rel(R::Niece, &[]),
            rel(R::Son, &[]),
        ],
    );
    let first: Vec<usize> = relatives_of_degree(&prof, D1).map(|(i, _)| i).collect();
    assert_eq!(first, vec![0, 3]);
    assert_eq!(relatives_of_degree(&prof, D2).count(), 1);
    assert_eq!(relatives_of_degree(&prof, D3).count(), 1);
}

// ---- re-rooting (kin_between) -----------------------------------------------------------------

fn close(degree: Degree, line: Option<Line>) -> Kin {
    Kin::Close(Close { degree, line })
}

#[test]
fn seen_from_the_proband_every_relation_keeps_its_own_degree_and_side() {
    // The virtual pedigree must agree with the relation table above for every code and every
    // proband sex: this pins the placement of each code.
    for sex in [Some(Sex::Female), Some(Sex::Male), None] {
        for (rel, code, degree, side, ..) in TABLE {
            assert_eq!(
                kin_between(None, Some(rel), sex),
                close(degree, Some(Line::from_side(side))),
                "{code} seen from the proband ({sex:?})"
            );
        }
    }
}

#[test]
fn kinship_is_symmetric_in_closeness_and_degree() {
    let people: Vec<Option<R>> = std::iter::once(None).chain(R::ALL.map(Some)).collect();
    for a in &people {
        for b in &people {
            if a.is_none() && b.is_none() {
                continue;
            }
            let ab = kin_between(*a, *b, Some(Sex::Female));
            let ba = kin_between(*b, *a, Some(Sex::Female));
            let shape = |k: Kin| match k {
                Kin::Close(c) => Some(Some(c.degree)),
                Kin::NotClose => Some(None),
                Kin::Uncertain => None,
            };
            assert_eq!(shape(ab), shape(ba), "{a:?} <-> {b:?}");
        }
    }
}

/// Re-rooted positions worked out by hand from the relation definitions (clinical.md §3.2):
/// (subject, other, expected). `None` as other = the proband (a daughter here).
#[test]
fn re_rooted_positions_worked_out_by_hand() {
    use Line::{Both, LinkingParent, Maternal as LM, Paternal as LP};
    let nc = Kin::NotClose;
    let un = Kin::Uncertain;
    #[rustfmt::skip]
    let cases: Vec<(R, Option<R>, Kin)> = vec![
        // The mother sees her own parents, siblings, children and her siblings' children.
        (R::Mother, Some(R::MaternalGrandmother), close(D1, Some(LM))),
        (R::Mother, Some(R::MaternalGrandfather), close(D1, Some(LP))),
        (R::Mother, Some(R::MaternalAunt), close(D1, Some(Both))),
        (R::Mother, Some(R::MaternalUncle), close(D1, Some(Both))),
        (R::Mother, None, close(D1, Some(Both))),
        (R::Mother, Some(R::Sister), close(D1, Some(Both))),
        (R::Mother, Some(R::MaternalHalfBrother), close(D1, Some(Both))),
        (R::Mother, Some(R::MaternalCousin), close(D2, Some(Both))),
        (R::Mother, Some(R::Niece), close(D2, Some(Both))),
        (R::Mother, Some(R::Daughter), close(D2, Some(Both))),
        (R::Mother, Some(R::Granddaughter), close(D3, Some(Both))),
        // ... her grandmother and aunt, on a side the codes do not give.
        (R::Mother, Some(R::MaternalGreatGrandmother), close(D2, None)),
        (R::Mother, Some(R::MaternalGreatAunt), close(D2, None)),
        // The father's family is not hers.
        (R::Mother, Some(R::Father), nc),
        (R::Mother, Some(R::PaternalAunt), nc),
        (R::Mother, Some(R::PaternalHalfSister), nc),
        (R::Mother, Some(R::PaternalGrandfather), nc),
        // The father, symmetrically.
        (R::Father, Some(R::PaternalUncle), close(D1, Some(Both))),
        (R::Father, Some(R::PaternalGrandfather), close(D1, Some(LP))),
        (R::Father, Some(R::PaternalGrandmother), close(D1, Some(LM))),
        (R::Father, Some(R::PaternalCousin), close(D2, Some(Both))),
        (R::Father, Some(R::Mother), nc),
        (R::Father, Some(R::MaternalUncle), nc),
        // A grandmother: her mother, or her husband's mother?
        (R::MaternalGrandmother, Some(R::MaternalGreatGrandmother), un),
        (R::MaternalGrandmother, Some(R::MaternalGreatAunt), un),
        (R::MaternalGrandmother, Some(R::MaternalGrandfather), nc),
        (R::MaternalGrandmother, None, close(D2, Some(Both))),
        (R::MaternalGrandmother, Some(R::MaternalCousin), close(D2, Some(Both))),
        // An aunt: a maternal cousin is her child or her niece (the more distant degree).
        (R::MaternalAunt, Some(R::MaternalCousin), close(D2, Some(Both))),
        (R::MaternalAunt, Some(R::Mother), close(D1, Some(Both))),
        (R::MaternalAunt, None, close(D2, Some(Both))),
        (R::MaternalAunt, Some(R::MaternalGrandmother), close(D1, Some(LM))),
        (R::MaternalAunt, Some(R::Father), nc),
        // A sister shares both parents' families.
        (R::Sister, Some(R::Niece), close(D2, Some(Both))),
        (R::Sister, None, close(D1, Some(Both))),
        (R::Sister, Some(R::MaternalAunt), close(D2, Some(LM))),
        (R::Sister, Some(R::PaternalCousin), close(D3, Some(LP))),
        // A half-sister shares the father only.
        (R::PaternalHalfSister, Some(R::Father), close(D1, Some(LP))),
        (R::PaternalHalfSister, None, close(D2, Some(LP))),
        (R::PaternalHalfSister, Some(R::PaternalAunt), close(D2, Some(LP))),
        (R::PaternalHalfSister, Some(R::Mother), nc),
        // The proband's daughter: the proband (a woman here) is her mother.
        (R::Daughter, None, close(D1, Some(LM))),
        (R::Daughter, Some(R::Mother), close(D2, Some(LM))),
        (R::Daughter, Some(R::Father), close(D2, Some(LM))),
        // The proband's children may have different other parents (not recorded): a
        // granddaughter is the daughter's child, niece or half-niece (third degree, side unknown);
        // a son is her brother or half-brother (the more distant degree, on the proband's side).
        (R::Daughter, Some(R::Granddaughter), close(D3, None)),
        (R::Daughter, Some(R::Son), close(D2, Some(LM))),
        (R::Daughter, Some(R::MaternalCousin), nc),
        // A niece: her parent is the proband's sibling, mother or father unknown.
        (R::Niece, None, close(D2, Some(LinkingParent))),
        (R::Niece, Some(R::Sister), close(D2, Some(LinkingParent))),
        (R::Niece, Some(R::Mother), close(D2, Some(LinkingParent))),
        (R::Niece, Some(R::MaternalAunt), close(D3, Some(LinkingParent))),
        (R::Niece, Some(R::MaternalCousin), nc),
    ];
    for (subject, other, expected) in cases {
        assert_eq!(
            kin_between(Some(subject), other, Some(Sex::Female)),
            expected,
            "{subject} sees {other:?}"
        );
    }
    // The proband's sex names the side of the proband's family for the proband's children.
    assert_eq!(
        kin_between(Some(R::Son), None, Some(Sex::Male)),
        close(D1, Some(Line::Paternal))
    );
    assert_eq!(
        kin_between(Some(R::Son), Some(R::Father), None),
        close(D2, Some(Line::LinkingParent))
    );
}

#[test]
fn diagnoses_seen_from_a_relative_keep_only_her_close_relatives() {
    use CancerType::{Breast, Prostate};
    let mut mother = rel(R::Mother, &[(Breast, None)]);
    mother.age = Some(48);
    mother.alive = Some(true);
    let prof = profile(
        &[(Breast, Some(55))],
        vec![
            mother,
            rel(R::Father, &[(Prostate, Some(70))]),
            rel(R::MaternalGrandmother, &[(Breast, Some(70))]),
        ],
    );
    let seen = diagnoses_seen_from(&prof, PersonId::Relative(0));
    let people: Vec<PersonId> = seen.iter().map(|d| d.person).collect();
    // Her own first, then the proband (her child), then her mother; not the father.
    assert_eq!(
        people,
        vec![
            PersonId::Relative(0),
            PersonId::Proband,
            PersonId::Relative(2)
        ]
    );
    assert_eq!(seen[0].seen, None);
    assert_eq!((seen[0].age, seen[0].alive), (Some(48), Some(true)));
    assert_eq!(
        seen[0].who(),
        "mother, maternal side",
        "named in the proband's terms"
    );
    assert_eq!(seen[1].seen.map(|c| c.line), Some(Some(Line::Both)));
    assert_eq!(seen[2].seen.map(|c| c.line), Some(Some(Line::Maternal)));
    assert!(seen[2].in_lineage(Lineage::Maternal) && !seen[2].in_lineage(Lineage::Paternal));
    // From the proband, nothing changes.
    assert_eq!(diagnoses(&prof).len(), 4);
}
