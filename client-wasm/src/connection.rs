//! One client's state, as it is kept behind the client's `RefCell`: the
//! connection's life (state, socket, retries, timers), the listeners, and
//! the two books: the app's calls ([`Outgoing`]) and the server's ([`Incoming`]).
//!
//! Everything here runs while the client is borrowed, so nothing here calls
//! app code: what must reach the app (listeners to call, browser methods to
//! run) is returned for the client to do once the borrow is released.
//! Resolving or rejecting a promise is fine: its handlers run later.

use std::cell::RefCell;
use std::rc::Rc;

use jrpc_shared::{CallToken, HandlerResult, Methods, code};
use js_sys::Function;
use wasm_bindgen::prelude::*;

use crate::error;
use crate::events::{self, Listeners};
use crate::incoming::{Incoming, Started};
use crate::js::Timer;
use crate::options::Config;
use crate::outgoing::Outgoing;
use crate::socket::Socket;

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

/// What a dropped connection means for the app.
pub(crate) struct Dropped {
    /// The `close` event and its listeners.
    pub(crate) listeners: Vec<Function>,
    pub(crate) event: JsValue,
    /// The delay before the next attempt and its `reconnecting` event, unless
    /// the client gave up (and is now closed).
    pub(crate) reconnect: Option<(f64, JsValue)>,
}

pub(crate) struct Connection {
    config: Config,
    state: State,
    socket: Option<Socket>,
    calls: Outgoing,
    incoming: Incoming,
    listeners: Listeners,
    ready: Option<(Function, Function)>,
    attempt: u32,
    reconnect_timer: Option<Timer>,
    /// The one timer for the calls' timeouts (see `deadlines.rs`).
    deadline_timer: Option<Timer>,
    /// When the current connection opened (`Date.now()`), to tell a stable
    /// connection (which resets the retry count) from one that flaps.
    opened_at: Option<f64>,
    /// The client keeps itself alive until it is closed, like a browser
    /// WebSocket: an app that drops its reference (but registered methods the
    /// server calls) must not lose the connection at garbage collection.
    keep_alive: Option<Rc<RefCell<Connection>>>,
}

impl Connection {
    /// A connection not yet started; `ready` settles on the first open.
    pub(crate) fn new(config: Config, ready: (Function, Function)) -> Connection {
        Connection {
            calls: Outgoing::new(config.max_queued),
            incoming: Incoming::new(config.max_in_flight),
            config,
            state: State::Connecting,
            socket: None,
            listeners: Listeners::default(),
            ready: Some(ready),
            attempt: 0,
            reconnect_timer: None,
            deadline_timer: None,
            opened_at: None,
            keep_alive: None,
        }
    }

    pub(crate) fn state(&self) -> State {
        self.state
    }

    pub(crate) fn config(&self) -> &Config {
        &self.config
    }

    pub(crate) fn methods(&mut self) -> &mut Methods<Function> {
        self.incoming.methods()
    }

    pub(crate) fn listeners(&mut self) -> &mut Listeners {
        &mut self.listeners
    }

    /// The listeners to call for `kind`, copied to run after the borrow.
    pub(crate) fn listeners_of(&self, kind: &str) -> Vec<Function> {
        self.listeners.of(kind)
    }

    pub(crate) fn set_socket(&mut self, socket: Socket) {
        self.socket = Some(socket);
    }

    pub(crate) fn keep_alive(&mut self, me: Rc<RefCell<Connection>>) {
        self.keep_alive = Some(me);
    }

    pub(crate) fn set_reconnect_timer(&mut self, timer: Option<Timer>) {
        self.reconnect_timer = timer;
    }

    pub(crate) fn set_deadline_timer(&mut self, timer: Option<Timer>) {
        self.deadline_timer = timer;
    }

    /// The book of the app's calls, and the socket to send on if it is open.
    pub(crate) fn calls(&mut self) -> (&mut Outgoing, Option<&Socket>) {
        let socket = self.socket.as_ref().filter(|_| self.state == State::Open);
        (&mut self.calls, socket)
    }

    /// The socket opened: sends the queue, settles `ready`; the `open` listeners.
    pub(crate) fn opened(&mut self) -> Vec<Function> {
        self.state = State::Open;
        self.opened_at = Some(js_sys::Date::now());
        if let Some(socket) = &self.socket {
            self.calls.flush(socket);
        }
        if let Some((resolve, _)) = self.ready.take() {
            drop(resolve.call0(&JsValue::UNDEFINED));
        }
        self.listeners.of("open")
    }

    /// A text frame arrived: the browser methods to run, on connection `.1`.
    pub(crate) fn received(&mut self, text: &str) -> (Vec<Started>, u64) {
        self.incoming
            .received(text, &mut self.calls, self.socket.as_ref())
    }

    /// A binary frame arrived: answers it as the engine says.
    pub(crate) fn received_binary(&mut self) {
        self.incoming.received_binary(self.socket.as_ref());
    }

    /// A browser method finished: answers the server if it still waits.
    pub(crate) fn complete(&mut self, token: CallToken, result: HandlerResult, generation: u64) {
        self.incoming
            .complete(token, result, generation, self.socket.as_ref());
    }

    /// The socket closed: fails the calls it carried and either plans the
    /// next attempt (`random` in `[0, 1)` for the jitter) or gives up.
    pub(crate) fn dropped(
        &mut self,
        code: u16,
        reason: String,
        was_clean: bool,
        random: f64,
    ) -> Dropped {
        self.socket = None;
        self.incoming.reset();
        let never_opened = self.state != State::Open;
        // Only a connection that stayed up resets the retry count: one the
        // server closes right away (refused auth, full) must not retry forever.
        if self
            .opened_at
            .take()
            .is_some_and(|t| js_sys::Date::now() - t >= STABLE_CONNECTION_MS)
        {
            self.attempt = 0;
        }
        self.calls.lost();
        let next = self
            .config
            .reconnect
            .clone()
            .filter(|b| b.allows(self.attempt));
        let event = close_event(code, &reason, was_clean, next.is_some());
        let reconnect = match next {
            Some(backoff) => {
                let delay = backoff.delay_ms(self.attempt, random);
                self.attempt += 1;
                self.state = State::Reconnecting;
                let fields = [("attempt", self.attempt.into()), ("delayMs", delay.into())];
                Some((delay, events::event("reconnecting", &fields)))
            }
            None => {
                let why = if never_opened && self.config.reconnect.is_none() {
                    "could not connect"
                } else {
                    "the connection closed and reconnecting gave up"
                };
                self.shut(why);
                None
            }
        };
        Dropped {
            listeners: self.listeners.of("close"),
            event,
            reconnect,
        }
    }

    /// Closes for good unless already closed; the `close` listeners to call.
    pub(crate) fn close(&mut self, why: &str) -> Option<Vec<Function>> {
        if self.state == State::Closed {
            return None;
        }
        self.shut(why);
        Some(self.listeners.of("close"))
    }

    /// Ends the client for good: state closed, socket and timers gone, every
    /// waiting call and `ready` rejected.
    fn shut(&mut self, why: &str) {
        self.state = State::Closed;
        // Every caller holds its own handle to the client, so this is never
        // the last reference while `self` is borrowed.
        self.keep_alive = None;
        self.reconnect_timer = None;
        self.deadline_timer = None;
        self.socket = None;
        let error = error::local(
            code::CONNECTION_CLOSED,
            &format!("connection closed: {why}"),
        );
        self.calls.close(&error);
        if let Some((_, reject)) = self.ready.take() {
            drop(reject.call1(&JsValue::UNDEFINED, &error));
        }
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        // The app dropped its object: nothing will ever answer these calls.
        if self.state != State::Closed {
            self.shut("the client object was freed");
        }
    }
}

/// A `close` event.
pub(crate) fn close_event(
    code: u16,
    reason: &str,
    was_clean: bool,
    will_reconnect: bool,
) -> JsValue {
    events::event(
        "close",
        &[
            ("code", code.into()),
            ("reason", reason.into()),
            ("wasClean", was_clean.into()),
            ("willReconnect", will_reconnect.into()),
        ],
    )
}
