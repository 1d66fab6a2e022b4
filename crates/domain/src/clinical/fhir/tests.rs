use super::import::profile_value;
use super::*;
use crate::clinical::assess::assess;
use crate::clinical::profile::{
    BiradsDensity, BreastDensity, Cancer, DensityMethod, DensityValue, GeneticResult, GeneticTest,
    Histology, Hrt, HrtStatus, Hyperplasia, ReceptorStatus, Relation, Relative, RiskProfile, Sex,
};
use proptest::prelude::*;
use serde_json::{Value, json};
use uuid::Uuid;

const AT: time::OffsetDateTime = time::macros::datetime!(2026-12-01 10:00:00 UTC);
const BRCA: &str = include_str!("../../../../../docs/pedigree/brca-family.json");
const LYNCH: &str = include_str!("../../../../../docs/pedigree/lynch-family.json");

fn pid() -> Uuid {
    Uuid::parse_str("3f2a9c1e-8b7d-4e6f-a5c4-1d2e3f4a5b6c").expect("uuid")
}

fn parse(text: &str) -> RiskProfile {
    let p = RiskProfile::from_json_str(text).expect("parses");
    p.validate().expect("valid");
    p
}

fn resources<'a>(b: &'a Value, t: &str) -> Vec<&'a Value> {
    b["entry"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| &e["resource"])
        .filter(|r| r["resourceType"] == t)
        .collect()
}

fn locs(errors: &[crate::common::FieldError]) -> Vec<String> {
    errors
        .iter()
        .map(|e| serde_json::to_string(&e.loc).unwrap_or_default())
        .collect()
}

#[test]
fn bundle_has_one_resource_per_person_fact_and_model() {
    let p = parse(BRCA);
    let a = assess(&p, AT).expect("assess");
    let b = to_bundle(&p, Some(&a), pid());
    assert_eq!(b["resourceType"], "Bundle");
    assert_eq!(b["type"], "collection");
    assert_eq!(resources(&b, "Patient").len(), 1);
    assert_eq!(resources(&b, "Patient")[0]["id"], pid().to_string());
    assert_eq!(
        resources(&b, "FamilyMemberHistory").len(),
        p.relatives.len()
    );
    assert_eq!(resources(&b, "Condition").len(), p.proband.cancers.len());
    let tests: usize = p
        .relatives
        .iter()
        .map(|r| r.genetic_tests.len())
        .sum::<usize>()
        + p.proband.genetic_tests.len();
    // Genetic tests plus the age observation.
    assert_eq!(resources(&b, "Observation").len(), tests + 1);
    let models = 1
        + usize::from(a.tyrer_cuzick.is_some())
        + usize::from(a.gail.as_ref().is_some_and(|g| g.applicable))
        + usize::from(a.manchester.is_some());
    assert_eq!(resources(&b, "RiskAssessment").len(), models);
    // Every reference resolves inside the bundle; every fullUrl is unique.
    let urls: Vec<&str> = b["entry"]
        .as_array()
        .expect("entries")
        .iter()
        .filter_map(|e| e["fullUrl"].as_str())
        .collect();
    let mut unique = urls.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), urls.len());
    let text = b.to_string();
    for (i, _) in text.match_indices("\"reference\":\"") {
        let rest = &text[i + 13..];
        let r = &rest[..rest.find('"').expect("end")];
        assert!(urls.contains(&r), "{r} dangles");
    }
}

#[test]
fn relatives_carry_standard_codes() {
    let p = parse(BRCA);
    let b = to_bundle(&p, None, pid());
    let fmh = resources(&b, "FamilyMemberHistory");
    let mother = fmh[0];
    assert_eq!(mother["relationship"]["coding"][0]["system"], ROLE_CODE);
    assert_eq!(mother["relationship"]["coding"][0]["code"], "MTH");
    assert_eq!(mother["deceasedAge"]["value"], 52);
    assert_eq!(mother["deceasedAge"]["code"], "a");
    let codes: Vec<&Value> = mother["condition"]
        .as_array()
        .expect("conditions")
        .iter()
        .map(|c| &c["code"]["coding"][0]["code"])
        .collect();
    assert_eq!(codes, [&json!("363443007"), &json!("254837009")]);
    assert_eq!(mother["condition"][0]["onsetAge"]["value"], 49);
    // The mother's parents are reported: the genetics-parent extension names both.
    let parents: Vec<&Value> = mother["extension"]
        .as_array()
        .expect("extensions")
        .iter()
        .filter(|e| e["url"] == super::codes::EXT_PARENT)
        .collect();
    assert_eq!(parents.len(), 2);
    // Her sister (the maternal aunt) and brother (the maternal uncle), with the sibling
    // extension; the aunt names the mother and the uncle back.
    let siblings = |r: &Value| -> Vec<String> {
        r["extension"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .filter(|e| e["url"] == super::codes::EXT_SIBLING)
            .map(|e| {
                format!(
                    "{}",
                    e["extension"][0]["valueCodeableConcept"]["coding"][0]["code"]
                )
            })
            .collect()
    };
    assert_eq!(siblings(mother), ["\"NSIS\"", "\"NBRO\""]);
    assert_eq!(siblings(fmh[7]), ["\"NSIS\"", "\"NBRO\""]);
    assert_eq!(
        siblings(fmh[1]),
        ["\"NBRO\""],
        "the father and the paternal uncle"
    );
    assert!(
        siblings(fmh[4]).is_empty(),
        "the daughter has no reported sibling"
    );
    // The father is alive at 66.
    assert_eq!(fmh[1]["ageAge"]["value"], 66);
    assert_eq!(fmh[1]["deceasedBoolean"], false);
    // The cousin's sex is recorded; her BRCA1 test is an Observation focused on her.
    let cousin = fmh[9];
    assert_eq!(cousin["sex"]["coding"][0]["code"], "female");
    let obs_ref = cousin["extension"][0]["valueReference"]["reference"].clone();
    let obs = b["entry"]
        .as_array()
        .expect("entries")
        .iter()
        .find(|e| e["fullUrl"] == obs_ref)
        .expect("observation");
    assert_eq!(
        obs["resource"]["focus"][0]["reference"],
        json!(format!("urn:uuid:{}", fmh[9]["id"].as_str().expect("id")))
    );
    assert_eq!(
        obs["resource"]["component"][0]["valueCodeableConcept"]["text"],
        "BRCA1"
    );
    assert_eq!(
        obs["resource"]["component"][1]["valueCodeableConcept"]["coding"][0]["code"],
        "LA6668-3"
    );
}

#[test]
fn example_families_come_back_whole() {
    for text in [BRCA, LYNCH] {
        let p = parse(text);
        let a = assess(&p, AT).expect("assess");
        let b = to_bundle(&p, Some(&a), pid());
        let back = from_bundle(&b).expect("imports");
        assert_eq!(back, p);
        // Through JSON text too, as over HTTP.
        let again: Value = serde_json::from_str(&b.to_string()).expect("json");
        assert_eq!(from_bundle(&again).expect("imports"), p);
    }
}

/// Removes genascope's codes and extensions: what a bundle from another system carries.
fn standard_only(b: &mut Value) {
    fn strip(v: &mut Value) {
        match v {
            Value::Object(m) => {
                if let Some(Value::Array(c)) = m.get_mut("coding") {
                    c.retain(|x| !x["system"].as_str().unwrap_or("").contains("genascope"));
                }
                if let Some(Value::Array(e)) = m.get_mut("extension") {
                    e.retain(|x| !x["url"].as_str().unwrap_or("").contains("genascope"));
                }
                m.values_mut().for_each(strip);
            }
            Value::Array(a) => a.iter_mut().for_each(strip),
            _ => {}
        }
    }
    strip(b);
}

#[test]
fn standard_codes_alone_are_enough_where_they_say_enough() {
    // Half-sisters on both sides: the side comes from the genetics-parent extension.
    let mut p = parse(BRCA);
    p.relatives
        .push(Relative::new(Relation::MaternalHalfSister));
    p.relatives
        .push(Relative::new(Relation::PaternalHalfBrother));
    let mut b = to_bundle(&p, None, pid());
    standard_only(&mut b);
    let back = from_bundle(&b).expect("imports");
    let rels: Vec<Relation> = back.relatives.iter().map(|r| r.relation).collect();
    let want: Vec<Relation> = p.relatives.iter().map(|r| r.relation).collect();
    assert_eq!(rels, want);
    // Without a reported parent, a half-sibling's side cannot be told: 422 naming the entry.
    let mut p = RiskProfile::default();
    p.proband.age = Some(40);
    p.relatives
        .push(Relative::new(Relation::MaternalHalfSister));
    p.relatives.push(Relative::new(Relation::PaternalGreatAunt));
    let mut b = to_bundle(&p, None, pid());
    standard_only(&mut b);
    let err = from_bundle(&b).expect_err("cannot place");
    assert_eq!(err.len(), 2);
    let l = locs(&err);
    assert!(
        l.iter()
            .all(|x| x.ends_with("\"resource\",\"relationship\"]")),
        "{l:?}"
    );
    assert!(err[0].msg.contains("side"));
}

#[test]
fn bad_bundles_name_the_entry_and_element() {
    let bad = |v: Value| from_bundle(&v).expect_err("bad");
    let e = bad(json!({"resourceType": "Patient"}));
    assert_eq!(locs(&e), ["[\"resourceType\"]"]);
    let e = bad(json!({"resourceType": "Bundle"}));
    assert_eq!(locs(&e), ["[\"entry\"]"]);
    let e = bad(json!({"resourceType": "Bundle", "entry": []}));
    assert!(e[0].msg.contains("no Patient"));
    let mut p = RiskProfile::default();
    p.proband.age = Some(40);
    let mut r = Relative::new(Relation::Mother);
    r.cancers.push(Cancer::new(
        crate::clinical::profile::CancerType::Breast,
        Some(50),
    ));
    p.relatives.push(r);
    let b = to_bundle(&p, None, pid());
    // An unknown condition code, an onset the import cannot read.
    let mut x = b.clone();
    let k = x["entry"]
        .as_array()
        .expect("e")
        .iter()
        .position(|e| e["resource"]["resourceType"] == "FamilyMemberHistory")
        .expect("fmh");
    x["entry"][k]["resource"]["condition"][0]["code"] =
        json!({"coding": [{"system": SNOMED, "code": "44054006"}]});
    let e = bad(x);
    assert_eq!(
        locs(&e),
        [format!(
            "[\"entry\",{k},\"resource\",\"condition\",\"0\",\"code\"]"
        )]
    );
    let mut x = b.clone();
    let c = &mut x["entry"][k]["resource"]["condition"][0];
    c.as_object_mut().expect("o").remove("onsetAge");
    c["onsetString"] = json!("in her fifties");
    let e = bad(x);
    assert!(locs(&e)[0].ends_with("\"onsetString\"]"));
    // Impossible values are the profile's validation, placed on the entry: a diagnosis after
    // the relative's death.
    let mut x = b.clone();
    x["entry"][k]["resource"]["deceasedAge"] =
        json!({"value": 45, "unit": "a", "system": "http://unitsofmeasure.org", "code": "a"});
    let e = bad(x);
    assert_eq!(locs(&e)[0], format!("[\"entry\",{k},\"resource\"]"));
    assert!(
        e[0].msg.contains("relatives.0.cancers.0.age_at_diagnosis"),
        "{}",
        e[0].msg
    );
    // An age in months is refused, not misread.
    let mut x = b;
    x["entry"][k]["resource"]["deceasedAge"] = json!({"value": 600, "unit": "mo", "code": "mo"});
    assert!(locs(&bad(x))[0].ends_with("\"deceasedAge\"]"));
}

fn result() -> impl Strategy<Value = Option<GeneticResult>> {
    use GeneticResult as G;
    prop::option::of(prop::sample::select(vec![
        G::Pathogenic,
        G::LikelyPathogenic,
        G::Vus,
        G::LikelyBenign,
        G::Benign,
        G::Negative,
    ]))
}

fn tests() -> impl Strategy<Value = Vec<GeneticTest>> {
    prop::collection::vec(
        ("[A-Z][A-Z0-9<&]{0,6}", result()).prop_map(|(gene, result)| GeneticTest { gene, result }),
        0..3,
    )
}

fn cancers() -> impl Strategy<Value = Vec<Cancer>> {
    let receptor = prop::option::of(prop::sample::select(vec![
        ReceptorStatus::Positive,
        ReceptorStatus::Negative,
    ]));
    prop::collection::vec(
        (
            prop::sample::select(super::codes::ALL_SITES.to_vec()),
            prop::option::of(0i32..110),
            prop::option::of(any::<bool>()),
            receptor,
            prop::option::of(1i32..4),
            prop::option::of(Just(Histology::Other)),
        )
            .prop_map(|(t, age, bilateral, er, grade, histology)| {
                let mut c = Cancer::new(t, age);
                c.bilateral = bilateral;
                c.invasive = bilateral.map(|b| !b);
                c.er = er;
                c.grade = grade;
                c.histology = histology;
                c
            }),
        0..3,
    )
}

/// Decimals as clinics record them (one decimal place): JSON text carries them exactly.
fn tenths(range: std::ops::Range<u32>) -> impl Strategy<Value = f64> {
    range.prop_map(|x| f64::from(x) / 10.0)
}

fn sex() -> impl Strategy<Value = Option<Sex>> {
    prop::option::of(prop::sample::select(vec![Sex::Female, Sex::Male]))
}

fn relatives() -> impl Strategy<Value = Vec<Relative>> {
    prop::collection::vec(
        (
            prop::sample::select(Relation::ALL.to_vec()),
            sex(),
            prop::option::of(any::<bool>()),
            prop::option::of(0i32..110),
            cancers(),
            tests(),
        )
            .prop_map(
                |(relation, sex, alive, age, cancers, genetic_tests)| Relative {
                    relation,
                    sex,
                    alive,
                    age,
                    cancers,
                    genetic_tests,
                },
            ),
        0..12,
    )
}

fn proband() -> impl Strategy<Value = crate::clinical::profile::Proband> {
    (
        (
            sex(),
            prop::option::of(0i32..110),
            prop::option::of(any::<bool>()),
            prop::option::of(8i32..20),
            prop::option::of(0i32..6),
        ),
        (
            prop::option::of(tenths(1200..2100)),
            prop::option::of(prop::sample::select(vec![
                Hyperplasia::None,
                Hyperplasia::Atypical,
            ])),
            prop::option::of(any::<bool>()),
            prop::option::of(tenths(0..300)),
            prop::option::of(prop_oneof![
                Just(None),
                tenths(0..1000).prop_map(|x| Some(DensityValue::Percent(x))),
                Just(Some(DensityValue::Birads(BiradsDensity::C)))
            ]),
        ),
        cancers(),
        tests(),
    )
        .prop_map(
            |(
                (sex, age, aj, menarche, births),
                (height, hyper, lcis, hrt_years, density),
                cancers,
                genetic_tests,
            )| {
                let mut p = crate::clinical::profile::Proband {
                    sex,
                    age,
                    ashkenazi_jewish: aj,
                    menarche_age: menarche,
                    live_births: births,
                    height_cm: height,
                    hyperplasia: hyper,
                    lcis,
                    cancers,
                    genetic_tests,
                    ..Default::default()
                };
                p.hrt = hrt_years.map(|y| Hrt {
                    status: Some(HrtStatus::Current),
                    hrt_type: None,
                    years_used: Some(y),
                    years_since_stopped: None,
                    intended_years: Some(y + 1.5),
                });
                p.breast_density = density.map(|value| BreastDensity {
                    method: match value {
                        Some(DensityValue::Birads(_)) => DensityMethod::Birads,
                        _ => DensityMethod::Vas,
                    },
                    value,
                });
                p
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    /// Every field of the profile (what the models read) survives RiskProfile → Bundle → JSON
    /// text → RiskProfile (before validation, so that any profile can be tried).
    #[test]
    fn profile_to_bundle_and_back_is_lossless(proband in proband(), relatives in relatives()) {
        let p = RiskProfile { proband, relatives };
        let b = to_bundle(&p, None, pid());
        let b: Value = serde_json::from_str(&b.to_string()).expect("json");
        let (value, _) = profile_value(&b).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        let back = RiskProfile::from_json_value(&value).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        prop_assert_eq!(back, p);
    }
}
