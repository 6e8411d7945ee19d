//! One accepted TCP connection: read the HTTP request, then either upgrade it
//! to a WebSocket (checking the Origin) or serve a static file.

use std::net::SocketAddr;
use std::sync::Arc;

use crate::socket::Socket;
use http::StatusCode;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tracing::Instrument;

use crate::connection::CloseRequest;
use crate::driver::Driver;
use crate::handshake_info::HandshakeInfo;
use crate::http::{
    HeadError, RequestHead, post, probes, read_head, upgrade_response, write_simple,
};
use crate::meter::{Refused, Transport};
use crate::server::ServerState;
use crate::{Connection, Dialect};

/// Largest HTTP request head accepted (browsers send a few hundred bytes; cookies can add more).
const MAX_HEAD: usize = 16 * 1024;

/// Serves one connection to the end: a TCP stream, a TLS stream over one,
/// or any other byte stream.
pub(crate) async fn serve_socket<S>(
    stream: S,
    peer: SocketAddr,
    state: Arc<ServerState>,
    dialect: Dialect,
) where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let deadline = tokio::time::Instant::now() + state.limits.handshake_timeout;
    serve_socket_by(stream, peer, state, dialect, deadline).await;
}

/// [`serve_socket`], with the handshake to be done by `deadline` (a TLS
/// handshake before it counts against the same limit).
pub(crate) async fn serve_socket_by<S>(
    stream: S,
    peer: SocketAddr,
    state: Arc<ServerState>,
    dialect: Dialect,
    deadline: tokio::time::Instant,
) where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    // Boxed: the handshake's state (HTTP head buffer, header array) is several
    // KiB and only needed briefly; inline, it would stay in this long-lived
    // task's future for the whole connection.
    let handshaking = Box::pin(handshake(stream, peer, &state, dialect));
    let upgraded = tokio::time::timeout_at(deadline, handshaking).await;
    match upgraded {
        Ok(Some(Handshake::WebSocket(ws, conn))) => {
            serve_websocket(ws, conn, Some(peer), state, dialect).await
        }
        // The call may take as long as it takes: outside the handshake's
        // limit. Boxed, so that its state does not size every connection's task.
        Ok(Some(Handshake::Post(stream, conn, body))) => {
            Box::pin(answer_post(stream, conn, body, peer, &state)).await
        }
        Ok(None) => {}
        Err(_) => {
            state.meter.refused(Refused::Timeout);
            tracing::debug!(%peer, "handshake timed out; dropping the connection")
        }
    }
}

/// Answers a JSON-RPC POST on `stream`. A client that goes away first
/// (its end of the stream closes) cancels the calls: their handlers are
/// dropped, as on a WebSocket that closes.
async fn answer_post<S: AsyncRead + AsyncWrite + Unpin>(
    mut stream: S,
    conn: Connection,
    body: String,
    peer: SocketAddr,
    state: &ServerState,
) {
    state.meter.received(body.len());
    let origin = conn.headers().get("origin").and_then(|o| o.to_str().ok());
    let origin = origin.map(str::to_owned);
    let answering = crate::one_shot::answer(state, &body, conn.clone());
    let Some(reply) = until_gone(&mut stream, answering).await else {
        tracing::debug!(%peer, "the HTTP client went away; its calls are cancelled");
        conn.ended();
        return;
    };
    state.meter.sent(reply.as_ref().map_or(0, String::len));
    // A client that does not read its answer holds it only so long.
    let cap = state.limits.hard_message_cap();
    let sending = post::reply(&mut stream, reply, cap, origin.as_deref());
    match tokio::time::timeout(state.limits.handshake_timeout, sending).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => tracing::debug!(%peer, error = %e, "HTTP answer not sent"),
        Err(_) => tracing::debug!(%peer, "HTTP answer not taken in time"),
    }
}

/// `work`'s output, or `None` if the client's end of `stream` closes first
/// (what it sends meanwhile is dropped: the answer closes the connection).
async fn until_gone<S: AsyncRead + Unpin, T>(
    stream: &mut S,
    work: impl std::future::Future<Output = T>,
) -> Option<T> {
    let mut work = std::pin::pin!(work);
    let mut scratch = [0u8; 256];
    loop {
        tokio::select! {
            done = &mut work => return Some(done),
            read = stream.read(&mut scratch) => {
                if !matches!(read, Ok(n) if n > 0) {
                    return None;
                }
            }
        }
    }
}

/// What an HTTP request turned out to be, once read.
// Made once per connection and taken apart at once: boxing the WebSocket
// would only add an allocation.
#[allow(clippy::large_enum_variant)]
enum Handshake<S> {
    /// An accepted WebSocket upgrade, and its connection.
    WebSocket(Socket<S>, Connection),
    /// A JSON-RPC call in a POST body, read whole, to be answered on `S`.
    Post(S, Connection, String),
}

/// Serves a connection whose WebSocket handshake is done (here, or by
/// another HTTP server such as axum's) until it ends.
pub(crate) async fn serve_websocket<S>(
    ws: Socket<S>,
    conn: Connection,
    peer: Option<SocketAddr>,
    state: Arc<ServerState>,
    dialect: Dialect,
) where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    // Register before checking for shutdown: a shutdown that starts in
    // between then finds this connection in its sweep, or is seen here.
    let _registered = Registered::new(&state, &conn);
    if state.is_shutting_down() {
        conn.0.control.request(CloseRequest::GoingAway);
    }
    // Every event of this connection, its calls' included, is inside this span.
    let span = tracing::debug_span!(
        "connection",
        id = conn.id(),
        peer = peer.map(tracing::field::display)
    );
    span.in_scope(|| tracing::debug!("WebSocket connection open"));
    // The driver lives inline in this task (not in a nested `run` future, which
    // would store it twice): an idle connection's memory is mostly this task.
    let mut driver = Driver::new(ws, conn.clone(), Arc::clone(&state.methods), &state.limits)
        .with_slots(state.slots.clone())
        .with_meter(state.meter.clone())
        .with_dialect(dialect, Arc::clone(&state.legacy_names));
    let ending = driver.serve().instrument(span.clone()).await;
    driver.end(ending).instrument(span).await;
}

/// Keeps a connection in the server's live list while it runs, even if its
/// task is aborted (a forced shutdown) rather than finishing.
struct Registered<'s> {
    state: &'s ServerState,
    conn: Connection,
}

impl<'s> Registered<'s> {
    fn new(state: &'s ServerState, conn: &Connection) -> Self {
        state.register(conn);
        Registered {
            state,
            conn: conn.clone(),
        }
    }
}

impl Drop for Registered<'_> {
    fn drop(&mut self) {
        self.state.unregister(&self.conn);
    }
}

/// Reads the request head and answers it. Returns the WebSocket when the
/// request was an accepted upgrade, or the body of a JSON-RPC POST; `None`
/// when it was answered over HTTP.
async fn handshake<S: AsyncRead + AsyncWrite + Unpin>(
    mut stream: S,
    peer: SocketAddr,
    state: &ServerState,
    dialect: Dialect,
) -> Option<Handshake<S>> {
    let (head, leftover) = match read_head(&mut stream, MAX_HEAD).await {
        Ok(read) => read,
        Err(HeadError::TooLarge { .. }) => {
            state.meter.refused(Refused::BadRequest);
            let _ = write_simple(
                &mut stream,
                StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
                "request head too large\n",
            )
            .await;
            return None;
        }
        Err(HeadError::Malformed(e)) => {
            state.meter.refused(Refused::BadRequest);
            let _ = write_simple(
                &mut stream,
                StatusCode::BAD_REQUEST,
                &format!("malformed HTTP request: {e}\n"),
            )
            .await;
            return None;
        }
        Err(e) => {
            tracing::debug!(%peer, error = %e, "no HTTP request");
            return None;
        }
    };
    if probes::wants(state, &head) {
        if !permits_origin(state, &head, dialect) {
            state.meter.refused(Refused::Origin);
            let _ = write_simple(
                &mut stream,
                StatusCode::FORBIDDEN,
                &origin_refused(&head, Some(peer)),
            )
            .await;
        } else if let Err(e) = probes::answer(&mut stream, state, &head).await {
            tracing::debug!(%peer, error = %e, "probe not answered");
        }
        return None;
    }
    // The original jrpc.js connects to `ws://HOST:PORT` with no path: its
    // endpoint takes an upgrade at any path.
    let endpoint = match dialect {
        Dialect::Jrpc => head.header("upgrade").is_some(),
        _ => head.path() == state.path,
    };
    if !endpoint {
        #[cfg(feature = "static-files")]
        if let Some(root) = &state.www {
            if let Err(e) = crate::http::static_files::serve(&mut stream, root, &head).await {
                tracing::debug!(%peer, error = %e, "static file not sent");
            }
            return None;
        }
        let body = format!(
            "not found: the JSON-RPC WebSocket endpoint is {}\n",
            state.path
        );
        let _ = write_simple(&mut stream, StatusCode::NOT_FOUND, &body).await;
        return None;
    }
    if let Err((status, body)) = screen(state, &head, dialect, Some(peer)) {
        let readable = readable_by(state, &head, dialect);
        let _ = post::refuse(&mut stream, status, &body, readable).await;
        return None;
    }
    // A page of another (allowed) origin asks before it POSTs.
    if head.method == "OPTIONS" && dialect == Dialect::JsonRpc {
        if let Err(e) = post::preflight(&mut stream, &head).await {
            tracing::debug!(%peer, error = %e, "CORS preflight not answered");
        }
        return None;
    }
    let post = head.method == "POST" && dialect == Dialect::JsonRpc;
    // A request that is neither is refused before the hook sees it.
    let response = match post {
        true => None,
        false => match upgrade_response(&head) {
            Ok(response) => Some(response),
            Err(rejection) => {
                state.meter.refused(Refused::BadRequest);
                let _ = rejection.write(&mut stream).await;
                return None;
            }
        },
    };
    let info = HandshakeInfo::new(Some(peer), head.target.clone(), &head.headers);
    let conn = match admit(state, info).await {
        Ok(conn) => conn,
        Err(refusal) => {
            state.meter.refused(Refused::Auth);
            tracing::info!(%peer, status = refusal.status(), reason = %refusal.reason, "refused by the handshake hook");
            let readable = readable_by(state, &head, dialect);
            let _ = post::refuse(&mut stream, refusal.status, &refusal.body(), readable).await;
            post::linger(&mut stream).await;
            return None;
        }
    };
    let Some(response) = response else {
        let limit = state.limits.max_message_size;
        return match post::read_body(&mut stream, &head, leftover, limit).await {
            Ok(body) => {
                state.meter.accepted(Transport::Http);
                Some(Handshake::Post(stream, conn, body))
            }
            Err(refusal) => {
                state.meter.refused(Refused::BadRequest);
                conn.ended();
                let _ = refusal.write(&mut stream, head.header("origin")).await;
                post::linger(&mut stream).await;
                None
            }
        };
    };
    if stream.write_all(response.as_bytes()).await.is_err() {
        conn.ended();
        return None;
    }
    state.meter.accepted(Transport::WebSocket);
    let config = state.limits.websocket_config();
    let ws = Socket::server(stream, leftover, config);
    Some(Handshake::WebSocket(ws, conn))
}

/// What every request for the JSON-RPC endpoint passes, wherever it
/// arrives (here, or through an axum route): its page's origin must be
/// allowed, and the server must still take connections. The refusal's
/// status and body otherwise, counted in the server's metrics.
pub(crate) fn screen(
    state: &ServerState,
    head: &RequestHead,
    dialect: Dialect,
    peer: Option<SocketAddr>,
) -> Result<(), (StatusCode, String)> {
    if !permits_origin(state, head, dialect) {
        // Name the way out: the common case is a page from a dev server on
        // another port, and its origin is exactly what to allow.
        state.meter.refused(Refused::Origin);
        return Err((StatusCode::FORBIDDEN, origin_refused(head, peer)));
    }
    // Draining: a load balancer sends this one to another server.
    if state.is_shutting_down() {
        state.meter.refused(Refused::ShuttingDown);
        let body = "server shutting down\n".to_owned();
        return Err((StatusCode::SERVICE_UNAVAILABLE, body));
    }
    Ok(())
}

/// The page origin that may read a refusal of this request: that of a
/// JSON-RPC POST (or its preflight) from a page the Origin rules allow, so
/// that its `fetch` sees the status (401, 503) rather than a network error.
fn readable_by<'h>(
    state: &ServerState,
    head: &'h RequestHead,
    dialect: Dialect,
) -> Option<&'h str> {
    let post = matches!(head.method.as_str(), "POST" | "OPTIONS") && dialect == Dialect::JsonRpc;
    head.header("origin")
        .filter(|_| post && permits_origin(state, head, dialect))
}

/// Whether the page asking for this WebSocket may open it. A legacy endpoint
/// listens on a port of its own, while the pages that use it come from the
/// main port (the original calculator page was served from 8080 and
/// connected to 9000): for it, the main port's own pages count as same-origin.
/// The connection for an accepted request, once the handshake hook (if the
/// server has one) has seen it; the hook's refusal otherwise.
pub(crate) async fn admit(
    state: &ServerState,
    info: HandshakeInfo,
) -> Result<Connection, crate::auth::Refusal> {
    let conn = Connection::new(
        info,
        Arc::clone(&state.app_state),
        state.limits.max_queued_messages,
        state.limits.request_timeout,
    );
    if let Some(hook) = &state.hook {
        hook(conn.clone()).await?;
    }
    Ok(conn)
}

/// Logs a refused Origin, naming the flag that would let it in, and
/// returns the 403's body, which says the same.
pub(crate) fn origin_refused(head: &RequestHead, peer: Option<SocketAddr>) -> String {
    let origin = head.header("origin").unwrap_or("(none)");
    tracing::info!(
        peer = peer.map(tracing::field::display),
        "refused a WebSocket from a page of {origin}: to let it in, start the server with \
         --allow-origin {origin} (ServerBuilder::allow_origin in the library)"
    );
    format!(
        "forbidden: pages of {origin} may not open a WebSocket here; the server allows them \
         with --allow-origin {origin}\n"
    )
}

pub(crate) fn permits_origin(state: &ServerState, head: &RequestHead, dialect: Dialect) -> bool {
    let (origin, host) = (head.header("origin"), head.header("host"));
    if state.origin.permits(origin, host) {
        return true;
    }
    let (Dialect::Jrpc, Some(host)) = (dialect, host) else {
        return false;
    };
    let name = match host.rsplit_once(':') {
        // Not the `:` inside a bracketed IPv6 address.
        Some((name, port)) if !port.contains(']') => name,
        _ => host,
    };
    let main = state.main_port;
    state
        .origin
        .permits(origin, Some(&format!("{name}:{main}")))
}
