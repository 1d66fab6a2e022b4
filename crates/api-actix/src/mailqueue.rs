//! Asynchronous delivery with retries (contract §1.7): `send` only queues, so a slow or broken
//! mail server never fails or delays an API call; a worker task delivers with backoff.

use async_trait::async_trait;
use genascope_domain::common::BoxError;
use genascope_domain::notify::{Mailer, OutgoingEmail};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

/// Queued emails held in memory at most (beyond that, `send` reports the queue full).
const CAPACITY: usize = 10_000;

/// A `Mailer` that queues and delivers in the background through another `Mailer`.
pub struct QueuedMailer {
    tx: mpsc::Sender<OutgoingEmail>,
    kind: &'static str,
}

impl QueuedMailer {
    /// Start the worker on the current tokio runtime. `backoff` lists the waits between attempts
    /// (its length + 1 attempts in all).
    #[must_use]
    pub fn start(inner: Arc<dyn Mailer>, backoff: Vec<Duration>) -> Self {
        let (tx, mut rx) = mpsc::channel::<OutgoingEmail>(CAPACITY);
        let kind = inner.kind();
        tokio::spawn(async move {
            while let Some(email) = rx.recv().await {
                let mut attempt = 0;
                loop {
                    match inner.send(&email).await {
                        Ok(()) => break,
                        Err(e) if attempt < backoff.len() => {
                            tracing::warn!(error = %e, attempt = attempt + 1, "email delivery failed; retrying");
                            tokio::time::sleep(backoff[attempt]).await;
                            attempt += 1;
                        }
                        Err(e) => {
                            tracing::error!(error = %e, subject = %email.subject, "email delivery failed; giving up");
                            break;
                        }
                    }
                }
            }
        });
        Self { tx, kind }
    }
}

#[async_trait]
impl Mailer for QueuedMailer {
    async fn send(&self, email: &OutgoingEmail) -> Result<(), BoxError> {
        self.tx
            .try_send(email.clone())
            .map_err(|_| -> BoxError { "the mail queue is full".into() })
    }

    fn kind(&self) -> &'static str {
        self.kind
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    struct Flaky {
        calls: AtomicUsize,
        fail_first: usize,
        delivered: tokio::sync::Mutex<Vec<String>>,
    }

    #[async_trait]
    impl Mailer for Flaky {
        async fn send(&self, email: &OutgoingEmail) -> Result<(), BoxError> {
            let n = self.calls.fetch_add(1, Ordering::SeqCst);
            if n < self.fail_first {
                return Err("server busy".into());
            }
            self.delivered.lock().await.push(email.subject.clone());
            Ok(())
        }
        fn kind(&self) -> &'static str {
            "flaky"
        }
    }

    fn email(subject: &str) -> OutgoingEmail {
        OutgoingEmail {
            to: "a@example.org".into(),
            subject: subject.into(),
            text: String::new(),
            html: String::new(),
        }
    }

    #[tokio::test]
    async fn retries_until_delivered_and_gives_up_after_the_last_attempt() {
        let inner = Arc::new(Flaky {
            calls: AtomicUsize::new(0),
            fail_first: 2,
            delivered: Default::default(),
        });
        let q = QueuedMailer::start(inner.clone(), vec![Duration::from_millis(1); 2]);
        q.send(&email("first")).await.unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while inner.delivered.lock().await.is_empty() && std::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        assert_eq!(*inner.delivered.lock().await, vec!["first".to_owned()]);
        assert_eq!(inner.calls.load(Ordering::SeqCst), 3);
        assert_eq!(q.kind(), "flaky");

        let never = Arc::new(Flaky {
            calls: AtomicUsize::new(0),
            fail_first: usize::MAX,
            delivered: Default::default(),
        });
        let q = QueuedMailer::start(never.clone(), vec![Duration::from_millis(1); 2]);
        q.send(&email("lost")).await.unwrap();
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert_eq!(
            never.calls.load(Ordering::SeqCst),
            3,
            "one try and two retries, then it stops"
        );
        assert!(never.delivered.lock().await.is_empty());
    }
}
