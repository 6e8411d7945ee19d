//! A method's handler, counted: wraps the handler registered under a name
//! with that method's handles, so that a call is counted and timed without
//! looking anything up.

use std::future::Future;
use std::ops::Deref;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use jrpc_shared::handler::{BoxFuture, DynHandler, Handler, Outcome as Started};
use jrpc_shared::{Answer, HandlerResult, Raw};

use super::{MethodStats, Outcome};
use crate::Connection;

/// `inner`, counted in `stats`.
pub(crate) struct Measured {
    inner: DynHandler<Connection>,
    stats: Arc<MethodStats>,
}

impl Measured {
    pub(crate) fn new(inner: DynHandler<Connection>, stats: Arc<MethodStats>) -> Self {
        Measured { inner, stats }
    }

    fn track(&self, timing: Timing<&MethodStats>, started: Started) -> Started {
        match started {
            Started::Ready(result) => {
                timing.ended(&result);
                Started::Ready(result)
            }
            Started::Pending(fut) => Started::Pending(self.watch(timing, fut)),
        }
    }

    /// `fut`, counted when it completes: the timing goes with it, holding
    /// the method's handles (a call answered at once only borrows them).
    fn watch(&self, mut timing: Timing<&MethodStats>, fut: BoxFuture) -> BoxFuture {
        timing.done = true;
        let timing = Timing {
            stats: Arc::clone(&self.stats),
            started: timing.started,
            done: false,
        };
        Box::pin(Watched { timing, fut })
    }
}

impl Handler<Connection> for Measured {
    fn call(&self, ctx: Connection, params: Option<Raw<'_>>) -> Started {
        let timing = Timing::start(&*self.stats);
        self.track(timing, self.inner.call(ctx, params))
    }

    fn call_into(
        &self,
        ctx: Connection,
        params: Option<Raw<'_>>,
        out: &mut String,
    ) -> Answer<BoxFuture> {
        let timing = Timing::start(&*self.stats);
        match self.inner.call_into(ctx, params, out) {
            Answer::Written => {
                timing.end(Outcome::Ok);
                Answer::Written
            }
            Answer::Failed(error) => {
                timing.end(Outcome::of_error(error.code));
                Answer::Failed(error)
            }
            Answer::Later(fut) => Answer::Later(self.watch(timing, fut)),
        }
    }

    fn subscribes(&self) -> bool {
        self.inner.subscribes()
    }

    fn subscribe(
        &self,
        ctx: Connection,
        params: Option<Raw<'_>>,
        resume: Option<Raw<'_>>,
    ) -> Started {
        let timing = Timing::start(&*self.stats);
        self.track(timing, self.inner.subscribe(ctx, params, resume))
    }
}

/// A call being timed. Dropped before it ended, it counts as cancelled (its
/// future was dropped: the client cancelled it or went away), or, while a
/// panic unwinds through the handler, as an internal error.
struct Timing<S: Deref<Target = MethodStats>> {
    stats: S,
    started: Instant,
    done: bool,
}

impl<S: Deref<Target = MethodStats>> Timing<S> {
    fn start(stats: S) -> Timing<S> {
        Timing {
            stats,
            started: Instant::now(),
            done: false,
        }
    }

    fn ended(mut self, result: &HandlerResult) {
        self.finish(Outcome::of_result(result));
    }

    fn end(mut self, outcome: Outcome) {
        self.finish(outcome);
    }

    fn finish(&mut self, outcome: Outcome) {
        self.done = true;
        // A cancelled call has no answer whose latency to show.
        let started = (outcome != Outcome::Cancelled).then_some(self.started);
        self.stats.ended(outcome, started);
    }
}

impl<S: Deref<Target = MethodStats>> Drop for Timing<S> {
    fn drop(&mut self) {
        if !self.done {
            let outcome = match std::thread::panicking() {
                true => Outcome::InternalError,
                false => Outcome::Cancelled,
            };
            self.finish(outcome);
        }
    }
}

/// A handler's future, counted when it completes (or is dropped first).
struct Watched {
    // Dropped first (fields drop in order): the call is counted as
    // cancelled before whatever its future holds is released.
    timing: Timing<Arc<MethodStats>>,
    fut: BoxFuture,
}

impl Future for Watched {
    type Output = HandlerResult;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<HandlerResult> {
        let this = self.get_mut();
        // A panic in the handler unwinds through here: `guard` sees it and
        // counts an internal error (which is how the driver answers it).
        let guard = Unwinding(&mut this.timing);
        let polled = this.fut.as_mut().poll(cx);
        if let Poll::Ready(result) = &polled {
            guard.0.finish(Outcome::of_result(result));
        }
        polled
    }
}

/// Counts an internal error if dropped while a panic unwinds.
struct Unwinding<'t>(&'t mut Timing<Arc<MethodStats>>);

impl Drop for Unwinding<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() && !self.0.done {
            self.0.finish(Outcome::InternalError);
        }
    }
}
