//! Who the client is, behind reverse proxies.

use crate::state::AppState;
use actix_web::HttpRequest;
use std::net::IpAddr;

/// A trusted reverse proxy (`TRUSTED_PROXIES`): one address, or a network in CIDR notation
/// (`10.244.0.0/16`, `fd00::/8`), for proxies whose addresses change, such as the pods of a
/// Kubernetes ingress controller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProxyNet {
    network: IpAddr,
    prefix: u8,
}

impl ProxyNet {
    /// Whether `ip` is this address or lies in this network (an IPv4-mapped IPv6 address counts
    /// as its IPv4 address).
    #[must_use]
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.network, ip.to_canonical()) {
            // The shift by the whole width (prefix 0) overflows: no bit of the mask is set.
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(ip) & mask == u32::from(net)
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(ip) & mask == u128::from(net)
            }
            _ => false,
        }
    }
}

impl From<IpAddr> for ProxyNet {
    fn from(ip: IpAddr) -> Self {
        let ip = ip.to_canonical();
        let prefix = if ip.is_ipv4() { 32 } else { 128 };
        Self {
            network: ip,
            prefix,
        }
    }
}

impl std::str::FromStr for ProxyNet {
    type Err = String;

    /// `10.0.0.1`, `10.0.0.0/8`, `2001:db8::/32`. A network with host bits set (`10.0.0.1/8`) is
    /// refused: it is more likely a typo than a network.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let Some((addr, prefix)) = s.split_once('/') else {
            let ip: IpAddr = s
                .parse()
                .map_err(|_| format!("{s:?} is not an IP address or a CIDR network"))?;
            return Ok(ip.into());
        };
        let network: IpAddr = addr
            .parse()
            .map_err(|_| format!("{s:?} is not an IP address or a CIDR network"))?;
        let network = network.to_canonical();
        let max = if network.is_ipv4() { 32 } else { 128 };
        let prefix: u8 = prefix
            .parse()
            .ok()
            .filter(|p| *p <= max)
            .ok_or_else(|| format!("{s:?}: the prefix length must be 0 to {max}"))?;
        let net = Self { network, prefix };
        // Its own network address lies inside it only when the host bits are zero.
        if net.contains(network) {
            Ok(net)
        } else {
            Err(format!(
                "{s:?} has host bits set: write its network address"
            ))
        }
    }
}

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
    trusted: &[ProxyNet],
) -> IpAddr {
    let is_trusted = |ip: IpAddr| trusted.iter().any(|t| t.contains(ip));
    if !is_trusted(peer) {
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
        if !is_trusted(current) {
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
        let trusted = [proxy.into(), ip("10.0.0.2").into()];
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

    fn net(s: &str) -> ProxyNet {
        s.parse().unwrap()
    }

    #[test]
    fn proxy_networks_trust_every_address_inside_them_and_nothing_else() {
        // An ingress controller's pods anywhere in the pod network (Kubernetes).
        let pods = [net("10.244.0.0/16")];
        for peer in ["10.244.0.1", "10.244.255.254", "::ffff:10.244.3.4"] {
            assert_eq!(
                client_ip(ip(peer), &["203.0.113.5"], &[], &pods),
                ip("203.0.113.5"),
                "{peer}"
            );
        }
        for peer in ["10.245.0.1", "10.243.255.255", "192.0.2.1", "2001:db8::1"] {
            assert_eq!(
                client_ip(ip(peer), &["203.0.113.5"], &[], &pods),
                ip(peer),
                "{peer}"
            );
        }
        // A chain of proxies in two networks; the client's own entries stay ignored.
        let nets = [net("10.244.0.0/16"), net("fd00:1::/32")];
        assert_eq!(
            client_ip(
                ip("10.244.9.9"),
                &["1.1.1.1, 198.51.100.7, fd00:1:2::3"],
                &[],
                &nets
            ),
            ip("198.51.100.7")
        );
        // Edges: /0 trusts everything of its family, /32 and /128 one address.
        assert!(net("0.0.0.0/0").contains(ip("203.0.113.9")));
        assert!(!net("0.0.0.0/0").contains(ip("2001:db8::1")));
        assert!(net("192.0.2.7/32").contains(ip("192.0.2.7")));
        assert!(!net("192.0.2.7/32").contains(ip("192.0.2.6")));
        assert!(net("2001:db8::/32").contains(ip("2001:db8:ffff::1")));
        assert!(!net("2001:db8::/32").contains(ip("2001:db9::1")));
        assert!(net("::1/128").contains(ip("::1")));
        // Refused, with the reason.
        for (bad, why) in [
            ("10.0.0.1/8", "host bits"),
            ("10.0.0.0/33", "prefix"),
            ("2001:db8::/129", "prefix"),
            ("10.0.0.0/x", "prefix"),
            ("proxy.local", "not an IP"),
            ("proxy.local/8", "not an IP"),
        ] {
            let err = bad.parse::<ProxyNet>().unwrap_err();
            assert!(err.contains(why), "{bad}: {err}");
        }
    }
}
