//! genascope adapters-smtp adapter.
