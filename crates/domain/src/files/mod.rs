//! Files (contract §3.10): uploaded documents and lab reports, stored as objects behind the
//! [`ports::FileStore`] port (a local directory or S3) with their metadata behind
//! [`ports::FileRepository`].
//!
//! - [`names`]: filename sanitisation and object keys, pure and property-tested (no generated
//!   name escapes its prefix, contains `..`, a control character or exceeds 120 bytes).
//! - [`types`]: the allowed types and the check that the sniffed content does not contradict
//!   the extension.
//! - [`policy`]: who may read or delete a file (its owner; a file attached to another record,
//!   e.g. a lab result, also whoever that record's capability admits).
//! - [`service`]: the use cases (upload, list, read, download, delete).
//!
//! Other capabilities attach files to their records through
//! [`ports::FileRepository::attach`]: an attached file cannot be deleted (409), and its readers
//! are decided by an [`ports::AttachmentAccess`] that capability provides.

pub mod error;
pub mod model;
pub mod names;
pub mod policy;
pub mod ports;
pub mod service;
pub mod types;
