//! OpenTelemetry trace export (issue #12): when `OTEL_EXPORTER_OTLP_ENDPOINT` (or
//! `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set, every request's span is exported over OTLP/HTTP
//! (protobuf, or JSON) to a collector; otherwise nothing is built, no thread started. The
//! exporter is compiled with the cargo feature `otel` only; without it the configuration is still
//! read and checked, and [`Telemetry::start`] refuses (the server does not start rather than
//! silently not export).
//!
//! - One span per request, `SERVER` kind, named `{method} {route template}`, with
//!   `http.request.method`, `http.route` and `http.response.status_code` only: no path, query,
//!   id, address or PHI (the rule of the metrics labels, `crate::metrics`). It is a `tracing`
//!   span of target [`SPAN_TARGET`], the only target the OpenTelemetry layer sees: log events and
//!   the use cases' spans (whose fields carry ids) are never exported.
//! - Continuity with W3C Trace Context (`crate::tracing_ctx`): the caller's `traceparent` is the
//!   span's remote parent; the SDK chooses the span's id (and a new trace's id), and the
//!   request's [`TraceContext`] adopts them, so the response's `traceparent`, the log lines'
//!   `trace_id` and the exported span agree. Without export, `tracing_ctx` chooses them.
//! - Sampling: parent-based (a caller's sampled flag is obeyed both ways); a new trace is
//!   sampled with probability `OTEL_TRACES_SAMPLER_ARG` (default 1.0). The response's sampled
//!   flag is the decision taken.
//! - The SDK's batch processor exports from its own thread through a blocking HTTP client;
//!   [`Telemetry::shutdown`] flushes it when the server stops.
//!
//! Spec: <https://opentelemetry.io/docs/specs/otel/protocol/exporter/> (variables, endpoint
//! URLs), <https://opentelemetry.io/docs/specs/semconv/http/http-spans/> (span name and
//! attributes).

use crate::config::ConfigError;
use crate::tracing_ctx::TraceContext;
#[cfg(feature = "otel")]
use opentelemetry::trace::{
    SpanContext, SpanId, TraceContextExt as _, TraceFlags, TraceId, TraceState, TracerProvider as _,
};
#[cfg(feature = "otel")]
use opentelemetry_sdk::trace::{Sampler, SdkTracerProvider};
#[cfg(feature = "otel")]
use tracing_opentelemetry::OpenTelemetrySpanExt as _;
#[cfg(feature = "otel")]
use tracing_subscriber::Layer as _;

/// The `tracing` target of the exported request span (and of nothing else).
pub const SPAN_TARGET: &str = "genascope::otel";

/// OTLP/HTTP encodings (`OTEL_EXPORTER_OTLP_PROTOCOL`). gRPC is not built in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// `http/protobuf` (the default).
    HttpProtobuf,
    /// `http/json`.
    HttpJson,
}

/// What the exporter needs; present only when an endpoint is configured.
#[derive(Debug, Clone, PartialEq)]
pub struct OtelConfig {
    /// Where spans are POSTed: `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` as is, else
    /// `OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/traces`.
    pub traces_endpoint: String,
    /// `OTEL_EXPORTER_OTLP_TRACES_PROTOCOL`, else `OTEL_EXPORTER_OTLP_PROTOCOL`.
    pub protocol: Protocol,
    /// `OTEL_SERVICE_NAME` (default `genascope`).
    pub service_name: String,
    /// The probability that a new trace (no sampled caller) is sampled: `OTEL_TRACES_SAMPLER_ARG`
    /// (0.0 to 1.0, default 1.0).
    pub sample_ratio: f64,
}

fn get(lookup: &dyn Fn(&str) -> Option<String>, name: &str) -> Option<String> {
    lookup(name)
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// Only plain HTTP is built in (no TLS client): a collector on the node or in the cluster.
fn endpoint(name: &'static str, value: &str) -> Result<String, ConfigError> {
    let rest = value.strip_prefix("http://").ok_or_else(|| {
        ConfigError::Malformed(
            name,
            format!(
                "{value:?}: use an http:// URL of an OTLP/HTTP collector (https is not supported; \
                 run a collector next to the server)"
            ),
        )
    })?;
    if rest.is_empty() || rest.starts_with('/') || value.parse::<actix_web::http::Uri>().is_err() {
        return Err(ConfigError::Malformed(
            name,
            format!("{value:?} is not a URL"),
        ));
    }
    Ok(value.to_owned())
}

impl OtelConfig {
    /// `None` when neither endpoint variable is set: export is off. The other `OTEL_*`
    /// variables are checked only when it is on.
    pub fn from_lookup(
        lookup: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Option<Self>, ConfigError> {
        const TRACES: &str = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT";
        const BASE: &str = "OTEL_EXPORTER_OTLP_ENDPOINT";
        let traces_endpoint = match (get(lookup, TRACES), get(lookup, BASE)) {
            (Some(url), _) => endpoint(TRACES, &url)?,
            (None, Some(url)) => {
                format!("{}/v1/traces", endpoint(BASE, &url)?.trim_end_matches('/'))
            }
            (None, None) => return Ok(None),
        };
        let protocol = match [
            "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL",
            "OTEL_EXPORTER_OTLP_PROTOCOL",
        ]
        .into_iter()
        .find_map(|name| get(lookup, name).map(|v| (name, v)))
        {
            None => Protocol::HttpProtobuf,
            Some((_, v)) if v == "http/protobuf" => Protocol::HttpProtobuf,
            Some((_, v)) if v == "http/json" => Protocol::HttpJson,
            Some((name, v)) => {
                return Err(ConfigError::Malformed(
                    name,
                    format!("{v:?}: use http/protobuf or http/json (grpc is not supported)"),
                ));
            }
        };
        Ok(Some(Self {
            traces_endpoint,
            protocol,
            service_name: get(lookup, "OTEL_SERVICE_NAME").unwrap_or_else(|| "genascope".into()),
            sample_ratio: sample_ratio(lookup)?,
        }))
    }
}

/// `OTEL_TRACES_SAMPLER` may only name the parent-based samplers (the default,
/// `parentbased_traceidratio`, reads its ratio from `OTEL_TRACES_SAMPLER_ARG`).
fn sample_ratio(lookup: &dyn Fn(&str) -> Option<String>) -> Result<f64, ConfigError> {
    const SAMPLER: &str = "OTEL_TRACES_SAMPLER";
    const ARG: &str = "OTEL_TRACES_SAMPLER_ARG";
    match get(lookup, SAMPLER).as_deref() {
        None | Some("parentbased_traceidratio") => {}
        Some("parentbased_always_on") => return Ok(1.0),
        Some("parentbased_always_off") => return Ok(0.0),
        Some(other) => {
            return Err(ConfigError::Malformed(
                SAMPLER,
                format!(
                    "{other:?}: use parentbased_traceidratio (with {ARG}), \
                     parentbased_always_on or parentbased_always_off"
                ),
            ));
        }
    }
    match get(lookup, ARG) {
        None => Ok(1.0),
        Some(v) => match v.parse::<f64>() {
            Ok(r) if (0.0..=1.0).contains(&r) => Ok(r),
            _ => Err(ConfigError::Malformed(
                ARG,
                format!("{v:?}: a sampling ratio from 0.0 to 1.0"),
            )),
        },
    }
}

/// The running exporter. Build it only when export is configured; [`Telemetry::shutdown`]
/// before the process exits. Without the `otel` cargo feature it cannot exist.
pub struct Telemetry {
    #[cfg(feature = "otel")]
    provider: SdkTracerProvider,
    #[cfg(not(feature = "otel"))]
    never: std::convert::Infallible,
}

/// The OpenTelemetry layer, ready for the subscriber (see `crate::logging::init`).
pub type OtelLayer = Box<dyn tracing_subscriber::Layer<tracing_subscriber::Registry> + Send + Sync>;

#[cfg(not(feature = "otel"))]
impl Telemetry {
    /// Refuse: this binary was built without the exporter.
    pub fn start(_config: &OtelConfig) -> anyhow::Result<Self> {
        anyhow::bail!(
            "OTEL_EXPORTER_OTLP_ENDPOINT is set but this binary was built without trace export \
             (cargo feature `otel` of genascope-api-actix); unset it or rebuild with --features otel"
        )
    }

    /// Unreachable: no value exists.
    #[must_use]
    pub fn layer(&self) -> OtelLayer {
        match self.never {}
    }

    /// Unreachable: no value exists.
    pub fn flush(&self) {
        match self.never {}
    }

    /// Unreachable: no value exists.
    #[allow(clippy::unused_async)]
    pub async fn shutdown(self) {
        match self.never {}
    }
}

#[cfg(feature = "otel")]
impl Telemetry {
    /// Build the exporter, the batch processor (its thread starts here) and the sampler.
    pub fn start(config: &OtelConfig) -> anyhow::Result<Self> {
        use opentelemetry_otlp::WithExportConfig as _;
        let exporter = opentelemetry_otlp::SpanExporter::builder()
            .with_http()
            .with_endpoint(config.traces_endpoint.clone())
            .with_protocol(match config.protocol {
                Protocol::HttpProtobuf => opentelemetry_otlp::Protocol::HttpBinary,
                Protocol::HttpJson => opentelemetry_otlp::Protocol::HttpJson,
            })
            .with_timeout(std::time::Duration::from_secs(10))
            // `OTEL_EXPORTER_OTLP_HEADERS` (a collector's credentials) is read by the exporter
            // itself from the process environment.
            .build()?;
        let sampler =
            Sampler::ParentBased(Box::new(Sampler::TraceIdRatioBased(config.sample_ratio)));
        let resource = opentelemetry_sdk::Resource::builder()
            .with_service_name(config.service_name.clone())
            .build();
        let provider = SdkTracerProvider::builder()
            .with_batch_exporter(exporter)
            .with_sampler(sampler)
            .with_resource(resource)
            .build();
        Ok(Self { provider })
    }

    /// The subscriber layer that exports spans of [`SPAN_TARGET`] (and sees nothing else).
    #[must_use]
    pub fn layer(&self) -> OtelLayer {
        let targets = tracing_subscriber::filter::Targets::new()
            .with_target(SPAN_TARGET, tracing::Level::INFO);
        tracing_opentelemetry::layer()
            .with_tracer(self.provider.tracer("genascope"))
            // No source locations, thread names, busy/idle times or target: the attributes are ours.
            .with_location(false)
            .with_threads(false)
            .with_tracked_inactivity(false)
            .with_target(false)
            .with_filter(targets)
            .boxed()
    }

    /// Export what is queued now (blocking; tests, before they look at the collector).
    pub fn flush(&self) {
        if let Err(e) = self.provider.force_flush() {
            tracing::warn!(error = %e, "OpenTelemetry: flushing spans failed");
        }
    }

    /// Export what is queued and stop the batch thread (at most ~5 s of the exporter's timeout).
    pub async fn shutdown(self) {
        let provider = self.provider;
        let done = tokio::task::spawn_blocking(move || {
            provider.shutdown_with_timeout(std::time::Duration::from_secs(5))
        })
        .await;
        if let Ok(Err(e)) = done {
            tracing::warn!(error = %e, "OpenTelemetry: the last spans could not be exported");
        }
    }
}

/// Without the `otel` feature: no span, `trace` as it is.
#[cfg(not(feature = "otel"))]
#[must_use]
pub fn request_span(_trace: &mut TraceContext, _method: &actix_web::http::Method) -> tracing::Span {
    tracing::Span::none()
}

/// Without the `otel` feature: nothing to record.
#[cfg(not(feature = "otel"))]
pub fn record_response(_span: &tracing::Span, _req: &actix_web::HttpRequest, _status: u16) {}

/// The exported span of a request, started now: the caller's span (if any) as its remote
/// parent, and `trace` made to agree with it (trace id, our span id, sampled flag). Without an
/// OpenTelemetry layer the span is disabled and `trace` is left as it is.
#[cfg(feature = "otel")]
pub fn request_span(trace: &mut TraceContext, method: &actix_web::http::Method) -> tracing::Span {
    let method = crate::metrics::method_label(method);
    let span = tracing::info_span!(
        target: SPAN_TARGET,
        "request",
        otel.name = method,
        otel.kind = "server",
        http.request.method = method,
        http.route = tracing::field::Empty,
        http.response.status_code = tracing::field::Empty,
        otel.status_code = tracing::field::Empty,
    );
    if span.is_disabled() {
        return span;
    }
    let parent = match trace.parent_id {
        Some(parent_id) => {
            opentelemetry::Context::new().with_remote_span_context(SpanContext::new(
                TraceId::from_bytes(trace.trace_id),
                SpanId::from_bytes(parent_id),
                TraceFlags::new(trace.flags),
                true,
                TraceState::default(),
            ))
        }
        // A root: not whatever context the worker thread happens to hold.
        None => opentelemetry::Context::new(),
    };
    if span.set_parent(parent).is_err() {
        return span;
    }
    // Starts the OpenTelemetry span: its ids and the sampling decision exist from here.
    let started = span.context();
    let ctx = started.span().span_context().clone();
    if ctx.is_valid() {
        trace.trace_id = ctx.trace_id().to_bytes();
        trace.span_id = ctx.span_id().to_bytes();
        trace.flags = u8::from(ctx.is_sampled());
    }
    span
}

/// Name the span after the request's route template (`crate::metrics::route_label`) and record
/// the status (5xx: an error).
#[cfg(feature = "otel")]
pub fn record_response(span: &tracing::Span, req: &actix_web::HttpRequest, status: u16) {
    if span.is_disabled() {
        return;
    }
    let method = crate::metrics::method_label(req.method());
    let route = crate::metrics::route_label(req);
    // The OpenTelemetry span is started (`request_span`): renamed on it, not through a field.
    span.context()
        .span()
        .update_name(format!("{method} {route}"));
    span.record("http.route", &*route);
    span.record("http.response.status_code", i64::from(status));
    if status >= 500 {
        span.record("otel.status_code", "error");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn otel(vars: &[(&str, &str)]) -> Result<Option<OtelConfig>, ConfigError> {
        let map: HashMap<&str, &str> = vars.iter().copied().collect();
        OtelConfig::from_lookup(&|k| map.get(k).map(|v| (*v).to_owned()))
    }

    #[test]
    fn no_endpoint_no_export() {
        // Whatever else is set: without an endpoint nothing is built (not even checked).
        assert_eq!(otel(&[]).unwrap(), None);
        assert_eq!(
            otel(&[
                ("OTEL_SERVICE_NAME", "x"),
                ("OTEL_TRACES_SAMPLER_ARG", "lots"),
                ("OTEL_EXPORTER_OTLP_ENDPOINT", "  "),
            ])
            .unwrap(),
            None
        );
        // And with no layer installed, a request's span is disabled and its context untouched.
        let headers = actix_web::http::header::HeaderMap::new();
        let mut trace = TraceContext::from_headers(&headers);
        let before = trace;
        assert!(request_span(&mut trace, &actix_web::http::Method::GET).is_disabled());
        assert_eq!(trace, before);
    }

    #[test]
    fn endpoints_protocol_service_and_ratio() {
        let c = otel(&[("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318/")])
            .unwrap()
            .unwrap();
        assert_eq!(
            c,
            OtelConfig {
                traces_endpoint: "http://collector:4318/v1/traces".into(),
                protocol: Protocol::HttpProtobuf,
                service_name: "genascope".into(),
                sample_ratio: 1.0,
            }
        );
        let c = otel(&[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://ignored:4318"),
            (
                "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
                "http://127.0.0.1:4318/custom",
            ),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json"),
            ("OTEL_SERVICE_NAME", "genascope-eu"),
            ("OTEL_TRACES_SAMPLER_ARG", "0.25"),
        ])
        .unwrap()
        .unwrap();
        assert_eq!(c.traces_endpoint, "http://127.0.0.1:4318/custom");
        assert_eq!(c.protocol, Protocol::HttpJson);
        assert_eq!(c.service_name, "genascope-eu");
        assert!((c.sample_ratio - 0.25).abs() < f64::EPSILON);
        let off = otel(&[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318"),
            ("OTEL_TRACES_SAMPLER", "parentbased_always_off"),
        ])
        .unwrap()
        .unwrap();
        assert!(off.sample_ratio.abs() < f64::EPSILON);
    }

    #[test]
    fn malformed_values_name_the_variable() {
        let base = ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318");
        for (vars, name) in [
            (
                vec![("OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4318")],
                "OTEL_EXPORTER_OTLP_ENDPOINT",
            ),
            (
                vec![("OTEL_EXPORTER_OTLP_ENDPOINT", "https://c:4318")],
                "OTEL_EXPORTER_OTLP_ENDPOINT",
            ),
            (
                vec![("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://")],
                "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
            ),
            (
                vec![base, ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")],
                "OTEL_EXPORTER_OTLP_PROTOCOL",
            ),
            (
                vec![base, ("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "json")],
                "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL",
            ),
            (
                vec![base, ("OTEL_TRACES_SAMPLER_ARG", "1.5")],
                "OTEL_TRACES_SAMPLER_ARG",
            ),
            (
                vec![base, ("OTEL_TRACES_SAMPLER_ARG", "NaN")],
                "OTEL_TRACES_SAMPLER_ARG",
            ),
            (
                vec![base, ("OTEL_TRACES_SAMPLER", "always_on")],
                "OTEL_TRACES_SAMPLER",
            ),
        ] {
            let err = otel(&vars).unwrap_err().to_string();
            assert!(err.starts_with(name), "{vars:?}: {err}");
        }
    }
}
