//! Files and knowledge documents through the HTTP API with `STORAGE_BACKEND=s3`, against a real
//! S3 protocol server on loopback (moto in server mode, as the adapters-aws tests use it): upload,
//! list, download and delete a file; upload and delete a knowledge source; each object is in the
//! bucket while its row exists and gone after the delete.

use super::{PDF, form, upload_form};
use crate::helpers::{TestApp, spawn_app_with};
use genascope_adapters_postgres::Backend;
use reqwest::multipart::Form;

use genascope_adapters_aws::testing::Moto;

/// What these tests ask moto besides the harness.
trait Holds {
    /// Whether the bucket holds `key`, asked through a client of our own (not the app's).
    async fn holds(&self, bucket: &str, key: &str) -> bool;
}

impl Holds for Moto {
    async fn holds(&self, bucket: &str, key: &str) -> bool {
        use genascope_adapters_aws::{S3FileStore, S3Settings};
        use genascope_domain::files::names::FileKey;
        use genascope_domain::files::ports::FileStore;
        let settings = self.settings(None);
        let config = genascope_adapters_aws::sdk_config(&settings)
            .await
            .expect("aws config");
        let store = S3FileStore::new(
            &config,
            &S3Settings {
                bucket: bucket.to_owned(),
                force_path_style: true,
            },
        );
        store
            .exists(&FileKey::from_trusted(key.to_owned()))
            .await
            .expect("moto answers")
    }
}

/// The app on S3 (moto) over `backend`, with its bucket created first.
async fn app_on_s3(backend: Backend, moto: &Moto, bucket: &str) -> TestApp {
    let r = reqwest::Client::new()
        .put(format!("{}/{bucket}", moto.url))
        .send()
        .await
        .expect("create the bucket");
    assert!(r.status().is_success(), "bucket: {}", r.status());
    spawn_app_with(
        backend,
        &[
            ("STORAGE_BACKEND", "s3"),
            ("S3_BUCKET_NAME", bucket),
            ("AWS_ENDPOINT_URL", &moto.url),
            ("AWS_DEFAULT_REGION", "us-east-1"),
            ("AWS_ACCESS_KEY_ID", "testing"),
            ("AWS_SECRET_ACCESS_KEY", "testing"),
        ],
    )
    .await
}

pub async fn files_and_knowledge_sources_on_s3(backend: Backend) {
    let moto = Moto::start().await;
    let bucket = "genascope-api-test";
    let app = app_on_s3(backend, &moto, bucket).await;
    let h = app.get("/health", None).await;
    assert_eq!(h.expect(200)["services"]["storage"], "up");
    let t = app.tenancy().await;
    let token = t.a.clinician.as_str();
    // A file: upload, list, download, delete.
    let r = upload_form(&app, token, form("report.pdf", PDF.to_vec())).await;
    let up = r.expect(200).clone();
    let key = up["file_key"].as_str().unwrap().to_owned();
    assert_eq!(up["s3_url"], format!("s3://{bucket}/{key}"));
    assert!(moto.holds(bucket, &key).await);
    let id = up["file_id"].as_str().unwrap().to_owned();
    let list = app.get("/api/files", Some(token)).await;
    assert_eq!(list.array().len(), 1);
    let res = app
        .client
        .get(app.url(&format!("/api/files/{id}/download")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(res.bytes().await.unwrap().as_ref(), PDF);
    app.delete(&format!("/api/files/{id}"), Some(token))
        .await
        .expect(200);
    assert!(!moto.holds(bucket, &key).await);
    // A knowledge document: upload, then delete with its object.
    let form = Form::new()
        .part(
            "file",
            reqwest::multipart::Part::bytes(PDF.to_vec()).file_name("guide.pdf"),
        )
        .text("access_level", "private");
    let r = app
        .send(
            app.client
                .post(app.url("/api/v1/chat-configuration/knowledge-sources/upload"))
                .bearer_auth(token)
                .multipart(form),
        )
        .await;
    let source = r.expect(201).clone();
    let path = source["file_path"].as_str().unwrap().to_owned();
    assert!(
        path.starts_with(&format!("knowledge/{}/", t.a.account_id)),
        "{path}"
    );
    assert!(moto.holds(bucket, &path).await);
    let sid = source["id"].as_str().unwrap();
    app.delete(
        &format!("/api/v1/chat-configuration/knowledge-sources/{sid}"),
        Some(token),
    )
    .await
    .expect(200);
    assert!(!moto.holds(bucket, &path).await);
    app.shutdown().await;
}
