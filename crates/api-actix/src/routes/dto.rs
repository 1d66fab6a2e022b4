//! Response shapes (contract §3). Optional fields are present as `null`, timestamps RFC 3339 UTC
//! with `Z` at second precision.

use genascope_domain::common::Timestamp;
use genascope_domain::identity::model::{Account, User};
use genascope_domain::identity::service::TokenPair;
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
