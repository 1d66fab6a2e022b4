//! Bad input of every kind: 4xx (never a 500), and nothing half-written.

use super::{EXE, PDF, consistent, fetch, form, upload, upload_form};
use crate::helpers::TestApp;
use reqwest::multipart::{Form, Part};

/// Names that try to leave the caller's prefix are sanitised into it; keys given by the caller
/// must be exactly under its own prefix.
pub async fn hostile_names_and_keys(app: &TestApp) {
    let t = app.tenancy().await;
    let token = &t.a.admin;
    let me = app.get("/api/auth/me", Some(token)).await.str("id");
    let cases = [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("..\\..\\boot.ini.txt", "boot.ini.txt"),
        ("..%2f..%2fsecret.txt", "2f._2fsecret.txt"),
        ("...txt", "txt"),
        (".hidden.txt", "hidden.txt"),
        ("ｆｕｌｌ　ｗｉｄｔｈ.TXT", "full_width.txt"),
    ];
    for (raw, want) in cases {
        let r = upload(app, token, raw, b"hello").await;
        if want == "txt" {
            // No extension left: not an allowed type.
            r.expect(415);
            continue;
        }
        assert_eq!(r.status, 200, "{raw:?}: {}", r.text);
        assert_eq!(
            r.body["file_key"],
            format!("uploads/{me}/{want}"),
            "{raw:?}"
        );
    }
    // NUL and control characters cannot travel in a part's header: the framing is refused (the
    // sanitiser drops them too, see the domain's property tests).
    upload(app, token, "a\0b\u{1}c.txt", b"hello")
        .await
        .expect_422_at(&["body", "file"]);
    let long = format!("{}.txt", "x".repeat(400));
    let r = upload(app, token, &long, b"hello").await;
    assert_eq!(r.expect(200)["filename"].as_str().unwrap().len(), 120);
    for key in [
        format!("uploads/{me}/../{}/x.txt", t.a.clinician_id),
        format!("uploads/{me}/..%2f..%2fx.txt"),
        format!("uploads%2f{}%2fpasswd.txt", t.a.clinician_id),
        format!("uploads/{me}/passwd.txt%00.pdf"),
        "/etc/passwd".to_owned(),
        format!("uploads/{me}/"),
        String::new(),
    ] {
        let (status, _, _) =
            fetch(app, token, &format!("/api/files/download?file_key={key}")).await;
        assert_eq!(status, 404, "{key}");
    }
    for id in [
        "not-a-uuid",
        "..%2f..%2fetc",
        "00000000-0000-0000-0000-000000000000",
    ] {
        app.get(&format!("/api/files/{id}"), Some(token))
            .await
            .expect(404);
        app.delete(&format!("/api/files/{id}"), Some(token))
            .await
            .expect(404);
    }
    consistent(app).await;
}

/// Types: an executable renamed `.pdf`, a PNG named `.pdf`, binary named `.txt`, a type not on
/// the list: 415. An empty file: 422 at `file`.
pub async fn types_and_empty_files(app: &TestApp) {
    let t = app.tenancy().await;
    let token = &t.a.clinician;
    for (name, bytes) in [
        ("invoice.pdf", EXE.to_vec()),
        ("photo.pdf", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR".to_vec()),
        ("notes.txt", EXE.to_vec()),
        ("notes.txt", b"nul\0byte".to_vec()),
        ("setup.exe", EXE.to_vec()),
        ("script.sh", b"#!/bin/sh\n".to_vec()),
        ("noextension", b"hello".to_vec()),
    ] {
        let r = upload(app, token, name, &bytes).await;
        assert_eq!(r.status, 415, "{name}: {}", r.text);
        assert!(r.body["detail"].is_string());
    }
    upload(app, token, "empty.pdf", b"")
        .await
        .expect_422_at(&["body", "file"]);
    upload(app, token, "empty.txt", b"")
        .await
        .expect_422_at(&["body", "file"]);
    // Allowed types with matching content pass.
    upload(app, token, "ok.pdf", PDF).await.expect(200);
    upload(app, token, "data.csv", b"a,b\n1,2\n")
        .await
        .expect(200);
    upload(app, token, "data.json", b"{\"a\": 1}")
        .await
        .expect(200);
    assert_eq!(consistent(app).await.len(), 3);
}

/// 26 MiB: 413 from `Content-Length` before reading, and 413 while streaming when the length
/// is not declared (chunked).
pub async fn oversize_uploads_are_413(app: &TestApp) {
    let t = app.tenancy().await;
    let token = &t.a.admin;
    let big = vec![b'a'; 26 * 1024 * 1024];
    let r = upload(app, token, "big.txt", &big).await;
    r.expect_detail(413, "File exceeds the maximum size of 25 MB");
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        (0..26).map(|_| Ok(vec![b'b'; 1024 * 1024])).collect();
    let body = reqwest::Body::wrap_stream(futures_util::stream::iter(chunks));
    let r = upload_form(
        app,
        token,
        Form::new().part("file", Part::stream(body).file_name("big.txt")),
    )
    .await;
    r.expect_detail(413, "File exceeds the maximum size of 25 MB");
    // Just under the limit passes.
    let fits = vec![b'c'; 25 * 1024 * 1024 - 100];
    upload(app, token, "fits.txt", &fits).await.expect(200);
    assert_eq!(consistent(app).await.len(), 1);
}

/// Broken or wrong multipart bodies: 422 (or 413 for too many parts), never a 500.
pub async fn wrong_multipart_bodies(app: &TestApp) {
    let t = app.tenancy().await;
    let admin = t.a.admin.as_str();
    let token = Some(admin);
    app.post_raw(
        "/api/upload",
        token,
        "application/json",
        b"{\"file\": \"x\"}".to_vec(),
    )
    .await
    .expect_422_at(&["body", "file"]);
    app.post_raw(
        "/api/upload",
        token,
        "multipart/form-data",
        b"--x\r\n".to_vec(),
    )
    .await
    .expect_422_at(&["body", "file"]);
    let truncated =
        b"--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\nhello"
            .to_vec();
    let r = app
        .post_raw(
            "/api/upload",
            token,
            "multipart/form-data; boundary=XyZ",
            truncated,
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    let empty_form = b"--XyZ--\r\n".to_vec();
    let r = app
        .post_raw(
            "/api/upload",
            token,
            "multipart/form-data; boundary=XyZ",
            empty_form,
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    // No `file` part.
    let r = upload_form(app, admin, Form::new().text("other", "value")).await;
    r.expect_422_at(&["body", "file"]);
    // Two files.
    let two = form("a.txt", b"one".to_vec())
        .part("file", Part::bytes(b"two".to_vec()).file_name("b.txt"));
    let r = upload_form(app, admin, two).await;
    assert_eq!(r.status, 422, "{}", r.text);
    // Too many parts.
    let mut many = Form::new();
    for i in 0..20 {
        many = many.text(format!("f{i}"), "v");
    }
    upload_form(app, admin, many).await.expect(413);
    // No token: 401 before anything is read.
    app.post_raw(
        "/api/upload",
        None,
        "multipart/form-data; boundary=XyZ",
        b"--XyZ--\r\n".to_vec(),
    )
    .await
    .expect(401);
    assert_eq!(
        consistent(app).await.len(),
        1,
        "only the first of the two files"
    );
}
