//! What the engine reports to the JavaScript driver while it reads a frame.
//!
//! A JavaScript object with these methods (`js/engine-sink.js`). Results and
//! params travel as UTF-16 offsets into the frame the driver passed in, so
//! the driver parses them with `JSON.parse(frame.slice(start, end))` and no
//! string is copied out of wasm memory; only replies, which go to the socket
//! anyway, cross as strings.

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// The driver's receiver of engine actions.
    pub type Sink;

    /// Send `text` to the server now.
    #[wasm_bindgen(method)]
    pub fn send(this: &Sink, text: &str);

    /// The app's call `id` succeeded; its result is `frame.slice(start, end)`.
    #[wasm_bindgen(method)]
    pub fn settle(this: &Sink, id: f64, start: u32, end: u32);

    /// The app's call `id` failed with this error object (as JSON text).
    #[wasm_bindgen(method)]
    pub fn reject(this: &Sink, id: f64, error: &str);

    /// The server called the browser method in `slot`: params are
    /// `frame.slice(start, end)` (no params when `start` is negative); answer
    /// with `token` unless it is negative (a notification).
    #[wasm_bindgen(method)]
    pub fn call(this: &Sink, slot: u32, token: f64, start: i32, end: u32);

    /// A message of subscription `key`: an item, `frame.slice(start, end)`;
    /// a gap (`start` -1) of `end` items, or of an unknown number (`end`
    /// -1); the end (`start` -2), with the error object (as JSON text) it
    /// failed with; or (`start` -3) the late acceptance of its subscribe
    /// request, which was given up on: `error` holds the params of the
    /// unsubscribe request that ends it at the server.
    #[wasm_bindgen(method)]
    pub fn item(this: &Sink, key: u32, start: f64, end: f64, error: Option<&str>);
}
