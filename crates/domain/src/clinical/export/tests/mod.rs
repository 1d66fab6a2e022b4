//! Export tests: the files are parsed back structurally (by parsers written here from the format
//! descriptions, independent of the writers) and compared with the reference records quoted in
//! the comments.
//!
//! One file per exporter: [`canrisk`] (its parser, the file's rules, round trips) and
//! [`canrisk_issue16`] (what CanRisk refuses or misreads, item by item), [`ibis`] (its parser and
//! the reference records); [`families`] generates the random families of the property tests.
//! Here: the shared fixtures, the entry point, and the property over both exporters.

use proptest::prelude::*;
use serde_json::json;

use super::*;
use crate::clinical::profile::RiskProfile;
use canrisk::parse_canrisk_rows_only;
use families::RELATIONS;
use ibis::{ibis_record, parse_ibis};

mod canrisk;
mod canrisk_issue16;
mod families;
mod ibis;

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

fn has_note(out: &ExportOutput, needles: &[&str]) -> bool {
    out.notes
        .iter()
        .any(|n| needles.iter().all(|needle| n.contains(needle)))
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

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

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
