//! PostgreSQL: one dedicated session per process that `LISTEN`s on `genascope_principals` and
//! evicts what each notification names; and the fence that lets a request wait until this
//! process has seen every notification committed before it.
//!
//! The session is not from the pool: it lives on a thread of its own (a current-thread tokio
//! runtime, so nothing of it competes with the server's workers) and waits for notifications on
//! its socket (tokio-postgres; diesel cannot wait on a connection's socket without unsafe code).
//! It connects as the pool does, TLS included ([`super::target`]).
//! While it is not listening the cache is off (every request reads the database, as before the
//! cache); when it listens again the cache is cleared first, since notifications may have been
//! missed meanwhile.

use super::cache::{Eviction, PrincipalCache};
use super::target::{Chain, ConnectError, Target};
use futures_util::StreamExt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio_postgres::AsyncMessage;

/// The channel the triggers notify.
pub(crate) const CHANNEL: &str = "genascope_principals";
/// The session's `application_name`, unless the URL names one (so that operators, the fences and
/// tests find it in `pg_stat_activity`).
pub(crate) const APPLICATION_NAME: &str = "genascope-principal-listener";
/// A session that has not answered a query for this long is taken for lost.
const HEARTBEAT: Duration = Duration::from_secs(10);
/// How long the heartbeat's query may take.
const HEARTBEAT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a fence waits for the other replicas' acknowledgements before it is given up.
const FENCE_ACK_LIMIT: Duration = Duration::from_millis(900);
/// The longest pause between attempts to listen again.
const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// What the listener thread and the requests share.
pub(crate) struct Listener {
    cache: Arc<PrincipalCache>,
    /// This process's fences carry it, so that other replicas' fences are ignored.
    token: String,
    /// The highest fence number asked for.
    fence_wanted: AtomicU64,
    /// Wakes the thread to send a fence.
    fence_wake: tokio::sync::Notify,
    /// The highest fence number seen come back.
    fence_seen: tokio::sync::watch::Sender<u64>,
    /// Set once, to stop the thread wherever it is (connecting, listening or backing off).
    stop: tokio::sync::watch::Sender<bool>,
    /// Times the session was (re)established.
    sessions: AtomicU64,
    /// Times connecting failed or the session was lost (a URL the listener cannot use counts
    /// once).
    failures: AtomicU64,
}

impl Listener {
    /// Start the thread. The cache stays off until the session listens. The thread is stopped
    /// and joined when the returned [`ListenerThread`] is dropped.
    pub(crate) fn start(cache: Arc<PrincipalCache>, url: &str) -> std::io::Result<ListenerThread> {
        let shared = Arc::new(Self {
            cache,
            token: uuid::Uuid::new_v4().simple().to_string(),
            fence_wanted: AtomicU64::new(0),
            fence_wake: tokio::sync::Notify::new(),
            fence_seen: tokio::sync::watch::Sender::new(0),
            stop: tokio::sync::watch::Sender::new(false),
            sessions: AtomicU64::new(0),
            failures: AtomicU64::new(0),
        });
        let runner = shared.clone();
        let url = url.to_owned();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let thread = std::thread::Builder::new()
            .name("principal-listener".into())
            .spawn(move || {
                runtime.block_on(runner.run(&url));
                // The runtime (its socket and timers) goes here, on this thread, before the
                // owner's join returns.
                drop(runtime);
            })?;
        Ok(ListenerThread {
            listener: shared,
            thread: Some(thread),
        })
    }

    /// Ask the thread to stop: it drops its session wherever it is and exits.
    fn stop(&self) {
        self.stop.send_replace(true);
    }

    /// Resolves once [`Self::stop`] was called (at once if it was already).
    async fn stopped(&self) {
        let mut stop = self.stop.subscribe();
        let _ = stop.wait_for(|s| *s).await;
    }

    /// Whether the session is listening now.
    pub(crate) fn is_listening(&self) -> bool {
        self.cache.is_live()
    }

    /// How many times a session started listening.
    pub(crate) fn sessions(&self) -> u64 {
        self.sessions.load(Ordering::Acquire)
    }

    /// How many times connecting failed or a session was lost.
    pub(crate) fn failures(&self) -> u64 {
        self.failures.load(Ordering::Acquire)
    }

    /// Wait (at most `limit`) until this process, and every other replica listening, has seen
    /// every notification committed before now: a NOTIFY of our own (`fence:`) goes through the
    /// same queue, which PostgreSQL delivers to each listener in commit order; each other
    /// replica answers it (`ack:`) once it got there. Fences asked for together share one
    /// NOTIFY. `false` when the limit passed or the session is down (then the cache is off and
    /// there is nothing to wait for).
    pub(crate) async fn fence(&self, limit: Duration) -> bool {
        if !self.is_listening() {
            return false;
        }
        let n = self.fence_wanted.fetch_add(1, Ordering::AcqRel) + 1;
        let mut seen = self.fence_seen.subscribe();
        self.fence_wake.notify_one();
        tokio::time::timeout(limit, seen.wait_for(|s| *s >= n))
            .await
            .is_ok_and(|r| r.is_ok())
    }

    async fn run(self: Arc<Self>, url: &str) {
        let home = std::env::var_os("HOME").map(std::path::PathBuf::from);
        let env = |name: &str| std::env::var(name).ok();
        let target = match Target::parse(url, &env, home.as_deref(), APPLICATION_NAME) {
            Ok(t) => t,
            Err(e) => {
                // The URL will not change while the process runs: no retries.
                tracing::warn!(error = %e, "principal cache: the listener cannot use DATABASE_URL; the cache stays bypassed (every request reads the database)");
                self.failures.fetch_add(1, Ordering::AcqRel);
                self.stopped().await;
                return;
            }
        };
        if let Some(w) = target.warning() {
            tracing::warn!("principal cache: {w}");
        }
        // The last TLS problem warned about: each is warned about once, then at debug level.
        let mut warned: Option<String> = None;
        let mut backoff = Duration::from_millis(50);
        while !*self.stop.borrow() {
            let outcome = tokio::select! {
                outcome = self.session(&target) => outcome,
                // Dropping the session closes its socket (the driver task is aborted).
                () = self.stopped() => Ok(()),
            };
            let was_live = self.cache.is_live();
            self.cache.reset(false);
            metrics::gauge!(crate::database::metric::PRINCIPAL_LISTENER_UP).set(0.0);
            match outcome {
                Ok(()) => break,
                Err(e) => {
                    self.failures.fetch_add(1, Ordering::AcqRel);
                    if was_live {
                        backoff = Duration::from_millis(50);
                        warned = None;
                        tracing::warn!(error = %e, "principal cache: lost the LISTEN session; the cache is bypassed until it is back");
                    } else if e.is_tls() && warned.as_deref() != Some(&e.to_string()) {
                        // Never plaintext instead: the mode is the operator's.
                        tracing::warn!(error = %e, sslmode = target.mode().as_str(), "principal cache: the listener cannot connect with TLS as DATABASE_URL asks; the cache stays bypassed until it can (retrying)");
                        warned = Some(e.to_string());
                    } else {
                        tracing::debug!(error = %e, "principal cache: cannot listen yet");
                    }
                }
            }
            tokio::select! {
                () = tokio::time::sleep(backoff) => {}
                () = self.stopped() => {}
            }
            backoff = (backoff * 2).min(MAX_BACKOFF);
        }
    }

    /// One session: connect, listen, switch the cache on, then evict and fence until the
    /// session fails (`Err`); [`Self::run`] drops it when the thread is stopped.
    async fn session(&self, target: &Target) -> Result<(), Lost> {
        let (client, mut connection) = target.connect().await?;
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
        // Drives the connection and forwards its notifications; ends (dropping `tx`) when the
        // connection does.
        let driver = tokio::spawn(async move {
            let mut messages = futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
            while let Some(Ok(message)) = messages.next().await {
                if let AsyncMessage::Notification(n) = message
                    && tx.send(n.payload().to_owned()).is_err()
                {
                    break;
                }
            }
        });
        let _abort = AbortOnDrop(driver);
        // Fences need no durability: they carry no data.
        client
            .batch_execute(&format!("SET synchronous_commit = off; LISTEN {CHANNEL}"))
            .await?;
        // Listening from here on: whatever commits from now is delivered to us. Anything
        // before may have been missed, so start empty.
        self.cache.reset(true);
        self.sessions.fetch_add(1, Ordering::AcqRel);
        metrics::gauge!(crate::database::metric::PRINCIPAL_LISTENER_UP).set(1.0);
        tracing::info!("principal cache: listening for evictions");
        let mut fences = Fences::default();
        let mut heartbeat = tokio::time::interval(HEARTBEAT);
        heartbeat.tick().await;
        loop {
            let deadline = fences.deadline();
            tokio::select! {
                payload = rx.recv() => match payload {
                    Some(p) => {
                        if let Some(ack) = self.deliver(&p, &mut fences) {
                            client.batch_execute(&format!("NOTIFY {CHANNEL}, '{ack}'")).await?;
                        }
                    }
                    None => return Err(Lost::Closed),
                },
                () = self.fence_wake.notified(), if fences.pending.is_none() => {
                    self.send_fence(&client, &mut fences).await?;
                }
                () = sleep_until(deadline) => {
                    // A replica that did not answer in time (stuck, or just gone): answer the
                    // requests anyway, and move on to the next fence.
                    if let Some(p) = fences.pending.take() {
                        tracing::warn!(missing = p.peers.saturating_sub(p.acks), "principal cache: a fence was not acknowledged by every replica in time");
                        self.fence_seen.send_modify(|s| *s = (*s).max(p.n));
                        self.fence_wake.notify_one();
                    }
                }
                _ = heartbeat.tick() => {
                    match tokio::time::timeout(HEARTBEAT_TIMEOUT, client.batch_execute("SELECT 1")).await {
                        Ok(result) => result?,
                        Err(_) => return Err(Lost::Silent),
                    }
                }
            }
        }
    }

    /// Send the next fence (numbered after the highest asked for), after counting the other
    /// replicas that listen now: each must acknowledge it.
    async fn send_fence(
        &self,
        client: &tokio_postgres::Client,
        fences: &mut Fences,
    ) -> Result<(), Lost> {
        let want = self.fence_wanted.load(Ordering::Acquire);
        if want <= *self.fence_seen.borrow() {
            return Ok(());
        }
        let row = client
            .query_one(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() \
                 AND application_name = $1 AND pid <> pg_backend_pid()",
                &[&APPLICATION_NAME],
            )
            .await?;
        let peers = u64::try_from(row.get::<_, i64>(0)).unwrap_or(0);
        fences.pending = Some(Pending {
            n: want,
            peers,
            acks: 0,
            own: false,
            deadline: tokio::time::Instant::now() + FENCE_ACK_LIMIT,
        });
        let payload = format!("fence:{}:{want}", self.token);
        client
            .batch_execute(&format!("NOTIFY {CHANNEL}, '{payload}'"))
            .await?;
        Ok(())
    }

    /// One notification: a fence of ours come back, an acknowledgement of ours, another
    /// replica's fence (answered with an acknowledgement, returned), or an eviction.
    fn deliver(&self, payload: &str, fences: &mut Fences) -> Option<String> {
        if let Some(fence) = payload.strip_prefix("fence:") {
            let (token, n) = fence.split_once(':')?;
            if token != self.token {
                // Everything committed before it has been evicted here (commit order).
                return Some(format!("ack:{token}:{n}"));
            }
            let p = fences.pending.as_mut().filter(|p| n == p.n.to_string())?;
            p.own = true;
        } else if let Some(ack) = payload.strip_prefix("ack:") {
            let (token, n) = ack.split_once(':')?;
            let p = fences.pending.as_mut().filter(|p| n == p.n.to_string())?;
            if token == self.token {
                p.acks += 1;
            }
        } else {
            self.cache.evict(&Eviction::parse(payload));
            return None;
        }
        if let Some(p) = fences.pending.take_if(|p| p.own && p.acks >= p.peers) {
            self.fence_seen.send_modify(|s| *s = (*s).max(p.n));
            // The requests that came meanwhile: their fence next.
            self.fence_wake.notify_one();
        }
        None
    }
}

/// The listener and its thread: dropping it stops the thread and waits (bounded) until it has
/// ended, so that no session is open while the process exits (a thread still inside its
/// session at `exit` once crashed a test process with SIGSEGV).
pub(crate) struct ListenerThread {
    listener: Arc<Listener>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// How long dropping a [`ListenerThread`] waits for the thread.
const JOIN_LIMIT: Duration = Duration::from_secs(3);

impl ListenerThread {
    pub(crate) fn listener(&self) -> &Listener {
        &self.listener
    }

    /// Stop the thread and wait (at most `limit`) until it has ended; `true` when it has.
    pub(crate) fn stop_and_join(&mut self, limit: Duration) -> bool {
        self.listener.stop();
        let Some(thread) = self.thread.take() else {
            return true;
        };
        let deadline = Instant::now() + limit;
        while !thread.is_finished() {
            if Instant::now() >= deadline {
                tracing::warn!("principal cache: the listener thread did not stop in time");
                return false;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        // It has finished: joining does not block. A panic in it was already reported.
        let _ = thread.join();
        true
    }
}

impl Drop for ListenerThread {
    fn drop(&mut self) {
        self.stop_and_join(JOIN_LIMIT);
    }
}

/// The fence in flight (one at a time; requests that come meanwhile share the next).
#[derive(Default)]
struct Fences {
    pending: Option<Pending>,
}

impl Fences {
    /// When the fence in flight gives up on missing acknowledgements (far away when none).
    fn deadline(&self) -> tokio::time::Instant {
        self.pending.as_ref().map_or_else(
            || tokio::time::Instant::now() + Duration::from_secs(3600),
            |p| p.deadline,
        )
    }
}

struct Pending {
    n: u64,
    /// Other replicas listening when it was sent: each acknowledges it.
    peers: u64,
    acks: u64,
    /// It came back to us.
    own: bool,
    deadline: tokio::time::Instant,
}

fn sleep_until(deadline: tokio::time::Instant) -> tokio::time::Sleep {
    tokio::time::sleep_until(deadline)
}

impl Lost {
    fn is_tls(&self) -> bool {
        matches!(self, Self::Connect(e) if e.is_tls())
    }
}

/// Why a session ended.
#[derive(Debug, thiserror::Error)]
enum Lost {
    /// Connecting failed.
    #[error("{0}")]
    Connect(#[from] ConnectError),
    /// A statement failed.
    #[error("{}", Chain(.0))]
    Db(#[from] tokio_postgres::Error),
    /// The connection closed (its notifications stopped).
    #[error("the connection closed")]
    Closed,
    /// The heartbeat went unanswered.
    #[error("the session stopped answering")]
    Silent,
}

struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}
