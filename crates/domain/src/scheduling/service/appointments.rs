//! Appointments: book, read, change (status, move, fields), cancel, lists, the calendar feed.

use super::{SchedulingService, check_range};
use crate::audit::{AuditAction, AuditEntry, AuditRecords};
use crate::common::{
    AppointmentId, Entity, FieldError, Patch, PatientId, RepoError, UserId, to_seconds,
};
use crate::identity::error::Denial;
use crate::identity::model::Role;
use crate::identity::policy::{self, Action, ListScope, Principal, Target};
use crate::scheduling::error::{BookError, SchedulingConflict, SchedulingError};
use crate::scheduling::mail;
use crate::scheduling::model::{
    Appointment, AppointmentStatus, AppointmentType, AppointmentView, ConfirmationCode, SlotTime,
};
use crate::scheduling::ports::{
    AppointmentFilter, AppointmentPage, AppointmentWrite, PatientRef, StaffRef,
};
use crate::scheduling::rules;
use time::Date;

/// Attempts at a confirmation code unused among the account's active appointments.
const CODE_ATTEMPTS: usize = 5;

/// `POST /api/book_appointment`. Field errors found at the edge travel in `errors`: they are
/// reported after the scope checks (the contract's order: 404, then 422).
#[derive(Debug, Clone, Default)]
pub struct BookAppointment {
    /// The clinician (required).
    pub clinician_id: Option<UserId>,
    /// The patient (required for staff; a patient books for itself).
    pub patient_id: Option<PatientId>,
    /// Date.
    pub date: Option<Date>,
    /// Start time.
    pub time: Option<SlotTime>,
    /// Type (default virtual).
    pub appointment_type: AppointmentType,
    /// Notes.
    pub notes: Option<String>,
    /// Field errors from the edge.
    pub errors: Vec<FieldError>,
}

/// Who hears of a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Notify {
    /// The patient (default true).
    pub patient: bool,
    /// The clinician (default true).
    pub clinician: bool,
}

impl Default for Notify {
    fn default() -> Self {
        Self {
            patient: true,
            clinician: true,
        }
    }
}

/// A change of an appointment: `PUT`, cancel, reschedule.
#[derive(Debug, Clone, Default)]
pub struct AppointmentChange {
    /// New status.
    pub status: Option<AppointmentStatus>,
    /// New date (a move when it differs).
    pub date: Option<Date>,
    /// New time (a move when it differs).
    pub time: Option<SlotTime>,
    /// New type.
    pub appointment_type: Option<AppointmentType>,
    /// Notes.
    pub notes: Patch<String>,
    /// The cancellation reason.
    pub reason: Option<String>,
    /// Emails.
    pub notify: Notify,
    /// Field errors from the edge (reported after the scope checks).
    pub errors: Vec<FieldError>,
    /// The requested status must be a change (`POST /api/appointments/cancel` of a canceled
    /// appointment is a conflict, not a no-op).
    pub strict: bool,
}

/// Filters of a list, as the edge read them.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    /// Statuses (any of).
    pub statuses: Vec<AppointmentStatus>,
    /// `date >= from`.
    pub from: Option<Date>,
    /// `date <= to`.
    pub to: Option<Date>,
}

impl SchedulingService {
    /// `POST /api/book_appointment`.
    pub async fn book(
        &self,
        p: &Principal,
        cmd: BookAppointment,
    ) -> Result<AppointmentView, SchedulingError> {
        policy::require(p, Action::AppointmentUse)?;
        let patient_id = match (p.role, cmd.patient_id) {
            (Role::Patient, None) => Some(PatientId::from(p.user_id)),
            (_, id) => id,
        };
        let patient = self.patient_in_scope(p, patient_id).await?;
        let clinician = self
            .clinician_of(patient.as_ref().map(|x| x.account_id), cmd.clinician_id)
            .await?;
        let mut errors = cmd.errors;
        let (patient, clinician) = match (patient, clinician) {
            (Some(pt), Some(c)) => (pt, c),
            (pt, c) => {
                if pt.is_none() {
                    errors.push(FieldError::missing("patient_id"));
                }
                if c.is_none() {
                    errors.push(FieldError::missing("clinician_id"));
                }
                return Err(SchedulingError::Invalid(errors));
            }
        };
        let (Some(date), Some(time)) = (cmd.date, cmd.time) else {
            missing(&mut errors, cmd.date.is_none(), "date");
            missing(&mut errors, cmd.time.is_none(), "time");
            return Err(SchedulingError::Invalid(errors));
        };
        if !errors.is_empty() {
            return Err(SchedulingError::Invalid(errors));
        }
        let now = to_seconds(self.now());
        let mut appointment = Appointment {
            id: AppointmentId(self.ports.random.uuid()),
            account_id: patient.account_id,
            clinician_id: clinician.id,
            patient_id: patient.id,
            date,
            time,
            duration_minutes: self.settings.duration_minutes,
            appointment_type: cmd.appointment_type,
            status: AppointmentStatus::Scheduled,
            notes: cmd.notes,
            confirmation_code: ConfirmationCode::stored(String::new()),
            cancel_reason: None,
            sequence: 0,
            created_at: now,
            updated_at: now,
        };
        self.check_time(&appointment).await?;
        for _ in 0..CODE_ATTEMPTS {
            appointment.confirmation_code = self.code()?;
            let view = view_of(&appointment, &clinician, &patient);
            let write = self
                .write_of(
                    p,
                    &view,
                    None,
                    true,
                    AuditAction::Create,
                    Notify::default(),
                    mail::Kind::Booked,
                )
                .await?;
            match self.ports.repo.write(&write).await {
                Err(BookError::Repo(RepoError::Duplicate("confirmation_code"))) => continue,
                Err(e) => return Err(e.into()),
                Ok(()) => return Ok(view),
            }
        }
        Err(SchedulingError::Unexpected(
            "no unused confirmation code".into(),
        ))
    }

    /// `GET /api/appointments/{id}`.
    pub async fn get(
        &self,
        p: &Principal,
        id: AppointmentId,
    ) -> Result<AppointmentView, SchedulingError> {
        let view = self.visible(p, id).await?;
        self.audit_read(p.user_id, std::slice::from_ref(&view), None)
            .await?;
        Ok(view)
    }

    /// `PUT /api/appointments/{id}`, cancel, reschedule: a status change, a move, or both.
    pub async fn change(
        &self,
        p: &Principal,
        id: AppointmentId,
        cmd: AppointmentChange,
    ) -> Result<AppointmentView, SchedulingError> {
        let before = self.visible(p, id).await?;
        if !cmd.errors.is_empty() {
            return Err(SchedulingError::Invalid(cmd.errors));
        }
        let old = &before.appointment;
        let date = cmd.date.unwrap_or(old.date);
        let time = cmd.time.unwrap_or(old.time);
        let moved = (date, time) != (old.date, old.time);
        let requested = cmd.status.unwrap_or(if moved {
            AppointmentStatus::Rescheduled
        } else {
            old.status
        });
        let status = if moved {
            AppointmentStatus::Rescheduled
        } else {
            requested
        };
        if moved {
            rules::transition(old.status, AppointmentStatus::Rescheduled)?;
        } else if !rules::transition(old.status, status)? && cmd.strict {
            return Err(SchedulingConflict::Transition {
                from: old.status,
                to: status,
            }
            .into());
        }
        let mut after = old.clone();
        after.date = date;
        after.time = time;
        after.status = status;
        if let Some(t) = cmd.appointment_type {
            after.appointment_type = t;
        }
        match cmd.notes {
            Patch::Keep => {}
            Patch::Clear => after.notes = None,
            Patch::Set(n) => after.notes = Some(n),
        }
        if status == AppointmentStatus::Canceled {
            after.cancel_reason = cmd.reason.or(after.cancel_reason);
        }
        if p.role == Role::Patient && !patient_may(old, &after, moved) {
            return Err(SchedulingError::Denied(Denial::NotPermitted));
        }
        if after == *old {
            return Ok(before);
        }
        if moved {
            self.check_time(&after).await?;
        }
        if moved || status == AppointmentStatus::Canceled {
            after.sequence += 1;
        }
        after.updated_at = to_seconds(self.now());
        let kind = match (moved, status) {
            (true, _) => mail::Kind::Moved,
            (false, AppointmentStatus::Canceled) => mail::Kind::Canceled,
            _ => mail::Kind::None,
        };
        let view = AppointmentView {
            appointment: after,
            ..before.clone()
        };
        let expected = Some((old.status, old.sequence));
        let write = self
            .write_of(
                p,
                &view,
                expected,
                moved,
                AuditAction::Update,
                cmd.notify,
                kind,
            )
            .await?;
        self.ports.repo.write(&write).await?;
        Ok(view)
    }

    /// `GET /api/appointments/clinician/{id}`: any visible user of the account (one that has no
    /// appointments gets an empty list).
    pub async fn for_clinician(
        &self,
        p: &Principal,
        clinician: UserId,
        q: ListQuery,
    ) -> Result<Vec<AppointmentView>, SchedulingError> {
        policy::require(p, Action::AppointmentList)?;
        let staff = self.ports.repo.staff(clinician).await?;
        let staff = staff.ok_or(SchedulingError::NotFound(Entity::User))?;
        policy::authorize(
            p,
            Action::AppointmentList,
            Target::in_account(staff.account_id),
            Entity::User,
        )?;
        check_range(q.from, q.to).map_err(|e| SchedulingError::Invalid(vec![e]))?;
        let scope = staff
            .account_id
            .map_or(ListScope::Nothing, ListScope::Account);
        self.listed(p.user_id, filter(scope, Some(clinician), None, q, None))
            .await
            .map(|pg| pg.appointments)
    }

    /// `GET /api/appointments/patient/{id}`.
    pub async fn for_patient(
        &self,
        p: &Principal,
        patient: PatientId,
        q: ListQuery,
    ) -> Result<Vec<AppointmentView>, SchedulingError> {
        policy::require(p, Action::AppointmentUse)?;
        let patient = self.patient_in_scope(p, Some(patient)).await?;
        let patient = patient.ok_or(SchedulingError::NotFound(Entity::Patient))?;
        check_range(q.from, q.to).map_err(|e| SchedulingError::Invalid(vec![e]))?;
        let scope = ListScope::Account(patient.account_id);
        self.listed(p.user_id, filter(scope, None, Some(patient.id), q, None))
            .await
            .map(|pg| pg.appointments)
    }

    /// `GET /api/organization/appointments` (style D page: `offset`, `limit`).
    #[allow(clippy::too_many_arguments)]
    pub async fn organization(
        &self,
        p: &Principal,
        account: Option<crate::common::AccountId>,
        clinician: Option<UserId>,
        patient: Option<PatientId>,
        q: ListQuery,
        page: (u64, u32),
    ) -> Result<AppointmentPage, SchedulingError> {
        let scope = policy::list_scope(p, Action::AppointmentList, account)?;
        check_range(q.from, q.to).map_err(|e| SchedulingError::Invalid(vec![e]))?;
        self.listed(p.user_id, filter(scope, clinician, patient, q, Some(page)))
            .await
    }

    /// A list, its read audited as `actor`'s.
    pub(super) async fn listed(
        &self,
        actor: UserId,
        f: AppointmentFilter,
    ) -> Result<AppointmentPage, SchedulingError> {
        let page = self.ports.repo.list(&f).await?;
        self.audit_read(actor, &page.appointments, Some(&f)).await?;
        Ok(page)
    }

    /// The appointment if the caller may see it (patients: their own), else 404.
    async fn visible(
        &self,
        p: &Principal,
        id: AppointmentId,
    ) -> Result<AppointmentView, SchedulingError> {
        policy::require(p, Action::AppointmentUse)?;
        let view = self.ports.repo.get(id).await?;
        let view = view.ok_or(SchedulingError::NotFound(Entity::Appointment))?;
        let a = &view.appointment;
        let target = Target::owned(Some(a.account_id), UserId::from(a.patient_id));
        policy::authorize(p, Action::AppointmentUse, target, Entity::Appointment)?;
        Ok(view)
    }

    /// The named patient if the caller may book for or read it (404 otherwise); None if unnamed.
    async fn patient_in_scope(
        &self,
        p: &Principal,
        id: Option<PatientId>,
    ) -> Result<Option<PatientRef>, SchedulingError> {
        let Some(id) = id else { return Ok(None) };
        let patient = self.ports.repo.patient(id).await?;
        let patient = patient.ok_or(SchedulingError::NotFound(Entity::Patient))?;
        let target = Target::owned(Some(patient.account_id), UserId::from(patient.id));
        policy::authorize(p, Action::AppointmentUse, target, Entity::Patient)?;
        Ok(Some(patient))
    }

    /// The named clinician: a live clinician or physician of the patient's account (404).
    async fn clinician_of(
        &self,
        account: Option<crate::common::AccountId>,
        id: Option<UserId>,
    ) -> Result<Option<StaffRef>, SchedulingError> {
        let Some(id) = id else { return Ok(None) };
        let staff = self
            .ports
            .repo
            .staff(id)
            .await?
            .filter(StaffRef::is_clinician);
        match staff {
            Some(s) if account.is_none() || s.account_id == account => Ok(Some(s)),
            _ => Err(SchedulingError::NotFound(Entity::Clinician)),
        }
    }

    /// Past (422), availability (409), conflicts (409) for a booking or a move.
    async fn check_time(&self, a: &Appointment) -> Result<(), SchedulingError> {
        let zone = self.zone(Some(a.account_id)).await?;
        let bookable = self.bookable(a.clinician_id, a.date).await?;
        let day_before = a.date.previous_day().unwrap_or(a.date);
        let day_after = a.date.next_day().unwrap_or(a.date);
        let existing = self
            .ports
            .repo
            .active_around(a.clinician_id, Some(a.patient_id), day_before, day_after)
            .await?;
        rules::check_booking(a, &zone, self.now(), &bookable, &existing)
    }

    fn code(&self) -> Result<ConfirmationCode, SchedulingError> {
        (0..4)
            .find_map(|_| ConfirmationCode::from_random(&self.ports.random.bytes(16)))
            .ok_or_else(|| SchedulingError::Unexpected("randomness ran dry".into()))
    }

    #[allow(clippy::too_many_arguments)]
    async fn write_of(
        &self,
        p: &Principal,
        view: &AppointmentView,
        expected: Option<(AppointmentStatus, u32)>,
        claims_time: bool,
        action: AuditAction,
        notify: Notify,
        kind: mail::Kind,
    ) -> Result<AppointmentWrite, SchedulingError> {
        let a = &view.appointment;
        let mut emails = Vec::new();
        if self.settings.mail_enabled && kind != mail::Kind::None {
            let zone = self.zone(Some(a.account_id)).await?;
            let staff = self.ports.repo.staff(a.clinician_id).await?;
            if notify.patient {
                emails.push(mail::email(
                    kind,
                    view,
                    &zone,
                    &view.patient_email,
                    a.updated_at,
                ));
            }
            if let (true, Some(s)) = (notify.clinician, staff) {
                emails.push(mail::email(kind, view, &zone, &s.email, a.updated_at));
            }
        }
        Ok(AppointmentWrite {
            appointment: a.clone(),
            expected,
            claims_time,
            audit: AuditEntry {
                id: self.ports.random.uuid(),
                at: a.updated_at,
                actor_id: Some(p.user_id),
                action,
                record_type: "appointment",
                records: AuditRecords::One(a.id.0),
                account_id: Some(a.account_id),
            },
            mail: emails,
        })
    }

    async fn audit_read(
        &self,
        actor: UserId,
        views: &[AppointmentView],
        f: Option<&AppointmentFilter>,
    ) -> Result<(), SchedulingError> {
        let records = match (views, f) {
            ([one], None) => AuditRecords::One(one.appointment.id.0),
            _ => AuditRecords::Many {
                ids: views.iter().map(|v| v.appointment.id.0).collect(),
                query: f.map(|f| format!("{{\"page\":{:?}}}", f.page)),
            },
        };
        let account = views.first().map(|v| v.appointment.account_id);
        let entry = AuditEntry {
            id: self.ports.random.uuid(),
            at: to_seconds(self.now()),
            actor_id: Some(actor),
            action: AuditAction::Read,
            record_type: "appointment",
            records,
            account_id: account,
        };
        Ok(self.ports.audit.record(vec![entry]).await?)
    }
}

fn missing(errors: &mut Vec<FieldError>, absent: bool, field: &str) {
    if absent && !errors.iter().any(|e| e.loc.first() == Some(&field.into())) {
        errors.push(FieldError::missing(field));
    }
}

/// A patient may cancel or move its own appointment, nothing else.
fn patient_may(old: &Appointment, after: &Appointment, moved: bool) -> bool {
    let status_ok = after.status == old.status
        || after.status == AppointmentStatus::Canceled
        || (moved && after.status == AppointmentStatus::Rescheduled);
    status_ok && after.notes == old.notes && after.appointment_type == old.appointment_type
}

fn view_of(a: &Appointment, c: &StaffRef, p: &PatientRef) -> AppointmentView {
    AppointmentView {
        appointment: a.clone(),
        clinician_name: c.name.clone(),
        patient_first_name: p.first_name.clone(),
        patient_last_name: p.last_name.clone(),
        patient_email: p.email.clone(),
    }
}

pub(super) fn filter(
    scope: ListScope,
    clinician_id: Option<UserId>,
    patient_id: Option<PatientId>,
    q: ListQuery,
    page: Option<(u64, u32)>,
) -> AppointmentFilter {
    AppointmentFilter {
        scope,
        clinician_id,
        patient_id,
        statuses: q.statuses,
        from: q.from,
        to: q.to,
        page,
    }
}
