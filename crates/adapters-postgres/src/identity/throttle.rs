//! Login throttles and per-client limits in the database, so every replica counts against the
//! same limits (issue #7 §3): [`DbLoginThrottle`] (`LoginThrottle`: failed logins per (email,
//! client), reset requests per email; the rules are `genascope_domain::identity::throttle`) and
//! `WindowCounter` for [`Database`] (the HTTP edge's limits per client address).
//!
//! Both keep one row per attempt in `login_throttle`, under the SHA-256 of the limit's name and
//! key (no email or address is stored; any typed key, NUL bytes included, has the same short
//! length):
//!
//! - **in flight** (`failed` false) from when the attempt began. It counts toward the limit, so
//!   a burst of parallel guesses cannot all pass before the first is counted. One left by a
//!   crashed process stops counting [`IN_FLIGHT_TTL`] after it began (`expires_at`).
//! - **failed**: the attempt's own row, turned into a failure when it ends as one; it counts for
//!   the limit's window after the failure (`expires_at`), then no longer.
//! - A success deletes its own row and its key's failures; a discarded attempt, its own row.
//!
//! Beginning an attempt is one write transaction that takes the key's lock, reads the key's live
//! rows (`expires_at > now`) and inserts the new one only if the rules allow it: on PostgreSQL
//! `pg_advisory_xact_lock(class, hashtext(key))` (released at commit; the two-key lock space, apart
//! from the migrations' lock), on SQLite `BEGIN IMMEDIATE` (one writer at a time). Forgiving, which
//! deletes several rows of a key, takes the same lock. Nothing here sleeps: an attempt that has
//! to wait for others in flight is answered [`Admission::Busy`] at once (the caller decides
//! whether to wait).
//!
//! Rows past `expires_at` no longer count and are deleted by [`Database::throttle_prune`], which
//! any attempt runs when this handle has not pruned for [`PRUNE_EVERY`]: the table holds about
//! the attempts of the last window.

use crate::convert::{from_ts, id, ts_precise};
use crate::database::write_transaction;
use crate::schema::login_throttle as lt;
use crate::{Database, DbConnection};
use async_trait::async_trait;
use diesel::prelude::*;
use genascope_domain::common::{Attempt, RepoError, Timestamp, WindowCounter, window_wait};
use genascope_domain::identity::ports::{Admission, LoginThrottle};
use genascope_domain::identity::throttle::ThrottleLimits;
use sha2::{Digest, Sha256};
use std::sync::atomic::Ordering;
use time::{Duration, PrimitiveDateTime};

/// How long an attempt counts while in flight: one whose process died stops counting then.
pub const IN_FLIGHT_TTL: Duration = Duration::seconds(60);
/// How often (at most, per [`Database`] handle) an attempt also deletes every expired row.
pub const PRUNE_EVERY: Duration = Duration::seconds(60);
/// Rows deleted per statement while pruning.
const PRUNE_BATCH: usize = 1_000;
/// First half of the advisory-lock key of a throttle key ("thrt" in ASCII); the second half is
/// `hashtext(key_digest)`. Two-key advisory locks never collide with the one-key migration lock.
const LOCK_CLASS: i32 = 0x7468_7274;
/// The limit name of [`WindowCounter`] keys (the caller's key names the limit itself).
const COUNTER: &str = "counter";

/// The stored key of `key` under the limit `name`: SHA-256, hex.
fn digest(name: &str, key: &str) -> String {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update([0]);
    h.update(key.as_bytes());
    hex::encode(h.finalize())
}

/// A key's live attempts.
#[derive(Debug, Default)]
struct Live {
    /// When its failures failed, oldest first.
    failures: Vec<Timestamp>,
    /// How many are in flight.
    in_flight: usize,
}

/// Take the key's lock for the rest of the transaction (PostgreSQL; an SQLite write transaction
/// already excludes every other writer).
fn lock_key(conn: &mut DbConnection, key: &str) -> QueryResult<()> {
    if let DbConnection::Postgresql(pg) = conn {
        diesel::sql_query("SELECT pg_advisory_xact_lock($1, hashtext($2))")
            .bind::<diesel::sql_types::Integer, _>(LOCK_CLASS)
            .bind::<diesel::sql_types::Text, _>(key)
            .execute(pg)?;
    }
    Ok(())
}

/// Inside a write transaction: lock `key` and read its live attempts.
fn lock_and_read(conn: &mut DbConnection, key: &str, now: Timestamp) -> QueryResult<Live> {
    lock_key(conn, key)?;
    let rows: Vec<(bool, PrimitiveDateTime)> = lt::table
        .filter(lt::key_digest.eq(key))
        .filter(lt::expires_at.gt(ts_precise(now)))
        .order(lt::at.asc())
        .select((lt::failed, lt::at))
        .load(conn)?;
    let mut live = Live::default();
    for (failed, at) in rows {
        if failed {
            live.failures.push(from_ts(at));
        } else {
            live.in_flight += 1;
        }
    }
    Ok(live)
}

/// Insert an attempt in flight on `key`.
fn begin_attempt(conn: &mut DbConnection, key: String, now: Timestamp) -> QueryResult<Attempt> {
    let attempt = Attempt {
        id: uuid::Uuid::new_v4(),
        key,
    };
    diesel::insert_into(lt::table)
        .values((
            lt::id.eq(id(attempt.id)),
            lt::key_digest.eq(&attempt.key),
            lt::failed.eq(false),
            lt::at.eq(ts_precise(now)),
            lt::expires_at.eq(ts_precise(now + IN_FLIGHT_TTL)),
        ))
        .execute(conn)?;
    Ok(attempt)
}

impl Database {
    /// End `attempt` as counted: it holds its key back for `window` after `now`. An attempt
    /// whose row has gone (it outlived [`IN_FLIGHT_TTL`] and was pruned) is counted all the same.
    async fn count_attempt(
        &self,
        attempt: &Attempt,
        window: Duration,
        now: Timestamp,
    ) -> Result<(), RepoError> {
        let (row, key) = (id(attempt.id), attempt.key.clone());
        let (at, until) = (ts_precise(now), ts_precise(now + window));
        self.transaction(move |conn| {
            let updated = diesel::update(lt::table.find(&row))
                .set((lt::failed.eq(true), lt::at.eq(at), lt::expires_at.eq(until)))
                .execute(conn)?;
            if updated == 0 {
                diesel::insert_into(lt::table)
                    .values((
                        lt::id.eq(&row),
                        lt::key_digest.eq(&key),
                        lt::failed.eq(true),
                        lt::at.eq(at),
                        lt::expires_at.eq(until),
                    ))
                    .execute(conn)?;
            }
            Ok(())
        })
        .await
    }

    /// Delete every throttle row that no longer counts (past `expires_at` at `now`). Returns how
    /// many. Attempts run it on their own now and then ([`PRUNE_EVERY`]); replicas may run it at
    /// once: on PostgreSQL rows another transaction holds are skipped, so pruning never waits.
    pub async fn throttle_prune(&self, now: Timestamp) -> Result<usize, RepoError> {
        let now = ts_precise(now);
        self.write(move |conn| {
            let mut total = 0;
            loop {
                let deleted = write_transaction(conn, |conn| {
                    let expired = lt::table
                        .filter(lt::expires_at.le(now))
                        .select(lt::id)
                        .limit(i64::try_from(PRUNE_BATCH).unwrap_or(i64::MAX));
                    let ids: Vec<String> = match conn {
                        DbConnection::Postgresql(pg) => {
                            expired.for_update().skip_locked().load(pg)?
                        }
                        DbConnection::Sqlite(_) => expired.load(conn)?,
                    };
                    if ids.is_empty() {
                        return Ok(0);
                    }
                    diesel::delete(lt::table.filter(lt::id.eq_any(&ids))).execute(conn)
                })?;
                total += deleted;
                if deleted < PRUNE_BATCH {
                    return Ok(total);
                }
            }
        })
        .await
    }

    /// Prune when this handle has not for [`PRUNE_EVERY`]. A failure is logged, not returned:
    /// the attempt that triggered it stands.
    async fn prune_now_and_then(&self, now: Timestamp) {
        let (secs, last) = (now.unix_timestamp(), &self.throttle_pruned_at);
        let previous = last.load(Ordering::Acquire);
        if secs.saturating_sub(previous) < PRUNE_EVERY.whole_seconds()
            || last
                .compare_exchange(previous, secs, Ordering::AcqRel, Ordering::Acquire)
                .is_err()
        {
            return;
        }
        if let Err(e) = self.throttle_prune(now).await {
            tracing::warn!(error = %e, "pruning the login throttle failed");
        }
    }
}

/// A [`LoginThrottle`] in the database, shared by every replica: failed logins per (email,
/// client) with [`ThrottleLimits::login`], or reset requests per email with
/// [`ThrottleLimits::reset_requests`]. Cheap to clone.
#[derive(Debug, Clone)]
pub struct DbLoginThrottle {
    db: Database,
    name: &'static str,
    limits: ThrottleLimits,
}

impl DbLoginThrottle {
    /// The limits `limits` under the name `name` (throttles with different names count apart).
    #[must_use]
    pub fn new(db: Database, name: &'static str, limits: ThrottleLimits) -> Self {
        Self { db, name, limits }
    }
}

#[async_trait]
impl LoginThrottle for DbLoginThrottle {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn check(
        &self,
        email: &str,
        client: Option<String>,
        now: Timestamp,
    ) -> Result<Admission, RepoError> {
        let key = digest(self.name, &self.limits.key(email, client.as_deref()));
        let limits = self.limits;
        let admission = self
            .db
            .transaction(move |conn| {
                let live = lock_and_read(conn, &key, now)?;
                if let Some(wait) = limits.key_wait(&live.failures, live.in_flight, now) {
                    return Ok(Admission::Wait(wait));
                }
                if limits.busy(live.failures.len(), live.in_flight) {
                    return Ok(Admission::Busy);
                }
                begin_attempt(conn, key, now).map(Admission::Admitted)
            })
            .await?;
        self.db.prune_now_and_then(now).await;
        Ok(admission)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn record_failure(&self, attempt: &Attempt, now: Timestamp) -> Result<(), RepoError> {
        self.db
            .count_attempt(attempt, self.limits.window, now)
            .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn forgive(&self, attempt: &Attempt) -> Result<(), RepoError> {
        let (row, key) = (id(attempt.id), attempt.key.clone());
        self.db
            .transaction(move |conn| {
                lock_key(conn, &key)?;
                diesel::delete(
                    lt::table
                        .filter(lt::key_digest.eq(&key))
                        .filter(lt::failed.or(lt::id.eq(&row))),
                )
                .execute(conn)?;
                Ok(())
            })
            .await
    }
}

#[async_trait]
impl WindowCounter for Database {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn begin(
        &self,
        key: &str,
        limit: u32,
        window: Duration,
        now: Timestamp,
    ) -> Result<Result<Attempt, u64>, RepoError> {
        let key = digest(COUNTER, key);
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        let begun = self
            .transaction(move |conn| {
                let live = lock_and_read(conn, &key, now)?;
                if let Some(wait) = window_wait(&live.failures, live.in_flight, limit, window, now)
                {
                    return Ok(Err(wait));
                }
                begin_attempt(conn, key, now).map(Ok)
            })
            .await?;
        self.prune_now_and_then(now).await;
        Ok(begun)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn count(
        &self,
        attempt: &Attempt,
        window: Duration,
        now: Timestamp,
    ) -> Result<(), RepoError> {
        self.count_attempt(attempt, window, now).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn discard(&self, attempt: &Attempt) -> Result<(), RepoError> {
        let row = id(attempt.id);
        self.write(move |conn| {
            diesel::delete(lt::table.find(&row)).execute(conn)?;
            Ok(())
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_digests_of_name_and_key() {
        let a = digest("login", "a@x.org|10.0.0.1");
        assert_eq!(a.len(), 64);
        assert_ne!(a, digest("reset", "a@x.org|10.0.0.1"));
        assert_ne!(digest("a", "b|c"), digest("a|b", "c"));
        assert_eq!(digest("login", "nul\0byte").len(), 64);
    }
}
