//! This side's calls, answered: the answer goes to whoever waits for it; a
//! subscribe request's success binds its subscription in the book first;
//! and one nobody waits for any more, if it accepts a subscribe request the
//! app gave up on, has the subscription it opened ended.

use jrpc_shared::{ErrorObject, Raw, RawBuf};

use super::{Driver, WebSocketIo};

impl<W: WebSocketIo> Driver<W> {
    /// Settles this side's call `id` with `outcome`.
    pub(super) fn settle(&mut self, id: u64, outcome: Result<Raw<'_>, ErrorObject>) {
        // Taken out first: the lock is not held while the rest runs.
        let waiter = self.conn.outbound().take(id);
        let Some(waiter) = waiter else {
            match outcome {
                Ok(result) => self.answered_late(id, result.get()),
                Err(_) => tracing::debug!(id, "ignored a late, unknown or duplicate error"),
            }
            return;
        };
        if let (Some((key, from)), Ok(result)) = (&waiter.subscribing, &outcome) {
            // Before the next frame, which may hold its first item.
            let book = self.inbound.subscriptions();
            match from {
                Some(from) => book.bind_resumed(*key, result.get(), from),
                None => book.bind(*key, result.get()),
            }
        }
        // The caller may have stopped waiting; that is fine.
        drop(waiter.tx.send(outcome.map(|r| r.to_buf())));
    }

    /// A success nobody waits for: if it accepts a subscribe request the
    /// app gave up on, the subscription the server opened is ended (its
    /// unsubscribe request's answer is not awaited).
    fn answered_late(&mut self, id: u64, result: &str) {
        let book = self.inbound.subscriptions();
        let Some((key, params)) = book.answered_late(id, result) else {
            tracing::debug!(id, "ignored a late, unknown or duplicate response");
            return;
        };
        let Some(method) = self.conn.0.inboxes.take_unsubscribe(key) else {
            return;
        };
        tracing::debug!(id, %method, "a subscribe given up on was accepted late: ending it");
        let params = RawBuf::from_trusted(params);
        let (tx, _) = tokio::sync::oneshot::channel();
        let request = self
            .conn
            .outbound()
            .request(&method, Some(params.as_raw()), tx.into());
        if let Ok((_, text)) = request {
            self.queue.push(text);
        }
    }
}
