//! Files (contract §3.10): `POST /api/upload`, `GET /api/files`, `GET /api/files/{id}`, the two
//! downloads and `DELETE /api/files/{id}`.
//!
//! Uploads stream: the multipart `file` part is pumped through a small bounded channel into the
//! store (the part is not `Send`; the store's stream must be), so memory stays flat whatever the
//! size. The size limit holds from `Content-Length` before anything is read, and again while
//! streaming (the store counts).

pub mod multipart;

use super::dto::{MessageDto, ts};
use crate::auth::Auth;
use crate::body::{Query, check, id_or_404};
use crate::error::{ApiError, ApiResult, Place};
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use genascope_domain::common::Entity;
use genascope_domain::files::model::{FileId, StoredFile};
use genascope_domain::files::ports::Object;
use genascope_domain::files::service::Upload;
use genascope_domain::identity::ports::Page;
use serde::Serialize;
use utoipa::ToSchema;

/// A stored file (contract §3.10 `File`).
#[derive(Debug, Serialize, ToSchema)]
pub struct FileDto {
    pub file_id: String,
    pub file_key: String,
    pub filename: String,
    pub size: u64,
    pub content_type: String,
    /// `s3://{bucket}/{file_key}`, with every storage backend.
    pub s3_url: String,
    pub uploaded_at: String,
}

/// `POST /api/upload`'s answer: a [`FileDto`] with a message.
#[derive(Debug, Serialize, ToSchema)]
pub struct UploadedDto {
    pub message: &'static str,
    #[serde(flatten)]
    pub file: FileDto,
}

impl FileDto {
    fn new(f: &StoredFile, bucket: &str) -> Self {
        Self {
            file_id: f.id.to_string(),
            file_key: f.key.to_string(),
            filename: f.filename.to_string(),
            size: f.size,
            content_type: f.content_type.clone(),
            s3_url: format!("s3://{bucket}/{}", f.key),
            uploaded_at: ts(f.uploaded_at),
        }
    }
}

/// Upload a file (multipart, one `file` part). Any full-token principal.
#[utoipa::path(post, path = "/api/upload", tag = "files",
    responses((status = 200, body = UploadedDto), (status = 401), (status = 403), (status = 413),
        (status = 415), (status = 422), (status = 500)))]
pub async fn upload(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    genascope_domain::files::policy::may_use_files(auth.principal())?;
    let limit = state.files.limit();
    let declared = multipart::declared_file_len(&req, limit)?;
    let files = state.files.clone();
    let p = auth.principal().clone();
    let stored = multipart::with_file_part(&req, payload, |filename, body| async move {
        let upload = Upload {
            filename,
            declared_len: declared,
            body,
        };
        files.upload(&p, upload).await.map_err(ApiError::from)
    })
    .await?;
    let file = FileDto::new(&stored, &state.files.store().bucket());
    Ok(HttpResponse::Ok().json(UploadedDto {
        message: "File uploaded successfully",
        file,
    }))
}

/// The caller's own files, newest first (style A).
#[utoipa::path(get, path = "/api/files", tag = "files",
    params(("skip" = Option<u32>, Query, description = "Rows to skip (alias offset)."),
        ("limit" = Option<u32>, Query, description = "1..100, default 100.")),
    responses((status = 200, body = [FileDto]), (status = 401), (status = 403), (status = 422)))]
pub async fn list(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    let q = Query::parse(req.query_string());
    let mut errors = Vec::new();
    let offset = q.int(&mut errors, &["skip", "offset"], 0, u32::MAX, 0);
    let limit = q.int(&mut errors, &["limit"], 1, 100, 100);
    check(Place::Query, errors)?;
    let rows = state
        .files
        .list(auth.principal(), Page { offset, limit })
        .await?;
    let bucket = state.files.store().bucket();
    Ok(HttpResponse::Ok().json(
        rows.iter()
            .map(|f| FileDto::new(f, &bucket))
            .collect::<Vec<_>>(),
    ))
}

/// One file's metadata (the owner; a lab report's readers).
#[utoipa::path(get, path = "/api/files/{id}", tag = "files",
    responses((status = 200, body = FileDto), (status = 401), (status = 404)))]
pub async fn get(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = id_or_404(&path, FileId::parse, Entity::File)?;
    let file = state.files.get(auth.principal(), id).await?;
    Ok(HttpResponse::Ok().json(FileDto::new(&file, &state.files.store().bucket())))
}

/// A file's bytes.
#[utoipa::path(get, path = "/api/files/{id}/download", tag = "files",
    responses((status = 200, content_type = "application/octet-stream"), (status = 401), (status = 404)))]
pub async fn download(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = id_or_404(&path, FileId::parse, Entity::File)?;
    let (file, object) = state.files.download(auth.principal(), id).await?;
    Ok(send(&file, object))
}

/// A file's bytes by key (`?file_key=`, under the caller's own prefix).
#[utoipa::path(get, path = "/api/files/download", tag = "files",
    params(("file_key" = String, Query, description = "uploads/{your user id}/{name}")),
    responses((status = 200, content_type = "application/octet-stream"), (status = 401), (status = 404)))]
pub async fn download_by_key(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    let q = Query::parse(req.query_string());
    let key = q.get(&["file_key"]).unwrap_or_default();
    let (file, object) = state.files.download_key(auth.principal(), &key).await?;
    Ok(send(&file, object))
}

/// Delete the caller's file (409 while attached to a lab result).
#[utoipa::path(delete, path = "/api/files/{id}", tag = "files",
    responses((status = 200, body = MessageDto), (status = 401), (status = 404), (status = 409)))]
pub async fn delete(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = id_or_404(&path, FileId::parse, Entity::File)?;
    state.files.delete(auth.principal(), id).await?;
    Ok(HttpResponse::Ok().json(MessageDto::ok("File deleted successfully", None)))
}

/// The bytes with the §3.10 headers. The name is sanitised (only `[A-Za-z0-9._-]`), so it is
/// safe both quoted and as a UTF-8 `filename*`.
fn send(file: &StoredFile, object: Object) -> HttpResponse {
    let name = file.filename.as_str();
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, file.content_type.clone()))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\"; filename*=UTF-8''{name}"),
        ))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(actix_web::body::SizedStream::new(object.size, object.body))
}
