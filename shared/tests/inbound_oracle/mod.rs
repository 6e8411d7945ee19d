//! An oracle for `Inbound::receive`, which holds the engine to JSON-RPC 2.0
//! as this crate implements it, on any input.
//!
//! Shared by the `inbound_receive` fuzz target (`shared/fuzz/`, which
//! includes this file by path) and `shared/tests/fuzz_corpus.rs`, which
//! replays the fuzz corpora, so both check exactly the same property.
//!
//! The oracle does not use the engine's parser: it reads every frame with
//! serde_json. It reads objects member by member, because a `serde_json::Value`
//! would drop duplicate members (which the engine refuses), and it keeps every
//! value as `RawValue` text, because a `Value` would lose the exact text of
//! ids (which must come back byte for byte) and would refuse what the engine
//! must accept (`1e400`, a lone `\ud800`). From that reading it predicts
//! everything the engine must do, in a small model of the engine's state (the
//! requests in flight, the batch replies being assembled), and compares:
//!
//! - the `-32700` answer comes exactly for text serde_json refuses (within
//!   [`jrpc_shared::json::MAX_DEPTH`]), and only within the size limit;
//!   a frame over it gets `-32001` (under its id, or `null` for a batch or
//!   invalid JSON), settles the responses in it and runs nothing;
//! - each message (the frame, or each batch element) is classified by the
//!   rules in `classify`; the handlers to run (method, params text,
//!   request or notification), the responses to settle (id, outcome), the
//!   handlers to abort and every reply written agree with the prediction;
//! - every text the engine sends is valid JSON, a response object with
//!   `"jsonrpc":"2.0"`, result xor error, and the request's id byte for byte;
//! - once every handler is completed each request has had exactly one
//!   response (a batch's in its one batch reply), and nothing is in flight;
//! - the output is bounded by the input's size.

#![allow(dead_code)] // Each includer uses its own part.
// Test support: a panic is how a disagreement is reported.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../json_oracle/mod.rs"]
pub mod json_oracle;

use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

use jrpc_shared::{
    Action, Answer, CallToken, Completion, ErrorObject, HandlerResult, Inbound, Methods, Outbound,
    RawBuf,
};
use serde::Deserialize;
use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

pub use json_oracle::serde_accepts;

mod drive;
mod model;
mod read;
mod rules;
mod sent;

use drive::*;
use model::*;
use read::*;
use rules::*;
use sent::*;

/// The methods every engine is given (a handler is its index here).
pub const METHODS: &[&str] = &[
    "slow",
    "sum",
    "subtract",
    "update",
    "notify_hello",
    "notify_sum",
    "get_data",
    "a",
    "é",
    "a\"b",
];

/// How one engine is set up before the input reaches it.
#[derive(Clone, Copy, Debug)]
pub struct Config {
    pub max_in_flight: usize,
    pub max_batch_len: usize,
    pub max_message_size: usize,
    /// Peer requests in flight ([`PRELOAD`]) and calls of its own pending.
    pub preload: bool,
    /// `refuse_new_calls` after the preload.
    pub refuse: bool,
    /// Complete the handlers last to first instead of first to last.
    pub reverse: bool,
}

/// Every input goes to one engine of each kind.
pub const CONFIGS: [Config; 4] = [
    // Fresh, default limits.
    Config {
        max_in_flight: 64,
        max_batch_len: jrpc_shared::DEFAULT_MAX_BATCH_LEN,
        max_message_size: jrpc_shared::DEFAULT_MAX_MESSAGE_SIZE,
        preload: false,
        refuse: false,
        reverse: false,
    },
    // Fresh, tight limits: busy answers, over-long batches, over-size frames.
    Config {
        max_in_flight: 2,
        max_batch_len: 4,
        max_message_size: 256,
        preload: false,
        refuse: false,
        reverse: true,
    },
    // Five peer requests in flight (ids 1 and "x" in a batch, 2 twice, null)
    // and this side's calls 1, 2 and 3 pending.
    Config {
        max_in_flight: 7,
        max_batch_len: jrpc_shared::DEFAULT_MAX_BATCH_LEN,
        max_message_size: jrpc_shared::DEFAULT_MAX_MESSAGE_SIZE,
        preload: true,
        refuse: false,
        reverse: false,
    },
    // The same, shutting down, with tight limits.
    Config {
        max_in_flight: 7,
        max_batch_len: 3,
        max_message_size: 128,
        preload: true,
        refuse: true,
        reverse: true,
    },
];

/// The frames a preloaded engine has received (and not answered yet): five
/// requests, with the ids of [`PRELOAD_IDS`], the first two in one batch.
pub const PRELOAD: &[&str] = &[
    r#"[{"jsonrpc":"2.0","method":"slow","id":1},{"jsonrpc":"2.0","method":"slow","id":"x"}]"#,
    r#"{"jsonrpc":"2.0","method":"slow","id":2}"#,
    r#"{"jsonrpc":"2.0","method":"slow","id":2}"#,
    r#"{"jsonrpc":"2.0","method":"slow","id":null}"#,
];

/// The ids of the requests in [`PRELOAD`], in order.
const PRELOAD_IDS: [&str; 5] = ["1", r#""x""#, "2", "2", "null"];

/// How many calls of its own a preloaded engine's side has pending (ids 1..=N).
const OWN_CALLS: u64 = 3;

const REFUSAL_CODE: i64 = -32050;
const REFUSAL_MESSAGE: &str = "Shutting down";

/// Checks everything about one input; panics on the first disagreement.
/// Text goes to an engine of each [`CONFIGS`]; bytes that are not UTF-8 are
/// a binary frame.
pub fn check(data: &[u8]) {
    match std::str::from_utf8(data) {
        Ok(text) => {
            // Read once: what the frame is does not depend on the engine.
            let frame = frame(text);
            for config in CONFIGS {
                run(config, text, &frame);
            }
        }
        Err(_) => binary(),
    }
}

fn methods() -> &'static Methods<usize> {
    static METHODS_TABLE: OnceLock<Methods<usize>> = OnceLock::new();
    METHODS_TABLE.get_or_init(|| {
        let mut m = Methods::new();
        for (i, name) in METHODS.iter().enumerate() {
            m.insert(name, i).unwrap();
        }
        m
    })
}

/// Gives the engine the [`PRELOAD`] frames, which must only start their
/// five calls, and the model their requests (without the oracle's reading,
/// which would cost more than the input's own on every input).
fn preload(inbound: &mut Inbound, model: &mut Model, methods: &Methods<usize>) {
    let mut tokens = Vec::new();
    for text in PRELOAD {
        let mut actions = Vec::new();
        inbound.receive(text, methods, &mut actions);
        for action in actions {
            match action {
                Action::Call {
                    method,
                    params: None,
                    token: Some(token),
                    ..
                } if method == "slow" => tokens.push(token),
                _ => panic!("the preload {text} must only start a call"),
            }
        }
    }
    assert_eq!(tokens.len(), PRELOAD_IDS.len(), "calls the preload started");
    model.batches.push(Batch {
        waiting: 2,
        answers: Vec::new(),
        done: false,
    });
    for (k, (id, token)) in PRELOAD_IDS.iter().zip(tokens).enumerate() {
        model.reqs.push(Req {
            id: (*id).to_owned(),
            batch: (k < 2).then_some(0),
            alive: true,
            token: Some(token),
        });
    }
}

fn binary() {
    let mut inbound = Inbound::new(4);
    let mut actions: Vec<Action<'_, '_, usize>> = Vec::new();
    inbound.receive_binary(&mut actions);
    let [Action::Reply(text)] = actions.as_slice() else {
        panic!("a binary frame must get exactly one reply")
    };
    let Sent::One(Resp {
        id,
        body: Body::Error { code, message, .. },
    }) = read_sent(text)
    else {
        panic!("a binary frame must get one error response: {text}")
    };
    assert_eq!((id.as_str(), code), ("null", -32700), "{text}");
    assert!(message.contains("binary"), "{text}");
}

/// One engine set up by `config`, given `text` (which `frame` read), then
/// every handler completed.
pub fn run(config: Config, text: &str, frame: &Frame<'_>) {
    let methods = methods();
    let mut inbound = Inbound::new(config.max_in_flight)
        .with_max_batch_len(config.max_batch_len)
        .with_max_message_size(config.max_message_size);
    let mut model = Model::new(config);
    let mut outbound: Outbound<u64> = Outbound::new();
    if config.preload {
        for k in 1..=OWN_CALLS {
            let (id, _) = outbound.request("peer.method", None, k).unwrap();
            assert_eq!(id, k);
            model.pending.push(id);
        }
        preload(&mut inbound, &mut model, methods);
        assert_eq!(
            inbound.in_flight(),
            5,
            "the preload left 5 requests in flight"
        );
        if config.refuse {
            inbound.refuse_new_calls(ErrorObject::new(REFUSAL_CODE, REFUSAL_MESSAGE));
            model.refusal = true;
        }
    }
    let (mut sent, actions) = step(
        &mut inbound,
        &mut model,
        methods,
        &mut outbound,
        text,
        frame,
    );
    sent += finish(&mut inbound, &mut model, config.reverse);
    // Bounded cost: what one frame makes the engine do and send grows at
    // most linearly with the frame (an element as short as `1,` gets an
    // 80-byte error; a request's reply carries its id once).
    assert!(
        sent <= 64 * text.len() + 4096,
        "{sent} bytes sent for a {}-byte frame ({config:?})",
        text.len()
    );
    assert!(
        actions <= text.len() + 8,
        "{actions} actions for a {}-byte frame ({config:?})",
        text.len()
    );
}
