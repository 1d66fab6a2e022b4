//! The clinical engine: risk profile, pedigree queries, NCCN testing criteria and risk models.

pub mod assess;
pub mod assessment;
pub mod export;
pub mod fhir;
pub mod gail;
pub mod lynch;
pub mod manchester;
pub mod nccn;
pub mod pedigree;
pub mod ports;
pub mod profile;
pub mod service;
pub mod tyrer_cuzick;
