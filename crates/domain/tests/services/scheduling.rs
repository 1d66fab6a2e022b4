//! Scheduling use cases over mocked ports (contract §3.9): the check order of a booking,
//! confirmation codes drawn again on a collision, a patient's limits, availability's rules.

use crate::support::{NOW, clock_at, principal_as, random};
use genascope_domain::audit::MockAuditLog;
use genascope_domain::common::{AccountId, AppointmentId, Entity, PatientId, RepoError, UserId};
use genascope_domain::identity::model::Role;
use genascope_domain::scheduling::error::{BookError, SchedulingConflict, SchedulingError};
use genascope_domain::scheduling::model::{
    Appointment, AppointmentStatus, AppointmentType, AppointmentView, ClinicZone, ConfirmationCode,
    SlotSet, SlotTime,
};
use genascope_domain::scheduling::ports::{MockSchedulingRepository, PatientRef, StaffRef};
use genascope_domain::scheduling::service::{
    AppointmentChange, BookAppointment, SchedulingPorts, SchedulingService, SchedulingSettings,
};
use std::sync::{Arc, Mutex};
use time::macros::date;
use uuid::Uuid;

struct World {
    account: AccountId,
    clinician: StaffRef,
    patient: PatientRef,
}

fn world() -> World {
    let account = AccountId(Uuid::new_v4());
    World {
        account,
        clinician: StaffRef {
            id: UserId(Uuid::new_v4()),
            account_id: Some(account),
            name: "Dr Who".into(),
            role: Role::Clinician,
            email: "dr@clinic.org".into(),
        },
        patient: PatientRef {
            id: PatientId(Uuid::new_v4()),
            account_id: account,
            first_name: "Pat".into(),
            last_name: "Smith".into(),
            email: "pat@mail.org".into(),
        },
    }
}

/// A repository that knows `w`, opens 09:00 and 09:30 on every date, and has nothing booked.
fn repo(w: &World) -> MockSchedulingRepository {
    let mut r = MockSchedulingRepository::new();
    let (c, p) = (w.clinician.clone(), w.patient.clone());
    r.expect_staff()
        .returning(move |id| Ok((id == c.id).then(|| c.clone())));
    r.expect_patient()
        .returning(move |id| Ok((id == p.id).then(|| p.clone())));
    r.expect_zone().returning(|_| Ok(ClinicZone::default()));
    let open = SlotSet::parse(&["09:00", "09:30"]).unwrap();
    r.expect_explicit_slots()
        .returning(move |_, _| Ok(Some(open.clone())));
    r.expect_active_around().returning(|_, _, _, _| Ok(vec![]));
    r
}

fn service(r: MockSchedulingRepository) -> SchedulingService {
    let mut audit = MockAuditLog::new();
    audit.expect_record().returning(|_| Ok(()));
    SchedulingService::new(
        SchedulingPorts {
            repo: Arc::new(r),
            audit: Arc::new(audit),
            clock: Arc::new(clock_at(NOW)),
            random: Arc::new(random()),
        },
        SchedulingSettings::default(),
    )
}

fn booking(w: &World, date: time::Date, time: &str) -> BookAppointment {
    BookAppointment {
        clinician_id: Some(w.clinician.id),
        patient_id: Some(w.patient.id),
        date: Some(date),
        time: SlotTime::parse(time),
        ..BookAppointment::default()
    }
}

#[tokio::test]
async fn a_booking_is_written_with_its_mail_and_a_fresh_code_after_a_collision() {
    let w = world();
    let mut r = repo(&w);
    let codes = Arc::new(Mutex::new(Vec::new()));
    let seen = codes.clone();
    r.expect_write().times(2).returning(move |write| {
        let mut seen = seen.lock().unwrap();
        seen.push(write.appointment.confirmation_code.as_str().to_owned());
        assert!(write.claims_time && write.expected.is_none());
        assert_eq!(write.mail.len(), 2, "the patient and the clinician");
        if seen.len() == 1 {
            Err(BookError::Repo(RepoError::Duplicate("confirmation_code")))
        } else {
            Ok(())
        }
    });
    let admin = principal_as(Role::Admin, Some(w.account));
    let view = service(r)
        .book(&admin, booking(&w, date!(2026 - 03 - 11), "09:00"))
        .await
        .unwrap();
    let codes = codes.lock().unwrap().clone();
    assert_eq!(codes.len(), 2);
    assert_ne!(codes[0], codes[1]);
    assert_eq!(view.appointment.confirmation_code.as_str(), codes[1]);
    assert_eq!(view.appointment.status, AppointmentStatus::Scheduled);
}

#[tokio::test]
async fn scope_comes_before_validation_then_past_then_availability() {
    let w = world();
    let svc = service(repo(&w));
    // Another account's admin: the patient is not found, whatever else is wrong.
    let stranger = principal_as(Role::Admin, Some(AccountId(Uuid::new_v4())));
    let mut cmd = booking(&w, date!(2020 - 01 - 01), "25:00");
    cmd.errors = vec![genascope_domain::common::FieldError::new(
        "time",
        "bad",
        "value_error.time",
    )];
    assert_err!(
        svc.book(&stranger, cmd.clone()).await,
        SchedulingError::NotFound(Entity::Patient)
    );
    let admin = principal_as(Role::Admin, Some(w.account));
    assert_err!(svc.book(&admin, cmd).await, SchedulingError::Invalid(e) if e[0].loc == ["time".into()]);
    let past = booking(&w, date!(2026 - 03 - 10), "09:30");
    assert_err!(svc.book(&admin, past).await, SchedulingError::Invalid(e) if e[0].loc == ["date".into()]);
    let closed = booking(&w, date!(2026 - 03 - 11), "10:00");
    assert_err!(
        svc.book(&admin, closed).await,
        SchedulingError::Conflict(SchedulingConflict::NotAvailable)
    );
    // A lab tech may not book at all.
    let lab = principal_as(Role::LabTech, Some(w.account));
    assert_err!(
        svc.book(&lab, booking(&w, date!(2026 - 03 - 11), "09:00"))
            .await,
        SchedulingError::Denied(_)
    );
}

fn stored(w: &World, status: AppointmentStatus) -> AppointmentView {
    AppointmentView {
        appointment: Appointment {
            id: AppointmentId(Uuid::new_v4()),
            account_id: w.account,
            clinician_id: w.clinician.id,
            patient_id: w.patient.id,
            date: date!(2026 - 03 - 11),
            time: SlotTime::parse("09:00").unwrap(),
            duration_minutes: 30,
            appointment_type: AppointmentType::Virtual,
            status,
            notes: None,
            confirmation_code: ConfirmationCode::stored("AB12CD".into()),
            cancel_reason: None,
            sequence: 0,
            created_at: NOW,
            updated_at: NOW,
        },
        clinician_name: w.clinician.name.clone(),
        patient_first_name: "Pat".into(),
        patient_last_name: "Smith".into(),
        patient_email: "pat@mail.org".into(),
    }
}

#[tokio::test]
async fn a_patient_cancels_or_moves_its_own_and_nothing_else() {
    let w = world();
    let view = stored(&w, AppointmentStatus::Scheduled);
    let mut r = repo(&w);
    let v = view.clone();
    r.expect_get().returning(move |_| Ok(Some(v.clone())));
    let writes = Arc::new(Mutex::new(Vec::new()));
    let seen = writes.clone();
    r.expect_write().returning(move |write| {
        seen.lock().unwrap().push(write.clone());
        Ok(())
    });
    let svc = service(r);
    let own = principal_as(Role::Patient, Some(w.account));
    let mut own = own;
    own.user_id = UserId::from(w.patient.id);
    let id = view.appointment.id;
    let confirm = AppointmentChange {
        status: Some(AppointmentStatus::Confirmed),
        ..Default::default()
    };
    assert_err!(
        svc.change(&own, id, confirm).await,
        SchedulingError::Denied(_)
    );
    let moved = AppointmentChange {
        time: SlotTime::parse("09:30"),
        ..Default::default()
    };
    let after = svc.change(&own, id, moved).await.unwrap();
    assert_eq!(after.appointment.status, AppointmentStatus::Rescheduled);
    assert_eq!(
        after.appointment.sequence, 1,
        "a move is a new iCalendar sequence"
    );
    let write = writes.lock().unwrap()[0].clone();
    assert!(write.claims_time);
    assert_eq!(write.expected, Some((AppointmentStatus::Scheduled, 0)));
    // Another patient's appointment is not found.
    let other = principal_as(Role::Patient, Some(w.account));
    let cancel = AppointmentChange {
        status: Some(AppointmentStatus::Canceled),
        ..Default::default()
    };
    assert_err!(
        svc.change(&other, id, cancel).await,
        SchedulingError::NotFound(Entity::Appointment)
    );
}

#[tokio::test]
async fn terminal_statuses_stay_and_a_strict_cancel_of_a_canceled_one_conflicts() {
    let w = world();
    let mut r = repo(&w);
    let v = stored(&w, AppointmentStatus::Canceled);
    r.expect_get().returning(move |_| Ok(Some(v.clone())));
    let svc = service(r);
    let admin = principal_as(Role::Admin, Some(w.account));
    let id = AppointmentId(Uuid::new_v4());
    let same = AppointmentChange {
        status: Some(AppointmentStatus::Canceled),
        ..Default::default()
    };
    assert!(
        svc.change(&admin, id, same.clone()).await.is_ok(),
        "the same status is no change"
    );
    let strict = AppointmentChange {
        strict: true,
        ..same
    };
    assert_err!(
        svc.change(&admin, id, strict).await,
        SchedulingError::Conflict(SchedulingConflict::Transition { .. })
    );
    let confirm = AppointmentChange {
        status: Some(AppointmentStatus::Confirmed),
        ..Default::default()
    };
    assert_err!(
        svc.change(&admin, id, confirm).await,
        SchedulingError::Conflict(_)
    );
}

#[tokio::test]
async fn a_feed_token_is_stored_as_its_digest_and_opens_only_its_clinicians_feed() {
    let w = world();
    let stored = Arc::new(Mutex::new(None::<[u8; 32]>));
    let mut r = repo(&w);
    let keep = stored.clone();
    let clinician = w.clinician.id;
    r.expect_set_feed_token().times(1).returning(move |t| {
        assert_eq!(t.clinician, clinician);
        assert_eq!(t.audit.record_type, "calendar_feed_token");
        *keep.lock().unwrap() = Some(t.digest);
        Ok(())
    });
    let read = stored.clone();
    r.expect_feed_token().returning(move |c| {
        Ok(if c == clinician {
            *read.lock().unwrap()
        } else {
            None
        })
    });
    r.expect_list().returning(|_| {
        Ok(genascope_domain::scheduling::ports::AppointmentPage {
            appointments: vec![],
            total: 0,
        })
    });
    let svc = service(r);
    // Another account's admin: 404, nothing stored; a patient may not.
    let stranger = principal_as(Role::Admin, Some(AccountId(Uuid::new_v4())));
    assert_err!(
        svc.calendar_token(&stranger, w.clinician.id).await,
        SchedulingError::NotFound(Entity::User)
    );
    let admin = principal_as(Role::Admin, Some(w.account));
    let token = svc.calendar_token(&admin, w.clinician.id).await.unwrap();
    let digest = stored.lock().unwrap().unwrap();
    assert!(token.matches(&digest));
    assert_ne!(digest.to_vec(), token.expose().as_bytes().to_vec());
    // The token opens the clinician's feed; anything else is 404 `Clinician`.
    let sub = svc
        .feed_subscriber(w.clinician.id, token.expose())
        .await
        .unwrap();
    assert_eq!(sub.clinician(), w.clinician.id);
    assert!(
        svc.feed_for(&sub)
            .await
            .unwrap()
            .starts_with("BEGIN:VCALENDAR")
    );
    let other = genascope_domain::scheduling::model::FeedToken::from_bytes(&[9; 32]).unwrap();
    for (who, presented) in [
        (w.clinician.id, other.expose().to_owned()),
        (w.clinician.id, String::new()),
        (w.clinician.id, "short".to_owned()),
        (UserId(Uuid::new_v4()), token.expose().to_owned()),
    ] {
        assert_err!(
            svc.feed_subscriber(who, &presented).await,
            SchedulingError::NotFound(Entity::Clinician)
        );
    }
}
