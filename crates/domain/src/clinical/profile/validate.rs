//! `RiskProfile::validate`: impossible or contradictory values, each named by its JSON path.
//!
//! Bounds are plausibility limits, not clinical cut-offs: an age above 120 or a menarche at 3 is a
//! data-entry error, and a model fed with it would return a confident wrong number. Where a bound
//! is a judgement call it says so. Unknown (`None`) values are never errors here, except the
//! proband's age, without which no model can run (risk-profile.md: "no age ... is a 422").

use super::{
    BreastDensity, Cancer, CancerType, DensityMethod, DensityValue, FieldError, FieldErrorKind,
    Hrt, HrtStatus, Hyperplasia, MenopauseStatus, PathSeg, Proband, ReceptorStatus, Relative,
    RiskProfile, Sex,
};
use crate::clinical::pedigree::{Generation, RelationSex};

/// Oldest plausible human age in whole years (risk-profile.md: "impossible ages (> 120)").
pub const MAX_AGE: i32 = 120;
/// Most relatives one profile may list (a three-generation pedigree has a few dozen): bounds the
/// engine's work per request (issue #6 item 9).
pub const MAX_RELATIVES: usize = 200;
/// Most cancers recorded for one person.
pub const MAX_CANCERS_PER_PERSON: usize = 10;
/// Most genetic test results recorded for one person.
pub const MAX_GENETIC_TESTS_PER_PERSON: usize = 50;
/// Menarche plausibility bounds (years). Judgement call: documented menarche outside 6..=25 is
/// almost certainly an entry error (precocious puberty before 6 and primary amenorrhoea resolved
/// after 25 are exceptional and outside every model's calibration).
pub const MENARCHE_RANGE: (i32, i32) = (6, 25);
/// Age at first live birth plausibility bounds (years).
pub const FIRST_BIRTH_RANGE: (i32, i32) = (9, 70);
/// Age at menopause plausibility bounds (years).
pub const MENOPAUSE_RANGE: (i32, i32) = (10, 70);
/// Height bounds (cm).
pub const HEIGHT_RANGE: (f64, f64) = (50.0, 250.0);
/// Weight bounds (kg).
pub const WEIGHT_RANGE: (f64, f64) = (20.0, 350.0);
/// Live births bounds (the questionnaire's `count` type is 0..30, api-contract.md §3.5.1).
pub const LIVE_BIRTHS_RANGE: (i32, i32) = (0, 30);
/// Breast biopsies bounds.
pub const BIOPSIES_RANGE: (i32, i32) = (0, 50);

struct Errors(Vec<FieldError>);

impl Errors {
    fn push(&mut self, path: Vec<PathSeg>, kind: FieldErrorKind, msg: String) {
        self.0.push(FieldError { path, msg, kind });
    }
}

fn at(base: &[PathSeg], segs: &[PathSeg]) -> Vec<PathSeg> {
    let mut p = base.to_vec();
    p.extend_from_slice(segs);
    p
}

fn key(k: &str) -> PathSeg {
    PathSeg::Key(k.to_owned())
}

fn check_int_range(
    e: &mut Errors,
    path: Vec<PathSeg>,
    what: &str,
    v: Option<i32>,
    (lo, hi): (i32, i32),
) {
    let Some(v) = v else { return };
    if v < 0 {
        e.push(
            path,
            FieldErrorKind::OutOfRange,
            format!("{what} cannot be negative (got {v})"),
        );
    } else if v < lo || v > hi {
        e.push(
            path,
            FieldErrorKind::OutOfRange,
            format!("{what} must be between {lo} and {hi} (got {v})"),
        );
    }
}

fn check_float_range(
    e: &mut Errors,
    path: Vec<PathSeg>,
    what: &str,
    v: Option<f64>,
    (lo, hi): (f64, f64),
) {
    if let Some(v) = v
        && (!v.is_finite() || v < lo || v > hi)
    {
        e.push(
            path,
            FieldErrorKind::OutOfRange,
            format!("{what} must be between {lo} and {hi} (got {v})"),
        );
    }
}

/// `v` (an age at an event) must not exceed the person's age.
fn check_not_after(
    e: &mut Errors,
    path: Vec<PathSeg>,
    what: &str,
    v: Option<i32>,
    age: Option<i32>,
    age_label: &str,
) {
    if let (Some(v), Some(age)) = (v, age)
        && (0..=MAX_AGE).contains(&age)
        && v > age
    {
        e.push(
            path,
            FieldErrorKind::Inconsistent,
            format!("{what} ({v}) is after the {age_label} ({age})"),
        );
    }
}

impl RiskProfile {
    /// Checks for impossible or contradictory values and returns every problem found, each with
    /// the JSON path of the offending field (e.g. `["relatives", 2, "cancers", 0, "age_at_diagnosis"]`).
    ///
    /// Checked: the proband's age is present; ages within 0..=120 (negative ages are named as
    /// such); diagnoses not after the current age or age at death; menarche within 6..=25 and not
    /// after the current age; first live birth not before menarche, not after the current age, and
    /// absent when `live_births` is 0; menopause age not before menarche, not after the current
    /// age, absent when premenopausal; height, weight, counts and percentages within bounds;
    /// hyperplasia or LCIS only with at least one biopsy; HRT status consistent with its years;
    /// density value matching its method; grade 1..=3; histology and prostate risk group matching
    /// the cancer site; triple-negative consistent with ER/PR/HER2; an in-situ cancer not
    /// metastatic; sex-specific sites matching the person's sex; a relative's `sex` matching the
    /// relation; at most one mother, father and each grandparent; living parents/grandparents
    /// older, and children/grandchildren younger, than the proband.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = Errors(Vec::new());
        self.check_sizes()?;
        let base = vec![key("proband")];
        validate_proband(&mut e, &base, &self.proband);
        let proband_age = self.proband.age.filter(|a| (0..=MAX_AGE).contains(a));
        let mut seen_unique: Vec<super::Relation> = Vec::new();
        for (i, rel) in self.relatives.iter().enumerate() {
            let rbase = vec![key("relatives"), PathSeg::Index(i)];
            validate_relative(&mut e, &rbase, rel, proband_age);
            if rel.relation.is_unique() {
                if seen_unique.contains(&rel.relation) {
                    e.push(
                        at(&rbase, &[key("relation")]),
                        FieldErrorKind::Inconsistent,
                        format!("only one `{}` can be listed", rel.relation),
                    );
                } else {
                    seen_unique.push(rel.relation);
                }
            }
        }
        if e.0.is_empty() { Ok(()) } else { Err(e.0) }
    }
}

impl RiskProfile {
    /// The size limits ([`MAX_RELATIVES`], [`MAX_CANCERS_PER_PERSON`],
    /// [`MAX_GENETIC_TESTS_PER_PERSON`]), checked before anything else.
    fn check_sizes(&self) -> Result<(), Vec<FieldError>> {
        let mut e = Errors(Vec::new());
        if self.relatives.len() > MAX_RELATIVES {
            e.push(
                vec![key("relatives")],
                FieldErrorKind::OutOfRange,
                format!("at most {MAX_RELATIVES} relatives can be listed"),
            );
        }
        let people = std::iter::once((
            vec![key("proband")],
            &self.proband.cancers,
            &self.proband.genetic_tests,
        ))
        .chain(self.relatives.iter().enumerate().map(|(i, r)| {
            (
                vec![key("relatives"), PathSeg::Index(i)],
                &r.cancers,
                &r.genetic_tests,
            )
        }));
        for (base, cancers, tests) in people.take(MAX_RELATIVES + 1) {
            if cancers.len() > MAX_CANCERS_PER_PERSON {
                e.push(
                    at(&base, &[key("cancers")]),
                    FieldErrorKind::OutOfRange,
                    format!("at most {MAX_CANCERS_PER_PERSON} cancers per person"),
                );
            }
            if tests.len() > MAX_GENETIC_TESTS_PER_PERSON {
                e.push(
                    at(&base, &[key("genetic_tests")]),
                    FieldErrorKind::OutOfRange,
                    format!(
                        "at most {MAX_GENETIC_TESTS_PER_PERSON} genetic test results per person"
                    ),
                );
            }
        }
        if e.0.is_empty() { Ok(()) } else { Err(e.0) }
    }
}

fn validate_proband(e: &mut Errors, base: &[PathSeg], p: &Proband) {
    let age = p.age;
    match age {
        None => e.push(
            at(base, &[key("age")]),
            FieldErrorKind::Missing,
            "the proband's age is required".to_owned(),
        ),
        Some(a) => check_int_range(e, at(base, &[key("age")]), "age", Some(a), (0, MAX_AGE)),
    }
    let age = age.filter(|a| (0..=MAX_AGE).contains(a));
    validate_reproductive(e, base, p, age);
    validate_menopause(e, base, p, age);
    validate_body(e, base, p);
    validate_biopsies(e, base, p);
    if let Some(hrt) = &p.hrt {
        validate_hrt(e, &at(base, &[key("hrt")]), hrt, age);
    }
    if let Some(d) = &p.breast_density {
        validate_density(e, &at(base, &[key("breast_density")]), d);
    }
    for (i, c) in p.cancers.iter().enumerate() {
        validate_cancer(
            e,
            &at(base, &[key("cancers"), PathSeg::Index(i)]),
            c,
            age,
            "current age",
            p.sex,
        );
    }
    validate_tests(e, base, &p.genetic_tests);
}

/// Menarche, live births and the age at first live birth: in range, not after the current age,
/// the birth not before menarche, no age without a birth.
fn validate_reproductive(e: &mut Errors, base: &[PathSeg], p: &Proband, age: Option<i32>) {
    let menarche_path = at(base, &[key("menarche_age")]);
    check_int_range(
        e,
        menarche_path.clone(),
        "menarche age",
        p.menarche_age,
        MENARCHE_RANGE,
    );
    check_not_after(
        e,
        menarche_path,
        "menarche age",
        p.menarche_age,
        age,
        "current age",
    );

    check_int_range(
        e,
        at(base, &[key("live_births")]),
        "number of live births",
        p.live_births,
        LIVE_BIRTHS_RANGE,
    );

    let flb = at(base, &[key("first_live_birth_age")]);
    check_int_range(
        e,
        flb.clone(),
        "age at first live birth",
        p.first_live_birth_age,
        FIRST_BIRTH_RANGE,
    );
    check_not_after(
        e,
        flb.clone(),
        "age at first live birth",
        p.first_live_birth_age,
        age,
        "current age",
    );
    if let (Some(b), Some(m)) = (p.first_live_birth_age, p.menarche_age)
        && b < m
    {
        e.push(
            flb.clone(),
            FieldErrorKind::Inconsistent,
            format!("first live birth ({b}) is before menarche ({m})"),
        );
    }
    if p.live_births == Some(0) && p.first_live_birth_age.is_some() {
        e.push(
            flb,
            FieldErrorKind::Inconsistent,
            "an age at first live birth is given but live_births is 0".to_owned(),
        );
    }
}

/// The menopause age: in range, not after the current age nor before menarche, not with `pre`.
fn validate_menopause(e: &mut Errors, base: &[PathSeg], p: &Proband, age: Option<i32>) {
    let mp = at(base, &[key("menopause_age")]);
    check_int_range(
        e,
        mp.clone(),
        "menopause age",
        p.menopause_age,
        MENOPAUSE_RANGE,
    );
    check_not_after(
        e,
        mp.clone(),
        "menopause age",
        p.menopause_age,
        age,
        "current age",
    );
    if let (Some(meno), Some(m)) = (p.menopause_age, p.menarche_age)
        && meno < m
    {
        e.push(
            mp.clone(),
            FieldErrorKind::Inconsistent,
            format!("menopause age ({meno}) is before menarche ({m})"),
        );
    }
    if p.menopause_status == Some(MenopauseStatus::Pre) && p.menopause_age.is_some() {
        e.push(
            mp,
            FieldErrorKind::Inconsistent,
            "a menopause age is given but menopause_status is `pre`".to_owned(),
        );
    }
}

/// Height and weight.
fn validate_body(e: &mut Errors, base: &[PathSeg], p: &Proband) {
    check_float_range(
        e,
        at(base, &[key("height_cm")]),
        "height (cm)",
        p.height_cm,
        HEIGHT_RANGE,
    );
    check_float_range(
        e,
        at(base, &[key("weight_kg")]),
        "weight (kg)",
        p.weight_kg,
        WEIGHT_RANGE,
    );
}

/// The number of biopsies, and no biopsy result (hyperplasia, LCIS) without a biopsy.
fn validate_biopsies(e: &mut Errors, base: &[PathSeg], p: &Proband) {
    check_int_range(
        e,
        at(base, &[key("breast_biopsies")]),
        "number of breast biopsies",
        p.breast_biopsies,
        BIOPSIES_RANGE,
    );
    if p.breast_biopsies == Some(0) {
        if matches!(
            p.hyperplasia,
            Some(Hyperplasia::Hyperplasia | Hyperplasia::Atypical)
        ) {
            e.push(
                at(base, &[key("hyperplasia")]),
                FieldErrorKind::Inconsistent,
                "a biopsy result is given but breast_biopsies is 0".to_owned(),
            );
        }
        if p.lcis == Some(true) {
            e.push(
                at(base, &[key("lcis")]),
                FieldErrorKind::Inconsistent,
                "LCIS is reported but breast_biopsies is 0".to_owned(),
            );
        }
    }
}

fn validate_tests(e: &mut Errors, base: &[PathSeg], tests: &[super::GeneticTest]) {
    for (i, t) in tests.iter().enumerate() {
        if t.gene.trim().is_empty() {
            e.push(
                at(
                    base,
                    &[key("genetic_tests"), PathSeg::Index(i), key("gene")],
                ),
                FieldErrorKind::Missing,
                "the gene is required".to_owned(),
            );
        }
    }
}

fn validate_hrt(e: &mut Errors, base: &[PathSeg], h: &Hrt, age: Option<i32>) {
    let max = age.map_or(f64::from(MAX_AGE), f64::from);
    check_float_range(
        e,
        at(base, &[key("years_used")]),
        "years of HRT use",
        h.years_used,
        (0.0, max),
    );
    check_float_range(
        e,
        at(base, &[key("years_since_stopped")]),
        "years since stopping HRT",
        h.years_since_stopped,
        (0.0, max),
    );
    check_float_range(
        e,
        at(base, &[key("intended_years")]),
        "intended years of HRT use",
        h.intended_years,
        (0.0, f64::from(MAX_AGE)),
    );
    match h.status {
        Some(HrtStatus::Never) => {
            let used = h.hrt_type.is_some()
                || h.years_used.is_some_and(|y| y > 0.0)
                || h.years_since_stopped.is_some()
                || h.intended_years.is_some_and(|y| y > 0.0);
            if used {
                e.push(
                    at(base, &[key("status")]),
                    FieldErrorKind::Inconsistent,
                    "HRT status is `never` but a type or years of use are given".to_owned(),
                );
            }
        }
        Some(HrtStatus::Current) if h.years_since_stopped.is_some_and(|y| y > 0.0) => {
            e.push(
                at(base, &[key("years_since_stopped")]),
                FieldErrorKind::Inconsistent,
                "HRT status is `current` but years since stopping are given".to_owned(),
            );
        }
        Some(HrtStatus::FormerOver5y) => {
            if let Some(y) = h.years_since_stopped.filter(|y| *y < 5.0) {
                e.push(
                    at(base, &[key("years_since_stopped")]),
                    FieldErrorKind::Inconsistent,
                    format!("HRT status is `former_over_5y` but it stopped {y} years ago"),
                );
            }
        }
        Some(HrtStatus::FormerUnder5y) => {
            if let Some(y) = h.years_since_stopped.filter(|y| *y > 5.0) {
                e.push(
                    at(base, &[key("years_since_stopped")]),
                    FieldErrorKind::Inconsistent,
                    format!("HRT status is `former_under_5y` but it stopped {y} years ago"),
                );
            }
        }
        Some(HrtStatus::Current) | None => {}
    }
}

fn validate_density(e: &mut Errors, base: &[PathSeg], d: &BreastDensity) {
    let vp = at(base, &[key("value")]);
    match (d.method, d.value) {
        (_, None) | (DensityMethod::Birads, Some(DensityValue::Birads(_))) => {}
        (DensityMethod::Birads, Some(DensityValue::Percent(_))) => e.push(
            vp,
            FieldErrorKind::Inconsistent,
            "method `birads` takes a category a, b, c or d".to_owned(),
        ),
        (DensityMethod::Vas | DensityMethod::Volpara, Some(DensityValue::Birads(_))) => e.push(
            vp,
            FieldErrorKind::Inconsistent,
            "methods `vas` and `volpara` take a percentage".to_owned(),
        ),
        (DensityMethod::Vas | DensityMethod::Volpara, Some(DensityValue::Percent(v))) => {
            check_float_range(e, vp, "density (%)", Some(v), (0.0, 100.0));
        }
    }
}

fn validate_cancer(
    e: &mut Errors,
    base: &[PathSeg],
    c: &Cancer,
    age: Option<i32>,
    age_label: &str,
    sex: Option<Sex>,
) {
    let ap = at(base, &[key("age_at_diagnosis")]);
    check_int_range(
        e,
        ap.clone(),
        "age at diagnosis",
        c.age_at_diagnosis,
        (0, MAX_AGE),
    );
    check_not_after(
        e,
        ap,
        "age at diagnosis",
        c.age_at_diagnosis,
        age,
        age_label,
    );
    validate_tumour(e, base, c);
    validate_receptors(e, base, c);
    if c.invasive == Some(false) && c.metastatic == Some(true) {
        e.push(
            at(base, &[key("metastatic")]),
            FieldErrorKind::Inconsistent,
            "an in-situ (non-invasive) cancer cannot be metastatic".to_owned(),
        );
    }
    validate_cancer_sex(e, base, c, sex);
}

/// Grade 1–3, a histology and a prostate risk group that fit the cancer type.
fn validate_tumour(e: &mut Errors, base: &[PathSeg], c: &Cancer) {
    if let Some(g) = c.grade
        && !(1..=3).contains(&g)
    {
        e.push(
            at(base, &[key("grade")]),
            FieldErrorKind::OutOfRange,
            format!("grade must be 1, 2 or 3 (got {g})"),
        );
    }
    if let Some(h) = c.histology
        && !h.fits(c.cancer_type)
    {
        e.push(
            at(base, &[key("histology")]),
            FieldErrorKind::Inconsistent,
            format!(
                "this histology does not apply to {} cancer",
                c.cancer_type.as_str()
            ),
        );
    }
    if c.prostate_risk_group.is_some() && c.cancer_type != CancerType::Prostate {
        e.push(
            at(base, &[key("prostate_risk_group")]),
            FieldErrorKind::Inconsistent,
            "a prostate risk group applies to prostate cancer only".to_owned(),
        );
    }
}

/// `triple_negative` consistent with ER, PR and HER2.
fn validate_receptors(e: &mut Errors, base: &[PathSeg], c: &Cancer) {
    let receptors = [c.er, c.pr, c.her2];
    match c.triple_negative {
        Some(true) if receptors.contains(&Some(ReceptorStatus::Positive)) => e.push(
            at(base, &[key("triple_negative")]),
            FieldErrorKind::Inconsistent,
            "triple-negative but ER, PR or HER2 is positive".to_owned(),
        ),
        Some(false)
            if receptors
                .iter()
                .all(|r| *r == Some(ReceptorStatus::Negative)) =>
        {
            e.push(
                at(base, &[key("triple_negative")]),
                FieldErrorKind::Inconsistent,
                "not triple-negative but ER, PR and HER2 are all negative".to_owned(),
            )
        }
        _ => {}
    }
}

/// No prostate cancer in a woman, no ovarian or endometrial cancer in a man.
fn validate_cancer_sex(e: &mut Errors, base: &[PathSeg], c: &Cancer, sex: Option<Sex>) {
    if !c.cancer_type.possible_for(sex) {
        e.push(
            at(base, &[key("type")]),
            FieldErrorKind::Inconsistent,
            format!(
                "{} cancer is not possible for this person's sex",
                c.cancer_type.as_str()
            ),
        );
    }
}

fn validate_relative(e: &mut Errors, base: &[PathSeg], r: &Relative, proband_age: Option<i32>) {
    check_int_range(e, at(base, &[key("age")]), "age", r.age, (0, MAX_AGE));
    let age = r.age.filter(|a| (0..=MAX_AGE).contains(a));
    let fixed = r.relation.fixed_sex();
    if let (RelationSex::Fixed(fs), Some(s)) = (fixed, r.sex)
        && fs != s
    {
        e.push(
            at(base, &[key("sex")]),
            FieldErrorKind::Inconsistent,
            format!("sex contradicts the relation `{}`", r.relation),
        );
    }
    // Generational order: a living ancestor must be older than the proband, a descendant younger.
    if let (Some(a), Some(pa)) = (age, proband_age) {
        let bad = match r.relation.generation() {
            Generation::Older if r.alive == Some(true) => a <= pa,
            Generation::Younger => a >= pa,
            _ => false,
        };
        if bad {
            e.push(
                at(base, &[key("age")]),
                FieldErrorKind::Inconsistent,
                format!(
                    "a `{}` aged {a} is not possible for a proband aged {pa}",
                    r.relation
                ),
            );
        }
    }
    let label = if r.alive == Some(false) {
        "age at death"
    } else {
        "current age"
    };
    let sex = r.relation.sex(r.sex);
    for (i, c) in r.cancers.iter().enumerate() {
        validate_cancer(
            e,
            &at(base, &[key("cancers"), PathSeg::Index(i)]),
            c,
            age,
            label,
            sex,
        );
    }
    validate_tests(e, base, &r.genetic_tests);
}
