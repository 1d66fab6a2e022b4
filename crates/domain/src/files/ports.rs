//! What files need from the outside: an object store for the bytes, a repository for the
//! metadata, and, from capabilities that attach files to their records, who may read them.

use super::model::{Attachment, FileId, StoredFile};
use super::names::FileKey;
use crate::common::{BoxError, RepoError, UserId};
use crate::identity::policy::Principal;
use crate::identity::ports::Page;
use async_trait::async_trait;
use std::pin::Pin;

/// A stream of bytes, in either direction; memory stays flat whatever the size.
pub type ByteStream =
    Pin<Box<dyn futures_core::Stream<Item = Result<bytes::Bytes, std::io::Error>> + Send>>;

/// An object read back: its size and its bytes.
pub struct Object {
    /// Size in bytes.
    pub size: u64,
    /// The bytes.
    pub body: ByteStream,
}

impl std::fmt::Debug for Object {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Object").field("size", &self.size).finish()
    }
}

/// What an object store can report.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The body exceeded the size limit while streaming: nothing was kept.
    #[error("the object exceeds the size limit")]
    TooLarge,
    /// An object with that key exists: nothing was written (keys are never overwritten).
    #[error("an object with this key exists")]
    Exists,
    /// No such object.
    #[error("no such object")]
    NotFound,
    /// The body stream failed (the client aborted, or its framing was broken): nothing kept.
    #[error("the upload stream failed")]
    Body(#[source] std::io::Error),
    /// The store cannot be reached now.
    #[error("storage unavailable")]
    Unavailable(#[source] BoxError),
    /// Anything else.
    #[error("storage error")]
    Unexpected(#[source] BoxError),
}

/// Where the bytes live: a local directory or an S3 bucket. Keys come only from
/// [`FileKey`]'s constructors, never from user input.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait FileStore: Send + Sync {
    /// Write `body` under `key` with `content_type`, streaming, refusing more than `limit`
    /// bytes (`TooLarge`). All or nothing: a failed put leaves no object. Never overwrites
    /// (`Exists`). Encrypted at rest where the backend can. The size written.
    async fn put(
        &self,
        key: &FileKey,
        content_type: &str,
        body: ByteStream,
        limit: u64,
    ) -> Result<u64, StoreError>;

    /// The object under `key`, streaming (`NotFound` when absent).
    async fn get(&self, key: &FileKey) -> Result<Object, StoreError>;

    /// Remove the object under `key` (absent is fine).
    async fn delete(&self, key: &FileKey) -> Result<(), StoreError>;

    /// Whether an object exists under `key`.
    async fn exists(&self, key: &FileKey) -> Result<bool, StoreError>;

    /// Whether the store answers (for `/health`).
    async fn health(&self) -> Result<(), StoreError>;

    /// The bucket name of the `s3://{bucket}/{key}` URLs the API shows (contract §3.10: that
    /// form with every backend).
    fn bucket(&self) -> String;
}

/// Stored file metadata.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait FileRepository: Send + Sync {
    /// Store a new file's metadata (`Duplicate("file_key")` when the key is taken).
    async fn insert(&self, file: &StoredFile) -> Result<(), RepoError>;

    /// One file (`NotFound` when absent).
    async fn get(&self, id: FileId) -> Result<StoredFile, RepoError>;

    /// The file stored under `key` (`NotFound` when none).
    async fn by_key(&self, key: &FileKey) -> Result<StoredFile, RepoError>;

    /// An owner's files, newest first (then id).
    async fn list_owned(&self, owner: UserId, page: Page) -> Result<Vec<StoredFile>, RepoError>;

    /// Remove a file's metadata unless it is attached (`Conflict("file_attached")`; checked in
    /// the same statement, not read first). The removed record.
    async fn delete(&self, id: FileId) -> Result<StoredFile, RepoError>;

    /// Attach a file to a record of another capability (`NotFound` when the file is absent,
    /// `Conflict("file_attached")` when it is attached to another record; attaching again to
    /// the same record is fine). Capabilities whose adapter writes in one transaction may set
    /// the same column there instead.
    async fn attach(&self, id: FileId, to: Attachment) -> Result<(), RepoError>;

    /// Detach a file from `from` (nothing when it is not attached to it).
    async fn detach(&self, id: FileId, from: Attachment) -> Result<(), RepoError>;
}

/// Who, besides its owner, may read a file attached to a record: the attaching capability
/// decides (a lab report: the order's care team and, after review, its patient).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait AttachmentAccess: Send + Sync {
    /// Whether `p` may read a file attached to `to`.
    async fn may_read(&self, p: &Principal, to: Attachment) -> Result<bool, RepoError>;
}

/// No capability attaches files: only owners read them.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoAttachments;

#[async_trait]
impl AttachmentAccess for NoAttachments {
    async fn may_read(&self, _p: &Principal, _to: Attachment) -> Result<bool, RepoError> {
        Ok(false)
    }
}
