//! Patient use cases: list, create (one, bulk, CSV rows), read, update, delete.

use super::model::{Patient, PatientStatus, PatientView};
use super::ports::{PatientFilter, PatientRepository};
use crate::audit::{AuditAction, AuditEntry, AuditLog, AuditRecords};
use crate::common::validate::{self, text};
use crate::common::{
    AccountId, Clock, DomainError, EARLIEST_BIRTH_YEAR, FieldError, Patch, PatientId, Random,
    RepoError, UserId, to_seconds,
};
use crate::identity::model::{Email, email_field};
use crate::identity::policy::{self, Action, Principal, Target};
use crate::identity::ports::{AccountRepository, UserRepository};
use std::sync::Arc;

/// Most rows one import or bulk call may carry.
pub const MAX_IMPORT_ROWS: usize = 5000;

/// The fields of a patient as a client sends them (JSON body, bulk item or CSV row), before
/// validation. Strings are raw; empty means absent.
#[derive(Debug, Clone, Default)]
pub struct PatientInput {
    /// Required, 1..100.
    pub first_name: Option<String>,
    /// Required, 1..100.
    pub last_name: Option<String>,
    /// Required.
    pub email: Option<String>,
    /// Optional.
    pub phone: Option<String>,
    /// Optional, at most 100.
    pub external_id: Option<String>,
    /// `YYYY-MM-DD`.
    pub date_of_birth: Option<String>,
    /// A clinician/physician of the account.
    pub clinician_id: Option<String>,
    /// At most 5000.
    pub notes: Option<String>,
    /// Default active.
    pub status: Option<String>,
}

/// `PUT /api/patients/{id}`.
#[derive(Debug, Clone, Default)]
pub struct PatientPatch {
    /// Given name.
    pub first_name: Patch<String>,
    /// Family name.
    pub last_name: Patch<String>,
    /// Email.
    pub email: Patch<String>,
    /// Phone.
    pub phone: Patch<String>,
    /// External id.
    pub external_id: Patch<String>,
    /// Date of birth.
    pub date_of_birth: Patch<String>,
    /// Clinician.
    pub clinician_id: Patch<String>,
    /// Notes.
    pub notes: Patch<String>,
    /// Status.
    pub status: Patch<String>,
}

/// One failed row of an import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportError {
    /// Spreadsheet row number (header = 1) or 1-based item number for bulk.
    pub row: usize,
    /// The row's email as given.
    pub email: Option<String>,
    /// What was wrong.
    pub error: String,
}

/// The result of an import or bulk create.
#[derive(Debug, Clone, Default)]
pub struct ImportReport {
    /// Rows created.
    pub successful_count: usize,
    /// Rows refused.
    pub failed_count: usize,
    /// Why.
    pub errors: Vec<ImportError>,
    /// Up to five created patients.
    pub sample_patients: Vec<PatientView>,
}

/// Patient use cases.
#[derive(Clone)]
pub struct PatientService {
    patients: Arc<dyn PatientRepository>,
    users: Arc<dyn UserRepository>,
    accounts: Arc<dyn AccountRepository>,
    clock: Arc<dyn Clock>,
    random: Arc<dyn Random>,
    audit: Arc<dyn AuditLog>,
}

fn parse_dob(errors: &mut Vec<FieldError>, raw: &str, today: time::Date) -> Option<time::Date> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    match time::Date::parse(raw.trim(), &fmt) {
        Err(_) => {
            errors.push(FieldError::body(
                "date_of_birth",
                "date must be YYYY-MM-DD",
                "value_error.date",
            ));
            None
        }
        Ok(d) if d > today => {
            errors.push(FieldError::body(
                "date_of_birth",
                "date of birth cannot be in the future",
                "value_error.date",
            ));
            None
        }
        Ok(d) if d.year() < EARLIEST_BIRTH_YEAR => {
            errors.push(FieldError::body(
                "date_of_birth",
                "date of birth cannot be before 1900-01-01",
                "value_error.date",
            ));
            None
        }
        Ok(d) => Some(d),
    }
}

fn parse_status(errors: &mut Vec<FieldError>, raw: &str) -> Option<PatientStatus> {
    PatientStatus::parse(raw).or_else(|| {
        errors.push(FieldError::body(
            "status",
            "status must be one of active, inactive, archived, pending",
            "type_error.enum",
        ));
        None
    })
}

fn conflict(e: RepoError) -> DomainError {
    match e {
        RepoError::Duplicate("email") => {
            DomainError::Conflict("A patient with this email already exists".into())
        }
        RepoError::Duplicate("external_id") => {
            DomainError::Conflict("A patient with this external id already exists".into())
        }
        other => other.into(),
    }
}

impl PatientService {
    /// Wire the service.
    #[must_use]
    pub fn new(
        patients: Arc<dyn PatientRepository>,
        users: Arc<dyn UserRepository>,
        accounts: Arc<dyn AccountRepository>,
        clock: Arc<dyn Clock>,
        random: Arc<dyn Random>,
        audit: Arc<dyn AuditLog>,
    ) -> Self {
        Self {
            patients,
            users,
            accounts,
            clock,
            random,
            audit,
        }
    }

    /// The account a new patient lands in (policy rules 2.2.4/2.2.5), which must be live: a
    /// super_admin naming a deleted or unknown account gets 404, not a patient in limbo.
    async fn live_account(
        &self,
        p: &Principal,
        requested: Option<AccountId>,
    ) -> Result<AccountId, DomainError> {
        let account = policy::target_account(p, requested)?;
        self.accounts.get(account).await.map_err(|e| match e {
            RepoError::NotFound => DomainError::NotFound("Account"),
            other => other.into(),
        })?;
        Ok(account)
    }

    /// The audit entry of one patient (ids only).
    fn entry(&self, p: &Principal, action: AuditAction, patient: &Patient) -> AuditEntry {
        AuditEntry {
            id: self.random.uuid(),
            at: to_seconds(self.clock.now()),
            actor_id: (!p.user_id.0.is_nil()).then_some(p.user_id),
            action,
            record_type: "patient",
            records: AuditRecords::One(patient.id.0),
            account_id: Some(patient.account_id),
        }
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
        AuditEntry {
            id: self.random.uuid(),
            at: to_seconds(self.clock.now()),
            actor_id: (!p.user_id.0.is_nil()).then_some(p.user_id),
            action,
            record_type: "patient",
            records: AuditRecords::Many {
                ids: patients.iter().map(|p| p.id.0).collect(),
                query,
            },
            account_id,
        }
    }

    /// `GET /api/patients`. The read is audited as one entry: the ids shown, their number and
    /// the filters (a search term only as `"search": true`).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn list(
        &self,
        p: &Principal,
        account_id: Option<AccountId>,
        mut filter: PatientFilter,
    ) -> Result<Vec<PatientView>, DomainError> {
        filter.scope = policy::list_scope(p, Action::PatientManage, account_id)?;
        let rows = self.patients.list(&filter).await?;
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
            self.audit.record(vec![entry]).await?;
        }
        Ok(rows)
    }

    /// `GET /api/patients/{id}`.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn get(&self, p: &Principal, id: PatientId) -> Result<PatientView, DomainError> {
        policy::require(p, Action::PatientRead)?;
        let view = self.patients.get(id).await.map_err(patient_not_found)?;
        let target = Target::owned(Some(view.patient.account_id), UserId(view.patient.id.0));
        policy::authorize(p, Action::PatientRead, target, "Patient")?;
        self.audit
            .record(vec![self.entry(p, AuditAction::Read, &view.patient)])
            .await?;
        let mut view = view;
        if !policy::sees_staff_notes(p) {
            view.patient.notes = None;
        }
        Ok(view)
    }

    /// The clinician a patient gets: the one named (a clinician/physician of the account: 404
    /// outside it, 422 of the wrong role), else the caller when it is one.
    async fn resolve_clinician(
        &self,
        p: &Principal,
        account: AccountId,
        raw: Option<&str>,
    ) -> Result<Option<UserId>, DomainError> {
        let Some(raw) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
            let caller_is_provider = p.role.is_provider() && p.account_id == Some(account);
            return Ok(caller_is_provider.then_some(p.user_id));
        };
        let id = UserId::parse(raw).ok_or(DomainError::NotFound("Clinician"))?;
        let c = self.users.get(id).await.map_err(|e| match e {
            RepoError::NotFound => DomainError::NotFound("Clinician"),
            // An outage is a 503, never disguised as a missing clinician.
            other => other.into(),
        })?;
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
        Ok(Some(id))
    }

    /// Validate a create body into a record (the clinician is resolved separately).
    fn build(&self, account: AccountId, input: PatientInput) -> Result<Patient, Vec<FieldError>> {
        let now = to_seconds(self.clock.now());
        let mut errors = Vec::new();
        let first_name = text(
            &mut errors,
            "first_name",
            input.first_name.as_deref(),
            100,
            true,
        );
        let last_name = text(
            &mut errors,
            "last_name",
            input.last_name.as_deref(),
            100,
            true,
        );
        let email = email_field(&mut errors, "email", input.email.as_deref());
        let phone = validate::phone(&mut errors, "phone", input.phone.as_deref());
        let external_id = text(
            &mut errors,
            "external_id",
            input.external_id.as_deref(),
            100,
            false,
        );
        let date_of_birth = input
            .date_of_birth
            .filter(|s| !s.trim().is_empty())
            .and_then(|s| parse_dob(&mut errors, &s, now.date()));
        let notes =
            validate::multiline_text(&mut errors, "notes", input.notes.as_deref(), 5000, false);
        let status = match input.status.filter(|s| !s.trim().is_empty()) {
            Some(s) => parse_status(&mut errors, &s),
            None => Some(PatientStatus::Active),
        };
        match (first_name, last_name, email, status) {
            (Some(first_name), Some(last_name), Some(email), Some(status)) if errors.is_empty() => {
                Ok(Patient {
                    id: PatientId(self.random.uuid()),
                    account_id: account,
                    first_name,
                    last_name,
                    email,
                    phone,
                    date_of_birth,
                    external_id,
                    clinician_id: None,
                    status,
                    notes,
                    created_at: now,
                    updated_at: now,
                    version: 1,
                })
            }
            _ => Err(errors),
        }
    }

    /// `POST /api/patients`.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn create(
        &self,
        p: &Principal,
        account_id: Option<AccountId>,
        input: PatientInput,
    ) -> Result<PatientView, DomainError> {
        policy::require(p, Action::PatientManage)?;
        let account = self.live_account(p, account_id).await?;
        let clinician = input.clinician_id.clone();
        let mut patient = self
            .build(account, input)
            .map_err(DomainError::Validation)?;
        patient.clinician_id = self
            .resolve_clinician(p, account, clinician.as_deref())
            .await?;
        let audit = self.entry(p, AuditAction::Create, &patient);
        self.patients
            .insert(&patient, &audit)
            .await
            .map_err(conflict)?;
        Ok(self.patients.get(patient.id).await?)
    }

    /// `POST /api/patients/import-csv` and `POST /api/patients/bulk`: valid rows are created,
    /// invalid rows and duplicates reported; `first_row` numbers the first item (2 for a CSV
    /// whose header is row 1, 1 for a bulk list).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn import(
        &self,
        p: &Principal,
        account_id: Option<AccountId>,
        clinician_id: Option<String>,
        rows: Vec<PatientInput>,
        first_row: usize,
    ) -> Result<ImportReport, DomainError> {
        let numbered = rows
            .into_iter()
            .enumerate()
            .map(|(i, r)| (i + first_row, r))
            .collect();
        self.import_numbered(p, account_id, clinician_id, numbered)
            .await
    }

    /// As `import`, with each row's own number (a CSV's spreadsheet row, which skipped blank
    /// lines and multi-line fields make differ from its index).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn import_numbered(
        &self,
        p: &Principal,
        account_id: Option<AccountId>,
        clinician_id: Option<String>,
        rows: Vec<(usize, PatientInput)>,
    ) -> Result<ImportReport, DomainError> {
        policy::require(p, Action::PatientManage)?;
        let account = self.live_account(p, account_id).await?;
        if rows.len() > MAX_IMPORT_ROWS {
            return Err(DomainError::field(
                "file",
                format!("at most {MAX_IMPORT_ROWS} rows per import"),
                "value_error.too_many_rows",
            ));
        }
        let default_clinician = self
            .resolve_clinician(p, account, clinician_id.as_deref())
            .await?;
        // Validate every row and resolve its clinician first; then insert the valid ones and
        // the audit entry in one transaction (all of it is kept, or none).
        let mut report = ImportReport::default();
        let mut candidates: Vec<(usize, Option<String>, Patient)> = Vec::new();
        for (row_no, mut row) in rows {
            let email = row
                .email
                .clone()
                .map(|e| e.trim().to_owned())
                .filter(|e| !e.is_empty());
            let own_clinician = row.clinician_id.take().filter(|c| !c.trim().is_empty());
            let outcome = match self.build(account, row) {
                Err(errors) => Err(errors
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; ")),
                Ok(mut patient) => match own_clinician {
                    Some(c) => self
                        .resolve_clinician(p, account, Some(&c))
                        .await
                        .map(|c| {
                            patient.clinician_id = c;
                            patient
                        })
                        .map_err(|e| describe(&e)),
                    None => {
                        patient.clinician_id = default_clinician;
                        Ok(patient)
                    }
                },
            };
            match outcome {
                Ok(patient) => candidates.push((row_no, email, patient)),
                Err(error) => report.errors.push(ImportError {
                    row: row_no,
                    email,
                    error,
                }),
            }
        }
        let patients: Vec<Patient> = candidates.iter().map(|(_, _, p)| p.clone()).collect();
        let audit = self.list_entry(p, AuditAction::Create, &patients, None);
        let outcomes = if patients.is_empty() {
            Vec::new()
        } else {
            self.patients.import(&patients, &audit).await?
        };
        let mut created = Vec::new();
        for ((row_no, email, patient), outcome) in candidates.into_iter().zip(outcomes) {
            match outcome.map_err(conflict) {
                Ok(()) => created.push(patient.id),
                Err(DomainError::Conflict(error)) => report.errors.push(ImportError {
                    row: row_no,
                    email,
                    error,
                }),
                Err(e) => return Err(e),
            }
        }
        report.errors.sort_by_key(|e| e.row);
        report.successful_count = created.len();
        report.failed_count = report.errors.len();
        for id in created.into_iter().take(5) {
            report.sample_patients.push(self.patients.get(id).await?);
        }
        Ok(report)
    }

    /// `PUT /api/patients/{id}`. Only the fields that change are written, so concurrent edits of
    /// different fields all stand (the same field: the last write wins). `expected_version` (the
    /// client's `If-Match`) makes the write conditional: 409, and nothing written, if the record
    /// changed since the client read it.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn update(
        &self,
        p: &Principal,
        id: PatientId,
        patch: PatientPatch,
        expected_version: Option<i32>,
    ) -> Result<PatientView, DomainError> {
        policy::require(p, Action::PatientManage)?;
        let view = self.patients.get(id).await.map_err(patient_not_found)?;
        policy::authorize(
            p,
            Action::PatientManage,
            Target::in_account(Some(view.patient.account_id)),
            "Patient",
        )?;
        if expected_version.is_some_and(|v| v != view.patient.version) {
            return Err(RepoError::Stale.into());
        }
        let patient = self.patched(p, &view.patient, patch).await?;
        if patient == view.patient {
            return Ok(view);
        }
        let audit = self.entry(p, AuditAction::Update, &patient);
        self.patients
            .update(&view.patient, &patient, &audit, expected_version)
            .await
            .map_err(conflict)?;
        Ok(self.patients.get(id).await?)
    }

    /// `current` with `patch` applied and validated (not yet saved; `updated_at` set when
    /// anything changed).
    async fn patched(
        &self,
        p: &Principal,
        current: &Patient,
        patch: PatientPatch,
    ) -> Result<Patient, DomainError> {
        let account = current.account_id;
        let mut patient = current.clone();
        let today = to_seconds(self.clock.now()).date();
        let mut errors = Vec::new();
        let mut required =
            |field: &str, patch: Patch<String>, max: usize, slot: &mut String| match patch {
                Patch::Keep => {}
                Patch::Clear => errors.push(FieldError::missing(field)),
                Patch::Set(v) => {
                    if let Some(v) = text(&mut errors, field, Some(&v), max, true) {
                        *slot = v;
                    }
                }
            };
        required("first_name", patch.first_name, 100, &mut patient.first_name);
        required("last_name", patch.last_name, 100, &mut patient.last_name);
        match patch.email {
            Patch::Keep => {}
            Patch::Clear => errors.push(FieldError::missing("email")),
            Patch::Set(e) => match Email::parse(&e) {
                Ok(e) => patient.email = e,
                Err(m) => errors.push(FieldError::body("email", m, "value_error.email")),
            },
        }
        match patch.phone {
            Patch::Keep => {}
            Patch::Clear => patient.phone = None,
            Patch::Set(v) => {
                patient.phone = validate::phone(&mut errors, "phone", Some(&v)).or(patient.phone)
            }
        }
        match patch.external_id {
            Patch::Keep => {}
            Patch::Clear => patient.external_id = None,
            Patch::Set(v) => {
                patient.external_id = text(&mut errors, "external_id", Some(&v), 100, false)
            }
        }
        match patch.date_of_birth {
            Patch::Keep => {}
            Patch::Clear => patient.date_of_birth = None,
            Patch::Set(v) => {
                patient.date_of_birth = parse_dob(&mut errors, &v, today).or(patient.date_of_birth)
            }
        }
        match patch.notes {
            Patch::Keep => {}
            Patch::Clear => patient.notes = None,
            Patch::Set(v) => {
                patient.notes =
                    validate::multiline_text(&mut errors, "notes", Some(&v), 5000, false);
            }
        }
        match patch.status {
            Patch::Keep => {}
            Patch::Clear => errors.push(FieldError::missing("status")),
            Patch::Set(v) => {
                patient.status = parse_status(&mut errors, &v).unwrap_or(patient.status)
            }
        }
        if !errors.is_empty() {
            return Err(DomainError::Validation(errors));
        }
        match patch.clinician_id {
            Patch::Keep => {}
            Patch::Clear => patient.clinician_id = None,
            Patch::Set(c) => {
                patient.clinician_id = self.resolve_clinician(p, account, Some(&c)).await?
            }
        }
        if patient != *current {
            patient.updated_at = to_seconds(self.clock.now());
        }
        Ok(patient)
    }

    /// `DELETE /api/patients/{id}`: soft delete (login disabled).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn delete(&self, p: &Principal, id: PatientId) -> Result<(), DomainError> {
        policy::require(p, Action::PatientDelete)?;
        let view = self.patients.get(id).await.map_err(patient_not_found)?;
        policy::authorize(
            p,
            Action::PatientDelete,
            Target::in_account(Some(view.patient.account_id)),
            "Patient",
        )?;
        let audit = self.entry(p, AuditAction::Delete, &view.patient);
        self.patients
            .soft_delete(id, to_seconds(self.clock.now()), &audit)
            .await
            .map_err(patient_not_found)
    }
}

/// `NotFound` from storage is this patient's 404; anything else stays what it is (a 500 or 503,
/// never disguised as a missing record).
fn patient_not_found(e: RepoError) -> DomainError {
    match e {
        RepoError::NotFound => DomainError::NotFound("Patient"),
        other => other.into(),
    }
}

/// A one-line description of a row failure for an import report.
fn describe(e: &DomainError) -> String {
    match e {
        DomainError::Validation(errs) => errs
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; "),
        DomainError::NotFound(what) => format!("{what} not found"),
        other => other.to_string(),
    }
}
