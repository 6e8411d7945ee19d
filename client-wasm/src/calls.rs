//! Calls in both directions: the app's requests, notifications and batches to
//! the server, and the server's calls to the app's browser methods.

use jrpc_shared::{CallToken, RawValue, code};
use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::AbortSignal;

use crate::client::{Client, State, encode_result};
use crate::error;
use crate::js;
use crate::waiter::{AbortListener, Waiter, promise};

/// Per-call settings.
#[derive(Default)]
pub(crate) struct CallOptions {
    pub(crate) timeout_ms: Option<f64>,
    pub(crate) signal: Option<AbortSignal>,
}

/// Params as JSON text: `undefined`/`null` for none, else an array or object.
pub(crate) fn params_json(params: &JsValue) -> Result<Option<Box<RawValue>>, JsValue> {
    if params.is_undefined() || params.is_null() {
        return Ok(None);
    }
    let text = js::stringify(params)?.unwrap_or_default();
    if !text.starts_with(['[', '{']) {
        return Err(js_sys::TypeError::new(
            "jrpc: params must be an array (positional) or an object (named), or omitted",
        )
        .into());
    }
    RawValue::from_string(text).map(Some).map_err(|e| {
        js_sys::TypeError::new(&format!("jrpc: params are not valid JSON: {e}")).into()
    })
}

impl Client {
    /// Sends a request and returns the promise of its result.
    pub(crate) fn request(
        &self,
        method: &str,
        params: Option<&RawValue>,
        options: CallOptions,
    ) -> Promise {
        let (promise, resolve, reject) = promise();
        // Like fetch: an already-aborted signal means the call is never sent.
        if options.signal.as_ref().is_some_and(AbortSignal::aborted) {
            drop(reject.call1(&JsValue::UNDEFINED, &aborted_error()));
            return promise;
        }
        let mut inner = self.0.borrow_mut();
        let waiter = Waiter::new(resolve, reject);
        let (id, text) = match inner.outbound.request(method, params, waiter) {
            Ok(registered) => registered,
            Err(jrpc_shared::Closed(waiter)) => {
                waiter.fail(closed_error());
                return promise;
            }
        };
        if !inner.send_or_queue(vec![id], text) {
            if let Some(waiter) = inner.outbound.take(id) {
                waiter.fail(queue_full(inner.config.max_queued));
            }
            return promise;
        }
        let timeout_ms = options.timeout_ms.unwrap_or(inner.config.timeout_ms);
        let weak = inner.weak();
        drop(inner);
        self.arm(id, timeout_ms, options.signal, weak);
        promise
    }

    /// Starts the timeout and abort listener of call `id`.
    fn arm(
        &self,
        id: u64,
        timeout_ms: f64,
        signal: Option<AbortSignal>,
        weak: std::rc::Weak<std::cell::RefCell<crate::client::Inner>>,
    ) {
        if signal.as_ref().is_some_and(AbortSignal::aborted) {
            give_up(&weak, id, aborted_error());
            return;
        }
        let mut guard = self.0.borrow_mut();
        let inner = &mut *guard;
        let Some(waiter) = inner.outbound.get_mut(id) else {
            return;
        };
        waiter.deadline = inner.deadlines.start(timeout_ms, &weak);
        if let Some(signal) = signal {
            waiter.abort = Some(AbortListener::new(signal, move || {
                give_up(&weak, id, aborted_error())
            }));
        }
    }

    /// Sends a notification (queued while the socket is not open).
    pub(crate) fn notify(&self, method: &str, params: Option<&RawValue>) -> Result<(), JsValue> {
        let mut inner = self.0.borrow_mut();
        if inner.state == State::Closed {
            return Err(closed_error());
        }
        let text = jrpc_shared::notification_text(method, params);
        if inner.send_or_queue(Vec::new(), text) {
            Ok(())
        } else {
            Err(queue_full(inner.config.max_queued))
        }
    }

    /// Sends a batch; resolves with the results of its requests, in order.
    pub(crate) fn batch(&self, entries: Vec<BatchEntry>, options: CallOptions) -> Promise {
        if options.signal.as_ref().is_some_and(AbortSignal::aborted) {
            return Promise::reject(&aborted_error());
        }
        let mut promises = Vec::new();
        let mut inner = self.0.borrow_mut();
        let mut builder = inner.outbound.batch();
        let mut ids = Vec::new();
        for entry in &entries {
            match entry.id_wanted {
                true => {
                    let (p, resolve, reject) = promise();
                    promises.push(p);
                    ids.push(builder.request(
                        &entry.method,
                        entry.params.as_deref(),
                        Waiter::new(resolve, reject),
                    ));
                }
                false => builder.notify(&entry.method, entry.params.as_deref()),
            }
        }
        let text = match builder.finish() {
            Ok(Some(text)) => text,
            Ok(None) => return Promise::resolve(&JsValue::from(js_sys::Array::new())),
            // The members' promises are internal: dropping their waiters
            // (unsettled) just discards them; the batch's own promise rejects,
            // even for a batch of only notifications.
            Err(jrpc_shared::Closed(_waiters)) => return Promise::reject(&closed_error()),
        };
        if !inner.send_or_queue(ids.clone(), text) {
            for id in &ids {
                drop(inner.outbound.take(*id));
            }
            return Promise::reject(&queue_full(inner.config.max_queued));
        }
        let timeout_ms = options.timeout_ms.unwrap_or(inner.config.timeout_ms);
        let weak = inner.weak();
        drop(inner);
        for id in ids {
            self.arm(id, timeout_ms, options.signal.clone(), weak.clone());
        }
        Promise::all(&promises.into_iter().collect::<js_sys::Array>())
    }
}

/// One member of a batch being built.
pub(crate) struct BatchEntry {
    pub(crate) method: String,
    pub(crate) params: Option<Box<RawValue>>,
    pub(crate) id_wanted: bool,
}

/// Fails call `id` for having had no answer within `timeout_ms`.
pub(crate) fn time_out(
    weak: &std::rc::Weak<std::cell::RefCell<crate::client::Inner>>,
    id: u64,
    timeout_ms: u64,
) {
    let message = format!("no answer within {timeout_ms} ms; the request was cancelled");
    give_up(weak, id, error::local(code::REQUEST_TIMEOUT, &message));
}

/// Gives up on call `id` with `error`, telling the peer if it was sent.
fn give_up(
    weak: &std::rc::Weak<std::cell::RefCell<crate::client::Inner>>,
    id: u64,
    error: JsValue,
) {
    let Some(inner) = weak.upgrade() else { return };
    let waiter = inner.borrow_mut().abandon(id);
    if let Some(waiter) = waiter {
        waiter.fail(error);
    }
}

fn closed_error() -> JsValue {
    error::local(code::CONNECTION_CLOSED, "the client is closed")
}

fn aborted_error() -> JsValue {
    error::local(
        code::REQUEST_CANCELLED,
        "Request cancelled: its AbortSignal was aborted",
    )
}

fn queue_full(max: usize) -> JsValue {
    error::local(
        code::QUEUE_FULL,
        &format!("too many calls are waiting for the connection to open (the limit is {max})"),
    )
}

/// Runs a browser method the server called, and answers when it is done.
pub(crate) fn run_method(
    client: &Client,
    function: &Function,
    params: Option<String>,
    token: Option<CallToken>,
    generation: u64,
) {
    let outcome = js::apply_method(function, params);
    // Weak: a method whose promise never settles must not keep the client alive.
    let weak = std::rc::Rc::downgrade(&client.0);
    let finish = {
        move |result: Result<JsValue, JsValue>| {
            let result = match result {
                Ok(value) => encode_result(&value),
                Err(thrown) => Err(error::from_thrown(&thrown)),
            };
            match token {
                Some(token) => {
                    if let Some(inner) = weak.upgrade() {
                        Client(inner).complete(token, result, generation);
                    }
                }
                None => {
                    if let Err(e) = result {
                        js::warn(
                            "jrpc: a notification handler failed:",
                            &JsValue::from_str(&e.to_string()),
                        );
                    }
                }
            }
        }
    };
    match outcome {
        Ok(value) if js::is_thenable(&value) => {
            let future = JsFuture::from(Promise::resolve(&value));
            wasm_bindgen_futures::spawn_local(async move { finish(future.await) });
        }
        other => finish(other),
    }
}
