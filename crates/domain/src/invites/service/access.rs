//! The patient's side of an invite, on public routes: `verify_invite` (what the link opens, never
//! who it is for), `simplified_access` (the identity check, then a simplified token) and
//! `register_patient` (a permanent login).
//!
//! The lock (rule 8) holds against parallel guesses: every identity check first *reserves* a
//! failure ([`Invite::record_failed_check`], written with the version check), and only then
//! compares; a correct answer takes its reservation back as it accepts the invite
//! ([`Invite::accept_reserved`]), from the reserved version. Concurrent guesses race for each
//! version, so at most five comparisons are ever made between two resends.

use super::*;
use crate::identity::model::{NewPassword, check_password_policy};
use crate::identity::policy::AccessType;
use crate::identity::ports::{NewUser, SimplifiedClaims};
use crate::invites::model::{IdentityClaim, InviteState};
use crate::invites::ports::Acceptance;
use crate::invites::rules::check_identity;
use crate::patients::model::PatientView;
use crate::patients::ports::PatientLogin;

/// How long a locked invite tells its caller to wait: it stays locked until the clinic resends
/// it, so "later" is all a retry can hope for.
const LOCKED_RETRY_SECS: u64 = 15 * 60;

/// `POST /api/verify_invite`: what a token opens. `refusal` None means valid; otherwise every
/// other field is None.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    /// The invite.
    pub invite_id: Option<InviteId>,
    /// End of validity.
    pub expires_at: Option<Timestamp>,
    /// The clinic's name.
    pub clinic_name: Option<String>,
    /// The provider's name.
    pub provider_name: Option<String>,
    /// Why the token opens nothing.
    pub refusal: Option<InviteRefusal>,
}

impl Verification {
    fn refused(why: InviteRefusal) -> Self {
        Self {
            invite_id: None,
            expires_at: None,
            clinic_name: None,
            provider_name: None,
            refusal: Some(why),
        }
    }
}

/// `POST /api/simplified_access`: a token and who the patient says they are.
#[derive(Debug, Clone)]
pub struct SimplifiedAccess {
    /// The invite token as typed or linked.
    pub token: String,
    /// Names and date of birth.
    pub identity: IdentityClaim,
}

/// A simplified session: its token and what the frontend shows.
#[derive(Debug, Clone)]
pub struct SimplifiedSession {
    /// The simplified token.
    pub access_token: String,
    /// Seconds until it expires.
    pub expires_in: i64,
    /// The patient.
    pub patient_id: PatientId,
    /// "First Last".
    pub patient_name: String,
    /// The invite used.
    pub invite_id: InviteId,
    /// Its strategy.
    pub chat_strategy_id: Option<crate::common::ChatStrategyId>,
}

/// What proves the right to register.
#[derive(Debug, Clone)]
pub enum RegistrationCredential {
    /// A pending invite's token (it becomes accepted).
    InviteToken(String),
    /// A simplified token's principal (its invite is accepted already).
    Simplified(Principal),
}

/// `POST /api/register_patient`.
#[derive(Debug, Clone)]
pub struct RegisterPatient {
    /// The invite token or the simplified session.
    pub credential: RegistrationCredential,
    /// The new password (policy and confirmation checked).
    pub password: NewPassword,
    /// Checked as in `simplified_access`.
    pub date_of_birth: time::Date,
}

/// A registration done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Registration {
    /// The patient.
    pub patient_id: PatientId,
    /// Its new login (the same id).
    pub user_id: UserId,
}

/// A token that does not parse, or opens no invite: the one answer of the public routes.
fn invalid_token() -> InviteError {
    InviteError::InvalidInvite(InviteRefusal::TokenInvalid)
}

/// A record behind a token that is gone (deleted meanwhile): the token opens nothing. Any other
/// storage error stays what it is.
fn gone_is_invalid(e: RepoError) -> InviteError {
    match e {
        RepoError::NotFound => invalid_token(),
        other => other.into(),
    }
}

/// The public routes' answer to an invite that is not usable now: locked is 429, the rest the
/// one 400.
fn unusable(why: InviteRefusal) -> InviteError {
    match why {
        InviteRefusal::Locked => InviteError::TooManyAttempts {
            retry_after_secs: LOCKED_RETRY_SECS,
        },
        other => InviteError::InvalidInvite(other),
    }
}

/// Whether the patient may act on an invite at all: not inactive or archived (staff paused or
/// closed the record).
const fn patient_may_act(status: PatientStatus) -> bool {
    !matches!(status, PatientStatus::Inactive | PatientStatus::Archived)
}

impl InviteService {
    /// The invite a token opens, with its live patient: a token that does not parse or opens
    /// nothing is invalid; a paused or archived patient, or an inactive clinic, "no longer
    /// valid". Storage failures stay errors (an outage is never hidden behind "invalid").
    async fn opened_strict(&self, raw: &str) -> Result<(InviteView, PatientView), InviteError> {
        let token = InviteToken::parse(raw).map_err(|_| invalid_token())?;
        let view = self
            .ports
            .invites
            .find_by_token_hash(&token.hash())
            .await?
            .ok_or_else(invalid_token)?;
        // The invite's id, never its token, names the span.
        tracing::Span::current().record("invite_id", tracing::field::display(view.invite.id));
        let patient = self
            .ports
            .patients
            .get(view.invite.patient_id)
            .await
            .map_err(gone_is_invalid)?;
        if !patient_may_act(patient.patient.status) {
            return Err(InviteError::InvalidInvite(InviteRefusal::AlreadyRevoked));
        }
        let account = self
            .ports
            .accounts
            .get(view.invite.account_id)
            .await
            .map_err(gone_is_invalid)?;
        if account.status != crate::identity::model::AccountStatus::Active {
            return Err(InviteError::InvalidInvite(InviteRefusal::AlreadyRevoked));
        }
        Ok((view, patient))
    }

    /// `POST /api/verify_invite`: what the token opens, without using it. Never the patient's
    /// name, email or date of birth. A storage failure is an error, not "invalid".
    #[tracing::instrument(level = "debug", skip_all, fields(invite_id = tracing::field::Empty))]
    pub async fn verify(&self, raw: &str) -> Result<Verification, InviteError> {
        let (view, _) = match self.opened_strict(raw).await {
            Ok(opened) => opened,
            Err(InviteError::InvalidInvite(why)) => return Ok(Verification::refused(why)),
            Err(e) => return Err(e),
        };
        let invite = view.invite;
        if let Err(why) = invite.check_usable(self.now()) {
            return Ok(Verification::refused(why));
        }
        Ok(Verification {
            invite_id: Some(invite.id),
            expires_at: Some(invite.expires_at),
            clinic_name: Some(self.clinic_name(invite.account_id).await?),
            provider_name: invite.provider_name,
            refusal: None,
        })
    }

    /// Reserve one failed identity check on the invite (rule 8), written before anything is
    /// compared: the reserved version, or why the invite is not usable. `Ok(None)`: the invite
    /// changed meanwhile (read it again).
    async fn reserve(&self, before: &Invite) -> Result<Option<Invite>, InviteError> {
        let reserved = before.record_failed_check(self.now()).map_err(unusable)?;
        let audit = self.invite_entry(None, AuditAction::Update, &reserved);
        match self
            .ports
            .invites
            .update(before, &reserved, &audit, None)
            .await
        {
            Ok(()) => Ok(Some(reserved)),
            Err(RepoError::Stale) => Ok(None),
            Err(RepoError::NotFound) => Err(invalid_token()),
            Err(e) => Err(e.into()),
        }
    }

    /// The audit entries of an acceptance: the invite's, and the patient's when it changes
    /// (activated, or its date of birth recorded).
    fn acceptance_audit(
        &self,
        accepted: &Invite,
        patient: &Patient,
        date_of_birth: Option<time::Date>,
    ) -> Vec<AuditEntry> {
        let mut audit = vec![self.invite_entry(None, AuditAction::Update, accepted)];
        if patient.status == PatientStatus::Pending || date_of_birth.is_some() {
            audit.push(self.entry(
                None,
                AuditAction::Update,
                "patient",
                AuditRecords::One(patient.id.0),
                Some(patient.account_id),
            ));
        }
        audit
    }

    /// `POST /api/simplified_access`: check who the patient is (names and date of birth) against
    /// the invite's record, then accept the invite (single use), activate a `pending` patient,
    /// record a missing date of birth, and issue a simplified token.
    #[tracing::instrument(level = "debug", skip_all, fields(invite_id = tracing::field::Empty))]
    pub async fn simplified_access(
        &self,
        req: SimplifiedAccess,
    ) -> Result<SimplifiedSession, InviteError> {
        for _ in 0..RACES {
            let (view, patient) = self.opened_strict(&req.token).await?;
            let Some(reserved) = self.reserve(&view.invite).await? else {
                continue;
            };
            let patient = patient.patient;
            let date_of_birth = check_identity(&patient, &req.identity)
                .map_err(|_| InviteError::IdentityMismatch)?;
            let accepted = reserved.accept_reserved(self.now()).map_err(unusable)?;
            let acceptance = Acceptance {
                audit: self.acceptance_audit(&accepted, &patient, date_of_birth),
                before: reserved,
                after: accepted.clone(),
                date_of_birth,
                login: None,
            };
            match self.ports.invites.accept(&acceptance).await {
                Ok(()) => return self.session(&accepted, &patient),
                // Resent or revoked between the reservation and now: this token is dead.
                Err(RepoError::Stale | RepoError::NotFound) => {
                    return Err(InviteError::InvalidInvite(InviteRefusal::AlreadyRevoked));
                }
                Err(e) => return Err(e.into()),
            }
        }
        Err(InviteError::TooManyAttempts {
            retry_after_secs: 1,
        })
    }

    /// The simplified token of an accepted invite (contract §1.6).
    fn session(
        &self,
        accepted: &Invite,
        patient: &Patient,
    ) -> Result<SimplifiedSession, InviteError> {
        let iat = self.now();
        let exp = iat + self.settings.simplified_ttl;
        let claims = SimplifiedClaims {
            patient_id: patient.id,
            email: patient.email.to_string(),
            invite_id: accepted.id,
            chat_strategy_id: accepted.chat_strategy_id,
            account_id: patient.account_id,
            token_gen: accepted.token_gen,
            iat: iat.unix_timestamp(),
            exp: exp.unix_timestamp(),
            jti: self.ports.random.uuid().to_string(),
        };
        let access_token = self
            .ports
            .codec
            .issue_simplified(&claims)
            .map_err(InviteError::Unexpected)?;
        Ok(SimplifiedSession {
            access_token,
            expires_in: self.settings.simplified_ttl.whole_seconds(),
            patient_id: patient.id,
            patient_name: format!("{} {}", patient.first_name, patient.last_name),
            invite_id: accepted.id,
            chat_strategy_id: accepted.chat_strategy_id,
        })
    }

    /// The login a registering patient gets: the patient's id, email, names and account, role
    /// `patient`, the invite's provider as its clinician.
    async fn login_of(
        &self,
        patient: &Patient,
        provider: Option<UserId>,
        password: &NewPassword,
    ) -> Result<NewUser, InviteError> {
        if let Err(e) = check_password_policy(
            "password",
            password.password().expose(),
            Some(&patient.email),
        ) {
            return Err(InviteError::Invalid(vec![e]));
        }
        let hash = self
            .ports
            .hasher
            .hash_password(password.password())
            .await
            .map_err(InviteError::Unexpected)?;
        let now = self.now();
        Ok(NewUser {
            user: User {
                id: UserId(patient.id.0),
                account_id: Some(patient.account_id),
                email: patient.email.clone(),
                name: format!("{} {}", patient.first_name, patient.last_name),
                first_name: patient.first_name.clone(),
                last_name: patient.last_name.clone(),
                role: Role::Patient,
                is_active: true,
                clinician_id: provider,
                phone: patient.phone.clone(),
                created_at: now,
                updated_at: now,
            },
            password_hash: Some(hash),
        })
    }

    /// `POST /api/register_patient`: a permanent login for an invited patient, whose id is the
    /// patient's. With an invite token: the invite must be usable, the date of birth is checked
    /// as in `simplified_access` (a mismatch counts toward the lock), and the invite is accepted
    /// with the login in one transaction. With a simplified token: its invite is accepted
    /// already; the date of birth is checked again.
    #[tracing::instrument(level = "debug", skip_all, fields(invite_id = tracing::field::Empty))]
    pub async fn register(&self, req: RegisterPatient) -> Result<Registration, InviteError> {
        match &req.credential {
            RegistrationCredential::InviteToken(raw) => self.register_by_token(raw, &req).await,
            RegistrationCredential::Simplified(p) => self.register_by_session(p, &req).await,
        }
    }

    async fn register_by_token(
        &self,
        raw: &str,
        req: &RegisterPatient,
    ) -> Result<Registration, InviteError> {
        for _ in 0..RACES {
            let (view, patient) = self.opened_strict(raw).await?;
            view.invite.check_usable(self.now()).map_err(unusable)?;
            if patient.has_login {
                return Err(InviteError::Conflict(InviteConflict::PatientHasLogin));
            }
            let patient = patient.patient;
            // Field rules before the reservation: a bad password is no failed identity check.
            let login = self
                .login_of(&patient, view.invite.provider_id, &req.password)
                .await?;
            let Some(reserved) = self.reserve(&view.invite).await? else {
                continue;
            };
            let date_of_birth = birth_date_check(&patient, req.date_of_birth)?;
            let accepted = reserved.accept_reserved(self.now()).map_err(unusable)?;
            let acceptance = Acceptance {
                audit: self.acceptance_audit(&accepted, &patient, date_of_birth),
                before: reserved,
                after: accepted,
                date_of_birth,
                login: Some(login),
            };
            return match self.ports.invites.accept(&acceptance).await {
                Ok(()) => Ok(Registration {
                    patient_id: patient.id,
                    user_id: UserId(patient.id.0),
                }),
                Err(RepoError::Stale | RepoError::NotFound) => {
                    Err(InviteError::InvalidInvite(InviteRefusal::AlreadyRevoked))
                }
                Err(RepoError::Duplicate("email")) => {
                    Err(InviteError::Conflict(InviteConflict::EmailTaken))
                }
                // The patient's id taken by a login made meanwhile.
                Err(RepoError::Duplicate(_)) => {
                    Err(InviteError::Conflict(InviteConflict::PatientHasLogin))
                }
                Err(e) => Err(e.into()),
            };
        }
        Err(InviteError::TooManyAttempts {
            retry_after_secs: 1,
        })
    }

    async fn register_by_session(
        &self,
        p: &Principal,
        req: &RegisterPatient,
    ) -> Result<Registration, InviteError> {
        let Some(grant) = p.grant.filter(|_| p.access == AccessType::Simplified) else {
            return Err(InviteError::Denied(
                crate::identity::error::Denial::NotPermitted,
            ));
        };
        let patient_id = PatientId(p.user_id.0);
        let view = self
            .ports
            .patients
            .get(patient_id)
            .await
            .map_err(not_found_as(Entity::Patient))?;
        if view.has_login {
            return Err(InviteError::Conflict(InviteConflict::PatientHasLogin));
        }
        let invite = self
            .ports
            .invites
            .get(grant.invite_id, ListScope::Account(view.patient.account_id))
            .await
            .map_err(|_| invalid_token())?
            .invite;
        if invite.state != InviteState::Accepted || invite.patient_id != patient_id {
            return Err(invalid_token());
        }
        let patient = view.patient;
        let login = self
            .login_of(&patient, invite.provider_id, &req.password)
            .await?;
        let date_of_birth = birth_date_check(&patient, req.date_of_birth)?;
        let mut record = None;
        if let Some(dob) = date_of_birth {
            let after = Patient {
                date_of_birth: Some(dob),
                updated_at: self.now(),
                ..patient.clone()
            };
            let audit = self.entry(
                None,
                AuditAction::Update,
                "patient",
                AuditRecords::One(patient.id.0),
                Some(patient.account_id),
            );
            record = Some((after, audit));
        }
        if let Some((after, audit)) = &record {
            self.ports
                .patients
                .update(&patient, after, audit, None)
                .await?;
        }
        self.ports
            .patients
            .insert_login(&PatientLogin {
                login,
                record: None,
                setup: None,
            })
            .await
            .map_err(|e| match e {
                RepoError::Duplicate("email") => InviteError::Conflict(InviteConflict::EmailTaken),
                RepoError::Duplicate(_) => InviteError::Conflict(InviteConflict::PatientHasLogin),
                other => other.into(),
            })?;
        Ok(Registration {
            patient_id,
            user_id: UserId(patient_id.0),
        })
    }
}

/// The date-of-birth part of the identity check (`register_patient` asks no names): the record's
/// must match; a record without one gets the given date (`Ok(Some)`).
fn birth_date_check(
    patient: &Patient,
    given: time::Date,
) -> Result<Option<time::Date>, InviteError> {
    match patient.date_of_birth {
        Some(d) if d == given => Ok(None),
        Some(_) => Err(InviteError::IdentityMismatch),
        None => Ok(Some(given)),
    }
}
