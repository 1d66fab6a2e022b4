//! genascope adapters-aws adapter.
