//! Identity: accounts, users, authentication, and the access policy.
//!
//! Identity knows nothing of patient records: a patient's login is created by the patients
//! capability (`patients::service::PatientService::create_login`), which builds on identity's
//! `IdentityService::prepare_user`.

pub mod error;
pub mod model;
pub mod policy;
pub mod ports;
pub mod service;
pub mod throttle;
