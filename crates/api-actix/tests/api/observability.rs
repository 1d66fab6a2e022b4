//! `GET /metrics` and W3C trace context (issue #12): who may scrape, what is counted under which
//! labels (route templates, never ids), and the `traceparent` answered.

use crate::helpers::*;
use genascope_adapters_postgres::Backend;
use serde_json::{Value, json};

/// The sum of the samples of `name` whose labels include every `labels` pair (0 if none).
fn sample(text: &str, name: &str, labels: &[(&str, &str)]) -> f64 {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let (series, value) = l.rsplit_once(' ')?;
            let (metric, rest) = series.split_once('{').unwrap_or((series, ""));
            (metric == name
                && labels
                    .iter()
                    .all(|(k, v)| rest.contains(&format!("{k}=\"{v}\""))))
            .then(|| value.parse::<f64>().ok())
            .flatten()
        })
        .sum()
}

/// Whether any sample of `name` exists with these labels.
fn has(text: &str, name: &str, labels: &[(&str, &str)]) -> bool {
    text.lines().any(|l| {
        !l.starts_with('#')
            && l.split_once(['{', ' ']).is_some_and(|(m, _)| m == name)
            && labels
                .iter()
                .all(|(k, v)| l.contains(&format!("{k}=\"{v}\"")))
    })
}

async fn scrape(app: &TestApp, token: Option<&str>) -> Resp {
    let mut rb = app.client.get(app.url("/metrics"));
    if let Some(t) = token {
        rb = rb.bearer_auth(t);
    }
    app.send(rb).await
}

fn profile() -> Value {
    json!({
        "proband": {
            "sex": "female", "age": 40, "ethnicity": "white", "ashkenazi_jewish": false,
            "menarche_age": 12, "live_births": 1, "first_live_birth_age": 31,
            "menopause_status": "pre", "height_cm": 165, "weight_kg": 62,
            "breast_biopsies": 0, "hyperplasia": "none", "cancers": [], "genetic_tests": []
        },
        "relatives": [
            { "relation": "mother", "alive": true, "age": 66,
              "cancers": [ { "type": "breast", "age_at_diagnosis": 42 } ] }
        ]
    })
}

/// Requests are counted under their route template and status; the pool, the blocking queue,
/// the outbox, the throttles and the assessments are there; no id, email or path is a label.
pub async fn requests_are_counted_by_route_template(app: &TestApp) {
    let t = app.tenancy().await;
    let before = scrape(app, None).await;
    assert_eq!(before.status, 200, "{}", before.text);
    assert!(
        before
            .header("content-type")
            .is_some_and(|c| c.starts_with("text/plain; version=0.0.4")),
        "{:?}",
        before.header("content-type")
    );
    // Nothing configured: loopback only, and not through a proxy.
    for (name, value) in [
        ("x-forwarded-for", "203.0.113.5"),
        ("x-real-ip", "127.0.0.1"),
    ] {
        app.send(app.client.get(app.url("/metrics")).header(name, value))
            .await
            .expect_detail(404, "Not Found");
    }
    let route = [
        ("method", "GET"),
        ("route", "/api/patients/{id}"),
        ("status", "200"),
    ];
    let counted = |text: &str| sample(text, "genascope_http_requests_total", &route);
    let timed = |text: &str| {
        sample(
            text,
            "genascope_http_request_duration_seconds_count",
            &route,
        )
    };
    let (c0, d0) = (counted(&before.text), timed(&before.text));

    let patient = t.a.patient_id.clone();
    for _ in 0..3 {
        app.get(&format!("/api/patients/{patient}"), Some(&t.a.clinician))
            .await
            .expect(200);
    }
    let stranger = uuid::Uuid::new_v4().to_string();
    app.get(&format!("/api/patients/{stranger}"), Some(&t.a.clinician))
        .await
        .expect(404);
    app.get(&format!("/no/such/{stranger}"), None)
        .await
        .expect(404);
    app.post("/api/eligibility/assess", Some(&t.a.clinician), &profile())
        .await
        .expect(200);
    app.post(
        "/api/eligibility/assess",
        Some(&t.a.clinician),
        &json!({"proband": {"sex": "female", "age": -4}}),
    )
    .await
    .expect(422);
    // The per-email login throttle: the eleventh wrong password in the window is 429.
    let mut throttled = false;
    for _ in 0..12 {
        let r = app
            .login_form("nobody@alpha.test", "wrong-password-1")
            .await;
        throttled |= r.status == 429;
    }
    assert!(throttled, "the login throttle never refused");

    let after = scrape(app, None).await;
    assert_eq!(after.status, 200);
    let text = &after.text;
    assert!(
        counted(text) >= c0 + 3.0,
        "{c0} -> {}:\n{text}",
        counted(text)
    );
    assert!(timed(text) >= d0 + 3.0, "{d0} -> {}:\n{text}", timed(text));
    assert!(has(
        text,
        "genascope_http_request_duration_seconds_bucket",
        &[("route", "/api/patients/{id}"), ("le", "0.005")]
    ));
    assert!(
        sample(
            text,
            "genascope_http_requests_total",
            &[("route", "/api/patients/{id}"), ("status", "404")]
        ) >= 1.0
    );
    assert!(
        sample(
            text,
            "genascope_http_requests_total",
            &[("route", "unmatched"), ("status", "404")]
        ) >= 1.0,
        "{text}"
    );
    // Assessments, by kind and outcome.
    let assessed = |outcome| {
        sample(
            text,
            "genascope_assessments_total",
            &[("kind", "profile"), ("outcome", outcome)],
        )
    };
    assert!(
        assessed("ok") >= 1.0 && assessed("invalid") >= 1.0,
        "{text}"
    );
    assert!(
        sample(
            text,
            "genascope_assessment_duration_seconds_count",
            &[("kind", "profile")]
        ) >= 2.0
    );
    assert!(
        sample(
            text,
            "genascope_throttle_refusals_total",
            &[("limit", "login"), ("per", "email")]
        ) >= 1.0,
        "{text}"
    );
    // The pool, its waits, the blocking queue, the outbox.
    assert!(sample(text, "genascope_db_pool_connections", &[("state", "idle")]) >= 0.0);
    assert!(has(
        text,
        "genascope_db_pool_connections",
        &[("state", "in_use")]
    ));
    assert!(sample(text, "genascope_db_pool_max_connections", &[]) >= 1.0);
    assert!(
        sample(text, "genascope_db_pool_wait_seconds_count", &[]) >= 5.0,
        "{text}"
    );
    assert!(has(text, "genascope_db_pool_waiting", &[]));
    assert!(has(text, "genascope_blocking_queued", &[("pool", "db")]));
    assert!(
        sample(
            text,
            "genascope_blocking_queue_wait_seconds_count",
            &[("pool", "argon2")]
        ) >= 1.0
    );
    assert!(has(
        text,
        "genascope_outbox_messages",
        &[("state", "pending")]
    ));
    assert!(has(text, "genascope_outbox_messages", &[("state", "dead")]));
    assert_eq!(
        sample(text, "genascope_outbox_query_up", &[]),
        1.0,
        "{text}"
    );
    // Nothing that names a person or a record, nor a raw path.
    for secret in [
        patient.as_str(),
        stranger.as_str(),
        t.a.account_id.as_str(),
        t.a.clinician_id.as_str(),
        "nobody@alpha.test",
        "/no/such",
    ] {
        assert!(!text.contains(secret), "{secret} in /metrics:\n{text}");
    }
}

/// `METRICS_TOKEN`: without it, with another, or with a user's JWT: 404, like an unknown path.
pub async fn a_token_guards_the_scrape(backend: Backend) {
    let token = "metrics-scrape-token-0123456789abcdef";
    let app = spawn_app_with(backend, &[("METRICS_TOKEN", token)]).await;
    let sa = app.super_admin().await;
    for wrong in [
        None,
        Some("metrics-scrape-token-0123456789abcdeX"),
        Some(sa.as_str()),
    ] {
        let r = scrape(&app, wrong).await;
        r.expect_detail(404, "Not Found");
    }
    let ok = scrape(&app, Some(token)).await;
    assert_eq!(ok.status, 200);
    assert!(
        ok.text.contains("genascope_http_requests_total"),
        "{}",
        ok.text
    );
    app.shutdown().await;
}

/// `METRICS_ALLOW_CIDRS`: a client outside the networks (here loopback) is refused, one inside
/// admitted.
pub async fn networks_guard_the_scrape(backend: Backend) {
    let app = spawn_app_with(backend, &[("METRICS_ALLOW_CIDRS", "10.0.0.0/8, fd00::/8")]).await;
    scrape(&app, None).await.expect_detail(404, "Not Found");
    app.shutdown().await;
    let app = spawn_app_with(backend, &[("METRICS_ALLOW_CIDRS", "127.0.0.0/8")]).await;
    assert_eq!(scrape(&app, None).await.status, 200);
    app.shutdown().await;
}

/// A valid `traceparent` is continued (same trace, our span as the parent, the sampled flag
/// kept); an invalid one, or none, starts a new trace.
pub async fn traceparent_is_continued_or_started(app: &TestApp) {
    const TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
    let incoming = format!("00-{TRACE}-00f067aa0ba902b7-01");
    let r = app
        .send(
            app.client
                .get(app.url("/live"))
                .header("traceparent", &incoming),
        )
        .await;
    let out = r.header("traceparent").expect("a traceparent");
    let parts: Vec<&str> = out.split('-').collect();
    assert_eq!(parts.len(), 4, "{out}");
    assert_eq!((parts[0], parts[1], parts[3]), ("00", TRACE, "01"), "{out}");
    assert_eq!(parts[2].len(), 16);
    assert_ne!(parts[2], "00f067aa0ba902b7");
    assert_ne!(parts[2], "0000000000000000");
    for invalid in [
        format!("00-{}-00f067aa0ba902b7-01", TRACE.to_uppercase()),
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01".to_owned(),
        format!("ff-{TRACE}-00f067aa0ba902b7-01"),
        "garbage".to_owned(),
    ] {
        let r = app
            .send(
                app.client
                    .get(app.url("/live"))
                    .header("traceparent", &invalid),
            )
            .await;
        let out = r.header("traceparent").expect("a traceparent");
        assert!(!out.to_lowercase().contains(TRACE), "{invalid} -> {out}");
        assert!(
            out.starts_with("00-") && out.ends_with("-00") && out.len() == 55,
            "{out}"
        );
    }
    // On every answer, errors included.
    let r = app.get("/api/patients", None).await;
    assert_eq!(r.status, 401);
    assert!(r.header("traceparent").is_some_and(|v| v.len() == 55));
}
