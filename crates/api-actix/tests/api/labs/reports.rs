//! Report files attached to lab results (contract §3.8 `report_file_id`, §3.10): whose upload a
//! result may name, who reads it, and that an attached file cannot be deleted.

use super::{fixture, ingest, order, set_status};
use crate::files::upload;
use crate::helpers::TestApp;
use serde_json::json;

const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

pub async fn report_files_attach_to_results(app: &TestApp) {
    let l = fixture(app).await;
    let (a, b) = (&l.t.a, &l.t.b);
    let o = order(app, &a.clinician, &a.patient_id, json!({})).await;
    let id = o["id"].as_str().unwrap().to_owned();
    set_status(app, &l.tech, &id, "specimen_collected")
        .await
        .expect(200);
    let up = upload(app, &l.tech, "report.pdf", PDF).await;
    let file = up.expect(200)["file_id"].as_str().unwrap().to_owned();
    let results = format!("/api/labs/results/{id}");
    let with_file = |f: &str| json!({"results": {"brca1": "negative"}, "report_file_id": f});
    // Someone else's upload, another account's, or none: "File not found"; nothing changes.
    let admins = upload(app, &a.admin, "admin.pdf", PDF).await;
    let admins = admins.expect(200)["file_id"].as_str().unwrap().to_owned();
    let theirs = upload(app, &b.admin, "theirs.pdf", PDF).await;
    let theirs = theirs.expect(200)["file_id"].as_str().unwrap().to_owned();
    for f in [
        admins.as_str(),
        theirs.as_str(),
        &uuid::Uuid::new_v4().to_string(),
        "nope",
    ] {
        app.post(&results, Some(&l.tech), &with_file(f))
            .await
            .expect_detail(404, "File not found");
    }
    assert_eq!(
        app.get(&results, Some(&a.admin)).await.expect(200)["results"],
        serde_json::Value::Null
    );
    // Its own upload: attached; the results show the download path.
    let r = app.post(&results, Some(&l.tech), &with_file(&file)).await;
    assert_eq!(
        r.expect(200)["results"]["report_url"],
        format!("/api/files/{file}/download")
    );
    // Attached: the owner cannot delete it.
    let d = app
        .delete(&format!("/api/files/{file}"), Some(&l.tech))
        .await;
    assert_eq!(d.status, 409, "{}", d.text);
    // The care team reads it; the patient only after review; another account never.
    let download = format!("/api/files/{file}/download");
    app.get(&download, Some(&a.clinician)).await.expect(200);
    assert_eq!(app.get(&download, Some(&l.patient)).await.status, 404);
    assert_eq!(app.get(&download, Some(&b.admin)).await.status, 404);
    app.post(
        &format!("/api/labs/review_result/{id}"),
        Some(&a.clinician),
        &json!({}),
    )
    .await
    .expect(200);
    let got = app.get(&download, Some(&l.patient)).await;
    assert_eq!(got.status, 200, "{}", got.text);
    assert_eq!(got.text.as_bytes(), PDF);
    // A file attached to one order cannot be attached to another.
    let o2 = order(app, &a.clinician, &a.patient_id, json!({})).await;
    let id2 = o2["id"].as_str().unwrap().to_owned();
    set_status(app, &l.tech, &id2, "specimen_collected")
        .await
        .expect(200);
    app.post(
        &format!("/api/labs/results/{id2}"),
        Some(&l.tech),
        &with_file(&file),
    )
    .await
    .expect_detail(409, "This file is attached to another lab result");
    let still = app
        .get(&format!("/api/labs/results/{id2}"), Some(&a.admin))
        .await;
    assert_eq!(
        still.expect(200)["results"],
        serde_json::Value::Null,
        "nothing half-written"
    );
    // An amendment without the file frees it; then it can be deleted.
    let r = ingest(app, &l.tech, &id, "amended").await;
    assert!(r.expect(200)["results"].get("report_url").is_none());
    app.delete(&format!("/api/files/{file}"), Some(&l.tech))
        .await
        .expect(200);
}
