//! Accounts (clinics) and the console's super-admin creation.

use super::*;

/// `POST /api/admin/create_account` and `POST /api/accounts`.
#[derive(Debug, Clone, Default)]
pub struct CreateAccount {
    /// Required, 1..255.
    pub name: Option<String>,
    /// Optional host name.
    pub domain: Option<String>,
    /// Required.
    pub admin_email: Option<String>,
    /// Required, 1..255.
    pub admin_name: Option<String>,
    /// Required, policy.
    pub admin_password: Option<String>,
    /// Optional; must match.
    pub admin_confirm_password: Option<String>,
}

/// `PUT /api/accounts/{id}`.
#[derive(Debug, Clone, Default)]
pub struct AccountPatch {
    /// New name.
    pub name: Patch<String>,
    /// New domain (Clear removes it).
    pub domain: Patch<String>,
    /// New status (raw, validated here).
    pub status: Patch<String>,
}

impl IdentityService {
    /// `genascope create-super-admin`: no principal (an operator at the console).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn create_super_admin(
        &self,
        email: &str,
        name: &str,
        password: &str,
    ) -> Result<User, DomainError> {
        let mut errors = Vec::new();
        let email = email_field(&mut errors, "email", Some(email));
        let names = resolve_names(Some(name), None, None)
            .map_err(|e| errors.push(e))
            .ok();
        if let Err(e) = check_password_policy("password", password, email.as_ref()) {
            errors.push(e);
        }
        let (Some(email), Some((name, first_name, last_name)), true) =
            (email, names, errors.is_empty())
        else {
            return Err(DomainError::Validation(errors));
        };
        let now = self.now();
        let user = User {
            id: UserId(self.ports.random.uuid()),
            account_id: None,
            email,
            name,
            first_name,
            last_name,
            role: Role::SuperAdmin,
            is_active: true,
            clinician_id: None,
            phone: None,
            created_at: now,
            updated_at: now,
        };
        let hash = self
            .ports
            .hasher
            .hash_password(&Password::new(password.to_owned()))
            .await
            .map_err(DomainError::Unexpected)?;
        self.ports
            .users
            .insert(
                &NewUser {
                    user: user.clone(),
                    password_hash: Some(hash),
                },
                None,
                None,
            )
            .await
            .map_err(duplicate_message)?;
        Ok(user)
    }

    // ----- accounts -----

    /// Create an account and its first admin, in one transaction.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn create_account(
        &self,
        p: &Principal,
        req: CreateAccount,
    ) -> Result<(Account, UserId), DomainError> {
        policy::require(p, Action::AccountCreate)?;
        let mut errors = Vec::new();
        let name = validate::text(&mut errors, "name", req.name.as_deref(), 255, true);
        let domain = match req.domain.as_deref().map(parse_domain).transpose() {
            Ok(d) => d.flatten(),
            Err(m) => {
                errors.push(FieldError::body("domain", m, "value_error.domain"));
                None
            }
        };
        let email = email_field(&mut errors, "admin_email", req.admin_email.as_deref());
        let admin_name = validate::text(
            &mut errors,
            "admin_name",
            req.admin_name.as_deref(),
            255,
            true,
        );
        let password = req.admin_password.unwrap_or_default();
        if password.is_empty() {
            errors.push(FieldError::missing("admin_password"));
        } else {
            check_new_password(
                &mut errors,
                "admin_password",
                "admin_confirm_password",
                &password,
                req.admin_confirm_password
                    .as_deref()
                    .filter(|c| !c.is_empty()),
                email.as_ref(),
            );
        }
        let (Some(name), Some(email), Some(admin_name), true) =
            (name, email, admin_name, errors.is_empty())
        else {
            return Err(DomainError::Validation(errors));
        };
        let (full, first, last) = resolve_names(Some(&admin_name), None, None)
            .map_err(|e| DomainError::Validation(vec![e]))?;
        let now = self.now();
        let account = Account {
            id: AccountId(self.ports.random.uuid()),
            name,
            domain,
            status: AccountStatus::Active,
            created_at: now,
            updated_at: now,
        };
        let admin = User {
            id: UserId(self.ports.random.uuid()),
            account_id: Some(account.id),
            email,
            name: full,
            first_name: first,
            last_name: last,
            role: Role::Admin,
            is_active: true,
            clinician_id: None,
            phone: None,
            created_at: now,
            updated_at: now,
        };
        let hash = self
            .ports
            .hasher
            .hash_password(&Password::new(password))
            .await
            .map_err(DomainError::Unexpected)?;
        self.ports
            .accounts
            .create_with_admin(
                &account,
                &NewUser {
                    user: admin.clone(),
                    password_hash: Some(hash),
                },
            )
            .await
            .map_err(duplicate_message)?;
        Ok((account, admin.id))
    }

    /// `GET /api/accounts`.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn list_accounts(
        &self,
        p: &Principal,
        name: Option<String>,
        status: Option<AccountStatus>,
        page: Page,
    ) -> Result<Vec<Account>, DomainError> {
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
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn get_account(&self, p: &Principal, id: AccountId) -> Result<Account, DomainError> {
        policy::authorize(
            p,
            Action::AccountRead,
            Target::in_account(Some(id)),
            "Account",
        )?;
        self.ports
            .accounts
            .get(id)
            .await
            .map_err(not_found_as("Account"))
    }

    /// `PUT /api/accounts/{id}`.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn update_account(
        &self,
        p: &Principal,
        id: AccountId,
        patch: AccountPatch,
    ) -> Result<Account, DomainError> {
        policy::authorize(
            p,
            Action::AccountUpdate,
            Target::in_account(Some(id)),
            "Account",
        )?;
        let mut account = self
            .ports
            .accounts
            .get(id)
            .await
            .map_err(not_found_as("Account"))?;
        let mut errors = Vec::new();
        match patch.name {
            Patch::Keep => {}
            Patch::Clear => errors.push(FieldError::body("name", "field required", "missing")),
            Patch::Set(n) => {
                if let Some(n) = validate::text(&mut errors, "name", Some(&n), 255, true) {
                    account.name = n;
                }
            }
        }
        match patch.domain {
            Patch::Keep => {}
            Patch::Clear => account.domain = None,
            Patch::Set(d) => match parse_domain(&d) {
                Ok(d) => account.domain = d,
                Err(m) => errors.push(FieldError::body("domain", m, "value_error.domain")),
            },
        }
        match patch.status {
            Patch::Keep => {}
            Patch::Clear => errors.push(FieldError::body("status", "field required", "missing")),
            Patch::Set(s) => match AccountStatus::parse(&s) {
                None => errors.push(FieldError::body(
                    "status",
                    "status must be active or inactive",
                    "type_error.enum",
                )),
                Some(s) if s != account.status && p.role != Role::SuperAdmin => {
                    return Err(DomainError::Forbidden("Not enough permissions".into()));
                }
                Some(s) => account.status = s,
            },
        }
        if !errors.is_empty() {
            return Err(DomainError::Validation(errors));
        }
        account.updated_at = self.now();
        self.ports
            .accounts
            .update(&account)
            .await
            .map_err(duplicate_message)?;
        Ok(account)
    }

    /// `DELETE /api/accounts/{id}`: soft delete.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn delete_account(&self, p: &Principal, id: AccountId) -> Result<(), DomainError> {
        policy::authorize(
            p,
            Action::AccountDelete,
            Target::in_account(Some(id)),
            "Account",
        )?;
        self.ports
            .accounts
            .soft_delete(id, self.now())
            .await
            .map_err(not_found_as("Account"))
    }

    // ----- users -----
}
