//! `Engine`: one connection's protocol state, for the JavaScript driver.
//!
//! It joins the three parts of [`jrpc_shared`] a client needs: the app's
//! calls ([`Outbound`]: ids, request text, which ids still wait), the
//! server's calls ([`Inbound`]: parsing, classification, dispatch, batches,
//! cancellation, limits) and the names of the browser methods ([`Methods`],
//! whose functions the driver keeps, by slot). Numbers cross as `f64`: ids
//! and tokens are counters far below 2^53.

use alloc::string::String;
use alloc::vec::Vec;
use jrpc_shared::subscription::{self, Delivered};
use jrpc_shared::{
    Action, BatchDraft, CallToken, ErrorObject, Inbound, Methods, Outbound, RECONNECT_METHOD,
    RESERVED_PREFIX, RawBuf, RegisterError, TEMPLATE_SEPARATOR, call_template, code,
};
use wasm_bindgen::prelude::*;

use crate::sink::Sink;
use crate::utf16::Utf16;

/// The protocol engine of one client (internal to the package: the public
/// API is the `JRPC.WebSocket` class of the JavaScript driver).
#[wasm_bindgen]
pub struct Engine {
    sink: Sink,
    /// Each request's waiter: the key of the subscription it subscribes, 0
    /// for a plain call.
    outbound: Outbound<u32>,
    inbound: Inbound,
    methods: Methods<u32>,
    next_slot: u32,
    /// The ids of the requests of the last batch registered.
    ids: Vec<u64>,
    draft: BatchDraft,
}

#[wasm_bindgen]
impl Engine {
    /// An engine that reports to `sink` and runs at most `max_in_flight` of
    /// the server's calls at once.
    #[wasm_bindgen(constructor)]
    pub fn new(sink: Sink, max_in_flight: u32) -> Engine {
        let max_in_flight = (max_in_flight as usize).max(1);
        // Slot 0 is the library's own: the server's notice to move to a new
        // connection before it shuts down, which the driver acts on.
        let methods = Methods::new().with_extension(RECONNECT_METHOD, 0);
        Engine {
            sink,
            outbound: Outbound::new(),
            inbound: Inbound::new(max_in_flight),
            methods,
            next_slot: 1,
            ids: Vec::new(),
            draft: BatchDraft::new(),
        }
    }

    /// The text of every call of `method` in three pieces joined by NUL,
    /// where the params (when `params`) and the id go: a request is `A +
    /// params + B + id + C`, a notification `A + params + C` (see
    /// [`jrpc_shared::call_template`]). The driver keeps it per method, so a
    /// call crosses into wasm with no string at all: writing the text in
    /// JavaScript saves encoding the params into wasm memory and decoding
    /// the request back out, which measured as the largest part of a call's
    /// cost in the browser.
    pub fn template(&self, method: &str, params: bool) -> String {
        call_template(method, params)
    }

    /// Registers a request: its id, or 0 once the engine is closed. `key`:
    /// the subscription it subscribes (see [`Engine::subscribe`]), or 0.
    pub fn request(&mut self, key: u32) -> f64 {
        self.outbound.register(key).map_or(0.0, |id| id as f64)
    }

    /// Drafts a batch: with a `method`, adds a request (or, unless
    /// `request`, a notification) to the draft and returns `undefined`;
    /// without, registers the draft and returns its text (the ids of its
    /// requests are then `id(0)`, `id(1)`, ...), `undefined` for an empty
    /// draft (JSON-RPC has no empty batch) or a closed engine, and starts a
    /// new draft. (One method: each export costs the package glue code.)
    pub fn batch(
        &mut self,
        method: Option<String>,
        params: Option<String>,
        request: bool,
    ) -> Option<String> {
        if let Some(method) = method {
            let params = params.map(RawBuf::from_trusted);
            if request {
                self.draft.request_owned(&method, params);
            } else {
                self.draft.notify_owned(&method, params);
            }
            return None;
        }
        let draft = core::mem::take(&mut self.draft);
        self.ids.clear();
        let (ids, text) = self.outbound.batch(&draft, |_| 0).ok()??;
        self.ids = ids;
        Some(text)
    }

    /// The id of the `k`-th request of the last batch registered.
    /// A number at a time rather than an array, and one method for both:
    /// each export and each `Vec` returned costs the package glue code.
    pub fn id(&self, k: u32) -> f64 {
        self.ids.get(k as usize).map_or(0.0, |&id| id as f64)
    }

    /// Gives up on call `id` (timed out, aborted, failed here): the
    /// `$/cancelRequest` to send if it was sent, `undefined` if it no longer
    /// waits.
    pub fn cancel(&mut self, id: f64) -> Option<String> {
        let (key, text) = self.outbound.cancel(id as u64)?;
        if key != 0 {
            // A subscribe request: should the server accept it after all, it is ended.
            self.inbound.subscriptions().abandon(id as u64, key.into());
        }
        Some(text)
    }

    /// The connection dropped: the server's calls on it are gone, and the
    /// next connection starts afresh. `for_good`: the client closed, so no
    /// call waits any more and no new one is registered.
    pub fn reset(&mut self, for_good: bool) {
        // The subscriptions outlive a connection, to resume on the next.
        self.inbound.disconnected();
        if for_good {
            self.outbound.close_and_forget();
        }
    }

    /// Subscriptions, under keys the driver picks (from 1) that outlive
    /// reconnects; the subscribe request of `key` is a request registered
    /// with [`Engine::request`]`(key)`. With `name`: the subscribe and the
    /// unsubscribe method of the subscription `name` names, joined by NUL
    /// ([`subscription::method_names`]). With `stop`: forgets `key`, and
    /// returns the params of its unsubscribe request if it is live on this
    /// connection. Otherwise: the last piece of the subscribe request, in
    /// place of the template's, when it resumes (see
    /// [`subscription::Book::resume_end`]). (One method: each export costs
    /// the package glue code.)
    pub fn subscribe(&mut self, key: u32, name: Option<String>, stop: bool) -> Option<String> {
        let book = self.inbound.subscriptions();
        if let Some(name) = name {
            let [subscribe, unsubscribe] = subscription::method_names(&name);
            let mut names = subscribe;
            names.push(TEMPLATE_SEPARATOR);
            names.push_str(&unsubscribe);
            return Some(names);
        }
        if stop {
            book.unsubscribe(key.into())
        } else {
            book.resume_end(key.into())
        }
    }

    /// Reads a frame and reports what to do to the sink: replies to send,
    /// the app's calls it answers, browser methods to run. `undefined` stands
    /// for a binary frame, which the engine answers (one method for both:
    /// each export costs the package glue code).
    pub fn receive(&mut self, frame: Option<String>) {
        let Some(frame) = frame else {
            let mut actions: Vec<Action<'_, '_, u32>> = Vec::new();
            self.inbound.receive_binary(&mut actions);
            for action in actions {
                if let Action::Reply(text) = action {
                    self.sink.send(&text);
                }
            }
            return;
        };
        let frame = frame.as_str();
        let mut actions = Vec::new();
        self.inbound.receive(frame, &self.methods, &mut actions);
        let mut at = Utf16::new(frame);
        for action in actions {
            match action {
                Action::Reply(text) => self.sink.send(&text),
                Action::Settle { id, outcome } => {
                    // A late (timed out, aborted) or unknown id settles nothing.
                    let Some(key) = self.outbound.take(id) else {
                        // A subscribe given up on, accepted after all: the driver unsubscribes.
                        if let Ok(result) = &outcome {
                            let book = self.inbound.subscriptions();
                            if let Some((key, params)) = book.answered_late(id, result.get()) {
                                self.sink.item(key as u32, -3.0, 0.0, Some(&params));
                            }
                        }
                        continue;
                    };
                    if key != 0 {
                        // Bound before the next frame, which may hold its first item.
                        let book = self.inbound.subscriptions();
                        match &outcome {
                            Ok(subscription) => book.bind(key.into(), subscription.get()),
                            Err(_) => book.close(key.into()),
                        }
                    }
                    match outcome.map(|result| at.range(result.get())) {
                        Ok(Some((start, end))) => self.sink.settle(id as f64, start, end),
                        // Never the case: a result is always a slice of the frame.
                        Ok(None) => reject(&self.sink, id, &internal()),
                        Err(error) => reject(&self.sink, id, &error),
                    }
                }
                Action::Call {
                    handler,
                    params,
                    token,
                    ..
                } => {
                    let token = token.map_or(-1.0, |t| t.as_u64() as f64);
                    match params.map(|p| at.range(p.get())) {
                        None => self.sink.call(*handler, token, -1, 0),
                        Some(Some((start, end))) => {
                            let start = i32::try_from(start).unwrap_or(i32::MAX);
                            self.sink.call(*handler, token, start, end);
                        }
                        Some(None) => {}
                    }
                }
                // A browser method cannot be stopped: its answer is simply not sent.
                Action::Abort(_) => {}
                Action::Subscription { key, delivered } => {
                    let (start, end, error) = match delivered {
                        Delivered::Item(item, _) => match at.range(item.get()) {
                            Some((start, end)) => (start as f64, end as f64, None),
                            None => continue,
                        },
                        Delivered::Gap(missed) => (-1.0, missed.map_or(-1.0, |n| n as f64), None),
                        Delivered::End(outcome) => (-2.0, 0.0, outcome.err().map(|e| e.to_json())),
                    };
                    self.sink.item(key as u32, start, end, error.as_deref());
                }
            }
        }
    }

    /// A browser method finished: `text` is its result as JSON, or (when
    /// `failed`) its error object as JSON. The reply to send, if the server
    /// still waits for it (and, in a batch, it was the last).
    pub fn complete(&mut self, token: f64, text: String, failed: bool) -> Option<String> {
        let outcome = if failed {
            Err(ErrorObject::from_json(&text).unwrap_or_else(internal))
        } else {
            Ok(RawBuf::from_trusted(text))
        };
        self.inbound
            .complete(CallToken::from_u64(token as u64), outcome)
    }

    /// Makes `name` a browser method and returns its slot (the same slot
    /// when it replaces one): -1 for a reserved name (`rpc.*`), -2 for the
    /// library's own `$/cancelRequest`. With `remove`, removes it instead:
    /// its slot, or -1 if there was none (or the name is reserved).
    pub fn register(&mut self, name: &str, remove: bool) -> i32 {
        if remove {
            // The library's own (`rpc.reconnect`) stays: it was never the app's.
            if name.starts_with(RESERVED_PREFIX) {
                return -1;
            }
            let slot = self.methods.remove(name);
            return slot.and_then(|slot| i32::try_from(slot).ok()).unwrap_or(-1);
        }
        let slot = self.methods.get(name).copied().unwrap_or(self.next_slot);
        match self.methods.replace(name, slot) {
            Ok(None) => self.next_slot += 1,
            Ok(Some(_)) => {}
            Err(RegisterError::Reserved(_)) => return -1,
            Err(_) => return -2,
        }
        i32::try_from(slot).unwrap_or(-1)
    }
}

fn reject(sink: &Sink, id: u64, error: &ErrorObject) {
    sink.reject(id as f64, &error.to_json());
}

/// The error for what cannot happen (a result outside its frame, an error
/// object from the driver that does not parse), rather than a panic.
fn internal() -> ErrorObject {
    ErrorObject::new(code::INTERNAL_ERROR, "Internal error")
}
