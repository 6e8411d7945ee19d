//! What waits for the answer to one outgoing call: a Promise's resolve and
//! reject functions, plus its deadline and the abort listener that may end it
//! early. Both are owned here, so settling (dropping) the waiter removes them.

use jrpc_shared::{ErrorObject, Raw};
use js_sys::{Function, JSON};
use wasm_bindgen::prelude::*;
use web_sys::AbortSignal;

use crate::deadlines::Deadline;
use crate::error;

/// An `abort` listener on an `AbortSignal`, removed when dropped.
pub(crate) struct AbortListener {
    signal: AbortSignal,
    callback: Closure<dyn FnMut()>,
}

impl AbortListener {
    pub(crate) fn new(signal: AbortSignal, f: impl FnMut() + 'static) -> AbortListener {
        let callback = Closure::<dyn FnMut()>::new(f);
        let _ = signal.add_event_listener_with_callback("abort", callback.as_ref().unchecked_ref());
        AbortListener { signal, callback }
    }
}

impl Drop for AbortListener {
    fn drop(&mut self) {
        let _ = self
            .signal
            .remove_event_listener_with_callback("abort", self.callback.as_ref().unchecked_ref());
    }
}

pub(crate) struct Waiter {
    resolve: Function,
    reject: Function,
    /// The request has been written to a socket (not merely queued).
    pub(crate) sent: bool,
    /// When it times out, if it does.
    pub(crate) deadline: Option<Deadline>,
    pub(crate) abort: Option<AbortListener>,
}

impl Waiter {
    pub(crate) fn new(resolve: Function, reject: Function) -> Waiter {
        Waiter {
            resolve,
            reject,
            sent: false,
            deadline: None,
            abort: None,
        }
    }

    /// Resolves with the result, parsed from its JSON text.
    pub(crate) fn succeed(self, result: Raw<'_>) {
        match JSON::parse(result.get()) {
            Ok(value) => drop(self.resolve.call1(&JsValue::UNDEFINED, &value)),
            Err(e) => self.fail(e),
        }
    }

    /// Rejects with the peer's error object.
    pub(crate) fn fail_with(self, error: &ErrorObject) {
        self.fail(error::from_object(error));
    }

    /// Rejects with `error`.
    pub(crate) fn fail(self, error: JsValue) {
        drop(self.reject.call1(&JsValue::UNDEFINED, &error));
    }
}

/// A new Promise with its resolve and reject functions.
pub(crate) fn promise() -> (js_sys::Promise, Function, Function) {
    let mut functions = None;
    let promise = js_sys::Promise::new(&mut |resolve, reject| functions = Some((resolve, reject)));
    // The executor runs synchronously inside `Promise::new`, so both are set.
    let (resolve, reject) =
        functions.unwrap_or_else(|| (Function::new_no_args(""), Function::new_no_args("")));
    (promise, resolve, reject)
}
