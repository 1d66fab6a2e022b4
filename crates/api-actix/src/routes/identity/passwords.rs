//! Password change and reset.

use super::*;

/// Change one's own password; returns a fresh token pair.
#[utoipa::path(post, path = "/api/auth/change-password", tag = "auth",
    responses((status = 200, body = TokenDto), (status = 400), (status = 422)))]
pub async fn change_password(
    state: web::Data<AppState>,
    auth: Allowed<act::ChangePassword>,
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
        return Err(missing("email"));
    };
    // The same answer after the same time whether or not the email exists (issue #6 item 19):
    // a known email also writes a token and a mail, so every answer waits for a fixed floor.
    let floor = tokio::time::Instant::now() + RESET_REQUEST_FLOOR;
    let result = async {
        let client = client_addr(&state, &req);
        let attempt = state.reset_limit.enter(client.as_deref()).await?;
        let result = match Email::parse(&email) {
            Ok(email) => state.identity.request_password_reset(&email).await,
            Err(m) => Err(IdentityError::field("email", m, "value_error.email")),
        };
        // Every request counts against the address, but one the per-email limit held back.
        let counted = !matches!(result, Err(IdentityError::RateLimited { .. }));
        if !counted {
            crate::metrics::throttled("reset", "email");
        }
        attempt.end(counted).await;
        result.map_err(ApiError::from)
    }
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
