//! Conversions at the edge: ids as lowercase hyphenated TEXT, timestamps as naive UTC whole
//! seconds (microseconds where short steps matter), enums as their wire names.

use crate::sql::Corrupt;
use genascope_domain::common::Timestamp;
use time::{PrimitiveDateTime, UtcOffset};
use uuid::Uuid;

/// An id as stored.
pub(crate) fn id(u: Uuid) -> String {
    u.hyphenated().to_string()
}

/// A stored id.
pub(crate) fn parse_id(s: &str, what: &'static str) -> Result<Uuid, Corrupt> {
    Uuid::try_parse(s).map_err(|_| Corrupt(what))
}

/// A timestamp as stored: UTC, naive, truncated to seconds.
pub(crate) fn ts(t: Timestamp) -> PrimitiveDateTime {
    let t = t.to_offset(UtcOffset::UTC);
    let p = PrimitiveDateTime::new(t.date(), t.time());
    p.replace_nanosecond(0).unwrap_or(p)
}

/// A timestamp as stored where sub-second steps matter (the outbox's backoff and leases, the
/// login throttle's delays): UTC, naive, microseconds.
pub(crate) fn ts_precise(t: Timestamp) -> PrimitiveDateTime {
    let t = t.to_offset(UtcOffset::UTC);
    let p = PrimitiveDateTime::new(t.date(), t.time());
    let micros = p.nanosecond() / 1_000 * 1_000;
    p.replace_nanosecond(micros).unwrap_or(p)
}

/// A stored timestamp (UTC).
pub(crate) fn from_ts(p: PrimitiveDateTime) -> Timestamp {
    p.assume_utc()
}
