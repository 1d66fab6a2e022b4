//! Response shapes (contract §3). Optional fields are present as `null`, timestamps RFC 3339 UTC
//! with `Z` at second precision.

use genascope_domain::common::Timestamp;
use genascope_domain::identity::model::{Account, User};
use genascope_domain::identity::service::TokenPair;
use genascope_domain::invites::model::InviteView;
use genascope_domain::invites::service::IssuedInvite;
use genascope_domain::patients::model::PatientView;
use serde::Serialize;
use utoipa::ToSchema;

/// RFC 3339, UTC, `Z`, whole seconds.
#[must_use]
pub fn ts(t: Timestamp) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// `YYYY-MM-DD`.
#[must_use]
pub fn date(d: time::Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// A clinic.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountDto {
    pub id: String,
    pub name: String,
    pub domain: Option<String>,
    pub status: String,
    /// The clinic's IANA time zone (`UTC` until set).
    pub time_zone: String,
    pub created_at: String,
    pub updated_at: String,
    /// Only on create.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub admin_user_id: Option<String>,
}

impl From<&Account> for AccountDto {
    fn from(a: &Account) -> Self {
        Self {
            id: a.id.to_string(),
            name: a.name.clone(),
            domain: a.domain.clone(),
            status: a.status.as_str().into(),
            time_zone: a.time_zone.name().into(),
            created_at: ts(a.created_at),
            updated_at: ts(a.updated_at),
            admin_user_id: None,
        }
    }
}

/// A user.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserDto {
    pub id: String,
    pub email: String,
    pub name: String,
    pub first_name: String,
    pub last_name: String,
    pub role: String,
    pub account_id: Option<String>,
    pub is_active: bool,
    pub clinician_id: Option<String>,
    pub phone: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl From<&User> for UserDto {
    fn from(u: &User) -> Self {
        Self {
            id: u.id.to_string(),
            email: u.email.to_string(),
            name: u.name.clone(),
            first_name: u.first_name.clone(),
            last_name: u.last_name.clone(),
            role: u.role.as_str().into(),
            account_id: u.account_id.map(|a| a.to_string()),
            is_active: u.is_active,
            clinician_id: u.clinician_id.map(|c| c.to_string()),
            phone: u.phone.clone(),
            created_at: ts(u.created_at),
            updated_at: ts(u.updated_at),
        }
    }
}

/// A patient (contract §3.3; `lastActivity` is camelCase as documented).
#[derive(Debug, Serialize, ToSchema)]
pub struct PatientDto {
    pub id: String,
    pub account_id: String,
    pub first_name: String,
    pub last_name: String,
    pub name: String,
    pub email: String,
    pub phone: Option<String>,
    pub date_of_birth: Option<String>,
    pub external_id: Option<String>,
    pub clinician_id: Option<String>,
    pub clinician_name: Option<String>,
    pub status: String,
    pub screening_status: String,
    #[serde(rename = "lastActivity")]
    pub last_activity: String,
    pub has_pending_invite: bool,
    pub has_login: bool,
    pub notes: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl From<&PatientView> for PatientDto {
    fn from(v: &PatientView) -> Self {
        let p = &v.patient;
        Self {
            id: p.id.0.to_string(),
            account_id: p.account_id.to_string(),
            first_name: p.first_name.clone(),
            last_name: p.last_name.clone(),
            name: format!("{} {}", p.first_name, p.last_name),
            email: p.email.to_string(),
            phone: p.phone.clone(),
            date_of_birth: p.date_of_birth.map(date),
            external_id: p.external_id.clone(),
            clinician_id: p.clinician_id.map(|c| c.to_string()),
            clinician_name: v.clinician_name.clone(),
            status: p.status.as_str().into(),
            screening_status: v.screening_status.as_str().into(),
            last_activity: date(v.last_activity),
            has_pending_invite: v.has_pending_invite,
            has_login: v.has_login,
            notes: p.notes.clone(),
            created_at: ts(p.created_at),
            updated_at: ts(p.updated_at),
        }
    }
}

/// Login / refresh / change-password response.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenDto {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: i64,
    pub refresh_token: String,
    pub user_id: String,
    pub role: String,
    pub account_id: Option<String>,
}

impl From<TokenPair> for TokenDto {
    fn from(t: TokenPair) -> Self {
        Self {
            access_token: t.access_token,
            token_type: "bearer",
            expires_in: t.expires_in,
            refresh_token: t.refresh_token,
            user_id: t.user_id.to_string(),
            role: t.role.as_str().into(),
            account_id: t.account_id.map(|a| a.to_string()),
        }
    }
}

/// `GET /api/auth/me`.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeDto {
    pub id: String,
    pub email: String,
    pub name: String,
    pub first_name: String,
    pub last_name: String,
    pub role: String,
    pub is_active: bool,
    pub account_id: Option<String>,
    pub account_name: Option<String>,
    pub clinician_id: Option<String>,
    pub patient_id: Option<String>,
    pub access_type: &'static str,
    /// Simplified tokens: the invite they come from (null for full tokens).
    pub invite_id: Option<String>,
    /// Simplified tokens: the invite's strategy (null otherwise).
    pub chat_strategy_id: Option<String>,
}

/// Deletes, revokes, registrations.
#[derive(Debug, Serialize, ToSchema)]
pub struct MessageDto {
    pub message: String,
    pub status_code: u16,
    #[schema(value_type = Object)]
    pub data: Option<serde_json::Value>,
}

impl MessageDto {
    /// 200 with a message and optional data.
    #[must_use]
    pub fn ok(message: &str, data: Option<serde_json::Value>) -> Self {
        Self {
            message: message.into(),
            status_code: 200,
            data,
        }
    }
}

/// One failed import row.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportErrorDto {
    pub row: usize,
    pub email: Option<String>,
    pub error: String,
}

/// CSV import and bulk create.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportReportDto {
    pub successful_count: usize,
    pub failed_count: usize,
    pub errors: Vec<ImportErrorDto>,
    pub sample_patients: Vec<PatientDto>,
}

/// `GET /api/eligibility/export/{patient_id}`: a pedigree file and its notes, in one JSON
/// envelope (the notes are sentences a clinician must read before using the file; an
/// attachment download would drop a header silently, so they travel with the file).
#[derive(Debug, Serialize, ToSchema)]
pub struct ExportFileDto {
    /// A file name for the download, e.g. `P1a2b3c4_canrisk4.txt` (no patient data).
    pub filename: String,
    /// `canrisk4` or `ibis8`.
    pub format: &'static str,
    /// The family id / IBIS record id in the file: `P` + the first 7 hex digits of the patient id.
    pub family_id: String,
    /// The file's text (UTF-8, `\n` line ends): save it as `filename` and upload it to CanRisk /
    /// open it in IBIS.
    pub content: String,
    /// Most urgent first: "Must fix before computing: ...", "Estimated: ...", then what was
    /// defaulted, approximated or left out.
    pub notes: Vec<String>,
}

impl From<genascope_domain::clinical::service::ExportFile> for ExportFileDto {
    fn from(f: genascope_domain::clinical::service::ExportFile) -> Self {
        Self {
            filename: f.filename,
            format: f.format.as_str(),
            family_id: f.family_id,
            content: f.content,
            notes: f.notes,
        }
    }
}

/// An invite (contract §3.4). `id` repeats `invite_id`; `invite_url` and `email_sent` are filled
/// only when the invite was just issued or resent (the raw token exists only then).
#[derive(Debug, Serialize, ToSchema)]
pub struct InviteDto {
    pub invite_id: String,
    pub id: String,
    pub patient_id: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub phone: Option<String>,
    pub provider_id: Option<String>,
    pub provider_name: Option<String>,
    pub chat_strategy_id: Option<String>,
    pub chat_strategy_name: Option<String>,
    /// `pending`, `accepted`, `expired` (computed), `revoked`.
    pub status: &'static str,
    pub custom_message: Option<String>,
    pub invite_url: Option<String>,
    pub email_sent: Option<bool>,
    pub expires_at: String,
    pub accepted_at: Option<String>,
    pub revoked_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl InviteDto {
    /// An invite as stored, its status at `now`.
    #[must_use]
    pub fn of(v: &InviteView, now: Timestamp) -> Self {
        let i = &v.invite;
        let id = i.id.0.to_string();
        Self {
            invite_id: id.clone(),
            id,
            patient_id: i.patient_id.0.to_string(),
            email: v.patient.email.to_string(),
            first_name: v.patient.first_name.clone(),
            last_name: v.patient.last_name.clone(),
            phone: v.patient.phone.clone(),
            provider_id: i.provider_id.map(|p| p.to_string()),
            provider_name: i.provider_name.clone(),
            chat_strategy_id: i.chat_strategy_id.map(|s| s.0.to_string()),
            chat_strategy_name: i.chat_strategy_name.clone(),
            status: i.status_at(now).as_str(),
            custom_message: i.custom_message.as_ref().map(|m| m.as_str().to_owned()),
            invite_url: None,
            email_sent: None,
            expires_at: ts(i.expires_at),
            accepted_at: i.accepted_at.map(ts),
            revoked_at: i.revoked_at.map(ts),
            created_at: ts(i.created_at),
            updated_at: ts(i.updated_at),
        }
    }

    /// An invite just issued or resent, with its link and whether its email was queued.
    #[must_use]
    pub fn issued(i: &IssuedInvite, now: Timestamp) -> Self {
        Self {
            invite_url: Some(i.invite_url.clone()),
            email_sent: Some(i.email_sent),
            ..Self::of(&i.view, now)
        }
    }
}

/// `GET /api/invites` (style C).
#[derive(Debug, Serialize, ToSchema)]
pub struct InviteListDto {
    pub invites: Vec<InviteDto>,
    pub total_count: u64,
    pub total: u64,
    pub page: u32,
    pub limit: u32,
    pub total_pages: u64,
    pub has_next: bool,
    pub has_prev: bool,
}

/// One bulk item that was not issued.
#[derive(Debug, Serialize, ToSchema)]
pub struct BulkFailureDto {
    pub patient_id: Option<String>,
    pub error: String,
}

/// `POST /api/bulk_invite`.
#[derive(Debug, Serialize, ToSchema)]
pub struct BulkInviteDto {
    pub successful: Vec<InviteDto>,
    pub failed: Vec<BulkFailureDto>,
    pub total_sent: usize,
    pub total_failed: usize,
}

/// `POST /api/verify_invite`: never the patient's name, email or date of birth.
#[derive(Debug, Serialize, ToSchema)]
pub struct VerifyInviteDto {
    pub valid: bool,
    pub invite_id: Option<String>,
    pub expires_at: Option<String>,
    pub clinic_name: Option<String>,
    pub provider_name: Option<String>,
    pub error_message: Option<String>,
}

/// `POST /api/simplified_access`.
#[derive(Debug, Serialize, ToSchema)]
pub struct SimplifiedAccessDto {
    pub access_token: String,
    pub token_type: &'static str,
    /// 14400 (4 hours).
    pub expires_in: i64,
    pub patient_id: String,
    pub patient_name: String,
    pub invite_id: String,
    pub chat_strategy_id: Option<String>,
}
