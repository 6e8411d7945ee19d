//! The connection state machine: socket life, reconnects, the outgoing queue,
//! and moving text between the socket and the `jrpc-shared` engine.
//!
//! Borrow rule: the `RefCell` is never held while JavaScript code of the app
//! runs (listeners, browser methods), because that code may call back into
//! the client. Resolving or rejecting a promise is fine: its handlers run later.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::{Rc, Weak};

use jrpc_shared::{Action, Inbound, Methods, Outbound, RawValue, code};
use js_sys::Function;
use wasm_bindgen::prelude::*;

use crate::backoff::Backoff;
use crate::deadlines::Deadlines;
use crate::events::{self, Listeners};
use crate::js::Timer;
use crate::socket::{Events, Socket};
use crate::waiter::Waiter;
use crate::{calls, error};

/// How long a connection must stay open to count as stable (see `opened_at`).
const STABLE_CONNECTION_MS: f64 = 5_000.0;

/// What the app sees in `rpc.state`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum State {
    Connecting,
    Open,
    Reconnecting,
    Closed,
}

impl State {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            State::Connecting => "connecting",
            State::Open => "open",
            State::Reconnecting => "reconnecting",
            State::Closed => "closed",
        }
    }
}

/// Settings from the constructor's options.
#[derive(Clone, Debug)]
pub(crate) struct Config {
    pub(crate) url: String,
    pub(crate) timeout_ms: f64,
    pub(crate) reconnect: Option<Backoff>,
    pub(crate) max_queued: usize,
    pub(crate) max_in_flight: usize,
}

/// A message written while the socket was not open, sent on (re)open.
pub(crate) struct Unsent {
    /// The requests it carries (to mark them sent), empty for notifications.
    pub(crate) ids: Vec<u64>,
    pub(crate) text: String,
}

pub(crate) struct Inner {
    pub(crate) config: Config,
    pub(crate) state: State,
    socket: Option<Socket>,
    pub(crate) outbound: Outbound<Waiter>,
    /// The timer for the calls' timeouts (their deadlines are in their waiters).
    pub(crate) deadlines: Deadlines,
    inbound: Inbound,
    pub(crate) methods: Methods<Function>,
    pub(crate) queue: VecDeque<Unsent>,
    pub(crate) listeners: Listeners,
    ready: Option<(Function, Function)>,
    attempt: u32,
    reconnect_timer: Option<Timer>,
    /// Counts connections: a browser method's answer is only sent on the
    /// connection its call came from (call tokens restart with each one).
    pub(crate) generation: u64,
    /// When the current connection opened (`Date.now()`), to tell a stable
    /// connection (which resets the retry count) from one that flaps.
    opened_at: Option<f64>,
    /// The client keeps itself alive until it is closed, like a browser
    /// WebSocket: an app that drops its reference (but registered methods the
    /// server calls) must not lose the connection at garbage collection.
    keep_alive: Option<Rc<RefCell<Inner>>>,
    me: Weak<RefCell<Inner>>,
}

/// The client's shared state.
#[derive(Clone)]
pub(crate) struct Client(pub(crate) Rc<RefCell<Inner>>);

/// The socket's handlers hold only a weak reference: dropping the app's
/// object ends the connection instead of leaking it.
#[derive(Clone)]
struct Handle(Weak<RefCell<Inner>>);

impl Events for Handle {
    fn opened(&self) {
        if let Some(client) = self.upgrade() {
            client.on_open();
        }
    }
    fn message(&self, text: String) {
        if let Some(client) = self.upgrade() {
            client.on_text(&text);
        }
    }
    fn binary(&self) {
        if let Some(client) = self.upgrade() {
            client
                .emit_error("the server sent a binary frame, which JSON-RPC does not use; ignored");
        }
    }
    fn closed(&self, code: u16, reason: String, was_clean: bool) {
        if let Some(client) = self.upgrade() {
            client.on_close(code, reason, was_clean);
        }
    }
}

impl Handle {
    fn upgrade(&self) -> Option<Client> {
        self.0.upgrade().map(Client)
    }
}

impl Client {
    /// Creates the client and starts connecting; `ready` settles on the first open.
    pub(crate) fn connect(config: Config, ready: (Function, Function)) -> Result<Client, JsValue> {
        let max_in_flight = config.max_in_flight;
        let client = Client(Rc::new_cyclic(|me| {
            RefCell::new(Inner {
                config,
                state: State::Connecting,
                socket: None,
                outbound: Outbound::new(),
                deadlines: Deadlines::default(),
                inbound: Inbound::new(max_in_flight),
                methods: Methods::new(),
                queue: VecDeque::new(),
                listeners: Listeners::default(),
                ready: Some(ready),
                attempt: 0,
                reconnect_timer: None,
                generation: 0,
                opened_at: None,
                keep_alive: None,
                me: me.clone(),
            })
        }));
        client.open_socket()?;
        client.0.borrow_mut().keep_alive = Some(Rc::clone(&client.0));
        Ok(client)
    }

    fn open_socket(&self) -> Result<(), JsValue> {
        let mut inner = self.0.borrow_mut();
        let handle = Handle(inner.me.clone());
        let socket = Socket::open(&inner.config.url, handle)?;
        inner.socket = Some(socket);
        Ok(())
    }

    fn on_open(&self) {
        let listeners = {
            let mut inner = self.0.borrow_mut();
            inner.state = State::Open;
            inner.opened_at = Some(js_sys::Date::now());
            inner.flush_queue();
            if let Some((resolve, _)) = inner.ready.take() {
                drop(resolve.call0(&JsValue::UNDEFINED));
            }
            inner.listeners.of("open")
        };
        events::dispatch(listeners, &events::event("open", &[]));
    }

    fn on_text(&self, text: &str) {
        let started = {
            let mut guard = self.0.borrow_mut();
            let inner = &mut *guard;
            let mut actions = Vec::new();
            inner.inbound.receive(text, &inner.methods, &mut actions);
            let mut started = Vec::new();
            for action in actions {
                match action {
                    Action::Reply(reply) => {
                        if let Some(socket) = &inner.socket {
                            socket.send(&reply);
                        }
                    }
                    Action::Settle { id, outcome } => match (inner.outbound.take(id), outcome) {
                        (Some(waiter), Ok(result)) => waiter.succeed(result),
                        (Some(waiter), Err(e)) => waiter.fail_with(&e),
                        // Late (after a timeout or abort) or unknown: nothing waits for it.
                        (None, _) => {}
                    },
                    // A browser method cannot be stopped; its answer is simply not sent.
                    Action::Abort(_) => {}
                    Action::Call {
                        handler,
                        params,
                        token,
                        ..
                    } => started.push((handler.clone(), params.map(|p| p.get().to_owned()), token)),
                }
            }
            started
        };
        let generation = self.0.borrow().generation;
        for (function, params, token) in started {
            // A method that closed the client ends the frame's other calls too.
            if self.is_closed() {
                break;
            }
            calls::run_method(self, &function, params, token, generation);
        }
    }

    /// Hands a browser method's result to the engine and sends the reply,
    /// unless the call came over an earlier connection (nobody waits for it).
    pub(crate) fn complete(
        &self,
        token: jrpc_shared::CallToken,
        result: jrpc_shared::HandlerResult,
        generation: u64,
    ) {
        let mut inner = self.0.borrow_mut();
        if inner.generation != generation {
            return;
        }
        if let Some(reply) = inner.inbound.complete(token, result) {
            inner.send_now(&reply);
        }
    }

    fn on_close(&self, code: u16, reason: String, was_clean: bool) {
        let (listeners, kind, event) = {
            let mut inner = self.0.borrow_mut();
            inner.socket = None;
            // Answers to the old connection's requests must not go to the next one.
            inner.inbound = Inbound::new(inner.config.max_in_flight);
            inner.generation += 1;
            let never_opened = inner.state != State::Open;
            // Only a connection that stayed up resets the retry count: one the
            // server closes right away (refused auth, full) must not retry forever.
            if inner
                .opened_at
                .take()
                .is_some_and(|t| js_sys::Date::now() - t >= STABLE_CONNECTION_MS)
            {
                inner.attempt = 0;
            }
            // Calls already sent cannot be answered any more; queued ones wait.
            let lost = error::local(
                code::CONNECTION_CLOSED,
                "connection lost before the answer arrived",
            );
            for waiter in inner.outbound.take_where(|w| w.sent) {
                waiter.fail(lost.clone());
            }
            let next = inner
                .config
                .reconnect
                .clone()
                .filter(|b| b.allows(inner.attempt));
            let event = events::event(
                "close",
                &[
                    ("code", code.into()),
                    ("reason", reason.into()),
                    ("wasClean", was_clean.into()),
                    ("willReconnect", next.is_some().into()),
                ],
            );
            match next {
                Some(backoff) => {
                    let delay = backoff.delay_ms(inner.attempt, js_sys::Math::random());
                    inner.attempt += 1;
                    inner.state = State::Reconnecting;
                    let handle = Handle(inner.me.clone());
                    inner.reconnect_timer = Some(Timer::new(delay, move || {
                        if let Some(client) = handle.upgrade() {
                            client.reconnect();
                        }
                    }));
                    let reconnecting = events::event(
                        "reconnecting",
                        &[("attempt", inner.attempt.into()), ("delayMs", delay.into())],
                    );
                    (inner.listeners.of("close"), Some(reconnecting), event)
                }
                None => {
                    let why = if never_opened && inner.config.reconnect.is_none() {
                        "could not connect"
                    } else {
                        "the connection closed and reconnecting gave up"
                    };
                    inner.shut(why);
                    (inner.listeners.of("close"), None, event)
                }
            }
        };
        events::dispatch(listeners, &event);
        // A close listener may have closed the client meanwhile.
        if let Some(reconnecting) = kind.filter(|_| self.0.borrow().state == State::Reconnecting) {
            let listeners = self.0.borrow().listeners.of("reconnecting");
            events::dispatch(listeners, &reconnecting);
        }
    }

    fn reconnect(&self) {
        self.0.borrow_mut().reconnect_timer = None;
        if let Err(e) = self.open_socket() {
            // The URL worked before, so this is unexpected; report and stop.
            js_error_event(self, &e);
            self.close_with(1006, "reconnecting failed", false);
        }
    }

    /// `rpc.close()`: closes for good, failing everything that waits.
    pub(crate) fn close(&self) {
        self.close_with(1000, "closed by the client", true);
    }

    /// Closes for good (once) and fires the `close` event.
    fn close_with(&self, code: u16, reason: &str, was_clean: bool) {
        let listeners = {
            let mut inner = self.0.borrow_mut();
            if inner.state == State::Closed {
                return;
            }
            inner.shut(reason);
            inner.listeners.of("close")
        };
        let event = events::event(
            "close",
            &[
                ("code", code.into()),
                ("reason", reason.into()),
                ("wasClean", was_clean.into()),
                ("willReconnect", false.into()),
            ],
        );
        events::dispatch(listeners, &event);
    }

    /// Whether the client has been closed for good.
    pub(crate) fn is_closed(&self) -> bool {
        self.0.borrow().state == State::Closed
    }

    pub(crate) fn emit_error(&self, message: &str) {
        let listeners = self.0.borrow().listeners.of("error");
        let error = error::local(code::INTERNAL_ERROR, message);
        events::dispatch(listeners, &events::event("error", &[("error", error)]));
    }
}

fn js_error_event(client: &Client, error: &JsValue) {
    let listeners = client.0.borrow().listeners.of("error");
    events::dispatch(
        listeners,
        &events::event("error", &[("error", error.clone())]),
    );
}

impl Inner {
    /// Sends now if open; else queues (bounded). `ids` are the requests in `text`.
    /// Returns false when the queue is full.
    pub(crate) fn send_or_queue(&mut self, ids: Vec<u64>, text: String) -> bool {
        if self.state == State::Open && self.socket.as_ref().is_some_and(|s| s.send(&text)) {
            self.mark_sent(&ids);
            return true;
        }
        if self.queue.len() >= self.config.max_queued {
            return false;
        }
        self.queue.push_back(Unsent { ids, text });
        true
    }

    fn send_now(&mut self, text: &str) {
        if let Some(socket) = &self.socket {
            socket.send(text);
        }
    }

    fn mark_sent(&mut self, ids: &[u64]) {
        for id in ids {
            if let Some(waiter) = self.outbound.get_mut(*id) {
                waiter.sent = true;
            }
        }
    }

    fn flush_queue(&mut self) {
        while let Some(unsent) = self.queue.pop_front() {
            let sent = self
                .socket
                .as_ref()
                .is_some_and(|s| s.is_open() && s.send(&unsent.text));
            if !sent {
                self.queue.push_front(unsent);
                return;
            }
            self.mark_sent(&unsent.ids);
        }
    }

    /// Gives up on a call: a sent one is cancelled at the peer with
    /// `$/cancelRequest`, a queued one is taken out of the queue.
    pub(crate) fn abandon(&mut self, id: u64) -> Option<Waiter> {
        let (waiter, cancel) = self.outbound.cancel(id)?;
        if waiter.sent {
            self.send_now(&cancel);
        } else {
            // Not sent yet: take it out of its queued message, and drop a
            // message (a request or a batch) none of whose calls still wait.
            self.queue
                .retain_mut(|u| match u.ids.iter().position(|x| *x == id) {
                    Some(i) => {
                        u.ids.remove(i);
                        !u.ids.is_empty()
                    }
                    None => true,
                });
        }
        Some(waiter)
    }

    /// Ends the client for good: state closed, socket and timers gone, every
    /// waiting call and `ready` rejected.
    fn shut(&mut self, why: &str) {
        self.state = State::Closed;
        // Every caller holds its own handle to the client, so this is never
        // the last reference while `self` is borrowed.
        self.keep_alive = None;
        self.reconnect_timer = None;
        self.socket = None;
        self.queue.clear();
        let error = error::local(
            code::CONNECTION_CLOSED,
            &format!("connection closed: {why}"),
        );
        self.deadlines.clear();
        for waiter in self.outbound.close() {
            waiter.fail(error.clone());
        }
        if let Some((_, reject)) = self.ready.take() {
            drop(reject.call1(&JsValue::UNDEFINED, &error));
        }
    }

    /// A weak handle for callbacks (timers, abort listeners).
    pub(crate) fn weak(&self) -> Weak<RefCell<Inner>> {
        self.me.clone()
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        // The app dropped its object: nothing will ever answer these calls.
        if self.state != State::Closed {
            self.shut("the client object was freed");
        }
    }
}

/// The result of a browser method as raw JSON, refusing NaN and Infinity.
pub(crate) fn encode_result(value: &JsValue) -> jrpc_shared::HandlerResult {
    match crate::js::stringify(value) {
        Ok(text) => RawValue::from_string(text.unwrap_or_else(|| "null".to_owned()))
            .map_err(jrpc_shared::ErrorObject::internal_error),
        Err(e) => Err(jrpc_shared::ErrorObject::internal_error(format_args!(
            "the method's result cannot be sent as JSON: {}",
            e.dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
                .or_else(|| e.as_string())
                .unwrap_or_default()
        ))),
    }
}
