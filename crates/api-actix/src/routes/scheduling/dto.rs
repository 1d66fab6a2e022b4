//! Scheduling response shapes (contract §3.9) and the lenient readers of its inputs.

use crate::body::{Body, Query, choice};
use crate::routes::dto::{date, ts};
use genascope_domain::common::FieldError;
use genascope_domain::scheduling::model::{
    AppointmentStatus, AppointmentType, AppointmentView, RecurringPattern, SlotTime,
};
use serde::Serialize;
use serde_json::Value;
use time::Date;
use utoipa::ToSchema;

/// An appointment: both `id` and `appointment_id`, both `date` + `time` and `date_time` (the
/// clinic's wall clock written with `Z`, as the frontend expects).
#[derive(Debug, Serialize, ToSchema)]
pub struct AppointmentDto {
    pub appointment_id: String,
    pub id: String,
    pub account_id: String,
    pub clinician_id: String,
    pub clinician_name: String,
    pub patient_id: String,
    pub patient_name: String,
    pub patient_email: String,
    pub date: String,
    pub time: String,
    pub date_time: String,
    pub duration_minutes: u16,
    pub appointment_type: &'static str,
    pub status: &'static str,
    pub notes: Option<String>,
    pub confirmation_code: String,
    pub cancel_reason: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl From<&AppointmentView> for AppointmentDto {
    fn from(v: &AppointmentView) -> Self {
        let a = &v.appointment;
        let d = date(a.date);
        let t = a.time.hhmm();
        Self {
            appointment_id: a.id.to_string(),
            id: a.id.to_string(),
            account_id: a.account_id.to_string(),
            clinician_id: a.clinician_id.to_string(),
            clinician_name: v.clinician_name.clone(),
            patient_id: a.patient_id.to_string(),
            patient_name: v.patient_name(),
            patient_email: v.patient_email.clone(),
            date_time: format!("{d}T{t}:00Z"),
            date: d,
            time: t,
            duration_minutes: a.duration_minutes,
            appointment_type: a.appointment_type.as_str(),
            status: a.status.as_str(),
            notes: a.notes.clone(),
            confirmation_code: a.confirmation_code.as_str().to_owned(),
            cancel_reason: a.cancel_reason.clone(),
            created_at: ts(a.created_at),
            updated_at: ts(a.updated_at),
        }
    }
}

/// A recurring pattern.
#[derive(Debug, Serialize, ToSchema)]
pub struct PatternDto {
    pub pattern_id: String,
    pub clinician_id: String,
    pub start_date: String,
    pub end_date: String,
    pub days: Vec<u8>,
    pub time_slots: Vec<String>,
}

impl From<&RecurringPattern> for PatternDto {
    fn from(p: &RecurringPattern) -> Self {
        Self {
            pattern_id: p.id.to_string(),
            clinician_id: p.clinician_id.to_string(),
            start_date: date(p.start),
            end_date: date(p.until),
            days: p.days.numbers().to_vec(),
            time_slots: p.slots.times().iter().map(|t| t.hhmm()).collect(),
        }
    }
}

/// `YYYY-MM-DD`.
#[must_use]
pub fn parse_date(s: &str) -> Option<Date> {
    let s = s.trim();
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year: i32 = s[..4].parse().ok()?;
    let month: u8 = s[5..7].parse().ok()?;
    let day: u8 = s[8..].parse().ok()?;
    Date::from_calendar_date(year, time::Month::try_from(month).ok()?, day).ok()
}

/// A date field (value already read); a bad one names `field`.
pub fn date_field(errors: &mut Vec<FieldError>, field: &str, raw: Option<String>) -> Option<Date> {
    let raw = raw?;
    let d = parse_date(&raw);
    if d.is_none() {
        errors.push(FieldError::new(
            field,
            "must be a date YYYY-MM-DD",
            "value_error.date",
        ));
    }
    d
}

/// A time field; a bad one names `field`.
pub fn time_field(
    errors: &mut Vec<FieldError>,
    field: &str,
    raw: Option<String>,
) -> Option<SlotTime> {
    let raw = raw?;
    let t = SlotTime::parse(&raw);
    if t.is_none() {
        errors.push(FieldError::new(
            field,
            "must be a time HH:MM (00:00 to 23:59)",
            "value_error.time",
        ));
    }
    t
}

/// A date field of the body under `key`.
pub fn body_date(errors: &mut Vec<FieldError>, body: &Body, key: &str) -> Option<Date> {
    let raw = body.string(errors, &[key]);
    date_field(errors, key, raw)
}

/// A time field of the body under `key`.
pub fn body_time(errors: &mut Vec<FieldError>, body: &Body, key: &str) -> Option<SlotTime> {
    let raw = body.string(errors, &[key]);
    time_field(errors, key, raw)
}

/// `appointment_type` (aliases `in_person`, `home_visit`).
pub fn type_field(errors: &mut Vec<FieldError>, body: &Body) -> Option<AppointmentType> {
    let raw = body.string(errors, &["appointment_type"])?;
    choice(
        errors,
        "appointment_type",
        &raw,
        AppointmentType::parse,
        "must be one of virtual, in-person, home-visit",
    )
}

/// `status` (aliases `cancelled`, `no_show`) from a raw value.
pub fn status_value(errors: &mut Vec<FieldError>, raw: &str) -> Option<AppointmentStatus> {
    choice(
        errors,
        "status",
        raw,
        AppointmentStatus::parse,
        "must be one of scheduled, confirmed, completed, canceled, rescheduled, no-show",
    )
}

/// A comma-listed `status` filter.
pub fn status_filter(errors: &mut Vec<FieldError>, q: &Query) -> Vec<AppointmentStatus> {
    q.get(&["status"])
        .map(|raw| {
            raw.split(',')
                .filter(|s| !s.trim().is_empty())
                .filter_map(|s| status_value(errors, s))
                .collect()
        })
        .unwrap_or_default()
}

/// A text field of at most `max` characters.
pub fn text_field(
    errors: &mut Vec<FieldError>,
    body: &Body,
    key: &str,
    max: usize,
) -> Option<String> {
    let s = body.string(errors, &[key])?;
    if s.chars().count() > max {
        errors.push(FieldError::new(
            key,
            format!("must be at most {max} characters"),
            "value_error.any_str.max_length",
        ));
        return None;
    }
    Some(s)
}

/// `time_slots`: a list of strings (required).
pub fn slot_list(errors: &mut Vec<FieldError>, body: &Body) -> Option<Vec<String>> {
    match body.0.get("time_slots") {
        None | Some(Value::Null) => {
            errors.push(FieldError::missing("time_slots"));
            None
        }
        Some(Value::Array(items)) => Some(
            items
                .iter()
                .map(|v| match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect(),
        ),
        Some(_) => {
            errors.push(FieldError::new(
                "time_slots",
                "must be a list of times HH:MM",
                "type_error.list",
            ));
            None
        }
    }
}

/// `recurring_days`: a list of integers (numbers or numeric strings).
pub fn day_list(errors: &mut Vec<FieldError>, body: &Body) -> Option<Vec<i64>> {
    match body.0.get("recurring_days") {
        None | Some(Value::Null) => None,
        Some(Value::Array(items)) => {
            let days: Option<Vec<i64>> = items
                .iter()
                .map(|v| match v {
                    Value::Number(n) => n.as_i64(),
                    Value::String(s) => s.trim().parse().ok(),
                    _ => None,
                })
                .collect();
            if days.is_none() {
                errors.push(FieldError::new(
                    "recurring_days",
                    "must be a list of integers 0..6",
                    "type_error.integer",
                ));
            }
            days
        }
        Some(_) => {
            errors.push(FieldError::new(
                "recurring_days",
                "must be a list of integers 0..6",
                "type_error.list",
            ));
            None
        }
    }
}
