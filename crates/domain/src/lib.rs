//! genascope's domain: the inside of the hexagon.
//!
//! Entities, value objects, the clinical engine, access policy, use-case services and the
//! ports (async traits) they need from the outside. Nothing here does I/O.

pub mod audit;
pub mod clinical;
pub mod common;
pub mod files;
pub mod identity;
pub mod invites;
pub mod labs;
pub mod notify;
pub mod patients;
pub mod questionnaire;
pub mod scheduling;
