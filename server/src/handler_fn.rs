//! What a function must be to handle a method, written once: the traits
//! that `method`, `sync_method` and `subscription` take, on [`MethodSet`]
//! and on both builders. Every fitting function or closure has them; an
//! application never implements them.
//!
//! [`MethodSet`]: crate::MethodSet

use std::future::Future;

use jrpc_shared::ErrorObject;
use jrpc_shared::handler::{AsyncFn, DynHandler, SyncFn};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::{Connection, PendingSubscription};

/// An `async` method's handler: `Fn(Connection, P) -> impl Future<Output =
/// Result<R, E>>`, where the params `P` are decoded with serde, the result
/// `R` is encoded with serde, and the error `E` becomes an [`ErrorObject`].
///
/// ```
/// use jrpc::{AsyncMethod, Connection, ErrorObject};
/// async fn add(_c: Connection, (a, b): (i64, i64)) -> Result<i64, ErrorObject> {
///     Ok(a + b)
/// }
/// fn takes<P, Fut>(_: impl AsyncMethod<P, Fut>) {}
/// takes(add);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot handle an async method",
    label = "not an `async fn(Connection, P) -> Result<R, E>`",
    note = "P must be serde::Deserialize (the params), R serde::Serialize (the result), E Into<ErrorObject>; a closure needs its arguments' types: `|_c: Connection, (a, b): (i64, i64)| async move {{ .. }}`"
)]
pub trait AsyncMethod<P, Fut>: Fn(Connection, P) -> Fut + Send + Sync + 'static {
    /// The handler a method table keeps.
    #[doc(hidden)]
    fn into_handler(self) -> DynHandler<Connection>;
}

impl<F, P, Fut, R, E> AsyncMethod<P, Fut> for F
where
    F: Fn(Connection, P) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<R, E>> + Send + 'static,
    P: DeserializeOwned + 'static,
    R: Serialize + 'static,
    E: Into<ErrorObject> + 'static,
{
    fn into_handler(self) -> DynHandler<Connection> {
        Box::new(AsyncFn::new(self))
    }
}

/// A synchronous method's handler: `Fn(Connection, P) -> Result<R, E>`,
/// with `P`, `R` and `E` as for [`AsyncMethod`]. Its answer is written
/// without a future, which makes it the fastest kind.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot handle a synchronous method",
    label = "not a `fn(Connection, P) -> Result<R, E>`",
    note = "P must be serde::Deserialize (the params), R serde::Serialize (the result), E Into<ErrorObject>; a closure needs its arguments' types: `|_c: Connection, (a, b): (i64, i64)| ..`"
)]
pub trait SyncMethod<P, Out>: Fn(Connection, P) -> Out + Send + Sync + 'static {
    /// The handler a method table keeps.
    #[doc(hidden)]
    fn into_handler(self) -> DynHandler<Connection>;
}

impl<F, P, R, E> SyncMethod<P, Result<R, E>> for F
where
    F: Fn(Connection, P) -> Result<R, E> + Send + Sync + 'static,
    P: DeserializeOwned + 'static,
    R: Serialize + 'static,
    E: Into<ErrorObject> + 'static,
{
    fn into_handler(self) -> DynHandler<Connection> {
        Box::new(SyncFn::new(self))
    }
}

/// A subscription's handler: `Fn(Connection, P, PendingSubscription) ->
/// impl Future<Output = ()>`, which accepts or rejects the subscription
/// (see [`crate::subscription`]); `P` is decoded with serde.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot open a subscription",
    label = "not an `async fn(Connection, P, PendingSubscription)`",
    note = "P must be serde::Deserialize (the params); a closure needs its arguments' types"
)]
pub trait SubscriptionMethod<P, Fut>:
    Fn(Connection, P, PendingSubscription) -> Fut + Send + Sync + 'static
{
    /// The handler a method table keeps, sending items as `notification`.
    #[doc(hidden)]
    fn into_handler(self, notification: &str) -> DynHandler<Connection>;
}

impl<F, P, Fut> SubscriptionMethod<P, Fut> for F
where
    F: Fn(Connection, P, PendingSubscription) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
    P: DeserializeOwned + Send + 'static,
{
    fn into_handler(self, notification: &str) -> DynHandler<Connection> {
        Box::new(crate::subscription::SubscribeFn::new(self, notification))
    }
}
