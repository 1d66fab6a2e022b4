//! The VTIMEZONE component (RFC 5545 §3.6.5) of a clinic's zone: every `TZID` an `.ics` names
//! must be defined in the same calendar. Built from the time-zone database jiff bundles: the
//! transition in force when the first event starts, then every transition until the last one
//! ends, each as its own STANDARD or DAYLIGHT sub-component with the `DTSTART` (wall clock on
//! the old offset), `TZOFFSETFROM` and `TZOFFSETTO` the RFC requires. One sub-component per
//! transition, no RRULE: exact for the span, whatever rule changes the zone went through. A
//! zone that never changes offset (UTC) gets one STANDARD with both offsets equal.

use super::model::ClinicZone;
use crate::common::Timestamp;
use jiff::tz::Offset;

/// Start of the STANDARD of a zone without transitions (any date before every event will do).
const EPOCH_LOCAL: &str = "19700101T000000";

/// The VTIMEZONE of `zone` for events from `from` to `to`, as unfolded content lines.
#[must_use]
pub fn lines(zone: &ClinicZone, from: Timestamp, to: Timestamp) -> Vec<String> {
    let tz = zone.tz();
    let second = |t: Timestamp| jiff::Timestamp::from_second(t.unix_timestamp()).ok();
    let (Some(from), Some(to)) = (second(from), second(to)) else {
        return Vec::new();
    };
    let mut out = vec![
        "BEGIN:VTIMEZONE".to_owned(),
        format!("TZID:{}", zone.name()),
    ];
    // The transition at or before `from` set the offset in force then; `preceding` yields
    // those strictly before its argument, `following` those strictly after.
    let just_after = from
        .checked_add(jiff::SignedDuration::from_secs(1))
        .unwrap_or(from);
    let in_force = tz.preceding(just_after).next();
    let later = tz.following(from).take_while(|t| t.timestamp() <= to);
    let mut any = false;
    for t in in_force.into_iter().chain(later) {
        any = true;
        let at = t.timestamp();
        let before = at
            .checked_sub(jiff::SignedDuration::from_secs(1))
            .map_or(t.offset(), |b| tz.to_offset(b));
        let kind = if t.dst().is_dst() {
            "DAYLIGHT"
        } else {
            "STANDARD"
        };
        sub_component(
            &mut out,
            kind,
            &local(before.to_datetime(at)),
            before,
            t.offset(),
            t.abbreviation(),
        );
    }
    if !any {
        let info = tz.to_offset_info(from);
        let kind = if info.dst().is_dst() {
            "DAYLIGHT"
        } else {
            "STANDARD"
        };
        let offset = info.offset();
        sub_component(
            &mut out,
            kind,
            EPOCH_LOCAL,
            offset,
            offset,
            info.abbreviation(),
        );
    }
    out.push("END:VTIMEZONE".to_owned());
    out
}

fn sub_component(
    out: &mut Vec<String>,
    kind: &str,
    start: &str,
    from: Offset,
    to: Offset,
    name: &str,
) {
    out.push(format!("BEGIN:{kind}"));
    out.push(format!("DTSTART:{start}"));
    out.push(format!("TZOFFSETFROM:{}", utc_offset(from)));
    out.push(format!("TZOFFSETTO:{}", utc_offset(to)));
    // Abbreviations are letters, digits and signs (`CET`, `IST`, `+0530`); anything else is left
    // out rather than escaped.
    if !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '-')
    {
        out.push(format!("TZNAME:{name}"));
    }
    out.push(format!("END:{kind}"));
}

/// `+HHMM`, or `+HHMMSS` when the offset has seconds (RFC 5545 §3.3.14).
fn utc_offset(o: Offset) -> String {
    let s = o.seconds();
    let sign = if s < 0 { '-' } else { '+' };
    let a = s.unsigned_abs();
    let (h, m, sec) = (a / 3600, a % 3600 / 60, a % 60);
    if sec == 0 {
        format!("{sign}{h:02}{m:02}")
    } else {
        format!("{sign}{h:02}{m:02}{sec:02}")
    }
}

/// A wall-clock DATE-TIME (`19700101T000000`).
fn local(dt: jiff::civil::DateTime) -> String {
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}",
        dt.year(),
        dt.month(),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second()
    )
}

#[cfg(test)]
mod tests;
