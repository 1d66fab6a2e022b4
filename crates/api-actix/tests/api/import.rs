//! CSV import and bulk create (contract §3.3).

use crate::helpers::{PW, Resp, TestApp};
use serde_json::{Value, json};

impl TestApp {
    /// Upload `content` as multipart `file` named `filename`.
    pub async fn import_csv(
        &self,
        token: &str,
        filename: &str,
        content: &[u8],
        extra: &[(&str, &str)],
    ) -> Resp {
        let mut form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(content.to_vec())
                .file_name(filename.to_owned())
                .mime_str("text/csv")
                .unwrap(),
        );
        for (k, v) in extra {
            form = form.text((*k).to_owned(), (*v).to_owned());
        }
        self.send(
            self.client
                .post(self.url("/api/patients/import-csv"))
                .bearer_auth(token)
                .multipart(form),
        )
        .await
    }
}

fn errors_by_row(b: &Value) -> Vec<(u64, Option<String>)> {
    b["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            assert!(e["error"].as_str().is_some_and(|s| !s.is_empty()), "{e}");
            (
                e["row"].as_u64().unwrap(),
                e["email"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

pub async fn csv_import_rows_errors_and_reimport(app: &TestApp) {
    let sa = app.super_admin().await;
    let c = app.account(&sa, "Csv Clinic", "admin@csv.test").await;
    let cid = app
        .user(&c.admin, "clin@csv.test", "Cleo Clin", "clinician")
        .await;
    let clin = app.token("clin@csv.test", PW).await;
    let csv = "\u{feff}Email,First_Name,Last_Name,phone,external_id,date_of_birth,notes,unknown\r\n\
               ann@csv.test,Ann,Lee,555-123-4567,A-1,1980-01-02,hello,zz\r\n\
               ,NoEmail,Person,,,,,\r\n\
               bo@csv.test,Bo,Ng,,,,,\r\n\
               ann@csv.test,Ann,Again,,,,,\r\n\
               bad-email,Cy,Bad,,,,,\r\n\
               dee@csv.test,Dee,Future,,,2999-01-01,,\r\n";
    let r = app
        .import_csv(&clin, "patients.csv", csv.as_bytes(), &[])
        .await;
    let b = r.expect(200);
    assert_eq!(b["successful_count"], 2, "{b}");
    assert_eq!(b["failed_count"], 4, "{b}");
    assert_eq!(
        errors_by_row(b),
        [
            (3, None),
            (5, Some("ann@csv.test".to_owned())),
            (6, Some("bad-email".to_owned())),
            (7, Some("dee@csv.test".to_owned())),
        ]
    );
    let samples = b["sample_patients"].as_array().unwrap();
    assert_eq!(samples.len(), 2);
    let ann = samples
        .iter()
        .find(|p| p["email"] == "ann@csv.test")
        .unwrap();
    crate::patients::assert_patient_shape(ann);
    assert_eq!(ann["name"], "Ann Lee");
    assert_eq!(ann["phone"], "555-123-4567");
    assert_eq!(ann["external_id"], "A-1");
    assert_eq!(ann["date_of_birth"], "1980-01-02");
    assert_eq!(ann["notes"], "hello");
    assert_eq!(
        ann["clinician_id"],
        cid.as_str(),
        "the importing clinician by default"
    );
    assert_eq!(
        app.get("/api/patients", Some(&c.admin)).await.array().len(),
        2
    );
    // Re-importing the same file creates nothing new: valid rows are now duplicates.
    let r = app
        .import_csv(&clin, "patients.csv", csv.as_bytes(), &[])
        .await;
    let b = r.expect(200);
    assert_eq!(b["successful_count"], 0, "{b}");
    assert_eq!(b["failed_count"], 6, "{b}");
    let rows: Vec<u64> = errors_by_row(b).iter().map(|(r, _)| *r).collect();
    assert_eq!(rows, [2, 3, 4, 5, 6, 7]);
    assert!(b["sample_patients"].as_array().unwrap().is_empty());
    assert_eq!(
        app.get("/api/patients", Some(&c.admin)).await.array().len(),
        2
    );
}

pub async fn csv_import_clinician_and_account(app: &TestApp) {
    let sa = app.super_admin().await;
    let c = app.account(&sa, "Csv Clinic", "admin@csv.test").await;
    let cid = app
        .user(&c.admin, "clin@csv.test", "Cleo Clin", "clinician")
        .await;
    let csv = b"email,first_name,last_name\nx@csv.test,Xi,Ex\n";
    // A clinician_id form field.
    let r = app
        .import_csv(&c.admin, "p.CSV", csv, &[("clinician_id", cid.as_str())])
        .await;
    let b = r.expect(200);
    assert_eq!(b["successful_count"], 1);
    assert_eq!(b["sample_patients"][0]["clinician_id"], cid.as_str());
    // Or as a query parameter.
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(
            b"email,first_name,last_name\nq@csv.test,Qi,Que\n".to_vec(),
        )
        .file_name("q.csv"),
    );
    let r = app
        .send(
            app.client
                .post(app.url(&format!("/api/patients/import-csv?clinician_id={cid}")))
                .bearer_auth(&c.admin)
                .multipart(form),
        )
        .await;
    assert_eq!(
        r.expect(200)["sample_patients"][0]["clinician_id"],
        cid.as_str()
    );
    // An unknown clinician: 404.
    let r = app
        .import_csv(
            &c.admin,
            "p.csv",
            b"email,first_name,last_name\ny@csv.test,Yi,Why\n",
            &[("clinician_id", &uuid::Uuid::new_v4().to_string())],
        )
        .await;
    assert_eq!(r.status, 404, "{}", r.text);
    // The super admin must name the account (form field).
    let r = app
        .import_csv(
            &sa,
            "p.csv",
            b"email,first_name,last_name\nz@csv.test,Zi,Zed\n",
            &[],
        )
        .await;
    r.expect_422_at(&["body", "account_id"]);
    let r = app
        .import_csv(
            &sa,
            "p.csv",
            b"email,first_name,last_name\nz@csv.test,Zi,Zed\n",
            &[("account_id", c.account_id.as_str())],
        )
        .await;
    assert_eq!(r.expect(200)["successful_count"], 1);
    // Roles without patient rights.
    app.user(&c.admin, "lab@csv.test", "Lou Lab", "lab_tech")
        .await;
    let lab = app.token("lab@csv.test", PW).await;
    app.import_csv(&lab, "p.csv", csv, &[])
        .await
        .expect_detail(403, "Not enough permissions");
}

pub async fn csv_import_file_errors(app: &TestApp) {
    let sa = app.super_admin().await;
    let c = app.account(&sa, "Csv Clinic", "admin@csv.test").await;
    let good = b"email,first_name,last_name\nx@csv.test,Xi,Ex\n";
    for name in ["patients.txt", "patients.xlsx", "patients.csv.exe"] {
        let r = app.import_csv(&c.admin, name, good, &[]).await;
        r.expect_422_at(&["body", "file"]);
    }
    for content in [
        &b"email,first_name\nx@csv.test,Xi\n"[..],
        b"mail,first,last\nx@csv.test,Xi,Ex\n",
        b"",
        b"\xff\xfe\x00e\x00m",
    ] {
        let r = app.import_csv(&c.admin, "p.csv", content, &[]).await;
        r.expect_422_at(&["body", "file"]);
    }
    // No file part at all.
    let form = reqwest::multipart::Form::new().text("clinician_id", "");
    let r = app
        .send(
            app.client
                .post(app.url("/api/patients/import-csv"))
                .bearer_auth(&c.admin)
                .multipart(form),
        )
        .await;
    r.expect_422_at(&["body", "file"]);
    assert!(
        app.get("/api/patients", Some(&c.admin))
            .await
            .array()
            .is_empty()
    );
}

/// Rows are numbered as in a spreadsheet: a blank line still occupies a row.
pub async fn csv_row_numbers_count_blank_lines(app: &TestApp) {
    let sa = app.super_admin().await;
    let c = app.account(&sa, "Csv Clinic", "admin@csv.test").await;
    let csv = "email,first_name,last_name\na@csv.test,A,One\n,,\nbad,B,Two\n";
    let r = app.import_csv(&c.admin, "p.csv", csv.as_bytes(), &[]).await;
    let b = r.expect(200);
    assert_eq!(b["successful_count"], 1, "{b}");
    assert_eq!(
        errors_by_row(b).iter().map(|(r, _)| *r).collect::<Vec<_>>(),
        [4],
        "`bad` is on spreadsheet row 4: {b}"
    );
}

pub async fn bulk_create(app: &TestApp) {
    let sa = app.super_admin().await;
    let c = app.account(&sa, "Bulk Clinic", "admin@bulk.test").await;
    let cid = app
        .user(&c.admin, "clin@bulk.test", "Cleo Clin", "clinician")
        .await;
    let r = app
        .post(
            "/api/patients/bulk",
            Some(&c.admin),
            &json!({
                "clinician_id": cid,
                "patients": [
                    {"first_name": "A", "last_name": "One", "email": "a@bulk.test"},
                    {"first_name": "B", "last_name": "Two", "email": "b@bulk.test", "phone": "555-000-1234"},
                    {"first_name": "", "last_name": "Three", "email": "c@bulk.test"},
                    {"first_name": "D", "last_name": "Dup", "email": "A@bulk.test"},
                ]
            }),
        )
        .await;
    let b = r.expect(200);
    assert_eq!(b["successful_count"], 2, "{b}");
    assert_eq!(b["failed_count"], 2, "{b}");
    let emails: Vec<_> = b["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["email"].clone())
        .collect();
    assert_eq!(emails, [json!("c@bulk.test"), json!("A@bulk.test")]);
    let samples = b["sample_patients"].as_array().unwrap();
    assert_eq!(samples.len(), 2);
    assert!(samples.iter().all(|p| p["clinician_id"] == cid.as_str()));
    assert_eq!(
        app.get("/api/patients", Some(&c.admin)).await.array().len(),
        2
    );
    // 1..1000 patients.
    let r = app
        .post(
            "/api/patients/bulk",
            Some(&c.admin),
            &json!({"patients": []}),
        )
        .await;
    r.expect_422_at(&["body", "patients"]);
    let r = app
        .post("/api/patients/bulk", Some(&c.admin), &json!({}))
        .await;
    r.expect_422_at(&["body", "patients"]);
    let many: Vec<Value> = (0..1001)
        .map(|i| json!({"first_name": "M", "last_name": "Any", "email": format!("m{i}@bulk.test")}))
        .collect();
    let r = app
        .post(
            "/api/patients/bulk",
            Some(&c.admin),
            &json!({"patients": many}),
        )
        .await;
    r.expect_422_at(&["body", "patients"]);
    assert_eq!(
        app.get("/api/patients", Some(&c.admin)).await.array().len(),
        2
    );
}

pub async fn csv_import_limits(app: &TestApp) {
    let sa = app.super_admin().await;
    let c = app.account(&sa, "Lim Clinic", "admin@lim.test").await;
    // At most 5 sample patients.
    let mut csv = String::from("email,first_name,last_name\n");
    for i in 0..7 {
        csv.push_str(&format!("p{i}@lim.test,P{i},Lim\n"));
    }
    let r = app.import_csv(&c.admin, "p.csv", csv.as_bytes(), &[]).await;
    let b = r.expect(200);
    assert_eq!(b["successful_count"], 7);
    assert_eq!(b["sample_patients"].as_array().unwrap().len(), 5);
    // More than 5000 data rows: 422 on the file, nothing created.
    let mut csv = String::from("email,first_name,last_name\n");
    for i in 0..5001 {
        csv.push_str(&format!("m{i}@lim.test,M,Any\n"));
    }
    let r = app.import_csv(&c.admin, "p.csv", csv.as_bytes(), &[]).await;
    r.expect_422_at(&["body", "file"]);
    assert_eq!(
        app.get("/api/patients", Some(&c.admin)).await.array().len(),
        7
    );
}

pub async fn csv_over_5_mib_is_413(app: &TestApp) {
    let sa = app.super_admin().await;
    let c = app.account(&sa, "Big Clinic", "admin@bigcsv.test").await;
    let mut csv = String::from("email,first_name,last_name,notes\n");
    let notes = "n".repeat(4000);
    let mut i = 0;
    while csv.len() <= 5 * 1024 * 1024 + 10 {
        csv.push_str(&format!("b{i}@big.test,B,Ig,{notes}\n"));
        i += 1;
    }
    let r = app.import_csv(&c.admin, "p.csv", csv.as_bytes(), &[]).await;
    assert_eq!(r.status, 413, "{}", &r.text[..r.text.len().min(300)]);
    assert!(r.body["detail"].is_string());
    assert!(
        app.get("/api/patients", Some(&c.admin))
            .await
            .array()
            .is_empty()
    );
}
