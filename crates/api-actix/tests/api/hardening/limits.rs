//! Items 2 and 4: the per-principal read rate limit, the per-IP limit behind proxies.

use super::*;

// ---------------------------------------------------------------------------------------------
// Item 2: per-principal read rate limit

/// `READ_RATE_LIMIT=10` (bursts of 2, one more every 6 s): the third audited read of one
/// principal in a row is 429 with `Retry-After`, on all three audited read routes; another
/// principal and unaudited routes are not affected. `READ_RATE_LIMIT=0` turns it off.
pub async fn read_rate_limit(backend: Backend) {
    let app = spawn_app_with(backend, &[("READ_RATE_LIMIT", "10")]).await;
    let sa = app.super_admin().await;
    let c = app.account(&sa, "Rate Clinic", "admin@rate.test").await;
    app.user(&c.admin, "clin@rate.test", "Cleo Clin", "clinician")
        .await;
    let clin = app.token("clin@rate.test", PW).await;
    let p = id_of(&app.patient(&clin, "Pat", "Rate", "pat@rate.test").await);
    let reads = [
        "/api/patients".to_owned(),
        format!("/api/patients/{p}"),
        format!("/api/eligibility/analyze/{p}"),
    ];
    let start = Instant::now();
    let mut answers = Vec::new();
    for path in reads.iter().cycle().take(6) {
        answers.push(app.get(path, Some(&c.admin)).await);
    }
    let elapsed = start.elapsed();
    let statuses: Vec<u16> = answers.iter().map(|r| r.status).collect();
    assert_eq!(&statuses[..2], [200, 200], "the burst: {statuses:?}");
    if elapsed < Duration::from_secs(6) {
        // No token came back yet: every later read, on each of the three routes, is refused.
        assert_eq!(&statuses[2..], [429, 429, 429, 429], "{statuses:?}");
    } else {
        // A slow machine: at most one more read per 6 s.
        let allowed = statuses.iter().filter(|s| **s != 429).count();
        let refills = usize::try_from(elapsed.as_secs() / 6).unwrap();
        assert!(allowed <= 2 + refills, "{statuses:?} in {elapsed:?}");
    }
    for r in answers.iter().filter(|r| r.status == 429) {
        let retry: u64 = r
            .header("retry-after")
            .expect("429 has Retry-After")
            .parse()
            .expect("Retry-After in seconds");
        assert!((1..=6).contains(&retry), "Retry-After {retry}");
        assert_eq!(r.body["detail"], "Too many requests; try again later");
    }
    // Other principals read on; writes and unaudited routes are not counted.
    app.get("/api/patients", Some(&clin)).await.expect(200);
    app.get("/api/auth/me", Some(&c.admin)).await.expect(200);
    app.patient(&c.admin, "Pat", "Two", "pat2@rate.test").await;
    app.shutdown().await;

    let app = spawn_app_with(backend, &[("READ_RATE_LIMIT", "0")]).await;
    let sa = app.super_admin().await;
    for i in 0..15 {
        let r = app.get("/api/patients", Some(&sa)).await;
        assert_eq!(
            r.status, 200,
            "READ_RATE_LIMIT=0 is off; read {i}: {}",
            r.text
        );
    }
    app.shutdown().await;
}

// ---------------------------------------------------------------------------------------------
// Item 4: per-IP limit and X-Forwarded-For

/// Behind a trusted proxy (loopback, the development default) the client is the right-most
/// `X-Forwarded-For` entry: rotating the left-most entries (which the client writes itself)
/// does not reset its per-IP count; another right-most client is not affected.
pub async fn per_ip_limit_ignores_spoofed_left_most_forwarded_entries(app: &TestApp) {
    app.super_admin().await;
    let attempt = |email: String, xff: String| {
        app.client
            .post(app.url("/api/auth/token"))
            .header("X-Forwarded-For", xff)
            .form(&[
                ("username", email.as_str()),
                ("password", "wrong-password-1"),
            ])
    };
    for i in 0..50 {
        let r = app
            .send(attempt(
                format!("x{i}@nowhere.test"),
                format!("198.51.100.{i}, 203.0.113.77"),
            ))
            .await;
        assert_eq!(r.status, 401, "attempt {}: {}", i + 1, r.text);
    }
    let r = app
        .send(attempt(
            "y@nowhere.test".into(),
            "192.0.2.250, 203.0.113.77".into(),
        ))
        .await;
    assert_eq!(r.status, 429, "51st from 203.0.113.77: {}", r.text);
    assert!(r.header("retry-after").is_some());
    let r = app
        .send(attempt(
            "y@nowhere.test".into(),
            "198.51.100.1, 203.0.113.78".into(),
        ))
        .await;
    assert_eq!(r.status, 401, "another client: {}", r.text);
}
