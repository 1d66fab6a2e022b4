//! Who may do what, in which account (contract §2). The one place access is decided: services
//! call `authorize` / `list_scope`; handlers never decide access themselves.
//!
//! Order of checks (§2.2 rule 6): the role check comes first (denied whatever the id), then the
//! tenancy/ownership check, which answers "not found" exactly as if the record did not exist.

use super::error::{AccessError, Denial};
use super::model::Role;
use crate::common::{AccountId, ChatStrategyId, Entity, InviteId, UserId};

/// How a principal authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccessType {
    /// A full token (staff, users, registered patients).
    Full,
    /// An invited patient's simplified token (reaches only the routes marked S).
    Simplified,
}

impl AccessType {
    /// Wire name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Full => "full",
            Self::Simplified => "simplified",
        }
    }
}

/// The authenticated caller, reloaded from storage on every request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// User id (for patients: the patient id).
    pub user_id: UserId,
    /// Role, from storage, never from claims.
    pub role: Role,
    /// Account, from storage; None for super_admins.
    pub account_id: Option<AccountId>,
    /// Full or simplified.
    pub access: AccessType,
    /// The access token's id (for logout).
    pub jti: String,
    /// Token expiry (unix seconds), to keep a logged-out jti denied until then.
    pub token_exp: i64,
    /// The session (refresh-token family) of the access token, if it names one.
    pub session: Option<uuid::Uuid>,
    /// A simplified token's invite (None for full tokens): which invite opened this access, and
    /// its questionnaire strategy.
    pub grant: Option<InviteGrant>,
}

/// What a simplified token was issued from (contract §1.6): its invite, and the invite's
/// questionnaire strategy (the chat capability starts sessions with "the invite's strategy").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InviteGrant {
    /// The invite.
    pub invite_id: InviteId,
    /// Its strategy, if it names one.
    pub chat_strategy_id: Option<ChatStrategyId>,
}

/// An operation that policy rules on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum Action {
    AuthMe,
    Logout,
    ChangePassword,
    AccountCreate,
    AccountDelete,
    AccountList,
    AccountRead,
    AccountUpdate,
    UserList,
    UserRead,
    UserManage,
    UserUpdateSelf,
    ClinicianList,
    PatientManage,
    PatientRead,
    PatientDelete,
    AssessProfile,
    /// A patient's stored risk profile as a CanRisk / IBIS pedigree file (care team).
    ExportPedigree,
    /// Invites: generate, bulk, resend, revoke (contract §3.4; care team of the account).
    InviteManage,
    /// Invites: list, read one, a provider's pending ones.
    InviteRead,
    /// The questionnaire: `start_chat`, `submit_answer`, `history`, `/ai-chat/*` (own sessions
    /// for patients and users; simplified tokens too).
    ChatUse,
    /// A chat session's stored assessment (`/ai-chat/sessions/{id}/assessment`).
    ChatAssessmentRead,
    /// Chat configuration: strategies (and later knowledge sources).
    StrategyManage,
    /// `POST /api/eligibility/analyze`: a completed session's assessment (own sessions for
    /// patients and users; not with a simplified token).
    SessionAnalyze,
    /// Labs: order a test, review results, the lists per patient and per clinician (care team).
    LabOrderManage,
    /// Labs: an order's results (care team, lab techs; a patient its own once reviewed).
    LabResultRead,
    /// Labs: the work list, one order, status updates (care team, lab techs; which status each
    /// role may set is `labs::policy`).
    LabWork,
    /// Labs: result ingestion (admins, lab techs).
    LabIngest,
    /// Labs: the catalogue of tests (every full-token staff role).
    LabCatalog,
    /// Scheduling: a clinician's bookable times (care team, and patients of the account).
    AvailabilityRead,
    /// Scheduling: set availability, recurring patterns (admins of the account; a clinician or
    /// physician for itself only).
    AvailabilitySet,
    /// Scheduling: book, read one, a patient's list, change, cancel, move (care team; a patient
    /// its own).
    AppointmentUse,
    /// Scheduling: the organization's and a clinician's lists, a clinician's calendar feed.
    AppointmentList,
}

impl Action {
    /// Routes marked S in the matrix: open to simplified tokens too.
    #[must_use]
    pub const fn allows_simplified(self) -> bool {
        matches!(self, Action::AuthMe | Action::ChatUse)
    }
}

/// How far a role's permission reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// Never.
    Denied,
    /// Every record of every account (super_admin).
    Any,
    /// Records of the principal's own account.
    OwnAccount,
    /// Only the principal's own records (own user, own patient record).
    OwnRecords,
}

/// The permission matrix of contract §2.3, as data.
#[must_use]
pub const fn reach(role: Role, action: Action) -> Reach {
    use Action as A;
    use Reach::{Any, Denied, OwnAccount, OwnRecords};
    use Role as R;
    match (action, role) {
        (A::AssessProfile, R::LabTech) => Denied,
        (A::AuthMe | A::Logout | A::ChangePassword | A::UserUpdateSelf | A::AssessProfile, _) => {
            Any
        }
        (_, R::SuperAdmin) => Any,
        (A::ExportPedigree, R::Admin | R::Clinician | R::Physician) => OwnAccount,
        (A::ExportPedigree, _) => Denied,
        (A::AccountCreate | A::AccountDelete, _) => Denied,
        (A::AccountList | A::AccountUpdate, R::Admin) => OwnAccount,
        (A::AccountList | A::AccountUpdate, _) => Denied,
        (A::AccountRead, _) => OwnAccount,
        (
            A::UserList | A::ClinicianList | A::PatientManage | A::InviteManage | A::InviteRead,
            R::Admin | R::Clinician | R::Physician,
        ) => OwnAccount,
        (
            A::UserList | A::ClinicianList | A::PatientManage | A::InviteManage | A::InviteRead,
            _,
        ) => Denied,
        (A::UserRead, R::Admin | R::Clinician | R::Physician) => OwnAccount,
        (A::UserRead, R::LabTech | R::Patient | R::User) => OwnRecords,
        (A::UserManage | A::PatientDelete, R::Admin) => OwnAccount,
        (A::UserManage | A::PatientDelete, _) => Denied,
        (A::PatientRead, R::Admin | R::Clinician | R::Physician) => OwnAccount,
        (A::PatientRead, R::Patient) => OwnRecords,
        (A::PatientRead, _) => Denied,
        (
            A::ChatUse | A::SessionAnalyze | A::ChatAssessmentRead | A::StrategyManage,
            R::Admin | R::Clinician | R::Physician,
        ) => OwnAccount,
        (A::ChatUse | A::SessionAnalyze, R::Patient | R::User) => OwnRecords,
        (A::ChatUse | A::SessionAnalyze | A::ChatAssessmentRead | A::StrategyManage, _) => Denied,
        (A::LabOrderManage, R::Admin | R::Clinician | R::Physician) => OwnAccount,
        (A::LabResultRead | A::LabWork, R::Admin | R::Clinician | R::Physician | R::LabTech) => {
            OwnAccount
        }
        (A::LabResultRead, R::Patient) => OwnRecords,
        (A::LabIngest, R::Admin | R::LabTech) => OwnAccount,
        (A::LabCatalog, R::Admin | R::Clinician | R::Physician | R::LabTech) => Any,
        (A::LabOrderManage | A::LabResultRead | A::LabWork | A::LabIngest | A::LabCatalog, _) => {
            Denied
        }
        (A::AvailabilityRead, R::Admin | R::Clinician | R::Physician | R::Patient) => OwnAccount,
        (A::AvailabilitySet, R::Admin) => OwnAccount,
        (A::AvailabilitySet, R::Clinician | R::Physician) => OwnRecords,
        (A::AppointmentUse | A::AppointmentList, R::Admin | R::Clinician | R::Physician) => {
            OwnAccount
        }
        (A::AppointmentUse, R::Patient) => OwnRecords,
        (A::AvailabilityRead | A::AvailabilitySet | A::AppointmentUse | A::AppointmentList, _) => {
            Denied
        }
    }
}

/// The record an action touches: its account and, where it has one, its owner.
#[derive(Debug, Clone, Copy, Default)]
pub struct Target {
    /// The record's account (None: a super_admin user or a global record).
    pub account_id: Option<AccountId>,
    /// The principal that owns the record, if any (a user itself; a patient record's login).
    pub owner: Option<UserId>,
}

impl Target {
    /// A record of an account.
    #[must_use]
    pub const fn in_account(account_id: Option<AccountId>) -> Self {
        Self {
            account_id,
            owner: None,
        }
    }

    /// A record of an account owned by a principal.
    #[must_use]
    pub const fn owned(account_id: Option<AccountId>, owner: UserId) -> Self {
        Self {
            account_id,
            owner: Some(owner),
        }
    }
}

/// The role check alone: denied when the role may never use the action.
pub fn require(p: &Principal, action: Action) -> Result<Reach, AccessError> {
    if p.access == AccessType::Simplified && !action.allows_simplified() {
        return Err(AccessError::Denied(Denial::SimplifiedAccess));
    }
    match reach(p.role, action) {
        Reach::Denied => Err(AccessError::Denied(Denial::NotPermitted)),
        r => Ok(r),
    }
}

/// Full check for one record: denied for the role, then not found (as `what`) when out of scope.
pub fn authorize(
    p: &Principal,
    action: Action,
    target: Target,
    what: Entity,
) -> Result<(), AccessError> {
    let in_scope = match require(p, action)? {
        Reach::Any => true,
        Reach::OwnAccount => p.account_id.is_some() && target.account_id == p.account_id,
        Reach::OwnRecords => target.owner == Some(p.user_id) && target.account_id == p.account_id,
        Reach::Denied => false,
    };
    if in_scope {
        Ok(())
    } else {
        Err(AccessError::NotFound(what))
    }
}

/// Which accounts a list may show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListScope {
    /// Every account (super_admin without filter).
    All,
    /// One account.
    Account(AccountId),
    /// An out-of-scope filter: matches nothing (an empty list, not an error; §2.2 rule 2).
    Nothing,
}

/// The account scope of a list, given an optional `account_id` filter from the caller.
pub fn list_scope(
    p: &Principal,
    action: Action,
    filter: Option<AccountId>,
) -> Result<ListScope, AccessError> {
    Ok(match require(p, action)? {
        Reach::Any => filter.map_or(ListScope::All, ListScope::Account),
        Reach::OwnAccount | Reach::OwnRecords => match (p.account_id, filter) {
            (Some(own), None) => ListScope::Account(own),
            (Some(own), Some(f)) if f == own => ListScope::Account(own),
            _ => ListScope::Nothing,
        },
        Reach::Denied => ListScope::Nothing,
    })
}

/// The account a new record lands in (§2.2 rules 4 and 5): a non-super_admin's own account
/// (another requested account does not exist for it); a super_admin must name one.
pub fn target_account(
    p: &Principal,
    requested: Option<AccountId>,
) -> Result<AccountId, AccessError> {
    if p.role == Role::SuperAdmin {
        return requested.ok_or(AccessError::AccountRequired);
    }
    match (p.account_id, requested) {
        (Some(own), None) => Ok(own),
        (Some(own), Some(r)) if r == own => Ok(own),
        _ => Err(AccessError::NotFound(Entity::Account)),
    }
}

/// Privilege rule (§2.2 rule 10): may `p` give a user the role `role`?
pub fn may_assign_role(p: &Principal, role: Role) -> Result<(), AccessError> {
    match (p.role, role) {
        (Role::SuperAdmin, _) => Ok(()),
        (Role::Admin, r) if r != Role::SuperAdmin => Ok(()),
        _ => Err(AccessError::Denied(Denial::NotPermitted)),
    }
}

/// Staff `notes` on a patient record are the care team's working notes, not written for the
/// patient: every staff role reads them, a patient (or simplified-access) principal reading its
/// own record does not (the contract is silent; decided in issue #6 item 21).
#[must_use]
pub fn sees_staff_notes(p: &Principal) -> bool {
    p.access == AccessType::Full && !matches!(p.role, Role::Patient | Role::User)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Action as A;
    use Reach::{Any as Y, Denied as N, OwnAccount as OA, OwnRecords as OR};
    use uuid::Uuid;

    /// The matrix of contract §2.3, one row per action, columns in the order of `Role::ALL`:
    /// super_admin, admin, clinician, physician, lab_tech, patient, user.
    const MATRIX: &[(Action, [Reach; 7])] = &[
        (A::AuthMe, [Y, Y, Y, Y, Y, Y, Y]),
        (A::Logout, [Y, Y, Y, Y, Y, Y, Y]),
        (A::ChangePassword, [Y, Y, Y, Y, Y, Y, Y]),
        (A::AccountCreate, [Y, N, N, N, N, N, N]),
        (A::AccountDelete, [Y, N, N, N, N, N, N]),
        (A::AccountList, [Y, OA, N, N, N, N, N]),
        (A::AccountRead, [Y, OA, OA, OA, OA, OA, OA]),
        (A::AccountUpdate, [Y, OA, N, N, N, N, N]),
        (A::UserList, [Y, OA, OA, OA, N, N, N]),
        (A::UserRead, [Y, OA, OA, OA, OR, OR, OR]),
        (A::UserManage, [Y, OA, N, N, N, N, N]),
        (A::UserUpdateSelf, [Y, Y, Y, Y, Y, Y, Y]),
        (A::ClinicianList, [Y, OA, OA, OA, N, N, N]),
        (A::PatientManage, [Y, OA, OA, OA, N, N, N]),
        (A::PatientRead, [Y, OA, OA, OA, N, OR, N]),
        (A::PatientDelete, [Y, OA, N, N, N, N, N]),
        (A::AssessProfile, [Y, Y, Y, Y, N, Y, Y]),
        (A::ExportPedigree, [Y, OA, OA, OA, N, N, N]),
        (A::InviteManage, [Y, OA, OA, OA, N, N, N]),
        (A::InviteRead, [Y, OA, OA, OA, N, N, N]),
        (A::ChatUse, [Y, OA, OA, OA, N, OR, OR]),
        (A::ChatAssessmentRead, [Y, OA, OA, OA, N, N, N]),
        (A::StrategyManage, [Y, OA, OA, OA, N, N, N]),
        (A::SessionAnalyze, [Y, OA, OA, OA, N, OR, OR]),
        (A::LabOrderManage, [Y, OA, OA, OA, N, N, N]),
        (A::LabResultRead, [Y, OA, OA, OA, OA, OR, N]),
        (A::LabWork, [Y, OA, OA, OA, OA, N, N]),
        (A::LabIngest, [Y, OA, N, N, OA, N, N]),
        (A::LabCatalog, [Y, Y, Y, Y, Y, N, N]),
        (A::AvailabilityRead, [Y, OA, OA, OA, N, OA, N]),
        (A::AvailabilitySet, [Y, OA, OR, OR, N, N, N]),
        (A::AppointmentUse, [Y, OA, OA, OA, N, OR, N]),
        (A::AppointmentList, [Y, OA, OA, OA, N, N, N]),
    ];

    #[test]
    fn matrix_matches_the_contract() {
        for (action, row) in MATRIX {
            for (role, expected) in Role::ALL.iter().zip(row) {
                assert_eq!(reach(*role, *action), *expected, "{action:?} for {role}");
            }
        }
    }

    fn principal(role: Role, account: Option<AccountId>) -> Principal {
        Principal {
            user_id: UserId(Uuid::new_v4()),
            role,
            account_id: account,
            access: AccessType::Full,
            jti: "j".into(),
            token_exp: 0,
            session: None,
            grant: None,
        }
    }

    #[test]
    fn cross_account_is_not_found_and_wrong_role_is_denied() {
        let a = Some(AccountId(Uuid::new_v4()));
        let b = Some(AccountId(Uuid::new_v4()));
        let admin = principal(Role::Admin, a);
        assert!(
            authorize(
                &admin,
                A::PatientRead,
                Target::in_account(a),
                Entity::Patient
            )
            .is_ok()
        );
        assert!(matches!(
            authorize(
                &admin,
                A::PatientRead,
                Target::in_account(b),
                Entity::Patient
            ),
            Err(AccessError::NotFound(Entity::Patient))
        ));
        let lab = principal(Role::LabTech, a);
        assert!(matches!(
            authorize(&lab, A::PatientRead, Target::in_account(a), Entity::Patient),
            Err(AccessError::Denied(_))
        ));
        let sa = principal(Role::SuperAdmin, None);
        assert!(
            authorize(
                &sa,
                A::PatientDelete,
                Target::in_account(b),
                Entity::Patient
            )
            .is_ok()
        );
    }

    #[test]
    fn pedigree_exports_are_for_the_care_team_of_the_account() {
        let a = Some(AccountId(Uuid::new_v4()));
        let b = Some(AccountId(Uuid::new_v4()));
        for role in [Role::Admin, Role::Clinician, Role::Physician] {
            let p = principal(role, a);
            assert!(
                authorize(
                    &p,
                    A::ExportPedigree,
                    Target::in_account(a),
                    Entity::Patient
                )
                .is_ok()
            );
            assert!(matches!(
                authorize(
                    &p,
                    A::ExportPedigree,
                    Target::in_account(b),
                    Entity::Patient
                ),
                Err(AccessError::NotFound(Entity::Patient))
            ));
        }
        // The patient itself, a lab tech or a plain user: denied whatever the record.
        for role in [Role::Patient, Role::LabTech, Role::User] {
            let p = principal(role, a);
            assert!(matches!(
                require(&p, A::ExportPedigree),
                Err(AccessError::Denied(_))
            ));
        }
        let sa = principal(Role::SuperAdmin, None);
        assert!(
            authorize(
                &sa,
                A::ExportPedigree,
                Target::in_account(b),
                Entity::Patient
            )
            .is_ok()
        );
        // A simplified token never reaches it.
        let mut s = principal(Role::Clinician, a);
        s.access = AccessType::Simplified;
        assert!(require(&s, A::ExportPedigree).is_err());
    }

    #[test]
    fn own_records_means_own() {
        let a = Some(AccountId(Uuid::new_v4()));
        let p = principal(Role::Patient, a);
        assert!(
            authorize(
                &p,
                A::PatientRead,
                Target::owned(a, p.user_id),
                Entity::Patient
            )
            .is_ok()
        );
        let other = UserId(Uuid::new_v4());
        assert!(authorize(&p, A::PatientRead, Target::owned(a, other), Entity::Patient).is_err());
    }

    #[test]
    fn simplified_tokens_reach_only_s_routes() {
        let mut p = principal(Role::Patient, Some(AccountId(Uuid::new_v4())));
        p.access = AccessType::Simplified;
        assert!(require(&p, A::AuthMe).is_ok());
        assert!(matches!(
            require(&p, A::ChangePassword),
            Err(AccessError::Denied(Denial::SimplifiedAccess))
        ));
    }

    #[test]
    fn list_scope_and_target_account() {
        let a = AccountId(Uuid::new_v4());
        let b = AccountId(Uuid::new_v4());
        let clin = principal(Role::Clinician, Some(a));
        assert_eq!(
            list_scope(&clin, A::PatientManage, None).unwrap(),
            ListScope::Account(a)
        );
        assert_eq!(
            list_scope(&clin, A::PatientManage, Some(b)).unwrap(),
            ListScope::Nothing
        );
        let sa = principal(Role::SuperAdmin, None);
        assert_eq!(
            list_scope(&sa, A::PatientManage, None).unwrap(),
            ListScope::All
        );
        assert_eq!(
            list_scope(&sa, A::PatientManage, Some(b)).unwrap(),
            ListScope::Account(b)
        );
        assert_eq!(target_account(&clin, None).unwrap(), a);
        assert!(matches!(
            target_account(&clin, Some(b)),
            Err(AccessError::NotFound(Entity::Account))
        ));
        assert!(matches!(
            target_account(&sa, None),
            Err(AccessError::AccountRequired)
        ));
    }

    #[test]
    fn admins_cannot_mint_super_admins() {
        let admin = principal(Role::Admin, Some(AccountId(Uuid::new_v4())));
        assert!(may_assign_role(&admin, Role::SuperAdmin).is_err());
        assert!(may_assign_role(&admin, Role::Admin).is_ok());
        let sa = principal(Role::SuperAdmin, None);
        assert!(may_assign_role(&sa, Role::SuperAdmin).is_ok());
        let clin = principal(Role::Clinician, Some(AccountId(Uuid::new_v4())));
        assert!(may_assign_role(&clin, Role::User).is_err());
    }

    #[test]
    fn staff_notes_are_for_staff_only() {
        for role in Role::ALL {
            let p = Principal {
                user_id: crate::common::UserId(Uuid::new_v4()),
                role,
                account_id: None,
                access: AccessType::Full,
                jti: String::new(),
                token_exp: 0,
                session: None,
                grant: None,
            };
            let staff = !matches!(role, Role::Patient | Role::User);
            assert_eq!(sees_staff_notes(&p), staff, "{role:?}");
            let simplified = Principal {
                access: AccessType::Simplified,
                ..p
            };
            assert!(!sees_staff_notes(&simplified), "{role:?}");
        }
    }
}
