//! Items 5 and 13: control characters in input, JSON errors in our words.

use super::*;

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
