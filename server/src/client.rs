//! The native client: connects to a jrpc (or any JSON-RPC 2.0 WebSocket) server.

use std::ops::Deref;
use std::sync::Arc;

#[cfg(feature = "tls")]
use tokio_tungstenite::Connector;
use tokio_tungstenite::MaybeTlsStream;
#[cfg(not(feature = "tls"))]
use tokio_tungstenite::connect_async_with_config;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tracing::Instrument;

use crate::driver::Driver;
use crate::handshake_info::HandshakeInfo;
use crate::state::State;
use crate::{Codec, Connection, Dialect, Limits, MethodSet};

/// Why [`Client::connect`] failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConnectError {
    /// The URL is not a valid `ws://` URL (bad syntax, scheme or host).
    #[error("invalid WebSocket URL {url:?}: {source}")]
    InvalidUrl {
        /// The URL as given.
        url: String,
        /// What was wrong with it.
        source: tokio_tungstenite::tungstenite::Error,
    },
    /// The TCP connection failed (refused, unreachable, reset).
    #[error("could not connect to {url}: {source}")]
    Io {
        /// The URL as given.
        url: String,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The server refused or botched the WebSocket handshake (e.g. HTTP 403 for a foreign Origin).
    #[error("could not connect to {url}: {source}")]
    Handshake {
        /// The URL as given.
        url: String,
        /// The underlying error.
        source: tokio_tungstenite::tungstenite::Error,
    },
    /// TLS failed: the server's certificate is not trusted (or expired, or
    /// for another name), or the system's root certificates could not be
    /// loaded. A private CA is trusted with `ClientBuilder::tls`.
    #[error("could not connect to {url}: {reason}")]
    Tls {
        /// The URL as given.
        url: String,
        /// Why.
        reason: String,
    },
    /// The server did not complete the handshake within the handshake timeout.
    #[error("could not connect to {url}: no answer within {timeout:?}")]
    Timeout {
        /// The URL as given.
        url: String,
        /// The limit that ran out.
        timeout: std::time::Duration,
    },
}

impl ConnectError {
    fn from_ws(url: &str, error: tokio_tungstenite::tungstenite::Error) -> Self {
        use tokio_tungstenite::tungstenite::Error as WsError;
        let url = url.to_owned();
        match error {
            // tungstenite checks the scheme and host only when connecting.
            source @ WsError::Url(_) => ConnectError::InvalidUrl { url, source },
            // rustls reports a refused certificate as an I/O error.
            #[cfg(feature = "tls")]
            WsError::Io(source)
                if source
                    .get_ref()
                    .is_some_and(|inner| inner.is::<rustls::Error>()) =>
            {
                ConnectError::Tls {
                    url,
                    reason: format!(
                        "TLS failed: {source} (a private CA or a self-signed server \
                         needs ClientBuilder::tls, or `jrpc --ca FILE`)"
                    ),
                }
            }
            WsError::Io(source) => ConnectError::Io { url, source },
            source => ConnectError::Handshake { url, source },
        }
    }
}

/// Configures a [`Client`]: methods the server may call, limits, timeouts.
///
/// ```no_run
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// use jrpc::{Client, Connection, ErrorObject};
/// let client = Client::builder()
///     .sync_method("ui.time", |_c: Connection, (): ()| Ok::<_, ErrorObject>(42))
///     .connect("ws://127.0.0.1:8080/rpc")
///     .await?;
/// let sum: i64 = client.request("Add", &(5, 10)).await?;
/// # Ok(()) }
/// ```
#[derive(Default)]
pub struct ClientBuilder {
    methods: MethodSet,
    limits: Limits,
    dialect: Dialect,
    codec: Codec,
    app_state: State,
    /// Extra headers of the opening handshake (a token, a cookie).
    headers: http::HeaderMap,
    #[cfg(feature = "tls")]
    tls: Option<Arc<crate::tls::ClientConfig>>,
}

impl ClientBuilder {
    crate::method_set::builder_methods!("the server may call");

    /// Changes limits in place, e.g. the default request timeout:
    /// `.with_limits(|l| l.request_timeout = Duration::from_secs(5))`.
    pub fn with_limits(mut self, change: impl FnOnce(&mut Limits)) -> Self {
        change(&mut self.limits);
        self
    }

    /// Gives the methods the server may call `value`, which they read with
    /// [`Connection::state`] (one value per type).
    pub fn state<T: Send + Sync + 'static>(mut self, value: T) -> Self {
        self.app_state.insert(value);
        self
    }

    /// Connects to `wss://` URLs with `config` (see [`crate::tls`]), for
    /// a private CA or a client certificate; without it a `wss://` URL is
    /// checked against the system's roots. Feature `tls`.
    #[cfg(feature = "tls")]
    pub fn tls(mut self, config: Arc<crate::tls::ClientConfig>) -> Self {
        self.tls = Some(config);
        self
    }

    /// Sends header `name: value` with the opening handshake, for a server
    /// that authenticates there (`Authorization`, `Cookie`, ...; see
    /// [`crate::auth`]). A name or value HTTP does not allow is ignored.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        if let (Ok(name), Ok(value)) = (
            http::HeaderName::try_from(name),
            http::HeaderValue::try_from(value),
        ) {
            self.headers.append(name, value);
        }
        self
    }

    /// Speaks `dialect` (JSON-RPC 2.0 by default; [`Dialect::Jrpc`] talks
    /// to a server of the original jrpc, or to `jrpc-server --legacy-addr`).
    /// The API stays the same: params given as an array are sent as `args`,
    /// as an object as `kwargs`.
    pub fn dialect(mut self, dialect: Dialect) -> Self {
        self.dialect = dialect;
        self
    }

    /// Packs messages as `codec` says: [`Codec::Msgpack`] talks to a
    /// wsjsonrpc server configured with its msgpack codec (and to jrpc
    /// servers, which answer in kind). Ignored with [`Dialect::Jrpc`], which
    /// has no msgpack.
    pub fn codec(mut self, codec: Codec) -> Self {
        self.codec = codec;
        self
    }

    /// Connects to `url` (`ws://host:port/path`).
    pub async fn connect(self, url: &str) -> Result<Client, ConnectError> {
        let mut request = url
            .into_client_request()
            .map_err(|source| ConnectError::InvalidUrl {
                url: url.to_owned(),
                source,
            })?;
        request.headers_mut().extend(self.headers.clone());
        let path = request.uri().path().to_owned();
        let timeout = self.limits.handshake_timeout;
        let config = self.limits.websocket_config();
        #[cfg(feature = "tls")]
        let connecting = {
            let connector = match (&self.tls, request.uri().scheme_str()) {
                (Some(tls), _) => Some(Connector::Rustls(Arc::clone(tls))),
                (None, Some("wss")) => {
                    let tls =
                        crate::tls::default_client_config().map_err(|e| ConnectError::Tls {
                            url: url.to_owned(),
                            reason: e.to_string(),
                        })?;
                    Some(Connector::Rustls(tls))
                }
                (None, _) => None,
            };
            tokio_tungstenite::connect_async_tls_with_config(request, Some(config), true, connector)
        };
        #[cfg(not(feature = "tls"))]
        let connecting = connect_async_with_config(request, Some(config), true);
        let (ws, response) = tokio::time::timeout(timeout, connecting)
            .await
            .map_err(|_| ConnectError::Timeout {
                url: url.to_owned(),
                timeout,
            })?
            .map_err(|e| ConnectError::from_ws(url, e))?;
        let peer_addr = match ws.get_ref() {
            MaybeTlsStream::Plain(tcp) => tcp.peer_addr().ok(),
            #[cfg(feature = "tls")]
            MaybeTlsStream::Rustls(tls) => tls.get_ref().0.peer_addr().ok(),
            _ => None,
        };
        let info = HandshakeInfo::new(peer_addr, path, response.headers());
        let conn = Connection::new(
            info,
            Arc::new(self.app_state),
            self.limits.max_queued_messages,
            self.limits.request_timeout,
        );
        let driver = Driver::new(
            ws,
            conn.clone(),
            Arc::new(self.methods),
            &Arc::new(self.limits),
        )
        .with_dialect(self.dialect, Default::default())
        .with_codec(self.codec);
        let span = tracing::debug_span!("connection", id = conn.id(), url);
        tokio::spawn(driver.run().instrument(span));
        Ok(Client { conn })
    }
}

/// A connection to a server. Derefs to [`Connection`] for `request`, `notify`
/// and `batch`; dropping the client closes the connection.
pub struct Client {
    conn: Connection,
}

impl Client {
    /// Starts configuring a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// Connects with default settings and no methods of its own.
    pub async fn connect(url: &str) -> Result<Client, ConnectError> {
        Self::builder().connect(url).await
    }

    /// The underlying connection (cheap to clone and keep).
    pub fn connection(&self) -> &Connection {
        &self.conn
    }
}

impl Deref for Client {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        &self.conn
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        self.conn.close();
    }
}
