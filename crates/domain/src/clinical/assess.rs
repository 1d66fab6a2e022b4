//! The clinical engine end to end: one [`RiskProfile`] in, one [`Assessment`] out.
//!
//! [`assess`] validates the profile, maps it to each model's own input, runs the models and
//! assembles the contract's `Assessment` (risk-profile.md, "Output"):
//!
//! 1. **Tyrer-Cuzick (IBIS v8-style)**, for a woman aged 18–84 without a personal breast cancer:
//!    relatives map 1:1. Otherwise `tyrer_cuzick` is `null`, `tyrer_cuzick_score` is `null` and a
//!    warning says why (never an error: the rest of the assessment still runs).
//! 2. **NCCN** BOPP v3.2026 criteria, always; fed with the Tyrer-Cuzick BRCA1 + BRCA2 carrier
//!    probability (a fraction) when the model ran, for G6/G7.
//! 3. **Gail** (BCRAT): `gail.applicable` from sex, personal breast cancer, DCIS, LCIS, chest
//!    radiation and a known BRCA1/2 carrier status (pathogenic or likely pathogenic), then age;
//!    when applicable, the five-year and lifetime risks. Race from ethnicity; `other`,
//!    `american_indian`, `unknown` and an absent ethnicity use BCRA's code 4, which runs on the
//!    White tables (as BCRA does for unknown race). An unknown sex makes it not applicable.
//! 4. **Manchester** (MSS3), always: lineage from the pedigree side; the proband, full siblings
//!    and descendants count in both lineages.
//! 5. **Lynch syndrome** (issue #13), always: NCCN CEG v1.2026 criteria LS1–LS10 and PREMM5
//!    (`lynch` block; see [`super::lynch`]). Its warnings are tagged "Lynch syndrome".
//!
//! ## Top-level fields
//! - `nccn_eligible` = `nccn.outcome` is `indicated` or `may_consider`.
//! - `tyrer_cuzick_score` = `tyrer_cuzick.lifetime_risk` (or `null`); `tyrer_cuzick_threshold` =
//!   20.0 (the ACS lifetime-risk threshold for annual MRI).
//! - `is_eligible` = referral for genetic counselling is supported by **any** route:
//!   `nccn_eligible`, **or** Tyrer-Cuzick lifetime risk >= 20 %, **or** a Manchester score at
//!   its threshold, **or** `lynch.nccn.outcome` is `indicated` or `may_consider` (Lynch testing
//!   criteria, PREMM5 included). (Gail's 1.66 % five-year threshold is a chemoprevention threshold, not a
//!   referral one, and does not count.)
//!
//! ## Numbers
//! Risks (percent) are rounded to 2 decimals and carrier probabilities (fractions) to 4; every
//! derived flag (`above_threshold`, `is_eligible`, the NCCN G6/G7 input) is computed from the
//! rounded values, so the output never contradicts itself.
//!
//! ## Warnings
//! Every model's warnings are collected (NCCN first, then Tyrer-Cuzick, Gail, Manchester),
//! rewritten as plain sentences naming people ("Paternal aunt, paternal side: ..."), never
//! struct paths, tagged with the model's name where the model is not obvious, deduplicated.
//!
//! The clock is a parameter: the domain never reads the time.

mod mapping;

use serde_json::Value;
use time::OffsetDateTime;

use super::assessment::{
    Assessment, GailSummary, MRI_LIFETIME_RISK_THRESHOLD, ManchesterSummary, ModelNumbers,
    NccnOutcome, Priority, Recommendation, RecommendationKind, TyrerCuzickSummary,
    build_recommendations, to_assessed_at,
};
use super::gail;
use super::lynch::{self, LynchSummary};
use super::manchester;
use super::nccn;
use super::profile::{FieldError as ProfileFieldError, PathSeg, RiskProfile};
use super::tyrer_cuzick;
use crate::common::{FieldError, Loc};

/// Assesses a profile built in Rust: validates it, then runs every model.
///
/// # Errors
/// Every validation failure, as field errors whose `loc` is the profile's field path
/// (`["proband", "age"]`).
pub fn assess(
    profile: &RiskProfile,
    assessed_at: OffsetDateTime,
) -> Result<Assessment, Vec<FieldError>> {
    profile.validate().map_err(|e| to_field_errors(&e))?;
    Ok(assess_validated(profile, assessed_at))
}

/// Parses (with the API's leniency, see `profile`), validates and assesses a JSON value.
///
/// # Errors
/// The parse error or every validation failure, with `loc` the profile's field path.
pub fn assess_value(
    value: &Value,
    assessed_at: OffsetDateTime,
) -> Result<Assessment, Vec<FieldError>> {
    let profile = RiskProfile::parse_and_validate(value).map_err(|e| to_field_errors(&e))?;
    Ok(assess_validated(&profile, assessed_at))
}

/// Parses raw JSON bytes (whatever their declared content type), then as [`assess_value`].
/// Undecodable JSON is one error about the whole input (`loc` empty) with type `json_invalid`.
///
/// # Errors
/// As [`assess_value`].
pub fn assess_json(
    bytes: &[u8],
    assessed_at: OffsetDateTime,
) -> Result<Assessment, Vec<FieldError>> {
    assess_json_with_profile(bytes, assessed_at).map(|(_, a)| a)
}

/// As [`assess_json`], also returning the parsed, validated profile (what a stored assessment
/// keeps, so that its pedigree files can be written later from the same data).
///
/// # Errors
/// As [`assess_json`].
pub fn assess_json_with_profile(
    bytes: &[u8],
    assessed_at: OffsetDateTime,
) -> Result<(RiskProfile, Assessment), Vec<FieldError>> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| {
        use serde_json::error::Category;
        // Our words, not the parser's: where it broke, and how.
        let what = match e.classify() {
            Category::Eof => "it ends before the JSON value is complete".to_owned(),
            Category::Syntax | Category::Data | Category::Io => format!(
                "unexpected character or value at line {}, column {}",
                e.line(),
                e.column()
            ),
        };
        vec![FieldError {
            loc: Vec::new(),
            msg: format!("the body is not valid JSON: {what}"),
            kind: "json_invalid".to_owned(),
        }]
    })?;
    let profile = RiskProfile::parse_and_validate(&value).map_err(|e| to_field_errors(&e))?;
    let assessment = assess_validated(&profile, assessed_at);
    Ok((profile, assessment))
}

/// Profile field errors as field errors: `loc` = the path, `type` = the kind's code.
pub fn to_field_errors(errors: &[ProfileFieldError]) -> Vec<FieldError> {
    errors
        .iter()
        .map(|e| {
            let loc = e
                .path
                .iter()
                .map(|s| match s {
                    PathSeg::Key(k) => Loc::Key(k.clone()),
                    PathSeg::Index(i) => Loc::Index(*i),
                })
                .collect();
            FieldError {
                loc,
                msg: e.msg.clone(),
                kind: e.kind.as_str().to_owned(),
            }
        })
        .collect()
}

fn round(x: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    (x * f).round() / f
}

fn push_unique(out: &mut Vec<String>, w: String) {
    if !out.contains(&w) {
        out.push(w);
    }
}

/// Runs the models on a profile that passed [`RiskProfile::validate`]. Never panics; a model that
/// cannot run for this person leaves its section empty (`null`, or `applicable: false`) and a
/// warning.
fn assess_validated(profile: &RiskProfile, assessed_at: OffsetDateTime) -> Assessment {
    let mut model_warnings: Vec<String> = Vec::new();

    let tc = tyrer_cuzick_section(profile, &mut model_warnings);

    // NCCN, with the model carrier probability.
    let carrier = tc
        .as_ref()
        .map(|t| round(t.brca1_probability + t.brca2_probability, 4));
    let nccn_result = nccn::evaluate(profile, carrier);

    let gail_summary = gail_section(profile, &mut model_warnings);
    let mss = manchester_section(profile, &mut model_warnings);

    let numbers = ModelNumbers {
        tc_lifetime_risk: tc.as_ref().map(|t| t.lifetime_risk),
        gail_five_year_risk: gail_summary
            .as_ref()
            .filter(|g| g.applicable)
            .and_then(|g| g.five_year_risk),
        manchester: mss.map(|m| (m.total, m.meets_threshold)),
    };
    let mut recommendations = build_recommendations(profile, &nccn_result, &numbers);
    let lynch = lynch::evaluate(profile);
    lynch_recommendation(&lynch.summary, &mut recommendations);
    for w in &lynch.warnings {
        model_warnings.push(mapping::tagged(w, "Lynch syndrome"));
    }

    let mut warnings = Vec::new();
    for w in nccn_result.warnings.iter().cloned().chain(model_warnings) {
        push_unique(&mut warnings, w);
    }

    let nccn_eligible = nccn_result.outcome != NccnOutcome::NotMet;
    let tc_above = tc.as_ref().is_some_and(|t| t.above_threshold);
    let mss_meets = mss.is_some_and(|m| m.meets_threshold);
    let lynch_eligible = lynch.summary.nccn.outcome != NccnOutcome::NotMet;
    Assessment {
        profile_id: None,
        assessed_at: to_assessed_at(assessed_at),
        is_eligible: nccn_eligible || tc_above || mss_meets || lynch_eligible,
        nccn_eligible,
        tyrer_cuzick_score: tc.as_ref().map(|t| t.lifetime_risk),
        tyrer_cuzick_threshold: MRI_LIFETIME_RISK_THRESHOLD,
        nccn: nccn_result.summary(),
        tyrer_cuzick: tc,
        gail: gail_summary,
        manchester: mss.map(|m| ManchesterSummary {
            brca1_score: m.brca1_score,
            brca2_score: m.brca2_score,
            total: m.total,
            meets_threshold: m.meets_threshold,
        }),
        lynch: Some(lynch.summary),
        recommendations,
        warnings,
    }
}

/// Lynch criteria met: refer for Lynch syndrome testing (high when indicated, medium when it may
/// be considered), replacing "routine screening".
fn lynch_recommendation(l: &LynchSummary, out: &mut Vec<Recommendation>) {
    let (priority, text) = match l.nccn.outcome {
        NccnOutcome::NotMet => return,
        NccnOutcome::Indicated => (
            Priority::High,
            "Refer for genetic counselling and Lynch syndrome testing (MLH1, MSH2, MSH6, PMS2, EPCAM): NCCN colorectal/endometrial criteria met.",
        ),
        NccnOutcome::MayConsider => (
            Priority::Medium,
            "Discuss Lynch syndrome testing: PREMM5 score at or above 2.5 %.",
        ),
    };
    out.retain(|r| r.kind != RecommendationKind::RoutineScreening);
    out.push(Recommendation {
        kind: RecommendationKind::GeneticCounseling,
        priority,
        text: text.to_owned(),
    });
    out.sort_by_key(|r| std::cmp::Reverse(r.priority));
}

/// The Tyrer-Cuzick input a profile maps to, for tests that compare the model's full-precision
/// outputs (the `Assessment` rounds them) with published ones (`tyrer_cuzick/ibis_cases.rs`).
#[cfg(test)]
pub(crate) fn tc_input_of(profile: &RiskProfile) -> tyrer_cuzick::TcInput {
    mapping::tc_input(profile, &mut Vec::new())
}

/// The `tyrer_cuzick` block, or `None` (with a warning) when the model does not apply or refuses
/// the input.
fn tyrer_cuzick_section(
    profile: &RiskProfile,
    warnings: &mut Vec<String>,
) -> Option<TyrerCuzickSummary> {
    let p = &profile.proband;
    match mapping::tc_not_applicable(p) {
        Some(reason) => {
            warnings.push(reason);
            None
        }
        None => {
            let input = mapping::tc_input(profile, warnings);
            match tyrer_cuzick::assess(&input) {
                Ok(r) => {
                    for w in &r.warnings {
                        warnings.push(mapping::tc_warning(profile, w));
                    }
                    let lifetime = round(r.lifetime_risk, 2);
                    Some(TyrerCuzickSummary {
                        model: r.model,
                        ten_year_risk: round(r.ten_year_risk, 2),
                        lifetime_risk: lifetime,
                        horizon_age: r.horizon_age,
                        brca1_probability: round(r.brca1_probability, 4),
                        brca2_probability: round(r.brca2_probability, 4),
                        population_ten_year_risk: round(r.population_ten_year_risk, 2),
                        population_lifetime_risk: round(r.population_lifetime_risk, 2),
                        threshold: MRI_LIFETIME_RISK_THRESHOLD,
                        above_threshold: lifetime >= MRI_LIFETIME_RISK_THRESHOLD,
                    })
                }
                Err(e) => {
                    warnings.push(mapping::tc_error(profile, &e));
                    None
                }
            }
        }
    }
}

/// The Manchester score, or `None` (with a warning) when it cannot be computed.
fn manchester_section(
    profile: &RiskProfile,
    warnings: &mut Vec<String>,
) -> Option<manchester::ManchesterScore> {
    let (mss_input, mss_types) = mapping::manchester_input(profile, warnings);
    match manchester::score(&mss_input) {
        Ok(r) => {
            for w in &r.warnings {
                warnings.push(mapping::manchester_warning(profile, &mss_types, w));
            }
            Some(r.score)
        }
        Err(e) => {
            warnings.push(mapping::tagged(
                &format!(
                    "Not computed: {}",
                    mapping::humanise_paths(profile, &e.to_string())
                ),
                "Manchester score",
            ));
            None
        }
    }
}

/// The `gail` block: always present; `applicable: false` with a reason when the model does not
/// apply or BCRA rejects the input.
fn gail_section(profile: &RiskProfile, warnings: &mut Vec<String>) -> Option<GailSummary> {
    let p = &profile.proband;
    let not_applicable = |reason: String| GailSummary {
        applicable: false,
        not_applicable_reason: Some(reason),
        five_year_risk: None,
        lifetime_risk: None,
        average_five_year_risk: None,
        average_lifetime_risk: None,
    };
    if p.sex.is_none() {
        return Some(not_applicable(
            "The Gail model is validated for women only, and your sex is not recorded.".to_owned(),
        ));
    }
    let verdict = gail::applicability(&mapping::gail_facts(p));
    if !verdict.applicable {
        let reason = verdict
            .not_applicable_reason
            .map_or("The Gail model does not apply.", |r| r.text());
        return Some(not_applicable(reason.to_owned()));
    }
    for w in &verdict.warnings {
        push_unique(warnings, w.text().to_owned());
    }
    let input = mapping::gail_input(profile, warnings);
    Some(match gail::assess(&input) {
        Ok(a) => GailSummary {
            applicable: true,
            not_applicable_reason: None,
            five_year_risk: Some(round(a.five_year_risk, 2)),
            lifetime_risk: Some(round(a.lifetime_risk, 2)),
            average_five_year_risk: Some(round(a.average_five_year_risk, 2)),
            average_lifetime_risk: Some(round(a.average_lifetime_risk, 2)),
        },
        Err(e) => {
            let msgs: Vec<&str> = e.kinds.iter().map(|k| k.message()).collect();
            let reason = format!(
                "The Gail model cannot use these inputs: {}.",
                msgs.join("; ")
            );
            warnings.push(reason.clone());
            not_applicable(reason)
        }
    })
}
