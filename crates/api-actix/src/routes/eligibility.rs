//! Eligibility and risk (contract §3.7): the clinical engine over HTTP. The computation and the
//! `RiskProfile` / `Assessment` shapes are `genascope_domain::clinical` (risk-profile.md); this
//! module only reads the request and writes the answer.

use crate::auth::{Allowed, act};
use crate::body::{Query, check, id_or_404};
use crate::error::{ApiError, ApiResult, Place};
use crate::routes::dto::ExportFileDto;
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, web};
use genascope_domain::clinical::export::ExportFormat;
use genascope_domain::clinical::service::{EligibilityService, ExportRequest};
use genascope_domain::common::{Entity, FieldError, PatientId};
use genascope_domain::identity::policy::Action;

/// The optional `patient_id` query parameter: empty = absent; malformed = a patient that cannot
/// exist (404, contract §1.3).
fn patient_param(q: &Query) -> Result<Option<PatientId>, ApiError> {
    q.get(&["patient_id"])
        .map(|raw| id_or_404(&raw, PatientId::parse, Entity::Patient))
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
    auth: Allowed<act::AssessProfile>,
    req: HttpRequest,
    bytes: web::Bytes,
) -> ApiResult<HttpResponse> {
    // Role checks before any id is read (contract §2.2 rule 6): assessing at all (the
    // extractor), and storing the result for a patient.
    let q = Query::parse(req.query_string());
    if q.get(&["patient_id"]).is_some() {
        auth.may(Action::PatientManage)?;
    }
    let patient = patient_param(&q)?;
    let ticket = state
        .eligibility
        .authorize(auth.principal(), patient)
        .await?;
    // Pure CPU work (tens of microseconds; profiles are size-capped): off the async workers, a
    // bounded number at once.
    let _place = state.engine_gate.enter().await?;
    let result = web::block(move || EligibilityService::compute(ticket, &bytes))
        .await
        .map_err(|e| ApiError::Internal(Box::new(e)))?;
    let computed = result.map_err(|e| ApiError::invalid(Place::Body, e))?;
    let stored = state
        .eligibility
        .store(auth.principal(), ticket, computed)
        .await?;
    Ok(HttpResponse::Ok().json(stored))
}

/// The patient's latest stored assessment (by `assessed_at`).
#[utoipa::path(get, path = "/api/eligibility/analyze/{patient_id}", tag = "eligibility",
    responses((status = 200, description = "Assessment (risk-profile.md)", body = Object),
        (status = 403), (status = 404, description = "Patient not found, or No assessment for this patient")))]
pub async fn latest(
    state: web::Data<AppState>,
    auth: Allowed<act::PatientRead>,
    patient_id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    state.read_limit.check(auth.principal())?;
    let id = id_or_404(&patient_id, PatientId::parse, Entity::Patient)?;
    Ok(HttpResponse::Ok().json(state.eligibility.latest(auth.principal(), id).await?))
}

/// Alias of `GET /api/eligibility/analyze/{patient_id}`.
#[utoipa::path(get, path = "/api/eligibility/detailed/{patient_id}", tag = "eligibility",
    responses((status = 200, description = "Assessment (risk-profile.md)", body = Object), (status = 404)))]
pub async fn latest_detailed(
    state: web::Data<AppState>,
    auth: Allowed<act::PatientRead>,
    patient_id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    latest(state, auth, patient_id).await
}

/// The export query: `format` (required), `estimate_missing`, `uk_ethnicity` (booleans,
/// default false). Every bad parameter is listed.
fn export_request(q: &Query) -> Result<ExportRequest, ApiError> {
    let mut errors = Vec::new();
    let format = match q.get(&["format"]) {
        None => {
            errors.push(FieldError::missing("format"));
            None
        }
        Some(raw) => {
            let f = ExportFormat::parse(&raw);
            if f.is_none() {
                errors.push(FieldError::new(
                    "format",
                    "value is not a valid enumeration member; permitted: 'canrisk4', 'ibis8'",
                    "type_error.enum",
                ));
            }
            f
        }
    };
    let estimate_missing = q.boolean(&mut errors, "estimate_missing").unwrap_or(false);
    let uk_ethnicity = q.boolean(&mut errors, "uk_ethnicity").unwrap_or(false);
    check(Place::Query, errors)?;
    // A missing or unknown format is in `errors` above, so this is always Some here.
    let format = format.ok_or_else(|| ApiError::Invalid(Vec::new()))?;
    Ok(ExportRequest {
        format,
        estimate_missing,
        uk_ethnicity,
    })
}

/// The patient's latest stored risk profile as a pedigree file for a licensed risk tool:
/// `canrisk4` (CanRisk v4, upload to canrisk.org) or `ibis8` (IBIS Risk Evaluator v8 batch file).
///
/// Care team of the patient's account and super_admin. The answer is a JSON envelope
/// `{"filename", "format", "family_id", "content", "notes"}`: `content` is the file, `notes` what
/// the clinician must fix or check before computing (docs/clinical-models.md §6).
#[utoipa::path(get, path = "/api/eligibility/export/{patient_id}", tag = "eligibility",
    params(
        ("patient_id" = String, Path, description = "The patient (404 outside the caller's account)."),
        ("format" = String, Query, description = "canrisk4 | ibis8 (required)."),
        ("estimate_missing" = Option<bool>, Query, description = "CanRisk: estimate the missing age and year of birth of affected relatives (CanRisk refuses the file without them); every estimate is listed in notes. Default false."),
        ("uk_ethnicity" = Option<bool>, Query, description = "CanRisk: write the UK ethnicity line (female target only; only when CanRisk will be run with UK incidence rates). Default false."),
    ),
    responses(
        (status = 200, description = "The file and its notes", body = ExportFileDto),
        (status = 401), (status = 403, description = "Not the care team (patient, lab_tech, user), or a simplified token"),
        (status = 404, description = "Patient not found; No assessment for this patient; No stored risk profile for this patient"),
        (status = 422, description = "format missing or unknown, a boolean that does not parse, or a format that cannot hold this profile (loc [query, format], the message names the profile field)")))]
pub async fn export(
    state: web::Data<AppState>,
    auth: Allowed<act::ExportPedigree>,
    req: HttpRequest,
    patient_id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = id_or_404(&patient_id, PatientId::parse, Entity::Patient)?;
    let request = export_request(&Query::parse(req.query_string()))?;
    let file = state
        .eligibility
        .export(auth.principal(), id, request)
        .await?
        .map_err(|e| {
            ApiError::Invalid(vec![Place::Query.field(
                "format",
                format!(
                    "{} cannot hold this patient's stored profile: {e}",
                    request.format
                ),
                "value_error.export",
            )])
        })?;
    Ok(HttpResponse::Ok().json(ExportFileDto::from(file)))
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
        let assessment = result.map_err(|e| ApiError::invalid(Place::Body, e))?;
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
    fn export_query_rules() {
        let r = export_request(&Query::parse("format=CanRisk4&_cb=1")).expect("ok");
        assert_eq!(r.format, ExportFormat::CanRisk4);
        assert!(!r.estimate_missing && !r.uk_ethnicity);
        let r = export_request(&Query::parse(
            "format=ibis8&estimate_missing=1&uk_ethnicity=TRUE",
        ))
        .expect("ok");
        assert!(r.estimate_missing && r.uk_ethnicity);
        for (q, loc) in [
            ("", "format"),
            ("format=", "format"),
            ("format=canrisk", "format"),
            ("format=ibis8&estimate_missing=perhaps", "estimate_missing"),
            ("format=ibis8&uk_ethnicity=2", "uk_ethnicity"),
        ] {
            let err = export_request(&Query::parse(q)).expect_err(q);
            assert_eq!(err.status_code(), StatusCode::UNPROCESSABLE_ENTITY, "{q}");
            let v = json_of(err.error_response());
            assert_eq!(
                v["detail"][0]["loc"],
                serde_json::json!(["query", loc]),
                "{q}"
            );
        }
        // Every bad parameter at once.
        let err = export_request(&Query::parse("format=x&estimate_missing=x")).expect_err("two");
        assert_eq!(
            json_of(err.error_response())["detail"]
                .as_array()
                .map(Vec::len),
            Some(2)
        );
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
