//! Eligibility and risk (contract §3.7): the clinical engine over HTTP. The computation and the
//! `RiskProfile` / `Assessment` shapes are `genascope_domain::clinical` (risk-profile.md); this
//! module only reads the request and writes the answer.

use crate::auth::Auth;
use crate::body::{Query, id_or_404};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, web};
use genascope_domain::clinical::service::EligibilityService;
use genascope_domain::common::{DomainError, PatientId};
use genascope_domain::identity::policy::Action;

/// The optional `patient_id` query parameter: empty = absent; malformed = a patient that cannot
/// exist (404, contract §1.3).
fn patient_param(q: &Query) -> Result<Option<PatientId>, ApiError> {
    q.get(&["patient_id"])
        .map(|raw| id_or_404(&raw, PatientId::parse, "Patient"))
        .transpose()
}

/// Assess a `RiskProfile` with NCCN, Tyrer-Cuzick (IBIS v8-style), Gail and Manchester.
///
/// `patient_id` (optional) stores the assessment for that patient (`profile_id` = the stored
/// record): care team and super_admin only (403 for others), and the patient must be in the
/// caller's scope (else 404). Without it nothing is stored and `profile_id` is null. Storing assessments is not built yet, so the answer always carries
/// `profile_id: null`.
#[utoipa::path(post, path = "/api/eligibility/assess", tag = "eligibility",
    params(("patient_id" = Option<String>, Query, description = "Care team / super_admin: store the result for this patient of the caller's scope (404 otherwise); profile_id is then the stored id.")),
    request_body(content = Object, description = "A RiskProfile (risk-profile.md): {proband: {...}, relatives: [...]}"),
    responses(
        (status = 200, description = "Assessment (risk-profile.md)", body = Object),
        (status = 401), (status = 403, description = "lab_tech, or a simplified token"),
        (status = 404, description = "patient_id not visible"),
        (status = 422, description = "Invalid profile: detail lists every failing field with its loc")))]
pub async fn assess(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    bytes: web::Bytes,
) -> ApiResult<HttpResponse> {
    // Role checks before any id is read (contract §2.2 rule 6): assessing at all, and storing
    // the result for a patient.
    auth.may(Action::AssessProfile)?;
    let q = Query::parse(req.query_string());
    if q.get(&["patient_id"]).is_some() {
        auth.may(Action::PatientManage)?;
    }
    let patient = patient_param(&q)?;
    let ticket = state
        .eligibility
        .authorize(auth.principal(), patient)
        .await?;
    // Pure CPU work (tens of microseconds, ~0.2 s for a 1 MiB family): off the async workers.
    let result = web::block(move || EligibilityService::compute(ticket, &bytes))
        .await
        .map_err(|e| ApiError(DomainError::unexpected(e)))?;
    let assessment = result.map_err(ApiError::validation)?;
    let stored = state
        .eligibility
        .store(auth.principal(), ticket, assessment)
        .await?;
    Ok(HttpResponse::Ok().json(stored))
}

/// The patient's latest stored assessment (by `assessed_at`).
#[utoipa::path(get, path = "/api/eligibility/analyze/{patient_id}", tag = "eligibility",
    responses((status = 200, description = "Assessment (risk-profile.md)", body = Object),
        (status = 403), (status = 404, description = "Patient not found, or No assessment for this patient")))]
pub async fn latest(
    state: web::Data<AppState>,
    auth: Auth,
    patient_id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    auth.may(Action::PatientRead)?;
    state.read_limit.check(auth.principal())?;
    let id = id_or_404(&patient_id, PatientId::parse, "Patient")?;
    Ok(HttpResponse::Ok().json(state.eligibility.latest(auth.principal(), id).await?))
}

/// Alias of `GET /api/eligibility/analyze/{patient_id}`.
#[utoipa::path(get, path = "/api/eligibility/detailed/{patient_id}", tag = "eligibility",
    responses((status = 200, description = "Assessment (risk-profile.md)", body = Object), (status = 404)))]
pub async fn latest_detailed(
    state: web::Data<AppState>,
    auth: Auth,
    patient_id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    latest(state, auth, patient_id).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::ResponseError;
    use actix_web::body::MessageBody;
    use actix_web::http::StatusCode;
    use genascope_domain::clinical::assess::assess_json;
    use genascope_domain::clinical::assessment::Assessment;
    use genascope_domain::common::FieldError;
    use serde_json::Value;
    use time::OffsetDateTime;

    fn json_of(res: HttpResponse) -> Value {
        let bytes = res.into_body().try_into_bytes().unwrap_or_default();
        serde_json::from_slice(&bytes).expect("json body")
    }

    /// 200 with the Assessment (`profile_id: null`), or 422 with `loc` paths such as
    /// `["body","proband","age"]`.
    fn respond(result: Result<Assessment, Vec<FieldError>>) -> ApiResult<HttpResponse> {
        let assessment = result.map_err(ApiError::validation)?;
        Ok(HttpResponse::Ok().json(assessment))
    }

    const NOW: OffsetDateTime = time::macros::datetime!(2026-11-25 19:00:00 UTC);

    #[test]
    fn valid_profile_is_200_with_null_profile_id() {
        let res = respond(assess_json(
            br#"{"proband":{"age":40,"sex":"female"}}"#,
            NOW,
        ))
        .expect("assessment");
        assert_eq!(res.status(), StatusCode::OK);
        let v = json_of(res);
        assert_eq!(v["profile_id"], Value::Null);
        assert_eq!(v["assessed_at"], "2026-11-25T19:00:00Z");
        assert_eq!(v["tyrer_cuzick_threshold"], 20.0);
        for k in [
            "is_eligible",
            "nccn_eligible",
            "tyrer_cuzick_score",
            "nccn",
            "gail",
        ] {
            assert!(v.get(k).is_some(), "{k}");
        }
    }

    #[test]
    fn invalid_profile_is_422_with_body_locs() {
        let err =
            respond(assess_json(br#"{"proband":{"sex":"female"}}"#, NOW)).expect_err("no age");
        assert_eq!(err.status_code(), StatusCode::UNPROCESSABLE_ENTITY);
        let v = json_of(err.error_response());
        assert_eq!(
            v["detail"][0]["loc"],
            serde_json::json!(["body", "proband", "age"])
        );
        assert_eq!(v["detail"][0]["type"], "missing");

        let err = respond(assess_json(b"not json", NOW)).expect_err("bad json");
        let v = json_of(err.error_response());
        assert_eq!(v["detail"][0]["loc"], serde_json::json!(["body"]));
        assert_eq!(v["detail"][0]["type"], "json_invalid");
    }

    #[test]
    fn patient_param_rules() {
        assert!(matches!(patient_param(&Query::parse("_cb=1")), Ok(None)));
        assert!(matches!(
            patient_param(&Query::parse("patient_id=")),
            Ok(None)
        ));
        let id = uuid::Uuid::new_v4();
        assert!(matches!(
            patient_param(&Query::parse(&format!("patient_id={id}"))),
            Ok(Some(p)) if p.0 == id
        ));
        let err = patient_param(&Query::parse("patient_id=nope")).expect_err("malformed");
        assert_eq!(err.status_code(), StatusCode::NOT_FOUND);
    }
}
