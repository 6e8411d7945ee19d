//! The rules: what each frame and message is.

use super::*;

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
pub(super) const NAMED: [&str; 6] = ["jsonrpc", "method", "params", "id", "result", "error"];

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
pub(super) fn peer_error(raw: &str) -> Want<'_> {
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
pub(super) fn cancel_target(params: &str) -> Option<&str> {
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
