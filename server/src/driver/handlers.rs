//! Running handlers inside the connection's task: one that is ready at
//! once answers on the spot, the others become tasks the driver polls; a
//! subscribe request goes its own way (see [`Driver::subscribe`]).

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures_util::FutureExt;
use futures_util::future::{AbortHandle, Abortable, Aborted};
use jrpc_shared::handler::{BoxFuture, Handler, Outcome};
use jrpc_shared::{Answer, CallToken, Completion, ErrorObject, HandlerResult, Id, Raw};
use tracing::{Instrument, Span};

use super::{DISCARD_KEPT, Driver, WebSocketIo};
use crate::Connection;
use crate::slots::{Slot, Slots};

/// A running handler, with the request it answers (`None` for a notification).
pub(super) struct Task {
    token: Option<CallToken>,
    fut: Abortable<BoxFuture>,
}

impl Future for Task {
    type Output = (Option<CallToken>, Result<HandlerResult, Aborted>);

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let token = self.token;
        // A panicking handler answers its own call with an error instead of
        // taking the connection, and every other call on it, down.
        match std::panic::catch_unwind(AssertUnwindSafe(|| self.fut.poll_unpin(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(r)) => Poll::Ready((token, r)),
            Err(_) => Poll::Ready((token, Ok(Err(handler_panicked())))),
        }
    }
}

pub(crate) fn handler_panicked() -> ErrorObject {
    ErrorObject::internal_error("the method's handler panicked")
}

/// Runs `handler` on `params`: a ready result is written into `out`, a
/// pending one comes back as a future; a panic answers with -32603 instead
/// of taking the connection, and every other call on it, down.
pub(crate) fn run_handler(
    handler: &dyn Handler<Connection>,
    conn: &Connection,
    params: Option<Raw<'_>>,
    out: &mut String,
) -> Answer<BoxFuture> {
    std::panic::catch_unwind(AssertUnwindSafe(|| {
        handler.call_into(conn.clone(), params, out)
    }))
    .unwrap_or_else(|_| Answer::Failed(handler_panicked()))
}

impl<W: WebSocketIo> Driver<W> {
    /// Runs a handler. One that is ready at once writes its result straight
    /// into the reply (or, for a notification, into a scratch buffer that
    /// nobody reads); the others are started as tasks.
    pub(super) fn call(
        &mut self,
        handler: &dyn Handler<Connection>,
        method: &str,
        params: Option<Raw<'_>>,
        token: Option<CallToken>,
    ) {
        let span = call_span(method, || token.and_then(|t| self.inbound.request_id(t)));
        let _entered = span.enter();
        tracing::debug!("call received");
        let slot = match &self.slots {
            None => None,
            Some(slots) => match slots.try_take() {
                Some(slot) => Some(slot),
                None => {
                    let methods = Arc::clone(&self.methods);
                    let call = slots.wait_then_call(methods, method, self.conn.clone(), params);
                    return self.start(token, traced(&span, call));
                }
            },
        };
        let conn = &self.conn;
        let run = |out: &mut String| run_handler(handler, conn, params, out);
        let Some(token) = token else {
            let answer = run(&mut self.discard);
            self.discard.clear();
            if self.discard.capacity() > DISCARD_KEPT {
                // A large result once does not keep its memory for good.
                self.discard = String::new();
            }
            match answer {
                Answer::Written => tracing::debug!("notification handled"),
                Answer::Failed(e) => {
                    tracing::debug!(method, error = %e, "notification handler failed");
                }
                Answer::Later(fut) => self.start(None, traced(&span, held(slot, fut))),
            }
            return;
        };
        match self.inbound.complete_with(token, run) {
            Completion::Done(reply) => {
                tracing::debug!("call answered");
                self.queue.extend(reply)
            }
            Completion::Later(fut) => self.start(Some(token), traced(&span, held(slot, fut))),
        }
    }

    /// Opens a subscription. Not in a batch (its reply would go out after
    /// the subscription's first items) and not as a notification (nobody
    /// would learn its id); outside the server's cap on running handlers,
    /// as its request is answered as soon as its handler decides.
    pub(super) fn subscribe(
        &mut self,
        handler: &dyn Handler<Connection>,
        params: Option<Raw<'_>>,
        token: Option<CallToken>,
        resume: Option<Raw<'_>>,
        batched: bool,
    ) {
        let Some(token) = token else {
            tracing::debug!("ignored a subscribe notification: it would have no id");
            return;
        };
        if batched {
            let error = ErrorObject::new(
                jrpc_shared::code::INVALID_REQUEST,
                "Invalid Request: a subscription cannot be opened in a batch",
            );
            self.queue.extend(self.inbound.complete(token, Err(error)));
            return;
        }
        let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| {
            handler.subscribe(self.conn.clone(), params, resume)
        }));
        match outcome {
            Ok(Outcome::Ready(result)) => self.queue.extend(self.inbound.complete(token, result)),
            Ok(Outcome::Pending(fut)) => self.start(Some(token), fut),
            Err(_) => self
                .queue
                .extend(self.inbound.complete(token, Err(handler_panicked()))),
        }
    }

    fn start(&mut self, token: Option<CallToken>, fut: BoxFuture) {
        let (handle, registration) = AbortHandle::new_pair();
        match token {
            Some(token) => {
                self.aborts.insert(token, handle);
            }
            None => self.running_notifications += 1,
        }
        self.tasks.push(Task {
            token,
            fut: Abortable::new(fut, registration),
        });
    }
}

/// The span of one call, `call{method id}`, inside the connection's span:
/// `RUST_LOG=jrpc=debug` then shows each call from its arrival to its
/// answer. The id is looked up only when the span is on.
fn call_span<'i>(method: &str, id: impl FnOnce() -> Option<&'i Id>) -> Span {
    let span = tracing::debug_span!("call", method, id = tracing::field::Empty);
    if !span.is_disabled() {
        if let Some(id) = id() {
            span.record("id", tracing::field::display(id));
        }
    }
    span
}

/// `fut` inside `span`, saying how it ended; `fut` itself (no new box) when
/// the span is off, as it is unless debug logging is.
fn traced(span: &Span, fut: BoxFuture) -> BoxFuture {
    if span.is_disabled() {
        return fut;
    }
    let ended = async move {
        let result = fut.await;
        match &result {
            Ok(_) => tracing::debug!("call answered"),
            Err(e) => tracing::debug!(code = e.code, "call failed"),
        }
        result
    };
    Box::pin(ended.instrument(span.clone()))
}

/// `fut`, holding `slot` (if the server caps running handlers) until it completes.
fn held(slot: Option<Slot>, fut: BoxFuture) -> BoxFuture {
    match slot {
        Some(slot) => Slots::hold(slot, fut),
        None => fut,
    }
}
