//! The receiving half of a peer: turns incoming frames into actions and
//! assembles the replies.
//!
//! [`Inbound::receive`] reads a frame and tells the driver what to do: call a
//! handler, send a reply, settle one of its own pending calls, or abort a
//! handler that was cancelled. When a handler finishes the driver hands its
//! result to [`Inbound::complete`], which returns the text to send (a response,
//! or a whole batch reply once its last member is done). Every request gets
//! exactly one response; a batch of only notifications gets none.

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::parse::{Frame, Item, parse};
use crate::wire::{push_error, push_response, response_text};
use crate::{CANCEL_METHOD, ErrorObject, HandlerResult, Id, LocalMap, Methods};

/// Identifies one incoming request while its handler runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CallToken(u64);

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
        params: Option<&'a RawValue>,
        /// `Some` for a request.
        token: Option<CallToken>,
    },
    /// Send this text to the peer now.
    Reply(String),
    /// A response to one of this side's calls: settle the pending call `id`
    /// (see [`crate::Outbound::take`]).
    Settle {
        /// The id of this side's call.
        id: u64,
        /// The peer's result or error.
        outcome: Result<&'a RawValue, ErrorObject>,
    },
    /// The peer cancelled this request: drop its handler (its reply is already written).
    Abort(CallToken),
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
    in_flight: LocalMap<u64, InFlight>,
    batches: LocalMap<u64, BatchReply>,
    max_in_flight: usize,
    max_batch_len: usize,
    refusal: Option<ErrorObject>,
}

/// Default for [`Inbound::with_max_batch_len`].
pub const DEFAULT_MAX_BATCH_LEN: usize = 1024;

#[derive(Deserialize)]
struct CancelParams<'a> {
    #[serde(borrow)]
    id: &'a RawValue,
}

impl Inbound {
    /// A new receiver that answers requests beyond `max_in_flight` concurrent
    /// ones with a "server busy" error instead of running them.
    pub fn new(max_in_flight: usize) -> Self {
        Inbound {
            next_token: 0,
            in_flight: LocalMap::default(),
            batches: LocalMap::default(),
            max_in_flight,
            max_batch_len: DEFAULT_MAX_BATCH_LEN,
            refusal: None,
        }
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
    pub fn receive<'a, 'm, H>(
        &mut self,
        text: &'a str,
        methods: &'m Methods<H>,
        actions: &mut Vec<Action<'a, 'm, H>>,
    ) {
        match parse(text, self.max_batch_len) {
            Frame::Error(error) => {
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
                    append_member(&mut batch.text, &immediate[before..]);
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
            Item::Invalid { id, error } => push_error(out, &id, &error),
            Item::Ignored(why) => debug!("ignored a message: {why}"),
            Item::Response { id, outcome } => match Id::from_raw(id).and_then(|id| id.as_u64()) {
                Some(id) => actions.push(Action::Settle { id, outcome }),
                None => debug!(
                    "ignored a response with id {}, which this side never uses",
                    id.get()
                ),
            },
            Item::Call { method, params, id } if method == CANCEL_METHOD => {
                self.cancel(params, actions);
                if let Some(id) = id {
                    push_response(out, &id, &Ok(RawValue::NULL.to_owned()));
                }
            }
            Item::Call { id, .. } if self.refusal.is_some() => {
                if let (Some(id), Some(error)) = (id, &self.refusal) {
                    push_error(out, &id, error);
                }
            }
            Item::Call { method, params, id } => {
                let Some(handler) = methods.get(&method) else {
                    if let Some(id) = id {
                        push_error(out, &id, &ErrorObject::method_not_found());
                    }
                    return;
                };
                let token = match id {
                    None => None,
                    Some(id) if self.in_flight.len() >= self.max_in_flight => {
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
                });
            }
        }
    }

    fn register(&mut self, id: Id, batch: Option<u64>) -> CallToken {
        let token = self.next_token;
        self.next_token += 1;
        self.in_flight.insert(token, InFlight { id, batch });
        if let Some(b) = batch.and_then(|key| self.batches.get_mut(&key)) {
            b.waiting += 1;
        }
        CallToken(token)
    }

    /// `$/cancelRequest`: answer the named request with -32800 and abort its handler.
    fn cancel<'a, 'm, H>(
        &mut self,
        params: Option<&'a RawValue>,
        actions: &mut Vec<Action<'a, 'm, H>>,
    ) {
        let Some(target) = params
            .and_then(|p| serde_json::from_str::<CancelParams<'_>>(p.get()).ok())
            .and_then(|p| Id::from_raw(p.id))
        else {
            debug!("ignored a {CANCEL_METHOD} without a valid id");
            return;
        };
        // Cancels are rare and in-flight tables small: a scan beats keeping a second index.
        let Some(token) = self
            .in_flight
            .iter()
            .find(|(_, f)| f.id == target)
            .map(|(t, _)| *t)
        else {
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
