//! Who may do what to a lab order (contract §2.3 "Labs" rows and the "set by" column of §3.8).
//! The route-level role checks are `identity::policy` (`Action::Lab*`); this module adds what
//! depends on the order: its account, its patient, the status asked for, the review.

use super::model::{LabOrder, LabStatus};
use super::rules;
use crate::common::Entity;
use crate::identity::error::{AccessError, Denial};
use crate::identity::model::Role;
use crate::identity::policy::{Action, Principal, Target, authorize};

/// Which side of the table sets a status: the lab (lab tech, admin, the lab's webhook) or the
/// care team (cancellation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// `specimen_collected`, `in_process`, `rejected`, and results.
    Lab,
    /// `cancelled`.
    CareTeam,
}

/// Who sets `status` (`completed` and `ordered` are the lab's: they are refused by the table
/// anyway, after the role check).
#[must_use]
pub const fn side_of(status: LabStatus) -> Side {
    match status {
        LabStatus::Cancelled => Side::CareTeam,
        _ => Side::Lab,
    }
}

/// Whether `role` acts for `side`.
#[must_use]
pub const fn acts_for(role: Role, side: Side) -> bool {
    match side {
        Side::Lab => matches!(role, Role::SuperAdmin | Role::Admin | Role::LabTech),
        Side::CareTeam => matches!(
            role,
            Role::SuperAdmin | Role::Admin | Role::Clinician | Role::Physician
        ),
    }
}

/// May `p` set `status` on `order`: the order in scope (else 404), then the role for that status
/// (else 403).
pub fn may_set(p: &Principal, order: &LabOrder, status: LabStatus) -> Result<(), AccessError> {
    authorize(p, Action::LabWork, in_account(order), Entity::LabOrder)?;
    if acts_for(p.role, side_of(status)) {
        Ok(())
    } else {
        Err(AccessError::Denied(Denial::NotPermitted))
    }
}

/// May `p` read `order`'s results: staff of its account; its patient only once reviewed (before
/// that the order does not exist for the patient).
pub fn may_read_results(p: &Principal, order: &LabOrder) -> Result<(), AccessError> {
    let target = Target::owned(Some(order.account_id), order.patient_id.into());
    authorize(p, Action::LabResultRead, target, Entity::LabOrder)?;
    if p.role == Role::Patient && !rules::visible_to_patient(order) {
        return Err(AccessError::NotFound(Entity::LabOrder));
    }
    Ok(())
}

/// May `p` read the report file attached to `order`'s result (besides its uploader): the care
/// team of its account and super admins; its patient once reviewed.
#[must_use]
pub fn may_read_report(p: &Principal, order: &LabOrder) -> bool {
    match p.role {
        Role::SuperAdmin => true,
        Role::Admin | Role::Clinician | Role::Physician => p.account_id == Some(order.account_id),
        Role::Patient => {
            p.access == crate::identity::policy::AccessType::Full
                && p.user_id.0 == order.patient_id.0
                && rules::visible_to_patient(order)
        }
        Role::LabTech | Role::User => false,
    }
}

/// The order as a policy target (its account).
#[must_use]
pub const fn in_account(order: &LabOrder) -> Target {
    Target::in_account(Some(order.account_id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::model::Role as R;

    /// Which roles set which status (the "set by" column): lab side, then care team.
    #[test]
    fn the_set_by_column() {
        let table = [
            (R::SuperAdmin, true, true),
            (R::Admin, true, true),
            (R::Clinician, false, true),
            (R::Physician, false, true),
            (R::LabTech, true, false),
            (R::Patient, false, false),
            (R::User, false, false),
        ];
        for (role, lab, care) in table {
            assert_eq!(acts_for(role, Side::Lab), lab, "{role}");
            assert_eq!(acts_for(role, Side::CareTeam), care, "{role}");
        }
        assert_eq!(side_of(LabStatus::Cancelled), Side::CareTeam);
        for s in [
            LabStatus::SpecimenCollected,
            LabStatus::InProcess,
            LabStatus::Rejected,
            LabStatus::Completed,
        ] {
            assert_eq!(side_of(s), Side::Lab);
        }
    }
}
