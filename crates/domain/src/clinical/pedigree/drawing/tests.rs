use super::*;
use crate::clinical::profile::{
    Cancer, CancerType, GeneticResult, GeneticTest, Relation, Relative, RiskProfile, Sex,
};
use proptest::prelude::*;

const BRCA: &str = include_str!("../../../../../../docs/pedigree/brca-family.json");
const LYNCH: &str = include_str!("../../../../../../docs/pedigree/lynch-family.json");
const EXAMPLE: &str = include_str!("../../../../../../docs/pedigree/example-profile.json");

fn parse(text: &str) -> RiskProfile {
    let p = RiskProfile::from_json_str(text).expect("example parses");
    p.validate().expect("example is valid");
    p
}

fn examples() -> Vec<RiskProfile> {
    [BRCA, LYNCH, EXAMPLE].iter().map(|t| parse(t)).collect()
}

/// `who` of every drawn symbol, read back from the SVG (`data-*` attributes).
fn drawn(svg: &str) -> (usize, Vec<usize>, usize) {
    let doc = roxmltree::Document::parse(svg).expect("well-formed SVG");
    let persons: Vec<_> = doc
        .descendants()
        .filter(|n| n.attribute("class") == Some("person"))
        .collect();
    let proband = persons
        .iter()
        .filter(|n| n.attribute("data-proband").is_some())
        .count();
    let mut relatives: Vec<usize> = persons
        .iter()
        .filter_map(|n| n.attribute("data-relative")?.parse().ok())
        .collect();
    relatives.sort_unstable();
    let implied = persons
        .iter()
        .filter(|n| n.attribute("data-implied").is_some())
        .count();
    (proband, relatives, implied)
}

fn assert_rows_do_not_overlap(l: &Layout) {
    for row in &l.rows {
        for w in row.windows(2) {
            let gap = l.nodes[w[1]].x - l.nodes[w[0]].x;
            assert!(gap >= SPACING - 1e-6, "neighbours {gap} apart: {row:?}");
        }
    }
}

#[test]
fn every_relative_and_the_proband_are_drawn_exactly_once() {
    for p in examples() {
        let svg = render_svg(&p);
        let (proband, relatives, _) = drawn(&svg);
        assert_eq!(proband, 1);
        let all: Vec<usize> = (0..p.relatives.len()).collect();
        assert_eq!(relatives, all);
        assert_rows_do_not_overlap(&layout(&p));
    }
}

#[test]
fn implied_people_are_only_those_that_connect_reported_ones() {
    // mother, maternal grandmother, paternal aunt: the father, the maternal grandfather and
    // both paternal grandparents are implied (the aunt needs the father's parents).
    let l = layout(&parse(EXAMPLE));
    let implied = l.nodes.iter().filter(|n| n.who == Who::Implied).count();
    assert_eq!(implied, 4);
    assert_eq!(l.nodes.len(), 1 + 3 + 4);
    // Only the proband: one symbol, no lines.
    let alone = layout(&RiskProfile::default());
    assert_eq!(alone.nodes.len(), 1);
    assert!(alone.unions.is_empty());
}

#[test]
fn generations_are_rows_and_sides_are_left_and_right() {
    let p = parse(LYNCH);
    let l = layout(&p);
    let node = |rel: Relation| {
        let i = p
            .relatives
            .iter()
            .position(|r| r.relation == rel)
            .expect("listed");
        l.nodes
            .iter()
            .find(|n| n.who == Who::Relative(i))
            .expect("drawn")
            .clone()
    };
    let proband = l
        .nodes
        .iter()
        .find(|n| n.who == Who::Proband)
        .expect("proband");
    assert_eq!(proband.row, 3);
    assert_eq!(node(Relation::PaternalGreatGrandmother).row, 0);
    assert_eq!(node(Relation::PaternalGrandmother).row, 1);
    assert_eq!(node(Relation::Father).row, 2);
    assert_eq!(node(Relation::PaternalCousin).row, 3);
    assert_eq!(node(Relation::Son).row, 4);
    assert_eq!(node(Relation::Grandson).row, 5);
    assert!(node(Relation::Father).x < node(Relation::Mother).x);
    assert!(node(Relation::PaternalAunt).x < node(Relation::Father).x);
    assert!(node(Relation::PaternalCousin).x < proband.x);
    assert!(node(Relation::MaternalHalfSister).x > proband.x);
    assert!(node(Relation::MaternalGreatGrandmother).x > node(Relation::Mother).x);
}

#[test]
fn couples_sit_above_their_children() {
    for p in examples() {
        let l = layout(&p);
        for u in &l.unions {
            let mid = (l.nodes[u.left].x + l.nodes[u.right].x) / 2.0;
            let xs: Vec<f64> = u.children.iter().map(|&c| l.nodes[c].x).collect();
            let lo = xs.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            assert!(
                mid >= lo - 1.5 * SPACING && mid <= hi + 1.5 * SPACING,
                "couple at {mid}, children {lo}..{hi}"
            );
            let parent_row = l.nodes[u.left].row;
            assert_eq!(l.nodes[u.right].row, parent_row);
            assert!(u.children.iter().all(|&c| l.nodes[c].row == parent_row + 1));
        }
    }
}

#[test]
fn symbols_marks_and_legend_follow_the_profile() {
    let p = parse(BRCA);
    let svg = render_svg(&p);
    let doc = roxmltree::Document::parse(&svg).expect("well-formed");
    let person = |i: usize| {
        doc.descendants()
            .find(|n| n.attribute("data-relative") == Some(&i.to_string()))
            .expect("drawn")
    };
    // The mother (relative 0): a circle, deceased (a slash), two sites (a clip path + 2 wedges).
    let mother = person(0);
    assert!(mother.descendants().any(|n| n.has_tag_name("circle")));
    assert!(mother.descendants().any(|n| n.has_tag_name("line")));
    assert_eq!(
        mother
            .descendants()
            .filter(|n| n.has_tag_name("path"))
            .count(),
        2
    );
    // The father: a square, alive, unaffected.
    let father = person(1);
    assert!(father.descendants().any(|n| n.has_tag_name("rect")));
    assert!(!father.descendants().any(|n| n.has_tag_name("line")));
    let texts: Vec<String> = doc
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text().map(str::to_owned))
        .collect();
    for t in [
        "Ashkenazi Jewish ancestry: yes",
        "BRCA1 + (P)",
        "BRCA1 −",
        "Breast dx 50, bilat.",
        "d. 52 y",
        "Paternal side",
        "Maternal side",
        "P",
        "IV",
    ] {
        assert!(texts.iter().any(|x| x == t), "{t} missing from {texts:?}");
    }
    for site in ["Breast", "Ovarian", "Prostate", "Pancreatic"] {
        let entry = format!("{site} cancer (dx = age at diagnosis)");
        assert!(texts.contains(&entry), "{entry}");
    }
    assert!(!texts.iter().any(|t| t.starts_with("Colorectal cancer")));
}

#[test]
fn text_from_the_profile_cannot_inject_markup() {
    let mut p = RiskProfile::default();
    p.proband.age = Some(40);
    let mut r = Relative::new(Relation::Sister);
    let evil = r#"</text><script>alert("x")</script>&"#;
    r.genetic_tests.push(GeneticTest {
        gene: evil.to_owned(),
        result: Some(GeneticResult::Pathogenic),
    });
    r.genetic_tests.push(GeneticTest {
        gene: "A\u{0}B\u{1b}C".to_owned(),
        result: None,
    });
    p.relatives.push(r);
    let svg = render_svg(&p);
    let doc = roxmltree::Document::parse(&svg).expect("still well-formed");
    assert!(!doc.descendants().any(|n| n.has_tag_name("script")));
    let texts: Vec<&str> = doc.descendants().filter_map(|n| n.text()).collect();
    assert!(
        texts
            .iter()
            .any(|t| t.starts_with("</text><script>alert(\"x\")</s…"))
    );
    assert!(texts.contains(&"ABC result ?"));
    assert_eq!(escape("<a href='x'>&"), "&lt;a href=&apos;x&apos;&gt;&amp;");
    assert_eq!(escape(&"G".repeat(40)).chars().count(), 29);
}

fn relative_strategy() -> impl Strategy<Value = Relative> {
    (
        prop::sample::select(Relation::ALL.to_vec()),
        prop::option::of(prop::bool::ANY),
        prop::option::of(prop::bool::ANY),
        prop::collection::vec(
            prop::sample::select(vec![
                CancerType::Breast,
                CancerType::Colorectal,
                CancerType::Pancreatic,
                CancerType::Melanoma,
            ]),
            0..3,
        ),
    )
        .prop_map(|(relation, male, alive, sites)| {
            let mut r = Relative::new(relation);
            if relation.fixed_sex() == crate::clinical::pedigree::RelationSex::FromRecord {
                r.sex = male.map(|m| if m { Sex::Male } else { Sex::Female });
            }
            r.alive = alive;
            r.cancers = sites
                .into_iter()
                .map(|t| Cancer::new(t, Some(50)))
                .collect();
            r
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    #[test]
    fn any_family_is_drawn_whole_without_overlap(
        relatives in prop::collection::vec(relative_strategy(), 0..40),
    ) {
        let mut p = RiskProfile::default();
        p.proband.age = Some(40);
        // Unique relations (one mother...) are kept once, as validation requires.
        let mut seen = Vec::new();
        p.relatives = relatives
            .into_iter()
            .filter(|r| !r.relation.is_unique() || {
                let new = !seen.contains(&r.relation);
                seen.push(r.relation);
                new
            })
            .collect();
        let l = layout(&p);
        assert_rows_do_not_overlap(&l);
        let (proband, drawn_rel, _) = drawn(&render_svg(&p));
        prop_assert_eq!(proband, 1);
        prop_assert_eq!(drawn_rel, (0..p.relatives.len()).collect::<Vec<_>>());
    }
}
