//! Writing JSON-RPC messages as text.
//!
//! The envelope is written by hand around already-encoded JSON pieces (ids,
//! params and results are raw JSON by the time they get here), which avoids a
//! second serialisation pass and an intermediate `Value` on the hot path.

use std::fmt::Write as _;

use serde_json::value::RawValue;

use crate::{ErrorObject, HandlerResult, Id};

/// The protocol version member every message carries.
pub const VERSION: &str = "2.0";

/// Appends `s` as a JSON string literal.
pub(crate) fn push_str_literal(out: &mut String, s: &str) {
    // Method names are almost always plain ASCII: copy them without escaping.
    if s.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        out.push('"');
        out.push_str(s);
        out.push('"');
        return;
    }
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Appends a request or (with `id` `None`) a notification.
pub(crate) fn push_call(
    out: &mut String,
    method: &str,
    params: Option<&RawValue>,
    id: Option<u64>,
) {
    out.push_str(r#"{"jsonrpc":"2.0","method":"#);
    push_str_literal(out, method);
    if let Some(params) = params {
        out.push_str(r#","params":"#);
        out.push_str(params.get());
    }
    if let Some(id) = id {
        let _ = write!(out, r#","id":{id}"#);
    }
    out.push('}');
}

/// Appends a success response.
pub(crate) fn push_result(out: &mut String, id: &Id, result: &RawValue) {
    out.push_str(r#"{"jsonrpc":"2.0","result":"#);
    out.push_str(result.get());
    out.push_str(r#","id":"#);
    out.push_str(id.as_json());
    out.push('}');
}

/// Appends an error response.
pub(crate) fn push_error(out: &mut String, id: &Id, error: &ErrorObject) {
    out.push_str(r#"{"jsonrpc":"2.0","error":"#);
    match serde_json::to_string(error) {
        Ok(text) => out.push_str(&text),
        // An ErrorObject is a code, a string and raw JSON: it always encodes.
        // Stay total anyway and fall back to a bare internal error.
        Err(_) => out.push_str(r#"{"code":-32603,"message":"Internal error"}"#),
    }
    out.push_str(r#","id":"#);
    out.push_str(id.as_json());
    out.push('}');
}

/// Appends a response carrying `outcome`.
pub(crate) fn push_response(out: &mut String, id: &Id, outcome: &HandlerResult) {
    match outcome {
        Ok(result) => push_result(out, id, result),
        Err(error) => push_error(out, id, error),
    }
}

/// A whole notification message as text.
///
/// ```
/// let text = jrpc_shared::notification_text("log", Some(&serde_json::value::to_raw_value(&["hi"]).unwrap()));
/// assert_eq!(text, r#"{"jsonrpc":"2.0","method":"log","params":["hi"]}"#);
/// ```
pub fn notification_text(method: &str, params: Option<&RawValue>) -> String {
    let mut out = String::with_capacity(48 + method.len() + params.map_or(0, |p| p.get().len()));
    push_call(&mut out, method, params, None);
    out
}

/// A whole response message as text: the result, or the error, for request `id`.
///
/// ```
/// use jrpc_shared::{Id, RawValue, response_text};
/// let result = Ok(RawValue::from_string("3".to_owned()).unwrap());
/// assert_eq!(response_text(&Id::from(1u64), &result), r#"{"jsonrpc":"2.0","result":3,"id":1}"#);
/// ```
pub fn response_text(id: &Id, outcome: &HandlerResult) -> String {
    let mut out = String::with_capacity(64 + outcome.as_ref().map_or(64, |r| r.get().len()));
    push_response(&mut out, id, outcome);
    out
}

/// A whole error response message as text, for errors found before any engine is involved
/// (for example a binary frame or an over-sized message).
pub fn error_response_text(id: &Id, error: &ErrorObject) -> String {
    let mut out = String::with_capacity(96);
    push_error(&mut out, id, error);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_method_names() {
        let mut out = String::new();
        push_str_literal(&mut out, "a\"b\\c\n\u{1}é");
        let back: String = serde_json::from_str(&out).unwrap();
        assert_eq!(back, "a\"b\\c\n\u{1}é");
    }

    #[test]
    fn writes_valid_json() {
        let params = serde_json::value::to_raw_value(&[1, 2]).unwrap();
        let mut out = String::new();
        push_call(&mut out, "sum", Some(&params), Some(3));
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"jsonrpc":"2.0","method":"sum","params":[1,2],"id":3})
        );
    }
}
