//! OpenTelemetry export of request spans (issue #12), over the real protocol: a tiny OTLP/HTTP
//! receiver on a loopback port records what the exporter POSTs to `/v1/traces` (`http/json`),
//! and the exported span must continue the caller's trace, carry the span id our `traceparent`
//! names, and nothing identifying.

use crate::helpers::*;
use genascope_adapters_postgres::Backend;
use genascope_api::telemetry::Telemetry;
use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::sync::{Arc, Mutex, OnceLock};

/// What the receiver was sent: (request path, body).
type Received = Arc<Mutex<Vec<(String, String)>>>;

/// Accept OTLP/HTTP requests on a loopback port, record each and answer `200 {}`.
fn start_receiver() -> (u16, Received) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let received: Received = Arc::default();
    let sink = received.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            if let Some(request) = read_request(&stream) {
                sink.lock().unwrap().push(request);
            }
            let mut stream = stream;
            let _ = stream.write_all(
                b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}",
            );
        }
    });
    (port, received)
}

/// One HTTP/1.1 request with a `content-length` body: (path, body).
fn read_request(stream: &std::net::TcpStream) -> Option<(String, String)> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let path = line.split(' ').nth(1)?.to_owned();
    let mut length = 0usize;
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).ok()?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().ok()?;
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some((path, String::from_utf8_lossy(&body).into_owned()))
}

/// The receiver, its configuration and the exporter sending to it.
struct Shared {
    vars: Vec<(String, String)>,
    received: Received,
    telemetry: Telemetry,
}

/// One receiver and one exporter per test process (the subscriber is global), shared by both
/// backends' tests, which tell their spans apart by trace id. The same calls as `main`.
fn exporter() -> &'static Shared {
    static SHARED: OnceLock<Shared> = OnceLock::new();
    SHARED.get_or_init(|| {
        let (port, received) = start_receiver();
        let vars = vec![
            (
                "OTEL_EXPORTER_OTLP_ENDPOINT".to_owned(),
                format!("http://127.0.0.1:{port}"),
            ),
            (
                "OTEL_EXPORTER_OTLP_PROTOCOL".to_owned(),
                "http/json".to_owned(),
            ),
        ];
        let lookup = |k: &str| vars.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        let otel = genascope_api::telemetry::OtelConfig::from_lookup(&lookup)
            .unwrap()
            .expect("export configured");
        let telemetry = Telemetry::start(&otel).expect("exporter");
        genascope_api::logging::init(false, Some(&telemetry));
        Shared {
            vars,
            received,
            telemetry,
        }
    })
}

/// The exported spans (OTLP/JSON `resourceSpans[].scopeSpans[].spans[]`) of `trace_id`.
fn spans_of(received: &Received, trace_id: &str) -> Vec<Value> {
    let bodies = received.lock().unwrap().clone();
    bodies
        .iter()
        .filter(|(path, _)| path == "/v1/traces")
        .filter_map(|(_, body)| serde_json::from_str::<Value>(body).ok())
        .flat_map(|doc| {
            let mut spans = Vec::new();
            for rs in doc["resourceSpans"].as_array().into_iter().flatten() {
                for ss in rs["scopeSpans"].as_array().into_iter().flatten() {
                    spans.extend(ss["spans"].as_array().into_iter().flatten().cloned());
                }
            }
            spans
        })
        .filter(|s| s["traceId"].as_str() == Some(trace_id))
        .collect()
}

/// A string attribute of an exported span.
fn attribute(span: &Value, key: &str) -> Option<Value> {
    span["attributes"]
        .as_array()?
        .iter()
        .find(|a| a["key"] == key)
        .map(|a| a["value"].clone())
}

/// A request with a known `traceparent` is exported as one span of the same trace, child of
/// the caller's span, with the span id our response names; route template, method and status,
/// and no patient id, email or query value anywhere in what was sent.
pub async fn request_span_is_exported_in_the_callers_trace(backend: Backend) {
    let Shared { vars, received, .. } = exporter();
    let extra: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let app = spawn_app_with(backend, &extra).await;
    let t = app.tenancy().await;
    // A trace id of this test's own (both backends' tests share the receiver).
    let trace_id = uuid::Uuid::new_v4().simple().to_string();
    let parent = "00f067aa0ba902b7";
    let secret_query = "needle-in-the-query";
    let r = app
        .send(
            app.client
                .get(app.url(&format!(
                    "/api/patients/{}?q={secret_query}",
                    t.a.patient_id
                )))
                .bearer_auth(&t.a.clinician)
                .header("traceparent", format!("00-{trace_id}-{parent}-01")),
        )
        .await;
    r.expect(200);
    let answered = r.header("traceparent").expect("a traceparent");
    let parts: Vec<&str> = answered.split('-').collect();
    assert_eq!(
        (parts[0], parts[1], parts[3]),
        ("00", trace_id.as_str(), "01")
    );
    let span_id = parts[2].to_owned();
    // The batch processor exports on its schedule; flush it, then wait for the receiver.
    tokio::task::spawn_blocking(|| exporter().telemetry.flush())
        .await
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let spans = loop {
        let spans = spans_of(received, &trace_id);
        if !spans.is_empty() || std::time::Instant::now() > deadline {
            break spans;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    assert_eq!(spans.len(), 1, "one span for the request: {spans:?}");
    let span = &spans[0];
    assert_eq!(span["spanId"], span_id.as_str(), "{span}");
    assert_eq!(span["parentSpanId"], parent, "{span}");
    assert_eq!(span["kind"], 2, "SERVER: {span}");
    assert_eq!(span["name"], "GET /api/patients/{id}", "{span}");
    assert_eq!(
        attribute(span, "http.route"),
        Some(serde_json::json!({"stringValue": "/api/patients/{id}"}))
    );
    assert_eq!(
        attribute(span, "http.request.method"),
        Some(serde_json::json!({"stringValue": "GET"}))
    );
    assert_eq!(
        attribute(span, "http.response.status_code"),
        Some(serde_json::json!({"intValue": "200"}))
    );
    // Nothing identifying in anything the collector received (this test's and any other).
    let everything: String = received
        .lock()
        .unwrap()
        .iter()
        .map(|(_, b)| b.as_str())
        .collect();
    assert!(
        everything.contains("\"genascope\""),
        "service.name: {everything}"
    );
    for secret in [
        t.a.patient_id.as_str(),
        t.a.clinician_id.as_str(),
        t.a.account_id.as_str(),
        "pat@alpha.test",
        "clin@alpha.test",
        "Ofalpha",
        secret_query,
        r.header("x-request-id")
            .as_deref()
            .unwrap_or("no request id"),
    ] {
        assert!(
            !everything.contains(secret),
            "{secret:?} was exported: {everything}"
        );
    }
    app.shutdown().await;
}
