//! `addEventListener` for the client's own events: open, close, reconnecting, error.

use std::collections::HashMap;

use js_sys::{Function, Object, Reflect};
use wasm_bindgen::prelude::*;

use crate::js;

/// The event types the client emits.
pub(crate) const TYPES: [&str; 4] = ["open", "close", "reconnecting", "error"];

#[derive(Default)]
pub(crate) struct Listeners {
    by_type: HashMap<String, Vec<Function>>,
}

impl Listeners {
    pub(crate) fn add(&mut self, kind: &str, listener: Function) {
        let list = self.by_type.entry(kind.to_owned()).or_default();
        // Like the DOM: adding the same listener twice has no effect.
        if !list.iter().any(|f| f == &listener) {
            list.push(listener);
        }
    }

    pub(crate) fn remove(&mut self, kind: &str, listener: &Function) {
        if let Some(list) = self.by_type.get_mut(kind) {
            list.retain(|f| f != listener);
        }
    }

    /// The listeners to call for `kind` (copied, so they run without any borrow held).
    pub(crate) fn of(&self, kind: &str) -> Vec<Function> {
        self.by_type.get(kind).cloned().unwrap_or_default()
    }
}

/// An event object: `{type, ...fields}`.
pub(crate) fn event(kind: &str, fields: &[(&str, JsValue)]) -> JsValue {
    let e = Object::new();
    let _ = Reflect::set(&e, &"type".into(), &kind.into());
    for (name, value) in fields {
        let _ = Reflect::set(&e, &(*name).into(), value);
    }
    e.into()
}

/// Calls each listener with `event`; a listener that throws is reported, not propagated.
pub(crate) fn dispatch(listeners: Vec<Function>, event: &JsValue) {
    for listener in listeners {
        if let Err(e) = listener.call1(&JsValue::UNDEFINED, event) {
            js::warn("jrpc: an event listener threw:", &e);
        }
    }
}
