//! The scheduling rules, pure: bookable times, the status table, conflicts, and the booking
//! checks in the contract's order (past 422, availability 409, clinician 409, patient 409).

use super::error::{SchedulingConflict, SchedulingError};
use super::model::{
    Appointment, AppointmentStatus, ClinicZone, RecurringPattern, SlotSet, SlotTime,
};
use crate::common::{FieldError, Timestamp};
use time::Date;

/// A clinician's bookable start times on `date`: its explicit slot set for that date if one was
/// set (an empty one closes the date), else the union of its recurring patterns covering it.
#[must_use]
pub fn bookable(
    explicit: Option<&SlotSet>,
    patterns: &[RecurringPattern],
    date: Date,
) -> Vec<SlotTime> {
    if let Some(set) = explicit {
        return set.times().to_vec();
    }
    let mut times: Vec<SlotTime> = patterns
        .iter()
        .filter(|p| p.covers(date))
        .flat_map(|p| p.slots.times().iter().copied())
        .collect();
    times.sort_unstable();
    times.dedup();
    times
}

/// Whether `from` may become `to` (contract §3.9 table): `Ok(false)` for the same status (no
/// change), `Ok(true)` for an allowed change, a conflict otherwise. `rescheduled` may become
/// `rescheduled` again (a second move).
pub fn transition(
    from: AppointmentStatus,
    to: AppointmentStatus,
) -> Result<bool, SchedulingConflict> {
    use AppointmentStatus as S;
    if from == to && to != S::Rescheduled {
        return Ok(false);
    }
    let allowed = match from {
        S::Scheduled => matches!(
            to,
            S::Confirmed | S::Completed | S::Canceled | S::NoShow | S::Rescheduled
        ),
        S::Confirmed => matches!(to, S::Completed | S::Canceled | S::NoShow | S::Rescheduled),
        S::Rescheduled => true,
        S::Completed | S::Canceled | S::NoShow => false,
    };
    if allowed {
        Ok(true)
    } else {
        Err(SchedulingConflict::Transition { from, to })
    }
}

/// Whether two appointments occupy overlapping wall-clock time.
#[must_use]
pub fn overlaps(a: &Appointment, b: &Appointment) -> bool {
    a.start_minute() < b.end_minute() && b.start_minute() < a.end_minute()
}

/// The first conflict of `candidate` with `existing` (itself and inactive ones ignored): the
/// clinician's before the patient's.
#[must_use]
pub fn conflict(candidate: &Appointment, existing: &[Appointment]) -> Option<SchedulingConflict> {
    let clashes = |same: &dyn Fn(&Appointment) -> bool| {
        existing.iter().any(|e| {
            e.id != candidate.id && e.status.is_active() && same(e) && overlaps(e, candidate)
        })
    };
    if clashes(&|e| e.clinician_id == candidate.clinician_id) {
        Some(SchedulingConflict::SlotBooked)
    } else if clashes(&|e| e.patient_id == candidate.patient_id) {
        Some(SchedulingConflict::PatientBusy)
    } else {
        None
    }
}

/// The checks of a booking or a move after scope and validation, in the contract's order: the
/// start must be in the future (in the clinic's zone; 422 on `date`), a bookable time of the
/// date (409), and free for the clinician and the patient (409; `existing` holds what storage
/// knows, the repository checks again in its transaction).
pub fn check_booking(
    candidate: &Appointment,
    zone: &ClinicZone,
    now: Timestamp,
    bookable_times: &[SlotTime],
    existing: &[Appointment],
) -> Result<(), SchedulingError> {
    if zone.instant(candidate.date, candidate.time) <= now {
        return Err(SchedulingError::Invalid(vec![FieldError::new(
            "date",
            "the appointment must start in the future",
            "value_error.date.past",
        )]));
    }
    if !bookable_times.contains(&candidate.time) {
        return Err(SchedulingError::Conflict(SchedulingConflict::NotAvailable));
    }
    match conflict(candidate, existing) {
        Some(c) => Err(SchedulingError::Conflict(c)),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests;
