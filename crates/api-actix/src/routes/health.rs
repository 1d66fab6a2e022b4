//! Health, readiness and liveness (contract §3.11). Public; no hostnames or secrets.

use super::dto::ts;
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, web};
use genascope_domain::identity::model::Role;
use serde_json::json;

/// Overall health with dependency states and the outbox's pending and dead message counts. In production `version` and `environment` are told
/// only to an authenticated super_admin (they help an attacker pick exploits, and nobody else
/// needs them); in development always.
#[utoipa::path(get, path = "/health", tag = "health", responses((status = 200)))]
pub async fn health(state: web::Data<AppState>, req: HttpRequest) -> HttpResponse {
    let db_up = state.db.ping().await.is_ok();
    let storage_up = state.files.store().health().await.is_ok();
    // Undelivered and dead outbox messages (dead letters need an operator: `genascope outbox`);
    // null while the database cannot say.
    let outbox = match state.db.outbox_counts().await {
        Ok(c) if db_up => json!({"pending": c.pending, "dead": c.dead}),
        _ => serde_json::Value::Null,
    };
    let mut body = json!({
        "status": if db_up && storage_up { "healthy" } else { "degraded" },
        "timestamp": ts(time::OffsetDateTime::now_utc()),
        "database_connected": db_up,
        "services": {
            "database": if db_up { "up" } else { "down" },
            "storage": if storage_up { "up" } else { "down" },
            "email": if state.mail_kind == "disabled" { "disabled" } else { "up" },
        },
        "outbox": outbox,
        // `listening` / `in_process`: in use; `reconnecting`: bypassed (every request reads the
        // database) until its PostgreSQL listener is back; `disabled`.
        "principal_cache": state.principals.state().as_str(),
    });
    let operator = || async {
        match crate::auth::bearer(&req) {
            Some(token) => state
                .identity
                .authenticate(&token)
                .await
                .is_ok_and(|a| a.principal.role == Role::SuperAdmin),
            None => false,
        }
    };
    if state.environment != "production" || operator().await {
        body["version"] = json!(env!("CARGO_PKG_VERSION"));
        body["environment"] = json!(state.environment);
    }
    HttpResponse::Ok().json(body)
}

/// 200 when the database answers, else 503; 503 at once while draining after SIGTERM.
#[utoipa::path(get, path = "/ready", tag = "health", responses((status = 200), (status = 503)))]
pub async fn ready(state: web::Data<AppState>) -> HttpResponse {
    let draining = state.draining.load(std::sync::atomic::Ordering::Acquire);
    if !draining && state.db.ping().await.is_ok() {
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
