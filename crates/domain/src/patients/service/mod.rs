//! Patient use cases: list, create (one, bulk, CSV rows), read, update, delete; `import` holds
//! the imports, `login` the creation of a patient's login.

mod import;
mod login;

pub use import::{ImportError, ImportReport, ImportRow, MAX_IMPORT_ROWS, RowFailure};

use super::error::{PatientError, not_found_as};
use super::model::{BirthDate, Patient, PatientStatus, PatientView};
use super::ports::{ChatStages, PatientFilter, PatientPage, PatientRepository};
use crate::audit::{AuditAction, AuditEntry, AuditLog, AuditRecords};
use crate::common::{
    AccountId, Clock, Entity, Note, Patch, PatientId, Phone, Random, Text, UserId, to_seconds,
};
use crate::identity::model::{Email, NotClinician};
use crate::identity::policy::{self, Action, Principal, Target};
use crate::identity::ports::{AccountRepository, UserRepository};
use crate::identity::service::IdentityService;
use crate::invites::model::{ChatStage, ChatSummary, InviteSummary};
use crate::invites::ports::InviteRepository;
use std::collections::HashMap;
use std::sync::Arc;

/// `POST /api/patients`, and each row of an import: a patient to create.
#[derive(Debug, Clone)]
pub struct NewPatient {
    /// Given name.
    pub first_name: Text<100>,
    /// Family name.
    pub last_name: Text<100>,
    /// Email, unique in the account.
    pub email: Email,
    /// Phone.
    pub phone: Option<Phone>,
    /// The clinic's own id, unique in the account.
    pub external_id: Option<Text<100>>,
    /// Date of birth.
    pub date_of_birth: Option<BirthDate>,
    /// A clinician/physician of the account; without one, the calling clinician (or an
    /// import's default).
    pub clinician_id: Option<UserId>,
    /// Staff notes.
    pub notes: Option<Note<5000>>,
    /// Lifecycle (active unless said otherwise).
    pub status: PatientStatus,
}

/// `PUT /api/patients/{id}`: `None` / `Keep` leaves a field as it is. Names, email and status are
/// required fields, so they cannot be cleared.
#[derive(Debug, Clone, Default)]
pub struct PatientPatch {
    /// Given name.
    pub first_name: Option<Text<100>>,
    /// Family name.
    pub last_name: Option<Text<100>>,
    /// Email.
    pub email: Option<Email>,
    /// Phone.
    pub phone: Patch<Phone>,
    /// External id.
    pub external_id: Patch<Text<100>>,
    /// Date of birth.
    pub date_of_birth: Patch<BirthDate>,
    /// Clinician.
    pub clinician_id: Patch<UserId>,
    /// Notes.
    pub notes: Patch<Note<5000>>,
    /// Status.
    pub status: Option<PatientStatus>,
}

/// Patient use cases.
#[derive(Clone)]
pub struct PatientService {
    ports: PatientPorts,
    identity: IdentityService,
}

/// The ports the patient use cases need.
#[derive(Clone)]
pub struct PatientPorts {
    /// Patient records.
    pub patients: Arc<dyn PatientRepository>,
    /// Users (clinicians).
    pub users: Arc<dyn UserRepository>,
    /// Accounts.
    pub accounts: Arc<dyn AccountRepository>,
    /// Time.
    pub clock: Arc<dyn Clock>,
    /// Randomness.
    pub random: Arc<dyn Random>,
    /// Audited reads.
    pub audit: Arc<dyn AuditLog>,
    /// Invites (what the patient views derive from them).
    pub invites: Arc<dyn InviteRepository>,
    /// Chat sessions (where each patient's questionnaire stands).
    pub chats: Arc<dyn ChatStages>,
}

impl PatientService {
    /// Wire the service; `identity` checks and builds the user part of patients' logins.
    #[must_use]
    pub fn new(ports: PatientPorts, identity: IdentityService) -> Self {
        Self { ports, identity }
    }

    /// Today, by the service's clock: the latest date of birth a patient may have.
    #[must_use]
    pub fn today(&self) -> time::Date {
        to_seconds(self.ports.clock.now()).date()
    }

    /// The account a new patient lands in (policy rules 2.2.4/2.2.5), which must be live: a
    /// super_admin naming a deleted or unknown account finds no account, not a patient in limbo.
    async fn live_account(
        &self,
        p: &Principal,
        requested: Option<AccountId>,
    ) -> Result<AccountId, PatientError> {
        let account = policy::target_account(p, requested)?;
        self.ports
            .accounts
            .get(account)
            .await
            .map_err(not_found_as(Entity::Account))?;
        Ok(account)
    }

    /// An audit entry of `p` about patient `records` (ids only).
    fn audit_entry(
        &self,
        p: &Principal,
        action: AuditAction,
        records: AuditRecords,
        account_id: Option<AccountId>,
    ) -> AuditEntry {
        AuditEntry {
            id: self.ports.random.uuid(),
            at: to_seconds(self.ports.clock.now()),
            actor_id: (!p.user_id.0.is_nil()).then_some(p.user_id),
            action,
            record_type: "patient",
            records,
            account_id,
        }
    }

    /// The audit entry of one patient.
    fn entry(&self, p: &Principal, action: AuditAction, patient: &Patient) -> AuditEntry {
        let records = AuditRecords::One(patient.id.0);
        self.audit_entry(p, action, records, Some(patient.account_id))
    }

    /// The audit entry of a list or an import: one entry whatever the number of records.
    fn list_entry<'a>(
        &self,
        p: &Principal,
        action: AuditAction,
        patients: impl IntoIterator<Item = &'a Patient>,
        query: Option<String>,
    ) -> AuditEntry {
        let patients: Vec<&Patient> = patients.into_iter().collect();
        let account_id = patients
            .first()
            .map(|p| p.account_id)
            .filter(|a| patients.iter().all(|p| p.account_id == *a));
        let records = AuditRecords::Many {
            ids: patients.iter().map(|p| p.id.0).collect(),
            query,
        };
        self.audit_entry(p, action, records, account_id)
    }

    /// `GET /api/patients`. The read is audited as one entry: the ids shown, their number and
    /// the filters (a search term only as `"search": true`).
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %p.user_id, account_id = ?account_id.map(|i| i.0)))]
    pub async fn list(
        &self,
        p: &Principal,
        account_id: Option<AccountId>,
        mut filter: PatientFilter,
    ) -> Result<Vec<PatientView>, PatientError> {
        filter.scope = policy::list_scope(p, Action::PatientManage, account_id)?;
        let page = self.ports.patients.list(&filter).await?;
        let rows = self.filled(page);
        if !rows.is_empty() {
            let query = serde_json::json!({
                "account_id": account_id.map(|a| a.0),
                "status": filter.status.map(PatientStatus::as_str),
                "clinician_id": filter.clinician_id.map(|c| c.0),
                "search": filter.query.is_some(),
                "offset": filter.offset,
                "limit": filter.limit,
            })
            .to_string();
            let entry = self.list_entry(
                p,
                AuditAction::Read,
                rows.iter().map(|v| &v.patient),
                Some(query),
            );
            self.ports.audit.record(vec![entry]).await?;
        }
        Ok(rows)
    }

    /// `GET /api/patients/{id}`.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %p.user_id, patient_id = %id))]
    pub async fn get(&self, p: &Principal, id: PatientId) -> Result<PatientView, PatientError> {
        let view = self.readable(p, id).await?;
        let view = self.derived(view).await?;
        self.ports
            .audit
            .record(vec![self.entry(p, AuditAction::Read, &view.patient)])
            .await?;
        let mut view = view;
        if !policy::sees_staff_notes(p) {
            view.patient.notes = None;
        }
        Ok(view)
    }

    /// The clinician a patient gets: the one named (a clinician/physician of the account: not
    /// found outside it, invalid of the wrong role), else the caller when it is one.
    async fn resolve_clinician(
        &self,
        p: &Principal,
        account: AccountId,
        named: Option<UserId>,
    ) -> Result<Option<UserId>, PatientError> {
        let Some(id) = named else {
            let caller_is_provider = p.role.is_provider() && p.account_id == Some(account);
            return Ok(caller_is_provider.then_some(p.user_id));
        };
        // An outage stays an outage, never disguised as a missing clinician.
        let c = self
            .ports
            .users
            .get(id)
            .await
            .map_err(not_found_as(Entity::Clinician))?;
        c.clinician_of(account).map_err(|e| match e {
            NotClinician::Elsewhere => PatientError::NotFound(Entity::Clinician),
            NotClinician::Ineligible(field) => PatientError::Invalid(vec![field]),
        })?;
        Ok(Some(id))
    }

    /// The record of a new patient of `account` (the clinician is resolved separately).
    fn build(&self, account: AccountId, new: NewPatient) -> Patient {
        let now = to_seconds(self.ports.clock.now());
        Patient {
            id: PatientId(self.ports.random.uuid()),
            account_id: account,
            first_name: new.first_name.into_string(),
            last_name: new.last_name.into_string(),
            email: new.email,
            phone: new.phone.map(Phone::into_string),
            date_of_birth: new.date_of_birth.map(BirthDate::date),
            external_id: new.external_id.map(Text::into_string),
            clinician_id: None,
            status: new.status,
            notes: new.notes.map(Text::into_string),
            created_at: now,
            updated_at: now,
            version: 1,
        }
    }

    /// `POST /api/patients`.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %p.user_id, account_id = ?account_id.map(|i| i.0)))]
    pub async fn create(
        &self,
        p: &Principal,
        account_id: Option<AccountId>,
        new: NewPatient,
    ) -> Result<PatientView, PatientError> {
        policy::require(p, Action::PatientManage)?;
        let account = self.live_account(p, account_id).await?;
        let clinician = new.clinician_id;
        let mut patient = self.build(account, new);
        patient.clinician_id = self.resolve_clinician(p, account, clinician).await?;
        let audit = self.entry(p, AuditAction::Create, &patient);
        self.ports.patients.insert(&patient, &audit).await?;
        let view = self.ports.patients.get(patient.id).await?;
        self.derived(view).await
    }

    /// `PUT /api/patients/{id}`. Only the fields that change are written, so concurrent edits of
    /// different fields all stand (the same field: the last write wins). `expected_version` (the
    /// client's `If-Match`) makes the write conditional: a conflict, and nothing written, if the
    /// record changed since the client read it.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %p.user_id, patient_id = %id))]
    pub async fn update(
        &self,
        p: &Principal,
        id: PatientId,
        patch: PatientPatch,
        expected_version: Option<i32>,
    ) -> Result<PatientView, PatientError> {
        let view = self.managed(p, Action::PatientManage, id).await?;
        if expected_version.is_some_and(|v| v != view.patient.version) {
            return Err(crate::common::RepoError::Stale.into());
        }
        let patient = self.patched(p, &view.patient, patch).await?;
        if patient == view.patient {
            return Ok(view);
        }
        let audit = self.entry(p, AuditAction::Update, &patient);
        self.ports
            .patients
            .update(&view.patient, &patient, &audit, expected_version)
            .await?;
        let view = self.ports.patients.get(id).await?;
        self.derived(view).await
    }

    /// Fill what patient views derive from invites and chat sessions at the service's time:
    /// whether an open invite is pending, the screening status (the questionnaire's stage first),
    /// `lastActivity`. One read of each for all of them.
    async fn with_invites(
        &self,
        views: Vec<PatientView>,
    ) -> Result<Vec<PatientView>, PatientError> {
        if views.is_empty() {
            return Ok(views);
        }
        let ids: Vec<PatientId> = views.iter().map(|v| v.patient.id).collect();
        let invites = self.ports.invites.summaries(&ids).await?;
        let chats = self.ports.chats.chat_summaries(&ids).await?;
        Ok(self.filled(PatientPage {
            views,
            invites,
            chats,
        }))
    }

    /// The page's views with their derived fields filled from its summaries (see
    /// [`Self::with_invites`]).
    fn filled(&self, page: PatientPage) -> Vec<PatientView> {
        let PatientPage {
            mut views,
            invites,
            chats,
        } = page;
        if views.is_empty() {
            return views;
        }
        let summaries: HashMap<PatientId, InviteSummary> =
            invites.into_iter().map(|s| (s.patient_id, s)).collect();
        let chats: HashMap<PatientId, ChatSummary> =
            chats.into_iter().map(|c| (c.patient_id, c)).collect();
        let now = to_seconds(self.ports.clock.now());
        for v in &mut views {
            let s = summaries.get(&v.patient.id);
            let chat = chats.get(&v.patient.id);
            let stage = chat.map_or(ChatStage::NotStarted, |c| c.stage);
            v.has_pending_invite = s.is_some_and(|s| s.has_pending_invite(now));
            v.screening_status = InviteSummary::screening_status(s, stage, now);
            v.last_activity = InviteSummary::last_activity(v.patient.updated_at, s)
                .max(chat.map_or(time::Date::MIN, |c| c.last_activity.date()));
        }
        views
    }

    /// One view with its derived fields ([`Self::with_invites`]).
    async fn derived(&self, view: PatientView) -> Result<PatientView, PatientError> {
        let mut views = self.with_invites(vec![view]).await?;
        views
            .pop()
            .ok_or_else(|| PatientError::Unexpected("a view went missing".into()))
    }

    /// The account of patient `id`, which `p` may read (as [`Self::get`]: 404 otherwise), for a
    /// use case that names a patient without showing it (a chat session's start): no patient
    /// data leaves, so no read is audited, and no invite or session summary is derived.
    ///
    /// # Errors
    /// As [`Self::get`].
    pub async fn account_of(
        &self,
        p: &Principal,
        id: PatientId,
    ) -> Result<AccountId, PatientError> {
        Ok(self.readable(p, id).await?.patient.account_id)
    }

    /// The live patient `id` if `p` may read it (its invite-derived fields not filled).
    async fn readable(&self, p: &Principal, id: PatientId) -> Result<PatientView, PatientError> {
        policy::require(p, Action::PatientRead)?;
        let view = self.stored(id).await?;
        let target = Target::owned(Some(view.patient.account_id), UserId(view.patient.id.0));
        policy::authorize(p, Action::PatientRead, target, Entity::Patient)?;
        Ok(view)
    }

    /// The live patient `id` (its invite-derived fields not filled).
    async fn stored(&self, id: PatientId) -> Result<PatientView, PatientError> {
        let patients = &self.ports.patients;
        patients
            .get(id)
            .await
            .map_err(not_found_as(Entity::Patient))
    }

    /// A patient `p` may manage (`action`) (its invite-derived fields not filled).
    async fn managed(
        &self,
        p: &Principal,
        action: Action,
        id: PatientId,
    ) -> Result<PatientView, PatientError> {
        policy::require(p, action)?;
        let view = self.stored(id).await?;
        policy::authorize(
            p,
            action,
            Target::in_account(Some(view.patient.account_id)),
            Entity::Patient,
        )?;
        Ok(view)
    }

    /// `current` with `patch` applied (not yet saved; `updated_at` set when anything changed).
    async fn patched(
        &self,
        p: &Principal,
        current: &Patient,
        patch: PatientPatch,
    ) -> Result<Patient, PatientError> {
        let mut patient = current.clone();
        let set = |slot: &mut Option<String>, v: Patch<String>| match v {
            Patch::Keep => {}
            Patch::Clear => *slot = None,
            Patch::Set(v) => *slot = Some(v),
        };
        if let Some(v) = patch.first_name {
            patient.first_name = v.into_string();
        }
        if let Some(v) = patch.last_name {
            patient.last_name = v.into_string();
        }
        if let Some(v) = patch.email {
            patient.email = v;
        }
        set(&mut patient.phone, patch.phone.map(Phone::into_string));
        set(
            &mut patient.external_id,
            patch.external_id.map(Text::into_string),
        );
        set(&mut patient.notes, patch.notes.map(Text::into_string));
        match patch.date_of_birth.map(BirthDate::date) {
            Patch::Keep => {}
            Patch::Clear => patient.date_of_birth = None,
            Patch::Set(d) => patient.date_of_birth = Some(d),
        }
        if let Some(s) = patch.status {
            patient.status = s;
        }
        match patch.clinician_id {
            Patch::Keep => {}
            Patch::Clear => patient.clinician_id = None,
            Patch::Set(c) => {
                patient.clinician_id = self
                    .resolve_clinician(p, current.account_id, Some(c))
                    .await?;
            }
        }
        if patient != *current {
            patient.updated_at = to_seconds(self.ports.clock.now());
        }
        Ok(patient)
    }

    /// `DELETE /api/patients/{id}`: soft delete (login disabled).
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %p.user_id, patient_id = %id))]
    pub async fn delete(&self, p: &Principal, id: PatientId) -> Result<(), PatientError> {
        let view = self.managed(p, Action::PatientDelete, id).await?;
        let audit = self.entry(p, AuditAction::Delete, &view.patient);
        self.ports
            .patients
            .soft_delete(id, to_seconds(self.ports.clock.now()), &audit)
            .await
            .map_err(not_found_as(Entity::Patient))
    }
}
