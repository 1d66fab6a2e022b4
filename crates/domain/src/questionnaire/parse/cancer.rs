//! `cancer_list` (api-contract.md §3.5.1): `no`/`none` (`[]`), `unknown` (`null`), or items
//! `<type> [age] [bilateral] [dcis] [triple negative] [metastatic]`, separated by `,` `;` or
//! ` and `, the words in any order.
//!
//! Types are those of risk-profile.md plus synonyms: `colon`, `rectal`, `bowel` → colorectal;
//! `uterine`, `uterus`, `womb` → endometrial; `stomach` → gastric; `ovary`, `fallopian tube`,
//! `primary peritoneal` → ovarian; `pancreas` → pancreatic; `renal` → kidney; `adrenal` →
//! adrenocortical; `leukaemia` → leukemia; `dcis` / `ductal carcinoma in situ` → breast with the
//! DCIS flag. Common sites outside the vocabulary (lung, liver, bladder, cervical, lymphoma,
//! myeloma, skin, bone, oesophageal, throat, testicular) are `other`, as the vocabulary asks.
//! `bilateral`, `dcis` and `triple negative` apply to breast cancer only, and an in-situ cancer
//! cannot be metastatic (the profile's validation rule).

use super::text::{age_word, quote, words};
use crate::clinical::profile::CancerType;
use crate::questionnaire::model::CancerMention;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Part {
    Type(CancerType),
    /// `dcis`: breast, in situ.
    Dcis,
    /// `in situ`: in situ (of the type named).
    InSitu,
    Bilateral,
    TripleNegative,
    Metastatic,
    Filler,
}

/// Phrases, longest first where one starts another.
const PHRASES: &[(&[&str], Part)] = {
    use CancerType as T;
    use Part::{Bilateral, Dcis, Filler, InSitu, Metastatic, TripleNegative, Type};
    &[
        (&["ductal", "carcinoma", "in", "situ"], Dcis),
        (&["in", "situ"], InSitu),
        (&["fallopian", "tube"], Type(T::Ovarian)),
        (&["primary", "peritoneal"], Type(T::Ovarian)),
        (&["triple", "negative"], TripleNegative),
        (&["breast"], Type(T::Breast)),
        (&["dcis"], Dcis),
        (&["ovarian"], Type(T::Ovarian)),
        (&["ovary"], Type(T::Ovarian)),
        (&["ovaries"], Type(T::Ovarian)),
        (&["fallopian"], Type(T::Ovarian)),
        (&["tubal"], Type(T::Ovarian)),
        (&["peritoneal"], Type(T::Ovarian)),
        (&["pancreatic"], Type(T::Pancreatic)),
        (&["pancreas"], Type(T::Pancreatic)),
        (&["prostate"], Type(T::Prostate)),
        (&["colorectal"], Type(T::Colorectal)),
        (&["colon"], Type(T::Colorectal)),
        (&["rectal"], Type(T::Colorectal)),
        (&["rectum"], Type(T::Colorectal)),
        (&["bowel"], Type(T::Colorectal)),
        (&["endometrial"], Type(T::Endometrial)),
        (&["endometrium"], Type(T::Endometrial)),
        (&["uterine"], Type(T::Endometrial)),
        (&["uterus"], Type(T::Endometrial)),
        (&["womb"], Type(T::Endometrial)),
        (&["gastric"], Type(T::Gastric)),
        (&["stomach"], Type(T::Gastric)),
        (&["melanoma"], Type(T::Melanoma)),
        (&["sarcoma"], Type(T::Sarcoma)),
        (&["brain"], Type(T::Brain)),
        (&["adrenocortical"], Type(T::Adrenocortical)),
        (&["adrenal"], Type(T::Adrenocortical)),
        (&["thyroid"], Type(T::Thyroid)),
        (&["kidney"], Type(T::Kidney)),
        (&["renal"], Type(T::Kidney)),
        (&["leukemia"], Type(T::Leukemia)),
        (&["leukaemia"], Type(T::Leukemia)),
        (&["other"], Type(T::Other)),
        (&["lung"], Type(T::Other)),
        (&["liver"], Type(T::Other)),
        (&["bladder"], Type(T::Other)),
        (&["cervical"], Type(T::Other)),
        (&["cervix"], Type(T::Other)),
        (&["lymphoma"], Type(T::Other)),
        (&["myeloma"], Type(T::Other)),
        (&["skin"], Type(T::Other)),
        (&["bone"], Type(T::Other)),
        (&["esophageal"], Type(T::Other)),
        (&["oesophageal"], Type(T::Other)),
        (&["throat"], Type(T::Other)),
        (&["testicular"], Type(T::Other)),
        (&["bilateral"], Bilateral),
        (&["tnbc"], TripleNegative),
        (&["metastatic"], Metastatic),
        (&["metastasized"], Metastatic),
        (&["metastasised"], Metastatic),
        (&["cancer"], Filler),
        (&["carcinoma"], Filler),
        (&["tumor"], Filler),
        (&["tumour"], Filler),
        (&["at"], Filler),
        (&["age"], Filler),
        (&["aged"], Filler),
        (&["diagnosed"], Filler),
        (&["years"], Filler),
        (&["year"], Filler),
        (&["yrs"], Filler),
        (&["old"], Filler),
        (&["about"], Filler),
        (&["around"], Filler),
        (&["my"], Filler),
        (&["of"], Filler),
        (&["the"], Filler),
        (&["with"], Filler),
        (&["unknown"], Filler),
    ]
};

/// Reads one cancer item.
fn item(s: &str) -> Result<CancerMention, String> {
    let ws = words(s);
    let mut cancer_type = None;
    let mut age = None;
    let (mut dcis, mut in_situ, mut bilateral, mut tn, mut metastatic) =
        (false, false, false, false, false);
    let mut i = 0;
    while i < ws.len() {
        if let Some(a) = age_word(&ws[i]) {
            if age.is_some() {
                return Err("Give one age per cancer".to_owned());
            }
            age = Some(a?);
            i += 1;
            continue;
        }
        let Some((len, part)) = PHRASES.iter().find_map(|(phrase, part)| {
            let fits = ws
                .get(i..i + phrase.len())
                .is_some_and(|w| w.iter().zip(phrase.iter()).all(|(a, b)| a == b));
            fits.then_some((phrase.len(), *part))
        }) else {
            return Err(format!(
                "{} is not a cancer type or detail we know",
                quote(&ws[i])
            ));
        };
        i += len;
        match part {
            Part::Type(t) => {
                if cancer_type.is_some_and(|c| c != t) {
                    return Err("Name one cancer per item, separated by commas".to_owned());
                }
                cancer_type = Some(t);
            }
            Part::Dcis => {
                if cancer_type.is_some_and(|c| c != CancerType::Breast) {
                    return Err("DCIS is a breast condition".to_owned());
                }
                cancer_type = Some(CancerType::Breast);
                dcis = true;
            }
            Part::InSitu => in_situ = true,
            Part::Bilateral => bilateral = true,
            Part::TripleNegative => tn = true,
            Part::Metastatic => metastatic = true,
            Part::Filler => {}
        }
    }
    let Some(cancer_type) = cancer_type else {
        return Err(format!("{}: name the cancer type first", quote(s.trim())));
    };
    let breast_only = [
        (bilateral, "bilateral"),
        (dcis || in_situ, "dcis (in situ)"),
        (tn, "triple negative"),
    ];
    if cancer_type != CancerType::Breast
        && let Some((_, word)) = breast_only.iter().find(|(set, _)| *set)
    {
        return Err(format!("\"{word}\" applies to breast cancer only"));
    }
    let dcis = dcis || in_situ;
    if dcis && metastatic {
        return Err("An in-situ cancer (DCIS) cannot be metastatic".to_owned());
    }
    Ok(CancerMention {
        cancer_type,
        age_at_diagnosis: age,
        bilateral,
        dcis,
        triple_negative: tn,
        metastatic,
    })
}

/// Reads a `cancer_list` answer; `None` = unknown. At most `MAX_CANCERS_PER_PERSON` items.
pub(crate) fn list(s: &str) -> Result<Option<Vec<CancerMention>>, String> {
    let cancers = super::list(s, item)?;
    let max = crate::clinical::profile::MAX_CANCERS_PER_PERSON;
    if cancers.as_ref().is_some_and(|c| c.len() > max) {
        return Err(format!("List at most {max} cancers"));
    }
    Ok(cancers)
}
