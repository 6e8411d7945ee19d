//! `JRPC.WebSocket`: the JavaScript face of the client. Argument handling
//! only; the behaviour lives behind the methods of [`Client`].

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Function, Object, Promise};
use wasm_bindgen::prelude::*;

use crate::client::Client;
use crate::events::TYPES;
use crate::options::{CallOptions, call_options, construct, params_json, type_error};
use crate::waiter::promise;
use jrpc_shared::{BatchDraft, RawBuf};

/// A two-way JSON-RPC 2.0 connection to a server. See the package README.
#[wasm_bindgen(js_namespace = JRPC, js_name = WebSocket, skip_typescript)]
pub struct JsClient {
    client: Client,
    ready: Promise,
}

#[wasm_bindgen(js_namespace = JRPC, js_class = WebSocket)]
impl JsClient {
    /// `new JRPC.WebSocket(url, options)`, or `(host, port, localMethods, onOpen)`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        first: JsValue,
        second: JsValue,
        third: JsValue,
        fourth: JsValue,
    ) -> Result<JsClient, JsValue> {
        crate::error::link_class();
        let args = construct(&first, &second, &third, &fourth)?;
        let (ready, resolve, reject) = promise();
        // Marks `ready` as handled, so an app that never awaits it gets no
        // "unhandled rejection" report when the client closes before opening.
        crate::js::mark_handled(&ready);
        let client = Client::connect(args.config, (resolve, reject))?;
        let this = JsClient { client, ready };
        if args.methods.is_object() {
            for entry in Object::entries(args.methods.unchecked_ref()).iter() {
                let pair: js_sys::Array = entry.unchecked_into();
                let name = pair.get(0).as_string().unwrap_or_default();
                this.register(&name, pair.get(1))?;
            }
        }
        if let Some(on_open) = args.on_open {
            this.add_event_listener("open", on_open)?;
        }
        Ok(this)
    }

    /// Resolves once the connection is first open.
    #[wasm_bindgen(getter)]
    pub fn ready(&self) -> Promise {
        self.ready.clone()
    }

    /// `"connecting"`, `"open"`, `"reconnecting"` or `"closed"`.
    #[wasm_bindgen(getter)]
    pub fn state(&self) -> String {
        self.client.state().to_owned()
    }

    /// The server's URL.
    #[wasm_bindgen(getter)]
    pub fn url(&self) -> String {
        self.client.url()
    }

    /// `request(method, params, {timeoutMs, signal})` → Promise of the result;
    /// also the original `request(method, args, kwargs, onSuccess, onError)`.
    pub fn request(
        &self,
        method: String,
        params: JsValue,
        third: JsValue,
        on_success: JsValue,
        on_error: JsValue,
    ) -> Result<Promise, JsValue> {
        let callbacks = on_success.is_function() || on_error.is_function();
        if !callbacks {
            if let Some(options) = call_options(&third)? {
                let params = params_json(&params)?;
                return Ok(self.client.request(
                    &method,
                    params.as_ref().map(RawBuf::as_raw),
                    options,
                ));
            }
            // Named params followed by something that is not call options is
            // a mistake (say `{timeout: 5}`); guessing would send wrong params.
            if params.is_object() && !js_sys::Array::is_array(&params) {
                return Err(type_error(
                    "jrpc: the third argument of request(method, params, options) may only hold timeoutMs and signal",
                ));
            }
        }
        // The jrpc.js form: positional `args`, named `kwargs`, optional callbacks.
        let params = legacy_params(&params, &third)?;
        let promise = self.client.request(
            &method,
            params.as_ref().map(RawBuf::as_raw),
            CallOptions::default(),
        );
        if !callbacks {
            return Ok(promise);
        }
        Ok(crate::js::with_callbacks(&promise, &on_success, &on_error))
    }

    /// Sends a notification: no answer, no promise.
    pub fn invoke(&self, method: String, params: JsValue) -> Result<(), JsValue> {
        let params = params_json(&params)?;
        self.client
            .notify(&method, params.as_ref().map(RawBuf::as_raw))
    }

    /// Same as `invoke`.
    pub fn notify(&self, method: String, params: JsValue) -> Result<(), JsValue> {
        self.invoke(method, params)
    }

    /// `batch(b => { b.request(..); b.invoke(..) }, {timeoutMs, signal})`:
    /// one message; resolves with the requests' results in order.
    pub fn batch(&self, build: Function, options: JsValue) -> Result<Promise, JsValue> {
        let options = call_options(&options)?
            .ok_or_else(|| type_error("jrpc: batch options may only hold timeoutMs and signal"))?;
        let entries = Rc::new(RefCell::new(Some(BatchDraft::new())));
        let builder = JsBatch {
            entries: Rc::clone(&entries),
        };
        let returned = build.call1(&JsValue::UNDEFINED, &JsValue::from(builder))?;
        // Taking the entries ends the builder: later additions throw.
        let entries = entries.borrow_mut().take().unwrap_or_default();
        if crate::js::is_thenable(&returned) {
            return Err(type_error(
                "jrpc: the batch callback must add its calls synchronously (it returned a Promise)",
            ));
        }
        Ok(self.client.batch(&entries, options))
    }

    /// Makes `method` callable by the server; the function may return a value or a Promise.
    pub fn register(&self, method: &str, function: JsValue) -> Result<(), JsValue> {
        let function = function.dyn_into::<Function>().map_err(|_| {
            type_error(&format!("jrpc: the method \"{method}\" must be a function"))
        })?;
        self.client
            .register(method, function)
            .map_err(|e| type_error(&format!("jrpc: {e}")))
    }

    /// Removes a browser method; returns whether it was registered.
    pub fn unregister(&self, method: &str) -> bool {
        self.client.unregister(method)
    }

    /// Listens to `"open"`, `"close"`, `"reconnecting"` or `"error"`.
    #[wasm_bindgen(js_name = addEventListener)]
    pub fn add_event_listener(&self, kind: &str, listener: Function) -> Result<(), JsValue> {
        check_event_type(kind)?;
        self.client.add_listener(kind, listener);
        Ok(())
    }

    /// Removes a listener added with `addEventListener`.
    #[wasm_bindgen(js_name = removeEventListener)]
    pub fn remove_event_listener(&self, kind: &str, listener: Function) {
        self.client.remove_listener(kind, &listener);
    }

    /// Closes the connection for good; waiting calls reject.
    pub fn close(&self) {
        self.client.close();
    }
}

fn check_event_type(kind: &str) -> Result<(), JsValue> {
    if TYPES.contains(&kind) {
        Ok(())
    } else {
        Err(type_error(&format!(
            "jrpc: unknown event \"{kind}\"; the events are {}",
            TYPES.join(", ")
        )))
    }
}

/// `args` and `kwargs` of the original API: named params when `args` is empty.
fn legacy_params(args: &JsValue, kwargs: &JsValue) -> Result<Option<RawBuf>, JsValue> {
    let has_args = js_sys::Array::is_array(args) && js_sys::Array::from(args).length() > 0;
    let has_kwargs =
        kwargs.is_object() && Object::keys::<JsValue>(kwargs.unchecked_ref()).length() > 0;
    match (has_args, has_kwargs) {
        (true, true) => Err(type_error(
            "jrpc: JSON-RPC 2.0 params are either positional or named: pass args or kwargs, not both",
        )),
        (false, true) => params_json(kwargs),
        _ => params_json(args),
    }
}

/// The builder a `batch` callback receives.
#[wasm_bindgen(js_namespace = JRPC, js_name = Batch, skip_typescript)]
pub struct JsBatch {
    /// `None` once the batch has been sent.
    entries: Rc<RefCell<Option<BatchDraft>>>,
}

#[wasm_bindgen(js_namespace = JRPC, js_class = Batch)]
impl JsBatch {
    /// Adds a request; its result is at this position in the batch's results.
    pub fn request(&self, method: String, params: JsValue) -> Result<(), JsValue> {
        self.push(method, &params, true)
    }

    /// Adds a notification.
    pub fn invoke(&self, method: String, params: JsValue) -> Result<(), JsValue> {
        self.push(method, &params, false)
    }

    /// Same as `invoke`.
    pub fn notify(&self, method: String, params: JsValue) -> Result<(), JsValue> {
        self.push(method, &params, false)
    }

    fn push(&self, method: String, params: &JsValue, id_wanted: bool) -> Result<(), JsValue> {
        let params = params_json(params)?;
        let mut entries = self.entries.borrow_mut();
        let Some(entries) = entries.as_mut() else {
            return Err(type_error(
                "jrpc: this batch was already sent; add calls inside the batch callback",
            ));
        };
        if id_wanted {
            entries.request_owned(&method, params);
        } else {
            entries.notify_owned(&method, params);
        }
        Ok(())
    }
}
