//! Mounting a jrpc server on a route of an axum application (feature
//! `axum`): the route takes the WebSocket upgrade, with the server's Origin
//! rules, and hands the upgraded connection to the same driver every other
//! connection runs on. The rest of the app's routes stay the app's.

use std::net::SocketAddr;
use std::sync::Arc;

use crate::socket::Socket;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request};
use axum::http::{StatusCode, header};
use axum::response::Response;
use hyper_util::rt::TokioIo;

use crate::accept::{admit, screen, serve_websocket};
use crate::handshake_info::HandshakeInfo;
use crate::http::{RequestHead, accept_key};
use crate::meter::{Refused, Transport};
use crate::{Dialect, ServerHandle};

impl ServerHandle {
    /// An axum route (`GET` with a WebSocket upgrade) into this server.
    /// Build the server with [`ServerBuilder::build`](crate::ServerBuilder::build)
    /// and mount the route where the endpoint should be. Handlers see the
    /// peer's address when the app is served with
    /// `into_make_service_with_connect_info::<SocketAddr>()`.
    ///
    /// ```no_run
    /// # async fn demo() -> std::io::Result<()> {
    /// use jrpc::{Connection, ErrorObject, Server};
    /// let rpc = Server::builder()
    ///     .sync_method("add", |_c: Connection, (a, b): (i64, i64)| Ok::<_, ErrorObject>(a + b))
    ///     .build()?;
    /// let app = axum::Router::new()
    ///     .route("/rpc", rpc.axum_route())
    ///     .route("/", axum::routing::get(|| async { "hello" }));
    /// let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    /// axum::serve(listener, app).await
    /// # }
    /// ```
    pub fn axum_route<S>(&self) -> axum::routing::MethodRouter<S>
    where
        S: Clone + Send + Sync + 'static,
    {
        let handle = self.clone();
        axum::routing::get(move |request: Request| {
            let handle = handle.clone();
            async move { handle.upgrade(request).await }
        })
    }

    /// Answers an upgrade request: 101 and the connection served, or the
    /// refusal (403 for a foreign Origin, 503 when full, 4xx for a request
    /// that is no WebSocket upgrade, the handshake hook's 401 or 403).
    async fn upgrade(&self, request: Request) -> Response {
        let (mut parts, _body) = request.into_parts();
        let head = RequestHead {
            method: parts.method.to_string(),
            target: parts
                .uri
                .path_and_query()
                .map_or_else(|| parts.uri.path().to_owned(), |p| p.as_str().to_owned()),
            headers: std::mem::take(&mut parts.headers),
        };
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|info| info.0);
        let state = &self.state;
        if let Err((status, body)) = screen(state, &head, Dialect::JsonRpc, peer) {
            return plain(status, body);
        }
        // Taken now, held by the connection's task: upgrades that arrive
        // together cannot all pass a count made before any registered.
        let Ok(permit) = Arc::clone(&state.permits).try_acquire_owned() else {
            state.meter.refused(Refused::Limit);
            return plain(
                StatusCode::SERVICE_UNAVAILABLE,
                "too many connections\n".into(),
            );
        };
        let accept = match accept_key(&head) {
            Ok(accept) => accept,
            Err(rejection) => {
                state.meter.refused(Refused::BadRequest);
                let mut response = plain(rejection.status, rejection.message.to_owned());
                for (name, value) in rejection.headers {
                    if let (Ok(name), Ok(value)) = (
                        header::HeaderName::try_from(*name),
                        header::HeaderValue::try_from(*value),
                    ) {
                        response.headers_mut().insert(name, value);
                    }
                }
                return response;
            }
        };
        let Some(upgrading) = parts.extensions.remove::<hyper::upgrade::OnUpgrade>() else {
            // HTTP/2 and HTTP/3 have no such upgrade.
            return plain(
                StatusCode::UPGRADE_REQUIRED,
                "a WebSocket needs an HTTP/1.1 connection\n".into(),
            );
        };
        let info = HandshakeInfo::new(peer, head.target.clone(), &head.headers);
        let conn =
            match tokio::time::timeout(state.limits.handshake_timeout, admit(state, info)).await {
                Ok(Ok(conn)) => conn,
                Ok(Err(refusal)) => {
                    state.meter.refused(Refused::Auth);
                    return plain(refusal.status, refusal.body());
                }
                Err(_) => {
                    state.meter.refused(Refused::Timeout);
                    return plain(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "the handshake hook took too long\n".into(),
                    );
                }
            };
        state.meter.accepted(Transport::WebSocket);
        let state = Arc::clone(state);
        tokio::spawn(async move {
            let _permit = permit;
            let upgraded = match upgrading.await {
                Ok(upgraded) => upgraded,
                Err(e) => {
                    tracing::debug!(error = %e, "the WebSocket upgrade did not complete");
                    conn.ended();
                    return;
                }
            };
            let config = state.limits.websocket_config();
            let ws = Socket::server(TokioIo::new(upgraded), Vec::new(), config);
            serve_websocket(ws, conn, peer, state, Dialect::JsonRpc).await;
        });
        let mut response = Response::new(Body::empty());
        *response.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
        let headers = response.headers_mut();
        headers.insert(
            header::UPGRADE,
            header::HeaderValue::from_static("websocket"),
        );
        headers.insert(
            header::CONNECTION,
            header::HeaderValue::from_static("Upgrade"),
        );
        if let Ok(accept) = header::HeaderValue::try_from(accept) {
            headers.insert(header::SEC_WEBSOCKET_ACCEPT, accept);
        }
        response
    }
}

/// A plain-text response.
fn plain(status: StatusCode, body: String) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}
