//! Identity use cases, one file per capability: `auth` (login, refresh, logout, authenticate),
//! `passwords` (change, reset, set-password links), `accounts`, `users`. This module holds what
//! they share: the ports, the settings, the token pair and the service itself.

mod accounts;
mod auth;
mod passwords;
mod users;

pub use accounts::{AccountPatch, CreateAccount, CreateSuperAdmin};
pub use users::{CreateUser, PreparedUser, UserPatch};

use super::error::{
    Denial, IdentityConflict, IdentityError, Refusal, Unauthenticated, not_found_as,
};
use super::model::{Account, AccountStatus, Email, NewPassword, Password, Role, User};
use super::policy::{self, AccessType, Action, InviteGrant, ListScope, Principal, Target};
use super::ports::{
    AccessClaims, AccountFilter, AccountRepository, CredentialHasher, GrantRepository,
    LoginThrottle, NewUser, Page, PrincipalRecord, RefreshTokenRecord, ResetLink, Rotation,
    SimplifiedClaims, TokenCodec, TokenError, TokenStore, UserFilter, UserRepository,
    VerifiedToken,
};
use crate::common::{
    AccountId, Clock, Entity, FieldError, Patch, Random, RepoError, Timestamp, UserId, to_seconds,
};
use crate::notify::{OutgoingEmail, html_escape};
use std::sync::Arc;
use time::Duration;

const BAD_CREDENTIALS: IdentityError =
    IdentityError::Unauthenticated(Unauthenticated::BadCredentials);
const INVALID_TOKEN: IdentityError = IdentityError::Unauthenticated(Unauthenticated::InvalidToken);

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
    /// Refresh/reset tokens, denied jtis.
    pub tokens: Arc<dyn TokenStore>,
    /// Passwords and digests.
    pub hasher: Arc<dyn CredentialHasher>,
    /// Access tokens.
    pub codec: Arc<dyn TokenCodec>,
    /// The invites behind simplified tokens.
    pub grants: Arc<dyn GrantRepository>,
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

/// Identity use cases.
#[derive(Clone)]
pub struct IdentityService {
    ports: IdentityPorts,
    settings: IdentitySettings,
}

/// A new password (at `field`) checked against the policy, `email` included, and its
/// confirmation (at `confirm_password`): every failure listed.
fn check_new_password(
    field: &str,
    password: &str,
    confirm: Option<&str>,
    email: Option<&Email>,
) -> Result<NewPassword, IdentityError> {
    let mut errors = Vec::new();
    NewPassword::check(
        &mut errors,
        (field, "confirm_password"),
        password,
        confirm,
        email,
    )
    .ok_or(IdentityError::Invalid(errors))
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

    pub(super) fn now(&self) -> Timestamp {
        to_seconds(self.ports.clock.now())
    }

    pub(super) fn opaque_token(&self) -> String {
        let bytes = self.ports.random.bytes(32);
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Issue an access/refresh pair. `iat` is kept strictly after the last password change, so
    /// that tokens issued before a change (even within the same second) are refused and tokens
    /// issued by it are not.
    #[tracing::instrument(level = "debug", skip_all)]
    pub(super) async fn issue_pair(
        &self,
        user: &User,
        password_changed_at: Option<Timestamp>,
        family: Option<uuid::Uuid>,
    ) -> Result<TokenPair, IdentityError> {
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
            .map_err(IdentityError::Unexpected)?;
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
}
