//! Accounts (clinics) and the console's super-admin creation.

use super::*;
use crate::common::{ClinicZone, Text};
use crate::identity::model::{HostName, PersonName};

/// `POST /api/admin/create_account` and `POST /api/accounts`: an account and its first admin.
#[derive(Debug, Clone)]
pub struct CreateAccount {
    /// The clinic's name.
    pub name: Text<255>,
    /// Its host name, if any.
    pub domain: Option<HostName>,
    /// The first admin's email.
    pub admin_email: Email,
    /// The first admin's name.
    pub admin_name: PersonName,
    /// The first admin's password (checked against `admin_email` too).
    pub admin_password: NewPassword,
}

/// `PUT /api/accounts/{id}`: None keeps a field.
#[derive(Debug, Clone, Default)]
pub struct AccountPatch {
    /// New name.
    pub name: Option<Text<255>>,
    /// New domain, or none.
    pub domain: Patch<HostName>,
    /// New status (only a super_admin changes it).
    pub status: Option<AccountStatus>,
    /// New IANA time zone.
    pub time_zone: Option<ClinicZone>,
}

/// `genascope create-super-admin`: a platform operator.
#[derive(Debug, Clone)]
pub struct CreateSuperAdmin {
    /// Login email.
    pub email: Email,
    /// Name.
    pub name: PersonName,
    /// Password (checked against `email` too).
    pub password: NewPassword,
}

impl IdentityService {
    /// `genascope create-super-admin`: no principal (an operator at the console).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn create_super_admin(&self, req: CreateSuperAdmin) -> Result<User, IdentityError> {
        let now = self.now();
        let user = User {
            id: UserId(self.ports.random.uuid()),
            account_id: None,
            email: req.email,
            name: req.name.full,
            first_name: req.name.first,
            last_name: req.name.last,
            role: Role::SuperAdmin,
            is_active: true,
            clinician_id: None,
            phone: None,
            created_at: now,
            updated_at: now,
        };
        let hash = self.hash(&req.password).await?;
        self.ports
            .users
            .insert(
                &NewUser {
                    user: user.clone(),
                    password_hash: Some(hash),
                },
                None,
            )
            .await?;
        Ok(user)
    }

    /// The argon2id hash of a new password.
    pub(super) async fn hash(&self, password: &NewPassword) -> Result<String, IdentityError> {
        self.ports
            .hasher
            .hash_password(password.password())
            .await
            .map_err(IdentityError::Unexpected)
    }

    // ----- accounts -----

    /// Create an account and its first admin, in one transaction.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %p.user_id))]
    pub async fn create_account(
        &self,
        p: &Principal,
        req: CreateAccount,
    ) -> Result<(Account, UserId), IdentityError> {
        policy::require(p, Action::AccountCreate)?;
        let now = self.now();
        let account = Account {
            id: AccountId(self.ports.random.uuid()),
            name: req.name.into_string(),
            domain: req.domain.map(HostName::into_string),
            status: AccountStatus::Active,
            time_zone: ClinicZone::default(),
            created_at: now,
            updated_at: now,
        };
        let admin = User {
            id: UserId(self.ports.random.uuid()),
            account_id: Some(account.id),
            email: req.admin_email,
            name: req.admin_name.full,
            first_name: req.admin_name.first,
            last_name: req.admin_name.last,
            role: Role::Admin,
            is_active: true,
            clinician_id: None,
            phone: None,
            created_at: now,
            updated_at: now,
        };
        let hash = self.hash(&req.admin_password).await?;
        self.ports
            .accounts
            .create_with_admin(
                &account,
                &NewUser {
                    user: admin.clone(),
                    password_hash: Some(hash),
                },
            )
            .await?;
        Ok((account, admin.id))
    }

    /// `GET /api/accounts`.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %p.user_id))]
    pub async fn list_accounts(
        &self,
        p: &Principal,
        name: Option<String>,
        status: Option<AccountStatus>,
        page: Page,
    ) -> Result<Vec<Account>, IdentityError> {
        let only = match policy::list_scope(p, Action::AccountList, None)? {
            ListScope::All => None,
            ListScope::Account(a) => Some(a),
            ListScope::Nothing => return Ok(Vec::new()),
        };
        Ok(self
            .ports
            .accounts
            .list(&AccountFilter { only, name, status }, page)
            .await?)
    }

    /// `GET /api/accounts/{id}`.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %p.user_id, account_id = %id))]
    pub async fn get_account(
        &self,
        p: &Principal,
        id: AccountId,
    ) -> Result<Account, IdentityError> {
        policy::authorize(
            p,
            Action::AccountRead,
            Target::in_account(Some(id)),
            Entity::Account,
        )?;
        self.ports
            .accounts
            .get(id)
            .await
            .map_err(not_found_as(Entity::Account))
    }

    /// `PUT /api/accounts/{id}`.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %p.user_id, account_id = %id))]
    pub async fn update_account(
        &self,
        p: &Principal,
        id: AccountId,
        patch: AccountPatch,
    ) -> Result<Account, IdentityError> {
        policy::authorize(
            p,
            Action::AccountUpdate,
            Target::in_account(Some(id)),
            Entity::Account,
        )?;
        let mut account = self
            .ports
            .accounts
            .get(id)
            .await
            .map_err(not_found_as(Entity::Account))?;
        if let Some(name) = patch.name {
            account.name = name.into_string();
        }
        match patch.domain {
            Patch::Keep => {}
            Patch::Clear => account.domain = None,
            Patch::Set(d) => account.domain = Some(d.into_string()),
        }
        match patch.status {
            Some(s) if s != account.status && p.role != Role::SuperAdmin => {
                return Err(IdentityError::Denied(Denial::NotPermitted));
            }
            Some(s) => account.status = s,
            None => {}
        }
        if let Some(zone) = patch.time_zone {
            account.time_zone = zone;
        }
        account.updated_at = self.now();
        self.ports.accounts.update(&account).await?;
        Ok(account)
    }

    /// `DELETE /api/accounts/{id}`: soft delete.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %p.user_id, account_id = %id))]
    pub async fn delete_account(&self, p: &Principal, id: AccountId) -> Result<(), IdentityError> {
        policy::authorize(
            p,
            Action::AccountDelete,
            Target::in_account(Some(id)),
            Entity::Account,
        )?;
        self.ports
            .accounts
            .soft_delete(id, self.now())
            .await
            .map_err(not_found_as(Entity::Account))
    }
}
