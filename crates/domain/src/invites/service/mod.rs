//! Invite use cases (contract §3.4). Staff: generate (one, bulk), list, read, a provider's
//! pending invites, a patient's invites, resend, revoke — here. The patient's side, on public
//! routes: verify, simplified access, registration — in `access`.
//!
//! Every write goes through one repository method that writes the invite, its audit entries and
//! its email in one transaction; reads of invites (which show a patient's name and email) are
//! audited like patient reads. Lifecycle transitions are the pure rules of
//! [`super::rules`], written with an optimistic version check: a transition computed from a
//! version that moved on is recomputed from the new one.

mod access;

pub use access::{
    RegisterPatient, Registration, RegistrationCredential, SimplifiedAccess, SimplifiedSession,
    Verification,
};

use super::error::{InviteConflict, InviteError, InviteRefusal, not_found_as};
use super::mail::{Invitation, invite_url};
use super::model::{
    CustomMessage, ExpiryDays, Invite, InvitePatient, InviteStatus, InviteToken, InviteView,
};
use super::ports::{
    InviteFilter, InvitePage, InviteRepository, IssueError, NewInvite, StrategyChoice,
};
use super::rules::InviteDraft;
use crate::audit::{AuditAction, AuditEntry, AuditLog, AuditRecords};
use crate::common::{
    AccountId, Clock, Entity, FieldError, InviteId, Patch, PatientId, Phone, Random, RepoError,
    Text, Timestamp, UserId, to_seconds,
};
use crate::identity::model::{Email, Role, User};
use crate::identity::policy::{self, Action, ListScope, Principal, Target};
use crate::identity::ports::{AccountRepository, CredentialHasher, TokenCodec, UserRepository};
use crate::patients::model::{Patient, PatientStatus};
use crate::patients::ports::PatientRepository;
use std::sync::Arc;

/// Most items of one `bulk_invite`.
pub const MAX_BULK_ITEMS: usize = 100;

/// Links and lifetimes.
#[derive(Debug, Clone)]
pub struct InviteSettings {
    /// Base URL of the frontend: links are `{frontend_base_url}/invite/{token}`.
    pub frontend_base_url: String,
    /// Lifetime of a simplified token (4 hours).
    pub simplified_ttl: time::Duration,
    /// Whether email goes out at all (`false` when mail is disabled: invites are issued, and
    /// `email_sent` says `false`).
    pub mail_enabled: bool,
}

impl Default for InviteSettings {
    fn default() -> Self {
        Self {
            frontend_base_url: "http://localhost:4321".into(),
            simplified_ttl: time::Duration::hours(4),
            mail_enabled: true,
        }
    }
}

/// The ports the invite use cases need.
#[derive(Clone)]
pub struct InvitePorts {
    /// Invites.
    pub invites: Arc<dyn InviteRepository>,
    /// Patient records (and patients' logins).
    pub patients: Arc<dyn PatientRepository>,
    /// Providers.
    pub users: Arc<dyn UserRepository>,
    /// Clinics (their names go into the email and `verify_invite`).
    pub accounts: Arc<dyn AccountRepository>,
    /// Simplified tokens.
    pub codec: Arc<dyn TokenCodec>,
    /// Registration passwords.
    pub hasher: Arc<dyn CredentialHasher>,
    /// Audited reads.
    pub audit: Arc<dyn AuditLog>,
    /// Time.
    pub clock: Arc<dyn Clock>,
    /// Ids and tokens.
    pub random: Arc<dyn Random>,
}

/// Who an invite is for.
#[derive(Debug, Clone)]
pub enum InvitedPatient {
    /// A patient of the account (the frontend's form).
    Existing(PatientId),
    /// The documented identity fields: the account's patient with this email, else a new
    /// patient with status `pending`.
    Identity {
        /// The patient's email (required in this form).
        email: Email,
        /// Given name.
        first_name: Text<100>,
        /// Family name.
        last_name: Text<100>,
        /// Phone.
        phone: Option<Phone>,
    },
}

/// `POST /api/generate_invite`, and each item of `POST /api/bulk_invite`.
#[derive(Debug, Clone)]
pub struct GenerateInvite {
    /// The patient.
    pub patient: InvitedPatient,
    /// An active clinician, physician or admin of the patient's account; by default the caller
    /// when it is one.
    pub provider_id: Option<UserId>,
    /// The questionnaire strategy.
    pub strategy: StrategyChoice,
    /// The clinic's note in the email.
    pub custom_message: Option<CustomMessage>,
    /// Email the invitation (default true).
    pub send_email: bool,
    /// Days until it expires.
    pub expiry: ExpiryDays,
}

/// An invite as just issued or resent: the only moment its link exists.
#[derive(Debug, Clone)]
pub struct IssuedInvite {
    /// The invite with its patient's contact fields.
    pub view: InviteView,
    /// `{FRONTEND_BASE_URL}/invite/{token}`.
    pub invite_url: String,
    /// The invitation email was queued.
    pub email_sent: bool,
}

/// One item of `POST /api/bulk_invite`, as the edge read it.
#[derive(Debug)]
pub struct BulkItem {
    /// The item's `patient_id` as sent, for the report.
    pub patient_id: Option<String>,
    /// The command, or every field that keeps the item from being one.
    pub command: Result<GenerateInvite, Vec<FieldError>>,
}

/// One item of a bulk invite that was not issued.
#[derive(Debug)]
pub struct BulkFailure {
    /// The item's `patient_id` as sent.
    pub patient_id: Option<String>,
    /// Why.
    pub error: InviteError,
}

/// What `POST /api/bulk_invite` did.
#[derive(Debug, Default)]
pub struct BulkReport {
    /// The invites issued, in the order of the items.
    pub successful: Vec<IssuedInvite>,
    /// The items that were not, in order.
    pub failed: Vec<BulkFailure>,
}

/// `POST /api/invites/{id}/resend`.
#[derive(Debug, Clone)]
pub struct ResendInvite {
    /// Keep, clear or replace the clinic's note.
    pub custom_message: Patch<CustomMessage>,
    /// Days until the new link expires.
    pub expiry: ExpiryDays,
    /// Email the new link (default true).
    pub send_email: bool,
}

/// How many times a transition is recomputed when the invite changed between its read and its
/// write, before the caller is told to retry.
const RACES: usize = 8;

/// Invite use cases.
#[derive(Clone)]
pub struct InviteService {
    ports: InvitePorts,
    settings: InviteSettings,
}

impl InviteService {
    /// Wire the service.
    #[must_use]
    pub fn new(ports: InvitePorts, settings: InviteSettings) -> Self {
        Self { ports, settings }
    }

    /// The same service on another clock (back-dated demo data: invites issued weeks ago).
    #[must_use]
    pub fn with_clock(&self, clock: Arc<dyn Clock>) -> Self {
        let mut ports = self.ports.clone();
        ports.clock = clock;
        Self::new(ports, self.settings.clone())
    }

    /// The settings in force.
    #[must_use]
    pub fn settings(&self) -> &InviteSettings {
        &self.settings
    }

    /// Now, by the service's clock, in whole seconds (statuses are computed against it).
    #[must_use]
    pub fn now(&self) -> Timestamp {
        to_seconds(self.ports.clock.now())
    }

    /// Today, by the service's clock (the latest date of birth a patient may give).
    #[must_use]
    pub fn today(&self) -> time::Date {
        self.now().date()
    }

    /// An audit entry (ids only). `actor` None: a patient on a public route.
    fn entry(
        &self,
        actor: Option<UserId>,
        action: AuditAction,
        record_type: &'static str,
        records: AuditRecords,
        account_id: Option<AccountId>,
    ) -> AuditEntry {
        AuditEntry {
            id: self.ports.random.uuid(),
            at: self.now(),
            actor_id: actor.filter(|a| !a.0.is_nil()),
            action,
            record_type,
            records,
            account_id,
        }
    }

    /// The entry of one invite.
    fn invite_entry(&self, actor: Option<UserId>, action: AuditAction, i: &Invite) -> AuditEntry {
        self.entry(
            actor,
            action,
            "invite",
            AuditRecords::One(i.id.0),
            Some(i.account_id),
        )
    }

    /// One audited read of these invites (nothing recorded for none).
    async fn audit_read(
        &self,
        p: &Principal,
        views: &[InviteView],
        query: Option<serde_json::Value>,
    ) -> Result<(), InviteError> {
        let Some(first) = views.first() else {
            return Ok(());
        };
        let account = first.invite.account_id;
        let same = views.iter().all(|v| v.invite.account_id == account);
        let records = match (views, query) {
            ([one], None) => AuditRecords::One(one.invite.id.0),
            (views, query) => AuditRecords::Many {
                ids: views.iter().map(|v| v.invite.id.0).collect(),
                query: query.map(|q| q.to_string()),
            },
        };
        let entry = self.entry(
            Some(p.user_id),
            AuditAction::Read,
            "invite",
            records,
            same.then_some(account),
        );
        Ok(self.ports.audit.record(vec![entry]).await?)
    }

    /// The clinic's name.
    async fn clinic_name(&self, account: AccountId) -> Result<String, InviteError> {
        Ok(self
            .ports
            .accounts
            .get(account)
            .await
            .map_err(not_found_as(Entity::Account))?
            .name)
    }

    /// The provider of a new invite of `account`: the one named, which must be an active
    /// clinician, physician or admin of the account (404 outside it); by default the caller when
    /// it is one of the account's care team; else none.
    async fn provider(
        &self,
        p: &Principal,
        account: AccountId,
        named: Option<UserId>,
    ) -> Result<Option<User>, InviteError> {
        let id = match named {
            Some(id) => id,
            None if is_care_team(p.role) && p.account_id == Some(account) => p.user_id,
            None => return Ok(None),
        };
        let user = self
            .ports
            .users
            .get(id)
            .await
            .map_err(not_found_as(Entity::Provider))?;
        if user.account_id != Some(account) {
            return Err(InviteError::NotFound(Entity::Provider));
        }
        if !is_care_team(user.role) || !user.is_active {
            return Err(InviteError::field(
                "provider_id",
                "must be an active clinician, physician or admin of the patient's account",
                "value_error.role",
            ));
        }
        Ok(Some(user))
    }

    /// The account a patient named by identity fields belongs to: the caller's; a super_admin's
    /// follows from the provider it names (else 422).
    async fn identity_account(
        &self,
        p: &Principal,
        provider: Option<UserId>,
    ) -> Result<AccountId, InviteError> {
        if let Some(own) = p.account_id {
            return Ok(own);
        }
        let Some(provider) = provider else {
            return Err(InviteError::Invalid(vec![FieldError::new(
                "patient_id",
                "a super admin names the patient (patient_id) or the provider (provider_id)",
                "missing",
            )]));
        };
        self.ports
            .users
            .get(provider)
            .await
            .map_err(not_found_as(Entity::Provider))?
            .account_id
            .ok_or(InviteError::NotFound(Entity::Provider))
    }

    /// The patient an invite is for, in scope, and a record to create with it when the
    /// identity fields name nobody in the account yet.
    async fn invited(
        &self,
        p: &Principal,
        who: &InvitedPatient,
        provider: Option<UserId>,
    ) -> Result<(Patient, bool), InviteError> {
        let (email, first_name, last_name, phone) = match who {
            InvitedPatient::Existing(id) => {
                let view = self
                    .ports
                    .patients
                    .get(*id)
                    .await
                    .map_err(not_found_as(Entity::Patient))?;
                let target = Target::in_account(Some(view.patient.account_id));
                policy::authorize(p, Action::InviteManage, target, Entity::Patient)?;
                return Ok((view.patient, false));
            }
            InvitedPatient::Identity {
                email,
                first_name,
                last_name,
                phone,
            } => (email, first_name, last_name, phone),
        };
        let account = self.identity_account(p, provider).await?;
        policy::authorize(
            p,
            Action::InviteManage,
            Target::in_account(Some(account)),
            Entity::Account,
        )?;
        if let Some((patient, _)) = self.ports.patients.find_by_email(account, email).await? {
            return Ok((patient, false));
        }
        let now = self.now();
        let patient = Patient {
            id: PatientId(self.ports.random.uuid()),
            account_id: account,
            first_name: first_name.as_str().to_owned(),
            last_name: last_name.as_str().to_owned(),
            email: email.clone(),
            phone: phone.as_ref().map(|p| p.as_str().to_owned()),
            date_of_birth: None,
            external_id: None,
            clinician_id: None,
            status: PatientStatus::Pending,
            notes: None,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        Ok((patient, true))
    }

    /// `POST /api/generate_invite`: issue an invite (rule 5 revokes the patient's other open
    /// ones), with its email unless mail is off or not wanted.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %p.user_id, invite_id = tracing::field::Empty))]
    pub async fn generate(
        &self,
        p: &Principal,
        cmd: GenerateInvite,
    ) -> Result<IssuedInvite, InviteError> {
        policy::require(p, Action::InviteManage)?;
        // A patient created by identity fields may be created by a concurrent request first:
        // then it is the account's patient with that email, and the second try finds it.
        match self.generate_once(p, &cmd).await {
            Err(InviteError::Conflict(InviteConflict::EmailTaken))
                if matches!(cmd.patient, InvitedPatient::Identity { .. }) =>
            {
                self.generate_once(p, &cmd).await
            }
            other => other,
        }
    }

    async fn generate_once(
        &self,
        p: &Principal,
        cmd: &GenerateInvite,
    ) -> Result<IssuedInvite, InviteError> {
        let (patient, is_new) = self.invited(p, &cmd.patient, cmd.provider_id).await?;
        if matches!(
            patient.status,
            PatientStatus::Inactive | PatientStatus::Archived
        ) {
            return Err(InviteError::field(
                "patient_id",
                "the patient is inactive or archived: reactivate the record first",
                "value_error.patient_status",
            ));
        }
        let account = patient.account_id;
        let provider = self.provider(p, account, cmd.provider_id).await?;
        let clinic = self.clinic_name(account).await?;
        let now = self.now();
        let token = InviteToken::generate(&*self.ports.random);
        let mut invite = Invite::issue(
            InviteDraft {
                id: InviteId(self.ports.random.uuid()),
                account_id: account,
                patient_id: patient.id,
                provider_id: provider.as_ref().map(|u| u.id),
                provider_name: provider.as_ref().map(|u| u.name.clone()),
                chat_strategy_id: None,
                chat_strategy_name: None,
                custom_message: cmd.custom_message.clone(),
                created_by: p.user_id,
            },
            &token,
            cmd.expiry,
            now,
        );
        let mail = (cmd.send_email && self.settings.mail_enabled).then(|| {
            Invitation {
                to: &patient.email,
                clinic: &clinic,
                provider: invite.provider_name.as_deref(),
                message: invite.custom_message.as_ref(),
                frontend_base_url: &self.settings.frontend_base_url,
                token: &token,
                expires_at: invite.expires_at,
            }
            .email()
        });
        let actor = Some(p.user_id);
        let mut audit = vec![self.invite_entry(actor, AuditAction::Create, &invite)];
        if is_new {
            audit.push(self.entry(
                actor,
                AuditAction::Create,
                "patient",
                AuditRecords::One(patient.id.0),
                Some(account),
            ));
        }
        let superseded_audit = self.entry(
            actor,
            AuditAction::Update,
            "invite",
            AuditRecords::Many {
                ids: Vec::new(),
                query: Some(r#"{"superseded_by_new_invite":true}"#.to_owned()),
            },
            Some(account),
        );
        let email_sent = mail.is_some();
        let issued = self
            .ports
            .invites
            .create(&NewInvite {
                invite: invite.clone(),
                strategy: cmd.strategy,
                new_patient: is_new.then(|| patient.clone()),
                audit,
                superseded_audit,
                mail,
            })
            .await
            .map_err(|e| match e {
                IssueError::StrategyNotFound => InviteError::NotFound(Entity::ChatStrategy),
                IssueError::StrategyInactive => InviteError::field(
                    "chat_strategy_id",
                    "the chat strategy is not active",
                    "value_error.inactive",
                ),
                IssueError::Repo(RepoError::NotFound) => InviteError::NotFound(Entity::Patient),
                IssueError::Repo(other) => other.into(),
            })?;
        tracing::Span::current().record("invite_id", tracing::field::display(invite.id));
        invite.chat_strategy_id = issued.chat_strategy.as_ref().map(|s| s.id);
        invite.chat_strategy_name = issued.chat_strategy.map(|s| s.name);
        Ok(IssuedInvite {
            view: InviteView {
                invite,
                patient: contact(&patient),
            },
            invite_url: invite_url(&self.settings.frontend_base_url, &token),
            email_sent,
        })
    }

    /// `POST /api/bulk_invite`: each item authorised and issued on its own, as
    /// [`InviteService::generate`]; the report says which were issued and why the others were
    /// not. A caller whose role may not invite at all is refused as a whole.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %p.user_id))]
    pub async fn bulk(
        &self,
        p: &Principal,
        items: Vec<BulkItem>,
    ) -> Result<BulkReport, InviteError> {
        policy::require(p, Action::InviteManage)?;
        let mut report = BulkReport::default();
        for item in items {
            let outcome = match item.command {
                Err(errors) => Err(InviteError::Invalid(errors)),
                Ok(cmd) => self.generate(p, cmd).await,
            };
            match outcome {
                Ok(issued) => report.successful.push(issued),
                Err(error) => {
                    if matches!(
                        error,
                        InviteError::Unavailable(_) | InviteError::Unexpected(_)
                    ) {
                        tracing::error!(error = %error, source = ?std::error::Error::source(&error), "bulk invite item failed");
                    }
                    report.failed.push(BulkFailure {
                        patient_id: item.patient_id,
                        error,
                    });
                }
            }
        }
        Ok(report)
    }

    /// `GET /api/invites`: a page in the caller's scope (an `account_id` filter outside it
    /// matches nothing), statuses computed now. The read is audited as one entry.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %p.user_id, account_id = ?account_id.map(|i| i.0)))]
    pub async fn list(
        &self,
        p: &Principal,
        account_id: Option<AccountId>,
        mut filter: InviteFilter,
    ) -> Result<InvitePage, InviteError> {
        filter.scope = policy::list_scope(p, Action::InviteRead, account_id)?;
        let page = self.ports.invites.list(&filter, self.now()).await?;
        let query = serde_json::json!({
            "account_id": account_id.map(|a| a.0),
            "status": filter.status.map(InviteStatus::as_str),
            "provider_id": filter.provider_id.map(|u| u.0),
            "patient_id": filter.patient_id.map(|u| u.0),
            "search": filter.search.is_some(),
            "page": filter.page,
            "limit": filter.limit,
        });
        self.audit_read(p, &page.invites, Some(query)).await?;
        Ok(page)
    }

    /// The invite `id` within the caller's reach for `action`.
    async fn reachable(
        &self,
        p: &Principal,
        action: Action,
        id: InviteId,
    ) -> Result<InviteView, InviteError> {
        let scope = policy::list_scope(p, action, None)?;
        self.ports
            .invites
            .get(id, scope)
            .await
            .map_err(not_found_as(Entity::Invite))
    }

    /// `GET /api/invites/{id}`.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %p.user_id, invite_id = %id))]
    pub async fn get(&self, p: &Principal, id: InviteId) -> Result<InviteView, InviteError> {
        let view = self.reachable(p, Action::InviteRead, id).await?;
        self.audit_read(p, std::slice::from_ref(&view), None)
            .await?;
        Ok(view)
    }

    /// `GET /api/pending/{clinician_id}`: the provider's pending, unexpired invites in the
    /// caller's scope, newest first (a provider out of scope has none).
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %p.user_id, provider_id = %provider))]
    pub async fn pending(
        &self,
        p: &Principal,
        provider: UserId,
    ) -> Result<Vec<InviteView>, InviteError> {
        let scope = policy::list_scope(p, Action::InviteRead, None)?;
        let rows = self
            .ports
            .invites
            .pending_for_provider(scope, provider, self.now())
            .await?;
        let query = serde_json::json!({"provider_id": provider.0, "status": "pending"});
        self.audit_read(p, &rows, Some(query)).await?;
        Ok(rows)
    }

    /// `GET /api/patients/{id}/invites`: a patient's invites (optionally of one status), newest
    /// first; the patient must be in the caller's scope.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %p.user_id, patient_id = %patient))]
    pub async fn of_patient(
        &self,
        p: &Principal,
        patient: PatientId,
        status: Option<InviteStatus>,
    ) -> Result<Vec<InviteView>, InviteError> {
        policy::require(p, Action::PatientManage)?;
        let view = self
            .ports
            .patients
            .get(patient)
            .await
            .map_err(not_found_as(Entity::Patient))?;
        let account = view.patient.account_id;
        policy::authorize(
            p,
            Action::PatientManage,
            Target::in_account(Some(account)),
            Entity::Patient,
        )?;
        let rows = self
            .ports
            .invites
            .list_for_patient(ListScope::Account(account), patient, status, self.now())
            .await?;
        let query = serde_json::json!({"patient_id": patient.0, "status": status.map(InviteStatus::as_str)});
        self.audit_read(p, &rows, Some(query)).await?;
        Ok(rows)
    }

    /// `POST /api/invites/{id}/resend` (rule 6): a new token (the old link dies at once), a new
    /// expiry, the failure counter reset, same id; emailed unless mail is off or not wanted.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %p.user_id, invite_id = %id))]
    pub async fn resend(
        &self,
        p: &Principal,
        id: InviteId,
        cmd: ResendInvite,
    ) -> Result<IssuedInvite, InviteError> {
        for _ in 0..RACES {
            let view = self.reachable(p, Action::InviteManage, id).await?;
            let before = &view.invite;
            let now = self.now();
            let token = InviteToken::generate(&*self.ports.random);
            let after = before
                .resend(&token, cmd.expiry, cmd.custom_message.clone(), now)
                .map_err(|r| match r {
                    InviteRefusal::AlreadyUsed => {
                        InviteError::Conflict(InviteConflict::ResendAccepted)
                    }
                    _ => InviteError::Conflict(InviteConflict::ResendRevoked),
                })?;
            let mail = if cmd.send_email && self.settings.mail_enabled {
                let clinic = self.clinic_name(after.account_id).await?;
                Some(
                    Invitation {
                        to: &view.patient.email,
                        clinic: &clinic,
                        provider: after.provider_name.as_deref(),
                        message: after.custom_message.as_ref(),
                        frontend_base_url: &self.settings.frontend_base_url,
                        token: &token,
                        expires_at: after.expires_at,
                    }
                    .email(),
                )
            } else {
                None
            };
            let email_sent = mail.is_some();
            let audit = self.invite_entry(Some(p.user_id), AuditAction::Update, &after);
            match self
                .ports
                .invites
                .update(before, &after, &audit, mail)
                .await
            {
                Ok(()) => {
                    return Ok(IssuedInvite {
                        view: InviteView {
                            invite: after,
                            patient: view.patient,
                        },
                        invite_url: invite_url(&self.settings.frontend_base_url, &token),
                        email_sent,
                    });
                }
                Err(RepoError::Stale) => continue,
                Err(e) => return Err(not_found_as(Entity::Invite)(e)),
            }
        }
        Err(RepoError::Stale.into())
    }

    /// `DELETE /api/invites/{id}` (rule 7): revoked; simplified tokens issued from it fail from
    /// the next request on. Twice is a conflict.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %p.user_id, invite_id = %id))]
    pub async fn revoke(&self, p: &Principal, id: InviteId) -> Result<(), InviteError> {
        for _ in 0..RACES {
            let view = self.reachable(p, Action::InviteManage, id).await?;
            let after = view
                .invite
                .revoke(self.now())
                .map_err(|_| InviteError::Conflict(InviteConflict::AlreadyRevoked))?;
            let audit = self.invite_entry(Some(p.user_id), AuditAction::Update, &after);
            match self
                .ports
                .invites
                .update(&view.invite, &after, &audit, None)
                .await
            {
                Ok(()) => return Ok(()),
                Err(RepoError::Stale) => continue,
                Err(e) => return Err(not_found_as(Entity::Invite)(e)),
            }
        }
        Err(RepoError::Stale.into())
    }
}

/// Admins, clinicians and physicians: who may be an invite's provider.
const fn is_care_team(role: Role) -> bool {
    matches!(role, Role::Admin | Role::Clinician | Role::Physician)
}

/// The contact fields an invite is shown with.
fn contact(p: &Patient) -> InvitePatient {
    InvitePatient {
        email: p.email.clone(),
        first_name: p.first_name.clone(),
        last_name: p.last_name.clone(),
        phone: p.phone.clone(),
    }
}
