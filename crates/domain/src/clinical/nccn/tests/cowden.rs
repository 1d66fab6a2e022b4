//! The Cowden / PHTS warning ([`super::super::cowden`]).

use super::*;

#[test]
fn cowden_phenotype_warning_for_pten_cancer_combinations() {
    let r = eval(woman(
        60,
        json!([{"type": "thyroid", "age_at_diagnosis": 40}, {"type": "endometrial", "age_at_diagnosis": 55}]),
        json!([]),
    ));
    assert!(warned(&r, "Cowden/PHTS"), "{:?}", r.warnings);
}
