//! A legacy frame from the peer, as JSON-RPC 2.0 for the engine.

use alloc::borrow::Cow;
use alloc::string::String;

use crate::members::{ARGS, ERROR, ID, JSONRPC, KWARGS, METHOD, Members, RESULT};
use crate::wire::push_str_literal;

use crate::{ErrorObject, Id, Raw, code, error_object::concat, error_response_text};

/// Why a call with both `args` and `kwargs` fails where the form that
/// carries both is left out (see the `mixed-params` feature).
#[cfg(not(feature = "mixed-params"))]
pub const NOT_BOTH: &str =
    "this peer takes positional (args) or named (kwargs) arguments, not both";

/// What to do with a frame from a legacy peer.
#[derive(Debug, PartialEq)]
pub enum Incoming<'a> {
    /// Hand this text to [`crate::Inbound::receive`]: the frame translated, or
    /// (when it is no legacy message at all) unchanged, so that the engine
    /// answers it with the usual error, which [`super::outgoing`] translates.
    Frame(Cow<'a, str>),
    /// Send this error response (JSON-RPC 2.0 text, to go through
    /// [`super::outgoing`] like every other): the call failed before it
    /// reached the engine (`args` that are not a list, say).
    Reply(String),
    /// Nothing: an invoke that failed before it reached the engine.
    Nothing,
}

/// Translates one frame from a legacy peer.
///
/// ```
/// use jrpc_shared::legacy::{incoming, Incoming};
/// let frame = r#"{"method": "Add", "args": ["5", "10"], "kwargs": {}, "id": 0}"#;
/// assert_eq!(
///     incoming(frame),
///     Incoming::Frame(r#"{"jsonrpc":"2.0","method":"Add","params":["5", "10"],"id":0}"#.into())
/// );
/// let response = r#"{"id": 1, "result": 15, "error": null}"#;
/// assert_eq!(
///     incoming(response),
///     Incoming::Frame(r#"{"jsonrpc":"2.0","result":15,"id":1}"#.into())
/// );
/// ```
pub fn incoming(frame: &str) -> Incoming<'_> {
    let unchanged = Incoming::Frame(Cow::Borrowed(frame));
    // A later duplicate wins, as in the original (Python's `json.loads`).
    let Some(m) = Members::of(frame) else {
        return unchanged;
    };
    // JSON-RPC 2.0 sent here all the same is the engine's to answer.
    if m.get(JSONRPC).is_some() {
        return unchanged;
    }
    match m.get(METHOD) {
        Some(method) if method.starts_with('"') => call(method, &m),
        // An invoke gets no answer, even to a method that is no name.
        Some(_) if present(m.get(ID)).is_none() => Incoming::Nothing,
        Some(_) => unchanged,
        None if m.get(RESULT).is_some() || m.get(ERROR).is_some() => {
            Incoming::Frame(response(&m).into())
        }
        None => unchanged,
    }
}

/// A request or invoke: `method` is a JSON string's text, quotes included.
fn call<'a>(method: &str, m: &Members<'_>) -> Incoming<'a> {
    let id = present(m.get(ID));
    let fail = |message: &str| match id {
        Some(id) => Incoming::Reply(error_response_text(
            &Id::from_raw(Raw::scanned(id)).unwrap_or_else(Id::null),
            &ErrorObject::new(code::INVALID_PARAMS, String::from(message)),
        )),
        None => Incoming::Nothing,
    };
    let args = present(m.get(ARGS));
    let kwargs = present(m.get(KWARGS));
    if args.is_some_and(|a| !a.starts_with('[')) {
        return fail("args must be a list");
    }
    if kwargs.is_some_and(|k| !k.starts_with('{')) {
        return fail("kwargs must be an object");
    }
    let args = args.filter(|a| !is_empty(a));
    let params = match (args, kwargs.filter(|k| !is_empty(k))) {
        (None, None) => present(m.get(ARGS)).map(Cow::Borrowed),
        (Some(args), None) => Some(Cow::Borrowed(args)),
        // In params, a key that reads as a position means one.
        #[cfg(feature = "mixed-params")]
        (None, Some(kwargs)) => match super::refuse_position_keys(kwargs) {
            Ok(()) => Some(Cow::Borrowed(kwargs)),
            Err(message) => return fail(&message),
        },
        #[cfg(feature = "mixed-params")]
        (Some(args), Some(kwargs)) => match super::mixed_params(args, kwargs) {
            Ok(params) => Some(Cow::Owned(params)),
            Err(message) => return fail(&message),
        },
        // Without the form that carries both (the browser's package), a
        // receiver that takes params as they come: named ones as an object.
        #[cfg(not(feature = "mixed-params"))]
        (None, Some(kwargs)) => Some(Cow::Borrowed(kwargs)),
        #[cfg(not(feature = "mixed-params"))]
        (Some(_), Some(_)) => return fail(NOT_BOTH),
    };
    let mut out = String::with_capacity(48 + method.len() + params.as_ref().map_or(0, |p| p.len()));
    out.push_str(r#"{"jsonrpc":"2.0","method":"#);
    out.push_str(method);
    if let Some(params) = params {
        out.push_str(r#","params":"#);
        out.push_str(&params);
    }
    if let Some(id) = id {
        out.push_str(r#","id":"#);
        out.push_str(id);
    }
    out.push('}');
    Incoming::Frame(Cow::Owned(out))
}

/// A response to one of this side's calls.
fn response(m: &Members<'_>) -> String {
    let id = m.get(ID).unwrap_or("null");
    // The original tested `if response.error:`, so any false value is no error.
    let Some(kind) = m.get(ERROR).filter(|e| !falsy(e)) else {
        return concat(&[
            r#"{"jsonrpc":"2.0","result":"#,
            m.get(RESULT).unwrap_or("null"),
            r#","id":"#,
            id,
            "}",
        ]);
    };
    // The message is the `result` when it is a string; anything else is
    // written out as its JSON text.
    let message = match present(m.get(RESULT)) {
        Some(text) if text.starts_with('"') => Cow::Borrowed(text),
        Some(text) => Cow::Owned(literal(text)),
        None => Cow::Owned(literal("")),
    };
    // `code::INTERNAL_ERROR`, written out (checked in the tests).
    concat(&[
        r#"{"jsonrpc":"2.0","error":{"code":-32603,"message":"#,
        &message,
        r#","data":{"type":"#,
        kind,
        "}},\"id\":",
        id,
        "}",
    ])
}

/// What Python counts as false: `null`, `false`, a zero, `""`, `[]`, `{}`
/// (`value` is one valid JSON value).
fn falsy(value: &str) -> bool {
    match value.as_bytes().first() {
        Some(b'n' | b'f') => true,
        Some(b'"') => value == "\"\"",
        Some(b'[' | b'{') => is_empty(value),
        // A number all of whose digits are zeros (`0`, `-0.0`, `0e7`).
        Some(_) => value
            .bytes()
            .take_while(|b| !matches!(b, b'e' | b'E'))
            .all(|b| matches!(b, b'0' | b'-' | b'.')),
        None => true,
    }
}

/// A member's value unless it is absent or `null`.
fn present(value: Option<&str>) -> Option<&str> {
    value.filter(|v| *v != "null")
}

/// An array or object with nothing in it (`value` is one valid JSON value).
fn is_empty(value: &str) -> bool {
    value
        .get(1..value.len().saturating_sub(1))
        .is_some_and(|inside| inside.trim_ascii().is_empty())
}

fn literal(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    push_str_literal(&mut out, s);
    out
}
