//! G6, G7: the model BRCA1/2 carrier probability.

use super::breast::B1_TO_B10;
use super::context::Ctx;
use super::ids::CriterionId as C;
use super::{CARRIER_INDICATED_ABOVE, CARRIER_MAY_CONSIDER_FROM};
use crate::clinical::assessment::CriterionLevel;

pub(super) fn model(ctx: &mut Ctx<'_>, carrier_probability: Option<f64>) {
    match carrier_probability {
        None => ctx.potential(
            CriterionLevel::Indicated,
            "No model BRCA1/2 carrier probability was supplied: G6 (> 5 %) and G7 (2.5-5 %) were not evaluated.".to_owned(),
        ),
        Some(p) if !p.is_finite() || !(0.0..=1.0).contains(&p) => ctx.note(format!(
            "Model carrier probability {p} is outside 0..1 (a fraction is expected, e.g. 0.05 for 5 %); G6/G7 were not evaluated."
        )),
        Some(p) if p > CARRIER_INDICATED_ABOVE => ctx.meet(
            C::G6,
            CriterionLevel::Indicated,
            format!("Model BRCA1/2 carrier probability {:.1} % (> 5 %).", p * 100.0),
            &[],
        ),
        Some(p) if p >= CARRIER_MAY_CONSIDER_FROM => {
            // G7 applies to unaffected people or to affected people not meeting CRIT-2 (B1–B10).
            if !ctx.any(&B1_TO_B10) {
                ctx.meet(
                    C::G7,
                    CriterionLevel::MayConsider,
                    format!("Model BRCA1/2 carrier probability {:.1} % (2.5-5 %).", p * 100.0),
                    &[],
                );
            }
        }
        Some(_) => {}
    }
}
