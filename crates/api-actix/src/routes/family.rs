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

/// The patient's latest stored family history as a FHIR R4 `Bundle` (type `collection`): the
/// Patient, one FamilyMemberHistory per relative (v3 RoleCode relationship, SNOMED CT
/// conditions with onset ages, genetics-parent extensions where the parent is reported),
/// genetic test Observations, and a RiskAssessment per model result (docs/clinical-models.md).
#[utoipa::path(get, path = "/api/patients/{id}/fhir/family-history", tag = "patients",
    params(("id" = String, Path, description = "The patient (404 outside the caller's scope).")),
    responses(
        (status = 200, description = "application/fhir+json: a FHIR R4 Bundle", content_type = "application/fhir+json", body = Object),
        (status = 401), (status = 403, description = "lab_tech, user, or a simplified token"),
        (status = 404, description = "Patient not found; No assessment for this patient; No stored risk profile for this patient")))]
pub async fn fhir_family_history(
    state: web::Data<AppState>,
    auth: Allowed<act::PatientRead>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    state.read_limit.check(auth.principal())?;
    let id = id_or_404(&id, PatientId::parse, Entity::Patient)?;
    let bundle = state
        .eligibility
        .fhir_family_history(auth.principal(), id)
        .await?;
    Ok(HttpResponse::Ok()
        .content_type("application/fhir+json")
        .insert_header(("Cache-Control", "private, no-store"))
        .json(bundle))
}

/// Whether a request body is declared FHIR JSON (`application/fhir+json`, any parameters).
pub fn is_fhir(req: &actix_web::HttpRequest) -> bool {
    req.headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/fhir+json"))
}
