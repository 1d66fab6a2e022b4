//! Unit tests of the domain use-case services (identity, patients, invites) over mockall mocks of
//! every port. Each test pins one rule of the API contract (§1.6, §2, §3.1–3.4).
#![allow(clippy::unwrap_used, clippy::expect_used)]

/// Assert that a result is an `Err` matching a pattern (with an optional guard).
macro_rules! assert_err {
    ($res:expr, $pat:pat $(if $guard:expr)?) => {
        match $res {
            Err($pat) $(if $guard)? => {}
            other => panic!(
                "expected Err({}), got {:?}",
                stringify!($pat $(if $guard)?),
                other
            ),
        }
    };
}

mod accounts;
mod auth;
mod chat;
mod eligibility;
mod invites;
mod knowledge;
mod passwords;
mod patients;
mod scheduling;
mod strategies;
mod support;
mod users;
