//! `Argon2Hasher` (`CredentialHasher`): argon2id on a few dedicated threads, each hashing in its
//! own memory, allocated once.
//!
//! Why dedicated threads and not the runtime's blocking pool (issue #11):
//! - **A storm queues instead of taking every core.** At most `threads` hashes run at once
//!   (default: one core fewer than the machine has, at least one); the others wait
//!   asynchronously (a queued job and a oneshot receiver, no thread), so the other requests keep
//!   a core.
//! - **Memory is returned.** argon2id with the defaults needs 19 MiB per hash. The argon2 crate
//!   allocates it for every hash and frees it afterwards; glibc serves such a block with `mmap`,
//!   and when it is freed, raises its mmap threshold to the block's size (glibc `malloc(3)`,
//!   `M_MMAP_THRESHOLD`: "dynamic mmap threshold"), so from then on every block of up to 19 MiB,
//!   in every thread, is served from the per-thread arenas and kept there after it is freed
//!   (measured: 97 MiB resident after a dozen logins, 215 MiB after a login storm and the c1024
//!   load). Here each hashing thread allocates its block once and keeps it: nothing of 19 MiB is
//!   ever freed, the threshold stays at its default, and hashing holds `threads` × 19 MiB at most.
//! - **Requests first.** The hashing threads run at a lower scheduling priority (a positive nice
//!   value, `PASSWORD_HASH_NICE`, default 10; Linux's nice is per thread, `setpriority(2)`), so a
//!   storm of logins takes what the request threads leave, instead of an equal share of the
//!   cores: on two cores, one hashing thread at nice 0 moved the other routes' p99 2.6×
//!   (docs/performance.md). A login then waits longer under load, never fails for it.

use argon2::password_hash::phc::{Output, ParamsString, PasswordHash, Salt};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use async_trait::async_trait;
use genascope_domain::common::BoxError;
use genascope_domain::identity::model::Password;
use genascope_domain::identity::ports::CredentialHasher;
use sha2::{Digest, Sha256};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

/// A job for a hashing thread: it gets the thread's memory.
type Job = Box<dyn FnOnce(&mut Vec<Block>) + Send>;

/// argon2id (RustCrypto defaults: m=19 MiB, t=2, p=1, the OWASP minimum) on `threads` dedicated
/// threads (see the module's documentation). Cheap to clone; the threads end when the last clone
/// is dropped.
#[derive(Debug, Clone)]
pub struct Argon2Hasher {
    jobs: mpsc::Sender<Job>,
    threads: usize,
}

impl Default for Argon2Hasher {
    /// One hashing thread per core but one (at least one), at [`DEFAULT_NICE`].
    fn default() -> Self {
        Self::new(default_concurrency())
    }
}

/// The hashing threads' default nice value (0 = the process's own priority; 19 = only when a
/// core is otherwise idle).
pub const DEFAULT_NICE: i32 = 10;

/// The default number of hashes at once: `max(1, cores - 1)`.
#[must_use]
pub fn default_concurrency() -> usize {
    let cores = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
    cores.saturating_sub(1).max(1)
}

impl Argon2Hasher {
    /// A hasher running at most `threads` hashes at once (0 is taken as 1), at [`DEFAULT_NICE`].
    #[must_use]
    pub fn new(threads: usize) -> Self {
        Self::with_nice(threads, DEFAULT_NICE)
    }

    /// A hasher running at most `threads` hashes at once (0 is taken as 1) on threads whose nice
    /// value is raised by `nice` (0 to 19; 0 leaves it as it is). Where the system refuses, the
    /// threads hash at the process's priority, and each says so in a warning.
    #[must_use]
    pub fn with_nice(threads: usize, nice: i32) -> Self {
        let threads = threads.max(1);
        let nice = nice.clamp(0, 19);
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for i in 0..threads {
            let queue = queue.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("argon2-{i}"))
                .spawn(move || {
                    lower_priority(nice);
                    work(&queue);
                });
            if let Err(e) = spawned {
                // With no thread at all every hash fails (a 500 on login), which says enough.
                tracing::error!(error = %e, "cannot start a password hashing thread");
            }
        }
        Self { jobs, threads }
    }

    /// How many hashes run at once.
    #[must_use]
    pub const fn concurrency(&self) -> usize {
        self.threads
    }

    /// Run `f` on a hashing thread with its memory, waiting for one asynchronously.
    async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Vec<Block>) -> T + Send + 'static,
    ) -> Result<T, BoxError> {
        let (done, result) = tokio::sync::oneshot::channel();
        // Measured like the database's calls: waiting for a hashing thread (`pool` = `argon2`).
        let queued = Queued::enter();
        let job: Job = Box::new(move |memory| {
            drop(queued);
            // The caller may have gone (a client that hung up): nothing to tell it then.
            let _ = done.send(f(memory));
        });
        self.jobs
            .send(job)
            .map_err(|_| -> BoxError { "no password hashing thread is running".into() })?;
        result
            .await
            .map_err(|_| -> BoxError { "a password hash was abandoned".into() })
    }
}

/// Raise the calling thread's nice value by `by` (Linux: per thread; elsewhere a no-op).
fn lower_priority(by: i32) {
    if by == 0 {
        return;
    }
    #[cfg(target_os = "linux")]
    {
        use rustix::process::{getpriority_process, setpriority_process};
        let me = Some(rustix::thread::gettid());
        let result = getpriority_process(me)
            .and_then(|now| setpriority_process(me, now.saturating_add(by).min(19)));
        if let Err(e) = result {
            tracing::warn!(error = %e, "password hashing threads run at the process's priority");
        }
    }
}

/// A hashing thread: jobs one at a time until every sender is gone. Its memory is allocated at
/// its first job (an idle server holds none).
fn work(queue: &Mutex<mpsc::Receiver<Job>>) {
    let mut memory: Vec<Block> = Vec::new();
    loop {
        // Hold the lock only to take a job, never while hashing.
        let job = match queue.lock() {
            Ok(q) => q.recv(),
            Err(_) => return,
        };
        let Ok(job) = job else { return };
        // A panicking job (none is expected) must not take the thread with it.
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(&mut memory)));
    }
}

/// `hash` computed with `params` in `memory` (grown to what they need, never shrunk).
fn hash_into(
    memory: &mut Vec<Block>,
    argon2: &Argon2<'_>,
    params: &Params,
    password: &[u8],
    salt: &[u8],
    out: &mut [u8],
) -> argon2::Result<()> {
    let blocks = params.block_count();
    if memory.len() < blocks {
        memory.resize(blocks, Block::default());
    }
    argon2.hash_password_into_with_memory(password, salt, out, &mut memory[..blocks])
}

/// A new PHC string (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`) for `password`.
fn hash_phc(memory: &mut Vec<Block>, password: &[u8]) -> Result<String, BoxError> {
    let params = Params::default();
    let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| -> BoxError { e.to_string().into() })?;
    let mut out = vec![0u8; params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN)];
    hash_into(memory, &argon2, &params, password, &salt, &mut out)
        .map_err(|e| -> BoxError { e.to_string().into() })?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params)
            .map_err(|e| -> BoxError { e.to_string().into() })?,
        salt: Some(Salt::new(&salt).map_err(|e| -> BoxError { e.to_string().into() })?),
        hash: Some(Output::new(&out).map_err(|e| -> BoxError { e.to_string().into() })?),
    };
    Ok(phc.to_string())
}

/// Whether `password` matches the PHC string `hash` (any argon2 variant, version and parameters
/// it names), compared in constant time (`Output`'s equality). False for a malformed hash.
fn verify_phc(memory: &mut Vec<Block>, password: &[u8], hash: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (&parsed.salt, &parsed.hash) else {
        return false;
    };
    let Ok(algorithm) = Algorithm::try_from(parsed.algorithm.as_str()) else {
        return false;
    };
    let version = match parsed.version.map(Version::try_from).transpose() {
        Ok(v) => v.unwrap_or_default(),
        Err(_) => return false,
    };
    let Ok(params) = Params::try_from(&parsed) else {
        return false;
    };
    let argon2 = Argon2::new(algorithm, version, params.clone());
    let mut out = vec![0u8; expected.len()];
    hash_into(memory, &argon2, &params, password, salt.as_ref(), &mut out).is_ok()
        && Output::new(&out).is_ok_and(|computed| computed == *expected)
}

/// A valid argon2id hash of a random string, verified against when the email is unknown so that
/// both paths cost the same.
static DUMMY_HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();

fn dummy_hash(memory: &mut Vec<Block>) -> &'static str {
    DUMMY_HASH.get_or_init(|| hash_phc(memory, b"genascope-timing-equaliser").unwrap_or_default())
}

#[async_trait]
impl CredentialHasher for Argon2Hasher {
    async fn hash_password(&self, password: &Password) -> Result<String, BoxError> {
        let pw = password.expose().to_owned();
        self.run(move |memory| hash_phc(memory, pw.as_bytes()))
            .await?
    }

    async fn verify_password(&self, password: &Password, hash: &str) -> bool {
        let (pw, hash) = (password.expose().to_owned(), hash.to_owned());
        self.run(move |memory| verify_phc(memory, pw.as_bytes(), &hash))
            .await
            .unwrap_or(false)
    }

    async fn dummy_verify(&self, password: &Password) {
        let pw = password.expose().to_owned();
        let _ = self
            .run(move |memory| {
                let dummy = dummy_hash(memory);
                verify_phc(memory, pw.as_bytes(), dummy)
            })
            .await;
    }

    fn digest(&self, token: &str) -> String {
        hex::encode(Sha256::digest(token.as_bytes()))
    }
}

/// A hash or verification between being queued and its start on a hashing thread: counted in
/// the `genascope_blocking_queued{pool="argon2"}` gauge while it waits, its wait recorded in
/// `genascope_blocking_queue_wait_seconds` (the `metrics` facade; a no-op without a recorder).
struct Queued(std::time::Instant);

impl Queued {
    fn enter() -> Self {
        metrics::gauge!("genascope_blocking_queued", "pool" => "argon2").increment(1.0);
        Self(std::time::Instant::now())
    }
}

impl Drop for Queued {
    fn drop(&mut self) {
        metrics::gauge!("genascope_blocking_queued", "pool" => "argon2").decrement(1.0);
        metrics::histogram!("genascope_blocking_queue_wait_seconds", "pool" => "argon2")
            .record(self.0.elapsed().as_secs_f64());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test]
    async fn argon2_hashes_and_verifies() {
        let h = Argon2Hasher::new(1);
        let hash = h
            .hash_password(&Password::new("correct horse".into()))
            .await
            .unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(
            h.verify_password(&Password::new("correct horse".into()), &hash)
                .await
        );
        assert!(
            !h.verify_password(&Password::new("wrong horse".into()), &hash)
                .await
        );
        assert!(
            !h.verify_password(&Password::new("x".into()), "not a hash")
                .await
        );
        h.dummy_verify(&Password::new("x".into())).await;
        assert_eq!(
            h.digest("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    /// This thread's nice value.
    #[cfg(target_os = "linux")]
    fn own_nice() -> i32 {
        rustix::process::getpriority_process(Some(rustix::thread::gettid())).unwrap()
    }

    /// The hashing threads run `nice` above the caller's priority; the caller's own is untouched,
    /// and 0 leaves them at the caller's.
    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn hashing_threads_run_at_a_lower_priority() {
        let base = own_nice();
        for (nice, want) in [(7, (base + 7).min(19)), (0, base)] {
            let h = Argon2Hasher::with_nice(1, nice);
            let seen = h.run(|_| own_nice()).await.unwrap();
            assert_eq!(seen, want, "nice {nice}");
        }
        assert_eq!(own_nice(), base, "the caller's thread");
    }

    /// Hashes made by the argon2 crate itself (what is stored today), and with other
    /// parameters and variants, verify; so do ours with the crate's verifier.
    #[tokio::test]
    async fn hashes_of_the_crate_and_of_other_parameters_verify() {
        use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
        let h = Argon2Hasher::new(1);
        let pw = Password::new("correct horse".into());
        let theirs = Argon2::default()
            .hash_password(b"correct horse")
            .unwrap()
            .to_string();
        assert!(h.verify_password(&pw, &theirs).await);
        let small = Params::new(1024, 1, 1, None).unwrap();
        for algorithm in [Algorithm::Argon2i, Algorithm::Argon2d, Algorithm::Argon2id] {
            let other = Argon2::new(algorithm, Version::V0x10, small.clone())
                .hash_password(b"correct horse")
                .unwrap()
                .to_string();
            assert!(h.verify_password(&pw, &other).await, "{other}");
            assert!(
                !h.verify_password(&Password::new("wrong".into()), &other)
                    .await
            );
        }
        let ours = h.hash_password(&pw).await.unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(
            Argon2::default()
                .verify_password(b"correct horse", &parsed)
                .is_ok()
        );
    }

    /// However many callers, at most `threads` jobs run at once; and that many do run together
    /// (the barrier lets no job finish before `threads` of them have started).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn never_more_than_the_limit_at_once() {
        const LIMIT: usize = 2;
        let h = Argon2Hasher::new(LIMIT);
        assert_eq!(h.concurrency(), LIMIT);
        let running = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let barrier = Arc::new(std::sync::Barrier::new(LIMIT));
        let calls = (0..4 * LIMIT).map(|_| {
            let (h, running, most, barrier) =
                (h.clone(), running.clone(), most.clone(), barrier.clone());
            tokio::spawn(async move {
                h.run(move |_memory| {
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(now, Ordering::SeqCst);
                    barrier.wait();
                    running.fetch_sub(1, Ordering::SeqCst);
                })
                .await
                .unwrap();
            })
        });
        for call in calls.collect::<Vec<_>>() {
            call.await.unwrap();
        }
        assert_eq!(most.load(Ordering::SeqCst), LIMIT);
    }

    #[test]
    fn the_default_leaves_a_core_free() {
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
        assert_eq!(default_concurrency(), (cores - 1).max(1));
        assert_eq!(Argon2Hasher::new(0).concurrency(), 1);
    }
}
