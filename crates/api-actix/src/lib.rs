//! The genascope HTTP API and operator commands: configuration, wiring, routes, DTOs, the auth
//! extractor and error mapping. Business rules live in `genascope-domain`.

pub mod auth;
pub mod body;
pub mod config;
pub mod error;
pub mod limits;
pub mod logging;
pub mod metrics;
pub mod net;
pub mod routes;
pub mod startup;
pub mod state;
pub mod storage;
pub mod telemetry;
pub mod tracing_ctx;
