//! Authentication, accounts and users (contract §3.1, §3.2). Handlers only translate: request →
//! domain call → DTO. Access is decided in `domain::identity::policy`.

use super::dto::{AccountDto, MeDto, MessageDto, TokenDto, UserDto};
use crate::auth::Auth;
use crate::body::{Body, Query, check, id_or_404};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use actix_web::http::header::CONTENT_TYPE;
use actix_web::{HttpRequest, HttpResponse, web};
use genascope_domain::common::{AccountId, DomainError, FieldError, UserId};
use genascope_domain::identity::model::{AccountStatus, Password, Role};
use genascope_domain::identity::policy::Action;
use genascope_domain::identity::ports::{Page, UserFilter};
use genascope_domain::identity::service::{AccountPatch, CreateAccount, CreateUser, UserPatch};
use serde_json::json;

/// Style-A paging: `skip` (alias `offset`) >= 0, `limit` 1..100 (default 100).
pub fn page_a(q: &Query, errors: &mut Vec<FieldError>) -> Page {
    Page {
        offset: q.int(errors, &["skip", "offset"], 0, u32::MAX, 0),
        limit: q.int(errors, &["limit"], 1, 100, 100),
    }
}

/// The client address for per-IP limits (see [`crate::net::client_ip`]).
fn client_ip(state: &AppState, req: &HttpRequest) -> Option<String> {
    let peer = req.peer_addr()?.ip();
    let xff: Vec<&str> = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .collect();
    let forwarded: Vec<&str> = req
        .headers()
        .get_all(actix_web::http::header::FORWARDED)
        .filter_map(|v| v.to_str().ok())
        .collect();
    Some(crate::net::client_ip(peer, &xff, &forwarded, &state.trusted_proxies).to_string())
}

fn content_type(req: &HttpRequest) -> String {
    req.headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase()
}

/// Login or refresh grant body: URL-encoded form, multipart form or JSON, read into one map.
async fn grant_body(req: &HttpRequest, bytes: web::Bytes) -> Result<Body, ApiError> {
    let ct = content_type(req);
    if ct.starts_with("application/x-www-form-urlencoded") {
        let q = Query::parse(&String::from_utf8_lossy(&bytes));
        let map =
            q.0.into_iter()
                .map(|(k, v)| (k, serde_json::Value::String(v)))
                .collect();
        return Ok(Body(map));
    }
    if ct.starts_with("multipart/form-data") {
        use futures_util::StreamExt;
        let stream =
            futures_util::stream::once(
                async move { Ok::<_, actix_web::error::PayloadError>(bytes) },
            );
        let mut form = actix_multipart::Multipart::new(req.headers(), stream);
        let mut map = serde_json::Map::new();
        while let Some(field) = form.next().await {
            let bad = || {
                ApiError::validation(vec![FieldError::body(
                    "body",
                    "the form could not be read",
                    "value_error.multipart",
                )])
            };
            let mut field = field.map_err(|_| bad())?;
            let name = field.name().unwrap_or_default().to_owned();
            let mut value = Vec::new();
            while let Some(chunk) = field.next().await {
                value.extend_from_slice(&chunk.map_err(|_| bad())?);
            }
            map.insert(
                name,
                serde_json::Value::String(String::from_utf8_lossy(&value).into_owned()),
            );
        }
        return Ok(Body(map));
    }
    Body::parse(&bytes)
}

/// Log in with a password (OAuth2 form or JSON), or refresh with `grant_type=refresh_token`.
#[utoipa::path(post, path = "/api/auth/token", tag = "auth",
    request_body(content = Object, description = "Form or JSON: username (or email), password, grant_type"),
    responses((status = 200, body = TokenDto), (status = 401), (status = 400), (status = 422), (status = 429)))]
pub async fn token(
    state: web::Data<AppState>,
    req: HttpRequest,
    bytes: web::Bytes,
) -> ApiResult<HttpResponse> {
    let body = grant_body(&req, bytes).await?;
    let mut errors = Vec::new();
    let grant = body
        .string(&mut errors, &["grant_type"])
        .map(|g| g.to_ascii_lowercase());
    match grant.as_deref() {
        None | Some("password") => {}
        Some("refresh_token") => {
            let rt = body.string(&mut errors, &["refresh_token"]);
            let Some(rt) = rt else {
                return Err(ApiError::validation(vec![FieldError::missing(
                    "refresh_token",
                )]));
            };
            return Ok(HttpResponse::Ok().json(TokenDto::from(state.identity.refresh(&rt).await?)));
        }
        Some(_) => {
            return Err(ApiError(DomainError::BadRequest(
                "unsupported_grant_type".into(),
            )));
        }
    }
    let username = body.string(&mut errors, &["username", "email"]);
    let password = body.secret("password");
    if username.is_none() {
        errors.push(FieldError::missing("username"));
    }
    if password.is_none() {
        errors.push(FieldError::missing("password"));
    }
    check(errors)?;
    let (Some(u), Some(p)) = (username, password) else {
        return Err(ApiError::validation(vec![]));
    };
    let _place = state.login_gate.enter().await?;
    let pair = state
        .identity
        .login(&u, Password::new(p), client_ip(&state, &req))
        .await?;
    Ok(HttpResponse::Ok().json(TokenDto::from(pair)))
}

/// Rotate a refresh token.
#[utoipa::path(post, path = "/api/auth/refresh", tag = "auth",
    request_body(content = Object, description = "JSON {refresh_token} or form grant_type=refresh_token&refresh_token=…"),
    responses((status = 200, body = TokenDto), (status = 401)))]
pub async fn refresh(
    state: web::Data<AppState>,
    req: HttpRequest,
    bytes: web::Bytes,
) -> ApiResult<HttpResponse> {
    let body = grant_body(&req, bytes).await?;
    let mut errors = Vec::new();
    let Some(rt) = body.string(&mut errors, &["refresh_token"]) else {
        return Err(ApiError::validation(vec![FieldError::missing(
            "refresh_token",
        )]));
    };
    Ok(HttpResponse::Ok().json(TokenDto::from(state.identity.refresh(&rt).await?)))
}

/// Revoke the given (or every) refresh token and deny this access token.
#[utoipa::path(post, path = "/api/auth/logout", tag = "auth", responses((status = 200, body = MessageDto), (status = 401)))]
pub async fn logout(
    state: web::Data<AppState>,
    auth: Auth,
    bytes: web::Bytes,
) -> ApiResult<HttpResponse> {
    let body = Body::parse(&bytes)?;
    let mut errors = Vec::new();
    let rt = body.string(&mut errors, &["refresh_token"]);
    let all = body.boolean(&mut errors, "all_devices").unwrap_or(false);
    check(errors)?;
    state
        .identity
        .logout(auth.principal(), rt.as_deref(), all)
        .await?;
    Ok(HttpResponse::Ok().json(MessageDto::ok("Successfully logged out", None)))
}

/// The caller.
#[utoipa::path(get, path = "/api/auth/me", tag = "auth", responses((status = 200, body = MeDto), (status = 401)))]
pub async fn me(auth: Auth) -> ApiResult<HttpResponse> {
    let r = &auth.0.record;
    let u = &r.user;
    Ok(HttpResponse::Ok().json(MeDto {
        id: u.id.to_string(),
        email: u.email.to_string(),
        name: u.name.clone(),
        first_name: u.first_name.clone(),
        last_name: u.last_name.clone(),
        role: u.role.as_str().into(),
        is_active: u.is_active,
        account_id: u.account_id.map(|a| a.to_string()),
        account_name: r.account_name.clone(),
        clinician_id: u.clinician_id.map(|c| c.to_string()),
        patient_id: u.patient_id().map(|p| p.0.to_string()),
        access_type: auth.principal().access.as_str(),
    }))
}

/// Change one's own password; returns a fresh token pair.
#[utoipa::path(post, path = "/api/auth/change-password", tag = "auth",
    responses((status = 200, body = TokenDto), (status = 400), (status = 422)))]
pub async fn change_password(
    state: web::Data<AppState>,
    auth: Auth,
    bytes: web::Bytes,
) -> ApiResult<HttpResponse> {
    let body = Body::parse(&bytes)?;
    let [current, new] = body.required_secrets(["current_password", "new_password"])?;
    let pair = state
        .identity
        .change_password(
            auth.principal(),
            &current,
            &new,
            body.secret("confirm_password").as_deref(),
        )
        .await?;
    Ok(HttpResponse::Ok().json(TokenDto::from(pair)))
}

/// Every password-reset request answers no sooner than this.
pub const RESET_REQUEST_FLOOR: std::time::Duration = std::time::Duration::from_millis(300);

/// Ask for a password-reset email. Always the same answer, after the same time.
#[utoipa::path(post, path = "/api/auth/password-reset/request", tag = "auth", responses((status = 200), (status = 422)))]
pub async fn reset_request(
    state: web::Data<AppState>,
    req: HttpRequest,
    bytes: web::Bytes,
) -> ApiResult<HttpResponse> {
    let body = Body::parse(&bytes)?;
    let mut errors = Vec::new();
    let Some(email) = body.string(&mut errors, &["email"]) else {
        return Err(ApiError::validation(vec![FieldError::missing("email")]));
    };
    // The same answer after the same time whether or not the email exists (issue #6 item 19):
    // a known email also writes a token and a mail, so every answer waits for a fixed floor.
    let floor = tokio::time::Instant::now() + RESET_REQUEST_FLOOR;
    let result = state
        .identity
        .request_password_reset(&email, client_ip(&state, &req))
        .await;
    tokio::time::sleep_until(floor).await;
    result?;
    Ok(HttpResponse::Ok().json(
        json!({"message": "If an account exists for this email, a reset link has been sent."}),
    ))
}

/// Set a new password with a reset token.
#[utoipa::path(post, path = "/api/auth/password-reset/confirm", tag = "auth",
    responses((status = 200, body = MessageDto), (status = 400), (status = 422)))]
pub async fn reset_confirm(
    state: web::Data<AppState>,
    bytes: web::Bytes,
) -> ApiResult<HttpResponse> {
    let body = Body::parse(&bytes)?;
    let [token, new] = body.required_secrets(["token", "new_password"])?;
    state
        .identity
        .confirm_password_reset(&token, &new, body.secret("confirm_password").as_deref())
        .await?;
    Ok(HttpResponse::Ok().json(MessageDto::ok("Password has been reset", None)))
}

// ----- accounts -----

/// Create an account and its first admin (super_admin).
#[utoipa::path(post, path = "/api/admin/create_account", tag = "accounts",
    request_body(content = Object, description = "name, domain?, admin_email, admin_name, admin_password, admin_confirm_password?"),
    responses((status = 201, body = AccountDto), (status = 403), (status = 409), (status = 422)))]
pub async fn create_account(
    state: web::Data<AppState>,
    auth: Auth,
    bytes: web::Bytes,
) -> ApiResult<HttpResponse> {
    auth.may(Action::AccountCreate)?;
    let body = Body::parse(&bytes)?;
    let mut errors = Vec::new();
    let req = CreateAccount {
        name: body.string(&mut errors, &["name"]),
        domain: body.string(&mut errors, &["domain"]),
        admin_email: body.string(&mut errors, &["admin_email"]),
        admin_name: body.string(&mut errors, &["admin_name"]),
        admin_password: body.secret("admin_password"),
        admin_confirm_password: body.secret("admin_confirm_password"),
    };
    check(errors)?;
    let (account, admin) = state.identity.create_account(auth.principal(), req).await?;
    let mut dto = AccountDto::from(&account);
    dto.admin_user_id = Some(admin.to_string());
    Ok(HttpResponse::Created().json(dto))
}

/// List accounts (super_admin: all; admin: its own).
#[utoipa::path(get, path = "/api/accounts", tag = "accounts", responses((status = 200, body = [AccountDto]), (status = 403)))]
pub async fn list_accounts(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    auth.may(Action::AccountList)?;
    let q = Query::parse(req.query_string());
    let mut errors = Vec::new();
    let page = page_a(&q, &mut errors);
    let status = q.get(&["status"]).and_then(|s| {
        AccountStatus::parse(&s).or_else(|| {
            errors.push(FieldError::query(
                "status",
                "status must be active or inactive",
                "type_error.enum",
            ));
            None
        })
    });
    check(errors)?;
    let accounts = state
        .identity
        .list_accounts(auth.principal(), q.get(&["name"]), status, page)
        .await?;
    Ok(HttpResponse::Ok().json(accounts.iter().map(AccountDto::from).collect::<Vec<_>>()))
}

/// One account.
#[utoipa::path(get, path = "/api/accounts/{id}", tag = "accounts", responses((status = 200, body = AccountDto), (status = 404)))]
pub async fn get_account(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    auth.may(Action::AccountRead)?;
    let account = state
        .identity
        .get_account(
            auth.principal(),
            id_or_404(&id, AccountId::parse, "Account")?,
        )
        .await?;
    Ok(HttpResponse::Ok().json(AccountDto::from(&account)))
}

/// Update name, domain or status.
#[utoipa::path(put, path = "/api/accounts/{id}", tag = "accounts", responses((status = 200, body = AccountDto), (status = 403), (status = 404), (status = 409)))]
pub async fn update_account(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<String>,
    bytes: web::Bytes,
) -> ApiResult<HttpResponse> {
    auth.may(Action::AccountUpdate)?;
    let id = id_or_404(&id, AccountId::parse, "Account")?;
    let body = Body::parse(&bytes)?;
    let mut errors = Vec::new();
    let patch = AccountPatch {
        name: body.patch_string(&mut errors, &["name"]),
        domain: body.patch_string(&mut errors, &["domain"]),
        status: body.patch_string(&mut errors, &["status"]),
    };
    check(errors)?;
    let account = state
        .identity
        .update_account(auth.principal(), id, patch)
        .await?;
    Ok(HttpResponse::Ok().json(AccountDto::from(&account)))
}

/// Soft-delete an account.
#[utoipa::path(delete, path = "/api/accounts/{id}", tag = "accounts", responses((status = 200, body = MessageDto), (status = 403), (status = 404)))]
pub async fn delete_account(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    auth.may(Action::AccountDelete)?;
    let id = id_or_404(&id, AccountId::parse, "Account")?;
    state.identity.delete_account(auth.principal(), id).await?;
    Ok(HttpResponse::Ok().json(MessageDto::ok(
        "Account successfully deleted",
        Some(json!({"account_id": id.to_string()})),
    )))
}

// ----- users -----

fn user_filter(q: &Query, errors: &mut Vec<FieldError>) -> Result<UserFilter, ApiError> {
    let mut roles = Vec::new();
    for r in q
        .get(&["role"])
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|r| !r.is_empty())
    {
        match Role::parse(r) {
            Some(role) => roles.push(role),
            None => errors.push(FieldError::query(
                "role",
                format!("unknown role {r:?}"),
                "type_error.enum",
            )),
        }
    }
    // An id that cannot exist matches nothing.
    let account_id = q
        .get(&["account_id"])
        .map(|s| AccountId::parse(&s).unwrap_or(AccountId(uuid::Uuid::nil())));
    Ok(UserFilter {
        account_id,
        roles,
        search: q.search(errors, &["search"]),
        is_active: q.boolean(errors, "is_active"),
    })
}

/// List users of the caller's account (super_admin: any, `account_id` filter).
#[utoipa::path(get, path = "/api/users", tag = "users", responses((status = 200, body = [UserDto]), (status = 403)))]
pub async fn list_users(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    auth.may(Action::UserList)?;
    let q = Query::parse(req.query_string());
    let mut errors = Vec::new();
    let page = page_a(&q, &mut errors);
    let filter = user_filter(&q, &mut errors)?;
    check(errors)?;
    let users = state
        .identity
        .list_users(auth.principal(), filter, page, false)
        .await?;
    Ok(HttpResponse::Ok().json(users.iter().map(UserDto::from).collect::<Vec<_>>()))
}

/// Active clinicians, physicians and admins of the account.
#[utoipa::path(get, path = "/api/clinicians", tag = "users", responses((status = 200, body = [UserDto]), (status = 403)))]
pub async fn list_clinicians(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    auth.may(Action::ClinicianList)?;
    let q = Query::parse(req.query_string());
    let mut errors = Vec::new();
    let page = page_a(&q, &mut errors);
    let mut filter = user_filter(&q, &mut errors)?;
    filter.roles.clear();
    check(errors)?;
    let users = state
        .identity
        .list_users(auth.principal(), filter, page, true)
        .await?;
    Ok(HttpResponse::Ok().json(users.iter().map(UserDto::from).collect::<Vec<_>>()))
}

/// One user.
#[utoipa::path(get, path = "/api/users/{id}", tag = "users", responses((status = 200, body = UserDto), (status = 404)))]
pub async fn get_user(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    auth.may(Action::UserRead)?;
    let user = state
        .identity
        .get_user(auth.principal(), id_or_404(&id, UserId::parse, "User")?)
        .await?;
    Ok(HttpResponse::Ok().json(UserDto::from(&user)))
}

fn create_user_request(body: &Body) -> Result<CreateUser, ApiError> {
    let mut errors = Vec::new();
    let req = CreateUser {
        email: body.string(&mut errors, &["email"]),
        name: body.string(&mut errors, &["name"]),
        first_name: body.string(&mut errors, &["first_name"]),
        last_name: body.string(&mut errors, &["last_name"]),
        role: body.string(&mut errors, &["role"]),
        password: body.secret("password"),
        confirm_password: body.secret("confirm_password"),
        account_id: body.id(&mut errors, "account_id", AccountId::parse)?,
        is_active: body.boolean(&mut errors, "is_active"),
        phone: body.string(&mut errors, &["phone"]),
        clinician_id: body.id(&mut errors, "clinician_id", UserId::parse)?,
    };
    check(errors)?;
    Ok(req)
}

/// Create a user (admin: own account; super_admin).
#[utoipa::path(post, path = "/api/users", tag = "users", responses((status = 201, body = UserDto), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn create_user(
    state: web::Data<AppState>,
    auth: Auth,
    bytes: web::Bytes,
) -> ApiResult<HttpResponse> {
    auth.may(Action::UserManage)?;
    let req = create_user_request(&Body::parse(&bytes)?)?;
    let user = state.identity.create_user(auth.principal(), req).await?;
    Ok(HttpResponse::Created().json(UserDto::from(&user)))
}

/// Update a user: self (names, email, phone), admin, or super_admin.
#[utoipa::path(put, path = "/api/users/{id}", tag = "users", responses((status = 200, body = UserDto), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn update_user(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<String>,
    bytes: web::Bytes,
) -> ApiResult<HttpResponse> {
    let id = id_or_404(&id, UserId::parse, "User")?;
    let body = Body::parse(&bytes)?;
    let mut errors = Vec::new();
    let patch = UserPatch {
        name: body.patch_string(&mut errors, &["name"]),
        first_name: body.patch_string(&mut errors, &["first_name"]),
        last_name: body.patch_string(&mut errors, &["last_name"]),
        email: body.patch_string(&mut errors, &["email"]),
        phone: body.patch_string(&mut errors, &["phone"]),
        role: body.patch_string(&mut errors, &["role"]),
        is_active: body.patch_boolean(&mut errors, "is_active"),
        clinician_id: body.patch_id(&mut errors, "clinician_id", UserId::parse)?,
        account_id: body.patch_id(&mut errors, "account_id", AccountId::parse)?,
        current_password: body.secret("current_password").map(Password::new),
    };
    check(errors)?;
    let user = state
        .identity
        .update_user(auth.principal(), id, patch)
        .await?;
    Ok(HttpResponse::Ok().json(UserDto::from(&user)))
}

/// Soft-delete a user.
#[utoipa::path(delete, path = "/api/users/{id}", tag = "users", responses((status = 200, body = MessageDto), (status = 403), (status = 404), (status = 409)))]
pub async fn delete_user(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    auth.may(Action::UserManage)?;
    let id = id_or_404(&id, UserId::parse, "User")?;
    state.identity.delete_user(auth.principal(), id).await?;
    Ok(HttpResponse::Ok().json(MessageDto::ok(
        "User successfully deleted",
        Some(json!({"user_id": id.to_string()})),
    )))
}

/// Email a user a password-reset link.
#[utoipa::path(post, path = "/api/users/{id}/password-reset", tag = "users", responses((status = 200, body = MessageDto), (status = 403), (status = 404)))]
pub async fn send_user_reset(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    auth.may(Action::UserManage)?;
    let id = id_or_404(&id, UserId::parse, "User")?;
    state
        .identity
        .send_password_reset(auth.principal(), id)
        .await?;
    Ok(HttpResponse::Ok().json(MessageDto::ok(
        "Password reset email sent",
        Some(json!({"user_id": id.to_string()})),
    )))
}

/// Create an account and its first admin (the frontend's spelling of `/api/admin/create_account`).
#[utoipa::path(post, path = "/api/accounts", tag = "accounts",
    request_body(content = Object, description = "name, domain?, admin_email, admin_name, admin_password, admin_confirm_password?"),
    responses((status = 201, body = AccountDto), (status = 403), (status = 409), (status = 422)))]
pub async fn create_account_fe(
    state: web::Data<AppState>,
    auth: Auth,
    bytes: web::Bytes,
) -> ApiResult<HttpResponse> {
    create_account(state, auth, bytes).await
}

/// Create a user (the documented spelling of `POST /api/users`).
#[utoipa::path(post, path = "/api/account/create_user", tag = "users",
    request_body(content = Object, description = "email, first_name, last_name, role, phone?, password?, name?, account_id?"),
    responses((status = 201, body = UserDto), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn create_user_doc(
    state: web::Data<AppState>,
    auth: Auth,
    bytes: web::Bytes,
) -> ApiResult<HttpResponse> {
    create_user(state, auth, bytes).await
}
