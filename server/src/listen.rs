//! Taking TCP connections for the accept loop of [`Server::run`]: each is
//! served on a task of its own (through TLS first when the server has it),
//! or turned away when the server has as many as it may.
//!
//! [`Server::run`]: crate::Server::run

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use http::StatusCode;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;

use crate::Dialect;
use crate::accept::serve_socket;
use crate::http::write_simple;
use crate::meter::Refused;
use crate::server::ServerState;

/// The accept loop's state: the connections being served (how many may be
/// is the server's `permits`).
pub(crate) struct Accepting {
    pub(crate) tasks: JoinSet<()>,
    pub(crate) state: Arc<ServerState>,
}

impl Accepting {
    /// Serves an accepted connection on a task of its own, or turns it away
    /// when the server has as many as it may.
    pub(crate) async fn take(
        &mut self,
        accepted: std::io::Result<(TcpStream, SocketAddr, Dialect)>,
    ) {
        let state = &self.state;
        let (stream, peer, dialect) = match accepted {
            Ok(accepted) => accepted,
            Err(e) => {
                // Usually out of file descriptors: back off instead of spinning.
                tracing::warn!(error = %e, "accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                return;
            }
        };
        match Arc::clone(&state.permits).try_acquire_owned() {
            Ok(permit) => {
                let state = Arc::clone(state);
                let _ = stream.set_nodelay(true);
                self.tasks.spawn(async move {
                    serve_tcp(stream, peer, state, dialect).await;
                    drop(permit);
                });
            }
            Err(_) => {
                state.meter.refused(Refused::Limit);
                // A TLS client would read a plain 503 as a TLS error: it is
                // just closed instead.
                #[cfg(feature = "tls")]
                if state.tls.is_some() && dialect == Dialect::JsonRpc {
                    return;
                }
                self.tasks.spawn(refuse_busy(stream));
            }
        }
    }
}

/// Serves an accepted TCP connection: through TLS first when the server has
/// it (the main listener only), within the handshake timeout.
async fn serve_tcp(stream: TcpStream, peer: SocketAddr, state: Arc<ServerState>, dialect: Dialect) {
    #[cfg(feature = "tls")]
    if let (Some(acceptor), Dialect::JsonRpc) = (&state.tls, dialect) {
        // Boxed: inline, a TLS connection's larger state (the handshake's,
        // then the stream's) would size every plain connection's task too,
        // and an idle connection's memory is mostly that task.
        let acceptor = acceptor.clone();
        return Box::pin(serve_tls(acceptor, stream, peer, state)).await;
    }
    serve_socket(stream, peer, state, dialect).await;
}

/// [`serve_tcp`] for the TLS listener: the TLS handshake, then the
/// connection, both within one handshake timeout.
#[cfg(feature = "tls")]
async fn serve_tls(
    acceptor: tokio_rustls::TlsAcceptor,
    stream: TcpStream,
    peer: SocketAddr,
    state: Arc<ServerState>,
) {
    let deadline = tokio::time::Instant::now() + state.limits.handshake_timeout;
    match tokio::time::timeout_at(deadline, acceptor.accept(stream)).await {
        Ok(Ok(tls)) => {
            crate::accept::serve_socket_by(tls, peer, state, Dialect::JsonRpc, deadline).await
        }
        Ok(Err(e)) => {
            state.meter.refused(Refused::Tls);
            tracing::debug!(%peer, error = %e, "TLS handshake failed")
        }
        Err(_) => {
            state.meter.refused(Refused::Timeout);
            tracing::debug!(%peer, "TLS handshake timed out")
        }
    }
}

/// The next connection on either listener, with the dialect it speaks.
pub(crate) async fn accept(
    main: &TcpListener,
    legacy: &Option<TcpListener>,
) -> std::io::Result<(TcpStream, SocketAddr, Dialect)> {
    let legacy = async {
        match legacy {
            Some(listener) => listener.accept().await,
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        accepted = main.accept() => accepted.map(|(s, a)| (s, a, Dialect::JsonRpc)),
        accepted = legacy => accepted.map(|(s, a)| (s, a, Dialect::Jrpc)),
    }
}

async fn refuse_busy(mut stream: TcpStream) {
    let refusal = write_simple(
        &mut stream,
        StatusCode::SERVICE_UNAVAILABLE,
        "too many connections\n",
    );
    let _ = tokio::time::timeout(Duration::from_secs(1), refusal).await;
}
