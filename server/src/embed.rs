//! A server without a listener of its own, for connections accepted
//! elsewhere: by your own accept loop (a Unix socket, a TLS stack of your
//! choosing, an in-memory pipe in a test) with
//! [`ServerHandle::serve_stream`], or by axum (feature `axum`, see
//! [`ServerHandle::axum_route`]). Every connection gets the same methods,
//! limits, Origin rules and application state as one the server accepted.

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::io::{AsyncRead, AsyncWrite};

use crate::accept::serve_socket;
use crate::{Dialect, ServerBuilder, ServerHandle};

impl ServerBuilder {
    /// The server, without a listener: connections come through
    /// [`ServerHandle::serve_stream`] or an axum route. `shutdown()` then
    /// closes them with 1001 (after their running calls, as usual) and
    /// `stopped()` completes at once; `url()` and `local_addr()` mean
    /// nothing (`0.0.0.0:0`).
    ///
    /// ```
    /// # async fn demo() -> std::io::Result<()> {
    /// use jrpc::{Connection, ErrorObject, Server};
    /// let handle = Server::builder()
    ///     .sync_method("add", |_c: Connection, (a, b): (i64, i64)| Ok::<_, ErrorObject>(a + b))
    ///     .build()?;
    /// // An in-memory pipe: the other end would be a client's.
    /// let (_client_end, server_end) = tokio::io::duplex(64 * 1024);
    /// tokio::spawn(async move {
    ///     handle.serve_stream(server_end, ([127, 0, 0, 1], 0).into()).await
    /// });
    /// # Ok(()) }
    /// ```
    pub fn build(self) -> std::io::Result<ServerHandle> {
        let state = self.into_state(0)?;
        let mut handle = ServerHandle::new(state, SocketAddr::from(([0, 0, 0, 0], 0)));
        handle.standalone = true;
        Ok(handle)
    }
}

impl ServerHandle {
    /// Serves one connection over `stream`, any byte stream, from its HTTP
    /// request (the WebSocket upgrade, or a static file with `www`) to its
    /// end; `peer` is who is at the other end, as handlers and logs see it.
    /// The connection counts among [`ServerHandle::connections`] and
    /// closes on shutdown. The handshake timeout applies;
    /// `Limits::max_connections` is the caller's to enforce.
    pub async fn serve_stream<S>(&self, stream: S, peer: SocketAddr)
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        serve_socket(stream, peer, Arc::clone(&self.state), Dialect::JsonRpc).await;
    }
}
