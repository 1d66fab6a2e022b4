//! An account's time zone: an IANA name checked against the time-zone database (jiff's), kept
//! with the zone it names. Scheduling turns the clinic's wall clock into instants with it; the
//! `.ics` output describes it (VTIMEZONE).

use super::Timestamp;
use time::Date;

/// A clinic's IANA time zone (default `UTC`): where wall-clock times become instants.
#[derive(Debug, Clone)]
pub struct ClinicZone {
    name: String,
    tz: jiff::tz::TimeZone,
}

impl PartialEq for ClinicZone {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for ClinicZone {}

impl Default for ClinicZone {
    fn default() -> Self {
        Self {
            name: "UTC".into(),
            tz: jiff::tz::TimeZone::UTC,
        }
    }
}

impl ClinicZone {
    /// An IANA name (`Europe/Paris`); unknown names are `None`.
    #[must_use]
    pub fn named(name: &str) -> Option<Self> {
        let name = name.trim();
        jiff::tz::TimeZone::get(name).ok().map(|tz| Self {
            name: name.to_owned(),
            tz,
        })
    }

    /// The IANA name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The zone itself (its offsets and transitions).
    #[must_use]
    pub fn tz(&self) -> &jiff::tz::TimeZone {
        &self.tz
    }

    /// The wall-clock date of an instant in this zone.
    #[must_use]
    pub fn today(&self, now: Timestamp) -> Date {
        let ts = jiff::Timestamp::from_second(now.unix_timestamp()).unwrap_or_default();
        let d = ts.to_zoned_datetime(self.tz.clone()).date();
        Date::from_calendar_date(
            i32::from(d.year()),
            time::Month::try_from(d.month() as u8).unwrap_or(time::Month::January),
            d.day() as u8,
        )
        .unwrap_or(now.date())
    }
}
