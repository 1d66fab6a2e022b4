//! The waiting room in front of a shared login throttle (issue #7 §3).
//!
//! The throttle itself lives in the database (`genascope_adapters_postgres::DbLoginThrottle`), so
//! every replica counts against the same limits, and it never waits: an attempt whose key has
//! as many attempts in flight as the limit leaves room for is answered [`Admission::Busy`] (the
//! outcome of those in flight decides whether it may go). [`QueuedThrottle`] turns that into a
//! short wait, so parallel correct logins of one user queue briefly instead of getting 429,
//! while a burst of guesses is still let through only as far as its failures stay under the
//! limit. It asks again as soon as an attempt ended by this process ends, and every
//! [`POLL`] otherwise (attempts in flight on other replicas, or expiring), for at most
//! [`PATIENCE`]; then it answers 429 with `Retry-After: 1`.

use genascope_domain::common::{Attempt, RepoError, Timestamp};
use genascope_domain::identity::ports::{Admission, LoginThrottle};
use std::sync::Arc;
use tokio::sync::Notify;
use tokio::time::Instant;

/// How long an attempt waits for a turn before it is refused (429, retry after 1 s).
pub const PATIENCE: std::time::Duration = std::time::Duration::from_secs(10);
/// How often a waiting attempt asks again when nothing ended in this process.
pub const POLL: std::time::Duration = std::time::Duration::from_millis(100);

/// A [`LoginThrottle`] that waits (a little) where the one it wraps answers `Busy`.
pub struct QueuedThrottle {
    inner: Arc<dyn LoginThrottle>,
    /// Woken whenever an attempt ended through this process.
    ended: Notify,
    patience: std::time::Duration,
    poll: std::time::Duration,
}

impl std::fmt::Debug for QueuedThrottle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QueuedThrottle")
            .field("patience", &self.patience)
            .field("poll", &self.poll)
            .finish_non_exhaustive()
    }
}

impl QueuedThrottle {
    /// Around `inner`, waiting at most [`PATIENCE`] and asking again every [`POLL`].
    #[must_use]
    pub fn new(inner: Arc<dyn LoginThrottle>) -> Self {
        Self::with_timing(inner, PATIENCE, POLL)
    }

    /// Around `inner`, waiting at most `patience`, asking again every `poll`.
    #[must_use]
    pub fn with_timing(
        inner: Arc<dyn LoginThrottle>,
        patience: std::time::Duration,
        poll: std::time::Duration,
    ) -> Self {
        Self {
            inner,
            ended: Notify::new(),
            patience,
            poll,
        }
    }
}

#[async_trait::async_trait]
impl LoginThrottle for QueuedThrottle {
    async fn check(
        &self,
        email: &str,
        client: Option<String>,
        now: Timestamp,
    ) -> Result<Admission, RepoError> {
        let started = Instant::now();
        let deadline = started + self.patience;
        loop {
            // Registered before asking, so an attempt ending meanwhile is not missed.
            let ended = self.ended.notified();
            tokio::pin!(ended);
            ended.as_mut().enable();
            // The caller's clock, moved on by the time spent waiting.
            let at = now + started.elapsed();
            match self.inner.check(email, client.clone(), at).await? {
                Admission::Busy => {}
                answer => return Ok(answer),
            }
            if Instant::now() >= deadline {
                return Ok(Admission::Wait(1));
            }
            let next = (Instant::now() + self.poll).min(deadline);
            let _ = tokio::time::timeout_at(next, ended).await;
        }
    }

    async fn record_failure(&self, attempt: &Attempt, now: Timestamp) -> Result<(), RepoError> {
        let result = self.inner.record_failure(attempt, now).await;
        self.ended.notify_waiters();
        result
    }

    async fn forgive(&self, attempt: &Attempt) -> Result<(), RepoError> {
        let result = self.inner.forgive(attempt).await;
        self.ended.notify_waiters();
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    fn t0() -> Timestamp {
        time::macros::datetime!(2026-01-01 00:00 UTC)
    }

    /// A throttle with room for `slots` attempts at once and no failure limit.
    struct Slots {
        free: Mutex<usize>,
        asked: Mutex<Vec<Timestamp>>,
    }

    #[async_trait::async_trait]
    impl LoginThrottle for Slots {
        async fn check(
            &self,
            email: &str,
            _: Option<String>,
            now: Timestamp,
        ) -> Result<Admission, RepoError> {
            self.asked.lock().unwrap().push(now);
            let mut free = self.free.lock().unwrap();
            if *free == 0 {
                return Ok(Admission::Busy);
            }
            *free -= 1;
            Ok(Admission::Admitted(Attempt {
                id: uuid::Uuid::nil(),
                key: email.to_owned(),
            }))
        }

        async fn record_failure(&self, _: &Attempt, _: Timestamp) -> Result<(), RepoError> {
            *self.free.lock().unwrap() += 1;
            Ok(())
        }

        async fn forgive(&self, _: &Attempt) -> Result<(), RepoError> {
            *self.free.lock().unwrap() += 1;
            Ok(())
        }
    }

    fn slots(n: usize) -> Arc<Slots> {
        Arc::new(Slots {
            free: Mutex::new(n),
            asked: Mutex::default(),
        })
    }

    /// Twenty parallel attempts through two slots: every one gets its turn, woken by the ends
    /// in this process (the poll interval is far longer than the test).
    #[tokio::test]
    async fn busy_attempts_wait_for_a_turn() {
        let inner = slots(2);
        let t = Arc::new(QueuedThrottle::with_timing(
            inner.clone(),
            std::time::Duration::from_secs(30),
            std::time::Duration::from_secs(3600),
        ));
        let started = std::time::Instant::now();
        let tasks: Vec<_> = (0..20)
            .map(|_| {
                let t = t.clone();
                tokio::spawn(async move {
                    let a = t.check("u@x.org", None, t0()).await?.attempt().unwrap();
                    tokio::task::yield_now().await;
                    t.forgive(&a).await
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap().unwrap();
        }
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
        assert_eq!(*inner.free.lock().unwrap(), 2);
    }

    /// Nobody ends in this process (another replica holds the slot): asked again every poll,
    /// with the clock moved on, then 429 after the patience.
    #[tokio::test]
    async fn a_wait_without_a_turn_ends_in_retry_after_one_second() {
        let inner = slots(0);
        let t = QueuedThrottle::with_timing(
            inner.clone(),
            std::time::Duration::from_secs(1),
            std::time::Duration::from_millis(100),
        );
        assert_eq!(
            t.check("u@x.org", None, t0()).await.unwrap(),
            Admission::Wait(1)
        );
        let asked = inner.asked.lock().unwrap().clone();
        assert!((10..=12).contains(&asked.len()), "{}", asked.len());
        assert!(asked.windows(2).all(|w| w[0] < w[1]), "{asked:?}");
        assert!(*asked.last().unwrap() >= t0() + time::Duration::milliseconds(900));
    }
}
