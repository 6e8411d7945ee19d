//! [`Slots`]: the server-wide cap on handlers running at once
//! ([`Limits::max_running_handlers`](crate::Limits::max_running_handlers),
//! wsjsonrpc's `concurrency`).
//!
//! A call that finds every slot taken is not refused: it waits for one, in
//! arrival order (tokio's semaphore is fair), as a task of its connection.
//! What waits is bounded by the per-connection limits that bound running
//! calls anyway: `max_in_flight` requests (the engine answers -32000 beyond
//! it) and as many notifications (the connection stops reading beyond it).
//! A waiting call can be cancelled like a running one; it then never starts.

use std::sync::Arc;

use jrpc_shared::handler::{BoxFuture, Outcome};
use jrpc_shared::{ErrorObject, Raw, RawBuf};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::{Connection, MethodSet};

/// A slot held by a running handler; dropping it frees the slot.
pub(crate) type Slot = OwnedSemaphorePermit;

/// The slots of one server, shared by all its connections.
#[derive(Clone)]
pub(crate) struct Slots(Arc<Semaphore>);

impl Slots {
    /// `n` slots (at least one).
    pub(crate) fn new(n: usize) -> Self {
        Slots(Arc::new(Semaphore::new(n.clamp(1, Semaphore::MAX_PERMITS))))
    }

    /// A slot, if one is free now and no call is waiting for one.
    pub(crate) fn try_take(&self) -> Option<Slot> {
        Arc::clone(&self.0).try_acquire_owned().ok()
    }

    /// `fut`, holding `slot` until it completes.
    pub(crate) fn hold(slot: Slot, fut: BoxFuture) -> BoxFuture {
        Box::pin(async move {
            let result = fut.await;
            drop(slot);
            result
        })
    }

    /// A call that found no free slot: waits for one, then runs `method`'s
    /// handler and holds the slot until the handler is done.
    pub(crate) fn wait_then_call(
        &self,
        methods: Arc<MethodSet>,
        method: &str,
        conn: Connection,
        params: Option<Raw<'_>>,
    ) -> BoxFuture {
        let slots = Arc::clone(&self.0);
        let method = method.to_owned();
        // The frame the params came in is gone by the time the call starts.
        let params: Option<RawBuf> = params.map(|p| p.to_buf());
        Box::pin(async move {
            // Never closed, so this only waits.
            let _slot = slots.acquire_owned().await.ok();
            let Some(handler) = methods.table.get(&method) else {
                // Not reached: the table does not change after the server starts.
                return Err(ErrorObject::method_not_found());
            };
            match handler.call(conn, params.as_ref().map(RawBuf::as_raw)) {
                Outcome::Ready(result) => result,
                Outcome::Pending(fut) => fut.await,
            }
        })
    }
}
