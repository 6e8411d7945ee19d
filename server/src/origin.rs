//! Origin checks for WebSocket handshakes.
//!
//! Browsers let any web page open a WebSocket to any server, sending the
//! page's origin in the `Origin` header but enforcing nothing. Without a check
//! a malicious site visited by a user could talk to a server on that user's
//! machine or network ("cross-site WebSocket hijacking"). [`OriginPolicy`]
//! decides which origins may connect; the default allows only pages served by
//! this server itself, plus non-browser clients, which send no `Origin`.

/// Which browser Origins may open a WebSocket (protection against cross-site
/// WebSocket hijacking).
///
/// The default (same as [`OriginPolicy::same_origin`]) accepts handshakes
/// without an `Origin` header and those whose origin's host and port match the
/// request's `Host` header, when that host is an IP address or `localhost`.
/// Further origins can be allowed with [`OriginPolicy::allow`], or all of them
/// with [`OriginPolicy::allow_any`].
///
/// Why not any same-origin host: with DNS rebinding, a page from
/// `http://evil.example:8080` can make `evil.example` resolve to 127.0.0.1; its
/// WebSocket then carries matching `Origin` and `Host` headers for the
/// attacker's name. A page served under a DNS name must therefore be allowed
/// explicitly, e.g. `allow("https://app.example.com")`.
#[derive(Clone, Debug, Default)]
pub struct OriginPolicy {
    /// Every origin is accepted.
    any: bool,
    /// The literal origin `null` (sandboxed iframes, `file:` pages) is accepted.
    allow_null: bool,
    /// Explicitly allowed origins, normalised.
    allowed: Vec<Origin>,
}

impl OriginPolicy {
    /// Default: same-origin only (requests without Origin—non-browser
    /// clients—are allowed).
    #[must_use]
    pub fn same_origin() -> Self {
        Self::default()
    }

    /// Adds an allowed origin like `"http://localhost:5173"`; `"*"` allows
    /// every origin and `"null"` allows the opaque origin `null`.
    ///
    /// Scheme and host are compared case-insensitively, a default port
    /// (`:80` for http/ws, `:443` for https/wss) and a trailing `/` are
    /// ignored. An entry that is not a valid origin is logged and ignored, so
    /// it never widens the policy.
    #[must_use]
    pub fn allow(mut self, origin: &str) -> Self {
        let origin = origin.trim();
        if origin == "*" {
            self.any = true;
        } else if origin.eq_ignore_ascii_case("null") {
            self.allow_null = true;
        } else {
            let without_slash = origin.strip_suffix('/').unwrap_or(origin);
            match Origin::parse(without_slash) {
                Some(parsed) => self.allowed.push(parsed),
                None => tracing::warn!(origin, "ignoring invalid allowed origin"),
            }
        }
        self
    }

    /// Allows every origin, disabling the cross-site protection.
    #[must_use]
    pub fn allow_any(mut self) -> Self {
        self.any = true;
        self
    }

    /// Decides for one handshake: `origin` is the Origin header (None when
    /// absent), `host` the Host header.
    #[must_use]
    pub fn permits(&self, origin: Option<&str>, host: Option<&str>) -> bool {
        // No Origin header: not a browser, so no cross-site risk.
        let Some(origin) = origin.map(str::trim) else {
            return true;
        };
        if self.any {
            return true;
        }
        if origin == "null" {
            return self.allow_null;
        }
        let Some(origin) = Origin::parse(origin) else {
            return false;
        };
        if self.allowed.contains(&origin) {
            return true;
        }
        // Same origin: the page was loaded from the host the browser is now
        // connecting to. The scheme is not compared because the server cannot
        // tell whether a TLS-terminating proxy sits in front of it.
        let Some((host, port)) = host.and_then(|h| parse_authority(h.trim())) else {
            return false;
        };
        let host_port = port.or_else(|| default_port(&origin.scheme));
        origin.host == host && origin.effective_port() == host_port && rebinding_proof(&host)
    }
}

/// True for hosts that DNS rebinding cannot spoof: IP literals and
/// `localhost` names (which browsers resolve locally, never through DNS).
fn rebinding_proof(host: &str) -> bool {
    let unbracketed = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    unbracketed.parse::<std::net::IpAddr>().is_ok()
        || host == "localhost"
        || host.ends_with(".localhost")
}

/// A parsed, normalised `scheme://host[:port]` origin.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Origin {
    /// Lowercase scheme.
    scheme: String,
    /// Lowercase host; IPv6 literals keep their brackets.
    host: String,
    /// Explicit port, `None` if absent or the scheme's default.
    port: Option<u16>,
}

impl Origin {
    /// Parses an origin as sent by browsers (RFC 6454 serialisation); paths,
    /// user info, queries and fragments are refused.
    fn parse(text: &str) -> Option<Self> {
        let (scheme, authority) = text.split_once("://")?;
        let mut chars = scheme.chars();
        let valid_scheme = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
            && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
        if !valid_scheme {
            return None;
        }
        let scheme = scheme.to_ascii_lowercase();
        let (host, port) = parse_authority(authority)?;
        let port = port.filter(|p| Some(*p) != default_port(&scheme));
        Some(Self { scheme, host, port })
    }

    /// The port in use, including the scheme's default.
    fn effective_port(&self) -> Option<u16> {
        self.port.or_else(|| default_port(&self.scheme))
    }
}

/// The default port of a (lowercase) scheme, if it has a well-known one.
fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "http" | "ws" => Some(80),
        "https" | "wss" => Some(443),
        _ => None,
    }
}

/// Splits `host[:port]` (as in a `Host` header or an origin) into a lowercase
/// host and optional port. Returns `None` for anything else, e.g. paths or
/// user info.
fn parse_authority(authority: &str) -> Option<(String, Option<u16>)> {
    let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
        let (literal, after) = rest.split_once(']')?;
        let valid = !literal.is_empty()
            && literal
                .chars()
                .all(|c| c.is_ascii_hexdigit() || matches!(c, ':' | '.'));
        if !valid {
            return None;
        }
        let port = match after {
            "" => None,
            _ => Some(after.strip_prefix(':')?),
        };
        (format!("[{literal}]"), port)
    } else {
        let (host, port) = match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        };
        let valid = !host.is_empty()
            && host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'));
        if !valid {
            return None;
        }
        (host.to_owned(), port)
    };
    let port = match port {
        // An empty port ("host:") means the default, as in URLs.
        None | Some("") => None,
        Some(digits) if digits.bytes().all(|b| b.is_ascii_digit()) => Some(digits.parse().ok()?),
        Some(_) => return None,
    };
    Some((host.to_ascii_lowercase(), port))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_origin_is_allowed() {
        assert!(OriginPolicy::same_origin().permits(None, Some("127.0.0.1:8080")));
        assert!(OriginPolicy::same_origin().permits(None, None));
    }

    #[test]
    fn same_origin_rules() {
        let p = OriginPolicy::default();
        assert!(p.permits(Some("http://127.0.0.1:8080"), Some("127.0.0.1:8080")));
        assert!(p.permits(Some("http://LocalHost:80"), Some("localhost")));
        assert!(p.permits(Some("https://app.localhost"), Some("APP.localhost:443")));
        assert!(p.permits(Some("http://[::1]:8080"), Some("[::1]:8080")));
        assert!(!p.permits(Some("http://evil.com"), Some("127.0.0.1:8080")));
        assert!(!p.permits(Some("http://127.0.0.1:9999"), Some("127.0.0.1:8080")));
        assert!(!p.permits(Some("http://example.com:443"), Some("example.com")));
        assert!(!p.permits(Some("http://[::1]:9999"), Some("[::1]:8080")));
        assert!(!p.permits(Some("http://127.0.0.1:8080"), None));
    }

    /// DNS rebinding: an attacker's name resolving to this server carries a
    /// matching Origin and Host, so names other than localhost need an explicit allow.
    #[test]
    fn dns_names_need_an_explicit_allow() {
        let p = OriginPolicy::default();
        assert!(!p.permits(
            Some("http://rebind.attacker.example:8080"),
            Some("rebind.attacker.example:8080")
        ));
        assert!(!p.permits(Some("https://example.com"), Some("example.com")));
        let p = p.allow("https://example.com");
        assert!(p.permits(Some("https://example.com"), Some("example.com")));
        assert!(p.permits(Some("https://EXAMPLE.com:443"), Some("example.com")));
        assert!(!p.permits(Some("http://example.com"), Some("example.com")));
    }

    #[test]
    fn null_origin() {
        assert!(!OriginPolicy::default().permits(Some("null"), Some("localhost")));
        assert!(
            OriginPolicy::default()
                .allow("null")
                .permits(Some("null"), Some("x"))
        );
        assert!(
            OriginPolicy::default()
                .allow_any()
                .permits(Some("null"), Some("x"))
        );
    }

    #[test]
    fn unparseable_origins_are_refused() {
        let p = OriginPolicy::default();
        for origin in [
            "",
            "127.0.0.1:8080",
            "http://",
            "http://user@127.0.0.1:8080",
            "http://127.0.0.1:8080/path",
            "http://127.0.0.1:99999",
            "http://[::1",
            "1http://127.0.0.1:8080",
        ] {
            assert!(!p.permits(Some(origin), Some("127.0.0.1:8080")), "{origin}");
        }
    }

    #[test]
    fn allow_list() {
        let p = OriginPolicy::same_origin()
            .allow("HTTP://LocalHost:5173/")
            .allow("https://app.example.com:443")
            .allow("not an origin");
        assert!(p.permits(Some("http://localhost:5173"), Some("127.0.0.1:8080")));
        assert!(p.permits(Some("https://app.example.com"), Some("127.0.0.1:8080")));
        // Scheme and port matter for listed origins.
        assert!(!p.permits(Some("https://localhost:5173"), Some("127.0.0.1:8080")));
        assert!(!p.permits(Some("http://localhost:5174"), Some("127.0.0.1:8080")));
        assert!(!p.permits(Some("http://app.example.com"), Some("127.0.0.1:8080")));
        // Same-origin still applies alongside the list.
        assert!(p.permits(Some("http://127.0.0.1:8080"), Some("127.0.0.1:8080")));
    }

    #[test]
    fn wildcard() {
        let p = OriginPolicy::same_origin().allow("*");
        assert!(p.permits(Some("http://evil.com"), Some("127.0.0.1:8080")));
        assert!(p.permits(Some("garbage"), None));
    }
}
