//! The code systems of the bundle: v3 RoleCode for relationships, SNOMED CT for cancer sites,
//! LOINC for the genetic test observations, and genascope's own codes where the standard ones
//! cannot say what the `RiskProfile` says (maternal vs paternal half-sibling, great-aunt).

use crate::clinical::profile::{CancerType, GeneticResult, Relation};

/// HL7 v3 RoleCode (FamilyMemberHistory.relationship binding).
pub const ROLE_CODE: &str = "http://terminology.hl7.org/CodeSystem/v3-RoleCode";
/// SNOMED CT.
pub const SNOMED: &str = "http://snomed.info/sct";
/// LOINC.
pub const LOINC: &str = "http://loinc.org";
/// UCUM (ages in years: `a`).
pub const UCUM: &str = "http://unitsofmeasure.org";
/// FHIR administrative gender.
pub const GENDER: &str = "http://hl7.org/fhir/administrative-gender";
/// genascope's relation codes (the `RiskProfile` vocabulary).
pub const GENASCOPE_RELATION: &str = "https://fhir.genascope.example/CodeSystem/relation";
/// genascope's cancer sites (the `RiskProfile` vocabulary).
pub const GENASCOPE_SITE: &str = "https://fhir.genascope.example/CodeSystem/cancer-site";
/// Proband risk factors the models read that FHIR has no core element for.
pub const EXT_PROBAND: &str =
    "https://fhir.genascope.example/StructureDefinition/proband-risk-factors";
/// Cancer details (laterality, receptors, grade, histology...).
pub const EXT_CANCER: &str = "https://fhir.genascope.example/StructureDefinition/cancer-detail";
/// FamilyMemberHistoryForGeneticsAnalysis: a parent of the relative.
pub const EXT_PARENT: &str =
    "http://hl7.org/fhir/StructureDefinition/family-member-history-genetics-parent";
/// FamilyMemberHistoryForGeneticsAnalysis: a sibling of the relative.
pub const EXT_SIBLING: &str =
    "http://hl7.org/fhir/StructureDefinition/family-member-history-genetics-sibling";
/// FamilyMemberHistoryForGeneticsAnalysis: an observation about the relative.
pub const EXT_OBSERVATION: &str =
    "http://hl7.org/fhir/StructureDefinition/family-member-history-genetics-observation";

/// LOINC 30525-0 Age.
pub const LOINC_AGE: &str = "30525-0";
/// LOINC 69548-6 Genetic variant assessment.
pub const LOINC_VARIANT: &str = "69548-6";
/// LOINC 48018-6 Gene studied [ID].
pub const LOINC_GENE: &str = "48018-6";
/// LOINC 53037-8 Genetic variation clinical significance [Imp].
pub const LOINC_SIGNIFICANCE: &str = "53037-8";
/// LOINC answers LA9633-4 Present / LA9634-2 Absent.
pub const LA_PRESENT: &str = "LA9633-4";
/// See [`LA_PRESENT`].
pub const LA_ABSENT: &str = "LA9634-2";

/// The v3 RoleCode of a relation, where one exists. Half-siblings have one code for both sides
/// (HSIS/HBRO) and great-aunts none, so the genascope code always travels with it.
pub fn role_code(r: Relation) -> Option<&'static str> {
    use Relation as R;
    Some(match r {
        R::Mother => "MTH",
        R::Father => "FTH",
        R::Sister => "SIS",
        R::Brother => "BRO",
        R::Daughter => "DAU",
        R::Son => "SON",
        R::MaternalHalfSister | R::PaternalHalfSister => "HSIS",
        R::MaternalHalfBrother | R::PaternalHalfBrother => "HBRO",
        R::MaternalGrandmother => "MGRMTH",
        R::MaternalGrandfather => "MGRFTH",
        R::PaternalGrandmother => "PGRMTH",
        R::PaternalGrandfather => "PGRFTH",
        R::MaternalAunt => "MAUNT",
        R::MaternalUncle => "MUNCLE",
        R::PaternalAunt => "PAUNT",
        R::PaternalUncle => "PUNCLE",
        R::Niece => "NIECE",
        R::Nephew => "NEPHEW",
        R::Granddaughter => "GRNDDAU",
        R::Grandson => "GRNDSON",
        R::MaternalCousin => "MCOUSN",
        R::PaternalCousin => "PCOUSN",
        R::MaternalGreatGrandmother => "MGGRMTH",
        R::PaternalGreatGrandmother => "PGGRMTH",
        R::MaternalGreatAunt | R::PaternalGreatAunt => return None,
    })
}

/// The relation a RoleCode names on its own (`None` for the half-sibling codes, whose side
/// comes from elsewhere, and for codes that are no blood relation genascope places).
pub fn relation_of_role(code: &str) -> Option<Relation> {
    Relation::ALL
        .into_iter()
        .filter(|r| !matches!(role_code(*r), Some("HSIS" | "HBRO")))
        .find(|r| role_code(*r) == Some(code))
        .or(match code {
            // Natural (biological) variants of the first-degree codes.
            "NMTH" => Some(Relation::Mother),
            "NFTH" => Some(Relation::Father),
            "NSIS" => Some(Relation::Sister),
            "NBRO" => Some(Relation::Brother),
            "DAUC" => Some(Relation::Daughter),
            "SONC" => Some(Relation::Son),
            _ => None,
        })
}

/// The relation named by its contract code (`maternal_aunt`).
pub fn relation_of_code(code: &str) -> Option<Relation> {
    Relation::ALL.into_iter().find(|r| r.as_str() == code)
}

/// The SNOMED CT concept (code, display) of a cancer site, where a single one fits.
/// Endometrial, sarcoma and adrenocortical travel with the genascope code and text only.
pub fn snomed(t: CancerType) -> Option<(&'static str, &'static str)> {
    use CancerType as C;
    Some(match t {
        C::Breast => ("254837009", "Malignant neoplasm of breast"),
        C::Ovarian => ("363443007", "Malignant tumor of ovary"),
        C::Pancreatic => ("363418001", "Malignant tumor of pancreas"),
        C::Prostate => ("399068003", "Malignant tumor of prostate"),
        C::Colorectal => ("363406005", "Malignant tumor of colon"),
        C::Gastric => ("363349007", "Malignant tumor of stomach"),
        C::Melanoma => ("372244006", "Malignant melanoma"),
        C::Brain => ("428061005", "Malignant neoplasm of brain"),
        C::Thyroid => ("363478007", "Malignant tumor of thyroid gland"),
        C::Kidney => ("363518003", "Malignant tumor of kidney"),
        C::Leukemia => ("93143009", "Leukemia, disease"),
        C::Other => ("363346000", "Malignant neoplastic disease"),
        C::Endometrial | C::Sarcoma | C::Adrenocortical => return None,
    })
}

/// The site of a SNOMED CT code this module writes.
pub fn site_of_snomed(code: &str) -> Option<CancerType> {
    ALL_SITES
        .into_iter()
        .find(|t| snomed(*t).map(|s| s.0) == Some(code))
}

/// The site named by its contract code (`breast`).
pub fn site_of_code(code: &str) -> Option<CancerType> {
    ALL_SITES.into_iter().find(|t| t.as_str() == code)
}

/// Every cancer site.
pub const ALL_SITES: [CancerType; 15] = [
    CancerType::Breast,
    CancerType::Ovarian,
    CancerType::Pancreatic,
    CancerType::Prostate,
    CancerType::Colorectal,
    CancerType::Endometrial,
    CancerType::Gastric,
    CancerType::Melanoma,
    CancerType::Sarcoma,
    CancerType::Brain,
    CancerType::Adrenocortical,
    CancerType::Thyroid,
    CancerType::Kidney,
    CancerType::Leukemia,
    CancerType::Other,
];

/// LOINC answer (LL4034-6) of a variant classification; `None` for `negative` (no variant:
/// the observation's value is Absent instead).
pub fn significance(r: GeneticResult) -> Option<(&'static str, &'static str)> {
    use GeneticResult as G;
    Some(match r {
        G::Pathogenic => ("LA6668-3", "Pathogenic"),
        G::LikelyPathogenic => ("LA26332-9", "Likely pathogenic"),
        G::Vus => ("LA26333-7", "Uncertain significance"),
        G::LikelyBenign => ("LA26334-5", "Likely benign"),
        G::Benign => ("LA6675-8", "Benign"),
        G::Negative => return None,
    })
}

/// The classification of a LOINC answer code.
pub fn result_of_significance(code: &str) -> Option<GeneticResult> {
    use GeneticResult as G;
    [
        G::Pathogenic,
        G::LikelyPathogenic,
        G::Vus,
        G::LikelyBenign,
        G::Benign,
    ]
    .into_iter()
    .find(|r| significance(*r).map(|s| s.0) == Some(code))
}
