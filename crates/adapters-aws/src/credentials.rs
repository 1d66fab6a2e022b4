//! The AWS configuration every client shares, and the assumed role's credentials.

use aws_config::identity::IdentityCache;
use aws_config::sts::AssumeRoleProvider;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_smithy_async::time::SharedTimeSource;
use std::time::Duration;

/// Settings of the AWS clients (from the environment, by the binary).
#[derive(Clone, Default)]
pub struct AwsSettings {
    /// `AWS_DEFAULT_REGION` (default `us-east-1`).
    pub region: Option<String>,
    /// `AWS_ENDPOINT_URL`: an S3/STS/SES-compatible server instead of AWS (moto, MinIO).
    pub endpoint_url: Option<String>,
    /// Static base credentials (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`); else the SDK's
    /// default chain (environment, profile, web identity, container, instance metadata).
    pub static_credentials: Option<(String, String)>,
    /// `BACKEND_ROLE_NAME`: a role name (in the base credentials' account) or a role ARN to
    /// assume; none: the base credentials are used directly.
    pub role: Option<String>,
    /// The assumed role's session length (`AWS_ROLE_SESSION_SECONDS`, default 3600).
    pub session_length: Duration,
    /// How long before its expiry an assumed session is replaced (default 5 minutes).
    pub refresh_before: Duration,
    /// The clock of the clients and of the credentials cache (None: the system clock; tests
    /// move time forward to see a session replaced).
    pub time_source: Option<SharedTimeSource>,
}

impl std::fmt::Debug for AwsSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AwsSettings")
            .field("region", &self.region)
            .field("endpoint_url", &self.endpoint_url)
            .field("static_credentials", &self.static_credentials.is_some())
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

/// An AWS setting that cannot work.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// The role's account could not be learned (STS `GetCallerIdentity` failed).
    #[error("cannot learn the AWS account of the base credentials to assume BACKEND_ROLE_NAME")]
    CallerIdentity(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// The session name of the assumed role (in CloudTrail).
const SESSION_NAME: &str = "genascope-backend";

/// The configuration every AWS client of the process is built from.
pub async fn sdk_config(s: &AwsSettings) -> Result<SdkConfig, SetupError> {
    let region = Region::new(s.region.clone().unwrap_or_else(|| "us-east-1".into()));
    let mut loader = aws_config::defaults(BehaviorVersion::latest()).region(region);
    if let Some(url) = &s.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    if let Some(clock) = &s.time_source {
        loader = loader.time_source(clock.clone());
    }
    if let Some((id, secret)) = &s.static_credentials {
        loader = loader.credentials_provider(Credentials::new(id, secret, None, None, "config"));
    }
    let base = loader.load().await;
    let Some(role) = &s.role else {
        return Ok(base);
    };
    let arn = role_arn(&base, role).await?;
    let provider = AssumeRoleProvider::builder(arn)
        .session_name(SESSION_NAME)
        .session_length(s.session_length)
        .configure(&base)
        .build()
        .await;
    let cache = IdentityCache::lazy().buffer_time(s.refresh_before).build();
    Ok(base
        .into_builder()
        .credentials_provider(SharedCredentialsProvider::new(provider))
        .identity_cache(cache)
        .build())
}

/// A role ARN as given, or the ARN of a role name in the base credentials' account.
async fn role_arn(base: &SdkConfig, role: &str) -> Result<String, SetupError> {
    if role.starts_with("arn:") {
        return Ok(role.to_owned());
    }
    let me = aws_sdk_sts::Client::new(base)
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| SetupError::CallerIdentity(Box::new(e)))?;
    let account = me.account().unwrap_or_default();
    Ok(format!("arn:aws:iam::{account}:role/{role}"))
}
