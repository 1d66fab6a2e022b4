//! CanRisk v4: an independent parser of the written file, the file's rules, and round trips of
//! random families.

use std::collections::{HashMap, HashSet};

use proptest::prelude::*;
use serde_json::json;

use super::*;
use families::{RELATIONS, dx_text, expected_ids, gen_profile, gen_rel, is_female, legal};

#[derive(Debug, Clone)]
pub(super) struct CrRow {
    pub(super) cols: Vec<String>,
}

impl CrRow {
    pub(super) fn get(&self, header: &[String], name: &str) -> String {
        let i = header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("column {name} missing"));
        self.cols[i].clone()
    }
}

pub(super) struct CrFile {
    pub(super) risk_factors: Vec<(String, String)>,
    pub(super) header: Vec<String>,
    pub(super) rows: Vec<CrRow>,
}

impl CrFile {
    pub(super) fn row(&self, id: &str) -> &CrRow {
        let found: Vec<&CrRow> = self
            .rows
            .iter()
            .filter(|r| r.get(&self.header, "IndivID") == id)
            .collect();
        assert_eq!(found.len(), 1, "IndivID {id} must appear exactly once");
        found[0]
    }

    pub(super) fn col(&self, id: &str, name: &str) -> String {
        self.row(id).get(&self.header, name)
    }
}

/// Parses and checks every structural rule of clinical.md §4.3 and the bws validator.
pub(super) fn parse_canrisk(text: &str) -> CrFile {
    let f = read_canrisk(text);
    let sex = check_ids(&f);
    let target = the_target(&f);
    let parent_of = check_parents(&f, &sex);
    for r in &f.rows {
        check_values(r, &f.header);
    }
    // Everybody connected to the target (same rule as bws Pedigree.unconnected()).
    assert_connected(&parent_of, &target, f.rows.len());
    // The target has an age and a year of birth.
    assert_ne!(f.col(&target, "Age"), "0");
    assert_ne!(f.col(&target, "Yob"), "0");
    f
}

/// The header line, the risk-factor lines before the column header, rows of 28 columns after it.
fn read_canrisk(text: &str) -> CrFile {
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
    CrFile {
        risk_factors,
        header,
        rows,
    }
}

/// Unique ids, 1..7 alphanumeric; names <= 8; every row of family FAM1. Returns each id's sex.
fn check_ids(f: &CrFile) -> HashMap<String, String> {
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
    sex
}

/// Exactly one target: its id.
fn the_target(f: &CrFile) -> String {
    let h = &f.header;
    let targets: Vec<String> = f
        .rows
        .iter()
        .filter(|r| r.get(h, "Target") == "1")
        .map(|r| r.get(h, "IndivID"))
        .collect();
    assert_eq!(targets.len(), 1);
    targets[0].clone()
}

/// Parents: both or none, present, fathers M, mothers F. Returns each id's (father, mother).
fn check_parents(f: &CrFile, sex: &HashMap<String, String>) -> HashMap<String, (String, String)> {
    let h = &f.header;
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
    }
    parent_of
}

/// One row's values: cancer columns, ages, years of birth, sex-specific cancers, genes, pathology.
fn check_values(r: &CrRow, h: &[String]) {
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

/// Everybody is connected to `target` through parents and children.
fn assert_connected(parent_of: &HashMap<String, (String, String)>, target: &str, people: usize) {
    let mut connected: HashSet<String> = HashSet::from([target.to_owned()]);
    loop {
        let before = connected.len();
        for (id, (fa, mo)) in parent_of {
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
    assert_eq!(connected.len(), people, "all people connected");
}

/// Column counts only (the full rule check assumes FAM1 and reference year 2026).
pub(super) fn parse_canrisk_rows_only(text: &str) {
    for line in text.lines().filter(|l| !l.starts_with("##")) {
        assert_eq!(line.split('\t').count(), 28);
    }
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
