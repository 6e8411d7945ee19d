//! `JRPC.Error`: what every failed call rejects with, and what a browser method
//! may throw to answer with a specific code.

use jrpc_shared::{ErrorObject, RawBuf, code};
use wasm_bindgen::prelude::*;

use crate::js;

/// `new JRPC.Error(message, code, data)`: an error with a JSON-RPC code.
///
/// Calls reject with `JRPC.Error` instances (real `Error`s, with a stack), and
/// a browser method may throw one to answer with that code and data. Any
/// `Error` with a numeric `code` works the same when thrown.
#[wasm_bindgen(js_namespace = JRPC, js_name = Error, skip_typescript)]
pub struct JsError {
    message: String,
    code: f64,
    data: JsValue,
}

#[wasm_bindgen(js_namespace = JRPC, js_class = Error)]
impl JsError {
    /// Creates an error; `code` defaults to -32603 (internal error).
    #[wasm_bindgen(constructor)]
    pub fn new(message: String, code: Option<f64>, data: JsValue) -> JsError {
        JsError {
            message,
            code: code.unwrap_or(code::INTERNAL_ERROR as f64),
            data,
        }
    }

    /// The error message.
    #[wasm_bindgen(getter)]
    pub fn message(&self) -> String {
        self.message.clone()
    }

    /// The JSON-RPC error code.
    #[wasm_bindgen(getter)]
    pub fn code(&self) -> f64 {
        self.code
    }

    /// Extra detail (any JSON value), or `undefined`.
    #[wasm_bindgen(getter)]
    pub fn data(&self) -> JsValue {
        self.data.clone()
    }
}

/// Makes `instanceof JRPC.Error` true for the errors calls reject with.
pub(crate) fn link_class() {
    js::link_error_class(JsError::new(String::new(), None, JsValue::UNDEFINED).into());
}

/// A `JRPC.Error` for an error object from the wire.
pub(crate) fn from_object(error: &ErrorObject) -> JsValue {
    js::make_error(
        &error.message,
        error.code as f64,
        error.data.as_ref().map(|d| RawBuf::get(d).to_owned()),
    )
}

/// A `JRPC.Error` raised on this side (timeouts, lost connections, full queue).
pub(crate) fn local(code: i64, message: &str) -> JsValue {
    js::make_error(message, code as f64, None)
}

/// The error object to answer with for a value a browser method threw.
pub(crate) fn from_thrown(thrown: &JsValue) -> ErrorObject {
    let text = js::describe_thrown(thrown);
    ErrorObject::from_json(&text).unwrap_or_else(|| {
        ErrorObject::new(code::INTERNAL_ERROR, "Internal error: the method failed")
    })
}
