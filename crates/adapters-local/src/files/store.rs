//! `LocalFileStore`: the zero-setup `FileStore` under `DATA_DIR/files`.
//!
//! A put streams into a temporary file under `.tmp/` (counting bytes against the limit), syncs
//! it, then links it to its final path with `hard_link`, which fails when the path exists (no
//! object is ever overwritten, and two writers of one key cannot both win), and removes the
//! temporary name. A failed put leaves nothing behind. Paths are built only from the segments of
//! a `FileKey` (ids and sanitised names), each checked again here.

use async_trait::async_trait;
use bytes::{Bytes, BytesMut};
use futures_util::StreamExt;
use genascope_domain::files::names::FileKey;
use genascope_domain::files::ports::{ByteStream, FileStore, Object, StoreError};
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// How much a download reads at a time.
const CHUNK: usize = 64 * 1024;

/// Objects as files under a root directory.
#[derive(Debug, Clone)]
pub struct LocalFileStore {
    root: PathBuf,
    bucket: String,
}

fn unexpected(e: std::io::Error) -> StoreError {
    StoreError::Unexpected(Box::new(e))
}

impl LocalFileStore {
    /// A store under `root` (created on first write). `bucket` names the store in the
    /// `s3://{bucket}/{key}` URLs the API shows.
    #[must_use]
    pub fn new(root: impl Into<PathBuf>, bucket: impl Into<String>) -> Self {
        Self {
            root: root.into(),
            bucket: bucket.into(),
        }
    }

    /// The path of `key`: its segments under the root. Every segment must be a plain name (the
    /// key rules guarantee it; checked again so no key can leave the root).
    fn path(&self, key: &FileKey) -> Result<PathBuf, StoreError> {
        let mut path = self.root.clone();
        for seg in key.segments() {
            let plain = !seg.is_empty()
                && seg != "."
                && seg != ".."
                && !seg.starts_with('.')
                && !seg.contains(['/', '\\', '\0']);
            if !plain {
                return Err(StoreError::Unexpected(
                    "an object key with an unsafe segment".into(),
                ));
            }
            path.push(seg);
        }
        Ok(path)
    }

    fn temp_path(&self) -> PathBuf {
        self.root
            .join(".tmp")
            .join(uuid::Uuid::new_v4().simple().to_string())
    }

    async fn write_temp(temp: &Path, mut body: ByteStream, limit: u64) -> Result<u64, StoreError> {
        let mut file = tokio::fs::File::create(temp).await.map_err(unexpected)?;
        let mut size: u64 = 0;
        while let Some(chunk) = body.next().await {
            let chunk = chunk.map_err(StoreError::Body)?;
            size += chunk.len() as u64;
            if size > limit {
                return Err(StoreError::TooLarge);
            }
            file.write_all(&chunk).await.map_err(unexpected)?;
        }
        file.sync_all().await.map_err(unexpected)?;
        Ok(size)
    }
}

fn read_chunks(file: tokio::fs::File) -> ByteStream {
    Box::pin(futures_util::stream::try_unfold(
        file,
        |mut file| async move {
            let mut buf = BytesMut::with_capacity(CHUNK);
            let n = file.read_buf(&mut buf).await?;
            Ok::<_, std::io::Error>((n > 0).then(|| (Bytes::from(buf), file)))
        },
    ))
}

#[async_trait]
impl FileStore for LocalFileStore {
    async fn put(
        &self,
        key: &FileKey,
        _content_type: &str,
        body: ByteStream,
        limit: u64,
    ) -> Result<u64, StoreError> {
        let path = self.path(key)?;
        if tokio::fs::try_exists(&path).await.map_err(unexpected)? {
            return Err(StoreError::Exists);
        }
        let temp = self.temp_path();
        if let Some(dir) = temp.parent() {
            tokio::fs::create_dir_all(dir).await.map_err(unexpected)?;
        }
        let written = Self::write_temp(&temp, body, limit).await;
        let linked = match written {
            Ok(size) => link(&temp, &path).await.map(|()| size),
            Err(e) => Err(e),
        };
        // The temporary name goes whatever happened (the object, if any, keeps its own link).
        let _ = tokio::fs::remove_file(&temp).await;
        linked
    }

    async fn get(&self, key: &FileKey) -> Result<Object, StoreError> {
        let path = self.path(key)?;
        let file = match tokio::fs::File::open(&path).await {
            Ok(f) => f,
            Err(e) if e.kind() == ErrorKind::NotFound => return Err(StoreError::NotFound),
            Err(e) => return Err(unexpected(e)),
        };
        let size = file.metadata().await.map_err(unexpected)?.len();
        Ok(Object {
            size,
            body: read_chunks(file),
        })
    }

    async fn delete(&self, key: &FileKey) -> Result<(), StoreError> {
        match tokio::fs::remove_file(self.path(key)?).await {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
            Err(e) => Err(unexpected(e)),
        }
    }

    async fn exists(&self, key: &FileKey) -> Result<bool, StoreError> {
        tokio::fs::try_exists(self.path(key)?)
            .await
            .map_err(unexpected)
    }

    async fn health(&self) -> Result<(), StoreError> {
        tokio::fs::create_dir_all(&self.root)
            .await
            .map_err(|e| StoreError::Unavailable(Box::new(e)))?;
        let meta = tokio::fs::metadata(&self.root)
            .await
            .map_err(|e| StoreError::Unavailable(Box::new(e)))?;
        if meta.is_dir() && !meta.permissions().readonly() {
            Ok(())
        } else {
            Err(StoreError::Unavailable(
                "the storage directory is not writable".into(),
            ))
        }
    }

    fn bucket(&self) -> String {
        self.bucket.clone()
    }
}

/// Give the temporary file its final name unless that name exists.
async fn link(temp: &Path, path: &Path) -> Result<(), StoreError> {
    if let Some(dir) = path.parent() {
        tokio::fs::create_dir_all(dir).await.map_err(unexpected)?;
    }
    match tokio::fs::hard_link(temp, path).await {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == ErrorKind::AlreadyExists => Err(StoreError::Exists),
        Err(e) => Err(unexpected(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use genascope_domain::files::names::sanitize;

    fn body(parts: Vec<&'static [u8]>) -> ByteStream {
        Box::pin(futures_util::stream::iter(
            parts.into_iter().map(|p| Ok(Bytes::from_static(p))),
        ))
    }

    async fn read_all(o: Object) -> Vec<u8> {
        let mut out = Vec::new();
        let mut b = o.body;
        while let Some(c) = b.next().await {
            out.extend_from_slice(&c.unwrap());
        }
        out
    }

    fn temp_root() -> PathBuf {
        std::env::temp_dir().join(format!("genascope-files-{}", uuid::Uuid::new_v4()))
    }

    fn leftovers(root: &Path) -> usize {
        std::fs::read_dir(root.join(".tmp")).map_or(0, Iterator::count)
    }

    #[tokio::test]
    async fn put_get_delete_and_nothing_is_overwritten_or_left_behind() {
        let root = temp_root();
        let store = LocalFileStore::new(&root, "local");
        let key = FileKey::upload(uuid::Uuid::new_v4(), &sanitize("a.txt"));
        assert_eq!(
            store
                .put(&key, "text/plain", body(vec![b"he", b"llo"]), 10)
                .await
                .unwrap(),
            5
        );
        assert!(store.exists(&key).await.unwrap());
        let o = store.get(&key).await.unwrap();
        assert_eq!(o.size, 5);
        assert_eq!(read_all(o).await, b"hello");
        assert!(matches!(
            store
                .put(&key, "text/plain", body(vec![b"other"]), 10)
                .await,
            Err(StoreError::Exists)
        ));
        assert_eq!(read_all(store.get(&key).await.unwrap()).await, b"hello");
        store.delete(&key).await.unwrap();
        store.delete(&key).await.unwrap();
        assert!(matches!(store.get(&key).await, Err(StoreError::NotFound)));
        assert_eq!(leftovers(&root), 0);
        let _ = std::fs::remove_dir_all(root);
    }

    #[tokio::test]
    async fn too_large_and_broken_bodies_leave_nothing() {
        let root = temp_root();
        let store = LocalFileStore::new(&root, "local");
        let key = FileKey::upload(uuid::Uuid::new_v4(), &sanitize("b.txt"));
        assert!(matches!(
            store
                .put(&key, "text/plain", body(vec![b"12345", b"678"]), 6)
                .await,
            Err(StoreError::TooLarge)
        ));
        let broken: ByteStream = Box::pin(futures_util::stream::iter(vec![
            Ok(Bytes::from_static(b"abc")),
            Err(std::io::Error::other("client went away")),
        ]));
        assert!(matches!(
            store.put(&key, "text/plain", broken, 100).await,
            Err(StoreError::Body(_))
        ));
        assert!(!store.exists(&key).await.unwrap());
        assert_eq!(leftovers(&root), 0);
        store.health().await.unwrap();
        let _ = std::fs::remove_dir_all(root);
    }

    #[test]
    fn a_key_with_an_unsafe_segment_is_refused() {
        let store = LocalFileStore::new(temp_root(), "local");
        for raw in [
            "uploads/../etc/passwd",
            "uploads//x",
            "uploads/.hidden",
            "/abs",
        ] {
            assert!(
                store.path(&FileKey::from_trusted(raw.into())).is_err(),
                "{raw}"
            );
        }
    }
}
