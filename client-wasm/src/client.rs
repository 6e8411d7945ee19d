//! The client handle: every way into a client (the app's calls through
//! `api.rs`, the socket's events, timers, abort signals) goes through here.
//!
//! Borrow rule: the `RefCell` is never held while JavaScript code of the app
//! runs (listeners, browser methods), because that code may call back into
//! the client. So each entry point borrows, lets the [`Connection`] do its
//! part, releases, and only then calls the listeners or methods it returned.
//! Callbacks (socket handlers, timers, abort listeners) hold a weak
//! [`Handle`]: dropping the app's object ends the connection.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use jrpc_shared::{BatchDraft, CallToken, HandlerResult, Raw, code};
use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;
use web_sys::AbortSignal;

use crate::connection::{Connection, State, close_event};
use crate::deadlines::delay_until;
use crate::js::{self, Timer};
use crate::options::{CallOptions, Config};
use crate::outgoing::aborted_error;
use crate::socket::{Events, Socket};
use crate::waiter::{AbortListener, Waiter, promise};
use crate::{error, events, methods};

/// The client's shared state.
#[derive(Clone)]
pub(crate) struct Client(Rc<RefCell<Connection>>);

/// What callbacks hold: a client that may be gone.
#[derive(Clone)]
struct Handle(Weak<RefCell<Connection>>);

impl Handle {
    fn upgrade(&self) -> Option<Client> {
        self.0.upgrade().map(Client)
    }

    /// Gives up on call `id` with `error`, telling the peer if it was sent.
    fn give_up(&self, id: u64, error: JsValue) {
        let Some(client) = self.upgrade() else { return };
        let waiter = {
            let mut conn = client.0.borrow_mut();
            let (calls, socket) = conn.calls();
            calls.abandon(id, socket)
        };
        if let Some(waiter) = waiter {
            waiter.fail(error);
        }
    }

    /// The deadline timer fired: fails the calls that are due, sets it again.
    fn expire(&self) {
        let Some(client) = self.upgrade() else { return };
        let failed = {
            let mut conn = client.0.borrow_mut();
            let (calls, socket) = conn.calls();
            let (failed, next) = calls.expire(js::now(), socket);
            // The timer that fired is replaced (or dropped: no deadline left).
            conn.set_deadline_timer(next.map(|at| self.deadline_timer(at)));
            failed
        };
        for (waiter, error) in failed {
            waiter.fail(error);
        }
    }

    fn deadline_timer(&self, at: u64) -> Timer {
        let handle = self.clone();
        Timer::new(delay_until(at, js::now()), move || handle.expire())
    }
}

impl Events for Handle {
    fn opened(&self) {
        if let Some(client) = self.upgrade() {
            let listeners = client.0.borrow_mut().opened();
            events::dispatch(listeners, &events::event("open", &[]));
        }
    }
    fn message(&self, text: String) {
        if let Some(client) = self.upgrade() {
            client.on_text(&text);
        }
    }
    fn binary(&self) {
        if let Some(client) = self.upgrade() {
            // Answered as the native side answers it (the engine decides);
            // the page learns of it too.
            client.0.borrow_mut().received_binary();
            let message = "the server sent a binary frame, which JSON-RPC does not use; ignored";
            client.emit_error(error::local(code::INTERNAL_ERROR, message));
        }
    }
    fn closed(&self, code: u16, reason: String, was_clean: bool) {
        if let Some(client) = self.upgrade() {
            client.on_close(code, reason, was_clean);
        }
    }
}

impl Client {
    /// Creates the client and starts connecting; `ready` settles on the first open.
    pub(crate) fn connect(config: Config, ready: (Function, Function)) -> Result<Client, JsValue> {
        let client = Client(Rc::new(RefCell::new(Connection::new(config, ready))));
        client.open_socket()?;
        client.0.borrow_mut().keep_alive(Rc::clone(&client.0));
        Ok(client)
    }

    fn handle(&self) -> Handle {
        Handle(Rc::downgrade(&self.0))
    }

    fn open_socket(&self) -> Result<(), JsValue> {
        let mut conn = self.0.borrow_mut();
        let socket = Socket::open(&conn.config().url, self.handle())?;
        conn.set_socket(socket);
        Ok(())
    }

    /// `"connecting"`, `"open"`, `"reconnecting"` or `"closed"`.
    pub(crate) fn state(&self) -> &'static str {
        self.0.borrow().state().as_str()
    }

    pub(crate) fn url(&self) -> String {
        self.0.borrow().config().url.clone()
    }

    /// Makes `function` the browser method `method`; `Err` says why not.
    pub(crate) fn register(&self, method: &str, function: Function) -> Result<(), String> {
        let mut conn = self.0.borrow_mut();
        conn.methods()
            .replace(method, function)
            .map(drop)
            .map_err(|e| e.to_string())
    }

    /// Removes a browser method; whether it was registered.
    pub(crate) fn unregister(&self, method: &str) -> bool {
        self.0.borrow_mut().methods().remove(method).is_some()
    }

    pub(crate) fn add_listener(&self, kind: &str, listener: Function) {
        self.0.borrow_mut().listeners().add(kind, listener);
    }

    pub(crate) fn remove_listener(&self, kind: &str, listener: &Function) {
        self.0.borrow_mut().listeners().remove(kind, listener);
    }

    /// Sends a request and returns the promise of its result.
    pub(crate) fn request(
        &self,
        method: &str,
        params: Option<Raw<'_>>,
        options: CallOptions,
    ) -> Promise {
        let (promise, resolve, reject) = promise();
        // Like fetch: an already-aborted signal means the call is never sent.
        if options.signal.as_ref().is_some_and(AbortSignal::aborted) {
            drop(reject.call1(&JsValue::UNDEFINED, &aborted_error()));
            return promise;
        }
        let id = {
            let mut conn = self.0.borrow_mut();
            let (calls, socket) = conn.calls();
            calls.request(method, params, Waiter::new(resolve, reject), socket)
        };
        if let Some(id) = id {
            self.arm(&[id], &options);
        }
        promise
    }

    /// Sends a notification (queued while the socket is not open).
    pub(crate) fn notify(&self, method: &str, params: Option<Raw<'_>>) -> Result<(), JsValue> {
        let mut conn = self.0.borrow_mut();
        let (calls, socket) = conn.calls();
        calls.notify(method, params, socket)
    }

    /// Sends a batch; resolves with the results of its requests, in order.
    pub(crate) fn batch(&self, entries: &BatchDraft, options: CallOptions) -> Promise {
        if options.signal.as_ref().is_some_and(AbortSignal::aborted) {
            return Promise::reject(&aborted_error());
        }
        let sent = {
            let mut conn = self.0.borrow_mut();
            let (calls, socket) = conn.calls();
            calls.batch(entries, socket)
        };
        match sent {
            Ok((ids, promises)) => {
                self.arm(&ids, &options);
                Promise::all(&promises.into_iter().collect::<js_sys::Array>())
            }
            Err(error) => Promise::reject(&error),
        }
    }

    /// Starts the timeouts and abort listeners of the calls `ids`.
    fn arm(&self, ids: &[u64], options: &CallOptions) {
        let handle = self.handle();
        if options.signal.as_ref().is_some_and(AbortSignal::aborted) {
            for id in ids {
                handle.give_up(*id, aborted_error());
            }
            return;
        }
        let mut conn = self.0.borrow_mut();
        let timeout_ms = options.timeout_ms.unwrap_or(conn.config().timeout_ms);
        for &id in ids {
            if let Some(at) = conn.calls().0.start_deadline(id, js::now(), timeout_ms) {
                conn.set_deadline_timer(Some(handle.deadline_timer(at)));
            }
            if let Some(signal) = &options.signal {
                let handle = handle.clone();
                let listener =
                    AbortListener::new(signal.clone(), move || handle.give_up(id, aborted_error()));
                conn.calls().0.set_abort(id, listener);
            }
        }
    }

    /// `rpc.close()`: closes for good, failing everything that waits.
    pub(crate) fn close(&self) {
        self.close_with(1000, "closed by the client", true);
    }

    /// Closes for good (once) and fires the `close` event.
    fn close_with(&self, code: u16, reason: &str, was_clean: bool) {
        let listeners = self.0.borrow_mut().close(reason);
        if let Some(listeners) = listeners {
            events::dispatch(listeners, &close_event(code, reason, was_clean, false));
        }
    }

    fn is_closed(&self) -> bool {
        self.0.borrow().state() == State::Closed
    }

    fn on_text(&self, text: &str) {
        let (started, generation) = self.0.borrow_mut().received(text);
        for (function, params, token) in started {
            // A method that closed the client ends the frame's other calls too.
            if self.is_closed() {
                break;
            }
            methods::run(&function, params, self.answer(token, generation));
        }
    }

    /// What to do with a browser method's outcome: reply on the connection
    /// the call came from, or (a notification) only report a failure.
    fn answer(
        &self,
        token: Option<CallToken>,
        generation: u64,
    ) -> impl FnOnce(HandlerResult) + 'static {
        // Weak: a method whose promise never settles must not keep the client alive.
        let handle = self.handle();
        move |result| match (token, handle.upgrade()) {
            (Some(token), Some(client)) => {
                client.0.borrow_mut().complete(token, result, generation)
            }
            (Some(_), None) => {}
            (None, _) => methods::report_failed_notification(result),
        }
    }

    fn on_close(&self, code: u16, reason: String, was_clean: bool) {
        let dropped = {
            let mut conn = self.0.borrow_mut();
            let dropped = conn.dropped(code, reason, was_clean, js_sys::Math::random());
            if let Some((delay, _)) = &dropped.reconnect {
                let handle = self.handle();
                let timer = Timer::new(*delay, move || {
                    if let Some(client) = handle.upgrade() {
                        client.reconnect();
                    }
                });
                conn.set_reconnect_timer(Some(timer));
            }
            dropped
        };
        events::dispatch(dropped.listeners, &dropped.event);
        // A close listener may have closed the client meanwhile.
        if let Some((_, reconnecting)) = dropped.reconnect {
            if self.0.borrow().state() == State::Reconnecting {
                let listeners = self.0.borrow().listeners_of("reconnecting");
                events::dispatch(listeners, &reconnecting);
            }
        }
    }

    fn reconnect(&self) {
        self.0.borrow_mut().set_reconnect_timer(None);
        if let Err(e) = self.open_socket() {
            // The URL worked before, so this is unexpected; report and stop.
            self.emit_error(e);
            self.close_with(1006, "reconnecting failed", false);
        }
    }

    /// Fires the `error` event with `error`.
    fn emit_error(&self, error: JsValue) {
        let listeners = self.0.borrow().listeners_of("error");
        events::dispatch(listeners, &events::event("error", &[("error", error)]));
    }
}
