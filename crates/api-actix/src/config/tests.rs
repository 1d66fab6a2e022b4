//! Configuration tests: every variable's defaults, bounds and refusals.
use super::*;
use std::collections::HashMap;

fn cfg(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let map: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    Config::from_lookup(&|k| map.get(k).cloned())
}

#[test]
fn production_refuses_missing_or_weak_secret_and_missing_database() {
    let db = ("DATABASE_URL", "postgres://x@127.0.0.1/db");
    let err = cfg(&[("APP_ENV", "production"), db])
        .unwrap_err()
        .to_string();
    assert!(err.contains("JWT_SECRET"), "{err}");
    let err = cfg(&[("APP_ENV", "production"), db, ("JWT_SECRET", "short")])
        .unwrap_err()
        .to_string();
    assert!(err.contains("JWT_SECRET") && err.contains("32"), "{err}");
    let secret = ("JWT_SECRET", "0123456789abcdef0123456789abcdef");
    let err = cfg(&[("APP_ENV", "production"), secret])
        .unwrap_err()
        .to_string();
    assert!(err.contains("DATABASE_URL"), "{err}");
    let ok = cfg(&[("APP_ENV", "production"), secret, db]).unwrap();
    assert!(ok.json_logs);
    assert_eq!(ok.mail_backend, MailBackend::Disabled);
}

#[test]
fn previous_jwt_secret_is_optional_strong_and_different() {
    let db = ("DATABASE_URL", "postgres://x@127.0.0.1/db");
    let current = "9f86d081884c7d659a2feaa0c55ad015";
    let base = [("APP_ENV", "production"), db, ("JWT_SECRET", current)];
    assert!(cfg(&base).unwrap().jwt_secret_previous.is_none());
    let repeated = "abcd".repeat(8);
    for (bad, says) in [
        ("short", "32"),
        (repeated.as_str(), "JWT_SECRET_PREVIOUS"),
        (current, "differ"),
    ] {
        let mut vars = base.to_vec();
        vars.push(("JWT_SECRET_PREVIOUS", bad));
        let err = cfg(&vars).unwrap_err().to_string();
        assert!(
            err.contains("JWT_SECRET_PREVIOUS") && err.contains(says),
            "{err}"
        );
    }
    let old = "q3Jv2x0Wc9Lk8pTzR1sYb6nMf4hGd7aE0uVi5oKe2tXy";
    let mut vars = base.to_vec();
    vars.push(("JWT_SECRET_PREVIOUS", old));
    let ok = cfg(&vars).unwrap();
    let previous = ok.jwt_secret_previous.expect("configured");
    assert_eq!(previous.expose_secret(), old);
}

#[test]
fn production_refuses_low_entropy_secrets_and_trusts_no_proxy_by_default() {
    let db = ("DATABASE_URL", "postgres://x@127.0.0.1/db");
    for weak in [
        "a".repeat(32),
        "ab".repeat(24),
        "abcd".repeat(8),
        "change-me-change-me-change-me-change-me".to_owned(),
    ] {
        let err = cfg(&[("APP_ENV", "production"), db, ("JWT_SECRET", &weak)])
            .unwrap_err()
            .to_string();
        assert!(err.contains("JWT_SECRET"), "{weak}: {err}");
    }
    // 32 hex characters of 16 random bytes, and a base64 secret, pass.
    for strong in [
        "9f86d081884c7d659a2feaa0c55ad015",
        "q3Jv2x0Wc9Lk8pTzR1sYb6nMf4hGd7aE0uVi5oKe2tXy",
    ] {
        let ok = cfg(&[("APP_ENV", "production"), db, ("JWT_SECRET", strong)]).unwrap();
        assert!(ok.trusted_proxies.is_empty());
        assert!(!ok.docs_enabled);
    }
    let dir = std::env::temp_dir().join(format!("genascope-cfg-{}", uuid::Uuid::new_v4()));
    let d = dir.to_string_lossy().into_owned();
    let dev = cfg(&[("DATA_DIR", &d)]).unwrap();
    assert_eq!(dev.trusted_proxies.len(), 2);
    assert!(dev.docs_enabled);
    assert_eq!(dev.database_pool_size, 10);
    assert_eq!(dev.blocking_threads, 20);
    assert!(dev.password_hash_concurrency >= 1);
    assert_eq!(dev.password_hash_nice, 10);
    let sized = cfg(&[
        ("DATA_DIR", &d),
        ("DATABASE_POOL_SIZE", "4"),
        ("PASSWORD_HASH_CONCURRENCY", "3"),
        ("PASSWORD_HASH_NICE", "0"),
    ])
    .unwrap();
    assert_eq!(sized.blocking_threads, 8);
    assert_eq!(sized.password_hash_concurrency, 3);
    assert_eq!(sized.password_hash_nice, 0);
    assert_eq!(dev.shutdown_drain, std::time::Duration::from_secs(10));
    assert_eq!(dev.principal_cache_ttl, std::time::Duration::from_secs(60));
    assert_eq!(dev.outbox.backoff.max_attempts, 12);
    assert_eq!(dev.outbox.backoff.base, std::time::Duration::from_secs(5));
    assert_eq!(dev.outbox.lease, std::time::Duration::from_secs(120));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn malformed_values_name_the_variable() {
    let dir = std::env::temp_dir().join(format!("genascope-cfg-{}", uuid::Uuid::new_v4()));
    let d = dir.to_string_lossy().into_owned();
    for (k, v) in [
        ("TRUSTED_PROXIES", "10.0.0.1,proxy.local"),
        ("TRUSTED_PROXIES", "10.244.0.0/33"),
        ("TRUSTED_PROXIES", "10.244.0.1/16"),
        ("CORS_ORIGINS", "https://ok.example.org,not-an-origin"),
        ("PORT", "eighty"),
        ("JWT_ALGORITHM", "none"),
        ("APP_ENV", "staging"),
        ("JWT_EXPIRE_MINUTES", "0"),
        ("DATABASE_POOL_SIZE", "0"),
        ("PASSWORD_HASH_CONCURRENCY", "0"),
        ("PASSWORD_HASH_CONCURRENCY", "many"),
        ("PASSWORD_HASH_NICE", "20"),
        ("PASSWORD_HASH_NICE", "-5"),
        ("BLOCKING_THREADS", "0"),
        ("BLOCKING_THREADS", "5000"),
        ("DATABASE_CONNECT_TIMEOUT", "soon"),
        ("SHUTDOWN_DRAIN_SECONDS", "9999"),
        ("PRINCIPAL_CACHE_TTL_SECS", "forever"),
        ("PRINCIPAL_CACHE_TTL_SECS", "86400"),
        ("DOCS_ENABLED", "maybe"),
        ("OUTBOX_MAX_ATTEMPTS", "0"),
        ("OUTBOX_BACKOFF_BASE_MS", "5"),
        ("OUTBOX_BACKOFF_MAX_SECONDS", "never"),
        ("OUTBOX_LEASE_SECONDS", "0"),
        ("OUTBOX_POLL_SECONDS", "99999"),
    ] {
        let err = cfg(&[("DATA_DIR", &d), (k, v)]).unwrap_err().to_string();
        assert!(err.contains(k), "{k}: {err}");
    }
    let err = cfg(&[
        ("DATA_DIR", &d),
        ("SMTP_HOST", "mail.example.org"),
        ("SMTP_TLS", "sometimes"),
    ])
    .unwrap_err()
    .to_string();
    assert!(err.contains("SMTP_TLS"), "{err}");
    let ok = cfg(&[("DATA_DIR", &d), ("TRUSTED_PROXIES", "10.0.0.1, ::1")]).unwrap();
    assert_eq!(ok.trusted_proxies.len(), 2);
    let ok = cfg(&[
        ("DATA_DIR", &d),
        ("TRUSTED_PROXIES", "10.244.0.0/16, fd00::/8"),
    ])
    .unwrap();
    assert!(ok.trusted_proxies[0].contains("10.244.7.1".parse().unwrap()));
    assert!(ok.trusted_proxies[1].contains("fd00::9".parse().unwrap()));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn development_generates_and_keeps_a_secret() {
    let dir = std::env::temp_dir().join(format!("genascope-cfg-{}", uuid::Uuid::new_v4()));
    let d = dir.to_string_lossy().into_owned();
    let a = cfg(&[("DATA_DIR", &d)]).unwrap();
    let b = cfg(&[("DATA_DIR", &d)]).unwrap();
    assert!(a.jwt_secret_bytes().len() >= MIN_SECRET_BYTES);
    assert_eq!(a.jwt_secret_bytes(), b.jwt_secret_bytes());
    assert!(a.database_url.starts_with("sqlite://"));
    assert_eq!(a.mail_backend, MailBackend::Outbox);
    let _ = std::fs::remove_dir_all(dir);
}
