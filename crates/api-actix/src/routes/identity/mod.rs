//! Authentication, accounts and users (contract §3.1, §3.2), one file per capability as in the
//! domain: `auth`, `passwords`, `accounts`, `users`; this module holds the request readers they
//! share. Handlers only translate: request → domain call → DTO. Access is decided in
//! `domain::identity::policy`.

mod accounts;
mod auth;
mod passwords;
mod users;

pub use accounts::*;
pub use auth::*;
pub use passwords::*;
pub use users::*;

use super::dto::{AccountDto, MeDto, MessageDto, TokenDto, UserDto};
use crate::auth::{Allowed, Auth, act};
use crate::body::{Body, Query, check, choice, id_or_404, optional_patch, required_patch};
use crate::error::{ApiError, ApiResult, Place};
use crate::net::client_addr;
use crate::state::AppState;
use actix_web::http::header::CONTENT_TYPE;
use actix_web::{HttpRequest, HttpResponse, web};
use genascope_domain::common::{
    AccountId, ClinicZone, Entity, FieldError, Patch, UserId, validate,
};
use genascope_domain::identity::error::IdentityError;
use genascope_domain::identity::model::{
    AccountStatus, Email, HostName, NameChange, NewPassword, Password, PersonName, Role,
    email_field,
};
use genascope_domain::identity::ports::{Page, UserFilter};
use genascope_domain::identity::service::{
    AccountPatch, CreateAccount, CreateSuperAdmin, CreateUser, UserPatch,
};
use serde_json::json;

/// Style-A paging: `skip` (alias `offset`) >= 0, `limit` 1..100 (default 100).
pub fn page_a(q: &Query, errors: &mut Vec<FieldError>) -> Page {
    Page {
        offset: q.int(errors, &["skip", "offset"], 0, u32::MAX, 0),
        limit: q.int(errors, &["limit"], 1, 100, 100),
    }
}

/// 422: the body field `field` is required.
fn missing(field: &str) -> ApiError {
    ApiError::Invalid(vec![Place::Body.locate(FieldError::missing(field))])
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
                ApiError::Invalid(vec![Place::Body.field(
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

#[cfg(test)]
mod tests;
