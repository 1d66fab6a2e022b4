//! Health, readiness and liveness (contract §3.11). Public; no hostnames or secrets.

use super::dto::ts;
use crate::state::AppState;
use actix_web::{HttpResponse, web};
use serde_json::json;

/// Overall health with dependency states.
#[utoipa::path(get, path = "/health", tag = "health", responses((status = 200)))]
pub async fn health(state: web::Data<AppState>) -> HttpResponse {
    let db_up = state.db.ping().await.is_ok();
    HttpResponse::Ok().json(json!({
        "status": if db_up { "healthy" } else { "degraded" },
        "timestamp": ts(time::OffsetDateTime::now_utc()),
        "version": env!("CARGO_PKG_VERSION"),
        "environment": state.environment,
        "database_connected": db_up,
        "services": {
            "database": if db_up { "up" } else { "down" },
            "storage": "disabled",
            "email": if state.mail_kind == "disabled" { "disabled" } else { "up" },
        }
    }))
}

/// 200 when the database answers, else 503.
#[utoipa::path(get, path = "/ready", tag = "health", responses((status = 200), (status = 503)))]
pub async fn ready(state: web::Data<AppState>) -> HttpResponse {
    if state.db.ping().await.is_ok() {
        HttpResponse::Ok().json(json!({"status": "ready"}))
    } else {
        HttpResponse::ServiceUnavailable()
            .json(json!({"detail": "Service not ready", "status": "not_ready"}))
    }
}

/// The process is up; no dependency checks.
#[utoipa::path(get, path = "/live", tag = "health", responses((status = 200)))]
pub async fn live() -> HttpResponse {
    HttpResponse::Ok()
        .json(json!({"status": "alive", "timestamp": ts(time::OffsetDateTime::now_utc())}))
}
