//! The `test.*` control methods, next to their names.
//!
//! They let a browser test observe and provoke what it cannot from inside the
//! page: whether the server dropped a cancelled call, a notification on
//! demand, every connection closing at once, a server restart.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use jrpc::{Connection, ErrorObject, MethodSet, RawValue, ServerHandle};
use serde::Deserialize;
use tokio::sync::mpsc;

use super::keys::{Keys, Status};

/// `[key]`: never answers; marks `key` started, and cancelled once the server
/// drops the call (`$/cancelRequest`, or its connection closing).
pub const HANG: &str = "test.hang";
/// `[key, timeoutMs]`: `true` as soon as `key` is marked cancelled, `false`
/// after `timeoutMs` (at most [`MAX_WAIT_MS`]).
pub const WAIT_CANCELLED: &str = "test.waitCancelled";
/// `[key]`: `{"started": bool, "cancelled": bool}`.
pub const STATUS: &str = "test.status";
/// `[method, params]`: sends that notification to the caller, then answers `true`.
pub const NOTIFY_ME: &str = "test.notifyMe";
/// No params: answers `true`, then closes every connection (code 1000): the
/// caller's first, the others once it has closed.
pub const DROP_ALL: &str = "test.dropAll";
/// `[downMs]`: answers `true`, then the server shuts down gracefully (code
/// 1001), stays down `downMs` (at most [`MAX_DOWN_MS`]) and listens again on
/// the same port.
pub const RESTART: &str = "test.restart";
/// No params: the number of open connections.
pub const CONNECTIONS: &str = "test.connections";
/// No params: the number of subscriptions the caller's connection holds.
pub const SUBSCRIPTIONS: &str = "test.subscriptions";

/// No params: the caller's identity (`rpc.auth` with `user:NAME`), or null.
pub const WHOAMI: &str = "test.whoami";
/// No params, needs an identity (-32006 before): answers the caller's name.
pub const SECRET: &str = "test.secret";

/// The test server's `rpc.auth`: a token `user:NAME` signs in as NAME; any
/// other is refused with -32006.
pub async fn sign_in(_conn: Connection, token: String) -> Result<jrpc::Identity, ErrorObject> {
    match token.strip_prefix("user:") {
        Some(name) if !name.is_empty() => Ok(jrpc::Identity(name.to_owned())),
        _ => Err(ErrorObject::new(
            jrpc::code::UNAUTHENTICATED,
            format!("unknown token {token:?}"),
        )),
    }
}

/// The longest `test.waitCancelled` waits.
pub const MAX_WAIT_MS: u64 = 60_000;
/// The longest outage `test.restart` makes.
pub const MAX_DOWN_MS: u64 = 10_000;
/// How long `test.dropAll` waits for the caller's connection to close before
/// closing the others regardless.
const CALLER_CLOSE_LIMIT: Duration = Duration::from_secs(5);

/// What the control methods act on; outlives each restart of the server.
pub(crate) struct Controls {
    keys: Keys,
    /// The running server, replaced on every (re)bind.
    server: Mutex<Option<ServerHandle>>,
    /// Tells the serving loop to restart, with how long to stay down.
    restarts: mpsc::UnboundedSender<Duration>,
}

impl Controls {
    pub(crate) fn new(restarts: mpsc::UnboundedSender<Duration>) -> Self {
        Controls {
            keys: Keys::default(),
            server: Mutex::new(None),
            restarts,
        }
    }

    /// Points the methods at the server that now serves them.
    pub(crate) fn set_server(&self, handle: ServerHandle) {
        *self.server() = Some(handle);
    }

    fn server(&self) -> MutexGuard<'_, Option<ServerHandle>> {
        self.server.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn connections(&self) -> Vec<Connection> {
        self.server()
            .as_ref()
            .map(ServerHandle::connections)
            .unwrap_or_default()
    }
}

/// The params of `test.notifyMe`: `[method, params]`; `params` may be left out.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NotifyArgs {
    method: String,
    #[serde(default)]
    params: Option<Box<RawValue>>,
}

/// The demo methods plus the controls, for one (re)bind of the server.
pub(crate) fn methods(controls: &Arc<Controls>) -> MethodSet {
    let mut set = jrpc_cli::demo::math_methods();
    set.merge(count_methods());
    let c = Arc::clone(controls);
    set.method(HANG, move |_: Connection, (key,): (String,)| {
        // Marked here rather than inside the future: the call has started once
        // dispatched, and the mark must be dropped even if it is never polled.
        let mark = c.keys.start(&key);
        async move {
            let _mark = mark;
            std::future::pending::<Result<(), ErrorObject>>().await
        }
    });
    let c = Arc::clone(controls);
    set.method(
        WAIT_CANCELLED,
        move |_: Connection, (key, timeout_ms): (String, u64)| {
            let c = Arc::clone(&c);
            async move {
                let timeout = Duration::from_millis(timeout_ms.min(MAX_WAIT_MS));
                Ok::<_, ErrorObject>(c.keys.wait_cancelled(&key, timeout).await)
            }
        },
    );
    let c = Arc::clone(controls);
    set.sync_method(STATUS, move |_: Connection, (key,): (String,)| {
        Ok::<Status, ErrorObject>(c.keys.status(&key))
    });
    set.sync_method(SUBSCRIPTIONS, |caller: Connection, (): ()| {
        Ok::<usize, ErrorObject>(caller.subscriptions())
    });
    set.method(NOTIFY_ME, |conn: Connection, args: NotifyArgs| async move {
        // Queued before the answer, so the caller sees the notification first.
        conn.notify(&args.method, &args.params).await?;
        Ok::<_, ErrorObject>(true)
    });
    let c = Arc::clone(controls);
    set.sync_method(DROP_ALL, move |caller: Connection, (): ()| {
        // Synchronous on purpose: the driver queues a synchronous handler's
        // answer before it next looks at close requests, and `close` writes
        // what is queued first, so the caller still gets its `true`.
        caller.close();
        // The others close once the caller's connection is gone, so a client
        // sees its own close before any other connection's: a test that calls
        // dropAll and then waits for another client's close finds its own
        // client already reconnecting rather than still sending on a socket
        // that is about to close.
        let others: Vec<Connection> = c
            .connections()
            .into_iter()
            .filter(|conn| conn.id() != caller.id())
            .collect();
        tokio::spawn(async move {
            // Bounded in case the caller never completes the close handshake
            // (the driver gives up on that after two seconds anyway).
            let _ = tokio::time::timeout(CALLER_CLOSE_LIMIT, caller.closed()).await;
            for conn in others {
                conn.close();
            }
        });
        Ok::<_, ErrorObject>(true)
    });
    let c = Arc::clone(controls);
    // Synchronous for the same reason; a graceful shutdown also writes queued
    // answers before closing with 1001.
    set.sync_method(RESTART, move |_: Connection, (down_ms,): (u64,)| {
        let down = Duration::from_millis(down_ms.min(MAX_DOWN_MS));
        c.restarts
            .send(down)
            .map_err(|_| ErrorObject::internal_error("the server is stopping"))?;
        Ok::<_, ErrorObject>(true)
    });
    let c = Arc::clone(controls);
    set.sync_method(CONNECTIONS, move |_: Connection, (): ()| {
        Ok::<_, ErrorObject>(c.connections().len())
    });
    let name = |conn: &Connection| conn.extension::<jrpc::Identity>().map(|i| i.0);
    set.sync_method(WHOAMI, move |conn: Connection, (): ()| {
        Ok::<_, ErrorObject>(name(&conn))
    });
    set.sync_method(SECRET, move |conn: Connection, (): ()| {
        Ok::<_, ErrorObject>(name(&conn))
    })
    .authenticated(SECRET);
    set
}

/// The params of `count.subscribe`: `[n]` or `[n, failure]`.
#[derive(Deserialize)]
pub struct Count {
    n: u64,
    #[serde(default)]
    failure: Option<String>,
}

/// `count.subscribe [n]` (or `[n, message]`): items 0, 1, ... n - 1, then
/// the end (with `message`, an error with code 7). Refuses n over 100 with
/// -32602. Unsubscribe: `count.unsubscribe`; items: `count`.
pub fn count_methods() -> MethodSet {
    let mut set = MethodSet::new();
    set.subscription(
        "count.subscribe",
        "count",
        "count.unsubscribe",
        |_c: Connection, Count { n, failure }: Count, pending: jrpc::PendingSubscription| async move {
            if n > 100 {
                return pending.reject(ErrorObject::invalid_params("at most 100"));
            }
            let Ok(sink) = pending.accept().await else {
                return;
            };
            for i in 0..n {
                if sink.send(&i).await.is_err() {
                    return;
                }
            }
            if let Some(message) = failure {
                sink.end(Err(ErrorObject::new(7, message)));
            }
        },
    );
    set
}
