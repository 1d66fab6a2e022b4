//! Who sees which session (contract §3.5.2): the patient principal its patient's sessions, a
//! `user` those it created, the care team its account's, a super_admin all. The rules of
//! `identity::policy` (role first: 403; then scope: 404) applied to sessions: a session is owned
//! by its patient for patient principals and by its creator for everyone else.

use super::model::ChatSession;
use super::ports::SessionScope;
use crate::common::{AccountId, Entity, PatientId, UserId};
use crate::identity::error::AccessError;
use crate::identity::model::Role;
use crate::identity::policy::{self, AccessType, Action, Principal, Reach, Target};

/// The session as a policy target, for `p`.
#[must_use]
pub fn target(p: &Principal, s: &ChatSession) -> Target {
    let owner = if p.role == Role::Patient {
        s.patient_id.map(UserId::from)
    } else {
        Some(s.created_by)
    };
    Target {
        account_id: Some(s.account_id),
        owner,
    }
}

/// May `p` do `action` on `s`? Denied for the role, else "chat session not found" out of scope.
pub fn authorize(p: &Principal, action: Action, s: &ChatSession) -> Result<(), AccessError> {
    policy::authorize(p, action, target(p, s), Entity::ChatSession)
}

/// The sessions a list may show `p` for `action` (a super_admin's `account` filter narrows
/// it; anyone else's, outside its account, matches nothing).
pub fn list_scope(
    p: &Principal,
    action: Action,
    account: Option<AccountId>,
) -> Result<SessionScope, AccessError> {
    let own = match (p.account_id, account) {
        (Some(own), None) => Some(own),
        (Some(own), Some(a)) if a == own => Some(own),
        _ => None,
    };
    Ok(match policy::require(p, action)? {
        Reach::Any => account.map_or(SessionScope::All, SessionScope::Account),
        Reach::OwnAccount => own.map_or(SessionScope::Nothing, SessionScope::Account),
        Reach::OwnRecords => match own {
            Some(a) if p.role == Role::Patient => {
                SessionScope::Patient(a, PatientId::from(p.user_id))
            }
            Some(a) => SessionScope::Creator(a, p.user_id),
            None => SessionScope::Nothing,
        },
        Reach::Denied => SessionScope::Nothing,
    })
}

/// Whether `p` sees a session's risk figures (`assessment_results`): the care team and
/// super_admin with a full token; never a patient or a `user` (patients never see risk figures
/// in chat).
#[must_use]
pub fn sees_results(p: &Principal) -> bool {
    p.access == AccessType::Full && access_reach(p.role) != Reach::Denied
}

fn access_reach(role: Role) -> Reach {
    policy::reach(role, Action::ChatAssessmentRead)
}
