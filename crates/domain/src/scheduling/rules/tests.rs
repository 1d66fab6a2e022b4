use super::*;
use crate::common::{AccountId, AppointmentId, PatientId, PatternId, UserId};
use crate::scheduling::model::{AppointmentType, ConfirmationCode, Weekdays};
use proptest::prelude::*;
use time::macros::{date, datetime};
use uuid::Uuid;

fn t(s: &str) -> SlotTime {
    SlotTime::parse(s).unwrap()
}

fn uid(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

fn appt(id: u128, clinician: u128, patient: u128, d: Date, at: SlotTime) -> Appointment {
    Appointment {
        id: AppointmentId(uid(id)),
        account_id: AccountId(uid(1)),
        clinician_id: UserId(uid(clinician)),
        patient_id: PatientId(uid(patient)),
        date: d,
        time: at,
        duration_minutes: 30,
        appointment_type: AppointmentType::Virtual,
        status: AppointmentStatus::Scheduled,
        notes: None,
        confirmation_code: ConfirmationCode::stored("ABC123".into()),
        cancel_reason: None,
        sequence: 0,
        created_at: datetime!(2026-01-01 00:00 UTC),
        updated_at: datetime!(2026-01-01 00:00 UTC),
    }
}

fn pattern(start: Date, until: Date, days: Vec<i64>, slots: &[&str]) -> RecurringPattern {
    RecurringPattern {
        id: PatternId(Uuid::new_v4()),
        account_id: AccountId(uid(1)),
        clinician_id: UserId(uid(2)),
        start,
        until,
        days: Weekdays::new(days).unwrap(),
        slots: SlotSet::parse(slots).unwrap(),
    }
}

#[test]
fn an_explicit_set_wins_over_patterns_and_an_empty_one_closes_the_date() {
    let monday = date!(2026 - 03 - 30);
    let ps = [
        pattern(
            date!(2026 - 03 - 01),
            date!(2026 - 04 - 30),
            vec![0],
            &["09:00", "10:00"],
        ),
        pattern(
            date!(2026 - 03 - 01),
            date!(2026 - 04 - 30),
            vec![0, 1],
            &["09:00", "14:00"],
        ),
        pattern(
            date!(2026 - 04 - 01),
            date!(2026 - 04 - 30),
            vec![0],
            &["16:00"],
        ),
    ];
    let union = bookable(None, &ps, monday);
    assert_eq!(union, [t("09:00"), t("10:00"), t("14:00")]);
    assert_eq!(
        bookable(None, &ps, date!(2026 - 03 - 31)),
        [t("09:00"), t("14:00")]
    );
    assert_eq!(bookable(None, &ps, date!(2026 - 04 - 01)), []); // a Wednesday
    let explicit = SlotSet::parse(&["11:00"]).unwrap();
    assert_eq!(bookable(Some(&explicit), &ps, monday), [t("11:00")]);
    assert_eq!(bookable(Some(&SlotSet::default()), &ps, monday), []);
}

#[test]
fn a_pattern_counts_its_first_date_only_on_its_weekdays() {
    let p = pattern(
        date!(2026 - 03 - 29),
        date!(2026 - 04 - 12),
        vec![0, 2],
        &["09:00"],
    );
    // 2026-03-29 is a Sunday: not counted.
    assert_eq!(
        p.dates(),
        [
            date!(2026 - 03 - 30),
            date!(2026 - 04 - 01),
            date!(2026 - 04 - 06),
            date!(2026 - 04 - 08)
        ]
    );
}

#[test]
fn the_status_table() {
    use AppointmentStatus as S;
    let allowed: &[(S, &[S])] = &[
        (
            S::Scheduled,
            &[
                S::Confirmed,
                S::Completed,
                S::Canceled,
                S::NoShow,
                S::Rescheduled,
            ],
        ),
        (
            S::Confirmed,
            &[S::Completed, S::Canceled, S::NoShow, S::Rescheduled],
        ),
        (
            S::Rescheduled,
            &[
                S::Scheduled,
                S::Confirmed,
                S::Completed,
                S::Canceled,
                S::NoShow,
                S::Rescheduled,
            ],
        ),
        (S::Completed, &[]),
        (S::Canceled, &[]),
        (S::NoShow, &[]),
    ];
    for (from, tos) in allowed {
        for to in S::ALL {
            let got = transition(*from, to);
            if *from == to && to != S::Rescheduled {
                assert_eq!(got, Ok(false), "{from:?} -> {to:?} is no change");
            } else if tos.contains(&to) {
                assert_eq!(got, Ok(true), "{from:?} -> {to:?}");
            } else {
                assert!(
                    matches!(got, Err(SchedulingConflict::Transition { .. })),
                    "{from:?} -> {to:?}"
                );
            }
        }
    }
}

#[test]
fn conflicts_name_the_clinician_first_and_ignore_self_and_inactive() {
    let d = date!(2026 - 05 - 04);
    let c = appt(10, 2, 3, d, t("09:00"));
    let same_clinician = appt(11, 2, 4, d, t("09:15"));
    let same_patient = appt(12, 5, 3, d, t("08:45"));
    assert_eq!(
        conflict(&c, &[same_patient.clone(), same_clinician.clone()]),
        Some(SchedulingConflict::SlotBooked)
    );
    assert_eq!(
        conflict(&c, std::slice::from_ref(&same_patient)),
        Some(SchedulingConflict::PatientBusy)
    );
    let adjacent = appt(13, 2, 3, d, t("09:30"));
    assert_eq!(conflict(&c, &[adjacent, c.clone()]), None);
    let mut canceled = same_clinician;
    canceled.status = AppointmentStatus::Canceled;
    assert_eq!(conflict(&c, &[canceled]), None);
}

#[test]
fn the_check_order_is_past_then_availability_then_conflicts() {
    let zone = ClinicZone::default();
    let d = date!(2026 - 05 - 04);
    let c = appt(10, 2, 3, d, t("09:00"));
    let taken = [appt(11, 2, 4, d, t("09:00"))];
    let now = datetime!(2026-05-04 09:00 UTC);
    // Past beats everything else.
    assert!(
        matches!(check_booking(&c, &zone, now, &[], &taken), Err(SchedulingError::Invalid(e)) if e[0].loc == ["date".into()])
    );
    let earlier = datetime!(2026-05-04 08:59 UTC);
    assert!(matches!(
        check_booking(&c, &zone, earlier, &[t("10:00")], &taken),
        Err(SchedulingError::Conflict(SchedulingConflict::NotAvailable))
    ));
    assert!(matches!(
        check_booking(&c, &zone, earlier, &[t("09:00")], &taken),
        Err(SchedulingError::Conflict(SchedulingConflict::SlotBooked))
    ));
    assert!(check_booking(&c, &zone, earlier, &[t("09:00")], &[]).is_ok());
}

#[test]
fn in_the_future_is_judged_in_the_clinic_zone() {
    let paris = ClinicZone::named("Europe/Paris").unwrap();
    let c = appt(10, 2, 3, date!(2026 - 10 - 26), t("09:00"));
    // 09:00 in Paris on 2026-10-26 (winter time) is 08:00Z.
    let before = datetime!(2026-10-26 07:59 UTC);
    let after = datetime!(2026-10-26 08:00 UTC);
    assert!(check_booking(&c, &paris, before, &[t("09:00")], &[]).is_ok());
    assert!(check_booking(&c, &paris, after, &[t("09:00")], &[]).is_err());
    // In UTC it would still be an hour away.
    assert!(check_booking(&c, &ClinicZone::default(), after, &[t("09:00")], &[]).is_ok());
}

proptest! {
    /// However bookings, moves and cancellations arrive, accepting only those the conflict rule
    /// lets through never leaves two overlapping active appointments of one clinician or one
    /// patient.
    #[test]
    fn no_sequence_double_books(ops in prop::collection::vec((0u8..3, 0u128..3, 0u128..4, 0u16..20, 0usize..40), 1..60)) {
        let d = date!(2026 - 06 - 01);
        let mut booked: Vec<Appointment> = Vec::new();
        for (n, (op, clinician, patient, quarter, pick)) in ops.into_iter().enumerate() {
            let at = SlotTime::from_minutes(8 * 60 + quarter * 15).unwrap();
            match op {
                0 => {
                    let c = appt(1000 + n as u128, 100 + clinician, 200 + patient, d, at);
                    if conflict(&c, &booked).is_none() {
                        booked.push(c);
                    }
                }
                1 if !booked.is_empty() => {
                    let i = pick % booked.len();
                    let mut moved = booked[i].clone();
                    moved.time = at;
                    if transition(moved.status, AppointmentStatus::Rescheduled).is_ok() && conflict(&moved, &booked).is_none() {
                        moved.status = AppointmentStatus::Rescheduled;
                        booked[i] = moved;
                    }
                }
                _ if !booked.is_empty() => {
                    let i = pick % booked.len();
                    if transition(booked[i].status, AppointmentStatus::Canceled).is_ok() {
                        booked[i].status = AppointmentStatus::Canceled;
                    }
                }
                _ => {}
            }
            let active: Vec<&Appointment> = booked.iter().filter(|a| a.status.is_active()).collect();
            for (i, a) in active.iter().enumerate() {
                for b in &active[i + 1..] {
                    let shared = a.clinician_id == b.clinician_id || a.patient_id == b.patient_id;
                    prop_assert!(!(shared && overlaps(a, b)), "{a:?} overlaps {b:?}");
                }
            }
        }
    }
}
