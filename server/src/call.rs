//! Waiting for the answer to an outgoing call, with a deadline and cancel-on-drop.

use std::time::Duration;

use jrpc_shared::{CallError, ErrorObject, RawBuf};
use tokio::sync::oneshot;
use tokio::time::Instant;

use crate::Connection;

/// Cancels an unanswered call when dropped: removes it from the pending table
/// and tells the peer with `$/cancelRequest`, so its handler can stop.
/// This runs when the caller's future is dropped or the call times out.
pub(crate) struct CancelGuard<'c> {
    conn: &'c Connection,
    id: Option<u64>,
}

impl<'c> CancelGuard<'c> {
    pub(crate) fn new(conn: &'c Connection, id: u64) -> Self {
        CancelGuard { conn, id: Some(id) }
    }

    /// The call was settled: nothing to cancel.
    pub(crate) fn disarm(&mut self) {
        self.id = None;
    }
}

impl Drop for CancelGuard<'_> {
    fn drop(&mut self) {
        let Some(id) = self.id.take() else { return };
        let cancelled = self.conn.outbound().cancel(id);
        if let Some((_waiter, text)) = cancelled {
            // Best effort: a full queue means the peer is far behind anyway,
            // and the call is already settled on this side.
            if !self.conn.try_send_text(text) {
                tracing::debug!(id, "could not queue $/cancelRequest");
            }
        }
    }
}

/// The instant `timeout` from now; a timeout too large to represent (say
/// `Duration::MAX`) means "practically never" instead of an overflow panic.
pub(crate) fn deadline_after(timeout: Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(timeout)
        .unwrap_or_else(|| now + Duration::from_secs(60 * 60 * 24 * 365 * 30))
}

/// Waits for `rx` until `deadline`; on timeout the guard cancels the call.
pub(crate) async fn await_answer(
    rx: oneshot::Receiver<Result<RawBuf, ErrorObject>>,
    mut guard: CancelGuard<'_>,
    deadline: Instant,
    timeout: Duration,
) -> Result<RawBuf, CallError> {
    let answer = tokio::time::timeout_at(deadline, rx).await;
    match answer {
        Err(_elapsed) => Err(CallError::Timeout(timeout)), // guard drops here: cancel sent
        Ok(settled) => {
            guard.disarm();
            match settled {
                Ok(Ok(raw)) => Ok(raw),
                Ok(Err(error)) => Err(CallError::Rpc(error)),
                // The waiter was dropped: the connection closed.
                Err(_) => Err(CallError::ConnectionClosed),
            }
        }
    }
}
