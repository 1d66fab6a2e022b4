//! The files use cases (contract §3.10): upload, list, read, download, delete.
//!
//! Nothing is half-written: the object is written first (all or nothing, never over another),
//! then its metadata; when the metadata cannot be written the object is removed again. A delete
//! removes the metadata first (refused while attached), then the object; an object whose
//! removal fails after that is logged by key (invisible: no metadata points at it).

use super::error::FileError;
use super::model::{FileId, StoredFile};
use super::names::{FileKey, SafeName, sanitize};
use super::policy;
use super::ports::{AttachmentAccess, ByteStream, FileRepository, FileStore, Object, StoreError};
use super::types::{self, FileType, SNIFF_BYTES};
use crate::common::{Clock, Random, RepoError, to_seconds};
use crate::identity::policy::Principal;
use crate::identity::ports::Page;
use bytes::{Bytes, BytesMut};
use futures_util::StreamExt;
use std::sync::Arc;
use tracing::instrument;

/// The default upload limit: 25 MiB.
pub const DEFAULT_LIMIT: u64 = 25 * 1024 * 1024;

/// How many times an upload picks a new suffix when its key is taken.
const KEY_ATTEMPTS: usize = 4;

/// An upload as the edge received it: the client's filename, the declared length of the whole
/// request (if any) and the file's bytes.
pub struct Upload {
    /// The filename the client sent (unsanitised).
    pub filename: String,
    /// `Content-Length` of the request, if given.
    pub declared_len: Option<u64>,
    /// The file part's bytes.
    pub body: ByteStream,
}

/// The files use cases.
#[derive(Clone)]
pub struct FilesService {
    store: Arc<dyn FileStore>,
    repo: Arc<dyn FileRepository>,
    attachments: Arc<dyn AttachmentAccess>,
    clock: Arc<dyn Clock>,
    random: Arc<dyn Random>,
    limit: u64,
}

/// The first bytes of a body, read off its stream, and the rest.
pub struct Peeked {
    /// Up to [`SNIFF_BYTES`] (fewer only when the body is shorter).
    pub head: Bytes,
    /// Everything after `head`.
    pub rest: ByteStream,
}

impl Peeked {
    /// The whole body again: `head` then `rest`.
    #[must_use]
    pub fn rejoin(self) -> ByteStream {
        Box::pin(futures_util::stream::once(async move { Ok(self.head) }).chain(self.rest))
    }
}

/// Read up to [`SNIFF_BYTES`] from the front of `body`.
pub async fn peek(body: ByteStream) -> Result<Peeked, StoreError> {
    // Fused: the rest may have ended already (a short body), and is polled again after the head.
    let mut body = body.fuse();
    let mut head = BytesMut::new();
    while head.len() < SNIFF_BYTES {
        match body.next().await {
            Some(chunk) => head.extend_from_slice(&chunk.map_err(StoreError::Body)?),
            None => break,
        }
    }
    Ok(Peeked {
        head: head.freeze(),
        rest: Box::pin(body),
    })
}

/// Check an upload's name, type and content against `allowed` and read its head: the
/// sanitised name, the type, and the body ready to store. 415 for a type not allowed or content
/// that contradicts the extension, 422 for an empty file, 413 for a declared size over `limit`.
pub async fn check_upload(
    upload: Upload,
    allowed: &[&str],
    limit: u64,
) -> Result<(SafeName, &'static FileType, ByteStream), FileError> {
    if upload.declared_len.is_some_and(|n| n > limit) {
        return Err(FileError::TooLarge {
            limit_mb: limit / (1024 * 1024),
        });
    }
    let name = sanitize(&upload.filename);
    let ftype = name
        .extension()
        .filter(|e| allowed.contains(e))
        .and_then(types::by_extension)
        .ok_or(FileError::Unsupported("extension"))?;
    let peeked = peek(upload.body)
        .await
        .map_err(|e| FileError::from_put(e, "file", limit))?;
    if peeked.head.is_empty() {
        return Err(FileError::empty("file"));
    }
    if !ftype.admits(&peeked.head) {
        return Err(FileError::Unsupported("content"));
    }
    Ok((name, ftype, peeked.rejoin()))
}

impl FilesService {
    /// Wire the use cases; `limit` is the upload size limit in bytes.
    pub fn new(
        store: Arc<dyn FileStore>,
        repo: Arc<dyn FileRepository>,
        attachments: Arc<dyn AttachmentAccess>,
        clock: Arc<dyn Clock>,
        random: Arc<dyn Random>,
        limit: u64,
    ) -> Self {
        Self {
            store,
            repo,
            attachments,
            clock,
            random,
            limit,
        }
    }

    /// The upload size limit in bytes.
    #[must_use]
    pub fn limit(&self) -> u64 {
        self.limit
    }

    /// The object store (for `/health` and for capabilities storing their own objects).
    #[must_use]
    pub fn store(&self) -> &Arc<dyn FileStore> {
        &self.store
    }

    /// `POST /api/upload`: store the caller's file under `uploads/{user_id}/{name}`.
    #[instrument(skip_all, fields(user = %p.user_id))]
    pub async fn upload(&self, p: &Principal, upload: Upload) -> Result<StoredFile, FileError> {
        policy::may_use_files(p)?;
        let exts: Vec<&str> = types::UPLOAD_TYPES.iter().map(|t| t.extension).collect();
        let (name, ftype, body) = check_upload(upload, &exts, self.limit).await?;
        let (key, size) = self
            .put_fresh(|n| FileKey::upload(p.user_id.0, n), &name, ftype, body)
            .await?;
        let file = StoredFile {
            id: FileId(self.random.uuid()),
            owner: p.user_id,
            account_id: p.account_id,
            filename: SafeName::from_trusted(key.segments().last().unwrap_or("file").to_owned()),
            key,
            size,
            content_type: ftype.content_type.to_owned(),
            uploaded_at: to_seconds(self.clock.now()),
            attached_to: None,
        };
        if let Err(e) = self.repo.insert(&file).await {
            self.remove_object(&file.key).await;
            return Err(e.into());
        }
        Ok(file)
    }

    /// Write `body` under the key `key_of(name)`, or of `name` with a random suffix when that
    /// key is taken (by an object or a metadata row). The key and the size written.
    async fn put_fresh(
        &self,
        key_of: impl Fn(&SafeName) -> FileKey,
        name: &SafeName,
        ftype: &FileType,
        body: ByteStream,
    ) -> Result<(FileKey, u64), FileError> {
        let mut body = Some(body);
        let mut candidate = name.clone();
        for _ in 0..KEY_ATTEMPTS {
            let key = key_of(&candidate);
            let taken = match self.repo.by_key(&key).await {
                Ok(_) => true,
                Err(RepoError::NotFound) => false,
                Err(e) => return Err(e.into()),
            };
            if !taken {
                let Some(b) = body.take() else { break };
                match self
                    .store
                    .put(&key, ftype.content_type, b, self.limit)
                    .await
                {
                    Ok(size) => return Ok((key, size)),
                    // The body was not read past its head: only a taken key can retry, and a
                    // store reports `Exists` before reading.
                    Err(StoreError::Exists) => {
                        return Err(FileError::StoreFailed(Box::new(StoreError::Exists)));
                    }
                    Err(e) => return Err(FileError::from_put(e, "file", self.limit)),
                }
            }
            candidate = name.with_suffix(&hex8(&self.random.bytes(4)));
        }
        Err(FileError::StoreFailed(Box::new(StoreError::Exists)))
    }

    /// Remove an object whose metadata could not be written (or was removed); a failure is
    /// logged with the key (no PHI: keys are ids and sanitised names).
    async fn remove_object(&self, key: &FileKey) {
        if let Err(e) = self.store.delete(key).await {
            tracing::error!(error = %e, key = %key, "could not remove an object without metadata");
        }
    }

    /// `GET /api/files`: the caller's own files, newest first.
    pub async fn list(&self, p: &Principal, page: Page) -> Result<Vec<StoredFile>, FileError> {
        policy::may_use_files(p)?;
        Ok(self.repo.list_owned(p.user_id, page).await?)
    }

    /// `GET /api/files/{id}`: one readable file's metadata.
    pub async fn get(&self, p: &Principal, id: FileId) -> Result<StoredFile, FileError> {
        policy::may_use_files(p)?;
        let file = self.repo.get(id).await?;
        let grants = match file.attached_to {
            Some(a) if !policy::is_owner(p, &file) => self.attachments.may_read(p, a).await?,
            _ => false,
        };
        policy::may_read(p, &file, grants)?;
        Ok(file)
    }

    /// `GET /api/files/{id}/download`: a readable file and its bytes.
    pub async fn download(
        &self,
        p: &Principal,
        id: FileId,
    ) -> Result<(StoredFile, Object), FileError> {
        let file = self.get(p, id).await?;
        let object = self.store.get(&file.key).await?;
        Ok((file, object))
    }

    /// `GET /api/files/download?file_key=`: a key under the caller's own prefix.
    pub async fn download_key(
        &self,
        p: &Principal,
        raw_key: &str,
    ) -> Result<(StoredFile, Object), FileError> {
        policy::may_use_files(p)?;
        let key = FileKey::parse_upload(raw_key, p.user_id.0)
            .ok_or(FileError::NotFound(crate::common::Entity::File))?;
        let file = self.repo.by_key(&key).await?;
        policy::may_read(p, &file, false)?;
        let object = self.store.get(&file.key).await?;
        Ok((file, object))
    }

    /// `DELETE /api/files/{id}`: the owner's file, unless attached (409).
    pub async fn delete(&self, p: &Principal, id: FileId) -> Result<(), FileError> {
        policy::may_use_files(p)?;
        let file = self.repo.get(id).await?;
        policy::may_delete(p, &file)?;
        let removed = self.repo.delete(id).await?;
        self.remove_object(&removed.key).await;
        Ok(())
    }
}

/// 8 lowercase hex digits of 4 random bytes.
fn hex8(bytes: &[u8]) -> String {
    bytes.iter().take(4).map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::{AccountId, MockClock, MockRandom, UserId};
    use crate::files::ports::{MockFileRepository, MockFileStore, NoAttachments};
    use crate::identity::model::Role;
    use crate::identity::policy::AccessType;

    fn principal() -> Principal {
        Principal {
            user_id: UserId(uuid::Uuid::new_v4()),
            role: Role::Clinician,
            account_id: Some(AccountId(uuid::Uuid::new_v4())),
            access: AccessType::Full,
            jti: "j".into(),
            token_exp: 0,
            session: None,
            grant: None,
        }
    }

    fn body(bytes: &'static [u8]) -> ByteStream {
        Box::pin(futures_util::stream::iter(vec![Ok(Bytes::from_static(
            bytes,
        ))]))
    }

    fn service(store: MockFileStore, repo: MockFileRepository) -> FilesService {
        let mut clock = MockClock::new();
        clock
            .expect_now()
            .returning(|| time::OffsetDateTime::UNIX_EPOCH);
        let mut random = MockRandom::new();
        random.expect_uuid().returning(uuid::Uuid::new_v4);
        random.expect_bytes().returning(|n| vec![0xab; n]);
        FilesService::new(
            Arc::new(store),
            Arc::new(repo),
            Arc::new(NoAttachments),
            Arc::new(clock),
            Arc::new(random),
            1024,
        )
    }

    fn upload(name: &str, bytes: &'static [u8]) -> Upload {
        Upload {
            filename: name.into(),
            declared_len: None,
            body: body(bytes),
        }
    }

    #[tokio::test]
    async fn an_object_whose_metadata_cannot_be_written_is_removed_again() {
        let mut store = MockFileStore::new();
        store.expect_put().times(1).returning(|_, _, _, _| Ok(5));
        store.expect_delete().times(1).returning(|_| Ok(()));
        let mut repo = MockFileRepository::new();
        repo.expect_by_key().returning(|_| Err(RepoError::NotFound));
        repo.expect_insert()
            .returning(|_| Err(RepoError::Unavailable("down".into())));
        let e = service(store, repo)
            .upload(&principal(), upload("a.txt", b"hello"))
            .await
            .unwrap_err();
        assert!(matches!(e, FileError::Unavailable(_)), "{e:?}");
    }

    #[tokio::test]
    async fn a_taken_key_gets_a_suffix_and_refusals_touch_nothing() {
        let mut store = MockFileStore::new();
        store
            .expect_put()
            .withf(|k, _, _, _| k.as_str().ends_with("/a_abababab.txt"))
            .times(1)
            .returning(|_, _, _, _| Ok(5));
        let mut repo = MockFileRepository::new();
        repo.expect_by_key().returning(|k| {
            if k.as_str().ends_with("/a.txt") {
                Ok(StoredFile {
                    id: FileId(uuid::Uuid::nil()),
                    owner: UserId(uuid::Uuid::nil()),
                    account_id: None,
                    key: k.clone(),
                    filename: sanitize("a.txt"),
                    size: 1,
                    content_type: "text/plain".into(),
                    uploaded_at: time::OffsetDateTime::UNIX_EPOCH,
                    attached_to: None,
                })
            } else {
                Err(RepoError::NotFound)
            }
        });
        repo.expect_insert().times(1).returning(|_| Ok(()));
        let svc = service(store, repo);
        let f = svc
            .upload(&principal(), upload("a.txt", b"hello"))
            .await
            .unwrap();
        assert_eq!(f.filename.as_str(), "a_abababab.txt");
        // No store or metadata call for refused uploads (the mocks would panic).
        for (name, bytes, want_415) in [("x.exe", b"MZ" as &[u8], true), ("e.txt", b"", false)] {
            let bytes: &'static [u8] = bytes;
            let e = svc
                .upload(&principal(), upload(name, bytes))
                .await
                .unwrap_err();
            assert_eq!(
                matches!(e, FileError::Unsupported(_)),
                want_415,
                "{name}: {e:?}"
            );
        }
        let big = Upload {
            declared_len: Some(2048),
            ..upload("b.txt", b"x")
        };
        assert!(matches!(
            svc.upload(&principal(), big).await,
            Err(FileError::TooLarge { .. })
        ));
    }
}
