//! genascope's AWS adapters:
//! - [`credentials`]: one `SdkConfig` for every AWS client: region, an optional endpoint override
//!   (S3-compatible servers, moto in tests), base credentials (static when configured, else the
//!   SDK's default chain), and, with `BACKEND_ROLE_NAME`, the SDK's `AssumeRoleProvider` behind
//!   its lazy identity cache, which refreshes the assumed role's session before it expires.
//! - [`s3`]: `S3FileStore`, the `FileStore` port on S3: SSE AES256 on every put, multipart
//!   upload above 8 MiB, streaming both ways (one part in memory at a time).
//! - [`ses`]: `SesMailer`, a delivery sink of the outbox worker on SESv2: throttling and
//!   transient failures are retried (by the SDK, then by the outbox's backoff); rejections are
//!   permanent (`notify::Permanent`: dead letters at once, with the reason).

pub mod credentials;
pub mod s3;
pub mod ses;
#[cfg(feature = "test-support")]
pub mod testing;

pub use credentials::{AwsSettings, SetupError, sdk_config};
pub use s3::{S3FileStore, S3Settings};
pub use ses::SesMailer;
