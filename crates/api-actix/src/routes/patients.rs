//! Patients (contract §3.3).

use super::dto::{ImportErrorDto, ImportReportDto, MessageDto, PatientDto};
use crate::auth::{Allowed, act};
use crate::body::{Body, Query, check, id_or_404};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::StreamExt;
use genascope_domain::common::{AccountId, DomainError, FieldError, Loc, PatientId, UserId};
use genascope_domain::identity::policy::ListScope;
use genascope_domain::patients::model::{PatientStatus, PatientView};
use genascope_domain::patients::ports::PatientFilter;
use genascope_domain::patients::service::{
    ImportReport, MAX_IMPORT_ROWS, PatientInput, PatientPatch,
};
use serde_json::json;

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
        PatientStatus::parse(&s).or_else(|| {
            errors.push(FieldError::query(
                "status",
                "unknown status",
                "type_error.enum",
            ));
            None
        })
    });
    let clinician_id = q
        .get(&["clinician_id"])
        .map(|s| UserId::parse(&s).unwrap_or(UserId(uuid::Uuid::nil())));
    let query = q.search(&mut errors, &["query", "search"]);
    check(errors)?;
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
    Ok(HttpResponse::Ok().json(rows.iter().map(PatientDto::from).collect::<Vec<_>>()))
}

fn input(body: &Body, errors: &mut Vec<FieldError>) -> PatientInput {
    PatientInput {
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
    let input = input(&body, &mut errors);
    check(errors)?;
    let view = state
        .patients
        .create(auth.principal(), account, input)
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
            id_or_404(&id, PatientId::parse, "Patient")?,
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
            ApiError::validation(vec![FieldError {
                loc: vec!["header".into(), "If-Match".into()],
                msg: "must be the ETag of the patient as read, e.g. \"3\"".into(),
                kind: "value_error.etag".into(),
            }])
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
    let id = id_or_404(&id, PatientId::parse, "Patient")?;
    let expected = if_match(&req)?;
    let body = Body::parse(&bytes)?;
    let mut e = Vec::new();
    let patch = PatientPatch {
        first_name: body.patch_string(&mut e, &["first_name"]),
        last_name: body.patch_string(&mut e, &["last_name"]),
        email: body.patch_string(&mut e, &["email"]),
        phone: body.patch_string(&mut e, &["phone"]),
        external_id: body.patch_string(&mut e, &["external_id"]),
        date_of_birth: body.patch_string(&mut e, &["date_of_birth"]),
        clinician_id: body.patch_string(&mut e, &["clinician_id"]),
        notes: body.patch_string(&mut e, &["notes"]),
        status: body.patch_string(&mut e, &["status"]),
    };
    check(e)?;
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
    let id = id_or_404(&id, PatientId::parse, "Patient")?;
    state.patients.delete(auth.principal(), id).await?;
    Ok(HttpResponse::Ok().json(MessageDto::ok(
        "Patient successfully deleted",
        Some(json!({"patient_id": id.0.to_string()})),
    )))
}

/// A patient's invites (invites arrive with the invites capability; until then, none).
#[utoipa::path(get, path = "/api/patients/{id}/invites", tag = "patients", responses((status = 200), (status = 404)))]
pub async fn invites(
    state: web::Data<AppState>,
    auth: Allowed<act::PatientManage>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = id_or_404(&id, PatientId::parse, "Patient")?;
    let p = auth.principal();
    state.patients.get(p, id).await?;
    Ok(HttpResponse::Ok().json(Vec::<serde_json::Value>::new()))
}

fn report(r: ImportReport) -> ImportReportDto {
    ImportReportDto {
        successful_count: r.successful_count,
        failed_count: r.failed_count,
        errors: r
            .errors
            .into_iter()
            .map(|e| ImportErrorDto {
                row: e.row,
                email: e.email,
                error: e.error,
            })
            .collect(),
        sample_patients: r.sample_patients.iter().map(PatientDto::from).collect(),
    }
}

/// Create up to 1000 patients from a JSON list.
#[utoipa::path(post, path = "/api/patients/bulk", tag = "patients", responses((status = 200, body = ImportReportDto), (status = 422)))]
pub async fn bulk(
    state: web::Data<AppState>,
    auth: Allowed<act::PatientManage>,
    bytes: web::Bytes,
) -> ApiResult<HttpResponse> {
    let body = Body::parse(&bytes)?;
    let mut errors = Vec::new();
    let account = body.id(&mut errors, "account_id", AccountId::parse)?;
    let clinician = body.string(&mut errors, &["clinician_id"]);
    let items = body.objects("patients").unwrap_or_default();
    if items.is_empty() || items.len() > 1000 {
        errors.push(FieldError::body(
            "patients",
            "must hold 1 to 1000 patients",
            "value_error.list",
        ));
    }
    check(errors)?;
    let mut rows = Vec::with_capacity(items.len());
    for item in &items {
        let mut ignored = Vec::new();
        rows.push(input(item, &mut ignored));
    }
    let r = state
        .patients
        .import(auth.principal(), account, clinician, rows, 1)
        .await?;
    Ok(HttpResponse::Ok().json(report(r)))
}

fn file_error(msg: &str, kind: &str) -> ApiError {
    ApiError::validation(vec![FieldError {
        loc: vec![Loc::from("body"), Loc::from("file")],
        msg: msg.into(),
        kind: kind.into(),
    }])
}

/// Parse a patient CSV: UTF-8 (BOM allowed), header row with email, first_name, last_name.
/// Each row comes with its spreadsheet row number (the header is row 1).
pub fn parse_csv(bytes: &[u8]) -> Result<Vec<(usize, PatientInput)>, ApiError> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| file_error("the file must be UTF-8 text", "value_error.encoding"))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let cols = csv_columns(&mut reader)?;
    let mut rows = Vec::new();
    // Spreadsheet row numbers: the header is row 1; blank lines (which the CSV reader skips) are
    // rows too, and a quoted cell spanning lines is still one row. A record's position starts
    // at the blank lines before it, so those are counted from its byte offset.
    let mut row_no = 1usize;
    for record in reader.records() {
        let record =
            record.map_err(|_| file_error("the file is not valid CSV", "value_error.csv"))?;
        let start = record
            .position()
            .map_or(0, |p| usize::try_from(p.byte()).unwrap_or(usize::MAX));
        let blank = blank_lines_at(text, start);
        row_no += 1 + blank;
        if record.iter().all(str::is_empty) {
            continue;
        }
        if rows.len() >= MAX_IMPORT_ROWS {
            return Err(file_error(
                &format!("at most {MAX_IMPORT_ROWS} data rows per file"),
                "value_error.too_many_rows",
            ));
        }
        let get = |i: Option<usize>| {
            i.and_then(|i| record.get(i))
                .map(str::to_owned)
                .filter(|s| !s.is_empty())
        };
        rows.push((
            row_no,
            PatientInput {
                first_name: get(cols[0]),
                last_name: get(cols[1]),
                email: get(cols[2]),
                phone: get(cols[3]),
                external_id: get(cols[4]),
                date_of_birth: get(cols[5]),
                notes: get(cols[6]),
                clinician_id: None,
                status: None,
            },
        ));
    }
    Ok(rows)
}

/// The header row: the required columns present; the positions of first_name, last_name,
/// email, phone, external_id, date_of_birth and notes.
fn csv_columns(reader: &mut csv::Reader<&[u8]>) -> Result<[Option<usize>; 7], ApiError> {
    let headers: Vec<String> = reader
        .headers()
        .map_err(|_| file_error("the file has no readable header row", "value_error.header"))?
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    let missing: Vec<&str> = ["email", "first_name", "last_name"]
        .into_iter()
        .filter(|h| !headers.iter().any(|x| x == h))
        .collect();
    if !missing.is_empty() {
        return Err(file_error(
            &format!("the header row lacks: {}", missing.join(", ")),
            "value_error.header",
        ));
    }
    let col = |name: &str| headers.iter().position(|h| h == name);
    Ok([
        "first_name",
        "last_name",
        "email",
        "phone",
        "external_id",
        "date_of_birth",
        "notes",
    ]
    .map(col))
}

/// Blank lines at byte `start` of `text` (the CSV reader skips them, but they are spreadsheet
/// rows).
fn blank_lines_at(text: &str, start: usize) -> usize {
    // The reader ends a line at `\r`, so after a CRLF the next record "starts" at its `\n`.
    let crlf_tail = start > 0 && text.as_bytes().get(start - 1) == Some(&b'\r');
    text.get(start..).map_or(0, |rest| {
        let rest = if crlf_tail {
            rest.strip_prefix('\n').unwrap_or(rest)
        } else {
            rest
        };
        rest.split('\n')
            .take_while(|l| l.trim_end_matches('\r').is_empty())
            .count()
    })
}

/// Import patients from a CSV file (multipart `file`, optional `clinician_id`).
#[utoipa::path(post, path = "/api/patients/import-csv", tag = "patients", responses((status = 200, body = ImportReportDto), (status = 413), (status = 422)))]
pub async fn import_csv(
    state: web::Data<AppState>,
    auth: Allowed<act::PatientManage>,
    req: HttpRequest,
    mut payload: Multipart,
) -> ApiResult<HttpResponse> {
    let q = Query::parse(req.query_string());
    let mut clinician = q.get(&["clinician_id"]);
    let mut account = q.get(&["account_id"]);
    let mut file: Option<(Option<String>, Vec<u8>)> = None;
    let (mut total, mut fields) = (0usize, 0usize);
    while let Some(field) = payload.next().await {
        fields += 1;
        if fields > MAX_MULTIPART_FIELDS {
            return Err(ApiError(DomainError::PayloadTooLarge));
        }
        let mut field = field
            .map_err(|_| file_error("the upload could not be read", "value_error.multipart"))?;
        let name = field.name().unwrap_or_default().to_owned();
        let filename = field
            .content_disposition()
            .and_then(|d| d.get_filename())
            .map(str::to_owned);
        let mut data = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk
                .map_err(|_| file_error("the upload could not be read", "value_error.multipart"))?;
            total += chunk.len();
            if data.len() + chunk.len() > MAX_CSV_BYTES || total > MAX_MULTIPART_BYTES {
                return Err(ApiError(DomainError::PayloadTooLarge));
            }
            // Only the fields we read are kept; others are counted and dropped.
            if matches!(name.as_str(), "file" | "clinician_id" | "account_id") {
                data.extend_from_slice(&chunk);
            }
        }
        match name.as_str() {
            "file" => file = Some((filename, data)),
            "clinician_id" => {
                clinician =
                    Some(String::from_utf8_lossy(&data).trim().to_owned()).filter(|s| !s.is_empty())
            }
            "account_id" => {
                account =
                    Some(String::from_utf8_lossy(&data).trim().to_owned()).filter(|s| !s.is_empty())
            }
            _ => {}
        }
    }
    let Some((filename, data)) = file else {
        return Err(ApiError::validation(vec![FieldError::missing("file")]));
    };
    if filename.is_some_and(|f| !f.to_ascii_lowercase().ends_with(".csv")) {
        return Err(file_error(
            "the file must be a .csv file",
            "value_error.extension",
        ));
    }
    let rows = parse_csv(&data)?;
    let account = match account {
        None => None,
        Some(a) => Some(id_or_404(&a, AccountId::parse, "Account")?),
    };
    let r = state
        .patients
        .import_numbered(auth.principal(), account, clinician, rows)
        .await?;
    Ok(HttpResponse::Ok().json(report(r)))
}

#[cfg(test)]
mod tests {
    use super::*;

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
