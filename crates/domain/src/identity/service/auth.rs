//! Login, refresh, logout, and authenticating a bearer token.

use super::*;

impl IdentityService {
    #[tracing::instrument(level = "debug", skip_all)]
    pub(super) async fn ensure_may_login(&self, user: &User) -> Result<(), IdentityError> {
        if !user.is_active {
            return Err(IdentityError::Refused(Refusal::InactiveUser));
        }
        if let Some(account) = user.account_id {
            match self.ports.accounts.get(account).await {
                Ok(a) if a.status == AccountStatus::Active => {}
                Ok(_) | Err(RepoError::NotFound) => {
                    return Err(IdentityError::Refused(Refusal::InactiveAccount));
                }
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    }

    /// `POST /api/auth/token`: email + password. Unknown email and wrong password get the same
    /// answer after the same work; repeated failures are throttled per (email, `client`), the
    /// client being an opaque string (the edge passes the client address).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn login(
        &self,
        username: &str,
        password: Password,
        client: Option<String>,
    ) -> Result<TokenPair, IdentityError> {
        let key = username.trim().to_lowercase();
        // No email is longer: refuse before the throttle keeps such a key.
        if key.len() > 254 {
            return Err(BAD_CREDENTIALS);
        }
        let now = self.now();
        let throttle = &*self.ports.throttle;
        // The attempt is in flight (it counts toward the limit) until it ends as a failure or a
        // success below.
        let attempt = begin_attempt(throttle, &key, client, now).await?;
        let creds = match Email::parse(&key) {
            Ok(email) => match self.ports.users.credentials_by_email(&email).await {
                Ok(c) => c,
                Err(e) => {
                    // The lookup's error is the one to report.
                    let _ = throttle.record_failure(&attempt, now).await;
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
            throttle.record_failure(&attempt, now).await?;
            return Err(BAD_CREDENTIALS);
        };
        // An inactive user or account opens no session: the attempt counts as a failure.
        if let Err(e) = self.ensure_may_login(&creds.user).await {
            throttle.record_failure(&attempt, now).await?;
            return Err(e);
        }
        throttle.forgive(&attempt).await?;
        self.issue_pair(&creds.user, creds.password_changed_at, None)
            .await
    }

    /// `POST /api/auth/refresh`: rotate a refresh token. A reused token revokes the family.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn refresh(&self, refresh_token: &str) -> Result<TokenPair, IdentityError> {
        let now = self.now();
        let token = refresh_token.trim();
        if token.is_empty() {
            return Err(INVALID_TOKEN);
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
            Rotation::Reused | Rotation::Invalid => return Err(INVALID_TOKEN),
        };
        let creds = self
            .ports
            .users
            .credentials(user_id)
            .await
            .map_err(|e| match e {
                RepoError::NotFound => INVALID_TOKEN,
                other => other.into(),
            })?;
        match self.ensure_may_login(&creds.user).await {
            Ok(()) => {}
            Err(IdentityError::Refused(_)) => {
                self.ports.tokens.revoke_all_refresh(user_id, now).await?;
                return Err(INVALID_TOKEN);
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
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn authenticate(&self, token: &str) -> Result<Authenticated, IdentityError> {
        let claims = match self.ports.codec.verify(token) {
            Ok(VerifiedToken::Full(claims)) => claims,
            Ok(VerifiedToken::Simplified(claims)) => return self.authenticate_grant(claims).await,
            Err(TokenError::Invalid | TokenError::Expired) => return Err(INVALID_TOKEN),
        };
        let record = match self
            .ports
            .users
            .principal(claims.sub, &claims.jti, claims.sid)
            .await
        {
            Ok(r) => r,
            Err(RepoError::NotFound) => return Err(INVALID_TOKEN),
            Err(e) => return Err(e.into()),
        };
        let stale = record
            .password_changed_at
            .is_some_and(|c| claims.iat <= c.unix_timestamp());
        let ended = !record.session_live;
        if !record.user.is_active || !record.account_active || record.jti_denied || stale || ended {
            return Err(INVALID_TOKEN);
        }
        let principal = Principal {
            user_id: record.user.id,
            role: record.user.role,
            account_id: record.user.account_id,
            access: AccessType::Full,
            jti: claims.jti,
            token_exp: claims.exp,
            session: claims.sid,
            grant: None,
        };
        Ok(Authenticated { principal, record })
    }

    /// A simplified token (contract §1.6), reloaded on every request: its invite must still be
    /// accepted and at the token's generation (a revoke or a resend ends it), its patient live
    /// and neither inactive nor archived, its account active; the principal is the patient, role
    /// `patient`, reaching only the routes marked S.
    async fn authenticate_grant(
        &self,
        claims: SimplifiedClaims,
    ) -> Result<Authenticated, IdentityError> {
        let Some(g) = self.ports.grants.grant(claims.invite_id).await? else {
            return Err(INVALID_TOKEN);
        };
        let bound = g.patient_id == claims.patient_id && g.account_id == claims.account_id;
        let live = g.patient_active && g.account_active && g.invite_accepted;
        if !bound || !live || g.token_gen != claims.token_gen {
            return Err(INVALID_TOKEN);
        }
        let user = User {
            id: UserId(g.patient_id.0),
            account_id: Some(g.account_id),
            email: g.email,
            name: format!("{} {}", g.first_name, g.last_name),
            first_name: g.first_name,
            last_name: g.last_name,
            role: Role::Patient,
            is_active: true,
            clinician_id: g.clinician_id,
            phone: g.phone,
            created_at: g.patient_times.0,
            updated_at: g.patient_times.1,
        };
        let principal = Principal {
            user_id: user.id,
            role: Role::Patient,
            account_id: user.account_id,
            access: AccessType::Simplified,
            jti: claims.jti,
            token_exp: claims.exp,
            session: None,
            grant: Some(InviteGrant {
                invite_id: claims.invite_id,
                chat_strategy_id: g.chat_strategy_id,
            }),
        };
        let record = PrincipalRecord {
            user,
            password_changed_at: None,
            session_live: true,
            account_active: true,
            account_name: Some(g.account_name),
            jti_denied: false,
        };
        Ok(Authenticated { principal, record })
    }

    /// `POST /api/auth/logout`: deny this access token; revoke one or all refresh tokens.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %p.user_id))]
    pub async fn logout(
        &self,
        p: &Principal,
        refresh_token: Option<&str>,
        all_devices: bool,
    ) -> Result<(), IdentityError> {
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
}

/// Begin an attempt under `throttle`: rate-limited, with the wait, when its key is held back.
pub(super) async fn begin_attempt(
    throttle: &dyn LoginThrottle,
    email: &str,
    client: Option<String>,
    now: Timestamp,
) -> Result<crate::common::Attempt, IdentityError> {
    throttle
        .check(email, client, now)
        .await?
        .attempt()
        .map_err(|retry_after_secs| IdentityError::RateLimited { retry_after_secs })
}
