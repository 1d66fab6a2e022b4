//! Patient use cases: list, create (one, bulk, CSV rows), read, update, delete.

use super::model::{Patient, PatientStatus, PatientView};
use super::ports::{PatientFilter, PatientRepository};
use crate::audit::{AuditAction, AuditEntry, AuditLog};
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

    /// Record who touched which patients (ids only).
    async fn audit<'a>(
        &self,
        p: &Principal,
        action: AuditAction,
        patients: impl IntoIterator<Item = &'a Patient>,
    ) -> Result<(), DomainError> {
        let at = to_seconds(self.clock.now());
        let actor = (!p.user_id.0.is_nil()).then_some(p.user_id);
        let patients: Vec<&Patient> = patients.into_iter().collect();
        let entries = match patients.as_slice() {
            [] => Vec::new(),
            [one] => vec![AuditEntry {
                id: self.random.uuid(),
                at,
                actor_id: actor,
                action,
                record_type: "patient",
                record_id: one.id.0.to_string(),
                account_id: Some(one.account_id),
            }],
            // A list or an import is one entry naming every record (space-separated ids), so that
            // a page of 1000 patients costs one insert, not 1000.
            many => vec![AuditEntry {
                id: self.random.uuid(),
                at,
                actor_id: actor,
                action,
                record_type: "patients",
                record_id: many
                    .iter()
                    .map(|p| p.id.0.to_string())
                    .collect::<Vec<_>>()
                    .join(" "),
                account_id: many
                    .first()
                    .map(|p| p.account_id)
                    .filter(|a| many.iter().all(|p| p.account_id == *a)),
            }],
        };
        Ok(self.audit.record(entries).await?)
    }

    /// `GET /api/patients`.
    pub async fn list(
        &self,
        p: &Principal,
        account_id: Option<AccountId>,
        mut filter: PatientFilter,
    ) -> Result<Vec<PatientView>, DomainError> {
        filter.scope = policy::list_scope(p, Action::PatientManage, account_id)?;
        let rows = self.patients.list(&filter).await?;
        self.audit(p, AuditAction::Read, rows.iter().map(|v| &v.patient))
            .await?;
        Ok(rows)
    }

    /// `GET /api/patients/{id}`.
    pub async fn get(&self, p: &Principal, id: PatientId) -> Result<PatientView, DomainError> {
        policy::require(p, Action::PatientRead)?;
        let view = self.patients.get(id).await.map_err(patient_not_found)?;
        let target = Target::owned(Some(view.patient.account_id), UserId(view.patient.id.0));
        policy::authorize(p, Action::PatientRead, target, "Patient")?;
        self.audit(p, AuditAction::Read, [&view.patient]).await?;
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
        let c = self
            .users
            .get(id)
            .await
            .map_err(|_| DomainError::NotFound("Clinician"))?;
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
        let notes = text(&mut errors, "notes", input.notes.as_deref(), 5000, false);
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
                })
            }
            _ => Err(errors),
        }
    }

    /// `POST /api/patients`.
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
        self.patients.insert(&patient).await.map_err(conflict)?;
        self.audit(p, AuditAction::Create, [&patient]).await?;
        Ok(self.patients.get(patient.id).await?)
    }

    /// `POST /api/patients/import-csv` and `POST /api/patients/bulk`: valid rows are created,
    /// invalid rows and duplicates reported; `first_row` numbers the first item (2 for a CSV
    /// whose header is row 1, 1 for a bulk list).
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
        let mut report = ImportReport::default();
        let mut created = Vec::new();
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
                Ok(mut patient) => {
                    let clinician = match own_clinician {
                        Some(c) => self
                            .resolve_clinician(p, account, Some(&c))
                            .await
                            .map_err(|e| describe(&e)),
                        None => Ok(default_clinician),
                    };
                    match clinician {
                        Err(e) => Err(e),
                        Ok(c) => {
                            patient.clinician_id = c;
                            match self.patients.insert(&patient).await.map_err(conflict) {
                                Ok(()) => Ok(patient),
                                Err(DomainError::Conflict(m)) => Err(m),
                                Err(e) => return Err(e),
                            }
                        }
                    }
                }
            };
            match outcome {
                Ok(patient) => {
                    report.successful_count += 1;
                    if report.sample_patients.len() < 5 {
                        report
                            .sample_patients
                            .push(self.patients.get(patient.id).await?);
                    }
                    created.push(patient);
                }
                Err(error) => {
                    report.failed_count += 1;
                    report.errors.push(ImportError {
                        row: row_no,
                        email,
                        error,
                    });
                }
            }
        }
        self.audit(p, AuditAction::Create, &created).await?;
        Ok(report)
    }

    /// `PUT /api/patients/{id}`.
    pub async fn update(
        &self,
        p: &Principal,
        id: PatientId,
        patch: PatientPatch,
    ) -> Result<PatientView, DomainError> {
        policy::require(p, Action::PatientManage)?;
        let view = self.patients.get(id).await.map_err(patient_not_found)?;
        let account = view.patient.account_id;
        policy::authorize(
            p,
            Action::PatientManage,
            Target::in_account(Some(account)),
            "Patient",
        )?;
        let mut patient = view.patient.clone();
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
            Patch::Set(v) => patient.notes = text(&mut errors, "notes", Some(&v), 5000, false),
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
        if patient == view.patient {
            return Ok(view);
        }
        patient.updated_at = to_seconds(self.clock.now());
        self.patients.update(&patient).await.map_err(conflict)?;
        self.audit(p, AuditAction::Update, [&patient]).await?;
        Ok(self.patients.get(id).await?)
    }

    /// `DELETE /api/patients/{id}`: soft delete (login disabled).
    pub async fn delete(&self, p: &Principal, id: PatientId) -> Result<(), DomainError> {
        policy::require(p, Action::PatientDelete)?;
        let view = self.patients.get(id).await.map_err(patient_not_found)?;
        policy::authorize(
            p,
            Action::PatientDelete,
            Target::in_account(Some(view.patient.account_id)),
            "Patient",
        )?;
        self.patients
            .soft_delete(id, to_seconds(self.clock.now()))
            .await
            .map_err(patient_not_found)?;
        self.audit(p, AuditAction::Delete, [&view.patient]).await
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
