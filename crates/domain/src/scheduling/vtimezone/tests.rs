use super::*;
use crate::common::{AccountId, AppointmentId, PatientId, UserId};
use crate::scheduling::mail;
use crate::scheduling::model::{
    Appointment, AppointmentStatus, AppointmentType, AppointmentView, ConfirmationCode, SlotTime,
};
use time::macros::{date, datetime};

fn zone(name: &str) -> ClinicZone {
    ClinicZone::named(name).unwrap()
}

/// The sub-components of a VTIMEZONE as (kind, DTSTART, FROM, TO, TZNAME).
fn subs(lines: &[String]) -> Vec<(String, String, String, String, String)> {
    let mut out = Vec::new();
    let mut cur: Option<Vec<String>> = None;
    for l in lines {
        match l.as_str() {
            "BEGIN:STANDARD" | "BEGIN:DAYLIGHT" => cur = Some(vec![l[6..].to_owned()]),
            "END:STANDARD" | "END:DAYLIGHT" => {
                let c = cur.take().unwrap();
                let get = |k: &str| {
                    c.iter()
                        .find_map(|x| x.strip_prefix(k))
                        .unwrap_or_default()
                        .to_owned()
                };
                out.push((
                    c[0].clone(),
                    get("DTSTART:"),
                    get("TZOFFSETFROM:"),
                    get("TZOFFSETTO:"),
                    get("TZNAME:"),
                ));
            }
            _ => {
                if let Some(c) = cur.as_mut() {
                    c.push(l.clone());
                }
            }
        }
    }
    out
}

fn sub(
    kind: &str,
    start: &str,
    from: &str,
    to: &str,
    name: &str,
) -> (String, String, String, String, String) {
    (
        kind.into(),
        start.into(),
        from.into(),
        to.into(),
        name.into(),
    )
}

#[test]
fn paris_has_the_rule_in_force_and_each_change_in_the_span() {
    let paris = zone("Europe/Paris");
    let lines = lines(
        &paris,
        datetime!(2030-01-07 08:00 UTC),
        datetime!(2030-12-02 10:00 UTC),
    );
    assert_eq!(lines.first().unwrap(), "BEGIN:VTIMEZONE");
    assert_eq!(lines[1], "TZID:Europe/Paris");
    assert_eq!(lines.last().unwrap(), "END:VTIMEZONE");
    // EU rule: last Sunday of March and of October at 01:00 UTC; DTSTART is the wall clock on
    // the offset before the change.
    assert_eq!(
        subs(&lines),
        [
            sub("STANDARD", "20291028T030000", "+0200", "+0100", "CET"),
            sub("DAYLIGHT", "20300331T020000", "+0100", "+0200", "CEST"),
            sub("STANDARD", "20301027T030000", "+0200", "+0100", "CET"),
        ]
    );
    // A span inside summer time: only the change that started it.
    let summer = lines_of(
        &paris,
        datetime!(2030-06-01 08:00 UTC),
        datetime!(2030-07-01 08:00 UTC),
    );
    assert_eq!(
        subs(&summer),
        [sub("DAYLIGHT", "20300331T020000", "+0100", "+0200", "CEST")]
    );
    // A span starting exactly at a change includes that change.
    let at_change = lines_of(
        &paris,
        datetime!(2030-03-31 01:00 UTC),
        datetime!(2030-04-01 08:00 UTC),
    );
    assert_eq!(subs(&at_change)[0].1, "20300331T020000");
}

fn lines_of(z: &ClinicZone, from: Timestamp, to: Timestamp) -> Vec<String> {
    lines(z, from, to)
}

#[test]
fn kolkata_has_one_standard_and_no_daylight() {
    let kolkata = zone("Asia/Kolkata");
    let lines = lines(
        &kolkata,
        datetime!(2030-01-07 03:30 UTC),
        datetime!(2031-01-07 03:30 UTC),
    );
    let subs = subs(&lines);
    assert_eq!(subs.len(), 1, "{lines:#?}");
    let (kind, _, _, to, name) = &subs[0];
    assert_eq!(
        (kind.as_str(), to.as_str(), name.as_str()),
        ("STANDARD", "+0530", "IST")
    );
}

#[test]
fn utc_is_one_standard_without_change() {
    let lines = lines(
        &ClinicZone::default(),
        datetime!(2030-01-07 09:00 UTC),
        datetime!(2030-08-07 09:00 UTC),
    );
    assert_eq!(
        subs(&lines),
        [sub("STANDARD", "19700101T000000", "+0000", "+0000", "UTC")]
    );
}

#[test]
fn offsets_with_seconds_and_negative_ones() {
    assert_eq!(
        utc_offset(Offset::from_seconds(-(3 * 3600 + 30 * 60)).unwrap()),
        "-0330"
    );
    assert_eq!(utc_offset(Offset::from_seconds(561).unwrap()), "+000921");
}

fn view(d: time::Date, t: &str) -> AppointmentView {
    AppointmentView {
        appointment: Appointment {
            id: AppointmentId(uuid::Uuid::new_v4()),
            account_id: AccountId(uuid::Uuid::new_v4()),
            clinician_id: UserId(uuid::Uuid::new_v4()),
            patient_id: PatientId(uuid::Uuid::new_v4()),
            date: d,
            time: SlotTime::parse(t).unwrap(),
            duration_minutes: 30,
            appointment_type: AppointmentType::Virtual,
            status: AppointmentStatus::Scheduled,
            notes: None,
            confirmation_code: ConfirmationCode::stored("AB12CD".into()),
            cancel_reason: None,
            sequence: 0,
            created_at: datetime!(2029-12-01 00:00 UTC),
            updated_at: datetime!(2029-12-01 00:00 UTC),
        },
        clinician_name: "Clin".into(),
        patient_first_name: "Pat".into(),
        patient_last_name: "Smith".into(),
        patient_email: "pat@mail.org".into(),
    }
}

/// The offset a parsed VTIMEZONE gives a wall-clock time: that of the latest sub-component
/// whose DTSTART (wall clock) is not after it (what a calendar client does).
fn offset_from_parsed(tz: &icalendar::parser::Component<'_>, local: &str) -> String {
    let mut best: Option<(String, String)> = None;
    for c in &tz.components {
        let start = c.find_prop("DTSTART").unwrap().val.as_str().to_owned();
        let to = c.find_prop("TZOFFSETTO").unwrap().val.as_str().to_owned();
        assert!(c.find_prop("TZOFFSETFROM").is_some());
        if start.as_str() <= local && best.as_ref().is_none_or(|(s, _)| start > *s) {
            best = Some((start, to));
        }
    }
    best.unwrap().1
}

/// Feeds and emails parse with an independent iCalendar parser, every TZID they name is
/// defined, and the definition gives each event the offset jiff gives it.
#[test]
fn calendars_parse_and_their_vtimezone_gives_each_event_its_offset() {
    for name in ["Europe/Paris", "Asia/Kolkata", "UTC", "America/New_York"] {
        let z = zone(name);
        let views = [
            view(date!(2030 - 01 - 07), "09:00"),
            view(date!(2030 - 03 - 30), "09:00"),
            view(date!(2030 - 04 - 01), "09:00"),
            view(date!(2030 - 10 - 26), "09:00"),
            view(date!(2030 - 10 - 28), "09:00"),
            view(date!(2030 - 11 - 04), "23:45"),
        ];
        let now = datetime!(2029-12-01 00:00 UTC);
        let feed = mail::feed(&views, &z, now);
        let single = mail::event(&views[2], &z, now);
        for text in [&feed, &single] {
            let unfolded = icalendar::parser::unfold(text);
            let cal = icalendar::parser::read_calendar(&unfolded).unwrap_or_else(|e| panic!("{e}"));
            let tzs: Vec<_> = cal
                .components
                .iter()
                .filter(|c| c.name == "VTIMEZONE")
                .collect();
            assert_eq!(tzs.len(), 1, "{name}: {text}");
            let tz = tzs[0];
            assert_eq!(tz.find_prop("TZID").unwrap().val.as_str(), name);
            assert!(!tz.components.is_empty());
            let events: Vec<_> = cal
                .components
                .iter()
                .filter(|c| c.name == "VEVENT")
                .collect();
            assert!(!events.is_empty());
            for e in events {
                for key in ["DTSTART", "DTEND"] {
                    let p = e.find_prop(key).unwrap();
                    let tzid = p.params.iter().find(|x| x.key == "TZID").unwrap();
                    assert_eq!(
                        tzid.val.as_ref().unwrap().as_str(),
                        name,
                        "{key} names the zone"
                    );
                    let local = p.val.as_str();
                    let civil: jiff::civil::DateTime =
                        jiff::fmt::strtime::parse("%Y%m%dT%H%M%S", local)
                            .unwrap()
                            .to_datetime()
                            .unwrap();
                    let expected = z
                        .tz()
                        .to_ambiguous_zoned_datetime(civil)
                        .compatible()
                        .unwrap()
                        .offset();
                    assert_eq!(
                        offset_from_parsed(tz, local),
                        utc_offset(expected),
                        "{name} {local}"
                    );
                }
            }
        }
    }
    // No events: no zone is named, none is defined.
    let empty = mail::feed(&[], &zone("Europe/Paris"), datetime!(2029-12-01 00:00 UTC));
    assert!(!empty.contains("VTIMEZONE"));
}
