//! Building and reading JavaScript values, and checking errors.

use std::cell::Cell;
use std::fmt;

use jrpc_client_wasm::JsError;
use js_sys::{Function, JSON, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;

use super::{Fail, TestResult, describe};

/// A JavaScript value from JSON text.
pub fn json(text: &str) -> JsValue {
    JSON::parse(text).unwrap_or_else(|_| JsValue::from_str(&format!("BAD JSON IN TEST: {text}")))
}

/// JSON text of a value (`undefined` for values JSON cannot hold).
pub fn to_json(value: &JsValue) -> String {
    JSON::stringify(value)
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_else(|| "undefined".to_owned())
}

/// `object[key]`, or `undefined`.
pub fn get(object: &JsValue, key: &str) -> JsValue {
    if object.is_object() || object.is_function() {
        Reflect::get(object, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
    } else {
        JsValue::UNDEFINED
    }
}

/// An object literal.
pub fn obj(fields: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (key, value) in fields {
        let _ = Reflect::set(&o, &JsValue::from_str(key), value);
    }
    o.into()
}

/// `new Function(args, body)`.
pub fn func(args: &str, body: &str) -> Function {
    Function::new_with_args(args, body)
}

/// A key no other test (in this run or an earlier one) uses.
pub fn unique(prefix: &str) -> String {
    thread_local!(static NEXT: Cell<u32> = const { Cell::new(0) });
    let n = NEXT.with(|c| {
        c.set(c.get() + 1);
        c.get()
    });
    let random = (js_sys::Math::random() * 1e9) as u64;
    format!("{prefix}-{}-{random}-{n}", js_sys::Date::now() as u64)
}

/// A promise with its resolve and reject functions, for callbacks.
pub struct Deferred {
    pub promise: Promise,
    pub resolve: Function,
    pub reject: Function,
}

impl Deferred {
    pub fn new() -> Deferred {
        let d = func("", "const d = {}; d.promise = new Promise((res, rej) => { d.resolve = res; d.reject = rej; }); return d;")
            .call0(&JsValue::UNDEFINED)
            .unwrap_or(JsValue::UNDEFINED);
        Deferred {
            promise: get(&d, "promise").unchecked_into(),
            resolve: get(&d, "resolve").unchecked_into(),
            reject: get(&d, "reject").unchecked_into(),
        }
    }
}

/// Whether `value instanceof JRPC.Error` (the class the crate exports).
pub fn is_jrpc_error(value: &JsValue) -> bool {
    func("v, C", "return v instanceof C;")
        .call2(&JsValue::UNDEFINED, value, &error_class())
        .ok()
        .and_then(|b| b.as_bool())
        .unwrap_or(false)
}

/// The `code` of an error, if it is a number.
pub fn code_of(error: &JsValue) -> Option<f64> {
    get(error, "code").as_f64()
}

/// Checks that `error` is a `JRPC.Error` (and an `Error`) with this code.
pub fn expect_code(error: &JsValue, code: i64, what: &str) -> TestResult {
    if !is_jrpc_error(error) || !error.is_instance_of::<js_sys::Error>() {
        return Err(Fail(format!(
            "{what}: expected a JRPC.Error, got {}",
            describe(error)
        )));
    }
    if code_of(error) != Some(code as f64) {
        return Err(Fail(format!(
            "{what}: expected code {code}, got {}",
            describe(error)
        )));
    }
    Ok(())
}

/// Checks that `error` is a `TypeError`; returns its message.
pub fn expect_type_error(
    result: Result<impl fmt::Debug, JsValue>,
    what: &str,
) -> Result<String, Fail> {
    match result {
        Ok(v) => Err(Fail(format!("{what}: expected a TypeError, got Ok({v:?})"))),
        Err(e) if e.is_instance_of::<js_sys::TypeError>() => {
            Ok(get(&e, "message").as_string().unwrap_or_default())
        }
        Err(e) => Err(Fail(format!(
            "{what}: expected a TypeError, got {}",
            describe(&e)
        ))),
    }
}

/// The exported `JRPC.Error` class.
pub fn error_class() -> JsValue {
    get(
        &JsValue::from(JsError::new(String::new(), None, JsValue::UNDEFINED)),
        "constructor",
    )
}

/// A browser method that reports its call and answers only when released.
pub struct Held {
    /// The function to register.
    pub method: Function,
    /// Resolves with the call's arguments (as an array) once it is called.
    pub called: Promise,
    /// `release(value)`: the method's answer.
    pub release: Function,
}

impl Held {
    pub fn new() -> Held {
        let h = func(
            "",
            "const h = {};
             h.called = new Promise(r => { h.onCall = r; });
             h.answer = new Promise(r => { h.release = r; });
             h.method = (...args) => { h.onCall(args); return h.answer; };
             return h;",
        )
        .call0(&JsValue::UNDEFINED)
        .unwrap_or(JsValue::UNDEFINED);
        Held {
            method: get(&h, "method").unchecked_into(),
            called: get(&h, "called").unchecked_into(),
            release: get(&h, "release").unchecked_into(),
        }
    }

    /// Answers the call with `value`.
    pub fn answer(&self, value: &JsValue) -> TestResult {
        self.release.call1(&JsValue::UNDEFINED, value)?;
        Ok(())
    }
}
