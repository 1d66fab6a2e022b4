//! `POST /api/labs/webhook`: an external lab, authenticated by its signature (contract §3.8),
//! never by a bearer token. The raw body is what is signed, so it is checked before it is read
//! as JSON; a replayed `event_id` answers `{"received": true, "duplicate": true}`.

use super::input;
use crate::body::Body;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, web};
use genascope_domain::labs::error::{LabError, SignatureRefusal};
use genascope_domain::labs::service::EventOutcome;
use genascope_domain::labs::webhook::MAX_BODY;
use serde_json::json;

fn header<'a>(req: &'a HttpRequest, name: &str) -> &'a str {
    req.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

/// A lab's event: a status change or results for one of the orders of the accounts it serves.
#[utoipa::path(post, path = "/api/labs/webhook", tag = "labs",
    params(("X-Lab-Id" = String, Header, description = "The integration id."),
        ("X-Signature-Timestamp" = String, Header, description = "Unix seconds; within 300 s of now."),
        ("X-Signature" = String, Header, description = "Lowercase hex HMAC-SHA256 of \"{timestamp}.{raw body}\" (a sha256= prefix is tolerated).")),
    request_body(content = Object, description = "event_id (required, unique per lab), order_id or lab_reference, event (status | results), then status (+ reason) or results, result_status, report_url. At most 1 MiB."),
    responses((status = 200, description = "{\"received\": true} (a repeat: and \"duplicate\": true)"),
        (status = 401, description = "Invalid signature"), (status = 404, description = "Lab order not found"),
        (status = 409, description = "Invalid status transition from X to Y"), (status = 413), (status = 422)))]
pub async fn receive(
    state: web::Data<AppState>,
    req: HttpRequest,
    bytes: web::Bytes,
) -> ApiResult<HttpResponse> {
    if bytes.len() > MAX_BODY {
        return Err(ApiError::TooLarge);
    }
    let (lab, timestamp, signature) = (
        header(&req, "x-lab-id"),
        header(&req, "x-signature-timestamp"),
        header(&req, "x-signature"),
    );
    if lab.is_empty() || timestamp.is_empty() || signature.is_empty() {
        return Err(LabError::BadSignature(SignatureRefusal::Headers).into());
    }
    let integration = state
        .labs
        .authenticate(lab, timestamp, signature, &bytes)
        .await?;
    let event = input::event(&Body::parse(&bytes)?)?;
    let outcome = state.labs.apply_event(&integration, event).await?;
    Ok(HttpResponse::Ok().json(match outcome {
        EventOutcome::Applied => json!({"received": true}),
        EventOutcome::Duplicate => json!({"received": true, "duplicate": true}),
    }))
}
