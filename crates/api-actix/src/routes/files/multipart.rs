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
    let form = read_form(req, payload, |_, filename, body| store(filename, body)).await;
    form.error.map_or(Ok(()), Err)?;
    match form.stored {
        Some(stored) => Ok(Parts {
            fields: form.fields,
            stored,
        }),
        None => Err(missing_file()),
    }
}

/// A form read by [`read_form`]: what came in, and the first failure.
pub struct Form<T> {
    /// Non-file fields (name → trimmed text) read before the failure, if any.
    pub fields: Vec<(String, String)>,
    /// What the `file` part became, if it came and was taken (kept even when a later part
    /// failed: the caller must undo it then).
    pub stored: Option<T>,
    /// The first failure: of the framing, a field, or the use case on the file part. A form
    /// without a `file` part is not a failure here (`stored` is `None`).
    pub error: Option<ApiError>,
}

fn missing_file() -> ApiError {
    ApiError::invalid(Place::Body, vec![FieldError::missing("file")])
}

/// Read a multipart body: small fields are collected, the `file` part is streamed into
/// `store(fields before it, filename, body)`. Reading stops at the first failure (422 for
/// broken framing, non-UTF-8 text or a second file; 413 for too many parts or a field too
/// long); whatever `store` made before that is handed back with it.
pub async fn read_form<T, F, Fut>(req: &HttpRequest, payload: web::Payload, store: F) -> Form<T>
where
    F: FnOnce(&[(String, String)], String, ByteStream) -> Fut,
    Fut: Future<Output = ApiResult<T>>,
{
    let mut out = Form {
        fields: Vec::new(),
        stored: None,
        error: None,
    };
    let mut multipart = Multipart::new(req.headers(), payload.into_inner());
    let mut store = Some(store);
    let mut parts = 0;
    while let Some(part) = multipart.next().await {
        parts += 1;
        if parts > MAX_PARTS {
            out.error = Some(ApiError::TooLarge);
            return out;
        }
        let Ok(mut part) = part else {
            out.error = Some(malformed());
            return out;
        };
        let name = part.name().unwrap_or_default().to_owned();
        if name == "file" {
            let Some(store) = store.take() else {
                out.error = Some(ApiError::Invalid(vec![Place::Body.field(
                    "file",
                    "Only one file may be uploaded",
                    "value_error.multipart",
                )]));
                return out;
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
                futures_util::future::join(pump(&mut part, tx), store(&out.fields, filename, body))
                    .await;
            match result {
                Ok(stored) => out.stored = Some(stored),
                Err(e) => {
                    out.error = Some(e);
                    return out;
                }
            }
        } else {
            match field_text(&mut part, &name).await {
                Ok(text) => out.fields.push((name, text)),
                Err(e) => {
                    out.error = Some(e);
                    return out;
                }
            }
        }
    }
    if parts == 0 {
        out.error = Some(malformed());
    }
    out
}

/// A small field's trimmed text (at most [`MAX_FIELD_BYTES`], UTF-8).
async fn field_text(part: &mut actix_multipart::Field, name: &str) -> ApiResult<String> {
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
            name,
            "must be UTF-8 text",
            "value_error.str",
        )])
    })?;
    Ok(text.trim().to_owned())
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
