//! Patients: records, their derived screening view, and the use cases staff run on them.

pub mod model;
pub mod ports;
pub mod service;
