//! The outbox worker: a tokio task that delivers due messages through a delivery sink (any
//! [`Mailer`]: SMTP, the development file outbox, or one that drops mail) and records the outcome.
//!
//! Each round claims a batch of due messages (leased for [`WorkerSettings::lease`]), hands each
//! to the sink, then marks it sent, or failed (due again after the backoff, or dead after the last
//! attempt). Between rounds it sleeps until the next message is due, a message is queued in this
//! process (the database's outbox signal), or the poll interval passes (messages queued by
//! another replica or by an operator command): never a busy loop.
//!
//! Delivery is at least once: a message is marked sent only after the sink accepted it, so a
//! crash (or a lost database) between the hand-off and the mark leaves it due again when its
//! lease ends, and it is sent a second time. In normal operation nothing is sent twice: a lease
//! is only taken over once it has ended, and it is longer than the sink's own timeout.

use super::{Backoff, ClaimedEmail, Failure};
use crate::Database;
use genascope_domain::notify::Mailer;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// How the worker runs.
#[derive(Debug, Clone, Copy)]
pub struct WorkerSettings {
    /// Retry spacing and the attempt limit.
    pub backoff: Backoff,
    /// How long a claimed message is reserved for this worker. Longer than the sink's timeout
    /// (30 s for SMTP), or a slow hand-off could be taken over and sent twice.
    pub lease: Duration,
    /// Messages claimed per round.
    pub batch: u32,
    /// The longest sleep between rounds (picks up messages queued by other processes).
    pub poll: Duration,
    /// Delivered messages are deleted this long after they were sent.
    pub keep_sent: Duration,
}

impl Default for WorkerSettings {
    fn default() -> Self {
        Self {
            backoff: Backoff::default(),
            lease: Duration::from_secs(120),
            batch: 20,
            poll: Duration::from_secs(5),
            keep_sent: Duration::from_secs(7 * 24 * 3600),
        }
    }
}

/// The shortest sleep between rounds: a clock step or a due time in the past cannot make the
/// worker spin.
const MIN_SLEEP: Duration = Duration::from_millis(20);
/// After a database error, wait this long before trying again.
const ERROR_SLEEP: Duration = Duration::from_secs(1);
/// How often delivered messages are purged.
const PURGE_EVERY: Duration = Duration::from_secs(3600);

/// A running worker. [`OutboxWorker::stop`] ends it after the message in hand; so does dropping
/// it.
#[derive(Debug)]
pub struct OutboxWorker {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

fn now() -> genascope_domain::common::Timestamp {
    time::OffsetDateTime::now_utc()
}

impl OutboxWorker {
    /// Start delivering on the current tokio runtime.
    #[must_use]
    pub fn start(db: Arc<Database>, sink: Arc<dyn Mailer>, settings: WorkerSettings) -> Self {
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(run(db, sink, settings, stopped));
        Self { stop, task }
    }

    /// Stop after the message in hand, waiting at most `limit` for it.
    pub async fn stop(self, limit: Duration) {
        let _ = self.stop.send(true);
        let mut task = self.task;
        if tokio::time::timeout(limit, &mut task).await.is_err() {
            task.abort();
        }
    }
}

async fn run(
    db: Arc<Database>,
    sink: Arc<dyn Mailer>,
    settings: WorkerSettings,
    mut stopped: watch::Receiver<bool>,
) {
    let signal = db.outbox_signal();
    let mut last_purge: Option<std::time::Instant> = None;
    tracing::info!(sink = sink.kind(), "outbox worker started");
    while !*stopped.borrow() {
        if last_purge.is_none_or(|t| t.elapsed() >= PURGE_EVERY) {
            last_purge = Some(std::time::Instant::now());
            let before = now() - time::Duration::try_from(settings.keep_sent).unwrap_or_default();
            if let Err(e) = db.outbox_purge_sent(before).await {
                tracing::warn!(error = %e, "could not purge delivered outbox messages");
            }
        }
        let sleep = match round(&db, sink.as_ref(), &settings, &stopped).await {
            Ok(Round::More) => continue,
            Ok(Round::Idle) => match db.outbox_next_due().await {
                Ok(Some(due)) => {
                    let wait = (due - now()).max(time::Duration::ZERO);
                    Duration::try_from(wait)
                        .unwrap_or_default()
                        .clamp(MIN_SLEEP, settings.poll)
                }
                Ok(None) => settings.poll,
                Err(_) => ERROR_SLEEP,
            },
            Err(e) => {
                tracing::warn!(error = %e, "outbox: database error; retrying shortly");
                ERROR_SLEEP
            }
        };
        tokio::select! {
            () = signal.notified() => {}
            () = tokio::time::sleep(sleep) => {}
            // A dropped handle stops the worker too.
            changed = stopped.changed() => if changed.is_err() { break },
        }
    }
    tracing::info!("outbox worker stopped");
}

enum Round {
    /// A full batch was claimed: there may be more due now.
    More,
    /// Fewer than a batch: nothing else is due.
    Idle,
}

async fn round(
    db: &Database,
    sink: &dyn Mailer,
    settings: &WorkerSettings,
    stopped: &watch::Receiver<bool>,
) -> Result<Round, genascope_domain::common::RepoError> {
    let batch = db
        .outbox_claim(now(), settings.lease, settings.batch)
        .await?;
    let full = u32::try_from(batch.len()).unwrap_or(u32::MAX) >= settings.batch;
    for msg in batch {
        if *stopped.borrow() {
            // The rest stay leased and become due again when their lease ends.
            return Ok(Round::Idle);
        }
        deliver(db, sink, settings, msg).await?;
    }
    Ok(if full { Round::More } else { Round::Idle })
}

async fn deliver(
    db: &Database,
    sink: &dyn Mailer,
    settings: &WorkerSettings,
    msg: ClaimedEmail,
) -> Result<(), genascope_domain::common::RepoError> {
    let attempt = msg.attempts + 1;
    match sink.send(&msg.email).await {
        Ok(()) => {
            // If this mark fails, the message goes out again after its lease: at least once.
            db.outbox_mark_sent(msg.id, now()).await?;
            tracing::info!(outbox_id = %msg.id, attempt, sink = sink.kind(), "outbox message delivered");
        }
        Err(e) => {
            // The sink's error names a class of failure only (the `Mailer` contract); never
            // the payload or recipient.
            let class = e.to_string();
            // A permanent rejection goes to the dead letters at once (no attempt is left).
            let backoff = if genascope_domain::notify::is_permanent(&e) {
                super::Backoff {
                    max_attempts: 0,
                    ..settings.backoff
                }
            } else {
                settings.backoff
            };
            match db
                .outbox_mark_failed(msg.id, now(), &class, &backoff)
                .await?
            {
                Failure::RetryAt(at) => tracing::warn!(
                    outbox_id = %msg.id, attempt, error = %class, retry_at = %at,
                    "outbox delivery failed; will retry"
                ),
                Failure::Dead => tracing::error!(
                    outbox_id = %msg.id, attempt, error = %class,
                    "outbox delivery failed for the last time; the message is dead \
                     (genascope outbox list / retry)"
                ),
            }
        }
    }
    Ok(())
}
