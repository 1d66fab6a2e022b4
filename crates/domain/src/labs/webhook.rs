//! The lab webhook's signature (contract §3.8): HMAC-SHA256 over `"{timestamp}.{raw body}"`
//! with the integration's secret, as lowercase hex (a `sha256=` prefix is tolerated), compared in
//! constant time; the timestamp (Unix seconds) within [`WINDOW_SECS`] of now.

use super::error::SignatureRefusal;
use crate::common::Timestamp;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// How far the signed timestamp may be from now, either way.
pub const WINDOW_SECS: i64 = 300;

/// The largest webhook body.
pub const MAX_BODY: usize = 1024 * 1024;

/// The MAC of `"{timestamp}.{body}"` (HMAC takes keys of any length: `None` never happens).
fn mac(secret: &[u8], timestamp: &str, body: &[u8]) -> Option<Hmac<Sha256>> {
    let mut m = <Hmac<Sha256> as KeyInit>::new_from_slice(secret).ok()?;
    m.update(timestamp.as_bytes());
    m.update(b".");
    m.update(body);
    Some(m)
}

/// The signature a lab sends for `body` at `timestamp` (lowercase hex).
#[must_use]
pub fn sign(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    mac(secret, &timestamp.to_string(), body).map_or_else(String::new, |m| {
        m.finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    })
}

/// A SHA-256 tag as 64 hex characters (anything else is not a signature).
fn from_hex(s: &str) -> Option<Vec<u8>> {
    if s.len() != 64 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok())
        .collect()
}

/// Check a call's signature headers against `body`, at `now`.
pub fn verify(
    secret: &[u8],
    timestamp: &str,
    signature: &str,
    body: &[u8],
    now: Timestamp,
) -> Result<(), SignatureRefusal> {
    let ts_text = timestamp.trim();
    let ts: i64 = ts_text
        .parse()
        .ok()
        .filter(|_| ts_text.bytes().all(|b| b.is_ascii_digit()))
        .ok_or(SignatureRefusal::Headers)?;
    if (now.unix_timestamp() - ts).abs() > WINDOW_SECS {
        return Err(SignatureRefusal::Stale);
    }
    let sig = signature.trim();
    let sig = sig.strip_prefix("sha256=").unwrap_or(sig);
    let tag = from_hex(sig).ok_or(SignatureRefusal::Headers)?;
    mac(secret, ts_text, body)
        .ok_or(SignatureRefusal::Mismatch)?
        .verify_slice(&tag)
        .map_err(|_| SignatureRefusal::Mismatch)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"s3cret";

    fn now() -> Timestamp {
        time::macros::datetime!(2026-12-06 12:00 UTC)
    }

    #[test]
    fn a_good_signature_passes_and_anything_else_fails() {
        let t = now().unix_timestamp();
        let body = br#"{"event_id":"e1"}"#;
        let sig = sign(SECRET, t, body);
        assert_eq!(sig.len(), 64);
        assert_eq!(verify(SECRET, &t.to_string(), &sig, body, now()), Ok(()));
        let prefixed = format!("sha256={sig}");
        assert_eq!(
            verify(SECRET, &t.to_string(), &prefixed, body, now()),
            Ok(())
        );
        let wrong = sign(b"other", t, body);
        assert_eq!(
            verify(SECRET, &t.to_string(), &wrong, body, now()),
            Err(SignatureRefusal::Mismatch)
        );
        assert_eq!(
            verify(SECRET, &t.to_string(), &sig, br#"{"event_id":"e2"}"#, now()),
            Err(SignatureRefusal::Mismatch)
        );
        for bad in ["", "zz", "abc", "+f"] {
            assert_eq!(
                verify(SECRET, &t.to_string(), bad, body, now()),
                Err(SignatureRefusal::Headers),
                "{bad}"
            );
        }
        for bad in ["", "-1", "+5", "12x", "1e9"] {
            assert_eq!(
                verify(SECRET, bad, &sig, body, now()),
                Err(SignatureRefusal::Headers),
                "{bad}"
            );
        }
    }

    #[test]
    fn the_window_is_300_seconds_either_way() {
        let body = b"{}";
        let at = |d: i64| {
            let t = now().unix_timestamp() + d;
            verify(SECRET, &t.to_string(), &sign(SECRET, t, body), body, now())
        };
        assert_eq!(at(300), Ok(()));
        assert_eq!(at(-300), Ok(()));
        assert_eq!(at(301), Err(SignatureRefusal::Stale));
        assert_eq!(at(-301), Err(SignatureRefusal::Stale));
    }
}
