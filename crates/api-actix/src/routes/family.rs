//! A patient's stored family history in other shapes: the pedigree drawing (SVG) and the FHIR
//! R4 family-history bundle. The shapes are `genascope_domain::clinical` (pedigree::drawing,
//! fhir); access is the eligibility service's (care team, super_admin, the patient itself).

use crate::auth::{Allowed, act};
use crate::body::id_or_404;
use crate::error::ApiResult;
use crate::state::AppState;
use actix_web::{HttpResponse, web};
use genascope_domain::common::{Entity, PatientId};

/// The patient's latest stored risk profile drawn as a pedigree (standard NSGC nomenclature).
#[utoipa::path(get, path = "/api/eligibility/pedigree/{patient_id}.svg", tag = "eligibility",
    params(("patient_id" = String, Path, description = "The patient (404 outside the caller's scope).")),
    responses(
        (status = 200, description = "image/svg+xml", content_type = "image/svg+xml", body = String),
        (status = 401), (status = 403, description = "lab_tech, user, or a simplified token"),
        (status = 404, description = "Patient not found; No assessment for this patient; No stored risk profile for this patient")))]
pub async fn pedigree_svg(
    state: web::Data<AppState>,
    auth: Allowed<act::PatientRead>,
    patient_id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    state.read_limit.check(auth.principal())?;
    let id = id_or_404(&patient_id, PatientId::parse, Entity::Patient)?;
    let svg = state.eligibility.pedigree_svg(auth.principal(), id).await?;
    Ok(HttpResponse::Ok()
        .content_type("image/svg+xml; charset=utf-8")
        // The drawing is PHI: never cached by shared caches.
        .insert_header(("Cache-Control", "private, no-store"))
        .body(svg))
}
