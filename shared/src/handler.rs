//! Typed Rust handlers behind one object-safe trait.
//!
//! A handler is a plain function or closure taking a context (the connection)
//! and typed params. The adapters here decode the params with serde before the
//! handler runs (so a wrong shape is -32602 without calling it) and encode its
//! result with the NaN/Infinity check. Synchronous handlers produce their
//! answer without allocating a future, so a driver can reply at once.

use alloc::boxed::Box;
use alloc::string::String;
use core::future::Future;
#[cfg(feature = "serde")]
use core::marker::PhantomData;
use core::pin::Pin;

#[cfg(feature = "serde")]
use serde::{Serialize, de::DeserializeOwned};

use crate::{Answer, ErrorObject, Raw, RawBuf};
#[cfg(feature = "serde")]
use crate::{decode_params, encode_result, encode_result_into};

/// What a handler produces: the encoded result or an error object.
pub type HandlerResult = Result<RawBuf, ErrorObject>;

/// A boxed handler future.
pub type BoxFuture = Pin<Box<dyn Future<Output = HandlerResult> + Send + 'static>>;

/// The outcome of starting a handler.
pub enum Outcome {
    /// The answer is known already (synchronous handler, or params that did not decode).
    Ready(HandlerResult),
    /// The answer comes when this future completes.
    Pending(BoxFuture),
}

/// A method implementation, type-erased over its params and result types.
pub trait Handler<Ctx>: Send + Sync + 'static {
    /// Starts the handler with the call's context and raw params.
    fn call(&self, ctx: Ctx, params: Option<Raw<'_>>) -> Outcome;

    /// Starts the handler as [`Handler::call`] does, with the text of the
    /// reply at hand: a handler that is ready at once appends its result's
    /// JSON to `out` (see [`Inbound::complete_with`](crate::Inbound::complete_with)),
    /// which spares the result a value of its own and a copy.
    ///
    /// The default takes the result from [`Handler::call`] and copies it;
    /// [`SyncFn`] encodes straight into `out`.
    fn call_into(&self, ctx: Ctx, params: Option<Raw<'_>>, out: &mut String) -> Answer<BoxFuture> {
        match self.call(ctx, params) {
            Outcome::Ready(Ok(result)) => {
                out.push_str(result.get());
                Answer::Written
            }
            Outcome::Ready(Err(error)) => Answer::Failed(error),
            Outcome::Pending(fut) => Answer::Later(fut),
        }
    }

    /// Whether this handler opens a subscription (see
    /// [`crate::subscription`]): the driver then calls
    /// [`Handler::subscribe`] with the request's `resume` member, and
    /// refuses the request in a batch, whose reply would come after the
    /// subscription's first items.
    fn subscribes(&self) -> bool {
        false
    }

    /// Starts a subscription, as [`Handler::call`] with the request's
    /// `resume` member. The default ignores it.
    fn subscribe(&self, ctx: Ctx, params: Option<Raw<'_>>, resume: Option<Raw<'_>>) -> Outcome {
        let _ = resume;
        self.call(ctx, params)
    }
}

/// A boxed handler, as stored in a method table.
pub type DynHandler<Ctx> = Box<dyn Handler<Ctx>>;

/// Adapts an `async` function `Fn(Ctx, P) -> impl Future<Output = Result<R, E>>`.
///
/// ```
/// use jrpc_shared::{handler::{AsyncFn, Handler, Outcome}, ErrorObject};
/// let add = AsyncFn::new(|_ctx: (), (a, b): (i64, i64)| async move { Ok::<_, ErrorObject>(a + b) });
/// let raw = jrpc_shared::Raw::new("[2, 3]").unwrap();
/// let Outcome::Pending(fut) = add.call((), Some(raw)) else { panic!() };
/// assert_eq!(futures_executor::block_on(fut).unwrap().get(), "5");
/// ```
#[cfg(feature = "serde")]
pub struct AsyncFn<F, P, R, E> {
    f: F,
    types: PhantomData<fn(P) -> (R, E)>,
}

#[cfg(feature = "serde")]
impl<F, P, R, E> AsyncFn<F, P, R, E> {
    /// Wraps `f`.
    pub fn new(f: F) -> Self {
        AsyncFn {
            f,
            types: PhantomData,
        }
    }
}

#[cfg(feature = "serde")]
impl<Ctx, F, Fut, P, R, E> Handler<Ctx> for AsyncFn<F, P, R, E>
where
    F: Fn(Ctx, P) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<R, E>> + Send + 'static,
    P: DeserializeOwned + 'static,
    R: Serialize + 'static,
    E: Into<ErrorObject> + 'static,
{
    fn call(&self, ctx: Ctx, params: Option<Raw<'_>>) -> Outcome {
        match decode_params::<P>(params) {
            Err(e) => Outcome::Ready(Err(e)),
            Ok(p) => {
                let fut = (self.f)(ctx, p);
                Outcome::Pending(Box::pin(async move {
                    match fut.await {
                        Ok(r) => encode_result(&r),
                        Err(e) => Err(e.into()),
                    }
                }))
            }
        }
    }
}

/// Adapts a synchronous function `Fn(Ctx, P) -> Result<R, E>`.
///
/// ```
/// use jrpc_shared::{handler::{Handler, Outcome, SyncFn}, ErrorObject};
/// let add = SyncFn::new(|_ctx: (), (a, b): (i64, i64)| Ok::<_, ErrorObject>(a + b));
/// let raw = jrpc_shared::Raw::new("[2, 3]").unwrap();
/// let Outcome::Ready(result) = add.call((), Some(raw)) else { panic!() };
/// assert_eq!(result.unwrap().get(), "5");
/// ```
#[cfg(feature = "serde")]
pub struct SyncFn<F, P, R, E> {
    f: F,
    types: PhantomData<fn(P) -> (R, E)>,
}

#[cfg(feature = "serde")]
impl<F, P, R, E> SyncFn<F, P, R, E> {
    /// Wraps `f`.
    pub fn new(f: F) -> Self {
        SyncFn {
            f,
            types: PhantomData,
        }
    }

    /// Decodes the params, runs `f` and hands its result to `encode`: the
    /// one body of both ways of calling it.
    fn run<Ctx, T>(
        &self,
        ctx: Ctx,
        params: Option<Raw<'_>>,
        encode: impl FnOnce(&R) -> Result<T, ErrorObject>,
    ) -> Result<T, ErrorObject>
    where
        F: Fn(Ctx, P) -> Result<R, E>,
        P: DeserializeOwned,
        E: Into<ErrorObject>,
    {
        let params = decode_params::<P>(params)?;
        let result = (self.f)(ctx, params).map_err(Into::into)?;
        encode(&result)
    }
}

/// ```
/// use jrpc_shared::{Answer, handler::{Handler, SyncFn}, ErrorObject};
/// let add = SyncFn::new(|_ctx: (), (a, b): (i64, i64)| Ok::<_, ErrorObject>(a + b));
/// let mut out = String::from("=");
/// let raw = jrpc_shared::Raw::new("[2, 3]").unwrap();
/// assert!(matches!(add.call_into((), Some(raw), &mut out), Answer::Written));
/// assert_eq!(out, "=5");
/// ```
#[cfg(feature = "serde")]
impl<Ctx, F, P, R, E> Handler<Ctx> for SyncFn<F, P, R, E>
where
    F: Fn(Ctx, P) -> Result<R, E> + Send + Sync + 'static,
    P: DeserializeOwned + 'static,
    R: Serialize + 'static,
    E: Into<ErrorObject> + 'static,
{
    fn call(&self, ctx: Ctx, params: Option<Raw<'_>>) -> Outcome {
        Outcome::Ready(self.run(ctx, params, encode_result))
    }

    fn call_into(&self, ctx: Ctx, params: Option<Raw<'_>>, out: &mut String) -> Answer<BoxFuture> {
        match self.run(ctx, params, |result| encode_result_into(result, out)) {
            Ok(()) => Answer::Written,
            Err(error) => Answer::Failed(error),
        }
    }
}
