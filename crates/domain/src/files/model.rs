//! A stored file's metadata and the values around it.

use super::names::{FileKey, SafeName};
use crate::common::{AccountId, Timestamp, UserId};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A stored file's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct FileId(pub Uuid);

impl FileId {
    /// Parse a hyphenated UUID; anything else is `None` (an unknown file).
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        Uuid::try_parse(s.trim()).ok().map(Self)
    }
}

impl std::fmt::Display for FileId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

/// The record another capability attached a file to (e.g. a lab result). While attached, a
/// file cannot be deleted, and that capability's [`super::ports::AttachmentAccess`] decides who
/// else may read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Attachment {
    /// The kind of record.
    pub kind: AttachmentKind,
    /// Its id.
    pub id: Uuid,
}

/// Kinds of records files are attached to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AttachmentKind {
    /// A lab order's results (contract §3.8 `report_file_id`); `id` is the order id.
    LabResult,
}

impl AttachmentKind {
    /// Stored name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::LabResult => "lab_result",
        }
    }

    /// From the stored name.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        (s == "lab_result").then_some(Self::LabResult)
    }
}

/// A stored file's metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFile {
    /// Id.
    pub id: FileId,
    /// The uploader (owner).
    pub owner: UserId,
    /// The uploader's account (None for a super_admin).
    pub account_id: Option<AccountId>,
    /// Where the object is.
    pub key: FileKey,
    /// The sanitised filename (the key's last segment).
    pub filename: SafeName,
    /// Size in bytes.
    pub size: u64,
    /// Stored content type (served on download).
    pub content_type: String,
    /// Upload time.
    pub uploaded_at: Timestamp,
    /// The record it is attached to, if any.
    pub attached_to: Option<Attachment>,
}

/// Where an upload should be stored: the object key and its metadata row, prepared before the
/// bytes are written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFile {
    /// Id.
    pub id: FileId,
    /// Owner.
    pub owner: UserId,
    /// Owner's account.
    pub account_id: Option<AccountId>,
    /// Key.
    pub key: FileKey,
    /// Sanitised name.
    pub filename: SafeName,
    /// Size in bytes (known once written).
    pub size: u64,
    /// Content type.
    pub content_type: String,
    /// Upload time.
    pub uploaded_at: Timestamp,
}

impl From<NewFile> for StoredFile {
    fn from(n: NewFile) -> Self {
        Self {
            id: n.id,
            owner: n.owner,
            account_id: n.account_id,
            key: n.key,
            filename: n.filename,
            size: n.size,
            content_type: n.content_type,
            uploaded_at: n.uploaded_at,
            attached_to: None,
        }
    }
}
