//! What the opening handshake said, stored compactly.
//!
//! Every idle connection keeps these details for its whole life, so the
//! headers are kept as one string of `name: value` lines (one allocation of a
//! few hundred bytes) instead of an `http::HeaderMap` (an allocation per
//! header, about 2 KiB for a browser's handshake). The map is built only if
//! someone asks for it.

use std::net::SocketAddr;
use std::sync::OnceLock;

use http::{HeaderMap, HeaderName, HeaderValue};

/// Details of the opening handshake.
#[derive(Debug, Default)]
pub(crate) struct HandshakeInfo {
    pub(crate) peer_addr: Option<SocketAddr>,
    pub(crate) path: String,
    /// `name: value` lines joined by `\n`, names lower-case.
    lines: Box<str>,
    map: OnceLock<HeaderMap>,
}

impl HandshakeInfo {
    pub(crate) fn new(peer_addr: Option<SocketAddr>, path: String, headers: &HeaderMap) -> Self {
        let mut lines = String::new();
        for (name, value) in headers {
            // Values that are not visible ASCII cannot be returned as `&str` anyway.
            let Ok(value) = value.to_str() else { continue };
            if !lines.is_empty() {
                lines.push('\n');
            }
            lines.push_str(name.as_str());
            lines.push_str(": ");
            lines.push_str(value);
        }
        HandshakeInfo {
            peer_addr,
            path,
            lines: lines.into_boxed_str(),
            map: OnceLock::new(),
        }
    }

    /// Every value of header `name` (case-insensitive), in order.
    pub(crate) fn values<'a, 'n>(
        &'a self,
        name: &'n str,
    ) -> impl Iterator<Item = &'a str> + use<'a, 'n> {
        self.lines.split('\n').filter_map(move |line| {
            let (n, v) = line.split_once(": ")?;
            n.eq_ignore_ascii_case(name).then_some(v)
        })
    }

    /// The first value of header `name`.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.values(name).next()
    }

    /// The value of cookie `name` from the `Cookie` headers.
    pub(crate) fn cookie(&self, name: &str) -> Option<&str> {
        self.values("cookie")
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.trim_matches('"'))
    }

    /// All headers as a map, built on first use.
    pub(crate) fn headers(&self) -> &HeaderMap {
        self.map.get_or_init(|| {
            let mut map = HeaderMap::new();
            for line in self.lines.split('\n') {
                let Some((n, v)) = line.split_once(": ") else {
                    continue;
                };
                if let (Ok(n), Ok(v)) = (
                    HeaderName::from_bytes(n.as_bytes()),
                    HeaderValue::from_str(v),
                ) {
                    map.append(n, v);
                }
            }
            map
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups_match_the_original_headers() {
        let mut original = HeaderMap::new();
        original.insert("origin", HeaderValue::from_static("http://a.example"));
        original.append("cookie", HeaderValue::from_static("a=1; session=\"xyz\""));
        original.append("cookie", HeaderValue::from_static("b=2"));
        original.insert("x-empty", HeaderValue::from_static(""));
        let info = HandshakeInfo::new(None, "/rpc".into(), &original);
        assert_eq!(info.header("Origin"), Some("http://a.example"));
        assert_eq!(info.cookie("session"), Some("xyz"));
        assert_eq!(info.cookie("b"), Some("2"));
        assert_eq!(info.cookie("c"), None);
        assert_eq!(info.header("x-empty"), Some(""));
        assert_eq!(info.headers(), &original);
    }
}
