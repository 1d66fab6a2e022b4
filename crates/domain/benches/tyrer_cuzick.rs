//! Throughput of the Tyrer-Cuzick (IBIS v8-style) model on a varied set of synthetic women.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use genascope_domain::clinical::profile::{
    BiradsDensity, HrtStatus, HrtType, Hyperplasia, MenopauseStatus, Relation,
};
use genascope_domain::clinical::tyrer_cuzick::{
    TcBreastCancer, TcCancer, TcDensity, TcHrt, TcInput, TcRelative, assess,
};

const RELATIONS: [Relation; 10] = [
    Relation::Mother,
    Relation::Sister,
    Relation::MaternalAunt,
    Relation::PaternalAunt,
    Relation::MaternalGrandmother,
    Relation::PaternalGrandmother,
    Relation::Father,
    Relation::Daughter,
    Relation::Niece,
    Relation::MaternalCousin,
];

/// 200 deterministic profiles with 0–11 relatives each (a small linear congruential generator).
fn profiles() -> Vec<TcInput> {
    let mut state: u64 = 0x5eed;
    let mut next = move |k: u32| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((state >> 33) % u64::from(k)) as u32
    };
    (0..200)
        .map(|_| {
            let age = 25 + next(55);
            let relatives = (0..next(12))
                .map(|_| {
                    let relation = RELATIONS[next(RELATIONS.len() as u32) as usize];
                    let rel_age = 30 + next(60);
                    let mut r = TcRelative::new(relation);
                    r.age = Some(rel_age);
                    if next(3) == 0 {
                        r.breast = Some(TcBreastCancer {
                            age_at_diagnosis: Some(25 + next(rel_age - 24)),
                            bilateral: next(5) == 0,
                            contralateral_age: None,
                        });
                    }
                    if relation != Relation::Father && next(8) == 0 {
                        r.ovarian = Some(TcCancer {
                            age_at_diagnosis: Some(30 + next(rel_age - 29)),
                        });
                    }
                    r
                })
                .collect();
            TcInput {
                age,
                ashkenazi: next(10) == 0,
                menarche_age: Some(10 + next(6)),
                parity: Some(next(4)),
                first_birth_age: None,
                menopause: if age >= 52 {
                    MenopauseStatus::Post
                } else {
                    MenopauseStatus::Pre
                },
                menopause_age: if age >= 52 { Some(45 + next(7)) } else { None },
                height_m: Some(1.50 + f64::from(next(30)) / 100.0),
                weight_kg: Some(50.0 + f64::from(next(50))),
                hrt: Some(TcHrt {
                    status: if next(4) == 0 {
                        HrtStatus::Current
                    } else {
                        HrtStatus::Never
                    },
                    kind: Some(HrtType::Combined),
                    years_used: Some(3.0),
                    intended_years: Some(2.0),
                    years_since_stopped: None,
                }),
                hyperplasia: if next(10) == 0 {
                    Hyperplasia::Atypical
                } else {
                    Hyperplasia::None
                },
                lcis: Some(false),
                density: Some(TcDensity::Birads(BiradsDensity::B)),
                ovarian_cancer: None,
                relatives,
            }
        })
        .map(|mut p| {
            if p.parity != Some(0) {
                p.first_birth_age = Some((20 + p.age / 4).min(p.age));
            }
            p
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let inputs = profiles();
    assert!(
        inputs.iter().all(|i| assess(i).is_ok()),
        "every benchmark profile must be valid, or the bench would time validation only"
    );
    let mut group = c.benchmark_group("tyrer_cuzick");
    group.throughput(Throughput::Elements(inputs.len() as u64));
    group.bench_function("assess_200_profiles", |b| {
        b.iter(|| {
            for input in &inputs {
                let r = assess(black_box(input));
                black_box(&r);
            }
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
