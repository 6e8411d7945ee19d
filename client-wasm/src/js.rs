//! Bindings to JavaScript: the helpers in `glue.js` and the global timer functions.

use js_sys::Function;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/glue.js")]
extern "C" {
    /// A new `JRPC.Error` (a real `Error` with `code` and `data`).
    #[wasm_bindgen(js_name = makeError)]
    pub(crate) fn make_error(message: &str, code: f64, data_json: Option<String>) -> JsValue;

    /// Links the exported `JRPC.Error` class to the errors `make_error` creates.
    #[wasm_bindgen(js_name = linkErrorClass)]
    pub(crate) fn link_error_class(sample: JsValue);

    /// JSON text of a value; throws a `TypeError` for NaN, Infinity, BigInt or cycles.
    #[wasm_bindgen(catch)]
    pub(crate) fn stringify(value: &JsValue) -> Result<Option<String>, JsValue>;

    /// Calls a browser method with params given as JSON text.
    #[wasm_bindgen(catch, js_name = applyMethod)]
    pub(crate) fn apply_method(
        f: &Function,
        params_json: Option<String>,
    ) -> Result<JsValue, JsValue>;

    /// Whether a value is a Promise or another thenable.
    #[wasm_bindgen(js_name = isThenable)]
    pub(crate) fn is_thenable(value: &JsValue) -> bool;

    /// Marks a promise as handled (no "unhandled rejection" report).
    #[wasm_bindgen(js_name = markHandled)]
    pub(crate) fn mark_handled(promise: &js_sys::Promise);

    /// `promise.then(onSuccess, onError)` for the functions among the two.
    #[wasm_bindgen(js_name = withCallbacks)]
    pub(crate) fn with_callbacks(
        promise: &js_sys::Promise,
        on_success: &JsValue,
        on_error: &JsValue,
    ) -> js_sys::Promise;

    /// `performance.now()`: milliseconds on a clock that never goes back.
    pub(crate) fn now() -> f64;

    /// The error object, as JSON text, for a value a browser method threw.
    #[wasm_bindgen(js_name = describeThrown)]
    pub(crate) fn describe_thrown(error: &JsValue) -> String;
}

#[wasm_bindgen]
extern "C" {
    // The global functions, present in windows and workers alike.
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(callback: &Function, ms: i32) -> i32;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: i32);
}

/// A pending `setTimeout` that owns its callback and is cleared when dropped.
pub(crate) struct Timer {
    id: i32,
    _callback: Closure<dyn FnMut()>,
}

impl Timer {
    /// Runs `f` once after `ms` milliseconds (clamped to what `setTimeout` accepts).
    pub(crate) fn new(ms: f64, f: impl FnMut() + 'static) -> Timer {
        let callback = Closure::<dyn FnMut()>::new(f);
        let ms = ms.clamp(0.0, f64::from(i32::MAX)) as i32;
        let id = set_timeout(callback.as_ref().unchecked_ref(), ms);
        Timer {
            id,
            _callback: callback,
        }
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        clear_timeout(self.id);
    }
}

/// Logs a warning to the browser console.
pub(crate) fn warn(message: &str, detail: &JsValue) {
    web_sys::console::warn_2(&JsValue::from_str(message), detail);
}
