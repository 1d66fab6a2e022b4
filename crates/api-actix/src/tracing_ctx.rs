//! W3C Trace Context (<https://www.w3.org/TR/trace-context/>), issue #12: a request's
//! `traceparent` is accepted when valid (else a new trace starts), its trace id goes on the
//! request's span (so on every log line of the request), and the response carries a
//! `traceparent` naming this server's span as the parent of whatever follows.
//!
//! `tracestate` is not interpreted (no vendor of ours writes it). Nothing leaves the process
//! during a request that would carry the context on (mail and lab messages are outbox rows
//! delivered later by the worker).

use std::fmt;

/// A request's place in a trace: the trace, our span, the caller's span if any, the flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TraceContext {
    /// 16 bytes, never all zero.
    pub trace_id: [u8; 16],
    /// This request's span: 8 bytes, never all zero.
    pub span_id: [u8; 8],
    /// The caller's span (`parent-id` of the incoming header), when it sent a valid one.
    pub parent_id: Option<[u8; 8]>,
    /// `trace-flags` (bit 0: sampled), carried over from the caller; 0 for a new trace (nothing
    /// here records traces for export).
    pub flags: u8,
}

/// The parsed parts of a valid `traceparent`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parent {
    /// `trace-id`.
    pub trace_id: [u8; 16],
    /// `parent-id`.
    pub parent_id: [u8; 8],
    /// `trace-flags`.
    pub flags: u8,
}

/// Lowercase hex only (the spec's HEXDIGLC): uppercase makes the header invalid.
fn hex_lc<const N: usize>(s: &str) -> Option<[u8; N]> {
    let bytes = s.as_bytes();
    if bytes.len() != 2 * N
        || !bytes
            .iter()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b))
    {
        return None;
    }
    let mut out = [0u8; N];
    hex::decode_to_slice(s, &mut out).ok()?;
    Some(out)
}

/// Parse one `traceparent` value: `version-traceid-parentid-flags`, lowercase hex. Version `00`
/// is exactly 55 characters; a later version (not `ff`) may append `-`-separated fields, which
/// are ignored, and is read as version 00. A trace id or parent id of all zeros is invalid.
#[must_use]
pub fn parse_traceparent(value: &str) -> Option<Parent> {
    // Leading and trailing whitespace is HTTP's optional whitespace, not part of the value.
    let value = value.trim_matches([' ', '\t']);
    let version: [u8; 1] = hex_lc(value.get(0..2)?)?;
    let fixed = match version[0] {
        0xff => return None,
        0x00 if value.len() != 55 => return None,
        0x00 => value,
        // Future versions: the first 55 characters in the version-00 shape, then `-` or the end.
        _ if value.len() > 55 && value.as_bytes()[55] != b'-' => return None,
        _ => value.get(..55)?,
    };
    let b = fixed.as_bytes();
    if b.len() != 55 || b[2] != b'-' || b[35] != b'-' || b[52] != b'-' {
        return None;
    }
    let trace_id: [u8; 16] = hex_lc(&fixed[3..35])?;
    let parent_id: [u8; 8] = hex_lc(&fixed[36..52])?;
    let [flags] = hex_lc::<1>(&fixed[53..55])?;
    if trace_id == [0; 16] || parent_id == [0; 8] {
        return None;
    }
    Some(Parent {
        trace_id,
        parent_id,
        flags,
    })
}

/// Random bytes, never all zero.
fn random_id<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    loop {
        if getrandom::fill(&mut out).is_err() {
            // The OS source failing is not a reason to fail a request; uuid has its own.
            let uuid = uuid::Uuid::new_v4();
            for (o, u) in out.iter_mut().zip(uuid.as_bytes().iter().cycle()) {
                *o = *u;
            }
        }
        if out.iter().any(|b| *b != 0) {
            return out;
        }
    }
}

impl TraceContext {
    /// From the request's `traceparent` headers: exactly one valid value continues its trace;
    /// none, several or an invalid one start a new trace. Our span id is always new.
    pub fn from_headers(headers: &actix_web::http::header::HeaderMap) -> Self {
        let mut values = headers.get_all("traceparent");
        let parent = match (values.next(), values.next()) {
            (Some(v), None) => v.to_str().ok().and_then(parse_traceparent),
            _ => None,
        };
        match parent {
            Some(p) => Self {
                trace_id: p.trace_id,
                span_id: random_id(),
                parent_id: Some(p.parent_id),
                // Only the sampled bit is defined for version 00; others are not passed on.
                flags: p.flags & 0x01,
            },
            None => Self {
                trace_id: random_id(),
                span_id: random_id(),
                parent_id: None,
                flags: 0,
            },
        }
    }

    /// The trace id as 32 lowercase hex characters (for log fields: formats without
    /// allocating).
    #[must_use]
    pub fn trace_id_hex(&self) -> Hex<'_> {
        Hex(&self.trace_id)
    }

    /// The `traceparent` to answer with (and to send on): our span as the parent.
    #[must_use]
    pub fn traceparent(&self) -> String {
        format!(
            "00-{}-{}-{:02x}",
            Hex(&self.trace_id),
            Hex(&self.span_id),
            self.flags
        )
    }
}

/// Bytes shown as lowercase hex.
pub struct Hex<'a>(&'a [u8]);

impl fmt::Display for Hex<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALID: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    #[test]
    fn valid_version_00() {
        let p = parse_traceparent(VALID).unwrap();
        assert_eq!(hex::encode(p.trace_id), "4bf92f3577b34da6a3ce929d0e0e4736");
        assert_eq!(hex::encode(p.parent_id), "00f067aa0ba902b7");
        assert_eq!(p.flags, 1);
        assert_eq!(
            parse_traceparent(" 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00\t")
                .unwrap()
                .flags,
            0
        );
    }

    #[test]
    fn invalid_values_are_ignored() {
        for bad in [
            "",
            "00",
            // Uppercase hex.
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00F067AA0BA902B7-01",
            // All-zero ids.
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
            // Version ff, and version 00 with extra fields.
            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
            // Lengths and separators.
            "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1",
            "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7_01",
            "0x-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01",
            // A future version must continue with `-` after the known fields.
            "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x",
            // Multi-byte characters where hex should be (no panic on a char boundary).
            "00-4bf92f3577b34da6a3ce929d0e0e47é-00f067aa0ba902b7-01",
        ] {
            assert_eq!(parse_traceparent(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn future_versions_read_the_known_fields() {
        let p = parse_traceparent(
            "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-the-future-adds",
        )
        .unwrap();
        assert_eq!(hex::encode(p.parent_id), "00f067aa0ba902b7");
        assert!(
            parse_traceparent("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").is_some()
        );
    }

    #[test]
    fn the_context_continues_or_starts_a_trace() {
        use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};
        let name = HeaderName::from_static("traceparent");
        let mut headers = HeaderMap::new();
        headers.insert(name.clone(), HeaderValue::from_static(VALID));
        let ctx = TraceContext::from_headers(&headers);
        assert_eq!(
            ctx.trace_id_hex().to_string(),
            "4bf92f3577b34da6a3ce929d0e0e4736"
        );
        assert_ne!(hex::encode(ctx.span_id), "00f067aa0ba902b7");
        let out = ctx.traceparent();
        let back = parse_traceparent(&out).unwrap();
        assert_eq!(back.trace_id, ctx.trace_id);
        assert_eq!(back.parent_id, ctx.span_id);
        assert_eq!(back.flags, 1);
        // Two values: ambiguous, a new trace.
        headers.append(name.clone(), HeaderValue::from_static(VALID));
        let two = TraceContext::from_headers(&headers);
        assert_ne!(two.trace_id, ctx.trace_id);
        assert_eq!(two.parent_id, None);
        // None: a new, valid, unsampled trace, different each time.
        let a = TraceContext::from_headers(&HeaderMap::new());
        let b = TraceContext::from_headers(&HeaderMap::new());
        assert_ne!(a.trace_id, b.trace_id);
        let parsed = parse_traceparent(&a.traceparent()).unwrap();
        assert_eq!((parsed.trace_id, parsed.flags), (a.trace_id, 0));
    }
}
