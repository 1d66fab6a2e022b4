//! Identity use cases: login and tokens, password change and reset, accounts and users.

use super::model::{
    Account, AccountStatus, Email, Password, Role, User, check_password_policy, email_field,
    parse_domain, resolve_names,
};
use super::policy::{self, AccessType, Action, ListScope, Principal, Target};
use super::ports::{
    AccessClaims, AccountFilter, AccountRepository, CredentialHasher, LoginThrottle, NewUser, Page,
    PrincipalRecord, RefreshTokenRecord, ResetLink, Rotation, TokenCodec, TokenError, TokenStore,
    UserFilter, UserRepository,
};
use crate::common::validate;
use crate::common::{
    AccountId, Clock, DomainError, FieldError, Patch, PatientId, Random, RepoError, Timestamp,
    UserId, to_seconds,
};
use crate::notify::{OutgoingEmail, html_escape};
use crate::patients::model::{Patient, PatientStatus};
use crate::patients::ports::PatientRepository;
use std::sync::Arc;
use time::Duration;

const BAD_CREDENTIALS: &str = "Incorrect username or password";
const INVALID_TOKEN: &str = "Could not validate credentials";

/// Lifetimes and links.
#[derive(Debug, Clone)]
pub struct IdentitySettings {
    /// Access-token lifetime.
    pub access_ttl: Duration,
    /// Refresh-token lifetime (14 days).
    pub refresh_ttl: Duration,
    /// Password-reset link lifetime (60 min).
    pub reset_ttl: Duration,
    /// Set-password link for new users without a password (72 h).
    pub setup_ttl: Duration,
    /// Base URL of the frontend, for links in emails.
    pub frontend_base_url: String,
}

impl Default for IdentitySettings {
    fn default() -> Self {
        Self {
            access_ttl: Duration::minutes(60),
            refresh_ttl: Duration::days(14),
            reset_ttl: Duration::minutes(60),
            setup_ttl: Duration::hours(72),
            frontend_base_url: "http://localhost:4321".into(),
        }
    }
}

/// The ports identity uses.
#[derive(Clone)]
pub struct IdentityPorts {
    /// Accounts.
    pub accounts: Arc<dyn AccountRepository>,
    /// Users.
    pub users: Arc<dyn UserRepository>,
    /// Patients (a patient-role user links to a patient record).
    pub patients: Arc<dyn PatientRepository>,
    /// Refresh/reset tokens, denied jtis.
    pub tokens: Arc<dyn TokenStore>,
    /// Passwords and digests.
    pub hasher: Arc<dyn CredentialHasher>,
    /// Access tokens.
    pub codec: Arc<dyn TokenCodec>,
    /// Failed-login throttle.
    pub throttle: Arc<dyn LoginThrottle>,
    /// Password-reset request throttle (5 per hour per email, contract §1.7): every request
    /// counts as a "failure" of this limiter.
    pub reset_throttle: Arc<dyn LoginThrottle>,
    /// Time.
    pub clock: Arc<dyn Clock>,
    /// Randomness.
    pub random: Arc<dyn Random>,
}

/// The login response (contract §3.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenPair {
    /// Signed JWT.
    pub access_token: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    /// Opaque, single-use.
    pub refresh_token: String,
    /// The user.
    pub user_id: UserId,
    /// Role.
    pub role: Role,
    /// Account.
    pub account_id: Option<AccountId>,
}

/// An authenticated request: the policy principal and what was loaded to build it.
#[derive(Debug, Clone)]
pub struct Authenticated {
    /// For policy.
    pub principal: Principal,
    /// The stored user and account facts.
    pub record: PrincipalRecord,
}

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

/// Identity use cases.
#[derive(Clone)]
pub struct IdentityService {
    ports: IdentityPorts,
    settings: IdentitySettings,
}

fn not_found_as(what: &'static str) -> impl Fn(RepoError) -> DomainError {
    move |e| match e {
        RepoError::NotFound => DomainError::NotFound(what),
        other => other.into(),
    }
}

fn duplicate_message(e: RepoError) -> DomainError {
    match e {
        RepoError::Duplicate("email") => DomainError::Conflict("Email already registered".into()),
        RepoError::Duplicate("domain") => DomainError::Conflict("Domain already in use".into()),
        other => other.into(),
    }
}

fn check_new_password(
    errors: &mut Vec<FieldError>,
    field: &str,
    confirm_field: &str,
    password: &str,
    confirm: Option<&str>,
    email: Option<&Email>,
) {
    if let Err(e) = check_password_policy(field, password, email) {
        errors.push(e);
    }
    if confirm.is_some_and(|c| c != password) {
        errors.push(FieldError::body(
            confirm_field,
            "passwords do not match",
            "value_error.password_mismatch",
        ));
    }
}

impl IdentityService {
    /// Wire the service.
    #[must_use]
    pub fn new(ports: IdentityPorts, settings: IdentitySettings) -> Self {
        Self { ports, settings }
    }

    /// The settings in force.
    #[must_use]
    pub fn settings(&self) -> &IdentitySettings {
        &self.settings
    }

    fn now(&self) -> Timestamp {
        to_seconds(self.ports.clock.now())
    }

    fn opaque_token(&self) -> String {
        let bytes = self.ports.random.bytes(32);
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Issue an access/refresh pair. `iat` is kept strictly after the last password change, so
    /// that tokens issued before a change (even within the same second) are refused and tokens
    /// issued by it are not.
    async fn issue_pair(
        &self,
        user: &User,
        password_changed_at: Option<Timestamp>,
        family: Option<uuid::Uuid>,
    ) -> Result<TokenPair, DomainError> {
        let now = self.now();
        let iat = password_changed_at.map_or(now, |c| now.max(c + Duration::seconds(1)));
        let exp = iat + self.settings.access_ttl;
        let jti = self.ports.random.uuid().to_string();
        let refresh_token = self.opaque_token();
        // A new session gets a new refresh family; a refresh stays in its own. The access
        // token names it (`sid`), so that logout can end its session.
        let (family_id, record) = match family {
            Some(f) => (f, None),
            None => {
                let id = self.ports.random.uuid();
                let family_id = self.ports.random.uuid();
                let record = RefreshTokenRecord {
                    id,
                    user_id: user.id,
                    family_id,
                    token_digest: self.ports.hasher.digest(&refresh_token),
                    created_at: now,
                    expires_at: now + self.settings.refresh_ttl,
                };
                (family_id, Some(record))
            }
        };
        let claims = AccessClaims {
            sub: user.id,
            email: user.email.to_string(),
            role: user.role,
            account_id: user.account_id,
            iat: iat.unix_timestamp(),
            exp: exp.unix_timestamp(),
            jti,
            sid: (!family_id.is_nil()).then_some(family_id),
        };
        let access_token = self
            .ports
            .codec
            .issue(&claims)
            .map_err(DomainError::Unexpected)?;
        if let Some(record) = record {
            self.ports.tokens.insert_refresh(&record).await?;
        }
        Ok(TokenPair {
            access_token,
            expires_in: (exp - iat).whole_seconds(),
            refresh_token,
            user_id: user.id,
            role: user.role,
            account_id: user.account_id,
        })
    }

    async fn ensure_may_login(&self, user: &User) -> Result<(), DomainError> {
        if !user.is_active {
            return Err(DomainError::BadRequest("Inactive user".into()));
        }
        if let Some(account) = user.account_id {
            match self.ports.accounts.get(account).await {
                Ok(a) if a.status == AccountStatus::Active => {}
                Ok(_) | Err(RepoError::NotFound) => {
                    return Err(DomainError::BadRequest("Account is inactive".into()));
                }
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    }

    /// `POST /api/auth/token`: email + password. Unknown email and wrong password answer the
    /// same 401 after the same work; repeated failures are throttled.
    pub async fn login(
        &self,
        username: &str,
        password: Password,
        ip: Option<String>,
    ) -> Result<TokenPair, DomainError> {
        let key = username.trim().to_lowercase();
        // No email is longer: refuse before the throttle keeps such a key in memory.
        if key.len() > 254 {
            return Err(DomainError::Unauthorized(BAD_CREDENTIALS));
        }
        let now = self.now();
        if let Err(retry_after_secs) = self.ports.throttle.check(&key, ip.clone(), now).await {
            return Err(DomainError::TooManyRequests { retry_after_secs });
        }
        // The attempt is in flight (it counts toward the limit) until it ends as a failure or a
        // success below.
        let creds = match Email::parse(&key) {
            Ok(email) => match self.ports.users.credentials_by_email(&email).await {
                Ok(c) => c,
                Err(e) => {
                    self.ports.throttle.record_failure(&key, ip, now);
                    return Err(e.into());
                }
            },
            Err(_) => None,
        };
        let verified = match creds.as_ref().and_then(|c| c.password_hash.as_deref()) {
            Some(hash) => self.ports.hasher.verify_password(&password, hash).await,
            None => {
                self.ports.hasher.dummy_verify(&password).await;
                false
            }
        };
        let Some(creds) = creds.filter(|_| verified) else {
            self.ports.throttle.record_failure(&key, ip, now);
            return Err(DomainError::Unauthorized(BAD_CREDENTIALS));
        };
        // An inactive user or account opens no session: the attempt counts as a failure.
        if let Err(e) = self.ensure_may_login(&creds.user).await {
            self.ports.throttle.record_failure(&key, ip, now);
            return Err(e);
        }
        self.ports.throttle.forgive(&key, ip);
        self.issue_pair(&creds.user, creds.password_changed_at, None)
            .await
    }

    /// `POST /api/auth/refresh`: rotate a refresh token. A reused token revokes the family.
    pub async fn refresh(&self, refresh_token: &str) -> Result<TokenPair, DomainError> {
        let now = self.now();
        let token = refresh_token.trim();
        if token.is_empty() {
            return Err(DomainError::Unauthorized(INVALID_TOKEN));
        }
        let next_token = self.opaque_token();
        let next = RefreshTokenRecord {
            id: self.ports.random.uuid(),
            // The store takes the user and family of the presented token.
            user_id: UserId(uuid::Uuid::nil()),
            family_id: uuid::Uuid::nil(),
            token_digest: self.ports.hasher.digest(&next_token),
            created_at: now,
            expires_at: now + self.settings.refresh_ttl,
        };
        let digest = self.ports.hasher.digest(token);
        let family = self.ports.tokens.refresh_family(&digest).await?;
        let user_id = match self
            .ports
            .tokens
            .rotate_refresh(&digest, now, &next)
            .await?
        {
            Rotation::Rotated(u) => u,
            Rotation::Reused | Rotation::Invalid => {
                return Err(DomainError::Unauthorized(INVALID_TOKEN));
            }
        };
        let creds = self
            .ports
            .users
            .credentials(user_id)
            .await
            .map_err(|e| match e {
                RepoError::NotFound => DomainError::Unauthorized(INVALID_TOKEN),
                other => other.into(),
            })?;
        match self.ensure_may_login(&creds.user).await {
            Ok(()) => {}
            Err(DomainError::BadRequest(_)) => {
                self.ports.tokens.revoke_all_refresh(user_id, now).await?;
                return Err(DomainError::Unauthorized(INVALID_TOKEN));
            }
            Err(e) => return Err(e),
        }
        let mut pair = self
            .issue_pair(
                &creds.user,
                creds.password_changed_at,
                Some(family.unwrap_or(next.family_id)),
            )
            .await?;
        pair.refresh_token = next_token;
        Ok(pair)
    }

    /// Authenticate a bearer token; role and account come from storage (contract §1.6).
    pub async fn authenticate(&self, token: &str) -> Result<Authenticated, DomainError> {
        let claims = self.ports.codec.verify(token).map_err(|e| match e {
            TokenError::Invalid | TokenError::Expired => DomainError::Unauthorized(INVALID_TOKEN),
        })?;
        let record = match self
            .ports
            .users
            .principal(claims.sub, &claims.jti, claims.sid)
            .await
        {
            Ok(r) => r,
            Err(RepoError::NotFound) => return Err(DomainError::Unauthorized(INVALID_TOKEN)),
            Err(e) => return Err(e.into()),
        };
        let stale = record
            .password_changed_at
            .is_some_and(|c| claims.iat <= c.unix_timestamp());
        let ended = !record.session_live;
        if !record.user.is_active || !record.account_active || record.jti_denied || stale || ended {
            return Err(DomainError::Unauthorized(INVALID_TOKEN));
        }
        let principal = Principal {
            user_id: record.user.id,
            role: record.user.role,
            account_id: record.user.account_id,
            access: AccessType::Full,
            jti: claims.jti,
            token_exp: claims.exp,
            session: claims.sid,
        };
        Ok(Authenticated { principal, record })
    }

    /// `POST /api/auth/logout`: deny this access token; revoke one or all refresh tokens.
    pub async fn logout(
        &self,
        p: &Principal,
        refresh_token: Option<&str>,
        all_devices: bool,
    ) -> Result<(), DomainError> {
        policy::require(p, Action::Logout)?;
        let now = self.now();
        let exp =
            Timestamp::from_unix_timestamp(p.token_exp).unwrap_or(now + self.settings.access_ttl);
        self.ports.tokens.deny_jti(&p.jti, exp, now).await?;
        if all_devices {
            self.ports.tokens.revoke_all_refresh(p.user_id, now).await?;
            return Ok(());
        }
        if let Some(t) = refresh_token.map(str::trim).filter(|t| !t.is_empty()) {
            self.ports
                .tokens
                .revoke_refresh(p.user_id, &self.ports.hasher.digest(t), now)
                .await?;
        }
        // The access token's own session ends too, refresh token sent or not.
        if let Some(session) = p.session {
            self.ports
                .tokens
                .revoke_family(p.user_id, session, now)
                .await?;
        }
        Ok(())
    }

    /// `POST /api/auth/change-password`: returns a fresh pair; older tokens stop working.
    pub async fn change_password(
        &self,
        p: &Principal,
        current: &str,
        new: &str,
        confirm: Option<&str>,
    ) -> Result<TokenPair, DomainError> {
        policy::require(p, Action::ChangePassword)?;
        let creds = self
            .ports
            .users
            .credentials(p.user_id)
            .await
            .map_err(not_found_as("User"))?;
        self.prove_password(&creds, &Password::new(current.to_owned()))
            .await?;
        let mut errors = Vec::new();
        check_new_password(
            &mut errors,
            "new_password",
            "confirm_password",
            new,
            confirm,
            Some(&creds.user.email),
        );
        if !errors.is_empty() {
            return Err(DomainError::Validation(errors));
        }
        let hash = self
            .ports
            .hasher
            .hash_password(&Password::new(new.to_owned()))
            .await
            .map_err(DomainError::Unexpected)?;
        let now = self.now();
        self.ports.users.set_password(p.user_id, &hash, now).await?;
        self.issue_pair(&creds.user, Some(now), None).await
    }

    /// Store a reset link for `user` and queue its email (one transaction, in the adapter).
    async fn send_reset_link(&self, user: &User) -> Result<(), DomainError> {
        let link = self.reset_link(user, self.settings.reset_ttl, false);
        self.ports.tokens.insert_reset(user.id, &link).await?;
        Ok(())
    }

    /// A new reset (or, `welcome`, set-password) link for `user`, valid for `ttl`, with its email.
    fn reset_link(&self, user: &User, ttl: Duration, welcome: bool) -> ResetLink {
        let token = self.opaque_token();
        let now = self.now();
        let base = self.settings.frontend_base_url.trim_end_matches('/');
        let link = format!("{base}/reset-password?token={token}");
        let (subject, intro) = if welcome {
            (
                "Set your genascope password",
                "An account has been created for you. Set your password here:",
            )
        } else {
            (
                "Reset your genascope password",
                "A password reset was requested for your account. Choose a new password here:",
            )
        };
        let minutes = ttl.whole_minutes();
        let email = OutgoingEmail {
            to: user.email.to_string(),
            subject: subject.into(),
            text: format!(
                "Hello {},\n\n{intro}\n{link}\n\nThe link works once and expires in {minutes} minutes. If you did not expect this email, ignore it.\n",
                user.name
            ),
            html: format!(
                "<p>Hello {},</p><p>{intro}</p><p><a href=\"{}\">{}</a></p><p>The link works once and expires in {minutes} minutes. If you did not expect this email, ignore it.</p>",
                html_escape(&user.name),
                html_escape(&link),
                html_escape(&link)
            ),
        };
        ResetLink {
            digest: self.ports.hasher.digest(&token),
            created_at: now,
            expires_at: now + ttl,
            mail: Some(email),
        }
    }

    /// `POST /api/auth/password-reset/request`: always the same answer.
    pub async fn request_password_reset(
        &self,
        email: &str,
        ip: Option<String>,
    ) -> Result<(), DomainError> {
        let email =
            Email::parse(email).map_err(|m| DomainError::field("email", m, "value_error.email"))?;
        let now = self.now();
        if let Err(retry_after_secs) = self
            .ports
            .reset_throttle
            .check(email.as_str(), ip.clone(), now)
            .await
        {
            return Err(DomainError::TooManyRequests { retry_after_secs });
        }
        self.ports
            .reset_throttle
            .record_failure(email.as_str(), ip, now);
        if let Some(creds) = self.ports.users.credentials_by_email(&email).await?
            && creds.user.is_active
        {
            self.send_reset_link(&creds.user).await?;
        }
        Ok(())
    }

    /// `POST /api/auth/password-reset/confirm`.
    pub async fn confirm_password_reset(
        &self,
        token: &str,
        new: &str,
        confirm: Option<&str>,
    ) -> Result<(), DomainError> {
        let mut errors = Vec::new();
        check_new_password(
            &mut errors,
            "new_password",
            "confirm_password",
            new,
            confirm,
            None,
        );
        if !errors.is_empty() {
            return Err(DomainError::Validation(errors));
        }
        let invalid = || DomainError::BadRequest("Invalid or expired reset token".into());
        let now = self.now();
        let digest = self.ports.hasher.digest(token.trim());
        // Validate against the owner first, spend the token last: a refused password (e.g. equal
        // to the email) leaves the link usable for a second try.
        let user_id = self
            .ports
            .tokens
            .reset_owner(&digest, now)
            .await?
            .ok_or_else(invalid)?;
        // A vanished user makes the link invalid; a database outage stays a 503.
        let user = self.ports.users.get(user_id).await.map_err(|e| match e {
            RepoError::NotFound => invalid(),
            other => other.into(),
        })?;
        let mut errors = Vec::new();
        check_new_password(
            &mut errors,
            "new_password",
            "confirm_password",
            new,
            confirm,
            Some(&user.email),
        );
        if !errors.is_empty() {
            return Err(DomainError::Validation(errors));
        }
        let hash = self
            .ports
            .hasher
            .hash_password(&Password::new(new.to_owned()))
            .await
            .map_err(DomainError::Unexpected)?;
        if self.ports.tokens.consume_reset(&digest, now).await? != Some(user_id) {
            return Err(invalid());
        }
        self.ports.users.set_password(user_id, &hash, now).await?;
        Ok(())
    }

    /// `genascope create-super-admin`: no principal (an operator at the console).
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

    /// `GET /api/users` (and, with `clinicians_only`, `GET /api/clinicians`).
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

    async fn check_clinician(
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

    /// The current password of `user`, as `current_password` of a self-update: missing is 422,
    /// wrong is 400 and counts against the per-email login limit (like change-password).
    async fn verify_current_password(
        &self,
        user: &User,
        given: Option<&Password>,
    ) -> Result<(), DomainError> {
        let Some(given) = given else {
            return Err(DomainError::field(
                "current_password",
                "your current password is required to change your email",
                "missing",
            ));
        };
        let creds = self
            .ports
            .users
            .credentials(user.id)
            .await
            .map_err(not_found_as("User"))?;
        self.prove_password(&creds, given).await
    }

    /// Check a password the caller must know (change-password, a self email change). Wrong ones
    /// count against the same per-email limit as failed logins (a stolen access token must not
    /// become an unlimited password oracle): 429 past it, 400 when wrong.
    async fn prove_password(
        &self,
        creds: &super::model::Credentials,
        given: &Password,
    ) -> Result<(), DomainError> {
        let key = creds.user.email.as_str();
        let now = self.now();
        if let Err(retry_after_secs) = self.ports.throttle.check(key, None, now).await {
            return Err(DomainError::TooManyRequests { retry_after_secs });
        }
        let ok = match creds.password_hash.as_deref() {
            Some(h) => self.ports.hasher.verify_password(given, h).await,
            None => false,
        };
        if !ok {
            self.ports.throttle.record_failure(key, None, now);
            return Err(DomainError::BadRequest(
                "Current password is incorrect".into(),
            ));
        }
        self.ports.throttle.forgive(key, None);
        Ok(())
    }

    /// Demoting, deactivating, moving or deleting the last active admin of an account is 409.
    async fn guard_last_admin(
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
