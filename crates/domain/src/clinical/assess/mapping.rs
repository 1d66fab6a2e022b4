//! From a validated [`RiskProfile`] to each model's own input, and from each model's
//! path-style warnings back to plain sentences naming people.
//!
//! Each `*_input` function returns either the model input (plus the warnings the mapping itself
//! raises: unknown inputs taken at a default, inputs the model cannot use) or the reason the model
//! cannot run for this person.

use super::super::gail::{FirstLiveBirth, GailApplicabilityFacts, GailInput, GailRace};
use super::super::manchester::{
    BreastHistology, IndexCase, ManchesterInput, ManchesterProband, ManchesterRelative, MssCancer,
    OvarianHistology,
};
use super::super::pedigree::Degree;
use super::super::profile::{
    Cancer, CancerType, DensityMethod, DensityValue, Ethnicity, Histology, Hyperplasia,
    MenopauseStatus, Proband, Relative, RiskProfile, Sex,
};
use super::super::tyrer_cuzick::{
    self as tc, TcBreastCancer, TcCancer, TcDensity, TcHrt, TcInput, TcRelative,
};

// ---------------------------------------------------------------------------------------------
// People, for sentences

/// How a warning names a person: `"You"` for the proband; the relation with its side
/// (`"Mother, maternal side"`) for a relative, with its rank when the relation is listed more
/// than once (`"Sister (2nd listed)"`).
pub(super) fn who(profile: &RiskProfile, person: Option<usize>) -> String {
    let Some(i) = person else {
        return "You".to_owned();
    };
    let Some(r) = profile.relatives.get(i) else {
        return format!("Relative {}", i + 1);
    };
    let same: Vec<usize> = profile
        .relatives
        .iter()
        .enumerate()
        .filter(|(_, x)| x.relation == r.relation)
        .map(|(j, _)| j)
        .collect();
    let base = capitalise(&r.relation.describe());
    if same.len() > 1 {
        let rank = same.iter().position(|j| *j == i).map_or(1, |p| p + 1);
        format!("{base} ({} listed)", ordinal(rank))
    } else {
        base
    }
}

fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

pub(super) fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Appends the model's name to a sentence: `"X."` → `"X (Tyrer-Cuzick)."`.
pub(super) fn tagged(sentence: &str, model: &str) -> String {
    let s = sentence.trim().trim_end_matches('.');
    format!("{s} ({model}).")
}

/// Reads `relatives[<n>]` at the start of `s`: the index and the rest of the text.
fn leading_relative(s: &str) -> Option<(usize, &str)> {
    let rest = s.strip_prefix("relatives[")?;
    let end = rest.find(']')?;
    let i = rest[..end].parse().ok()?;
    Some((i, &rest[end + 1..]))
}

/// Replaces every `relatives[<n>]` (and a following ` (<relation code>)`) in a sentence with the
/// person's name, for any model message not handled more specifically.
pub(super) fn humanise_paths(profile: &RiskProfile, text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(pos) = rest.find("relatives[") {
        out.push_str(&rest[..pos]);
        match leading_relative(&rest[pos..]) {
            Some((i, mut tail)) => {
                if let Some(r) = profile.relatives.get(i) {
                    let code = format!(" ({})", r.relation.as_str());
                    if let Some(t) = tail.strip_prefix(code.as_str()) {
                        tail = t;
                    }
                }
                let name = who(profile, Some(i));
                // Lower-case the name inside a sentence.
                if out.is_empty() || out.ends_with(". ") {
                    out.push_str(&name);
                } else {
                    out.push_str(&lower_first(&name));
                }
                rest = tail;
            }
            None => {
                out.push_str("relatives[");
                rest = &rest[pos + "relatives[".len()..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

// ---------------------------------------------------------------------------------------------
// Shared facts

/// Pathogenic or likely pathogenic BRCA1/BRCA2 result in the proband.
pub(super) fn known_brca_carrier(p: &Proband) -> Option<&'static str> {
    ["BRCA1", "BRCA2"]
        .into_iter()
        .find(|g| p.genetic_tests.iter().any(|t| t.is_plp_in(g)))
}

fn age_u32(a: Option<i32>) -> Option<u32> {
    a.and_then(|a| u32::try_from(a).ok())
}

fn age_u8(a: Option<i32>) -> Option<u8> {
    a.and_then(|a| u8::try_from(a).ok())
}

fn breast_cancers(cancers: &[Cancer]) -> Vec<&Cancer> {
    let mut v: Vec<&Cancer> = cancers
        .iter()
        .filter(|c| c.cancer_type == CancerType::Breast)
        .collect();
    // Earliest known age first; unknown ages last, in listed order.
    v.sort_by_key(|c| c.age_at_diagnosis.unwrap_or(i32::MAX));
    v
}

fn earliest(cancers: &[Cancer], t: CancerType) -> Option<&Cancer> {
    cancers
        .iter()
        .filter(|c| c.cancer_type == t)
        .min_by_key(|c| c.age_at_diagnosis.unwrap_or(i32::MAX))
}

// ---------------------------------------------------------------------------------------------
// Tyrer-Cuzick

/// Why Tyrer-Cuzick cannot run for this person (a sentence), if it cannot.
pub(super) fn tc_not_applicable(p: &Proband) -> Option<String> {
    let age = p.age.unwrap_or(-1);
    match p.sex {
        Some(Sex::Male) => {
            return Some(
                "Tyrer-Cuzick not computed: the model estimates breast cancer risk for women only."
                    .to_owned(),
            );
        }
        None => {
            return Some(
                "Tyrer-Cuzick not computed: your sex is not recorded (the model is for women only)."
                    .to_owned(),
            );
        }
        Some(Sex::Female) => {}
    }
    if p.cancers
        .iter()
        .any(|c| c.cancer_type == CancerType::Breast)
    {
        return Some(
            "Tyrer-Cuzick not computed: the model estimates the risk of a first breast cancer, and you have had one."
                .to_owned(),
        );
    }
    let (lo, hi) = (tc::MIN_AGE as i32, tc::HORIZON_AGE as i32 - 1);
    if !(lo..=hi).contains(&age) {
        return Some(format!(
            "Tyrer-Cuzick not computed: the model covers ages {lo} to {hi}, and your age is {age}."
        ));
    }
    None
}

/// A relative, 1:1 (same position, so `relatives[i]` in TC warnings is the profile's `i`).
/// Breast cancers: the earliest is the first; a second entry or `bilateral` makes it bilateral,
/// with the second entry's age as the contralateral age (DCIS counts as a breast cancer here).
fn tc_relative(r: &Relative) -> TcRelative {
    let breasts = breast_cancers(&r.cancers);
    let breast = breasts.first().map(|first| {
        let second = breasts.get(1);
        TcBreastCancer {
            age_at_diagnosis: age_u32(first.age_at_diagnosis),
            bilateral: second.is_some() || breasts.iter().any(|c| c.bilateral == Some(true)),
            contralateral_age: second
                .and_then(|c| age_u32(c.age_at_diagnosis))
                .filter(|a| age_u32(first.age_at_diagnosis).is_some_and(|f| *a >= f)),
        }
    });
    let ovarian = earliest(&r.cancers, CancerType::Ovarian).map(|c| TcCancer {
        age_at_diagnosis: age_u32(c.age_at_diagnosis),
    });
    TcRelative {
        relation: r.relation,
        sex: r.sex,
        age: age_u32(r.age),
        alive: r.alive,
        breast,
        ovarian,
    }
}

/// The Tyrer-Cuzick input, with the warnings of the mapping (inputs the model cannot use).
/// Call only when [`tc_not_applicable`] is `None`.
pub(super) fn tc_input(profile: &RiskProfile, warnings: &mut Vec<String>) -> TcInput {
    let p = &profile.proband;
    let age = age_u32(p.age).unwrap_or(tc::MIN_AGE);
    let mut note = |s: String| warnings.push(tagged(&s, "Tyrer-Cuzick"));
    if p.ashkenazi_jewish.is_none() {
        note("Ashkenazi Jewish ancestry unknown; BRCA carrier frequencies of the general population used.".to_owned());
    }
    if let Some(gene) = known_brca_carrier(p) {
        note(format!(
            "You carry a pathogenic {gene} variant, but the model does not use genetic test results: its risk understates a carrier's risk; use gene-specific risk estimates."
        ));
    }
    let parity = age_u32(p.live_births);
    let first_birth_age = if parity == Some(0) {
        None
    } else {
        match age_u32(p.first_live_birth_age) {
            Some(a) if a < 10 => {
                note(format!(
                    "Age at first live birth {a} is outside the model's range (10 or more); treated as unknown."
                ));
                None
            }
            a => a,
        }
    };
    let (menopause, menopause_age) = match (p.menopause_status, age_u32(p.menopause_age)) {
        (Some(MenopauseStatus::Post), a) => (MenopauseStatus::Post, a),
        (Some(MenopauseStatus::Pre), _) => (MenopauseStatus::Pre, None),
        (Some(MenopauseStatus::Peri), Some(a)) => {
            note(format!(
                "A menopause age ({a}) is given with a perimenopausal status; the age is not used."
            ));
            (MenopauseStatus::Peri, None)
        }
        (Some(MenopauseStatus::Peri), None) => (MenopauseStatus::Peri, None),
        // A menopause age with no status: she is postmenopausal.
        (Some(MenopauseStatus::Unknown) | None, Some(a)) => (MenopauseStatus::Post, Some(a)),
        (Some(MenopauseStatus::Unknown) | None, None) => (MenopauseStatus::Unknown, None),
    };
    let menopause_age = match menopause_age {
        Some(a) if a < 20 => {
            note(format!(
                "Menopause at {a} is outside the model's range (20 or more); age at menopause treated as unknown."
            ));
            None
        }
        a => a,
    };
    let height_m = match p.height_cm.map(|h| h / 100.0) {
        Some(h) if !(1.0..=2.3).contains(&h) => {
            note(format!(
                "Height {} cm is outside the model's range (100-230 cm); treated as unknown.",
                h * 100.0
            ));
            None
        }
        h => h,
    };
    let weight_kg = match p.weight_kg {
        Some(w) if !(25.0..=300.0).contains(&w) => {
            note(format!(
                "Weight {w} kg is outside the model's range (25-300 kg); treated as unknown."
            ));
            None
        }
        w => w,
    };
    let hrt = p.hrt.as_ref().and_then(|h| {
        Some(TcHrt {
            status: h.status?,
            kind: h.hrt_type,
            years_used: h.years_used,
            // The model accepts up to 60 further years; more cannot change a risk to age 85.
            intended_years: h.intended_years.map(|y| y.min(60.0)),
            years_since_stopped: h.years_since_stopped,
        })
    });
    let hyperplasia = match p.hyperplasia {
        Some(h) => h,
        None if p.breast_biopsies.is_some_and(|n| n > 0) => Hyperplasia::Unknown,
        None => Hyperplasia::None,
    };
    let density = p
        .breast_density
        .as_ref()
        .and_then(|d| match (d.method, d.value?) {
            (DensityMethod::Birads, DensityValue::Birads(b)) => Some(TcDensity::Birads(b)),
            (DensityMethod::Vas, DensityValue::Percent(v)) => Some(TcDensity::Vas(v)),
            (DensityMethod::Volpara, DensityValue::Percent(v)) => Some(TcDensity::Volpara(v)),
            _ => None,
        });
    let ovarian_cancer = earliest(&p.cancers, CancerType::Ovarian).map(|c| TcCancer {
        age_at_diagnosis: age_u32(c.age_at_diagnosis),
    });
    TcInput {
        age,
        ashkenazi: p.ashkenazi_jewish == Some(true),
        menarche_age: age_u32(p.menarche_age),
        parity,
        first_birth_age,
        menopause,
        menopause_age,
        height_m,
        weight_kg,
        hrt,
        hyperplasia,
        lcis: p.lcis,
        density,
        ovarian_cancer,
        relatives: profile.relatives.iter().map(tc_relative).collect(),
    }
}

/// A Tyrer-Cuzick warning as a plain sentence: `relatives[2] (sister): ...` names the person,
/// struct field names become words.
pub(super) fn tc_warning(profile: &RiskProfile, w: &str) -> String {
    let text = if let Some((i, rest)) = leading_relative(w) {
        let rest = profile
            .relatives
            .get(i)
            .and_then(|r| rest.strip_prefix(format!(" ({})", r.relation.as_str()).as_str()))
            .unwrap_or(rest);
        format!("{}{rest}", who(profile, Some(i)))
    } else if let Some(rest) = w.strip_prefix("Proband: ") {
        format!("Your {rest}")
    } else if let Some((head, list)) = w.split_once(": ")
        && head.starts_with("Unknown personal factors")
    {
        let list = list
            .replace("BMI (height_m and weight_kg)", "body mass index")
            .replace("menarche_age", "age at menarche")
            .replace("first_birth_age", "age at first live birth")
            .replace("parity", "number of live births")
            .replace("height_m", "height");
        format!("{head}: {list}")
    } else {
        humanise_paths(profile, w)
    };
    tagged(&text, "Tyrer-Cuzick")
}

/// A Tyrer-Cuzick input error (`field: message`) as a sentence: `relatives[2].breast.age_at_diagnosis`
/// becomes "Sister: breast age at diagnosis ...", `relatives` alone just the message.
pub(super) fn tc_error(profile: &RiskProfile, e: &tc::TcError) -> String {
    let words = |f: &str| {
        f.replace("menarche_age", "age at menarche")
            .replace("first_birth_age", "age at first live birth")
            .replace("menopause_age", "age at menopause")
            .replace("height_m", "height")
            .replace("weight_kg", "weight")
            .replace(['_', '.'], " ")
            .trim()
            .to_owned()
    };
    let message = e.message.trim_end_matches('.');
    let text = if let Some((i, rest)) = leading_relative(&e.field) {
        let rest = words(rest);
        if rest.is_empty() {
            format!("{}: {message}", who(profile, Some(i)))
        } else {
            format!("{}: {rest} {message}", who(profile, Some(i)))
        }
    } else if e.field == "relatives" {
        message.to_owned()
    } else {
        format!("{} {message}", words(&e.field))
    };
    format!("Tyrer-Cuzick not computed: {text}.")
}

// ---------------------------------------------------------------------------------------------
// Gail

/// The Gail applicability facts (`None` sex counts as "not male": the caller handles it first).
pub(super) fn gail_facts(p: &Proband) -> GailApplicabilityFacts {
    let breast = p
        .cancers
        .iter()
        .filter(|c| c.cancer_type == CancerType::Breast);
    GailApplicabilityFacts {
        age: f64::from(p.age.unwrap_or(-1)),
        male: p.sex == Some(Sex::Male),
        prior_breast_cancer: breast.clone().any(|c| c.invasive != Some(false)),
        dcis: breast.clone().any(|c| c.invasive == Some(false)),
        lcis: p.lcis == Some(true),
        chest_radiation: p.chest_radiation == Some(true),
        known_brca_carrier: known_brca_carrier(p).is_some(),
    }
}

/// The BCRA race model for an ethnicity. `other`, `american_indian`, `unknown` and an absent
/// ethnicity use BCRA code 4, which runs on the White tables (BCRA: "other, including American
/// Indian / Alaska Native and unknown race").
pub(super) fn gail_race(e: Option<Ethnicity>) -> GailRace {
    match e {
        Some(Ethnicity::White) => GailRace::White,
        Some(Ethnicity::Black) => GailRace::AfricanAmerican,
        Some(Ethnicity::HispanicUsBorn) => GailRace::HispanicUsBorn,
        Some(Ethnicity::HispanicForeignBorn) => GailRace::HispanicForeignBorn,
        Some(Ethnicity::Chinese) => GailRace::Chinese,
        Some(Ethnicity::Japanese) => GailRace::Japanese,
        Some(Ethnicity::Filipino) => GailRace::Filipino,
        Some(Ethnicity::Hawaiian) => GailRace::Hawaiian,
        Some(Ethnicity::OtherPacificIslander) => GailRace::OtherPacificIslander,
        Some(Ethnicity::OtherAsian) => GailRace::OtherAsian,
        Some(Ethnicity::AmericanIndian | Ethnicity::Other | Ethnicity::Unknown) | None => {
            GailRace::AmericanIndianOrOther
        }
    }
}

/// Female first-degree relatives (mother, sisters, daughters) with breast cancer: persons, not
/// diagnoses. A relative listed is a relative reported; an empty family counts as none.
fn gail_affected_first_degree(profile: &RiskProfile) -> u32 {
    let n = profile
        .relatives
        .iter()
        .filter(|r| {
            r.relation.degree() == Degree::First
                && r.relation.sex(r.sex) == Some(Sex::Female)
                && r.cancers
                    .iter()
                    .any(|c| c.cancer_type == CancerType::Breast)
        })
        .count();
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The Gail input, with the mapping's warnings.
pub(super) fn gail_input(profile: &RiskProfile, warnings: &mut Vec<String>) -> GailInput {
    let p = &profile.proband;
    let mut note = |s: String| warnings.push(tagged(&s, "Gail"));
    let known_result = matches!(
        p.hyperplasia,
        Some(Hyperplasia::None | Hyperplasia::Hyperplasia | Hyperplasia::Atypical)
    );
    let biopsies = match age_u32(p.breast_biopsies) {
        None if known_result => {
            note(
                "Number of breast biopsies unknown but a biopsy result is recorded; taken as 1."
                    .to_owned(),
            );
            Some(1)
        }
        n => n,
    };
    // BCRA: hyperplasia must be "unknown" (99) without a biopsy or with an unknown count.
    let atypical_hyperplasia = match biopsies {
        Some(n) if n > 0 => match p.hyperplasia {
            Some(Hyperplasia::Atypical) => Some(true),
            Some(Hyperplasia::None | Hyperplasia::Hyperplasia) => Some(false),
            Some(Hyperplasia::Unknown) | None => None,
        },
        _ => None,
    };
    let first_birth = match (p.live_births, age_u32(p.first_live_birth_age)) {
        (Some(0), _) => FirstLiveBirth::Nulliparous,
        (_, Some(a)) => FirstLiveBirth::AtAge(a),
        _ => FirstLiveBirth::Unknown,
    };
    if p.ethnicity.is_none() || p.ethnicity == Some(Ethnicity::Unknown) {
        note(
            "Ethnicity unknown; BCRA's tables for other/unknown race (the White rates) used."
                .to_owned(),
        );
    }
    let unknown_history: Vec<&str> = [
        (p.lcis.is_none(), "LCIS"),
        (p.chest_radiation.is_none(), "chest radiation before 30"),
    ]
    .into_iter()
    .filter(|(u, _)| *u)
    .map(|(_, w)| w)
    .collect();
    if !unknown_history.is_empty() {
        note(format!(
            "History of {} unknown; the model does not apply if present, and was computed assuming absent.",
            unknown_history.join(" and ")
        ));
    }
    GailInput {
        current_age: f64::from(p.age.unwrap_or(0)),
        age_at_menarche: age_u32(p.menarche_age),
        number_of_biopsies: biopsies,
        atypical_hyperplasia,
        age_at_first_live_birth: first_birth,
        first_degree_relatives: Some(gail_affected_first_degree(profile)),
        race: gail_race(p.ethnicity),
    }
}

// ---------------------------------------------------------------------------------------------
// Manchester

/// One profile cancer as MSS3 primaries (a bilateral breast cancer is two), each tagged with the
/// profile cancer's type for the warnings.
fn mss_cancers(cancers: &[Cancer]) -> (Vec<MssCancer>, Vec<CancerType>) {
    let mut out = Vec::new();
    let mut types = Vec::new();
    for c in cancers {
        let age = age_u8(c.age_at_diagnosis);
        let mss = match c.cancer_type {
            CancerType::Breast => MssCancer::Breast {
                age_at_diagnosis: age,
                invasive: c.invasive,
                histology: c.histology.and_then(|h| match h {
                    Histology::Ductal => Some(BreastHistology::Ductal),
                    Histology::Lobular => Some(BreastHistology::Lobular),
                    Histology::Other => Some(BreastHistology::Other),
                    _ => None,
                }),
                er: c.er,
                pr: c.pr,
                her2: c.her2,
                triple_negative: c.triple_negative,
                grade: c.grade.and_then(|g| u8::try_from(g).ok()),
            },
            CancerType::Ovarian => MssCancer::Ovarian {
                age_at_diagnosis: age,
                histology: c.histology.and_then(|h| match h {
                    // STIC is the precursor of high-grade serous cancer, but its grade is not
                    // recorded: scored as an epithelial cancer of unknown subtype.
                    Histology::Epithelial | Histology::Stic => {
                        Some(OvarianHistology::EpithelialUnspecified)
                    }
                    Histology::NonEpithelial => Some(OvarianHistology::SexCordStromal),
                    Histology::Mucinous => Some(OvarianHistology::Mucinous),
                    Histology::Borderline => Some(OvarianHistology::Borderline),
                    Histology::GermCell => Some(OvarianHistology::GermCell),
                    _ => None,
                }),
            },
            CancerType::Pancreatic => MssCancer::Pancreatic {
                age_at_diagnosis: age,
            },
            CancerType::Prostate => MssCancer::Prostate {
                age_at_diagnosis: age,
            },
            _ => MssCancer::Other,
        };
        let bilateral = c.cancer_type == CancerType::Breast && c.bilateral == Some(true);
        if bilateral {
            out.push(mss.clone());
            types.push(c.cancer_type);
        }
        out.push(mss);
        types.push(c.cancer_type);
    }
    (out, types)
}

/// A person's sex for MSS3: recorded, else implied by a sex-specific cancer, else female (with
/// a warning when it matters: a breast cancer scores differently in men).
fn mss_sex(
    recorded: Option<Sex>,
    cancers: &[Cancer],
    name: &str,
    warnings: &mut Vec<String>,
) -> Sex {
    match recorded {
        Some(s) => s,
        None => {
            let has = |t| cancers.iter().any(|c| c.cancer_type == t);
            if has(CancerType::Prostate) {
                Sex::Male
            } else {
                if has(CancerType::Breast) && !has(CancerType::Ovarian) {
                    warnings.push(tagged(
                        &format!("{name}: sex not recorded; breast cancer scored as in a woman (fewer points than in a man)"),
                        "Manchester score",
                    ));
                }
                Sex::Female
            }
        }
    }
}

/// The Manchester input. The index case (whose breast pathology is scored) is the proband if she
/// has had breast cancer, else the first-degree relative with the earliest breast cancer (Evans
/// 2017: an unaffected person is scored through the affected first-degree relative).
/// Also returns, per person (proband first), the profile cancer type of each MSS3 primary.
pub(super) fn manchester_input(
    profile: &RiskProfile,
    warnings: &mut Vec<String>,
) -> (ManchesterInput, Vec<Vec<CancerType>>) {
    let p = &profile.proband;
    let mut types = Vec::with_capacity(profile.relatives.len() + 1);
    let (cancers, t) = mss_cancers(&p.cancers);
    types.push(t);
    let proband = ManchesterProband {
        sex: mss_sex(p.sex, &p.cancers, "You", warnings),
        cancers,
        adopted_no_known_family_status: false,
    };
    let mut relatives = Vec::with_capacity(profile.relatives.len());
    for (i, r) in profile.relatives.iter().enumerate() {
        let (cancers, t) = mss_cancers(&r.cancers);
        types.push(t);
        let sex = mss_sex(
            r.relation.sex(r.sex),
            &r.cancers,
            &who(profile, Some(i)),
            warnings,
        );
        relatives.push(ManchesterRelative {
            lineage: r.relation.side(),
            sex,
            cancers,
            intervening_unaffected_women_over_60: 0,
        });
    }
    let proband_breast = p
        .cancers
        .iter()
        .any(|c| c.cancer_type == CancerType::Breast);
    let index = if proband_breast {
        IndexCase::Proband
    } else {
        profile
            .relatives
            .iter()
            .enumerate()
            .filter(|(_, r)| r.relation.degree() == Degree::First)
            .filter_map(|(i, r)| {
                breast_cancers(&r.cancers)
                    .first()
                    .map(|c| (c.age_at_diagnosis.unwrap_or(i32::MAX), i))
            })
            .min()
            .map_or(IndexCase::Proband, |(_, i)| IndexCase::Relative(i))
    };
    (
        ManchesterInput {
            proband,
            relatives,
            index,
        },
        types,
    )
}

/// A Manchester warning (`relatives[2].cancers[0].age_at_diagnosis unknown: ...`) as a sentence.
pub(super) fn manchester_warning(
    profile: &RiskProfile,
    types: &[Vec<CancerType>],
    w: &str,
) -> String {
    let (person, rest) = if let Some(rest) = w.strip_prefix("proband") {
        (None, rest)
    } else if let Some((i, rest)) = leading_relative(w) {
        (Some(i), rest)
    } else {
        return tagged(&humanise_paths(profile, w), "Manchester score");
    };
    let cancer = rest
        .strip_prefix(".cancers[")
        .and_then(|r| r.split_once(']'))
        .and_then(|(j, tail)| Some((j.parse::<usize>().ok()?, tail)));
    let Some((j, tail)) = cancer else {
        return tagged(&humanise_paths(profile, w), "Manchester score");
    };
    let kind = types
        .get(person.map_or(0, |i| i + 1))
        .and_then(|t| t.get(j))
        .map_or("a", |t| t.as_str());
    if tail.starts_with(".age_at_diagnosis unknown") {
        let sentence = match person {
            None => format!(
                "Your {kind} cancer: age at diagnosis unknown; scored in the oldest age band (fewest points)"
            ),
            Some(i) => format!(
                "{}: {kind} cancer with unknown age at diagnosis; scored in the oldest age band (fewest points)",
                who(profile, Some(i))
            ),
        };
        tagged(&sentence, "Manchester score")
    } else {
        tagged(&humanise_paths(profile, w), "Manchester score")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clinical::profile::Relation;

    fn family(relations: &[Relation]) -> RiskProfile {
        let mut p: RiskProfile = serde_json::from_str(r#"{"proband":{"age":40,"sex":"female"}}"#)
            .expect("minimal profile");
        p.relatives = relations.iter().map(|r| Relative::new(*r)).collect();
        p
    }

    #[test]
    fn names_people_and_ranks_duplicates() {
        let p = family(&[Relation::Sister, Relation::Mother, Relation::Sister]);
        assert_eq!(who(&p, None), "You");
        assert_eq!(who(&p, Some(1)), "Mother, maternal side");
        assert_eq!(who(&p, Some(0)), "Sister (1st listed)");
        assert_eq!(who(&p, Some(2)), "Sister (2nd listed)");
        assert_eq!(ordinal(11), "11th");
        assert_eq!(ordinal(23), "23rd");
    }

    #[test]
    fn rewrites_model_paths() {
        let p = family(&[Relation::PaternalAunt]);
        assert_eq!(
            tc_warning(&p, "relatives[0] (paternal_aunt): age unknown; taken as 5."),
            "Paternal aunt, paternal side: age unknown; taken as 5 (Tyrer-Cuzick)."
        );
        assert_eq!(
            tc_warning(
                &p,
                "Unknown personal factors taken at the population-typical value (relative risk 1): menarche_age, parity, height_m, BMI (height_m and weight_kg)."
            ),
            "Unknown personal factors taken at the population-typical value (relative risk 1): age at menarche, number of live births, height, body mass index (Tyrer-Cuzick)."
        );
        let types = vec![vec![], vec![CancerType::Breast]];
        assert_eq!(
            manchester_warning(
                &p,
                &types,
                "relatives[0].cancers[0].age_at_diagnosis unknown: scored in the oldest age band (fewest points)."
            ),
            "Paternal aunt, paternal side: breast cancer with unknown age at diagnosis; scored in the oldest age band (fewest points) (Manchester score)."
        );
        assert_eq!(
            humanise_paths(&p, "see relatives[0] (paternal_aunt) and relatives[9]"),
            "see paternal aunt, paternal side and relative 10"
        );
    }

    #[test]
    fn tc_errors_read_as_sentences() {
        let p = family(&[Relation::Sister]);
        let e = |field: &str, message: &str| tc::TcError {
            field: field.to_owned(),
            message: message.to_owned(),
        };
        assert_eq!(
            tc_error(&p, &e("relatives", "at most 500 relatives are accepted")),
            "Tyrer-Cuzick not computed: at most 500 relatives are accepted."
        );
        assert_eq!(
            tc_error(
                &p,
                &e(
                    "relatives[0].breast.age_at_diagnosis",
                    "must be between 1 and 50, got 60"
                )
            ),
            "Tyrer-Cuzick not computed: Sister: breast age at diagnosis must be between 1 and 50, got 60."
        );
        assert_eq!(
            tc_error(&p, &e("menarche_age", "must be between 6 and 25, got 30")),
            "Tyrer-Cuzick not computed: age at menarche must be between 6 and 25, got 30."
        );
    }

    #[test]
    fn gail_race_uses_white_tables_for_unknown() {
        assert_eq!(gail_race(None), GailRace::AmericanIndianOrOther);
        assert_eq!(
            gail_race(Some(Ethnicity::Other)),
            GailRace::AmericanIndianOrOther
        );
        assert_eq!(gail_race(Some(Ethnicity::White)), GailRace::White);
        assert_eq!(gail_race(Some(Ethnicity::Black)), GailRace::AfricanAmerican);
    }

    #[test]
    fn every_relation_maps_to_the_same_tc_relation() {
        for r in Relation::ALL {
            let t = tc_relative(&Relative::new(r));
            assert_eq!(t.relation, r, "{r}");
            assert_eq!(
                serde_json::to_value(t.relation).ok(),
                serde_json::to_value(r).ok(),
                "{r}"
            );
        }
    }
}
