//! A browser WebSocket whose event handlers are owned closures.
//!
//! Dropping a `Socket` detaches its handlers before the closures are freed
//! (so the browser can never call a freed closure) and closes the socket:
//! nothing leaks per connection, and events of an old socket cannot reach a
//! newer one after a reconnect.

use wasm_bindgen::prelude::*;
use web_sys::{CloseEvent, Event, MessageEvent, WebSocket};

/// What a socket reports.
pub(crate) trait Events: 'static {
    fn opened(&self);
    fn message(&self, text: String);
    fn binary(&self);
    fn closed(&self, code: u16, reason: String, was_clean: bool);
}

pub(crate) struct Socket {
    ws: WebSocket,
    _on_open: Closure<dyn FnMut(Event)>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_close: Closure<dyn FnMut(CloseEvent)>,
}

impl Socket {
    /// Starts connecting to `url`; fails at once for an invalid URL.
    pub(crate) fn open<E: Events + Clone>(url: &str, events: E) -> Result<Socket, JsValue> {
        let ws = WebSocket::new(url)?;
        // Binary frames are not JSON-RPC; an ArrayBuffer is the cheapest to discard.
        ws.set_binary_type(web_sys::BinaryType::Arraybuffer);
        let on_open = {
            let events = events.clone();
            Closure::<dyn FnMut(Event)>::new(move |_: Event| events.opened())
        };
        let on_message = {
            let events = events.clone();
            Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
                match e.data().as_string() {
                    Some(text) => events.message(text),
                    None => events.binary(),
                }
            })
        };
        let on_close = Closure::<dyn FnMut(CloseEvent)>::new(move |e: CloseEvent| {
            events.closed(e.code(), e.reason(), e.was_clean())
        });
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        Ok(Socket {
            ws,
            _on_open: on_open,
            _on_message: on_message,
            _on_close: on_close,
        })
    }

    /// Sends a text frame; false if the browser refused (not open).
    pub(crate) fn send(&self, text: &str) -> bool {
        self.ws.send_with_str(text).is_ok()
    }

    /// True once the socket is open.
    pub(crate) fn is_open(&self) -> bool {
        self.ws.ready_state() == WebSocket::OPEN
    }
}

impl Drop for Socket {
    fn drop(&mut self) {
        self.ws.set_onopen(None);
        self.ws.set_onmessage(None);
        self.ws.set_onclose(None);
        let _ = self.ws.close_with_code(1000);
    }
}
