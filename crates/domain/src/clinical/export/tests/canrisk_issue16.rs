//! Issue #16: what CanRisk refuses or misreads, item by item.

use serde_json::json;

use super::*;
use canrisk::{CrFile, parse_canrisk};
use ibis::{ibis_record, parse_ibis};

fn rf(f: &CrFile, key: &str) -> Option<String> {
    f.risk_factors
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.clone())
}

fn woman_with(extra: serde_json::Value) -> RiskProfile {
    let mut proband = json!({ "sex": "female", "age": 58 });
    for (k, v) in extra.as_object().expect("object") {
        proband[k] = v.clone();
    }
    profile(json!({ "proband": proband, "relatives": [ { "relation": "mother", "age": 80 } ] }))
}

#[test]
fn item1_post_menopausal_at_unknown_age_writes_no_menopause_line() {
    // bws AgeOfMenopause takes N, NA or an age: `##menopause=Y` fails the whole file.
    let out = to_canrisk_v4_report(&woman_with(json!({ "menopause_status": "post" })), &opts())
        .expect("exports");
    let f = parse_canrisk(&out.content);
    assert_eq!(rf(&f, "menopause"), None, "{}", out.content);
    assert!(!out.content.contains("menopause=Y"));
    assert!(has_note(&out, &["post-menopausal at an unknown age"]));
    // With an age, the age; pre and peri are N (peri with a note); status unknown with an age
    // is post at that age (noted).
    let cases = [
        (
            json!({ "menopause_status": "post", "menopause_age": 51 }),
            Some("51"),
            false,
        ),
        (json!({ "menopause_status": "pre" }), Some("N"), false),
        (json!({ "menopause_status": "peri" }), Some("N"), true),
        (json!({ "menopause_age": 49 }), Some("49"), true),
        (json!({ "menopause_status": "unknown" }), None, false),
    ];
    for (extra, want, noted) in cases {
        let out = to_canrisk_v4_report(&woman_with(extra.clone()), &opts()).expect("exports");
        let f = parse_canrisk(&out.content);
        assert_eq!(rf(&f, "menopause").as_deref(), want, "{extra}");
        assert_eq!(
            has_note(&out, &["Proband (PB; proband): ", "menopaus"]),
            noted,
            "{extra}: {:?}",
            out.notes
        );
    }
}

#[test]
fn item2_volpara_with_a_non_white_ethnicity_drops_the_ethnicity() {
    let uk = CanRiskOptions {
        uk_ethnicity: true,
        ..opts()
    };
    let volpara = json!({ "method": "volpara", "value": 12.5 });
    let out = to_canrisk_v4_report(
        &woman_with(json!({ "ethnicity": "black", "breast_density": volpara })),
        &uk,
    )
    .expect("exports");
    let f = parse_canrisk(&out.content);
    assert_eq!(rf(&f, "volpara").as_deref(), Some("12.5"));
    assert_eq!(rf(&f, "ethnicity"), None);
    assert!(has_note(&out, &["Volpara", "non-White", "not written"]));
    // White with Volpara, and Black with BI-RADS, keep their ethnicity.
    let white = to_canrisk_v4(
        &woman_with(json!({ "ethnicity": "white", "breast_density": volpara })),
        &uk,
    )
    .expect("exports");
    assert_eq!(
        rf(&parse_canrisk(&white), "ethnicity").as_deref(),
        Some("White")
    );
    let birads = to_canrisk_v4(
        &woman_with(json!({ "ethnicity": "black",
                            "breast_density": { "method": "birads", "value": "b" } })),
        &uk,
    )
    .expect("exports");
    let f = parse_canrisk(&birads);
    assert_eq!(
        rf(&f, "ethnicity").as_deref(),
        Some("Black or Black British")
    );
    assert_eq!(rf(&f, "birads").as_deref(), Some("2"));
}

#[test]
fn item3_hoxb13_carriers_are_t_het_and_negatives_s_n() {
    let p = profile(json!({
        "proband": { "sex": "male", "age": 66,
                     "genetic_tests": [ { "gene": "HOXB13", "result": "pathogenic" } ] },
        "relatives": [
            { "relation": "brother", "age": 62,
              "genetic_tests": [ { "gene": "hoxb13", "result": "negative" } ] },
            { "relation": "son", "age": 30,
              "genetic_tests": [ { "gene": "HOXB13", "result": "vus" } ] }
        ]
    }));
    let out = to_canrisk_v4_report(&p, &opts()).expect("exports");
    let f = parse_canrisk(&out.content);
    assert_eq!(f.col("PB", "HOXB13"), "T:HET");
    assert_eq!(f.col("BRO1", "HOXB13"), "S:N");
    assert_eq!(f.col("SON1", "HOXB13"), "0:0");
    assert!(has_note(
        &out,
        &["Proband (PB; proband)", "T:HET", "zygosity"]
    ));
    assert!(has_note(
        &out,
        &["Son (SON1; relatives[1])", "HOXB13 (VUS)", "untested"]
    ));
    // No other gene column ever holds HET.
    for r in &f.rows {
        for g in &CANRISK_V4_GENES[..9] {
            assert!(!r.get(&f.header, g).contains("HET"));
        }
    }
}

#[test]
fn item4_ethnicity_only_on_request_and_never_for_a_male_target() {
    let white = json!({ "ethnicity": "white" });
    let out = to_canrisk_v4_report(&woman_with(white.clone()), &opts()).expect("exports");
    assert_eq!(rf(&parse_canrisk(&out.content), "ethnicity"), None);
    assert!(has_note(
        &out,
        &["ethnicity (White) is not written", "uk_ethnicity"]
    ));
    let uk = CanRiskOptions {
        uk_ethnicity: true,
        ..opts()
    };
    let out = to_canrisk_v4_report(&woman_with(white), &uk).expect("exports");
    assert_eq!(
        rf(&parse_canrisk(&out.content), "ethnicity").as_deref(),
        Some("White")
    );
    assert!(!has_note(&out, &["ethnicity"]), "{:?}", out.notes);
    // A male target: never, with a note when it was asked for.
    let man = profile(json!({ "proband": { "sex": "male", "age": 60, "ethnicity": "white" } }));
    let out = to_canrisk_v4_report(&man, &uk).expect("exports");
    assert!(!out.content.contains("##ethnicity"));
    assert!(has_note(&out, &["male target", "prostate"]));
    // A group with no unambiguous ONS mapping: not written, noted.
    let out = to_canrisk_v4_report(&woman_with(json!({ "ethnicity": "filipino" })), &uk)
        .expect("exports");
    assert!(!out.content.contains("##ethnicity"));
    assert!(has_note(&out, &["Filipino", "no unambiguous"]));
}

/// The family of item 5: every kind of missing age on affected relatives.
fn missing_ages_family() -> RiskProfile {
    profile(json!({
        "proband": { "sex": "female", "age": 35, "ashkenazi_jewish": false },
        "relatives": [
            // Dead at a known age: year of birth unknown.
            { "relation": "maternal_grandmother", "alive": false, "age": 80,
              "cancers": [ { "type": "ovarian", "age_at_diagnosis": 50 } ] },
            // Vital status and age unknown, diagnosis age unknown.
            { "relation": "paternal_aunt", "cancers": [ { "type": "breast" } ] },
            // Dead at an unknown age, diagnosis age unknown.
            { "relation": "paternal_grandmother", "alive": false,
              "cancers": [ { "type": "breast" } ] },
            // Alive, age unknown, diagnosed at 40 (older than her generation's estimate, 35).
            { "relation": "sister", "alive": true, "cancers": [ { "type": "breast", "age_at_diagnosis": 40 } ] },
            // Dead at an unknown age, diagnosed at 85 (above the age-at-death cap of 80).
            { "relation": "maternal_aunt", "alive": false,
              "cancers": [ { "type": "pancreatic", "age_at_diagnosis": 85 } ] },
            // Unaffected, dead at a known age: left out of the likelihood, not estimated.
            { "relation": "father", "alive": false, "age": 70 }
        ]
    }))
}

#[test]
fn item5_affected_people_without_age_or_year_of_birth_are_named() {
    let out = to_canrisk_v4_report(&missing_ages_family(), &opts()).expect("exports");
    let f = parse_canrisk(&out.content);
    assert_eq!(f.col("MGM", "Yob"), "0");
    assert_eq!(f.col("PAU1", "Age"), "0");
    // Every affected person CanRisk would refuse is named, first, as something to fix.
    let must_fix: Vec<&String> = out
        .notes
        .iter()
        .filter(|n| n.starts_with(MUST_FIX))
        .collect();
    assert_eq!(must_fix.len(), 5, "{:#?}", out.notes);
    for id in ["MGM", "PAU1", "PGM", "SIS1", "MAU1"] {
        assert!(
            must_fix.iter().any(|n| n.contains(&format!("({id}; "))),
            "{id}: {must_fix:#?}"
        );
    }
    assert!(out.notes[..5].iter().all(|n| n.starts_with(MUST_FIX)));
    assert!(has_note(&out, &["age at death, 80, not the year"]));
    // The unaffected father is listed as left out, not as blocking.
    assert!(has_note(
        &out,
        &[
            "leaves these unaffected relatives out",
            "Father (FA; relatives[5])"
        ]
    ));
}

#[test]
fn item5_estimates_are_opt_in_follow_the_documented_rules_and_are_noted() {
    let est = CanRiskOptions {
        estimate_missing: true,
        ..opts()
    };
    let out = to_canrisk_v4_report(&missing_ages_family(), &est).expect("exports");
    let f = parse_canrisk(&out.content);
    // Proband born 1991 (2026 - 35).
    let cols = |id: &str| (f.col(id, "Age"), f.col(id, "Yob"), f.col(id, "Dead"));
    let s = |a: &str, y: &str, d: &str| (a.to_owned(), y.to_owned(), d.to_owned());
    // Dead at 80, two generations up: 1991 - 60 = 1931.
    assert_eq!(cols("MGM"), s("80", "1931", "1"));
    // One generation up, alive: born 1961, so 65 in 2026.
    assert_eq!(cols("PAU1"), s("65", "1961", "0"));
    // Two generations up, dead at an unknown age: 95 by now, capped at 80.
    assert_eq!(cols("PGM"), s("80", "1931", "1"));
    // Same generation: 35, raised to her diagnosis at 40.
    assert_eq!(cols("SIS1"), s("40", "1986", "0"));
    // One generation up (1961) but diagnosed at 85: age at death 85, born no later than 1941.
    assert_eq!(cols("MAU1"), s("85", "1941", "1"));
    // The unaffected father is not estimated.
    assert_eq!(cols("FA"), s("70", "0", "1"));
    assert!(
        !out.notes.iter().any(|n| n.starts_with(MUST_FIX)),
        "{:#?}",
        out.notes
    );
    let estimated: Vec<&String> = out
        .notes
        .iter()
        .filter(|n| n.starts_with(ESTIMATED))
        .collect();
    assert_eq!(estimated.len(), 5, "{:#?}", out.notes);
    assert!(has_note(
        &out,
        &[ESTIMATED, "(PGM; relatives[2])", "capped at 80"]
    ));
    assert!(has_note(
        &out,
        &[
            ESTIMATED,
            "(SIS1; relatives[3])",
            "raised to the latest diagnosis age (40)"
        ]
    ));
    assert!(has_note(
        &out,
        &[
            ESTIMATED,
            "(MAU1; relatives[4])",
            "raised to the latest diagnosis age (85)"
        ]
    ));
    // Without the option the same family is untouched.
    let plain = to_canrisk_v4(&missing_ages_family(), &opts()).expect("exports");
    assert_ne!(plain, out.content);
}

#[test]
fn item6_notes_say_what_was_left_out_approximated_or_defaulted() {
    let p = profile(json!({
        "proband": { "sex": "female", "age": 50,
                     "genetic_tests": [ { "gene": "BRCA2", "result": "vus" },
                                        { "gene": "TP53", "result": "pathogenic" },
                                        { "gene": "MLH1", "result": "negative" } ] },
        "relatives": [
            { "relation": "sister", "alive": true, "age": 48,
              "cancers": [ { "type": "breast", "age_at_diagnosis": 44, "invasive": false },
                           { "type": "colorectal", "age_at_diagnosis": 46 } ] },
            { "relation": "father", "alive": true, "age": 75,
              "cancers": [ { "type": "breast", "age_at_diagnosis": 60 },
                           { "type": "breast", "age_at_diagnosis": 70 } ],
              "genetic_tests": [ { "gene": "BRCA2", "result": "pathogenic" } ] },
            { "relation": "mother", "age": 74 }
        ]
    }));
    let out = to_canrisk_v4_report(&p, &opts()).expect("exports");
    let f = parse_canrisk(&out.content);
    let n = |needles: &[&str]| assert!(has_note(&out, needles), "{needles:?}: {:#?}", out.notes);
    // VUS written as untested.
    assert_eq!(f.col("PB", "BRCA2"), "0:0");
    n(&["Proband (PB; proband)", "BRCA2 (VUS)", "untested"]);
    // Genes without a column: a pathogenic one said loudly, others listed.
    n(&["TP53 (pathogenic)", "do not account for this variant"]);
    n(&["MLH1 (negative) has no field"]);
    // DCIS is written as breast cancer, with a note; colorectal has no column.
    assert_eq!(f.col("SIS1", "BC1"), "44");
    n(&["Sister (SIS1; relatives[0])", "DCIS"]);
    n(&[
        "Sister (SIS1; relatives[0])",
        "no field in this file: colorectal cancer at age 46",
    ]);
    // A man's second breast cancer is left out (CanRisk's editor deletes it), and not also
    // called contralateral.
    assert_eq!(f.col("FA", "BC1"), "60");
    assert_eq!(f.col("FA", "BC2"), "0");
    n(&[
        "Father (FA; relatives[1])",
        "second breast cancer in a man is left out",
    ]);
    assert!(!has_note(&out, &["Father", "other breast"]));
    // Defaults: vital status, Ashkenazi ancestry, test type.
    n(&["Vital status unknown, written as alive: Mother (MO; relatives[2])"]);
    n(&["Ashkenazi Jewish ancestry unknown"]);
    n(&["written as S (mutation search)"]);
}

#[test]
fn item7_a_lone_proband_has_placeholder_parents() {
    for sex in ["female", "male"] {
        let p = profile(json!({ "proband": { "sex": sex, "age": 41 } }));
        let f = parse_canrisk(&to_canrisk_v4(&p, &opts()).expect("exports"));
        assert_eq!(f.rows.len(), 3, "{sex}");
        assert_eq!(
            (f.col("PB", "FathID"), f.col("PB", "MothID")),
            ("FA".to_owned(), "MO".to_owned())
        );
        for id in ["FA", "MO"] {
            assert_eq!(f.col(id, "Age"), "0");
            assert_eq!(f.col(id, "Yob"), "0");
            assert_eq!(f.col(id, "FathID"), "0");
        }
    }
    // With only children, no parents are invented (the partner roots the tree).
    let p = profile(json!({ "proband": { "sex": "female", "age": 41 },
                            "relatives": [ { "relation": "son", "age": 12 } ] }));
    let f = parse_canrisk(&to_canrisk_v4(&p, &opts()).expect("exports"));
    assert_eq!(f.col("PB", "FathID"), "0");
}

#[test]
fn item8_a_second_breast_cancer_without_bilateral_is_noted_as_contralateral() {
    let p = profile(json!({
        "proband": { "sex": "female", "age": 45 },
        "relatives": [
            { "relation": "mother", "alive": true, "age": 70,
              "cancers": [ { "type": "breast", "age_at_diagnosis": 48 },
                           { "type": "breast", "age_at_diagnosis": 61 } ] },
            { "relation": "maternal_aunt", "alive": true, "age": 72,
              "cancers": [ { "type": "breast", "age_at_diagnosis": 50, "bilateral": true },
                           { "type": "breast", "age_at_diagnosis": 55 } ] }
        ]
    }));
    let out = to_canrisk_v4_report(&p, &opts()).expect("exports");
    let f = parse_canrisk(&out.content);
    assert_eq!(
        (f.col("MO", "BC1"), f.col("MO", "BC2")),
        ("48".into(), "61".into())
    );
    assert!(has_note(
        &out,
        &[
            "Mother (MO; relatives[0])",
            "at age 61",
            "other breast (BC2)"
        ]
    ));
    // Said to be bilateral: no note.
    assert!(!has_note(&out, &["Maternal aunt", "other breast"]));
    // IBIS writes the same as its bilateral field, with the same note.
    let out = to_ibis_v8_report(&p, "R").expect("ibis");
    let s = parse_ibis(&ibis_record(&out.content));
    assert_eq!(s["mother"], vec![vec![1, 1, 0, 48, 61, -99, 0]]);
    assert!(has_note(
        &out,
        &["Mother (relatives[0])", "other breast (bilateral)"]
    ));
    assert!(!has_note(&out, &["Maternal aunt", "other breast"]));
}
