//! FHIR R4 exchange of the family history (clinical.md §5): a `RiskProfile` (and the
//! `Assessment` computed from it) as a `Bundle` of type `collection`, and such a bundle back.
//!
//! - `Patient`: the proband (`gender`); the risk factors FHIR has no core element for
//!   (menarche, parity, menopause, height, weight, biopsies, HRT, density, ethnicity, Ashkenazi
//!   ancestry...) in one extension (`proband-risk-factors`, one sub-extension per
//!   `RiskProfile` field);
//! - `Observation` LOINC 30525-0 (Age) for the proband's age;
//! - `Condition` per personal cancer: SNOMED CT site (and genascope's site code), `onsetAge`,
//!   the details (bilateral, receptors, grade...) in the `cancer-detail` extension;
//! - `Observation` LOINC 69548-6 per genetic test: gene studied (48018-6), clinical significance
//!   (53037-8, LOINC answers LL4034-6), value Present/Absent; a relative's test has `focus` on
//!   the relative's FamilyMemberHistory, which points back with the genetics-observation
//!   extension;
//! - `FamilyMemberHistory` per relative: v3 RoleCode relationship (plus genascope's relation
//!   code: RoleCode has one half-sibling code for both sides and no great-aunt), `sex`,
//!   `ageAge` / `deceasedAge` / `deceasedBoolean`, conditions as above, and the
//!   `family-member-history-genetics-parent` / `-sibling` extensions where the parent or
//!   sibling is reported;
//! - `RiskAssessment` per model result (NCCN, Tyrer-Cuzick, Gail, Manchester).
//!
//! Import reads the same shapes, the standard codes alone where they suffice, and reports what
//! it cannot map with the entry and element.

mod codes;
mod export;
mod ext;
mod import;
mod risk;

pub use codes::{GENASCOPE_RELATION, GENASCOPE_SITE, ROLE_CODE, SNOMED, role_code, snomed};
pub use export::to_bundle;
pub use import::from_bundle;

#[cfg(test)]
mod tests;
