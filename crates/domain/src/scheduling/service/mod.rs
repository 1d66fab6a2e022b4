//! Scheduling use cases (contract §3.9). Availability here; appointments (book, read, change,
//! cancel, move, lists) in `appointments`; a clinician's calendar feed and its subscription
//! token in `feed`.

mod appointments;
mod feed;

pub use appointments::{AppointmentChange, BookAppointment, ListQuery, Notify};
pub use feed::FeedSubscriber;

use super::error::SchedulingError;
use super::model::{ClinicZone, MAX_RANGE_DAYS, RecurringPattern, SlotSet, SlotTime, Weekdays};
use super::ports::{SchedulingRepository, StaffRef};
use super::rules;
use crate::audit::AuditLog;
use crate::common::{AccountId, Clock, Entity, FieldError, PatternId, Random, Timestamp, UserId};
use crate::identity::model::Role;
use crate::identity::policy::{self, Action, Principal, Target};
use std::sync::Arc;
use time::Date;

/// Settings.
#[derive(Debug, Clone)]
pub struct SchedulingSettings {
    /// Length of every appointment (30 minutes).
    pub duration_minutes: u16,
    /// Whether email goes out at all.
    pub mail_enabled: bool,
}

impl Default for SchedulingSettings {
    fn default() -> Self {
        Self {
            duration_minutes: 30,
            mail_enabled: true,
        }
    }
}

/// The ports scheduling needs.
#[derive(Clone)]
pub struct SchedulingPorts {
    /// Storage.
    pub repo: Arc<dyn SchedulingRepository>,
    /// Audited reads.
    pub audit: Arc<dyn AuditLog>,
    /// Time.
    pub clock: Arc<dyn Clock>,
    /// Ids and confirmation codes.
    pub random: Arc<dyn Random>,
}

/// The scheduling use cases.
#[derive(Clone)]
pub struct SchedulingService {
    ports: SchedulingPorts,
    settings: SchedulingSettings,
}

/// `POST /api/availability/set`.
#[derive(Debug, Clone)]
pub struct SetAvailability {
    /// The clinician (default: the caller when a clinician or physician).
    pub clinician_id: Option<UserId>,
    /// The date (the first date of a pattern).
    pub date: Date,
    /// Times.
    pub slots: SlotSet,
    /// A recurring pattern: its weekdays and last date.
    pub recurring: Option<(Weekdays, Date)>,
}

/// What `set` did.
#[derive(Debug, Clone)]
pub struct AvailabilitySet {
    /// The pattern stored (recurring only).
    pub pattern: Option<RecurringPattern>,
    /// The dates whose bookable times this defines.
    pub dates_affected: Vec<Date>,
}

/// A clinician's bookable times of one date.
#[derive(Debug, Clone)]
pub struct DaySlots {
    /// The clinician.
    pub clinician: StaffRef,
    /// The date.
    pub date: Date,
    /// Each bookable time, and whether it can still be booked (no active appointment on it, not
    /// started).
    pub slots: Vec<(SlotTime, bool)>,
}

impl SchedulingService {
    /// Wire the use cases.
    #[must_use]
    pub fn new(ports: SchedulingPorts, settings: SchedulingSettings) -> Self {
        Self { ports, settings }
    }

    /// The same use cases sending no email (seeding demo data).
    #[must_use]
    pub fn without_mail(&self) -> Self {
        let mut quiet = self.clone();
        quiet.settings.mail_enabled = false;
        quiet
    }

    /// Now, from the clock port.
    #[must_use]
    pub fn now(&self) -> Timestamp {
        self.ports.clock.now()
    }

    /// The clinician named (or the caller when it is one), checked for `action`: a live
    /// clinician or physician in the caller's scope (else 404 `Clinician`).
    async fn clinician(
        &self,
        p: &Principal,
        id: Option<UserId>,
        action: Action,
    ) -> Result<StaffRef, SchedulingError> {
        policy::require(p, action)?;
        let own = matches!(p.role, Role::Clinician | Role::Physician).then_some(p.user_id);
        let Some(id) = id.or(own) else {
            return Err(SchedulingError::Invalid(vec![FieldError::missing(
                "clinician_id",
            )]));
        };
        let staff = self
            .ports
            .repo
            .staff(id)
            .await?
            .filter(StaffRef::is_clinician);
        let staff = staff.ok_or(SchedulingError::NotFound(Entity::Clinician))?;
        let target = Target::owned(staff.account_id, staff.id);
        policy::authorize(p, action, target, Entity::Clinician)?;
        Ok(staff)
    }

    /// The clinic's zone.
    async fn zone(&self, account: Option<AccountId>) -> Result<ClinicZone, SchedulingError> {
        match account {
            Some(a) => Ok(self.ports.repo.zone(a).await?),
            None => Ok(ClinicZone::default()),
        }
    }

    /// The bookable times of a date.
    async fn bookable(
        &self,
        clinician: UserId,
        date: Date,
    ) -> Result<Vec<SlotTime>, SchedulingError> {
        let explicit = self.ports.repo.explicit_slots(clinician, date).await?;
        let patterns = match explicit {
            Some(_) => Vec::new(),
            None => {
                self.ports
                    .repo
                    .patterns(clinician, Some((date, date)))
                    .await?
            }
        };
        Ok(rules::bookable(explicit.as_ref(), &patterns, date))
    }

    /// `GET /api/availability`.
    pub async fn availability(
        &self,
        p: &Principal,
        clinician: Option<UserId>,
        date: Date,
    ) -> Result<DaySlots, SchedulingError> {
        let staff = self
            .clinician(p, clinician, Action::AvailabilityRead)
            .await?;
        let day = self
            .ports
            .repo
            .day(staff.id, staff.account_id, date)
            .await?;
        let times = rules::bookable(day.explicit.as_ref(), &day.patterns, date);
        let (zone, booked) = (day.zone, day.booked);
        let now = self.now();
        let slots = times
            .into_iter()
            .map(|t| {
                let start = super::model::wall_minute(date, t);
                let taken = booked.iter().any(|a| {
                    a.clinician_id == staff.id
                        && a.start_minute() < start + i64::from(self.settings.duration_minutes)
                        && start < a.end_minute()
                });
                (t, !taken && zone.instant(date, t) > now)
            })
            .collect();
        Ok(DaySlots {
            clinician: staff,
            date,
            slots,
        })
    }

    /// `POST /api/availability/set`: replace a date's explicit slot set, or store a pattern.
    /// Never cancels appointments.
    pub async fn set_availability(
        &self,
        p: &Principal,
        cmd: SetAvailability,
    ) -> Result<AvailabilitySet, SchedulingError> {
        let staff = self
            .clinician(p, cmd.clinician_id, Action::AvailabilitySet)
            .await?;
        let account = staff
            .account_id
            .ok_or(SchedulingError::NotFound(Entity::Clinician))?;
        let Some((days, until)) = cmd.recurring else {
            self.ports
                .repo
                .set_explicit_slots(account, staff.id, cmd.date, &cmd.slots)
                .await?;
            return Ok(AvailabilitySet {
                pattern: None,
                dates_affected: vec![cmd.date],
            });
        };
        check_until(cmd.date, until)?;
        let pattern = RecurringPattern {
            id: PatternId(self.ports.random.uuid()),
            account_id: account,
            clinician_id: staff.id,
            start: cmd.date,
            until,
            days,
            slots: cmd.slots,
        };
        self.ports.repo.add_pattern(&pattern).await?;
        let dates_affected = pattern.dates();
        Ok(AvailabilitySet {
            pattern: Some(pattern),
            dates_affected,
        })
    }

    /// `GET /api/availability/recurring`.
    pub async fn patterns(
        &self,
        p: &Principal,
        clinician: Option<UserId>,
    ) -> Result<Vec<RecurringPattern>, SchedulingError> {
        let staff = self
            .clinician(p, clinician, Action::AvailabilitySet)
            .await?;
        Ok(self.ports.repo.patterns(staff.id, None).await?)
    }

    /// `DELETE /api/availability/recurring/{id}`.
    pub async fn delete_pattern(
        &self,
        p: &Principal,
        id: PatternId,
    ) -> Result<(), SchedulingError> {
        policy::require(p, Action::AvailabilitySet)?;
        let pattern = self.ports.repo.pattern(id).await?;
        let pattern = pattern.ok_or(SchedulingError::NotFound(Entity::AvailabilityPattern))?;
        let target = Target::owned(Some(pattern.account_id), pattern.clinician_id);
        policy::authorize(
            p,
            Action::AvailabilitySet,
            target,
            Entity::AvailabilityPattern,
        )?;
        self.ports
            .repo
            .delete_pattern(id)
            .await
            .map_err(|e| match e {
                crate::common::RepoError::NotFound => {
                    SchedulingError::NotFound(Entity::AvailabilityPattern)
                }
                other => other.into(),
            })
    }

    /// Store an account's time zone (seed, operators).
    pub async fn set_zone(
        &self,
        account: AccountId,
        zone: &ClinicZone,
    ) -> Result<(), SchedulingError> {
        Ok(self.ports.repo.set_zone(account, zone).await?)
    }
}

/// `recurring_until`: from `date` to `date` + 365 days.
fn check_until(date: Date, until: Date) -> Result<(), SchedulingError> {
    let span = (until - date).whole_days();
    if (0..MAX_RANGE_DAYS).contains(&span) {
        Ok(())
    } else {
        Err(SchedulingError::field(
            "recurring_until",
            "must be on or after date and at most 365 days after it",
            "value_error.date.range",
        ))
    }
}

/// A date range filter: `end_date` on or after `start_date`, at most 366 days.
pub fn check_range(from: Option<Date>, to: Option<Date>) -> Result<(), FieldError> {
    if let (Some(f), Some(t)) = (from, to) {
        let span = (t - f).whole_days();
        if span < 0 {
            return Err(FieldError::new(
                "end_date",
                "must be on or after start_date",
                "value_error.date.range",
            ));
        }
        if span > MAX_RANGE_DAYS {
            return Err(FieldError::new(
                "end_date",
                format!("the range may span at most {MAX_RANGE_DAYS} days"),
                "value_error.date.range",
            ));
        }
    }
    Ok(())
}
