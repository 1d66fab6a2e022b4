//! The full clinical pipeline (`clinical::assess::assess_value`: lenient parse, validation,
//! Tyrer-Cuzick, NCCN, Gail, Manchester, recommendations) on one core.
//!
//! Run: `cargo bench -p genascope-domain --bench assess -- --quick`

use criterion::{Criterion, criterion_group, criterion_main};
use genascope_domain::clinical::assess::assess_value;
use serde_json::{Value, json};
use std::hint::black_box;
use time::macros::datetime;

/// risk-profile.md's example with the proband aged 50 (as printed, 35 with a diagnosis at 45,
/// it is rejected). Her breast cancer means Tyrer-Cuzick does not run.
fn example_50() -> Value {
    let mut v: Value =
        serde_json::from_str(include_str!("../src/clinical/profile/example_profile.json"))
            .expect("example json");
    v["proband"]["age"] = json!(50);
    v
}

/// The same family around an unaffected 35-year-old: every model runs.
fn example_unaffected() -> Value {
    let mut v = example_50();
    v["proband"]["age"] = json!(35);
    v["proband"]["cancers"] = json!([]);
    v
}

/// A large family: three generations on both sides, 60 relatives, a third of them affected.
fn large_family() -> Value {
    let relations = [
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
        "nephew",
        "maternal_great_aunt",
        "paternal_great_aunt",
        "maternal_half_sister",
    ];
    let mut relatives = vec![
        json!({"relation": "mother", "age": 70, "alive": true,
               "cancers": [{"type": "breast", "age_at_diagnosis": 48}]}),
        json!({"relation": "father", "age": 72, "alive": true}),
        json!({"relation": "maternal_grandmother", "age": 80, "alive": false,
               "cancers": [{"type": "ovarian", "age_at_diagnosis": 62}]}),
        json!({"relation": "maternal_grandfather", "age": 85, "alive": false}),
        json!({"relation": "paternal_grandmother", "age": 90, "alive": false}),
        json!({"relation": "paternal_grandfather", "age": 77, "alive": false,
               "cancers": [{"type": "prostate", "age_at_diagnosis": 70}]}),
    ];
    for i in 0..54usize {
        let relation = relations[i % relations.len()];
        let young = matches!(relation, "daughter" | "son" | "niece" | "nephew");
        let age = if young { 10 + i % 15 } else { 35 + i % 45 };
        let female = !matches!(
            relation,
            "brother" | "son" | "maternal_uncle" | "paternal_uncle" | "nephew"
        );
        let mut r = json!({"relation": relation, "age": age, "alive": i % 4 != 0});
        if relation.ends_with("cousin") {
            r["sex"] = json!(if i % 2 == 0 { "female" } else { "male" });
        }
        if i % 3 == 0 && !young {
            let site = if female && r["sex"] != "male" {
                "breast"
            } else {
                "pancreatic"
            };
            r["cancers"] = json!([{"type": site, "age_at_diagnosis": age - 5}]);
        }
        relatives.push(r);
    }
    json!({
        "proband": {"sex": "female", "age": 42, "ethnicity": "white", "ashkenazi_jewish": false,
                    "menarche_age": 12, "live_births": 2, "first_live_birth_age": 29,
                    "menopause_status": "pre", "height_cm": 165, "weight_kg": 68,
                    "breast_biopsies": 1, "hyperplasia": "hyperplasia",
                    "breast_density": {"method": "birads", "value": "b"}},
        "relatives": relatives
    })
}

fn bench(c: &mut Criterion) {
    let at = datetime!(2026-11-25 19:00:00 UTC);
    let cases = [
        ("example_aged_50", example_50()),
        ("example_family_unaffected_35", example_unaffected()),
        ("large_family_60_relatives", large_family()),
    ];
    let mut group = c.benchmark_group("assess");
    for (name, v) in &cases {
        let a = assess_value(v, at).expect("valid profile");
        assert_eq!(
            a.tyrer_cuzick.is_some(),
            *name != "example_aged_50",
            "{name}"
        );
        group.bench_function(*name, |b| b.iter(|| assess_value(black_box(v), at)));
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
