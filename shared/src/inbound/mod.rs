//! The receiving half of a peer: turns incoming frames into actions and
//! assembles the replies.
//!
//! [`Inbound::receive`] reads a frame and tells the driver what to do: call a
//! handler, send a reply, settle one of its own pending calls, or abort a
//! handler that was cancelled. When a handler finishes the driver hands its
//! result to [`Inbound::complete`], which returns the text to send (a response,
//! or a whole batch reply once its last member is done). Every request gets
//! exactly one response; a batch of only notifications gets none.
//!
//! What a frame costs is bounded by the frame: its size is checked before it
//! is read, a batch's length is capped, and a `$/cancelRequest` finds its call
//! through an index rather than a scan of every call in flight.

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;

use crate::parse::{Frame, Item, parse};
use crate::table::{PeerTable, Table, peer_table};
use crate::wire::{push_error, push_response, response_text};
use crate::{CANCEL_METHOD, ErrorObject, HandlerResult, Id, Methods, Raw, RawBuf};

/// Drops the request `token`, just taken out of the calls in flight, from
/// the index of ids, if the index has it under `id`. A macro rather than a
/// method: the browser's build of [`Inbound::complete`] comes out larger
/// through a function of its own, inlined or not (measured), and this
/// leaves it exactly as it was written.
macro_rules! unindex {
    ($inbound:ident, $token:ident, $id:expr) => {
        if let Some(by_id) = &mut $inbound.by_id {
            // Only if the id still names this call (a later one may reuse it).
            if by_id.get($id) == Some(&$token.0) {
                by_id.remove($id);
            }
        }
    };
}

mod answer;
#[cfg(feature = "std")]
mod tally;

pub use answer::{Answer, Completion};
#[cfg(feature = "std")]
pub use tally::Rejected;

/// Identifies one incoming request while its handler runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CallToken(u64);

impl CallToken {
    /// The token as a number, for a driver that must hand it to code outside
    /// Rust (the browser driver keeps it in JavaScript while a method runs).
    ///
    /// ```
    /// use jrpc_shared::CallToken;
    /// let token = CallToken::from_u64(7);
    /// assert_eq!(CallToken::from_u64(token.as_u64()), token);
    /// ```
    pub fn as_u64(self) -> u64 {
        self.0
    }

    /// The token [`CallToken::as_u64`] gave. A number that names no call in
    /// flight is harmless: [`Inbound::complete`] finds nothing to answer.
    pub fn from_u64(token: u64) -> CallToken {
        CallToken(token)
    }
}

/// What the driver must do after [`Inbound::receive`].
pub enum Action<'a, 'm, H> {
    /// Run `handler` with `params`; for a request (`token` is `Some`) pass its
    /// result to [`Inbound::complete`], for a notification drop the result.
    Call {
        /// The method's handler.
        handler: &'m H,
        /// The method name (for logs).
        method: Cow<'a, str>,
        /// The params member as raw JSON.
        params: Option<Raw<'a>>,
        /// `Some` for a request.
        token: Option<CallToken>,
        /// The request's `resume` member, for a subscription (see
        /// [`crate::subscription`]).
        resume: Option<Raw<'a>>,
        /// The request came in a batch (whose reply goes out only when
        /// all of it is answered).
        batched: bool,
    },
    /// Send this text to the peer now.
    Reply(String),
    /// A response to one of this side's calls: settle the pending call `id`
    /// (see [`crate::Outbound::take`]).
    Settle {
        /// The id of this side's call.
        id: u64,
        /// The peer's result or error.
        outcome: Result<Raw<'a>, ErrorObject>,
    },
    /// The peer cancelled this request: drop its handler (its reply is already written).
    Abort(CallToken),
    /// A message of one of this side's subscriptions (see
    /// [`Inbound::subscriptions`]): hand it to the subscription `key`.
    Subscription {
        /// The subscription's key in the book.
        key: u64,
        /// What it gets.
        delivered: crate::subscription::Delivered<'a>,
    },
}

struct InFlight {
    id: Id,
    batch: Option<u64>,
}

/// A batch reply being assembled: `[` + finished responses, in completion order.
struct BatchReply {
    waiting: usize,
    text: String,
}

/// The receiving side's state: requests in flight and batch replies in progress.
pub struct Inbound {
    next_token: u64,
    in_flight: Table<u64, InFlight>,
    /// The token of the request in flight under each id, for `$/cancelRequest`.
    /// Built when the first cancel arrives and kept from then on, so a peer
    /// that never cancels does not pay for it. Keyed by the peer's ids, so it
    /// is a [`PeerTable`], which crafted ids cannot degrade. Of
    /// two requests in flight under one id (which the specification asks
    /// peers not to send), the later one is the one a cancel reaches.
    by_id: Option<PeerTable<Id, u64>>,
    batches: Table<u64, BatchReply>,
    max_in_flight: usize,
    max_batch_len: usize,
    max_message_size: usize,
    refusal: Option<ErrorObject>,
    /// This side's own subscriptions, whose messages arrive as notifications.
    #[cfg(feature = "subscribe")]
    book: crate::subscription::Book,
    /// What was refused without a handler, for a server's metrics.
    #[cfg(feature = "std")]
    rejected: Rejected,
}

/// Default for [`Inbound::with_max_batch_len`].
pub const DEFAULT_MAX_BATCH_LEN: usize = 1024;

/// Default for [`Inbound::with_max_message_size`]: 1 MiB.
pub const DEFAULT_MAX_MESSAGE_SIZE: usize = 1 << 20;

impl Inbound {
    /// A new receiver that answers requests beyond `max_in_flight` concurrent
    /// ones with a "server busy" error instead of running them.
    pub fn new(max_in_flight: usize) -> Self {
        Inbound {
            next_token: 0,
            in_flight: Table::default(),
            by_id: None,
            batches: Table::default(),
            max_in_flight,
            max_batch_len: DEFAULT_MAX_BATCH_LEN,
            max_message_size: DEFAULT_MAX_MESSAGE_SIZE,
            refusal: None,
            #[cfg(feature = "subscribe")]
            book: Default::default(),
            #[cfg(feature = "std")]
            rejected: Rejected::default(),
        }
    }

    /// What was refused without running a handler since the last call
    /// (feature `std`): a server adds it to its metrics.
    #[cfg(feature = "std")]
    pub fn take_rejected(&mut self) -> Rejected {
        core::mem::take(&mut self.rejected)
    }

    /// Counts a refusal with error `code` (with `std`; nothing without).
    #[inline(always)]
    fn rejected(&mut self, code: i64) {
        #[cfg(feature = "std")]
        self.rejected.count(code);
        #[cfg(not(feature = "std"))]
        let _ = code;
    }

    /// Sets the largest frame (in bytes) that is read; a larger one is
    /// refused without running anything in it (see [`Inbound::receive`]).
    pub fn with_max_message_size(mut self, max: usize) -> Self {
        self.max_message_size = max;
        self
    }

    /// This side's subscriptions: open one before sending its subscribe
    /// request, bind it to the server's id when the answer comes; its
    /// messages then come out of [`Inbound::receive`] as
    /// [`Action::Subscription`] instead of notifications.
    #[cfg(feature = "subscribe")]
    pub fn subscriptions(&mut self) -> &mut crate::subscription::Book {
        &mut self.book
    }

    /// The connection dropped and the next one starts afresh: the peer's
    /// calls in flight and batches in progress are forgotten (no reply
    /// reaches it any more), and this side's subscriptions keep their
    /// positions to resume from ([`Book::disconnected`](crate::subscription::Book::disconnected)).
    /// The limits stay.
    pub fn disconnected(&mut self) {
        self.next_token = 0;
        self.in_flight = Table::default();
        self.by_id = None;
        self.batches = Table::default();
        self.refusal = None;
        #[cfg(feature = "subscribe")]
        self.book.disconnected();
    }

    /// The id of the request in flight under `token` (for logs: drivers
    /// name a call by it).
    pub fn request_id(&self, token: CallToken) -> Option<&crate::Id> {
        self.in_flight.get(&token.0).map(|call| &call.id)
    }

    /// The largest frame read.
    pub fn max_message_size(&self) -> usize {
        self.max_message_size
    }

    /// Sets the largest batch accepted; a longer one is answered with a single
    /// -32600 error, so one frame cannot ask for an unbounded reply.
    pub fn with_max_batch_len(mut self, max: usize) -> Self {
        self.max_batch_len = max.max(1);
        self
    }

    /// The largest batch accepted.
    pub fn max_batch_len(&self) -> usize {
        self.max_batch_len
    }

    /// From now on, answers every new request with `error` instead of running
    /// it (and drops new notifications), while calls already running finish.
    /// Used for graceful shutdown.
    pub fn refuse_new_calls(&mut self, error: ErrorObject) {
        self.refusal = Some(error);
    }

    /// True after [`Inbound::refuse_new_calls`].
    pub fn is_refusing(&self) -> bool {
        self.refusal.is_some()
    }

    /// How many requests are being handled now.
    pub fn in_flight(&self) -> usize {
        self.in_flight.len()
    }

    /// Reads one text frame and appends what to do to `actions`.
    ///
    /// A frame over the size limit is refused: a request in it is answered
    /// with -32001 under its own id (a batch with one -32001 under id `null`,
    /// not one per member), and a response in it fails the call it answers,
    /// so nobody waits for a timeout; nothing in it runs.
    pub fn receive<'a, 'm, H>(
        &mut self,
        text: &'a str,
        methods: &'m Methods<H>,
        actions: &mut Vec<Action<'a, 'm, H>>,
    ) {
        if text.len() > self.max_message_size {
            let error = ErrorObject::message_too_large(text.len(), self.max_message_size);
            crate::reject::refuse(text, &error, self.max_batch_len, actions);
            self.rejected(error.code);
            return;
        }
        match parse(text, self.max_batch_len) {
            Frame::Error(error) => {
                self.rejected(error.code);
                let mut out = String::with_capacity(80);
                push_error(&mut out, &Id::null(), &error);
                actions.push(Action::Reply(out));
            }
            Frame::Single(item) => {
                let mut out = String::new();
                self.item(item, None, methods, actions, &mut out);
                if !out.is_empty() {
                    actions.push(Action::Reply(out));
                }
            }
            Frame::Batch(items) => self.batch(items, methods, actions),
        }
    }

    /// A binary frame: JSON-RPC over WebSocket travels in text frames, so it
    /// is answered with one -32700 error (id `null`), as invalid JSON is.
    pub fn receive_binary<H>(&mut self, actions: &mut Vec<Action<'_, '_, H>>) {
        self.rejected(crate::code::PARSE_ERROR);
        let mut out = String::with_capacity(160);
        push_error(&mut out, &Id::null(), &ErrorObject::binary_frame());
        actions.push(Action::Reply(out));
    }

    fn batch<'a, 'm, H>(
        &mut self,
        items: Vec<Item<'a>>,
        methods: &'m Methods<H>,
        actions: &mut Vec<Action<'a, 'm, H>>,
    ) {
        let key = self.next_token;
        self.next_token += 1;
        // `waiting` starts at 1 for the batch itself, so the reply cannot be
        // finished while its members are still being read, even if one of them
        // (a `$/cancelRequest`) completes another.
        self.batches.insert(
            key,
            BatchReply {
                waiting: 1,
                // About one short response per member, to spare regrowing.
                text: String::with_capacity(48 * items.len()),
            },
        );
        actions.reserve(items.len());
        // Immediate answers (errors) are written into a scratch buffer and
        // appended, so the batch entry is not borrowed while items register.
        let mut immediate = String::new();
        for item in items {
            let before = immediate.len();
            self.item(item, Some(key), methods, actions, &mut immediate);
            if immediate.len() > before {
                let batch = self.batches.get_mut(&key);
                if let Some(batch) = batch {
                    // `before` is where the last member ended: a char boundary.
                    append_member(&mut batch.text, immediate.get(before..).unwrap_or_default());
                }
            }
        }
        if let Some(batch) = self.batches.get_mut(&key) {
            batch.waiting -= 1;
        }
        if let Some(text) = self.finish_batch_if_done(key) {
            actions.push(Action::Reply(text));
        }
    }

    /// Handles one item. Immediate replies are appended to `out`; a request
    /// that goes to a handler is registered (and counted in its batch).
    fn item<'a, 'm, H>(
        &mut self,
        item: Item<'a>,
        batch: Option<u64>,
        methods: &'m Methods<H>,
        actions: &mut Vec<Action<'a, 'm, H>>,
        out: &mut String,
    ) {
        match item {
            Item::Invalid { id, error } => {
                self.rejected(error.code);
                push_error(out, &id, &error)
            }
            Item::Ignored(why) => debug!("ignored a message: {why}"),
            Item::Response { id, outcome } => match Id::from_raw(id).and_then(|id| id.as_u64()) {
                Some(id) => actions.push(Action::Settle { id, outcome }),
                None => debug!(
                    "ignored a response with id {}, which this side never uses",
                    id.get()
                ),
            },
            Item::Call {
                method, params, id, ..
            } if method == CANCEL_METHOD => {
                self.cancel(params, actions);
                if let Some(id) = id {
                    push_response(out, &id, &Ok(RawBuf::null()));
                }
            }
            Item::Call { id, .. } if self.refusal.is_some() => {
                self.rejected(crate::code::SERVER_BUSY);
                if let (Some(id), Some(error)) = (id, &self.refusal) {
                    push_error(out, &id, error);
                }
            }
            Item::Call {
                method,
                params,
                id,
                resume,
            } => {
                #[cfg(feature = "subscribe")]
                if id.is_none() && self.book.is_listening() {
                    let mut deliver = |key, delivered| {
                        actions.push(Action::Subscription { key, delivered });
                    };
                    if params.is_some_and(|p| self.book.read(p, &mut deliver)) {
                        return;
                    }
                }
                let Some(handler) = methods.get(&method) else {
                    self.rejected(crate::code::METHOD_NOT_FOUND);
                    if let Some(id) = id {
                        push_error(out, &id, &ErrorObject::method_not_found());
                    }
                    return;
                };
                let token = match id {
                    None => None,
                    Some(id) if self.in_flight.len() >= self.max_in_flight => {
                        self.rejected(crate::code::SERVER_BUSY);
                        push_error(out, &id, &ErrorObject::server_busy(self.max_in_flight));
                        return;
                    }
                    Some(id) => Some(self.register(id, batch)),
                };
                actions.push(Action::Call {
                    handler,
                    method,
                    params,
                    token,
                    resume,
                    batched: batch.is_some(),
                });
            }
        }
    }

    fn register(&mut self, id: Id, batch: Option<u64>) -> CallToken {
        let token = self.next_token;
        self.next_token += 1;
        if let Some(by_id) = &mut self.by_id {
            by_id.insert(id.clone(), token);
        }
        self.in_flight.insert(token, InFlight { id, batch });
        if let Some(b) = batch.and_then(|key| self.batches.get_mut(&key)) {
            b.waiting += 1;
        }
        CallToken(token)
    }

    /// `$/cancelRequest`: answer the named request with -32800 and abort its handler.
    fn cancel<'a, 'm, H>(&mut self, params: Option<Raw<'a>>, actions: &mut Vec<Action<'a, 'm, H>>) {
        let Some(target) = params.and_then(crate::parse::cancel_target) else {
            debug!("ignored a {CANCEL_METHOD} without a valid id");
            return;
        };
        let in_flight = &self.in_flight;
        let by_id = self.by_id.get_or_insert_with(|| {
            // Of two calls under one id the later wins, as in `register`:
            // tokens grow with arrival, and the map's order is not arrival's.
            let mut by_id = peer_table::<u64>(in_flight.len());
            for (token, f) in in_flight {
                match by_id.get_mut(&f.id) {
                    Some(latest) => *latest = (*latest).max(*token),
                    None => {
                        by_id.insert(f.id.clone(), *token);
                    }
                }
            }
            by_id
        });
        let Some(token) = by_id.get(&target).copied() else {
            debug!("ignored a cancel for {target}, which is not in flight");
            return;
        };
        if let Some(text) = self.complete(CallToken(token), Err(ErrorObject::request_cancelled())) {
            actions.push(Action::Reply(text));
        }
        actions.push(Action::Abort(CallToken(token)));
    }

    /// Records the result of the request `token` and returns the text to send:
    /// its response, or the whole batch reply if it was the batch's last request.
    /// Returns `None` for a request that was already answered (cancelled).
    pub fn complete(&mut self, token: CallToken, result: HandlerResult) -> Option<String> {
        let entry = self.in_flight.remove(&token.0)?;
        unindex!(self, token, &entry.id);
        let Some(key) = entry.batch else {
            return Some(response_text(&entry.id, &result));
        };
        let batch = self.batches.get_mut(&key)?;
        // Written straight into the batch reply: no text of its own.
        start_member(&mut batch.text);
        push_response(&mut batch.text, &entry.id, &result);
        batch.waiting = batch.waiting.saturating_sub(1);
        self.finish_batch_if_done(key)
    }

    fn finish_batch_if_done(&mut self, key: u64) -> Option<String> {
        if self.batches.get(&key)?.waiting > 0 {
            return None;
        }
        let mut batch = self.batches.remove(&key)?;
        if batch.text.is_empty() {
            // Only notifications: the specification says to send nothing at all.
            return None;
        }
        batch.text.push(']');
        Some(batch.text)
    }
}

/// Opens the batch reply (`[`) or separates the next member from the last (`,`).
fn start_member(text: &mut String) {
    text.push(if text.is_empty() { '[' } else { ',' });
}

fn append_member(text: &mut String, member: &str) {
    start_member(text);
    text.push_str(member);
}

#[cfg(test)]
mod tests;
