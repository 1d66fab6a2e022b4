//! Who the client is, behind reverse proxies.

use crate::state::AppState;
use actix_web::HttpRequest;
use std::net::IpAddr;

/// The client address of a request for per-IP limits ([`client_ip`] over its peer and headers,
/// with the configured trusted proxies); None when the peer is unknown.
#[must_use]
pub fn client_addr(state: &AppState, req: &HttpRequest) -> Option<String> {
    let peer = req.peer_addr()?.ip();
    let xff: Vec<&str> = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .collect();
    let forwarded: Vec<&str> = req
        .headers()
        .get_all(actix_web::http::header::FORWARDED)
        .filter_map(|v| v.to_str().ok())
        .collect();
    Some(client_ip(peer, &xff, &forwarded, &state.trusted_proxies).to_string())
}

/// The client address for per-IP limits, by the standard right-to-left rule: start at the TCP
/// peer; while the current hop is a trusted proxy (`TRUSTED_PROXIES`), step to the address it
/// says it received the request from (the right-most entry of `X-Forwarded-For` not yet used);
/// the first hop that is not a trusted proxy is the client. Entries a client wrote itself stand to
/// the left of those its proxies appended, so rotating them changes nothing. `X-Forwarded-For`
/// (every instance, in order) is read; `Forwarded` (RFC 7239 `for=`) only when there is none. An
/// entry that is not an IP address ends the walk at the last trusted hop.
#[must_use]
pub fn client_ip(
    peer: IpAddr,
    x_forwarded_for: &[&str],
    forwarded: &[&str],
    trusted: &[IpAddr],
) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let chain: Vec<&str> = if x_forwarded_for.is_empty() {
        forwarded
            .iter()
            .flat_map(|h| h.split(','))
            .filter_map(|element| {
                element.split(';').find_map(|pair| {
                    let (k, v) = pair.split_once('=')?;
                    k.trim().eq_ignore_ascii_case("for").then(|| v.trim())
                })
            })
            .collect()
    } else {
        x_forwarded_for
            .iter()
            .flat_map(|h| h.split(','))
            .map(str::trim)
            .collect()
    };
    let mut current = peer;
    for entry in chain.iter().rev() {
        if !trusted.contains(&current) {
            break;
        }
        match parse_hop(entry) {
            Some(ip) => current = ip,
            None => break,
        }
    }
    current
}

/// `1.2.3.4`, `1.2.3.4:5678`, `2001:db8::1`, `[2001:db8::1]:5678`, `"[2001:db8::1]"`.
fn parse_hop(raw: &str) -> Option<IpAddr> {
    let s = raw.trim().trim_matches('"');
    if let Ok(ip) = s.parse() {
        return Some(ip);
    }
    if let Some(rest) = s.strip_prefix('[') {
        return rest.split_once(']')?.0.parse().ok();
    }
    let (host, port) = s.rsplit_once(':')?;
    port.chars().all(|c| c.is_ascii_digit()).then_some(())?;
    host.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn right_most_untrusted_hop_is_the_client() {
        let proxy = ip("10.0.0.1");
        let trusted = [proxy, ip("10.0.0.2")];
        // Not from a proxy: headers ignored.
        assert_eq!(
            client_ip(ip("203.0.113.9"), &["1.1.1.1"], &[], &trusted),
            ip("203.0.113.9")
        );
        // A client-written value to the left of what the proxy appended is ignored.
        for spoof in ["1.1.1.1", "9.9.9.9, 8.8.8.8", "garbage", "127.0.0.1"] {
            let header = format!("{spoof}, 198.51.100.7");
            assert_eq!(
                client_ip(proxy, &[&header], &[], &trusted),
                ip("198.51.100.7"),
                "{spoof}"
            );
        }
        // Two trusted proxies in a row.
        assert_eq!(
            client_ip(proxy, &["5.5.5.5, 198.51.100.7, 10.0.0.2"], &[], &trusted),
            ip("198.51.100.7")
        );
        // Several header instances are one list, in order.
        assert_eq!(
            client_ip(proxy, &["5.5.5.5", "198.51.100.7"], &[], &trusted),
            ip("198.51.100.7")
        );
        // Forwarded only without X-Forwarded-For; ports and brackets stripped.
        assert_eq!(
            client_ip(
                proxy,
                &[],
                &["for=5.5.5.5, for=\"[2001:db8::7]:4711\";proto=https"],
                &trusted
            ),
            ip("2001:db8::7")
        );
        assert_eq!(
            client_ip(proxy, &["198.51.100.7:5678"], &["for=5.5.5.5"], &trusted),
            ip("198.51.100.7")
        );
        // Unparsable right-most entry: the last trusted hop.
        assert_eq!(client_ip(proxy, &["nonsense"], &[], &trusted), proxy);
        // Only proxies: the left-most.
        assert_eq!(
            client_ip(proxy, &["10.0.0.2"], &[], &trusted),
            ip("10.0.0.2")
        );
        // No proxies trusted (the production default): always the peer.
        assert_eq!(client_ip(proxy, &["198.51.100.7"], &[], &[]), proxy);
    }
}
