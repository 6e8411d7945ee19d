//! Reading and parsing of an HTTP/1.1 request head.
//!
//! The head is read from the raw TCP stream before we know whether the
//! connection is a WebSocket upgrade or a static-file request. Bytes read past
//! the end of the head are handed back to the caller, because a client may
//! pipeline its first WebSocket frame right behind the upgrade request and
//! those bytes must not be lost.

use ::http::{HeaderMap, HeaderName, HeaderValue};
use tokio::io::{AsyncRead, AsyncReadExt};

/// Maximum number of header lines accepted in one request head.
const MAX_HEADERS: usize = 64;

/// Size of each read from the stream; large enough that typical heads arrive
/// in one read, small enough to not over-allocate per connection.
const READ_CHUNK: usize = 4096;

/// A parsed HTTP request line and header block.
#[derive(Debug, Clone)]
pub(crate) struct RequestHead {
    /// Request method, e.g. `GET`.
    pub method: String,
    /// Raw request-target as sent by the client, e.g. `/rpc?x=1`.
    pub target: String,
    /// All request headers.
    pub headers: HeaderMap,
}

impl RequestHead {
    /// The request-target without its query string (`/rpc?x=1` → `/rpc`).
    pub fn path(&self) -> &str {
        match self.target.split_once('?') {
            Some((path, _query)) => path,
            None => &self.target,
        }
    }

    /// The first value of header `name` as a string.
    ///
    /// Returns `None` if the header is absent or its value is not visible
    /// ASCII (such values are never meaningful for the headers we inspect).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name)?.to_str().ok()
    }

    /// Whether header `name` contains `token` in its comma-separated list.
    ///
    /// Matching is ASCII case-insensitive and considers every occurrence of
    /// the header, since e.g. `Connection: keep-alive, Upgrade` may also be
    /// sent as two separate header lines.
    pub fn has_token(&self, name: &str, token: &str) -> bool {
        self.headers
            .get_all(name)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .any(|item| item.trim().eq_ignore_ascii_case(token))
    }
}

/// Why a request head could not be read.
#[derive(Debug, thiserror::Error)]
pub(crate) enum HeadError {
    /// Reading from the underlying stream failed.
    #[error("i/o error while reading request head: {0}")]
    Io(#[from] std::io::Error),
    /// The head was not complete within `limit` bytes.
    #[error("request head exceeds {limit} bytes")]
    TooLarge {
        /// The configured maximum head size in bytes.
        limit: usize,
    },
    /// The bytes received are not a valid HTTP/1.x request head (this
    /// includes having more than 64 header lines).
    #[error("malformed request head: {0}")]
    Malformed(httparse::Error),
    /// The peer closed the connection before sending a complete head.
    #[error("connection closed before a complete request head was received")]
    Closed,
}

/// Reads one request head from `stream`.
///
/// Returns the parsed head and the bytes that were read after it (possibly
/// empty). Fails with [`HeadError::TooLarge`] if no complete head arrived
/// within `max_len` bytes.
pub(crate) async fn read_head<S: AsyncRead + Unpin>(
    stream: &mut S,
    max_len: usize,
) -> Result<(RequestHead, Vec<u8>), HeadError> {
    let mut buf: Vec<u8> = Vec::new();
    let mut chunk = [0u8; READ_CHUNK];
    loop {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(HeadError::Closed);
        }
        buf.extend_from_slice(&chunk[..n]);

        if let Some((head, head_len)) = try_parse(&buf)? {
            if head_len > max_len {
                return Err(HeadError::TooLarge { limit: max_len });
            }
            let leftover = buf.split_off(head_len);
            return Ok((head, leftover));
        }
        if buf.len() >= max_len {
            return Err(HeadError::TooLarge { limit: max_len });
        }
    }
}

/// Parses `buf`, returning the head and its length in bytes once complete.
///
/// Re-parsing from the start on each call is fine: heads are small and most
/// arrive in a single read.
fn try_parse(buf: &[u8]) -> Result<Option<(RequestHead, usize)>, HeadError> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut req = httparse::Request::new(&mut headers);
    let head_len = match req.parse(buf).map_err(HeadError::Malformed)? {
        httparse::Status::Complete(len) => len,
        httparse::Status::Partial => return Ok(None),
    };

    // httparse always fills method and path for a complete request; treat
    // their absence as malformed rather than panicking.
    let method = req
        .method
        .ok_or(HeadError::Malformed(httparse::Error::Token))?;
    let target = req
        .path
        .ok_or(HeadError::Malformed(httparse::Error::Token))?;

    let mut map = HeaderMap::with_capacity(req.headers.len());
    for h in req.headers.iter() {
        let name = HeaderName::from_bytes(h.name.as_bytes())
            .map_err(|_| HeadError::Malformed(httparse::Error::HeaderName))?;
        let value = HeaderValue::from_bytes(h.value)
            .map_err(|_| HeadError::Malformed(httparse::Error::HeaderValue))?;
        map.append(name, value);
    }

    Ok(Some((
        RequestHead {
            method: method.to_owned(),
            target: target.to_owned(),
            headers: map,
        },
        head_len,
    )))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;
    use tokio::io::AsyncWriteExt;

    async fn parse(input: &[u8], max_len: usize) -> Result<(RequestHead, Vec<u8>), HeadError> {
        let mut reader = input;
        read_head(&mut reader, max_len).await
    }

    #[tokio::test]
    async fn parses_head_and_helpers() {
        let req = b"GET /rpc?x=1 HTTP/1.1\r\nHost: h\r\nConnection: keep-alive, Upgrade\r\n\
                    Upgrade: WebSocket\r\nX-Bin: \xff\r\n\r\n";
        let (head, rest) = parse(req, 8192).await.unwrap();
        assert_eq!(head.method, "GET");
        assert_eq!(head.target, "/rpc?x=1");
        assert_eq!(head.path(), "/rpc");
        assert_eq!(head.header("host"), Some("h"));
        assert_eq!(head.header("missing"), None);
        assert_eq!(head.header("x-bin"), None);
        assert!(head.has_token("connection", "upgrade"));
        assert!(head.has_token("Upgrade", "websocket"));
        assert!(!head.has_token("connection", "close"));
        assert!(rest.is_empty());
    }

    #[tokio::test]
    async fn token_across_repeated_headers() {
        let req = b"GET / HTTP/1.1\r\nConnection: keep-alive\r\nConnection: upgrade\r\n\r\n";
        let (head, _) = parse(req, 8192).await.unwrap();
        assert!(head.has_token("connection", "Upgrade"));
    }

    #[tokio::test]
    async fn returns_pipelined_leftover() {
        let mut req = b"GET /rpc HTTP/1.1\r\nHost: h\r\n\r\n".to_vec();
        req.extend_from_slice(&[0x81, 0x85, 1, 2, 3, 4, 5]);
        let (head, rest) = parse(&req, 8192).await.unwrap();
        assert_eq!(head.path(), "/rpc");
        assert_eq!(rest, vec![0x81, 0x85, 1, 2, 3, 4, 5]);
    }

    #[tokio::test]
    async fn head_split_across_reads() {
        let (mut client, mut server) = tokio::io::duplex(64);
        let task = tokio::spawn(async move {
            for part in [&b"GET /a HT"[..], b"TP/1.1\r\nHost: h\r", b"\n\r\nxyz"] {
                client.write_all(part).await.unwrap();
                tokio::task::yield_now().await;
            }
            client
        });
        let (head, rest) = read_head(&mut server, 8192).await.unwrap();
        assert_eq!(head.target, "/a");
        // The bytes after the head are written together with its end.
        assert_eq!(rest, b"xyz");
        drop(task.await.unwrap());
    }

    #[tokio::test]
    async fn too_large() {
        let mut req = b"GET / HTTP/1.1\r\n".to_vec();
        for i in 0..50 {
            req.extend_from_slice(format!("X-H{i}: {}\r\n", "a".repeat(100)).as_bytes());
        }
        req.extend_from_slice(b"\r\n");
        let err = parse(&req, 1024).await.unwrap_err();
        assert!(matches!(err, HeadError::TooLarge { limit: 1024 }));
        // Incomplete and over the limit as well.
        let err = parse(&req[..3000], 1024).await.unwrap_err();
        assert!(matches!(err, HeadError::TooLarge { limit: 1024 }));
    }

    #[tokio::test]
    async fn malformed() {
        let err = parse(b"GET / HTTP/1.1\r\nBad Header\r\n\r\n", 8192)
            .await
            .unwrap_err();
        assert!(matches!(err, HeadError::Malformed(_)));

        let mut req = b"GET / HTTP/1.1\r\n".to_vec();
        for i in 0..65 {
            req.extend_from_slice(format!("X-{i}: v\r\n").as_bytes());
        }
        req.extend_from_slice(b"\r\n");
        let err = parse(&req, 65536).await.unwrap_err();
        assert!(matches!(
            err,
            HeadError::Malformed(httparse::Error::TooManyHeaders)
        ));
    }

    #[tokio::test]
    async fn eof_before_complete() {
        let err = parse(b"GET / HTTP/1.1\r\nHost:", 8192).await.unwrap_err();
        assert!(matches!(err, HeadError::Closed));
        let err = parse(b"", 8192).await.unwrap_err();
        assert!(matches!(err, HeadError::Closed));
    }
}
