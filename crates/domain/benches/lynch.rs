//! Lynch syndrome (issue #13): PREMM5 arithmetic on many inputs, and the whole `lynch` block
//! (NCCN CEG criteria + PREMM5 on both lineages) for a small and a large family.
//!
//! Run: `cargo bench -p genascope-domain --bench lynch -- --quick`

use criterion::{Criterion, criterion_group, criterion_main};
use genascope_domain::clinical::lynch::evaluate;
use genascope_domain::clinical::lynch::premm5::{Premm5Input, RelativeCounts};
use genascope_domain::clinical::profile::RiskProfile;
use serde_json::{Value, json};
use std::hint::black_box;

/// 4,096 varied PREMM5 inputs (deterministic).
fn inputs() -> Vec<Premm5Input> {
    (0..4096u32)
        .map(|i| Premm5Input {
            male: i % 2 == 0,
            testing_age: f64::from(20 + i % 60),
            proband_colorectal: i % 3,
            proband_endometrial: i % 2 == 1 && i % 5 == 0,
            proband_other_lynch: i % 7 == 0,
            first_degree: RelativeCounts {
                colorectal: i % 4,
                endometrial: (i / 4) % 3,
                other_lynch: i % 11 == 0,
            },
            second_degree: RelativeCounts {
                colorectal: (i / 3) % 3,
                endometrial: i % 2,
                other_lynch: i % 13 == 0,
            },
            colorectal_ages: [
                (i % 3 > 0).then_some(f64::from(25 + i % 50)),
                (i % 4 > 0).then_some(f64::from(30 + i % 55)),
                None,
            ],
            endometrial_ages: [None, (i % 5 == 0).then_some(f64::from(35 + i % 30)), None],
        })
        .collect()
}

fn small_family() -> Value {
    json!({
        "proband": {"sex": "male", "age": 45, "cancers": [{"type": "colorectal", "age_at_diagnosis": 40}]},
        "relatives": [
            {"relation": "father", "age": 70, "cancers": [{"type": "colorectal", "age_at_diagnosis": 50}]},
            {"relation": "paternal_aunt", "age": 68, "cancers": [{"type": "endometrial", "age_at_diagnosis": 45}]}
        ]
    })
}

/// 30 relatives on both sides, a third with Lynch-associated cancers, some ages unknown.
fn large_family() -> Value {
    let unique = [
        ("mother", "female"),
        ("father", "male"),
        ("maternal_grandmother", "female"),
        ("paternal_grandfather", "male"),
    ];
    let repeatable = [
        ("sister", "female"),
        ("brother", "male"),
        ("maternal_aunt", "female"),
        ("maternal_uncle", "male"),
        ("paternal_aunt", "female"),
        ("paternal_uncle", "male"),
        ("niece", "female"),
        ("nephew", "male"),
        ("maternal_cousin", "female"),
        ("paternal_cousin", "male"),
        ("maternal_half_sister", "female"),
    ];
    let relatives: Vec<Value> = (0..30usize)
        .map(|i| {
            let (relation, sex) = unique
                .get(i)
                .copied()
                .unwrap_or(repeatable[i % repeatable.len()]);
            let age = 40 + i % 40;
            let mut r = json!({"relation": relation, "sex": sex, "age": age});
            if i % 3 == 0 {
                let site = if sex == "female" && i % 2 == 0 {
                    "endometrial"
                } else {
                    "colorectal"
                };
                let dx = if i % 9 == 0 {
                    Value::Null
                } else {
                    json!(age - 8)
                };
                r["cancers"] = json!([{"type": site, "age_at_diagnosis": dx}]);
            }
            r
        })
        .collect();
    json!({"proband": {"sex": "female", "age": 38}, "relatives": relatives})
}

fn bench(c: &mut Criterion) {
    let inputs = inputs();
    let mut group = c.benchmark_group("lynch");
    group.bench_function("premm5_4096_inputs", |b| {
        b.iter(|| {
            inputs
                .iter()
                .map(|i| black_box(i).probabilities().total())
                .sum::<f64>()
        })
    });
    for (name, v) in [
        ("block_small_family", small_family()),
        ("block_30_relatives", large_family()),
    ] {
        let profile = RiskProfile::parse_and_validate(&v).expect("valid profile");
        group.bench_function(name, |b| b.iter(|| evaluate(black_box(&profile))));
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
