//! Identity use cases.
