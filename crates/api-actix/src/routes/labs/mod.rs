//! Labs over HTTP (contract §3.8): orders, the work list, status updates, result ingestion and
//! review, the catalogue, and the labs' signed webhook (`webhook.rs`). The route's role check is
//! the extractor's (`Allowed<act::Lab…>`); everything that depends on the order is the domain's.

pub mod dto;
mod input;
pub mod webhook;

use crate::auth::{Allowed, act};
use crate::body::{Body, Query, id_or_404};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, web};
use dto::{LabOrderDto, LabResultsDto, LabTestDto};
use genascope_domain::common::{Entity, LabOrderId, PatientId, UserId};
use genascope_domain::labs::model::LabOrderView;

fn order_id(raw: &str) -> Result<LabOrderId, ApiError> {
    id_or_404(raw, LabOrderId::parse, Entity::LabOrder)
}

fn orders(rows: &[LabOrderView]) -> HttpResponse {
    HttpResponse::Ok().json(rows.iter().map(LabOrderDto::from).collect::<Vec<_>>())
}

/// Order a test for a patient; the lab is told asynchronously (outbox), never waited for.
#[utoipa::path(post, path = "/api/labs/order_test", tag = "labs",
    request_body(content = Object, description = "patient_id (required), test_type (required: brca, genetic_panel, mammogram, ultrasound, mri, biopsy, blood_panel), provider_id (alias clinician_id; default the calling clinician), shipping_address {line1, line2?, city, state, zip_code} (required), notes (≤ 2000). Also at POST /api/lab-tests/order."),
    responses((status = 200, body = LabOrderDto), (status = 401), (status = 403),
        (status = 404, description = "Patient not found, Clinician not found"), (status = 422)))]
pub async fn order_test(
    state: web::Data<AppState>,
    auth: Allowed<act::LabOrderManage>,
    bytes: web::Bytes,
) -> ApiResult<HttpResponse> {
    let cmd = input::new_order(&Body::parse(&bytes)?)?;
    let view = state.labs.order(auth.principal(), cmd).await?;
    Ok(HttpResponse::Ok().json(LabOrderDto::from(&view)))
}

/// An order's results: staff of its account; its patient once reviewed.
#[utoipa::path(get, path = "/api/labs/results/{order_id}", tag = "labs",
    responses((status = 200, body = LabResultsDto), (status = 401), (status = 403), (status = 404)))]
pub async fn results(
    state: web::Data<AppState>,
    auth: Allowed<act::LabResultRead>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let view = state.labs.results(auth.principal(), order_id(&id)?).await?;
    Ok(HttpResponse::Ok().json(LabResultsDto::from(&view)))
}

/// Ingest results: `preliminary` (moves to in_process), `final` (completes), `amended` (after
/// completion; the review is cleared).
#[utoipa::path(post, path = "/api/labs/results/{order_id}", tag = "labs",
    request_body(content = Object, description = "results (required map of ^[a-z0-9_]{1,50}$ keys to strings ≤ 500), result_status (preliminary | final | amended; default final), report_url (https), report_file_id, performed_at, notes (≤ 2000)"),
    responses((status = 200, body = LabResultsDto), (status = 401), (status = 403), (status = 404),
        (status = 409, description = "Invalid status transition from X to Y"), (status = 422)))]
pub async fn ingest(
    state: web::Data<AppState>,
    auth: Allowed<act::LabIngest>,
    id: web::Path<String>,
    bytes: web::Bytes,
) -> ApiResult<HttpResponse> {
    let id = order_id(&id)?;
    let cmd = input::ingest(&Body::parse(&bytes)?)?;
    let view = state.labs.ingest(auth.principal(), id, cmd).await?;
    Ok(HttpResponse::Ok().json(LabResultsDto::from(&view)))
}

/// Review the final result: from now on the patient sees it.
#[utoipa::path(post, path = "/api/labs/review_result/{order_id}", tag = "labs",
    responses((status = 200, body = LabResultsDto), (status = 401), (status = 403), (status = 404),
        (status = 409, description = "The order has no final result to review")))]
pub async fn review(
    state: web::Data<AppState>,
    auth: Allowed<act::LabOrderManage>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let view = state.labs.review(auth.principal(), order_id(&id)?).await?;
    Ok(HttpResponse::Ok().json(LabResultsDto::from(&view)))
}

/// The work list, newest first (style A).
#[utoipa::path(get, path = "/api/labs/orders", tag = "labs",
    params(("skip" = Option<u32>, Query, description = "alias offset"), ("limit" = Option<u32>, Query, description = "1..100, default 100"),
        ("status" = Option<String>, Query,), ("patient_id" = Option<String>, Query,), ("test_type" = Option<String>, Query,)),
    responses((status = 200, body = [LabOrderDto]), (status = 401), (status = 403), (status = 422)))]
pub async fn work_list(
    state: web::Data<AppState>,
    auth: Allowed<act::LabWork>,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    let query = input::order_query(&Query::parse(req.query_string()), true)?;
    Ok(orders(
        &state.labs.work_list(auth.principal(), query).await?,
    ))
}

/// One order.
#[utoipa::path(get, path = "/api/labs/orders/{order_id}", tag = "labs",
    responses((status = 200, body = LabOrderDto), (status = 401), (status = 403), (status = 404)))]
pub async fn get_order(
    state: web::Data<AppState>,
    auth: Allowed<act::LabWork>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let view = state.labs.get(auth.principal(), order_id(&id)?).await?;
    Ok(HttpResponse::Ok().json(LabOrderDto::from(&view)))
}

/// A status change per the table of §3.8 (clinicians and physicians: cancel only).
#[utoipa::path(put, path = "/api/labs/orders/{order_id}/status", tag = "labs",
    request_body(content = Object, description = "status (required), reason (≤ 500)"),
    responses((status = 200, body = LabOrderDto), (status = 401), (status = 403), (status = 404),
        (status = 409, description = "Invalid status transition from X to Y"), (status = 422)))]
pub async fn set_status(
    state: web::Data<AppState>,
    auth: Allowed<act::LabWork>,
    id: web::Path<String>,
    bytes: web::Bytes,
) -> ApiResult<HttpResponse> {
    let id = order_id(&id)?;
    let change = input::status_change(&Body::parse(&bytes)?)?;
    let view = state.labs.set_status(auth.principal(), id, change).await?;
    Ok(HttpResponse::Ok().json(LabOrderDto::from(&view)))
}

/// A patient's orders (style A, `status` filter).
#[utoipa::path(get, path = "/api/labs/patient/{patient_id}/orders", tag = "labs",
    responses((status = 200, body = [LabOrderDto]), (status = 401), (status = 403), (status = 404), (status = 422)))]
pub async fn of_patient(
    state: web::Data<AppState>,
    auth: Allowed<act::LabOrderManage>,
    id: web::Path<String>,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    let patient = id_or_404(&id, PatientId::parse, Entity::Patient)?;
    let query = input::order_query(&Query::parse(req.query_string()), false)?;
    Ok(orders(
        &state
            .labs
            .patient_orders(auth.principal(), patient, query)
            .await?,
    ))
}

/// A clinician's orders (style A, `status` filter).
#[utoipa::path(get, path = "/api/labs/clinician/{clinician_id}/orders", tag = "labs",
    responses((status = 200, body = [LabOrderDto]), (status = 401), (status = 403), (status = 404), (status = 422)))]
pub async fn of_clinician(
    state: web::Data<AppState>,
    auth: Allowed<act::LabOrderManage>,
    id: web::Path<String>,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    let clinician = id_or_404(&id, UserId::parse, Entity::Clinician)?;
    let query = input::order_query(&Query::parse(req.query_string()), false)?;
    Ok(orders(
        &state
            .labs
            .clinician_orders(auth.principal(), clinician, query)
            .await?,
    ))
}

/// The catalogue: one entry per test type.
#[utoipa::path(get, path = "/api/labs/available_tests", tag = "labs",
    responses((status = 200, body = [LabTestDto]), (status = 401), (status = 403)))]
pub async fn available_tests(
    state: web::Data<AppState>,
    auth: Allowed<act::LabCatalog>,
) -> ApiResult<HttpResponse> {
    let tests = state.labs.catalogue(auth.principal())?;
    Ok(HttpResponse::Ok().json(tests.into_iter().map(LabTestDto::from).collect::<Vec<_>>()))
}
