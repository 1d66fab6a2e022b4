//! What scheduling needs from storage.

use super::error::BookError;
use super::model::{
    Appointment, AppointmentStatus, AppointmentView, ClinicZone, RecurringPattern, SlotSet,
};
use crate::audit::AuditEntry;
use crate::common::{AccountId, AppointmentId, PatientId, PatternId, RepoError, Timestamp, UserId};
use crate::identity::model::Role;
use crate::identity::policy::ListScope;
use crate::notify::OutgoingEmail;
use async_trait::async_trait;
use time::Date;

/// A live user as scheduling sees it (the clinician of an appointment or of availability).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffRef {
    /// Id.
    pub id: UserId,
    /// Account (None: a super_admin).
    pub account_id: Option<AccountId>,
    /// Display name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Email (the clinician's notification).
    pub email: String,
}

impl StaffRef {
    /// A clinician or physician: the only roles that hold availability and appointments.
    #[must_use]
    pub fn is_clinician(&self) -> bool {
        matches!(self.role, Role::Clinician | Role::Physician)
    }
}

/// What `GET /api/availability` reads of one clinician's date, together (one database call).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ClinicDay {
    /// The clinic's zone (`UTC` when none was set, or the clinician has no account).
    pub zone: ClinicZone,
    /// The explicit slot set of the date, if one was set.
    pub explicit: Option<SlotSet>,
    /// The patterns touching the date (read only when there is no explicit set).
    pub patterns: Vec<RecurringPattern>,
    /// The clinician's active appointments of the date.
    pub booked: Vec<Appointment>,
}

/// A live patient as scheduling sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatientRef {
    /// Id.
    pub id: PatientId,
    /// Account.
    pub account_id: AccountId,
    /// Given name.
    pub first_name: String,
    /// Family name.
    pub last_name: String,
    /// Email.
    pub email: String,
}

/// Filters of the appointment lists (bounds inclusive, wall-clock dates).
#[derive(Debug, Clone)]
pub struct AppointmentFilter {
    /// Account scope.
    pub scope: ListScope,
    /// One clinician.
    pub clinician_id: Option<UserId>,
    /// One patient.
    pub patient_id: Option<PatientId>,
    /// Statuses (any of).
    pub statuses: Vec<AppointmentStatus>,
    /// `date >= from`.
    pub from: Option<Date>,
    /// `date <= to`.
    pub to: Option<Date>,
    /// Page (`offset`, `limit`); None: every row.
    pub page: Option<(u64, u32)>,
}

/// A page of appointments (by date and time, then id) and the number of all that match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppointmentPage {
    /// The rows.
    pub appointments: Vec<AppointmentView>,
    /// All matching rows.
    pub total: u64,
}

/// A write of an appointment with what goes with it, in one transaction.
#[derive(Debug, Clone)]
pub struct AppointmentWrite {
    /// The appointment as it will be stored.
    pub appointment: Appointment,
    /// The status and sequence it must still have (an update; None for a booking).
    pub expected: Option<(AppointmentStatus, u32)>,
    /// Whether the write takes time (a booking or a move): then storage serialises it per
    /// clinician and per patient and checks [`super::rules::conflict`] against the overlapping
    /// active appointments before writing.
    pub claims_time: bool,
    /// Its audit entry.
    pub audit: AuditEntry,
    /// Emails, queued in the same transaction.
    pub mail: Vec<OutgoingEmail>,
}

/// A clinician's new calendar-feed token, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFeedToken {
    /// Whose feed it opens.
    pub clinician: UserId,
    /// SHA-256 of the token.
    pub digest: [u8; 32],
    /// Who made it.
    pub created_by: UserId,
    /// When.
    pub created_at: Timestamp,
    /// Its audit entry.
    pub audit: AuditEntry,
}

/// Scheduling storage. Every write records its audit entry and queues its email in its own
/// transaction.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait SchedulingRepository: Send + Sync {
    /// A live user (not deleted), or None.
    async fn staff(&self, id: UserId) -> Result<Option<StaffRef>, RepoError>;
    /// A live patient of a live account, or None.
    async fn patient(&self, id: PatientId) -> Result<Option<PatientRef>, RepoError>;
    /// The account's time zone (`UTC` when none was set).
    async fn zone(&self, account: AccountId) -> Result<ClinicZone, RepoError>;
    /// Clinician `clinician`'s `date` as `GET /api/availability` needs it (the zone of
    /// `account`), read on one connection in one call: one hop, not four (issue #11).
    async fn day(
        &self,
        clinician: UserId,
        account: Option<AccountId>,
        date: Date,
    ) -> Result<ClinicDay, RepoError>;
    /// Store the account's time zone.
    async fn set_zone(&self, account: AccountId, zone: &ClinicZone) -> Result<(), RepoError>;

    /// The digest of the clinician's calendar-feed token, only while the clinician is live and
    /// active in a live, active account (else None, as when none was made).
    async fn feed_token(&self, clinician: UserId) -> Result<Option<[u8; 32]>, RepoError>;
    /// Store the clinician's calendar-feed token digest, replacing (revoking) any earlier one,
    /// in one transaction with its audit entry.
    async fn set_feed_token(&self, token: &NewFeedToken) -> Result<(), RepoError>;

    /// The clinician's explicit slot set for `date`, if one was set.
    async fn explicit_slots(
        &self,
        clinician: UserId,
        date: Date,
    ) -> Result<Option<SlotSet>, RepoError>;
    /// Replace the clinician's explicit slot set for `date` (an empty set closes the date).
    async fn set_explicit_slots(
        &self,
        account: AccountId,
        clinician: UserId,
        date: Date,
        slots: &SlotSet,
    ) -> Result<(), RepoError>;
    /// The clinician's patterns, optionally only those whose span touches `from..=to`.
    async fn patterns(
        &self,
        clinician: UserId,
        span: Option<(Date, Date)>,
    ) -> Result<Vec<RecurringPattern>, RepoError>;
    /// One pattern.
    async fn pattern(&self, id: PatternId) -> Result<Option<RecurringPattern>, RepoError>;
    /// Store a new pattern.
    async fn add_pattern(&self, pattern: &RecurringPattern) -> Result<(), RepoError>;
    /// Delete a pattern (`NotFound` when gone).
    async fn delete_pattern(&self, id: PatternId) -> Result<(), RepoError>;

    /// One appointment with its names (None when missing).
    async fn get(&self, id: AppointmentId) -> Result<Option<AppointmentView>, RepoError>;
    /// Active appointments of a clinician or of a patient whose date lies in `from..=to`.
    async fn active_around(
        &self,
        clinician: UserId,
        patient: Option<PatientId>,
        from: Date,
        to: Date,
    ) -> Result<Vec<Appointment>, RepoError>;
    /// A list (by date, time, id).
    async fn list(&self, filter: &AppointmentFilter) -> Result<AppointmentPage, RepoError>;
    /// Insert (booking) or update (change, move) an appointment, in one transaction with its
    /// audit entry and mail. A write that `claims_time` claims the clinician's and then the
    /// patient's row first (serialising every booking and move of either), then checks the
    /// conflict rule against what is stored; an update checks `expected` (else `Stale`).
    async fn write(&self, write: &AppointmentWrite) -> Result<(), BookError>;
}
