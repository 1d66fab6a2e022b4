//! Invites (contract §3.4): the care team's routes (generate, bulk, list, read, pending,
//! resend, revoke) and the patient's public ones (verify, simplified access, registration).
//! Handlers translate: request → typed command → one service call → DTO. Access is decided in
//! `domain::identity::policy`, per-address limits in `crate::limits`.

use super::dto::{
    BulkFailureDto, BulkInviteDto, InviteDto, InviteListDto, MessageDto, SimplifiedAccessDto,
    VerifyInviteDto,
};
use crate::auth::{Allowed, Auth, act, bearer};
use crate::body::{Body, Query, check, id_or_404, id_or_nil};
use crate::error::{ApiError, ApiResult, Place};
use crate::net::client_addr;
use crate::state::AppState;
use actix_web::{FromRequest, HttpRequest, HttpResponse, web};
use genascope_domain::common::{
    AccountId, ChatStrategyId, Entity, FieldError, InviteId, Patch, PatientId, Phone, Text,
    Timestamp, UserId,
};
use genascope_domain::identity::model::{NewPassword, email_field};
use genascope_domain::identity::policy::ListScope;
use genascope_domain::invites::error::InviteError;
use genascope_domain::invites::model::{CustomMessage, ExpiryDays, IdentityClaim, InviteStatus};
use genascope_domain::invites::ports::{InviteFilter, InviteSort, SortOrder, StrategyChoice};
use genascope_domain::invites::service::{
    BulkItem, GenerateInvite, InvitedPatient, MAX_BULK_ITEMS, RegisterPatient,
    RegistrationCredential, ResendInvite, SimplifiedAccess,
};
use serde_json::json;

/// The invite fields a body (or a bulk item) may carry, read leniently: every failure is
/// collected with its field.
struct Fields {
    expiry: Option<ExpiryDays>,
    message: Patch<CustomMessage>,
    strategy: Option<StrategyChoice>,
}

/// `expiry_days`: a number or a numeric string, 1..=90; absent or blank is the default.
fn expiry(errors: &mut Vec<FieldError>, raw: Option<i64>) -> Option<ExpiryDays> {
    raw.and_then(|days| {
        ExpiryDays::new(days)
            .map_err(|e| {
                errors.push(FieldError::new(
                    "expiry_days",
                    e.to_string(),
                    "value_error.number.range",
                ));
            })
            .ok()
    })
}

/// `custom_message`: plain text of at most 1000 characters (blank: none).
fn message(errors: &mut Vec<FieldError>, raw: Patch<String>) -> Patch<CustomMessage> {
    match raw {
        Patch::Keep => Patch::Keep,
        Patch::Clear => Patch::Clear,
        Patch::Set(s) => match CustomMessage::parse(&s) {
            Ok(Some(m)) => Patch::Set(m),
            Ok(None) => Patch::Clear,
            Err(e) => {
                let kind = match e {
                    genascope_domain::invites::error::InviteRefusal::MessageTooLong => {
                        "value_error.any_str.max_length"
                    }
                    _ => "value_error.characters",
                };
                errors.push(FieldError::new("custom_message", e.to_string(), kind));
                Patch::Keep
            }
        },
    }
}

/// A strategy reference under one of `keys`: absent or blank means the account's default; one
/// that does not parse names no strategy (the use case answers "not found" at its turn).
fn strategy(body: &Body, errors: &mut Vec<FieldError>, keys: &[&str]) -> Option<StrategyChoice> {
    body.string(errors, keys)
        .map(|s| StrategyChoice::Named(id_or_nil(&s, ChatStrategyId::parse)))
}

impl Fields {
    fn read(body: &Body, errors: &mut Vec<FieldError>, strategy_keys: &[&str]) -> Self {
        let days = body.integer(errors, &["expiry_days"]);
        let raw_message = body.patch_string(errors, &["custom_message"]);
        Self {
            expiry: expiry(errors, days),
            message: message(errors, raw_message),
            strategy: strategy(body, errors, strategy_keys),
        }
    }
}

/// A patient named by the identity fields (`email` required in this form).
fn identity_fields(body: &Body, errors: &mut Vec<FieldError>) -> Option<InvitedPatient> {
    let email = body.string(errors, &["email"]);
    let first = body.string(errors, &["first_name"]);
    let last = body.string(errors, &["last_name"]);
    let phone = body.string(errors, &["phone"]);
    let email = email_field(errors, "email", email.as_deref());
    let mut name = |field: &str, raw: Option<String>| match raw {
        None => {
            errors.push(FieldError::missing(field));
            None
        }
        Some(s) => Text::<100>::parse(field, &s)
            .map_err(|e| errors.push(e))
            .ok()
            .flatten(),
    };
    let first_name = name("first_name", first);
    let last_name = name("last_name", last);
    let phone = match phone {
        None => None,
        Some(s) => Phone::parse("phone", &s).map_err(|e| errors.push(e)).ok()?,
    };
    Some(InvitedPatient::Identity {
        email: email?,
        first_name: first_name?,
        last_name: last_name?,
        phone,
    })
}

/// `POST /api/generate_invite`'s body as a command.
fn generate_command(body: &Body) -> Result<GenerateInvite, Vec<FieldError>> {
    let mut errors = Vec::new();
    let patient = match body.string(&mut errors, &["patient_id"]) {
        Some(id) => Some(InvitedPatient::Existing(id_or_nil(&id, PatientId::parse))),
        None => identity_fields(body, &mut errors),
    };
    let provider_id = body
        .string(&mut errors, &["provider_id"])
        .map(|s| id_or_nil(&s, UserId::parse));
    let fields = Fields::read(body, &mut errors, &["chat_strategy_id", "chat_strategy"]);
    let send_email = body.boolean(&mut errors, "send_email").unwrap_or(true);
    match patient {
        Some(patient) if errors.is_empty() => Ok(GenerateInvite {
            patient,
            provider_id,
            strategy: fields.strategy.unwrap_or_default(),
            custom_message: set(fields.message),
            send_email,
            expiry: fields.expiry.unwrap_or_default(),
        }),
        _ => Err(errors),
    }
}

/// A create's optional value: a patch read from a create body is never `Keep` with a value.
fn set<T>(p: Patch<T>) -> Option<T> {
    match p {
        Patch::Set(v) => Some(v),
        Patch::Keep | Patch::Clear => None,
    }
}

/// Generate an invite for a patient (by id, or by the documented identity fields).
#[utoipa::path(post, path = "/api/generate_invite", tag = "invites",
    request_body(content = Object, description = "patient_id | (email, first_name, last_name, phone); provider_id, chat_strategy_id, custom_message, send_email, expiry_days"),
    responses((status = 200, body = InviteDto), (status = 403), (status = 404), (status = 422)))]
pub async fn generate(
    state: web::Data<AppState>,
    auth: Allowed<act::InviteManage>,
    bytes: web::Bytes,
) -> ApiResult<HttpResponse> {
    let body = Body::parse(&bytes)?;
    let cmd = generate_command(&body).map_err(|e| ApiError::invalid(Place::Body, e))?;
    let issued = state.invites.generate(auth.principal(), cmd).await?;
    Ok(HttpResponse::Ok().json(InviteDto::issued(&issued, state.invites.now())))
}

/// The defaults of a bulk invite, then each item (item values override defaults).
fn bulk_items(body: &Body) -> Result<Vec<BulkItem>, ApiError> {
    let mut errors = Vec::new();
    let defaults = Fields::read(
        body,
        &mut errors,
        &[
            "chat_strategy_id",
            "chat_strategy",
            "default_chat_strategy_id",
        ],
    );
    let send_email = body.boolean(&mut errors, "send_emails").unwrap_or(true);
    let items = body.objects("patients");
    match &items {
        Some(items) if (1..=MAX_BULK_ITEMS).contains(&items.len()) => {}
        _ => errors.push(FieldError::new(
            "patients",
            format!("must hold 1 to {MAX_BULK_ITEMS} items"),
            "value_error.list",
        )),
    }
    check(Place::Body, errors)?;
    Ok(items
        .unwrap_or_default()
        .iter()
        .map(|item| {
            let mut errors = Vec::new();
            let patient_id = item.string(&mut errors, &["patient_id"]);
            let provider_id = item
                .string(&mut errors, &["provider_id"])
                .map(|s| id_or_nil(&s, UserId::parse));
            let own = Fields::read(item, &mut errors, &["chat_strategy_id", "chat_strategy"]);
            if patient_id.is_none() {
                errors.push(FieldError::missing("patient_id"));
            }
            let command = match (&patient_id, errors.is_empty()) {
                (Some(id), true) => Ok(GenerateInvite {
                    patient: InvitedPatient::Existing(id_or_nil(id, PatientId::parse)),
                    provider_id,
                    strategy: own.strategy.or(defaults.strategy).unwrap_or_default(),
                    custom_message: match own.message {
                        Patch::Keep => set(defaults.message.clone()),
                        mine => set(mine),
                    },
                    send_email,
                    expiry: own.expiry.or(defaults.expiry).unwrap_or_default(),
                }),
                _ => Err(errors),
            };
            BulkItem {
                patient_id,
                command,
            }
        })
        .collect())
}

/// Invite many patients at once; each item succeeds or fails on its own.
#[utoipa::path(post, path = "/api/bulk_invite", tag = "invites",
    request_body(content = Object, description = "patients: [{patient_id, provider_id?, chat_strategy_id? (alias chat_strategy), custom_message?, expiry_days?}] (1..100); defaults chat_strategy_id (aliases chat_strategy, default_chat_strategy_id), custom_message, expiry_days, send_emails"),
    responses((status = 200, body = BulkInviteDto), (status = 403), (status = 422)))]
pub async fn bulk(
    state: web::Data<AppState>,
    auth: Allowed<act::InviteManage>,
    bytes: web::Bytes,
) -> ApiResult<HttpResponse> {
    let items = bulk_items(&Body::parse(&bytes)?)?;
    let report = state.invites.bulk(auth.principal(), items).await?;
    let now = state.invites.now();
    Ok(HttpResponse::Ok().json(BulkInviteDto {
        total_sent: report.successful.len(),
        total_failed: report.failed.len(),
        successful: report
            .successful
            .iter()
            .map(|i| InviteDto::issued(i, now))
            .collect(),
        failed: report
            .failed
            .into_iter()
            .map(|f| BulkFailureDto {
                patient_id: f.patient_id,
                error: item_error(&f.error),
            })
            .collect(),
    }))
}

/// One line about a bulk item that failed, in the words of the answer a single generate would
/// have given (never an internal cause).
fn item_error(e: &InviteError) -> String {
    match e {
        InviteError::Invalid(errors) => errors
            .iter()
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
            .join("; "),
        InviteError::Unavailable(_) => "Service unavailable".into(),
        InviteError::Unexpected(_) => "Internal server error".into(),
        other => other.to_string(),
    }
}

/// A date-time filter: RFC 3339, or a bare date meaning its first second (`end_of_day` false)
/// or its last (true).
fn date_time(
    q: &Query,
    errors: &mut Vec<FieldError>,
    key: &str,
    end_of_day: bool,
) -> Option<Timestamp> {
    let raw = q.get(&[key])?;
    let rfc3339 = &time::format_description::well_known::Rfc3339;
    if let Ok(t) = Timestamp::parse(&raw, rfc3339) {
        return Some(t.to_offset(time::UtcOffset::UTC));
    }
    let day = time::macros::format_description!("[year]-[month]-[day]");
    match time::Date::parse(&raw, &day) {
        Ok(d) if end_of_day => Some(d.with_hms(23, 59, 59).ok()?.assume_utc()),
        Ok(d) => Some(d.midnight().assume_utc()),
        Err(_) => {
            errors.push(FieldError::new(
                key,
                "must be an RFC 3339 date-time or a date YYYY-MM-DD",
                "value_error.datetime",
            ));
            None
        }
    }
}

/// An id filter: one that does not parse matches nothing (the nil id).
fn id_filter<T: From<uuid::Uuid>>(
    q: &Query,
    keys: &[&str],
    parse: fn(&str) -> Option<T>,
) -> Option<T> {
    q.get(keys).map(|s| id_or_nil(&s, parse))
}

/// `status` (with its input aliases).
fn status_filter(q: &Query, errors: &mut Vec<FieldError>) -> Option<InviteStatus> {
    q.get(&["status"]).and_then(|s| {
        InviteStatus::parse_filter(&s).or_else(|| {
            errors.push(FieldError::new(
                "status",
                "must be one of pending, accepted, expired, revoked (or completed, cancelled)",
                "type_error.enum",
            ));
            None
        })
    })
}

/// List invites (style C paging).
#[utoipa::path(get, path = "/api/invites", tag = "invites",
    params(
        ("status" = Option<String>, Query, description = "pending, accepted (alias completed), expired, revoked (aliases cancelled, canceled)"),
        ("provider_id" = Option<String>, Query, description = "alias clinician_id"),
        ("patient_id" = Option<String>, Query),
        ("search" = Option<String>, Query, description = "patient first/last name, invite email"),
        ("created_after" = Option<String>, Query), ("created_before" = Option<String>, Query),
        ("sort_by" = Option<String>, Query, description = "created_at (default), expires_at, status, email, first_name, last_name"),
        ("sort_order" = Option<String>, Query, description = "asc | desc (default)"),
        ("page" = Option<u32>, Query), ("limit" = Option<u32>, Query),
        ("account_id" = Option<String>, Query, description = "super_admin only"),
    ),
    responses((status = 200, body = InviteListDto), (status = 403), (status = 422)))]
pub async fn list(
    state: web::Data<AppState>,
    auth: Allowed<act::InviteRead>,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    state.read_limit.check(auth.principal())?;
    let q = Query::parse(req.query_string());
    let mut errors = Vec::new();
    let page = q.int(&mut errors, &["page"], 1, u32::MAX, 1);
    let limit = q.int(&mut errors, &["limit"], 1, 100, 10);
    let status = status_filter(&q, &mut errors);
    let search = q.search(&mut errors, &["search"]);
    let created_after = date_time(&q, &mut errors, "created_after", false);
    let created_before = date_time(&q, &mut errors, "created_before", true);
    let sort_order = match q.get(&["sort_order"]).map(|s| s.to_ascii_lowercase()) {
        None => SortOrder::Desc,
        Some(s) if s == "desc" => SortOrder::Desc,
        Some(s) if s == "asc" => SortOrder::Asc,
        Some(_) => {
            errors.push(FieldError::new(
                "sort_order",
                "must be asc or desc",
                "type_error.enum",
            ));
            SortOrder::Desc
        }
    };
    check(Place::Query, errors)?;
    let filter = InviteFilter {
        scope: ListScope::Nothing,
        status,
        provider_id: id_filter(&q, &["provider_id", "clinician_id"], UserId::parse),
        patient_id: id_filter(&q, &["patient_id"], PatientId::parse),
        search,
        created_after,
        created_before,
        sort_by: q
            .get(&["sort_by"])
            .map(|s| InviteSort::parse_lenient(&s))
            .unwrap_or_default(),
        sort_order,
        page,
        limit,
    };
    let account = id_filter(&q, &["account_id"], AccountId::parse);
    let result = state
        .invites
        .list(auth.principal(), account, filter)
        .await?;
    let now = state.invites.now();
    let total = result.total;
    let total_pages = total.div_ceil(u64::from(limit));
    Ok(HttpResponse::Ok().json(InviteListDto {
        invites: result
            .invites
            .iter()
            .map(|v| InviteDto::of(v, now))
            .collect(),
        total_count: total,
        total,
        page,
        limit,
        total_pages,
        has_next: u64::from(page) < total_pages,
        has_prev: page > 1,
    }))
}

/// One invite.
#[utoipa::path(get, path = "/api/invites/{id}", tag = "invites",
    responses((status = 200, body = InviteDto), (status = 403), (status = 404)))]
pub async fn get(
    state: web::Data<AppState>,
    auth: Allowed<act::InviteRead>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    state.read_limit.check(auth.principal())?;
    let id = id_or_404(&id, InviteId::parse, Entity::Invite)?;
    let view = state.invites.get(auth.principal(), id).await?;
    Ok(HttpResponse::Ok().json(InviteDto::of(&view, state.invites.now())))
}

/// A provider's pending invites.
#[utoipa::path(get, path = "/api/pending/{clinician_id}", tag = "invites",
    responses((status = 200, body = [InviteDto]), (status = 403)))]
pub async fn pending(
    state: web::Data<AppState>,
    auth: Allowed<act::InviteRead>,
    clinician: web::Path<String>,
) -> ApiResult<HttpResponse> {
    state.read_limit.check(auth.principal())?;
    let provider = id_or_nil(&clinician, UserId::parse);
    let rows = state.invites.pending(auth.principal(), provider).await?;
    let now = state.invites.now();
    Ok(HttpResponse::Ok().json(
        rows.iter()
            .map(|v| InviteDto::of(v, now))
            .collect::<Vec<_>>(),
    ))
}

/// A patient's invites, newest first (optional `status`).
#[utoipa::path(get, path = "/api/patients/{id}/invites", tag = "patients",
    params(("status" = Option<String>, Query)),
    responses((status = 200, body = [InviteDto]), (status = 403), (status = 404), (status = 422)))]
pub async fn of_patient(
    state: web::Data<AppState>,
    auth: Allowed<act::PatientManage>,
    id: web::Path<String>,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    state.read_limit.check(auth.principal())?;
    let id = id_or_404(&id, PatientId::parse, Entity::Patient)?;
    let q = Query::parse(req.query_string());
    let mut errors = Vec::new();
    let status = status_filter(&q, &mut errors);
    check(Place::Query, errors)?;
    let rows = state
        .invites
        .of_patient(auth.principal(), id, status)
        .await?;
    let now = state.invites.now();
    Ok(HttpResponse::Ok().json(
        rows.iter()
            .map(|v| InviteDto::of(v, now))
            .collect::<Vec<_>>(),
    ))
}

/// The resend fields, from the JSON body or else the query.
fn resend_command(body: &Body, q: &Query) -> Result<ResendInvite, ApiError> {
    // The query's values, where the body has none, read as if they were in it.
    let mut merged = Body::default();
    for key in ["custom_message", "expiry_days", "send_email"] {
        if let Some(v) = body.0.get(key) {
            merged.0.insert(key.to_owned(), v.clone());
        } else if let Some((_, v)) = q.0.iter().find(|(k, _)| k == key) {
            merged.0.insert(key.to_owned(), json!(v));
        }
    }
    let mut errors = Vec::new();
    let fields = Fields::read(&merged, &mut errors, &[]);
    let send_email = merged.boolean(&mut errors, "send_email").unwrap_or(true);
    check(Place::Body, errors)?;
    Ok(ResendInvite {
        custom_message: fields.message,
        expiry: fields.expiry.unwrap_or_default(),
        send_email,
    })
}

async fn resend_invite(
    state: &AppState,
    auth: &Auth,
    id: InviteId,
    cmd: ResendInvite,
) -> ApiResult<HttpResponse> {
    let issued = state.invites.resend(auth.principal(), id, cmd).await?;
    Ok(HttpResponse::Ok().json(InviteDto::issued(&issued, state.invites.now())))
}

/// Resend an invite: a new link (the old one dies at once) and a new expiry.
#[utoipa::path(post, path = "/api/invites/{id}/resend", tag = "invites",
    request_body(content = Object, description = "custom_message, expiry_days, send_email (body or query)"),
    responses((status = 200, body = InviteDto), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn resend(
    state: web::Data<AppState>,
    auth: Allowed<act::InviteManage>,
    id: web::Path<String>,
    req: HttpRequest,
    bytes: web::Bytes,
) -> ApiResult<HttpResponse> {
    let id = id_or_404(&id, InviteId::parse, Entity::Invite)?;
    let cmd = resend_command(&Body::parse(&bytes)?, &Query::parse(req.query_string()))?;
    resend_invite(&state, &auth, id, cmd).await
}

/// Resend an invite named in the body (`invite_id`).
#[utoipa::path(post, path = "/api/resend_invite", tag = "invites",
    request_body(content = Object, description = "invite_id; custom_message, expiry_days, send_email (body or query)"),
    responses((status = 200, body = InviteDto), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn resend_by_body(
    state: web::Data<AppState>,
    auth: Allowed<act::InviteManage>,
    req: HttpRequest,
    bytes: web::Bytes,
) -> ApiResult<HttpResponse> {
    let body = Body::parse(&bytes)?;
    let q = Query::parse(req.query_string());
    let mut errors = Vec::new();
    let raw = body
        .string(&mut errors, &["invite_id"])
        .or_else(|| q.get(&["invite_id"]));
    let Some(raw) = raw else {
        errors.push(FieldError::missing("invite_id"));
        return Err(ApiError::invalid(Place::Body, errors));
    };
    check(Place::Body, errors)?;
    let id = id_or_404(&raw, InviteId::parse, Entity::Invite)?;
    let cmd = resend_command(&body, &q)?;
    resend_invite(&state, &auth, id, cmd).await
}

/// Revoke an invite (its simplified tokens die at the next request). Twice: 409.
#[utoipa::path(delete, path = "/api/invites/{id}", tag = "invites",
    responses((status = 200, body = MessageDto), (status = 403), (status = 404), (status = 409)))]
pub async fn revoke(
    state: web::Data<AppState>,
    auth: Allowed<act::InviteManage>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = id_or_404(&id, InviteId::parse, Entity::Invite)?;
    state.invites.revoke(auth.principal(), id).await?;
    Ok(HttpResponse::Ok().json(MessageDto::ok(
        "Invitation revoked",
        Some(json!({"invite_id": id.0.to_string()})),
    )))
}

/// Revoke an invite (the documented spelling).
#[utoipa::path(delete, path = "/api/revoke/{invite_id}", tag = "invites",
    responses((status = 200, body = MessageDto), (status = 403), (status = 404), (status = 409)))]
pub async fn revoke_doc(
    state: web::Data<AppState>,
    auth: Allowed<act::InviteManage>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    revoke(state, auth, id).await
}

/// The token of a public invite route's body (`keys`: the field and its aliases): 422 when
/// missing.
fn token_field(body: &Body, keys: &[&str]) -> Result<String, ApiError> {
    keys.iter()
        .find_map(|k| body.secret(k))
        .ok_or_else(|| ApiError::Invalid(vec![Place::Body.locate(FieldError::missing(keys[0]))]))
}

/// What a token opens, without using it. Always 200 (but 422 and 429).
#[utoipa::path(post, path = "/api/verify_invite", tag = "invites",
    request_body(content = Object, description = "{token}"),
    responses((status = 200, body = VerifyInviteDto), (status = 422), (status = 429)))]
pub async fn verify(
    state: web::Data<AppState>,
    req: HttpRequest,
    bytes: web::Bytes,
) -> ApiResult<HttpResponse> {
    let body = Body::parse(&bytes)?;
    let token = token_field(&body, &["token", "invite_token"])?;
    let client = client_addr(&state, &req);
    // Every look-up counts against the address: tokens cannot be probed in bulk.
    let attempt = state.verify_limit.enter(client.as_deref()).await?;
    attempt.end(true).await;
    let v = state.invites.verify(&token).await?;
    Ok(HttpResponse::Ok().json(VerifyInviteDto {
        valid: v.refusal.is_none(),
        invite_id: v.invite_id.map(|i| i.0.to_string()),
        expires_at: v.expires_at.map(super::dto::ts),
        clinic_name: v.clinic_name,
        provider_name: v.provider_name,
        error_message: v.refusal.map(|r| r.to_string()),
    }))
}

/// The invite token of `simplified_access` and `register_patient` (alias `token`).
fn invite_token(body: &Body) -> Option<String> {
    body.secret("invite_token").or_else(|| body.secret("token"))
}

/// Whether the outcome of a public invite route counts against the client's address: a refused
/// token or identity does; a success, a field error or an outage does not.
fn refused<T>(result: &Result<T, InviteError>) -> bool {
    matches!(
        result,
        Err(InviteError::InvalidInvite(_)
            | InviteError::IdentityMismatch
            | InviteError::TooManyAttempts { .. })
    )
}

/// `true` required at `key` (the terms flags): 422 on that field otherwise; `optional` keys may
/// be absent.
fn must_agree(body: &Body, errors: &mut Vec<FieldError>, key: &str, optional: bool) {
    match body.boolean(errors, key) {
        Some(true) => {}
        None if optional && !body.0.contains_key(key) => {}
        Some(false) | None => {
            errors.push(FieldError::new(key, "must be true", "value_error.const"))
        }
    }
}

/// `date_of_birth` as a date (`YYYY-MM-DD`), required.
fn birth_date(body: &Body, errors: &mut Vec<FieldError>) -> Option<time::Date> {
    let Some(raw) = body.string(errors, &["date_of_birth"]) else {
        errors.push(FieldError::missing("date_of_birth"));
        return None;
    };
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(&raw, &fmt)
        .map_err(|_| {
            errors.push(FieldError::new(
                "date_of_birth",
                "date must be YYYY-MM-DD",
                "value_error.date",
            ));
        })
        .ok()
}

/// Open the questionnaire with an invite: the patient proves who they are (names and date of
/// birth) and gets a simplified token.
#[utoipa::path(post, path = "/api/simplified_access", tag = "invites",
    request_body(content = Object, description = "invite_token, first_name, last_name, date_of_birth, agree_to_terms, agree_to_privacy"),
    responses((status = 200, body = SimplifiedAccessDto), (status = 400), (status = 422), (status = 429)))]
pub async fn simplified_access(
    state: web::Data<AppState>,
    req: HttpRequest,
    bytes: web::Bytes,
) -> ApiResult<HttpResponse> {
    let body = Body::parse(&bytes)?;
    let mut errors = Vec::new();
    let token = invite_token(&body);
    if token.is_none() {
        errors.push(FieldError::missing("invite_token"));
    }
    let mut name = |field: &str| {
        let v = body.string(&mut errors, &[field]);
        if v.is_none() {
            errors.push(FieldError::missing(field));
        }
        v
    };
    let (first_name, last_name) = (name("first_name"), name("last_name"));
    let date_of_birth = birth_date(&body, &mut errors);
    must_agree(&body, &mut errors, "agree_to_terms", false);
    must_agree(&body, &mut errors, "agree_to_privacy", false);
    check(Place::Body, errors)?;
    let (Some(token), Some(first_name), Some(last_name), Some(date_of_birth)) =
        (token, first_name, last_name, date_of_birth)
    else {
        return Err(ApiError::Invalid(Vec::new()));
    };
    let client = client_addr(&state, &req);
    let attempt = state.simplified_limit.enter(client.as_deref()).await?;
    let result = state
        .invites
        .simplified_access(SimplifiedAccess {
            token,
            identity: IdentityClaim {
                first_name,
                last_name,
                date_of_birth,
            },
        })
        .await;
    attempt.end(refused(&result)).await;
    let s = result?;
    Ok(HttpResponse::Ok().json(SimplifiedAccessDto {
        access_token: s.access_token,
        token_type: "bearer",
        expires_in: s.expires_in,
        patient_id: s.patient_id.0.to_string(),
        patient_name: s.patient_name,
        invite_id: s.invite_id.0.to_string(),
        chat_strategy_id: s.chat_strategy_id.map(|c| c.0.to_string()),
    }))
}

/// A permanent login for an invited patient: with the invite token, or with a simplified
/// bearer token.
#[utoipa::path(post, path = "/api/register_patient", tag = "invites",
    request_body(content = Object, description = "invite_token (alias token) or a simplified bearer token; password, confirm_password, date_of_birth, agree_to_terms, agree_to_privacy"),
    responses((status = 200, body = MessageDto), (status = 400), (status = 401), (status = 409), (status = 422), (status = 429)))]
pub async fn register(
    state: web::Data<AppState>,
    req: HttpRequest,
    bytes: web::Bytes,
) -> ApiResult<HttpResponse> {
    let body = Body::parse(&bytes)?;
    let mut errors = Vec::new();
    let token = invite_token(&body);
    // A bearer token only counts when no invite token was sent (it is then required valid).
    let credential = match token {
        Some(t) => Some(RegistrationCredential::InviteToken(t)),
        None if bearer(&req).is_some() => {
            let auth = Auth::extract(&req).await?;
            Some(RegistrationCredential::Simplified(auth.principal().clone()))
        }
        None => {
            errors.push(if body.0.contains_key("invite_id") {
                FieldError::new(
                    "invite_token",
                    "an invite id is no credential: send the invite token",
                    "missing",
                )
            } else {
                FieldError::missing("invite_token")
            });
            None
        }
    };
    let password = body.secret("password");
    let confirm = body.secret("confirm_password");
    let new_password = match &password {
        None => {
            errors.push(FieldError::missing("password"));
            None
        }
        Some(pw) => {
            if confirm.is_none() {
                errors.push(FieldError::missing("confirm_password"));
            }
            NewPassword::check(
                &mut errors,
                ("password", "confirm_password"),
                pw,
                confirm.as_deref(),
                None,
            )
        }
    };
    let date_of_birth = birth_date(&body, &mut errors);
    must_agree(&body, &mut errors, "agree_to_terms", false);
    must_agree(&body, &mut errors, "agree_to_privacy", true);
    check(Place::Body, errors)?;
    let (Some(credential), Some(password), Some(date_of_birth)) =
        (credential, new_password, date_of_birth)
    else {
        return Err(ApiError::Invalid(Vec::new()));
    };
    let by_token = matches!(credential, RegistrationCredential::InviteToken(_));
    let client = client_addr(&state, &req);
    let attempt = if by_token {
        Some(state.simplified_limit.enter(client.as_deref()).await?)
    } else {
        None
    };
    let result = state
        .invites
        .register(RegisterPatient {
            credential,
            password,
            date_of_birth,
        })
        .await;
    if let Some(attempt) = attempt {
        attempt.end(refused(&result)).await;
    }
    let r = result?;
    Ok(HttpResponse::Ok().json(MessageDto::ok(
        "Registration successful",
        Some(json!({"patient_id": r.patient_id.0.to_string(), "user_id": r.user_id.0.to_string()})),
    )))
}
