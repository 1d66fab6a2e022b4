//! Wiring: build the adapters and services from the config, bind the listener, run.

use crate::config::{Config, MailBackend};
use crate::state::AppState;
use actix_web::body::MessageBody;
use actix_web::dev::{Server, ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::{ErrorHandlerResponse, ErrorHandlers, Next, from_fn};
use actix_web::{App, HttpResponse, HttpServer, web};
use anyhow::Context;
use genascope_adapters_local::identity::crypto::{Argon2Hasher, JwtCodec, OsRandom};
use genascope_adapters_local::identity::throttle::QueuedThrottle;
use genascope_adapters_local::notify::files::{DisabledMailer, OutboxMailer};
use genascope_adapters_postgres::notify::worker::{OutboxWorker, WorkerSettings};
use genascope_adapters_postgres::{
    AuditWriter, AuditWriterHandle, CachedPrincipals, Database, DbLoginThrottle,
    PrincipalCacheConfig,
};
use genascope_domain::audit::AuditLog;
use genascope_domain::clinical::service::EligibilityService;
use genascope_domain::common::SystemClock;
use genascope_domain::identity::ports::LoginThrottle;
use genascope_domain::identity::service::{IdentityPorts, IdentityService, IdentitySettings};
use genascope_domain::identity::throttle::ThrottleLimits;
use genascope_domain::invites::service::{InvitePorts, InviteService, InviteSettings};
use genascope_domain::labs::service::{LabPorts, LabService};
use genascope_domain::notify::Mailer;
use genascope_domain::patients::service::{PatientPorts, PatientService};
use genascope_domain::questionnaire::sessions::service::{ChatPorts, ChatService};
use genascope_domain::questionnaire::strategies::service::StrategyService;
use secrecy::ExposeSecret;
use std::net::TcpListener;
use std::sync::Arc;
use tracing::Instrument;
use utoipa::OpenApi;
use utoipa_swagger_ui::SwaggerUi;

/// Everything built from the config, before the HTTP server.
pub struct Services {
    /// Handler state.
    pub state: AppState,
    /// Where the development mail sink writes emails, when it is the sink.
    pub outbox_dir: Option<std::path::PathBuf>,
    /// Where the outbox worker delivers mail (SMTP, the development files, or nowhere).
    pub mail_sink: Arc<dyn Mailer>,
    /// The outbox worker's settings.
    pub outbox: WorkerSettings,
    /// The outbox worker, once started ([`Services::start_outbox_worker`]; the server does).
    pub outbox_worker: Option<OutboxWorker>,
    /// The group-commit writer of read audit entries, joined at [`Services::close`].
    pub audit_writer: Option<AuditWriterHandle>,
}

impl Services {
    /// Start delivering queued messages (on the current tokio runtime). One-shot commands do
    /// not: what they queue is delivered by the running server(s).
    pub fn start_outbox_worker(&mut self) {
        if self.outbox_worker.is_none() {
            self.outbox_worker = Some(OutboxWorker::start(
                self.state.db.clone(),
                self.mail_sink.clone(),
                self.outbox,
            ));
        }
    }

    /// Before the process exits: stop the outbox worker (after the message in hand), drop every
    /// handle on the pool, then wait until the pool's worker thread has finished whatever it was
    /// doing, so that no connection is being opened or closed while `exit` tears libpq and
    /// OpenSSL down (see `PoolShutdown`, issue #14).
    pub async fn close(mut self) {
        if let Some(worker) = self.outbox_worker.take() {
            worker.stop(std::time::Duration::from_secs(35)).await;
        }
        let shutdown = self.state.db.shutdown_handle();
        let audit_writer = self.audit_writer.take();
        drop(self);
        let _ = tokio::task::spawn_blocking(move || {
            // Every `AuditWriter` went with the services: the writer commits what is queued,
            // drops its pool handle and stops.
            if let Some(writer) = audit_writer {
                writer.join();
            }
            shutdown.wait(std::time::Duration::from_secs(10));
        })
        .await;
    }
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get)
}

/// The outbox worker's delivery sink, and the development mail directory if it is one. Use
/// cases never send: they queue (see `notify`).
async fn mail_sink(
    config: &Config,
) -> anyhow::Result<(Arc<dyn Mailer>, Option<std::path::PathBuf>)> {
    Ok(match config.mail_backend {
        MailBackend::Outbox => {
            let dir = config.data_dir.join("outbox");
            (
                Arc::new(OutboxMailer::new(dir.clone(), config.from_email.clone())?),
                Some(dir),
            )
        }
        MailBackend::Disabled => (Arc::new(DisabledMailer), None),
        MailBackend::Smtp => {
            let smtp = config
                .smtp
                .as_ref()
                .context("SMTP_HOST is required when MAIL_BACKEND=smtp")?;
            let settings = genascope_adapters_smtp::SmtpSettings {
                host: smtp.host.clone(),
                port: smtp.port,
                tls: smtp.tls,
                credentials: smtp.user.clone().map(|u| {
                    (
                        u,
                        smtp.password
                            .as_ref()
                            .map(|p| p.expose_secret().to_owned())
                            .unwrap_or_default(),
                    )
                }),
                from: config.from_email.clone(),
                timeout: std::time::Duration::from_secs(30),
            };
            (
                Arc::new(genascope_adapters_smtp::SmtpMailer::new(&settings)?),
                None,
            )
        }
        MailBackend::Ses => {
            let aws = crate::storage::aws_settings(&config.storage, &config.aws);
            let sdk = genascope_adapters_aws::sdk_config(&aws).await?;
            (
                Arc::new(genascope_adapters_aws::SesMailer::new(
                    &sdk,
                    &config.from_email,
                )),
                None,
            )
        }
    })
}

/// Connect, migrate and wire the services. Call [`Services::close`] before the process exits.
pub async fn build_services(config: &Config) -> anyhow::Result<Services> {
    let url = config.database_url.clone();
    let pool = genascope_adapters_postgres::PoolConfig {
        max_size: config.database_pool_size,
        min_idle: 1,
        connection_timeout: config.database_connect_timeout,
    };
    let db = tokio::task::spawn_blocking(move || Database::connect_with(&url, pool)).await??;
    let db = Arc::new(db);
    let migrator = db.clone();
    tokio::task::spawn_blocking(move || migrator.migrate()).await??;
    // Reads' audit entries are group-committed by one writer thread (issue #11).
    let (audit_writer, audit_writer_handle) = AuditWriter::start((*db).clone())?;
    let audit: Arc<dyn AuditLog> = Arc::new(audit_writer);
    let (mail_sink, outbox_dir) = mail_sink(config).await?;
    let clock = Arc::new(SystemClock);
    let random = Arc::new(OsRandom);
    // The throttles count in the database (every replica's attempts); waiting for a turn while
    // attempts in flight decide is this process's.
    let throttle = |name, limits| -> Arc<dyn LoginThrottle> {
        Arc::new(QueuedThrottle::new(Arc::new(DbLoginThrottle::new(
            (*db).clone(),
            name,
            limits,
        ))))
    };
    let hasher = Arc::new(Argon2Hasher::with_nice(
        config.password_hash_concurrency,
        config.password_hash_nice,
    ));
    let codec = JwtCodec::new(
        config.jwt_secret_bytes(),
        &config.jwt_issuer,
        &config.jwt_audience,
    );
    let codec = Arc::new(match &config.jwt_secret_previous {
        Some(previous) => codec.also_accepting(previous.expose_secret().as_bytes()),
        None => codec,
    });
    // Every authenticated request's principal (and invite grant), cached and evicted on every
    // replica by the database's own triggers (issue #11; docs/architecture.md).
    let principals = Arc::new(CachedPrincipals::start(
        (*db).clone(),
        PrincipalCacheConfig {
            ttl: config.principal_cache_ttl,
            ..PrincipalCacheConfig::default()
        },
    )?);
    let ports = IdentityPorts {
        accounts: db.clone(),
        users: principals.clone(),
        tokens: db.clone(),
        hasher: hasher.clone(),
        codec: codec.clone(),
        grants: principals.clone(),
        throttle: throttle("login", ThrottleLimits::login()),
        reset_throttle: throttle("reset", ThrottleLimits::reset_requests()),
        clock: clock.clone(),
        random: random.clone(),
    };
    let settings = IdentitySettings {
        access_ttl: time::Duration::minutes(config.jwt_expire_minutes),
        frontend_base_url: config.frontend_base_url.clone(),
        ..IdentitySettings::default()
    };
    let identity = IdentityService::new(ports, settings);
    // Patients build on identity (a patient's login); identity knows nothing of patients.
    let patients = PatientService::new(
        PatientPorts {
            patients: db.clone(),
            users: db.clone(),
            accounts: db.clone(),
            clock: clock.clone(),
            random: random.clone(),
            audit: audit.clone(),
            invites: db.clone(),
            chats: db.clone(),
        },
        identity.clone(),
    );
    let invites = InviteService::new(
        InvitePorts {
            invites: db.clone(),
            patients: db.clone(),
            users: db.clone(),
            accounts: db.clone(),
            codec,
            hasher,
            audit: audit.clone(),
            clock: clock.clone(),
            random: random.clone(),
        },
        InviteSettings {
            frontend_base_url: config.frontend_base_url.clone(),
            mail_enabled: config.mail_backend != MailBackend::Disabled,
            ..InviteSettings::default()
        },
    );
    let eligibility = EligibilityService::new(
        patients.clone(),
        db.clone(),
        clock.clone(),
        random.clone(),
        audit.clone(),
    );
    let labs = lab_service(config, &db, audit.clone(), clock.clone(), random.clone())?;
    let strategies = StrategyService::new(db.clone(), db.clone(), clock.clone(), random.clone());
    let files = genascope_domain::files::service::FilesService::new(
        crate::storage::file_store(&config.storage, &config.aws).await?,
        db.clone(),
        // Lab reports: the order's care team and, after review, its patient read them too.
        Arc::new(genascope_domain::labs::reports::LabReports::new(db.clone())),
        clock.clone(),
        random.clone(),
        config.storage.max_upload_bytes,
    );
    // Knowledge documents live in the same store, under `knowledge/`, with the same size limit.
    let knowledge = genascope_domain::questionnaire::knowledge::service::KnowledgeService::new(
        db.clone(),
        files.store().clone(),
        clock.clone(),
        random.clone(),
        config.storage.max_upload_bytes,
    );
    let scheduling = genascope_domain::scheduling::service::SchedulingService::new(
        genascope_domain::scheduling::service::SchedulingPorts {
            repo: db.clone(),
            audit: audit.clone(),
            clock: clock.clone(),
            random: random.clone(),
        },
        genascope_domain::scheduling::service::SchedulingSettings {
            mail_enabled: config.mail_backend != MailBackend::Disabled,
            ..Default::default()
        },
    );
    let chat = ChatService::new(ChatPorts {
        sessions: db.clone(),
        strategies: db.clone(),
        patients: patients.clone(),
        clock: clock.clone(),
        random,
        audit,
    });
    let environment = match config.env {
        crate::config::AppEnv::Development => "development",
        crate::config::AppEnv::Production => "production",
    };
    // Per client address, any email: in the database too (the edge's rule, not the use cases').
    use crate::limits::{AddressLimit, AddressRule};
    let login_limit = AddressLimit::new(db.clone(), clock.clone(), AddressRule::LOGIN_FAILURES);
    let reset_limit = AddressLimit::new(db.clone(), clock.clone(), AddressRule::RESET_REQUESTS);
    let verify_limit = AddressLimit::new(db.clone(), clock.clone(), AddressRule::VERIFY_INVITE);
    let simplified_limit = AddressLimit::new(db.clone(), clock, AddressRule::SIMPLIFIED_ACCESS);
    Ok(Services {
        state: AppState {
            identity,
            patients,
            invites,
            eligibility,
            strategies,
            knowledge,
            chat,
            labs,
            files,
            scheduling,
            trusted_proxies: config.trusted_proxies.clone(),
            db,
            principals,
            draining: Arc::default(),
            read_limit: crate::limits::ReadLimit::new(config.read_rate_limit),
            login_limit,
            reset_limit,
            verify_limit,
            simplified_limit,
            body_timeout: config.body_read_timeout,
            // argon2 runs `PASSWORD_HASH_CONCURRENCY` at once; 32 more logins may wait (about a
            // second) behind them, the next ones are answered 503 with `Retry-After`.
            login_gate: crate::limits::Gate::new(
                32 + config.password_hash_concurrency,
                std::time::Duration::from_secs(2),
            ),
            // The engine is pure CPU: a few per core, each waiting at most 5 s for its turn.
            engine_gate: crate::limits::Gate::new(2 * cores(), std::time::Duration::from_secs(5)),
            environment,
            mail_kind: mail_sink.kind(),
            metrics: config.metrics.clone(),
            api_base_url: config.api_base_url.clone(),
        },
        outbox_dir,
        mail_sink,
        outbox: config.outbox,
        outbox_worker: None,
        audit_writer: Some(audit_writer_handle),
    })
}

/// Labs, with the integration secrets' at-rest key when one is configured.
fn lab_service(
    config: &Config,
    db: &Arc<Database>,
    audit: Arc<dyn AuditLog>,
    clock: Arc<SystemClock>,
    random: Arc<OsRandom>,
) -> anyhow::Result<LabService> {
    use genascope_adapters_local::labs::sealed::{AesGcmSecretBox, NoKey};
    use genascope_domain::labs::ports::SecretBox;
    let secrets: Arc<dyn SecretBox> = match &config.lab_secret_key {
        Some(k) => Arc::new(AesGcmSecretBox::from_hex(k.expose_secret())?),
        None => Arc::new(NoKey),
    };
    Ok(LabService::new(LabPorts {
        orders: db.clone(),
        integrations: db.clone(),
        gateway: Arc::new(genascope_adapters_postgres::labs::OutboxLabGateway),
        secrets,
        patients: db.clone(),
        users: db.clone(),
        files: db.clone(),
        audit,
        clock,
        random,
    }))
}

/// A bound, ready-to-run server (zero2prod's pattern: tests bind port 0 and read the real one).
pub struct Application {
    port: u16,
    server: Server,
    draining: Arc<std::sync::atomic::AtomicBool>,
    drain: std::time::Duration,
}

impl Application {
    /// Bind and build.
    pub async fn build(config: &Config) -> anyhow::Result<(Self, Services)> {
        let mut services = build_services(config).await?;
        let listener = TcpListener::bind((config.host.as_str(), config.port))?;
        let port = listener.local_addr()?.port();
        let server = serve(
            listener,
            services.state.clone(),
            &ServeOptions {
                cors_origins: config.cors_origins.clone(),
                docs: config.docs_enabled,
                blocking_threads: config.blocking_threads,
            },
        )?;
        // Every serving process delivers the outbox (several replicas share it safely).
        services.start_outbox_worker();
        let app = Self {
            port,
            server,
            draining: services.state.draining.clone(),
            drain: config.shutdown_drain,
        };
        Ok((app, services))
    }

    /// The bound port.
    #[must_use]
    pub fn port(&self) -> u16 {
        self.port
    }

    /// A handle to stop the server (gracefully: in-flight requests finish).
    #[must_use]
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// Run until stopped.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }

    /// Run until SIGTERM or SIGINT, then drain: `/ready` answers 503 at once (load balancers
    /// stop sending new requests) while every request is still served for the drain period;
    /// then the listener closes and in-flight requests finish (actix's graceful stop).
    pub async fn run_until_signalled(self) -> std::io::Result<()> {
        let handle = self.server.handle();
        let (draining, drain) = (self.draining.clone(), self.drain);
        let mut server = std::pin::pin!(self.server);
        tokio::select! {
            result = &mut server => return result,
            () = shutdown_signal() => {}
        }
        draining.store(true, std::sync::atomic::Ordering::Release);
        tracing::info!(
            drain_seconds = drain.as_secs(),
            "shutdown requested: draining before the listener closes"
        );
        tokio::select! {
            result = &mut server => return result,
            () = tokio::time::sleep(drain) => {}
        }
        let stop = handle.stop(true);
        let (result, ()) = tokio::join!(server, stop);
        tracing::info!("stopped");
        result
    }
}

/// SIGTERM (orchestrators) or SIGINT (Ctrl-C).
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// What `serve` switches on.
#[derive(Debug, Clone, Default)]
pub struct ServeOptions {
    /// Browser origins allowed by CORS.
    pub cors_origins: Vec<String>,
    /// Serve `/docs` and `/openapi.json`.
    pub docs: bool,
    /// Most threads of each worker's blocking pool (`BLOCKING_THREADS`).
    pub blocking_threads: usize,
}

/// Paths that keep their trailing slash (the docs UI's own routes).
fn keeps_slash(path: &str) -> bool {
    path.starts_with("/docs")
}

/// Request id and W3C trace context (`crate::tracing_ctx`) on the access log span and the
/// response, request metrics (`crate::metrics`), trailing-slash trimming (no redirect),
/// `Cache-Control: no-store` on authenticated responses.
async fn request_context(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let request_id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty()
                && v.len() <= 64
                && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        .map_or_else(|| uuid::Uuid::new_v4().to_string(), str::to_owned);
    let path = req.path().to_owned();
    if path.len() > 1 && path.ends_with('/') && !keeps_slash(&path) {
        let trimmed = path.trim_end_matches('/');
        let pq = match req.uri().query() {
            Some(q) => format!("{trimmed}?{q}"),
            None => trimmed.to_owned(),
        };
        if let Ok(uri) = pq.parse::<actix_web::http::Uri>() {
            req.head_mut().uri = uri.clone();
            req.match_info_mut().get_mut().update(&uri);
        }
    }
    // Authenticated responses, and every `/api` answer (token responses carry credentials),
    // must not be cached.
    let no_store =
        req.headers().contains_key(header::AUTHORIZATION) || req.path().starts_with("/api");
    let mut trace = crate::tracing_ctx::TraceContext::from_headers(req.headers());
    // When spans are exported (`crate::telemetry`), the trace's ids become the exported span's.
    let export = crate::telemetry::request_span(&mut trace, req.method());
    let span = tracing::info_span!("request", request_id = %request_id, trace_id = %trace.trace_id_hex(), method = %req.method(), path = %req.path());
    let started = std::time::Instant::now();
    let mut res = next.call(req).instrument(span.clone()).await?;
    let elapsed = started.elapsed();
    crate::metrics::record_request(res.request(), res.status(), elapsed);
    let status = res.status().as_u16();
    crate::telemetry::record_response(&export, res.request(), status);
    span.in_scope(|| tracing::info!(status, elapsed_ms = elapsed.as_millis() as u64, "request"));
    if let Ok(v) = HeaderValue::from_str(&trace.traceparent()) {
        res.headers_mut()
            .insert(header::HeaderName::from_static("traceparent"), v);
    }
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        res.headers_mut()
            .insert(header::HeaderName::from_static("x-request-id"), v);
    }
    if no_store {
        res.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    Ok(res)
}

/// The longest a request that may have changed something waits for this process's principal
/// cache to have seen every change committed before it answers (see [`principal_fence`]).
const FENCE_LIMIT: std::time::Duration = std::time::Duration::from_secs(1);

/// After a request that may have changed what the principal cache holds (a write to a table
/// its triggers watch, on its own database calls: `track_writes`), and before its answer
/// leaves: wait until this process's principal cache listener has received every notification
/// committed before now
/// (`CachedPrincipals::fence`), at most [`FENCE_LIMIT`]. A logout, a deactivation or a role
/// change answered here is then already evicted here, and PostgreSQL signalled every other
/// replica's listener at the same commit (docs/architecture.md, "The principal cache").
/// Immediate on SQLite and when the cache is off; reads pay nothing.
async fn principal_fence(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let principals = req
        .app_data::<web::Data<AppState>>()
        .map(|s| s.principals.clone());
    let (res, wrote) = genascope_adapters_postgres::track_writes(next.call(req)).await;
    if wrote
        && let Some(p) = principals
        && !p.fence(FENCE_LIMIT).await
    {
        tracing::warn!("principal cache: no fence within the limit; answering anyway");
    }
    res
}

/// A request body must arrive within `BODY_READ_TIMEOUT` of the request (issue #6 item 9): a
/// client that trickles its body, or stops sending, no longer holds a worker's request open
/// forever. Past the deadline the body reads as failed and the request is refused (4xx).
async fn body_deadline(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let limit = req
        .app_data::<web::Data<AppState>>()
        .map(|s| s.body_timeout);
    if let Some(limit) = limit {
        use actix_web::HttpMessage as _;
        let payload = req.take_payload();
        req.set_payload(deadline_payload(payload, limit));
    }
    next.call(req).await
}

fn deadline_payload(
    payload: actix_web::dev::Payload,
    limit: std::time::Duration,
) -> actix_web::dev::Payload {
    use futures_util::StreamExt;
    let deadline = tokio::time::Instant::now() + limit;
    let stream = futures_util::stream::unfold(Some(payload), move |state| async move {
        let mut payload = state?;
        match tokio::time::timeout_at(deadline, payload.next()).await {
            Ok(Some(item)) => Some((item, Some(payload))),
            Ok(None) => None,
            Err(_) => Some((
                Err(actix_web::error::PayloadError::Io(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    "request body not received in time",
                ))),
                None,
            )),
        }
    });
    let boxed: std::pin::Pin<
        Box<dyn futures_util::Stream<Item = Result<web::Bytes, actix_web::error::PayloadError>>>,
    > = Box::pin(stream.fuse());
    actix_web::dev::Payload::from(boxed)
}

/// Errors actix produces itself (no route, wrong method, oversized body) answer JSON too.
fn json_error<B: MessageBody + 'static>(
    res: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let is_json = res
        .response()
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if is_json {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let detail = match status.as_u16() {
        404 => "Not Found".to_owned(),
        405 => "Method Not Allowed".to_owned(),
        413 => "Payload too large".to_owned(),
        s if s >= 500 => "Internal server error".to_owned(),
        _ => status
            .canonical_reason()
            .unwrap_or("Request refused")
            .to_owned(),
    };
    let (req, _) = res.into_parts();
    let new = HttpResponse::build(status).json(serde_json::json!({ "detail": detail }));
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(req, new).map_into_right_body::<B>(),
    ))
}

async fn not_found() -> HttpResponse {
    HttpResponse::NotFound().json(serde_json::json!({"detail": "Not Found"}))
}

fn cors(origins: &[String]) -> actix_cors::Cors {
    let mut cors = actix_cors::Cors::default()
        .allow_any_method()
        .allow_any_header()
        .expose_headers(["x-request-id", "retry-after", "traceparent"])
        .max_age(600);
    for o in origins {
        cors = cors.allowed_origin(o);
    }
    cors
}

/// The HTTP server around a bound listener. Signals are handled by
/// [`Application::run_until_signalled`], not by actix (which would stop without draining).
pub fn serve(
    listener: TcpListener,
    state: AppState,
    options: &ServeOptions,
) -> std::io::Result<Server> {
    // Before any worker starts: the per-thread metric handles are taken from it.
    crate::metrics::install();
    let data = web::Data::new(state);
    let openapi = crate::routes::ApiDoc::openapi();
    let cors_origins = options.cors_origins.clone();
    let docs = options.docs;
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .app_data(web::PayloadConfig::new(1024 * 1024))
            .app_data(web::JsonConfig::default().limit(1024 * 1024))
            .wrap(ErrorHandlers::new().default_handler(json_error))
            .wrap(from_fn(principal_fence))
            .wrap(from_fn(body_deadline))
            .wrap(from_fn(request_context))
            .wrap(actix_web::middleware::Condition::new(
                !cors_origins.is_empty(),
                cors(&cors_origins),
            ))
            .configure(|cfg| {
                if docs {
                    cfg.service(
                        SwaggerUi::new("/docs/{_:.*}").url("/openapi.json", openapi.clone()),
                    );
                }
            })
            .configure(|cfg| crate::routes::configure(cfg, docs))
            .default_service(web::to(not_found))
    })
    .disable_signals()
    .worker_max_blocking_threads(options.blocking_threads)
    .listen(listener)?
    .run();
    Ok(server)
}
