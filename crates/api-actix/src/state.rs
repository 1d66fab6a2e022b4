//! Shared application state: the services, wired once.

use genascope_adapters_postgres::Database;
use genascope_domain::identity::service::IdentityService;
use genascope_domain::patients::service::PatientService;
use std::sync::Arc;

/// What handlers reach through `web::Data`.
#[derive(Clone)]
pub struct AppState {
    /// Identity use cases.
    pub identity: IdentityService,
    /// Patient use cases.
    pub patients: PatientService,
    /// Invite use cases.
    pub invites: genascope_domain::invites::service::InviteService,
    /// Eligibility (clinical engine) use cases.
    pub eligibility: genascope_domain::clinical::service::EligibilityService,
    /// Chat configuration: strategies.
    pub strategies: genascope_domain::questionnaire::strategies::service::StrategyService,
    /// Chat configuration: knowledge sources.
    pub knowledge: genascope_domain::questionnaire::knowledge::service::KnowledgeService,
    /// Chat sessions (the questionnaire).
    pub chat: genascope_domain::questionnaire::sessions::service::ChatService,
    /// Labs: orders, results, the webhook, integrations.
    pub labs: genascope_domain::labs::service::LabService,
    /// Files: uploads, downloads (and the object store, for `/health`).
    pub files: genascope_domain::files::service::FilesService,
    /// Scheduling: availability and appointments.
    pub scheduling: genascope_domain::scheduling::service::SchedulingService,
    /// For health checks.
    pub db: Arc<Database>,
    /// The principal cache (its state for `/health`, its fence for the requests that write).
    pub principals: Arc<genascope_adapters_postgres::CachedPrincipals>,
    /// The longest a request body may take to arrive.
    pub body_timeout: std::time::Duration,
    /// Audited reads per principal.
    pub read_limit: crate::limits::ReadLimit,
    /// Failed logins per client address (in the database: every replica's).
    pub login_limit: crate::limits::AddressLimit,
    /// Password-reset requests per client address (in the database: every replica's).
    pub reset_limit: crate::limits::AddressLimit,
    /// `verify_invite` look-ups per client address.
    pub verify_limit: crate::limits::AddressLimit,
    /// Refused `simplified_access` attempts per client address.
    pub simplified_limit: crate::limits::AddressLimit,
    /// Logins (argon2) in progress at once.
    pub login_gate: crate::limits::Gate,
    /// Risk-engine runs in progress at once.
    pub engine_gate: crate::limits::Gate,
    /// Set on SIGTERM: `/ready` answers 503 while requests are still served.
    pub draining: Arc<std::sync::atomic::AtomicBool>,
    /// `development` or `production`.
    pub environment: &'static str,
    /// Peers trusted to name the client in `X-Forwarded-For` / `Forwarded`.
    pub trusted_proxies: Vec<crate::net::ProxyNet>,
    /// `outbox`, `smtp`, `ses`, `disabled`.
    pub mail_kind: &'static str,
    /// Who may read `/metrics`.
    pub metrics: crate::metrics::MetricsAccess,
    /// `API_BASE_URL` (no trailing slash): the base of absolute URLs into the API.
    pub api_base_url: String,
}
