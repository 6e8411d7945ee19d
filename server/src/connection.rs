//! The handle to one live WebSocket connection, on either side.
//!
//! A [`Connection`] is what handlers receive as their context and what the
//! server lists and broadcasts to. It carries the handshake's details, a typed
//! extensions map for per-connection state (such as the caller's identity after
//! an auth call), and the calling API: `request`, `notify` and `batch` to the
//! peer. Clones are cheap and all refer to the same connection.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use futures_util::task::AtomicWaker;
use http::HeaderMap;
use jrpc_shared::{CallError, ErrorObject, Outbound, Raw, RawBuf, decode_result, encode_params};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::sync::{oneshot, watch};

use crate::handshake_info::HandshakeInfo;
use crate::state::State;

use crate::outbox::Outbox;

use crate::batch::Batch;
use crate::call::{CancelGuard, await_answer, deadline_after};

/// What waits for the answer to one outgoing call; for a subscribe request
/// also the subscription it opens (its key, and where it resumes from), which
/// the driver binds to the answer before it reads another frame.
pub(crate) struct Waiter {
    pub(crate) tx: oneshot::Sender<Result<RawBuf, ErrorObject>>,
    pub(crate) subscribing: Option<(u64, Option<jrpc_shared::subscription::Resume>)>,
}

impl From<oneshot::Sender<Result<RawBuf, ErrorObject>>> for Waiter {
    fn from(tx: oneshot::Sender<Result<RawBuf, ErrorObject>>) -> Self {
        Waiter {
            tx,
            subscribing: None,
        }
    }
}

/// Why the driver should close the connection (stored in [`Control`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum CloseRequest {
    None = 0,
    /// `Connection::close`: close code 1000.
    Normal = 1,
    /// Server shutdown: finish running calls, then close code 1001.
    GoingAway = 2,
}

/// A flag plus a waker: lets any thread ask the connection's driver to close.
#[derive(Default)]
pub(crate) struct Control {
    close: AtomicU8,
    pub(crate) waker: AtomicWaker,
}

impl Control {
    pub(crate) fn request(&self, why: CloseRequest) {
        // Never downgrade a shutdown to a plain close.
        self.close.fetch_max(why as u8, Ordering::AcqRel);
        self.waker.wake();
    }

    pub(crate) fn requested(&self) -> CloseRequest {
        match self.close.load(Ordering::Acquire) {
            0 => CloseRequest::None,
            1 => CloseRequest::Normal,
            _ => CloseRequest::GoingAway,
        }
    }
}

pub(crate) struct Shared {
    pub(crate) id: u64,
    pub(crate) info: HandshakeInfo,
    extensions: Mutex<http::Extensions>,
    /// The application state the builder was given, shared by every connection.
    state: Arc<State>,
    pub(crate) outbound: Mutex<Outbound<Waiter>>,
    pub(crate) outbox: Outbox,
    pub(crate) control: Control,
    pub(crate) request_timeout: Duration,
    /// The subscriptions this connection holds (on a server).
    pub(crate) subs: crate::subscription::Subscriptions,
    /// The subscriptions this side made (as a client): where their items go.
    pub(crate) inboxes: crate::subscription::Inboxes,
    /// Set by the driver when it has finished, close handshake included.
    pub(crate) ended: watch::Sender<bool>,
}

/// A live connection: its details, its state, and calls to the peer.
///
/// ```no_run
/// # async fn demo(conn: jrpc::Connection) -> Result<(), jrpc::CallError> {
/// let now: f64 = conn.request("ui.time", &()).await?;
/// conn.notify("ui.log", &["the server says hi"]).await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Connection(pub(crate) Arc<Shared>);

static NEXT_CONNECTION_ID: AtomicU64 = AtomicU64::new(1);

impl Connection {
    /// Creates the shared state of a new connection.
    pub(crate) fn new(
        info: HandshakeInfo,
        state: Arc<State>,
        queue: usize,
        request_timeout: Duration,
    ) -> Self {
        let shared = Shared {
            id: NEXT_CONNECTION_ID.fetch_add(1, Ordering::Relaxed),
            info,
            extensions: Mutex::new(http::Extensions::new()),
            state,
            outbound: Mutex::new(Outbound::new()),
            outbox: Outbox::new(queue),
            control: Control::default(),
            request_timeout,
            subs: Default::default(),
            inboxes: Default::default(),
            ended: watch::channel(false).0,
        };
        Connection(Arc::new(shared))
    }

    /// How many subscriptions this connection holds now.
    pub fn subscriptions(&self) -> usize {
        self.0.subs.len()
    }

    /// A process-unique number for this connection (for logs and lookups).
    pub fn id(&self) -> u64 {
        self.0.id
    }

    /// The peer's socket address.
    pub fn peer_addr(&self) -> Option<SocketAddr> {
        self.0.info.peer_addr
    }

    /// The request target of the handshake (e.g. `/rpc`, or `/rpc?token=abc`
    /// with its query; see [`Connection::query`]).
    pub fn path(&self) -> &str {
        &self.0.info.path
    }

    /// The query of the handshake's URL (`token=abc` for `/rpc?token=abc`),
    /// if it has one.
    pub fn query(&self) -> Option<&str> {
        self.0.info.path.split_once('?').map(|(_, query)| query)
    }

    /// The HTTP headers of the opening handshake (empty for a native client's own side).
    pub fn headers(&self) -> &HeaderMap {
        self.0.info.headers()
    }

    /// The `Origin` header: set by browsers, absent for most other clients.
    pub fn origin(&self) -> Option<&str> {
        self.header("origin")
    }

    /// One handshake header as text (the first, if it was sent several times).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.0.info.header(name)
    }

    /// The value of cookie `name` sent with the handshake.
    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.0.info.cookie(name)
    }

    /// The application state of type `T` given to the builder
    /// ([`ServerBuilder::state`](crate::ServerBuilder::state),
    /// [`ClientBuilder::state`](crate::ClientBuilder::state)), shared by
    /// every connection; `None` if none of that type was given.
    ///
    /// ```no_run
    /// use jrpc::{Connection, ErrorObject, Server};
    /// struct Greeting(String);
    /// # async fn demo() -> std::io::Result<()> {
    /// let server = Server::builder()
    ///     .state(Greeting("hello".into()))
    ///     .sync_method("greet", |conn: Connection, (name,): (String,)| {
    ///         let greeting = conn.state::<Greeting>().ok_or_else(|| ErrorObject::internal_error("no greeting"))?;
    ///         Ok::<_, ErrorObject>(format!("{} {name}", greeting.0))
    ///     })
    ///     .bind("127.0.0.1:0")
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn state<T: Send + Sync + 'static>(&self) -> Option<Arc<T>> {
        self.0.state.get::<T>()
    }

    /// Stores a value of type `T` for this connection, returning the previous one.
    /// Use it to remember who the caller is after an auth call.
    ///
    /// ```no_run
    /// # fn demo(conn: jrpc::Connection) {
    /// #[derive(Clone)]
    /// struct User(String);
    /// conn.insert_extension(User("ada".into()));
    /// assert_eq!(conn.extension::<User>().map(|u| u.0), Some("ada".to_string()));
    /// # }
    /// ```
    pub fn insert_extension<T: Clone + Send + Sync + 'static>(&self, value: T) -> Option<T> {
        self.extensions().insert(value)
    }

    /// Whether a value of type `T` is stored.
    pub fn has_extension<T: Clone + Send + Sync + 'static>(&self) -> bool {
        self.extensions().get::<T>().is_some()
    }

    /// A copy of the stored value of type `T`.
    pub fn extension<T: Clone + Send + Sync + 'static>(&self) -> Option<T> {
        self.extensions().get::<T>().cloned()
    }

    /// Removes the stored value of type `T`.
    pub fn remove_extension<T: Clone + Send + Sync + 'static>(&self) -> Option<T> {
        self.extensions().remove::<T>()
    }

    fn extensions(&self) -> MutexGuard<'_, http::Extensions> {
        // A panic while holding this lock cannot leave the map inconsistent.
        self.0.extensions.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn outbound(&self) -> MutexGuard<'_, Outbound<Waiter>> {
        self.0.outbound.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Calls `method` on the peer and decodes its result, with the default timeout.
    ///
    /// Params: `()` for none, a tuple or array for positional, a struct or map for named.
    /// Dropping the returned future before it completes cancels the call
    /// (the peer receives `$/cancelRequest`).
    pub async fn request<R: DeserializeOwned, P: Serialize + ?Sized>(
        &self,
        method: &str,
        params: &P,
    ) -> Result<R, CallError> {
        self.request_timeout(method, params, self.0.request_timeout)
            .await
    }

    /// [`Connection::request`] with an explicit timeout.
    pub async fn request_timeout<R: DeserializeOwned, P: Serialize + ?Sized>(
        &self,
        method: &str,
        params: &P,
        timeout: Duration,
    ) -> Result<R, CallError> {
        let raw = self
            .request_raw(
                method,
                encode_params(params)?.as_ref().map(RawBuf::as_raw),
                timeout,
            )
            .await?;
        decode_result(raw.as_raw())
    }

    /// Calls `method` with already-encoded params and returns the raw result.
    pub async fn request_raw(
        &self,
        method: &str,
        params: Option<Raw<'_>>,
        timeout: Duration,
    ) -> Result<RawBuf, CallError> {
        let (tx, rx) = oneshot::channel();
        let (id, text) = self
            .outbound()
            .request(method, params, Waiter::from(tx))
            .map_err(|_| CallError::ConnectionClosed)?;
        let guard = CancelGuard::new(self, id);
        self.send_text(text).await?;
        await_answer(rx, guard, deadline_after(timeout), timeout).await
    }

    /// Sends a notification (no answer is expected).
    pub async fn notify<P: Serialize + ?Sized>(
        &self,
        method: &str,
        params: &P,
    ) -> Result<(), CallError> {
        let params = encode_params(params)?;
        self.send_text(jrpc_shared::notification_text(
            method,
            params.as_ref().map(RawBuf::as_raw),
        ))
        .await
    }

    /// Starts a batch of requests and notifications sent as one message.
    ///
    /// ```no_run
    /// # async fn demo(conn: jrpc::Connection) -> Result<(), jrpc::CallError> {
    /// let mut batch = conn.batch();
    /// let sum = batch.request("Add", &(1, 2))?;
    /// batch.notify("log", &["x"])?;
    /// let answers = batch.send().await?;
    /// let sum: i64 = answers.decode(sum)?;
    /// # Ok(()) }
    /// ```
    pub fn batch(&self) -> Batch {
        Batch::new(self.clone())
    }

    /// Queues `text` for the driver to write, waiting while the queue is full.
    pub(crate) async fn send_text(&self, text: String) -> Result<(), CallError> {
        let shared = &self.0;
        shared
            .outbox
            .push(text, &shared.control.waker)
            .await
            .map_err(|_| CallError::ConnectionClosed)
    }

    /// Queues `text` without waiting; false if the queue is full or the connection closed.
    pub(crate) fn try_send_text(&self, text: String) -> bool {
        self.0.outbox.try_push(text, &self.0.control.waker)
    }

    /// True once the connection no longer takes calls.
    pub fn is_closed(&self) -> bool {
        self.0.outbox.is_closed()
    }

    /// Marks the connection ended: for one that no driver serves (an HTTP
    /// POST, a request refused after the hook admitted it).
    pub(crate) fn ended(&self) {
        self.0.ended.send_replace(true);
    }

    /// Completes when the connection has ended, its close handshake included.
    pub async fn closed(&self) {
        let mut ended = self.0.ended.subscribe();
        let _ = ended.wait_for(|&done| done).await;
    }

    /// Closes the connection (close code 1000) after writing the messages
    /// already queued. Pending calls on it fail with [`CallError::ConnectionClosed`].
    pub fn close(&self) {
        self.0.control.request(CloseRequest::Normal);
    }
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("id", &self.0.id)
            .field("peer_addr", &self.0.info.peer_addr)
            .field("closed", &self.is_closed())
            .finish()
    }
}
