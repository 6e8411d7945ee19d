//! Awaiting with a bound, and recording a client's events.

use jrpc_client_wasm::JsClient;
use js_sys::{Array, Function, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use super::{Fail, TestResult, describe, func, get, to_json};

/// The longest any single await may take before the test fails.
pub const BOUND_MS: u32 = 5_000;

/// A unique value the timer promise resolves with.
fn timeout_tag() -> JsValue {
    js_sys::Symbol::for_("jrpc-test-timeout").into()
}

/// Settles `promise` or gives up after `ms`: `Ok(Ok(v))` resolved, `Ok(Err(e))` rejected.
pub async fn within(
    promise: &Promise,
    ms: u32,
    what: &str,
) -> Result<Result<JsValue, JsValue>, Fail> {
    let timer: Promise = func(
        "ms, tag",
        "return new Promise(r => setTimeout(() => r(tag), ms));",
    )
    .call2(&JsValue::UNDEFINED, &ms.into(), &timeout_tag())?
    .unchecked_into();
    let race = Promise::race(&Array::of2(promise, &timer));
    match JsFuture::from(race).await {
        Ok(v) if v == timeout_tag() => {
            Err(Fail(format!("timed out after {ms} ms waiting for {what}")))
        }
        other => Ok(other),
    }
}

/// The value `promise` resolves with (bounded by [`BOUND_MS`]).
pub async fn resolves(promise: &Promise, what: &str) -> Result<JsValue, Fail> {
    match within(promise, BOUND_MS, what).await? {
        Ok(v) => Ok(v),
        Err(e) => Err(Fail(format!("{what} rejected: {}", describe(&e)))),
    }
}

/// The value `promise` rejects with (bounded by [`BOUND_MS`]).
pub async fn rejects(promise: &Promise, what: &str) -> Result<JsValue, Fail> {
    match within(promise, BOUND_MS, what).await? {
        Ok(v) => Err(Fail(format!(
            "{what} resolved with {} instead of rejecting",
            to_json(&v)
        ))),
        Err(e) => Ok(e),
    }
}

/// How `promise` is settled right now, without waiting for timers or I/O:
/// `None` while it is pending.
pub async fn settled_now(promise: &Promise) -> Result<Option<Result<JsValue, JsValue>>, Fail> {
    let pending = js_sys::Symbol::for_("jrpc-test-pending");
    let race = Promise::race(&Array::of2(promise, &Promise::resolve(&pending)));
    Ok(match JsFuture::from(race).await {
        Ok(v) if v == JsValue::from(pending) => None,
        other => Some(other),
    })
}

/// Records a client's events and lets a test wait for them.
pub struct Events {
    log: Array,
    wait_for: Function,
    pub listener: Function,
}

impl Events {
    /// Listens to every event type of `rpc`.
    pub fn of(rpc: &JsClient) -> Result<Events, Fail> {
        let parts = func(
            "",
            "const log = []; let wake = [];
             const listener = e => { log.push(e); const w = wake; wake = []; w.forEach(f => f()); };
             const waitFor = pred => new Promise(r => { const check = () => pred(log) ? r(log.slice()) : wake.push(check); check(); });
             return { log, listener, waitFor };",
        )
        .call0(&JsValue::UNDEFINED)?;
        let events = Events {
            log: get(&parts, "log").unchecked_into(),
            wait_for: get(&parts, "waitFor").unchecked_into(),
            listener: get(&parts, "listener").unchecked_into(),
        };
        for kind in ["open", "close", "reconnecting", "error"] {
            rpc.add_event_listener(kind, events.listener.clone())?;
        }
        Ok(events)
    }

    /// The types of the events so far, in order.
    pub fn types(&self) -> Vec<String> {
        self.log
            .iter()
            .map(|e| get(&e, "type").as_string().unwrap_or_default())
            .collect()
    }

    /// The events so far.
    pub fn all(&self) -> Vec<JsValue> {
        self.log.iter().collect()
    }

    /// Waits until `count` events of type `kind` have been seen.
    pub async fn wait(&self, kind: &str, count: u32) -> TestResult {
        let pred = func(
            "log",
            &format!("return log.filter(e => e.type === {kind:?}).length >= {count};"),
        );
        let promise: Promise = self
            .wait_for
            .call1(&JsValue::UNDEFINED, &pred)?
            .unchecked_into();
        resolves(
            &promise,
            &format!("{count} {kind:?} event(s); saw {:?}", self.types()),
        )
        .await?;
        Ok(())
    }
}
