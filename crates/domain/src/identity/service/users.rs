//! Users of an account: list, read, create, update, delete, reset links sent by an admin.

use super::*;

/// `POST /api/users`, `POST /api/account/create_user`.
#[derive(Debug, Clone, Default)]
pub struct CreateUser {
    /// Required.
    pub email: Option<String>,
    /// `name`, or first + last.
    pub name: Option<String>,
    /// Given name.
    pub first_name: Option<String>,
    /// Family name.
    pub last_name: Option<String>,
    /// Required (raw, validated here).
    pub role: Option<String>,
    /// Optional; without it the user gets a set-password email.
    pub password: Option<String>,
    /// Must match `password`.
    pub confirm_password: Option<String>,
    /// See policy::target_account.
    pub account_id: Option<AccountId>,
    /// Default true.
    pub is_active: Option<bool>,
    /// Phone.
    pub phone: Option<String>,
    /// A clinician/physician of the account.
    pub clinician_id: Option<UserId>,
}

/// `PUT /api/users/{id}`.
#[derive(Debug, Clone, Default)]
pub struct UserPatch {
    /// Full name.
    pub name: Patch<String>,
    /// Given name.
    pub first_name: Patch<String>,
    /// Family name.
    pub last_name: Patch<String>,
    /// Email.
    pub email: Patch<String>,
    /// Phone.
    pub phone: Patch<String>,
    /// Role (raw).
    pub role: Patch<String>,
    /// Active flag.
    pub is_active: Patch<bool>,
    /// Clinician.
    pub clinician_id: Patch<UserId>,
    /// Move to another account (super_admin only).
    pub account_id: Patch<AccountId>,
    /// The caller's current password: required when a user changes its own email (a stolen
    /// access token must not be enough to take the account over through a reset link).
    pub current_password: Option<Password>,
}

impl IdentityService {
    /// `GET /api/users` (and, with `clinicians_only`, `GET /api/clinicians`).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn list_users(
        &self,
        p: &Principal,
        mut filter: UserFilter,
        page: Page,
        clinicians_only: bool,
    ) -> Result<Vec<User>, DomainError> {
        let action = if clinicians_only {
            Action::ClinicianList
        } else {
            Action::UserList
        };
        filter.account_id = match policy::list_scope(p, action, filter.account_id)? {
            ListScope::All => None,
            ListScope::Account(a) => Some(a),
            ListScope::Nothing => return Ok(Vec::new()),
        };
        if clinicians_only {
            filter.roles = vec![Role::Clinician, Role::Physician, Role::Admin];
            filter.is_active = Some(true);
        }
        Ok(self.ports.users.list(&filter, page).await?)
    }

    /// `GET /api/users/{id}`.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn get_user(&self, p: &Principal, id: UserId) -> Result<User, DomainError> {
        policy::require(p, Action::UserRead)?;
        let user = self
            .ports
            .users
            .get(id)
            .await
            .map_err(not_found_as("User"))?;
        policy::authorize(
            p,
            Action::UserRead,
            Target::owned(user.account_id, user.id),
            "User",
        )?;
        Ok(user)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    pub(super) async fn check_clinician(
        &self,
        account: AccountId,
        clinician: UserId,
    ) -> Result<(), DomainError> {
        let c = self
            .ports
            .users
            .get(clinician)
            .await
            .map_err(not_found_as("Clinician"))?;
        if c.account_id != Some(account) {
            return Err(DomainError::NotFound("Clinician"));
        }
        if !c.role.is_provider() || !c.is_active {
            return Err(DomainError::field(
                "clinician_id",
                "must be an active clinician or physician",
                "value_error.role",
            ));
        }
        Ok(())
    }

    /// `POST /api/users`, `POST /api/account/create_user`.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn create_user(&self, p: &Principal, req: CreateUser) -> Result<User, DomainError> {
        policy::require(p, Action::UserManage)?;
        let mut errors = Vec::new();
        let email = email_field(&mut errors, "email", req.email.as_deref());
        let names = resolve_names(
            req.name.as_deref(),
            req.first_name.as_deref(),
            req.last_name.as_deref(),
        )
        .map_err(|e| errors.push(e))
        .ok();
        let role = match req.role.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
            None => {
                errors.push(FieldError::missing("role"));
                None
            }
            Some(r) => Role::parse(r).or_else(|| {
                errors.push(FieldError::body("role", "unknown role", "type_error.enum"));
                None
            }),
        };
        let password = req.password.filter(|s| !s.is_empty());
        if let Some(pw) = &password {
            check_new_password(
                &mut errors,
                "password",
                "confirm_password",
                pw,
                req.confirm_password.as_deref().filter(|c| !c.is_empty()),
                email.as_ref(),
            );
        }
        let phone = validate::phone(&mut errors, "phone", req.phone.as_deref());
        let (Some(email), Some((name, first_name, last_name)), Some(role), true) =
            (email, names, role, errors.is_empty())
        else {
            return Err(DomainError::Validation(errors));
        };
        policy::may_assign_role(p, role)?;
        if req.clinician_id.is_some() && role != Role::Patient {
            return Err(DomainError::field(
                "clinician_id",
                "only a patient login has a clinician",
                "value_error",
            ));
        }
        let account_id = if role == Role::SuperAdmin {
            if req.account_id.is_some() {
                return Err(DomainError::field(
                    "account_id",
                    "a super_admin belongs to no account",
                    "value_error",
                ));
            }
            None
        } else {
            let a = policy::target_account(p, req.account_id)?;
            self.ports
                .accounts
                .get(a)
                .await
                .map_err(not_found_as("Account"))?;
            Some(a)
        };
        if let (Some(a), Some(c)) = (account_id, req.clinician_id) {
            self.check_clinician(a, c).await?;
        }
        let now = self.now();
        let mut user = User {
            id: UserId(self.ports.random.uuid()),
            account_id,
            email,
            name,
            first_name,
            last_name,
            role,
            is_active: req.is_active.unwrap_or(true),
            clinician_id: req.clinician_id,
            phone,
            created_at: now,
            updated_at: now,
        };
        let mut new_patient = None;
        if let (Role::Patient, Some(account)) = (role, account_id) {
            match self
                .ports
                .patients
                .find_by_email(account, &user.email)
                .await?
            {
                Some((patient, false)) => user.id = UserId(patient.id.0),
                Some((_, true)) => {
                    return Err(DomainError::Conflict("Email already registered".into()));
                }
                None => {
                    new_patient = Some(Patient {
                        id: PatientId(user.id.0),
                        account_id: account,
                        first_name: user.first_name.clone(),
                        last_name: user.last_name.clone(),
                        email: user.email.clone(),
                        phone: user.phone.clone(),
                        date_of_birth: None,
                        external_id: None,
                        clinician_id: user.clinician_id,
                        status: PatientStatus::Active,
                        notes: None,
                        created_at: now,
                        updated_at: now,
                        version: 1,
                    });
                }
            }
        }
        let password_hash = match &password {
            Some(pw) => Some(
                self.ports
                    .hasher
                    .hash_password(&Password::new(pw.clone()))
                    .await
                    .map_err(DomainError::Unexpected)?,
            ),
            None => None,
        };
        // Without a password, the user gets a set-password link: stored and mailed with the user,
        // in the same transaction.
        let setup = password
            .is_none()
            .then(|| self.reset_link(&user, self.settings.setup_ttl, true));
        self.ports
            .users
            .insert(
                &NewUser {
                    user: user.clone(),
                    password_hash,
                },
                new_patient,
                setup,
            )
            .await
            .map_err(duplicate_message)?;
        Ok(user)
    }

    /// `PUT /api/users/{id}`: what may change depends on who asks (contract §3.2).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn update_user(
        &self,
        p: &Principal,
        id: UserId,
        patch: UserPatch,
    ) -> Result<User, DomainError> {
        let current = self.get_user(p, id).await?;
        let is_self = current.id == p.user_id;
        if !is_self {
            policy::authorize(
                p,
                Action::UserManage,
                Target::in_account(current.account_id),
                "User",
            )?;
        }
        let mut user = current.clone();
        let mut errors = Vec::new();
        // Fields a principal may change about itself.
        let (name, first, last) = (patch.name, patch.first_name, patch.last_name);
        if matches!(name, Patch::Clear)
            || matches!(first, Patch::Clear)
            || matches!(last, Patch::Clear)
        {
            errors.push(FieldError::body(
                "name",
                "names cannot be cleared",
                "missing",
            ));
        } else if !(name.is_keep() && first.is_keep() && last.is_keep()) {
            let value = |p: Patch<String>| match p {
                Patch::Set(v) => Some(v),
                _ => None,
            };
            let (n, f, l) = (value(name), value(first), value(last));
            // A new full name alone is split again; new first/last alone rebuild the full name.
            let resolved = match (n, f, l) {
                (Some(n), None, None) => resolve_names(Some(&n), None, None),
                (n, f, l) => resolve_names(
                    n.as_deref(),
                    Some(f.as_deref().unwrap_or(&user.first_name)),
                    Some(l.as_deref().unwrap_or(&user.last_name)),
                ),
            };
            match resolved {
                Ok((n, f, l)) => {
                    user.name = n;
                    user.first_name = f;
                    user.last_name = l;
                }
                Err(e) => errors.push(e),
            }
        }
        match patch.email {
            Patch::Keep => {}
            Patch::Clear => errors.push(FieldError::missing("email")),
            Patch::Set(e) => match Email::parse(&e) {
                Ok(e) => user.email = e,
                Err(m) => errors.push(FieldError::body("email", m, "value_error.email")),
            },
        }
        match patch.phone {
            Patch::Keep => {}
            Patch::Clear => user.phone = None,
            Patch::Set(ph) => {
                user.phone = validate::phone(&mut errors, "phone", Some(&ph)).or(user.phone);
            }
        }
        // Fields only managers change, never about themselves.
        let forbid = |field: &str| {
            DomainError::Forbidden(format!("Not enough permissions to change {field}"))
        };
        if let Patch::Set(r) = &patch.role {
            let role = Role::parse(r);
            match role {
                None => errors.push(FieldError::body("role", "unknown role", "type_error.enum")),
                Some(r) if r == current.role => {}
                Some(_) if is_self => return Err(forbid("role")),
                Some(r) => {
                    let touches_sa = r == Role::SuperAdmin || current.role == Role::SuperAdmin;
                    if touches_sa && p.role != Role::SuperAdmin {
                        return Err(forbid("role"));
                    }
                    // A patient login shares its patient record's id: it cannot become staff,
                    // nor staff a patient login.
                    if r == Role::Patient || current.role == Role::Patient {
                        return Err(DomainError::field(
                            "role",
                            "the patient role cannot be given to or taken from an existing user",
                            "value_error.role",
                        ));
                    }
                    if r == Role::SuperAdmin
                        && current.account_id.is_some()
                        && !matches!(patch.account_id, Patch::Clear)
                    {
                        return Err(DomainError::field(
                            "account_id",
                            "a super_admin belongs to no account",
                            "value_error",
                        ));
                    }
                    user.role = r;
                }
            }
        } else if matches!(patch.role, Patch::Clear) {
            errors.push(FieldError::missing("role"));
        }
        if matches!(patch.is_active, Patch::Clear) {
            errors.push(FieldError::missing("is_active"));
        }
        if let Patch::Set(active) = patch.is_active
            && active != current.is_active
        {
            if is_self {
                return Err(forbid("is_active"));
            }
            user.is_active = active;
        }
        match patch.clinician_id {
            Patch::Keep => {}
            Patch::Set(c) if Some(c) == current.clinician_id => {}
            Patch::Clear if current.clinician_id.is_none() => {}
            _ if is_self && p.role != Role::SuperAdmin => return Err(forbid("clinician_id")),
            Patch::Clear => user.clinician_id = None,
            Patch::Set(c) => {
                // The reference first (another account's clinician does not exist: 404), then
                // whether this user may have one at all.
                let account = user.account_id.ok_or(DomainError::NotFound("Clinician"))?;
                self.check_clinician(account, c).await?;
                if user.role == Role::Patient {
                    user.clinician_id = Some(c);
                } else {
                    errors.push(FieldError::body(
                        "clinician_id",
                        "only a patient login has a clinician",
                        "value_error",
                    ));
                }
            }
        }
        match patch.account_id {
            Patch::Keep => {}
            Patch::Set(a) if Some(a) == current.account_id => {}
            Patch::Clear if current.account_id.is_none() => {}
            // Rule 2.2.4: a non-super_admin's body `account_id` is absent, null or its own
            // account; another account does not exist for it.
            Patch::Clear if p.role != Role::SuperAdmin => {}
            Patch::Set(_) if p.role != Role::SuperAdmin => {
                return Err(DomainError::NotFound("Account"));
            }
            _ if current.role == Role::Patient => {
                return Err(DomainError::field(
                    "account_id",
                    "a patient login stays with its patient record's account",
                    "value_error",
                ));
            }
            Patch::Clear => {
                if user.role != Role::SuperAdmin {
                    errors.push(FieldError::missing("account_id"));
                }
                user.account_id = None;
            }
            Patch::Set(a) => {
                self.ports
                    .accounts
                    .get(a)
                    .await
                    .map_err(not_found_as("Account"))?;
                if user.role == Role::SuperAdmin {
                    errors.push(FieldError::body(
                        "account_id",
                        "a super_admin belongs to no account",
                        "value_error",
                    ));
                }
                user.account_id = Some(a);
                user.clinician_id = None;
            }
        }
        if user.role != Role::SuperAdmin && user.account_id.is_none() {
            errors.push(FieldError::body(
                "account_id",
                "this role needs an account",
                "missing",
            ));
        }
        if !errors.is_empty() {
            return Err(DomainError::Validation(errors));
        }
        self.guard_last_admin(
            &current,
            user.role == Role::Admin && user.is_active && user.account_id == current.account_id,
        )
        .await?;
        if user == current {
            return Ok(current);
        }
        let email_changed = user.email != current.email;
        if is_self && email_changed {
            self.verify_current_password(&current, patch.current_password.as_ref())
                .await?;
        }
        user.updated_at = self.now();
        // The old address is told, if and only if the change is saved (same transaction).
        let notice = email_changed.then(|| email_changed_notice(&current, &user));
        self.ports
            .users
            .update(&current, &user, notice)
            .await
            .map_err(duplicate_message)?;
        // A link mailed to the old address, or sessions of a deactivated user, must not outlive
        // the change.
        if user.email != current.email || !user.is_active {
            self.ports
                .tokens
                .revoke_resets(user.id, user.updated_at)
                .await?;
        }
        // A deactivated user's sessions end (its access tokens through the stored change).
        if current.is_active && !user.is_active {
            self.ports
                .tokens
                .revoke_all_refresh(user.id, user.updated_at)
                .await?;
        }
        // An email change ends every session of the user, access tokens included, but the one
        // making its own change (the old address was told in the update's transaction).
        if email_changed {
            match p.session.filter(|_| is_self) {
                Some(keep) => {
                    self.ports
                        .tokens
                        .revoke_other_sessions(user.id, keep, user.updated_at)
                        .await?;
                }
                None => {
                    self.ports
                        .tokens
                        .revoke_all_refresh(user.id, user.updated_at)
                        .await?;
                }
            }
        }
        Ok(user)
    }

    /// Demoting, deactivating, moving or deleting the last active admin of an account is 409.
    #[tracing::instrument(level = "debug", skip_all)]
    pub(super) async fn guard_last_admin(
        &self,
        current: &User,
        still_active_admin: bool,
    ) -> Result<(), DomainError> {
        if current.role != Role::Admin || !current.is_active || still_active_admin {
            return Ok(());
        }
        let Some(account) = current.account_id else {
            return Ok(());
        };
        if self.ports.users.count_active_admins(account).await? <= 1 {
            return Err(DomainError::Conflict(
                "Cannot remove the last active admin of the account".into(),
            ));
        }
        Ok(())
    }

    /// `DELETE /api/users/{id}`: soft delete.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn delete_user(&self, p: &Principal, id: UserId) -> Result<(), DomainError> {
        policy::require(p, Action::UserManage)?;
        let user = self
            .ports
            .users
            .get(id)
            .await
            .map_err(not_found_as("User"))?;
        policy::authorize(
            p,
            Action::UserManage,
            Target::in_account(user.account_id),
            "User",
        )?;
        if user.id == p.user_id {
            return Err(DomainError::Forbidden("You cannot delete yourself".into()));
        }
        if user.role == Role::SuperAdmin && p.role != Role::SuperAdmin {
            return Err(DomainError::NotFound("User"));
        }
        self.guard_last_admin(&user, false).await?;
        self.ports
            .users
            .soft_delete(id, self.now())
            .await
            .map_err(not_found_as("User"))
    }

    /// `POST /api/users/{id}/password-reset`: email the user a reset link.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn send_password_reset(&self, p: &Principal, id: UserId) -> Result<(), DomainError> {
        policy::require(p, Action::UserManage)?;
        let user = self
            .ports
            .users
            .get(id)
            .await
            .map_err(not_found_as("User"))?;
        policy::authorize(
            p,
            Action::UserManage,
            Target::in_account(user.account_id),
            "User",
        )?;
        self.send_reset_link(&user).await
    }
}

/// The email telling the old address that the account's email changed.
fn email_changed_notice(before: &User, after: &User) -> OutgoingEmail {
    OutgoingEmail {
        to: before.email.to_string(),
        subject: "Your genascope email address was changed".into(),
        text: format!(
            "Hello {},\n\nThe email address of your genascope account was changed to {}. Your sessions on other devices were signed out.\n\nIf you did not make this change, contact your clinic's administrator at once.\n",
            before.name, after.email
        ),
        html: format!(
            "<p>Hello {},</p><p>The email address of your genascope account was changed to {}. Your sessions on other devices were signed out.</p><p>If you did not make this change, contact your clinic's administrator at once.</p>",
            html_escape(&before.name),
            html_escape(after.email.as_str())
        ),
    }
}
