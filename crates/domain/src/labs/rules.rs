//! The status table of contract §3.8 as pure functions: which status may follow which, what a
//! result of each kind does to its order, and when a result may be reviewed. Who may set which
//! status is [`super::policy`].

use super::model::{LabOrder, LabStatus, ResultStatus};

/// A move the table does not allow (409 `"Invalid status transition from X to Y"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("Invalid status transition from {from} to {to}")]
pub struct InvalidTransition {
    /// The current status.
    pub from: LabStatus,
    /// The status asked for.
    pub to: LabStatus,
}

/// A status change as such (`PUT …/status`, a lab's status event). `completed` is never set
/// directly: only ingesting a `final` result completes an order ([`ingest`]).
pub fn transition(from: LabStatus, to: LabStatus) -> Result<LabStatus, InvalidTransition> {
    use LabStatus::{Cancelled, InProcess, Ordered, Rejected, SpecimenCollected};
    let allowed = matches!(
        (from, to),
        (Ordered, SpecimenCollected | Rejected | Cancelled)
            | (SpecimenCollected, InProcess | Rejected | Cancelled)
            | (InProcess, Rejected)
    );
    if allowed {
        Ok(to)
    } else {
        Err(InvalidTransition { from, to })
    }
}

/// The status an order moves to when a result of kind `kind` arrives in status `from`:
/// `preliminary` in `specimen_collected`/`in_process` → `in_process`; `final` there →
/// `completed`; `amended` only in `completed` (stays `completed`). Anything else is refused,
/// named as the move it would have been.
pub fn ingest(from: LabStatus, kind: ResultStatus) -> Result<LabStatus, InvalidTransition> {
    use LabStatus::{Completed, InProcess, SpecimenCollected};
    let (ok, to) = match kind {
        ResultStatus::Preliminary => (matches!(from, SpecimenCollected | InProcess), InProcess),
        ResultStatus::Final => (matches!(from, SpecimenCollected | InProcess), Completed),
        ResultStatus::Amended => (from == Completed, Completed),
    };
    if ok {
        Ok(to)
    } else {
        Err(InvalidTransition { from, to })
    }
}

/// Why a result cannot be reviewed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("The order has no final result to review")]
pub struct NoFinalResult;

/// A review needs a completed order whose current result is `final` or `amended`.
pub fn reviewable(order: &LabOrder) -> Result<(), NoFinalResult> {
    let final_result = order
        .result
        .as_ref()
        .is_some_and(|r| matches!(r.status, ResultStatus::Final | ResultStatus::Amended));
    if order.status == LabStatus::Completed && final_result {
        Ok(())
    } else {
        Err(NoFinalResult)
    }
}

/// Whether the patient sees the order's results: a review of the current result exists (an
/// amendment clears the review until the care team reviews again).
#[must_use]
pub fn visible_to_patient(order: &LabOrder) -> bool {
    order.review.is_some() && order.result.is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use LabStatus as S;
    use ResultStatus as R;

    /// The table of §3.8, as the set of (from, to) pairs a status change allows.
    const ALLOWED: &[(S, S)] = &[
        (S::Ordered, S::SpecimenCollected),
        (S::Ordered, S::Rejected),
        (S::Ordered, S::Cancelled),
        (S::SpecimenCollected, S::InProcess),
        (S::SpecimenCollected, S::Rejected),
        (S::SpecimenCollected, S::Cancelled),
        (S::InProcess, S::Rejected),
    ];

    #[test]
    fn every_pair_of_statuses_follows_the_table() {
        for &from in S::ALL {
            for &to in S::ALL {
                let r = transition(from, to);
                if ALLOWED.contains(&(from, to)) {
                    assert_eq!(r, Ok(to), "{from} -> {to}");
                } else {
                    let e = r.expect_err("refused");
                    assert_eq!(
                        e.to_string(),
                        format!("Invalid status transition from {from} to {to}")
                    );
                }
            }
        }
    }

    #[test]
    fn terminal_statuses_go_nowhere() {
        for from in [S::Cancelled, S::Rejected, S::Completed] {
            assert!(S::ALL.iter().all(|&to| transition(from, to).is_err()));
        }
    }

    #[test]
    fn results_move_the_order_by_their_kind() {
        let expect = |from, kind| ingest(from, kind).ok();
        for from in [S::SpecimenCollected, S::InProcess] {
            assert_eq!(expect(from, R::Preliminary), Some(S::InProcess));
            assert_eq!(expect(from, R::Final), Some(S::Completed));
            assert_eq!(expect(from, R::Amended), None);
        }
        assert_eq!(expect(S::Completed, R::Amended), Some(S::Completed));
        for kind in [R::Preliminary, R::Final] {
            assert_eq!(expect(S::Completed, kind), None);
        }
        for from in [S::Ordered, S::Cancelled, S::Rejected] {
            for &kind in R::ALL {
                let e = ingest(from, kind).expect_err("refused");
                assert_eq!(e.from, from);
            }
        }
        assert_eq!(
            ingest(S::Ordered, R::Final)
                .expect_err("refused")
                .to_string(),
            "Invalid status transition from ordered to completed"
        );
    }

    #[test]
    fn vocabularies_parse_case_insensitively() {
        use super::super::model::TestType;
        assert_eq!(TestType::parse(" BRCA "), Some(TestType::Brca));
        assert_eq!(
            TestType::parse("Genetic_Panel"),
            Some(TestType::GeneticPanel)
        );
        assert_eq!(TestType::parse("x-ray"), None);
        assert_eq!(S::parse("IN_PROCESS"), Some(S::InProcess));
        assert_eq!(R::parse("Amended"), Some(R::Amended));
        assert_eq!(R::parse("draft"), None);
    }
}
