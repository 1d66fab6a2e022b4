//! Invites (contract §3.4): the record and its values, the eight lifecycle rules as pure
//! functions, their typed refusals, the storage port, the invitation email, and the use cases
//! (generate, bulk, list, resend, revoke; verify, simplified access, register).

pub mod error;
pub mod mail;
pub mod model;
pub mod ports;
pub mod rules;
pub mod service;
