//! Appointment emails and iCalendar (RFC 5545) text: one event per appointment with a stable
//! `UID`, a `SEQUENCE` that grows with every move (and the cancellation), `METHOD:CANCEL` when
//! canceled, times as `DTSTART;TZID=<the clinic's IANA zone>` wall clock, that zone defined by a
//! VTIMEZONE (`vtimezone`). No clinical content.

use super::model::{AppointmentStatus, AppointmentView, ClinicZone, SlotTime};
use super::vtimezone;
use crate::common::Timestamp;
use crate::notify::{Attachment, OutgoingEmail, html_escape};
use time::Date;

/// Which email.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Booked.
    Booked,
    /// Moved.
    Moved,
    /// Canceled.
    Canceled,
    /// No email (a status change other than a cancellation).
    None,
}

/// The email of `kind` about `view` to `to`, with the event (from [`event`], stamped `now`) as
/// an `invite.ics` attachment: `method=REQUEST`, or `method=CANCEL` once canceled.
#[must_use]
pub fn email(
    kind: Kind,
    view: &AppointmentView,
    zone: &ClinicZone,
    to: &str,
    now: Timestamp,
) -> OutgoingEmail {
    let a = &view.appointment;
    let when = format!("{} at {} ({})", a.date, a.time.hhmm(), zone.name());
    let (subject, line) = match kind {
        Kind::Moved => (
            "Your appointment was moved",
            format!("Your appointment is now on {when}."),
        ),
        Kind::Canceled => (
            "Your appointment was canceled",
            format!("Your appointment on {when} was canceled."),
        ),
        Kind::Booked | Kind::None => (
            "Your appointment is booked",
            format!("Your appointment is booked for {when}."),
        ),
    };
    let code = format!("Confirmation code: {}", a.confirmation_code.as_str());
    OutgoingEmail {
        to: to.to_owned(),
        subject: subject.to_owned(),
        text: format!("{line}\n{code}\n"),
        html: format!("<p>{}</p><p>{}</p>", html_escape(&line), html_escape(&code)),
        attachments: vec![invite(view, zone, now)],
    }
}

/// The event as the `invite.ics` attachment.
fn invite(view: &AppointmentView, zone: &ClinicZone, now: Timestamp) -> Attachment {
    let method = if view.appointment.status == AppointmentStatus::Canceled {
        "CANCEL"
    } else {
        "REQUEST"
    };
    Attachment {
        filename: "invite.ics".to_owned(),
        content_type: format!("text/calendar; method={method}; charset=UTF-8"),
        content: event(view, zone, now),
    }
}

/// The single-event calendar of an email about `view`: REQUEST, or CANCEL when canceled.
#[must_use]
pub fn event(view: &AppointmentView, zone: &ClinicZone, now: Timestamp) -> String {
    let canceled = view.appointment.status == AppointmentStatus::Canceled;
    calendar(
        std::slice::from_ref(view),
        zone,
        now,
        Some(canceled),
        "Genetic counselling appointment",
    )
}

/// A clinician's feed: every appointment given, patient as first name and initial only.
#[must_use]
pub fn feed(views: &[AppointmentView], zone: &ClinicZone, now: Timestamp) -> String {
    calendar(views, zone, now, None, "")
}

/// `method`: `Some(true)` CANCEL, `Some(false)` REQUEST, `None` a published feed.
fn calendar(
    views: &[AppointmentView],
    zone: &ClinicZone,
    now: Timestamp,
    method: Option<bool>,
    summary: &str,
) -> String {
    let mut out = String::new();
    let mut line = |s: &str| {
        out.push_str(&fold(s));
        out.push_str("\r\n");
    };
    line("BEGIN:VCALENDAR");
    line("VERSION:2.0");
    line("PRODID:-//genascope//scheduling//EN");
    line("CALSCALE:GREGORIAN");
    match method {
        Some(true) => line("METHOD:CANCEL"),
        Some(false) => line("METHOD:REQUEST"),
        None => line("METHOD:PUBLISH"),
    }
    // The zone every DTSTART/DTEND names, defined for the span of the events.
    let span = views.iter().map(|v| {
        let a = &v.appointment;
        let end = add_minutes(a.date, a.time, a.duration_minutes);
        (zone.instant(a.date, a.time), zone.instant(end.0, end.1))
    });
    let span = span.reduce(|(s1, e1), (s2, e2)| (s1.min(s2), e1.max(e2)));
    if let Some((from, to)) = span {
        for l in vtimezone::lines(zone, from, to) {
            line(&l);
        }
    }
    for v in views {
        let a = &v.appointment;
        let end = add_minutes(a.date, a.time, a.duration_minutes);
        let summary = if summary.is_empty() {
            let initial = v
                .patient_last_name
                .chars()
                .next()
                .map(|c| format!(" {c}."))
                .unwrap_or_default();
            format!("Appointment: {}{initial}", v.patient_first_name)
        } else {
            summary.to_owned()
        };
        line("BEGIN:VEVENT");
        line(&format!("UID:{}@genascope", a.id));
        line(&format!("SEQUENCE:{}", a.sequence));
        line(&format!("DTSTAMP:{}", utc(now)));
        line(&format!(
            "DTSTART;TZID={}:{}",
            zone.name(),
            local(a.date, a.time)
        ));
        line(&format!(
            "DTEND;TZID={}:{}",
            zone.name(),
            local(end.0, end.1)
        ));
        line(&format!("SUMMARY:{}", escape(&summary)));
        let status = if a.status == AppointmentStatus::Canceled {
            "CANCELLED"
        } else {
            "CONFIRMED"
        };
        line(&format!("STATUS:{status}"));
        line("END:VEVENT");
    }
    line("END:VCALENDAR");
    out
}

fn add_minutes(date: Date, t: SlotTime, minutes: u16) -> (Date, SlotTime) {
    let total = t.minutes() + minutes;
    let days = total / 1440;
    let date = if days > 0 {
        date.next_day().unwrap_or(date)
    } else {
        date
    };
    (date, SlotTime::from_minutes(total % 1440).unwrap_or(t))
}

fn local(d: Date, t: SlotTime) -> String {
    format!(
        "{:04}{:02}{:02}T{:02}{:02}00",
        d.year(),
        d.month() as u8,
        d.day(),
        t.hour(),
        t.minute()
    )
}

fn utc(t: Timestamp) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        t.year(),
        t.month() as u8,
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// TEXT escaping (RFC 5545 §3.3.11).
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | ';' | ',' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Lines longer than 75 octets are folded (RFC 5545 §3.1), never inside a character.
fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let mut width = 0;
    for c in s.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_long_lines_folded() {
        assert_eq!(escape("a;b,c\\d\ne"), "a\\;b\\,c\\\\d\\ne");
        let long = "X".repeat(160);
        let folded = fold(&long);
        assert!(folded.split("\r\n").all(|l| l.len() <= 75));
        assert_eq!(folded.replace("\r\n ", ""), long);
    }

    #[test]
    fn an_appointment_ending_after_midnight_ends_the_next_day() {
        let (d, t) = add_minutes(
            time::macros::date!(2026 - 01 - 01),
            SlotTime::parse("23:45").unwrap(),
            30,
        );
        assert_eq!((d.day(), t.hhmm()), (2, "00:15".to_owned()));
    }
}
