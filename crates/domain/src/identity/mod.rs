//! Identity: accounts, users, authentication, and the access policy.

pub mod model;
pub mod policy;
pub mod ports;
pub mod service;
pub mod throttle;
