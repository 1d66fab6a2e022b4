//! Patients: records, their derived screening view, the use cases staff run on them, and
//! patients' logins (which build on identity: patients depends on identity, never the reverse).

pub mod error;
pub mod model;
pub mod ports;
pub mod service;
