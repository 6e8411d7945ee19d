//! The book of the app's calls to the server: the pending table (who waits
//! for which id), the calls' deadlines, and the queue of messages written
//! while the socket was not open.
//!
//! One owner for the three, because every way a call ends (answer, timeout,
//! abort, lost connection, close) must update them together. It sends through
//! the socket it is handed and never calls back up: timers and abort
//! listeners belong to the client, which asks this book what is due.

use std::collections::VecDeque;

use jrpc_shared::{BatchDraft, ErrorObject, Outbound, Raw, code};
use js_sys::Promise;
use wasm_bindgen::JsValue;

use crate::deadlines::Deadlines;
use crate::error;
use crate::socket::Socket;
use crate::waiter::{AbortListener, Waiter, promise};

/// A message written while the socket was not open, sent on (re)open.
struct Unsent {
    /// The requests it carries (to mark them sent), empty for notifications.
    ids: Vec<u64>,
    text: String,
}

/// The calls this side made and what waits for them.
pub(crate) struct Outgoing {
    table: Outbound<Waiter>,
    deadlines: Deadlines,
    queue: VecDeque<Unsent>,
    max_queued: usize,
}

impl Outgoing {
    pub(crate) fn new(max_queued: usize) -> Outgoing {
        Outgoing {
            table: Outbound::new(),
            deadlines: Deadlines::default(),
            queue: VecDeque::new(),
            max_queued,
        }
    }

    /// Registers a request and sends (or queues) it; `None` when it could not
    /// be (closed, queue full), in which case its promise is already rejected.
    pub(crate) fn request(
        &mut self,
        method: &str,
        params: Option<Raw<'_>>,
        waiter: Waiter,
        socket: Option<&Socket>,
    ) -> Option<u64> {
        let (id, text) = match self.table.request(method, params, waiter) {
            Ok(registered) => registered,
            Err(jrpc_shared::Closed(waiter)) => {
                waiter.fail(closed_error());
                return None;
            }
        };
        if let Err(full) = self.send_or_queue(vec![id], text, socket) {
            if let Some(waiter) = self.table.take(id) {
                waiter.fail(full);
            }
            return None;
        }
        Some(id)
    }

    /// Sends (or queues) a notification; `Err` is the error to throw.
    pub(crate) fn notify(
        &mut self,
        method: &str,
        params: Option<Raw<'_>>,
        socket: Option<&Socket>,
    ) -> Result<(), JsValue> {
        if self.table.is_closed() {
            return Err(closed_error());
        }
        self.send_or_queue(
            Vec::new(),
            jrpc_shared::notification_text(method, params),
            socket,
        )
    }

    /// Registers and sends (or queues) a batch as one message; the ids of its
    /// requests and the promises of their results, in order. `Err` is the
    /// error the batch's promise rejects with.
    pub(crate) fn batch(
        &mut self,
        draft: &BatchDraft,
        socket: Option<&Socket>,
    ) -> Result<(Vec<u64>, Vec<Promise>), JsValue> {
        let mut promises = Vec::new();
        let sent = self.table.batch(draft, |_| {
            let (p, resolve, reject) = promise();
            promises.push(p);
            Waiter::new(resolve, reject)
        });
        let (ids, text) = match sent {
            Ok(Some(sent)) => sent,
            Ok(None) => return Ok((Vec::new(), promises)),
            // The batch's own promise rejects, even for a batch of only notifications.
            Err(jrpc_shared::Closed(())) => return Err(closed_error()),
        };
        if let Err(full) = self.send_or_queue(ids.clone(), text, socket) {
            for id in &ids {
                drop(self.table.take(*id));
            }
            return Err(full);
        }
        Ok((ids, promises))
    }

    /// Starts call `id`'s timeout at `now`; `Some(at)` when the client's
    /// timer must be set to fire at `at`.
    pub(crate) fn start_deadline(&mut self, id: u64, now: f64, timeout_ms: f64) -> Option<u64> {
        let waiter = self.table.get_mut(id)?;
        let (deadline, rearm) = self.deadlines.start(now, timeout_ms)?;
        waiter.deadline = Some(deadline);
        rearm
    }

    /// Attaches the abort listener of call `id`, removed when the call ends.
    pub(crate) fn set_abort(&mut self, id: u64, listener: AbortListener) {
        if let Some(waiter) = self.table.get_mut(id) {
            waiter.abort = Some(listener);
        }
    }

    /// The timer fired at `now`: gives up on every call that is due (telling
    /// the peer), and returns their waiters with their timeout errors and
    /// when the timer must fire next.
    pub(crate) fn expire(
        &mut self,
        now: f64,
        socket: Option<&Socket>,
    ) -> (Vec<(Waiter, JsValue)>, Option<u64>) {
        let waiting = self.table.waiting().map(|(id, w)| (id, w.deadline));
        let (due, next) = self.deadlines.due(now, waiting);
        let failed = due
            .into_iter()
            .filter_map(|(id, timeout_ms)| {
                let message =
                    format!("no answer within {timeout_ms} ms; the request was cancelled");
                let waiter = self.abandon(id, socket)?;
                Some((waiter, error::local(code::REQUEST_TIMEOUT, &message)))
            })
            .collect();
        (failed, next)
    }

    /// Settles call `id` with the peer's answer; a late (after a timeout or
    /// abort) or unknown id finds nothing to settle.
    pub(crate) fn settle(&mut self, id: u64, outcome: Result<Raw<'_>, ErrorObject>) {
        match (self.table.take(id), outcome) {
            (Some(waiter), Ok(result)) => waiter.succeed(result),
            (Some(waiter), Err(e)) => waiter.fail_with(&e),
            (None, _) => {}
        }
    }

    /// Gives up on a call: a sent one is cancelled at the peer with
    /// `$/cancelRequest`, a queued one is taken out of the queue.
    pub(crate) fn abandon(&mut self, id: u64, socket: Option<&Socket>) -> Option<Waiter> {
        let (waiter, cancel) = self.table.cancel(id)?;
        if waiter.sent {
            if let Some(socket) = socket {
                socket.send(&cancel);
            }
        } else {
            // Not sent yet: take it out of its queued message, and drop a
            // message (a request or a batch) none of whose calls still wait.
            self.queue
                .retain_mut(|u| match u.ids.iter().position(|x| *x == id) {
                    Some(i) => {
                        u.ids.remove(i);
                        !u.ids.is_empty()
                    }
                    None => true,
                });
        }
        Some(waiter)
    }

    /// The socket opened: sends the queued messages in order.
    pub(crate) fn flush(&mut self, socket: &Socket) {
        while let Some(unsent) = self.queue.pop_front() {
            if !(socket.is_open() && socket.send(&unsent.text)) {
                self.queue.push_front(unsent);
                return;
            }
            self.mark_sent(&unsent.ids);
        }
    }

    /// The connection dropped: calls already sent cannot be answered any
    /// more and fail; queued ones wait for the next connection.
    pub(crate) fn lost(&mut self) {
        let lost = error::local(
            code::CONNECTION_CLOSED,
            "connection lost before the answer arrived",
        );
        for waiter in self.table.take_where(|w| w.sent) {
            waiter.fail(lost.clone());
        }
    }

    /// Closed for good: the queue is dropped and every call fails with `error`.
    pub(crate) fn close(&mut self, error: &JsValue) {
        self.queue.clear();
        self.deadlines.clear();
        for waiter in self.table.close() {
            waiter.fail(error.clone());
        }
    }

    /// Sends now if `socket` is open, else queues (bounded); `ids` are the
    /// requests in `text`. `Err` is the error for a full queue.
    fn send_or_queue(
        &mut self,
        ids: Vec<u64>,
        text: String,
        socket: Option<&Socket>,
    ) -> Result<(), JsValue> {
        if socket.is_some_and(|s| s.send(&text)) {
            self.mark_sent(&ids);
            return Ok(());
        }
        if self.queue.len() >= self.max_queued {
            return Err(error::local(
                code::QUEUE_FULL,
                &format!(
                    "too many calls are waiting for the connection to open (the limit is {})",
                    self.max_queued
                ),
            ));
        }
        self.queue.push_back(Unsent { ids, text });
        Ok(())
    }

    fn mark_sent(&mut self, ids: &[u64]) {
        for id in ids {
            if let Some(waiter) = self.table.get_mut(*id) {
                waiter.sent = true;
            }
        }
    }
}

/// The error of a call made on a closed client.
pub(crate) fn closed_error() -> JsValue {
    error::local(code::CONNECTION_CLOSED, "the client is closed")
}

/// The error of a call whose `AbortSignal` was aborted.
pub(crate) fn aborted_error() -> JsValue {
    error::local(
        code::REQUEST_CANCELLED,
        "Request cancelled: its AbortSignal was aborted",
    )
}
