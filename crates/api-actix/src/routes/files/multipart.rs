//! Streaming a multipart upload's `file` part into a use case.

use crate::error::{ApiError, ApiResult, Place};
use actix_multipart::Multipart;
use actix_web::{HttpRequest, web};
use bytes::Bytes;
use futures_util::StreamExt;
use genascope_domain::common::FieldError;
use genascope_domain::files::error::FileError;
use genascope_domain::files::ports::ByteStream;
use std::future::Future;

/// What multipart framing and small form fields may add to a file's size in `Content-Length`.
pub const FRAMING_ALLOWANCE: u64 = 64 * 1024;

/// Most parts one upload may have.
const MAX_PARTS: usize = 16;

/// Most bytes a non-file part may have.
pub const MAX_FIELD_BYTES: usize = 8 * 1024;

/// Chunks in flight between the request and the store.
const CHANNEL_DEPTH: usize = 4;

/// 413 before reading when `Content-Length` says the file cannot fit `limit`; the declared
/// length less the framing allowance otherwise (a lower bound of the file's size, for the use
/// case's own check).
pub fn declared_file_len(req: &HttpRequest, limit: u64) -> ApiResult<Option<u64>> {
    let declared = req
        .headers()
        .get(actix_web::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    match declared {
        Some(n) if n > limit + FRAMING_ALLOWANCE => Err(FileError::TooLarge {
            limit_mb: limit / (1024 * 1024),
        }
        .into()),
        Some(n) => Ok(Some(n.saturating_sub(FRAMING_ALLOWANCE))),
        None => Ok(None),
    }
}

fn malformed() -> ApiError {
    ApiError::Invalid(vec![Place::Body.field(
        "file",
        "The upload could not be read as multipart/form-data",
        "value_error.multipart",
    )])
}

/// The form's small fields and, once the `file` part came, what `store` made of it.
pub struct Parts<T> {
    /// Non-file fields (name → trimmed text), before and after the file.
    pub fields: Vec<(String, String)>,
    /// The use case's result for the file part.
    pub stored: T,
}

/// Read the multipart body: small fields are collected, the `file` part is streamed into
/// `store(filename, body)`. 422 when there is no `file` part or the framing is broken; 413
/// when there are too many parts or a field is too long.
pub async fn with_file_part<T, F, Fut>(
    req: &HttpRequest,
    payload: web::Payload,
    store: F,
) -> ApiResult<T>
where
    F: FnOnce(String, ByteStream) -> Fut,
    Fut: Future<Output = ApiResult<T>>,
{
    Ok(with_parts(req, payload, store).await?.stored)
}

/// [`with_file_part`], keeping the other fields.
pub async fn with_parts<T, F, Fut>(
    req: &HttpRequest,
    payload: web::Payload,
    store: F,
) -> ApiResult<Parts<T>>
where
    F: FnOnce(String, ByteStream) -> Fut,
    Fut: Future<Output = ApiResult<T>>,
{
    let mut form = Multipart::new(req.headers(), payload.into_inner());
    let mut store = Some(store);
    let mut stored = None;
    let mut fields = Vec::new();
    let mut parts = 0;
    while let Some(part) = form.next().await {
        parts += 1;
        if parts > MAX_PARTS {
            return Err(ApiError::TooLarge);
        }
        let mut part = part.map_err(|_| malformed())?;
        let name = part.name().unwrap_or_default().to_owned();
        if name == "file" {
            let Some(store) = store.take() else {
                return Err(ApiError::Invalid(vec![Place::Body.field(
                    "file",
                    "Only one file may be uploaded",
                    "value_error.multipart",
                )]));
            };
            let filename = part
                .content_disposition()
                .and_then(|d| d.get_filename())
                .unwrap_or_default()
                .to_owned();
            let (tx, rx) = tokio::sync::mpsc::channel(CHANNEL_DEPTH);
            let body: ByteStream = Box::pin(futures_util::stream::unfold(rx, |mut rx| async {
                rx.recv().await.map(|item| (item, rx))
            }));
            let (_, result) =
                futures_util::future::join(pump(&mut part, tx), store(filename, body)).await;
            stored = Some(result?);
        } else {
            let mut text = Vec::new();
            while let Some(chunk) = part.next().await {
                let chunk = chunk.map_err(|_| malformed())?;
                if text.len() + chunk.len() > MAX_FIELD_BYTES {
                    return Err(ApiError::TooLarge);
                }
                text.extend_from_slice(&chunk);
            }
            let text = String::from_utf8(text).map_err(|_| {
                ApiError::Invalid(vec![Place::Body.field(
                    &name,
                    "must be UTF-8 text",
                    "value_error.str",
                )])
            })?;
            fields.push((name, text.trim().to_owned()));
        }
    }
    match stored {
        Some(stored) => Ok(Parts { fields, stored }),
        None if parts == 0 => Err(malformed()),
        None => Err(ApiError::invalid(
            Place::Body,
            vec![FieldError::missing("file")],
        )),
    }
}

/// Forward a part's chunks until it ends, fails (the failure is forwarded) or the receiver is
/// gone (the use case stopped reading).
async fn pump(
    part: &mut actix_multipart::Field,
    tx: tokio::sync::mpsc::Sender<std::io::Result<Bytes>>,
) {
    while let Some(chunk) = part.next().await {
        let item =
            chunk.map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string()));
        let failed = item.is_err();
        if tx.send(item).await.is_err() || failed {
            return;
        }
    }
}
