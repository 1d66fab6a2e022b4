//! The ten published IBIS v8.0b example women, run through our model and compared with IBIS's
//! own outputs.
//!
//! Source (numbers only, cited; the repository has no licence, so none of its code is used):
//! GitHub `Xiaoxue-Zheng/bcra` (the Manchester HRYWS study application), commit
//! `9488490fbdb1a6736feb31b2747d1be91613508c`, under
//! `application/src/test/java/uk/ac/herc/bcra/service/tc_test_files/test_cases/`:
//! - inputs: `algorithmoutputs/TST_{1..10}.txt` (IBIS v8 batch records);
//! - outputs: `tyrercuzickoutputs/TST_{1..10}.txt` (IBIS Risk Evaluator v8.0b command line:
//!   cumulative risk to years 1–20, lifetime risk to 85, P(no BRCA), P(BRCA1), P(BRCA2), then
//!   the same for IBIS's population reference woman);
//! - the same repository's `data/test-participant-information/participant {1..10}.pdf` are the
//!   IBIS v8 GUI reports (27 April 2021) of the same women, whose rounded figures agree.
//!
//! Every record also carries a mother, a paternal and a maternal grandmother block; unless
//! marked affected each is `0 0 0 -99 -99 -99 0` (unaffected, current age unknown). The
//! profiles below list only the relatives the record reports as affected, as a user would.
//! No woman has HRT use (code 0 = never), LCIS, ovarian cancer, a genetic test, density or an
//! SNP score. Height is in metres in the record, centimetres here.
//!
//! Outputs are percent in IBIS; our carrier probabilities are fractions (× 100 below).

use serde_json::{Value, json};

use super::{TcRelative, TcResult, assess};
use crate::clinical::profile::{Relation, RiskProfile};

/// IBIS v8.0b's outputs for one woman (percent), from `tyrercuzickoutputs/TST_n.txt`.
pub(super) struct Ibis {
    pub(super) ten_year: f64,
    pub(super) lifetime: f64,
    pub(super) brca1: f64,
    pub(super) brca2: f64,
    pub(super) pop_ten_year: f64,
    pub(super) pop_lifetime: f64,
}

/// One published case: its id, the profile transcribed from its IBIS record, IBIS's outputs.
pub(super) struct Case {
    pub(super) id: &'static str,
    pub(super) profile: Value,
    pub(super) ibis: Ibis,
}

/// A woman as in the records: premenopausal unless said, never HRT, no biopsy unless said.
#[allow(clippy::too_many_arguments)]
fn woman(
    age: u32,
    menarche: u32,
    births: u32,
    first_birth: Option<u32>,
    height_cm: u32,
    weight_kg: u32,
    ashkenazi: bool,
) -> Value {
    json!({ "sex": "female", "age": age, "menarche_age": menarche, "live_births": births,
            "first_live_birth_age": first_birth, "menopause_status": "pre",
            "height_cm": height_cm, "weight_kg": weight_kg, "ashkenazi_jewish": ashkenazi,
            "hrt": { "status": "never" }, "breast_biopsies": 0, "lcis": false })
}

fn affected(relation: &str, cancer: &str, age: Option<u32>) -> Value {
    json!({ "relation": relation, "cancers": [ { "type": cancer, "age_at_diagnosis": age } ] })
}

#[allow(clippy::too_many_arguments)]
const fn ibis(
    ten_year: f64,
    lifetime: f64,
    brca1: f64,
    brca2: f64,
    pop_ten_year: f64,
    pop_lifetime: f64,
) -> Ibis {
    Ibis {
        ten_year,
        lifetime,
        brca1,
        brca2,
        pop_ten_year,
        pop_lifetime,
    }
}

/// The ten cases. Each comment quotes the record's fields that differ from the defaults of
/// [`woman`] and its affected relatives; outputs: year-10 cumulative, lifetime, P(BRCA1),
/// P(BRCA2), population year-10, population lifetime.
#[allow(clippy::too_many_lines)]
pub(super) fn cases() -> Vec<Case> {
    let with = |proband: Value, relatives: Vec<Value>| json!({ "proband": proband, "relatives": relatives });
    vec![
        // TST_1: 35, menarche 12, nulliparous, pre, 1.70 m, 60 kg, not AJ; maternal aunt
        // breast cancer at 55 (aunt block `1 0 0 55 -99 -99 0`).
        Case {
            id: "TST_1",
            profile: with(
                woman(35, 12, 0, None, 170, 60, false),
                vec![affected("maternal_aunt", "breast", Some(55))],
            ),
            ibis: ibis(1.88831, 23.8978, 0.0998386, 0.214921, 0.993416, 13.1976),
        },
        // TST_2: 35, menarche 12, 1 birth at 33, pre, 1.60 m, 60 kg, Ashkenazi; no family history.
        Case {
            id: "TST_2",
            profile: with(woman(35, 12, 1, Some(33), 160, 60, true), vec![]),
            ibis: ibis(1.27183, 15.6288, 0.651695, 0.637431, 0.993416, 13.1976),
        },
        // TST_3: 30, menarche 11, 1 birth at 23, pre, 1.50 m, 60 kg, Ashkenazi; maternal
        // grandmother breast cancer at 50 (MGM block `1 0 0 50 -99 -99 0`).
        Case {
            id: "TST_3",
            profile: with(
                woman(30, 11, 1, Some(23), 150, 60, true),
                vec![affected("maternal_grandmother", "breast", Some(50))],
            ),
            ibis: ibis(0.78954, 16.713, 2.03151, 1.50775, 0.500939, 13.3311),
        },
        // TST_4: 33, menarche 12, nulliparous, pre, 1.60 m, 60 kg, not AJ, biopsy with result
        // unknown (hyperplasia code 2); maternal grandmother breast cancer at 50.
        Case {
            id: "TST_4",
            profile: with(
                {
                    let mut w = woman(33, 12, 0, None, 160, 60, false);
                    w["breast_biopsies"] = json!(1);
                    w["hyperplasia"] = json!("unknown");
                    w
                },
                vec![affected("maternal_grandmother", "breast", Some(50))],
            ),
            ibis: ibis(1.68753, 26.9223, 0.158319, 0.274263, 0.775124, 13.2668),
        },
        // TST_5: 36, menarche 12, 1 birth at 30, pre, 1.60 m, 60 kg, not AJ; mother breast
        // cancer at 40 (`1 0 0 40 -99 -99 0`), maternal grandmother breast cancer at 50.
        Case {
            id: "TST_5",
            profile: with(
                woman(36, 12, 1, Some(30), 160, 60, false),
                vec![
                    affected("mother", "breast", Some(40)),
                    affected("maternal_grandmother", "breast", Some(50)),
                ],
            ),
            ibis: ibis(4.67105, 35.4342, 2.68689, 3.09696, 1.11409, 13.1544),
        },
        // TST_6: 32, menarche 12, nulliparous, postmenopausal at 30 (`2 30`), 1.60 m, 65 kg,
        // not AJ; no family history.
        Case {
            id: "TST_6",
            profile: with(
                {
                    let mut w = woman(32, 12, 0, None, 160, 65, false);
                    w["menopause_status"] = json!("post");
                    w["menopause_age"] = json!(30);
                    w
                },
                vec![],
            ),
            ibis: ibis(0.449045, 9.21575, 0.0552427, 0.122768, 0.676244, 13.2929),
        },
        // TST_7: 39, menarche 12, 1 birth at 18, pre, 1.60 m, 65 kg, not AJ; maternal aunt
        // breast cancer at 40.
        Case {
            id: "TST_7",
            profile: with(
                woman(39, 12, 1, Some(18), 160, 65, false),
                vec![affected("maternal_aunt", "breast", Some(40))],
            ),
            ibis: ibis(1.5954, 13.7986, 0.128962, 0.247631, 1.50157, 12.9759),
        },
        // TST_8: 39, menarche 15, 1 birth at 25, pre, 1.60 m, 65 kg, not AJ, atypical
        // hyperplasia (field 11 = 1; the study's questionnaire: atypical lobular hyperplasia);
        // no family history.
        Case {
            id: "TST_8",
            profile: with(
                {
                    let mut w = woman(39, 15, 1, Some(25), 160, 65, false);
                    w["breast_biopsies"] = json!(1);
                    w["hyperplasia"] = json!("atypical");
                    w
                },
                vec![],
            ),
            ibis: ibis(5.97743, 42.9739, 0.0468419, 0.110385, 1.50157, 12.9759),
        },
        // TST_9: 35, menarche 13, nulliparous, pre, 1.70 m, 60 kg, not AJ; paternal aunt
        // breast cancer, age at diagnosis and current age unknown (`1 0 0 -99 -99 -99 0`).
        Case {
            id: "TST_9",
            profile: with(
                woman(35, 13, 0, None, 170, 60, false),
                vec![affected("paternal_aunt", "breast", None)],
            ),
            ibis: ibis(1.87684, 23.303, 0.219628, 0.337151, 0.993416, 13.1976),
        },
        // TST_10: 39, menarche 12, 1 birth at 30, pre, 1.70 m, 60 kg, Ashkenazi; maternal
        // grandmother ovarian cancer at 50 (MGM block `0 0 1 -99 -99 50 0`).
        Case {
            id: "TST_10",
            profile: with(
                woman(39, 12, 1, Some(30), 170, 60, true),
                vec![affected("maternal_grandmother", "ovarian", Some(50))],
            ),
            ibis: ibis(2.984, 20.047, 3.80125, 1.91705, 1.50157, 12.9759),
        },
    ]
}

/// Our model's result for a case, through the same profile mapping as the assessment.
pub(super) fn ours(case: &Case) -> TcResult {
    let profile: RiskProfile =
        RiskProfile::parse_and_validate(&case.profile).expect("case profile is valid");
    let input = crate::clinical::assess::tc_input_of(&profile);
    assess(&input).expect("case runs")
}

/// The structural variant evaluated and not adopted (`docs/clinical-models.md` §10), for the
/// comparison only: IBIS's always-present mother and grandmothers, each missing one added as
/// unaffected and cancer-free to the age assumed from her generation (proband's age + 28 years
/// per generation, at most 100). On these ten women, whose profiles list only affected
/// relatives, this reproduces the model of commit b0a03cf exactly.
pub(super) fn ours_with_ibis_family(case: &Case) -> TcResult {
    let profile: RiskProfile =
        RiskProfile::parse_and_validate(&case.profile).expect("case profile is valid");
    let mut input = crate::clinical::assess::tc_input_of(&profile);
    for (relation, generations) in [
        (Relation::Mother, 1),
        (Relation::MaternalGrandmother, 2),
        (Relation::PaternalGrandmother, 2),
    ] {
        if input.relatives.iter().all(|r| r.relation != relation) {
            input.relatives.push(TcRelative {
                age: Some((input.age + 28 * generations).min(100)),
                ..TcRelative::new(relation)
            });
        }
    }
    assess(&input).expect("case runs")
}

/// The comparison table (percent; ratios ours / IBIS for the carrier probabilities), for the
/// adopted model (`ours`) or the variant (`ours_with_ibis_family`).
pub(super) fn table(model: fn(&Case) -> TcResult) -> String {
    let mut out = String::from(
        "| Case | 10y ours / IBIS (×) | life ours / IBIS (×) | BRCA1 ours / IBIS (×) | \
         BRCA2 ours / IBIS (×) | pop 10y ours / IBIS | pop life ours / IBIS |\n\
         |---|---|---|---|---|---|---|\n",
    );
    let (mut d10, mut dlife, mut same_side) = (0.0, 0.0, 0);
    let (mut within1, mut within3, mut ln1, mut ln2) = (0, 0, 0.0, 0.0);
    for c in cases() {
        let r = model(&c);
        let i = &c.ibis;
        d10 += (r.ten_year_risk - i.ten_year).abs() / 10.0;
        dlife += (r.lifetime_risk - i.lifetime).abs() / 10.0;
        within1 += usize::from((r.ten_year_risk - i.ten_year).abs() <= 1.0);
        within3 += usize::from((r.lifetime_risk - i.lifetime).abs() <= 3.0);
        same_side += usize::from((r.lifetime_risk >= 20.0) == (i.lifetime >= 20.0));
        ln1 += (100.0 * r.brca1_probability / i.brca1).ln().abs() / 10.0;
        ln2 += (100.0 * r.brca2_probability / i.brca2).ln().abs() / 10.0;
        let (b1, b2) = (100.0 * r.brca1_probability, 100.0 * r.brca2_probability);
        out.push_str(&format!(
            "| {} | {:.2} / {:.2} ({:.2}) | {:.1} / {:.1} ({:.2}) | {:.3} / {:.3} ({:.2}) \
             | {:.3} / {:.3} ({:.2}) | {:.3} / {:.3} | {:.3} / {:.3} |\n",
            c.id,
            r.ten_year_risk,
            i.ten_year,
            r.ten_year_risk / i.ten_year,
            r.lifetime_risk,
            i.lifetime,
            r.lifetime_risk / i.lifetime,
            b1,
            i.brca1,
            b1 / i.brca1,
            b2,
            i.brca2,
            b2 / i.brca2,
            r.population_ten_year_risk,
            i.pop_ten_year,
            r.population_lifetime_risk,
            i.pop_lifetime,
        ));
    }
    out.push_str(&format!(
        "\n10-year mean |Δ| {d10:.2}, within ±1 point {within1}/10; lifetime mean |Δ| {dlife:.2}, \
         within ±3 points {within3}/10, same side of 20 % {same_side}/10; \
         mean |ln ratio| BRCA1 {ln1:.2}, BRCA2 {ln2:.2}\n"
    ));
    out
}

#[test]
fn print_ibis_comparison_table() {
    // Run with `--no-capture` to see them (docs/clinical-models.md §10 records them).
    println!("Adopted model:\n{}", table(ours));
    println!(
        "Not adopted, IBIS's family structure:\n{}",
        table(ours_with_ibis_family)
    );
}

// --- Agreement with IBIS v8.0b -----------------------------------------------------------------
//
// Tolerances are the adopted model's measured extremes rounded outwards (docs/clinical-models.md
// §10 has the table), not tuned against: no parameter was fitted to these ten women. A change
// that moves any case further from IBIS fails; one that brings it closer passes, and then the
// band should be tightened.

/// Ours / IBIS for every case, with the case id for messages.
fn ratios(pick: impl Fn(&TcResult, &Ibis) -> (f64, f64)) -> Vec<(&'static str, f64)> {
    cases()
        .iter()
        .map(|c| {
            let (ours, theirs) = pick(&ours(c), &c.ibis);
            (c.id, ours / theirs)
        })
        .collect()
}

fn assert_within(what: &str, got: &[(&str, f64)], lo: f64, hi: f64) {
    for (id, r) in got {
        assert!(
            (lo..=hi).contains(r),
            "{what} {id}: ours / IBIS = {r:.3}, band {lo}–{hi}"
        );
    }
}

#[test]
fn population_reference_agrees_with_ibis() {
    // IBIS's reference woman depends on age only (TST_1 and the Ashkenazi TST_2 agree). Measured:
    // 10-year within 0.02 points, lifetime within 0.05; bands ±0.03 and ±0.1 points.
    for c in cases() {
        let r = ours(&c);
        let (ten, life) = (c.ibis.pop_ten_year, c.ibis.pop_lifetime);
        assert!(
            (r.population_ten_year_risk - ten).abs() <= 0.03,
            "{} {r:?}",
            c.id
        );
        assert!(
            (r.population_lifetime_risk - life).abs() <= 0.1,
            "{} {r:?}",
            c.id
        );
    }
}

#[test]
fn lifetime_risk_on_the_same_side_of_20_percent_as_ibis() {
    // The figure clinicians act on (the 20 % MRI threshold). Measured: 10 of 10 (TST_10, ours
    // 21.7 %, IBIS 20.05 %, is the closest).
    for c in cases() {
        let r = ours(&c);
        assert_eq!(
            r.lifetime_risk >= 20.0,
            c.ibis.lifetime >= 20.0,
            "{}: ours {:.1} %, IBIS {:.1} %",
            c.id,
            r.lifetime_risk,
            c.ibis.lifetime
        );
    }
}

#[test]
fn ten_year_and_lifetime_risks_within_the_measured_band_of_ibis() {
    // Measured ours / IBIS: 10-year 0.91 (TST_8, atypical hyperplasia) to 1.58 (TST_10);
    // lifetime 0.86 (TST_8) to 1.14 (TST_2). Bands 0.85–1.65 and 0.80–1.20.
    assert_within(
        "10-year",
        &ratios(|r, i| (r.ten_year_risk, i.ten_year)),
        0.85,
        1.65,
    );
    assert_within(
        "lifetime",
        &ratios(|r, i| (r.lifetime_risk, i.lifetime)),
        0.80,
        1.20,
    );
}

#[test]
fn carrier_probabilities_within_the_measured_band_of_ibis() {
    // Measured ours / IBIS: BRCA1 0.37 (TST_5: mother 40 + maternal grandmother 50, where our
    // low-penetrance gene takes more of the family history than IBIS's) to 2.52 (TST_7); BRCA2
    // 0.92 (TST_5) to 2.69 (TST_7). Bands: BRCA1 0.33–2.75, BRCA2 0.85–2.90.
    let pct = |f: f64| 100.0 * f;
    assert_within(
        "BRCA1",
        &ratios(|r, i| (pct(r.brca1_probability), i.brca1)),
        0.33,
        2.75,
    );
    assert_within(
        "BRCA2",
        &ratios(|r, i| (pct(r.brca2_probability), i.brca2)),
        0.85,
        2.90,
    );
}

#[test]
fn no_family_history_carrier_probabilities_stay_at_the_known_gap() {
    // The known gap, pinned so that any change to it is noticed. TST_2, TST_6 and TST_8 report
    // no relative. IBIS counts their mother and grandmothers (always in its records) as
    // unaffected, which lowers its posteriors below the priors; we do not (not adopted: see
    // docs/clinical-models.md §10), so ours stay near the priors. Measured ours / IBIS: BRCA1
    // 1.98–2.00, BRCA2 1.57–1.61. Band 1.5–2.1 for both genes.
    let none: Vec<Case> = cases()
        .into_iter()
        .filter(|c| c.profile["relatives"].as_array().is_some_and(Vec::is_empty))
        .collect();
    assert_eq!(none.len(), 3);
    for c in &none {
        let r = ours(c);
        for (gene, ours, ibis) in [
            ("BRCA1", 100.0 * r.brca1_probability, c.ibis.brca1),
            ("BRCA2", 100.0 * r.brca2_probability, c.ibis.brca2),
        ] {
            let ratio = ours / ibis;
            assert!((1.5..=2.1).contains(&ratio), "{} {gene}: {ratio:.3}", c.id);
        }
    }
}

#[test]
fn not_adopted_family_structure_crosses_20_percent_for_three_women() {
    // Why IBIS's always-present mother and grandmothers were not adopted (docs/clinical-models.md
    // §10): with them, TST_1, TST_9 and TST_10 fall below 20 % lifetime where IBIS puts them
    // above (measured 17.8, 17.9, 17.4 % against 23.9, 23.3, 20.0 %), while the carrier
    // probabilities of the three women without family history come to 0.71–0.82 × IBIS's.
    let crossing: Vec<&str> = cases()
        .iter()
        .filter(|c| (ours_with_ibis_family(c).lifetime_risk >= 20.0) != (c.ibis.lifetime >= 20.0))
        .map(|c| c.id)
        .collect();
    assert_eq!(crossing, ["TST_1", "TST_9", "TST_10"]);
}
