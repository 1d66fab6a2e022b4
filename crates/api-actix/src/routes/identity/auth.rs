//! Login, refresh, logout, `me`.

use super::*;

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
                return Err(missing("refresh_token"));
            };
            return Ok(HttpResponse::Ok().json(TokenDto::from(state.identity.refresh(&rt).await?)));
        }
        Some(_) => return Err(ApiError::BadRequest("unsupported_grant_type".into())),
    }
    let username = body.string(&mut errors, &["username", "email"]);
    let password = body.secret("password");
    if username.is_none() {
        errors.push(FieldError::missing("username"));
    }
    if password.is_none() {
        errors.push(FieldError::missing("password"));
    }
    check(Place::Body, errors)?;
    let (Some(u), Some(p)) = (username, password) else {
        return Err(ApiError::Invalid(Vec::new()));
    };
    let _place = state.login_gate.enter().await?;
    let client = client_addr(&state, &req);
    let attempt = state.login_limit.enter(client.as_deref()).await?;
    let result = state.identity.login(&u, Password::new(p), client).await;
    // Wrong credentials (and inactive users) count against the address; a success, or an
    // attempt the throttle held back, does not.
    let failed = !matches!(result, Ok(_) | Err(IdentityError::RateLimited { .. }));
    if matches!(result, Err(IdentityError::RateLimited { .. })) {
        crate::metrics::throttled("login", "email");
    }
    attempt.end(failed).await;
    Ok(HttpResponse::Ok().json(TokenDto::from(result?)))
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
        return Err(missing("refresh_token"));
    };
    Ok(HttpResponse::Ok().json(TokenDto::from(state.identity.refresh(&rt).await?)))
}

/// Revoke the given (or every) refresh token and deny this access token.
#[utoipa::path(post, path = "/api/auth/logout", tag = "auth", responses((status = 200, body = MessageDto), (status = 401)))]
pub async fn logout(
    state: web::Data<AppState>,
    auth: Allowed<act::Logout>,
    bytes: web::Bytes,
) -> ApiResult<HttpResponse> {
    let body = Body::parse(&bytes)?;
    let mut errors = Vec::new();
    let rt = body.string(&mut errors, &["refresh_token"]);
    let all = body.boolean(&mut errors, "all_devices").unwrap_or(false);
    check(Place::Body, errors)?;
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
    let grant = auth.principal().grant;
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
        invite_id: grant.map(|g| g.invite_id.0.to_string()),
        chat_strategy_id: grant
            .and_then(|g| g.chat_strategy_id)
            .map(|s| s.0.to_string()),
    }))
}
