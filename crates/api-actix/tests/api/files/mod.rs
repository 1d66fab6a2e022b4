//! Files (contract §3.10) over HTTP on the local store: upload, list, metadata, both downloads,
//! delete; roles and tenancy; bad input of every kind answered 4xx; and nothing half-written (every
//! stored object has its row and every row its object).

mod input;
mod owners;
mod s3;

pub use input::*;
pub use owners::*;
pub use s3::*;

use crate::helpers::{Resp, TestApp};
use reqwest::multipart::{Form, Part};

pub const PDF: &[u8] = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< >>\nendobj\ntrailer\n%%EOF\n";
pub const EXE: &[u8] =
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00\xb8\x00\x00\x00";

/// A form with one `file` part.
pub fn form(name: &str, bytes: Vec<u8>) -> Form {
    Form::new().part("file", Part::bytes(bytes).file_name(name.to_owned()))
}

/// `POST /api/upload` of a form.
pub async fn upload_form(app: &TestApp, token: &str, form: Form) -> Resp {
    app.send(
        app.client
            .post(app.url("/api/upload"))
            .bearer_auth(token)
            .multipart(form),
    )
    .await
}

/// Upload `bytes` as `name`.
pub async fn upload(app: &TestApp, token: &str, name: &str, bytes: &[u8]) -> Resp {
    upload_form(app, token, form(name, bytes.to_vec())).await
}

/// A download's raw bytes and headers.
pub async fn fetch(
    app: &TestApp,
    token: &str,
    path: &str,
) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
    let res = app
        .client
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    (status, headers, res.bytes().await.unwrap().to_vec())
}

#[derive(diesel::QueryableByName, Debug)]
struct Key {
    #[diesel(sql_type = diesel::sql_types::Text)]
    file_key: String,
}

/// Every object under the local store has a row, and every row an object; the keys.
pub async fn consistent(app: &TestApp) -> Vec<String> {
    let mut rows: Vec<String> = app
        .query::<Key>("SELECT file_key FROM files")
        .await
        .into_iter()
        .map(|k| k.file_key)
        .collect();
    rows.sort();
    let root = app.data_dir().join("files");
    let mut objects = Vec::new();
    walk(&root, &root, &mut objects);
    objects.sort();
    assert_eq!(objects, rows, "objects on disk and rows differ");
    let temp = std::fs::read_dir(root.join(".tmp")).map_or(0, Iterator::count);
    assert_eq!(temp, 0, "temporary files left behind");
    rows
}

fn walk(root: &std::path::Path, dir: &std::path::Path, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.filter_map(Result::ok) {
        let path = e.path();
        if path.file_name().is_some_and(|n| n == ".tmp") {
            continue;
        }
        if path.is_dir() {
            walk(root, &path, out);
        } else {
            let rel = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            out.push(rel);
        }
    }
}
