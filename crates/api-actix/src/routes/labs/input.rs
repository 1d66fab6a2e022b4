//! Reading lab requests into the domain's commands; every failure names its field.

use crate::body::{Body, Query, choice};
use crate::error::{ApiError, Place};
use genascope_domain::common::{FieldError, LabOrderId, Note, PatientId, Text, UserId, validate};
use genascope_domain::labs::model::{
    AddressInput, EventChange, LabEvent, LabOrderQuery, LabStatus, NewLabOrder, OrderRef,
    ReportUrl, ResultIngest, ResultMap, ResultStatus, ShippingAddress, StatusChange, TestType,
};
use serde_json::Value;

fn enum_msg(permitted: &str) -> String {
    format!("value is not a valid enumeration member; permitted: {permitted}")
}

/// A required enumeration field: missing, or one of `permitted`.
fn pick<T>(
    errors: &mut Vec<FieldError>,
    body: &Body,
    field: &str,
    parse: fn(&str) -> Option<T>,
    permitted: &str,
) -> Option<T> {
    let before = errors.len();
    let Some(raw) = body.string(errors, &[field]) else {
        if errors.len() == before {
            errors.push(FieldError::missing(field));
        }
        return None;
    };
    choice(errors, field, &raw, parse, &enum_msg(permitted))
}

fn note<const MAX: usize>(
    errors: &mut Vec<FieldError>,
    body: &Body,
    field: &str,
) -> Option<Note<MAX>> {
    let raw = body.string(errors, &[field]);
    validate::text::<MAX, true>(errors, field, raw.as_deref(), false)
}

fn address(errors: &mut Vec<FieldError>, body: &Body) -> Option<ShippingAddress> {
    let Some(v) = body.0.get("shipping_address").filter(|v| !v.is_null()) else {
        errors.push(FieldError::missing("shipping_address"));
        return None;
    };
    let Value::Object(m) = v else {
        errors.push(FieldError::new(
            "shipping_address",
            "must be an object",
            "type_error.dict",
        ));
        return None;
    };
    let inner = Body(m.clone());
    let mut own = Vec::new();
    let input = AddressInput {
        line1: inner.string(&mut own, &["line1"]),
        line2: inner.string(&mut own, &["line2"]),
        city: inner.string(&mut own, &["city"]),
        state: inner.string(&mut own, &["state"]),
        zip_code: inner.string(&mut own, &["zip_code"]),
    };
    let failed = !own.is_empty();
    errors.extend(
        own.into_iter()
            .map(|e| e.under(&["shipping_address".into()])),
    );
    let parsed = ShippingAddress::parse(errors, &input);
    if failed { None } else { parsed }
}

/// `POST /api/labs/order_test`.
pub fn new_order(body: &Body) -> Result<NewLabOrder, ApiError> {
    let mut errors = Vec::new();
    let patient_id = body.string(&mut errors, &["patient_id"]);
    if patient_id.is_none() {
        errors.push(FieldError::missing("patient_id"));
    }
    let test_type = pick(
        &mut errors,
        body,
        "test_type",
        TestType::parse,
        &TestType::permitted(),
    );
    let provider = body.string(&mut errors, &["provider_id", "clinician_id"]);
    let shipping_address = address(&mut errors, body);
    let notes = note::<2000>(&mut errors, body, "notes");
    crate::body::check(Place::Body, errors)?;
    let (Some(patient_id), Some(test_type), Some(shipping_address)) =
        (patient_id, test_type, shipping_address)
    else {
        return Err(ApiError::Invalid(Vec::new()));
    };
    Ok(NewLabOrder {
        // An id that does not parse names no record: the use case's 404 at its turn.
        patient_id: crate::body::id_or_nil(&patient_id, PatientId::parse),
        test_type,
        provider_id: provider.map(|p| crate::body::id_or_nil(&p, UserId::parse)),
        shipping_address,
        notes,
    })
}

/// `{"status", "reason"?}`.
pub fn status_change(body: &Body) -> Result<StatusChange, ApiError> {
    let mut errors = Vec::new();
    let change = read_status(&mut errors, body);
    crate::body::check(Place::Body, errors)?;
    change.ok_or_else(|| ApiError::Invalid(Vec::new()))
}

fn read_status(errors: &mut Vec<FieldError>, body: &Body) -> Option<StatusChange> {
    let status = pick(
        errors,
        body,
        "status",
        LabStatus::parse,
        &LabStatus::permitted(),
    );
    let raw = body.string(errors, &["reason"]);
    let reason: Option<Text<500>> = validate::text(errors, "reason", raw.as_deref(), false);
    Some(StatusChange {
        status: status?,
        reason,
    })
}

fn timestamp(
    errors: &mut Vec<FieldError>,
    body: &Body,
    field: &str,
) -> Option<time::OffsetDateTime> {
    let raw = body.string(errors, &[field])?;
    let rfc = &time::format_description::well_known::Rfc3339;
    let parsed = time::OffsetDateTime::parse(&raw, rfc).ok().or_else(|| {
        time::Date::parse(
            &raw,
            time::macros::format_description!("[year]-[month]-[day]"),
        )
        .ok()
        .map(|d| d.midnight().assume_utc())
    });
    if parsed.is_none() {
        errors.push(FieldError::new(
            field,
            "must be an RFC 3339 date-time or YYYY-MM-DD",
            "value_error.datetime",
        ));
    }
    parsed
}

/// The results of a body: `results`, `result_status`, `report_url`, `performed_at`, `notes`
/// (and `report_file_id` when `files` is true: a staff ingestion).
fn read_results(errors: &mut Vec<FieldError>, body: &Body, files: bool) -> Option<ResultIngest> {
    let results = match body.0.get("results") {
        None | Some(Value::Null) => {
            errors.push(FieldError::missing("results"));
            None
        }
        Some(Value::Object(m)) => {
            let entries: Vec<(String, Option<String>)> = m
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().map(str::to_owned)))
                .collect();
            ResultMap::parse(errors, &entries)
        }
        Some(_) => {
            errors.push(FieldError::new(
                "results",
                "must be an object",
                "type_error.dict",
            ));
            None
        }
    };
    let status = match body.string(errors, &["result_status"]) {
        None => Some(ResultStatus::Final),
        Some(raw) => choice(
            errors,
            "result_status",
            &raw,
            ResultStatus::parse,
            &enum_msg(&ResultStatus::permitted()),
        ),
    };
    let report_url = body.string(errors, &["report_url"]).and_then(|u| {
        ReportUrl::parse("report_url", &u)
            .map_err(|e| errors.push(e))
            .ok()
    });
    let report_file_id = if files {
        body.string(errors, &["report_file_id"])
            .map(|f| uuid::Uuid::try_parse(&f).unwrap_or(uuid::Uuid::nil()))
    } else {
        None
    };
    let performed_at = timestamp(errors, body, "performed_at");
    let notes = note::<2000>(errors, body, "notes");
    Some(ResultIngest {
        results: results?,
        status: status?,
        report_url,
        report_file_id,
        performed_at,
        notes,
    })
}

/// `POST /api/labs/results/{id}`.
pub fn ingest(body: &Body) -> Result<ResultIngest, ApiError> {
    let mut errors = Vec::new();
    let r = read_results(&mut errors, body, true);
    crate::body::check(Place::Body, errors)?;
    r.ok_or_else(|| ApiError::Invalid(Vec::new()))
}

/// A lab's webhook event.
pub fn event(body: &Body) -> Result<LabEvent, ApiError> {
    let mut errors = Vec::new();
    let raw = body.string(&mut errors, &["event_id"]);
    let event_id: Option<Text<200>> = validate::text(&mut errors, "event_id", raw.as_deref(), true);
    let raw = body.string(&mut errors, &["lab_reference"]);
    let lab_reference: Option<Text<100>> =
        validate::text(&mut errors, "lab_reference", raw.as_deref(), false);
    let order = match (body.string(&mut errors, &["order_id"]), &lab_reference) {
        (Some(id), _) => Some(OrderRef::Id(crate::body::id_or_nil(&id, LabOrderId::parse))),
        (None, Some(r)) => Some(OrderRef::Reference(r.to_string())),
        (None, None) => {
            errors.push(FieldError::new(
                "order_id",
                "order_id or lab_reference is required",
                "missing",
            ));
            None
        }
    };
    let change = match body
        .string(&mut errors, &["event"])
        .map(|e| e.to_ascii_lowercase())
    {
        Some(e) if e == "status" => read_status(&mut errors, body).map(EventChange::Status),
        Some(e) if e == "results" => {
            read_results(&mut errors, body, false).map(EventChange::Results)
        }
        Some(_) => {
            errors.push(FieldError::new(
                "event",
                enum_msg("status, results"),
                "type_error.enum",
            ));
            None
        }
        None => {
            errors.push(FieldError::missing("event"));
            None
        }
    };
    crate::body::check(Place::Body, errors)?;
    let (Some(event_id), Some(order), Some(change)) = (event_id, order, change) else {
        return Err(ApiError::Invalid(Vec::new()));
    };
    // A reference travels with an event that names the order by id; by reference it is the key.
    let lab_reference = lab_reference.filter(|_| matches!(order, OrderRef::Id(_)));
    Ok(LabEvent {
        event_id,
        order,
        lab_reference,
        change,
    })
}

/// Style A paging and the `status` / `patient_id` / `test_type` filters.
pub fn order_query(q: &Query, with_patient: bool) -> Result<LabOrderQuery, ApiError> {
    let mut errors = Vec::new();
    let skip = q.int(&mut errors, &["skip", "offset"], 0, u32::MAX, 0);
    let limit = q.int(&mut errors, &["limit"], 1, 100, 100);
    let status = q.get(&["status"]).and_then(|s| {
        choice(
            &mut errors,
            "status",
            &s,
            LabStatus::parse,
            &enum_msg(&LabStatus::permitted()),
        )
    });
    let test_type = q.get(&["test_type"]).and_then(|s| {
        choice(
            &mut errors,
            "test_type",
            &s,
            TestType::parse,
            &enum_msg(&TestType::permitted()),
        )
    });
    crate::body::check(Place::Query, errors)?;
    // An out-of-scope or malformed patient filter matches nothing (contract §2.2 rule 2).
    let patient_id = with_patient
        .then(|| q.get(&["patient_id"]))
        .flatten()
        .map(|p| crate::body::id_or_nil(&p, PatientId::parse));
    Ok(LabOrderQuery {
        status,
        patient_id,
        provider_id: None,
        test_type,
        skip,
        limit,
    })
}
