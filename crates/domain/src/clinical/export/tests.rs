//! Export tests: the files are parsed back structurally (by parsers written here from the format
//! descriptions, independent of the writers) and compared with the reference records quoted in
//! the comments.

use std::collections::{HashMap, HashSet};

use proptest::prelude::*;
use serde_json::json;

use super::*;
use crate::clinical::profile::RiskProfile;

fn profile(v: serde_json::Value) -> RiskProfile {
    serde_json::from_value(v).expect("test profile deserialises")
}

fn opts() -> CanRiskOptions {
    CanRiskOptions::new("FAM1", 2026)
}

/// The example profile of risk-profile.md ("Input: RiskProfile"), as revised: the proband's
/// breast cancer at 33, before her current age of 35.
fn contract_example() -> RiskProfile {
    profile(json!({
      "proband": {
        "sex": "female", "age": 35, "ethnicity": "white", "ashkenazi_jewish": false,
        "menarche_age": 12, "live_births": 1, "first_live_birth_age": 33,
        "menopause_status": "pre", "menopause_age": null, "height_cm": 160, "weight_kg": 60,
        "breast_biopsies": 1, "hyperplasia": "atypical", "lcis": false, "chest_radiation": false,
        "hrt": { "status": "never", "type": null, "years_used": null, "years_since_stopped": null, "intended_years": null },
        "breast_density": { "method": "birads", "value": "c" },
        "cancers": [
          { "type": "breast", "age_at_diagnosis": 33, "bilateral": false, "invasive": true,
            "histology": "ductal", "triple_negative": true, "metastatic": false,
            "er": "negative", "pr": "negative", "her2": "negative", "grade": 3 }
        ],
        "genetic_tests": [ { "gene": "BRCA1", "result": "negative" } ]
      },
      "relatives": [
        { "relation": "mother", "alive": true, "age": 62,
          "cancers": [ { "type": "breast", "age_at_diagnosis": 40 } ], "genetic_tests": [] },
        { "relation": "maternal_grandmother", "alive": false, "age": 80,
          "cancers": [ { "type": "ovarian", "age_at_diagnosis": 50 } ] },
        { "relation": "paternal_aunt", "cancers": [ { "type": "breast", "age_at_diagnosis": null } ] }
      ]
    }))
}

// =============================================================================================
// CanRisk v4: an independent parser of the written file
// =============================================================================================

#[derive(Debug, Clone)]
struct CrRow {
    cols: Vec<String>,
}

impl CrRow {
    fn get(&self, header: &[String], name: &str) -> String {
        let i = header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("column {name} missing"));
        self.cols[i].clone()
    }
}

struct CrFile {
    risk_factors: Vec<(String, String)>,
    header: Vec<String>,
    rows: Vec<CrRow>,
}

impl CrFile {
    fn row(&self, id: &str) -> &CrRow {
        let found: Vec<&CrRow> = self
            .rows
            .iter()
            .filter(|r| r.get(&self.header, "IndivID") == id)
            .collect();
        assert_eq!(found.len(), 1, "IndivID {id} must appear exactly once");
        found[0]
    }

    fn col(&self, id: &str, name: &str) -> String {
        self.row(id).get(&self.header, name)
    }
}

/// Parses and checks every structural rule of clinical.md §4.3 and the bws validator.
fn parse_canrisk(text: &str) -> CrFile {
    assert!(text.ends_with('\n'));
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("##CanRisk 4.0"));
    let mut risk_factors = Vec::new();
    let mut header = Vec::new();
    let mut rows = Vec::new();
    for line in lines {
        if let Some(rest) = line.strip_prefix("##FamID") {
            header = std::iter::once("FamID".to_owned())
                .chain(rest.split('\t').skip(1).map(str::to_owned))
                .collect();
        } else if let Some(kv) = line.strip_prefix("##") {
            assert!(
                header.is_empty(),
                "risk-factor lines come before the column header"
            );
            let (k, v) = kv.split_once('=').expect("##key=value");
            risk_factors.push((k.to_owned(), v.to_owned()));
        } else {
            assert!(!header.is_empty(), "rows come after the column header");
            let cols: Vec<String> = line.split('\t').map(str::to_owned).collect();
            assert_eq!(cols.len(), 28, "row has 28 columns: {line}");
            rows.push(CrRow { cols });
        }
    }
    assert_eq!(header.len(), 28, "column header has 28 columns");
    let f = CrFile {
        risk_factors,
        header,
        rows,
    };
    let h = &f.header;
    // Unique ids, 1..7 alphanumeric; names <= 8.
    let mut ids = HashSet::new();
    let mut sex = HashMap::new();
    for r in &f.rows {
        let id = r.get(h, "IndivID");
        assert!((1..=7).contains(&id.len()) && id.chars().all(|c| c.is_ascii_alphanumeric()));
        assert!(r.get(h, "Name").len() <= 8);
        assert!(ids.insert(id.clone()), "duplicate id {id}");
        sex.insert(id, r.get(h, "Sex"));
        assert_eq!(r.get(h, "FamID"), "FAM1");
    }
    // Exactly one target.
    let targets: Vec<String> = f
        .rows
        .iter()
        .filter(|r| r.get(h, "Target") == "1")
        .map(|r| r.get(h, "IndivID"))
        .collect();
    assert_eq!(targets.len(), 1);
    let target = targets[0].clone();
    // Parents: both or none, present, fathers M, mothers F.
    let mut parent_of: HashMap<String, (String, String)> = HashMap::new();
    for r in &f.rows {
        let (fa, mo) = (r.get(h, "FathID"), r.get(h, "MothID"));
        assert_eq!(fa == "0", mo == "0", "both parents or none: {:?}", r.cols);
        if fa != "0" {
            assert_eq!(
                sex.get(&fa).map(String::as_str),
                Some("M"),
                "father {fa} male"
            );
            assert_eq!(
                sex.get(&mo).map(String::as_str),
                Some("F"),
                "mother {mo} female"
            );
        }
        parent_of.insert(r.get(h, "IndivID"), (fa, mo));
        // Cancer columns: 0, AU or 1..125; ages numeric.
        for c in ["BC1", "BC2", "OC", "PRO", "PAN"] {
            let v = r.get(h, c);
            assert!(
                v == "AU" || v.parse::<u8>().is_ok_and(|a| a <= 125),
                "{c}={v}"
            );
        }
        let age: u32 = r.get(h, "Age").parse().expect("age");
        assert!(age <= 125);
        let yob: i32 = r.get(h, "Yob").parse().expect("yob");
        assert!(yob == 0 || (1850..=2026).contains(&yob));
        if r.get(h, "OC") != "0" {
            assert_eq!(r.get(h, "Sex"), "F");
        }
        if r.get(h, "PRO") != "0" {
            assert_eq!(r.get(h, "Sex"), "M");
        }
        for g in CANRISK_V4_GENES {
            let v = r.get(h, g);
            assert!(
                ["0:0", "S:N", "S:P", "T:N", "T:P", "T:HET"].contains(&v.as_str()),
                "{g}={v}"
            );
        }
        let path = r.get(h, "ER:PR:HER2:CK14:CK56");
        let parts: Vec<&str> = path.split(':').collect();
        assert_eq!(parts.len(), 5);
        assert!(parts.iter().all(|p| ["0", "N", "P"].contains(p)));
        if r.get(h, "BC1") == "0" {
            assert_eq!(path, "0:0:0:0:0", "pathology only with a breast cancer");
        }
    }
    // Everybody connected to the target (same rule as bws Pedigree.unconnected()).
    let mut connected: HashSet<String> = HashSet::from([target.clone()]);
    loop {
        let before = connected.len();
        for (id, (fa, mo)) in &parent_of {
            if connected.contains(id) {
                if fa != "0" {
                    connected.insert(fa.clone());
                    connected.insert(mo.clone());
                }
            } else if connected.contains(fa) || connected.contains(mo) {
                connected.insert(id.clone());
            }
        }
        if connected.len() == before {
            break;
        }
    }
    assert_eq!(connected.len(), f.rows.len(), "all people connected");
    // The target has an age and a year of birth.
    assert_ne!(f.col(&target, "Age"), "0");
    assert_ne!(f.col(&target, "Yob"), "0");
    f
}

#[test]
fn canrisk_rejects_diagnosis_after_age() {
    // The contract's example as first printed: a proband of 35 with a breast cancer "at 45".
    // CanRisk refuses a diagnosis after the age at last follow-up, so the exporter names the field.
    let mut p = contract_example();
    p.proband.cancers[0].age_at_diagnosis = Some(45);
    let err = to_canrisk_v4(&p, &opts()).expect_err("45 > 35");
    assert_eq!(err.path(), "proband.cancers[0].age_at_diagnosis");
}

#[test]
fn canrisk_contract_example_rows() {
    let out = to_canrisk_v4_report(&contract_example(), &opts()).expect("exports");
    let f = parse_canrisk(&out.content);
    // Risk factors (values from the profile; BMI = 60 / 1.60^2 = 23.4375).
    let rf: HashMap<&str, &str> = f
        .risk_factors
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(rf.get("menarche"), Some(&"12"));
    assert_eq!(rf.get("parity"), Some(&"1"));
    assert_eq!(rf.get("first_live_birth"), Some(&"33"));
    assert_eq!(rf.get("mht_use"), Some(&"N"));
    assert_eq!(rf.get("BMI"), Some(&"23.44"));
    assert_eq!(rf.get("menopause"), Some(&"N"));
    assert_eq!(rf.get("birads"), Some(&"3"));
    assert_eq!(rf.get("height"), Some(&"160"));
    // Ethnicity only on request (item 4).
    assert_eq!(rf.get("ethnicity"), None);
    assert_eq!(f.risk_factors.len(), 8);
    // Proband.
    assert_eq!(f.col("PB", "Target"), "1");
    assert_eq!(f.col("PB", "Sex"), "F");
    assert_eq!(f.col("PB", "Age"), "35");
    assert_eq!(f.col("PB", "Yob"), "1991");
    assert_eq!(f.col("PB", "BC1"), "33");
    assert_eq!(f.col("PB", "BC2"), "0");
    assert_eq!(f.col("PB", "FathID"), "FA");
    assert_eq!(f.col("PB", "MothID"), "MO");
    assert_eq!(f.col("PB", "BRCA1"), "S:N");
    assert_eq!(f.col("PB", "BRCA2"), "0:0");
    assert_eq!(f.col("PB", "ER:PR:HER2:CK14:CK56"), "N:N:N:0:0");
    // Mother: alive 62 -> Yob 1964, BC at 40.
    assert_eq!(f.col("MO", "Age"), "62");
    assert_eq!(f.col("MO", "Yob"), "1964");
    assert_eq!(f.col("MO", "Dead"), "0");
    assert_eq!(f.col("MO", "BC1"), "40");
    assert_eq!(f.col("MO", "FathID"), "MGF");
    // Maternal grandmother: dead at 80, OC at 50; year of birth unknown (no year of death).
    assert_eq!(f.col("MGM", "Dead"), "1");
    assert_eq!(f.col("MGM", "Age"), "80");
    assert_eq!(f.col("MGM", "Yob"), "0");
    assert_eq!(f.col("MGM", "OC"), "50");
    // Paternal aunt: breast cancer at unknown age -> AU; parents are the paternal grandparents.
    assert_eq!(f.col("PAU1", "BC1"), "AU");
    assert_eq!(f.col("PAU1", "Age"), "0");
    assert_eq!(f.col("PAU1", "FathID"), "PGF");
    assert_eq!(f.col("PAU1", "MothID"), "PGM");
    // Skeleton: PB, FA, MO, MGF, MGM, PGF, PGM, PAU1.
    assert_eq!(f.rows.len(), 8);
    assert_eq!(f.col("FA", "FathID"), "PGF");
    // Notes name the affected relatives whose age / year of birth CanRisk still needs.
    assert!(out.notes.iter().any(|n| n.contains("relatives[1]")));
    assert!(out.notes.iter().any(|n| n.contains("relatives[2]")));
}

#[test]
fn canrisk_header_matches_reference_file() {
    // Column header line of bws/tests/data/d10.canrisk4 (CCGE-BOADICEA/bws).
    let reference = "##FamID\tName\tTarget\tIndivID\tFathID\tMothID\tSex\tMZtwin\tDead\tAge\tYob\tBC1\tBC2\tOC\tPRO\tPAN\tAshkn\tBRCA1\tBRCA2\tPALB2\tATM\tCHEK2\tBARD1\tRAD51D\tRAD51C\tBRIP1\tHOXB13\tER:PR:HER2:CK14:CK56";
    let p = profile(json!({ "proband": { "sex": "female", "age": 32 } }));
    let text = to_canrisk_v4(&p, &opts()).expect("exports");
    assert!(text.lines().any(|l| l == reference), "{text}");
    // The reference's target row is an unaffected 32-year-old woman ("NIC me 1 PB PF PM F 0 0 32
    // 1993 0 0 0 0 0 0 0:0 ... 0:0:0:0:0", file written in 2025); ours differs only in family id,
    // name, parents (none needed) and the year (reference year 2026 -> 1994).
    // A lone proband has placeholder parents (item 7), so her row names FA and MO.
    let row = text
        .lines()
        .find(|l| l.starts_with("FAM1\tPB\t"))
        .expect("the proband's row");
    let want_tail = "\tF\t0\t0\t32\t1994\t0\t0\t0\t0\t0\t0\t0:0\t0:0\t0:0\t0:0\t0:0\t0:0\t0:0\t0:0\t0:0\t0:0\t0:0:0:0:0";
    assert!(row.ends_with(want_tail), "{row}");
    assert!(row.starts_with("FAM1\tPB\t1\tPB\tFA\tMO\t"), "{row}");
}

#[test]
fn canrisk_children_and_partner() {
    let p = profile(json!({
        "proband": { "sex": "male", "age": 60, "ashkenazi_jewish": true,
                     "cancers": [ { "type": "prostate", "age_at_diagnosis": 55 } ],
                     "genetic_tests": [ { "gene": "hoxb13", "result": "likely_pathogenic" } ] },
        "relatives": [
            { "relation": "daughter", "alive": true, "age": 30 },
            { "relation": "son", "alive": true, "age": 28 },
            { "relation": "granddaughter", "alive": true, "age": 3 }
        ]
    }));
    let f = parse_canrisk(&to_canrisk_v4(&p, &opts()).expect("exports"));
    assert_eq!(f.col("PB", "FathID"), "0", "no parents needed");
    assert_eq!(f.col("PB", "PRO"), "55");
    assert_eq!(f.col("PB", "Ashkn"), "1");
    assert_eq!(f.col("PB", "HOXB13"), "T:HET");
    assert_eq!(f.col("PBP", "Sex"), "F");
    assert_eq!(f.col("DAU1", "FathID"), "PB");
    assert_eq!(f.col("DAU1", "MothID"), "PBP");
    assert_eq!(f.col("SON1", "Yob"), "1998");
    assert_eq!(f.col("GDA1", "MothID"), "CHX");
    // A male target has no women's risk-factor lines.
    assert!(f.risk_factors.is_empty());
}

#[test]
fn canrisk_bilateral_and_second_breast_cancer() {
    let p = profile(json!({
        "proband": { "sex": "female", "age": 70 },
        "relatives": [
            { "relation": "sister", "age": 66,
              "cancers": [ { "type": "breast", "age_at_diagnosis": 50, "bilateral": true } ] },
            { "relation": "sister", "age": 68,
              "cancers": [ { "type": "breast", "age_at_diagnosis": 61 },
                           { "type": "breast", "age_at_diagnosis": 44, "er": "positive" } ] },
            { "relation": "niece", "age": 40,
              "cancers": [ { "type": "ovarian", "age_at_diagnosis": 39, "histology": "germ_cell" } ] }
        ]
    }));
    let out = to_canrisk_v4_report(&p, &opts()).expect("exports");
    let f = parse_canrisk(&out.content);
    assert_eq!(
        (f.col("SIS1", "BC1"), f.col("SIS1", "BC2")),
        ("50".into(), "50".into())
    );
    assert_eq!(
        (f.col("SIS2", "BC1"), f.col("SIS2", "BC2")),
        ("44".into(), "61".into())
    );
    assert_eq!(f.col("SIS2", "ER:PR:HER2:CK14:CK56"), "P:0:0:0:0");
    // Niece hangs from a placeholder sibling; the germ-cell tumour is not written.
    assert_eq!(f.col("NIE1", "MothID"), "SIBX");
    assert_eq!(f.col("SIBX", "MothID"), "MO");
    assert_eq!(f.col("NIE1", "OC"), "0");
    assert!(
        out.notes
            .iter()
            .any(|n| n.contains("relatives[2]") && n.contains("germ-cell"))
    );
}

#[test]
fn canrisk_errors_name_fields() {
    let base = |rels: serde_json::Value| {
        profile(json!({ "proband": { "sex": "female", "age": 40 }, "relatives": rels }))
    };
    let cases = [
        (
            base(json!([{ "relation": "maternal_cousin" }])),
            "relatives[0].sex",
        ),
        (
            base(json!([{ "relation": "mother" }, { "relation": "mother" }])),
            "relatives[1].relation",
        ),
        (
            base(json!([{ "relation": "brother", "cancers": [ { "type": "ovarian" } ] }])),
            "relatives[0].cancers[0].type",
        ),
        (
            base(json!([{ "relation": "sister", "age": 30,
                          "cancers": [ { "type": "breast", "age_at_diagnosis": 31 } ] }])),
            "relatives[0].cancers[0].age_at_diagnosis",
        ),
        (
            base(json!([{ "relation": "sister", "age": -1 }])),
            "relatives[0].age",
        ),
        (
            base(json!([{ "relation": "father", "sex": "female" }])),
            "relatives[0].sex",
        ),
    ];
    for (p, path) in cases {
        assert_eq!(to_canrisk_v4(&p, &opts()).expect_err(path).path(), path);
    }
    let no_age = profile(json!({ "proband": { "sex": "female" } }));
    assert_eq!(
        to_canrisk_v4(&no_age, &opts()).expect_err("age").path(),
        "proband.age"
    );
    let ok = base(json!([]));
    for bad in ["", "TOOLONGID", "a-b", "000"] {
        let o = CanRiskOptions::new(bad, 2026);
        assert_eq!(to_canrisk_v4(&ok, &o).expect_err(bad).path(), "family_id");
    }
}

// ---- issue #16: what CanRisk refuses or misreads, item by item ------------------------------

fn has_note(out: &ExportOutput, needles: &[&str]) -> bool {
    out.notes
        .iter()
        .any(|n| needles.iter().all(|needle| n.contains(needle)))
}

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

#[test]
fn ibis_notes_say_what_was_defaulted_or_left_out() {
    let p = profile(json!({
        "proband": { "sex": "female", "age": 52,
                     "hrt": { "status": "current" },
                     "genetic_tests": [ { "gene": "PALB2", "result": "pathogenic" },
                                        { "gene": "BRCA1", "result": "vus" } ] },
        "relatives": [
            { "relation": "brother", "genetic_tests": [ { "gene": "BRCA2", "result": "pathogenic" } ] },
            { "relation": "sister", "age": 50,
              "cancers": [ { "type": "breast", "age_at_diagnosis": 47, "invasive": false } ] }
        ]
    }));
    let out = to_ibis_v8_report(&p, "R").expect("ibis");
    let n = |needles: &[&str]| assert!(has_note(&out, needles), "{needles:?}: {:#?}", out.notes);
    n(&["Proband (proband)", "parity written as 2"]);
    n(&["Proband (proband)", "biopsy history unknown"]);
    n(&["Proband (proband)", "LCIS unknown"]);
    n(&["Proband (proband)", "Ashkenazi"]);
    n(&["Proband (proband)", "HRT type unknown: written as combined"]);
    n(&["Proband (proband)", "years of HRT use unknown"]);
    n(&["Proband (proband)", "intended years"]);
    n(&["PALB2 (pathogenic)", "do not account for this variant"]);
    n(&["BRCA1 (VUS)", "untested"]);
    n(&["Brother (relatives[0])", "only the father's test"]);
    n(&["Sister (relatives[1])", "DCIS"]);
    // Nothing is said about HRT use itself: it is known.
    assert!(!has_note(&out, &["HRT use unknown: written as never"]));
}

#[test]
fn export_entry_point_and_formats() {
    assert_eq!(
        ExportFormat::parse(" CanRisk4 "),
        Some(ExportFormat::CanRisk4)
    );
    assert_eq!(ExportFormat::parse("ibis8"), Some(ExportFormat::Ibis8));
    assert_eq!(ExportFormat::parse("canrisk"), None);
    assert_eq!(
        ExportFormat::Ibis8.filename("P1a2b3c4"),
        "P1a2b3c4_ibis8.txt"
    );
    let p = profile(json!({ "proband": { "sex": "female", "age": 40 } }));
    let o = ExportOptions {
        estimate_missing: true,
        uk_ethnicity: true,
        ..ExportOptions::new("F1", 2026)
    };
    let c = export(&p, ExportFormat::CanRisk4, &o).expect("canrisk");
    assert!(c.content.starts_with("##CanRisk 4.0\n"));
    let i = export(&p, ExportFormat::Ibis8, &o).expect("ibis");
    assert!(i.content.starts_with("v8\n1\nF1\t40\t"));
    assert!(
        i.notes
            .iter()
            .any(|n| n.contains("estimate_missing has no effect"))
    );
    assert!(
        i.notes
            .iter()
            .any(|n| n.contains("uk_ethnicity has no effect"))
    );
    // The family id rule holds for both formats.
    for f in ExportFormat::ALL {
        assert_eq!(
            export(&p, f, &ExportOptions::new("a b", 2026))
                .expect_err("bad id")
                .path(),
            "family_id"
        );
    }
    // A batch file: header, count, one record per line.
    let r1 = ibis_v8_record(&p, "A1").expect("record");
    let r2 = ibis_v8_record(&p, "A2").expect("record");
    let file = ibis_v8_file(&[r1.content, r2.content]);
    let lines: Vec<&str> = file.lines().collect();
    assert_eq!(&lines[..2], &["v8", "2"]);
    assert!(lines[2].starts_with("A1\t") && lines[3].starts_with("A2\t"));
}

// ---- property: any family of every relation round-trips ----------------------------------

const RELATIONS: [&str; 28] = [
    "mother",
    "father",
    "sister",
    "brother",
    "daughter",
    "son",
    "maternal_half_sister",
    "maternal_half_brother",
    "paternal_half_sister",
    "paternal_half_brother",
    "maternal_grandmother",
    "maternal_grandfather",
    "paternal_grandmother",
    "paternal_grandfather",
    "maternal_aunt",
    "maternal_uncle",
    "paternal_aunt",
    "paternal_uncle",
    "niece",
    "nephew",
    "granddaughter",
    "grandson",
    "maternal_cousin",
    "paternal_cousin",
    "maternal_great_grandmother",
    "paternal_great_grandmother",
    "maternal_great_aunt",
    "paternal_great_aunt",
];

fn is_female(rel: &str, cousin_female: bool) -> bool {
    match rel {
        "maternal_cousin" | "paternal_cousin" => cousin_female,
        r => [
            "mother",
            "sister",
            "daughter",
            "maternal_half_sister",
            "paternal_half_sister",
            "maternal_grandmother",
            "paternal_grandmother",
            "maternal_aunt",
            "paternal_aunt",
            "niece",
            "granddaughter",
            "maternal_great_grandmother",
            "paternal_great_grandmother",
            "maternal_great_aunt",
            "paternal_great_aunt",
        ]
        .contains(&r),
    }
}

/// The id scheme documented in canrisk.rs (single relations are fixed anchors; the others are
/// numbered in order of appearance).
fn expected_ids(rels: &[&str]) -> Vec<String> {
    let prefix = |r: &str| -> &'static str {
        match r {
            "sister" => "SIS",
            "brother" => "BRO",
            "daughter" => "DAU",
            "son" => "SON",
            "maternal_half_sister" => "MHS",
            "maternal_half_brother" => "MHB",
            "paternal_half_sister" => "PHS",
            "paternal_half_brother" => "PHB",
            "maternal_aunt" => "MAU",
            "maternal_uncle" => "MUN",
            "paternal_aunt" => "PAU",
            "paternal_uncle" => "PUN",
            "niece" => "NIE",
            "nephew" => "NEP",
            "granddaughter" => "GDA",
            "grandson" => "GSO",
            "maternal_cousin" => "MCO",
            "paternal_cousin" => "PCO",
            "maternal_great_aunt" => "MGA",
            "paternal_great_aunt" => "PGA",
            _ => "",
        }
    };
    let mut n: HashMap<&str, usize> = HashMap::new();
    let mut ggm = [0usize; 2];
    rels.iter()
        .map(|r| match *r {
            "mother" => "MO".to_owned(),
            "father" => "FA".to_owned(),
            "maternal_grandmother" => "MGM".to_owned(),
            "maternal_grandfather" => "MGF".to_owned(),
            "paternal_grandmother" => "PGM".to_owned(),
            "paternal_grandfather" => "PGF".to_owned(),
            "maternal_great_grandmother" => {
                ggm[0] += 1;
                format!("MGGM{}", ggm[0])
            }
            "paternal_great_grandmother" => {
                ggm[1] += 1;
                format!("PGGM{}", ggm[1])
            }
            other => {
                let p = prefix(other);
                let k = n.entry(p).or_insert(0);
                *k += 1;
                format!("{p}{k}")
            }
        })
        .collect()
}

#[derive(Debug, Clone)]
struct GenRel {
    rel: usize,
    cousin_female: bool,
    alive: Option<bool>,
    age: Option<i32>,
    breast: Option<Option<i32>>,
    ovarian: Option<Option<i32>>,
    pancreatic: Option<i32>,
}

fn gen_rel() -> impl Strategy<Value = GenRel> {
    (
        0usize..28,
        any::<bool>(),
        proptest::option::of(any::<bool>()),
        proptest::option::of(60i32..=100),
        proptest::option::of(proptest::option::of(20i32..=59)),
        proptest::option::of(proptest::option::of(20i32..=59)),
        proptest::option::of(20i32..=59),
    )
        .prop_map(
            |(rel, cousin_female, alive, age, breast, ovarian, pancreatic)| GenRel {
                rel,
                cousin_female,
                alive,
                age,
                breast,
                ovarian,
                pancreatic,
            },
        )
}

/// Drops second copies of single relations and third great-grandmothers on a side.
fn legal(rels: Vec<GenRel>) -> Vec<GenRel> {
    let mut seen = HashSet::new();
    let mut ggm = [0; 2];
    rels.into_iter()
        .filter(|g| match RELATIONS[g.rel] {
            r @ ("mother"
            | "father"
            | "maternal_grandmother"
            | "maternal_grandfather"
            | "paternal_grandmother"
            | "paternal_grandfather") => seen.insert(r),
            "maternal_great_grandmother" => {
                ggm[0] += 1;
                ggm[0] <= 2
            }
            "paternal_great_grandmother" => {
                ggm[1] += 1;
                ggm[1] <= 2
            }
            _ => true,
        })
        .collect()
}

fn gen_profile(rels: &[GenRel]) -> RiskProfile {
    let relatives: Vec<serde_json::Value> = rels
        .iter()
        .map(|g| {
            let name = RELATIONS[g.rel];
            let female = is_female(name, g.cousin_female);
            let mut cancers = Vec::new();
            if let Some(a) = g.breast {
                cancers.push(json!({ "type": "breast", "age_at_diagnosis": a }));
            }
            if let (Some(a), true) = (g.ovarian, female) {
                cancers.push(json!({ "type": "ovarian", "age_at_diagnosis": a }));
            }
            if let Some(a) = g.pancreatic {
                cancers.push(json!({ "type": "pancreatic", "age_at_diagnosis": a }));
            }
            json!({
                "relation": name,
                "sex": if female { "female" } else { "male" },
                "alive": g.alive, "age": g.age, "cancers": cancers
            })
        })
        .collect();
    profile(json!({
        "proband": { "sex": "female", "age": 45 },
        "relatives": relatives
    }))
}

fn dx_text(a: Option<Option<i32>>) -> String {
    match a {
        None => "0".to_owned(),
        Some(None) => "AU".to_owned(),
        Some(Some(a)) => a.to_string(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Every relative appears exactly once under its documented id, with its age, vital status,
    /// year of birth and diagnosis ages as given; the file passes every structural rule.
    #[test]
    fn canrisk_round_trip(rels in proptest::collection::vec(gen_rel(), 0..25)) {
        let rels = legal(rels);
        let p = gen_profile(&rels);
        let text = to_canrisk_v4(&p, &opts()).expect("a legal family exports");
        let f = parse_canrisk(&text);
        let names: Vec<&str> = rels.iter().map(|g| RELATIONS[g.rel]).collect();
        let ids = expected_ids(&names);
        for (g, id) in rels.iter().zip(&ids) {
            let age = g.age.map_or("0".to_owned(), |a| a.to_string());
            prop_assert_eq!(f.col(id, "Age"), age);
            let dead = g.alive == Some(false);
            prop_assert_eq!(f.col(id, "Dead"), if dead { "1" } else { "0" });
            let yob = match (g.age, dead) {
                (Some(a), false) => (2026 - a).to_string(),
                _ => "0".to_owned(),
            };
            prop_assert_eq!(f.col(id, "Yob"), yob);
            prop_assert_eq!(f.col(id, "BC1"), dx_text(g.breast));
            let female = is_female(RELATIONS[g.rel], g.cousin_female);
            prop_assert_eq!(f.col(id, "Sex"), if female { "F" } else { "M" });
            let oc = if female { dx_text(g.ovarian) } else { "0".to_owned() };
            prop_assert_eq!(f.col(id, "OC"), oc);
            prop_assert_eq!(f.col(id, "PAN"), dx_text(g.pancreatic.map(Some)));
        }
        // Rows beyond the relatives and the proband are placeholders with nothing known.
        let listed: HashSet<&String> = ids.iter().collect();
        for r in &f.rows {
            let id = r.get(&f.header, "IndivID");
            if id != "PB" && !listed.contains(&id) {
                prop_assert_eq!(r.get(&f.header, "Age"), "0");
                prop_assert_eq!(r.get(&f.header, "BC1"), "0");
            }
        }
    }
}

// =============================================================================================
// IBIS v8
// =============================================================================================

/// The reference records (Xiaoxue-Zheng/bcra, tc_test_files/test_cases/algorithmoutputs/TST_1,
/// TST_5, TST_10.txt: inputs run through IBIS v8.0b). Tokens are tab-separated.
const TST_1: &str = "TST_1 35 12 0 0 0 -99 1.70 60 0 0 0 0 0 -99 0 0 1 0 0 0 0 0 \
                     0 0 0 -99 -99 -99 0 0 0 0 0 -99 -99 -99 0 0 0 0 -99 -99 -99 0 0 1 \
                     1 0 0 55 -99 -99 0 0 0 0 0 0 1 0 0 0 0 0 0 -99 0";
const TST_5: &str = "TST_5 36 12 1 30 0 -99 1.60 60 0 0 0 0 0 -99 0 0 1 0 0 0 0 0 \
                     1 0 0 40 -99 -99 0 0 0 0 0 -99 -99 -99 0 1 0 0 50 -99 -99 0 \
                     0 0 0 0 0 0 0 0 0 0 0 0 0 -99 0";
const TST_10: &str = "TST_10 39 12 1 30 0 -99 1.70 60 0 0 0 0 0 -99 1 0 1 0 0 0 0 0 \
                      0 0 0 -99 -99 -99 0 0 0 0 0 -99 -99 -99 0 0 0 1 -99 -99 50 0 \
                      0 0 0 0 0 0 0 0 0 0 0 0 0 -99 0";

fn ibis_record(text: &str) -> Vec<String> {
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert_eq!(lines[0], "v8");
    assert_eq!(lines[1], "1");
    lines[2].split('\t').map(str::to_owned).collect()
}

fn tokens(reference: &str) -> Vec<String> {
    reference.split_whitespace().map(str::to_owned).collect()
}

fn woman(age: i32, births: i32, height: i32, ashkenazi: bool) -> serde_json::Value {
    json!({ "sex": "female", "age": age, "menarche_age": 12, "live_births": births,
            "first_live_birth_age": if births > 0 { Some(30) } else { None },
            "menopause_status": "pre", "height_cm": height, "weight_kg": 60,
            "ashkenazi_jewish": ashkenazi })
}

#[test]
fn ibis_reproduces_reference_records() {
    // TST_1: maternal aunt with breast cancer at 55.
    let p1 = profile(json!({ "proband": woman(35, 0, 170, false), "relatives": [
        { "relation": "maternal_aunt", "cancers": [ { "type": "breast", "age_at_diagnosis": 55 } ] }
    ]}));
    assert_eq!(
        ibis_record(&to_ibis_v8(&p1, "TST_1").expect("ok")),
        tokens(TST_1)
    );
    // TST_5: mother breast cancer at 40, maternal grandmother breast cancer at 50.
    let p5 = profile(json!({ "proband": woman(36, 1, 160, false), "relatives": [
        { "relation": "mother", "cancers": [ { "type": "breast", "age_at_diagnosis": 40 } ] },
        { "relation": "maternal_grandmother", "cancers": [ { "type": "breast", "age_at_diagnosis": 50 } ] }
    ]}));
    assert_eq!(
        ibis_record(&to_ibis_v8(&p5, "TST_5").expect("ok")),
        tokens(TST_5)
    );
    // TST_10: Ashkenazi; maternal grandmother ovarian cancer at 50.
    let p10 = profile(json!({ "proband": woman(39, 1, 170, true), "relatives": [
        { "relation": "maternal_grandmother", "cancers": [ { "type": "ovarian", "age_at_diagnosis": 50 } ] }
    ]}));
    assert_eq!(
        ibis_record(&to_ibis_v8(&p10, "TST_10").expect("ok")),
        tokens(TST_10)
    );
}

#[test]
fn ibis_empty_record_has_60_tokens() {
    // clinical.md §1.4: "An empty record has 60 tokens."
    let p = profile(json!({ "proband": { "sex": "female", "age": 40 } }));
    let t = ibis_record(&to_ibis_v8(&p, "X1").expect("ok"));
    assert_eq!(t.len(), 60);
    // Unknown woman fields use the documented codes.
    assert_eq!(t[2], "-99", "menarche unknown");
    assert_eq!(t[3], "2", "parity unknown");
    assert_eq!(t[5], "3", "menopause unknown");
}

/// Walks an IBIS record in the order of clinical.md §1.4; returns the blocks by slot name.
/// Panics if the structure does not consume exactly every token.
fn parse_ibis(t: &[String]) -> HashMap<&'static str, Vec<Vec<i32>>> {
    let nums: Vec<i32> = t[1..]
        .iter()
        .map(|s| s.parse::<f64>().expect("numeric") as i32)
        .collect();
    let mut i = 22; // after the 22 numeric woman fields
    let mut out: HashMap<&'static str, Vec<Vec<i32>>> = HashMap::new();
    let take = |n: usize, i: &mut usize| -> Vec<i32> {
        let v = nums[*i..*i + n].to_vec();
        *i += n;
        v
    };
    let list = |name: &'static str, i: &mut usize, out: &mut HashMap<_, Vec<Vec<i32>>>| {
        let n = take(1, i)[0] as usize;
        for _ in 0..n {
            let b = take(7, i);
            out.entry(name).or_default().push(b);
        }
        n
    };
    let block = |name: &'static str, i: &mut usize, out: &mut HashMap<_, Vec<Vec<i32>>>| {
        let b = nums[*i..*i + 7].to_vec();
        *i += 7;
        out.entry(name).or_default().push(b);
    };
    block("mother", &mut i, &mut out);
    let sisters = list("sister", &mut i, &mut out);
    block("pgm", &mut i, &mut out);
    block("mgm", &mut i, &mut out);
    let pa = list("paternal_aunt", &mut i, &mut out);
    let ma = list("maternal_aunt", &mut i, &mut out);
    list("daughter", &mut i, &mut out);
    let mothers = nums[i] as usize;
    i += 1;
    for _ in 0..sisters {
        list("sister_daughter", &mut i, &mut out);
    }
    if mothers > sisters {
        list("niece", &mut i, &mut out);
    }
    list("paternal_half_sister", &mut i, &mut out);
    list("maternal_half_sister", &mut i, &mut out);
    assert_eq!(nums[i] as usize, pa);
    i += 1;
    for _ in 0..pa {
        list("paternal_aunt_daughter", &mut i, &mut out);
    }
    assert_eq!(nums[i] as usize, ma);
    i += 1;
    for _ in 0..ma {
        list("maternal_aunt_daughter", &mut i, &mut out);
    }
    for name in ["paternal_cousin", "maternal_cousin"] {
        let flag = nums[i];
        i += 1;
        if flag == 1 {
            list(name, &mut i, &mut out);
        }
    }
    out.insert("final", vec![nums[i..].to_vec()]);
    assert_eq!(nums.len() - i, 5, "5 trailing fields");
    out
}

#[test]
fn ibis_every_slot_parses_back() {
    let p = profile(json!({
        "proband": { "sex": "female", "age": 40, "genetic_tests": [ { "gene": "BRCA2", "result": "negative" } ] },
        "relatives": [
            { "relation": "mother", "age": 70, "cancers": [ { "type": "breast", "age_at_diagnosis": 52, "bilateral": true } ] },
            { "relation": "father", "cancers": [ { "type": "breast", "age_at_diagnosis": 66 } ],
              "genetic_tests": [ { "gene": "BRCA2", "result": "pathogenic" } ] },
            { "relation": "sister", "age": 44 },
            { "relation": "sister", "age": 38, "cancers": [ { "type": "ovarian", "age_at_diagnosis": 37 } ] },
            { "relation": "brother", "cancers": [ { "type": "prostate", "age_at_diagnosis": 50 } ] },
            { "relation": "paternal_grandmother", "alive": false, "age": 91 },
            { "relation": "maternal_grandmother", "cancers": [ { "type": "breast", "age_at_diagnosis": 48 },
                                                             { "type": "breast", "age_at_diagnosis": 60 } ] },
            { "relation": "paternal_aunt", "age": 72 },
            { "relation": "maternal_aunt", "age": 68 },
            { "relation": "maternal_aunt", "cancers": [ { "type": "breast" } ] },
            { "relation": "daughter", "age": 15 },
            { "relation": "niece", "age": 12 },
            { "relation": "paternal_half_sister", "age": 30 },
            { "relation": "maternal_half_sister", "age": 33,
              "genetic_tests": [ { "gene": "BRCA1", "result": "likely_pathogenic" } ] },
            { "relation": "paternal_cousin", "sex": "female", "age": 41 },
            { "relation": "maternal_cousin", "sex": "female", "age": 39 },
            { "relation": "maternal_cousin", "sex": "male", "age": 35 },
            { "relation": "granddaughter", "age": 1 }
        ]
    }));
    let out = to_ibis_v8_report(&p, "R1").expect("ok");
    let t = ibis_record(&out.content);
    // Woman: own BRCA2 test negative -> 1; father's BRCA2 pathogenic -> 3.
    assert_eq!(t[21], "1", "field 22: own test");
    assert_eq!(t[22], "3", "field 23: father's test");
    let s = parse_ibis(&t);
    assert_eq!(s["mother"], vec![vec![1, 1, 0, 52, 52, -99, 0]]);
    assert_eq!(
        s["sister"],
        vec![
            vec![0, 0, 0, 44, -99, -99, 0],
            vec![0, 0, 1, 38, -99, 37, 0]
        ]
    );
    assert_eq!(s["pgm"], vec![vec![0, 0, 0, 91, -99, -99, 0]]);
    assert_eq!(s["mgm"], vec![vec![1, 1, 0, 48, 60, -99, 0]]);
    assert_eq!(s["paternal_aunt"].len(), 1);
    assert_eq!(
        s["maternal_aunt"],
        vec![
            vec![0, 0, 0, 68, -99, -99, 0],
            vec![1, 0, 0, -99, -99, -99, 0]
        ]
    );
    assert_eq!(s["daughter"], vec![vec![0, 0, 0, 15, -99, -99, 0]]);
    assert_eq!(s["niece"], vec![vec![0, 0, 0, 12, -99, -99, 0]]);
    assert!(
        !s.contains_key("sister_daughter"),
        "nieces are never attributed to a sister"
    );
    assert_eq!(
        s["paternal_half_sister"],
        vec![vec![0, 0, 0, 30, -99, -99, 0]]
    );
    assert_eq!(
        s["maternal_half_sister"],
        vec![vec![0, 0, 0, 33, -99, -99, 2]]
    );
    assert_eq!(s["paternal_cousin"], vec![vec![0, 0, 0, 41, -99, -99, 0]]);
    assert_eq!(s["maternal_cousin"], vec![vec![0, 0, 0, 39, -99, -99, 0]]);
    // Father BC 1, brother BC 0 (prostate only), no density, no SNP.
    assert_eq!(s["final"], vec![vec![1, 0, 0, -99, 0]]);
    // Left out with a note: the granddaughter (IBIS has no slot).
    assert!(out.notes.iter().any(|n| n.contains("relatives[17]")));
}

#[test]
fn ibis_errors_name_fields() {
    let male = profile(json!({ "proband": { "sex": "male", "age": 40 } }));
    assert_eq!(
        to_ibis_v8(&male, "A").expect_err("male").path(),
        "proband.sex"
    );
    let affected = profile(json!({ "proband": { "sex": "female", "age": 40,
        "cancers": [ { "type": "colorectal" }, { "type": "breast", "age_at_diagnosis": 39 } ] } }));
    assert_eq!(
        to_ibis_v8(&affected, "A").expect_err("bc").path(),
        "proband.cancers[1]"
    );
    let two = profile(json!({ "proband": { "sex": "female", "age": 40 },
        "relatives": [ { "relation": "maternal_grandmother" }, { "relation": "maternal_grandmother" } ] }));
    assert_eq!(
        to_ibis_v8(&two, "A").expect_err("two").path(),
        "relatives[1].relation"
    );
    let ok = profile(json!({ "proband": { "sex": "female", "age": 40 } }));
    assert_eq!(to_ibis_v8(&ok, "a b").expect_err("id").path(), "record_id");
    assert_eq!(to_ibis_v8(&ok, "").expect_err("id").path(), "record_id");
}

#[test]
fn ibis_woman_field_codes() {
    let p = profile(json!({ "proband": {
        "sex": "female", "age": 55, "menarche_age": 13, "live_births": 3, "first_live_birth_age": 24,
        "menopause_status": "post", "menopause_age": 51, "height_cm": 165, "weight_kg": 70.5,
        "breast_biopsies": 2, "hyperplasia": "atypical", "lcis": true,
        "cancers": [ { "type": "ovarian", "age_at_diagnosis": 50 } ],
        "hrt": { "status": "current", "type": "estrogen_only", "years_used": 4.5, "intended_years": 2 },
        "breast_density": { "method": "vas", "value": 35 }
    }}));
    let t = ibis_record(&to_ibis_v8(&p, "W").expect("ok"));
    let want = [
        "W", "55", "13", "1", "24", "2", "51", "1.65", "70.5", "1", "1", "1", "0", "1", "50", "0",
        "3", "0", "4.5", "2", "0", "0", "0",
    ];
    assert_eq!(&t[..23], &want);
    assert_eq!(&t[t.len() - 5..], &["0", "0", "1", "35", "0"]);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// The record length follows the §1.4 structure (60 tokens empty; 7 per placed relative,
    /// plus the per-sister / per-aunt daughter counts and the niece / cousin group headers), and
    /// the record parses back completely with every female relative in its slot.
    #[test]
    fn ibis_structure_round_trip(rels in proptest::collection::vec(gen_rel(), 0..25)) {
        let rels = legal(rels);
        let p = gen_profile(&rels);
        let t = ibis_record(&to_ibis_v8(&p, "P").expect("a legal family exports"));
        let count = |name: &str| rels.iter().filter(|g| {
            RELATIONS[g.rel] == name && is_female(name, g.cousin_female)
        }).count();
        let group = |n: usize| if n > 0 { 1 + 7 * n } else { 0 };
        let want = 60
            + 8 * (count("sister") + count("paternal_aunt") + count("maternal_aunt"))
            + 7 * (count("daughter") + count("paternal_half_sister") + count("maternal_half_sister"))
            + group(count("niece"))
            + group(count("paternal_cousin"))
            + group(count("maternal_cousin"));
        prop_assert_eq!(t.len(), want);
        let s = parse_ibis(&t);
        for (slot, rel) in [
            ("sister", "sister"), ("paternal_aunt", "paternal_aunt"),
            ("maternal_aunt", "maternal_aunt"), ("daughter", "daughter"), ("niece", "niece"),
            ("paternal_half_sister", "paternal_half_sister"),
            ("maternal_half_sister", "maternal_half_sister"),
            ("paternal_cousin", "paternal_cousin"), ("maternal_cousin", "maternal_cousin"),
        ] {
            prop_assert_eq!(s.get(slot).map_or(0, Vec::len), count(rel));
        }
        // Breast cancer flags and ages of the mother as given.
        if let Some(m) = rels.iter().find(|g| RELATIONS[g.rel] == "mother") {
            let b = &s["mother"][0];
            prop_assert_eq!(b[0], i32::from(m.breast.is_some()));
            let age = match m.breast {
                Some(Some(a)) => a,
                Some(None) => -99,
                None => m.age.unwrap_or(-99),
            };
            prop_assert_eq!(b[3], age);
        }
    }

    /// Arbitrary (also invalid) values never panic: each export returns a file or an error with
    /// a field path.
    #[test]
    fn exports_never_panic(
        rel_idx in proptest::collection::vec((0usize..28, proptest::option::of(-5i32..200),
            proptest::option::of(-5i32..200), proptest::option::of(any::<bool>()),
            0usize..4), 0..12),
        page in proptest::option::of(-5i32..200),
        male in any::<bool>(),
        year in 1700i32..2300,
    ) {
        let types = ["breast", "ovarian", "prostate", "pancreatic"];
        let relatives: Vec<serde_json::Value> = rel_idx.iter().map(|(r, age, dx, alive, ty)| json!({
            "relation": RELATIONS[*r], "age": age, "alive": alive,
            "sex": if *r == 22 || *r == 23 { Some("female") } else { None },
            "cancers": [ { "type": types[*ty], "age_at_diagnosis": dx } ]
        })).collect();
        let p = profile(json!({
            "proband": { "sex": if male { "male" } else { "female" }, "age": page },
            "relatives": relatives
        }));
        let o = CanRiskOptions { estimate_missing: male, ..CanRiskOptions::new("F1", year) };
        match to_canrisk_v4(&p, &o) {
            Ok(text) => { parse_canrisk_rows_only(&text); }
            Err(e) => prop_assert!(!e.path().is_empty()),
        }
        match to_ibis_v8(&p, "P") {
            Ok(text) => { parse_ibis(&ibis_record(&text)); }
            Err(e) => prop_assert!(!e.path().is_empty()),
        }
    }
}

/// Column counts only (the full rule check assumes FAM1 and reference year 2026).
fn parse_canrisk_rows_only(text: &str) {
    for line in text.lines().filter(|l| !l.starts_with("##")) {
        assert_eq!(line.split('\t').count(), 28);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// With `estimate_missing`, every affected person ends with what the CanRisk service checks:
    /// an age and a year of birth, the age not below any diagnosis, born no earlier than 1850 and
    /// not dying after the reference year; every estimate is noted and nothing blocks.
    #[test]
    fn canrisk_estimates_satisfy_the_service_rules(rels in proptest::collection::vec(gen_rel(), 0..25)) {
        let rels = legal(rels);
        let p = gen_profile(&rels);
        let o = CanRiskOptions { estimate_missing: true, ..opts() };
        let out = to_canrisk_v4_report(&p, &o).expect("a legal family exports");
        let f = parse_canrisk(&out.content);
        for r in &f.rows {
            let g = |c: &str| r.get(&f.header, c);
            let affected = ["BC1", "BC2", "OC", "PRO", "PAN"].iter().any(|c| g(c) != "0");
            if !affected {
                continue;
            }
            let age: i32 = g("Age").parse().expect("age");
            let yob: i32 = g("Yob").parse().expect("yob");
            prop_assert!(age > 0 && yob >= 1850, "{:?}", r.cols);
            prop_assert!(yob + age <= 2026, "{:?}", r.cols);
            for c in ["BC1", "BC2", "OC", "PRO", "PAN"] {
                if let Ok(dx) = g(c).parse::<i32>() {
                    prop_assert!(dx <= age, "{c} {dx} > {age}: {:?}", r.cols);
                }
            }
        }
        prop_assert!(!out.notes.iter().any(|n| n.starts_with(MUST_FIX)), "{:#?}", out.notes);
    }
}
