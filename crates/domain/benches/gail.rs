//! Gail throughput: profiles per second for the five-year + lifetime risk (with the
//! average-woman comparators) on one core.
//!
//! Run: `cargo bench -p genascope-domain --bench gail -- --quick`

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use genascope_domain::clinical::gail::{
    FirstLiveBirth, GailInput, GailRace, assess, five_year_risk, lifetime_risk,
};
use std::hint::black_box;

/// A deterministic spread of valid profiles over ages 20–89, all race models and covariates.
fn profiles(n: usize) -> Vec<GailInput> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move |m: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % m
    };
    (0..n)
        .map(|_| {
            let age = 20.0 + next(700) as f64 / 10.0;
            let biopsies = next(4) as u32;
            let hyperplasia = if biopsies == 0 {
                None
            } else {
                [None, Some(false), Some(true)][next(3) as usize]
            };
            let menarche = 9 + next(8) as u32;
            let first_birth = match next(4) {
                0 => FirstLiveBirth::Nulliparous,
                1 => FirstLiveBirth::Unknown,
                _ => FirstLiveBirth::AtAge((menarche + next(20) as u32).min(age as u32)),
            };
            GailInput {
                current_age: age,
                age_at_menarche: Some(menarche),
                number_of_biopsies: Some(biopsies),
                atypical_hyperplasia: hyperplasia,
                age_at_first_live_birth: first_birth,
                first_degree_relatives: Some(next(3) as u32),
                race: GailRace::ALL[next(11) as usize],
            }
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let inputs = profiles(4096);
    assert!(inputs.iter().all(|i| assess(i).is_ok()));
    let mut group = c.benchmark_group("gail");
    group.throughput(Throughput::Elements(inputs.len() as u64));
    group.bench_function("assess_5y_lifetime_with_average", |b| {
        b.iter(|| {
            let mut acc = 0.0;
            for i in &inputs {
                if let Ok(a) = assess(black_box(i)) {
                    acc += a.five_year_risk + a.lifetime_risk;
                }
            }
            black_box(acc)
        })
    });
    group.bench_function("five_year_plus_lifetime_calls", |b| {
        b.iter(|| {
            let mut acc = 0.0;
            for i in &inputs {
                if let (Ok(f), Ok(l)) = (five_year_risk(black_box(i)), lifetime_risk(black_box(i)))
                {
                    acc += f.absolute_percent + l.absolute_percent;
                }
            }
            black_box(acc)
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
