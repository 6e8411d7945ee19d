//! Running a browser method the server called: call the app's function with
//! the params, await it if it returned a promise, and hand the outcome, as
//! JSON-RPC, to whoever answers the server.

use jrpc_shared::{ErrorObject, HandlerResult, RawBuf, code};
use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::{error, js};

/// Calls `function` with `params` (JSON text) and passes its outcome to
/// `finish`: at once for a plain value or a throw, later for a promise.
///
/// Runs app code: the caller must hold no borrow of the client.
pub(crate) fn run(
    function: &Function,
    params: Option<String>,
    finish: impl FnOnce(HandlerResult) + 'static,
) {
    let settle = move |outcome: Result<JsValue, JsValue>| {
        finish(match outcome {
            Ok(value) => encode_result(&value),
            Err(thrown) => Err(error::from_thrown(&thrown)),
        })
    };
    match js::apply_method(function, params) {
        Ok(value) if js::is_thenable(&value) => {
            let future = JsFuture::from(Promise::resolve(&value));
            wasm_bindgen_futures::spawn_local(async move { settle(future.await) });
        }
        other => settle(other),
    }
}

/// Logs a notification handler's failure: nobody waits for its answer.
pub(crate) fn report_failed_notification(result: HandlerResult) {
    if let Err(e) = result {
        js::warn(
            "jrpc: a notification handler failed:",
            &JsValue::from_str(&e.message),
        );
    }
}

/// The result of a browser method as raw JSON, refusing NaN and Infinity.
fn encode_result(value: &JsValue) -> HandlerResult {
    match js::stringify(value) {
        // JSON.stringify's output is JSON by construction; `undefined` is null.
        Ok(text) => Ok(text.map_or_else(RawBuf::null, RawBuf::from_trusted)),
        Err(e) => {
            let detail = e
                .dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
                .or_else(|| e.as_string())
                .unwrap_or_default();
            Err(ErrorObject::new(
                code::INTERNAL_ERROR,
                "Internal error: the method's result cannot be sent as JSON: ".to_owned() + &detail,
            ))
        }
    }
}
