//! Regression tests of issue #6 ("Hardening": the outside review's defects), over HTTP, each on
//! both backends unless it needs PostgreSQL. Item numbers refer to the issue.

use crate::helpers::*;
use diesel::sql_types::{BigInt, Binary, Integer, Nullable, Text};
use genascope_adapters_postgres::Backend;
use serde_json::{Value, json};
use std::collections::HashSet;
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------------------------
// Fixtures

/// One `audit_log` row as stored.
#[derive(Debug, Clone, diesel::QueryableByName)]
pub struct AuditRow {
    #[diesel(sql_type = Text)]
    pub id: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub actor_id: Option<String>,
    #[diesel(sql_type = Text)]
    pub action: String,
    #[diesel(sql_type = Text)]
    pub record_type: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub record_id: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub account_id: Option<String>,
    #[diesel(sql_type = Nullable<Integer>)]
    pub record_count: Option<i32>,
    #[diesel(sql_type = Nullable<Binary>)]
    pub record_ids: Option<Vec<u8>>,
    #[diesel(sql_type = Nullable<Text>)]
    pub query: Option<String>,
}

impl AuditRow {
    /// `record_ids` decoded: 16 bytes per id.
    fn ids(&self) -> Vec<String> {
        let bytes = self.record_ids.as_deref().unwrap_or_default();
        assert_eq!(bytes.len() % 16, 0, "record_ids is 16 bytes per id");
        bytes
            .chunks(16)
            .map(|c| uuid::Uuid::from_slice(c).unwrap().to_string())
            .collect()
    }

    /// `query` as JSON.
    fn query_json(&self) -> Value {
        serde_json::from_str(self.query.as_deref().expect("a list row has its query"))
            .expect("query is JSON")
    }
}

/// Audit rows seen so far; `new_rows` answers the rows written since the last call.
struct AuditCursor(HashSet<String>);

impl AuditCursor {
    async fn start(app: &TestApp) -> Self {
        Self(audit(app).await.into_iter().map(|r| r.id).collect())
    }

    async fn new_rows(&mut self, app: &TestApp) -> Vec<AuditRow> {
        let rows: Vec<AuditRow> = audit(app)
            .await
            .into_iter()
            .filter(|r| !self.0.contains(&r.id))
            .collect();
        self.0.extend(rows.iter().map(|r| r.id.clone()));
        rows
    }

    /// Exactly one new row.
    async fn one(&mut self, app: &TestApp, what: &str) -> AuditRow {
        let mut rows = self.new_rows(app).await;
        assert_eq!(rows.len(), 1, "{what}: one audit row, got {rows:#?}");
        rows.remove(0)
    }
}

async fn audit(app: &TestApp) -> Vec<AuditRow> {
    app.query(
        "SELECT id, actor_id, action, record_type, record_id, account_id, record_count, \
         record_ids, query FROM audit_log",
    )
    .await
}

/// Assert the row is the compact record of a list read or an import of `ids` (in that order).
#[track_caller]
fn assert_many(row: &AuditRow, action: &str, ids: &[String]) {
    assert_eq!(row.action, action, "{row:?}");
    assert_eq!(row.record_type, "patient", "{row:?}");
    assert_eq!(row.record_id, None, "a many-record row has no record_id");
    assert_eq!(row.record_count, Some(i32::try_from(ids.len()).unwrap()));
    assert_eq!(
        row.record_ids.as_ref().map(Vec::len),
        Some(16 * ids.len()),
        "16 bytes per id"
    );
    assert_eq!(row.ids(), ids, "the ids, in order");
}

fn id_of(v: &Value) -> String {
    v["id"].as_str().expect("an id").to_owned()
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

/// Never a server error.
#[track_caller]
fn not_5xx(r: &Resp, what: &str) {
    assert!(r.status < 500, "{what}: {} {}", r.status, r.text);
}

async fn refresh(app: &TestApp, refresh_token: &str) -> Resp {
    app.post(
        "/api/auth/refresh",
        None,
        &json!({"refresh_token": refresh_token}),
    )
    .await
}

/// The "email address was changed" notices to `to`.
async fn change_notices(app: &TestApp, to: &str) -> usize {
    app.emails_to(to)
        .await
        .iter()
        .filter(|m| {
            m["subject"]
                .as_str()
                .unwrap_or_default()
                .contains("email address was changed")
        })
        .count()
}

/// Create a patient login for the patient record with `email` (same id) and log it in.
async fn patient_login(app: &TestApp, admin: &str, email: &str, name: &str) -> (String, String) {
    let r = app
        .post(
            "/api/users",
            Some(admin),
            &json!({"email": email, "name": name, "role": "patient", "password": PW}),
        )
        .await;
    let id = r.expect(201)["id"].as_str().unwrap().to_owned();
    (id, app.token(email, PW).await)
}

// ---------------------------------------------------------------------------------------------
// Item 1: a list read (and an import) is one compact audit row

/// A list of 100 patients (PostgreSQL answered 500 from 73 on: every id went into one indexed
/// column) is one audit row holding the ids as 16 bytes each, their number and the filters
/// (never the search term); bulk and CSV imports are one row each, naming only the rows created.
pub async fn list_reads_and_imports_are_one_audit_row_each(app: &TestApp) {
    let sa = app.super_admin().await;
    let c = app.account(&sa, "Audit Clinic", "admin@audit.test").await;
    let mut cursor = AuditCursor::start(app).await;

    let patients: Vec<Value> = (0..100)
        .map(|i| json!({"first_name": format!("Bulk{i:03}"), "last_name": "Audit", "email": format!("b{i:03}@audit.test")}))
        .collect();
    let r = app
        .post(
            "/api/patients/bulk",
            Some(&c.admin),
            &json!({"patients": patients}),
        )
        .await;
    let b = r.expect(200);
    assert_eq!(
        (b["successful_count"].as_u64(), b["failed_count"].as_u64()),
        (Some(100), Some(0)),
        "{}",
        r.text
    );
    let bulk = cursor.one(app, "bulk import").await;
    assert_eq!(bulk.action, "create");
    assert_eq!(bulk.record_count, Some(100));
    assert_eq!(bulk.actor_id.as_deref(), Some(c.admin_id.as_str()));
    assert_eq!(bulk.account_id.as_deref(), Some(c.account_id.as_str()));

    // The whole list.
    let r = app.get("/api/patients?limit=1000", Some(&c.admin)).await;
    r.expect(200);
    let listed = ids(r.array());
    assert_eq!(listed.len(), 100, "every patient listed");
    let read = cursor.one(app, "list read").await;
    assert_many(&read, "read", &listed);
    assert_eq!(read.actor_id.as_deref(), Some(c.admin_id.as_str()));
    assert_eq!(read.account_id.as_deref(), Some(c.account_id.as_str()));
    assert_eq!(sorted(bulk.ids()), sorted(listed.clone()));
    let q = read.query_json();
    assert_eq!(q["search"], false, "{q}");
    assert_eq!(q["limit"], 1000, "{q}");
    assert_eq!(q["offset"], 0, "{q}");

    // A filtered, searched page: the filters are kept, the term is not.
    let r = app
        .get(
            "/api/patients?search=Bulk04&status=active&limit=5&offset=2",
            Some(&c.admin),
        )
        .await;
    r.expect(200);
    let page = ids(r.array());
    assert_eq!(page.len(), 5, "Bulk040..Bulk049 match; 5 from the third");
    let read = cursor.one(app, "searched list read").await;
    assert_many(&read, "read", &page);
    let q = read.query_json();
    assert_eq!(q["search"], true, "{q}");
    assert_eq!(q["status"], "active", "{q}");
    assert_eq!(
        (q["limit"].as_u64(), q["offset"].as_u64()),
        (Some(5), Some(2))
    );
    assert!(
        !read
            .query
            .as_deref()
            .unwrap()
            .to_lowercase()
            .contains("bulk04"),
        "the search term (possibly a name) is never stored: {:?}",
        read.query
    );

    // One record read keeps the indexed single-record form.
    app.get(&format!("/api/patients/{}", listed[0]), Some(&c.admin))
        .await
        .expect(200);
    let one = cursor.one(app, "record read").await;
    assert_eq!(one.action, "read");
    assert_eq!(one.record_id.as_deref(), Some(listed[0].as_str()));
    assert_eq!(one.record_count, Some(1));
    assert_eq!(one.record_ids, None);

    // A CSV import of 80 rows: one row; a re-import with 5 new rows names only those 5.
    let line = |i: usize| format!("c{i:03}@audit.test,Csv{i:03},Audit\n");
    let csv: String = std::iter::once("email,first_name,last_name\n".to_owned())
        .chain((0..80).map(line))
        .collect();
    let r = app
        .import_csv(&c.admin, "audit.csv", csv.as_bytes(), &[])
        .await;
    assert_eq!(r.expect(200)["successful_count"], 80, "{}", r.text);
    let import = cursor.one(app, "CSV import").await;
    assert_eq!(import.action, "create");
    assert_eq!(import.record_id, None);
    assert_eq!(import.record_count, Some(80));
    assert_eq!(import.ids().len(), 80);
    let again = format!("{csv}{}", (80..85).map(line).collect::<String>());
    let r = app
        .import_csv(&c.admin, "audit.csv", again.as_bytes(), &[])
        .await;
    let b = r.expect(200);
    assert_eq!(
        (b["successful_count"].as_u64(), b["failed_count"].as_u64()),
        (Some(5), Some(80)),
        "{}",
        r.text
    );
    let reimport = cursor.one(app, "CSV re-import").await;
    assert_eq!(reimport.record_count, Some(5), "only the rows created");
    let created: HashSet<String> = reimport.ids().into_iter().collect();
    let r = app
        .get("/api/patients?search=Csv08&limit=1000", Some(&c.admin))
        .await;
    let new_ids: HashSet<String> = ids(r.array()).into_iter().collect();
    assert_eq!(created, new_ids, "Csv080..Csv084 are the 5 created");
    let all = app.get("/api/patients?limit=1000", Some(&c.admin)).await;
    assert_eq!(all.array().len(), 185);
}

// ---------------------------------------------------------------------------------------------
// Item 2: per-principal read rate limit

/// `READ_RATE_LIMIT=10` (bursts of 2, one more every 6 s): the third audited read of one
/// principal in a row is 429 with `Retry-After`, on all three audited read routes; another
/// principal and unaudited routes are not affected. `READ_RATE_LIMIT=0` turns it off.
pub async fn read_rate_limit(backend: Backend) {
    let app = spawn_app_with(backend, &[("READ_RATE_LIMIT", "10")]).await;
    let sa = app.super_admin().await;
    let c = app.account(&sa, "Rate Clinic", "admin@rate.test").await;
    app.user(&c.admin, "clin@rate.test", "Cleo Clin", "clinician")
        .await;
    let clin = app.token("clin@rate.test", PW).await;
    let p = id_of(&app.patient(&clin, "Pat", "Rate", "pat@rate.test").await);
    let reads = [
        "/api/patients".to_owned(),
        format!("/api/patients/{p}"),
        format!("/api/eligibility/analyze/{p}"),
    ];
    let start = Instant::now();
    let mut answers = Vec::new();
    for path in reads.iter().cycle().take(6) {
        answers.push(app.get(path, Some(&c.admin)).await);
    }
    let elapsed = start.elapsed();
    let statuses: Vec<u16> = answers.iter().map(|r| r.status).collect();
    assert_eq!(&statuses[..2], [200, 200], "the burst: {statuses:?}");
    if elapsed < Duration::from_secs(6) {
        // No token came back yet: every later read, on each of the three routes, is refused.
        assert_eq!(&statuses[2..], [429, 429, 429, 429], "{statuses:?}");
    } else {
        // A slow machine: at most one more read per 6 s.
        let allowed = statuses.iter().filter(|s| **s != 429).count();
        let refills = usize::try_from(elapsed.as_secs() / 6).unwrap();
        assert!(allowed <= 2 + refills, "{statuses:?} in {elapsed:?}");
    }
    for r in answers.iter().filter(|r| r.status == 429) {
        let retry: u64 = r
            .header("retry-after")
            .expect("429 has Retry-After")
            .parse()
            .expect("Retry-After in seconds");
        assert!((1..=6).contains(&retry), "Retry-After {retry}");
        assert_eq!(r.body["detail"], "Too many requests; try again later");
    }
    // Other principals read on; writes and unaudited routes are not counted.
    app.get("/api/patients", Some(&clin)).await.expect(200);
    app.get("/api/auth/me", Some(&c.admin)).await.expect(200);
    app.patient(&c.admin, "Pat", "Two", "pat2@rate.test").await;
    app.shutdown().await;

    let app = spawn_app_with(backend, &[("READ_RATE_LIMIT", "0")]).await;
    let sa = app.super_admin().await;
    for i in 0..15 {
        let r = app.get("/api/patients", Some(&sa)).await;
        assert_eq!(
            r.status, 200,
            "READ_RATE_LIMIT=0 is off; read {i}: {}",
            r.text
        );
    }
    app.shutdown().await;
}

// ---------------------------------------------------------------------------------------------
// Item 3: email changes

/// A self email change needs the current password (422 missing, 400 wrong, nothing changed
/// either way); done, it tells the old address and ends every session's refresh token.
pub async fn self_email_change_needs_password_and_ends_refresh_tokens(app: &TestApp) {
    let sa = app.super_admin().await;
    let c = app.account(&sa, "Mail Clinic", "admin@mail.test").await;
    let cid = app
        .user(&c.admin, "clin@mail.test", "Cleo Clin", "clinician")
        .await;
    let path = format!("/api/users/{cid}");
    let one = app.login_form("clin@mail.test", PW).await;
    let two = app.login_form("clin@mail.test", PW).await;
    let access = one.str("access_token");

    let r = app
        .put(&path, Some(&access), &json!({"email": "thief@evil.test"}))
        .await;
    r.expect_422_at(&["body", "current_password"]);
    let r = app
        .put(
            &path,
            Some(&access),
            &json!({"email": "thief@evil.test", "current_password": "guessed-wrong-1"}),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    let u = app.get(&path, Some(&c.admin)).await;
    assert_eq!(u.expect(200)["email"], "clin@mail.test", "unchanged");
    assert_eq!(change_notices(app, "clin@mail.test").await, 0);
    // The refused attempts revoked nothing.
    let two = refresh(app, &two.str("refresh_token")).await;
    two.expect(200);

    let r = app
        .put(
            &path,
            Some(&access),
            &json!({"email": "cleo@mail.test", "current_password": PW}),
        )
        .await;
    assert_eq!(r.expect(200)["email"], "cleo@mail.test");
    assert_eq!(
        change_notices(app, "clin@mail.test").await,
        1,
        "the old address is told"
    );
    // The other session ends (its refresh and access tokens); the one that made the change,
    // having just proved the password, goes on.
    let r = refresh(app, &two.str("refresh_token")).await;
    assert_eq!(
        r.status, 401,
        "the other session's refresh token: {}",
        r.text
    );
    app.get("/api/auth/me", Some(&two.str("access_token")))
        .await
        .expect(401);
    app.get("/api/auth/me", Some(&access)).await.expect(200);
    let r = refresh(app, &one.str("refresh_token")).await;
    assert_eq!(r.status, 200, "this session's refresh token: {}", r.text);
    app.login_form("clin@mail.test", PW)
        .await
        .expect_detail(401, "Incorrect username or password");
    let fresh = app.login_form("cleo@mail.test", PW).await;
    fresh.expect(200);
    refresh(app, &fresh.str("refresh_token")).await.expect(200);
}

/// An admin changing a user's email needs no password of its own, but the old address is still
/// told and the user's refresh tokens end.
pub async fn admin_email_change_notifies_and_ends_refresh_tokens(app: &TestApp) {
    let sa = app.super_admin().await;
    let c = app.account(&sa, "Move Clinic", "admin@move.test").await;
    let cid = app
        .user(&c.admin, "clin@move.test", "Cleo Clin", "clinician")
        .await;
    let session = app.login_form("clin@move.test", PW).await;
    let r = app
        .put(
            &format!("/api/users/{cid}"),
            Some(&c.admin),
            &json!({"email": "moved@move.test"}),
        )
        .await;
    assert_eq!(r.expect(200)["email"], "moved@move.test");
    assert_eq!(change_notices(app, "clin@move.test").await, 1);
    let r = refresh(app, &session.str("refresh_token")).await;
    assert_eq!(r.status, 401, "{}", r.text);
    app.token("moved@move.test", PW).await;
    // The admin's own sessions are not touched.
    app.get("/api/auth/me", Some(&c.admin)).await.expect(200);
}

/// The notice says "Every session was signed out", and the issue asks to end the other
/// sessions: an access token issued before the change should stop working with it.
pub async fn email_change_ends_other_access_tokens(app: &TestApp) {
    let sa = app.super_admin().await;
    let c = app.account(&sa, "Sess Clinic", "admin@sess.test").await;
    let cid = app
        .user(&c.admin, "clin@sess.test", "Cleo Clin", "clinician")
        .await;
    let stolen = app.token("clin@sess.test", PW).await;
    let own = app.token("clin@sess.test", PW).await;
    app.put(
        &format!("/api/users/{cid}"),
        Some(&own),
        &json!({"email": "cleo@sess.test", "current_password": PW}),
    )
    .await
    .expect(200);
    let r = app.get("/api/auth/me", Some(&stolen)).await;
    assert_eq!(
        r.status, 401,
        "another session's access token after the email change: {}",
        r.text
    );
}

// ---------------------------------------------------------------------------------------------
// Item 4: per-IP limit and X-Forwarded-For

/// Behind a trusted proxy (loopback, the development default) the client is the right-most
/// `X-Forwarded-For` entry: rotating the left-most entries (which the client writes itself)
/// does not reset its per-IP count; another right-most client is not affected.
pub async fn per_ip_limit_ignores_spoofed_left_most_forwarded_entries(app: &TestApp) {
    app.super_admin().await;
    let attempt = |email: String, xff: String| {
        app.client
            .post(app.url("/api/auth/token"))
            .header("X-Forwarded-For", xff)
            .form(&[
                ("username", email.as_str()),
                ("password", "wrong-password-1"),
            ])
    };
    for i in 0..50 {
        let r = app
            .send(attempt(
                format!("x{i}@nowhere.test"),
                format!("198.51.100.{i}, 203.0.113.77"),
            ))
            .await;
        assert_eq!(r.status, 401, "attempt {}: {}", i + 1, r.text);
    }
    let r = app
        .send(attempt(
            "y@nowhere.test".into(),
            "192.0.2.250, 203.0.113.77".into(),
        ))
        .await;
    assert_eq!(r.status, 429, "51st from 203.0.113.77: {}", r.text);
    assert!(r.header("retry-after").is_some());
    let r = app
        .send(attempt(
            "y@nowhere.test".into(),
            "198.51.100.1, 203.0.113.78".into(),
        ))
        .await;
    assert_eq!(r.status, 401, "another client: {}", r.text);
}

// ---------------------------------------------------------------------------------------------
// Item 5: control, zero-width and bidi characters

const BAD_CHARS: [(&str, &str); 7] = [
    ("NUL", "\u{0}"),
    ("ESC", "\u{1b}[31m"),
    ("DEL", "\u{7f}"),
    ("RLO", "\u{202E}"),
    ("LRI", "\u{2066}"),
    ("ZWSP", "\u{200B}"),
    ("BOM", "\u{FEFF}"),
];

/// Names and text fields holding control, zero-width or bidi characters are 422 naming the
/// field (a NUL was a 500 on PostgreSQL), in creates and updates of patients, users and
/// accounts; so is such a search term. Line breaks and tabs stay fine in notes.
pub async fn control_characters_are_422_naming_the_field(app: &TestApp) {
    let sa = app.super_admin().await;
    let c = app.account(&sa, "Char Clinic", "admin@char.test").await;
    let base = json!({"first_name": "Ann", "last_name": "Lee", "email": "ann@char.test"});
    for (what, bad) in BAD_CHARS {
        for field in ["first_name", "last_name", "external_id", "notes", "email"] {
            let mut body = base.clone();
            body[field] = json!(format!("An{bad}n"));
            if field == "email" {
                body[field] = json!(format!("a{bad}nn@char.test"));
            }
            let r = app.post("/api/patients", Some(&c.admin), &body).await;
            not_5xx(&r, &format!("patient {field} with {what}"));
            r.expect_422_at(&["body", field]);
        }
        for field in ["name", "first_name", "last_name"] {
            let mut body = json!({"email": "u@char.test", "name": "Uma User", "role": "clinician",
                                  "password": PW, "confirm_password": PW});
            body[field] = json!(format!("Uma{bad}x"));
            if field != "name" {
                body["first_name"] = json!("Uma");
                body["last_name"] = json!("User");
                body[field] = json!(format!("Uma{bad}x"));
            }
            let r = app.post("/api/users", Some(&c.admin), &body).await;
            not_5xx(&r, &format!("user {field} with {what}"));
            r.expect_422_at(&["body", field]);
        }
        for field in ["name", "admin_name"] {
            let mut body = json!({"name": "New Clinic", "admin_email": "a@newclinic.test",
                                  "admin_name": "Ada Admin", "admin_password": PW});
            body[field] = json!(format!("New{bad}x"));
            let r = app.post("/api/accounts", Some(&sa), &body).await;
            not_5xx(&r, &format!("account {field} with {what}"));
            r.expect_422_at(&["body", field]);
        }
    }
    assert!(
        app.get("/api/patients", Some(&c.admin))
            .await
            .array()
            .is_empty(),
        "nothing was created"
    );

    // Updates.
    let p = id_of(&app.patient(&c.admin, "Ann", "Lee", "ann@char.test").await);
    let ppath = format!("/api/patients/{p}");
    for (field, value) in [
        ("first_name", "Ann\u{0}"),
        ("last_name", "L\u{202E}ee"),
        ("notes", "see \u{1b}[2J"),
        ("external_id", "X\u{200B}1"),
    ] {
        let r = app
            .put(&ppath, Some(&c.admin), &json!({ field: value }))
            .await;
        not_5xx(&r, &format!("patient update {field}"));
        r.expect_422_at(&["body", field]);
    }
    let g = app.get(&ppath, Some(&c.admin)).await;
    let b = g.expect(200);
    assert_eq!(
        (&b["first_name"], &b["last_name"], &b["notes"]),
        (&json!("Ann"), &json!("Lee"), &Value::Null)
    );
    let r = app
        .put(
            &ppath,
            Some(&c.admin),
            &json!({"notes": "line 1\r\n\tline 2"}),
        )
        .await;
    assert_eq!(r.expect(200)["notes"], "line 1\r\n\tline 2");
    let upath = format!("/api/users/{}", c.admin_id);
    for (field, value) in [
        ("name", "Ada\u{0} Admin"),
        ("first_name", "Ada\u{2066}"),
        ("last_name", "Ad\u{FEFF}min"),
    ] {
        let r = app
            .put(&upath, Some(&c.admin), &json!({ field: value }))
            .await;
        not_5xx(&r, &format!("user update {field}"));
        r.expect_422_at(&["body", field]);
    }

    // Search terms.
    for (path, param) in [
        ("/api/patients", "search"),
        ("/api/patients", "query"),
        ("/api/users", "search"),
    ] {
        for bad in ["%00", "Ann%00", "%1B%5B31m", "%E2%80%AE", "%E2%80%8B"] {
            let r = app
                .get(&format!("{path}?{param}={bad}"), Some(&c.admin))
                .await;
            not_5xx(&r, &format!("{path}?{param}={bad}"));
            r.expect_422_at(&["query", param]);
        }
    }

    // Elsewhere a NUL is refused or simply matches nothing, never a 500.
    let r = app.login_form("ann\u{0}@char.test", PW).await;
    assert_eq!(r.status, 401, "{}", r.text);
    let r = app
        .post(
            "/api/auth/password-reset/request",
            None,
            &json!({"email": "ann\u{0}@char.test"}),
        )
        .await;
    not_5xx(&r, "reset request");
    for path in [
        format!("/api/patients/{p}%00"),
        "/api/patients?status=%00".to_owned(),
        "/api/patients?clinician_id=%00".to_owned(),
        "/api/users?role=%00".to_owned(),
    ] {
        let r = app.get(&path, Some(&c.admin)).await;
        not_5xx(&r, &path);
    }
    let r = app
        .post(
            &format!("/api/eligibility/assess?patient_id={p}"),
            Some(&c.admin),
            &json!({
                "proband": {"sex": "female", "age": 40, "ethnicity": "white\u{0}",
                            "note": "a\u{0}b", "cancers": []},
                "relatives": [{"relation": "mother", "name": "M\u{0}m", "cancers": []}],
                "free\u{0}key": "x\u{0}"
            }),
        )
        .await;
    not_5xx(&r, "assess with NULs");
}

/// A CSV row with a NUL or a bidi override in a name, or an ANSI escape in its notes, fails
/// alone (reported with its spreadsheet row: the two-line cell of row 5 is one row); the other
/// rows are imported and audited.
pub async fn csv_row_with_control_characters_fails_alone(app: &TestApp) {
    let sa = app.super_admin().await;
    let c = app
        .account(&sa, "Csvchar Clinic", "admin@csvchar.test")
        .await;
    let mut cursor = AuditCursor::start(app).await;
    let csv = "email,first_name,last_name,notes\n\
               ok1@csvchar.test,Ann,Lee,fine\n\
               nul@csvchar.test,Bo\u{0}b,Ng,\n\
               bidi@csvchar.test,Cy,Ro\u{202E}ss,\n\
               ok2@csvchar.test,Di,Ma,\"two\nlines\"\n\
               esc@csvchar.test,Ed,Ek,\u{1b}[31mred\n";
    let r = app
        .import_csv(&c.admin, "chars.csv", csv.as_bytes(), &[])
        .await;
    let b = r.expect(200);
    assert_eq!(
        (b["successful_count"].as_u64(), b["failed_count"].as_u64()),
        (Some(2), Some(3)),
        "{}",
        r.text
    );
    let failed: Vec<(u64, &str)> = b["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["row"].as_u64().unwrap(), e["email"].as_str().unwrap()))
        .collect();
    assert_eq!(
        failed,
        [
            (3, "nul@csvchar.test"),
            (4, "bidi@csvchar.test"),
            (6, "esc@csvchar.test")
        ],
        "{}",
        r.text
    );
    let errors = b["errors"].as_array().unwrap();
    assert!(errors[0]["error"].as_str().unwrap().contains("first_name"));
    assert!(errors[1]["error"].as_str().unwrap().contains("last_name"));
    assert!(errors[2]["error"].as_str().unwrap().contains("notes"));
    let import = cursor.one(app, "import").await;
    assert_eq!(import.record_count, Some(2));
    let r = app.get("/api/patients", Some(&c.admin)).await;
    let mut emails: Vec<&str> = r
        .array()
        .iter()
        .map(|p| p["email"].as_str().unwrap())
        .collect();
    emails.sort_unstable();
    assert_eq!(emails, ["ok1@csvchar.test", "ok2@csvchar.test"]);
}

// ---------------------------------------------------------------------------------------------
// Item 6: concurrent patient edits

fn if_match(
    app: &TestApp,
    path: &str,
    token: &str,
    etag: &str,
    body: &Value,
) -> reqwest::RequestBuilder {
    app.client
        .put(app.url(path))
        .bearer_auth(token)
        .header("If-Match", etag)
        .json(body)
}

/// `GET`/`PUT` answer `ETag: "<version>"`; a `PUT` with a stale `If-Match` is 409 and changes
/// nothing; a current one (also weak, or `*`) writes; a malformed one is 422 naming the header.
/// Of several writes racing with the same `If-Match`, exactly one lands.
pub async fn if_match_makes_patient_writes_conditional(app: &TestApp) {
    let sa = app.super_admin().await;
    let c = app.account(&sa, "Etag Clinic", "admin@etag.test").await;
    let p = id_of(&app.patient(&c.admin, "Ed", "Tag", "ed@etag.test").await);
    let path = format!("/api/patients/{p}");
    let g = app.get(&path, Some(&c.admin)).await;
    g.expect(200);
    assert_eq!(g.header("etag").as_deref(), Some("\"1\""));

    let r = app
        .send(if_match(
            app,
            &path,
            &c.admin,
            "\"1\"",
            &json!({"notes": "first"}),
        ))
        .await;
    assert_eq!(r.expect(200)["notes"], "first");
    assert_eq!(r.header("etag").as_deref(), Some("\"2\""));
    // Stale: 409, nothing written.
    let r = app
        .send(if_match(
            app,
            &path,
            &c.admin,
            "\"1\"",
            &json!({"notes": "lost", "phone": "555 010 9999"}),
        ))
        .await;
    assert_eq!(r.status, 409, "{}", r.text);
    let g = app.get(&path, Some(&c.admin)).await;
    assert_eq!(
        (&g.expect(200)["notes"], &g.body["phone"]),
        (&json!("first"), &Value::Null)
    );
    assert_eq!(g.header("etag").as_deref(), Some("\"2\""));
    // Weak and wildcard forms.
    let r = app
        .send(if_match(
            app,
            &path,
            &c.admin,
            "W/\"2\"",
            &json!({"notes": "second"}),
        ))
        .await;
    assert_eq!(r.expect(200)["notes"], "second");
    assert_eq!(r.header("etag").as_deref(), Some("\"3\""));
    let r = app
        .send(if_match(
            app,
            &path,
            &c.admin,
            "*",
            &json!({"notes": "third"}),
        ))
        .await;
    assert_eq!(r.expect(200)["notes"], "third");
    assert_eq!(r.header("etag").as_deref(), Some("\"4\""));
    // Malformed.
    for bad in ["abc", "\"four\"", "", "4.0", "\"-\"", "W/"] {
        let r = app
            .send(if_match(
                app,
                &path,
                &c.admin,
                bad,
                &json!({"notes": "bad"}),
            ))
            .await;
        r.expect_422_at(&["header", "If-Match"]);
    }
    let g = app.get(&path, Some(&c.admin)).await;
    assert_eq!(g.expect(200)["notes"], "third");
    assert_eq!(g.header("etag").as_deref(), Some("\"4\""));

    // Racing writers that all read version 4: one lands, the others are 409.
    let writes = (0..6).map(|i| {
        app.send(if_match(
            app,
            &path,
            &c.admin,
            "\"4\"",
            &json!({"notes": format!("racer {i}")}),
        ))
    });
    let results = futures_util::future::join_all(writes).await;
    let mut statuses: Vec<u16> = results.iter().map(|r| r.status).collect();
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 409, 409, 409, 409, 409], "{results:?}");
    let winner = results.iter().find(|r| r.status == 200).unwrap();
    let g = app.get(&path, Some(&c.admin)).await;
    assert_eq!(g.expect(200)["notes"], winner.body["notes"]);
    assert_eq!(g.header("etag").as_deref(), Some("\"5\""));
}

/// The fields one round of concurrent edits sets, with the value each gets in round `r`.
fn round_fields(r: usize, clinicians: &[String; 2]) -> Vec<(&'static str, Value)> {
    vec![
        ("first_name", json!(format!("First{r}"))),
        ("last_name", json!(format!("Last{r}"))),
        ("email", json!(format!("r{r}@race.test"))),
        ("phone", json!(format!("555 010 {r:04}"))),
        ("external_id", json!(format!("EXT-{r}"))),
        ("date_of_birth", json!(format!("197{r}-0{}-1{r}", r + 1))),
        ("notes", json!(format!("notes of round {r}"))),
        ("status", json!(["inactive", "pending", "archived"][r % 3])),
        ("clinician_id", json!(clinicians[r % 2])),
    ]
}

/// 20 concurrent `PUT`s without `If-Match`, each setting one field (9 fields, some written
/// twice or three times with the same value), three rounds: every write lands (200), the record
/// ends with every field of the round, and the version moved on by at least the number of
/// fields changed (a write of a value another racer already wrote still counts as a change
/// against what it read) and at most the number of writes.
pub async fn concurrent_edits_of_different_fields_all_stand(app: &TestApp) {
    let (path, admin, clinicians) = race_fixture(app, "race").await;
    for round in 0..3 {
        let fields = round_fields(round, &clinicians);
        let bodies: Vec<Value> = (0..20)
            .map(|i| {
                let (field, value) = &fields[i % fields.len()];
                json!({ *field: value })
            })
            .collect();
        let writes = bodies.iter().map(|b| app.put(&path, Some(&admin), b));
        let results = futures_util::future::join_all(writes).await;
        for (i, r) in results.iter().enumerate() {
            assert_eq!(
                r.status,
                200,
                "round {round}, write {i} ({}): {}",
                fields[i % fields.len()].0,
                r.text
            );
        }
        let g = app.get(&path, Some(&admin)).await;
        let b = g.expect(200);
        for (field, value) in &fields {
            assert_eq!(&b[*field], value, "round {round}: {field} stands");
        }
        let version: usize = g
            .header("etag")
            .and_then(|e| e.trim_matches('"').parse().ok())
            .unwrap();
        assert!(
            (1 + fields.len() * (round + 1)..=1 + 20 * (round + 1)).contains(&version),
            "round {round}: version {version}"
        );
    }
}

/// The invariant that holds whatever the timing: concurrent `PUT`s without `If-Match` are
/// never lost silently. Each answers 200 (and its value is in the record) or 409 (and it is
/// not); none is a 5xx; the version grows by at least the fields that changed and at most the
/// writes.
pub async fn concurrent_edits_are_never_lost_silently(app: &TestApp) {
    let (path, admin, clinicians) = race_fixture(app, "never").await;
    let mut version = 1;
    for round in 0..3 {
        let fields = round_fields(round, &clinicians);
        let before = app.get(&path, Some(&admin)).await.body;
        let bodies: Vec<Value> = (0..20)
            .map(|i| {
                let (field, value) = &fields[i % fields.len()];
                json!({ *field: value })
            })
            .collect();
        let writes = bodies.iter().map(|b| app.put(&path, Some(&admin), b));
        let results = futures_util::future::join_all(writes).await;
        let mut landed = HashSet::new();
        for (i, r) in results.iter().enumerate() {
            let field = fields[i % fields.len()].0;
            assert!(
                r.status == 200 || r.status == 409,
                "round {round}, {field}: {} {}",
                r.status,
                r.text
            );
            if r.status == 200 {
                landed.insert(field);
            }
        }
        eprintln!(
            "round {round}: {} of 20 concurrent PUTs without If-Match answered 409",
            results.iter().filter(|r| r.status == 409).count()
        );
        let b = app.get(&path, Some(&admin)).await.body;
        for (field, value) in &fields {
            if landed.contains(field) {
                assert_eq!(&b[*field], value, "round {round}: {field} answered 200");
            } else {
                assert_eq!(
                    b[*field], before[*field],
                    "round {round}: {field} answered 409"
                );
            }
        }
        // A field that kept an earlier round's value (all its writes were 409) may already
        // hold this round's value: writing it again changes nothing.
        let least = version
            + fields
                .iter()
                .filter(|(f, v)| landed.contains(f) && before[*f] != *v)
                .count();
        let g = app.get(&path, Some(&admin)).await;
        let now: usize = g
            .header("etag")
            .and_then(|e| e.trim_matches('"').parse().ok())
            .unwrap();
        assert!(
            (least..=version + 20).contains(&now),
            "round {round}: {now} not in {least}..={}",
            version + 20
        );
        version = now;
    }
}

/// A patient and two clinicians to assign; (path, admin token, clinician ids).
async fn race_fixture(app: &TestApp, tag: &str) -> (String, String, [String; 2]) {
    let sa = app.super_admin().await;
    let c = app
        .account(&sa, &format!("{tag} Clinic"), &format!("admin@{tag}.test"))
        .await;
    let c1 = app
        .user(&c.admin, &format!("c1@{tag}.test"), "Cleo One", "clinician")
        .await;
    let c2 = app
        .user(&c.admin, &format!("c2@{tag}.test"), "Cleo Two", "physician")
        .await;
    let p = id_of(
        &app.patient(&c.admin, "Rae", "Race", &format!("rae@{tag}.test"))
            .await,
    );
    (format!("/api/patients/{p}"), c.admin, [c1, c2])
}

// ---------------------------------------------------------------------------------------------
// Items 11, 12: sessions

/// Deactivation ends the access tokens issued before it for good: reactivating the user does
/// not revive them (nor its refresh tokens); a fresh login works.
pub async fn reactivation_does_not_revive_old_tokens(app: &TestApp) {
    let sa = app.super_admin().await;
    let c = app.account(&sa, "React Clinic", "admin@react.test").await;
    let cid = app
        .user(&c.admin, "clin@react.test", "Cleo Clin", "clinician")
        .await;
    let old = app.login_form("clin@react.test", PW).await;
    let access = old.str("access_token");
    app.get("/api/auth/me", Some(&access)).await.expect(200);
    let path = format!("/api/users/{cid}");
    for active in [false, true] {
        let r = app
            .put(&path, Some(&c.admin), &json!({ "is_active": active }))
            .await;
        assert_eq!(r.expect(200)["is_active"], active);
        let r = app.get("/api/auth/me", Some(&access)).await;
        assert_eq!(r.status, 401, "old token, is_active={active}: {}", r.text);
    }
    let r = app.get("/api/patients", Some(&access)).await;
    assert_eq!(r.status, 401, "{}", r.text);
    let r = refresh(app, &old.str("refresh_token")).await;
    assert_eq!(r.status, 401, "old refresh token: {}", r.text);
    let fresh = app.login_form("clin@react.test", PW).await;
    fresh.expect(200);
    app.get("/api/auth/me", Some(&fresh.str("access_token")))
        .await
        .expect(200);
    refresh(app, &fresh.str("refresh_token")).await.expect(200);
}

/// Logout with the access token alone (the frontend does not send the refresh token) ends that
/// session's refresh token too, also after the session was refreshed; other sessions live on.
pub async fn logout_without_refresh_token_ends_the_session(app: &TestApp) {
    app.super_admin().await;
    let a = app.login_form(SA_EMAIL, PW).await;
    let b = app.login_form(SA_EMAIL, PW).await;
    // Session A, refreshed once: same session, new pair.
    let a2 = refresh(app, &a.str("refresh_token")).await;
    a2.expect(200);
    let r = app
        .post(
            "/api/auth/logout",
            Some(&a2.str("access_token")),
            &json!({}),
        )
        .await;
    r.expect(200);
    let r = app.get("/api/auth/me", Some(&a2.str("access_token"))).await;
    assert_eq!(r.status, 401, "{}", r.text);
    // Session B is untouched (checked before A's refresh token is presented again: see
    // `presenting_a_logged_out_refresh_token_keeps_other_sessions`).
    app.get("/api/auth/me", Some(&b.str("access_token")))
        .await
        .expect(200);
    refresh(app, &b.str("refresh_token")).await.expect(200);
    let r = refresh(app, &a2.str("refresh_token")).await;
    assert_eq!(
        r.status, 401,
        "the logged-out session's refresh token: {}",
        r.text
    );
    // A logout without any body works the same.
    let c = app.login_form(SA_EMAIL, PW).await;
    let r = app
        .send(
            app.client
                .post(app.url("/api/auth/logout"))
                .bearer_auth(c.str("access_token")),
        )
        .await;
    r.expect(200);
    let r = refresh(app, &c.str("refresh_token")).await;
    assert_eq!(r.status, 401, "{}", r.text);
}

/// A client that logged out and later presents its (revoked) refresh token, e.g. a stale tab,
/// gets 401; the user's other sessions should keep working (issue #6 item 12: "another session
/// still refreshes").
pub async fn presenting_a_logged_out_refresh_token_keeps_other_sessions(app: &TestApp) {
    app.super_admin().await;
    let a = app.login_form(SA_EMAIL, PW).await;
    let b = app.login_form(SA_EMAIL, PW).await;
    app.post("/api/auth/logout", Some(&a.str("access_token")), &json!({}))
        .await
        .expect(200);
    let r = refresh(app, &a.str("refresh_token")).await;
    assert_eq!(r.status, 401, "{}", r.text);
    let r = refresh(app, &b.str("refresh_token")).await;
    assert_eq!(
        r.status, 200,
        "another session after a logged-out refresh token was presented: {}",
        r.text
    );
}

// ---------------------------------------------------------------------------------------------
// Item 13: JSON errors in our words

/// A broken JSON body of `assess` is 422 at `["body"]` saying so in our words, not serde_json's
/// message ("expected value at line 1 column 2", "EOF while parsing ...").
pub async fn assess_json_errors_are_in_our_words(app: &TestApp) {
    let sa = app.super_admin().await;
    for body in [
        &b"{nope"[..],
        b"{\"proband\": {\"age\": 40,}",
        b"{\"proband\": {\"age\": 40",
        b"{\"proband\": {}} trailing",
        b"[1, 2,]",
        b"{\"proband\": \"\xff\"}",
        b"{'single': 1}",
    ] {
        let serde_words = serde_json::from_slice::<Value>(body)
            .expect_err("broken on purpose")
            .to_string();
        let r = app
            .post_raw(
                "/api/eligibility/assess",
                Some(&sa),
                "application/json",
                body.to_vec(),
            )
            .await;
        r.expect_422_at(&["body"]);
        let item = &r.body["detail"][0];
        let msg = item["msg"].as_str().unwrap();
        assert_eq!(item["type"], "json_invalid", "{}", r.text);
        assert!(
            msg.starts_with("the body is not valid JSON: "),
            "{:?}: {msg}",
            String::from_utf8_lossy(body)
        );
        assert!(!msg.contains(&serde_words), "serde's text: {msg}");
        for serde_phrase in [
            "EOF while parsing",
            "expected value",
            "expected ident",
            "key must be a string",
            "trailing comma",
            "trailing characters",
            "invalid unicode",
            "line 1 column",
        ] {
            assert!(!msg.contains(serde_phrase), "{serde_phrase:?} in {msg}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Item 14: the role check comes before the id

/// Roles that may not use a route get 403 even for a malformed id (it was 404): lab_tech, user
/// and patient on a patient's invites and on assess-and-store; lab_tech and user on a patient's
/// latest assessment (which a patient may read: its malformed id is 404, as for the care team).
pub async fn role_check_comes_before_malformed_ids(app: &TestApp) {
    let sa = app.super_admin().await;
    let c = app.account(&sa, "Order Clinic", "admin@order.test").await;
    app.user(&c.admin, "lab@order.test", "Lou Lab", "lab_tech")
        .await;
    app.user(&c.admin, "user@order.test", "Uma User", "user")
        .await;
    app.user(&c.admin, "clin@order.test", "Cleo Clin", "clinician")
        .await;
    let lab = app.token("lab@order.test", PW).await;
    let user = app.token("user@order.test", PW).await;
    let clin = app.token("clin@order.test", PW).await;
    let (_, patient) = patient_login(app, &c.admin, "pat@order.test", "Pat Order").await;
    let invites = "/api/patients/not-a-uuid/invites";
    let analyze = "/api/eligibility/analyze/not-a-uuid";
    let detailed = "/api/eligibility/detailed/not-a-uuid";
    let store = "/api/eligibility/assess?patient_id=not-a-uuid";
    for (who, token) in [("lab_tech", &lab), ("user", &user), ("patient", &patient)] {
        let r = app.get(invites, Some(token)).await;
        assert_eq!(r.status, 403, "{who} {invites}: {}", r.text);
        let r = app.post(store, Some(token), &json!({})).await;
        assert_eq!(r.status, 403, "{who} {store}: {}", r.text);
        r.expect_detail(403, "Not enough permissions");
    }
    for (who, token) in [("lab_tech", &lab), ("user", &user)] {
        for path in [analyze, detailed] {
            let r = app.get(path, Some(token)).await;
            assert_eq!(r.status, 403, "{who} {path}: {}", r.text);
            r.expect_detail(403, "Not enough permissions");
        }
    }
    // Allowed roles: the malformed id is a patient that does not exist.
    app.get(analyze, Some(&patient))
        .await
        .expect_detail(404, "Patient not found");
    app.get(invites, Some(&clin))
        .await
        .expect_detail(404, "Patient not found");
    app.get(analyze, Some(&clin))
        .await
        .expect_detail(404, "Patient not found");
}

// ---------------------------------------------------------------------------------------------
// Item 15: a deleted patient login can be re-created

/// Deleting a patient's login keeps the patient; a new login for it (same email, so the same
/// id) is 201 and works, while every token of the old login stays invalid.
pub async fn deleted_patient_login_can_be_recreated(app: &TestApp) {
    let sa = app.super_admin().await;
    let c = app.account(&sa, "Again Clinic", "admin@again.test").await;
    let p = id_of(
        &app.patient(&c.admin, "Pat", "Again", "pat@again.test")
            .await,
    );
    let (uid, _) = patient_login(app, &c.admin, "pat@again.test", "Pat Again").await;
    assert_eq!(uid, p, "the login shares the patient's id");
    let old = app.login_form("pat@again.test", PW).await;
    let (old_access, old_refresh) = (old.str("access_token"), old.str("refresh_token"));
    app.delete(&format!("/api/users/{uid}"), Some(&c.admin))
        .await
        .expect(200);
    let g = app.get(&format!("/api/patients/{p}"), Some(&c.admin)).await;
    assert_eq!(g.expect(200)["has_login"], false, "the patient stays");

    let new_pw = "another-horse-7";
    let r = app
        .post(
            "/api/users",
            Some(&c.admin),
            &json!({"email": "pat@again.test", "name": "Pat Again", "role": "patient",
                    "password": new_pw, "confirm_password": new_pw}),
        )
        .await;
    assert_eq!(r.expect(201)["id"], p.as_str(), "{}", r.text);
    let g = app.get(&format!("/api/patients/{p}"), Some(&c.admin)).await;
    assert_eq!(g.expect(200)["has_login"], true);
    let fresh = app.login_form("pat@again.test", new_pw).await;
    fresh.expect(200);
    let access = fresh.str("access_token");
    let me = app.get("/api/auth/me", Some(&access)).await;
    assert_eq!(me.expect(200)["patient_id"], p.as_str());
    app.get(&format!("/api/patients/{p}"), Some(&access))
        .await
        .expect(200);
    refresh(app, &fresh.str("refresh_token")).await.expect(200);
    // The old login's tokens and password stay dead.
    let r = app.get("/api/auth/me", Some(&old_access)).await;
    assert_eq!(r.status, 401, "old access token: {}", r.text);
    let r = refresh(app, &old_refresh).await;
    assert_eq!(r.status, 401, "old refresh token: {}", r.text);
    app.login_form("pat@again.test", PW)
        .await
        .expect_detail(401, "Incorrect username or password");
}

// ---------------------------------------------------------------------------------------------
// Item 16: write contention

/// 40 concurrent writes (20 creates, 20 updates of distinct patients) and some reads: no 5xx
/// ("database is locked" on SQLite), every write lands.
pub async fn concurrent_writes_never_500(app: &TestApp) {
    let sa = app.super_admin().await;
    let c = app.account(&sa, "Busy Clinic", "admin@busy.test").await;
    let seed: Vec<Value> = (0..20)
        .map(|i| json!({"first_name": "Seed", "last_name": format!("N{i}"), "email": format!("s{i}@busy.test")}))
        .collect();
    app.post(
        "/api/patients/bulk",
        Some(&c.admin),
        &json!({"patients": seed}),
    )
    .await
    .expect(200);
    let existing = ids(app.get("/api/patients", Some(&c.admin)).await.array());
    assert_eq!(existing.len(), 20);
    let new_bodies: Vec<Value> = (0..20)
        .map(|i| json!({"first_name": "New", "last_name": format!("N{i}"), "email": format!("n{i}@busy.test"), "notes": "x"}))
        .collect();
    let paths: Vec<String> = existing
        .iter()
        .map(|id| format!("/api/patients/{id}"))
        .collect();
    let edits: Vec<Value> = (0..20)
        .map(|i| json!({"notes": format!("updated {i}"), "phone": format!("555 020 {i:04}")}))
        .collect();
    let creates: Vec<_> = new_bodies
        .iter()
        .map(|b| app.post("/api/patients", Some(&c.admin), b))
        .collect();
    let updates: Vec<_> = paths
        .iter()
        .zip(&edits)
        .map(|(path, b)| app.put(path, Some(&c.admin), b))
        .collect();
    let reads: Vec<_> = paths
        .iter()
        .take(5)
        .map(|path| app.get(path, Some(&c.admin)))
        .collect();
    let (created, updated, read) = tokio::join!(
        futures_util::future::join_all(creates),
        futures_util::future::join_all(updates),
        futures_util::future::join_all(reads),
    );
    for r in created.iter() {
        assert_eq!(r.status, 201, "create: {}", r.text);
    }
    for r in updated.iter() {
        assert_eq!(r.status, 200, "update: {}", r.text);
    }
    for r in read.iter() {
        assert_eq!(r.status, 200, "read: {}", r.text);
    }
    let all = app.get("/api/patients", Some(&c.admin)).await;
    assert_eq!(all.array().len(), 40);
    let updated_notes = all
        .array()
        .iter()
        .filter(|p| {
            p["notes"]
                .as_str()
                .is_some_and(|n| n.starts_with("updated "))
        })
        .count();
    assert_eq!(updated_notes, 20);
}

// ---------------------------------------------------------------------------------------------
// Item 18: docs switch and terse health

/// `DOCS_ENABLED=false`: no docs UI, no OpenAPI document (404), the API itself unaffected.
pub async fn docs_can_be_switched_off(backend: Backend) {
    let app = spawn_app_with(backend, &[("DOCS_ENABLED", "false")]).await;
    for path in [
        "/docs",
        "/docs/",
        "/docs/index.html",
        "/openapi.json",
        "/api/openapi.json",
    ] {
        let r = app.get(path, None).await;
        assert_eq!(r.status, 404, "{path}: {}", r.text);
    }
    app.get("/health", None).await.expect(200);
    app.shutdown().await;
}

/// In production: `/health` tells version and environment only to a super_admin; docs are off
/// unless asked for; no proxy is trusted, so `X-Forwarded-For` from anyone cannot dodge the
/// per-IP limit (item 4).
pub async fn production_defaults(backend: Backend) {
    let app = spawn_app_with(backend, &[("APP_ENV", "production")]).await;
    let sa = app.super_admin().await;
    let c = app.account(&sa, "Prod Clinic", "admin@prod.test").await;
    for (who, token) in [
        ("anonymous", None),
        ("an admin", Some(c.admin.as_str())),
        ("a bad token", Some("not-a-token")),
    ] {
        let r = app.get("/health", token).await;
        let b = r.expect(200);
        assert!(b["status"].is_string(), "{}", r.text);
        assert!(
            b.get("version").is_none() && b.get("environment").is_none(),
            "{who}: {}",
            r.text
        );
    }
    let r = app.get("/health", Some(&sa)).await;
    let b = r.expect(200);
    assert_eq!(b["environment"], "production", "{}", r.text);
    assert!(b["version"].is_string(), "{}", r.text);
    for path in ["/docs", "/docs/", "/openapi.json", "/api/openapi.json"] {
        let r = app.get(path, None).await;
        assert_eq!(r.status, 404, "{path}: {}", r.text);
    }
    // X-Forwarded-For from the loopback peer is not believed in production.
    for i in 0..50 {
        let r = app
            .send(
                app.client
                    .post(app.url("/api/auth/token"))
                    .header("X-Forwarded-For", format!("198.51.100.{i}"))
                    .form(&[
                        ("username", format!("p{i}@nowhere.test").as_str()),
                        ("password", "wrong-password-1"),
                    ]),
            )
            .await;
        assert_eq!(r.status, 401, "attempt {}: {}", i + 1, r.text);
    }
    let r = app
        .send(
            app.client
                .post(app.url("/api/auth/token"))
                .header("X-Forwarded-For", "192.0.2.200")
                .form(&[
                    ("username", "q@nowhere.test"),
                    ("password", "wrong-password-1"),
                ]),
        )
        .await;
    assert_eq!(r.status, 429, "{}", r.text);
    app.shutdown().await;
}

// ---------------------------------------------------------------------------------------------
// Item 20: outbox files

/// Outbox mail (live reset links) is readable by the owner only: files 0600, folder 0700.
pub async fn outbox_files_are_owner_only(app: &TestApp) {
    app.super_admin().await;
    app.post(
        "/api/auth/password-reset/request",
        None,
        &json!({"email": SA_EMAIL}),
    )
    .await
    .expect(200);
    app.reset_token_for(SA_EMAIL).await;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&app.outbox_dir), 0o700, "outbox folder");
        let files: Vec<_> = std::fs::read_dir(&app.outbox_dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert!(!files.is_empty());
        for f in files {
            assert_eq!(mode(&f), 0o600, "{}", f.display());
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Item 21: staff notes

/// A patient reading its own record gets `notes: null`; staff see the notes.
pub async fn patients_do_not_see_staff_notes(app: &TestApp) {
    let sa = app.super_admin().await;
    let c = app.account(&sa, "Notes Clinic", "admin@notes.test").await;
    app.user(&c.admin, "clin@notes.test", "Cleo Clin", "clinician")
        .await;
    let clin = app.token("clin@notes.test", PW).await;
    let r = app
        .post(
            "/api/patients",
            Some(&clin),
            &json!({"first_name": "Pat", "last_name": "Notes", "email": "pat@notes.test",
                    "notes": "suspected BRCA1 carrier; discuss with family first"}),
        )
        .await;
    let p = id_of(r.expect(201));
    let path = format!("/api/patients/{p}");
    let (_, patient) = patient_login(app, &c.admin, "pat@notes.test", "Pat Notes").await;
    let own = app.get(&path, Some(&patient)).await;
    let b = own.expect(200);
    assert_eq!(b["id"], p.as_str());
    assert_eq!(b["first_name"], "Pat", "the rest of the record is there");
    assert_eq!(b["notes"], Value::Null, "{}", own.text);
    assert!(!own.text.contains("BRCA1"));
    for token in [&clin, &c.admin, &sa] {
        let r = app.get(&path, Some(token)).await;
        assert_eq!(
            r.expect(200)["notes"],
            "suspected BRCA1 carrier; discuss with family first"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// The 1,000-patient PostgreSQL test

#[derive(diesel::QueryableByName)]
struct Size {
    #[diesel(sql_type = BigInt)]
    bytes: i64,
}

async fn audit_table_bytes(app: &TestApp) -> i64 {
    app.query::<Size>("SELECT pg_total_relation_size('audit_log') AS bytes")
        .await[0]
        .bytes
}

/// A clinic of realistic size on PostgreSQL: bulk-create 1,000 patients (one request) and
/// CSV-import 1,000 more, then list (1,000 a page), page through, search; every answer 200 with
/// the right counts, and every import and list read is exactly one audit row of its size.
/// Prints the audit table's growth per 1,000-row list read (docs/operations.md).
pub async fn thousand_patients(app: &TestApp) {
    assert_eq!(app.backend(), Backend::Postgres);
    let sa = app.super_admin().await;
    let c = app.account(&sa, "Big Clinic", "admin@big.test").await;
    let mut cursor = AuditCursor::start(app).await;

    let bulk: Vec<Value> = (0..1000)
        .map(|i| json!({"first_name": format!("Bulk{i:04}"), "last_name": "Big", "email": format!("bulk{i:04}@big.test"), "external_id": format!("B-{i:04}")}))
        .collect();
    let t = Instant::now();
    let r = app
        .post(
            "/api/patients/bulk",
            Some(&c.admin),
            &json!({"patients": bulk}),
        )
        .await;
    let b = r.expect(200);
    assert_eq!(
        (b["successful_count"].as_u64(), b["failed_count"].as_u64()),
        (Some(1000), Some(0)),
        "{}",
        r.text
    );
    eprintln!("bulk import of 1,000: {:?}", t.elapsed());
    let row = cursor.one(app, "bulk import").await;
    assert_eq!(
        (row.action.as_str(), row.record_count),
        ("create", Some(1000))
    );
    assert_eq!(row.ids().len(), 1000);

    let csv: String = std::iter::once("email,first_name,last_name,date_of_birth\n".to_owned())
        .chain((0..1000).map(|i| {
            format!(
                "csv{i:04}@big.test,Csv{i:04},Big,1970-01-{:02}\n",
                i % 28 + 1
            )
        }))
        .collect();
    let t = Instant::now();
    let r = app
        .import_csv(&c.admin, "big.csv", csv.as_bytes(), &[])
        .await;
    let b = r.expect(200);
    assert_eq!(
        (b["successful_count"].as_u64(), b["failed_count"].as_u64()),
        (Some(1000), Some(0)),
        "{}",
        r.text
    );
    eprintln!("CSV import of 1,000: {:?}", t.elapsed());
    let row = cursor.one(app, "CSV import").await;
    assert_eq!(
        (row.action.as_str(), row.record_count),
        ("create", Some(1000))
    );

    // Pages of 1,000, then of 300: together every patient once.
    let mut seen = HashSet::new();
    for offset in [0, 1000] {
        let t = Instant::now();
        let r = app
            .get(
                &format!("/api/patients?limit=1000&offset={offset}"),
                Some(&c.admin),
            )
            .await;
        r.expect(200);
        eprintln!("list of 1,000 (offset {offset}): {:?}", t.elapsed());
        let page = ids(r.array());
        assert_eq!(page.len(), 1000);
        assert_many(&cursor.one(app, "list read").await, "read", &page);
        seen.extend(page);
    }
    assert_eq!(
        seen.len(),
        2000,
        "two pages of 1,000 cover every patient once"
    );
    let r = app
        .get("/api/patients?limit=1000&offset=2000", Some(&c.admin))
        .await;
    assert!(r.expect(200).as_array().unwrap().is_empty());
    let mut paged = Vec::new();
    for offset in (0..2000).step_by(300) {
        let r = app
            .get(
                &format!("/api/patients?limit=300&skip={offset}"),
                Some(&c.admin),
            )
            .await;
        r.expect(200);
        let page = ids(r.array());
        assert_eq!(page.len(), (2000 - offset).min(300));
        assert_many(&cursor.one(app, "page read").await, "read", &page);
        paged.extend(page);
    }
    assert_eq!(paged.len(), 2000);
    assert_eq!(
        paged.iter().collect::<HashSet<_>>().len(),
        2000,
        "paging repeats and skips nothing"
    );

    // Search.
    for (term, n) in [
        ("Csv05", 100),
        ("bulk0999", 1),
        ("Big", 1000),
        ("Nobody", 0),
    ] {
        let r = app
            .get(
                &format!("/api/patients?search={term}&limit=1000"),
                Some(&c.admin),
            )
            .await;
        assert_eq!(r.expect(200).as_array().unwrap().len(), n, "search {term}");
        let rows = cursor.new_rows(app).await;
        if n == 0 {
            assert!(rows.len() <= 1, "{rows:?}");
        } else {
            assert_eq!(rows.len(), 1, "search {term}");
            assert_eq!(rows[0].record_count, Some(i32::try_from(n).unwrap()));
            assert_eq!(rows[0].query_json()["search"], true);
        }
    }

    // Growth of the audit table per list read of 1,000 patients.
    let reads = 50;
    let before = audit_table_bytes(app).await;
    for _ in 0..reads {
        app.get("/api/patients?limit=1000", Some(&c.admin))
            .await
            .expect(200);
    }
    let after = audit_table_bytes(app).await;
    let rows = cursor.new_rows(app).await;
    assert_eq!(rows.len(), reads, "one row per read");
    assert!(rows.iter().all(|r| r.record_count == Some(1000)));
    #[derive(diesel::QueryableByName)]
    struct Column {
        #[diesel(sql_type = BigInt)]
        stored: i64,
        #[diesel(sql_type = BigInt)]
        raw: i64,
    }
    let col = app
        .query::<Column>(
            "SELECT pg_column_size(record_ids)::BIGINT AS stored, \
             octet_length(record_ids)::BIGINT AS raw \
             FROM audit_log WHERE record_count = 1000 AND action = 'read' LIMIT 1",
        )
        .await;
    let per_read = (after - before) / i64::try_from(reads).unwrap();
    eprintln!(
        "AUDIT GROWTH: {reads} list reads of 1,000 patients grew audit_log (table + TOAST + \
         indexes) by {} bytes: {per_read} bytes per read; record_ids {} bytes raw, {} stored",
        after - before,
        col[0].raw,
        col[0].stored
    );
    assert_eq!(col[0].raw, 16_000);
    assert!(
        (16_000..=24_000).contains(&per_read),
        "16 KB of ids per read plus the row, TOAST and index overhead: {per_read}"
    );
}
