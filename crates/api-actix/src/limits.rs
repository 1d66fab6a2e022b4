//! Limits at the edge (issue #6 items 2, 7, 9):
//! - [`ReadLimit`]: audited patient-data reads per principal;
//! - [`Gate`]: at most N requests of a costly kind (logins: argon2; assessments: the risk
//!   engine) at once, the rest refused with 503 + `Retry-After` instead of queueing without
//!   bound. A request whose client has gone is dropped by actix, and its place with it.
//!
//! One process's memory (docs/operations.md).

use crate::error::ApiError;
use genascope_domain::identity::policy::Principal;
use governor::clock::{Clock, DefaultClock};
use governor::{Quota, RateLimiter};
use std::num::NonZeroU32;

/// Forget idle principals once this many are tracked.
const RETAIN_ABOVE: usize = 10_000;

/// Per-principal limit on audited patient-data reads: every such read writes an audit row, so
/// one token reading in a loop would grow the log without bound. The default, 600 a minute with
/// bursts of 120, is far beyond what a person clicking through the app does. governor's GCRA,
/// keyed by user id; absent when `READ_RATE_LIMIT=0`.
#[derive(Clone)]
pub struct ReadLimit(Option<std::sync::Arc<governor::DefaultKeyedRateLimiter<uuid::Uuid>>>);

impl ReadLimit {
    /// `per_minute` reads (0 = no limit), bursts of a fifth of it.
    #[must_use]
    pub fn new(per_minute: u32) -> Self {
        let limiter = NonZeroU32::new(per_minute).map(|rate| {
            let burst = NonZeroU32::new(per_minute.div_ceil(5)).unwrap_or(rate);
            std::sync::Arc::new(RateLimiter::keyed(
                Quota::per_minute(rate).allow_burst(burst),
            ))
        });
        Self(limiter)
    }

    /// One read by `p`: 429 with `Retry-After` past the limit.
    pub fn check(&self, p: &Principal) -> Result<(), ApiError> {
        let Some(limiter) = &self.0 else {
            return Ok(());
        };
        if limiter.len() > RETAIN_ABOVE {
            limiter.retain_recent();
        }
        limiter.check_key(&p.user_id.0).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            ApiError::TooManyRequests {
                retry_after_secs: wait.as_secs().max(1),
            }
        })
    }
}

/// A bound on concurrent requests of one costly kind: `enter` waits up to `wait` for a place,
/// then answers 503 + `Retry-After`.
#[derive(Clone)]
pub struct Gate {
    places: std::sync::Arc<tokio::sync::Semaphore>,
    wait: std::time::Duration,
}

impl Gate {
    /// `places` at once; a request waits at most `wait` for one.
    #[must_use]
    pub fn new(places: usize, wait: std::time::Duration) -> Self {
        Self {
            places: std::sync::Arc::new(tokio::sync::Semaphore::new(places.max(1))),
            wait,
        }
    }

    /// A place, held until the returned permit is dropped.
    pub async fn enter(&self) -> Result<tokio::sync::OwnedSemaphorePermit, ApiError> {
        let busy = || ApiError::Unavailable("too many requests of this kind in progress".into());
        match tokio::time::timeout(self.wait, self.places.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(permit),
            _ => Err(busy()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_full_gate_answers_503_with_retry_after() {
        use actix_web::ResponseError;
        let gate = Gate::new(2, std::time::Duration::from_millis(20));
        let a = gate.enter().await.unwrap();
        let _b = gate.enter().await.unwrap();
        let refused = gate.enter().await.unwrap_err();
        let res = refused.error_response();
        assert_eq!(res.status().as_u16(), 503);
        assert_eq!(res.headers().get("retry-after").unwrap(), "1");
        // A place freed (a request done, or dropped with its client) is taken at once.
        drop(a);
        let _c = gate.enter().await.unwrap();
    }

    #[test]
    fn reads_past_the_burst_are_429() {
        use genascope_domain::identity::policy::AccessType;
        let limit = ReadLimit::new(10);
        let p = |n| Principal {
            user_id: genascope_domain::common::UserId(uuid::Uuid::from_u128(n)),
            role: genascope_domain::identity::model::Role::Clinician,
            account_id: None,
            access: AccessType::Full,
            jti: String::new(),
            token_exp: 0,
            session: None,
        };
        // Burst of 2 (a fifth of 10 a minute), then refused with the wait.
        limit.check(&p(1)).unwrap();
        limit.check(&p(1)).unwrap();
        let e = limit.check(&p(1)).unwrap_err();
        assert!(
            matches!(e, ApiError::TooManyRequests { retry_after_secs } if (1..=6).contains(&retry_after_secs))
        );
        // Another principal has its own budget; 0 means no limit.
        limit.check(&p(2)).unwrap();
        let off = ReadLimit::new(0);
        for _ in 0..1000 {
            off.check(&p(1)).unwrap();
        }
    }
}
