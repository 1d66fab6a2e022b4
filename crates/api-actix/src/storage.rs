//! File storage settings and the `FileStore` they choose (issue #10).
//!
//! `STORAGE_BACKEND`: `local` (objects under `DATA_DIR/files`, the zero-setup default) or `s3`
//! (the default when `S3_BUCKET_NAME` is set). `MAX_UPLOAD_MB` (default 25, 1..=1024): the
//! upload size limit. Checked at start-up: a backend that cannot work refuses to start, naming
//! the variable.

use crate::config::ConfigError;
use genascope_domain::files::ports::FileStore;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Where files are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StorageBackend {
    /// A directory on this host.
    Local,
    /// An S3 bucket (or an S3-compatible server).
    S3,
}

impl StorageBackend {
    /// Name, as in `STORAGE_BACKEND`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Local => "local",
            Self::S3 => "s3",
        }
    }
}

/// Storage settings.
#[derive(Debug, Clone)]
pub struct StorageConfig {
    /// The backend.
    pub backend: StorageBackend,
    /// The local store's directory (`DATA_DIR/files`).
    pub local_dir: PathBuf,
    /// The bucket (required with `s3`; with `local` only named in `s3_url`s).
    pub bucket: Option<String>,
    /// The upload size limit in bytes.
    pub max_upload_bytes: u64,
    /// `AWS_ENDPOINT_URL`: an S3/STS/SES-compatible server instead of AWS (MinIO, moto).
    pub aws_endpoint_url: Option<String>,
    /// `S3_FORCE_PATH_STYLE` (default: on when `AWS_ENDPOINT_URL` is set).
    pub s3_force_path_style: bool,
    /// `AWS_ROLE_SESSION_SECONDS` (900..=43200, default 3600): the assumed role's session.
    pub aws_role_session: std::time::Duration,
}

fn var(lookup: &dyn Fn(&str) -> Option<String>, name: &str) -> Option<String> {
    lookup(name)
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

impl StorageConfig {
    /// Read the storage variables.
    pub fn from_lookup(
        lookup: &dyn Fn(&str) -> Option<String>,
        data_dir: &Path,
    ) -> Result<Self, ConfigError> {
        let bucket = var(lookup, "S3_BUCKET_NAME");
        let backend = match var(lookup, "STORAGE_BACKEND")
            .map(|v| v.to_ascii_lowercase())
            .as_deref()
        {
            Some("local") => StorageBackend::Local,
            Some("s3") => StorageBackend::S3,
            Some(other) => {
                return Err(ConfigError::Malformed(
                    "STORAGE_BACKEND",
                    format!("{other:?}: use local or s3"),
                ));
            }
            None if bucket.is_some() => StorageBackend::S3,
            None => StorageBackend::Local,
        };
        if backend == StorageBackend::S3 && bucket.is_none() {
            return Err(ConfigError::Missing(
                "S3_BUCKET_NAME",
                " when STORAGE_BACKEND=s3",
            ));
        }
        let mb = match var(lookup, "MAX_UPLOAD_MB") {
            None => 25,
            Some(v) => v
                .parse::<u64>()
                .ok()
                .filter(|n| (1..=1024).contains(n))
                .ok_or_else(|| {
                    ConfigError::Malformed("MAX_UPLOAD_MB", format!("{v:?}: use 1 to 1024"))
                })?,
        };
        let aws_endpoint_url = var(lookup, "AWS_ENDPOINT_URL");
        let s3_force_path_style = match var(lookup, "S3_FORCE_PATH_STYLE")
            .map(|v| v.to_ascii_lowercase())
            .as_deref()
        {
            None => aws_endpoint_url.is_some(),
            Some("true" | "1") => true,
            Some("false" | "0") => false,
            Some(other) => {
                return Err(ConfigError::Malformed(
                    "S3_FORCE_PATH_STYLE",
                    format!("{other:?}: use true or false"),
                ));
            }
        };
        let session = match var(lookup, "AWS_ROLE_SESSION_SECONDS") {
            None => 3600,
            Some(v) => v
                .parse::<u64>()
                .ok()
                .filter(|n| (900..=43_200).contains(n))
                .ok_or_else(|| {
                    ConfigError::Malformed(
                        "AWS_ROLE_SESSION_SECONDS",
                        format!("{v:?}: use 900 to 43200"),
                    )
                })?,
        };
        Ok(Self {
            backend,
            local_dir: data_dir.join("files"),
            bucket,
            max_upload_bytes: mb * 1024 * 1024,
            aws_endpoint_url,
            s3_force_path_style,
            aws_role_session: std::time::Duration::from_secs(session),
        })
    }
}

/// The AWS clients' settings (S3 and SES share them).
#[must_use]
pub fn aws_settings(
    storage: &StorageConfig,
    aws: &crate::config::AwsConfig,
) -> genascope_adapters_aws::AwsSettings {
    use secrecy::ExposeSecret;
    genascope_adapters_aws::AwsSettings {
        region: aws.region.clone(),
        endpoint_url: storage.aws_endpoint_url.clone(),
        static_credentials: aws.access_key_id.clone().zip(
            aws.secret_access_key
                .as_ref()
                .map(|s| s.expose_secret().to_owned()),
        ),
        role: aws.backend_role_name.clone(),
        session_length: storage.aws_role_session,
        refresh_before: std::time::Duration::from_secs(300),
        time_source: None,
    }
}

/// The store the settings choose. With `s3`, the bucket must answer at start-up.
pub async fn file_store(
    storage: &StorageConfig,
    aws: &crate::config::AwsConfig,
) -> anyhow::Result<Arc<dyn FileStore>> {
    Ok(match storage.backend {
        StorageBackend::Local => {
            Arc::new(genascope_adapters_local::files::store::LocalFileStore::new(
                &storage.local_dir,
                storage.bucket.clone().unwrap_or_else(|| "local".into()),
            ))
        }
        StorageBackend::S3 => {
            let config = genascope_adapters_aws::sdk_config(&aws_settings(storage, aws)).await?;
            let store = genascope_adapters_aws::S3FileStore::new(
                &config,
                &genascope_adapters_aws::S3Settings {
                    bucket: storage.bucket.clone().unwrap_or_default(),
                    force_path_style: storage.s3_force_path_style,
                },
            );
            store
                .health()
                .await
                .map_err(|e| anyhow::anyhow!("S3_BUCKET_NAME: the bucket does not answer ({e})"))?;
            Arc::new(store)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn read(vars: &[(&str, &str)]) -> Result<StorageConfig, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).into(), (*v).into()))
            .collect();
        StorageConfig::from_lookup(&|k| map.get(k).cloned(), Path::new("/data"))
    }

    #[test]
    fn the_backend_defaults_follow_the_bucket_and_bad_values_name_the_variable() {
        let c = read(&[]).unwrap();
        assert_eq!(c.backend, StorageBackend::Local);
        assert_eq!(c.local_dir, Path::new("/data/files"));
        assert_eq!(c.max_upload_bytes, 25 * 1024 * 1024);
        assert_eq!(
            read(&[("S3_BUCKET_NAME", "b")]).unwrap().backend,
            StorageBackend::S3
        );
        let local = read(&[("S3_BUCKET_NAME", "b"), ("STORAGE_BACKEND", "LOCAL")]).unwrap();
        assert_eq!(local.backend, StorageBackend::Local);
        let e = read(&[("STORAGE_BACKEND", "s3")]).unwrap_err().to_string();
        assert!(e.contains("S3_BUCKET_NAME"), "{e}");
        let e = read(&[("STORAGE_BACKEND", "ftp")]).unwrap_err().to_string();
        assert!(e.contains("STORAGE_BACKEND"), "{e}");
        let e = read(&[("MAX_UPLOAD_MB", "0")]).unwrap_err().to_string();
        assert!(e.contains("MAX_UPLOAD_MB"), "{e}");
        assert_eq!(
            read(&[("MAX_UPLOAD_MB", "2")]).unwrap().max_upload_bytes,
            2 << 20
        );
    }
}
