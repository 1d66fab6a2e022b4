//! Knowledge sources (contract §3.6) over HTTP on the local store: upload (fields before or
//! after the file, or in the query), JSON creation, list filters, get, update, delete with its
//! object and strategy links; who sees which source; bad input of every kind answered 4xx with
//! nothing half-written (every document row has its object and every object its row).

use crate::files::{EXE, PDF};
use crate::helpers::{PW, Resp, TestApp, ids};
use reqwest::multipart::{Form, Part};
use serde_json::json;

const SOURCES: &str = "/api/v1/chat-configuration/knowledge-sources";
const STRATEGIES: &str = "/api/v1/chat-configuration/strategies";

/// `POST /knowledge-sources/upload{query}` of a form.
async fn upload_form(app: &TestApp, token: &str, query: &str, form: Form) -> Resp {
    app.send(
        app.client
            .post(app.url(&format!("{SOURCES}/upload{query}")))
            .bearer_auth(token)
            .multipart(form),
    )
    .await
}

fn file(name: &str, bytes: &[u8]) -> Part {
    Part::bytes(bytes.to_vec()).file_name(name.to_owned())
}

#[derive(diesel::QueryableByName, Debug)]
struct Key {
    #[diesel(sql_type = diesel::sql_types::Text)]
    file_key: String,
}

#[derive(diesel::QueryableByName, Debug)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// Every knowledge document on disk has its row and every row its object; the keys.
async fn consistent(app: &TestApp) -> Vec<String> {
    let mut rows: Vec<String> = app
        .query::<Key>("SELECT file_key FROM knowledge_sources WHERE file_key IS NOT NULL")
        .await
        .into_iter()
        .map(|k| k.file_key)
        .collect();
    rows.sort();
    let root = app.data_dir().join("files");
    let mut objects = Vec::new();
    walk(&root, &root.join("knowledge"), &mut objects);
    objects.sort();
    assert_eq!(objects, rows, "knowledge objects on disk and rows differ");
    rows
}

fn walk(root: &std::path::Path, dir: &std::path::Path, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.filter_map(Result::ok) {
        let path = e.path();
        if path.is_dir() {
            walk(root, &path, out);
        } else {
            let rel = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            out.push(rel.replace('\\', "/"));
        }
    }
}

async fn links(app: &TestApp) -> i64 {
    app.query::<Count>("SELECT COUNT(*) AS n FROM chat_strategy_knowledge_sources")
        .await[0]
        .n
}

/// A second clinician of account A, logged in.
async fn colleague(app: &TestApp, admin: &str) -> String {
    app.user(admin, "colleague@alpha.test", "Col League", "physician")
        .await;
    app.token("colleague@alpha.test", PW).await
}

pub async fn knowledge_sources_lifecycle(app: &TestApp) {
    let t = app.tenancy().await;
    let me = &t.a.clinician;
    // Upload as the frontend does: the file first, then name, description, access_level=private.
    let form = Form::new()
        .part("file", file("NCCN Guide (v2).PDF", PDF))
        .text("name", "NCCN breast")
        .text("description", "Reference")
        .text("access_level", "private");
    let r = upload_form(app, me, "", form).await;
    let pdf = r.expect(201).clone();
    let pdf_id = pdf["id"].as_str().unwrap().to_owned();
    let key = format!("knowledge/{}/{pdf_id}/NCCN_Guide_v2_.pdf", t.a.account_id);
    assert_eq!(pdf["file_path"], key.as_str());
    assert_eq!(pdf["name"], "NCCN breast");
    assert_eq!(pdf["description"], "Reference");
    assert_eq!(pdf["source_type"], "file");
    assert_eq!(pdf["access_level"], "user");
    assert_eq!(pdf["processing_status"], "completed");
    assert_eq!(pdf["content_type"], "application/pdf");
    assert_eq!(pdf["file_size"], PDF.len());
    assert_eq!(pdf["account_id"], t.a.account_id.as_str());
    assert_eq!(pdf["uploaded_by"], t.a.clinician_id.as_str());
    assert_eq!(pdf["url"], json!(null));
    assert_eq!(pdf["is_active"], true);
    let on_disk = std::fs::read(app.data_dir().join("files").join(&key)).unwrap();
    assert_eq!(on_disk, PDF);
    // Fields in the query; the name defaults to the sanitised filename.
    let r = upload_form(
        app,
        me,
        "?access_level=account&_cb=1",
        Form::new().part("file", file("notes.md", b"# Notes\n")),
    )
    .await;
    let md = r.expect(201).clone();
    assert_eq!(md["name"], "notes.md");
    assert_eq!(md["access_level"], "account");
    assert_eq!(md["content_type"], "text/markdown; charset=utf-8");
    // JSON creation: a link, and a guideline record without url (default access: account).
    let r = app
        .post(
            SOURCES,
            Some(me),
            &json!({"name": "Link", "source_type": "Custom_Link", "url": "https://nccn.org/x", "description": ""}),
        )
        .await;
    let link = r.expect(201).clone();
    assert_eq!(link["url"], "https://nccn.org/x");
    assert_eq!(link["source_type"], "custom_link");
    assert_eq!(link["access_level"], "account");
    assert_eq!(link["file_path"], json!(null));
    assert_eq!(link["description"], json!(null));
    let link_id = link["id"].as_str().unwrap().to_owned();
    // Lists (newest first, then by id: these three share their second); filters.
    let all = app.get(SOURCES, Some(me)).await;
    let mut listed = ids(all.array());
    let mut made = vec![
        pdf_id.clone(),
        md["id"].as_str().unwrap().to_owned(),
        link_id.clone(),
    ];
    listed.sort();
    made.sort();
    assert_eq!(listed, made);
    let r = app
        .get(&format!("{SOURCES}?source_type=custom_link"), Some(me))
        .await;
    assert_eq!(ids(r.array()), std::slice::from_ref(&link_id));
    let r = app
        .get(&format!("{SOURCES}/?processing_status=pending"), Some(me))
        .await;
    assert!(r.array().is_empty());
    let r = app
        .get(&format!("{SOURCES}?limit=1&skip=1"), Some(me))
        .await;
    assert_eq!(r.array().len(), 1);
    // The private document: its uploader and the account's admins; not a colleague.
    let other = colleague(app, &t.a.admin).await;
    let seen = app.get(SOURCES, Some(&other)).await;
    assert_eq!(seen.array().len(), 2);
    assert!(!ids(seen.array()).contains(&pdf_id));
    app.get(&format!("{SOURCES}/{pdf_id}"), Some(&other))
        .await
        .expect_detail(404, "Knowledge source not found");
    assert_eq!(app.get(SOURCES, Some(&t.a.admin)).await.array().len(), 3);
    app.get(&format!("{SOURCES}/{pdf_id}"), Some(&t.a.admin))
        .await
        .expect(200);
    // PUT: `title` is `name`; shared with the account now.
    let r = app
        .put(
            &format!("{SOURCES}/{pdf_id}"),
            Some(me),
            &json!({"title": "NCCN v2", "access_level": "ACCOUNT", "description": null}),
        )
        .await;
    let changed = r.expect(200);
    assert_eq!(changed["name"], "NCCN v2");
    assert_eq!(changed["access_level"], "account");
    assert_eq!(changed["description"], json!(null));
    app.get(&format!("{SOURCES}/{pdf_id}"), Some(&other))
        .await
        .expect(200);
    // A strategy links them; its JSON names them.
    let r = app
        .post(
            STRATEGIES,
            Some(me),
            &json!({"name": "With sources", "knowledge_source_ids": [pdf_id, link_id]}),
        )
        .await;
    let strategy = r.expect(201).clone();
    let sid = strategy["id"].as_str().unwrap().to_owned();
    let mut got: Vec<_> = strategy["knowledge_sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            let id = k["id"].as_str().unwrap().to_owned();
            (id, k["source_type"].as_str().unwrap().to_owned())
        })
        .collect();
    got.sort();
    let mut want = vec![
        (pdf_id.clone(), "file".to_owned()),
        (link_id.clone(), "custom_link".to_owned()),
    ];
    want.sort();
    assert_eq!(got, want);
    assert_eq!(links(app).await, 2);
    // Delete: the record, the object and the strategy link.
    let r = app.delete(&format!("{SOURCES}/{pdf_id}"), Some(me)).await;
    assert_eq!(
        r.expect(200)["message"],
        "Knowledge source deleted successfully"
    );
    assert!(!app.data_dir().join("files").join(&key).exists());
    app.get(&format!("{SOURCES}/{pdf_id}"), Some(me))
        .await
        .expect(404);
    app.delete(&format!("{SOURCES}/{pdf_id}"), Some(me))
        .await
        .expect(404);
    let s = app.get(&format!("{STRATEGIES}/{sid}"), Some(me)).await;
    assert_eq!(
        s.expect(200)["knowledge_sources"],
        json!([{"id": link_id, "name": "Link", "source_type": "custom_link"}])
    );
    assert_eq!(links(app).await, 1);
    // An update replaces the links.
    let r = app
        .put(
            &format!("{STRATEGIES}/{sid}"),
            Some(me),
            &json!({"knowledge_source_ids": []}),
        )
        .await;
    assert_eq!(r.expect(200)["knowledge_sources"], json!([]));
    assert_eq!(links(app).await, 0);
    assert_eq!(consistent(app).await.len(), 1, "the markdown document");
}

pub async fn knowledge_roles_and_tenancy(app: &TestApp) {
    let t = app.tenancy().await;
    let r = app
        .post(
            SOURCES,
            Some(&t.b.admin),
            &json!({"name": "B's", "source_type": "protocol"}),
        )
        .await;
    let foreign = r.expect(201)["id"].as_str().unwrap().to_owned();
    // Roles outside the chat configuration: 403 before anything is read.
    app.user(&t.a.admin, "lab@alpha.test", "Lab Tech", "lab_tech")
        .await;
    app.user(&t.a.admin, "member@alpha.test", "Mem Ber", "user")
        .await;
    for email in ["lab@alpha.test", "member@alpha.test"] {
        let tok = app.token(email, PW).await;
        app.get(SOURCES, Some(&tok)).await.expect(403);
        app.get(&format!("{SOURCES}/{foreign}"), Some(&tok))
            .await
            .expect(403);
        app.post(
            SOURCES,
            Some(&tok),
            &json!({"name": "x", "source_type": "protocol"}),
        )
        .await
        .expect(403);
        upload_form(app, &tok, "", Form::new().part("file", file("a.txt", b"x")))
            .await
            .expect(403);
    }
    app.get(SOURCES, None).await.expect(401);
    // Another account's source: 404 everywhere, and as a strategy link.
    for token in [&t.a.admin, &t.a.clinician] {
        let path = format!("{SOURCES}/{foreign}");
        app.get(&path, Some(token))
            .await
            .expect_detail(404, "Knowledge source not found");
        app.put(&path, Some(token), &json!({"name": "mine"}))
            .await
            .expect(404);
        app.delete(&path, Some(token)).await.expect(404);
        assert!(app.get(SOURCES, Some(token)).await.array().is_empty());
        app.post(
            STRATEGIES,
            Some(token),
            &json!({"name": "steal", "knowledge_source_ids": [foreign]}),
        )
        .await
        .expect_detail(404, "Knowledge source not found");
    }
    // An account filter of another account matches nothing.
    let r = app
        .get(
            &format!("{SOURCES}?account_id={}", t.b.account_id),
            Some(&t.a.admin),
        )
        .await;
    assert!(r.array().is_empty());
    // Naming another account in a create: 404.
    app.post(
        SOURCES,
        Some(&t.a.admin),
        &json!({"name": "x", "source_type": "protocol", "account_id": t.b.account_id}),
    )
    .await
    .expect_detail(404, "Account not found");
    // A super_admin sees every account, names the account of an upload, and links sources of
    // the strategy's account only.
    let r = upload_form(
        app,
        &t.sa,
        "",
        Form::new().part("file", file("a.txt", b"hello")),
    )
    .await;
    r.expect_422_at(&["body", "account_id"]);
    let form = Form::new()
        .text("account_id", t.a.account_id.clone())
        .part("file", file("a.txt", b"hello"));
    let r = upload_form(app, &t.sa, "", form).await;
    assert_eq!(r.expect(201)["account_id"], t.a.account_id.as_str());
    let r = upload_form(
        app,
        &t.sa,
        &format!("?account_id={}", uuid::Uuid::new_v4()),
        Form::new().part("file", file("a.txt", b"hello")),
    )
    .await;
    r.expect_detail(404, "Account not found");
    assert_eq!(app.get(SOURCES, Some(&t.sa)).await.array().len(), 2);
    let r = app
        .get(
            &format!("{SOURCES}?account_id={}", t.b.account_id),
            Some(&t.sa),
        )
        .await;
    assert_eq!(ids(r.array()), std::slice::from_ref(&foreign));
    app.post(
        STRATEGIES,
        Some(&t.sa),
        &json!({"name": "cross", "account_id": t.a.account_id, "knowledge_source_ids": [foreign]}),
    )
    .await
    .expect_detail(404, "Knowledge source not found");
    assert_eq!(consistent(app).await.len(), 1);
}

pub async fn knowledge_bad_input(app: &TestApp) {
    let t = app.tenancy().await;
    let me = &t.a.clinician;
    let one = |name: &str, bytes: &[u8]| Form::new().part("file", file(name, bytes));
    // Types: an extension not allowed, an executable renamed .pdf, a type files accept but
    // sources do not.
    for (name, bytes) in [
        ("setup.exe", EXE),
        ("invoice.pdf", EXE),
        ("table.csv", b"a,b\n" as &[u8]),
        ("noextension", b"hello"),
    ] {
        let r = upload_form(app, me, "", one(name, bytes)).await;
        assert_eq!(r.status, 415, "{name}: {}", r.text);
    }
    // An empty file; no file part; broken framing.
    upload_form(app, me, "", one("empty.txt", b""))
        .await
        .expect_422_at(&["body", "file"]);
    upload_form(app, me, "", Form::new().text("name", "no file"))
        .await
        .expect_422_at(&["body", "file"]);
    app.post_raw(
        &format!("{SOURCES}/upload"),
        Some(me),
        "multipart/form-data; boundary=XyZ",
        b"--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\nhello"
            .to_vec(),
    )
    .await
    .expect(422);
    // Oversize: 413 from Content-Length.
    let big = vec![b'a'; 26 * 1024 * 1024];
    upload_form(app, me, "", one("big.txt", &big))
        .await
        .expect_detail(413, "File exceeds the maximum size of 25 MB");
    // Bad fields after the file: 422 naming the field, and the stored object is removed again.
    let long = "n".repeat(256);
    for (field, value) in [("access_level", "public"), ("name", long.as_str())] {
        let form = one("ok.txt", b"hello").text(field, value.to_owned());
        upload_form(app, me, "", form)
            .await
            .expect_422_at(&["body", field]);
    }
    // A field after the file that is too long to be a field: 413, object removed.
    let form = one("ok.txt", b"hello").text("description", "d".repeat(9000));
    upload_form(app, me, "", form).await.expect(413);
    // JSON creation.
    for (body, field) in [
        (
            json!({"name": "x", "source_type": "custom_link", "url": "http://nccn.org"}),
            "url",
        ),
        (json!({"name": "x", "source_type": "custom_link"}), "url"),
        (
            json!({"name": "x", "source_type": "guideline", "url": "javascript:alert(1)"}),
            "url",
        ),
        (
            json!({"name": "x", "source_type": "guideline", "access_level": "everyone"}),
            "access_level",
        ),
        (
            json!({"name": "x", "source_type": "podcast"}),
            "source_type",
        ),
        (json!({"name": "x", "source_type": "file"}), "source_type"),
        (json!({"name": "x"}), "source_type"),
        (json!({"name": long, "source_type": "guideline"}), "name"),
        (json!({"name": "  ", "source_type": "guideline"}), "name"),
        (
            json!({"name": "x\u{0}y", "source_type": "guideline"}),
            "name",
        ),
        (
            json!({"name": "x", "source_type": "guideline", "description": "d".repeat(2001)}),
            "description",
        ),
    ] {
        app.post(SOURCES, Some(me), &body)
            .await
            .expect_422_at(&["body", field]);
    }
    app.post_raw(SOURCES, Some(me), "application/json", b"{not json".to_vec())
        .await
        .expect(422);
    // Updates and ids.
    let r = app
        .post(
            SOURCES,
            Some(me),
            &json!({"name": "ok", "source_type": "guideline"}),
        )
        .await;
    let id = r.expect(201)["id"].as_str().unwrap().to_owned();
    let path = format!("{SOURCES}/{id}");
    for (body, field) in [
        (json!({"name": ""}), "name"),
        (json!({"title": null}), "name"),
        (json!({"access_level": null}), "access_level"),
        (json!({"access_level": "world"}), "access_level"),
        (json!({"is_active": null}), "is_active"),
        (json!({"is_active": "maybe"}), "is_active"),
    ] {
        app.put(&path, Some(me), &body)
            .await
            .expect_422_at(&["body", field]);
    }
    for bad in [
        "not-a-uuid",
        "00000000-0000-0000-0000-000000000000",
        "..%2f..%2fetc",
    ] {
        app.get(&format!("{SOURCES}/{bad}"), Some(me))
            .await
            .expect(404);
        app.delete(&format!("{SOURCES}/{bad}"), Some(me))
            .await
            .expect(404);
    }
    for q in [
        "source_type=nope",
        "processing_status=done",
        "limit=0",
        "limit=101",
        "skip=-1",
    ] {
        let r = app.get(&format!("{SOURCES}?{q}"), Some(me)).await;
        assert_eq!(r.status, 422, "{q}: {}", r.text);
    }
    // Strategy links: a malformed or unknown id is not found.
    for bad in [json!(["nope"]), json!([uuid::Uuid::new_v4()])] {
        app.post(
            STRATEGIES,
            Some(me),
            &json!({"name": "x", "knowledge_source_ids": bad}),
        )
        .await
        .expect_detail(404, "Knowledge source not found");
    }
    assert!(consistent(app).await.is_empty(), "no document was kept");
    let r = app.get(SOURCES, Some(me)).await;
    assert_eq!(ids(r.array()), [id], "only the one good record");
}
