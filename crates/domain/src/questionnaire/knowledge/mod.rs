//! Knowledge sources (contract §3.6): an account's reference documents and links for its chat
//! strategies. A source is either a document kept by the files capability's
//! [`FileStore`](crate::files::ports::FileStore) under
//! `knowledge/{account_id}/{source_id}/{sanitised filename}`, or a record with an optional
//! https link. No content extraction runs: a stored source is `completed`.
//!
//! - [`model`]: the source, its vocabularies, the commands.
//! - [`policy`]: who sees which source (`account`: the account's care team; `user`: its
//!   uploader and the account's admins; super_admin: all).
//! - [`ports`]: storage (`KnowledgeSourceRepository`).
//! - [`service`]: `KnowledgeService` (list, get, create, upload in two steps, update, delete).
//! - [`error`]: failures (`KnowledgeError`).
//!
//! Strategies link sources by id (`questionnaire::strategies`): a link must name a source the
//! caller sees, in the strategy's account.

pub mod error;
pub mod model;
pub mod policy;
pub mod ports;
pub mod service;
