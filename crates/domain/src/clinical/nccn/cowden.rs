//! Cowden / PHTS (CRIT-8): C1 is in [`super::familial_variant`]; the phenotype criteria are not
//! carried, so PTEN-associated cancer combinations give a warning (C3, C4).

use super::context::Ctx;
use crate::clinical::assessment::CriterionLevel;
use crate::clinical::profile::CancerType;

pub(super) fn cowden(ctx: &mut Ctx<'_>) {
    // PTEN-associated cancers among the Pilarski 2013 major (breast, endometrial, follicular
    // thyroid) and minor (colon, renal cell, papillary thyroid) criteria (clinical.md §3.3 CRIT-8A [R]).
    let mut sites: Vec<&'static str> = Vec::new();
    for c in &ctx.p.proband.cancers {
        let s = match c.cancer_type {
            CancerType::Breast => "breast",
            CancerType::Endometrial => "endometrial",
            CancerType::Thyroid => "thyroid",
            CancerType::Kidney => "kidney",
            CancerType::Colorectal => "colorectal",
            _ => continue,
        };
        if !sites.contains(&s) {
            sites.push(s);
        }
    }
    if sites.len() >= 2 {
        ctx.potential(
            CriterionLevel::Indicated,
            format!(
                "Your {} cancers are PTEN-associated: assess the Cowden/PHTS clinical criteria (CRIT-8A: macrocephaly, mucocutaneous lesions and others are not recorded) (C3, C4).",
                sites.join(" and ")
            ),
        );
    }
}
