//! Imports (`POST /api/patients/import-csv`, `POST /api/patients/bulk`): the rows that can be
//! created are, in one transaction with one audit entry; the others are reported with why.

use super::*;
use crate::common::FieldError;
use crate::patients::error::PatientConflict;

/// Most rows one import or bulk call may carry.
pub const MAX_IMPORT_ROWS: usize = 5000;

/// One row of an import as the edge read it: a patient, or the fields that kept it from being
/// one (the row is reported, never created).
#[derive(Debug, Clone)]
pub struct ImportRow {
    /// Spreadsheet row number (header = 1) or 1-based item number for bulk.
    pub row: usize,
    /// The row's email as given.
    pub email: Option<String>,
    /// The patient, or its field errors.
    pub patient: Result<NewPatient, Vec<FieldError>>,
}

/// Why one row was not created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowFailure {
    /// Its fields break rules (as read, or its clinician's role).
    Invalid(Vec<FieldError>),
    /// Its clinician is not one of the account.
    NotFound(Entity),
    /// Another patient of the account has its email or external id.
    Conflict(PatientConflict),
}

/// One failed row of an import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportError {
    /// Spreadsheet row number (header = 1) or 1-based item number for bulk.
    pub row: usize,
    /// The row's email as given.
    pub email: Option<String>,
    /// What was wrong.
    pub failure: RowFailure,
}

/// The result of an import or bulk create.
#[derive(Debug, Clone, Default)]
pub struct ImportReport {
    /// Rows created.
    pub successful_count: usize,
    /// Rows refused.
    pub failed_count: usize,
    /// Why, by row.
    pub errors: Vec<ImportError>,
    /// Up to five created patients.
    pub sample_patients: Vec<PatientView>,
}

/// A row that passed every check: its number, email as given, and record.
type Candidate = (usize, Option<String>, Patient);

impl PatientService {
    /// `POST /api/patients/import-csv` and `POST /api/patients/bulk`: valid rows are created,
    /// invalid rows and duplicates reported. `default_clinician` is the clinician of rows that
    /// name none.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %p.user_id, account_id = ?account_id.map(|i| i.0), user_id = ?default_clinician.map(|i| i.0)))]
    pub async fn import(
        &self,
        p: &Principal,
        account_id: Option<AccountId>,
        default_clinician: Option<UserId>,
        rows: Vec<ImportRow>,
    ) -> Result<ImportReport, PatientError> {
        policy::require(p, Action::PatientManage)?;
        let account = self.live_account(p, account_id).await?;
        if rows.len() > MAX_IMPORT_ROWS {
            return Err(PatientError::field(
                "file",
                format!("at most {MAX_IMPORT_ROWS} rows per import"),
                "value_error.too_many_rows",
            ));
        }
        let default_clinician = self
            .resolve_clinician(p, account, default_clinician)
            .await?;
        // Check every row and resolve its clinician first; then insert the valid ones and the
        // audit entry in one transaction (all of it is kept, or none).
        let mut report = ImportReport::default();
        let mut candidates = Vec::new();
        for row in rows {
            match self.candidate(p, account, default_clinician, row).await? {
                Ok(c) => candidates.push(c),
                Err(e) => report.errors.push(e),
            }
        }
        let created = self.insert_candidates(p, candidates, &mut report).await?;
        report.errors.sort_by_key(|e| e.row);
        report.successful_count = created.len();
        report.failed_count = report.errors.len();
        for id in created.into_iter().take(5) {
            report
                .sample_patients
                .push(self.ports.patients.get(id).await?);
        }
        Ok(report)
    }

    /// One row as a record to insert, or why it cannot be one; `Err` only for what fails the
    /// whole import (an outage).
    async fn candidate(
        &self,
        p: &Principal,
        account: AccountId,
        default_clinician: Option<UserId>,
        row: ImportRow,
    ) -> Result<Result<Candidate, ImportError>, PatientError> {
        let ImportRow {
            row,
            email,
            patient,
        } = row;
        let failed = |failure| {
            Ok(Err(ImportError {
                row,
                email: email.clone(),
                failure,
            }))
        };
        let new = match patient {
            Ok(new) => new,
            Err(errors) => return failed(RowFailure::Invalid(errors)),
        };
        let own_clinician = new.clinician_id;
        let mut patient = self.build(account, new);
        patient.clinician_id = match own_clinician {
            None => default_clinician,
            Some(c) => match self.resolve_clinician(p, account, Some(c)).await {
                Ok(c) => c,
                Err(PatientError::Invalid(errors)) => return failed(RowFailure::Invalid(errors)),
                Err(PatientError::NotFound(what)) => return failed(RowFailure::NotFound(what)),
                Err(e) => return Err(e),
            },
        };
        Ok(Ok((row, email, patient)))
    }

    /// Insert the candidates with one audit entry naming those kept; duplicates become row
    /// errors. The ids created, in row order.
    async fn insert_candidates(
        &self,
        p: &Principal,
        candidates: Vec<Candidate>,
        report: &mut ImportReport,
    ) -> Result<Vec<PatientId>, PatientError> {
        if candidates.is_empty() {
            return Ok(Vec::new());
        }
        let patients: Vec<Patient> = candidates.iter().map(|(_, _, p)| p.clone()).collect();
        let audit = self.list_entry(p, AuditAction::Create, &patients, None);
        let outcomes = self.ports.patients.import(&patients, &audit).await?;
        let mut created = Vec::new();
        for ((row, email, patient), outcome) in candidates.into_iter().zip(outcomes) {
            match outcome.map_err(PatientError::from) {
                Ok(()) => created.push(patient.id),
                Err(PatientError::Conflict(c)) => report.errors.push(ImportError {
                    row,
                    email,
                    failure: RowFailure::Conflict(c),
                }),
                Err(e) => return Err(e),
            }
        }
        Ok(created)
    }
}
