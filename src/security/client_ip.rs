//! The client's address, for the login lock. Behind a reverse proxy every clerk connects from the
//! proxy's address, so the proxy's `Forwarded` / `X-Forwarded-For` header is read, but only when
//! the connection comes from a proxy the operator listed: anyone else could write the header.

use std::net::IpAddr;

use ipnet::IpNet;

/// The configured proxies (`security.trusted_proxies`).
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// Reads `10.0.0.1`, `10.0.0.0/8`, `::1`; anything else is an error naming the entry.
    pub fn parse(entries: &[String]) -> Result<TrustedProxies, String> {
        entries
            .iter()
            .map(|e| {
                let e = e.trim();
                e.parse::<IpNet>()
                    .or_else(|_| e.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| format!("{e:?} is not an address or network"))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(TrustedProxies)
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The client: the connecting address, or, when that is a trusted proxy, the nearest address
    /// in the forwarding chain that is not one of our proxies (read right to left, as each proxy
    /// appends the address it saw). `forwarded` is the `Forwarded` header, `x_forwarded_for`
    /// the `X-Forwarded-For` header; `Forwarded` wins when both are sent.
    pub fn client(
        &self,
        peer: IpAddr,
        forwarded: Option<&str>,
        x_forwarded_for: Option<&str>,
    ) -> IpAddr {
        if !self.trusts(peer) {
            return peer;
        }
        let chain: Vec<IpAddr> = match (forwarded, x_forwarded_for) {
            (Some(f), _) => forwarded_for(f),
            (None, Some(x)) => x.split(',').filter_map(|a| parse_addr(a.trim())).collect(),
            (None, None) => Vec::new(),
        };
        chain
            .into_iter()
            .rev()
            .find(|ip| !self.trusts(*ip))
            .unwrap_or(peer)
    }
}

/// The `for=` addresses of a `Forwarded` header (RFC 7239), in order.
fn forwarded_for(header: &str) -> Vec<IpAddr> {
    header
        .split(',')
        .flat_map(|element| element.split(';'))
        .filter_map(|pair| {
            let (key, value) = pair.split_once('=')?;
            key.trim()
                .eq_ignore_ascii_case("for")
                .then(|| parse_addr(value.trim().trim_matches('"')))
                .flatten()
        })
        .collect()
}

/// `192.0.2.1`, `192.0.2.1:4711`, `[2001:db8::1]:4711`, `2001:db8::1`.
fn parse_addr(text: &str) -> Option<IpAddr> {
    if let Ok(ip) = text.parse() {
        return Some(ip);
    }
    if let Some(rest) = text.strip_prefix('[') {
        return rest.split(']').next()?.parse().ok();
    }
    text.rsplit_once(':')?.0.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_writes() {
        let proxies = TrustedProxies::parse(&["10.0.0.0/8".into()]).unwrap();
        assert_eq!(
            proxies.client(ip("203.0.113.9"), None, Some("198.51.100.1")),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn behind_a_trusted_proxy_the_forwarded_address_is_the_client() {
        let proxies = TrustedProxies::parse(&["10.0.0.0/8".into(), "::1".into()]).unwrap();
        let peer = ip("10.0.0.2");
        assert_eq!(
            proxies.client(peer, None, Some("198.51.100.7, 10.0.0.5")),
            ip("198.51.100.7")
        );
        // A client cannot hide behind a forged first entry: the nearest untrusted one counts.
        assert_eq!(
            proxies.client(peer, None, Some("1.2.3.4, 198.51.100.7")),
            ip("198.51.100.7")
        );
        assert_eq!(
            proxies.client(peer, Some("for=\"[2001:db8::1]:4711\";proto=https"), None),
            ip("2001:db8::1")
        );
        assert_eq!(
            proxies.client(peer, Some("for=192.0.2.60;by=10.0.0.2"), Some("9.9.9.9")),
            ip("192.0.2.60")
        );
        assert_eq!(proxies.client(peer, None, Some("garbage")), peer);
    }

    #[test]
    fn a_bad_entry_is_named() {
        let err = TrustedProxies::parse(&["proxy.local".into()]).unwrap_err();
        assert!(err.contains("proxy.local"));
    }
}
