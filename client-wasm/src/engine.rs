//! `Engine`: one connection's protocol state, for the JavaScript driver.
//!
//! It joins the three parts of [`jrpc_shared`] a client needs: the app's
//! calls ([`Outbound`]: ids, request text, which ids still wait), the
//! server's calls ([`Inbound`]: parsing, classification, dispatch, batches,
//! cancellation, limits) and the names of the browser methods ([`Methods`],
//! whose functions the driver keeps, by slot). Numbers cross as `f64`: ids
//! and tokens are counters far below 2^53.

use alloc::borrow::ToOwned;
use alloc::string::String;
use alloc::vec::Vec;
use jrpc_shared::{
    Action, BatchDraft, CallToken, ErrorObject, Inbound, Methods, Outbound, RawBuf, RegisterError,
    code, notification_text,
};
use wasm_bindgen::prelude::*;

use crate::sink::Sink;
use crate::utf16::Utf16;

/// The protocol engine of one client (internal to the package: the public
/// API is the `JRPC.WebSocket` class of the JavaScript driver).
#[wasm_bindgen]
pub struct Engine {
    sink: Sink,
    outbound: Outbound<()>,
    inbound: Inbound,
    max_in_flight: usize,
    methods: Methods<u32>,
    next_slot: u32,
    /// The id of the last request, and of the last batch's requests.
    last_id: u64,
    batch_ids: Vec<u64>,
    draft: BatchDraft,
}

#[wasm_bindgen]
impl Engine {
    /// An engine that reports to `sink` and runs at most `max_in_flight` of
    /// the server's calls at once.
    #[wasm_bindgen(constructor)]
    pub fn new(sink: Sink, max_in_flight: u32) -> Engine {
        let max_in_flight = (max_in_flight as usize).max(1);
        Engine {
            sink,
            outbound: Outbound::new(),
            inbound: Inbound::new(max_in_flight),
            max_in_flight,
            methods: Methods::new(),
            next_slot: 0,
            last_id: 0,
            batch_ids: Vec::new(),
            draft: BatchDraft::new(),
        }
    }

    /// Registers a request and returns its text (its id is then [`Engine::id`]);
    /// `undefined` once the engine is closed. `params` is JSON text from
    /// `JSON.stringify` of an array or object.
    pub fn request(&mut self, method: &str, params: Option<String>) -> Option<String> {
        let params = params.map(RawBuf::from_trusted);
        let (id, text) = self
            .outbound
            .request(method, params.as_ref().map(RawBuf::as_raw), ())
            .ok()?;
        self.last_id = id;
        Some(text)
    }

    /// The id of the request [`Engine::request`] registered last.
    #[wasm_bindgen(getter)]
    pub fn id(&self) -> f64 {
        self.last_id as f64
    }

    /// The text of a notification.
    pub fn notify(&self, method: &str, params: Option<String>) -> String {
        let params = params.map(RawBuf::from_trusted);
        notification_text(method, params.as_ref().map(RawBuf::as_raw))
    }

    /// Adds a request (or a notification) to the batch being drafted.
    pub fn add(&mut self, method: &str, params: Option<String>, request: bool) {
        let params = params.map(RawBuf::from_trusted);
        if request {
            self.draft.request_owned(method, params);
        } else {
            self.draft.notify_owned(method, params);
        }
    }

    /// Registers the drafted batch and returns its text (the ids of its
    /// requests are then [`Engine::ids`]); `undefined` for an empty draft
    /// (JSON-RPC has no empty batch) or a closed engine. Starts a new draft.
    pub fn batch(&mut self) -> Option<String> {
        let draft = core::mem::take(&mut self.draft);
        self.batch_ids.clear();
        let (ids, text) = self.outbound.batch(&draft, |_| ()).ok()??;
        self.batch_ids = ids;
        Some(text)
    }

    /// The ids of the last batch's requests, in order.
    pub fn ids(&self) -> Vec<f64> {
        self.batch_ids.iter().map(|&id| id as f64).collect()
    }

    /// Gives up on call `id`: the `$/cancelRequest` to send if it was sent,
    /// `undefined` if it no longer waits.
    pub fn cancel(&mut self, id: f64) -> Option<String> {
        self.outbound.cancel(id as u64).map(|(_, text)| text)
    }

    /// Forgets call `id` (failed here: lost connection, full queue); whether it waited.
    pub fn forget(&mut self, id: f64) -> bool {
        self.outbound.take(id as u64).is_some()
    }

    /// Closed for good: no call waits any more, and no new one is registered.
    pub fn close(&mut self) {
        self.outbound.close();
    }

    /// The connection dropped: the server's calls on it are gone, and the
    /// next connection starts afresh.
    pub fn reset(&mut self) {
        self.inbound = Inbound::new(self.max_in_flight);
    }

    /// Reads a text frame and reports what to do to the sink: replies to
    /// send, the app's calls it answers, browser methods to run.
    pub fn receive(&mut self, frame: &str) {
        let mut actions = Vec::new();
        self.inbound.receive(frame, &self.methods, &mut actions);
        let mut at = Utf16::new(frame);
        for action in actions {
            match action {
                Action::Reply(text) => self.sink.send(&text),
                Action::Settle { id, outcome } => {
                    // A late (timed out, aborted) or unknown id settles nothing.
                    if self.outbound.take(id).is_none() {
                        continue;
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
            }
        }
    }

    /// A binary frame arrived: sends the engine's answer to it.
    pub fn binary(&mut self) {
        let mut actions: Vec<Action<'_, '_, u32>> = Vec::new();
        self.inbound.receive_binary(&mut actions);
        for action in actions {
            if let Action::Reply(text) = action {
                self.sink.send(&text);
            }
        }
    }

    /// A browser method returned: `result` is its JSON text. The reply to
    /// send, if the server still waits for it (and, in a batch, it was last).
    pub fn answer(&mut self, token: f64, result: String) -> Option<String> {
        let token = CallToken::from_u64(token as u64);
        self.inbound
            .complete(token, Ok(RawBuf::from_trusted(result)))
    }

    /// A browser method failed: `error` is the error object as JSON text.
    pub fn fail(&mut self, token: f64, error: &str) -> Option<String> {
        let error = ErrorObject::from_json(error).unwrap_or_else(internal);
        let token = CallToken::from_u64(token as u64);
        self.inbound.complete(token, Err(error))
    }

    /// Makes `name` a browser method and returns its slot (the same slot
    /// when it replaces one): -1 for a reserved name (`rpc.*`), -2 for the
    /// library's own `$/cancelRequest`.
    pub fn register(&mut self, name: &str) -> i32 {
        let slot = self.methods.get(name).copied().unwrap_or(self.next_slot);
        match self.methods.replace(name, slot) {
            Ok(None) => self.next_slot += 1,
            Ok(Some(_)) => {}
            Err(RegisterError::Reserved(_)) => return -1,
            Err(_) => return -2,
        }
        i32::try_from(slot).unwrap_or(-1)
    }

    /// Removes a browser method: its slot, or -1 if there was none.
    pub fn unregister(&mut self, name: &str) -> i32 {
        self.methods
            .remove(name)
            .and_then(|slot| i32::try_from(slot).ok())
            .unwrap_or(-1)
    }
}

fn reject(sink: &Sink, id: u64, error: &ErrorObject) {
    let data = error.data.as_ref().map(|d| d.get().to_owned());
    sink.reject(id as f64, error.code as f64, &error.message, data);
}

/// The error for what cannot happen (a result outside its frame, an error
/// object from the driver that does not parse), rather than a panic.
fn internal() -> ErrorObject {
    ErrorObject::new(code::INTERNAL_ERROR, "Internal error")
}
