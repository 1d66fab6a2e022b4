//! The clinical engine: risk profile, pedigree queries, NCCN testing criteria and risk models.

pub mod assessment;
pub mod nccn;
pub mod pedigree;
pub mod profile;
