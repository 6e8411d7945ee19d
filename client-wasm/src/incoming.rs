//! The book of the server's calls to this page: the engine's inbound side
//! (dispatch, batches, cancel, in-flight limit) and the browser methods.
//!
//! It settles the app's calls that a frame answers (through [`Outgoing`]) and
//! returns the browser methods to run: running them is app code, which the
//! client does once its borrow is released.

use jrpc_shared::{Action, CallToken, HandlerResult, Inbound, Methods};
use js_sys::Function;

use crate::outgoing::Outgoing;
use crate::socket::Socket;

/// A browser method the server called: the function, its params as JSON
/// text, and the token to answer with (`None` for a notification).
pub(crate) type Started = (Function, Option<String>, Option<CallToken>);

pub(crate) struct Incoming {
    inbound: Inbound,
    max_in_flight: usize,
    methods: Methods<Function>,
    /// Counts connections: a browser method's answer is only sent on the
    /// connection its call came from (call tokens restart with each one).
    generation: u64,
}

impl Incoming {
    pub(crate) fn new(max_in_flight: usize) -> Incoming {
        Incoming {
            inbound: Inbound::new(max_in_flight),
            max_in_flight,
            methods: Methods::new(),
            generation: 0,
        }
    }

    pub(crate) fn methods(&mut self) -> &mut Methods<Function> {
        &mut self.methods
    }

    /// A text frame arrived: sends the replies, settles the answered calls;
    /// the browser methods to run, and the connection they belong to.
    pub(crate) fn received(
        &mut self,
        text: &str,
        calls: &mut Outgoing,
        socket: Option<&Socket>,
    ) -> (Vec<Started>, u64) {
        let mut actions = Vec::new();
        self.inbound.receive(text, &self.methods, &mut actions);
        let mut started = Vec::new();
        for action in actions {
            match action {
                Action::Reply(reply) => {
                    if let Some(socket) = socket {
                        socket.send(&reply);
                    }
                }
                Action::Settle { id, outcome } => calls.settle(id, outcome),
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
        (started, self.generation)
    }

    /// A binary frame arrived: sends the engine's answer to it.
    pub(crate) fn received_binary(&mut self, socket: Option<&Socket>) {
        let mut actions: Vec<Action<'_, '_, Function>> = Vec::new();
        self.inbound.receive_binary(&mut actions);
        for action in actions {
            if let (Action::Reply(reply), Some(socket)) = (action, socket) {
                socket.send(&reply);
            }
        }
    }

    /// Hands a browser method's result to the engine and sends the reply,
    /// unless the call came over an earlier connection (nobody waits for it).
    pub(crate) fn complete(
        &mut self,
        token: CallToken,
        result: HandlerResult,
        generation: u64,
        socket: Option<&Socket>,
    ) {
        if self.generation != generation {
            return;
        }
        if let (Some(reply), Some(socket)) = (self.inbound.complete(token, result), socket) {
            socket.send(&reply);
        }
    }

    /// The connection ended: answers to its requests must not go to the next one.
    pub(crate) fn reset(&mut self) {
        self.inbound = Inbound::new(self.max_in_flight);
        self.generation += 1;
    }
}
