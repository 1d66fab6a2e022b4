//! genascope adapters-postgres adapter.
