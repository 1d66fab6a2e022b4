//! Golden files of the CanRisk v4 and IBIS v8 exports (issue #16): the risk-profile.md example
//! and four varied families (`tests/fixtures/export/families/*.json`), each written in every
//! variant a clinician can ask for. The written file, its notes (one per line) or the refusal are
//! compared byte for byte with `tests/fixtures/export/golden/`; any change to the output fails
//! here until the golden files are regenerated on purpose:
//!
//! ```text
//! GENASCOPE_UPDATE_GOLDEN=1 cargo test -p genascope-domain --test export_golden
//! ```
//!
//! (then review the diff). `scripts/validate-canrisk.sh` runs the same files through CanRisk's
//! own parsers.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use genascope_domain::clinical::export::{ExportFormat, ExportOptions, export};
use genascope_domain::clinical::profile::RiskProfile;
use std::path::{Path, PathBuf};

/// Reference year of every golden file.
const YEAR: i32 = 2026;

/// (family file stem, family id, variant, format, estimate_missing, uk_ethnicity).
const CASES: &[(&str, &str, &str, ExportFormat, bool, bool)] = &[
    (
        "contract_example",
        "CONTRACT",
        "canrisk4",
        ExportFormat::CanRisk4,
        false,
        false,
    ),
    (
        "contract_example",
        "CONTRACT",
        "canrisk4-estimated",
        ExportFormat::CanRisk4,
        true,
        false,
    ),
    (
        "contract_example",
        "CONTRACT",
        "canrisk4-uk",
        ExportFormat::CanRisk4,
        true,
        true,
    ),
    (
        "contract_example",
        "CONTRACT",
        "ibis8",
        ExportFormat::Ibis8,
        false,
        false,
    ),
    (
        "lone_postmenopausal",
        "LONEPM",
        "canrisk4",
        ExportFormat::CanRisk4,
        false,
        false,
    ),
    (
        "lone_postmenopausal",
        "LONEPM",
        "canrisk4-estimated",
        ExportFormat::CanRisk4,
        true,
        false,
    ),
    (
        "lone_postmenopausal",
        "LONEPM",
        "canrisk4-uk",
        ExportFormat::CanRisk4,
        true,
        true,
    ),
    (
        "lone_postmenopausal",
        "LONEPM",
        "ibis8",
        ExportFormat::Ibis8,
        false,
        false,
    ),
    (
        "male_prostate_hoxb13",
        "MALEHOX",
        "canrisk4",
        ExportFormat::CanRisk4,
        false,
        false,
    ),
    (
        "male_prostate_hoxb13",
        "MALEHOX",
        "canrisk4-estimated",
        ExportFormat::CanRisk4,
        true,
        false,
    ),
    (
        "male_prostate_hoxb13",
        "MALEHOX",
        "canrisk4-uk",
        ExportFormat::CanRisk4,
        true,
        true,
    ),
    (
        "male_prostate_hoxb13",
        "MALEHOX",
        "ibis8",
        ExportFormat::Ibis8,
        false,
        false,
    ),
    (
        "dead_relatives",
        "DEADREL",
        "canrisk4",
        ExportFormat::CanRisk4,
        false,
        false,
    ),
    (
        "dead_relatives",
        "DEADREL",
        "canrisk4-estimated",
        ExportFormat::CanRisk4,
        true,
        false,
    ),
    (
        "dead_relatives",
        "DEADREL",
        "ibis8",
        ExportFormat::Ibis8,
        false,
        false,
    ),
    (
        "large_mixed",
        "LARGE",
        "canrisk4",
        ExportFormat::CanRisk4,
        false,
        false,
    ),
    (
        "large_mixed",
        "LARGE",
        "canrisk4-estimated",
        ExportFormat::CanRisk4,
        true,
        false,
    ),
    (
        "large_mixed",
        "LARGE",
        "canrisk4-uk",
        ExportFormat::CanRisk4,
        true,
        true,
    ),
    (
        "large_mixed",
        "LARGE",
        "ibis8",
        ExportFormat::Ibis8,
        false,
        false,
    ),
];

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/export")
}

fn family(stem: &str) -> RiskProfile {
    let path = fixtures().join("families").join(format!("{stem}.json"));
    let text = std::fs::read_to_string(&path).expect("family file");
    let value: serde_json::Value = serde_json::from_str(&text).expect("family json");
    // Every fixture is a valid profile (what the API stores and the CLI accepts).
    RiskProfile::parse_and_validate(&value)
        .unwrap_or_else(|e| panic!("{stem}: not a valid RiskProfile: {e:?}"))
}

/// The files one case produces: name → content.
fn outputs(case: &(&str, &str, &str, ExportFormat, bool, bool)) -> Vec<(String, String)> {
    let (stem, fam, variant, format, estimate, uk) = *case;
    let opts = ExportOptions {
        estimate_missing: estimate,
        uk_ethnicity: uk,
        ..ExportOptions::new(fam, YEAR)
    };
    match export(&family(stem), format, &opts) {
        Ok(out) => {
            let mut notes = out.notes.join("\n");
            notes.push('\n');
            vec![
                (format!("{stem}.{variant}.txt"), out.content),
                (format!("{stem}.{variant}.notes.txt"), notes),
            ]
        }
        Err(e) => vec![(format!("{stem}.{variant}.error.txt"), format!("{e}\n"))],
    }
}

#[test]
fn exports_match_the_golden_files() {
    let dir = fixtures().join("golden");
    let update = std::env::var_os("GENASCOPE_UPDATE_GOLDEN").is_some();
    let mut written = Vec::new();
    let mut mismatches = Vec::new();
    for case in CASES {
        for (name, content) in outputs(case) {
            let path = dir.join(&name);
            written.push(name.clone());
            if update {
                std::fs::create_dir_all(&dir).expect("golden dir");
                std::fs::write(&path, &content).expect("write golden");
                continue;
            }
            match std::fs::read_to_string(&path) {
                Ok(golden) if golden == content => {}
                Ok(golden) => mismatches.push(format!(
                    "{name} differs from the golden file.\n--- golden\n{golden}\n--- now\n{content}"
                )),
                Err(_) => mismatches.push(format!("{name}: golden file missing")),
            }
        }
    }
    // No stale golden file lingers (a case that now errors instead of writing, or vice versa).
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .expect("golden dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    written.sort();
    if !update {
        for name in &on_disk {
            if !written.contains(name) {
                mismatches.push(format!("{name}: golden file without a case"));
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "{}\n\nIf the change is intended: GENASCOPE_UPDATE_GOLDEN=1 cargo test -p \
         genascope-domain --test export_golden, then review the diff.",
        mismatches.join("\n\n")
    );
}

/// The families the golden files cover, so that the validation script and the docs can name
/// them: every family file has at least one case.
#[test]
fn every_family_has_cases() {
    let mut stems: Vec<String> = std::fs::read_dir(fixtures().join("families"))
        .expect("families")
        .map(|e| {
            e.expect("entry")
                .path()
                .file_stem()
                .expect("stem")
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    stems.sort();
    assert_eq!(
        stems.len(),
        5,
        "the risk-profile.md example and four families"
    );
    for s in &stems {
        assert!(CASES.iter().any(|c| c.0 == s), "{s} has no case");
    }
}
