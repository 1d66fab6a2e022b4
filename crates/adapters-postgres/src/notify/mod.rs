//! The transactional outbox: everything that leaves the process is a row of `outbox`, written by
//! the repository method that saves its cause, in the same transaction ([`enqueue_email`]), and
//! delivered by the [`worker`] with retries and exponential backoff.
//!
//! A row's life: *pending* (due at `next_attempt_at`) → claimed by a worker for a short lease
//! (`locked_until`) → *sent* (`sent_at`; its payload is blanked) or, after a failed attempt,
//! pending again with a later `next_attempt_at`, and *dead* (`dead_at`) after the last allowed
//! attempt, until an operator retries it.
//!
//! Claiming is safe with several workers (replicas): on PostgreSQL the due rows are selected
//! `FOR UPDATE SKIP LOCKED` and leased in the same transaction, so two claimers never get the
//! same row; on SQLite the claim is one `BEGIN IMMEDIATE` transaction (one writer at a time).
//! The lease is what makes a crashed worker's rows deliverable again.
//!
//! Payloads hold live secrets (an email body carries a reset link): they are never logged, never
//! listed, and blanked once delivered.

pub mod worker;

use crate::convert::{from_ts, id, parse_id, ts_precise};
use crate::schema::outbox;
use crate::sql::found;
use crate::{Database, DbConnection};
use diesel::prelude::*;
use genascope_domain::common::{RepoError, Timestamp};
use genascope_domain::notify::{Attachment, OutgoingEmail};
use std::time::Duration;
use time::PrimitiveDateTime;

/// The kind of an email row.
pub const KIND_EMAIL: &str = "email";

/// The longest `last_error` kept (error classes are short; this bounds a chatty sink).
const MAX_ERROR_LEN: usize = 200;

fn after(t: Timestamp, d: Duration) -> Timestamp {
    t + time::Duration::try_from(d).unwrap_or(time::Duration::MAX)
}

#[derive(Debug, Insertable)]
#[diesel(table_name = outbox, treat_none_as_default_value = false)]
struct NewOutboxRow {
    id: String,
    kind: &'static str,
    payload: String,
    created_at: PrimitiveDateTime,
    attempts: i32,
    next_attempt_at: PrimitiveDateTime,
    locked_until: Option<PrimitiveDateTime>,
    last_error: Option<String>,
    sent_at: Option<PrimitiveDateTime>,
    dead_at: Option<PrimitiveDateTime>,
}

/// Queue a message of `kind` on `conn`, inside the caller's transaction: it exists if and only
/// if that transaction commits. Due at once. (Only `email` rows have a delivery sink so far; a
/// lab's requests wait for theirs.)
pub(crate) fn enqueue(
    conn: &mut DbConnection,
    kind: &'static str,
    payload: &str,
    now: Timestamp,
) -> QueryResult<()> {
    let now = ts_precise(now);
    diesel::insert_into(outbox::table)
        .values(NewOutboxRow {
            id: id(uuid::Uuid::new_v4()),
            kind,
            payload: payload.to_owned(),
            created_at: now,
            attempts: 0,
            next_attempt_at: now,
            locked_until: None,
            last_error: None,
            sent_at: None,
            dead_at: None,
        })
        .execute(conn)?;
    Ok(())
}

/// Queue `email` on `conn`, inside the caller's transaction: it is delivered if and only if that
/// transaction commits. Due at once.
pub(crate) fn enqueue_email(
    conn: &mut DbConnection,
    email: &OutgoingEmail,
    now: Timestamp,
) -> QueryResult<()> {
    let attachments: Vec<_> = email
        .attachments
        .iter()
        .map(|a| {
            serde_json::json!({
                "filename": a.filename, "content_type": a.content_type, "content": a.content,
            })
        })
        .collect();
    let payload = serde_json::json!({
        "to": email.to, "subject": email.subject, "text": email.text, "html": email.html,
        "attachments": attachments,
    })
    .to_string();
    let now = ts_precise(now);
    diesel::insert_into(outbox::table)
        .values(NewOutboxRow {
            id: id(uuid::Uuid::new_v4()),
            kind: KIND_EMAIL,
            payload,
            created_at: now,
            attempts: 0,
            next_attempt_at: now,
            locked_until: None,
            last_error: None,
            sent_at: None,
            dead_at: None,
        })
        .execute(conn)?;
    Ok(())
}

fn decode_email(payload: &str) -> Option<OutgoingEmail> {
    let v: serde_json::Value = serde_json::from_str(payload).ok()?;
    let field = |k: &str| v.get(k)?.as_str().map(str::to_owned);
    Some(OutgoingEmail {
        to: field("to")?,
        subject: field("subject")?,
        text: field("text")?,
        html: field("html")?,
        attachments: decode_attachments(v.get("attachments"))?,
    })
}

/// A row written before attachments existed has none (the key is absent).
fn decode_attachments(v: Option<&serde_json::Value>) -> Option<Vec<Attachment>> {
    let Some(list) = v else {
        return Some(Vec::new());
    };
    list.as_array()?
        .iter()
        .map(|a| {
            let field = |k: &str| a.get(k)?.as_str().map(str::to_owned);
            Some(Attachment {
                filename: field("filename")?,
                content_type: field("content_type")?,
                content: field("content")?,
            })
        })
        .collect()
}

/// How retries are spaced and when a message is given up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// The wait after the first failed attempt; each further failure doubles it.
    pub base: Duration,
    /// The longest wait between two attempts.
    pub max: Duration,
    /// Attempts in all; after the last one fails the message is dead.
    pub max_attempts: u32,
}

impl Default for Backoff {
    /// 5 s, 10 s, 20 s, … capped at 1 h; 12 attempts (about 2.4 hours from the first failure
    /// to the last attempt).
    fn default() -> Self {
        Self {
            base: Duration::from_secs(5),
            max: Duration::from_secs(3600),
            max_attempts: 12,
        }
    }
}

impl Backoff {
    /// The wait after the `failures`-th failed attempt (1-based): `base × 2^(failures-1)`,
    /// capped at `max`.
    #[must_use]
    pub fn delay(&self, failures: u32) -> Duration {
        let exp = failures.saturating_sub(1).min(31);
        self.base.saturating_mul(1u32 << exp).min(self.max)
    }
}

/// A message claimed for delivery (leased to this worker until its lease ends).
#[derive(Debug, Clone)]
pub struct ClaimedEmail {
    /// Row id.
    pub id: uuid::Uuid,
    /// Attempts made before this one.
    pub attempts: u32,
    /// The message.
    pub email: OutgoingEmail,
}

/// What became of a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// Due again at this time.
    RetryAt(Timestamp),
    /// That was the last attempt: the message is dead.
    Dead,
}

/// Where a message stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxStatus {
    /// Waiting for its first attempt.
    Pending,
    /// Failed at least once; due again at `next_attempt_at`.
    Retrying,
    /// Claimed by a worker now (its lease has not ended).
    Sending,
    /// Delivered.
    Sent,
    /// Given up after the last attempt (an operator may retry it).
    Dead,
}

impl OutboxStatus {
    /// Shown name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Retrying => "retrying",
            Self::Sending => "sending",
            Self::Sent => "sent",
            Self::Dead => "dead",
        }
    }
}

/// One message as operators see it: never its payload or recipient.
#[derive(Debug, Clone)]
pub struct OutboxEntry {
    /// Row id.
    pub id: uuid::Uuid,
    /// `email`.
    pub kind: String,
    /// Attempts made.
    pub attempts: u32,
    /// Status.
    pub status: OutboxStatus,
    /// Queued.
    pub created_at: Timestamp,
    /// Next attempt (None once sent or dead).
    pub next_attempt_at: Option<Timestamp>,
    /// The class of the last failure.
    pub last_error: Option<String>,
}

/// Counts for `/health`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OutboxCounts {
    /// Not yet delivered and not dead (due now or later, or being sent).
    pub pending: u64,
    /// Dead letters.
    pub dead: u64,
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = outbox)]
struct ListRow {
    id: String,
    kind: String,
    attempts: i32,
    created_at: PrimitiveDateTime,
    next_attempt_at: PrimitiveDateTime,
    locked_until: Option<PrimitiveDateTime>,
    last_error: Option<String>,
    sent_at: Option<PrimitiveDateTime>,
    dead_at: Option<PrimitiveDateTime>,
}

impl ListRow {
    fn into_entry(self, now: PrimitiveDateTime) -> QueryResult<OutboxEntry> {
        let status = if self.sent_at.is_some() {
            OutboxStatus::Sent
        } else if self.dead_at.is_some() {
            OutboxStatus::Dead
        } else if self.locked_until.is_some_and(|l| l > now) {
            OutboxStatus::Sending
        } else if self.attempts > 0 {
            OutboxStatus::Retrying
        } else {
            OutboxStatus::Pending
        };
        let open = matches!(
            status,
            OutboxStatus::Pending | OutboxStatus::Retrying | OutboxStatus::Sending
        );
        Ok(OutboxEntry {
            id: parse_id(&self.id, "outbox id")?,
            kind: self.kind,
            attempts: u32::try_from(self.attempts).unwrap_or(0),
            status,
            created_at: from_ts(self.created_at),
            next_attempt_at: open.then(|| from_ts(self.next_attempt_at)),
            last_error: self.last_error,
        })
    }
}

/// Undelivered, not dead.
fn open()
-> diesel::dsl::And<diesel::dsl::IsNull<outbox::sent_at>, diesel::dsl::IsNull<outbox::dead_at>> {
    outbox::sent_at.is_null().and(outbox::dead_at.is_null())
}

impl Database {
    /// Woken after a transaction that queued a message commits (the worker waits on it).
    #[must_use]
    pub fn outbox_signal(&self) -> std::sync::Arc<tokio::sync::Notify> {
        self.outbox_signal.clone()
    }

    /// Tell this process's worker that a message was queued.
    pub(crate) fn outbox_queued(&self) {
        self.outbox_signal.notify_one();
    }

    /// Claim up to `limit` due email messages for `lease` (oldest due first). A claimed message
    /// is not due for anyone else until its lease ends or it is marked.
    pub async fn outbox_claim(
        &self,
        now: Timestamp,
        lease: Duration,
        limit: u32,
    ) -> Result<Vec<ClaimedEmail>, RepoError> {
        let lease_end = ts_precise(after(now, lease));
        let now = ts_precise(now);
        let limit = i64::from(limit.max(1));
        self.transaction(move |conn| {
            let due = outbox::table
                .filter(open())
                .filter(outbox::kind.eq(KIND_EMAIL))
                .filter(outbox::next_attempt_at.le(now))
                .filter(
                    outbox::locked_until
                        .is_null()
                        .or(outbox::locked_until.le(now)),
                )
                .order((outbox::next_attempt_at.asc(), outbox::id.asc()))
                .limit(limit)
                .select((outbox::id, outbox::attempts, outbox::payload));
            let rows: Vec<(String, i32, String)> = match conn {
                // Rows another claimer has locked are skipped, not waited for: several
                // replicas claim disjoint batches at once.
                DbConnection::Postgresql(pg) => due.for_update().skip_locked().load(pg)?,
                // One writer at a time (`BEGIN IMMEDIATE`): nobody else claims meanwhile.
                DbConnection::Sqlite(_) => due.load(conn)?,
            };
            let ids: Vec<&String> = rows.iter().map(|r| &r.0).collect();
            if !ids.is_empty() {
                diesel::update(outbox::table.filter(outbox::id.eq_any(ids)))
                    .set(outbox::locked_until.eq(lease_end))
                    .execute(conn)?;
            }
            let mut claimed = Vec::with_capacity(rows.len());
            for (row_id, attempts, payload) in rows {
                let uuid = parse_id(&row_id, "outbox id")?;
                let attempts = u32::try_from(attempts).unwrap_or(0);
                match decode_email(&payload) {
                    Some(email) => claimed.push(ClaimedEmail {
                        id: uuid,
                        attempts,
                        email,
                    }),
                    // Retrying cannot fix it: dead at once, for an operator to look at.
                    None => {
                        diesel::update(outbox::table.filter(outbox::id.eq(&row_id)))
                            .set((
                                outbox::dead_at.eq(now),
                                outbox::locked_until.eq(None::<PrimitiveDateTime>),
                                outbox::last_error.eq("malformed payload"),
                            ))
                            .execute(conn)?;
                    }
                }
            }
            Ok(claimed)
        })
        .await
    }

    /// The message was handed over: sent, its lease released and its payload blanked (the
    /// secret in it has left; the row stays for `outbox list` until purged).
    pub async fn outbox_mark_sent(&self, msg: uuid::Uuid, now: Timestamp) -> Result<(), RepoError> {
        let (msg, now) = (id(msg), ts_precise(now));
        self.write(move |conn| {
            let n = diesel::update(outbox::table.filter(outbox::id.eq(msg)).filter(open()))
                .set((
                    outbox::sent_at.eq(now),
                    outbox::attempts.eq(outbox::attempts + 1),
                    outbox::locked_until.eq(None::<PrimitiveDateTime>),
                    outbox::payload.eq("{}"),
                ))
                .execute(conn)?;
            found(n)
        })
        .await
    }

    /// An attempt failed with `error` (its class: no recipient or server text): due again after
    /// the backoff, or dead when that was the last allowed attempt.
    pub async fn outbox_mark_failed(
        &self,
        msg: uuid::Uuid,
        now: Timestamp,
        error: &str,
        backoff: &Backoff,
    ) -> Result<Failure, RepoError> {
        let msg = id(msg);
        let error: String = error.chars().take(MAX_ERROR_LEN).collect();
        let backoff = *backoff;
        self.transaction(move |conn| {
            let n = diesel::update(outbox::table.filter(outbox::id.eq(&msg)).filter(open()))
                .set((
                    outbox::attempts.eq(outbox::attempts + 1),
                    outbox::locked_until.eq(None::<PrimitiveDateTime>),
                    outbox::last_error.eq(error),
                ))
                .execute(conn)?;
            found(n)?;
            let attempts: i32 = outbox::table
                .filter(outbox::id.eq(&msg))
                .select(outbox::attempts)
                .first(conn)?;
            let attempts = u32::try_from(attempts).unwrap_or(u32::MAX);
            let row = outbox::table.filter(outbox::id.eq(&msg));
            if attempts >= backoff.max_attempts {
                diesel::update(row)
                    .set(outbox::dead_at.eq(ts_precise(now)))
                    .execute(conn)?;
                return Ok(Failure::Dead);
            }
            let next = after(now, backoff.delay(attempts));
            diesel::update(row)
                .set(outbox::next_attempt_at.eq(ts_precise(next)))
                .execute(conn)?;
            Ok(Failure::RetryAt(next))
        })
        .await
    }

    /// When the next undelivered message becomes claimable (its due time, or the end of its
    /// lease); None when there is none.
    pub async fn outbox_next_due(&self) -> Result<Option<Timestamp>, RepoError> {
        self.run(move |conn| {
            let rows: Vec<(PrimitiveDateTime, Option<PrimitiveDateTime>)> = outbox::table
                .filter(open())
                .filter(outbox::kind.eq(KIND_EMAIL))
                .order(outbox::next_attempt_at.asc())
                .select((outbox::next_attempt_at, outbox::locked_until))
                .limit(64)
                .load(conn)?;
            Ok(rows
                .into_iter()
                .map(|(next, lock)| lock.map_or(next, |l| l.max(next)))
                .min()
                .map(from_ts))
        })
        .await
    }

    /// Pending (undelivered, not dead) and dead messages.
    pub async fn outbox_counts(&self) -> Result<OutboxCounts, RepoError> {
        self.run(move |conn| {
            let pending: i64 = outbox::table.filter(open()).count().get_result(conn)?;
            let dead: i64 = outbox::table
                .filter(outbox::dead_at.is_not_null())
                .filter(outbox::sent_at.is_null())
                .count()
                .get_result(conn)?;
            Ok(OutboxCounts {
                pending: u64::try_from(pending).unwrap_or(0),
                dead: u64::try_from(dead).unwrap_or(0),
            })
        })
        .await
    }

    /// Messages for operators, newest first: the undelivered ones (pending and dead), and with
    /// `include_sent` the delivered ones too. Never payloads or recipients.
    pub async fn outbox_list(
        &self,
        include_sent: bool,
        limit: u32,
        now: Timestamp,
    ) -> Result<Vec<OutboxEntry>, RepoError> {
        let now = ts_precise(now);
        self.run(move |conn| {
            let mut q = outbox::table.select(ListRow::as_select()).into_boxed();
            if !include_sent {
                q = q.filter(outbox::sent_at.is_null());
            }
            let rows: Vec<ListRow> = q
                .order((outbox::created_at.desc(), outbox::id.desc()))
                .limit(i64::from(limit))
                .load(conn)?;
            rows.into_iter().map(|r| r.into_entry(now)).collect()
        })
        .await
    }

    /// Make an undelivered message (dead or waiting for a retry) due now, with a fresh set of
    /// attempts. `NotFound` when there is no such undelivered message.
    pub async fn outbox_retry(&self, msg: uuid::Uuid, now: Timestamp) -> Result<(), RepoError> {
        let (msg, now) = (id(msg), ts_precise(now));
        let result = self
            .write(move |conn| {
                let n = diesel::update(
                    outbox::table
                        .filter(outbox::id.eq(msg))
                        .filter(outbox::sent_at.is_null()),
                )
                .set((
                    outbox::dead_at.eq(None::<PrimitiveDateTime>),
                    outbox::locked_until.eq(None::<PrimitiveDateTime>),
                    outbox::next_attempt_at.eq(now),
                    outbox::attempts.eq(0),
                ))
                .execute(conn)?;
                found(n)
            })
            .await;
        if result.is_ok() {
            self.outbox_queued();
        }
        result
    }

    /// Delete delivered messages sent before `before`; how many.
    pub async fn outbox_purge_sent(&self, before: Timestamp) -> Result<u64, RepoError> {
        let before = ts_precise(before);
        self.write(move |conn| {
            let n =
                diesel::delete(outbox::table.filter(outbox::sent_at.lt(before))).execute(conn)?;
            Ok(u64::try_from(n).unwrap_or(0))
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::{Backoff, decode_email};
    use std::time::Duration;

    #[test]
    fn rows_from_before_attachments_decode_and_attachments_round_trip() {
        let old = r#"{"to":"a@b.c","subject":"s","text":"t","html":"h"}"#;
        assert_eq!(decode_email(old).map(|e| e.attachments.len()), Some(0));
        let new = r#"{"to":"a@b.c","subject":"s","text":"t","html":"h","attachments":
            [{"filename":"invite.ics","content_type":"text/calendar","content":"BEGIN"}]}"#;
        let e = decode_email(new).expect("decodes");
        assert_eq!(e.attachments[0].filename, "invite.ics");
        assert_eq!(e.attachments[0].content, "BEGIN");
        assert!(
            decode_email(r#"{"to":"a","subject":"s","text":"t","html":"h","attachments":[{}]}"#)
                .is_none()
        );
    }

    #[test]
    fn backoff_doubles_from_the_base_up_to_the_cap() {
        let b = Backoff {
            base: Duration::from_secs(5),
            max: Duration::from_secs(60),
            max_attempts: 8,
        };
        let waits: Vec<u64> = (1..=6).map(|n| b.delay(n).as_secs()).collect();
        assert_eq!(waits, vec![5, 10, 20, 40, 60, 60]);
        assert_eq!(b.delay(200), Duration::from_secs(60));
        assert_eq!(Backoff::default().delay(11), Duration::from_secs(3600));
    }

    #[test]
    fn payloads_decode_or_are_refused() {
        let e = decode_email(r#"{"to":"a@b.c","subject":"s","text":"t","html":"h"}"#).unwrap();
        assert_eq!((e.to.as_str(), e.html.as_str()), ("a@b.c", "h"));
        assert!(decode_email(r#"{"to":"a@b.c"}"#).is_none());
        assert!(decode_email("not json").is_none());
    }
}
