//! The patient list's JSON, written straight from the views (issue #11).
//!
//! [`PatientDto`](crate::routes::dto::PatientDto) copies every field into a `String` of its own
//! (ids and timestamps formatted into fresh allocations, the names cloned, `name` built with
//! `format!`): about ten allocations per row, 10 % of the server's CPU on a 50-row list (perf,
//! docs/performance.md). [`PatientJson`] borrows the view and formats ids, dates and timestamps
//! into stack buffers; the output is byte for byte the DTO's (tested below), and the DTO stays
//! the documented schema and the single-patient responses' type.

use genascope_domain::common::Timestamp;
use genascope_domain::patients::model::PatientView;
use serde::ser::{Serialize, SerializeStruct, Serializer};

/// One row of `GET /api/patients`, serialised as [`PatientDto`](crate::routes::dto::PatientDto).
pub struct PatientJson<'a>(pub &'a PatientView);

/// `2026-12-07T01:02:03Z` into `buf` (RFC 3339, UTC, whole seconds), or `None` for a year
/// outside 0..=9999 (left to the DTO's formatter).
fn ts_into(t: Timestamp, buf: &mut [u8; 20]) -> Option<&str> {
    let t = t.to_offset(time::UtcOffset::UTC);
    date_into(t.date(), (&mut buf[..10]).try_into().ok()?)?;
    buf[10] = b'T';
    two(&mut buf[11..13], t.hour());
    buf[13] = b':';
    two(&mut buf[14..16], t.minute());
    buf[16] = b':';
    two(&mut buf[17..19], t.second());
    buf[19] = b'Z';
    std::str::from_utf8(buf).ok()
}

/// `2026-12-07` into `buf`, or `None` for a year outside 0..=9999.
fn date_into(d: time::Date, buf: &mut [u8; 10]) -> Option<&str> {
    let year = u16::try_from(d.year()).ok().filter(|y| *y <= 9999)?;
    two(&mut buf[0..2], u8::try_from(year / 100).ok()?);
    two(&mut buf[2..4], u8::try_from(year % 100).ok()?);
    buf[4] = b'-';
    two(&mut buf[5..7], u8::from(d.month()));
    buf[7] = b'-';
    two(&mut buf[8..10], d.day());
    std::str::from_utf8(buf).ok()
}

fn two(out: &mut [u8], n: u8) {
    out[0] = b'0' + n / 10 % 10;
    out[1] = b'0' + n % 10;
}

/// A timestamp field: from the stack buffer, or (never in practice) the DTO's `String`.
fn ts_field<S: SerializeStruct>(
    s: &mut S,
    key: &'static str,
    t: Timestamp,
) -> Result<(), S::Error> {
    let mut buf = [0u8; 20];
    match ts_into(t, &mut buf) {
        Some(v) => s.serialize_field(key, v),
        None => s.serialize_field(key, &crate::routes::dto::ts(t)),
    }
}

fn date_field<S: SerializeStruct>(
    s: &mut S,
    key: &'static str,
    d: Option<time::Date>,
) -> Result<(), S::Error> {
    let Some(d) = d else {
        return s.serialize_field(key, &None::<&str>);
    };
    let mut buf = [0u8; 10];
    match date_into(d, &mut buf) {
        Some(v) => s.serialize_field(key, v),
        None => s.serialize_field(key, &crate::routes::dto::date(d)),
    }
}

fn uuid_field<S: SerializeStruct>(
    s: &mut S,
    key: &'static str,
    id: Option<uuid::Uuid>,
) -> Result<(), S::Error> {
    let mut buf = uuid::Uuid::encode_buffer();
    s.serialize_field(key, &id.map(|id| &*id.hyphenated().encode_lower(&mut buf)))
}

/// `"first last"` without building the string: a `Display` serialised with `collect_str`.
struct FullName<'a>(&'a str, &'a str);

impl Serialize for FullName<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&format_args!("{} {}", self.0, self.1))
    }
}

impl Serialize for PatientJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let v = self.0;
        let p = &v.patient;
        // Field names and order as `PatientDto`'s.
        let mut s = serializer.serialize_struct("PatientDto", 19)?;
        uuid_field(&mut s, "id", Some(p.id.0))?;
        uuid_field(&mut s, "account_id", Some(p.account_id.0))?;
        s.serialize_field("first_name", &p.first_name)?;
        s.serialize_field("last_name", &p.last_name)?;
        s.serialize_field("name", &FullName(&p.first_name, &p.last_name))?;
        s.serialize_field("email", p.email.as_str())?;
        s.serialize_field("phone", &p.phone)?;
        date_field(&mut s, "date_of_birth", p.date_of_birth)?;
        s.serialize_field("external_id", &p.external_id)?;
        uuid_field(&mut s, "clinician_id", p.clinician_id.map(|c| c.0))?;
        s.serialize_field("clinician_name", &v.clinician_name)?;
        s.serialize_field("status", p.status.as_str())?;
        s.serialize_field("screening_status", v.screening_status.as_str())?;
        date_field(&mut s, "lastActivity", Some(v.last_activity))?;
        s.serialize_field("has_pending_invite", &v.has_pending_invite)?;
        s.serialize_field("has_login", &v.has_login)?;
        s.serialize_field("notes", &p.notes)?;
        ts_field(&mut s, "created_at", p.created_at)?;
        ts_field(&mut s, "updated_at", p.updated_at)?;
        s.end()
    }
}

/// The list's body: a JSON array of `rows`, in one buffer sized for them up front.
///
/// # Errors
/// Serialisation failed (it cannot for these types; kept as an error, not a panic).
pub fn list_body(rows: &[PatientView]) -> serde_json::Result<Vec<u8>> {
    // ~470 bytes for a row with a few optional fields set.
    let mut out = Vec::with_capacity(64 + rows.len() * 512);
    let mut ser = serde_json::Serializer::new(&mut out);
    ser.collect_seq(rows.iter().map(PatientJson))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::routes::dto::PatientDto;
    use genascope_domain::common::{AccountId, PatientId, UserId};
    use genascope_domain::identity::model::Email;
    use genascope_domain::patients::model::{Patient, PatientStatus, ScreeningStatus};
    use time::macros::{date, datetime};

    fn view(i: u8) -> PatientView {
        let odd = i % 2 == 1;
        PatientView {
            patient: Patient {
                id: PatientId(uuid::Uuid::from_u128(u128::from(i) << 64 | 0xabc)),
                account_id: AccountId(uuid::Uuid::from_u128(0xfeed_0000_0000_0000_0000_0001)),
                first_name: format!("Zoë \"Q\" {i}"),
                last_name: "O'Brien\\\n\u{1}".into(),
                email: Email::from_trusted(format!("p{i}@example.org")),
                phone: odd.then(|| "+1 (555) 010-0000".into()),
                date_of_birth: odd.then_some(date!(1980 - 02 - 29)),
                external_id: odd.then(|| "MRN-7".into()),
                clinician_id: odd.then_some(UserId(uuid::Uuid::from_u128(0x42))),
                status: if odd {
                    PatientStatus::Archived
                } else {
                    PatientStatus::Active
                },
                notes: odd.then(|| "Prefers <email>.".into()),
                created_at: datetime!(2026-01-02 03:04:05.678 UTC),
                updated_at: datetime!(2026-12-31 23:59:59 +02:00),
                version: 3,
            },
            clinician_name: odd.then(|| "Dr. Ünal".into()),
            has_login: odd,
            has_pending_invite: !odd,
            screening_status: if odd {
                ScreeningStatus::ChatCompleted
            } else {
                ScreeningStatus::InviteSent
            },
            last_activity: date!(0999 - 07 - 08),
        }
    }

    #[test]
    fn rows_are_byte_for_byte_the_dto() {
        let rows: Vec<PatientView> = (0..4).map(view).collect();
        let dtos: Vec<PatientDto> = rows.iter().map(PatientDto::from).collect();
        let expected = serde_json::to_vec(&dtos).unwrap();
        assert_eq!(
            String::from_utf8(list_body(&rows).unwrap()).unwrap(),
            String::from_utf8(expected).unwrap()
        );
        assert_eq!(list_body(&[]).unwrap(), b"[]");
    }

    #[test]
    fn dates_and_timestamps_match_the_dto_formatters() {
        for (d, t) in [
            (date!(2024 - 02 - 29), datetime!(2024-02-29 00:00:00 UTC)),
            (date!(0001 - 01 - 01), datetime!(0001-01-01 09:08:07 +03:00)),
            (date!(9999 - 12 - 31), datetime!(9999-12-31 20:59:59 -01:00)),
        ] {
            let mut b = [0u8; 10];
            assert_eq!(date_into(d, &mut b).unwrap(), crate::routes::dto::date(d));
            let mut b = [0u8; 20];
            assert_eq!(ts_into(t, &mut b).unwrap(), crate::routes::dto::ts(t));
        }
    }
}
