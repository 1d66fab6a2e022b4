//! `S3FileStore`: the `FileStore` port on an S3 bucket.
//!
//! Every put asks for server-side encryption (AES256). A body up to [`PART_SIZE`] is one
//! `PutObject`; a longer one is a multipart upload of [`PART_SIZE`] parts, read and sent one at a
//! time, so memory stays at about one part whatever the size. A body that fails, or passes the
//! limit, aborts the multipart upload: nothing is kept. Keys are never overwritten: a put checks
//! first (`HeadObject`) and refuses an existing key (the metadata's unique key closes the race).

use async_trait::async_trait;
use aws_config::SdkConfig;
use aws_sdk_s3::Client;
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_s3::primitives::ByteStream as S3Body;
use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart, ServerSideEncryption};
use bytes::{Bytes, BytesMut};
use futures_util::StreamExt;
use genascope_domain::files::names::FileKey;
use genascope_domain::files::ports::{ByteStream, FileStore, Object, StoreError};

/// The multipart threshold and part size: 8 MiB.
pub const PART_SIZE: usize = 8 * 1024 * 1024;

/// Settings of the S3 store.
#[derive(Debug, Clone)]
pub struct S3Settings {
    /// The bucket.
    pub bucket: String,
    /// Path-style addressing (`endpoint/bucket/key`), for S3-compatible servers.
    pub force_path_style: bool,
}

/// Objects in an S3 bucket.
#[derive(Debug, Clone)]
pub struct S3FileStore {
    client: Client,
    bucket: String,
}

/// A failed S3 call as the port's error: no answer (dispatch, timeout) is an outage.
fn failed<E, R>(e: SdkError<E, R>) -> StoreError
where
    E: std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    match e {
        SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) => {
            StoreError::Unavailable(Box::new(e))
        }
        other => StoreError::Unexpected(Box::new(other)),
    }
}

/// What a body yielded next: a full part, the last (short) part, or a failure.
enum Chunk {
    Full(Bytes),
    Last(Bytes),
}

/// Fill one part from `body`, counting `size` against `limit`.
async fn next_part(body: &mut ByteStream, size: &mut u64, limit: u64) -> Result<Chunk, StoreError> {
    let mut buf = BytesMut::with_capacity(PART_SIZE);
    while buf.len() < PART_SIZE {
        let Some(chunk) = body.next().await else {
            return Ok(Chunk::Last(buf.freeze()));
        };
        let chunk = chunk.map_err(StoreError::Body)?;
        *size += chunk.len() as u64;
        if *size > limit {
            return Err(StoreError::TooLarge);
        }
        buf.extend_from_slice(&chunk);
    }
    // A part may overshoot by less than one chunk: it goes as it is (parts may differ in size).
    Ok(Chunk::Full(buf.freeze()))
}

impl S3FileStore {
    /// A store on `settings.bucket` with the shared AWS configuration.
    #[must_use]
    pub fn new(config: &SdkConfig, settings: &S3Settings) -> Self {
        let conf = aws_sdk_s3::config::Builder::from(config)
            .force_path_style(settings.force_path_style)
            .build();
        Self {
            client: Client::from_conf(conf),
            bucket: settings.bucket.clone(),
        }
    }

    /// The client (tests inspect objects with it).
    #[must_use]
    pub fn client(&self) -> &Client {
        &self.client
    }

    async fn put_one(&self, key: &str, content_type: &str, bytes: Bytes) -> Result<(), StoreError> {
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type(content_type)
            .server_side_encryption(ServerSideEncryption::Aes256)
            .body(S3Body::from(bytes))
            .send()
            .await
            .map_err(failed)?;
        Ok(())
    }

    /// A multipart upload starting with `first`; aborted on any failure.
    async fn put_multipart(
        &self,
        key: &str,
        content_type: &str,
        first: Bytes,
        body: &mut ByteStream,
        size: &mut u64,
        limit: u64,
    ) -> Result<(), StoreError> {
        let created = self
            .client
            .create_multipart_upload()
            .bucket(&self.bucket)
            .key(key)
            .content_type(content_type)
            .server_side_encryption(ServerSideEncryption::Aes256)
            .send()
            .await
            .map_err(failed)?;
        let upload_id = created.upload_id().unwrap_or_default().to_owned();
        let result = self
            .send_parts(key, &upload_id, first, body, size, limit)
            .await;
        if result.is_err() {
            let aborted = self
                .client
                .abort_multipart_upload()
                .bucket(&self.bucket)
                .key(key)
                .upload_id(&upload_id)
                .send()
                .await;
            if let Err(e) = aborted {
                tracing::error!(error = %e, key, "could not abort a multipart upload");
            }
        }
        result
    }

    async fn send_parts(
        &self,
        key: &str,
        upload_id: &str,
        first: Bytes,
        body: &mut ByteStream,
        size: &mut u64,
        limit: u64,
    ) -> Result<(), StoreError> {
        let mut parts = Vec::new();
        let mut next = Chunk::Full(first);
        loop {
            let (bytes, last) = match next {
                Chunk::Full(b) => (b, false),
                Chunk::Last(b) => (b, true),
            };
            if !bytes.is_empty() {
                let number = i32::try_from(parts.len() + 1).unwrap_or(i32::MAX);
                let sent = self
                    .client
                    .upload_part()
                    .bucket(&self.bucket)
                    .key(key)
                    .upload_id(upload_id)
                    .part_number(number)
                    .body(S3Body::from(bytes))
                    .send()
                    .await
                    .map_err(failed)?;
                parts.push(
                    CompletedPart::builder()
                        .part_number(number)
                        .set_e_tag(sent.e_tag().map(str::to_owned))
                        .build(),
                );
            }
            if last {
                break;
            }
            next = next_part(body, size, limit).await?;
        }
        self.client
            .complete_multipart_upload()
            .bucket(&self.bucket)
            .key(key)
            .upload_id(upload_id)
            .multipart_upload(
                CompletedMultipartUpload::builder()
                    .set_parts(Some(parts))
                    .build(),
            )
            .send()
            .await
            .map_err(failed)?;
        Ok(())
    }
}

#[async_trait]
impl FileStore for S3FileStore {
    async fn put(
        &self,
        key: &FileKey,
        content_type: &str,
        mut body: ByteStream,
        limit: u64,
    ) -> Result<u64, StoreError> {
        if self.exists(key).await? {
            return Err(StoreError::Exists);
        }
        let mut size = 0;
        match next_part(&mut body, &mut size, limit).await? {
            Chunk::Last(bytes) => self.put_one(key.as_str(), content_type, bytes).await?,
            Chunk::Full(first) => {
                self.put_multipart(
                    key.as_str(),
                    content_type,
                    first,
                    &mut body,
                    &mut size,
                    limit,
                )
                .await?;
            }
        }
        Ok(size)
    }

    async fn get(&self, key: &FileKey) -> Result<Object, StoreError> {
        let out = match self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key.as_str())
            .send()
            .await
        {
            Ok(out) => out,
            Err(e) if e.as_service_error().is_some_and(|s| s.is_no_such_key()) => {
                return Err(StoreError::NotFound);
            }
            Err(e) => return Err(failed(e)),
        };
        let size = out
            .content_length()
            .and_then(|n| u64::try_from(n).ok())
            .unwrap_or(0);
        let body: ByteStream = Box::pin(futures_util::stream::unfold(out.body, |mut b| async {
            match b.try_next().await {
                Ok(Some(bytes)) => Some((Ok(bytes), b)),
                Ok(None) => None,
                Err(e) => Some((Err(std::io::Error::other(e)), b)),
            }
        }));
        Ok(Object { size, body })
    }

    async fn delete(&self, key: &FileKey) -> Result<(), StoreError> {
        self.client
            .delete_object()
            .bucket(&self.bucket)
            .key(key.as_str())
            .send()
            .await
            .map_err(failed)?;
        Ok(())
    }

    async fn exists(&self, key: &FileKey) -> Result<bool, StoreError> {
        match self
            .client
            .head_object()
            .bucket(&self.bucket)
            .key(key.as_str())
            .send()
            .await
        {
            Ok(_) => Ok(true),
            Err(e) if e.as_service_error().is_some_and(|s| s.is_not_found()) => Ok(false),
            Err(e) if e.code() == Some("NotFound") => Ok(false),
            Err(e) => Err(failed(e)),
        }
    }

    async fn health(&self) -> Result<(), StoreError> {
        self.client
            .head_bucket()
            .bucket(&self.bucket)
            .send()
            .await
            .map_err(|e| StoreError::Unavailable(Box::new(e)))?;
        Ok(())
    }

    fn bucket(&self) -> String {
        self.bucket.clone()
    }
}
