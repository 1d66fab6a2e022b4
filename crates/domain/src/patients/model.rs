//! Patient records.

use crate::common::{AccountId, EARLIEST_BIRTH_YEAR, FieldError, PatientId, Timestamp, UserId};
use crate::identity::model::Email;

/// Record lifecycle, set by staff (contract §3.3). Never null.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatientStatus {
    /// Default.
    Active,
    /// Paused.
    Inactive,
    /// Kept for the record.
    Archived,
    /// Invited, not yet active.
    Pending,
}

impl PatientStatus {
    /// Wire name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Inactive => "inactive",
            Self::Archived => "archived",
            Self::Pending => "pending",
        }
    }

    /// Parse case-insensitively.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "active" => Some(Self::Active),
            "inactive" => Some(Self::Inactive),
            "archived" => Some(Self::Archived),
            "pending" => Some(Self::Pending),
            _ => None,
        }
    }
}

/// A date of birth: not in the future, not before 1900-01-01.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BirthDate(time::Date);

impl BirthDate {
    /// Check `date` against `today` (the service's clock: `PatientService::today`). The error
    /// names the field `date_of_birth`.
    pub fn new(date: time::Date, today: time::Date) -> Result<Self, FieldError> {
        let refuse = |msg: &str| FieldError::new("date_of_birth", msg, "value_error.date");
        if date > today {
            Err(refuse("date of birth cannot be in the future"))
        } else if date.year() < EARLIEST_BIRTH_YEAR {
            Err(refuse("date of birth cannot be before 1900-01-01"))
        } else {
            Ok(Self(date))
        }
    }

    /// The date.
    #[must_use]
    pub const fn date(self) -> time::Date {
        self.0
    }
}

/// A patient of one account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Patient {
    /// Id (a patient login user shares it).
    pub id: PatientId,
    /// Tenant.
    pub account_id: AccountId,
    /// 1..100 characters.
    pub first_name: String,
    /// 1..100 characters.
    pub last_name: String,
    /// Unique per account.
    pub email: Email,
    /// 7..20 characters of digits, spaces, `+-()`.
    pub phone: Option<String>,
    /// Not in the future, not before 1900-01-01.
    pub date_of_birth: Option<time::Date>,
    /// Unique per account, at most 100 characters.
    pub external_id: Option<String>,
    /// A clinician or physician of the account.
    pub clinician_id: Option<UserId>,
    /// Lifecycle.
    pub status: PatientStatus,
    /// At most 5000 characters.
    pub notes: Option<String>,
    /// Created.
    pub created_at: Timestamp,
    /// Last changed.
    pub updated_at: Timestamp,
    /// 1 when created, +1 on every change (optimistic concurrency: `ETag` / `If-Match`).
    pub version: i32,
}

/// Where the patient is in the screening journey (derived; contract §3.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScreeningStatus {
    /// No invite yet.
    NotInvited,
    /// A pending, unexpired invite.
    InviteSent,
    /// The latest invite expired.
    InviteExpired,
    /// A questionnaire session is active.
    ChatInProgress,
    /// A questionnaire session completed.
    ChatCompleted,
}

impl ScreeningStatus {
    /// Wire text (documented values).
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::NotInvited => "Not Invited",
            Self::InviteSent => "Invite Sent",
            Self::InviteExpired => "Invite Expired",
            Self::ChatInProgress => "Chat In Progress",
            Self::ChatCompleted => "Chat Completed",
        }
    }
}

/// A patient with what lists and detail views derive from other records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatientView {
    /// The record.
    pub patient: Patient,
    /// The clinician's display name.
    pub clinician_name: Option<String>,
    /// A login user with the patient's id exists.
    pub has_login: bool,
    /// A pending, unexpired invite exists.
    pub has_pending_invite: bool,
    /// Derived screening status.
    pub screening_status: ScreeningStatus,
    /// Date of the latest activity; never null.
    pub last_activity: time::Date,
}
