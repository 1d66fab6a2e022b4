//! Per-principal limit on audited patient-data reads (issue #6 item 2): every such read writes
//! an audit row, so one token reading in a loop would grow the log without bound. The default,
//! 600 a minute with bursts of 120, is far beyond what a person clicking through the app does.
//! One process's memory (docs/operations.md); governor's GCRA, keyed by user id.

use crate::error::ApiError;
use genascope_domain::common::DomainError;
use genascope_domain::identity::policy::Principal;
use governor::clock::{Clock, DefaultClock};
use governor::{Quota, RateLimiter};
use std::num::NonZeroU32;

/// Forget idle principals once this many are tracked.
const RETAIN_ABOVE: usize = 10_000;

/// The limiter (absent when `READ_RATE_LIMIT=0`).
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
            ApiError(DomainError::TooManyRequests {
                retry_after_secs: wait.as_secs().max(1),
            })
        })
    }
}
