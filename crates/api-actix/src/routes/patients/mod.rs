//! Patients (contract §3.3).

use super::dto::{ImportErrorDto, ImportReportDto, MessageDto, PatientDto};
use crate::auth::{Allowed, act};
use crate::body::{
    Body, Query, check, choice, id_or_404, id_or_nil, optional_patch, required_patch,
};
use crate::error::{ApiError, ApiResult, Place};
use crate::state::AppState;
use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::StreamExt;
use genascope_domain::common::{AccountId, Entity, FieldError, PatientId, UserId, validate};
use genascope_domain::identity::model::{Email, email_field};
use genascope_domain::identity::policy::ListScope;
use genascope_domain::patients::model::{BirthDate, PatientStatus, PatientView};
use genascope_domain::patients::ports::PatientFilter;
use genascope_domain::patients::service::{
    ImportReport, ImportRow, MAX_IMPORT_ROWS, NewPatient, PatientPatch, RowFailure,
};
use serde_json::json;

mod import;
mod json;
pub use import::*;

/// Largest accepted CSV upload.
pub const MAX_CSV_BYTES: usize = 5 * 1024 * 1024;
/// Largest whole multipart body of an import: the file plus a little for the other fields, so
/// junk fields cannot make the upload unbounded (issue #6 item 9).
pub const MAX_MULTIPART_BYTES: usize = MAX_CSV_BYTES + 64 * 1024;
/// Most parts one import upload may have.
pub const MAX_MULTIPART_FIELDS: usize = 16;

fn account_filter(q: &Query) -> Option<AccountId> {
    q.get(&["account_id"])
        .map(|s| AccountId::parse(&s).unwrap_or(AccountId(uuid::Uuid::nil())))
}

/// List patients (style B paging; newest first).
#[utoipa::path(get, path = "/api/patients", tag = "patients", responses((status = 200, body = [PatientDto]), (status = 403)))]
pub async fn list(
    state: web::Data<AppState>,
    auth: Allowed<act::PatientManage>,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    state.read_limit.check(auth.principal())?;
    let q = Query::parse(req.query_string());
    let mut errors = Vec::new();
    let offset = q.int(&mut errors, &["offset", "skip"], 0, u32::MAX, 0);
    let limit = q.int(&mut errors, &["limit"], 1, 1000, 1000);
    let status = q.get(&["status"]).and_then(|s| {
        choice(
            &mut errors,
            "status",
            &s,
            PatientStatus::parse,
            "unknown status",
        )
    });
    let clinician_id = q
        .get(&["clinician_id"])
        .map(|s| UserId::parse(&s).unwrap_or(UserId(uuid::Uuid::nil())));
    let query = q.search(&mut errors, &["query", "search"]);
    check(Place::Query, errors)?;
    let filter = PatientFilter {
        scope: ListScope::Nothing,
        query,
        status,
        clinician_id,
        offset,
        limit,
    };
    let rows = state
        .patients
        .list(auth.principal(), account_filter(&q), filter)
        .await?;
    // Written straight from the views (no per-row DTO): the same bytes as `[PatientDto]`.
    let body = json::list_body(&rows).map_err(|e| ApiError::Internal(Box::new(e)))?;
    Ok(HttpResponse::Ok()
        .insert_header(header::ContentType::json())
        .body(body))
}

/// The fields of a patient as a client sends them (JSON body, bulk item or CSV row), before
/// they are checked. Blank means absent.
#[derive(Debug, Clone, Default)]
pub struct RawPatient {
    /// Required, 1..100.
    pub first_name: Option<String>,
    /// Required, 1..100.
    pub last_name: Option<String>,
    /// Required.
    pub email: Option<String>,
    /// Optional.
    pub phone: Option<String>,
    /// Optional, at most 100.
    pub external_id: Option<String>,
    /// `YYYY-MM-DD`.
    pub date_of_birth: Option<String>,
    /// A clinician/physician of the account.
    pub clinician_id: Option<String>,
    /// At most 5000.
    pub notes: Option<String>,
    /// Default active.
    pub status: Option<String>,
}

impl RawPatient {
    /// Read from a JSON object (type failures collected in `errors`).
    pub fn read(body: &Body, errors: &mut Vec<FieldError>) -> Self {
        Self {
            first_name: body.string(errors, &["first_name"]),
            last_name: body.string(errors, &["last_name"]),
            email: body.string(errors, &["email"]),
            phone: body.string(errors, &["phone"]),
            external_id: body.string(errors, &["external_id"]),
            date_of_birth: body.string(errors, &["date_of_birth"]),
            clinician_id: body.string(errors, &["clinician_id"]),
            notes: body.string(errors, &["notes"]),
            status: body.string(errors, &["status"]),
        }
    }

    /// The patient to create, or every field that keeps it from being one. `today` bounds the
    /// date of birth. A clinician id that does not parse names nobody (the use case answers
    /// "Clinician not found" at its turn).
    pub fn into_command(self, today: time::Date) -> Result<NewPatient, Vec<FieldError>> {
        let mut errors = Vec::new();
        let e = &mut errors;
        let first_name = validate::text(e, "first_name", self.first_name.as_deref(), true);
        let last_name = validate::text(e, "last_name", self.last_name.as_deref(), true);
        let email = email_field(e, "email", self.email.as_deref());
        let phone = validate::phone(e, "phone", self.phone.as_deref());
        let external_id = validate::text(e, "external_id", self.external_id.as_deref(), false);
        let date_of_birth = self
            .date_of_birth
            .filter(|s| !s.trim().is_empty())
            .and_then(|s| birth_date(e, &s, today));
        let notes = validate::text(e, "notes", self.notes.as_deref(), false);
        let status = match self.status.filter(|s| !s.trim().is_empty()) {
            Some(s) => patient_status(e, &s),
            None => Some(PatientStatus::Active),
        };
        let clinician_id = self
            .clinician_id
            .filter(|c| !c.trim().is_empty())
            .map(|c| id_or_nil(&c, UserId::parse));
        match (first_name, last_name, email, status) {
            (Some(first_name), Some(last_name), Some(email), Some(status)) if errors.is_empty() => {
                Ok(NewPatient {
                    first_name,
                    last_name,
                    email,
                    phone,
                    external_id,
                    date_of_birth,
                    clinician_id,
                    notes,
                    status,
                })
            }
            _ => Err(errors),
        }
    }
}

/// `raw` as a date of birth (`YYYY-MM-DD`, not after `today`, not before 1900).
fn birth_date(errors: &mut Vec<FieldError>, raw: &str, today: time::Date) -> Option<BirthDate> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    let Ok(date) = time::Date::parse(raw.trim(), &fmt) else {
        errors.push(FieldError::new(
            "date_of_birth",
            "date must be YYYY-MM-DD",
            "value_error.date",
        ));
        return None;
    };
    BirthDate::new(date, today).map_err(|e| errors.push(e)).ok()
}

/// `raw` as a patient status.
fn patient_status(errors: &mut Vec<FieldError>, raw: &str) -> Option<PatientStatus> {
    choice(
        errors,
        "status",
        raw,
        PatientStatus::parse,
        "status must be one of active, inactive, archived, pending",
    )
}

/// The body of a patient update as a patch: names, email and status cannot be cleared.
fn patient_patch(body: &Body, today: time::Date) -> ApiResult<PatientPatch> {
    let mut e = Vec::new();
    let raw = [
        "first_name",
        "last_name",
        "email",
        "phone",
        "external_id",
        "date_of_birth",
        "clinician_id",
        "notes",
        "status",
    ]
    .map(|k| body.patch_string(&mut e, &[k]));
    check(Place::Body, e)?;
    let [
        first,
        last,
        email,
        phone,
        external,
        dob,
        clinician,
        notes,
        status,
    ] = raw;
    let mut e = Vec::new();
    let patch = PatientPatch {
        first_name: required_patch(&mut e, "first_name", first, |e, v| {
            validate::text(e, "first_name", Some(&v), true)
        }),
        last_name: required_patch(&mut e, "last_name", last, |e, v| {
            validate::text(e, "last_name", Some(&v), true)
        }),
        email: required_patch(&mut e, "email", email, |e, v| {
            Email::parse(&v)
                .map_err(|m| e.push(FieldError::new("email", m, "value_error.email")))
                .ok()
        }),
        phone: optional_patch(&mut e, phone, |e, v| validate::phone(e, "phone", Some(&v))),
        external_id: optional_patch(&mut e, external, |e, v| {
            validate::text::<100, false>(e, "external_id", Some(&v), false)
        }),
        date_of_birth: optional_patch(&mut e, dob, |e, v| birth_date(e, &v, today)),
        clinician_id: clinician.map(|c| id_or_nil(&c, UserId::parse)),
        notes: optional_patch(&mut e, notes, |e, v| {
            validate::text::<5000, true>(e, "notes", Some(&v), false)
        }),
        status: required_patch(&mut e, "status", status, |e, v| patient_status(e, &v)),
    };
    check(Place::Body, e)?;
    Ok(patch)
}

/// Create a patient.
#[utoipa::path(post, path = "/api/patients", tag = "patients", responses((status = 201, body = PatientDto), (status = 404), (status = 409), (status = 422)))]
pub async fn create(
    state: web::Data<AppState>,
    auth: Allowed<act::PatientManage>,
    bytes: web::Bytes,
) -> ApiResult<HttpResponse> {
    let body = Body::parse(&bytes)?;
    let mut errors = Vec::new();
    let account = body.id(&mut errors, "account_id", AccountId::parse)?;
    let raw = RawPatient::read(&body, &mut errors);
    check(Place::Body, errors)?;
    let new = raw
        .into_command(state.patients.today())
        .map_err(|e| ApiError::invalid(Place::Body, e))?;
    let view = state
        .patients
        .create(auth.principal(), account, new)
        .await?;
    Ok(HttpResponse::Created().json(PatientDto::from(&view)))
}

/// One patient.
#[utoipa::path(get, path = "/api/patients/{id}", tag = "patients", responses((status = 200, body = PatientDto), (status = 404)))]
pub async fn get(
    state: web::Data<AppState>,
    auth: Allowed<act::PatientRead>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    state.read_limit.check(auth.principal())?;
    let view = state
        .patients
        .get(
            auth.principal(),
            id_or_404(&id, PatientId::parse, Entity::Patient)?,
        )
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header(etag(&view))
        .json(PatientDto::from(&view)))
}

/// The patient's `ETag`: its version, for `If-Match` on `PUT`.
fn etag(view: &PatientView) -> (header::HeaderName, String) {
    (header::ETAG, format!("\"{}\"", view.patient.version))
}

/// `If-Match`: `"3"` (or `W/"3"`) names the version the client read; `*` or no header asks for
/// no check. Anything else is a 422 naming the header.
fn if_match(req: &HttpRequest) -> Result<Option<i32>, ApiError> {
    let Some(raw) = req.headers().get(header::IF_MATCH) else {
        return Ok(None);
    };
    let value = raw.to_str().unwrap_or_default().trim();
    if value == "*" {
        return Ok(None);
    }
    value
        .trim_start_matches("W/")
        .trim_matches('"')
        .parse::<i32>()
        .map(Some)
        .map_err(|_| {
            ApiError::Invalid(vec![Place::Header.field(
                "If-Match",
                "must be the ETag of the patient as read, e.g. \"3\"",
                "value_error.etag",
            )])
        })
}

/// Partial update. Send `If-Match` with the `ETag` of the read to get 409 instead of
/// overwriting a change made since.
#[utoipa::path(put, path = "/api/patients/{id}", tag = "patients",
    params(("If-Match" = Option<String>, Header, description = "ETag of the patient as read")),
    responses((status = 200, body = PatientDto), (status = 404), (status = 409), (status = 422)))]
pub async fn update(
    state: web::Data<AppState>,
    auth: Allowed<act::PatientManage>,
    id: web::Path<String>,
    req: HttpRequest,
    bytes: web::Bytes,
) -> ApiResult<HttpResponse> {
    let id = id_or_404(&id, PatientId::parse, Entity::Patient)?;
    let expected = if_match(&req)?;
    let patch = patient_patch(&Body::parse(&bytes)?, state.patients.today())?;
    let view = state
        .patients
        .update(auth.principal(), id, patch, expected)
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header(etag(&view))
        .json(PatientDto::from(&view)))
}

/// Soft-delete a patient.
#[utoipa::path(delete, path = "/api/patients/{id}", tag = "patients", responses((status = 200, body = MessageDto), (status = 403), (status = 404)))]
pub async fn delete(
    state: web::Data<AppState>,
    auth: Allowed<act::PatientDelete>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = id_or_404(&id, PatientId::parse, Entity::Patient)?;
    state.patients.delete(auth.principal(), id).await?;
    Ok(HttpResponse::Ok().json(MessageDto::ok(
        "Patient successfully deleted",
        Some(json!({"patient_id": id.0.to_string()})),
    )))
}

#[cfg(test)]
mod tests {
    use super::import::{import_rows, row_error};
    use super::*;
    use actix_web::ResponseError;
    use time::macros::date;

    const TODAY: time::Date = date!(2026 - 03 - 10);

    fn fields(errors: &[FieldError]) -> Vec<String> {
        errors.iter().map(ToString::to_string).collect()
    }

    fn raw(email: &str) -> RawPatient {
        RawPatient {
            first_name: Some(" Ada ".into()),
            last_name: Some("Lovelace".into()),
            email: Some(email.into()),
            ..RawPatient::default()
        }
    }

    #[test]
    fn a_patient_names_every_bad_field_at_once() {
        let e = RawPatient::default()
            .into_command(TODAY)
            .expect_err("empty");
        assert_eq!(
            fields(&e),
            vec![
                "first_name: field required",
                "last_name: field required",
                "email: field required"
            ]
        );
        let bad = RawPatient {
            first_name: Some("x".repeat(101)),
            last_name: Some("Ok".into()),
            email: Some("nope".into()),
            phone: Some("12ab".into()),
            external_id: Some("e".repeat(101)),
            date_of_birth: Some("2026-03-11".into()),
            notes: Some("n".repeat(5001)),
            status: Some("deceased".into()),
            clinician_id: None,
        };
        let locs: Vec<String> = bad
            .into_command(TODAY)
            .expect_err("bad")
            .iter()
            .map(|e| format!("{:?}", e.loc))
            .collect();
        assert_eq!(
            locs,
            [
                "first_name",
                "email",
                "phone",
                "external_id",
                "date_of_birth",
                "notes",
                "status"
            ]
            .map(|f| format!("{:?}", vec![genascope_domain::common::Loc::from(f)]))
        );
    }

    #[test]
    fn a_date_of_birth_is_a_date_between_1900_and_today() {
        for (dob, ok) in [
            ("1899-12-31", false),
            ("1900-01-01", true),
            ("2026-03-10", true),
            ("2026-03-11", false),
            ("10/03/1980", false),
        ] {
            let r = RawPatient {
                date_of_birth: Some(dob.into()),
                ..raw("a@mail.org")
            }
            .into_command(TODAY);
            match r {
                Ok(p) => {
                    assert!(ok, "{dob}");
                    assert_eq!(
                        p.date_of_birth.map(|d| d.date().to_string()).as_deref(),
                        Some(dob)
                    );
                }
                Err(e) => {
                    assert!(!ok, "{dob}");
                    assert_eq!(e.len(), 1);
                    assert!(e[0].to_string().starts_with("date_of_birth: "), "{e:?}");
                }
            }
        }
    }

    #[test]
    fn a_patient_reads_into_typed_values() {
        let p = RawPatient {
            status: Some("ARCHIVED".into()),
            clinician_id: Some("not-a-uuid".into()),
            notes: Some("line 1\nline 2".into()),
            ..raw(" Ada@Mail.org ")
        }
        .into_command(TODAY)
        .expect("valid");
        assert_eq!(p.first_name.as_str(), "Ada");
        assert_eq!(p.email.as_str(), "ada@mail.org");
        assert_eq!(p.status, PatientStatus::Archived);
        // An id that cannot exist names nobody: the use case answers "Clinician not found".
        assert_eq!(p.clinician_id, Some(UserId(uuid::Uuid::nil())));
        assert_eq!(p.notes.as_ref().map(|n| n.as_str()), Some("line 1\nline 2"));
        let p = raw("a@mail.org").into_command(TODAY).expect("valid");
        assert_eq!(p.status, PatientStatus::Active);
    }

    #[test]
    fn a_patient_update_cannot_clear_required_fields() {
        let b = Body::parse(
            br#"{"first_name": null, "last_name": "   ", "email": "", "status": null, "phone": ""}"#,
        )
        .unwrap();
        let e = patient_patch(&b, TODAY).expect_err("four required fields cleared");
        assert_eq!(e.status_code().as_u16(), 422);
        let ApiError::Invalid(items) = e else {
            panic!("a 422")
        };
        let locs: Vec<String> = items.iter().map(|i| format!("{:?}", i.loc)).collect();
        assert_eq!(
            locs,
            ["first_name", "last_name", "email", "status"].map(|f| format!(
                "{:?}",
                vec![
                    genascope_domain::common::Loc::from("body"),
                    genascope_domain::common::Loc::from(f)
                ]
            ))
        );
        let b =
            Body::parse(br#"{"phone": "", "date_of_birth": "1970-01-02", "status": "Pending"}"#)
                .unwrap();
        let p = patient_patch(&b, TODAY).expect("valid");
        assert_eq!(p.phone, genascope_domain::common::Patch::Clear);
        assert_eq!(p.status, Some(PatientStatus::Pending));
        assert!(
            matches!(p.date_of_birth, genascope_domain::common::Patch::Set(d) if d.date() == date!(1970 - 01 - 02))
        );
        assert!(p.first_name.is_none() && p.email.is_none());
    }

    #[test]
    fn a_row_that_is_no_patient_is_reported_with_its_fields_in_the_body() {
        let rows = import_rows(
            vec![
                (2, raw("ok@mail.org")),
                (
                    3,
                    RawPatient {
                        last_name: None,
                        ..raw(" Bad@Mail.org ")
                    },
                ),
            ],
            TODAY,
        );
        assert!(rows[0].patient.is_ok());
        assert_eq!(rows[1].row, 3);
        assert_eq!(rows[1].email.as_deref(), Some("Bad@Mail.org"));
        let Err(errors) = &rows[1].patient else {
            panic!("row 3 is invalid")
        };
        assert_eq!(
            row_error(&RowFailure::Invalid(errors.clone())),
            "body.last_name: field required"
        );
        assert_eq!(
            row_error(&RowFailure::NotFound(Entity::Clinician)),
            "Clinician not found"
        );
        assert_eq!(
            row_error(&RowFailure::Conflict(
                genascope_domain::patients::error::PatientConflict::EmailTaken
            )),
            "A patient with this email already exists"
        );
    }

    #[test]
    fn csv_header_bom_and_blank_rows() {
        let rows = parse_csv(
            "\u{feff}Email,First_Name,last_name,extra\na@x.org,Ann,Lee,zz\n,,,\nb@x.org,Bo,Ng,\n"
                .as_bytes(),
        )
        .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].1.email.as_deref(), Some("a@x.org"));
        assert_eq!(rows[1].1.first_name.as_deref(), Some("Bo"));
        assert_eq!((rows[0].0, rows[1].0), (2, 4), "the ,,, line is row 3");
        let rows =
            parse_csv(b"email,first_name,last_name\n\na@x.org,\"Multi\nLine\",L\n\nb@x.org,B,C\n")
                .unwrap();
        let numbers: Vec<usize> = rows.iter().map(|r| r.0).collect();
        assert_eq!(
            numbers,
            vec![3, 5],
            "blank lines count, a two-line cell is one row"
        );
        assert!(parse_csv(b"email,first_name\n").is_err());
        assert!(parse_csv(&[0xff, 0xfe, 0x00]).is_err());
    }
}
