//! Metrics (issue #12): the Prometheus recorder, what the HTTP edge records, and `GET /metrics`.
//!
//! Everything records through the `metrics` facade (the adapters too: the database pool's waits
//! and the blocking-pool queue); [`install`] puts `metrics-exporter-prometheus`'s recorder behind
//! it once per process, and `/metrics` renders it in the Prometheus text format. Gauges that
//! describe shared state (the pool's connections, the outbox) are read at scrape time.
//!
//! Labels are fixed words, route templates (`/api/patients/{id}`, never a path with an id in it),
//! methods and status codes: never an id, an email or anything a patient entered.
//!
//! Per request the edge does no allocation once a (route, method, status) has been seen by a
//! worker thread: each worker keeps the counter and histogram handles it already looked up
//! ([`record_request`]), and routes are named by their template (`routes::resource!`), so
//! actix's `match_name` hands the template out borrowed.

use crate::config::ConfigError;
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, web};
use genascope_adapters_postgres::metric::{BLOCKING_QUEUE_WAIT, BLOCKING_QUEUED};
use metrics::{Counter, Histogram};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use secrecy::{ExposeSecret, SecretString};
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::OnceLock;
use std::time::Duration;

/// Counter: requests answered, by `method`, `route` (template) and `status`.
pub const HTTP_REQUESTS: &str = "genascope_http_requests_total";
/// Histogram (seconds): time to answer (until the response head is ready), same labels.
pub const HTTP_DURATION: &str = "genascope_http_request_duration_seconds";
/// Counter: attempts refused by a throttle or rate limit, by `limit` and `per`.
pub const THROTTLED: &str = "genascope_throttle_refusals_total";
/// Counter: risk assessments computed, by `kind` (`profile`, `fhir`, `questionnaire`) and
/// `outcome` (`ok`, `invalid`, `error`).
pub const ASSESSMENTS: &str = "genascope_assessments_total";
/// Histogram (seconds): time to compute (and store) an assessment, by `kind`.
pub const ASSESSMENT_DURATION: &str = "genascope_assessment_duration_seconds";
/// Gauges read at scrape time: the pool's open and idle connections, its size.
pub const DB_CONNECTIONS: &str = "genascope_db_pool_connections";
/// See [`DB_CONNECTIONS`]: `state` = `idle` or `in_use`.
pub const DB_POOL_MAX: &str = "genascope_db_pool_max_connections";
/// Gauges read at scrape time: undelivered (`pending`) and dead outbox messages (every
/// replica's: the outbox is one table).
pub const OUTBOX_MESSAGES: &str = "genascope_outbox_messages";
/// Gauge: 1 while the last scrape could read the outbox, 0 when the database could not say.
pub const OUTBOX_UP: &str = "genascope_outbox_query_up";

/// Label value for requests no route matched (the raw path is never a label).
const UNMATCHED: &str = "unmatched";

/// The upkeep interval: histogram samples are folded into their buckets at least this often
/// (and at every scrape), so memory stays bounded when nobody scrapes.
const UPKEEP_EVERY: Duration = Duration::from_secs(5);

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Install the Prometheus recorder (once per process; later calls return the same handle).
/// `None` if another recorder was installed first (then `/metrics` answers 503).
pub fn install() -> Option<&'static PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let handle = builder().ok()?.install_recorder().ok()?;
            describe();
            let upkeep = handle.clone();
            // A thread of its own: it outlives any one runtime (tests start many).
            let _ = std::thread::Builder::new()
                .name("metrics-upkeep".into())
                .spawn(move || {
                    loop {
                        std::thread::sleep(UPKEEP_EVERY);
                        upkeep.run_upkeep();
                    }
                });
            Some(handle)
        })
        .as_ref()
}

fn builder() -> Result<PrometheusBuilder, metrics_exporter_prometheus::BuildError> {
    // Seconds, from 100 µs (a pool checkout, a queued blocking call) to 10 s (the longest a
    // request should take); HTTP latencies from 1 ms, fewer buckets (many series).
    const WIDE: &[f64] = &[
        0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
        5.0, 10.0,
    ];
    const HTTP: &[f64] = &[
        0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
    ];
    PrometheusBuilder::new()
        .set_buckets(WIDE)?
        .set_buckets_for_metric(Matcher::Full(HTTP_DURATION.into()), HTTP)
}

fn describe() {
    use genascope_adapters_postgres::metric as db;
    use metrics::{Unit, describe_counter, describe_gauge, describe_histogram};
    describe_counter!(
        HTTP_REQUESTS,
        "HTTP requests answered, by method, route template and status"
    );
    describe_histogram!(
        HTTP_DURATION,
        Unit::Seconds,
        "Time to answer an HTTP request"
    );
    describe_counter!(
        THROTTLED,
        "Attempts refused by a throttle or rate limit, by limit"
    );
    describe_counter!(
        ASSESSMENTS,
        "Risk assessments computed, by kind and outcome"
    );
    describe_histogram!(
        ASSESSMENT_DURATION,
        Unit::Seconds,
        "Time to compute and store an assessment"
    );
    describe_gauge!(
        DB_CONNECTIONS,
        "Database connections of this process's pool, by state (in_use, idle)"
    );
    describe_gauge!(
        DB_POOL_MAX,
        "The most connections this process's pool opens"
    );
    describe_gauge!(
        db::POOL_WAITING,
        "Callers waiting for a pooled database connection"
    );
    describe_histogram!(
        db::POOL_WAIT,
        Unit::Seconds,
        "Time to check out a database connection"
    );
    describe_counter!(
        db::POOL_REFUSED,
        "Checkouts refused: no connection in time, or database down"
    );
    describe_gauge!(
        db::BLOCKING_QUEUED,
        "Calls handed to the blocking thread pool, not started yet, by pool"
    );
    describe_histogram!(
        db::BLOCKING_QUEUE_WAIT,
        Unit::Seconds,
        "Time a blocking call waited to start, by pool"
    );
    describe_gauge!(
        OUTBOX_MESSAGES,
        "Outbox messages not delivered, by state (pending, dead); every replica's"
    );
    describe_gauge!(
        OUTBOX_UP,
        "1 if the last scrape could count the outbox, else 0"
    );
}

// ---------------------------------------------------------------------------------------------
// Per request.

/// One (route, method, status)'s handles.
#[derive(Clone)]
struct Series {
    requests: Counter,
    duration: Histogram,
}

/// One route's series: (method, status, handles).
type RouteSeries = Vec<(&'static str, u16, Series)>;

thread_local! {
    /// This worker thread's handles, by route template, then (method, status). The route key
    /// is a `String` looked up by `&str` (no allocation on a hit).
    static SERIES: RefCell<HashMap<String, RouteSeries>> =
        RefCell::new(HashMap::new());
}

/// A method as a fixed label: the standard ones, every other `other` (a client must not be
/// able to mint label values).
pub(crate) fn method_label(m: &actix_web::http::Method) -> &'static str {
    use actix_web::http::Method;
    match *m {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// A request's route template: named routes carry it as their name (borrowed); the rest (the
/// docs UI's catch-all) are looked up, and what matched nothing is `unmatched`. Never the path.
pub(crate) fn route_label(req: &HttpRequest) -> std::borrow::Cow<'_, str> {
    match req.match_name() {
        Some(name) => name.into(),
        None => req
            .match_pattern()
            .map_or(UNMATCHED.into(), std::borrow::Cow::Owned),
    }
}

/// Count an answered request and its duration, under its route template.
pub fn record_request(req: &HttpRequest, status: actix_web::http::StatusCode, elapsed: Duration) {
    let method = method_label(req.method());
    let code = status.as_u16();
    let route = route_label(req);
    let route: &str = &route;
    let series = SERIES.with(|cell| {
        let mut map = cell.borrow_mut();
        if let Some(found) = map
            .get(route)
            .and_then(|v| v.iter().find(|(m, s, _)| *m == method && *s == code))
        {
            return found.2.clone();
        }
        let labels = [
            ("method", method.to_owned()),
            ("route", route.to_owned()),
            ("status", code.to_string()),
        ];
        let series = Series {
            requests: metrics::counter!(HTTP_REQUESTS, &labels),
            duration: metrics::histogram!(HTTP_DURATION, &labels),
        };
        map.entry(route.to_owned())
            .or_default()
            .push((method, code, series.clone()));
        series
    });
    series.requests.increment(1);
    series.duration.record(elapsed.as_secs_f64());
}

/// Count a refusal (429) by the limit `limit` (`login`, `reset`, `verify_invite`,
/// `simplified_access`, `reads`) counted `per` `address` (client address, every replica's),
/// `email` (the domain's per-email throttle) or `principal` (audited reads, this process).
pub fn throttled(limit: &'static str, per: &'static str) {
    metrics::counter!(THROTTLED, "limit" => limit, "per" => per).increment(1);
}

/// A risk-engine run between `web::block` and its start on a blocking thread: counted in
/// `genascope_blocking_queued{pool="engine"}` while it waits (as the adapters count theirs, `db`
/// and `argon2`); drop it first thing in the closure (or with it, if it never runs).
pub struct EngineQueued(std::time::Instant);

impl EngineQueued {
    /// Count one more waiting.
    #[must_use]
    pub fn enter() -> Self {
        metrics::gauge!(BLOCKING_QUEUED, "pool" => "engine").increment(1.0);
        Self(std::time::Instant::now())
    }
}

impl Drop for EngineQueued {
    fn drop(&mut self) {
        metrics::gauge!(BLOCKING_QUEUED, "pool" => "engine").decrement(1.0);
        metrics::histogram!(BLOCKING_QUEUE_WAIT, "pool" => "engine")
            .record(self.0.elapsed().as_secs_f64());
    }
}

/// What kind of assessment is measured.
#[derive(Debug, Clone, Copy)]
pub enum AssessmentKind {
    /// `POST /api/eligibility/assess` with a RiskProfile.
    Profile,
    /// The same with a FHIR family-history Bundle.
    Fhir,
    /// A questionnaire's last answer, which computes and stores its assessment.
    Questionnaire,
}

impl AssessmentKind {
    const fn label(self) -> &'static str {
        match self {
            Self::Profile => "profile",
            Self::Fhir => "fhir",
            Self::Questionnaire => "questionnaire",
        }
    }
}

/// Count an assessment (`outcome`: `ok`, `invalid` (the input was refused), `error`) and record
/// how long it took.
pub fn assessment(kind: AssessmentKind, outcome: &'static str, elapsed: Duration) {
    let kind = kind.label();
    metrics::counter!(ASSESSMENTS, "kind" => kind, "outcome" => outcome).increment(1);
    metrics::histogram!(ASSESSMENT_DURATION, "kind" => kind).record(elapsed.as_secs_f64());
}

// ---------------------------------------------------------------------------------------------
// Who may scrape.

/// Who may read `/metrics` (`METRICS_TOKEN`, `METRICS_ALLOW_CIDRS`).
///
/// - a token configured: the request must carry `Authorization: Bearer <METRICS_TOKEN>`
///   (compared in constant time, as SHA-256 digests so the length does not show either);
/// - networks configured: the client address (the TCP peer, or what trusted proxies say, as for
///   the per-address limits) must be in one of them;
/// - both: both must hold; neither: only loopback clients, and only requests that did not come
///   through a proxy (no `Forwarded`, `X-Forwarded-For` or `X-Real-IP` header): a reverse proxy
///   on the same host, not listed in `TRUSTED_PROXIES`, would otherwise hand the public its
///   loopback address.
///
/// Any refusal answers `404 {"detail":"Not Found"}`, exactly like a path that does not exist.
#[derive(Clone, Default)]
pub struct MetricsAccess {
    token_digest: Option<[u8; 32]>,
    networks: Vec<ipnet::IpNet>,
}

impl std::fmt::Debug for MetricsAccess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MetricsAccess")
            .field("token", &self.token_digest.map(|_| "[redacted]"))
            .field("networks", &self.networks)
            .finish()
    }
}

/// The shortest `METRICS_TOKEN` accepted.
pub const MIN_TOKEN_CHARS: usize = 32;

fn digest(bytes: &[u8]) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).into()
}

impl MetricsAccess {
    /// From `METRICS_TOKEN` (at least [`MIN_TOKEN_CHARS`] characters) and
    /// `METRICS_ALLOW_CIDRS` (comma-separated networks, `10.0.0.0/8, fd00::/8`; a bare address
    /// is a /32 or /128).
    pub fn from_lookup(lookup: &dyn Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name| {
            lookup(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let token_digest = match get("METRICS_TOKEN").map(SecretString::from) {
            None => None,
            Some(t) if t.expose_secret().chars().count() >= MIN_TOKEN_CHARS => {
                Some(digest(t.expose_secret().as_bytes()))
            }
            Some(_) => {
                return Err(ConfigError::Malformed(
                    "METRICS_TOKEN",
                    format!(
                        "must be at least {MIN_TOKEN_CHARS} characters (e.g. `openssl rand -hex 32`)"
                    ),
                ));
            }
        };
        let networks = match get("METRICS_ALLOW_CIDRS") {
            None => Vec::new(),
            Some(raw) => raw
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| {
                    s.parse::<ipnet::IpNet>()
                        .or_else(|_| s.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                        .map_err(|_| {
                            ConfigError::Malformed(
                                "METRICS_ALLOW_CIDRS",
                                format!("{s:?} is not a network (e.g. 10.0.0.0/8) or an address"),
                            )
                        })
                })
                .collect::<Result<_, _>>()?,
        };
        Ok(Self {
            token_digest,
            networks,
        })
    }

    /// Whether `client` (None: unknown) presenting `bearer` may scrape; `proxied`: the request
    /// carries a forwarding header.
    #[must_use]
    pub fn allows(
        &self,
        client: Option<std::net::IpAddr>,
        bearer: Option<&str>,
        proxied: bool,
    ) -> bool {
        use subtle::ConstantTimeEq;
        let token_ok = match (&self.token_digest, bearer) {
            (None, _) => true,
            (Some(want), Some(got)) => bool::from(want.ct_eq(&digest(got.as_bytes()))),
            (Some(_), None) => false,
        };
        let network_ok = match client {
            None => false,
            Some(ip) if self.networks.is_empty() => {
                // Nothing configured at all: this host only. A token alone opens any network.
                self.token_digest.is_some() || (ip.to_canonical().is_loopback() && !proxied)
            }
            Some(ip) => {
                let ip = ip.to_canonical();
                self.networks.iter().any(|n| n.contains(&ip))
            }
        };
        token_ok && network_ok
    }
}

// ---------------------------------------------------------------------------------------------
// The endpoint.

/// Read the gauges that describe shared state, at scrape time.
async fn refresh_gauges(state: &AppState) {
    let pool = state.db.pool_state();
    let in_use = pool.connections.saturating_sub(pool.idle);
    metrics::gauge!(DB_CONNECTIONS, "state" => "in_use").set(f64::from(in_use));
    metrics::gauge!(DB_CONNECTIONS, "state" => "idle").set(f64::from(pool.idle));
    metrics::gauge!(DB_POOL_MAX).set(f64::from(pool.max_size));
    // Two counts on indexed columns (the same as `/health`); a database that cannot answer
    // within the pool's timeout leaves the last values and says so.
    match state.db.outbox_counts().await {
        Ok(c) => {
            metrics::gauge!(OUTBOX_MESSAGES, "state" => "pending").set(c.pending as f64);
            metrics::gauge!(OUTBOX_MESSAGES, "state" => "dead").set(c.dead as f64);
            metrics::gauge!(OUTBOX_UP).set(1.0);
        }
        Err(e) => {
            tracing::warn!(error = %e, "metrics: the outbox could not be counted");
            metrics::gauge!(OUTBOX_UP).set(0.0);
        }
    }
}

/// `GET /metrics`: the Prometheus text format, to whom [`MetricsAccess`] admits; 404 to others.
pub async fn scrape(state: web::Data<AppState>, req: HttpRequest) -> HttpResponse {
    let client = crate::net::client_addr(&state, &req).and_then(|a| a.parse().ok());
    let bearer = crate::auth::bearer(&req);
    let proxied = ["forwarded", "x-forwarded-for", "x-real-ip"]
        .iter()
        .any(|h| req.headers().contains_key(*h));
    if !state.metrics.allows(client, bearer.as_deref(), proxied) {
        return HttpResponse::NotFound().json(serde_json::json!({"detail": "Not Found"}));
    }
    let Some(handle) = install() else {
        return HttpResponse::ServiceUnavailable()
            .json(serde_json::json!({"detail": "metrics are not available"}));
    };
    refresh_gauges(&state).await;
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(handle.render())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn access(vars: &[(&str, &str)]) -> Result<MetricsAccess, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        MetricsAccess::from_lookup(&|k| map.get(k).cloned())
    }

    const TOKEN: &str = "0123456789abcdef0123456789abcdef";

    #[test]
    fn who_may_scrape() {
        let ip = |s: &str| Some(s.parse::<std::net::IpAddr>().unwrap());
        // Nothing configured: loopback only (IPv4, IPv6, IPv4-mapped IPv6), no token needed.
        let none = access(&[]).unwrap();
        assert!(none.allows(ip("127.0.0.1"), None, false));
        assert!(none.allows(ip("::1"), None, false));
        assert!(none.allows(ip("::ffff:127.0.0.1"), None, false));
        assert!(!none.allows(ip("10.1.2.3"), None, false));
        assert!(!none.allows(None, None, false));
        // Through a reverse proxy on this host: not this host's own client.
        assert!(!none.allows(ip("127.0.0.1"), None, true));
        // A token: required, from anywhere.
        let token = access(&[("METRICS_TOKEN", TOKEN)]).unwrap();
        assert!(token.allows(ip("203.0.113.9"), Some(TOKEN), false));
        assert!(!token.allows(ip("127.0.0.1"), None, false));
        assert!(!token.allows(
            ip("127.0.0.1"),
            Some("0123456789abcdef0123456789abcdeX"),
            false
        ));
        assert!(!token.allows(ip("127.0.0.1"), Some(""), false));
        // Networks: the client must be in one; loopback is no exception.
        let nets = access(&[("METRICS_ALLOW_CIDRS", "10.0.0.0/8, fd00::/8,192.0.2.7")]).unwrap();
        assert!(nets.allows(ip("10.200.0.1"), None, false));
        assert!(nets.allows(ip("fd12::1"), None, false));
        assert!(nets.allows(ip("192.0.2.7"), None, false));
        assert!(nets.allows(ip("::ffff:10.0.0.1"), None, false));
        assert!(!nets.allows(ip("192.0.2.8"), None, false));
        assert!(!nets.allows(ip("127.0.0.1"), None, false));
        // Both: both must hold.
        let both = access(&[
            ("METRICS_TOKEN", TOKEN),
            ("METRICS_ALLOW_CIDRS", "10.0.0.0/8"),
        ])
        .unwrap();
        assert!(both.allows(ip("10.0.0.1"), Some(TOKEN), false));
        assert!(!both.allows(ip("10.0.0.1"), None, false));
        assert!(!both.allows(ip("192.0.2.1"), Some(TOKEN), false));
    }

    #[test]
    fn bad_settings_name_the_variable() {
        let short = access(&[("METRICS_TOKEN", "short")]).unwrap_err();
        assert!(short.to_string().contains("METRICS_TOKEN"), "{short}");
        let net = access(&[("METRICS_ALLOW_CIDRS", "10.0.0.0/8, nonsense")]).unwrap_err();
        assert!(
            net.to_string().contains("METRICS_ALLOW_CIDRS") && net.to_string().contains("nonsense"),
            "{net}"
        );
        let prefix = access(&[("METRICS_ALLOW_CIDRS", "10.0.0.0/33")]).unwrap_err();
        assert!(
            prefix.to_string().contains("METRICS_ALLOW_CIDRS"),
            "{prefix}"
        );
        // The token never prints.
        let ok = access(&[("METRICS_TOKEN", TOKEN)]).unwrap();
        assert!(!format!("{ok:?}").contains(TOKEN));
    }

    #[test]
    fn methods_are_a_closed_set() {
        use actix_web::http::Method;
        assert_eq!(method_label(&Method::GET), "GET");
        assert_eq!(method_label(&Method::from_bytes(b"BREW").unwrap()), "other");
    }
}
