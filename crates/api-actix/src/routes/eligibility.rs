//! Eligibility and risk (contract §3.7): the clinical engine over HTTP. The computation and the
//! `RiskProfile` / `Assessment` shapes are `genascope_domain::clinical` (risk-profile.md); this
//! module only reads the request and writes the answer.

use crate::auth::{Allowed, act};
use crate::body::{Body, Query, check, id_or_404};
use crate::error::{ApiError, ApiResult, Place};
use crate::metrics::AssessmentKind;
use crate::routes::dto::ExportFileDto;
use crate::routes::questionnaire::dto::analysis_json;
use crate::routes::questionnaire::sessions::session_id;
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, web};
use genascope_domain::clinical::export::ExportFormat;
use genascope_domain::clinical::service::{EligibilityService, ExportRequest};
use genascope_domain::common::{Entity, FieldError, PatientId};
use genascope_domain::identity::policy::{Action, Principal};
use genascope_domain::questionnaire::sessions::service::AnalyzeTarget;

/// The optional `patient_id` query parameter: empty = absent; malformed = a patient that cannot
/// exist (404, contract §1.3).
fn patient_param(q: &Query) -> Result<Option<PatientId>, ApiError> {
    q.get(&["patient_id"])
        .map(|raw| id_or_404(&raw, PatientId::parse, Entity::Patient))
        .transpose()
}

/// The top-level keys that tell an analysis request from a `RiskProfile` (the values are
/// skipped, not kept: a profile may be large).
#[derive(serde::Deserialize)]
struct Probe {
    proband: Option<serde::de::IgnoredAny>,
    #[serde(rename = "sessionId")]
    session_id_camel: Option<serde::de::IgnoredAny>,
    session_id: Option<serde::de::IgnoredAny>,
    patient_id: Option<serde::de::IgnoredAny>,
}

/// The compatibility form of `assess` (contract §3.7): a body without `proband` but with
/// `sessionId`, `session_id` or `patient_id` is an `analyze`.
fn is_analysis(bytes: &[u8]) -> bool {
    serde_json::from_slice::<Probe>(bytes).is_ok_and(|p| {
        p.proband.is_none()
            && (p.session_id_camel.is_some() || p.session_id.is_some() || p.patient_id.is_some())
    })
}

/// What an analysis names: a session (`sessionId`, alias `session_id`), else a patient's latest
/// completed session (`patient_id`). Neither: 422 at `sessionId`; a malformed id: 404.
fn analyze_target(body: &Body) -> Result<AnalyzeTarget, ApiError> {
    let mut errors = Vec::new();
    let session = body.string(&mut errors, &["sessionId", "session_id"]);
    let patient = body.string(&mut errors, &["patient_id"]);
    check(Place::Body, errors)?;
    match (session, patient) {
        (Some(s), _) => Ok(AnalyzeTarget::Session(session_id(&s)?)),
        (None, Some(p)) => Ok(AnalyzeTarget::Patient(id_or_404(
            &p,
            PatientId::parse,
            Entity::Patient,
        )?)),
        (None, None) => Err(ApiError::invalid(
            Place::Body,
            vec![FieldError::missing("sessionId")],
        )),
    }
}

async fn analysis(state: &AppState, p: &Principal, body: &Body) -> ApiResult<HttpResponse> {
    let target = analyze_target(body)?;
    let done = state.chat.analyze(p, target).await?;
    Ok(HttpResponse::Ok().json(analysis_json(done)))
}

/// The assessment of a completed questionnaire session: the one computed when it completed,
/// identical on every call.
///
/// `{"sessionId"}` (alias `session_id`), or `{"patient_id"}` alone: that patient's latest
/// completed session. Care team and super_admin for the account's sessions; a patient (full
/// token) or `user` for its own; simplified tokens 403.
#[utoipa::path(post, path = "/api/eligibility/analyze", tag = "eligibility",
    request_body(content = Object, description = "{\"sessionId\"} (alias session_id) or {\"patient_id\"}"),
    responses(
        (status = 200, description = "Assessment (risk-profile.md) + assessment_id, session_id, patient_id", body = Object),
        (status = 401), (status = 403, description = "lab_tech, or a simplified token"),
        (status = 404, description = "Chat session not found, Patient not found"),
        (status = 409, description = "Questionnaire not complete"),
        (status = 422, description = "Neither sessionId nor patient_id")))]
pub async fn analyze(
    state: web::Data<AppState>,
    auth: Allowed<act::SessionAnalyze>,
    bytes: web::Bytes,
) -> ApiResult<HttpResponse> {
    state.read_limit.check(auth.principal())?;
    analysis(&state, auth.principal(), &Body::parse(&bytes)?).await
}

/// Assess a `RiskProfile` with NCCN, Tyrer-Cuzick (IBIS v8-style), Gail and Manchester.
///
/// `patient_id` (optional) stores the assessment for that patient (`profile_id` = the stored
/// record): care team and super_admin only (403 for others), and the patient must be in the
/// caller's scope (else 404). Without it nothing is stored and `profile_id` is null.
///
/// Compatibility: a body without `proband` but with `sessionId`, `session_id` or `patient_id`
/// is handled as `POST /api/eligibility/analyze`.
///
/// FHIR: with `Content-Type: application/fhir+json` the body is a FHIR R4 family-history
/// `Bundle` (the shape `GET /api/patients/{id}/fhir/family-history` writes); what cannot be
/// mapped is a 422 whose `loc` names the entry and element (`["body","entry",3,"resource",
/// "relationship"]`).
#[utoipa::path(post, path = "/api/eligibility/assess", tag = "eligibility",
    params(("patient_id" = Option<String>, Query, description = "Care team / super_admin: store the result for this patient of the caller's scope (404 otherwise); profile_id is then the stored id.")),
    request_body(content = Object, description = "A RiskProfile (risk-profile.md): {proband: {...}, relatives: [...]}; or, for compatibility, an analyze request ({sessionId} / {session_id} / {patient_id}, no proband)"),
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
    let fhir = crate::routes::family::is_fhir(&req);
    if !fhir && is_analysis(&bytes) {
        auth.may(Action::SessionAnalyze)?;
        state.read_limit.check(auth.principal())?;
        return analysis(&state, auth.principal(), &Body::parse(&bytes)?).await;
    }
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
    let started = std::time::Instant::now();
    let stored = async {
        let queued = crate::metrics::EngineQueued::enter();
        let result = web::block(move || {
            drop(queued);
            if fhir {
                EligibilityService::compute_bundle(ticket, &bytes)
            } else {
                EligibilityService::compute(ticket, &bytes)
            }
        })
        .await
        .map_err(|e| ApiError::Internal(Box::new(e)))?;
        let computed = result.map_err(|e| ApiError::invalid(Place::Body, e))?;
        Ok::<_, ApiError>(
            state
                .eligibility
                .store(auth.principal(), ticket, computed)
                .await?,
        )
    }
    .await;
    let kind = if fhir {
        AssessmentKind::Fhir
    } else {
        AssessmentKind::Profile
    };
    let outcome = match &stored {
        Ok(_) => "ok",
        Err(ApiError::Invalid(_)) => "invalid",
        Err(_) => "error",
    };
    crate::metrics::assessment(kind, outcome, started.elapsed());
    Ok(HttpResponse::Ok().json(stored?))
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
