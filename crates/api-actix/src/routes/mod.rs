//! Route table and OpenAPI document.

pub mod dto;
pub mod eligibility;
pub mod family;
pub mod files;
pub mod health;
pub mod identity;
pub mod invites;
pub mod labs;
pub mod patients;
pub mod questionnaire;
pub mod scheduling;

use actix_web::{HttpResponse, web};
use questionnaire as q;
use utoipa::OpenApi;

/// The OpenAPI document, generated from the handlers' annotations.
#[derive(OpenApi)]
#[openapi(
    info(title = "genascope API", description = "Hereditary cancer risk screening backend."),
    paths(
        health::health, health::ready, health::live,
        identity::token, identity::refresh, identity::logout, identity::me, identity::change_password,
        identity::reset_request, identity::reset_confirm,
        identity::create_account, identity::create_account_fe, identity::create_user_doc, identity::list_accounts, identity::get_account, identity::update_account,
        identity::delete_account,
        identity::list_users, identity::list_clinicians, identity::get_user, identity::create_user,
        identity::update_user, identity::delete_user, identity::send_user_reset,
        patients::list, patients::create, patients::get, patients::update, patients::delete,
        patients::bulk, patients::import_csv,
        invites::generate, invites::bulk, invites::list, invites::get, invites::pending,
        invites::of_patient, invites::resend, invites::resend_by_body, invites::revoke,
        invites::revoke_doc, invites::verify, invites::simplified_access, invites::register,
        eligibility::assess, eligibility::analyze, eligibility::latest, eligibility::latest_detailed,
        eligibility::export,
        family::pedigree_svg, family::fhir_family_history,
        q::strategies::list, q::strategies::create, q::strategies::get, q::strategies::update,
        q::strategies::delete,
        q::knowledge::list, q::knowledge::upload, q::knowledge::create, q::knowledge::get,
        q::knowledge::update, q::knowledge::delete,
        q::sessions::start_chat, q::sessions::submit_answer, q::sessions::history,
        q::sessions::create_session, q::sessions::list_sessions, q::sessions::get_session,
        q::sessions::list_messages, q::sessions::post_message, q::sessions::end_session,
        q::sessions::session_assessment,
        labs::order_test, labs::results, labs::ingest, labs::review, labs::work_list,
        labs::get_order, labs::set_status, labs::of_patient, labs::of_clinician,
        labs::available_tests, labs::webhook::receive,
        files::upload, files::list, files::get, files::download, files::download_by_key,
        files::delete,
        scheduling::availability, scheduling::set_availability, scheduling::patterns,
        scheduling::delete_pattern, scheduling::book, scheduling::get, scheduling::update,
        scheduling::cancel, scheduling::reschedule, scheduling::for_clinician,
        scheduling::for_patient, scheduling::organization, scheduling::feed,
        scheduling::calendar_token,
    ),
    components(schemas(dto::AccountDto, dto::UserDto, dto::PatientDto, dto::TokenDto, dto::MeDto,
        dto::MessageDto, dto::ImportReportDto, dto::ImportErrorDto, dto::ExportFileDto,
        dto::InviteDto, dto::InviteListDto, dto::BulkInviteDto, dto::BulkFailureDto,
        dto::VerifyInviteDto, dto::SimplifiedAccessDto,
        q::dto::StrategyDto, q::dto::TargetingRuleDto, q::dto::OutcomeActionDto,
        q::dto::KnowledgeSourceRefDto, q::knowledge::KnowledgeSourceDto, q::dto::ChatSessionDto, q::dto::ChatMessageDto,
        q::dto::QuestionStepDto, q::dto::HistoryDto, q::dto::HistoryItemDto,
        labs::dto::LabOrderDto, labs::dto::AddressDto, labs::dto::LabResultsDto,
        labs::dto::LabTestDto,
        files::FileDto, files::UploadedDto,
        scheduling::dto::AppointmentDto, scheduling::dto::PatternDto)),
    modifiers(&BearerAuth, &AiChatAlias, &LabOrderAlias)
)]
pub struct ApiDoc;

struct BearerAuth;

/// The `/ai-chat` family is served identically at `/api/ai-chat` (contract §1.1): document both.
struct AiChatAlias;

impl utoipa::Modify for AiChatAlias {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let aliases: Vec<_> = openapi
            .paths
            .paths
            .iter()
            .filter(|(path, _)| path.starts_with("/ai-chat/"))
            .map(|(path, item)| (format!("/api{path}"), item.clone()))
            .collect();
        openapi.paths.paths.extend(aliases);
    }
}

/// `POST /api/lab-tests/order` is the frontend's spelling of `POST /api/labs/order_test`.
struct LabOrderAlias;

impl utoipa::Modify for LabOrderAlias {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(item) = openapi.paths.paths.get("/api/labs/order_test").cloned() {
            openapi
                .paths
                .paths
                .insert("/api/lab-tests/order".to_owned(), item);
        }
    }
}

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// `/docs` without the slash: the same page as `/docs/`, never a redirect (contract §1.1). A
/// relative `<base>` makes its relative asset links resolve under `/docs/`, behind any proxy prefix.
async fn docs_root() -> HttpResponse {
    let config = std::sync::Arc::new(utoipa_swagger_ui::Config::from("/openapi.json"));
    match utoipa_swagger_ui::serve("index.html", config) {
        Ok(Some(file)) if !file.gzpipped => {
            let html = String::from_utf8_lossy(&file.bytes).replacen(
                "<head>",
                "<head><base href=\"docs/\">",
                1,
            );
            HttpResponse::Ok()
                .content_type(file.content_type)
                .body(html)
        }
        _ => HttpResponse::NotFound().json(serde_json::json!({"detail": "Not Found"})),
    }
}

async fn openapi_json() -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}

/// A resource answering its methods, and 405 with `Allow` and a JSON body for any other method.
/// Named by its template: the route label of its metrics (`crate::metrics::record_request`).
macro_rules! resource {
    ($cfg:expr, $path:expr, $($method:ident => $handler:expr),+ $(,)?) => {{
        let allow: &'static str = concat!($(stringify!($method), " "),+);
        let path: String = ($path).into();
        $cfg.add(
            &path,
            web::resource(path.clone())
                .name(&path)
                $(.route(web::$method().to($handler)))+
                .default_service(web::to(move || method_not_allowed(allow))),
        );
    }};
}

/// The resources as they are registered: a literal path at once, a template (`{…}` segments)
/// after every literal path ([`Routes::finish`]). actix tries resources in registration order,
/// a literal by comparing strings and a template by a regular expression, so a request for a
/// literal path (every route of the journey) was matched against each template registered
/// before it: 5 % of the server's CPU in the journey benchmark (issue #8). Where a literal path
/// and a template both match a request, the literal wins, as it did (each was registered before
/// its template); literal paths never overlap one another, and templates keep their order.
struct Routes<'a> {
    cfg: &'a mut web::ServiceConfig,
    templates: Vec<actix_web::Resource>,
}

impl Routes<'_> {
    fn add(&mut self, path: &str, resource: actix_web::Resource) {
        if path.contains('{') {
            self.templates.push(resource);
        } else {
            self.cfg.service(resource);
        }
    }

    fn finish(self) {
        for resource in self.templates {
            self.cfg.service(resource);
        }
    }
}

async fn method_not_allowed(allow: &'static str) -> HttpResponse {
    let allow = allow
        .split_whitespace()
        .map(str::to_ascii_uppercase)
        .collect::<Vec<_>>()
        .join(", ");
    HttpResponse::MethodNotAllowed()
        .insert_header((actix_web::http::header::ALLOW, allow))
        .json(serde_json::json!({"detail": "Method Not Allowed"}))
}

/// Register every route. Paths are registered without trailing slash; the request middleware
/// trims a trailing slash before routing (never a redirect).
/// `docs`: serve `/docs` and `/api/openapi.json` (`DOCS_ENABLED`; off by default in production).
pub fn configure(cfg: &mut web::ServiceConfig, docs: bool) {
    let mut routes = Routes {
        cfg,
        templates: Vec::new(),
    };
    register(&mut routes, docs);
    routes.finish();
}

fn register(cfg: &mut Routes<'_>, docs: bool) {
    use health as h;
    use identity as i;
    use patients as p;
    resource!(cfg, "/health", get => h::health);
    resource!(cfg, "/api/health", get => h::health);
    resource!(cfg, "/ready", get => h::ready);
    resource!(cfg, "/live", get => h::live);
    resource!(cfg, "/metrics", get => crate::metrics::scrape);
    if docs {
        resource!(cfg, "/docs", get => docs_root);
        // `/openapi.json` itself is served by the docs UI service (startup.rs).
        resource!(cfg, "/api/openapi.json", get => openapi_json);
    }
    resource!(cfg, "/api/auth/token", post => i::token);
    resource!(cfg, "/api/auth/refresh", post => i::refresh);
    resource!(cfg, "/api/auth/logout", post => i::logout);
    resource!(cfg, "/api/auth/me", get => i::me);
    resource!(cfg, "/api/auth/change-password", post => i::change_password);
    resource!(cfg, "/api/auth/password-reset/request", post => i::reset_request);
    resource!(cfg, "/api/auth/password-reset/confirm", post => i::reset_confirm);
    resource!(cfg, "/api/admin/create_account", post => i::create_account);
    resource!(cfg, "/api/accounts", get => i::list_accounts, post => i::create_account_fe);
    resource!(cfg, "/api/accounts/{id}", get => i::get_account, put => i::update_account, delete => i::delete_account);
    resource!(cfg, "/api/users", get => i::list_users, post => i::create_user);
    resource!(cfg, "/api/account/create_user", post => i::create_user_doc);
    resource!(cfg, "/api/users/{id}", get => i::get_user, put => i::update_user, delete => i::delete_user);
    resource!(cfg, "/api/users/{id}/password-reset", post => i::send_user_reset);
    resource!(cfg, "/api/clinicians", get => i::list_clinicians);
    resource!(cfg, "/api/patients", get => p::list, post => p::create);
    resource!(cfg, "/api/patients/import-csv", post => p::import_csv);
    resource!(cfg, "/api/patients/bulk", post => p::bulk);
    resource!(cfg, "/api/patients/{id}", get => p::get, put => p::update, delete => p::delete);
    resource!(cfg, "/api/patients/{id}/invites", get => invites::of_patient);
    resource!(cfg, "/api/patients/{id}/fhir/family-history", get => family::fhir_family_history);
    resource!(cfg, "/api/generate_invite", post => invites::generate);
    resource!(cfg, "/api/bulk_invite", post => invites::bulk);
    resource!(cfg, "/api/invites", get => invites::list);
    resource!(cfg, "/api/invites/{id}", get => invites::get, delete => invites::revoke);
    resource!(cfg, "/api/invites/{id}/resend", post => invites::resend);
    resource!(cfg, "/api/resend_invite", post => invites::resend_by_body);
    resource!(cfg, "/api/revoke/{invite_id}", delete => invites::revoke_doc);
    resource!(cfg, "/api/pending/{clinician_id}", get => invites::pending);
    resource!(cfg, "/api/verify_invite", post => invites::verify);
    resource!(cfg, "/api/simplified_access", post => invites::simplified_access);
    resource!(cfg, "/api/register_patient", post => invites::register);
    resource!(cfg, "/api/eligibility/assess", post => eligibility::assess);
    resource!(cfg, "/api/eligibility/analyze", post => eligibility::analyze);
    resource!(cfg, "/api/eligibility/analyze/{patient_id}", get => eligibility::latest);
    resource!(cfg, "/api/eligibility/detailed/{patient_id}", get => eligibility::latest_detailed);
    resource!(cfg, "/api/eligibility/export/{patient_id}", get => eligibility::export);
    resource!(cfg, "/api/eligibility/pedigree/{patient_id}.svg", get => family::pedigree_svg);
    questionnaire_routes(cfg);
    lab_routes(cfg);
    file_routes(cfg);
    scheduling_routes(cfg);
}

/// Labs (contract §3.8), with the frontend's alias of the order route.
fn lab_routes(cfg: &mut Routes<'_>) {
    resource!(cfg, "/api/labs/order_test", post => labs::order_test);
    resource!(cfg, "/api/lab-tests/order", post => labs::order_test);
    resource!(cfg, "/api/labs/results/{id}", get => labs::results, post => labs::ingest);
    resource!(cfg, "/api/labs/review_result/{id}", post => labs::review);
    resource!(cfg, "/api/labs/orders", get => labs::work_list);
    resource!(cfg, "/api/labs/orders/{id}", get => labs::get_order);
    resource!(cfg, "/api/labs/orders/{id}/status", put => labs::set_status);
    resource!(cfg, "/api/labs/patient/{id}/orders", get => labs::of_patient);
    resource!(cfg, "/api/labs/clinician/{id}/orders", get => labs::of_clinician);
    resource!(cfg, "/api/labs/available_tests", get => labs::available_tests);
    resource!(cfg, "/api/labs/webhook", post => labs::webhook::receive);
}

/// Files (contract §3.10).
fn file_routes(cfg: &mut Routes<'_>) {
    resource!(cfg, "/api/upload", post => files::upload);
    resource!(cfg, "/api/files", get => files::list);
    // Before `/api/files/{id}`: a literal segment wins over the id.
    resource!(cfg, "/api/files/download", get => files::download_by_key);
    resource!(cfg, "/api/files/{id}", get => files::get, delete => files::delete);
    resource!(cfg, "/api/files/{id}/download", get => files::download);
}

/// Availability and appointments (contract §3.9). The fixed paths under `/api/appointments/`
/// come before `{appointment_id}`.
fn scheduling_routes(cfg: &mut Routes<'_>) {
    use scheduling as sc;
    resource!(cfg, "/api/availability", get => sc::availability);
    resource!(cfg, "/api/availability/set", post => sc::set_availability);
    resource!(cfg, "/api/availability/recurring", get => sc::patterns);
    resource!(cfg, "/api/availability/recurring/{pattern_id}", delete => sc::delete_pattern);
    resource!(cfg, "/api/book_appointment", post => sc::book);
    resource!(cfg, "/api/appointments/cancel", post => sc::cancel);
    resource!(cfg, "/api/appointments/reschedule", post => sc::reschedule);
    resource!(cfg, "/api/appointments/clinician/{clinician_id}/calendar.ics", get => sc::feed);
    resource!(cfg, "/api/appointments/clinician/{clinician_id}/calendar-token", post => sc::calendar_token);
    resource!(cfg, "/api/appointments/clinician/{clinician_id}", get => sc::for_clinician);
    resource!(cfg, "/api/appointments/patient/{patient_id}", get => sc::for_patient);
    resource!(cfg, "/api/appointments/{appointment_id}", get => sc::get, put => sc::update);
    resource!(cfg, "/api/organization/appointments", get => sc::organization);
}

/// Chat configuration (strategies, knowledge sources), the documented questionnaire routes, and the `/ai-chat`
/// family at both of its prefixes.
fn questionnaire_routes(cfg: &mut Routes<'_>) {
    use questionnaire::knowledge as k;
    use questionnaire::sessions as s;
    use questionnaire::strategies as st;
    const STRATEGIES: &str = "/api/v1/chat-configuration/strategies";
    resource!(cfg, STRATEGIES, get => st::list, post => st::create);
    resource!(cfg, format!("{STRATEGIES}/{{id}}"), get => st::get, put => st::update, delete => st::delete);
    const SOURCES: &str = "/api/v1/chat-configuration/knowledge-sources";
    resource!(cfg, SOURCES, get => k::list, post => k::create);
    // Before `{SOURCES}/{id}`: a literal segment wins over the id.
    resource!(cfg, format!("{SOURCES}/upload"), post => k::upload);
    resource!(cfg, format!("{SOURCES}/{{id}}"), get => k::get, put => k::update, delete => k::delete);
    resource!(cfg, "/api/start_chat", post => s::start_chat);
    resource!(cfg, "/api/submit_answer", post => s::submit_answer);
    resource!(cfg, "/api/history/{session_id}", get => s::history);
    for prefix in ["/ai-chat", "/api/ai-chat"] {
        resource!(cfg, format!("{prefix}/sessions"), get => s::list_sessions, post => s::create_session);
        resource!(cfg, format!("{prefix}/sessions/{{id}}"), get => s::get_session);
        resource!(cfg, format!("{prefix}/sessions/{{id}}/messages"), get => s::list_messages, post => s::post_message);
        resource!(cfg, format!("{prefix}/sessions/{{id}}/end"), post => s::end_session);
        resource!(cfg, format!("{prefix}/sessions/{{id}}/assessment"), get => s::session_assessment);
    }
}
