//! Chat sessions (contract §3.5.3, §3.5.4): the documented questionnaire routes
//! (`/api/start_chat`, `/api/submit_answer`, `/api/history/{id}`) and the `/ai-chat/sessions`
//! family (served at `/ai-chat/...` and `/api/ai-chat/...`). Callers: patients (full or
//! simplified), the care team, super_admin, `user`; lab_tech 403 before anything is read.

use super::dto::{ChatMessageDto, ChatSessionDto, HistoryDto, QuestionDto, QuestionStepDto};
use super::one_of;
use crate::auth::{Allowed, act};
use crate::body::{Body, Query, check, id_or_nil};
use crate::error::{ApiError, ApiResult, Place};
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, web};
use genascope_domain::common::{AccountId, ChatStrategyId, Entity, FieldError, PatientId, Text};
use genascope_domain::identity::policy::Principal;
use genascope_domain::questionnaire::AnswerInput;
use genascope_domain::questionnaire::sessions::model::{
    ChatContext, ChatSession, EndReason, MessageText, SessionId, SessionStatus, SessionType,
};
use genascope_domain::questionnaire::sessions::policy::sees_results;
use genascope_domain::questionnaire::sessions::service::{OpenSession, SessionQuery, StartChat};
use serde_json::{Value, json};

/// A session id from a path or body: one that cannot exist is "not found".
pub(crate) fn session_id(raw: &str) -> Result<SessionId, ApiError> {
    SessionId::parse(raw).ok_or_else(|| ApiError::not_found(Entity::ChatSession))
}

fn session_type(errors: &mut Vec<FieldError>, body: &Body) -> Option<SessionType> {
    let raw = body.string(errors, &["session_type"])?;
    one_of(
        errors,
        "session_type",
        &raw,
        SessionType::parse,
        &SessionType::permitted(),
    )
}

/// A reference the use case resolves at its turn: one that does not parse names the nil id.
fn reference<T: From<uuid::Uuid>>(
    errors: &mut Vec<FieldError>,
    body: &Body,
    key: &str,
    parse: fn(&str) -> Option<T>,
) -> Option<T> {
    body.string(errors, &[key]).map(|s| id_or_nil(&s, parse))
}

fn dto(p: &Principal, s: &ChatSession) -> ChatSessionDto {
    ChatSessionDto::new(s, sees_results(p))
}

/// Start or resume a questionnaire session.
///
/// A visible `sessionId` is resumed (an existing but invisible one is 404); an absent or unused
/// one creates a session with that id (or a new UUID). A patient principal's session is for its
/// own patient (without `sessionId`, its active session is resumed); the care team names the
/// patient (`patient_id`) or gets an unattached session; a `user` gets an unattached session of
/// its own.
#[utoipa::path(post, path = "/api/start_chat", tag = "questionnaire",
    request_body(content = Object, description = "sessionId (alias session_id; 1..64 of [A-Za-z0-9_-]), patient_id (care team), strategy_id, session_type, account_id (super_admin, unattached)"),
    responses((status = 200, body = QuestionStepDto), (status = 401), (status = 403),
        (status = 404, description = "Chat session, patient or strategy not found"), (status = 422)))]
pub async fn start_chat(
    state: web::Data<AppState>,
    auth: Allowed<act::ChatUse>,
    bytes: web::Bytes,
) -> ApiResult<HttpResponse> {
    let body = Body::parse(&bytes)?;
    let mut e = Vec::new();
    let session_id = body
        .string(&mut e, &["sessionId", "session_id"])
        .and_then(|s| {
            let id = SessionId::parse(&s);
            if id.is_none() {
                e.push(FieldError::new(
                    "sessionId",
                    "must be 1 to 64 characters of letters, digits, '-' and '_'",
                    "value_error.session_id",
                ));
            }
            id
        });
    let cmd = StartChat {
        session_id,
        patient_id: reference(&mut e, &body, "patient_id", PatientId::parse),
        strategy_id: reference(&mut e, &body, "strategy_id", ChatStrategyId::parse),
        session_type: session_type(&mut e, &body),
        account_id: body.id(&mut e, "account_id", AccountId::parse)?,
    };
    check(Place::Body, e)?;
    let s = state.chat.start(auth.principal(), cmd).await?;
    let current = s.current().map(QuestionDto);
    Ok(HttpResponse::Ok().json(QuestionStepDto {
        question: current,
        next_question: None,
        session_id: s.id.to_string(),
        session_complete: s.status == SessionStatus::Completed,
        status: s.status.as_str(),
        progress_percentage: s.progress_percentage,
    }))
}

/// `questionId`: an integer (a numeric string is fine).
fn question_id(e: &mut Vec<FieldError>, body: &Body) -> Option<i64> {
    let v = body
        .0
        .get("questionId")
        .or_else(|| body.0.get("question_id"));
    let n = match v {
        None | Some(Value::Null) => {
            e.push(FieldError::missing("questionId"));
            return None;
        }
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(s)) => s.trim().parse::<i64>().ok(),
        Some(_) => None,
    };
    if n.is_none() {
        e.push(FieldError::new(
            "questionId",
            "value is not a valid integer",
            "type_error.integer",
        ));
    }
    n
}

/// The answer: `answer_value` when present, else `answer` (a string, number, boolean or string
/// array). A missing or unreadable one is 422 at `answer`.
fn answer(e: &mut Vec<FieldError>, body: &Body) -> Option<AnswerInput> {
    let v = match body.0.get("answer_value").filter(|v| !v.is_null()) {
        Some(v) => Some(v),
        None => body.0.get("answer"),
    };
    let Some(v) = v else {
        e.push(FieldError::missing("answer"));
        return None;
    };
    AnswerInput::from_json(v)
        .map_err(|bad| e.push(FieldError::new("answer", bad.message, "value_error.answer")))
        .ok()
}

/// Answer the current question.
///
/// 200 with the question just answered and the next one (answering "Yes" to question 1 gives
/// `nextQuestion` id 2). Resending the last accepted `questionId` with the same answer is a
/// safe retry: the same 200, nothing stored twice.
#[utoipa::path(post, path = "/api/submit_answer", tag = "questionnaire",
    request_body(content = Object, description = "sessionId (alias session_id), questionId (alias question_id; integer or numeric string), answer (string, number, boolean or string array joined with \", \"), answer_value (optional; used when present)"),
    responses((status = 200, body = QuestionStepDto), (status = 401), (status = 403),
        (status = 404, description = "Chat session not found"),
        (status = 409, description = "Chat session is not active; Expected an answer to question N"),
        (status = 422, description = "Invalid answer: loc [body, answer], msg the expected format")))]
pub async fn submit_answer(
    state: web::Data<AppState>,
    auth: Allowed<act::ChatUse>,
    bytes: web::Bytes,
) -> ApiResult<HttpResponse> {
    let body = Body::parse(&bytes)?;
    let mut e = Vec::new();
    let sid = body.string(&mut e, &["sessionId", "session_id"]);
    if sid.is_none() {
        e.push(FieldError::missing("sessionId"));
    }
    let qid = question_id(&mut e, &body);
    let input = answer(&mut e, &body);
    check(Place::Body, e)?;
    let (Some(sid), Some(qid), Some(input)) = (sid, qid, input) else {
        return Err(ApiError::Invalid(Vec::new()));
    };
    let sid = session_id(&sid)?;
    let started = std::time::Instant::now();
    let done = state
        .chat
        .answer(auth.principal(), &sid, qid, &input)
        .await?;
    // The last answer computes and stores the questionnaire's assessment (a retry does not).
    if done.step.completed && !done.step.retry {
        crate::metrics::assessment(
            crate::metrics::AssessmentKind::Questionnaire,
            "ok",
            started.elapsed(),
        );
    }
    Ok(HttpResponse::Ok().json(QuestionStepDto {
        question: Some(QuestionDto(done.step.question)),
        next_question: done.step.next_question.map(QuestionDto),
        session_id: done.session.id.to_string(),
        session_complete: done.step.completed,
        status: done.session.status.as_str(),
        progress_percentage: done.step.progress_percentage,
    }))
}

/// A session's answers in the order given, with its current question.
#[utoipa::path(get, path = "/api/history/{session_id}", tag = "questionnaire",
    responses((status = 200, body = HistoryDto), (status = 401), (status = 403), (status = 404)))]
pub async fn history(
    state: web::Data<AppState>,
    auth: Allowed<act::ChatUse>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    state.read_limit.check(auth.principal())?;
    let s = state.chat.get(auth.principal(), &session_id(&id)?).await?;
    Ok(HttpResponse::Ok().json(HistoryDto::from(&s)))
}

/// Open a chat session: its introduction and question 1 are one reply message.
///
/// Patients: `patient_id` absent or their own; a `strategy_id` that is not an active strategy
/// (such as the placeholder `strategy-1`) falls back to the invite's, then the account default;
/// an active session is returned instead of a new one. Care team: an unknown `strategy_id` is
/// 404; `patient_id` equal to the caller's own id opens an unattached preview with the
/// account's default strategy.
#[utoipa::path(post, path = "/ai-chat/sessions", tag = "ai-chat",
    request_body(content = Object, description = "strategy_id, patient_id, session_type, initial_context (object ≤ 8 KiB), account_id (super_admin, unattached); all optional"),
    responses((status = 200, body = ChatSessionDto), (status = 401), (status = 403), (status = 404), (status = 422)))]
pub async fn create_session(
    state: web::Data<AppState>,
    auth: Allowed<act::ChatUse>,
    bytes: web::Bytes,
) -> ApiResult<HttpResponse> {
    let body = Body::parse(&bytes)?;
    let mut e = Vec::new();
    let initial_context = match body.0.get("initial_context") {
        None => None,
        Some(v) => ChatContext::new(v.clone())
            .map_err(|f| e.push(f))
            .ok()
            .flatten(),
    };
    let cmd = OpenSession {
        patient_id: reference(&mut e, &body, "patient_id", PatientId::parse),
        strategy_id: reference(&mut e, &body, "strategy_id", ChatStrategyId::parse),
        session_type: session_type(&mut e, &body),
        initial_context,
        account_id: body.id(&mut e, "account_id", AccountId::parse)?,
    };
    check(Place::Body, e)?;
    let s = state.chat.open(auth.principal(), cmd).await?;
    Ok(HttpResponse::Ok().json(dto(auth.principal(), &s)))
}

/// The sessions the caller may see, latest activity first (style E: `limit` 1..100, default
/// 10). Filters `patient_id` (out of scope: empty) and `session_status`.
#[utoipa::path(get, path = "/ai-chat/sessions", tag = "ai-chat",
    params(
        ("limit" = Option<u32>, Query, description = "1..100, default 10."),
        ("patient_id" = Option<String>, Query, description = "Only this patient's sessions."),
        ("session_status" = Option<String>, Query, description = "active, completed, cancelled."),
    ),
    responses((status = 200, body = [ChatSessionDto]), (status = 401), (status = 403), (status = 422)))]
pub async fn list_sessions(
    state: web::Data<AppState>,
    auth: Allowed<act::ChatUse>,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    state.read_limit.check(auth.principal())?;
    let q = Query::parse(req.query_string());
    let mut e = Vec::new();
    let limit = q.int(&mut e, &["limit"], 1, 100, 10);
    let status = q.get(&["session_status"]).and_then(|s| {
        one_of(
            &mut e,
            "session_status",
            &s,
            SessionStatus::parse,
            &SessionStatus::permitted(),
        )
    });
    check(Place::Query, e)?;
    let patient_id = q
        .get(&["patient_id"])
        .map(|s| id_or_nil(&s, PatientId::parse));
    let query = SessionQuery {
        patient_id,
        status,
        limit,
    };
    let p = auth.principal();
    let rows = state.chat.list(p, query).await?;
    Ok(HttpResponse::Ok().json(rows.iter().map(|s| dto(p, s)).collect::<Vec<_>>()))
}

/// One session.
#[utoipa::path(get, path = "/ai-chat/sessions/{id}", tag = "ai-chat",
    responses((status = 200, body = ChatSessionDto), (status = 401), (status = 403), (status = 404)))]
pub async fn get_session(
    state: web::Data<AppState>,
    auth: Allowed<act::ChatUse>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    state.read_limit.check(auth.principal())?;
    let s = state.chat.get(auth.principal(), &session_id(&id)?).await?;
    Ok(HttpResponse::Ok().json(dto(auth.principal(), &s)))
}

/// The latest `limit` messages (style E: 1..500, default 100), oldest first, as a bare array.
#[utoipa::path(get, path = "/ai-chat/sessions/{id}/messages", tag = "ai-chat",
    params(("limit" = Option<u32>, Query, description = "1..500, default 100.")),
    responses((status = 200, body = [ChatMessageDto]), (status = 401), (status = 403), (status = 404), (status = 422)))]
pub async fn list_messages(
    state: web::Data<AppState>,
    auth: Allowed<act::ChatUse>,
    id: web::Path<String>,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    state.read_limit.check(auth.principal())?;
    let q = Query::parse(req.query_string());
    let mut e = Vec::new();
    let limit = q.int(&mut e, &["limit"], 1, 500, 100);
    check(Place::Query, e)?;
    let id = session_id(&id)?;
    let rows = state.chat.messages(auth.principal(), &id, limit).await?;
    Ok(HttpResponse::Ok().json(rows.iter().map(ChatMessageDto::from).collect::<Vec<_>>()))
}

/// Send a message: it is stored and read as the answer to the current question. 200: exactly
/// one reply: the next question, a clarification asking again, or at completion the summary
/// "Thank you. Your answers have been sent to your care team." (never risk figures).
#[utoipa::path(post, path = "/ai-chat/sessions/{id}/messages", tag = "ai-chat",
    request_body(content = Object, description = "message (required, 1..2000 characters), message_metadata (optional object, stored)"),
    responses((status = 200, body = ChatMessageDto), (status = 401), (status = 403), (status = 404),
        (status = 409, description = "Chat session is not active"), (status = 422)))]
pub async fn post_message(
    state: web::Data<AppState>,
    auth: Allowed<act::ChatUse>,
    id: web::Path<String>,
    bytes: web::Bytes,
) -> ApiResult<HttpResponse> {
    let body = Body::parse(&bytes)?;
    let mut e = Vec::new();
    let text = match body.0.get("message") {
        Some(Value::String(s)) => match MessageText::parse("message", s) {
            Ok(Some(t)) => Some(t),
            Ok(None) => {
                e.push(FieldError::new(
                    "message",
                    "must be at least 1 character",
                    "value_error.any_str.min_length",
                ));
                None
            }
            Err(f) => {
                e.push(f);
                None
            }
        },
        None | Some(Value::Null) => {
            e.push(FieldError::missing("message"));
            None
        }
        Some(_) => {
            e.push(FieldError::new(
                "message",
                "must be a string",
                "type_error.str",
            ));
            None
        }
    };
    let metadata = match body.0.get("message_metadata") {
        None | Some(Value::Null) => None,
        Some(Value::Object(m))
            if serde_json::to_vec(m).map_or(usize::MAX, |b| b.len()) <= ChatContext::MAX_BYTES =>
        {
            Some(m.clone())
        }
        Some(Value::Object(_)) => {
            e.push(FieldError::new(
                "message_metadata",
                format!("must be at most {} bytes of JSON", ChatContext::MAX_BYTES),
                "value_error.any_str.max_length",
            ));
            None
        }
        Some(_) => {
            e.push(FieldError::new(
                "message_metadata",
                "must be a JSON object",
                "type_error.dict",
            ));
            None
        }
    };
    check(Place::Body, e)?;
    let text = text.ok_or_else(|| ApiError::Invalid(Vec::new()))?;
    let id = session_id(&id)?;
    let started = std::time::Instant::now();
    let reply = state
        .chat
        .message(auth.principal(), &id, text, metadata)
        .await?;
    // The summary answers the last answer, which computed and stored the assessment.
    if reply.message_type == genascope_domain::questionnaire::sessions::model::MessageType::Summary
    {
        crate::metrics::assessment(
            crate::metrics::AssessmentKind::Questionnaire,
            "ok",
            started.elapsed(),
        );
    }
    Ok(HttpResponse::Ok().json(ChatMessageDto::from(&reply)))
}

/// End a session: an active one becomes `cancelled` with `ended_at` and `end_reason`; a
/// completed one is returned unchanged. `reason` (≤ 500) from the query or the body.
#[utoipa::path(post, path = "/ai-chat/sessions/{id}/end", tag = "ai-chat",
    params(("reason" = Option<String>, Query, description = "At most 500 characters (also accepted in the body).")),
    responses((status = 200, body = ChatSessionDto), (status = 401), (status = 403), (status = 404), (status = 422)))]
pub async fn end_session(
    state: web::Data<AppState>,
    auth: Allowed<act::ChatUse>,
    id: web::Path<String>,
    req: HttpRequest,
    bytes: web::Bytes,
) -> ApiResult<HttpResponse> {
    let q = Query::parse(req.query_string());
    let (raw, place) = match q.get(&["reason"]) {
        Some(r) => (Some(r), Place::Query),
        None => {
            let body = Body::parse(&bytes)?;
            let mut e = Vec::new();
            let r = body.string(&mut e, &["reason"]);
            check(Place::Body, e)?;
            (r, Place::Body)
        }
    };
    let reason: Option<EndReason> = match raw {
        None => None,
        Some(r) => Text::parse("reason", &r).map_err(|f| ApiError::invalid(place, vec![f]))?,
    };
    let id = session_id(&id)?;
    let s = state.chat.end(auth.principal(), &id, reason).await?;
    Ok(HttpResponse::Ok().json(dto(auth.principal(), &s)))
}

/// The session's stored assessment (risk-profile.md), or `{"status": "no_assessment",
/// "message": "The questionnaire is not complete"}`. Care team and super_admin.
#[utoipa::path(get, path = "/ai-chat/sessions/{id}/assessment", tag = "ai-chat",
    responses((status = 200, description = "Assessment, or the no_assessment status", body = Object),
        (status = 401), (status = 403, description = "Not the care team"), (status = 404)))]
pub async fn session_assessment(
    state: web::Data<AppState>,
    auth: Allowed<act::ChatAssessmentRead>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    state.read_limit.check(auth.principal())?;
    let id = session_id(&id)?;
    let body = state
        .chat
        .assessment(auth.principal(), &id)
        .await?
        .unwrap_or_else(
            || json!({"status": "no_assessment", "message": "The questionnaire is not complete"}),
        );
    Ok(HttpResponse::Ok().json(body))
}
