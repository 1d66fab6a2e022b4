//! The life of a file and who may see it.

use super::{PDF, consistent, fetch, upload};
use crate::helpers::{PW, TestApp};

/// Upload, list, metadata, both downloads with the §3.10 headers, delete; for every role with a
/// full token.
pub async fn upload_list_download_delete_for_every_role(app: &TestApp) {
    let t = app.tenancy().await;
    let lab = app
        .user(&t.a.admin, "lab@alpha.test", "Lab Tech", "lab_tech")
        .await;
    let _ = lab;
    let lab = app.token("lab@alpha.test", PW).await;
    app.user(&t.a.admin, "member@alpha.test", "Member", "user")
        .await;
    let member = app.token("member@alpha.test", PW).await;
    for token in [&t.sa, &t.a.admin, &t.a.clinician, &lab, &member] {
        let me = app.get("/api/auth/me", Some(token)).await.str("id");
        let r = upload(app, token, "Report 2024.PDF", PDF).await;
        let body = r.expect(200).clone();
        assert_eq!(body["message"], "File uploaded successfully");
        assert_eq!(body["filename"], "Report_2024.pdf");
        assert_eq!(body["file_key"], format!("uploads/{me}/Report_2024.pdf"));
        assert_eq!(body["size"], PDF.len());
        assert_eq!(body["content_type"], "application/pdf");
        assert_eq!(
            body["s3_url"],
            format!("s3://local/uploads/{me}/Report_2024.pdf")
        );
        let id = body["file_id"].as_str().unwrap().to_owned();
        let list = app.get("/api/files", Some(token)).await;
        assert_eq!(list.array().len(), 1);
        assert_eq!(list.array()[0]["file_id"], id.as_str());
        let meta = app.get(&format!("/api/files/{id}"), Some(token)).await;
        assert_eq!(meta.expect(200)["file_key"], body["file_key"]);
        for path in [
            format!("/api/files/{id}/download"),
            format!("/api/files/download?file_key=uploads/{me}/Report_2024.pdf"),
        ] {
            let (status, headers, bytes) = fetch(app, token, &path).await;
            assert_eq!(status, 200, "{path}");
            assert_eq!(bytes, PDF);
            assert_eq!(headers["content-type"], "application/pdf");
            assert_eq!(
                headers["content-disposition"],
                "attachment; filename=\"Report_2024.pdf\"; filename*=UTF-8''Report_2024.pdf"
            );
            assert_eq!(headers["x-content-type-options"], "nosniff");
            assert_eq!(headers["cache-control"], "no-store");
        }
        assert_eq!(consistent(app).await.len(), 1);
        let d = app.delete(&format!("/api/files/{id}"), Some(token)).await;
        assert_eq!(d.expect(200)["message"], "File deleted successfully");
        app.get(&format!("/api/files/{id}"), Some(token))
            .await
            .expect_detail(404, "File not found");
        assert!(consistent(app).await.is_empty());
    }
}

/// The same name twice: the second key gets `_<8 hex>` before the extension; nothing is
/// overwritten.
pub async fn an_existing_key_is_never_overwritten(app: &TestApp) {
    let t = app.tenancy().await;
    let first = upload(app, &t.a.admin, "notes.txt", b"first")
        .await
        .expect(200)
        .clone();
    let second = upload(app, &t.a.admin, "notes.txt", b"second")
        .await
        .expect(200)
        .clone();
    let key = second["file_key"].as_str().unwrap();
    let name = key.rsplit('/').next().unwrap();
    assert_ne!(first["file_key"], second["file_key"]);
    assert_eq!(name.len(), "notes_12345678.txt".len(), "{name}");
    assert!(
        name.starts_with("notes_") && name.ends_with(".txt"),
        "{name}"
    );
    assert!(
        name[6..14]
            .chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
    );
    for (f, want) in [
        (&first, b"first".as_slice()),
        (&second, b"second".as_slice()),
    ] {
        let id = f["file_id"].as_str().unwrap();
        let (_, _, bytes) = fetch(app, &t.a.admin, &format!("/api/files/{id}/download")).await;
        assert_eq!(bytes, want);
    }
    assert_eq!(consistent(app).await.len(), 2);
}

/// Another user's files, in the same account or another, are "not found" by id and by key;
/// a simplified token is refused; no token is 401.
pub async fn others_files_are_not_found(app: &TestApp) {
    let t = app.tenancy().await;
    let owner = app
        .get("/api/auth/me", Some(&t.a.clinician))
        .await
        .str("id");
    let f = upload(app, &t.a.clinician, "scan.pdf", PDF)
        .await
        .expect(200)
        .clone();
    let id = f["file_id"].as_str().unwrap();
    let key = f["file_key"].as_str().unwrap();
    for token in [&t.a.admin, &t.b.admin, &t.b.clinician, &t.sa] {
        app.get(&format!("/api/files/{id}"), Some(token))
            .await
            .expect_detail(404, "File not found");
        let (status, _, _) = fetch(app, token, &format!("/api/files/{id}/download")).await;
        assert_eq!(status, 404);
        let (status, _, _) =
            fetch(app, token, &format!("/api/files/download?file_key={key}")).await;
        assert_eq!(status, 404);
        app.delete(&format!("/api/files/{id}"), Some(token))
            .await
            .expect_detail(404, "File not found");
        assert!(app.get("/api/files", Some(token)).await.array().is_empty());
    }
    app.get("/api/files", None).await.expect(401);
    app.get(&format!("/api/files/{id}"), None).await.expect(401);
    // Still there for its owner.
    let (status, _, _) = fetch(
        app,
        &t.a.clinician,
        &format!("/api/files/download?file_key=uploads/{owner}/scan.pdf"),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(consistent(app).await.len(), 1);
}
