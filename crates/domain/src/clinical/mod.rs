//! The clinical engine: risk profile, pedigree queries, NCCN testing criteria and risk models.

pub mod tyrer_cuzick;
