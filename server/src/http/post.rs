//! JSON-RPC over plain HTTP: a `POST` to the endpoint's path whose body is
//! one call or a batch, answered with the response body (`200`, JSON) or,
//! when it held only notifications, `204 No Content`, as jsonrpsee and other
//! HTTP JSON-RPC servers do. `curl` and HTTP-only clients reach the same
//! methods as WebSocket clients; the engine's answers are the same (a body
//! that is not JSON is a -32700 in a `200`). HTTP's own problems get HTTP
//! statuses, with a JSON-RPC error object as the body: no `Content-Length`
//! (411) and a body over the message size limit (413, -32001).
//!
//! A page of another origin that the server allows may POST too: the CORS
//! preflight (`OPTIONS`) is answered, and every answer to a request with an
//! `Origin` names it in `Access-Control-Allow-Origin` (a request reaches
//! here only once its origin passed the server's Origin rules).

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use ::http::StatusCode;
use jrpc_shared::ErrorObject;

use super::head::RequestHead;
use super::response::write_response;

/// A refusal: its status and JSON body.
pub(crate) struct Refusal(StatusCode, String);

impl Refusal {
    fn new(status: StatusCode, error: ErrorObject) -> Self {
        let body = format!(
            r#"{{"jsonrpc":"2.0","error":{},"id":null}}"#,
            error.to_json()
        );
        Refusal(status, body)
    }

    /// Sends it, readable by a page of `origin`.
    pub(crate) async fn write<S: AsyncWrite + Unpin>(
        &self,
        stream: &mut S,
        origin: Option<&str>,
    ) -> std::io::Result<()> {
        respond(stream, self.0, Some(&self.1), origin).await
    }
}

/// Reads the body of `head` (some of it already read, in `leftover`), at
/// most `limit` bytes, as text; the buffer grows as bytes arrive, so a
/// `Content-Length` alone reserves nothing. Answers `Expect: 100-continue`.
pub(crate) async fn read_body<S: AsyncRead + AsyncWrite + Unpin>(
    stream: &mut S,
    head: &RequestHead,
    mut leftover: Vec<u8>,
    limit: usize,
) -> Result<String, Refusal> {
    let length = head
        .header("content-length")
        .filter(|_| head.header("transfer-encoding").is_none())
        .and_then(|len| len.trim().parse::<usize>().ok())
        .ok_or_else(|| {
            let message =
                "Invalid Request: a JSON-RPC POST needs a Content-Length (no chunked body)";
            Refusal::new(
                StatusCode::LENGTH_REQUIRED,
                ErrorObject::new(jrpc_shared::code::INVALID_REQUEST, message),
            )
        })?;
    if length > limit {
        let error = ErrorObject::message_too_large(length, limit);
        return Err(Refusal::new(StatusCode::PAYLOAD_TOO_LARGE, error));
    }
    leftover.truncate(length);
    let missing = length - leftover.len();
    if missing > 0
        && head
            .header("expect")
            .is_some_and(|e| e.eq_ignore_ascii_case("100-continue"))
    {
        // curl waits a second for this before sending a body over 1 KiB.
        let _ = stream.write_all(b"HTTP/1.1 100 Continue\r\n\r\n").await;
    }
    leftover.reserve(missing.min(READ_AHEAD));
    let read = (&mut *stream)
        .take(missing as u64)
        .read_to_end(&mut leftover)
        .await;
    if read.is_err() || leftover.len() < length {
        let error = ErrorObject::new(
            jrpc_shared::code::INVALID_REQUEST,
            "Invalid Request: the body ended before its Content-Length",
        );
        return Err(Refusal::new(StatusCode::BAD_REQUEST, error));
    }
    // Not UTF-8 is not JSON: the engine answers it with -32700 like any
    // other text that is not JSON.
    Ok(String::from_utf8(leftover)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
}

/// Sends the answer, readable by a page of `origin`: `200` with the reply,
/// `204` when there is none, or a `500` (-32603) instead of a reply longer
/// than `cap` bytes.
pub(crate) async fn reply<S: AsyncWrite + Unpin>(
    stream: &mut S,
    reply: Option<String>,
    cap: usize,
    origin: Option<&str>,
) -> std::io::Result<()> {
    match reply {
        Some(body) if body.len() > cap => {
            let error = ErrorObject::internal_error(format!(
                "the answer is {} bytes, over the limit of {cap}",
                body.len()
            ));
            Refusal::new(StatusCode::INTERNAL_SERVER_ERROR, error)
                .write(stream, origin)
                .await
        }
        Some(body) => respond(stream, StatusCode::OK, Some(&body), origin).await,
        None => respond(stream, StatusCode::NO_CONTENT, None, origin).await,
    }
}

/// Answers a CORS preflight (`OPTIONS`) for a POST from a page of an
/// allowed origin: the method, the headers it asked for, and how long the
/// browser may keep the answer.
pub(crate) async fn preflight<S: AsyncWrite + Unpin>(
    stream: &mut S,
    head: &RequestHead,
) -> std::io::Result<()> {
    let mut headers = vec![
        ("allow", "POST, GET, OPTIONS"),
        ("access-control-allow-methods", "POST"),
        ("access-control-max-age", "600"),
    ];
    readable_by(&mut headers, head.header("origin"));
    if let Some(asked) = head.header("access-control-request-headers") {
        headers.push(("access-control-allow-headers", asked));
    }
    write_response(stream, StatusCode::NO_CONTENT, &headers, b"", true).await
}

/// After a refusal, reads (and drops) what the client still sends, a
/// little and briefly: closing with unread bytes would reset the
/// connection, and the client could lose the refusal with it.
pub(crate) async fn linger<S: AsyncRead + AsyncWrite + Unpin>(stream: &mut S) {
    let _ = stream.shutdown().await;
    let mut rest = (&mut *stream).take(LINGER_BYTES);
    let mut sink = tokio::io::sink();
    let _ = tokio::time::timeout(LINGER_TIME, tokio::io::copy(&mut rest, &mut sink)).await;
}

/// How much of a body is read ahead of its arrival.
const READ_AHEAD: usize = 64 * 1024;
/// At most this much is read and dropped after a refusal, within `LINGER_TIME`.
const LINGER_BYTES: u64 = 256 * 1024;
const LINGER_TIME: std::time::Duration = std::time::Duration::from_secs(1);

/// Refuses a request before its body was read: `status` with the plain-text
/// `body`, readable by a page of `origin` (a page of an allowed origin that
/// POSTed), as the refusals of its body are.
pub(crate) async fn refuse<S: AsyncWrite + Unpin>(
    stream: &mut S,
    status: StatusCode,
    body: &str,
    origin: Option<&str>,
) -> std::io::Result<()> {
    let mut headers = vec![("content-type", super::response::TEXT_PLAIN)];
    readable_by(&mut headers, origin);
    write_response(stream, status, &headers, body.as_bytes(), true).await
}

/// Names `origin` (when there is one) as the page that may read the answer.
fn readable_by<'a>(headers: &mut Vec<(&'a str, &'a str)>, origin: Option<&'a str>) {
    if let Some(origin) = origin {
        headers.push(("access-control-allow-origin", origin));
        headers.push(("vary", "Origin"));
    }
}

async fn respond<S: AsyncWrite + Unpin>(
    stream: &mut S,
    status: StatusCode,
    body: Option<&str>,
    origin: Option<&str>,
) -> std::io::Result<()> {
    let mut headers = Vec::with_capacity(3);
    if body.is_some() {
        headers.push(("content-type", "application/json"));
    }
    readable_by(&mut headers, origin);
    let body = body.unwrap_or_default().as_bytes();
    write_response(stream, status, &headers, body, true).await
}
