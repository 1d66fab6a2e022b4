//! Failed-login and reset-request limits, per email and per client address.

use super::*;

pub async fn eleventh_failure_is_429(app: &TestApp) {
    app.super_admin().await;
    for i in 0..10 {
        let r = app.login_form(SA_EMAIL, "wrong-password-1").await;
        assert_eq!(r.status, 401, "attempt {}: {}", i + 1, r.text);
    }
    let r = app.login_form(SA_EMAIL, "wrong-password-1").await;
    assert_eq!(r.status, 429, "{}", r.text);
    let retry: u64 = r
        .header("retry-after")
        .expect("Retry-After")
        .parse()
        .unwrap();
    assert!(retry > 0 && retry <= 15 * 60, "{retry}");
    assert!(r.body["detail"].is_string());
    // Even the right password is refused while throttled.
    let r = app.login_form(SA_EMAIL, PW).await;
    assert_eq!(r.status, 429, "{}", r.text);
    // Another email is not affected.
    let r = app
        .login_form("someone-else@x.test", "wrong-password-1")
        .await;
    assert_eq!(r.status, 401);
}

/// Contract §1.7 / §3.1: password-reset requests are limited to 5 per hour per email (429 +
/// `Retry-After`).
pub async fn password_reset_request_is_rate_limited(app: &TestApp) {
    app.super_admin().await;
    for i in 0..5 {
        let r = app
            .post(
                "/api/auth/password-reset/request",
                None,
                &json!({"email": SA_EMAIL}),
            )
            .await;
        assert_eq!(r.status, 200, "request {}: {}", i + 1, r.text);
    }
    let r = app
        .post(
            "/api/auth/password-reset/request",
            None,
            &json!({"email": SA_EMAIL}),
        )
        .await;
    assert_eq!(
        r.status, 429,
        "6th reset request within the hour: {}",
        r.text
    );
    assert!(r.header("retry-after").is_some());
    assert_eq!(app.emails_to(SA_EMAIL).await.len(), 5);
}

/// Contract §1.7: at most 50 failed logins per IP within 15 minutes, whatever the emails.
pub async fn login_failures_are_limited_per_ip(app: &TestApp) {
    app.super_admin().await;
    for i in 0..50 {
        let r = app
            .login_form(&format!("nobody{i}@nowhere.test"), "wrong-password-1")
            .await;
        assert_eq!(r.status, 401, "attempt {}: {}", i + 1, r.text);
    }
    let r = app
        .login_form("nobody-else@nowhere.test", "wrong-password-1")
        .await;
    assert_eq!(r.status, 429, "{}", r.text);
    assert!(r.header("retry-after").is_some());
}

/// Behind the frontend's proxy every TCP peer is the proxy: the client named by
/// `X-Forwarded-For` is the one counted, so one client's failures do not lock out the others.
pub async fn per_ip_limit_counts_the_forwarded_client(app: &TestApp) {
    app.super_admin().await;
    let attempt = |email: String, ip: &'static str| {
        app.client
            .post(app.url("/api/auth/token"))
            .header("X-Forwarded-For", ip)
            .form(&[
                ("username", email.as_str()),
                ("password", "wrong-password-1"),
            ])
    };
    for i in 0..50 {
        let r = app
            .send(attempt(format!("x{i}@nowhere.test"), "203.0.113.7"))
            .await;
        assert_eq!(r.status, 401, "attempt {}: {}", i + 1, r.text);
    }
    let r = app
        .send(attempt("y@nowhere.test".into(), "203.0.113.7"))
        .await;
    assert_eq!(r.status, 429, "{}", r.text);
    let r = app
        .send(attempt("y@nowhere.test".into(), "203.0.113.8"))
        .await;
    assert_eq!(
        r.status, 401,
        "another client behind the same proxy is not locked out: {}",
        r.text
    );
}

/// From a peer that is not a trusted proxy, `X-Forwarded-For` is ignored: rotating it does not
/// dodge the per-IP limit.
pub async fn forwarded_header_from_an_untrusted_peer_is_ignored(
    backend: genascope_adapters_postgres::Backend,
) {
    let app = spawn_app_with(backend, &[("TRUSTED_PROXIES", "none")]).await;
    app.super_admin().await;
    for i in 0..50 {
        let rb = app
            .client
            .post(app.url("/api/auth/token"))
            .header("X-Forwarded-For", format!("198.51.100.{i}"))
            .form(&[
                ("username", format!("z{i}@nowhere.test").as_str()),
                ("password", "wrong-password-1"),
            ]);
        assert_eq!(app.send(rb).await.status, 401, "attempt {}", i + 1);
    }
    let rb = app
        .client
        .post(app.url("/api/auth/token"))
        .header("X-Forwarded-For", "198.51.100.250")
        .form(&[
            ("username", "last@nowhere.test"),
            ("password", "wrong-password-1"),
        ]);
    assert_eq!(app.send(rb).await.status, 429);
    app.shutdown().await;
}

/// Thirty guesses for one email at once: the limit of 10 holds although every guess is checked
/// before any password verification finishes (each attempt is counted before the slow check).
pub async fn parallel_guesses_cannot_outrun_the_limit(app: &TestApp) {
    app.super_admin().await;
    let words: Vec<String> = (0..30).map(|i| format!("wrong-guess-{i}")).collect();
    let guesses = words.iter().map(|w| app.login_form(SA_EMAIL, w));
    let results = futures_util::future::join_all(guesses).await;
    let unauthorized = results.iter().filter(|r| r.status == 401).count();
    let limited = results.iter().filter(|r| r.status == 429).count();
    assert_eq!(unauthorized + limited, 30, "only 401s and 429s");
    // Two workers may race between the check and the count: allow that, not more.
    assert!(unauthorized <= 12, "{unauthorized} guesses were verified");
}
