//! Typed configuration from the environment. Every error names the variable at fault; secrets are
//! wrapped so they never print.

use secrecy::{ExposeSecret, SecretString};
use std::path::{Path, PathBuf};

/// Development or production.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppEnv {
    /// Zero-config defaults; `.env` is read.
    Development,
    /// Strict: JWT secret and DATABASE_URL required; JSON logs.
    Production,
}

/// Where mail goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailBackend {
    /// JSON files under `DATA_DIR/outbox` (development default).
    Outbox,
    /// An SMTP server.
    Smtp,
    /// Amazon SES.
    Ses,
    /// Dropped.
    Disabled,
}

/// SMTP settings.
#[derive(Debug, Clone)]
pub struct SmtpConfig {
    /// Host.
    pub host: String,
    /// Port.
    pub port: u16,
    /// User.
    pub user: Option<String>,
    /// Password.
    pub password: Option<SecretString>,
    /// `SMTP_TLS`: starttls (default), tls (default on port 465) or none.
    pub tls: genascope_adapters_smtp::SmtpTls,
}

/// AWS settings (S3 files, SES mail).
#[derive(Debug, Clone, Default)]
pub struct AwsConfig {
    /// Region.
    pub region: Option<String>,
    /// Static key id.
    pub access_key_id: Option<String>,
    /// Static secret.
    pub secret_access_key: Option<SecretString>,
    /// Bucket for files.
    pub s3_bucket: Option<String>,
    /// Role to assume.
    pub backend_role_name: Option<String>,
}

/// Everything the binary reads from the environment.
#[derive(Debug, Clone)]
pub struct Config {
    /// Mode.
    pub env: AppEnv,
    /// Bind host.
    pub host: String,
    /// Bind port (0 = any free port).
    pub port: u16,
    /// Embedded files live here.
    pub data_dir: PathBuf,
    /// postgres://… or sqlite://…
    pub database_url: String,
    /// HS256 secret (>= 32 bytes).
    pub jwt_secret: SecretString,
    /// During a rotation: a second secret whose tokens are still accepted (never used to sign).
    pub jwt_secret_previous: Option<SecretString>,
    /// Access-token lifetime.
    pub jwt_expire_minutes: i64,
    /// `iss`.
    pub jwt_issuer: String,
    /// `aud`.
    pub jwt_audience: String,
    /// Links in emails.
    pub frontend_base_url: String,
    /// `API_BASE_URL`: where clients reach this API from outside, for absolute URLs that point
    /// at the API itself (calendar subscription URLs). Default: `FRONTEND_BASE_URL` (the
    /// frontend serves `/api` from its own origin).
    pub api_base_url: String,
    /// Mail backend.
    pub mail_backend: MailBackend,
    /// Sender address.
    pub from_email: String,
    /// SMTP, when configured.
    pub smtp: Option<SmtpConfig>,
    /// AWS.
    pub aws: AwsConfig,
    /// JSON logs.
    pub json_logs: bool,
    /// Browser origins allowed by CORS (empty: no CORS headers; the frontend is same-origin).
    pub cors_origins: Vec<String>,
    /// Peers whose `Forwarded` / `X-Forwarded-For` header names the client (reverse proxies).
    /// Default: loopback in development, none in production.
    /// Addresses or CIDR networks (`TRUSTED_PROXIES=10.244.0.0/16`).
    pub trusted_proxies: Vec<crate::net::ProxyNet>,
    /// `DATABASE_POOL_SIZE`: most pooled connections per process (default 10).
    pub database_pool_size: u32,
    /// `PASSWORD_HASH_CONCURRENCY`: argon2id hashes at once (default: one core fewer than the
    /// machine has, at least 1; 1 to 256). Logins beyond it wait (asynchronously, a bounded
    /// number: then 503 with `Retry-After`).
    pub password_hash_concurrency: usize,
    /// `PASSWORD_HASH_NICE`: how much lower the hashing threads' scheduling priority is than the
    /// server's (a nice value, 0 to 19; default 10), so that a login storm takes the CPU the
    /// other requests leave.
    pub password_hash_nice: i32,
    /// `BLOCKING_THREADS`: most threads of each HTTP worker's blocking pool (database calls,
    /// the engine, file reads; default twice `DATABASE_POOL_SIZE`; 1 to 1024). Tokio's default
    /// (512 ÷ cores) grows hundreds of threads under load, and their malloc arenas keep memory.
    pub blocking_threads: usize,
    /// `DATABASE_CONNECT_TIMEOUT` (seconds, default 5): the longest a request waits for a pooled
    /// connection while the database answers; while it is known to be down requests fail at once.
    pub database_connect_timeout: std::time::Duration,
    /// `PRINCIPAL_CACHE_TTL_SECS` (default 60, at most 3600; 0 turns the cache off): the longest
    /// an authenticated request's principal is answered from memory. Changes evict it at once on
    /// every replica (database triggers); the TTL is the safety net under them.
    pub principal_cache_ttl: std::time::Duration,
    /// `SHUTDOWN_DRAIN_SECONDS` (default 10): after SIGTERM, `/ready` answers 503 and requests
    /// are still served this long before the listener closes and in-flight work finishes.
    pub shutdown_drain: std::time::Duration,
    /// `DOCS_ENABLED`: serve `/docs` and `/openapi.json` (default on in development, off in
    /// production).
    pub docs_enabled: bool,
    /// `BODY_READ_TIMEOUT` (seconds, default 30): the longest a request body may take to arrive.
    pub body_read_timeout: std::time::Duration,
    /// `READ_RATE_LIMIT`: audited patient-data reads per principal per minute (default 600,
    /// bursts of a fifth of it; 0 = off). Bounds how fast one token can grow the audit log.
    pub read_rate_limit: u32,
    /// The outbox worker: `OUTBOX_MAX_ATTEMPTS` (default 12), `OUTBOX_BACKOFF_BASE_MS` (the wait
    /// after the first failure, doubled after each further one; default 5000),
    /// `OUTBOX_BACKOFF_MAX_SECONDS` (the longest wait; default 3600), `OUTBOX_LEASE_SECONDS` (how
    /// long a claimed message is reserved for one worker; default 120, above the 30 s SMTP
    /// timeout), `OUTBOX_POLL_SECONDS` (the longest sleep between rounds; default 5).
    pub outbox: genascope_adapters_postgres::notify::worker::WorkerSettings,
    /// `LAB_SECRET_KEY`: 64 hex characters (32 bytes), the AES-256-GCM key that seals lab
    /// integration secrets at rest. Unset: no integration can be created and the lab webhook
    /// refuses every call.
    pub lab_secret_key: Option<SecretString>,
    /// File storage: `STORAGE_BACKEND`, `MAX_UPLOAD_MB` (see `crate::storage`).
    pub storage: crate::storage::StorageConfig,
    /// Who may read `/metrics`: `METRICS_TOKEN`, `METRICS_ALLOW_CIDRS` (see `crate::metrics`).
    pub metrics: crate::metrics::MetricsAccess,
    /// Trace export: `OTEL_EXPORTER_OTLP_ENDPOINT` and friends (see `crate::telemetry`); `None`:
    /// off.
    pub otel: Option<crate::telemetry::OtelConfig>,
}

/// A configuration problem, naming the variable.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// Required and absent.
    #[error("{0} is required{1}")]
    Missing(&'static str, &'static str),
    /// Present but unusable.
    #[error("{0} is malformed: {1}")]
    Malformed(&'static str, String),
    /// The dev secret file could not be read or written.
    #[error("cannot use {path}: {source}")]
    Io {
        /// File.
        path: String,
        /// Cause.
        source: std::io::Error,
    },
}

/// Minimum JWT secret length in bytes.
pub const MIN_SECRET_BYTES: usize = 32;

fn var(lookup: &dyn Fn(&str) -> Option<String>, name: &str) -> Option<String> {
    lookup(name)
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

fn parse<T: std::str::FromStr>(
    lookup: &dyn Fn(&str) -> Option<String>,
    name: &'static str,
    default: T,
) -> Result<T, ConfigError> {
    match var(lookup, name) {
        None => Ok(default),
        Some(v) => v
            .parse()
            .map_err(|_| ConfigError::Malformed(name, format!("{v:?} is not a valid value"))),
    }
}

impl Config {
    /// Read the process environment (and `.env` in development).
    pub fn from_env() -> Result<Self, ConfigError> {
        let production =
            std::env::var("APP_ENV").is_ok_and(|v| v.trim().eq_ignore_ascii_case("production"));
        if !production {
            // .env is a development convenience only.
            let _ = dotenvy::dotenv();
        }
        Self::from_lookup(&|k| std::env::var(k).ok())
    }

    /// Build from any variable source (tests pass a map).
    pub fn from_lookup(lookup: &dyn Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let env = app_env(lookup)?;
        let prod = env == AppEnv::Production;
        let data_dir = PathBuf::from(var(lookup, "DATA_DIR").unwrap_or_else(|| "./data".into()));
        let database_url = database_url(lookup, prod, &data_dir)?;
        let jwt_secret = jwt_secret(lookup, prod, &data_dir)?;
        let jwt_secret_previous = jwt_secret_previous(lookup, &jwt_secret)?;
        let jwt_expire_minutes = jwt_expire_minutes(lookup)?;
        let smtp = smtp_config(lookup)?;
        let mail_backend = mail_backend(lookup, prod, smtp.is_some())?;
        let json_logs = json_logs(lookup, prod)?;
        let storage = crate::storage::StorageConfig::from_lookup(lookup, &data_dir)?;
        Ok(Self {
            storage,
            env,
            host: var(lookup, "HOST").unwrap_or_else(|| "127.0.0.1".into()),
            port: parse(lookup, "PORT", 8000)?,
            data_dir,
            database_url,
            jwt_secret,
            jwt_secret_previous,
            jwt_expire_minutes,
            jwt_issuer: var(lookup, "JWT_ISSUER").unwrap_or_else(|| "genascope".into()),
            jwt_audience: var(lookup, "JWT_AUDIENCE").unwrap_or_else(|| "genascope-api".into()),
            api_base_url: var(lookup, "API_BASE_URL")
                .or_else(|| var(lookup, "FRONTEND_BASE_URL"))
                .unwrap_or_else(|| "http://localhost:4321".into())
                .trim_end_matches('/')
                .to_owned(),
            frontend_base_url: var(lookup, "FRONTEND_BASE_URL")
                .unwrap_or_else(|| "http://localhost:4321".into()),
            mail_backend,
            from_email: var(lookup, "FROM_EMAIL")
                .unwrap_or_else(|| "no-reply@genascope.local".into()),
            smtp,
            aws: AwsConfig {
                region: var(lookup, "AWS_DEFAULT_REGION"),
                access_key_id: var(lookup, "AWS_ACCESS_KEY_ID"),
                secret_access_key: var(lookup, "AWS_SECRET_ACCESS_KEY").map(SecretString::from),
                s3_bucket: var(lookup, "S3_BUCKET_NAME"),
                backend_role_name: var(lookup, "BACKEND_ROLE_NAME"),
            },
            json_logs,
            cors_origins: parse_origins(lookup)?,
            database_pool_size: database_pool_size(lookup)?,
            password_hash_concurrency: within(
                lookup,
                "PASSWORD_HASH_CONCURRENCY",
                genascope_adapters_local::identity::hasher::default_concurrency(),
                1..=256,
            )?,
            password_hash_nice: within(
                lookup,
                "PASSWORD_HASH_NICE",
                genascope_adapters_local::identity::hasher::DEFAULT_NICE,
                0..=19,
            )?,
            blocking_threads: within(
                lookup,
                "BLOCKING_THREADS",
                2 * usize::try_from(database_pool_size(lookup)?).unwrap_or(10),
                1..=1024,
            )?,
            database_connect_timeout: seconds(lookup, "DATABASE_CONNECT_TIMEOUT", 5, 1..=120)?,
            read_rate_limit: parse(lookup, "READ_RATE_LIMIT", 600u32)?,
            outbox: outbox_settings(lookup)?,
            body_read_timeout: seconds(lookup, "BODY_READ_TIMEOUT", 30, 1..=600)?,
            shutdown_drain: seconds(lookup, "SHUTDOWN_DRAIN_SECONDS", 10, 0..=600)?,
            principal_cache_ttl: seconds(lookup, "PRINCIPAL_CACHE_TTL_SECS", 60, 0..=3600)?,
            docs_enabled: docs_enabled(lookup, prod)?,
            trusted_proxies: trusted_proxies(lookup, prod)?,
            lab_secret_key: lab_secret_key(lookup)?,
            metrics: crate::metrics::MetricsAccess::from_lookup(lookup)?,
            otel: crate::telemetry::OtelConfig::from_lookup(lookup)?,
        })
    }

    /// The secret bytes for signing.
    #[must_use]
    pub fn jwt_secret_bytes(&self) -> &[u8] {
        self.jwt_secret.expose_secret().as_bytes()
    }
}

/// `LAB_SECRET_KEY`: absent, or 64 hexadecimal characters.
fn lab_secret_key(
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<SecretString>, ConfigError> {
    match var(lookup, "LAB_SECRET_KEY") {
        None => Ok(None),
        Some(k) if k.len() == 64 && k.bytes().all(|b| b.is_ascii_hexdigit()) => {
            Ok(Some(SecretString::from(k)))
        }
        Some(_) => Err(ConfigError::Malformed(
            "LAB_SECRET_KEY",
            "must be 64 hexadecimal characters (32 bytes; e.g. `openssl rand -hex 32`)".into(),
        )),
    }
}

/// `APP_ENV`: development (the default) or production.
fn app_env(lookup: &dyn Fn(&str) -> Option<String>) -> Result<AppEnv, ConfigError> {
    match var(lookup, "APP_ENV")
        .map(|v| v.to_ascii_lowercase())
        .as_deref()
    {
        None | Some("development" | "dev") => Ok(AppEnv::Development),
        Some("production" | "prod") => Ok(AppEnv::Production),
        Some(other) => Err(ConfigError::Malformed(
            "APP_ENV",
            format!("{other:?}: use development or production"),
        )),
    }
}

/// `DATABASE_URL`: required in production; in development an SQLite file under `data_dir`.
fn database_url(
    lookup: &dyn Fn(&str) -> Option<String>,
    prod: bool,
    data_dir: &Path,
) -> Result<String, ConfigError> {
    match var(lookup, "DATABASE_URL") {
        Some(u) => Ok(u),
        None if prod => Err(ConfigError::Missing("DATABASE_URL", " in production")),
        None => Ok(format!(
            "sqlite://{}",
            data_dir.join("genascope.db").display()
        )),
    }
}

/// `JWT_SECRET` (`JWT_ALGORITHM` must be HS256): required in production, at least
/// [`MIN_SECRET_BYTES`] and not weak; in development a secret kept under `data_dir`.
fn jwt_secret(
    lookup: &dyn Fn(&str) -> Option<String>,
    prod: bool,
    data_dir: &Path,
) -> Result<SecretString, ConfigError> {
    if let Some(alg) = var(lookup, "JWT_ALGORITHM")
        && !alg.eq_ignore_ascii_case("HS256")
    {
        return Err(ConfigError::Malformed(
            "JWT_ALGORITHM",
            format!("{alg:?}: only HS256 is supported"),
        ));
    }
    match var(lookup, "JWT_SECRET") {
        Some(s) => strong_secret("JWT_SECRET", s),
        None if prod => Err(ConfigError::Missing(
            "JWT_SECRET",
            " in production (at least 32 bytes)",
        )),
        None => dev_secret(data_dir),
    }
}

/// `JWT_SECRET_PREVIOUS` (optional): the other secret of a rotation (docs/operations.md), held to
/// the same rules as `JWT_SECRET` in every mode, and not the same value.
fn jwt_secret_previous(
    lookup: &dyn Fn(&str) -> Option<String>,
    current: &SecretString,
) -> Result<Option<SecretString>, ConfigError> {
    let Some(s) = var(lookup, "JWT_SECRET_PREVIOUS") else {
        return Ok(None);
    };
    if s == current.expose_secret() {
        return Err(ConfigError::Malformed(
            "JWT_SECRET_PREVIOUS",
            "must differ from JWT_SECRET".into(),
        ));
    }
    strong_secret("JWT_SECRET_PREVIOUS", s).map(Some)
}

/// A signing secret from variable `name`: at least [`MIN_SECRET_BYTES`] and not weak.
fn strong_secret(name: &'static str, s: String) -> Result<SecretString, ConfigError> {
    if s.len() < MIN_SECRET_BYTES {
        return Err(ConfigError::Malformed(
            name,
            format!("must be at least {MIN_SECRET_BYTES} bytes"),
        ));
    }
    match secret_weakness(&s) {
        Some(why) => Err(ConfigError::Malformed(name, why)),
        None => Ok(SecretString::from(s)),
    }
}

/// `JWT_EXPIRE_MINUTES` (default 60): 1 to 1440.
fn jwt_expire_minutes(lookup: &dyn Fn(&str) -> Option<String>) -> Result<i64, ConfigError> {
    let jwt_expire_minutes: i64 = parse(lookup, "JWT_EXPIRE_MINUTES", 60)?;
    if !(1..=24 * 60).contains(&jwt_expire_minutes) {
        return Err(ConfigError::Malformed(
            "JWT_EXPIRE_MINUTES",
            "must be between 1 and 1440".into(),
        ));
    }
    Ok(jwt_expire_minutes)
}

/// `SMTP_HOST` and the rest of the SMTP settings, when a host is given.
fn smtp_config(lookup: &dyn Fn(&str) -> Option<String>) -> Result<Option<SmtpConfig>, ConfigError> {
    Ok(match var(lookup, "SMTP_HOST") {
        None => None,
        Some(host) => Some(SmtpConfig {
            host,
            port: parse(lookup, "SMTP_PORT", 587)?,
            tls: match var(lookup, "SMTP_TLS") {
                Some(t) => genascope_adapters_smtp::SmtpTls::parse(&t).ok_or_else(|| {
                    ConfigError::Malformed("SMTP_TLS", format!("{t:?}: use starttls, tls or none"))
                })?,
                None if var(lookup, "SMTP_PORT").as_deref() == Some("465") => {
                    genascope_adapters_smtp::SmtpTls::Tls
                }
                None => genascope_adapters_smtp::SmtpTls::Starttls,
            },
            user: var(lookup, "SMTP_USER"),
            password: var(lookup, "SMTP_PASSWORD").map(SecretString::from),
        }),
    })
}

/// `MAIL_BACKEND`: by default SMTP when a host is given, else disabled in production and the
/// outbox files in development.
fn mail_backend(
    lookup: &dyn Fn(&str) -> Option<String>,
    prod: bool,
    has_smtp: bool,
) -> Result<MailBackend, ConfigError> {
    let mail_backend = match var(lookup, "MAIL_BACKEND")
        .map(|v| v.to_ascii_lowercase())
        .as_deref()
    {
        Some("outbox") => MailBackend::Outbox,
        Some("smtp") => MailBackend::Smtp,
        Some("ses") => MailBackend::Ses,
        Some("disabled" | "none") => MailBackend::Disabled,
        Some(other) => {
            return Err(ConfigError::Malformed(
                "MAIL_BACKEND",
                format!("{other:?}: use outbox, smtp, ses or disabled"),
            ));
        }
        None if has_smtp => MailBackend::Smtp,
        None if prod => MailBackend::Disabled,
        None => MailBackend::Outbox,
    };
    if mail_backend == MailBackend::Smtp && !has_smtp {
        return Err(ConfigError::Missing("SMTP_HOST", " when MAIL_BACKEND=smtp"));
    }
    Ok(mail_backend)
}

/// `LOG_FORMAT`: JSON by default in production.
fn json_logs(lookup: &dyn Fn(&str) -> Option<String>, prod: bool) -> Result<bool, ConfigError> {
    let log_format = var(lookup, "LOG_FORMAT").map(|v| v.to_ascii_lowercase());
    match log_format.as_deref() {
        Some("json") => Ok(true),
        Some("pretty" | "text") => Ok(false),
        Some(other) => Err(ConfigError::Malformed(
            "LOG_FORMAT",
            format!("{other:?}: use json or pretty"),
        )),
        None => Ok(prod),
    }
}

/// `DATABASE_POOL_SIZE` (default 10): 1 to 500.
fn database_pool_size(lookup: &dyn Fn(&str) -> Option<String>) -> Result<u32, ConfigError> {
    match parse(lookup, "DATABASE_POOL_SIZE", 10u32)? {
        n @ 1..=500 => Ok(n),
        _ => Err(ConfigError::Malformed(
            "DATABASE_POOL_SIZE",
            "must be between 1 and 500".into(),
        )),
    }
}

/// A number in `range` (default `default`).
fn within<T: std::str::FromStr + PartialOrd + std::fmt::Display>(
    lookup: &dyn Fn(&str) -> Option<String>,
    name: &'static str,
    default: T,
    range: std::ops::RangeInclusive<T>,
) -> Result<T, ConfigError> {
    let n = parse(lookup, name, default)?;
    if range.contains(&n) {
        Ok(n)
    } else {
        Err(ConfigError::Malformed(
            name,
            format!("must be between {} and {}", range.start(), range.end()),
        ))
    }
}

/// `DOCS_ENABLED`: on by default in development, off in production.
fn docs_enabled(lookup: &dyn Fn(&str) -> Option<String>, prod: bool) -> Result<bool, ConfigError> {
    match var(lookup, "DOCS_ENABLED").map(|v| v.to_ascii_lowercase()) {
        None => Ok(!prod),
        Some(v) if matches!(v.as_str(), "1" | "true" | "yes" | "on") => Ok(true),
        Some(v) if matches!(v.as_str(), "0" | "false" | "no" | "off") => Ok(false),
        Some(v) => Err(ConfigError::Malformed(
            "DOCS_ENABLED",
            format!("{v:?}: use true or false"),
        )),
    }
}

/// `TRUSTED_PROXIES`: the proxies whose forwarded client address is believed.
fn trusted_proxies(
    lookup: &dyn Fn(&str) -> Option<String>,
    prod: bool,
) -> Result<Vec<crate::net::ProxyNet>, ConfigError> {
    match var(lookup, "TRUSTED_PROXIES") {
        // Development: a reverse proxy on the same host (the usual frontend dev setup).
        // Production trusts no proxy unless told: a forwarded header from anyone else
        // would let a client choose the address its per-IP limit counts against.
        None if prod => Ok(Vec::new()),
        None => Ok(vec![
            std::net::IpAddr::from(std::net::Ipv4Addr::LOCALHOST).into(),
            std::net::IpAddr::from(std::net::Ipv6Addr::LOCALHOST).into(),
        ]),
        Some(raw) => raw
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty() && *s != "none")
            .map(|s| {
                s.parse()
                    .map_err(|why| ConfigError::Malformed("TRUSTED_PROXIES", why))
            })
            .collect(),
    }
}

/// The outbox worker's settings (see [`Config::outbox`]).
fn outbox_settings(
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<genascope_adapters_postgres::notify::worker::WorkerSettings, ConfigError> {
    use genascope_adapters_postgres::notify::Backoff;
    let defaults = genascope_adapters_postgres::notify::worker::WorkerSettings::default();
    let max_attempts: u32 = parse(lookup, "OUTBOX_MAX_ATTEMPTS", defaults.backoff.max_attempts)?;
    if !(1..=100).contains(&max_attempts) {
        return Err(ConfigError::Malformed(
            "OUTBOX_MAX_ATTEMPTS",
            "must be between 1 and 100".into(),
        ));
    }
    let base_ms: u64 = parse(lookup, "OUTBOX_BACKOFF_BASE_MS", 5000)?;
    if !(10..=3_600_000).contains(&base_ms) {
        return Err(ConfigError::Malformed(
            "OUTBOX_BACKOFF_BASE_MS",
            "must be between 10 and 3600000 milliseconds".into(),
        ));
    }
    Ok(
        genascope_adapters_postgres::notify::worker::WorkerSettings {
            backoff: Backoff {
                base: std::time::Duration::from_millis(base_ms),
                max: seconds(lookup, "OUTBOX_BACKOFF_MAX_SECONDS", 3600, 1..=86_400)?,
                max_attempts,
            },
            lease: seconds(lookup, "OUTBOX_LEASE_SECONDS", 120, 1..=3600)?,
            poll: seconds(lookup, "OUTBOX_POLL_SECONDS", 5, 1..=3600)?,
            ..defaults
        },
    )
}

/// A whole number of seconds within `range`.
fn seconds(
    lookup: &dyn Fn(&str) -> Option<String>,
    name: &'static str,
    default: u64,
    range: std::ops::RangeInclusive<u64>,
) -> Result<std::time::Duration, ConfigError> {
    let n: u64 = parse(lookup, name, default)?;
    if !range.contains(&n) {
        return Err(ConfigError::Malformed(
            name,
            format!(
                "must be between {} and {} seconds",
                range.start(),
                range.end()
            ),
        ));
    }
    Ok(std::time::Duration::from_secs(n))
}

/// Least estimated entropy of a JWT secret, in bits: the Shannon entropy of its own character
/// frequencies times its length. 32 random hex characters (`openssl rand -hex 16`, 128 random
/// bits) measure 115 on average and above 90 in 100,000 draws; a 4-character pattern repeated to
/// 32 bytes measures 64; 32 copies of one character measure 0.
pub const MIN_SECRET_ENTROPY_BITS: f64 = 80.0;

/// Why a secret is too weak to sign tokens with, if it is.
fn secret_weakness(secret: &str) -> Option<String> {
    let lower = secret.to_ascii_lowercase();
    if [
        "change-me",
        "changeme",
        "your-secret",
        "secret-key",
        "placeholder",
    ]
    .iter()
    .any(|w| lower.contains(w))
    {
        return Some(
            "looks like a placeholder: generate one with `openssl rand -base64 48`".into(),
        );
    }
    let mut counts = std::collections::HashMap::new();
    for b in secret.bytes() {
        *counts.entry(b).or_insert(0usize) += 1;
    }
    #[allow(clippy::cast_precision_loss)]
    let len = secret.len() as f64;
    let per_char: f64 = counts
        .values()
        .map(|&c| {
            #[allow(clippy::cast_precision_loss)]
            let p = c as f64 / len;
            -p * p.log2()
        })
        .sum();
    (per_char * len < MIN_SECRET_ENTROPY_BITS).then(|| {
        "has too little entropy (repeated or predictable characters): generate one with `openssl rand -base64 48`".into()
    })
}

/// `CORS_ORIGINS`: comma-separated `scheme://host[:port]` origins.
fn parse_origins(lookup: &dyn Fn(&str) -> Option<String>) -> Result<Vec<String>, ConfigError> {
    let Some(raw) = var(lookup, "CORS_ORIGINS") else {
        return Ok(Vec::new());
    };
    raw.split(',')
        .map(str::trim)
        .filter(|o| !o.is_empty())
        .map(|o| {
            let o = o.trim_end_matches('/');
            let valid = (o.starts_with("http://") || o.starts_with("https://"))
                && !o
                    .split_once("://")
                    .is_some_and(|(_, rest)| rest.is_empty() || rest.contains('/'));
            if valid {
                Ok(o.to_owned())
            } else {
                Err(ConfigError::Malformed(
                    "CORS_ORIGINS",
                    format!("{o:?} is not an origin like https://app.example.org"),
                ))
            }
        })
        .collect()
}

/// The development JWT secret: generated once into the data folder (mode 0600) and reused.
fn dev_secret(data_dir: &std::path::Path) -> Result<SecretString, ConfigError> {
    let path = data_dir.join("jwt-secret");
    let io = |source| ConfigError::Io {
        path: path.display().to_string(),
        source,
    };
    if let Ok(s) = std::fs::read_to_string(&path) {
        let s = s.trim().to_owned();
        if s.len() >= MIN_SECRET_BYTES {
            return Ok(SecretString::from(s));
        }
    }
    std::fs::create_dir_all(data_dir).map_err(io)?;
    let mut bytes = [0u8; 48];
    getrandom::fill(&mut bytes).map_err(|e| io(std::io::Error::other(e.to_string())))?;
    let secret = hex::encode(bytes);
    write_private(&path, &secret).map_err(io)?;
    Ok(SecretString::from(secret))
}

fn write_private(path: &std::path::Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(path)?.write_all(contents.as_bytes())
}

#[cfg(test)]
mod tests;
