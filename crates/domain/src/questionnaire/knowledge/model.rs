//! A knowledge source and the values around it (contract §3.6 `KnowledgeSource`).

use crate::common::{
    AccountId, FieldError, KnowledgeSourceId, Note, Patch, Text, Timestamp, UserId,
};
use crate::files::names::{FileKey, SafeName};
use crate::questionnaire::vocabulary::vocabulary;

/// `name`: 1..255 characters.
pub type SourceName = Text<255>;
/// `description`: at most 2000 characters.
pub type SourceDescription = Note<2000>;

vocabulary!(
    /// What a source is.
    SourceType {
        /// An uploaded document.
        File = "file",
        /// A clinical guideline.
        Guideline = "guideline",
        /// A research paper.
        ResearchPaper = "research_paper",
        /// A protocol.
        Protocol = "protocol",
        /// A risk model.
        RiskModel = "risk_model",
        /// Any other document.
        CustomDocument = "custom_document",
        /// A link (needs an https `url`).
        CustomLink = "custom_link",
    }
);

vocabulary!(
    /// Where a source stands in processing. No content extraction runs: a stored source is
    /// `completed`; the other values exist for the filter and for later processing.
    ProcessingStatus {
        /// Waiting.
        Pending = "pending",
        /// Being processed.
        Processing = "processing",
        /// Ready.
        Completed = "completed",
        /// Processing failed.
        Failed = "failed",
    }
);

vocabulary!(
    /// Who sees a source: `account` (the account's care team) or `user` (its uploader and the
    /// account's admins). Input `private` means `user` (see [`AccessLevel::parse_input`]).
    AccessLevel {
        /// The account's care team.
        Account = "account",
        /// The uploader and the account's admins.
        User = "user",
    }
);

impl AccessLevel {
    /// Parse what a client sends: the wire names, and `private` for `user` (case-insensitive,
    /// trimmed).
    #[must_use]
    pub fn parse_input(s: &str) -> Option<Self> {
        if s.trim().eq_ignore_ascii_case("private") {
            Some(Self::User)
        } else {
            Self::parse(s)
        }
    }

    /// The permitted input values, for a 422 message.
    #[must_use]
    pub fn permitted_input() -> String {
        format!("{}, 'private'", Self::permitted())
    }
}

/// A source's link: https only, at most 2000 printable ASCII characters, with a host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceUrl(String);

impl SourceUrl {
    /// Check `raw` (trimmed); the error names `field`.
    ///
    /// # Errors
    /// Not an https URL of at most 2000 printable ASCII characters with a host.
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let s = raw.trim();
        let rest = s
            .get(..8)
            .filter(|p| p.eq_ignore_ascii_case("https://"))
            .map_or("", |_| &s[8..]);
        let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
        let ok = s.len() <= 2000
            && !host.is_empty()
            && !host.contains('@')
            && s.chars().all(|c| c.is_ascii_graphic());
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(FieldError::new(
                field,
                "must be an https URL of at most 2000 characters",
                "value_error.url",
            ))
        }
    }

    /// Rebuild from storage (checked when it was stored).
    #[must_use]
    pub fn from_trusted(s: String) -> Self {
        Self(s)
    }

    /// The URL.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A source's stored document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// Where the object is (`knowledge/{account_id}/{source_id}/{name}`).
    pub key: FileKey,
    /// The sanitised filename.
    pub filename: SafeName,
    /// The stored content type.
    pub content_type: String,
    /// Size in bytes.
    pub size: u64,
}

/// A knowledge source of one account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnowledgeSource {
    /// Id.
    pub id: KnowledgeSourceId,
    /// Tenant.
    pub account_id: AccountId,
    /// Its name.
    pub name: SourceName,
    /// Free text.
    pub description: Option<SourceDescription>,
    /// What it is.
    pub source_type: SourceType,
    /// A link (https).
    pub url: Option<SourceUrl>,
    /// The stored document, for uploads.
    pub document: Option<Document>,
    /// Always `completed` once stored (no extraction runs).
    pub processing_status: ProcessingStatus,
    /// Who sees it.
    pub access_level: AccessLevel,
    /// Offered to strategies.
    pub is_active: bool,
    /// Who created it.
    pub uploaded_by: UserId,
    /// Created.
    pub created_at: Timestamp,
    /// Last changed.
    pub updated_at: Timestamp,
}

impl KnowledgeSource {
    /// What a strategy shows of it, and what visibility is decided on.
    #[must_use]
    pub fn to_ref(&self) -> SourceRef {
        SourceRef {
            id: self.id,
            account_id: self.account_id,
            name: self.name.clone(),
            source_type: self.source_type,
            access_level: self.access_level,
            uploaded_by: self.uploaded_by,
        }
    }
}

/// A source as a strategy links it: what the `Strategy` JSON shows (`id`, `name`,
/// `source_type`) and what decides who sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceRef {
    /// Id.
    pub id: KnowledgeSourceId,
    /// Tenant.
    pub account_id: AccountId,
    /// Name.
    pub name: SourceName,
    /// Type.
    pub source_type: SourceType,
    /// Who sees it.
    pub access_level: AccessLevel,
    /// Its uploader.
    pub uploaded_by: UserId,
}

/// `POST /knowledge-sources` (JSON; no document).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSource {
    /// A super_admin names the account; others create in their own.
    pub account_id: Option<AccountId>,
    /// Required.
    pub name: SourceName,
    /// Optional.
    pub description: Option<SourceDescription>,
    /// Required; not `file` (documents come through the upload).
    pub source_type: SourceType,
    /// Required for `custom_link`.
    pub url: Option<SourceUrl>,
    /// Default `account`.
    pub access_level: Option<AccessLevel>,
}

/// The form fields of `POST /knowledge-sources/upload`, read once the whole form is in.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UploadFields {
    /// Default: the sanitised filename.
    pub name: Option<SourceName>,
    /// Optional.
    pub description: Option<SourceDescription>,
    /// Default `account`.
    pub access_level: Option<AccessLevel>,
}

/// `PUT /knowledge-sources/{id}`: a partial update.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SourcePatch {
    /// A new name (cannot be cleared).
    pub name: Option<SourceName>,
    /// Keep, clear or set.
    pub description: Patch<SourceDescription>,
    /// Keep or set.
    pub access_level: Option<AccessLevel>,
    /// Keep or set.
    pub is_active: Option<bool>,
}

/// The filters of `GET /knowledge-sources` (style A).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceQuery {
    /// A super_admin's account filter (others: their own account; another matches nothing).
    pub account_id: Option<AccountId>,
    /// Only this type.
    pub source_type: Option<SourceType>,
    /// Only this status.
    pub processing_status: Option<ProcessingStatus>,
    /// Rows to skip.
    pub skip: u32,
    /// 1..=100.
    pub limit: u32,
}

/// The access level a source gets when none is given: `account` (sources are the clinic's
/// reference documents; the frontend sends `private` explicitly when it means it).
pub const DEFAULT_ACCESS: AccessLevel = AccessLevel::Account;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_https_with_a_host() {
        for ok in [
            "https://nccn.org/g.pdf",
            "HTTPS://x.org",
            "https://a.b/c?d=e#f",
        ] {
            assert!(SourceUrl::parse("url", ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://nccn.org",
            "https://",
            "https:///path",
            "ftp://x.org",
            "javascript:alert(1)",
            "https://user@evil.org",
            "https://a b.org",
            "",
        ] {
            assert!(SourceUrl::parse("url", bad).is_err(), "{bad}");
        }
        let long = format!("https://x.org/{}", "a".repeat(2000));
        assert!(SourceUrl::parse("url", &long).is_err());
    }

    #[test]
    fn private_is_user() {
        assert_eq!(
            AccessLevel::parse_input(" Private "),
            Some(AccessLevel::User)
        );
        assert_eq!(
            AccessLevel::parse_input("ACCOUNT"),
            Some(AccessLevel::Account)
        );
        assert_eq!(AccessLevel::parse_input("public"), None);
    }
}
