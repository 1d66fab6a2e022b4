//! Limits at the edge (issue #6 items 2, 7, 9; issue #7 §3):
//! - [`AddressLimit`]: failed logins and reset requests per client address, whatever the email,
//!   in the database (shared by every replica);
//! - [`ReadLimit`]: audited patient-data reads per principal;
//! - [`Gate`]: at most N requests of a costly kind (logins: argon2; assessments: the risk
//!   engine) at once, the rest refused with 503 + `Retry-After` instead of queueing without
//!   bound. A request whose client has gone is dropped by actix, and its place with it.
//!
//! `ReadLimit` and `Gate` are one process's memory (docs/operations.md).

use crate::error::ApiError;
use genascope_domain::common::{Attempt, WindowCounter};
use genascope_domain::identity::policy::Principal;
use governor::clock::{Clock, DefaultClock};
use governor::{Quota, RateLimiter};
use std::num::NonZeroU32;

/// A limit per client address, whatever the email: `limit` attempts per `window`, counted
/// under `name|address`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AddressRule {
    /// Tells the limits apart.
    pub name: &'static str,
    /// Attempts per window.
    pub limit: u32,
    /// The window.
    pub window: time::Duration,
}

impl AddressRule {
    /// Failed logins per client address: 50 in 15 minutes (contract §1.7).
    pub const LOGIN_FAILURES: Self = Self {
        name: "login",
        limit: 50,
        window: time::Duration::minutes(15),
    };
    /// Password-reset requests per client address: 100 an hour.
    pub const RESET_REQUESTS: Self = Self {
        name: "reset",
        limit: 100,
        window: time::Duration::hours(1),
    };
    /// Invite look-ups (`verify_invite`) per client address: 30 a minute (contract §1.7).
    pub const VERIFY_INVITE: Self = Self {
        name: "verify_invite",
        limit: 30,
        window: time::Duration::minutes(1),
    };
    /// Refused `simplified_access` (and `register_patient` by invite token) attempts per client
    /// address: 10 in 15 minutes (contract §1.7), besides the invite's own lock.
    pub const SIMPLIFIED_ACCESS: Self = Self {
        name: "simplified_access",
        limit: 10,
        window: time::Duration::minutes(15),
    };
}

/// An [`AddressRule`] counted in the database, so every replica shares it (a `WindowCounter`).
/// An attempt counts from its start (a burst cannot outrun the limit) and, when it ends counted,
/// for the window; past the limit 429 + `Retry-After`. The per-(email, client) throttle is the
/// domain's; this one stops a client that tries many emails.
#[derive(Clone)]
pub struct AddressLimit {
    counter: std::sync::Arc<dyn WindowCounter>,
    clock: std::sync::Arc<dyn genascope_domain::common::Clock>,
    rule: AddressRule,
}

impl AddressLimit {
    /// `rule`, counted by `counter` at `clock`'s time.
    #[must_use]
    pub fn new(
        counter: std::sync::Arc<dyn WindowCounter>,
        clock: std::sync::Arc<dyn genascope_domain::common::Clock>,
        rule: AddressRule,
    ) -> Self {
        Self {
            counter,
            clock,
            rule,
        }
    }

    /// Begin an attempt from `client` (no address: no limit): 429 + `Retry-After` while the
    /// address is held back.
    pub async fn enter(&self, client: Option<&str>) -> Result<AddressAttempt<'_>, ApiError> {
        let Some(client) = client else {
            return Ok(AddressAttempt {
                limit: self,
                attempt: None,
            });
        };
        let AddressRule {
            name,
            limit,
            window,
        } = self.rule;
        let key = format!("{name}|{client}");
        let begun = self
            .counter
            .begin(&key, limit, window, self.clock.now())
            .await
            .map_err(ApiError::from)?;
        match begun {
            Ok(attempt) => Ok(AddressAttempt {
                limit: self,
                attempt: Some(attempt),
            }),
            Err(retry_after_secs) => {
                crate::metrics::throttled(name, "address");
                Err(ApiError::TooManyRequests { retry_after_secs })
            }
        }
    }
}

/// An attempt under an [`AddressLimit`], counting while in flight; end it with
/// [`AddressAttempt::end`] (one dropped unended stops counting a minute after it began).
#[must_use = "end the attempt"]
pub struct AddressAttempt<'a> {
    limit: &'a AddressLimit,
    attempt: Option<Attempt>,
}

impl AddressAttempt<'_> {
    /// End the attempt: `counted`, it holds the address back for the window; otherwise it is
    /// forgotten. A storage failure is logged, not returned: the answer to the request stands.
    pub async fn end(self, counted: bool) {
        let Some(attempt) = self.attempt else {
            return;
        };
        let counter = &self.limit.counter;
        let ended = if counted {
            let now = self.limit.clock.now();
            counter.count(&attempt, self.limit.rule.window, now).await
        } else {
            counter.discard(&attempt).await
        };
        if let Err(e) = ended {
            tracing::warn!(error = %e, limit = self.limit.rule.name, "ending an attempt under the address limit failed");
        }
    }
}

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
        self.check_user(p.user_id.0)
    }

    /// One read on behalf of user `id` (a calendar app reading a clinician's feed by its token).
    pub fn check_user(&self, id: uuid::Uuid) -> Result<(), ApiError> {
        let Some(limiter) = &self.0 else {
            return Ok(());
        };
        if limiter.len() > RETAIN_ABOVE {
            limiter.retain_recent();
        }
        limiter.check_key(&id).map_err(|not_until| {
            crate::metrics::throttled("reads", "principal");
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
            grant: None,
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

    #[tokio::test]
    async fn address_limit_counts_what_ends_counted_and_refuses_with_retry_after() {
        use actix_web::ResponseError;
        use genascope_domain::common::{MockClock, MockWindowCounter, RepoError};
        use std::sync::Arc;
        let now = time::macros::datetime!(2026-01-01 00:00 UTC);
        let mut clock = MockClock::new();
        clock.expect_now().return_const(now);
        let attempt = Attempt {
            id: uuid::Uuid::nil(),
            key: "k".into(),
        };
        let mut counter = MockWindowCounter::new();
        let a = attempt.clone();
        counter
            .expect_begin()
            .withf(move |k, l, w, t| {
                k == "login|10.0.0.1" && *l == 50 && *w == time::Duration::minutes(15) && *t == now
            })
            .times(2)
            .returning(move |_, _, _, _| Ok(Ok(a.clone())));
        counter
            .expect_begin()
            .withf(|k, _, _, _| k == "login|10.0.0.2")
            .returning(|_, _, _, _| Ok(Err(420)));
        counter
            .expect_begin()
            .withf(|k, _, _, _| k == "login|10.0.0.3")
            .returning(|_, _, _, _| Err(RepoError::Unavailable("down".into())));
        counter
            .expect_count()
            .withf(move |a, w, t| a.key == "k" && *w == time::Duration::minutes(15) && *t == now)
            .times(1)
            .returning(|_, _, _| Ok(()));
        counter
            .expect_discard()
            .times(1)
            .returning(|_| Err(RepoError::Unavailable("down".into())));
        let limit = AddressLimit::new(
            Arc::new(counter),
            Arc::new(clock),
            AddressRule::LOGIN_FAILURES,
        );
        // Counted once, discarded once (a failure to discard is only logged).
        limit.enter(Some("10.0.0.1")).await.unwrap().end(true).await;
        limit
            .enter(Some("10.0.0.1"))
            .await
            .unwrap()
            .end(false)
            .await;
        // No address, no limit (and no call).
        limit.enter(None).await.unwrap().end(true).await;
        let refused = limit.enter(Some("10.0.0.2")).await.err().unwrap();
        let res = refused.error_response();
        assert_eq!(res.status().as_u16(), 429);
        assert_eq!(res.headers().get("retry-after").unwrap(), "420");
        let down = limit.enter(Some("10.0.0.3")).await.err().unwrap();
        assert_eq!(down.error_response().status().as_u16(), 503);
    }
}
