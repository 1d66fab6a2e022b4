//! Labs (contract §3.8): orders of tests for patients, their status table, results (preliminary,
//! final, amended) and their review, which makes them visible to the patient; external labs'
//! integrations and their signed webhook.
//!
//! - `model`: vocabularies (`TestType`, `LabStatus`, `ResultStatus`), checked values
//!   (`ShippingAddress`, `ResultMap`, `ReportUrl`), `LabOrder`, `LabIntegration`, commands.
//! - `rules`: the status table as pure functions (`transition`, `ingest`, `reviewable`).
//! - `policy`: who sets which status, who reads results.
//! - `reports`: report files attached to results (which upload, who reads it).
//! - `webhook`: the signature rule (HMAC-SHA256, constant-time, ±300 s).
//! - `ports`, `service`, `error`.

pub mod error;
pub mod model;
pub mod policy;
pub mod ports;
pub mod reports;
pub mod rules;
pub mod service;
pub mod webhook;
