//! The pedigree drawing (`clinical::pedigree::drawing::render_svg`: layout + SVG text) and the
//! FHIR R4 bundle both ways, on one core.
//!
//! Run: `cargo bench -p genascope-domain --bench pedigree -- --quick`

use criterion::{Criterion, criterion_group, criterion_main};
use genascope_domain::clinical::fhir::{from_bundle, to_bundle};
use genascope_domain::clinical::pedigree::drawing::render_svg;
use genascope_domain::clinical::profile::RiskProfile;
use serde_json::json;
use std::hint::black_box;

/// 30 relatives over five generations on both sides, a third affected, some tested.
fn family_30() -> RiskProfile {
    let unique = [
        ("mother", 66, Some("breast")),
        ("father", 68, None),
        ("maternal_grandmother", 88, Some("ovarian")),
        ("maternal_grandfather", 90, None),
        ("paternal_grandmother", 91, None),
        ("paternal_grandfather", 85, Some("prostate")),
    ];
    let repeated = [
        "sister",
        "brother",
        "daughter",
        "son",
        "maternal_aunt",
        "maternal_uncle",
        "paternal_aunt",
        "paternal_uncle",
        "maternal_cousin",
        "paternal_cousin",
        "niece",
        "maternal_great_aunt",
    ];
    let mut relatives: Vec<_> = unique
        .iter()
        .map(|(r, age, site)| {
            let cancers = site.map_or(json!([]), |s| json!([{"type": s, "age_at_diagnosis": 55}]));
            json!({"relation": r, "age": age, "alive": *age < 85, "cancers": cancers})
        })
        .collect();
    for i in 0..24usize {
        let relation = repeated[i % repeated.len()];
        let age = if matches!(relation, "daughter" | "son" | "niece") {
            10 + i as i32
        } else {
            40 + i as i32
        };
        let cancers = if i % 3 == 0 && !matches!(relation, "daughter" | "son" | "niece") {
            json!([{"type": "breast", "age_at_diagnosis": 38 + i as i32 / 2}])
        } else {
            json!([])
        };
        let tests = if i % 5 == 0 {
            json!([{"gene": "BRCA2", "result": "negative"}])
        } else {
            json!([])
        };
        let sex = if relation.ends_with("cousin") {
            json!("female")
        } else {
            json!(null)
        };
        relatives.push(
            json!({"relation": relation, "sex": sex, "age": age, "alive": true,
                              "cancers": cancers, "genetic_tests": tests}),
        );
    }
    let v = json!({"proband": {"sex": "female", "age": 45, "ashkenazi_jewish": true,
                   "cancers": [{"type": "breast", "age_at_diagnosis": 41}],
                   "genetic_tests": [{"gene": "BRCA1", "result": "pathogenic"}]},
                   "relatives": relatives});
    RiskProfile::parse_and_validate(&v).expect("valid family")
}

fn bench(c: &mut Criterion) {
    let p = family_30();
    assert_eq!(p.relatives.len(), 30);
    c.bench_function("pedigree/render_svg_30_relatives", |b| {
        b.iter(|| render_svg(black_box(&p)));
    });
    let id = uuid::Uuid::nil();
    c.bench_function("fhir/to_bundle_30_relatives", |b| {
        b.iter(|| to_bundle(black_box(&p), None, id));
    });
    let bundle = to_bundle(&p, None, id);
    c.bench_function("fhir/from_bundle_30_relatives", |b| {
        b.iter(|| from_bundle(black_box(&bundle)));
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
