//! `RiskProfile` → Manchester score input, and its warnings as sentences.

use super::{age_u8, breast_cancers, humanise_paths, leading_relative, tagged, who};
use crate::clinical::manchester::{
    BreastHistology, IndexCase, ManchesterInput, ManchesterProband, ManchesterRelative, MssCancer,
    OvarianHistology,
};
use crate::clinical::pedigree::Degree;
use crate::clinical::profile::{Cancer, CancerType, Histology, RiskProfile, Sex};

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
pub(in crate::clinical::assess) fn manchester_input(
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
pub(in crate::clinical::assess) fn manchester_warning(
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
