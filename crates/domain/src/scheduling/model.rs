//! Scheduling values that cannot be built invalid: wall-clock slot times and slot sets,
//! weekdays, recurring patterns, statuses, appointment types, confirmation codes, the clinic's
//! time zone, and the appointment itself.

use crate::common::{
    AccountId, AppointmentId, FieldError, PatientId, PatternId, Timestamp, UserId,
};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use time::{Date, Weekday};

/// Most bookable start times a date may hold (contract §3.9).
pub const MAX_SLOTS: usize = 48;
/// Least minutes between two start times of one slot set.
pub const MIN_SLOT_GAP: u16 = 30;
/// Longest span of a recurring pattern and of a date-range filter, in days.
pub const MAX_RANGE_DAYS: i64 = 366;
/// Longest `notes`.
pub const MAX_NOTES: usize = 2000;
/// Longest cancellation `reason`.
pub const MAX_REASON: usize = 500;

/// A wall-clock start time of the clinic, whole minutes (`HH:MM`; `HH:MM:00` accepted).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SlotTime(u16);

impl SlotTime {
    /// `HH:MM` or `HH:MM:00`, 00:00..=23:59; anything else is `None`.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        let (hm, secs) = match s.len() {
            5 => (s, None),
            8 => (&s[..5], Some(&s[5..])),
            _ => return None,
        };
        if secs.is_some_and(|x| x != ":00") {
            return None;
        }
        let (h, m) = hm.split_once(':')?;
        if h.len() != 2 || m.len() != 2 || !h.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
            return None;
        }
        let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
        (h < 24 && m < 60).then_some(Self(h * 60 + m))
    }

    /// From minutes after midnight (< 1440).
    #[must_use]
    pub fn from_minutes(m: u16) -> Option<Self> {
        (m < 24 * 60).then_some(Self(m))
    }

    /// Minutes after midnight.
    #[must_use]
    pub const fn minutes(self) -> u16 {
        self.0
    }

    /// Hour.
    #[must_use]
    pub const fn hour(self) -> u8 {
        (self.0 / 60) as u8
    }

    /// Minute.
    #[must_use]
    pub const fn minute(self) -> u8 {
        (self.0 % 60) as u8
    }

    /// `HH:MM`.
    #[must_use]
    pub fn hhmm(self) -> String {
        format!("{:02}:{:02}", self.hour(), self.minute())
    }

    /// As a `time::Time`.
    #[must_use]
    pub fn time(self) -> time::Time {
        time::Time::from_hms(self.hour(), self.minute(), 0).unwrap_or(time::Time::MIDNIGHT)
    }
}

/// The bookable start times of one date or pattern: 0..=48, sorted, distinct, each at least 30
/// minutes after the previous one.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SlotSet(Vec<SlotTime>);

impl SlotSet {
    /// Parse `time_slots` (de-duplicated and sorted first); every failure names `time_slots`.
    pub fn parse<S: AsRef<str>>(raw: &[S]) -> Result<Self, FieldError> {
        let mut times = Vec::with_capacity(raw.len());
        for (i, s) in raw.iter().enumerate() {
            let t = SlotTime::parse(s.as_ref()).ok_or_else(|| {
                FieldError::new(
                    "time_slots",
                    "must be a time HH:MM (00:00 to 23:59)",
                    "value_error.time",
                )
                .at_index(i)
            })?;
            times.push(t);
        }
        Self::new(times)
    }

    /// A slot set from times (sorted and de-duplicated here).
    pub fn new(mut times: Vec<SlotTime>) -> Result<Self, FieldError> {
        times.sort_unstable();
        times.dedup();
        if times.len() > MAX_SLOTS {
            return Err(FieldError::new(
                "time_slots",
                format!("must hold at most {MAX_SLOTS} times"),
                "value_error.list.max_items",
            ));
        }
        if times
            .windows(2)
            .any(|w| w[1].minutes() - w[0].minutes() < MIN_SLOT_GAP)
        {
            return Err(FieldError::new(
                "time_slots",
                format!("times must be at least {MIN_SLOT_GAP} minutes apart"),
                "value_error.time_slots.gap",
            ));
        }
        Ok(Self(times))
    }

    /// The times, in order.
    #[must_use]
    pub fn times(&self) -> &[SlotTime] {
        &self.0
    }

    /// No time at all (a closed date).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

trait AtIndex {
    fn at_index(self, i: usize) -> Self;
}

impl AtIndex for FieldError {
    fn at_index(mut self, i: usize) -> Self {
        self.loc.push(i.into());
        self
    }
}

/// Weekdays of a recurring pattern, 0 = Monday … 6 = Sunday; non-empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Weekdays(Vec<u8>);

impl Weekdays {
    /// From the numbers sent (sorted, de-duplicated); empty or outside 0..=6 names
    /// `recurring_days`.
    pub fn new(mut days: Vec<i64>) -> Result<Self, FieldError> {
        if days.is_empty() {
            return Err(FieldError::new(
                "recurring_days",
                "must list at least one weekday (0 = Monday … 6 = Sunday)",
                "value_error.list.min_items",
            ));
        }
        if days.iter().any(|d| !(0..=6).contains(d)) {
            return Err(FieldError::new(
                "recurring_days",
                "weekdays are integers 0 (Monday) to 6 (Sunday)",
                "value_error.number.range",
            ));
        }
        days.sort_unstable();
        days.dedup();
        Ok(Self(days.into_iter().map(|d| d as u8).collect()))
    }

    /// The numbers.
    #[must_use]
    pub fn numbers(&self) -> &[u8] {
        &self.0
    }

    /// Whether `date`'s weekday is one of these.
    #[must_use]
    pub fn contains(&self, date: Date) -> bool {
        self.0.contains(&weekday_number(date.weekday()))
    }
}

/// 0 = Monday … 6 = Sunday.
#[must_use]
pub const fn weekday_number(w: Weekday) -> u8 {
    w.number_days_from_monday()
}

/// A clinician's recurring availability: these times on these weekdays from `start` to `until`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecurringPattern {
    /// Id.
    pub id: PatternId,
    /// The clinician's account.
    pub account_id: AccountId,
    /// The clinician.
    pub clinician_id: UserId,
    /// First date.
    pub start: Date,
    /// Last date (inclusive), at most 365 days after `start`.
    pub until: Date,
    /// Weekdays.
    pub days: Weekdays,
    /// Times.
    pub slots: SlotSet,
}

impl RecurringPattern {
    /// Whether the pattern covers `date`.
    #[must_use]
    pub fn covers(&self, date: Date) -> bool {
        self.start <= date && date <= self.until && self.days.contains(date)
    }

    /// The covered dates, in order.
    #[must_use]
    pub fn dates(&self) -> Vec<Date> {
        let mut out = Vec::new();
        let mut d = self.start;
        while d <= self.until {
            if self.days.contains(d) {
                out.push(d);
            }
            match d.next_day() {
                Some(n) => d = n,
                None => break,
            }
        }
        out
    }
}

/// An appointment's status (contract §3.9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AppointmentStatus {
    /// Booked.
    Scheduled,
    /// Confirmed by the clinic.
    Confirmed,
    /// Held (terminal).
    Completed,
    /// Canceled (terminal).
    Canceled,
    /// Moved to another time (active).
    Rescheduled,
    /// The patient did not come (terminal).
    NoShow,
}

impl AppointmentStatus {
    /// Every status.
    pub const ALL: [Self; 6] = [
        Self::Scheduled,
        Self::Confirmed,
        Self::Completed,
        Self::Canceled,
        Self::Rescheduled,
        Self::NoShow,
    ];

    /// Wire name (canonical).
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Scheduled => "scheduled",
            Self::Confirmed => "confirmed",
            Self::Completed => "completed",
            Self::Canceled => "canceled",
            Self::Rescheduled => "rescheduled",
            Self::NoShow => "no-show",
        }
    }

    /// Case-insensitive, with the aliases `cancelled` and `no_show`.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "scheduled" => Some(Self::Scheduled),
            "confirmed" => Some(Self::Confirmed),
            "completed" => Some(Self::Completed),
            "canceled" | "cancelled" => Some(Self::Canceled),
            "rescheduled" => Some(Self::Rescheduled),
            "no-show" | "no_show" | "noshow" => Some(Self::NoShow),
            _ => None,
        }
    }

    /// Occupies its slot (`scheduled`, `confirmed`, `rescheduled`).
    #[must_use]
    pub const fn is_active(self) -> bool {
        matches!(self, Self::Scheduled | Self::Confirmed | Self::Rescheduled)
    }

    /// No transition leaves it.
    #[must_use]
    pub const fn is_terminal(self) -> bool {
        !self.is_active()
    }
}

/// How the appointment is held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AppointmentType {
    /// Video call (default).
    #[default]
    Virtual,
    /// At the clinic.
    InPerson,
    /// At the patient's home.
    HomeVisit,
}

impl AppointmentType {
    /// Wire name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Virtual => "virtual",
            Self::InPerson => "in-person",
            Self::HomeVisit => "home-visit",
        }
    }

    /// Case-insensitive, `_` for `-` accepted.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().replace('_', "-").as_str() {
            "virtual" => Some(Self::Virtual),
            "in-person" => Some(Self::InPerson),
            "home-visit" => Some(Self::HomeVisit),
            _ => None,
        }
    }
}

/// Six characters `[A-Z0-9]`, drawn from the `Random` port.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ConfirmationCode(String);

/// The code alphabet.
const CODE_ALPHABET: &[u8; 36] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

impl ConfirmationCode {
    /// A code from random bytes (rejection sampling keeps every character equally likely).
    /// `None` when the bytes ran out before six characters were drawn.
    #[must_use]
    pub fn from_random(bytes: &[u8]) -> Option<Self> {
        let code: String = bytes
            .iter()
            .filter(|b| **b < 252) // 252 = 7 × 36
            .take(6)
            .map(|b| char::from(CODE_ALPHABET[usize::from(*b % 36)]))
            .collect();
        (code.len() == 6).then_some(Self(code))
    }

    /// A stored code (trusted).
    #[must_use]
    pub fn stored(s: String) -> Self {
        Self(s)
    }

    /// The code.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

pub use crate::common::ClinicZone;

/// Where a clinic's wall clock becomes an instant (scheduling's use of the account's zone).
impl ClinicZone {
    /// The instant of a wall-clock date and time in this zone. A time skipped by a
    /// daylight-saving change counts as the same time on the later offset (RFC 5545 does the
    /// same); a repeated one as its first occurrence.
    #[must_use]
    pub fn instant(&self, date: Date, at: SlotTime) -> Timestamp {
        let civil = jiff::civil::date(
            i16::try_from(date.year()).unwrap_or(9999),
            date.month() as i8,
            date.day() as i8,
        )
        .at(at.hour() as i8, at.minute() as i8, 0, 0);
        let secs = self
            .tz()
            .to_ambiguous_timestamp(civil)
            .compatible()
            .map(jiff::Timestamp::as_second)
            .unwrap_or_default();
        Timestamp::from_unix_timestamp(secs).unwrap_or(Timestamp::UNIX_EPOCH)
    }
}

/// An appointment as stored, with the names it shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appointment {
    /// Id (kept by moves).
    pub id: AppointmentId,
    /// The clinic.
    pub account_id: AccountId,
    /// The clinician or physician.
    pub clinician_id: UserId,
    /// The patient.
    pub patient_id: PatientId,
    /// Wall-clock date.
    pub date: Date,
    /// Wall-clock start time.
    pub time: SlotTime,
    /// Minutes.
    pub duration_minutes: u16,
    /// How it is held.
    pub appointment_type: AppointmentType,
    /// Status.
    pub status: AppointmentStatus,
    /// Notes (≤ 2000 characters).
    pub notes: Option<String>,
    /// Six characters, kept by moves.
    pub confirmation_code: ConfirmationCode,
    /// Why it was canceled.
    pub cancel_reason: Option<String>,
    /// iCalendar SEQUENCE: 0 when booked, +1 on every move and on cancellation.
    pub sequence: u32,
    /// Created.
    pub created_at: Timestamp,
    /// Last changed.
    pub updated_at: Timestamp,
}

impl Appointment {
    /// Wall-clock start, in minutes since 1970-01-01 00:00 of the clinic's calendar (overlap
    /// arithmetic on wall clocks: the clinic's day as its staff sees it).
    #[must_use]
    pub fn start_minute(&self) -> i64 {
        wall_minute(self.date, self.time)
    }

    /// Wall-clock end, same unit.
    #[must_use]
    pub fn end_minute(&self) -> i64 {
        self.start_minute() + i64::from(self.duration_minutes)
    }
}

/// Minutes since 1970-01-01 00:00 of a wall-clock date and time.
#[must_use]
pub fn wall_minute(date: Date, at: SlotTime) -> i64 {
    i64::from(date.to_julian_day() - 2_440_588) * 1440 + i64::from(at.minutes())
}

/// An appointment with its people's names, as lists and the detail show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppointmentView {
    /// The appointment.
    pub appointment: Appointment,
    /// The clinician's display name.
    pub clinician_name: String,
    /// The patient's first name.
    pub patient_first_name: String,
    /// The patient's last name.
    pub patient_last_name: String,
    /// The patient's email.
    pub patient_email: String,
}

impl AppointmentView {
    /// "First Last".
    #[must_use]
    pub fn patient_name(&self) -> String {
        format!("{} {}", self.patient_first_name, self.patient_last_name)
    }
}

/// Bytes of a calendar-feed token.
pub const FEED_TOKEN_BYTES: usize = 32;

/// The secret of a clinician's calendar subscription URL (`calendar.ics?token=…`): 32 bytes
/// from the CSPRNG, base64url without padding on the wire. Storage keeps only its SHA-256
/// ([`FeedToken::digest`]). `Debug` shows nothing; never log [`FeedToken::expose`].
#[derive(Clone)]
pub struct FeedToken {
    raw: [u8; FEED_TOKEN_BYTES],
    text: String,
}

impl FeedToken {
    /// The token of these bytes (`None` unless exactly 32 of them).
    #[must_use]
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        let raw: [u8; FEED_TOKEN_BYTES] = bytes.try_into().ok()?;
        Some(Self {
            raw,
            text: URL_SAFE_NO_PAD.encode(raw),
        })
    }

    /// A token as presented; anything but the canonical encoding of 32 bytes is `None`.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        let bytes = URL_SAFE_NO_PAD.decode(s.trim()).ok()?;
        Self::from_bytes(&bytes)
    }

    /// The text for the URL.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.text
    }

    /// What storage keeps: SHA-256 of the 32 bytes.
    #[must_use]
    pub fn digest(&self) -> [u8; 32] {
        Sha256::digest(self.raw).into()
    }

    /// Whether this token is the one whose digest is `stored`, in constant time.
    #[must_use]
    pub fn matches(&self, stored: &[u8; 32]) -> bool {
        bool::from(self.digest().ct_eq(stored))
    }
}

impl std::fmt::Debug for FeedToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FeedToken(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feed_tokens_round_trip_and_match_only_their_digest() {
        let t = FeedToken::from_bytes(&[7u8; 32]).unwrap();
        assert_eq!(t.expose().len(), 43);
        let again = FeedToken::parse(&format!(" {} ", t.expose())).unwrap();
        assert!(again.matches(&t.digest()));
        let other = FeedToken::from_bytes(&[8u8; 32]).unwrap();
        assert!(!other.matches(&t.digest()));
        assert!(FeedToken::from_bytes(&[7u8; 31]).is_none());
        let padded = format!("{}=", t.expose());
        let not_url_safe = t.expose().replace('B', "+");
        assert_ne!(not_url_safe, t.expose());
        for bad in ["", "abc", &padded, &not_url_safe, &t.expose()[1..]] {
            assert!(FeedToken::parse(bad).is_none(), "{bad}");
        }
        assert_eq!(format!("{t:?}"), "FeedToken(<redacted>)");
    }
    use time::macros::date;

    #[test]
    fn slot_times_parse_strictly() {
        assert_eq!(SlotTime::parse("09:30").map(SlotTime::minutes), Some(570));
        assert_eq!(
            SlotTime::parse("09:30:00").map(SlotTime::minutes),
            Some(570)
        );
        for bad in [
            "25:00", "24:00", "9:30", "09:60", "09:30:15", "", "ab:cd", "09-30",
        ] {
            assert_eq!(SlotTime::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn slot_sets_sort_dedupe_and_keep_their_gap_and_size() {
        let s = SlotSet::parse(&["10:00", "09:00", "10:00"]).unwrap();
        assert_eq!(
            s.times().iter().map(|t| t.hhmm()).collect::<Vec<_>>(),
            ["09:00", "10:00"]
        );
        assert_eq!(
            SlotSet::parse(&["09:00", "09:15"]).unwrap_err().loc,
            vec!["time_slots".into()]
        );
        let ok: Vec<String> = (0..48)
            .map(|i| format!("{:02}:{:02}", i / 2, (i % 2) * 30))
            .collect();
        assert_eq!(SlotSet::parse(&ok).unwrap().times().len(), 48);
        let e = SlotSet::parse(&["25:00"]).unwrap_err();
        assert_eq!(e.loc, vec!["time_slots".into(), 0usize.into()]);
    }

    #[test]
    fn weekdays_are_monday_based_and_non_empty() {
        assert!(Weekdays::new(vec![]).is_err());
        assert!(Weekdays::new(vec![7]).is_err());
        let w = Weekdays::new(vec![0, 0, 4]).unwrap();
        assert_eq!(w.numbers(), [0, 4]);
        assert!(w.contains(date!(2026 - 03 - 30))); // a Monday
        assert!(!w.contains(date!(2026 - 03 - 31)));
    }

    #[test]
    fn statuses_and_types_read_their_aliases() {
        assert_eq!(
            AppointmentStatus::parse("Cancelled"),
            Some(AppointmentStatus::Canceled)
        );
        assert_eq!(
            AppointmentStatus::parse("no_show"),
            Some(AppointmentStatus::NoShow)
        );
        assert_eq!(AppointmentStatus::NoShow.as_str(), "no-show");
        assert_eq!(
            AppointmentType::parse("in_person"),
            Some(AppointmentType::InPerson)
        );
        assert_eq!(AppointmentType::parse("zoom"), None);
    }

    #[test]
    fn codes_draw_from_the_alphabet_without_bias() {
        let c = ConfirmationCode::from_random(&[0, 35, 36, 252, 255, 71, 1, 2]).unwrap();
        assert_eq!(c.as_str(), "A9A9BC"); // 36 wraps to A, 252 and 255 are skipped, 71 is 9
        assert!(ConfirmationCode::from_random(&[255; 10]).is_none());
    }

    #[test]
    fn paris_keeps_nine_local_across_both_changes() {
        let paris = ClinicZone::named("Europe/Paris").unwrap();
        let nine = SlotTime::parse("09:00").unwrap();
        let utc_hour = |d| paris.instant(d, nine).hour();
        // Summer time starts on 2026-03-29 and ends on 2026-10-25.
        assert_eq!(utc_hour(date!(2026 - 03 - 28)), 8);
        assert_eq!(utc_hour(date!(2026 - 03 - 30)), 7);
        assert_eq!(utc_hour(date!(2026 - 10 - 24)), 7);
        assert_eq!(utc_hour(date!(2026 - 10 - 26)), 8);
        // 02:30 does not exist on 2026-03-29: it counts as 03:30 summer time (01:30Z).
        let skipped = paris.instant(date!(2026 - 03 - 29), SlotTime::parse("02:30").unwrap());
        assert_eq!((skipped.hour(), skipped.minute()), (1, 30));
        assert!(ClinicZone::named("Mars/Olympus").is_none());
    }
}
