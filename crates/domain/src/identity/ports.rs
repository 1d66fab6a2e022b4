//! What identity needs from the outside: storage, password hashing, token signing, throttling.

use super::model::{Account, AccountStatus, Credentials, Email, Password, Role, User};
use crate::common::{
    AccountId, Attempt, BoxError, ChatStrategyId, InviteId, PatientId, RepoError, Timestamp, UserId,
};
use crate::notify::OutgoingEmail;
use async_trait::async_trait;

/// A page of a style-A list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    /// Rows to skip.
    pub offset: u32,
    /// Rows to return.
    pub limit: u32,
}

/// Filters of `GET /api/accounts`.
#[derive(Debug, Clone, Default)]
pub struct AccountFilter {
    /// None: every live account; Some: just this one.
    pub only: Option<AccountId>,
    /// Case-insensitive substring of the name.
    pub name: Option<String>,
    /// Exact status.
    pub status: Option<AccountStatus>,
}

/// Accounts storage. Soft-deleted accounts are invisible to every method.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait AccountRepository: Send + Sync {
    /// Create an account and its first admin in one transaction. `Duplicate("email")` or
    /// `Duplicate("domain")` when taken; nothing is written then.
    async fn create_with_admin(&self, account: &Account, admin: &NewUser) -> Result<(), RepoError>;
    /// One live account.
    async fn get(&self, id: AccountId) -> Result<Account, RepoError>;
    /// Live accounts, by name then id.
    async fn list(&self, filter: &AccountFilter, page: Page) -> Result<Vec<Account>, RepoError>;
    /// Save name, domain, status, time zone and updated_at, in one transaction.
    /// `Duplicate("domain")`.
    async fn update(&self, account: &Account) -> Result<(), RepoError>;
    /// Soft delete: inactive and hidden; its users' refresh tokens revoked.
    async fn soft_delete(&self, id: AccountId, at: Timestamp) -> Result<(), RepoError>;
}

/// A user to insert, with its optional password hash.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// The user.
    pub user: User,
    /// argon2id PHC string, or None (must set a password by reset link).
    pub password_hash: Option<String>,
}

/// A password-reset or set-password link to store (only the digest of its token) together with
/// the email that carries it: the adapter writes both in one transaction (the email as an outbox
/// row), so a link is never stored without its mail, nor mailed without being stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResetLink {
    /// SHA-256 hex of the token.
    pub digest: String,
    /// Issued.
    pub created_at: Timestamp,
    /// Expires.
    pub expires_at: Timestamp,
    /// The email with the link, queued for delivery in the same transaction (None: store only).
    pub mail: Option<OutgoingEmail>,
}

/// Filters of `GET /api/users` and `GET /api/clinicians`.
#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    /// None: every account (super_admin); Some: this one.
    pub account_id: Option<AccountId>,
    /// Exact roles (any of).
    pub roles: Vec<Role>,
    /// Case-insensitive substring of name or email.
    pub search: Option<String>,
    /// Exact.
    pub is_active: Option<bool>,
}

/// What authenticating a request needs, in one read.
#[derive(Debug, Clone)]
pub struct PrincipalRecord {
    /// The live user.
    pub user: User,
    /// Tokens issued at or before this are invalid.
    pub password_changed_at: Option<Timestamp>,
    /// The token's session (refresh family) is still open: not logged out, not ended by a
    /// deactivation, an email or password change, or a detected token theft. True for tokens
    /// that name no session.
    pub session_live: bool,
    /// The account is live and active (true for super_admins).
    pub account_active: bool,
    /// The account's name (for `auth/me`).
    pub account_name: Option<String>,
    /// The token's `jti` was logged out.
    pub jti_denied: bool,
}

/// What authenticating a simplified token needs, in one read (contract §1.6): its invite, and
/// the invite's live patient and account. (Identity does not know patient records: the patient
/// comes as the fields a principal and `auth/me` need.)
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantRecord {
    /// The invite's patient (live).
    pub patient_id: PatientId,
    /// The patient's account.
    pub account_id: AccountId,
    /// The patient's email.
    pub email: Email,
    /// Given name.
    pub first_name: String,
    /// Family name.
    pub last_name: String,
    /// Phone.
    pub phone: Option<String>,
    /// The patient's clinician.
    pub clinician_id: Option<UserId>,
    /// The patient record may act: not inactive or archived.
    pub patient_active: bool,
    /// The patient record's creation and last change.
    pub patient_times: (Timestamp, Timestamp),
    /// The account is active.
    pub account_active: bool,
    /// The account's name (for `auth/me`).
    pub account_name: String,
    /// The invite is (stored) `accepted`.
    pub invite_accepted: bool,
    /// The invite's current token generation.
    pub token_gen: i32,
    /// The invite's strategy.
    pub chat_strategy_id: Option<ChatStrategyId>,
}

/// The invites behind simplified tokens, as authentication reads them.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait GrantRepository: Send + Sync {
    /// The invite `invite`, with its patient and account; None when the invite is unknown or
    /// its patient or account was deleted.
    async fn grant(&self, invite: InviteId) -> Result<Option<GrantRecord>, RepoError>;
}

/// Users storage. Soft-deleted users are invisible to every method.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait UserRepository: Send + Sync {
    /// Insert a user, and with `setup` its set-password link and that link's email, in one
    /// transaction. `Duplicate("email")`. (A patient's login is inserted with its patient record
    /// by `patients::ports::PatientRepository::insert_login`.)
    async fn insert(&self, user: &NewUser, setup: Option<ResetLink>) -> Result<(), RepoError>;
    /// One live user.
    async fn get(&self, id: UserId) -> Result<User, RepoError>;
    /// The user with its credential, by email; None when there is no live user.
    async fn credentials_by_email(&self, email: &Email) -> Result<Option<Credentials>, RepoError>;
    /// The user with its credential, by id.
    async fn credentials(&self, id: UserId) -> Result<Credentials, RepoError>;
    /// Everything the auth extractor needs, for a token with this `jti` and session; `NotFound`
    /// when the user is gone.
    async fn principal(
        &self,
        id: UserId,
        jti: &str,
        session: Option<uuid::Uuid>,
    ) -> Result<PrincipalRecord, RepoError>;
    /// Live users matching, by name then id.
    async fn list(&self, filter: &UserFilter, page: Page) -> Result<Vec<User>, RepoError>;
    /// Save the fields of `user` that differ from `previous` (the version the change was made
    /// from), and only those: a concurrent change of other fields (say, an admin's deactivation
    /// while the user edits its phone) is not undone. `Duplicate("email")`; `Conflict("last_admin")`
    /// when the change would leave the account without an active admin (checked atomically, so two admins
    /// demoting each other at once cannot both succeed). `notice` (e.g. "your email address was
    /// changed", to the old address) is queued for delivery in the same transaction: it goes out
    /// if and only if the change is saved.
    async fn update(
        &self,
        previous: &User,
        user: &User,
        notice: Option<OutgoingEmail>,
    ) -> Result<(), RepoError>;
    /// Set the password hash and `password_changed_at`, and revoke every refresh token of the
    /// user, in one transaction.
    async fn set_password(&self, id: UserId, hash: &str, at: Timestamp) -> Result<(), RepoError>;
    /// Soft delete (email reusable afterwards) and revoke refresh tokens, in one transaction;
    /// `Conflict("last_admin")` as for `update` when it is the account's last active admin.
    async fn soft_delete(&self, id: UserId, at: Timestamp) -> Result<(), RepoError>;
    /// Active admins of an account.
    async fn count_active_admins(&self, account: AccountId) -> Result<u64, RepoError>;
}

/// A refresh token row (the token itself is never stored, only its digest).
#[derive(Debug, Clone)]
pub struct RefreshTokenRecord {
    /// Row id.
    pub id: uuid::Uuid,
    /// Owner.
    pub user_id: UserId,
    /// Rotation family (one per login).
    pub family_id: uuid::Uuid,
    /// SHA-256 hex of the token.
    pub token_digest: String,
    /// Created.
    pub created_at: Timestamp,
    /// Expires.
    pub expires_at: Timestamp,
}

/// The outcome of presenting a refresh token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rotation {
    /// The token was valid; it is now used and the new one stored.
    Rotated(UserId),
    /// The token had already been used or revoked: every refresh token of the user is now
    /// revoked (reuse detection).
    Reused,
    /// Unknown or expired.
    Invalid,
}

/// Refresh tokens, denied access-token ids and password-reset tokens.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait TokenStore: Send + Sync {
    /// Store a new refresh token.
    async fn insert_refresh(&self, token: &RefreshTokenRecord) -> Result<(), RepoError>;
    /// Atomically: use the token with this digest and store `next` in its family; or detect reuse.
    async fn rotate_refresh(
        &self,
        digest: &str,
        now: Timestamp,
        next: &RefreshTokenRecord,
    ) -> Result<Rotation, RepoError>;
    /// Revoke one refresh token of a user (no error when unknown).
    async fn revoke_refresh(
        &self,
        user: UserId,
        digest: &str,
        at: Timestamp,
    ) -> Result<(), RepoError>;
    /// Revoke every refresh token of a user (every session ends, access tokens included).
    async fn revoke_all_refresh(&self, user: UserId, at: Timestamp) -> Result<(), RepoError>;
    /// Revoke every refresh token of a user but those of session `keep`.
    async fn revoke_other_sessions(
        &self,
        user: UserId,
        keep: uuid::Uuid,
        at: Timestamp,
    ) -> Result<(), RepoError>;
    /// The session (family) of the refresh token with this digest, if it exists.
    async fn refresh_family(&self, digest: &str) -> Result<Option<uuid::Uuid>, RepoError>;
    /// Revoke every refresh token of one session (family) of a user: logout of that session.
    async fn revoke_family(
        &self,
        user: UserId,
        family: uuid::Uuid,
        at: Timestamp,
    ) -> Result<(), RepoError>;
    /// Deny an access token id until it expires.
    /// Denials that expired before `now` are purged on the way (the table stays small).
    async fn deny_jti(
        &self,
        jti: &str,
        expires_at: Timestamp,
        now: Timestamp,
    ) -> Result<(), RepoError>;
    /// Spend every unused password-reset (and set-password) link of a user: after a password
    /// change, an email change or a deactivation, an old link must not set the password.
    async fn revoke_resets(&self, user: UserId, at: Timestamp) -> Result<(), RepoError>;
    /// Store a password-reset link (its token's digest) and queue its email, in one transaction.
    async fn insert_reset(&self, user: UserId, link: &ResetLink) -> Result<(), RepoError>;
    /// Whose unused, unexpired reset token this is (read only: the request is validated before
    /// the token is spent).
    async fn reset_owner(&self, digest: &str, now: Timestamp) -> Result<Option<UserId>, RepoError>;
    /// Use a reset token: marks it used and returns its user when unused and unexpired.
    async fn consume_reset(
        &self,
        digest: &str,
        now: Timestamp,
    ) -> Result<Option<UserId>, RepoError>;
}

/// Password hashing (argon2id, off the async executor) and token digests.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait CredentialHasher: Send + Sync {
    /// Hash a password (PHC string).
    async fn hash_password(&self, password: &Password) -> Result<String, BoxError>;
    /// Check a password against a PHC string. `false` on mismatch or malformed hash.
    async fn verify_password(&self, password: &Password, hash: &str) -> bool;
    /// Spend about the time of one verification (for unknown emails: same timing, §3.1).
    async fn dummy_verify(&self, password: &Password);
    /// SHA-256 hex digest of an opaque token (refresh, reset).
    fn digest(&self, token: &str) -> String;
}

/// Claims of a full access token (contract §1.6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessClaims {
    /// User id.
    pub sub: UserId,
    /// Email at issue time (informational).
    pub email: String,
    /// Role at issue time (informational: the database decides).
    pub role: Role,
    /// Account at issue time (informational).
    pub account_id: Option<AccountId>,
    /// Issued at (unix seconds).
    pub iat: i64,
    /// Expires (unix seconds).
    pub exp: i64,
    /// Token id.
    pub jti: String,
    /// The session: the refresh-token family issued with it (logout ends it).
    pub sid: Option<uuid::Uuid>,
}

/// Claims of a simplified token (contract §1.6): an invited patient's access of a few hours,
/// bound to the invite it was issued from. Not refreshable; it reaches only the routes marked S,
/// and dies at the next request when its invite is revoked or resent (`token_gen` moves on), or
/// its patient or account may no longer act.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimplifiedClaims {
    /// The patient (claims `sub`, `id` and `patient_id`).
    pub patient_id: PatientId,
    /// The patient's email at issue time (informational).
    pub email: String,
    /// The invite the token was issued from.
    pub invite_id: InviteId,
    /// The invite's questionnaire strategy.
    pub chat_strategy_id: Option<ChatStrategyId>,
    /// The patient's account (informational: the database decides).
    pub account_id: AccountId,
    /// The invite's token generation at issue time (claim `gen`).
    pub token_gen: i32,
    /// Issued at (unix seconds).
    pub iat: i64,
    /// Expires (unix seconds).
    pub exp: i64,
    /// Token id.
    pub jti: String,
}

/// A verified bearer token: which kind, and its claims.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerifiedToken {
    /// A full token (`access_type: "full"`).
    Full(AccessClaims),
    /// A simplified token (`access_type: "simplified"`).
    Simplified(SimplifiedClaims),
}

/// Why a token was refused (either way the caller is not authenticated).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Signature, algorithm, issuer, audience or shape wrong.
    #[error("invalid token")]
    Invalid,
    /// Past `exp`.
    #[error("expired token")]
    Expired,
}

/// Signs and verifies access tokens. The algorithm is pinned by the implementation.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait TokenCodec: Send + Sync {
    /// Sign a full token.
    fn issue(&self, claims: &AccessClaims) -> Result<String, BoxError>;
    /// Sign a simplified token.
    fn issue_simplified(&self, claims: &SimplifiedClaims) -> Result<String, BoxError>;
    /// Verify signature, algorithm, `exp`, `iss`, `aud`, and the claims of its kind.
    fn verify(&self, token: &str) -> Result<VerifiedToken, TokenError>;
}

/// What a [`LoginThrottle`] says to an attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Admission {
    /// Go ahead; end the attempt with `record_failure` or `forgive`.
    Admitted(Attempt),
    /// Held back for this many seconds.
    Wait(u64),
    /// Attempts in flight for this key would reach the limit if they failed: their outcome
    /// decides. A caller may wait for one of them to end and ask again; the use cases answer
    /// rate-limited, to retry after 1 s.
    Busy,
}

impl Admission {
    /// The attempt, or the seconds to wait (1 while busy).
    ///
    /// # Errors
    /// The wait when the attempt is not admitted.
    pub fn attempt(self) -> Result<Attempt, u64> {
        match self {
            Self::Admitted(a) => Ok(a),
            Self::Wait(secs) => Err(secs),
            Self::Busy => Err(1),
        }
    }
}

/// Throttles repeated failed logins (contract §1.7: 10 failures / 15 min per (email, client);
/// the rules are [`crate::identity::throttle`]). A second instance limits reset requests. The
/// per-client-address limit is the HTTP edge's ([`crate::common::WindowCounter`]).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait LoginThrottle: Send + Sync {
    /// Begin an attempt for `email` from `client` (an opaque string, part of the key when the
    /// limits are per client). Attempts in flight count toward the limit, so parallel guesses
    /// cannot all pass before any of them is counted. Every `Admitted` is ended by exactly one
    /// `record_failure` or `forgive`.
    async fn check(
        &self,
        email: &str,
        client: Option<String>,
        now: Timestamp,
    ) -> Result<Admission, RepoError>;
    /// End an attempt as a failure.
    async fn record_failure(&self, attempt: &Attempt, now: Timestamp) -> Result<(), RepoError>;
    /// End an attempt as a success: its key's failures are forgotten.
    async fn forgive(&self, attempt: &Attempt) -> Result<(), RepoError>;
}
