//! A patient's login (`POST /api/users` with role `patient`): a user that shares its patient
//! record's id. Identity checks and builds the user (`IdentityService::prepare_user`); this use
//! case ties it to the record, so identity never needs to know patient records.

use super::*;
use crate::identity::error::{IdentityConflict, IdentityError};
use crate::identity::model::{Role, User};
use crate::identity::service::CreateUser;
use crate::patients::ports::PatientLogin;

impl PatientService {
    /// Create a patient's login: it takes the id of the account's patient with the same email,
    /// or comes with a new patient record (same id, audited), stored in one transaction with
    /// the user and its set-password link. A patient that has a login already gets no second.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %p.user_id))]
    pub async fn create_login(&self, p: &Principal, req: CreateUser) -> Result<User, PatientError> {
        if req.role != Role::Patient {
            policy::require(p, Action::UserManage)?;
            return Err(PatientError::field(
                "role",
                "a patient login has the role patient",
                "value_error.role",
            ));
        }
        let prepared = self.identity.prepare_user(p, req).await?;
        let mut login = prepared.user;
        let Some(account) = login.user.account_id else {
            return Err(PatientError::Unexpected(
                "a patient login without an account".into(),
            ));
        };
        let record = match self
            .ports
            .patients
            .find_by_email(account, &login.user.email)
            .await?
        {
            Some((_, true)) => return Err(email_taken()),
            Some((patient, false)) => {
                login.user.id = UserId(patient.id.0);
                None
            }
            None => {
                let patient = record_of(&login.user, account);
                let audit = self.entry(p, AuditAction::Create, &patient);
                Some((patient, audit))
            }
        };
        let user = login.user.clone();
        self.ports
            .patients
            .insert_login(&PatientLogin {
                login,
                record,
                setup: prepared.setup,
            })
            .await
            .map_err(|e| match e {
                crate::common::RepoError::Duplicate("email") => email_taken(),
                other => other.into(),
            })?;
        Ok(user)
    }
}

/// A login's email belongs to another live user (or its patient has a login already).
fn email_taken() -> PatientError {
    IdentityError::Conflict(IdentityConflict::EmailTaken).into()
}

/// The patient record a new patient login comes with: the login's id, names and contact.
fn record_of(user: &User, account: AccountId) -> Patient {
    Patient {
        id: PatientId(user.id.0),
        account_id: account,
        first_name: user.first_name.clone(),
        last_name: user.last_name.clone(),
        email: user.email.clone(),
        phone: user.phone.clone(),
        date_of_birth: None,
        external_id: None,
        clinician_id: user.clinician_id,
        status: PatientStatus::Active,
        notes: None,
        created_at: user.created_at,
        updated_at: user.updated_at,
        version: 1,
    }
}
