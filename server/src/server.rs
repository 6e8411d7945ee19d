//! The server: builder, accept loop, live connections and graceful shutdown.

use std::borrow::Cow;
use std::collections::HashMap;
use std::net::SocketAddr;
#[cfg(feature = "static-files")]
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::FutureExt;
use jrpc_shared::handler::SyncFn;
use jrpc_shared::legacy::ErrorNames;
use jrpc_shared::{CallError, encode_params, notification_text};
use serde::Serialize;
use tokio::net::{TcpListener, ToSocketAddrs};
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;

use crate::connection::CloseRequest;
use crate::describe::{self, ApiInfo};
use crate::listen::{Accepting, accept};
use crate::meter::Meter;
use crate::slots::Slots;
use crate::state::State;
use crate::{Connection, ErrorObject, Limits, MethodSet, OriginPolicy};

/// What every connection task of one server shares.
pub(crate) struct ServerState {
    pub(crate) methods: Arc<MethodSet>,
    pub(crate) limits: Arc<Limits>,
    pub(crate) path: String,
    #[cfg(feature = "static-files")]
    pub(crate) www: Option<PathBuf>,
    pub(crate) origin: OriginPolicy,
    /// What handlers read with `Connection::state`.
    pub(crate) app_state: Arc<State>,
    /// Runs before a request is served (see [`crate::auth`]).
    pub(crate) hook: Option<crate::auth::Hook>,
    /// TLS on the main listener (`https://`, `wss://`), if configured.
    #[cfg(feature = "tls")]
    pub(crate) tls: Option<tokio_rustls::TlsAcceptor>,
    /// The server-wide cap on running handlers, if there is one.
    pub(crate) slots: Option<Slots>,
    /// The port of the JSON-RPC 2.0 listener (whose pages a legacy endpoint accepts).
    pub(crate) main_port: u16,
    /// The type names legacy peers are shown for application errors.
    pub(crate) legacy_names: Arc<ErrorNames>,
    /// The server's metrics, if it keeps them.
    pub(crate) meter: Meter,
    /// `GET /healthz` is answered.
    pub(crate) health_check: bool,
    /// One per connection being served, up to `Limits::max_connections`:
    /// taken by the accept loop and the axum route alike, before anything
    /// else is done for the connection.
    pub(crate) permits: Arc<Semaphore>,
    live: Mutex<HashMap<u64, Connection>>,
    shutting_down: AtomicBool,
}

impl ServerState {
    pub(crate) fn is_shutting_down(&self) -> bool {
        self.shutting_down.load(Ordering::Acquire)
    }

    pub(crate) fn live(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Connection>> {
        self.live.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn register(&self, conn: &Connection) {
        self.live().insert(conn.id(), conn.clone());
    }

    pub(crate) fn unregister(&self, conn: &Connection) {
        self.live().remove(&conn.id());
    }
}

/// Configures a [`Server`].
///
/// ```no_run
/// # async fn demo() -> std::io::Result<()> {
/// use jrpc::{Connection, ErrorObject, Server};
/// let server = Server::builder()
///     .sync_method("add", |_c: Connection, (a, b): (i64, i64)| Ok::<_, ErrorObject>(a + b))
///     .bind("127.0.0.1:0")
///     .await?;
/// println!("listening on {}", server.local_addr());
/// server.run().await
/// # }
/// ```
pub struct ServerBuilder {
    pub(crate) methods: MethodSet,
    limits: Limits,
    path: String,
    #[cfg(feature = "static-files")]
    www: Option<PathBuf>,
    origin: OriginPolicy,
    legacy_names: ErrorNames,
    discover: Option<ApiInfo>,
    app_state: State,
    pub(crate) hook: Option<crate::auth::Hook>,
    #[cfg(feature = "tls")]
    tls: Option<Arc<crate::tls::ServerConfig>>,
    #[cfg(feature = "metrics")]
    metrics: Option<crate::metrics::prometheus_client::registry::Registry>,
    health_check: bool,
}

impl Default for ServerBuilder {
    fn default() -> Self {
        ServerBuilder {
            methods: MethodSet::new(),
            limits: Limits::default(),
            path: "/rpc".to_owned(),
            #[cfg(feature = "static-files")]
            www: None,
            origin: OriginPolicy::same_origin(),
            legacy_names: ErrorNames::default(),
            discover: None,
            app_state: State::default(),
            hook: None,
            #[cfg(feature = "tls")]
            tls: None,
            #[cfg(feature = "metrics")]
            metrics: None,
            health_check: false,
        }
    }
}

impl ServerBuilder {
    /// The WebSocket endpoint's path (default `/rpc`).
    pub fn path(mut self, path: impl Into<String>) -> Self {
        let path = path.into();
        self.path = if path.starts_with('/') {
            path
        } else {
            format!("/{path}")
        };
        self
    }

    /// Serves the files under `dir` over plain HTTP on the same port
    /// (feature `static-files`).
    #[cfg(feature = "static-files")]
    pub fn www(mut self, dir: impl Into<PathBuf>) -> Self {
        self.www = Some(dir.into());
        self
    }

    /// Gives every handler `value`, which it reads with
    /// [`Connection::state`]: one value per type (a later one of the same
    /// type replaces it), shared by all connections.
    pub fn state<T: Send + Sync + 'static>(mut self, value: T) -> Self {
        self.app_state.insert(value);
        self
    }

    /// Serves `https://` and `wss://` with `config` on the main listener
    /// (see [`crate::tls`]; the original jrpc dialect's listener stays
    /// plain, as its clients expect). The TLS handshake counts against
    /// [`Limits::handshake_timeout`]. Feature `tls`.
    #[cfg(feature = "tls")]
    pub fn tls(mut self, config: Arc<crate::tls::ServerConfig>) -> Self {
        self.tls = Some(config);
        self
    }

    /// Answers `GET /healthz` on the server's port, for a load balancer's
    /// health check: 200 `ok` while the server serves, 503 `draining` once
    /// a shutdown began (the server then still answers on its port until
    /// its connections have finished). A browser page of an origin the
    /// server does not allow gets 403, as for the WebSocket.
    pub fn health_check(mut self) -> Self {
        self.health_check = true;
        self
    }

    /// Keeps Prometheus metrics of the server in `registry` (under `jrpc_`;
    /// see [`crate::metrics`] for the list) and serves the registry, with
    /// whatever else the application registered in it, at `GET /metrics`
    /// on the server's port. [`ServerHandle::metrics_text`] gives the same
    /// page for an application that serves it elsewhere. A browser page of
    /// an origin the server does not allow gets 403. Feature `metrics`.
    ///
    /// ```no_run
    /// # async fn demo() -> std::io::Result<()> {
    /// use jrpc::metrics::prometheus_client::registry::Registry;
    /// let server = jrpc::Server::builder()
    ///     .metrics(Registry::default())
    ///     .health_check()
    ///     .bind("127.0.0.1:0")
    ///     .await?;
    /// # Ok(()) }
    /// ```
    #[cfg(feature = "metrics")]
    pub fn metrics(
        mut self,
        registry: crate::metrics::prometheus_client::registry::Registry,
    ) -> Self {
        self.metrics = Some(registry);
        self
    }

    /// Which browser origins may connect (default: same origin only).
    pub fn origin_policy(mut self, policy: OriginPolicy) -> Self {
        self.origin = policy;
        self
    }

    /// Allows one more origin (`*` allows all).
    pub fn allow_origin(mut self, origin: &str) -> Self {
        self.origin = self.origin.allow(origin);
        self
    }

    /// Changes limits in place: `.with_limits(|l| l.max_in_flight = 64)`, or
    /// all at once: `.with_limits(|l| *l = limits)`. The same on
    /// [`ClientBuilder::with_limits`](crate::ClientBuilder::with_limits).
    pub fn with_limits(mut self, change: impl FnOnce(&mut Limits)) -> Self {
        change(&mut self.limits);
        self
    }

    /// Shows errors with `code` to peers of the original jrpc dialect (see
    /// [`Server::bind_legacy`]) as the type name `name`, as the original
    /// Python server named its failures: `.legacy_error_name(100,
    /// "ZeroDivisionError")`. An error's `data.type` (a string) wins; codes
    /// without a name get [`jrpc_shared::legacy::type_name`]'s.
    pub fn legacy_error_name(mut self, code: i64, name: impl Into<Cow<'static, str>>) -> Self {
        self.legacy_names = self.legacy_names.with(code, name);
        self
    }

    /// Answers `rpc.discover` with an OpenRPC document of every method
    /// (see [`crate::describe`]), titled by `info`; made once, when the
    /// server is built.
    pub fn discover(mut self, info: ApiInfo) -> Self {
        self.discover = Some(info);
        self
    }

    crate::method_set::builder_methods!("clients may call");

    /// Binds `addr` (port 0 picks a free port; see [`Server::local_addr`]).
    pub async fn bind(self, addr: impl ToSocketAddrs) -> std::io::Result<Server> {
        let listener = TcpListener::bind(addr).await?;
        self.serve(listener)
    }

    /// Uses an already bound listener.
    pub fn serve(self, listener: TcpListener) -> std::io::Result<Server> {
        let local_addr = listener.local_addr()?;
        let state = self.into_state(local_addr.port())?;
        Ok(Server {
            listener,
            legacy: None,
            handle: ServerHandle::new(state, local_addr),
        })
    }

    /// What every connection will share; `main_port` is the main listener's
    /// (whose pages the original dialect's endpoint accepts).
    pub(crate) fn into_state(mut self, main_port: u16) -> std::io::Result<Arc<ServerState>> {
        if let Some(info) = self.discover.take() {
            let document = describe::document(&info, self.methods.names(), &self.methods.docs);
            let document = serde_json::value::to_raw_value(&document)?;
            let handler =
                SyncFn::new(move |_: Connection, (): ()| Ok::<_, ErrorObject>(document.clone()));
            self.methods
                .register_extension(describe::DISCOVER, Box::new(handler));
        }
        Ok(Arc::new_cyclic(move |server| {
            // Before the methods are shared: the metrics wrap their handlers.
            let meter = self.meter(server);
            self.server_state(main_port, meter)
        }))
    }

    fn server_state(self, main_port: u16, meter: Meter) -> ServerState {
        // Tokio's semaphore holds at most MAX_PERMITS (and panics beyond).
        let permits = self.limits.max_connections.min(Semaphore::MAX_PERMITS);
        ServerState {
            meter,
            permits: Arc::new(Semaphore::new(permits)),
            slots: self.limits.max_running_handlers.map(Slots::new),
            methods: Arc::new(self.methods),
            limits: Arc::new(self.limits),
            path: self.path,
            #[cfg(feature = "static-files")]
            www: self.www,
            origin: self.origin,
            app_state: Arc::new(self.app_state),
            hook: self.hook,
            #[cfg(feature = "tls")]
            tls: self.tls.map(tokio_rustls::TlsAcceptor::from),
            main_port,
            legacy_names: Arc::new(self.legacy_names),
            health_check: self.health_check,
            live: Mutex::new(HashMap::new()),
            shutting_down: AtomicBool::new(false),
        }
    }

    /// The meter of the server being built, `server`: with metrics, its
    /// methods' handlers are wrapped to count their calls.
    #[cfg_attr(not(feature = "metrics"), allow(unused_variables, clippy::unused_self))]
    fn meter(&mut self, server: &std::sync::Weak<ServerState>) -> Meter {
        #[cfg(feature = "metrics")]
        if let Some(registry) = self.metrics.take() {
            let metrics = crate::metrics::Metrics::new(registry, &mut self.methods, server.clone());
            return Meter::new(Some(Arc::new(metrics)));
        }
        Meter::default()
    }
}

/// A bound server; [`Server::run`] or [`Server::spawn`] starts it.
pub struct Server {
    listener: TcpListener,
    /// A second listener whose connections speak the original jrpc dialect.
    legacy: Option<TcpListener>,
    handle: ServerHandle,
}

/// Controls a running server from anywhere: live connections, broadcast, shutdown.
#[derive(Clone)]
pub struct ServerHandle {
    pub(crate) state: Arc<ServerState>,
    local_addr: SocketAddr,
    /// No accept loop of its own ([`ServerBuilder::build`]): `shutdown`
    /// closes the connections itself.
    pub(crate) standalone: bool,
    shutdown: Arc<watch::Sender<bool>>,
    stopped: Arc<watch::Sender<bool>>,
}

impl Server {
    /// Starts configuring a server.
    pub fn builder() -> ServerBuilder {
        ServerBuilder::default()
    }

    /// The address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.handle.local_addr
    }

    /// Also serves the original jrpc dialect ([`Dialect::Jrpc`](crate::Dialect::Jrpc)) on
    /// `listener`, with the same methods, limits and connection list: a
    /// page or script written for the original `jrpc.js` or Python `jrpc`
    /// talks to this server unchanged. The upgrade is taken at any path,
    /// and pages from the main address's origin may connect.
    ///
    /// ```no_run
    /// # async fn demo() -> std::io::Result<()> {
    /// use jrpc::Server;
    /// let server = Server::builder().bind("127.0.0.1:8080").await?;
    /// let server = server.bind_legacy("127.0.0.1:9000").await?;
    /// println!("legacy endpoint on {:?}", server.legacy_addr());
    /// server.run().await
    /// # }
    /// ```
    pub async fn bind_legacy(self, addr: impl ToSocketAddrs) -> std::io::Result<Server> {
        let listener = TcpListener::bind(addr).await?;
        Ok(self.serve_legacy(listener))
    }

    /// As [`Server::bind_legacy`], with an already bound listener.
    pub fn serve_legacy(mut self, listener: TcpListener) -> Server {
        self.legacy = Some(listener);
        self
    }

    /// The address of the legacy endpoint, if there is one.
    pub fn legacy_addr(&self) -> Option<SocketAddr> {
        self.legacy.as_ref().and_then(|l| l.local_addr().ok())
    }

    /// A handle to control the server once it runs.
    pub fn handle(&self) -> ServerHandle {
        self.handle.clone()
    }

    /// Runs the server on a new task and returns its handle.
    pub fn spawn(self) -> ServerHandle {
        let handle = self.handle();
        tokio::spawn(async move {
            if let Err(e) = self.run().await {
                tracing::error!(error = %e, "server stopped with an error");
            }
        });
        handle
    }

    /// Accepts connections until [`ServerHandle::shutdown`], then shuts down
    /// gracefully: asks every connection to go (each is told to reconnect,
    /// its running calls finish, up to [`Limits::shutdown_grace`], then it
    /// closes with code 1001). Meanwhile the port still answers, so that a
    /// load balancer learns of the drain: `/healthz` says 503, and new
    /// connections are turned away with 503.
    pub async fn run(self) -> std::io::Result<()> {
        let Server {
            listener,
            legacy,
            handle,
        } = self;
        let state = Arc::clone(&handle.state);
        let mut accepting = Accepting {
            tasks: JoinSet::new(),
            state: Arc::clone(&state),
        };
        let mut shutdown = handle.shutdown.subscribe();
        tracing::info!(addr = %handle.local_addr, path = %state.path, "jrpc server listening");
        loop {
            tokio::select! {
                _ = shutdown.wait_for(|&stop| stop).map(|r| r.is_ok()) => break,
                Some(_) = accepting.tasks.join_next(), if !accepting.tasks.is_empty() => {}
                accepted = accept(&listener, &legacy) => accepting.take(accepted).await,
            }
        }
        state.shutting_down.store(true, Ordering::Release);
        for conn in handle.connections() {
            conn.0.control.request(CloseRequest::GoingAway);
        }
        let limit = state
            .limits
            .shutdown_grace
            .saturating_add(state.limits.handshake_timeout.min(Duration::from_secs(5)));
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            tokio::select! {
                () = tokio::time::sleep_until(deadline) => {
                    accepting.tasks.abort_all();
                    break;
                }
                joined = accepting.tasks.join_next() => if joined.is_none() { break },
                accepted = accept(&listener, &legacy) => accepting.take(accepted).await,
            }
        }
        drop((listener, legacy));
        handle.stopped.send_replace(true);
        tracing::info!("jrpc server stopped");
        Ok(())
    }
}

impl ServerHandle {
    pub(crate) fn new(state: Arc<ServerState>, local_addr: SocketAddr) -> Self {
        let (shutdown, _) = watch::channel(false);
        let (stopped, _) = watch::channel(false);
        ServerHandle {
            state,
            local_addr,
            standalone: false,
            shutdown: Arc::new(shutdown),
            stopped: Arc::new(stopped),
        }
    }

    /// The address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The WebSocket URL of this server, e.g. `ws://127.0.0.1:8080/rpc`.
    pub fn url(&self) -> String {
        #[cfg(feature = "tls")]
        let scheme = if self.state.tls.is_some() {
            "wss"
        } else {
            "ws"
        };
        #[cfg(not(feature = "tls"))]
        let scheme = "ws";
        format!("{scheme}://{}{}", self.local_addr, self.state.path)
    }

    /// The open WebSocket connections.
    pub fn connections(&self) -> Vec<Connection> {
        self.state.live().values().cloned().collect()
    }

    /// Sends a notification to every open connection; returns how many got it.
    /// Connections whose outgoing queue is full are skipped rather than waited for.
    pub fn broadcast<P: Serialize + ?Sized>(
        &self,
        method: &str,
        params: &P,
    ) -> Result<usize, CallError> {
        let params = encode_params(params)?;
        let text = notification_text(method, params.as_ref().map(jrpc_shared::RawBuf::as_raw));
        Ok(self
            .connections()
            .iter()
            .filter(|conn| conn.try_send_text(text.clone()))
            .count())
    }

    /// Starts a graceful shutdown; [`ServerHandle::stopped`] tells when it is done.
    pub fn shutdown(&self) {
        self.shutdown.send_replace(true);
        if self.standalone {
            self.state.shutting_down.store(true, Ordering::Release);
            for conn in self.connections() {
                conn.0.control.request(CloseRequest::GoingAway);
            }
            self.stopped.send_replace(true);
        }
    }

    /// True once a shutdown began: what `GET /healthz` answers 503 for, for
    /// an application that serves its own health check (an axum app, say).
    pub fn is_draining(&self) -> bool {
        self.state.is_shutting_down()
    }

    /// The page `GET /metrics` answers (the Prometheus text format), for an
    /// application that serves it on a route of its own; `None` when the
    /// server keeps no metrics (see [`ServerBuilder::metrics`]). Feature `metrics`.
    #[cfg(feature = "metrics")]
    pub fn metrics_text(&self) -> Option<String> {
        self.state
            .meter
            .metrics()
            .map(crate::metrics::Metrics::encode)
    }

    /// Completes when the server has stopped.
    pub async fn stopped(&self) {
        let mut stopped = self.stopped.subscribe();
        let _ = stopped.wait_for(|&done| done).await;
    }
}
