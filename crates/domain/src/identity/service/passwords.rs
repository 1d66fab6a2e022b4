//! Password change, reset requests and confirmation, set-password links, and proving the
//! current password.

use super::*;

impl IdentityService {
    /// `POST /api/auth/change-password`: returns a fresh pair; older tokens stop working.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %p.user_id))]
    pub async fn change_password(
        &self,
        p: &Principal,
        current: &str,
        new: &str,
        confirm: Option<&str>,
    ) -> Result<TokenPair, IdentityError> {
        policy::require(p, Action::ChangePassword)?;
        let creds = self
            .ports
            .users
            .credentials(p.user_id)
            .await
            .map_err(not_found_as(Entity::User))?;
        self.prove_password(&creds, &Password::new(current.to_owned()))
            .await?;
        let new = check_new_password("new_password", new, confirm, Some(&creds.user.email))?;
        let hash = self.hash(&new).await?;
        let now = self.now();
        self.ports.users.set_password(p.user_id, &hash, now).await?;
        self.issue_pair(&creds.user, Some(now), None).await
    }

    /// Store a reset link for `user` and queue its email (one transaction, in the adapter).
    #[tracing::instrument(level = "debug", skip_all)]
    pub(super) async fn send_reset_link(&self, user: &User) -> Result<(), IdentityError> {
        let link = self.reset_link(user, self.settings.reset_ttl, false);
        self.ports.tokens.insert_reset(user.id, &link).await?;
        Ok(())
    }

    /// A new reset (or, `welcome`, set-password) link for `user`, valid for `ttl`, with its email.
    pub(super) fn reset_link(&self, user: &User, ttl: Duration, welcome: bool) -> ResetLink {
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
            attachments: Vec::new(),
        };
        ResetLink {
            digest: self.ports.hasher.digest(&token),
            created_at: now,
            expires_at: now + ttl,
            mail: Some(email),
        }
    }

    /// `POST /api/auth/password-reset/request`: always the same answer.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn request_password_reset(&self, email: &Email) -> Result<(), IdentityError> {
        let now = self.now();
        // Every request counts (per email; the limit per client address is the edge's).
        let throttle = &*self.ports.reset_throttle;
        let attempt = super::auth::begin_attempt(throttle, email.as_str(), None, now).await?;
        throttle.record_failure(&attempt, now).await?;
        if let Some(creds) = self.ports.users.credentials_by_email(email).await?
            && creds.user.is_active
        {
            self.send_reset_link(&creds.user).await?;
        }
        Ok(())
    }

    /// `POST /api/auth/password-reset/confirm`.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn confirm_password_reset(
        &self,
        token: &str,
        new: &str,
        confirm: Option<&str>,
    ) -> Result<(), IdentityError> {
        check_new_password("new_password", new, confirm, None)?;
        let invalid = || IdentityError::Refused(Refusal::InvalidResetToken);
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
        // A vanished user makes the link invalid; a database outage stays an outage.
        let user = self.ports.users.get(user_id).await.map_err(|e| match e {
            RepoError::NotFound => invalid(),
            other => other.into(),
        })?;
        let new = check_new_password("new_password", new, confirm, Some(&user.email))?;
        let hash = self.hash(&new).await?;
        if self.ports.tokens.consume_reset(&digest, now).await? != Some(user_id) {
            return Err(invalid());
        }
        self.ports.users.set_password(user_id, &hash, now).await?;
        Ok(())
    }

    /// The current password of `user`, as `current_password` of a self-update: missing is
    /// invalid, wrong is refused and counts against the per-email login limit (like
    /// change-password).
    #[tracing::instrument(level = "debug", skip_all)]
    pub(super) async fn verify_current_password(
        &self,
        user: &User,
        given: Option<&Password>,
    ) -> Result<(), IdentityError> {
        let Some(given) = given else {
            return Err(IdentityError::field(
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
            .map_err(not_found_as(Entity::User))?;
        self.prove_password(&creds, given).await
    }

    /// Check a password the caller must know (change-password, a self email change). Wrong ones
    /// count against the same per-email limit as failed logins (a stolen access token must not
    /// become an unlimited password oracle): rate-limited past it, refused when wrong.
    #[tracing::instrument(level = "debug", skip_all)]
    pub(super) async fn prove_password(
        &self,
        creds: &crate::identity::model::Credentials,
        given: &Password,
    ) -> Result<(), IdentityError> {
        let key = creds.user.email.as_str();
        let now = self.now();
        let throttle = &*self.ports.throttle;
        let attempt = super::auth::begin_attempt(throttle, key, None, now).await?;
        let ok = match creds.password_hash.as_deref() {
            Some(h) => self.ports.hasher.verify_password(given, h).await,
            None => false,
        };
        if !ok {
            throttle.record_failure(&attempt, now).await?;
            return Err(IdentityError::Refused(Refusal::WrongPassword));
        }
        throttle.forgive(&attempt).await?;
        Ok(())
    }
}
