//! Reading the constructor's and the calls' arguments: option objects and params.

use js_sys::{Function, Object, Reflect};
use wasm_bindgen::prelude::*;
use web_sys::AbortSignal;

use jrpc_shared::RawBuf;

use crate::backoff::Backoff;

/// Settings from the constructor's options.
#[derive(Clone, Debug)]
pub(crate) struct Config {
    pub(crate) url: String,
    pub(crate) timeout_ms: f64,
    pub(crate) reconnect: Option<Backoff>,
    pub(crate) max_queued: usize,
    pub(crate) max_in_flight: usize,
}

/// Per-call settings.
#[derive(Default)]
pub(crate) struct CallOptions {
    pub(crate) timeout_ms: Option<f64>,
    pub(crate) signal: Option<AbortSignal>,
}

/// Defaults of the constructor's options.
const DEFAULT_TIMEOUT_MS: f64 = 30_000.0;
const DEFAULT_MAX_QUEUED: usize = 1024;
const DEFAULT_MAX_IN_FLIGHT: usize = 1024;
/// The WebSocket path of `jrpc-server`, used by the `(host, port)` form.
const DEFAULT_PATH: &str = "/rpc";

fn get(object: &JsValue, key: &str) -> JsValue {
    if object.is_object() {
        Reflect::get(object, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
    } else {
        JsValue::UNDEFINED
    }
}

fn number(object: &JsValue, key: &str) -> Result<Option<f64>, JsValue> {
    let value = get(object, key);
    if value.is_undefined() {
        return Ok(None);
    }
    match value.as_f64() {
        Some(n) if n >= 0.0 => Ok(Some(n)),
        _ => Err(type_error(&format!(
            "jrpc: option {key} must be a non-negative number"
        ))),
    }
}

pub(crate) fn type_error(message: &str) -> JsValue {
    js_sys::TypeError::new(message).into()
}

/// What the constructor was given, in either form.
pub(crate) struct Construct {
    pub(crate) config: Config,
    pub(crate) methods: JsValue,
    pub(crate) on_open: Option<Function>,
}

/// `new JRPC.WebSocket(url, options)` or the original `(host, port, localMethods, onOpen)`.
pub(crate) fn construct(
    first: &JsValue,
    second: &JsValue,
    third: &JsValue,
    fourth: &JsValue,
) -> Result<Construct, JsValue> {
    // An integer parse: parsing the port as a float would pull in float parsing code.
    let port = second
        .as_f64()
        .map(|p| p as u32)
        .or_else(|| second.as_string().and_then(|s| s.parse::<u32>().ok()));
    if let (Some(host), Some(port)) = (first.as_string(), port) {
        let url = format!("ws://{host}:{port}{DEFAULT_PATH}");
        return Ok(Construct {
            config: config(url, &JsValue::UNDEFINED)?,
            methods: third.clone(),
            on_open: fourth.dyn_ref::<Function>().cloned(),
        });
    }
    let Some(url) = first.as_string() else {
        return Err(type_error(
            "jrpc: new JRPC.WebSocket(url, options) needs a URL such as \"ws://127.0.0.1:8080/rpc\"",
        ));
    };
    Ok(Construct {
        config: config(url, second)?,
        methods: get(second, "methods"),
        on_open: None,
    })
}

fn config(url: String, options: &JsValue) -> Result<Config, JsValue> {
    if !(options.is_undefined() || options.is_null() || options.is_object()) {
        return Err(type_error(
            "jrpc: the second argument must be an options object",
        ));
    }
    Ok(Config {
        url,
        timeout_ms: number(options, "timeoutMs")?.unwrap_or(DEFAULT_TIMEOUT_MS),
        reconnect: reconnect(&get(options, "reconnect"))?,
        max_queued: number(options, "maxQueued")?.map_or(DEFAULT_MAX_QUEUED, |n| n as usize),
        max_in_flight: number(options, "maxInFlight")?
            .map_or(DEFAULT_MAX_IN_FLIGHT, |n| n.max(1.0) as usize),
    })
}

fn reconnect(value: &JsValue) -> Result<Option<Backoff>, JsValue> {
    if value.is_undefined() || value.as_bool() == Some(true) {
        return Ok(Some(Backoff::default()));
    }
    if value.as_bool() == Some(false) || value.is_null() {
        return Ok(None);
    }
    let d = Backoff::default();
    Ok(Some(Backoff {
        initial_delay_ms: number(value, "initialDelayMs")?.unwrap_or(d.initial_delay_ms),
        max_delay_ms: number(value, "maxDelayMs")?.unwrap_or(d.max_delay_ms),
        max_retries: number(value, "maxRetries")?.unwrap_or(d.max_retries),
    }))
}

/// Per-call options `{timeoutMs, signal}`; `None` if `value` is not such an object.
pub(crate) fn call_options(value: &JsValue) -> Result<Option<CallOptions>, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(Some(CallOptions::default()));
    }
    if !value.is_object() || value.is_function() || js_sys::Array::is_array(value) {
        return Ok(None);
    }
    let keys = Object::keys::<JsValue>(value.unchecked_ref());
    let only_options = keys
        .iter()
        .all(|k| matches!(k.as_string().as_deref(), Some("timeoutMs" | "signal")));
    if !only_options {
        return Ok(None);
    }
    let signal = get(value, "signal");
    let signal = if signal.is_undefined() || signal.is_null() {
        None
    } else {
        Some(
            signal
                .dyn_into::<AbortSignal>()
                .map_err(|_| type_error("jrpc: option signal must be an AbortSignal"))?,
        )
    };
    Ok(Some(CallOptions {
        timeout_ms: number(value, "timeoutMs")?,
        signal,
    }))
}

/// Params as JSON text: `undefined`/`null` for none, else an array or object.
pub(crate) fn params_json(params: &JsValue) -> Result<Option<RawBuf>, JsValue> {
    if params.is_undefined() || params.is_null() {
        return Ok(None);
    }
    let text = crate::js::stringify(params)?.unwrap_or_default();
    if !text.starts_with(['[', '{']) {
        return Err(type_error(
            "jrpc: params must be an array (positional) or an object (named), or omitted",
        ));
    }
    // JSON.stringify's output is JSON by construction: no second check.
    Ok(Some(RawBuf::from_trusted(text)))
}
