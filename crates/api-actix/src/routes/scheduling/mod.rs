//! Scheduling (contract §3.9): availability (explicit dates and recurring patterns), booking,
//! reading, changing, canceling and moving appointments, the lists, and a clinician's calendar
//! feed. Handlers translate: request → typed command → one service call → DTO.

pub mod dto;

use crate::auth::{Allowed, act};
use crate::body::{Body, Query, check, id_or_404, id_or_nil};
use crate::error::{ApiError, ApiResult, Place};
use crate::routes::dto::{MessageDto, date};
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, web};
use dto::{
    AppointmentDto, PatternDto, body_date, body_time, date_field, day_list, slot_list,
    status_filter, status_value, text_field, type_field,
};
use genascope_domain::common::{
    AccountId, AppointmentId, Entity, FieldError, Patch, PatientId, PatternId, UserId,
};
use genascope_domain::scheduling::error::SchedulingError;

use genascope_domain::scheduling::model::{
    AppointmentStatus, MAX_NOTES, MAX_REASON, SlotSet, Weekdays,
};
use genascope_domain::scheduling::service::{
    AppointmentChange, BookAppointment, ListQuery, Notify, SetAvailability,
};
use serde_json::json;

/// The service's field errors located in the query (GET routes).
fn in_query(e: SchedulingError) -> ApiError {
    match e {
        SchedulingError::Invalid(errors) => ApiError::invalid(Place::Query, errors),
        other => other.into(),
    }
}

fn user_ref(raw: Option<String>) -> Option<UserId> {
    raw.map(|s| id_or_nil(&s, UserId::parse))
}

/// A clinician's bookable times of a date, each with whether it is still free.
#[utoipa::path(get, path = "/api/availability", tag = "scheduling",
    params(("clinician_id" = Option<String>, Query), ("date" = String, Query)),
    responses((status = 200, body = Object), (status = 403), (status = 404), (status = 422)))]
pub async fn availability(
    state: web::Data<AppState>,
    auth: Allowed<act::AvailabilityRead>,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    let q = Query::parse(req.query_string());
    let mut errors = Vec::new();
    let day = date_field(&mut errors, "date", q.get(&["date"]));
    if day.is_none() && errors.is_empty() {
        errors.push(FieldError::missing("date"));
    }
    check(Place::Query, errors)?;
    let clinician = user_ref(q.get(&["clinician_id"]));
    let Some(day) = day else {
        return Err(ApiError::invalid(Place::Query, vec![]));
    };
    let slots = state
        .scheduling
        .availability(auth.principal(), clinician, day)
        .await
        .map_err(in_query)?;
    Ok(HttpResponse::Ok().json(json!({
        "date": date(slots.date),
        "clinician_id": slots.clinician.id.to_string(),
        "clinician_name": slots.clinician.name,
        "time_slots": slots.slots.iter().map(|(t, free)| json!({"time": t.hhmm(), "available": free})).collect::<Vec<_>>(),
    })))
}

/// `POST /api/availability/set`'s query and body as a command.
fn set_command(q: &Query, body: &Body) -> Result<SetAvailability, ApiError> {
    let mut errors = Vec::new();
    let from_query = q.get(&["clinician_id"]);
    let from_body = body.string(&mut errors, &["clinician_id"]);
    if let (Some(a), Some(b)) = (&from_query, &from_body)
        && !a.eq_ignore_ascii_case(b)
    {
        errors.push(FieldError::new(
            "clinician_id",
            "the query and the body name different clinicians",
            "value_error.mismatch",
        ));
    }
    let day = body_date(&mut errors, body, "date");
    let slots = slot_list(&mut errors, body)
        .and_then(|raw| SlotSet::parse(&raw).map_err(|e| errors.push(e)).ok());
    let recurring = ["recurring", "is_recurring"]
        .iter()
        .find_map(|k| {
            body.0
                .contains_key(*k)
                .then(|| body.boolean(&mut errors, k))
        })
        .flatten()
        .unwrap_or(false);
    let mut pattern = None;
    if recurring {
        let days = match day_list(&mut errors, body) {
            Some(d) => Weekdays::new(d).map_err(|e| errors.push(e)).ok(),
            None => {
                errors.push(FieldError::new(
                    "recurring_days",
                    "required when recurring",
                    "missing",
                ));
                None
            }
        };
        let until = body_date(&mut errors, body, "recurring_until");
        if until.is_none()
            && !errors
                .iter()
                .any(|e| e.loc.first() == Some(&"recurring_until".into()))
        {
            errors.push(FieldError::new(
                "recurring_until",
                "required when recurring",
                "missing",
            ));
        }
        pattern = days.zip(until);
    }
    if day.is_none() && !errors.iter().any(|e| e.loc.first() == Some(&"date".into())) {
        errors.push(FieldError::missing("date"));
    }
    check(Place::Body, errors)?;
    match (day, slots) {
        (Some(date), Some(slots)) if !recurring || pattern.is_some() => Ok(SetAvailability {
            clinician_id: user_ref(from_query.or(from_body)),
            date,
            slots,
            recurring: pattern,
        }),
        _ => Err(ApiError::invalid(
            Place::Body,
            vec![FieldError::missing("time_slots")],
        )),
    }
}

/// Set a clinician's availability: one date's explicit times, or a recurring pattern.
#[utoipa::path(post, path = "/api/availability/set", tag = "scheduling",
    params(("clinician_id" = Option<String>, Query)),
    request_body(content = Object, description = "clinician_id, date, time_slots, recurring (is_recurring), recurring_days, recurring_until"),
    responses((status = 200, body = Object), (status = 403), (status = 404), (status = 422)))]
pub async fn set_availability(
    state: web::Data<AppState>,
    auth: Allowed<act::AvailabilitySet>,
    req: HttpRequest,
    bytes: web::Bytes,
) -> ApiResult<HttpResponse> {
    let body = Body::parse(&bytes)?;
    let cmd = set_command(&Query::parse(req.query_string()), &body)?;
    let (day, slots) = (cmd.date, cmd.slots.clone());
    let set = state
        .scheduling
        .set_availability(auth.principal(), cmd)
        .await?;
    let p = set.pattern.as_ref();
    Ok(HttpResponse::Ok().json(json!({
        "message": "Availability set successfully",
        "date": date(day),
        "time_slots": slots.times().iter().map(|t| t.hhmm()).collect::<Vec<_>>(),
        "recurring": p.is_some(),
        "recurring_days": p.map(|p| p.days.numbers().to_vec()),
        "recurring_until": p.map(|p| date(p.until)),
        "pattern_id": p.map(|p| p.id.to_string()),
        "dates_affected": set.dates_affected.iter().copied().map(date).collect::<Vec<_>>(),
    })))
}

/// A clinician's recurring patterns.
#[utoipa::path(get, path = "/api/availability/recurring", tag = "scheduling",
    params(("clinician_id" = Option<String>, Query)),
    responses((status = 200, body = [PatternDto]), (status = 403), (status = 404)))]
pub async fn patterns(
    state: web::Data<AppState>,
    auth: Allowed<act::AvailabilitySet>,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    let q = Query::parse(req.query_string());
    let rows = state
        .scheduling
        .patterns(auth.principal(), user_ref(q.get(&["clinician_id"])))
        .await
        .map_err(in_query)?;
    Ok(HttpResponse::Ok().json(rows.iter().map(PatternDto::from).collect::<Vec<_>>()))
}

/// Delete a recurring pattern (existing appointments stay).
#[utoipa::path(delete, path = "/api/availability/recurring/{pattern_id}", tag = "scheduling",
    responses((status = 200, body = MessageDto), (status = 403), (status = 404)))]
pub async fn delete_pattern(
    state: web::Data<AppState>,
    auth: Allowed<act::AvailabilitySet>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = id_or_404(&id, PatternId::parse, Entity::AvailabilityPattern)?;
    state
        .scheduling
        .delete_pattern(auth.principal(), id)
        .await?;
    Ok(HttpResponse::Ok().json(MessageDto::ok("Recurring availability deleted", None)))
}

/// Book an appointment.
#[utoipa::path(post, path = "/api/book_appointment", tag = "scheduling",
    request_body(content = Object, description = "clinician_id, patient_id, date, time, appointment_type, notes"),
    responses((status = 200, body = AppointmentDto), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn book(
    state: web::Data<AppState>,
    auth: Allowed<act::AppointmentUse>,
    bytes: web::Bytes,
) -> ApiResult<HttpResponse> {
    let body = Body::parse(&bytes)?;
    let mut errors = Vec::new();
    let clinician_id = user_ref(body.string(&mut errors, &["clinician_id"]));
    let patient_id = body
        .string(&mut errors, &["patient_id"])
        .map(|s| id_or_nil(&s, PatientId::parse));
    let day = body_date(&mut errors, &body, "date");
    let time = body_time(&mut errors, &body, "time");
    let appointment_type = type_field(&mut errors, &body).unwrap_or_default();
    let notes = text_field(&mut errors, &body, "notes", MAX_NOTES);
    let cmd = BookAppointment {
        clinician_id,
        patient_id,
        date: day,
        time,
        appointment_type,
        notes,
        errors,
    };
    let view = state.scheduling.book(auth.principal(), cmd).await?;
    Ok(HttpResponse::Ok().json(AppointmentDto::from(&view)))
}

/// One appointment.
#[utoipa::path(get, path = "/api/appointments/{appointment_id}", tag = "scheduling",
    responses((status = 200, body = AppointmentDto), (status = 403), (status = 404)))]
pub async fn get(
    state: web::Data<AppState>,
    auth: Allowed<act::AppointmentUse>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    state.read_limit.check(auth.principal())?;
    let id = id_or_404(&id, AppointmentId::parse, Entity::Appointment)?;
    let view = state.scheduling.get(auth.principal(), id).await?;
    Ok(HttpResponse::Ok().json(AppointmentDto::from(&view)))
}

fn notify(errors: &mut Vec<FieldError>, body: &Body) -> Notify {
    Notify {
        patient: body.boolean(errors, "notify_patient").unwrap_or(true),
        clinician: body.boolean(errors, "notify_clinician").unwrap_or(true),
    }
}

/// Change an appointment: `status` (query and/or body), `date`, `time`, `appointment_type`,
/// `notes`. A changed date or time is a move.
#[utoipa::path(put, path = "/api/appointments/{appointment_id}", tag = "scheduling",
    params(("status" = Option<String>, Query)),
    request_body(content = Object, description = "status, date, time, appointment_type, notes"),
    responses((status = 200, body = AppointmentDto), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn update(
    state: web::Data<AppState>,
    auth: Allowed<act::AppointmentUse>,
    id: web::Path<String>,
    req: HttpRequest,
    bytes: web::Bytes,
) -> ApiResult<HttpResponse> {
    let id = id_or_404(&id, AppointmentId::parse, Entity::Appointment)?;
    let body = Body::parse(&bytes)?;
    let q = Query::parse(req.query_string());
    let mut errors = Vec::new();
    let raw_status = body
        .string(&mut errors, &["status"])
        .or_else(|| q.get(&["status"]));
    let status = raw_status.and_then(|s| status_value(&mut errors, &s));
    let notes = match body.patch_string(&mut errors, &["notes"]) {
        Patch::Set(s) if s.chars().count() > MAX_NOTES => {
            errors.push(FieldError::new(
                "notes",
                format!("must be at most {MAX_NOTES} characters"),
                "value_error.any_str.max_length",
            ));
            Patch::Keep
        }
        other => other,
    };
    let cmd = AppointmentChange {
        status,
        date: body_date(&mut errors, &body, "date"),
        time: body_time(&mut errors, &body, "time"),
        appointment_type: type_field(&mut errors, &body),
        notes,
        reason: text_field(&mut errors, &body, "cancel_reason", MAX_REASON),
        notify: notify(&mut errors, &body),
        errors,
        strict: false,
    };
    let view = state.scheduling.change(auth.principal(), id, cmd).await?;
    Ok(HttpResponse::Ok().json(AppointmentDto::from(&view)))
}

/// The `appointment_id` of a body (404 when it cannot name an appointment).
fn body_id(body: &Body, errors: &mut Vec<FieldError>) -> Result<AppointmentId, ApiError> {
    match body.string(errors, &["appointment_id", "id"]) {
        Some(s) => Ok(id_or_nil(&s, AppointmentId::parse)),
        None => Err(ApiError::invalid(
            Place::Body,
            vec![FieldError::missing("appointment_id")],
        )),
    }
}

/// Cancel an appointment (from a non-terminal status).
#[utoipa::path(post, path = "/api/appointments/cancel", tag = "scheduling",
    request_body(content = Object, description = "appointment_id, reason, notify_patient, notify_clinician"),
    responses((status = 200, body = Object), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn cancel(
    state: web::Data<AppState>,
    auth: Allowed<act::AppointmentUse>,
    bytes: web::Bytes,
) -> ApiResult<HttpResponse> {
    let body = Body::parse(&bytes)?;
    let mut errors = Vec::new();
    let id = body_id(&body, &mut errors)?;
    let reason = text_field(&mut errors, &body, "reason", MAX_REASON);
    let cmd = AppointmentChange {
        status: Some(AppointmentStatus::Canceled),
        reason,
        notify: notify(&mut errors, &body),
        strict: true,
        errors,
        ..AppointmentChange::default()
    };
    let view = state.scheduling.change(auth.principal(), id, cmd).await?;
    Ok(HttpResponse::Ok().json(json!({
        "message": "Appointment canceled",
        "appointment_id": view.appointment.id.to_string(),
        "status": view.appointment.status.as_str(),
        "reason": view.appointment.cancel_reason,
        "updated_at": crate::routes::dto::ts(view.appointment.updated_at),
    })))
}

/// Move an appointment.
#[utoipa::path(post, path = "/api/appointments/reschedule", tag = "scheduling",
    request_body(content = Object, description = "appointment_id, new_date, new_time, reason, appointment_type, notify_patient, notify_clinician"),
    responses((status = 200, body = AppointmentDto), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn reschedule(
    state: web::Data<AppState>,
    auth: Allowed<act::AppointmentUse>,
    bytes: web::Bytes,
) -> ApiResult<HttpResponse> {
    let body = Body::parse(&bytes)?;
    let mut errors = Vec::new();
    let id = body_id(&body, &mut errors)?;
    let day = body_date(&mut errors, &body, "new_date");
    let time = body_time(&mut errors, &body, "new_time");
    for (field, absent) in [("new_date", day.is_none()), ("new_time", time.is_none())] {
        if absent && !errors.iter().any(|e| e.loc.first() == Some(&field.into())) {
            errors.push(FieldError::missing(field));
        }
    }
    let _ = text_field(&mut errors, &body, "reason", MAX_REASON);
    let cmd = AppointmentChange {
        status: Some(AppointmentStatus::Rescheduled),
        date: day,
        time,
        appointment_type: type_field(&mut errors, &body),
        notify: notify(&mut errors, &body),
        errors,
        ..AppointmentChange::default()
    };
    // The rules speak of `date` and `time`; this route's fields are `new_date` and `new_time`.
    let view = state
        .scheduling
        .change(auth.principal(), id, cmd)
        .await
        .map_err(|e| match e {
            SchedulingError::Invalid(errors) => {
                SchedulingError::Invalid(errors.into_iter().map(renamed).collect())
            }
            other => other,
        })?;
    Ok(HttpResponse::Ok().json(AppointmentDto::from(&view)))
}

fn renamed(mut e: FieldError) -> FieldError {
    if let Some(genascope_domain::common::Loc::Key(k)) = e.loc.first_mut()
        && (k == "date" || k == "time")
    {
        *k = format!("new_{k}");
    }
    e
}

/// `start_date`/`date_from`, `end_date`/`date_to`, `status`.
fn list_query(q: &Query) -> Result<ListQuery, ApiError> {
    let mut errors = Vec::new();
    let from = date_field(
        &mut errors,
        "start_date",
        q.get(&["start_date", "date_from"]),
    );
    let to = date_field(&mut errors, "end_date", q.get(&["end_date", "date_to"]));
    let statuses = status_filter(&mut errors, q);
    check(Place::Query, errors)?;
    Ok(ListQuery { statuses, from, to })
}

/// A clinician's appointments (any visible user of the account; others have none).
#[utoipa::path(get, path = "/api/appointments/clinician/{clinician_id}", tag = "scheduling",
    params(("start_date" = Option<String>, Query), ("end_date" = Option<String>, Query), ("status" = Option<String>, Query)),
    responses((status = 200, body = Object), (status = 403), (status = 404), (status = 422)))]
pub async fn for_clinician(
    state: web::Data<AppState>,
    auth: Allowed<act::AppointmentList>,
    id: web::Path<String>,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    state.read_limit.check(auth.principal())?;
    let id = id_or_404(&id, UserId::parse, Entity::User)?;
    let q = list_query(&Query::parse(req.query_string()))?;
    let rows = state
        .scheduling
        .for_clinician(auth.principal(), id, q)
        .await
        .map_err(in_query)?;
    Ok(HttpResponse::Ok().json(json!({
        "clinician_id": id.to_string(),
        "appointments": rows.iter().map(AppointmentDto::from).collect::<Vec<_>>(),
    })))
}

/// A patient's appointments.
#[utoipa::path(get, path = "/api/appointments/patient/{patient_id}", tag = "scheduling",
    params(("start_date" = Option<String>, Query), ("end_date" = Option<String>, Query), ("status" = Option<String>, Query)),
    responses((status = 200, body = Object), (status = 403), (status = 404), (status = 422)))]
pub async fn for_patient(
    state: web::Data<AppState>,
    auth: Allowed<act::AppointmentUse>,
    id: web::Path<String>,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    state.read_limit.check(auth.principal())?;
    let id = id_or_404(&id, PatientId::parse, Entity::Patient)?;
    let q = list_query(&Query::parse(req.query_string()))?;
    let rows = state
        .scheduling
        .for_patient(auth.principal(), id, q)
        .await
        .map_err(in_query)?;
    Ok(HttpResponse::Ok().json(json!({
        "patient_id": id.to_string(),
        "appointments": rows.iter().map(AppointmentDto::from).collect::<Vec<_>>(),
    })))
}

/// The organization's appointments (style D page).
#[utoipa::path(get, path = "/api/organization/appointments", tag = "scheduling",
    params(("page" = Option<u32>, Query), ("page_size" = Option<u32>, Query), ("status" = Option<String>, Query),
        ("date_from" = Option<String>, Query), ("date_to" = Option<String>, Query),
        ("clinician_id" = Option<String>, Query), ("patient_id" = Option<String>, Query), ("account_id" = Option<String>, Query)),
    responses((status = 200, body = Object), (status = 403), (status = 422)))]
pub async fn organization(
    state: web::Data<AppState>,
    auth: Allowed<act::AppointmentList>,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    state.read_limit.check(auth.principal())?;
    let q = Query::parse(req.query_string());
    let mut errors = Vec::new();
    let page = q.int(&mut errors, &["page"], 1, u32::MAX, 1);
    let size = q.int(&mut errors, &["page_size", "limit"], 1, 100, 20);
    check(Place::Query, errors)?;
    let filters = list_query(&q)?;
    let account = q
        .get(&["account_id"])
        .map(|s| id_or_nil(&s, AccountId::parse));
    let clinician = user_ref(q.get(&["clinician_id"]));
    let patient = q
        .get(&["patient_id"])
        .map(|s| id_or_nil(&s, PatientId::parse));
    let offset = u64::from(page - 1) * u64::from(size);
    let pg = state
        .scheduling
        .organization(
            auth.principal(),
            account,
            clinician,
            patient,
            filters,
            (offset, size),
        )
        .await
        .map_err(in_query)?;
    let pages = pg.total.div_ceil(u64::from(size));
    Ok(HttpResponse::Ok().json(json!({
        "appointments": pg.appointments.iter().map(AppointmentDto::from).collect::<Vec<_>>(),
        "total_count": pg.total,
        "total": pg.total,
        "page": page,
        "page_size": size,
        "total_pages": pages,
        "has_next": u64::from(page) < pages,
        "has_previous": page > 1,
    })))
}

/// A clinician's upcoming appointments as an iCalendar feed (patients as first name and
/// initial). Read with a bearer token by the care team, or with `?token=` (the feed's own token,
/// from `calendar-token`) by a calendar app; with `token` present the bearer is not consulted,
/// and any refusal of the token is 404.
#[utoipa::path(get, path = "/api/appointments/clinician/{clinician_id}/calendar.ics", tag = "scheduling",
    params(("token" = Option<String>, Query, description = "The feed token of a subscription URL")),
    responses((status = 200, content_type = "text/calendar"), (status = 401), (status = 403), (status = 404)))]
pub async fn feed(
    state: web::Data<AppState>,
    auth: Result<Allowed<act::AppointmentList>, ApiError>,
    id: web::Path<String>,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    let q = Query::parse(req.query_string());
    // `token` present, even empty, means the calendar-app path (an empty one is refused).
    let token =
        q.0.iter()
            .find(|(k, _)| k == "token")
            .map(|(_, v)| v.as_str());
    let text = match token {
        Some(token) => {
            let id = id_or_404(&id, UserId::parse, Entity::Clinician)?;
            let subscriber = state.scheduling.feed_subscriber(id, token).await?;
            state.read_limit.check_user(subscriber.clinician().0)?;
            state.scheduling.feed_for(&subscriber).await?
        }
        None => {
            let auth = auth?;
            state.read_limit.check(auth.principal())?;
            let id = id_or_404(&id, UserId::parse, Entity::User)?;
            state.scheduling.feed(auth.principal(), id).await?
        }
    };
    Ok(HttpResponse::Ok()
        .content_type("text/calendar; charset=utf-8")
        .body(text))
}

/// A new subscription URL for a clinician's feed (the clinician, or the care team of its
/// account). It replaces the clinician's earlier URL, which stops working.
#[utoipa::path(post, path = "/api/appointments/clinician/{clinician_id}/calendar-token", tag = "scheduling",
    responses((status = 200, body = Object, description = "{\"url\": \".../calendar.ics?token=...\"}"), (status = 401), (status = 403), (status = 404)))]
pub async fn calendar_token(
    state: web::Data<AppState>,
    auth: Allowed<act::AppointmentList>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = id_or_404(&id, UserId::parse, Entity::User)?;
    let token = state
        .scheduling
        .calendar_token(auth.principal(), id)
        .await?;
    let url = format!(
        "{}/api/appointments/clinician/{id}/calendar.ics?token={}",
        state.api_base_url,
        token.expose()
    );
    Ok(HttpResponse::Ok().json(json!({ "url": url })))
}
