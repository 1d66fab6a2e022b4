//! Logging: JSON in production, readable text in development, `RUST_LOG` filters, and actix's
//! per-connection protocol errors folded into one rate-limited warning.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tracing::{Event, Level, Metadata, Subscriber};
use tracing_subscriber::fmt::format::FmtSpan;
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer, filter};

/// How often the protocol-error summary is written (when there is anything to say).
pub const SUMMARY_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

/// actix-http logs every malformed request line, bad header or broken connection at ERROR
/// (`stream error: ...`): a client's mistake, and a way to flood the log. Those events are kept out
/// of the log and counted; [`ProtocolErrors::report`] (every [`SUMMARY_EVERY`] while serving)
/// writes one WARN with the count. (A layer cannot log from inside its own callback: tracing
/// drops re-entrant events, hence the separate reporter.)
fn is_protocol_error(meta: &Metadata<'_>) -> bool {
    *meta.level() == Level::ERROR && meta.target().starts_with("actix_http::h1")
}

/// The count of protocol errors since the last report.
#[derive(Clone, Default)]
pub struct ProtocolErrors(Arc<AtomicU64>);

impl ProtocolErrors {
    /// Log how many there were since the last report, if any.
    pub fn report(&self) {
        let refused = self.0.swap(0, Ordering::Relaxed);
        if refused > 0 {
            tracing::warn!(
                target: "genascope::http",
                refused,
                "clients sent malformed HTTP (bad request line, headers or framing); refused"
            );
        }
    }

    /// Report every [`SUMMARY_EVERY`] until the process ends.
    pub fn spawn_reporter(&self) {
        let this = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(SUMMARY_EVERY);
            loop {
                tick.tick().await;
                this.report();
            }
        });
    }
}

impl<S: Subscriber> Layer<S> for ProtocolErrors {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        if is_protocol_error(event.metadata()) {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// The subscriber: the formatting layer (what `env` enables, minus protocol errors and the
/// exported request span), the counter, and the OpenTelemetry layer when export is on. The
/// filters are per layer: `RUST_LOG` quiets the log, never the export.
fn subscriber<L>(
    env: EnvFilter,
    fmt: L,
    counter: ProtocolErrors,
    otel: Option<crate::telemetry::OtelLayer>,
) -> impl Subscriber + Send + Sync
where
    L: Layer<tracing_subscriber::Registry> + Send + Sync,
{
    use tracing_subscriber::filter::FilterExt as _;
    let quiet = filter::filter_fn(|meta| {
        !is_protocol_error(meta) && meta.target() != crate::telemetry::SPAN_TARGET
    });
    let mut layers = vec![
        fmt.with_filter(env.and(quiet)).boxed(),
        counter
            .with_filter(filter::filter_fn(is_protocol_error))
            .boxed(),
    ];
    layers.extend(otel);
    tracing_subscriber::registry().with(layers)
}

/// Install the global subscriber, with `telemetry`'s layer when spans are exported; the returned
/// counter's reporter is started by `serve`.
pub fn init(json: bool, telemetry: Option<&crate::telemetry::Telemetry>) -> ProtocolErrors {
    let env = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    // At debug and below, every span also logs when it closes, with its fields (ids, never PHI)
    // and its busy/idle time: a request's lines then show which use case and which repository
    // call its time went to. At info, only events are written (one line per request).
    let spans = if env
        .max_level_hint()
        .is_some_and(|l| l >= tracing_subscriber::filter::LevelFilter::DEBUG)
    {
        FmtSpan::CLOSE
    } else {
        FmtSpan::NONE
    };
    let fmt = if json {
        tracing_subscriber::fmt::layer()
            .json()
            .with_current_span(true)
            .with_span_events(spans)
            .boxed()
    } else {
        // Colours only on a terminal: log files and collectors get plain text.
        tracing_subscriber::fmt::layer()
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
            .with_span_events(spans)
            .boxed()
    };
    let counter = ProtocolErrors::default();
    let otel = telemetry.map(crate::telemetry::Telemetry::layer);
    let _ = subscriber(env, fmt, counter.clone(), otel).try_init();
    counter
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Buffer {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0
                .lock()
                .map_err(|_| std::io::Error::other("poisoned"))?
                .extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// Issue #6 item 22: a flood of malformed requests is one WARN line, not one ERROR each.
    #[test]
    fn protocol_errors_are_one_rate_limited_warning() {
        let buffer = Buffer::default();
        let writer = buffer.clone();
        let fmt = tracing_subscriber::fmt::layer()
            .with_ansi(false)
            .with_writer(move || writer.clone());
        let counter = ProtocolErrors::default();
        let sub = subscriber(EnvFilter::new("info"), fmt, counter.clone(), None);
        tracing::subscriber::with_default(sub, || {
            for _ in 0..500 {
                tracing::error!(target: "actix_http::h1::dispatcher", "stream error: Parse(Method)");
            }
            tracing::error!(target: "genascope::db", "a real error stays an error");
            counter.report();
            // Nothing new: no second line.
            counter.report();
        });
        let text = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
        assert!(!text.contains("stream error"), "{text}");
        assert_eq!(text.matches("malformed HTTP").count(), 1, "{text}");
        assert!(
            text.contains("WARN") && text.contains("refused=500"),
            "{text}"
        );
        assert!(text.contains("a real error stays an error"), "{text}");
    }
}
