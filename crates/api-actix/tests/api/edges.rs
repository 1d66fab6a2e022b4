//! Limits at the edge (issue #6 items 9, 10, 19; issue #7 §3): slow bodies, oversized multipart
//! uploads, the reset-request time floor, failing fast while the database is down, and login
//! limits shared by replicas.

use crate::helpers::{PW, TestApp, spawn_app_with};
use genascope_adapters_postgres::Backend;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A client that sends headers and part of its body, then stalls, is answered with a 4xx once
/// `BODY_READ_TIMEOUT` passes (before: the request stayed open for ever).
pub async fn a_stalled_body_is_refused(backend: Backend) {
    let app = spawn_app_with(backend, &[("BODY_READ_TIMEOUT", "1")]).await;
    let addr = app.address.trim_start_matches("http://").to_owned();
    let mut conn = tokio::net::TcpStream::connect(&addr).await.unwrap();
    conn.write_all(
        b"POST /api/eligibility/assess HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
          Content-Length: 1000\r\n\r\n{\"proband\":",
    )
    .await
    .unwrap();
    let mut head = [0u8; 64];
    let n = tokio::time::timeout(Duration::from_secs(20), conn.read(&mut head))
        .await
        .expect("an answer, not a hang")
        .unwrap();
    let text = String::from_utf8_lossy(&head[..n]);
    let status: u16 = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    // Unauthenticated: the auth check may answer before the body is read (401); either way a
    // 4xx, and never a connection held open.
    assert!((400..500).contains(&status), "{text}");
    app.shutdown().await;
}

/// The body of an authenticated JSON route that stalls after its token was checked.
pub async fn a_stalled_json_body_of_a_signed_in_user_is_4xx(backend: Backend) {
    let app = spawn_app_with(backend, &[("BODY_READ_TIMEOUT", "1")]).await;
    let sa = app.super_admin().await;
    let addr = app.address.trim_start_matches("http://").to_owned();
    let mut conn = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "POST /api/eligibility/assess HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {sa}\r\n\
         Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{\"proband\":"
    );
    conn.write_all(head.as_bytes()).await.unwrap();
    let started = Instant::now();
    let mut buf = [0u8; 64];
    let n = tokio::time::timeout(Duration::from_secs(20), conn.read(&mut buf))
        .await
        .expect("an answer, not a hang")
        .unwrap();
    let text = String::from_utf8_lossy(&buf[..n]);
    assert!(text.starts_with("HTTP/1.1 4"), "{text}");
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "{:?}",
        started.elapsed()
    );
    app.shutdown().await;
}

/// An import upload whose fields are each under the file limit but whose whole is not: 413
/// (before: each junk field was read whole, 200 MB of them accepted).
pub async fn junk_multipart_fields_are_bounded(app: &TestApp) {
    let sa = app.super_admin().await;
    let c = app.account(&sa, "Junk Clinic", "admin@junk.test").await;
    let chunk = vec![b'x'; 3 * 1024 * 1024];
    let form = reqwest::multipart::Form::new()
        .part("junk1", reqwest::multipart::Part::bytes(chunk.clone()))
        .part("junk2", reqwest::multipart::Part::bytes(chunk.clone()))
        .part("junk3", reqwest::multipart::Part::bytes(chunk))
        .part(
            "file",
            reqwest::multipart::Part::bytes(b"email,first_name,last_name\n".to_vec())
                .file_name("p.csv"),
        );
    let r = app
        .send(
            app.client
                .post(app.url("/api/patients/import-csv"))
                .bearer_auth(&c.admin)
                .multipart(form),
        )
        .await;
    assert_eq!(r.status, 413, "{}", r.text);
    // Many tiny parts are refused too.
    let mut form = reqwest::multipart::Form::new();
    for i in 0..40 {
        form = form.text(format!("f{i}"), "x");
    }
    let r = app
        .send(
            app.client
                .post(app.url("/api/patients/import-csv"))
                .bearer_auth(&c.admin)
                .multipart(form),
        )
        .await;
    assert_eq!(r.status, 413, "{}", r.text);
}

/// Known and unknown emails answer a reset request alike, after the same floor (the known one
/// also writes a token and a mail).
pub async fn reset_requests_answer_after_the_same_floor(app: &TestApp) {
    let sa = app.super_admin().await;
    app.account(&sa, "Floor Clinic", "admin@floor.test").await;
    for email in ["admin@floor.test", "nobody@floor.test"] {
        let started = Instant::now();
        let r = app
            .post(
                "/api/auth/password-reset/request",
                None,
                &serde_json::json!({ "email": email }),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert!(
            started.elapsed() >= genascope_api::routes::identity::RESET_REQUEST_FLOOR,
            "{email}: {:?}",
            started.elapsed()
        );
    }
    assert_eq!(app.emails_to("admin@floor.test").await.len(), 1);
    let _ = PW;
}

/// While PostgreSQL is gone, requests fail at once with 503 + Retry-After instead of each
/// waiting the pool's timeout (issue #6 item 10).
pub async fn a_database_outage_fails_fast(app: &TestApp) {
    let sa = app.super_admin().await;
    app.get("/api/auth/me", Some(&sa)).await.expect(200);
    app.drop_database_now().await;
    // The first request finds out (it may wait up to the connect timeout).
    let r = app.get("/api/auth/me", Some(&sa)).await;
    assert_eq!(r.status, 503, "{}", r.text);
    for _ in 0..5 {
        let started = Instant::now();
        let r = app.get("/api/auth/me", Some(&sa)).await;
        assert_eq!(r.status, 503, "{}", r.text);
        assert_eq!(r.header("retry-after").as_deref(), Some("1"));
        // DATABASE_CONNECT_TIMEOUT is 5 s: an answer well under it is the breaker's.
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{:?}",
            started.elapsed()
        );
    }
    let started = Instant::now();
    app.get("/ready", None).await.expect(503);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

/// Issue #6 item 7: guesses from one address slow that address down for that email only; the
/// victim, from its own address, still logs in; a burst of parallel correct logins is never
/// refused.
pub async fn an_attacker_cannot_lock_a_victim_out(app: &TestApp) {
    use crate::helpers::SA_EMAIL;
    app.super_admin().await;
    let attempt = |password: &'static str, ip: &'static str| {
        app.client
            .post(app.url("/api/auth/token"))
            .header("X-Forwarded-For", ip)
            .form(&[("username", SA_EMAIL), ("password", password)])
    };
    for i in 0..10 {
        let r = app.send(attempt("wrong-password-1", "198.51.100.66")).await;
        assert_eq!(r.status, 401, "guess {}: {}", i + 1, r.text);
    }
    // The attacker's 11th guess waits; so would its correct one.
    let r = app.send(attempt("wrong-password-1", "198.51.100.66")).await;
    assert_eq!(r.status, 429, "{}", r.text);
    let wait: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=30).contains(&wait), "{wait}");
    // The victim, elsewhere, is not locked out.
    let r = app.send(attempt(PW, "192.0.2.10")).await;
    assert_eq!(r.status, 200, "{}", r.text);
}

pub async fn parallel_correct_logins_are_never_refused(app: &TestApp) {
    use crate::helpers::SA_EMAIL;
    app.super_admin().await;
    let logins = (0..24).map(|_| app.login_form(SA_EMAIL, PW));
    for r in futures_util::future::join_all(logins).await {
        assert_eq!(r.status, 200, "{}", r.text);
    }
}

/// Issue #7 §3: two replicas behind a load balancer share the login limits (they live in the
/// database): failures on either count toward one (email, client) throttle and one per-address
/// limit, and a burst of guesses split over both gets no more than the free ones verified.
pub async fn replicas_share_the_login_limits(app: &TestApp) {
    use crate::helpers::SA_EMAIL;
    app.super_admin().await;
    let other = app.replica().await;
    let on = |i: usize| {
        if i.is_multiple_of(2) {
            app.address.as_str()
        } else {
            other.address.as_str()
        }
    };
    let attempt = |base: &str, email: &str, password: &str, client: &str| {
        app.client
            .post(format!("{base}/api/auth/token"))
            .header("X-Forwarded-For", client)
            .form(&[("username", email), ("password", password)])
    };
    // Ten failures, alternating replicas: the eleventh is 429 on either, even with the right
    // password.
    for i in 0..10 {
        let r = app
            .send(attempt(on(i), SA_EMAIL, "wrong-password-1", "198.51.100.1"))
            .await;
        assert_eq!(r.status, 401, "guess {}: {}", i + 1, r.text);
    }
    for base in [&other.address, &app.address] {
        let r = app.send(attempt(base, SA_EMAIL, PW, "198.51.100.1")).await;
        assert_eq!(r.status, 429, "{}", r.text);
        let wait: u64 = r.header("retry-after").unwrap().parse().unwrap();
        assert!((1..=30).contains(&wait), "{wait}");
        assert_eq!(r.body["detail"], "Too many requests; try again later");
    }
    // Fifty failures from one address, any emails, over both replicas: the 51st is 429 on
    // either; another address is not affected.
    for i in 0..50 {
        let email = format!("nobody{i}@nowhere.test");
        let r = app
            .send(attempt(on(i), &email, "wrong-password-1", "198.51.100.2"))
            .await;
        assert_eq!(r.status, 401, "attempt {}: {}", i + 1, r.text);
    }
    for base in [&app.address, &other.address] {
        let r = app
            .send(attempt(
                base,
                "late@nowhere.test",
                "x-password-1",
                "198.51.100.2",
            ))
            .await;
        assert_eq!(r.status, 429, "{}", r.text);
        assert!(r.header("retry-after").is_some());
    }
    let r = app
        .send(attempt(&other.address, SA_EMAIL, PW, "198.51.100.4"))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    // Thirty guesses at once from a third address, half on each replica.
    let words: Vec<String> = (0..30).map(|i| format!("wrong-guess-{i}")).collect();
    let guesses = words
        .iter()
        .enumerate()
        .map(|(i, w)| app.send(attempt(on(i), SA_EMAIL, w, "198.51.100.3")));
    let results = futures_util::future::join_all(guesses).await;
    let verified = results.iter().filter(|r| r.status == 401).count();
    let limited = results.iter().filter(|r| r.status == 429).count();
    assert_eq!(verified + limited, 30, "only 401s and 429s");
    assert!(verified <= 10, "{verified} guesses were verified");
    other.shutdown().await;
}
