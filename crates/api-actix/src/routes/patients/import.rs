//! Patient imports: `POST /api/patients/bulk` (JSON) and `POST /api/patients/import-csv` (a
//! spreadsheet's CSV), both answered with the import report.

use super::*;

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
                error: row_error(&e.failure),
            })
            .collect(),
        sample_patients: r.sample_patients.iter().map(PatientDto::from).collect(),
    }
}

/// One line about a row that was not created; its fields located in the body, as in a 422.
pub(super) fn row_error(failure: &RowFailure) -> String {
    match failure {
        RowFailure::Invalid(errors) => errors
            .iter()
            .map(|e| Place::Body.locate(e.clone()).to_string())
            .collect::<Vec<_>>()
            .join("; "),
        RowFailure::NotFound(what) => format!("{what} not found"),
        RowFailure::Conflict(c) => c.to_string(),
    }
}

/// Rows as read, each with its number, checked into the import's rows.
pub(super) fn import_rows(rows: Vec<(usize, RawPatient)>, today: time::Date) -> Vec<ImportRow> {
    rows.into_iter()
        .map(|(row, raw)| ImportRow {
            row,
            email: raw
                .email
                .as_deref()
                .map(str::trim)
                .filter(|e| !e.is_empty())
                .map(str::to_owned),
            patient: raw.into_command(today),
        })
        .collect()
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
    let clinician = body
        .string(&mut errors, &["clinician_id"])
        .map(|c| id_or_nil(&c, UserId::parse));
    let items = body.objects("patients").unwrap_or_default();
    if items.is_empty() || items.len() > 1000 {
        errors.push(FieldError::new(
            "patients",
            "must hold 1 to 1000 patients",
            "value_error.list",
        ));
    }
    check(Place::Body, errors)?;
    // An item's field of the wrong type is read as absent (and reported as such in its row).
    let rows = items
        .iter()
        .enumerate()
        .map(|(i, item)| (i + 1, RawPatient::read(item, &mut Vec::new())))
        .collect();
    let rows = import_rows(rows, state.patients.today());
    let r = state
        .patients
        .import(auth.principal(), account, clinician, rows)
        .await?;
    Ok(HttpResponse::Ok().json(report(r)))
}

fn file_error(msg: &str, kind: &str) -> ApiError {
    ApiError::Invalid(vec![Place::Body.field("file", msg, kind)])
}

/// The positions of the patient columns (first_name, last_name, email, phone, external_id,
/// date_of_birth, notes) in the header row, which must name email, first_name and last_name.
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

/// The blank lines (which the CSV reader skips) just before `record` in `text`: a record's
/// position starts at them.
fn blank_lines_before(text: &str, record: &csv::StringRecord) -> usize {
    let start = record
        .position()
        .map_or(0, |p| usize::try_from(p.byte()).unwrap_or(usize::MAX));
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

/// Parse a patient CSV: UTF-8 (BOM allowed), header row with email, first_name, last_name.
/// Each row comes with its spreadsheet row number (the header is row 1).
pub fn parse_csv(bytes: &[u8]) -> Result<Vec<(usize, RawPatient)>, ApiError> {
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
    // rows too, and a quoted cell spanning lines is still one row.
    let mut row_no = 1usize;
    for record in reader.records() {
        let record =
            record.map_err(|_| file_error("the file is not valid CSV", "value_error.csv"))?;
        row_no += 1 + blank_lines_before(text, &record);
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
            RawPatient {
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
            return Err(ApiError::TooLarge);
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
                return Err(ApiError::TooLarge);
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
        return Err(ApiError::invalid(
            Place::Body,
            vec![FieldError::missing("file")],
        ));
    };
    if filename.is_some_and(|f| !f.to_ascii_lowercase().ends_with(".csv")) {
        return Err(file_error(
            "the file must be a .csv file",
            "value_error.extension",
        ));
    }
    let rows = import_rows(parse_csv(&data)?, state.patients.today());
    let account = match account {
        None => None,
        Some(a) => Some(id_or_404(&a, AccountId::parse, Entity::Account)?),
    };
    let clinician = clinician.map(|c| id_or_nil(&c, UserId::parse));
    let r = state
        .patients
        .import(auth.principal(), account, clinician, rows)
        .await?;
    Ok(HttpResponse::Ok().json(report(r)))
}
