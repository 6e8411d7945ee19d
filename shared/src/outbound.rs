//! The calling half of a peer: id allocation and the pending-call table.
//!
//! Generic over `W`, whatever waits for an answer: a oneshot sender natively,
//! a Promise's resolve/reject pair in the browser. The table only stores and
//! hands back waiters; settling them is the driver's job, so every exit path
//! (response, timeout, cancel, close) goes through a method that removes the
//! entry, and a waiter is therefore settled at most once.

use alloc::string::String;
use alloc::vec::Vec;

use crate::batch_draft::{BatchDraft, Entry};
use crate::digits::push_u64;
use crate::table::Table;
use crate::wire::push_call;
use crate::{CANCEL_METHOD, Raw};

/// The connection is closed: no call can be registered any more.
///
/// Carries the waiter(s) back so the driver can fail them.
#[derive(Debug)]
pub struct Closed<T>(pub T);

/// Outgoing calls waiting for their responses.
pub struct Outbound<W> {
    next_id: u64,
    pending: Table<u64, W>,
    closed: bool,
}

impl<W> Default for Outbound<W> {
    fn default() -> Self {
        Outbound {
            next_id: 1,
            pending: Table::default(),
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
        params: Option<Raw<'_>>,
        waiter: W,
    ) -> Result<(u64, String), Closed<W>> {
        let id = self.register(waiter)?;
        let mut text =
            String::with_capacity(56 + method.len() + params.map_or(0, |p| p.get().len()));
        push_call(&mut text, method, params, Some(id));
        Ok((id, text))
    }

    /// Registers a subscribe request (see [`crate::subscription`]): as
    /// [`Outbound::request`], with the `resume` member (`"resume":{..}`,
    /// from [`crate::subscription::resume_member`]) when there is one.
    ///
    /// ```
    /// let mut out = jrpc_shared::Outbound::new();
    /// let resume = jrpc_shared::subscription::resume_member(r#""e""#, 4);
    /// let (id, text) = out.subscribe("t.subscribe", None, Some(&resume), ()).unwrap();
    /// assert_eq!(text, format!(r#"{{"jsonrpc":"2.0","method":"t.subscribe","id":{id},"resume":{{"epoch":"e","seq":4}}}}"#));
    /// ```
    pub fn subscribe(
        &mut self,
        method: &str,
        params: Option<Raw<'_>>,
        resume: Option<&str>,
        waiter: W,
    ) -> Result<(u64, String), Closed<W>> {
        let (id, mut text) = self.request(method, params, waiter)?;
        if let Some(member) = resume {
            text.pop();
            text.push(',');
            text.push_str(member);
            text.push('}');
        }
        Ok((id, text))
    }

    /// Registers a request whose text the driver writes itself (from a
    /// [`call_template`](crate::call_template)) and returns its id.
    ///
    /// ```
    /// let mut out = jrpc_shared::Outbound::new();
    /// let id = out.register("waiter").unwrap();
    /// assert_eq!(out.take(id), Some("waiter"));
    /// ```
    pub fn register(&mut self, waiter: W) -> Result<u64, Closed<W>> {
        if self.closed {
            return Err(Closed(waiter));
        }
        let id = self.allocate();
        self.pending.insert(id, waiter);
        Ok(id)
    }

    fn allocate(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id = self.next_id.wrapping_add(1).max(1);
        id
    }

    /// Registers the requests of `draft`, each with the waiter `waiter(k)`
    /// makes for its `k`-th request, and returns their ids (in order) and the
    /// text to send; `None` for an empty draft, which JSON-RPC forbids sending.
    ///
    /// ```
    /// let mut draft = jrpc_shared::BatchDraft::new();
    /// draft.request("Add", None);
    /// draft.notify("log", None);
    /// let mut out = jrpc_shared::Outbound::new();
    /// let (ids, text) = out.batch(&draft, |k| k).unwrap().unwrap();
    /// assert!(text.starts_with('[') && text.ends_with(']'));
    /// assert_eq!(out.take(ids[0]), Some(0));
    /// ```
    pub fn batch(
        &mut self,
        draft: &BatchDraft,
        mut waiter: impl FnMut(usize) -> W,
    ) -> Result<Option<(Vec<u64>, String)>, Closed<()>> {
        if self.closed {
            return Err(Closed(()));
        }
        if draft.is_empty() {
            return Ok(None);
        }
        let mut ids = Vec::with_capacity(draft.requests());
        let mut text = String::with_capacity(draft.text_len());
        for entry in draft.entries() {
            text.push(if text.is_empty() { '[' } else { ',' });
            let Entry {
                method,
                params,
                request,
            } = entry;
            let id = request.then(|| {
                let id = self.allocate();
                self.pending.insert(id, waiter(ids.len()));
                ids.push(id);
                id
            });
            push_call(&mut text, method, params.as_ref().map(|p| p.as_raw()), id);
        }
        text.push(']');
        Ok(Some((ids, text)))
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

    /// As [`Outbound::close`], for a driver whose waiters need no failing
    /// (the browser's, which keeps its promises itself): they are dropped.
    pub fn close_and_forget(&mut self) {
        self.closed = true;
        self.pending = Table::default();
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
///
/// ```
/// assert_eq!(jrpc_shared::cancel_text(7), r#"{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":7}}"#);
/// ```
pub fn cancel_text(id: u64) -> String {
    let mut out = String::with_capacity(72);
    out.push_str(r#"{"jsonrpc":"2.0","method":""#);
    out.push_str(CANCEL_METHOD);
    out.push_str(r#"","params":{"id":"#);
    push_u64(&mut out, id);
    out.push_str("}}");
    out
}
