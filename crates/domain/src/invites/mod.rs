//! Invites (contract §3.4): the record and its values, the eight lifecycle rules as pure
//! functions, their typed refusals, and the storage port. The use cases (generate, bulk, resend,
//! revoke, verify, simplified access, register) build on these.

pub mod error;
pub mod mail;
pub mod model;
pub mod ports;
pub mod rules;
