//! Users of an account: list, read, create, update, delete, reset links sent by an admin.

use super::*;
use crate::common::Phone;
use crate::identity::model::{NameChange, NotClinician, PersonName};

/// `POST /api/users`, `POST /api/account/create_user`.
#[derive(Debug, Clone)]
pub struct CreateUser {
    /// Login email.
    pub email: Email,
    /// Names.
    pub name: PersonName,
    /// Role (whether the caller may give it is checked here).
    pub role: Role,
    /// Without one, the user gets a set-password email.
    pub password: Option<NewPassword>,
    /// See policy::target_account.
    pub account_id: Option<AccountId>,
    /// Whether the user may log in.
    pub is_active: bool,
    /// Phone.
    pub phone: Option<Phone>,
    /// A clinician/physician of the account (patient logins only).
    pub clinician_id: Option<UserId>,
}

/// `PUT /api/users/{id}`: `None` / `Keep` leaves a field as it is. Names, email, role and the
/// active flag are required fields, so they cannot be cleared.
#[derive(Debug, Clone, Default)]
pub struct UserPatch {
    /// New name parts.
    pub names: Option<NameChange>,
    /// Email.
    pub email: Option<Email>,
    /// Phone.
    pub phone: Patch<Phone>,
    /// Role.
    pub role: Option<Role>,
    /// Active flag.
    pub is_active: Option<bool>,
    /// Clinician.
    pub clinician_id: Patch<UserId>,
    /// Move to another account (super_admin only); clear for a super_admin.
    pub account_id: Patch<AccountId>,
    /// The caller's current password: required when a user changes its own email (a stolen
    /// access token must not be enough to take the account over through a reset link).
    pub current_password: Option<Password>,
}

/// A new user that passed every rule, built but not stored: `create_user` stores it alone; the
/// patients capability stores a patient's login together with its patient record.
#[derive(Debug, Clone)]
pub struct PreparedUser {
    /// The user and its password hash.
    pub user: NewUser,
    /// Its set-password link and email, when it has no password.
    pub setup: Option<ResetLink>,
}

impl IdentityService {
    /// `GET /api/users` (and, with `clinicians_only`, `GET /api/clinicians`).
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %p.user_id))]
    pub async fn list_users(
        &self,
        p: &Principal,
        mut filter: UserFilter,
        page: Page,
        clinicians_only: bool,
    ) -> Result<Vec<User>, IdentityError> {
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
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %p.user_id, user_id = %id))]
    pub async fn get_user(&self, p: &Principal, id: UserId) -> Result<User, IdentityError> {
        policy::require(p, Action::UserRead)?;
        let user = self
            .ports
            .users
            .get(id)
            .await
            .map_err(not_found_as(Entity::User))?;
        policy::authorize(
            p,
            Action::UserRead,
            Target::owned(user.account_id, user.id),
            Entity::User,
        )?;
        Ok(user)
    }

    /// `clinician` is an active clinician or physician of `account` (of another account, it
    /// does not exist).
    #[tracing::instrument(level = "debug", skip_all)]
    pub(super) async fn check_clinician(
        &self,
        account: AccountId,
        clinician: UserId,
    ) -> Result<(), IdentityError> {
        let c = self
            .ports
            .users
            .get(clinician)
            .await
            .map_err(not_found_as(Entity::Clinician))?;
        c.clinician_of(account).map_err(|e| match e {
            NotClinician::Elsewhere => IdentityError::NotFound(Entity::Clinician),
            NotClinician::Ineligible(field) => IdentityError::Invalid(vec![field]),
        })
    }

    /// `POST /api/users`, `POST /api/account/create_user`, for every role but `patient`: a
    /// patient's login comes with its patient record (`PatientService::create_login`).
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %p.user_id))]
    pub async fn create_user(&self, p: &Principal, req: CreateUser) -> Result<User, IdentityError> {
        if req.role == Role::Patient {
            policy::require(p, Action::UserManage)?;
            return Err(IdentityError::field(
                "role",
                "a patient login is created with its patient record",
                "value_error.role",
            ));
        }
        let prepared = self.prepare_user(p, req).await?;
        self.ports
            .users
            .insert(&prepared.user, prepared.setup)
            .await?;
        Ok(prepared.user.user)
    }

    /// Check a new user against the rules (who may create it, with which role, in which account,
    /// with which clinician) and build it with its password hash, or its set-password link when
    /// it has no password. Nothing is stored.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %p.user_id))]
    pub async fn prepare_user(
        &self,
        p: &Principal,
        req: CreateUser,
    ) -> Result<PreparedUser, IdentityError> {
        policy::require(p, Action::UserManage)?;
        policy::may_assign_role(p, req.role)?;
        if req.clinician_id.is_some() && req.role != Role::Patient {
            return Err(IdentityError::field(
                "clinician_id",
                "only a patient login has a clinician",
                "value_error",
            ));
        }
        let account_id = self.new_user_account(p, req.role, req.account_id).await?;
        if let (Some(a), Some(c)) = (account_id, req.clinician_id) {
            self.check_clinician(a, c).await?;
        }
        let now = self.now();
        let user = User {
            id: UserId(self.ports.random.uuid()),
            account_id,
            email: req.email,
            name: req.name.full,
            first_name: req.name.first,
            last_name: req.name.last,
            role: req.role,
            is_active: req.is_active,
            clinician_id: req.clinician_id,
            phone: req.phone.map(Phone::into_string),
            created_at: now,
            updated_at: now,
        };
        let password_hash = match &req.password {
            Some(pw) => Some(self.hash(pw).await?),
            None => None,
        };
        // Without a password, the user gets a set-password link: stored and mailed with the user,
        // in the same transaction.
        let setup = password_hash
            .is_none()
            .then(|| self.reset_link(&user, self.settings.setup_ttl, true));
        Ok(PreparedUser {
            user: NewUser {
                user,
                password_hash,
            },
            setup,
        })
    }

    /// The account of a new user of `role`: none for a super_admin, else the policy's target
    /// account, which must exist.
    async fn new_user_account(
        &self,
        p: &Principal,
        role: Role,
        requested: Option<AccountId>,
    ) -> Result<Option<AccountId>, IdentityError> {
        if role == Role::SuperAdmin {
            if requested.is_some() {
                return Err(no_account_for_super_admin());
            }
            return Ok(None);
        }
        let a = policy::target_account(p, requested)?;
        self.ports
            .accounts
            .get(a)
            .await
            .map_err(not_found_as(Entity::Account))?;
        Ok(Some(a))
    }

    /// `PUT /api/users/{id}`: what may change depends on who asks (contract §3.2).
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %p.user_id, user_id = %id))]
    pub async fn update_user(
        &self,
        p: &Principal,
        id: UserId,
        patch: UserPatch,
    ) -> Result<User, IdentityError> {
        let current = self.get_user(p, id).await?;
        let is_self = current.id == p.user_id;
        if !is_self {
            policy::authorize(
                p,
                Action::UserManage,
                Target::in_account(current.account_id),
                Entity::User,
            )?;
        }
        let change = Change {
            p,
            current: &current,
            is_self,
        };
        let mut user = current.clone();
        let mut errors = Vec::new();
        change.profile(&mut user, &patch, &mut errors);
        change.role(&mut user, &patch)?;
        change.active(&mut user, patch.is_active)?;
        self.change_clinician(&change, &mut user, patch.clinician_id, &mut errors)
            .await?;
        self.change_account(&change, &mut user, patch.account_id, &mut errors)
            .await?;
        if user.role != Role::SuperAdmin && user.account_id.is_none() {
            errors.push(FieldError::new(
                "account_id",
                "this role needs an account",
                "missing",
            ));
        }
        if !errors.is_empty() {
            return Err(IdentityError::Invalid(errors));
        }
        self.guard_last_admin(
            &current,
            user.role == Role::Admin && user.is_active && user.account_id == current.account_id,
        )
        .await?;
        if user == current {
            return Ok(current);
        }
        self.save_change(&change, user, patch.current_password.as_ref())
            .await
    }

    /// The clinician of a patient login: only managers change it, never about themselves (but
    /// a super_admin); it must be a clinician of the user's account.
    async fn change_clinician(
        &self,
        change: &Change<'_>,
        user: &mut User,
        clinician: Patch<UserId>,
        errors: &mut Vec<FieldError>,
    ) -> Result<(), IdentityError> {
        let current = change.current.clinician_id;
        match clinician {
            Patch::Keep => {}
            Patch::Set(c) if Some(c) == current => {}
            Patch::Clear if current.is_none() => {}
            _ if change.is_self && change.p.role != Role::SuperAdmin => {
                return Err(IdentityError::Denied(Denial::OwnField("clinician_id")));
            }
            Patch::Clear => user.clinician_id = None,
            Patch::Set(c) => {
                // The reference first (another account's clinician does not exist), then
                // whether this user may have one at all.
                let account = user
                    .account_id
                    .ok_or(IdentityError::NotFound(Entity::Clinician))?;
                self.check_clinician(account, c).await?;
                if user.role == Role::Patient {
                    user.clinician_id = Some(c);
                } else {
                    errors.push(FieldError::new(
                        "clinician_id",
                        "only a patient login has a clinician",
                        "value_error",
                    ));
                }
            }
        }
        Ok(())
    }

    /// Moving a user to another account (super_admin only) or out of any (a super_admin).
    async fn change_account(
        &self,
        change: &Change<'_>,
        user: &mut User,
        account: Patch<AccountId>,
        errors: &mut Vec<FieldError>,
    ) -> Result<(), IdentityError> {
        let (p, current) = (change.p, change.current);
        match account {
            Patch::Keep => {}
            Patch::Set(a) if Some(a) == current.account_id => {}
            Patch::Clear if current.account_id.is_none() => {}
            // Rule 2.2.4: a non-super_admin's `account_id` is absent, null or its own account;
            // another account does not exist for it.
            Patch::Clear if p.role != Role::SuperAdmin => {}
            Patch::Set(_) if p.role != Role::SuperAdmin => {
                return Err(IdentityError::NotFound(Entity::Account));
            }
            _ if current.role == Role::Patient => {
                return Err(IdentityError::field(
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
                    .map_err(not_found_as(Entity::Account))?;
                if user.role == Role::SuperAdmin {
                    errors.push(no_account_for_super_admin_field());
                }
                user.account_id = Some(a);
                user.clinician_id = None;
            }
        }
        Ok(())
    }

    /// Save a checked change of `change.current` into `user`, then end what must not outlive
    /// it: a self email change proves the current password first.
    async fn save_change(
        &self,
        change: &Change<'_>,
        mut user: User,
        current_password: Option<&Password>,
    ) -> Result<User, IdentityError> {
        let current = change.current;
        let email_changed = user.email != current.email;
        if change.is_self && email_changed {
            self.verify_current_password(current, current_password)
                .await?;
        }
        user.updated_at = self.now();
        // The old address is told, if and only if the change is saved (same transaction).
        let notice = email_changed.then(|| email_changed_notice(current, &user));
        self.ports.users.update(current, &user, notice).await?;
        self.end_stale_access(change, &user).await?;
        Ok(user)
    }

    /// After a saved change: a link mailed to the old address, or the sessions of a deactivated
    /// user, must not outlive it; an email change ends every session of the user, access tokens
    /// included, but the one making its own change.
    async fn end_stale_access(
        &self,
        change: &Change<'_>,
        user: &User,
    ) -> Result<(), IdentityError> {
        let current = change.current;
        let email_changed = user.email != current.email;
        let tokens = &self.ports.tokens;
        if email_changed || !user.is_active {
            tokens.revoke_resets(user.id, user.updated_at).await?;
        }
        if current.is_active && !user.is_active {
            tokens.revoke_all_refresh(user.id, user.updated_at).await?;
        }
        if email_changed {
            match change.p.session.filter(|_| change.is_self) {
                Some(keep) => {
                    tokens
                        .revoke_other_sessions(user.id, keep, user.updated_at)
                        .await?;
                }
                None => tokens.revoke_all_refresh(user.id, user.updated_at).await?,
            }
        }
        Ok(())
    }

    /// Demoting, deactivating, moving or deleting the last active admin of an account is a
    /// conflict.
    #[tracing::instrument(level = "debug", skip_all)]
    pub(super) async fn guard_last_admin(
        &self,
        current: &User,
        still_active_admin: bool,
    ) -> Result<(), IdentityError> {
        if current.role != Role::Admin || !current.is_active || still_active_admin {
            return Ok(());
        }
        let Some(account) = current.account_id else {
            return Ok(());
        };
        if self.ports.users.count_active_admins(account).await? <= 1 {
            return Err(IdentityError::Conflict(IdentityConflict::LastAdmin));
        }
        Ok(())
    }

    /// `DELETE /api/users/{id}`: soft delete.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %p.user_id, user_id = %id))]
    pub async fn delete_user(&self, p: &Principal, id: UserId) -> Result<(), IdentityError> {
        let user = self.managed_user(p, id).await?;
        if user.id == p.user_id {
            return Err(IdentityError::Denied(Denial::DeleteSelf));
        }
        if user.role == Role::SuperAdmin && p.role != Role::SuperAdmin {
            return Err(IdentityError::NotFound(Entity::User));
        }
        self.guard_last_admin(&user, false).await?;
        self.ports
            .users
            .soft_delete(id, self.now())
            .await
            .map_err(not_found_as(Entity::User))
    }

    /// A user `p` manages (admin of its account, super_admin).
    async fn managed_user(&self, p: &Principal, id: UserId) -> Result<User, IdentityError> {
        policy::require(p, Action::UserManage)?;
        let user = self
            .ports
            .users
            .get(id)
            .await
            .map_err(not_found_as(Entity::User))?;
        policy::authorize(
            p,
            Action::UserManage,
            Target::in_account(user.account_id),
            Entity::User,
        )?;
        Ok(user)
    }

    /// `POST /api/users/{id}/password-reset`: email the user a reset link.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %p.user_id, user_id = %id))]
    pub async fn send_password_reset(
        &self,
        p: &Principal,
        id: UserId,
    ) -> Result<(), IdentityError> {
        let user = self.managed_user(p, id).await?;
        self.send_reset_link(&user).await
    }
}

/// Who changes which user: the rules of a user update that need no storage.
struct Change<'a> {
    p: &'a Principal,
    current: &'a User,
    is_self: bool,
}

impl Change<'_> {
    /// Names, email and phone: anyone may change its own, managers those of their users.
    fn profile(&self, user: &mut User, patch: &UserPatch, errors: &mut Vec<FieldError>) {
        if let Some(names) = &patch.names {
            match names.apply(&user.first_name, &user.last_name) {
                Ok(n) => {
                    user.name = n.full;
                    user.first_name = n.first;
                    user.last_name = n.last;
                }
                Err(e) => errors.push(e),
            }
        }
        if let Some(email) = &patch.email {
            user.email = email.clone();
        }
        match &patch.phone {
            Patch::Keep => {}
            Patch::Clear => user.phone = None,
            Patch::Set(ph) => user.phone = Some(ph.as_str().to_owned()),
        }
    }

    /// The role: only managers change it, never their own; only a super_admin gives or takes
    /// super_admin; nobody gives or takes the patient role (a patient login shares its patient
    /// record's id).
    fn role(&self, user: &mut User, patch: &UserPatch) -> Result<(), IdentityError> {
        let (p, current) = (self.p, self.current);
        let Some(r) = patch.role.filter(|r| *r != current.role) else {
            return Ok(());
        };
        let touches_sa = r == Role::SuperAdmin || current.role == Role::SuperAdmin;
        if self.is_self || (touches_sa && p.role != Role::SuperAdmin) {
            return Err(IdentityError::Denied(Denial::OwnField("role")));
        }
        if r == Role::Patient || current.role == Role::Patient {
            return Err(IdentityError::field(
                "role",
                "the patient role cannot be given to or taken from an existing user",
                "value_error.role",
            ));
        }
        if r == Role::SuperAdmin
            && current.account_id.is_some()
            && !matches!(patch.account_id, Patch::Clear)
        {
            return Err(no_account_for_super_admin());
        }
        user.role = r;
        Ok(())
    }

    /// The active flag: only managers change it, never their own.
    fn active(&self, user: &mut User, active: Option<bool>) -> Result<(), IdentityError> {
        if let Some(active) = active.filter(|a| *a != self.current.is_active) {
            if self.is_self {
                return Err(IdentityError::Denied(Denial::OwnField("is_active")));
            }
            user.is_active = active;
        }
        Ok(())
    }
}

/// A super_admin belongs to no account.
fn no_account_for_super_admin_field() -> FieldError {
    FieldError::new(
        "account_id",
        "a super_admin belongs to no account",
        "value_error",
    )
}

fn no_account_for_super_admin() -> IdentityError {
    IdentityError::Invalid(vec![no_account_for_super_admin_field()])
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
        attachments: Vec::new(),
    }
}
