//! `S3FileStore` against a real S3 protocol server (moto, on loopback): put/get/delete with SSE
//! on every put, multipart above 8 MiB, limits leaving nothing behind, a 100 MiB streamed upload
//! with flat memory, and the assumed role's session replaced before it expires.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use aws_sdk_s3::types::ServerSideEncryption;
use bytes::Bytes;
use futures_util::StreamExt;
use genascope_adapters_aws::{S3FileStore, S3Settings, sdk_config};
use genascope_domain::files::names::{FileKey, sanitize};
use genascope_domain::files::ports::{ByteStream, FileStore, StoreError};
use support::Moto;

const BUCKET: &str = "genascope-test";

async fn store(moto: &Moto, settings: genascope_adapters_aws::AwsSettings) -> S3FileStore {
    let config = sdk_config(&settings).await.unwrap();
    let store = S3FileStore::new(
        &config,
        &S3Settings {
            bucket: BUCKET.into(),
            force_path_style: true,
        },
    );
    let _ = moto;
    store
        .client()
        .create_bucket()
        .bucket(BUCKET)
        .send()
        .await
        .unwrap();
    store
}

fn key(name: &str) -> FileKey {
    FileKey::upload(uuid::Uuid::new_v4(), &sanitize(name))
}

/// `total` bytes of a repeating pattern in 64 KiB chunks, generated as read.
fn pattern(total: usize) -> ByteStream {
    const CHUNK: usize = 64 * 1024;
    let chunks = total.div_ceil(CHUNK);
    Box::pin(futures_util::stream::iter(0..chunks).map(move |i| {
        let len = CHUNK.min(total - i * CHUNK);
        Ok(Bytes::from(
            (0..len)
                .map(|j| ((i * CHUNK + j) % 251) as u8)
                .collect::<Vec<_>>(),
        ))
    }))
}

async fn read_all(store: &S3FileStore, key: &FileKey) -> Vec<u8> {
    let mut out = Vec::new();
    let mut body = store.get(key).await.unwrap().body;
    while let Some(c) = body.next().await {
        out.extend_from_slice(&c.unwrap());
    }
    out
}

async fn sse(store: &S3FileStore, key: &FileKey) -> Option<ServerSideEncryption> {
    let head = store
        .client()
        .head_object()
        .bucket(BUCKET)
        .key(key.as_str())
        .send()
        .await
        .unwrap();
    head.server_side_encryption().cloned()
}

#[tokio::test]
async fn put_get_delete_with_encryption_and_no_overwrite() {
    let moto = Moto::start().await;
    let s = store(&moto, moto.settings(None)).await;
    let k = key("a.txt");
    let body: ByteStream = Box::pin(futures_util::stream::iter(vec![
        Ok(Bytes::from_static(b"hel")),
        Ok(Bytes::from_static(b"lo")),
    ]));
    assert_eq!(s.put(&k, "text/plain", body, 100).await.unwrap(), 5);
    assert_eq!(sse(&s, &k).await, Some(ServerSideEncryption::Aes256));
    assert!(s.exists(&k).await.unwrap());
    let o = s.get(&k).await.unwrap();
    assert_eq!(o.size, 5);
    assert_eq!(read_all(&s, &k).await, b"hello");
    assert!(matches!(
        s.put(&k, "text/plain", pattern(3), 100).await,
        Err(StoreError::Exists)
    ));
    assert_eq!(read_all(&s, &k).await, b"hello");
    s.delete(&k).await.unwrap();
    assert!(!s.exists(&k).await.unwrap());
    assert!(matches!(s.get(&k).await, Err(StoreError::NotFound)));
    s.health().await.unwrap();
}

#[tokio::test]
async fn above_8_mib_is_a_multipart_upload_with_encryption() {
    let moto = Moto::start().await;
    let s = store(&moto, moto.settings(None)).await;
    let k = key("big.pdf");
    let size = 20 * 1024 * 1024 + 123;
    assert_eq!(
        s.put(&k, "application/pdf", pattern(size), 1 << 30)
            .await
            .unwrap(),
        size as u64
    );
    let head = s
        .client()
        .head_object()
        .bucket(BUCKET)
        .key(k.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(
        head.server_side_encryption(),
        Some(&ServerSideEncryption::Aes256)
    );
    assert_eq!(head.content_type(), Some("application/pdf"));
    // A multipart object's ETag ends with its part count: 8 + 8 + 4 MiB.
    assert!(
        head.e_tag().unwrap().ends_with("-3\""),
        "{:?}",
        head.e_tag()
    );
    let back = read_all(&s, &k).await;
    assert_eq!(back.len(), size);
    let mut expected = Vec::with_capacity(size);
    let mut p = pattern(size);
    while let Some(c) = p.next().await {
        expected.extend_from_slice(&c.unwrap());
    }
    assert!(back == expected, "the bytes read back differ");
}

#[tokio::test]
async fn limits_and_broken_bodies_leave_nothing() {
    let moto = Moto::start().await;
    let s = store(&moto, moto.settings(None)).await;
    // Over the limit within the first part, and past the first part (multipart aborted).
    for (size, limit) in [(1000, 999), (10 * 1024 * 1024, 9 * 1024 * 1024)] {
        let k = key("x.txt");
        assert!(matches!(
            s.put(&k, "text/plain", pattern(size), limit).await,
            Err(StoreError::TooLarge)
        ));
        assert!(!s.exists(&k).await.unwrap());
    }
    let k = key("y.txt");
    let broken: ByteStream = Box::pin(pattern(9 * 1024 * 1024).chain(futures_util::stream::once(
        async { Err(std::io::Error::other("client went away")) },
    )));
    assert!(matches!(
        s.put(&k, "text/plain", broken, 1 << 30).await,
        Err(StoreError::Body(_))
    ));
    assert!(!s.exists(&k).await.unwrap());
    let pending = s
        .client()
        .list_multipart_uploads()
        .bucket(BUCKET)
        .send()
        .await
        .unwrap();
    assert!(pending.uploads().is_empty(), "{:?}", pending.uploads());
}

fn status_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
        .unwrap()
}

/// 100 MiB streamed through the store: peak resident memory grows by about one part.
#[tokio::test]
async fn a_100_mib_upload_streams_with_flat_memory() {
    let moto = Moto::start().await;
    let s = store(&moto, moto.settings(None)).await;
    let k = key("huge.txt");
    // Warm up the client (connection pool, TLS-free here) before measuring.
    s.put(
        &key("warm.txt"),
        "text/plain",
        pattern(9 * 1024 * 1024),
        1 << 30,
    )
    .await
    .unwrap();
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let before = status_kib("VmRSS:");
    let size = 100 * 1024 * 1024;
    assert_eq!(
        s.put(&k, "text/plain", pattern(size), 1 << 30)
            .await
            .unwrap(),
        size as u64
    );
    let peak = status_kib("VmHWM:");
    let growth_mib = peak.saturating_sub(before) / 1024;
    println!(
        "100 MiB upload: RSS before {} MiB, peak {} MiB, growth {growth_mib} MiB",
        before / 1024,
        peak / 1024
    );
    assert!(growth_mib < 20, "peak RSS grew by {growth_mib} MiB");
    let o = s.get(&k).await.unwrap();
    assert_eq!(o.size, size as u64);
}

/// A test clock the clients and the credentials cache read.
#[derive(Debug, Clone)]
struct TestClock(std::sync::Arc<std::sync::Mutex<std::time::SystemTime>>);

impl aws_smithy_async::time::TimeSource for TestClock {
    fn now(&self) -> std::time::SystemTime {
        *self.0.lock().unwrap()
    }
}

/// With `BACKEND_ROLE_NAME`, requests are signed with the role's session; the session is cached,
/// and replaced once it comes within the refresh window of its expiry.
#[tokio::test]
async fn the_assumed_roles_session_is_cached_and_refreshed_before_expiry() {
    let moto = Moto::start().await;
    let clock = TestClock(std::sync::Arc::new(std::sync::Mutex::new(
        std::time::SystemTime::now(),
    )));
    let mut settings = moto.settings(Some("genascope-backend"));
    settings.time_source = Some(aws_smithy_async::time::SharedTimeSource::new(clock.clone()));
    let s = store(&moto, settings).await;
    assert_eq!(moto.assumed_roles().await, 1);
    let data = moto.data().await;
    assert_eq!(
        data["sts"]["AssumedRole"][0]["role_arn"],
        "arn:aws:iam::123456789012:role/genascope-backend"
    );
    let k = key("r.txt");
    s.put(&k, "text/plain", pattern(10), 100).await.unwrap();
    assert!(s.exists(&k).await.unwrap());
    assert_eq!(moto.assumed_roles().await, 1, "the session is cached");
    let advance = |secs| {
        let mut now = clock.0.lock().unwrap();
        *now += std::time::Duration::from_secs(secs);
    };
    // 900 s sessions, replaced 150..300 s (the cache's jitter) before they expire.
    advance(500);
    assert!(s.exists(&k).await.unwrap());
    assert_eq!(moto.assumed_roles().await, 1, "still valid");
    advance(300);
    assert!(s.exists(&k).await.unwrap());
    assert_eq!(moto.assumed_roles().await, 2, "replaced before expiry");
}
