//! Scheduling storage: the clinic's zone, explicit and recurring availability, appointments.
//! Rows and their conversions here; the repository in `repository`.

mod feed;
mod repository;

use crate::DbConnection;
use crate::convert::{from_ts, id, parse_id, ts};
use crate::schema::{account_settings, appointments, availability_patterns};
use crate::sql::Corrupt;
use diesel::prelude::*;
use genascope_domain::common::{
    AccountId, AppointmentId, ClinicZone, PatientId, PatternId, UserId,
};
use genascope_domain::scheduling::model::{
    Appointment, AppointmentStatus, AppointmentType, ConfirmationCode, RecurringPattern, SlotSet,
    SlotTime, Weekdays,
};
use time::{Date, PrimitiveDateTime};

/// An account's stored time zone: `UTC` when none was set. Names are checked against the
/// time-zone database before they are stored; one that a later database no longer knows reads
/// as `UTC` too (in account reads and in scheduling alike) rather than failing every read.
pub(crate) fn stored_zone(name: Option<String>) -> ClinicZone {
    name.and_then(|n| ClinicZone::named(&n)).unwrap_or_default()
}

/// Store an account's time zone on `conn` (inside the caller's transaction).
pub(crate) fn write_zone(
    conn: &mut DbConnection,
    account: &str,
    zone: &ClinicZone,
) -> QueryResult<()> {
    diesel::delete(account_settings::table.find(account)).execute(conn)?;
    diesel::insert_into(account_settings::table)
        .values((
            account_settings::account_id.eq(account),
            account_settings::time_zone.eq(zone.name()),
        ))
        .execute(conn)
        .map(drop)
}

/// A slot set as stored: `09:00,10:30` (empty: closed).
pub(crate) fn slots_text(s: &SlotSet) -> String {
    s.times()
        .iter()
        .map(|t| t.hhmm())
        .collect::<Vec<_>>()
        .join(",")
}

/// A stored slot set.
pub(crate) fn parse_slots(s: &str) -> Result<SlotSet, Corrupt> {
    let parts: Vec<&str> = s.split(',').filter(|p| !p.is_empty()).collect();
    SlotSet::parse(&parts).map_err(|_| Corrupt("time_slots"))
}

/// A wall-clock date and time as a naive timestamp.
pub(crate) fn wall(date: Date, t: SlotTime) -> PrimitiveDateTime {
    PrimitiveDateTime::new(date, t.time())
}

#[derive(Queryable, Selectable, Insertable, Debug, Clone)]
#[diesel(table_name = availability_patterns)]
pub(crate) struct PatternRow {
    pub id: String,
    pub account_id: String,
    pub clinician_id: String,
    pub start_date: Date,
    pub end_date: Date,
    pub days: String,
    pub time_slots: String,
}

impl From<&RecurringPattern> for PatternRow {
    fn from(p: &RecurringPattern) -> Self {
        Self {
            id: id(p.id.0),
            account_id: id(p.account_id.0),
            clinician_id: id(p.clinician_id.0),
            start_date: p.start,
            end_date: p.until,
            days: p
                .days
                .numbers()
                .iter()
                .map(u8::to_string)
                .collect::<Vec<_>>()
                .join(","),
            time_slots: slots_text(&p.slots),
        }
    }
}

impl TryFrom<PatternRow> for RecurringPattern {
    type Error = Corrupt;

    fn try_from(r: PatternRow) -> Result<Self, Corrupt> {
        let days: Vec<i64> = r
            .days
            .split(',')
            .map(|d| d.parse().map_err(|_| Corrupt("days")))
            .collect::<Result<_, _>>()?;
        Ok(Self {
            id: PatternId(parse_id(&r.id, "pattern id")?),
            account_id: AccountId(parse_id(&r.account_id, "account id")?),
            clinician_id: UserId(parse_id(&r.clinician_id, "clinician id")?),
            start: r.start_date,
            until: r.end_date,
            days: Weekdays::new(days).map_err(|_| Corrupt("days"))?,
            slots: parse_slots(&r.time_slots)?,
        })
    }
}

#[derive(Queryable, Selectable, Insertable, AsChangeset, Debug, Clone)]
#[diesel(table_name = appointments, treat_none_as_null = true)]
pub(crate) struct AppointmentRow {
    pub id: String,
    pub account_id: String,
    pub clinician_id: String,
    pub patient_id: String,
    pub appointment_date: Date,
    pub start_time: String,
    pub starts_at: PrimitiveDateTime,
    pub ends_at: PrimitiveDateTime,
    pub duration_minutes: i32,
    pub appointment_type: String,
    pub status: String,
    pub notes: Option<String>,
    pub confirmation_code: String,
    pub cancel_reason: Option<String>,
    pub ics_sequence: i32,
    pub created_at: PrimitiveDateTime,
    pub updated_at: PrimitiveDateTime,
}

impl From<&Appointment> for AppointmentRow {
    fn from(a: &Appointment) -> Self {
        let starts = wall(a.date, a.time);
        Self {
            id: id(a.id.0),
            account_id: id(a.account_id.0),
            clinician_id: id(a.clinician_id.0),
            patient_id: id(a.patient_id.0),
            appointment_date: a.date,
            start_time: a.time.hhmm(),
            starts_at: starts,
            ends_at: starts + time::Duration::minutes(i64::from(a.duration_minutes)),
            duration_minutes: i32::from(a.duration_minutes),
            appointment_type: a.appointment_type.as_str().to_owned(),
            status: a.status.as_str().to_owned(),
            notes: a.notes.clone(),
            confirmation_code: a.confirmation_code.as_str().to_owned(),
            cancel_reason: a.cancel_reason.clone(),
            ics_sequence: i32::try_from(a.sequence).unwrap_or(i32::MAX),
            created_at: ts(a.created_at),
            updated_at: ts(a.updated_at),
        }
    }
}

impl TryFrom<AppointmentRow> for Appointment {
    type Error = Corrupt;

    fn try_from(r: AppointmentRow) -> Result<Self, Corrupt> {
        Ok(Self {
            id: AppointmentId(parse_id(&r.id, "appointment id")?),
            account_id: AccountId(parse_id(&r.account_id, "account id")?),
            clinician_id: UserId(parse_id(&r.clinician_id, "clinician id")?),
            patient_id: PatientId(parse_id(&r.patient_id, "patient id")?),
            date: r.appointment_date,
            time: SlotTime::parse(&r.start_time).ok_or(Corrupt("start_time"))?,
            duration_minutes: u16::try_from(r.duration_minutes).map_err(|_| Corrupt("duration"))?,
            appointment_type: AppointmentType::parse(&r.appointment_type)
                .ok_or(Corrupt("appointment_type"))?,
            status: AppointmentStatus::parse(&r.status).ok_or(Corrupt("status"))?,
            notes: r.notes,
            confirmation_code: ConfirmationCode::stored(r.confirmation_code),
            cancel_reason: r.cancel_reason,
            sequence: u32::try_from(r.ics_sequence).map_err(|_| Corrupt("ics_sequence"))?,
            created_at: from_ts(r.created_at),
            updated_at: from_ts(r.updated_at),
        })
    }
}
