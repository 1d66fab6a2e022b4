//! Patient use cases.
