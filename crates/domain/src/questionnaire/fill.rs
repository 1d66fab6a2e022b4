//! The "fills" column of api-contract.md §3.5.1: how each accepted answer changes the
//! `RiskProfile` (risk-profile.md), the rules that depend on earlier answers, and how relatives
//! named in different answers merge. The rules are listed in the `questionnaire` module docs.

use serde::de::DeserializeOwned;

use super::model::{Answer, CancerMention, RelativeGeneTest, RelativeMention};
use crate::clinical::pedigree::RelationSex;
use crate::clinical::profile::{
    BiradsDensity, BreastDensity, Cancer, CancerType, DensityMethod, DensityValue,
    FIRST_BIRTH_RANGE, FieldErrorKind, GeneticTest, Hrt, Hyperplasia, MAX_GENETIC_TESTS_PER_PERSON,
    MENARCHE_RANGE, MENOPAUSE_RANGE, PathSeg, Relation, Relative, RiskProfile, Sex,
};
use crate::questionnaire::model::QuestionId;

/// Youngest age question 10 accepts (contract: `age (18..120, required)`).
pub const MIN_PROBAND_AGE: i32 = 18;

/// The profile built so far, and question 2's age waiting for question 3's relation.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Fill {
    pub(crate) profile: RiskProfile,
    pending_breast_age: Option<Option<i32>>,
}

/// A relation as words (`maternal aunt`), for messages.
fn person(r: Relation) -> String {
    r.as_str().replace('_', " ")
}

fn sex_word(s: Sex) -> &'static str {
    match s {
        Sex::Female => "female",
        Sex::Male => "male",
    }
}

/// A choice code as its serde enum (the options' codes are the enums' wire names).
fn from_code<T: DeserializeOwned>(code: &str) -> Result<T, String> {
    serde_json::from_value(serde_json::Value::String(code.to_owned()))
        .map_err(|_| format!("\"{code}\" is not one of the options"))
}

/// An age at an event in the proband's life: within `range`, not after the proband's age, not
/// before `not_before` (an earlier event, with its name).
fn event_age(
    what: &str,
    age: Option<i32>,
    (lo, hi): (i32, i32),
    own_age: Option<i32>,
    not_before: Option<(i32, &str)>,
) -> Result<Option<i32>, String> {
    let Some(a) = age else { return Ok(None) };
    if !(lo..=hi).contains(&a) {
        return Err(format!("{what} must be between {lo} and {hi}"));
    }
    if let Some(own) = own_age
        && a > own
    {
        return Err(format!(
            "{what} ({a}) cannot be after your current age ({own})"
        ));
    }
    if let Some((b, name)) = not_before
        && a < b
    {
        return Err(format!("{what} ({a}) cannot be before {name} ({b})"));
    }
    Ok(Some(a))
}

impl Fill {
    /// Applies one accepted answer to question `q`. `Err` is a problem sentence; `self` may then
    /// be half-changed, so the caller applies to a copy.
    pub(crate) fn apply(&mut self, q: QuestionId, answer: &Answer) -> Result<(), String> {
        use Answer as A;
        use CancerType as T;
        let p = &mut self.profile.proband;
        match (q.get(), answer) {
            (1 | 4, A::YesNo(_)) => {}
            (2, A::Age(age)) => self.pending_breast_age = Some(*age),
            (3, A::Relation(r)) => {
                let age = self.pending_breast_age.take().flatten();
                self.relative_cancer(*r, T::Breast, age, None)?;
            }
            (5, A::RelativeList(l)) => {
                self.relatives(l.as_deref(), T::Ovarian, Some(Sex::Female))?
            }
            (6, A::RelativeList(l)) => self.relatives(l.as_deref(), T::Pancreatic, None)?,
            (7, A::RelativeList(l)) => {
                self.relatives(l.as_deref(), T::Prostate, Some(Sex::Male))?
            }
            (8, A::RelativeList(l)) => self.relatives(l.as_deref(), T::Breast, Some(Sex::Male))?,
            (9, A::RelativeGeneList(l)) => {
                for t in l.iter().flatten() {
                    self.relative_test(t)?;
                }
            }
            (10, A::Age(Some(a))) => {
                if *a < MIN_PROBAND_AGE {
                    return Err(format!("The age must be at least {MIN_PROBAND_AGE}"));
                }
                p.age = Some(*a);
            }
            (11, A::Choice(c)) => p.sex = Some(from_code(c)?),
            (12, A::YesNo(y)) => p.ashkenazi_jewish = y.known(),
            (13, A::Choice(c)) => p.ethnicity = Some(from_code(c)?),
            (14, A::CancerList(l)) => {
                for c in l.iter().flatten() {
                    let cancer = proband_cancer(c, p.age, p.sex)?;
                    p.cancers.push(cancer);
                }
            }
            (15, A::GeneList(l)) => p.genetic_tests = l.clone().unwrap_or_default(),
            (16 | 18 | 20, A::Age(a)) => {
                let after_menarche = p.menarche_age.map(|m| (m, "your first period"));
                let (what, range, not_before, field) = match q.get() {
                    16 => (
                        "Your age at your first period",
                        MENARCHE_RANGE,
                        None,
                        &mut p.menarche_age,
                    ),
                    18 => (
                        "Your age at your first child's birth",
                        FIRST_BIRTH_RANGE,
                        after_menarche,
                        &mut p.first_live_birth_age,
                    ),
                    _ => (
                        "Your age at menopause",
                        MENOPAUSE_RANGE,
                        after_menarche,
                        &mut p.menopause_age,
                    ),
                };
                *field = event_age(what, *a, range, p.age, not_before)?;
            }
            (17, A::Count(n)) => p.live_births = Some(*n),
            (19, A::Choice(c)) => p.menopause_status = Some(from_code(c)?),
            (21, A::Measure(v)) => p.height_cm = Some(*v),
            (22, A::Measure(v)) => p.weight_kg = Some(*v),
            (23, A::Count(n)) => {
                p.breast_biopsies = Some(*n);
                if *n == 0 {
                    // LCIS and hyperplasia are biopsy findings: without a biopsy there are none.
                    p.hyperplasia = Some(Hyperplasia::None);
                    p.lcis = Some(false);
                }
            }
            (24, A::Choice(c)) => {
                (p.hyperplasia, p.lcis) = match c.as_str() {
                    "lcis" => (None, Some(true)),
                    "none" => (Some(Hyperplasia::None), Some(false)),
                    other => (Some(from_code(other)?), None),
                };
            }
            (25, A::Choice(c)) => {
                p.hrt = match c.as_str() {
                    "unknown" => None,
                    code => Some(Hrt {
                        status: Some(from_code(code)?),
                        hrt_type: None,
                        years_used: None,
                        years_since_stopped: None,
                        intended_years: None,
                    }),
                };
            }
            (26, A::Choice(c)) => {
                p.breast_density = match c.as_str() {
                    "unknown" => None,
                    code => Some(BreastDensity {
                        method: DensityMethod::Birads,
                        value: Some(DensityValue::Birads(from_code::<BiradsDensity>(code)?)),
                    }),
                };
            }
            _ => return Err(format!("This answer does not fit question {q}")),
        }
        Ok(())
    }

    /// The safety net: the profile must pass `RiskProfile::validate`, except for the proband's
    /// age until question 10 has filled it. The parsers and the rules above already refuse
    /// everything validation would; this makes a gap between them an invalid answer, never a
    /// completed profile that does not validate.
    pub(crate) fn check(&self) -> Result<(), String> {
        let Err(errors) = self.profile.validate() else {
            return Ok(());
        };
        let age_path = [
            PathSeg::Key("proband".to_owned()),
            PathSeg::Key("age".to_owned()),
        ];
        match errors
            .into_iter()
            .find(|e| !(e.kind == FieldErrorKind::Missing && e.path == age_path))
        {
            Some(e) => Err(e.msg),
            None => Ok(()),
        }
    }

    fn relatives(
        &mut self,
        mentions: Option<&[RelativeMention]>,
        cancer: CancerType,
        sex: Option<Sex>,
    ) -> Result<(), String> {
        for m in mentions.unwrap_or_default() {
            self.relative_cancer(m.relation, cancer, m.age_at_diagnosis, sex)?;
        }
        Ok(())
    }

    /// Records a relative's cancer. `sex` is the sex the question implies (male relatives for
    /// prostate and male breast cancer, female for ovarian): a relation of the other sex is
    /// refused, and a cousin gets it as her or his `sex`. Merge rule: see the module docs.
    fn relative_cancer(
        &mut self,
        relation: Relation,
        cancer_type: CancerType,
        age: Option<i32>,
        sex: Option<Sex>,
    ) -> Result<(), String> {
        let recorded_sex = match (relation.fixed_sex(), sex) {
            (RelationSex::Fixed(fixed), Some(want)) if fixed != want => {
                return Err(format!(
                    "Your {} is not a {} relative; this question is about {} relatives",
                    person(relation),
                    sex_word(want),
                    sex_word(want)
                ));
            }
            (RelationSex::Fixed(_), _) => None,
            (RelationSex::FromRecord, s) => s,
        };
        let relatives = &mut self.profile.relatives;
        if relation.is_unique()
            && let Some(r) = relatives.iter_mut().find(|r| r.relation == relation)
        {
            match r.cancers.iter_mut().find(|c| c.cancer_type == cancer_type) {
                None => r.cancers.push(Cancer::new(cancer_type, age)),
                Some(c) => match (c.age_at_diagnosis, age) {
                    (Some(was), Some(now)) if was != now => {
                        return Err(format!(
                            "Your {} is already listed with {} cancer at {was}",
                            person(relation),
                            cancer_type.as_str()
                        ));
                    }
                    (None, Some(now)) => c.age_at_diagnosis = Some(now),
                    _ => {}
                },
            }
            return Ok(());
        }
        let mut r = Relative::new(relation);
        r.sex = recorded_sex;
        r.cancers.push(Cancer::new(cancer_type, age));
        relatives.push(r);
        Ok(())
    }

    /// Records a relative's genetic test (question 9): given to the one person already listed
    /// under that relation, else (none, or several) to a new person.
    fn relative_test(&mut self, t: &RelativeGeneTest) -> Result<(), String> {
        let relatives = &mut self.profile.relatives;
        let same: Vec<usize> = (0..relatives.len())
            .filter(|&i| relatives[i].relation == t.relation)
            .collect();
        let i = match same.as_slice() {
            [only] => *only,
            _ => {
                relatives.push(Relative::new(t.relation));
                relatives.len() - 1
            }
        };
        let tests = &mut relatives[i].genetic_tests;
        if tests.iter().any(|g| g.gene == t.gene) {
            return Err(format!(
                "{} is listed twice for your {}",
                t.gene,
                person(t.relation)
            ));
        }
        if tests.len() >= MAX_GENETIC_TESTS_PER_PERSON {
            return Err(format!(
                "List at most {MAX_GENETIC_TESTS_PER_PERSON} results per relative"
            ));
        }
        tests.push(GeneticTest {
            gene: t.gene.clone(),
            result: t.result,
        });
        Ok(())
    }
}

/// One of the proband's cancers (question 14): diagnosed no later than the proband's age
/// (question 10), and possible for the proband's sex (question 11). A flag not said is unknown.
fn proband_cancer(c: &CancerMention, age: Option<i32>, sex: Option<Sex>) -> Result<Cancer, String> {
    if let (Some(dx), Some(own)) = (c.age_at_diagnosis, age)
        && dx > own
    {
        return Err(format!(
            "The age at diagnosis ({dx}) cannot be after your current age ({own})"
        ));
    }
    if !c.cancer_type.possible_for(sex) {
        let site = c.cancer_type.as_str();
        let (first, rest) = site.split_at(1);
        return Err(format!(
            "{}{rest} cancer is not possible for your sex at birth",
            first.to_uppercase()
        ));
    }
    let mut cancer = Cancer::new(c.cancer_type, c.age_at_diagnosis);
    cancer.bilateral = c.bilateral.then_some(true);
    cancer.invasive = c.dcis.then_some(false);
    cancer.triple_negative = c.triple_negative.then_some(true);
    cancer.metastatic = c.metastatic.then_some(true);
    Ok(cancer)
}
