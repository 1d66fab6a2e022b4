//! The one mapping from domain errors to HTTP (contract §1.4). Bodies never carry internal
//! causes; a 500 is logged with its cause and the request id.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, ResponseError};
use genascope_domain::common::{DomainError, FieldError};
use serde_json::json;
use std::fmt;

/// A domain error on its way out.
#[derive(Debug)]
pub struct ApiError(pub DomainError);

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> Self {
        Self(e)
    }
}

impl ApiError {
    /// 422 with a list.
    #[must_use]
    pub fn validation(errors: Vec<FieldError>) -> Self {
        Self(DomainError::Validation(errors))
    }

    /// 401 "Not authenticated" (no header).
    #[must_use]
    pub fn not_authenticated() -> Self {
        Self(DomainError::Unauthorized("Not authenticated"))
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match &self.0 {
            DomainError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            DomainError::BadRequest(_) => StatusCode::BAD_REQUEST,
            DomainError::Forbidden(_) => StatusCode::FORBIDDEN,
            DomainError::NotFound(_) | DomainError::Missing(_) => StatusCode::NOT_FOUND,
            DomainError::Conflict(_) => StatusCode::CONFLICT,
            DomainError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            DomainError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            DomainError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            DomainError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            DomainError::Unexpected(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let mut res = HttpResponse::build(self.status_code());
        let body = match &self.0 {
            DomainError::Unauthorized(m) => {
                res.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
                json!({ "detail": m })
            }
            DomainError::BadRequest(m) | DomainError::Conflict(m) => json!({ "detail": m }),
            DomainError::Forbidden(m) => {
                if m.contains("simplified access") {
                    res.insert_header(("X-Error-Code", "SIMPLIFIED_ACCESS_RESTRICTED"));
                }
                json!({ "detail": m })
            }
            DomainError::NotFound(what) => json!({ "detail": format!("{what} not found") }),
            DomainError::Missing(m) => json!({ "detail": m }),
            DomainError::Validation(errors) => json!({ "detail": errors }),
            DomainError::TooManyRequests { retry_after_secs } => {
                res.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
                json!({ "detail": "Too many requests; try again later" })
            }
            DomainError::PayloadTooLarge => json!({ "detail": "Payload too large" }),
            DomainError::Unavailable(cause) => {
                tracing::error!(error = %cause, "dependency unavailable");
                // Every 503 is temporary: the database is back, or the load is gone, soon.
                res.insert_header((header::RETRY_AFTER, "1"));
                json!({ "detail": "Service unavailable" })
            }
            DomainError::Unexpected(cause) => {
                tracing::error!(error = %cause, "internal error");
                json!({ "detail": "Internal server error" })
            }
        };
        res.json(body)
    }
}

/// Result alias for handlers.
pub type ApiResult<T> = Result<T, ApiError>;
