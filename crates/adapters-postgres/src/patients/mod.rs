//! Patient storage.

mod repository;

use crate::convert::{from_ts, id, parse_id, ts};
use crate::schema::patients;
use crate::sql::Corrupt;
use diesel::prelude::*;
use genascope_domain::common::{AccountId, PatientId, UserId};
use genascope_domain::identity::model::Email;
use genascope_domain::patients::model::{Patient, PatientStatus};
use time::{Date, PrimitiveDateTime};

/// A patient as read.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = patients)]
pub(crate) struct PatientRow {
    id: String,
    account_id: String,
    first_name: String,
    last_name: String,
    email: String,
    phone: Option<String>,
    date_of_birth: Option<Date>,
    external_id: Option<String>,
    clinician_id: Option<String>,
    status: String,
    notes: Option<String>,
    created_at: PrimitiveDateTime,
    updated_at: PrimitiveDateTime,
    version: i32,
}

impl PatientRow {
    pub(crate) fn into_domain(self) -> Result<Patient, Corrupt> {
        Ok(Patient {
            id: PatientId(parse_id(&self.id, "patient id")?),
            account_id: AccountId(parse_id(&self.account_id, "account id")?),
            first_name: self.first_name,
            last_name: self.last_name,
            email: Email::from_trusted(self.email),
            phone: self.phone,
            date_of_birth: self.date_of_birth,
            external_id: self.external_id,
            clinician_id: self
                .clinician_id
                .as_deref()
                .map(|c| parse_id(c, "clinician id").map(UserId))
                .transpose()?,
            status: PatientStatus::parse(&self.status).ok_or(Corrupt("patient status"))?,
            notes: self.notes,
            created_at: from_ts(self.created_at),
            updated_at: from_ts(self.updated_at),
            version: self.version,
        })
    }
}

/// A patient to insert.
#[derive(Debug, Insertable)]
#[diesel(table_name = patients, treat_none_as_default_value = false)]
pub(crate) struct NewPatientRow {
    id: String,
    account_id: String,
    first_name: String,
    last_name: String,
    email: String,
    phone: Option<String>,
    date_of_birth: Option<Date>,
    external_id: Option<String>,
    clinician_id: Option<String>,
    status: String,
    notes: Option<String>,
    created_at: PrimitiveDateTime,
    updated_at: PrimitiveDateTime,
    version: i32,
}

impl From<&Patient> for NewPatientRow {
    fn from(p: &Patient) -> Self {
        Self {
            id: id(p.id.0),
            account_id: id(p.account_id.0),
            first_name: p.first_name.clone(),
            last_name: p.last_name.clone(),
            email: p.email.as_str().to_owned(),
            phone: p.phone.clone(),
            date_of_birth: p.date_of_birth,
            // Never "" (contract §3.3): an empty external id is no external id.
            external_id: p.external_id.clone().filter(|e| !e.is_empty()),
            clinician_id: p.clinician_id.map(|c| id(c.0)),
            status: p.status.as_str().to_owned(),
            notes: p.notes.clone(),
            created_at: ts(p.created_at),
            updated_at: ts(p.updated_at),
            version: p.version,
        }
    }
}

/// The columns an update writes: only those whose value changes (`None` = leave as stored;
/// `Some(None)` = set NULL), so that concurrent edits of other fields are kept.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = patients)]
pub(crate) struct PatientChanges {
    first_name: Option<String>,
    last_name: Option<String>,
    email: Option<String>,
    phone: Option<Option<String>>,
    date_of_birth: Option<Option<Date>>,
    external_id: Option<Option<String>>,
    clinician_id: Option<Option<String>>,
    status: Option<String>,
    notes: Option<Option<String>>,
    updated_at: Option<PrimitiveDateTime>,
}

impl PatientChanges {
    /// What differs between `before` and `after`.
    pub(crate) fn between(before: &Patient, after: &Patient) -> Self {
        let (b, a) = (NewPatientRow::from(before), NewPatientRow::from(after));
        fn changed<T: PartialEq>(b: T, a: T) -> Option<T> {
            (b != a).then_some(a)
        }
        Self {
            first_name: changed(b.first_name, a.first_name),
            last_name: changed(b.last_name, a.last_name),
            email: changed(b.email, a.email),
            phone: changed(b.phone, a.phone),
            date_of_birth: changed(b.date_of_birth, a.date_of_birth),
            external_id: changed(b.external_id, a.external_id),
            clinician_id: changed(b.clinician_id, a.clinician_id),
            status: changed(b.status, a.status),
            notes: changed(b.notes, a.notes),
            updated_at: Some(a.updated_at),
        }
    }
}
