//! Who is calling. Two ways to learn it, both ending in an [`Identity`] in
//! the connection's extensions, where handlers read it:
//!
//! - a handshake hook ([`ServerBuilder::on_handshake`]) that sees the
//!   request (path and query, headers, cookies, peer) before the upgrade,
//!   and accepts it, possibly naming the caller, or refuses it with 401 or
//!   403;
//! - an in-band method, `rpc.auth` ([`ServerBuilder::auth`]), for browsers,
//!   which cannot set headers on a WebSocket: the client sends its token as
//!   its first call, and again after every reconnect.
//!
//! Methods marked with [`MethodSet::authenticated`](crate::MethodSet::authenticated)
//! are answered with -32006 until the connection has an identity.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use jrpc_shared::handler::AsyncFn;
use jrpc_shared::{ErrorObject, code};

use crate::{Connection, MethodSet, ServerBuilder};

/// The name of the in-band authentication method.
pub const AUTH_METHOD: &str = "rpc.auth";

/// Who the caller is, once authenticated.
///
/// ```
/// # fn demo(conn: jrpc::Connection) {
/// if let Some(jrpc::Identity(name)) = conn.extension::<jrpc::Identity>() {
///     println!("called by {name}");
/// }
/// # }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity(pub String);

/// A refused handshake: HTTP 401 (no or bad credentials) or 403 (known,
/// but not allowed), with a reason in the body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub(crate) status: http::StatusCode,
    pub(crate) reason: String,
}

impl Refusal {
    /// 401: the request carries no credentials, or wrong ones.
    pub fn unauthorized(reason: impl Into<String>) -> Self {
        Refusal {
            status: http::StatusCode::UNAUTHORIZED,
            reason: reason.into(),
        }
    }

    /// 403: the caller is known and may not connect.
    pub fn forbidden(reason: impl Into<String>) -> Self {
        Refusal {
            status: http::StatusCode::FORBIDDEN,
            reason: reason.into(),
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.status.as_u16()
    }

    /// The response body.
    pub(crate) fn body(&self) -> String {
        format!("{}\n", self.reason)
    }
}

/// The hook's future.
pub(crate) type HookFuture = Pin<Box<dyn Future<Output = Result<(), Refusal>> + Send>>;
/// A handshake hook, as stored.
pub(crate) type Hook = Arc<dyn Fn(Connection) -> HookFuture + Send + Sync>;

impl ServerBuilder {
    /// Runs `hook` on every request before it is served (a WebSocket
    /// upgrade or an HTTP POST), within the handshake timeout: it reads the
    /// request through the [`Connection`] it gets (`path`, `query`,
    /// `header`, `cookie`, `peer_addr`), may store the caller's
    /// [`Identity`] (or anything) with `insert_extension`, and returns
    /// `Err` to refuse with 401 or 403.
    ///
    /// ```no_run
    /// use jrpc::{Connection, Identity, Refusal, Server};
    /// let builder = Server::builder().on_handshake(|conn: Connection| async move {
    ///     match conn.cookie("session") {
    ///         Some("secret") => {
    ///             conn.insert_extension(Identity("ada".into()));
    ///             Ok(())
    ///         }
    ///         _ => Err(Refusal::unauthorized("sign in first")),
    ///     }
    /// });
    /// ```
    pub fn on_handshake<F, Fut>(mut self, hook: F) -> Self
    where
        F: Fn(Connection) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), Refusal>> + Send + 'static,
    {
        self.hook = Some(Arc::new(move |conn| Box::pin(hook(conn))));
        self
    }

    /// Takes in-band tokens: a client calls `rpc.auth` with `[token]` (or
    /// `{"token": ...}`) and `check` says who it is. The identity goes into
    /// the connection's extensions and is the result; an error from
    /// `check` is the call's error (-32006 is the usual code).
    ///
    /// ```
    /// use jrpc::{Connection, ErrorObject, Identity, Server, code};
    /// let builder = Server::builder().auth(|_conn: Connection, token: String| async move {
    ///     match token.strip_prefix("user:") {
    ///         Some(name) => Ok(Identity(name.to_owned())),
    ///         None => Err(ErrorObject::new(code::UNAUTHENTICATED, "bad token")),
    ///     }
    /// });
    /// ```
    pub fn auth<F, Fut>(mut self, check: F) -> Self
    where
        F: Fn(Connection, String) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Identity, ErrorObject>> + Send + 'static,
    {
        let check = Arc::new(check);
        let handler = AsyncFn::new(move |conn: Connection, Token { token }: Token| {
            let check = Arc::clone(&check);
            async move {
                let identity = check(conn.clone(), token).await?;
                conn.insert_extension(identity.clone());
                Ok::<_, ErrorObject>(identity.0)
            }
        });
        self.methods
            .register_extension(AUTH_METHOD, Box::new(handler));
        self
    }
}

/// `rpc.auth`'s params: `[token]` or `{"token": token}`.
#[derive(serde::Deserialize)]
struct Token {
    token: String,
}

/// The error for a call to an `authenticated` method from a connection
/// without an identity; `None` when the call may run.
pub(crate) fn refusal(methods: &MethodSet, method: &str, conn: &Connection) -> Option<ErrorObject> {
    if methods.protected.is_empty() || !methods.protected.contains(method) {
        return None;
    }
    if conn.has_extension::<Identity>() {
        return None;
    }
    Some(ErrorObject::new(
        code::UNAUTHENTICATED,
        format!("Unauthenticated: {method} needs a signed-in caller (see rpc.auth)"),
    ))
}
