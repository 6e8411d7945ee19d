//! Writing of HTTP/1.1 responses and validation of WebSocket upgrades.
//!
//! Every response closes the connection (`Connection: close`): the server
//! answers one plain-HTTP request per connection, which keeps the hand-rolled
//! HTTP handling free of keep-alive and body-framing concerns.

use ::http::StatusCode;
use tokio::io::{AsyncWrite, AsyncWriteExt};
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;

use super::head::RequestHead;

/// Content type of all plain-text messages written by this module.
pub(crate) const TEXT_PLAIN: &str = "text/plain; charset=utf-8";

/// Writes a status line and headers, followed by `Content-Length` and
/// `Connection: close`, without flushing.
///
/// `content_length` is passed separately from any body so that `HEAD`
/// responses can announce the length of a body they do not send.
pub(crate) async fn write_head<S: AsyncWrite + Unpin>(
    stream: &mut S,
    status: StatusCode,
    headers: &[(&str, &str)],
    content_length: u64,
) -> std::io::Result<()> {
    let reason = status.canonical_reason().unwrap_or("");
    let mut head = format!("HTTP/1.1 {} {reason}\r\n", status.as_u16());
    for (name, value) in headers {
        head.push_str(name);
        head.push_str(": ");
        head.push_str(value);
        head.push_str("\r\n");
    }
    // A 204 has no body, and may not say how long it is (RFC 9110 §8.6).
    if status != StatusCode::NO_CONTENT {
        head.push_str(&format!("Content-Length: {content_length}\r\n"));
    }
    head.push_str("Connection: close\r\n\r\n");
    stream.write_all(head.as_bytes()).await
}

/// Writes a complete response and flushes it.
///
/// With `send_body == false` (a `HEAD` request) only the head is written, but
/// `Content-Length` still states the length of `body`.
pub(crate) async fn write_response<S: AsyncWrite + Unpin>(
    stream: &mut S,
    status: StatusCode,
    headers: &[(&str, &str)],
    body: &[u8],
    send_body: bool,
) -> std::io::Result<()> {
    write_head(stream, status, headers, body.len() as u64).await?;
    if send_body {
        stream.write_all(body).await?;
    }
    stream.flush().await
}

/// Writes a plain-text response with `body` and flushes it.
pub(crate) async fn write_simple<S: AsyncWrite + Unpin>(
    stream: &mut S,
    status: StatusCode,
    body: &str,
) -> std::io::Result<()> {
    write_response(
        stream,
        status,
        &[("Content-Type", TEXT_PLAIN)],
        body.as_bytes(),
        true,
    )
    .await
}

/// Why a WebSocket upgrade request was refused, and how to answer it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rejection {
    /// Response status.
    pub status: StatusCode,
    /// Plain-text response body explaining the problem.
    pub message: &'static str,
    /// Extra response headers that HTTP or RFC 6455 require with this status
    /// (e.g. `Upgrade` with 426, `Sec-WebSocket-Version` on version mismatch).
    pub headers: &'static [(&'static str, &'static str)],
}

impl Rejection {
    /// Writes this rejection as a complete plain-text response and flushes.
    pub async fn write<S: AsyncWrite + Unpin>(&self, stream: &mut S) -> std::io::Result<()> {
        let mut headers = vec![("Content-Type", TEXT_PLAIN)];
        headers.extend_from_slice(self.headers);
        write_response(stream, self.status, &headers, self.message.as_bytes(), true).await
    }
}

/// The upgrade request did not use `GET`.
const NOT_GET: Rejection = Rejection {
    status: StatusCode::METHOD_NOT_ALLOWED,
    message: "WebSocket upgrade requires the GET method\n",
    headers: &[("Allow", "GET, POST")],
};

/// A plain HTTP request reached the WebSocket endpoint.
const NOT_UPGRADE: Rejection = Rejection {
    status: StatusCode::UPGRADE_REQUIRED,
    message: "This is a WebSocket endpoint: connect with a WebSocket client \
              (request headers `Upgrade: websocket` and `Connection: Upgrade`)\n",
    // RFC 9110 §15.5.22: a 426 response must name the protocol to upgrade to.
    headers: &[("Upgrade", "websocket")],
};

/// The client speaks a WebSocket version other than 13.
const BAD_VERSION: Rejection = Rejection {
    status: StatusCode::UPGRADE_REQUIRED,
    message: "Unsupported WebSocket version: only Sec-WebSocket-Version 13 is supported\n",
    // RFC 6455 §4.4: tell the client which version(s) we do speak.
    headers: &[("Sec-WebSocket-Version", "13")],
};

/// `Sec-WebSocket-Key` is missing or not base64 of 16 bytes.
const BAD_KEY: Rejection = Rejection {
    status: StatusCode::BAD_REQUEST,
    message: "Missing or invalid Sec-WebSocket-Key header\n",
    headers: &[],
};

/// Validates a WebSocket upgrade request (RFC 6455 §4.2.1) and returns the
/// 101 response text, or the [`Rejection`] to answer it with.
///
/// Subprotocols and extensions are deliberately not negotiated: the response
/// omits `Sec-WebSocket-Protocol` and `Sec-WebSocket-Extensions`, which tells
/// the client that none are in use.
pub(crate) fn upgrade_response(head: &RequestHead) -> Result<String, Rejection> {
    let accept = accept_key(head)?;
    Ok(format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Accept: {accept}\r\n\r\n"
    ))
}

/// Validates a WebSocket upgrade request (RFC 6455 §4.2.1) and returns the
/// `Sec-WebSocket-Accept` value its 101 response carries.
pub(crate) fn accept_key(head: &RequestHead) -> Result<String, Rejection> {
    if head.method != "GET" {
        return Err(NOT_GET);
    }
    if !head.has_token("upgrade", "websocket") || !head.has_token("connection", "upgrade") {
        return Err(NOT_UPGRADE);
    }
    if head.header("sec-websocket-version").map(str::trim) != Some("13") {
        return Err(BAD_VERSION);
    }
    let key = head
        .header("sec-websocket-key")
        .map(str::trim)
        .filter(|key| is_valid_key(key))
        .ok_or(BAD_KEY)?;
    Ok(derive_accept_key(key.as_bytes()))
}

/// Whether `key` looks like base64 of 16 bytes (RFC 6455 §4.2.1 item 5):
/// 22 base64 characters followed by `==`.
fn is_valid_key(key: &str) -> bool {
    let bytes = key.as_bytes();
    bytes.len() == 24
        && bytes.ends_with(b"==")
        && bytes[..22]
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'+' || *b == b'/')
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;
    use ::http::{HeaderMap, HeaderName, HeaderValue};
    use tokio::io::AsyncReadExt;

    fn request(method: &str, headers: &[(&str, &str)]) -> RequestHead {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.append(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        RequestHead {
            method: method.to_owned(),
            target: "/rpc".to_owned(),
            headers: map,
        }
    }

    const GOOD: &[(&str, &str)] = &[
        ("Host", "server.example.com"),
        ("Upgrade", "websocket"),
        ("Connection", "keep-alive, Upgrade"),
        ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="),
        ("Sec-WebSocket-Version", "13"),
    ];

    fn without(name: &str) -> Vec<(&'static str, &'static str)> {
        GOOD.iter().copied().filter(|(n, _)| *n != name).collect()
    }

    fn replaced(name: &'static str, value: &'static str) -> Vec<(&'static str, &'static str)> {
        let mut headers = without(name);
        headers.push((name, value));
        headers
    }

    #[test]
    fn accepts_rfc_sample_key() {
        let response = upgrade_response(&request("GET", GOOD)).unwrap();
        assert_eq!(
            response,
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n"
        );
    }

    #[test]
    fn rejections() {
        let status = |method: &str, headers: &[(&str, &str)]| {
            upgrade_response(&request(method, headers))
                .unwrap_err()
                .status
        };
        assert_eq!(status("POST", GOOD), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(
            status("GET", &without("Upgrade")),
            StatusCode::UPGRADE_REQUIRED
        );
        assert_eq!(
            status("GET", &replaced("Upgrade", "h2c")),
            StatusCode::UPGRADE_REQUIRED
        );
        assert_eq!(
            status("GET", &without("Connection")),
            StatusCode::UPGRADE_REQUIRED
        );
        assert_eq!(
            status("GET", &replaced("Connection", "keep-alive")),
            StatusCode::UPGRADE_REQUIRED
        );
        let err =
            upgrade_response(&request("GET", &replaced("Sec-WebSocket-Version", "8"))).unwrap_err();
        assert_eq!(err, BAD_VERSION);
        assert!(err.headers.contains(&("Sec-WebSocket-Version", "13")));
        assert_eq!(
            status("GET", &without("Sec-WebSocket-Version")),
            StatusCode::UPGRADE_REQUIRED
        );
        assert_eq!(
            status("GET", &without("Sec-WebSocket-Key")),
            StatusCode::BAD_REQUEST
        );
        assert_eq!(
            status("GET", &replaced("Sec-WebSocket-Key", "short")),
            StatusCode::BAD_REQUEST
        );
    }

    async fn written(write: impl AsyncFnOnce(&mut tokio::io::DuplexStream)) -> String {
        let (mut a, mut b) = tokio::io::duplex(4096);
        write(&mut a).await;
        drop(a);
        let mut out = String::new();
        b.read_to_string(&mut out).await.unwrap();
        out
    }

    #[tokio::test]
    async fn simple_response_format() {
        let out = written(async |s| {
            write_simple(s, StatusCode::NOT_FOUND, "nope\n")
                .await
                .unwrap();
        })
        .await;
        assert_eq!(
            out,
            "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain; charset=utf-8\r\n\
             Content-Length: 5\r\nConnection: close\r\n\r\nnope\n"
        );
    }

    #[tokio::test]
    async fn rejection_carries_extra_headers() {
        let out = written(async |s| BAD_VERSION.write(s).await.unwrap()).await;
        assert!(out.starts_with("HTTP/1.1 426 Upgrade Required\r\n"));
        assert!(out.contains("\r\nSec-WebSocket-Version: 13\r\n"));
        assert!(out.ends_with(BAD_VERSION.message));
    }
}
