//! The moto harness lives in the crate (feature `test-support`), shared with api-actix's tests.

pub use genascope_adapters_aws::testing::*;
