//! The pieces every capability's error is made of: field errors, the things that can be missing,
//! and what storage can report.
//!
//! Each capability has its own error enum naming outcomes (`identity::error::IdentityError`,
//! `patients::error::PatientError`, `clinical::service::EligibilityError`); none of them knows
//! about status codes or where a field sat in a request: the edge decides both. Messages are
//! user-facing plain sentences: they never carry the internal cause, which travels in
//! `Unexpected` for the log only.

use serde::Serialize;
use std::fmt;

/// An opaque internal error (driver, I/O). Logged, never shown.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// One segment of a field path: `["patients", 0, "email"]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Loc {
    /// An object key.
    Key(String),
    /// An array index.
    Index(usize),
}

impl From<&str> for Loc {
    fn from(s: &str) -> Self {
        Self::Key(s.to_owned())
    }
}

impl From<usize> for Loc {
    fn from(i: usize) -> Self {
        Self::Index(i)
    }
}

/// A rule broken by one field of a command: the field's path in the command (never where the
/// command came from: the edge puts the request location in front), a sentence, and a kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The field's path, e.g. `["proband", "age"]`; empty for the command as a whole.
    pub loc: Vec<Loc>,
    /// A plain sentence for the user.
    pub msg: String,
    /// A machine-readable kind, e.g. `value_error.email`, `missing`.
    #[serde(rename = "type")]
    pub kind: String,
}

impl FieldError {
    /// A failure of the field `field`.
    pub fn new(field: &str, msg: impl Into<String>, kind: &str) -> Self {
        Self {
            loc: vec![field.into()],
            msg: msg.into(),
            kind: kind.to_owned(),
        }
    }

    /// A required field that is missing.
    pub fn missing(field: &str) -> Self {
        Self::new(field, "field required", "missing")
    }

    /// Nest this error under a prefix, e.g. row 3 of `patients`.
    #[must_use]
    pub fn under(self, prefix: &[Loc]) -> Self {
        let mut loc = Vec::with_capacity(prefix.len() + self.loc.len());
        loc.extend_from_slice(prefix);
        loc.extend(self.loc);
        Self { loc, ..self }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path: Vec<String> = self
            .loc
            .iter()
            .map(|l| match l {
                Loc::Key(k) => k.clone(),
                Loc::Index(i) => i.to_string(),
            })
            .collect();
        if path.is_empty() {
            f.write_str(&self.msg)
        } else {
            write!(f, "{}: {}", path.join("."), self.msg)
        }
    }
}

/// A kind of record that may be missing, or outside the caller's scope (the same answer either
/// way, so that ids of other accounts cannot be probed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Entity {
    /// A clinic.
    #[error("Account")]
    Account,
    /// A user.
    #[error("User")]
    User,
    /// A clinician or physician named by a record.
    #[error("Clinician")]
    Clinician,
    /// A patient record.
    #[error("Patient")]
    Patient,
    /// An invitation of a patient.
    #[error("Invite")]
    Invite,
    /// The provider (clinician, physician or admin) an invite names.
    #[error("Provider")]
    Provider,
    /// A questionnaire strategy.
    #[error("Chat strategy")]
    ChatStrategy,
    /// A chat (questionnaire) session.
    #[error("Chat session")]
    ChatSession,
    /// A knowledge source of the chat configuration.
    #[error("Knowledge source")]
    KnowledgeSource,
    /// A lab order (and its results).
    #[error("Lab order")]
    LabOrder,
    /// A stored file (upload, lab report).
    #[error("File")]
    File,
    /// An appointment (scheduling).
    #[error("Appointment")]
    Appointment,
    /// A clinician's recurring availability pattern.
    #[error("Availability pattern")]
    AvailabilityPattern,
    /// A record storage could not find where the use case did not name it.
    #[error("Record")]
    Record,
}

/// What a repository (storage adapter) can report. Adapters translate driver errors into these;
/// each capability's error converts them, and an outage (`Unavailable`) stays an outage there.
#[derive(Debug, thiserror::Error)]
pub enum RepoError {
    /// No such row (or not visible).
    #[error("not found")]
    NotFound,
    /// A uniqueness rule was violated; the string names the rule in domain words (`email`,
    /// `domain`, `external_id`).
    #[error("duplicate {0}")]
    Duplicate(&'static str),
    /// An invariant the store keeps atomically would break; the string names it in domain words
    /// (`last_admin`).
    #[error("conflict: {0}")]
    Conflict(&'static str),
    /// The record changed since it was read (its version moved on): nothing was written.
    #[error("stale record")]
    Stale,
    /// The store cannot be reached now (no connection within the timeout).
    #[error("storage unavailable")]
    Unavailable(#[source] BoxError),
    /// Anything else: driver, serialization.
    #[error("storage error")]
    Unexpected(#[source] BoxError),
}

/// A write storage refused because of the state of the records, in words every capability
/// shares (each names its own duplicates).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum StoreConflict {
    /// A uniqueness rule the capability does not name itself.
    #[error("Duplicate {0}")]
    Duplicate(&'static str),
    /// An invariant the store keeps (named in domain words) would break.
    #[error("The change conflicts with the current state of the records ({0})")]
    Invariant(&'static str),
    /// The record changed since it was read.
    #[error("The record was changed by someone else since it was read; reload it and try again")]
    Stale,
}

/// Several field errors as one line: `email: …; phone: …` (logs, console output).
#[must_use]
pub fn joined(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}
