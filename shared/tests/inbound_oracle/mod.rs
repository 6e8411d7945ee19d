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
    Action, CallToken, ErrorObject, HandlerResult, Inbound, Methods, Outbound, RawBuf,
};
use serde::Deserialize;
use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

pub use json_oracle::serde_accepts;

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

// ---------------------------------------------------------------------------
// Reading JSON with serde_json.

/// A member name as serde_json decodes it; `None` when the decoded bytes are
/// not UTF-8 (a lone surrogate escape), which no Rust string holds.
struct Name(Option<String>);

impl<'de> Deserialize<'de> for Name {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Name;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a member name")
            }
            fn visit_bytes<E>(self, v: &[u8]) -> Result<Name, E> {
                Ok(Name(String::from_utf8(v.to_vec()).ok()))
            }
            fn visit_str<E>(self, v: &str) -> Result<Name, E> {
                Ok(Name(Some(v.to_owned())))
            }
        }
        // Bytes: serde_json then decodes escapes without refusing lone surrogates.
        d.deserialize_bytes(V)
    }
}

/// An object's members in order, duplicates kept, values as exact text.
struct Object<'a>(Vec<(Option<String>, &'a str)>);

impl<'de> Deserialize<'de> for Object<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Object<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Object<'de>, A::Error> {
                let mut members = Vec::new();
                while let Some(Name(name)) = map.next_key()? {
                    let value: &'de RawValue = map.next_value()?;
                    members.push((name, value.get()));
                }
                Ok(Object(members))
            }
        }
        d.deserialize_map(V)
    }
}

/// The members of the object `raw`; `None` if it is not an object.
fn object(raw: &str) -> Option<Vec<(Option<String>, &str)>> {
    serde_json::from_str::<Object<'_>>(raw).ok().map(|o| o.0)
}

/// The elements of the array `raw`; `None` if it is not an array.
fn array(raw: &str) -> Option<Vec<&str>> {
    let elements: Vec<&RawValue> = serde_json::from_str(raw).ok()?;
    Some(elements.into_iter().map(RawValue::get).collect())
}

/// The value of the JSON string `raw`; `None` for any other value, or for a
/// string with a lone surrogate.
fn string(raw: &str) -> Option<String> {
    serde_json::from_str(raw).ok()
}

/// What JSON-RPC allows as an id: a string, a number or null.
fn is_id(raw: &str) -> bool {
    matches!(
        raw.as_bytes().first(),
        Some(b'"' | b'-' | b'0'..=b'9' | b'n')
    )
}

/// The id as one of this side's own (an unsigned integer written plainly, as
/// `Outbound` writes them); `None` for any other id.
fn own_id(raw: &str) -> Option<u64> {
    if raw.starts_with('-') {
        return None;
    }
    // serde_json reads `1.0`, `1e2` and integers past u64 as floats, which
    // `u64` refuses.
    serde_json::from_str(raw).ok()
}

// ---------------------------------------------------------------------------
// The rules: what each frame and message is.

/// What a frame is, read by serde_json.
#[derive(Debug)]
pub enum Frame<'a> {
    /// Not JSON (or nested deeper than `MAX_DEPTH`).
    NotJson,
    /// `[]`.
    Empty,
    Single(Msg<'a>),
    /// A non-empty batch (of any length: the engine's limit applies later).
    Batch(Vec<Msg<'a>>),
}

/// One message.
#[derive(Clone, Debug)]
pub enum Msg<'a> {
    /// Answered with -32600 under this id (`null` when it has none usable).
    Invalid(&'a str),
    /// A response that nobody can be told about (no id, or neither result
    /// nor error): dropped.
    Ignored,
    Response {
        id: &'a str,
        outcome: Want<'a>,
    },
    Call {
        method: String,
        params: Option<&'a str>,
        id: Option<&'a str>,
    },
}

/// The outcome a settled call must get.
#[derive(Clone, Debug)]
pub enum Want<'a> {
    Ok(&'a str),
    Err {
        code: i64,
        message: String,
        data: Option<&'a str>,
    },
    /// A malformed error object: -32603 with the object as data.
    Malformed(&'a str),
}

pub fn frame(text: &str) -> Frame<'_> {
    if !serde_accepts(text) {
        return Frame::NotJson;
    }
    let top: &RawValue = serde_json::from_str(text).unwrap();
    let top = top.get();
    if !top.starts_with('[') {
        return Frame::Single(classify(top));
    }
    let elements = array(top).unwrap();
    if elements.is_empty() {
        Frame::Empty
    } else {
        Frame::Batch(elements.into_iter().map(classify).collect())
    }
}

/// The members JSON-RPC gives a meaning; any other member is ignored.
const NAMED: [&str; 6] = ["jsonrpc", "method", "params", "id", "result", "error"];

/// One message by JSON-RPC 2.0's rules, as the engine applies them:
///
/// - not an object, or one of the named members twice: invalid, id `null`;
/// - no `method` and a `result` or an `error`: a response. Without an `id`
///   it is dropped; an `error` other than `null` wins over `result`; with
///   neither (`"error":null` alone) it is dropped. `jsonrpc` is not checked;
/// - anything else must be a request: an `id` other than a string, number
///   or null is invalid with id `null`; then `"jsonrpc":"2.0"`, a string
///   `method`, no `result` or `error`, and `params` absent, an array or an
///   object, or it is invalid under its own id. An absent `id` makes a
///   notification, `"id":null` a request.
pub fn classify(raw: &str) -> Msg<'_> {
    let Some(members) = object(raw) else {
        return Msg::Invalid("null");
    };
    let mut found: [Option<&str>; 6] = [None; 6];
    for (name, value) in members {
        let Some(slot) = NAMED.iter().position(|n| name.as_deref() == Some(*n)) else {
            continue;
        };
        if found[slot].replace(value).is_some() {
            return Msg::Invalid("null");
        }
    }
    let [jsonrpc, method, params, id, result, error] = found;
    if method.is_none() && (result.is_some() || error.is_some()) {
        let Some(id) = id else {
            return Msg::Ignored;
        };
        let outcome = match (error.filter(|e| *e != "null"), result) {
            (Some(error), _) => peer_error(error),
            (None, Some(result)) => Want::Ok(result),
            (None, None) => return Msg::Ignored,
        };
        return Msg::Response { id, outcome };
    }
    if id.is_some_and(|id| !is_id(id)) {
        return Msg::Invalid("null");
    }
    let reply_id = id.unwrap_or("null");
    if jsonrpc.and_then(string).as_deref() != Some("2.0") {
        return Msg::Invalid(reply_id);
    }
    let Some(method) = method.and_then(string) else {
        return Msg::Invalid(reply_id);
    };
    if result.is_some() || error.is_some() {
        return Msg::Invalid(reply_id);
    }
    if params.is_some_and(|p| !p.starts_with(['[', '{'])) {
        return Msg::Invalid(reply_id);
    }
    Msg::Call { method, params, id }
}

/// A peer's error object: an integer `code` (i64), a string `message`, an
/// optional `data` (`null` is none), once each; other members ignored.
fn peer_error(raw: &str) -> Want<'_> {
    let Some(members) = object(raw) else {
        return Want::Malformed(raw);
    };
    let (mut code, mut message, mut data) = (None, None, None);
    for (name, value) in members {
        let slot = match name.as_deref() {
            Some("code") => &mut code,
            Some("message") => &mut message,
            Some("data") => &mut data,
            _ => continue,
        };
        if slot.replace(value).is_some() {
            return Want::Malformed(raw);
        }
    }
    let code = code.and_then(|c| serde_json::from_str::<i64>(c).ok());
    match (code, message.and_then(string)) {
        (Some(code), Some(message)) => Want::Err {
            code,
            message,
            data: data.filter(|d| *d != "null"),
        },
        _ => Want::Malformed(raw),
    }
}

/// The id a `$/cancelRequest`'s params name: `{"id": ID}` (other members
/// ignored, `id` once) or `[ID]`; ID a string, number or null.
fn cancel_target(params: &str) -> Option<&str> {
    let target = if params.starts_with('[') {
        let elements = array(params)?;
        let [only] = elements.as_slice() else {
            return None;
        };
        *only
    } else {
        let ids: Vec<&str> = object(params)?
            .into_iter()
            .filter(|(name, _)| name.as_deref() == Some("id"))
            .map(|(_, value)| value)
            .collect();
        let [only] = ids.as_slice() else {
            return None;
        };
        *only
    };
    is_id(target).then_some(target)
}

// ---------------------------------------------------------------------------
// What the engine sends, read back.

/// A response's result (exact text) or error.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Body {
    Result(String),
    Error {
        code: i64,
        message: String,
        data: Option<String>,
    },
}

/// One response: its id's exact text and its body.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Resp {
    pub id: String,
    pub body: Body,
}

/// One text sent: a response, or a batch reply (its responses sorted, since
/// a batch reply may list them in any order).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Sent {
    One(Resp),
    Batch(Vec<Resp>),
}

fn error(code: i64, message: impl Into<String>) -> Body {
    Body::Error {
        code,
        message: message.into(),
        data: None,
    }
}

fn resp(id: &str, body: Body) -> Resp {
    Resp {
        id: id.to_owned(),
        body,
    }
}

/// A text the engine sent, which must be a response or a non-empty array of them.
pub fn read_sent(text: &str) -> Sent {
    assert!(
        serde_accepts(text),
        "the engine sent invalid JSON: {text:?}"
    );
    if !text.starts_with('[') {
        return Sent::One(read_resp(text));
    }
    let mut answers: Vec<Resp> = array(text).unwrap().into_iter().map(read_resp).collect();
    assert!(!answers.is_empty(), "the engine sent an empty batch reply");
    answers.sort();
    Sent::Batch(answers)
}

fn read_resp(raw: &str) -> Resp {
    let members =
        object(raw).unwrap_or_else(|| panic!("the engine sent a non-object response: {raw}"));
    let (mut jsonrpc, mut id, mut result, mut err) = (None, None, None, None);
    for (name, value) in members {
        let slot = match name.as_deref() {
            Some("jsonrpc") => &mut jsonrpc,
            Some("id") => &mut id,
            Some("result") => &mut result,
            Some("error") => &mut err,
            _ => panic!("member {name:?} in the response {raw}"),
        };
        assert!(slot.replace(value).is_none(), "a member twice in {raw}");
    }
    assert_eq!(jsonrpc, Some(r#""2.0""#), "jsonrpc of {raw}");
    let id = id.unwrap_or_else(|| panic!("no id in the response {raw}"));
    assert!(is_id(id), "the id of {raw}");
    let body = match (result, err) {
        (Some(result), None) => Body::Result(result.to_owned()),
        (None, Some(err)) => read_error(err),
        _ => panic!("a response needs a result xor an error: {raw}"),
    };
    resp(id, body)
}

fn read_error(raw: &str) -> Body {
    let members = object(raw).unwrap_or_else(|| panic!("an error that is not an object: {raw}"));
    let (mut code, mut message, mut data) = (None, None, None);
    for (name, value) in members {
        let slot = match name.as_deref() {
            Some("code") => &mut code,
            Some("message") => &mut message,
            Some("data") => &mut data,
            _ => panic!("member {name:?} in the error object {raw}"),
        };
        assert!(slot.replace(value).is_none(), "a member twice in {raw}");
    }
    Body::Error {
        code: code
            .and_then(|c| serde_json::from_str(c).ok())
            .unwrap_or_else(|| panic!("no integer code in {raw}")),
        message: message
            .and_then(string)
            .unwrap_or_else(|| panic!("no string message in {raw}")),
        data: data.map(str::to_owned),
    }
}

// ---------------------------------------------------------------------------
// The model: what the engine must do.

struct Req {
    /// The id's exact text.
    id: String,
    batch: Option<usize>,
    alive: bool,
    /// The engine's token for it, once the engine asked to run it.
    token: Option<CallToken>,
}

struct Batch {
    /// 1 while its elements are read, plus its requests still running.
    waiting: usize,
    answers: Vec<Resp>,
    done: bool,
}

struct Model {
    config: Config,
    /// Every request run so far, in order (the index is its ordinal).
    reqs: Vec<Req>,
    batches: Vec<Batch>,
    refusal: bool,
    /// This side's calls still pending.
    pending: Vec<u64>,
    /// Which request a cancel reaches under each id (see `Model::cancel`).
    index: Option<HashMap<String, usize>>,
}

/// What one frame must make the engine do, by kind, each in order.
#[derive(Debug, Default)]
struct Expected<'a> {
    /// Method, params text, and the request's ordinal (`None`: a notification).
    calls: Vec<(String, Option<&'a str>, Option<usize>)>,
    settles: Vec<(u64, Want<'a>)>,
    /// Ordinals of the requests aborted.
    aborts: Vec<usize>,
    replies: Vec<Sent>,
}

impl Model {
    /// A batch longer than the engine accepts (`with_max_batch_len` makes 0 into 1).
    fn too_long(&self, msgs: &[Msg<'_>]) -> bool {
        msgs.len() > self.config.max_batch_len.max(1)
    }

    fn new(config: Config) -> Self {
        Model {
            config,
            reqs: Vec::new(),
            batches: Vec::new(),
            refusal: false,
            pending: Vec::new(),
            index: None,
        }
    }

    fn in_flight(&self) -> usize {
        self.reqs.iter().filter(|r| r.alive).count()
    }

    fn frame<'a>(&mut self, frame: &Frame<'a>, want: &mut Expected<'a>) {
        let null = |body| want_one("null", body);
        match frame {
            Frame::NotJson => want.replies.push(null(error(-32700, "Parse error"))),
            Frame::Empty => want.replies.push(null(invalid_request())),
            Frame::Batch(msgs) if self.too_long(msgs) => want.replies.push(null(error(
                -32600,
                format!(
                    "Invalid Request: a batch may hold at most {} messages, this one holds {}",
                    self.config.max_batch_len,
                    msgs.len()
                ),
            ))),
            Frame::Single(msg) => {
                let mut out = Vec::new();
                self.item(msg, None, &mut out, want);
                assert!(out.len() <= 1);
                want.replies.extend(out.pop().map(Sent::One));
            }
            Frame::Batch(msgs) => {
                let b = self.batches.len();
                self.batches.push(Batch {
                    waiting: 1,
                    answers: Vec::new(),
                    done: false,
                });
                for msg in msgs {
                    let mut out = Vec::new();
                    self.item(msg, Some(b), &mut out, want);
                    self.batches[b].answers.extend(out);
                }
                self.batches[b].waiting -= 1;
                want.replies.extend(self.finish_batch(b));
            }
        }
    }

    /// The engine's message handling, in order: a `$/cancelRequest` (run
    /// even when refusing), the refusal, an unknown method (-32601), the
    /// in-flight limit (-32000), and the call. Notifications get no answer.
    fn item<'a>(
        &mut self,
        msg: &Msg<'a>,
        batch: Option<usize>,
        out: &mut Vec<Resp>,
        want: &mut Expected<'a>,
    ) {
        match msg {
            Msg::Invalid(id) => out.push(resp(id, invalid_request())),
            Msg::Ignored => {}
            Msg::Response { id, outcome } => {
                if let Some(own) = own_id(id) {
                    want.settles.push((own, outcome.clone()));
                }
            }
            Msg::Call { method, params, id } if method == "$/cancelRequest" => {
                self.cancel(*params, want);
                if let Some(id) = id {
                    out.push(resp(id, Body::Result("null".to_owned())));
                }
            }
            Msg::Call { id, .. } if self.refusal => {
                if let Some(id) = id {
                    out.push(resp(id, error(REFUSAL_CODE, REFUSAL_MESSAGE)));
                }
            }
            Msg::Call { method, id, .. } if !METHODS.contains(&method.as_str()) => {
                if let Some(id) = id {
                    out.push(resp(id, error(-32601, "Method not found")));
                }
            }
            Msg::Call { method, params, id } => match id {
                None => want.calls.push((method.clone(), *params, None)),
                Some(id) if self.in_flight() >= self.config.max_in_flight => out.push(resp(
                    id,
                    error(
                        -32000,
                        format!(
                            "Server busy: more than {} calls in flight on this connection",
                            self.config.max_in_flight
                        ),
                    ),
                )),
                Some(id) => {
                    let ordinal = self.reqs.len();
                    self.reqs.push(Req {
                        id: (*id).to_owned(),
                        batch,
                        alive: true,
                        token: None,
                    });
                    if let Some(b) = batch {
                        self.batches[b].waiting += 1;
                    }
                    if let Some(index) = &mut self.index {
                        index.insert((*id).to_owned(), ordinal);
                    }
                    want.calls.push((method.clone(), *params, Some(ordinal)));
                }
            },
        }
    }

    /// A cancel reaches the request in flight under the id (byte for byte);
    /// of two in flight under one id, the later (the engine's documented
    /// rule). It is answered -32800 and its handler aborted; a cancel that
    /// reaches nothing is ignored.
    ///
    /// Which request that is follows the engine's index, built at the first
    /// cancel: the latest request under each id in flight then, or
    /// registered since; it forgets an id when that request is answered.
    /// So once the later of two requests under one id is answered, the
    /// earlier one (still in flight) can no longer be cancelled. Reported
    /// as a gap, not fixed: `by_id` would have to keep every token of an id.
    fn cancel<'a>(&mut self, params: Option<&'a str>, want: &mut Expected<'a>) {
        let Some(target) = params.and_then(cancel_target) else {
            return;
        };
        let reqs = &self.reqs;
        let index = self.index.get_or_insert_with(|| {
            let mut index = HashMap::new();
            // In order, so the later of two under one id wins.
            for (ordinal, r) in reqs.iter().enumerate().filter(|(_, r)| r.alive) {
                index.insert(r.id.clone(), ordinal);
            }
            index
        });
        let Some(&ordinal) = index.get(target) else {
            return;
        };
        want.replies
            .extend(self.complete(ordinal, error(-32800, "Request cancelled")));
        want.aborts.push(ordinal);
    }

    /// The answer of request `ordinal`: sent alone, or into its batch reply,
    /// which goes out with its last answer.
    fn complete(&mut self, ordinal: usize, body: Body) -> Option<Sent> {
        let req = &mut self.reqs[ordinal];
        assert!(req.alive, "model: completed twice");
        req.alive = false;
        if let Some(index) = &mut self.index {
            if index.get(&req.id) == Some(&ordinal) {
                index.remove(&req.id);
            }
        }
        let answer = resp(&req.id, body);
        let Some(b) = req.batch else {
            return Some(Sent::One(answer));
        };
        self.batches[b].answers.push(answer);
        self.batches[b].waiting -= 1;
        self.finish_batch(b)
    }

    /// A batch reply once nothing in it is waiting; none for a batch of
    /// notifications (and responses).
    fn finish_batch(&mut self, b: usize) -> Option<Sent> {
        let batch = &mut self.batches[b];
        if batch.waiting > 0 || batch.done {
            return None;
        }
        batch.done = true;
        let mut answers = std::mem::take(&mut batch.answers);
        answers.sort();
        (!answers.is_empty()).then_some(Sent::Batch(answers))
    }

    /// A frame over the size limit: -32001 to a request (under its id), to
    /// invalid JSON, an empty or over-long batch, or a batch holding a
    /// request or an invalid message (once, id `null`); its responses settle
    /// with -32001; nothing runs.
    fn refuse<'a>(&self, frame: &Frame<'a>, len: usize, want: &mut Expected<'a>) {
        let message = format!(
            "Message too large: {len} bytes, the limit is {} bytes",
            self.config.max_message_size
        );
        let settle = |msg: &Msg<'a>, want: &mut Expected<'a>| {
            if let Msg::Response { id, .. } = msg {
                if let Some(own) = own_id(id) {
                    let outcome = Want::Err {
                        code: -32001,
                        message: message.clone(),
                        data: None,
                    };
                    want.settles.push((own, outcome));
                }
            }
        };
        let answer = match frame {
            Frame::NotJson | Frame::Empty => Some("null"),
            Frame::Batch(msgs) if self.too_long(msgs) => Some("null"),
            Frame::Single(Msg::Call { id: Some(id), .. } | Msg::Invalid(id)) => Some(*id),
            Frame::Single(msg) => {
                settle(msg, want);
                None
            }
            Frame::Batch(msgs) => {
                msgs.iter().for_each(|m| settle(m, want));
                msgs.iter()
                    .any(|m| matches!(m, Msg::Call { id: Some(_), .. } | Msg::Invalid(_)))
                    .then_some("null")
            }
        };
        if let Some(id) = answer {
            want.replies
                .push(want_one(id, error(-32001, message.clone())));
        }
    }
}

fn want_one(id: &str, body: Body) -> Sent {
    Sent::One(resp(id, body))
}

fn invalid_request() -> Body {
    error(-32600, "Invalid Request")
}

/// What the handler of request `ordinal` answers (to the engine), and the
/// body its response must have.
fn outcome_for(ordinal: usize) -> (HandlerResult, Body) {
    match ordinal % 3 {
        0 => {
            let text = ordinal.to_string();
            (Ok(RawBuf::from_trusted(text.clone())), Body::Result(text))
        }
        1 => {
            let raw = RawBuf::string(&format!("r{ordinal} \"q\"\n\u{1}é"));
            let text = raw.get().to_owned();
            (Ok(raw), Body::Result(text))
        }
        _ => {
            let code = -(ordinal as i64) - 1;
            let message = format!("failed \"{ordinal}\"");
            let data = format!("[{ordinal}]");
            let error = ErrorObject::new(code, message.clone())
                .with_data_raw(RawBuf::from_trusted(data.clone()));
            let body = Body::Error {
                code,
                message,
                data: Some(data),
            };
            (Err(error), body)
        }
    }
}

// ---------------------------------------------------------------------------
// Driving the engine and comparing.

/// Gives `text` to the engine and checks what it does against the model;
/// returns the bytes sent and the number of actions.
fn step(
    inbound: &mut Inbound,
    model: &mut Model,
    methods: &Methods<usize>,
    outbound: &mut Outbound<u64>,
    text: &str,
    frame: &Frame<'_>,
) -> (usize, usize) {
    let mut actions = Vec::new();
    inbound.receive(text, methods, &mut actions);
    let n_actions = actions.len();

    let oversize = text.len() > model.config.max_message_size;
    let mut want = Expected::default();
    if oversize {
        model.refuse(frame, text.len(), &mut want);
    } else {
        model.frame(frame, &mut want);
    }
    let ctx = || format!("input {text:?}, {:?}, frame {frame:?}", model.config);

    let mut calls = Vec::new();
    let mut settles = Vec::new();
    let mut aborts = Vec::new();
    let mut replies = Vec::new();
    let mut sent = 0;
    for action in actions {
        match action {
            Action::Call {
                handler,
                method,
                params,
                token,
            } => {
                assert_eq!(
                    METHODS.get(*handler),
                    Some(&&*method),
                    "handler of {method}"
                );
                calls.push((method.into_owned(), params.map(|p| p.get()), token));
            }
            Action::Settle { id, outcome } => settles.push((id, outcome)),
            Action::Abort(token) => aborts.push(token),
            Action::Reply(reply) => {
                sent += reply.len();
                replies.push(read_sent(&reply));
            }
        }
    }

    // -32700 exactly for what serde_json refuses, within the size limit.
    let parse_error = replies.iter().any(|r| {
        matches!(
            r,
            Sent::One(Resp {
                body: Body::Error { code: -32700, .. },
                ..
            })
        )
    });
    assert_eq!(
        parse_error,
        !oversize && matches!(frame, Frame::NotJson),
        "-32700 must answer exactly the invalid JSON: {}",
        ctx()
    );

    assert_eq!(replies, want.replies, "replies: {}", ctx());

    let got_calls: Vec<_> = calls
        .iter()
        .map(|(m, p, t)| (m.as_str(), *p, t.is_some()))
        .collect();
    let want_calls: Vec<_> = want
        .calls
        .iter()
        .map(|(m, p, o)| (m.as_str(), *p, o.is_some()))
        .collect();
    assert_eq!(got_calls, want_calls, "handlers run: {}", ctx());
    for ((_, _, token), (_, _, ordinal)) in calls.iter().zip(&want.calls) {
        if let (Some(token), Some(ordinal)) = (token, ordinal) {
            assert!(
                model.reqs.iter().all(|r| r.token != Some(*token)),
                "a token given twice: {}",
                ctx()
            );
            model.reqs[*ordinal].token = Some(*token);
        }
    }

    let got_aborts: Vec<Option<usize>> = aborts
        .iter()
        .map(|t| model.reqs.iter().position(|r| r.token == Some(*t)))
        .collect();
    let want_aborts: Vec<Option<usize>> = want.aborts.iter().map(|o| Some(*o)).collect();
    assert_eq!(
        got_aborts,
        want_aborts,
        "aborted (by ordinal; ids {:?}): {}",
        model.reqs.iter().map(|r| &r.id).collect::<Vec<_>>(),
        ctx()
    );

    assert_eq!(
        settles.len(),
        want.settles.len(),
        "settled: {settles:?}: {}",
        ctx()
    );
    for ((id, outcome), (want_id, want_outcome)) in settles.iter().zip(&want.settles) {
        assert_eq!(id, want_id, "settled: {}", ctx());
        let agrees = match (outcome, want_outcome) {
            (Ok(raw), Want::Ok(want)) => raw.get() == *want,
            (
                Err(e),
                Want::Err {
                    code,
                    message,
                    data,
                },
            ) => e.code == *code && e.message == *message && e.data_json() == *data,
            (Err(e), Want::Malformed(raw)) => {
                e.code == -32603
                    && e.message
                        .starts_with("Internal error: the peer sent a malformed error object: ")
                    && e.data_json() == Some(*raw)
            }
            _ => false,
        };
        assert!(
            agrees,
            "settled {id} with {outcome:?}, want {want_outcome:?}: {}",
            ctx()
        );
        // The first response for a pending call finds it, a later one nothing.
        let was_pending = model.pending.iter().position(|p| p == id);
        assert_eq!(
            outbound.take(*id).is_some(),
            was_pending.is_some(),
            "{}",
            ctx()
        );
        if let Some(at) = was_pending {
            model.pending.remove(at);
        }
    }
    (sent, n_actions)
}

/// Completes every request the engine ran, in order or in reverse, and
/// checks what each completion sends; returns the bytes sent.
fn finish(inbound: &mut Inbound, model: &mut Model, reverse: bool) -> usize {
    let mut order: Vec<usize> = (0..model.reqs.len()).collect();
    if reverse {
        order.reverse();
    }
    let mut sent = 0;
    for ordinal in order {
        let token = model.reqs[ordinal]
            .token
            .expect("the engine ran every request");
        let (result, body) = outcome_for(ordinal);
        let got = inbound.complete(token, result).map(|text| {
            sent += text.len();
            read_sent(&text)
        });
        let want = if model.reqs[ordinal].alive {
            model.complete(ordinal, body)
        } else {
            // Cancelled: answered already.
            None
        };
        assert_eq!(
            got, want,
            "completing request {ordinal} ({:?})",
            model.config
        );
        assert!(
            inbound.complete(token, Ok(RawBuf::null())).is_none(),
            "request {ordinal} answered twice"
        );
    }
    assert_eq!(inbound.in_flight(), 0, "requests left in flight");
    assert!(
        model.batches.iter().all(|b| b.done),
        "model: a batch never finished"
    );
    sent
}
