//! Who sees which knowledge source (contract §3.6). The role check is the chat configuration's
//! (`Action::StrategyManage`: the care team in its own account, super_admin everywhere; others
//! 403 before any record is read). Then: a super_admin sees every source; in its own account,
//! the care team sees `account` sources, and a `user` (private) source is seen by its uploader
//! and the account's admins. Whoever sees a source may change and delete it (the contract's
//! "own account" for chat configuration); anything else is "not found".

use super::model::{AccessLevel, SourceRef};
use crate::common::{AccountId, Entity, UserId};
use crate::identity::error::AccessError;
use crate::identity::model::Role;
use crate::identity::policy::{self, Action, ListScope, Principal};

/// Which sources a list may show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceScope {
    /// Which accounts.
    pub accounts: ListScope,
    /// Private (`user`) sources shown: `None` all of them (admins, super_admin), `Some(u)` only
    /// `u`'s own.
    pub private_of: Option<UserId>,
}

/// The role check of every knowledge-source route.
///
/// # Errors
/// `Denied` for roles outside the chat configuration, and simplified tokens.
pub fn may_configure(p: &Principal) -> Result<(), AccessError> {
    policy::require(p, Action::StrategyManage).map(|_| ())
}

/// Whether `p` sees `source` (after [`may_configure`]).
#[must_use]
pub fn sees(p: &Principal, source: &SourceRef) -> bool {
    if p.role == Role::SuperAdmin {
        return true;
    }
    p.account_id == Some(source.account_id)
        && (source.access_level == AccessLevel::Account
            || source.uploaded_by == p.user_id
            || p.role == Role::Admin)
}

/// Reading, changing or deleting `source`: "not found" unless `p` sees it.
///
/// # Errors
/// `Denied` (the role), `NotFound(KnowledgeSource)` (out of sight).
pub fn authorize(p: &Principal, source: &SourceRef) -> Result<(), AccessError> {
    may_configure(p)?;
    if sees(p, source) {
        Ok(())
    } else {
        Err(AccessError::NotFound(Entity::KnowledgeSource))
    }
}

/// What `GET /knowledge-sources` shows `p` (a super_admin may name one account).
///
/// # Errors
/// `Denied` (the role).
pub fn list_scope(p: &Principal, filter: Option<AccountId>) -> Result<SourceScope, AccessError> {
    let accounts = policy::list_scope(p, Action::StrategyManage, filter)?;
    let private_of = match p.role {
        Role::SuperAdmin | Role::Admin => None,
        _ => Some(p.user_id),
    };
    Ok(SourceScope {
        accounts,
        private_of,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::KnowledgeSourceId;
    use crate::identity::error::Denial;
    use crate::identity::policy::AccessType;
    use crate::questionnaire::knowledge::model::{SourceName, SourceType};
    use uuid::Uuid;

    fn principal(role: Role, account: Option<AccountId>, user: UserId) -> Principal {
        Principal {
            user_id: user,
            role,
            account_id: account,
            access: AccessType::Full,
            jti: "j".into(),
            token_exp: 0,
            session: None,
            grant: None,
        }
    }

    fn source(account: AccountId, access: AccessLevel, by: UserId) -> SourceRef {
        SourceRef {
            id: KnowledgeSourceId(Uuid::new_v4()),
            account_id: account,
            name: SourceName::parse("name", "n").unwrap().unwrap(),
            source_type: SourceType::Guideline,
            access_level: access,
            uploaded_by: by,
        }
    }

    #[test]
    fn who_sees_which_source() {
        let (a, b) = (AccountId(Uuid::new_v4()), AccountId(Uuid::new_v4()));
        let (me, other) = (UserId(Uuid::new_v4()), UserId(Uuid::new_v4()));
        use AccessLevel::{Account as Acc, User as Priv};
        // (role, own account, source account, access, uploader, sees)
        let table = [
            (Role::SuperAdmin, None, a, Priv, other, true),
            (Role::SuperAdmin, None, b, Acc, other, true),
            (Role::Admin, Some(a), a, Acc, other, true),
            (Role::Admin, Some(a), a, Priv, other, true),
            (Role::Admin, Some(a), b, Acc, other, false),
            (Role::Clinician, Some(a), a, Acc, other, true),
            (Role::Clinician, Some(a), a, Priv, other, false),
            (Role::Clinician, Some(a), a, Priv, me, true),
            (Role::Physician, Some(a), a, Priv, other, false),
            (Role::Physician, Some(a), b, Acc, other, false),
            (Role::Clinician, Some(a), b, Priv, me, false),
        ];
        for (role, own, account, access, by, want) in table {
            let p = principal(role, own, me);
            let s = source(account, access, by);
            assert_eq!(sees(&p, &s), want, "{role} {access:?}");
            match authorize(&p, &s) {
                Ok(()) => assert!(want),
                Err(AccessError::NotFound(Entity::KnowledgeSource)) => assert!(!want),
                Err(e) => panic!("{e:?}"),
            }
        }
    }

    #[test]
    fn other_roles_are_denied_before_any_record() {
        let a = AccountId(Uuid::new_v4());
        let me = UserId(Uuid::new_v4());
        for role in [Role::LabTech, Role::Patient, Role::User] {
            let p = principal(role, Some(a), me);
            let s = source(a, AccessLevel::Account, me);
            assert!(matches!(
                authorize(&p, &s),
                Err(AccessError::Denied(Denial::NotPermitted))
            ));
            assert!(list_scope(&p, None).is_err());
        }
        let mut simplified = principal(Role::Admin, Some(a), me);
        simplified.access = AccessType::Simplified;
        assert!(may_configure(&simplified).is_err());
    }

    #[test]
    fn lists_show_private_sources_to_admins_and_their_uploaders() {
        let a = AccountId(Uuid::new_v4());
        let me = UserId(Uuid::new_v4());
        let scope = list_scope(&principal(Role::Clinician, Some(a), me), None).unwrap();
        assert_eq!(scope.accounts, ListScope::Account(a));
        assert_eq!(scope.private_of, Some(me));
        let scope = list_scope(&principal(Role::Admin, Some(a), me), None).unwrap();
        assert_eq!(scope.private_of, None);
        let other = AccountId(Uuid::new_v4());
        let scope = list_scope(&principal(Role::Admin, Some(a), me), Some(other)).unwrap();
        assert_eq!(scope.accounts, ListScope::Nothing);
        let scope = list_scope(&principal(Role::SuperAdmin, None, me), None).unwrap();
        assert_eq!((scope.accounts, scope.private_of), (ListScope::All, None));
    }
}
