//! Route table and OpenAPI document.

pub mod dto;
pub mod eligibility;
pub mod health;
pub mod identity;
pub mod patients;

use actix_web::{HttpResponse, web};
use utoipa::OpenApi;

/// The OpenAPI document, generated from the handlers' annotations.
#[derive(OpenApi)]
#[openapi(
    info(title = "genascope API", description = "Hereditary cancer risk screening backend."),
    paths(
        health::health, health::ready, health::live,
        identity::token, identity::refresh, identity::logout, identity::me, identity::change_password,
        identity::reset_request, identity::reset_confirm,
        identity::create_account, identity::list_accounts, identity::get_account, identity::update_account,
        identity::delete_account,
        identity::list_users, identity::list_clinicians, identity::get_user, identity::create_user,
        identity::update_user, identity::delete_user, identity::send_user_reset,
        patients::list, patients::create, patients::get, patients::update, patients::delete,
        patients::invites, patients::bulk, patients::import_csv,
        eligibility::assess,
    ),
    components(schemas(dto::AccountDto, dto::UserDto, dto::PatientDto, dto::TokenDto, dto::MeDto,
        dto::MessageDto, dto::ImportReportDto, dto::ImportErrorDto)),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

struct BearerAuth;

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

async fn openapi_json() -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}

/// Register every route. Paths are registered without trailing slash; the request middleware
/// trims a trailing slash before routing (never a redirect).
pub fn configure(cfg: &mut web::ServiceConfig) {
    use health as h;
    use identity as i;
    use patients as p;
    cfg.route("/health", web::get().to(h::health))
        .route("/api/health", web::get().to(h::health))
        .route("/ready", web::get().to(h::ready))
        .route("/live", web::get().to(h::live))
        .route("/openapi.json", web::get().to(openapi_json))
        .route("/api/openapi.json", web::get().to(openapi_json))
        .route("/api/auth/token", web::post().to(i::token))
        .route("/api/auth/refresh", web::post().to(i::refresh))
        .route("/api/auth/logout", web::post().to(i::logout))
        .route("/api/auth/me", web::get().to(i::me))
        .route(
            "/api/auth/change-password",
            web::post().to(i::change_password),
        )
        .route(
            "/api/auth/password-reset/request",
            web::post().to(i::reset_request),
        )
        .route(
            "/api/auth/password-reset/confirm",
            web::post().to(i::reset_confirm),
        )
        .route(
            "/api/admin/create_account",
            web::post().to(i::create_account),
        )
        .service(
            web::resource("/api/accounts")
                .get(i::list_accounts)
                .post(i::create_account),
        )
        .service(
            web::resource("/api/accounts/{id}")
                .get(i::get_account)
                .put(i::update_account)
                .delete(i::delete_account),
        )
        .service(
            web::resource("/api/users")
                .get(i::list_users)
                .post(i::create_user),
        )
        .route("/api/account/create_user", web::post().to(i::create_user))
        .service(
            web::resource("/api/users/{id}")
                .get(i::get_user)
                .put(i::update_user)
                .delete(i::delete_user),
        )
        .route(
            "/api/users/{id}/password-reset",
            web::post().to(i::send_user_reset),
        )
        .route("/api/clinicians", web::get().to(i::list_clinicians))
        .service(web::resource("/api/patients").get(p::list).post(p::create))
        .route("/api/patients/import-csv", web::post().to(p::import_csv))
        .route("/api/patients/bulk", web::post().to(p::bulk))
        .service(
            web::resource("/api/patients/{id}")
                .get(p::get)
                .put(p::update)
                .delete(p::delete),
        )
        .route("/api/patients/{id}/invites", web::get().to(p::invites))
        .route(
            "/api/eligibility/assess",
            web::post().to(eligibility::assess),
        );
}
