//! The calling half of a peer: id allocation and the pending-call table.
//!
//! Generic over `W`, whatever waits for an answer: a oneshot sender natively,
//! a Promise's resolve/reject pair in the browser. The table only stores and
//! hands back waiters; settling them is the driver's job, so every exit path
//! (response, timeout, cancel, close) goes through a method that removes the
//! entry, and a waiter is therefore settled at most once.

use serde_json::value::RawValue;

use crate::wire::push_call;
use crate::{CANCEL_METHOD, LocalMap};

/// The connection is closed: no call can be registered any more.
///
/// Carries the waiter(s) back so the driver can fail them.
#[derive(Debug)]
pub struct Closed<T>(pub T);

/// Outgoing calls waiting for their responses.
pub struct Outbound<W> {
    next_id: u64,
    pending: LocalMap<u64, W>,
    closed: bool,
}

impl<W> Default for Outbound<W> {
    fn default() -> Self {
        Outbound {
            next_id: 1,
            pending: LocalMap::default(),
            closed: false,
        }
    }
}

impl<W> Outbound<W> {
    /// An empty table; ids start at 1.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers a request and returns its id and the text to send.
    ///
    /// ```
    /// let mut out = jrpc_shared::Outbound::new();
    /// let (id, text) = out.request("ping", None, "waiter").unwrap();
    /// assert_eq!(text, format!(r#"{{"jsonrpc":"2.0","method":"ping","id":{id}}}"#));
    /// assert_eq!(out.take(id), Some("waiter"));
    /// assert_eq!(out.take(id), None); // a duplicate response finds nothing
    /// ```
    pub fn request(
        &mut self,
        method: &str,
        params: Option<&RawValue>,
        waiter: W,
    ) -> Result<(u64, String), Closed<W>> {
        if self.closed {
            return Err(Closed(waiter));
        }
        let id = self.allocate();
        let mut text =
            String::with_capacity(56 + method.len() + params.map_or(0, |p| p.get().len()));
        push_call(&mut text, method, params, Some(id));
        self.pending.insert(id, waiter);
        Ok((id, text))
    }

    fn allocate(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id = self.next_id.wrapping_add(1).max(1);
        id
    }

    /// Starts a batch; nothing is registered until [`BatchBuilder::finish`].
    pub fn batch(&mut self) -> BatchBuilder<'_, W> {
        BatchBuilder {
            outbound: self,
            text: String::new(),
            waiters: Vec::new(),
        }
    }

    /// Removes and returns the waiter for a response with this id; `None` for
    /// an unknown, late or duplicate response.
    pub fn take(&mut self, id: u64) -> Option<W> {
        self.pending.remove(&id)
    }

    /// Gives up on call `id` (dropped, timed out or aborted by the caller):
    /// returns its waiter and the `$/cancelRequest` notification to send, or
    /// `None` if it was settled already.
    pub fn cancel(&mut self, id: u64) -> Option<(W, String)> {
        let waiter = self.pending.remove(&id)?;
        Some((waiter, cancel_text(id)))
    }

    /// Marks the connection closed and returns every pending waiter, so the
    /// driver can fail them all at once. Later calls get [`Closed`].
    pub fn close(&mut self) -> Vec<W> {
        self.closed = true;
        self.pending.drain().map(|(_, w)| w).collect()
    }

    /// Removes and returns the waiters for which `pred` is true, leaving the
    /// others pending. The browser driver uses it when a connection drops:
    /// calls already sent fail, calls still queued wait for the reconnect.
    pub fn take_where(&mut self, mut pred: impl FnMut(&W) -> bool) -> Vec<W> {
        let ids: Vec<u64> = self
            .pending
            .iter()
            .filter(|(_, w)| pred(w))
            .map(|(id, _)| *id)
            .collect();
        ids.into_iter()
            .filter_map(|id| self.pending.remove(&id))
            .collect()
    }

    /// Every pending call, in no particular order.
    pub fn waiting(&self) -> impl Iterator<Item = (u64, &W)> {
        self.pending.iter().map(|(id, w)| (*id, w))
    }

    /// A pending call's waiter, to update it in place (e.g. mark it sent).
    pub fn get_mut(&mut self, id: u64) -> Option<&mut W> {
        self.pending.get_mut(&id)
    }

    /// True after [`Outbound::close`].
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// How many calls await a response.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }
}

/// The `$/cancelRequest` notification for call `id`.
pub fn cancel_text(id: u64) -> String {
    format!(r#"{{"jsonrpc":"2.0","method":"{CANCEL_METHOD}","params":{{"id":{id}}}}}"#)
}

/// Builds one batch message of requests and notifications.
///
/// ```
/// let mut out = jrpc_shared::Outbound::new();
/// let mut batch = out.batch();
/// let a = batch.request("Add", None, 'a');
/// batch.notify("log", None);
/// let text = batch.finish().unwrap().unwrap();
/// assert!(text.starts_with('[') && text.ends_with(']'));
/// assert_eq!(out.take(a), Some('a'));
/// ```
pub struct BatchBuilder<'o, W> {
    outbound: &'o mut Outbound<W>,
    text: String,
    waiters: Vec<(u64, W)>,
}

impl<W> BatchBuilder<'_, W> {
    /// Adds a request and returns the id its response will carry.
    pub fn request(&mut self, method: &str, params: Option<&RawValue>, waiter: W) -> u64 {
        let id = self.outbound.allocate();
        self.separator();
        push_call(&mut self.text, method, params, Some(id));
        self.waiters.push((id, waiter));
        id
    }

    /// Adds a notification.
    pub fn notify(&mut self, method: &str, params: Option<&RawValue>) {
        self.separator();
        push_call(&mut self.text, method, params, None);
    }

    fn separator(&mut self) {
        self.text.push(if self.text.is_empty() { '[' } else { ',' });
    }

    /// Registers the batch's requests and returns the text to send, or `None`
    /// for an empty batch (which JSON-RPC forbids sending).
    pub fn finish(mut self) -> Result<Option<String>, Closed<Vec<W>>> {
        if self.outbound.closed {
            return Err(Closed(self.waiters.into_iter().map(|(_, w)| w).collect()));
        }
        if self.text.is_empty() {
            return Ok(None);
        }
        self.text.push(']');
        self.outbound.pending.extend(self.waiters);
        Ok(Some(self.text))
    }
}
