//! Chat configuration: knowledge sources (contract §3.6) under
//! `/api/v1/chat-configuration/knowledge-sources`. Callers: the care team in its own account and
//! super_admin (lists span all accounts; creates name the account); everyone else 403 before
//! anything is read. Who sees which source is the domain's `questionnaire::knowledge::policy`.
//!
//! The upload streams like `POST /api/upload` (the `file` part goes straight into the store);
//! `name`, `description`, `access_level` (and a super_admin's `account_id`) come as form fields,
//! before or after the file, or as query parameters.

use super::one_of;
use crate::auth::{Allowed, act};
use crate::body::{Body, Query, check, id_or_404, optional_patch, required_patch};
use crate::error::{ApiError, ApiResult, Place};
use crate::routes::dto::{MessageDto, ts};
use crate::routes::files::multipart;
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, web};
use genascope_domain::common::{AccountId, Entity, FieldError, KnowledgeSourceId, Patch, validate};
use genascope_domain::files::service::Upload;
use genascope_domain::questionnaire::knowledge::model::{
    AccessLevel, KnowledgeSource, NewSource, ProcessingStatus, SourcePatch, SourceQuery,
    SourceType, SourceUrl, UploadFields,
};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

/// A knowledge source (contract §3.6 `KnowledgeSource`).
#[derive(Debug, Serialize, ToSchema)]
pub struct KnowledgeSourceDto {
    pub id: String,
    pub account_id: String,
    pub name: String,
    pub description: Option<String>,
    /// `file`, `guideline`, `research_paper`, `protocol`, `risk_model`, `custom_document`,
    /// `custom_link`.
    pub source_type: &'static str,
    pub url: Option<String>,
    pub content_type: Option<String>,
    pub file_size: Option<u64>,
    /// The document's key in the store (`knowledge/{account_id}/{source_id}/{name}`).
    pub file_path: Option<String>,
    /// `completed` once stored (no extraction runs); also `pending`, `processing`, `failed`.
    pub processing_status: &'static str,
    /// `account` or `user`.
    pub access_level: &'static str,
    pub is_active: bool,
    pub uploaded_by: String,
    pub created_at: String,
    pub updated_at: String,
}

impl From<&KnowledgeSource> for KnowledgeSourceDto {
    fn from(s: &KnowledgeSource) -> Self {
        let doc = s.document.as_ref();
        Self {
            id: s.id.to_string(),
            account_id: s.account_id.to_string(),
            name: s.name.to_string(),
            description: s.description.as_ref().map(ToString::to_string),
            source_type: s.source_type.as_str(),
            url: s.url.as_ref().map(|u| u.as_str().to_owned()),
            content_type: doc.map(|d| d.content_type.clone()),
            file_size: doc.map(|d| d.size),
            file_path: doc.map(|d| d.key.to_string()),
            processing_status: s.processing_status.as_str(),
            access_level: s.access_level.as_str(),
            is_active: s.is_active,
            uploaded_by: s.uploaded_by.to_string(),
            created_at: ts(s.created_at),
            updated_at: ts(s.updated_at),
        }
    }
}

fn source_type(errors: &mut Vec<FieldError>, raw: &str) -> Option<SourceType> {
    one_of(
        errors,
        "source_type",
        raw,
        SourceType::parse,
        &SourceType::permitted(),
    )
}

fn access_level(errors: &mut Vec<FieldError>, raw: &str) -> Option<AccessLevel> {
    one_of(
        errors,
        "access_level",
        raw,
        AccessLevel::parse_input,
        &AccessLevel::permitted_input(),
    )
}

fn url(errors: &mut Vec<FieldError>, raw: &str) -> Option<SourceUrl> {
    SourceUrl::parse("url", raw)
        .map_err(|e| errors.push(e))
        .ok()
}

/// An account named by the caller: one that does not parse names no account (404 at the use
/// case's turn).
fn account_hint(raw: Option<String>) -> Option<AccountId> {
    raw.map(|s| AccountId::parse(&s).unwrap_or(AccountId(uuid::Uuid::nil())))
}

/// The knowledge sources the caller sees, newest first (style A: `skip` (alias `offset`),
/// `limit` 1..100). Filters: `source_type`, `processing_status`, `account_id` (super_admin;
/// another account matches nothing).
#[utoipa::path(get, path = "/api/v1/chat-configuration/knowledge-sources", tag = "chat-configuration",
    params(
        ("skip" = Option<u32>, Query, description = "Rows to skip (alias offset), default 0."),
        ("limit" = Option<u32>, Query, description = "1..100, default 100."),
        ("source_type" = Option<String>, Query, description = "file, guideline, research_paper, protocol, risk_model, custom_document, custom_link."),
        ("processing_status" = Option<String>, Query, description = "pending, processing, completed, failed."),
        ("account_id" = Option<String>, Query, description = "super_admin: one account's sources."),
    ),
    responses((status = 200, body = [KnowledgeSourceDto]), (status = 401), (status = 403), (status = 422)))]
pub async fn list(
    state: web::Data<AppState>,
    auth: Allowed<act::StrategyManage>,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    let q = Query::parse(req.query_string());
    let mut errors = Vec::new();
    let skip = q.int(&mut errors, &["skip", "offset"], 0, u32::MAX, 0);
    let limit = q.int(&mut errors, &["limit"], 1, 100, 100);
    let source_type = q
        .get(&["source_type"])
        .and_then(|s| source_type(&mut errors, &s));
    let processing_status = q.get(&["processing_status"]).and_then(|s| {
        one_of(
            &mut errors,
            "processing_status",
            &s,
            ProcessingStatus::parse,
            &ProcessingStatus::permitted(),
        )
    });
    check(Place::Query, errors)?;
    let query = SourceQuery {
        account_id: account_hint(q.get(&["account_id"])),
        source_type,
        processing_status,
        skip,
        limit,
    };
    let rows = state.knowledge.list(auth.principal(), query).await?;
    Ok(HttpResponse::Ok().json(
        rows.iter()
            .map(KnowledgeSourceDto::from)
            .collect::<Vec<_>>(),
    ))
}

/// The upload's fields: a form field, else the query parameter of the same name; `""` means
/// absent.
fn upload_fields(q: &Query, form: &[(String, String)]) -> Result<UploadFields, Vec<FieldError>> {
    let get = |key: &str| {
        form.iter()
            .find(|(k, v)| k == key && !v.is_empty())
            .map(|(_, v)| v.clone())
            .or_else(|| q.get(&[key]))
    };
    let mut e = Vec::new();
    let name = validate::text(&mut e, "name", get("name").as_deref(), false);
    let description = validate::text(&mut e, "description", get("description").as_deref(), false);
    let access_level = get("access_level").and_then(|s| access_level(&mut e, &s));
    if e.is_empty() {
        Ok(UploadFields {
            name,
            description,
            access_level,
        })
    } else {
        Err(e)
    }
}

/// Upload a document as a knowledge source (201): multipart `file` (`.pdf`, `.doc`, `.docx`,
/// `.txt`, `.md`; the size limit of `POST /api/upload`), with `name` (default: the sanitised
/// filename), `description`, `access_level` (`account` (default), `user`, `private` = `user`)
/// and a super_admin's `account_id` as form fields or query parameters (`account_id` before the
/// file part or in the query). Stored under `knowledge/{account_id}/{source_id}/{name}`.
#[utoipa::path(post, path = "/api/v1/chat-configuration/knowledge-sources/upload", tag = "chat-configuration",
    params(
        ("name" = Option<String>, Query, description = "1..255; default: the sanitised filename."),
        ("description" = Option<String>, Query, description = "≤ 2000."),
        ("access_level" = Option<String>, Query, description = "account (default), user, private (= user)."),
        ("account_id" = Option<String>, Query, description = "super_admin: required."),
    ),
    request_body(content = Object, content_type = "multipart/form-data", description = "file (required), name, description, access_level, account_id"),
    responses((status = 201, body = KnowledgeSourceDto), (status = 401), (status = 403),
        (status = 404, description = "Account not found"), (status = 413), (status = 415),
        (status = 422), (status = 500, description = "Upload failed")))]
pub async fn upload(
    state: web::Data<AppState>,
    auth: Allowed<act::StrategyManage>,
    req: HttpRequest,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    let knowledge = &state.knowledge;
    let declared = multipart::declared_file_len(&req, knowledge.limit())?;
    let q = Query::parse(req.query_string());
    let p = auth.principal();
    let form = multipart::read_form(&req, payload, |before, filename, body| {
        let account = before
            .iter()
            .find(|(k, v)| k == "account_id" && !v.is_empty())
            .map(|(_, v)| v.clone())
            .or_else(|| q.get(&["account_id"]));
        let upload = Upload {
            filename,
            declared_len: declared,
            body,
        };
        async move {
            knowledge
                .stage(p, account_hint(account), upload)
                .await
                .map_err(ApiError::from)
        }
    })
    .await;
    let staged = match (form.stored, form.error) {
        (Some(staged), None) => staged,
        (Some(staged), Some(e)) => {
            knowledge.discard(staged).await;
            return Err(e);
        }
        (None, Some(e)) => return Err(e),
        (None, None) => {
            return Err(ApiError::invalid(
                Place::Body,
                vec![FieldError::missing("file")],
            ));
        }
    };
    let fields = upload_fields(&q, &form.fields);
    let source = knowledge.finish(p, staged, fields).await?;
    Ok(HttpResponse::Created().json(KnowledgeSourceDto::from(&source)))
}

/// The create command, or every bad field.
fn new_source(body: &Body) -> Result<NewSource, ApiError> {
    let mut e = Vec::new();
    let account_id = body.id(&mut e, "account_id", AccountId::parse)?;
    let name = body.string(&mut e, &["name", "title"]);
    let name = validate::text(&mut e, "name", name.as_deref(), true);
    let description = body.string(&mut e, &["description"]);
    let description = validate::text(&mut e, "description", description.as_deref(), false);
    let kind = match body.string(&mut e, &["source_type"]) {
        Some(s) => source_type(&mut e, &s),
        None => {
            e.push(FieldError::missing("source_type"));
            None
        }
    };
    let link = body.string(&mut e, &["url"]).and_then(|s| url(&mut e, &s));
    let access = body
        .string(&mut e, &["access_level"])
        .and_then(|s| access_level(&mut e, &s));
    check(Place::Body, e)?;
    match (name, kind) {
        (Some(name), Some(source_type)) => Ok(NewSource {
            account_id,
            name,
            description,
            source_type,
            url: link,
            access_level: access,
        }),
        _ => Err(ApiError::invalid(
            Place::Body,
            vec![FieldError::missing("name")],
        )),
    }
}

/// Create a knowledge source without a document (201): `name` (1..255), `description`
/// (≤ 2000), `source_type` (not `file`: documents come through the upload), `url` (https;
/// required for `custom_link`), `access_level`, a super_admin's `account_id`.
#[utoipa::path(post, path = "/api/v1/chat-configuration/knowledge-sources", tag = "chat-configuration",
    request_body(content = Object, description = "name (required, 1..255), description (≤ 2000), source_type (required), url (https; required for custom_link), access_level (account, user, private), account_id (super_admin: required)"),
    responses((status = 201, body = KnowledgeSourceDto), (status = 401), (status = 403),
        (status = 404, description = "Account not found"), (status = 422)))]
pub async fn create(
    state: web::Data<AppState>,
    auth: Allowed<act::StrategyManage>,
    bytes: web::Bytes,
) -> ApiResult<HttpResponse> {
    let cmd = new_source(&Body::parse(&bytes)?)?;
    let source = state.knowledge.create(auth.principal(), cmd).await?;
    Ok(HttpResponse::Created().json(KnowledgeSourceDto::from(&source)))
}

fn source_id(raw: &str) -> Result<KnowledgeSourceId, ApiError> {
    id_or_404(raw, KnowledgeSourceId::parse, Entity::KnowledgeSource)
}

/// One knowledge source.
#[utoipa::path(get, path = "/api/v1/chat-configuration/knowledge-sources/{id}", tag = "chat-configuration",
    responses((status = 200, body = KnowledgeSourceDto), (status = 401), (status = 403), (status = 404)))]
pub async fn get(
    state: web::Data<AppState>,
    auth: Allowed<act::StrategyManage>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let source = state
        .knowledge
        .get(auth.principal(), source_id(&id)?)
        .await?;
    Ok(HttpResponse::Ok().json(KnowledgeSourceDto::from(&source)))
}

/// The update command: absent fields are kept; `null`/`""` clears `description` (422 on
/// `name`, `access_level`, `is_active`).
fn source_patch(body: &Body) -> Result<SourcePatch, ApiError> {
    let mut e = Vec::new();
    let name = body.patch_string(&mut e, &["name", "title"]);
    let description = body.patch_string(&mut e, &["description"]);
    let access = body.patch_string(&mut e, &["access_level"]);
    let is_active = match body.patch_boolean(&mut e, "is_active") {
        Patch::Set(b) => Some(b),
        Patch::Clear => {
            e.push(FieldError::missing("is_active"));
            None
        }
        Patch::Keep => None,
    };
    let patch = SourcePatch {
        name: required_patch(&mut e, "name", name, |e, v| {
            validate::text(e, "name", Some(&v), true)
        }),
        description: optional_patch(&mut e, description, |e, v| {
            validate::text(e, "description", Some(&v), false)
        }),
        access_level: required_patch(&mut e, "access_level", access, |e, v| access_level(e, &v)),
        is_active,
    };
    check(Place::Body, e)?;
    Ok(patch)
}

/// Partial update: `name` (alias `title`), `description`, `access_level`, `is_active`.
#[utoipa::path(put, path = "/api/v1/chat-configuration/knowledge-sources/{id}", tag = "chat-configuration",
    request_body(content = Object, description = "name (alias title), description, access_level, is_active"),
    responses((status = 200, body = KnowledgeSourceDto), (status = 401), (status = 403), (status = 404), (status = 422)))]
pub async fn update(
    state: web::Data<AppState>,
    auth: Allowed<act::StrategyManage>,
    id: web::Path<String>,
    bytes: web::Bytes,
) -> ApiResult<HttpResponse> {
    let id = source_id(&id)?;
    let patch = source_patch(&Body::parse(&bytes)?)?;
    let source = state.knowledge.update(auth.principal(), id, patch).await?;
    Ok(HttpResponse::Ok().json(KnowledgeSourceDto::from(&source)))
}

/// Delete a source: its record and strategy links, then its stored document.
#[utoipa::path(delete, path = "/api/v1/chat-configuration/knowledge-sources/{id}", tag = "chat-configuration",
    responses((status = 200, body = MessageDto), (status = 401), (status = 403), (status = 404)))]
pub async fn delete(
    state: web::Data<AppState>,
    auth: Allowed<act::StrategyManage>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = source_id(&id)?;
    state.knowledge.delete(auth.principal(), id).await?;
    Ok(HttpResponse::Ok().json(MessageDto::ok(
        "Knowledge source deleted successfully",
        Some(json!({ "knowledge_source_id": id.to_string() })),
    )))
}
