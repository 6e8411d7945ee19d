//! Writing JSON-RPC messages as text.
//!
//! The envelope is written by hand around already-encoded JSON pieces (ids,
//! params and results are raw JSON by the time they get here), which avoids a
//! second serialisation pass and an intermediate tree on the hot path, and
//! keeps `core::fmt` out of the browser package.

use alloc::string::String;

use crate::digits::{push_i64, push_u64};
use crate::{ErrorObject, HandlerResult, Id, Raw};

/// The protocol version member every message carries.
pub const VERSION: &str = "2.0";

/// Appends `s` as a JSON string literal.
pub(crate) fn push_str_literal(out: &mut String, s: &str) {
    out.push('"');
    // Method names and messages are almost always plain: copy runs of plain
    // characters at once and escape only what JSON requires.
    let mut plain = 0;
    for (i, b) in s.bytes().enumerate() {
        let escape = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0..=0x1f => "",
            _ => continue,
        };
        // `get`, not indexing, which could panic (and so bring `core::fmt`
        // into the wasm): `plain` and `i` are always char boundaries, next
        // to ASCII bytes.
        out.push_str(s.get(plain..i).unwrap_or_default());
        if escape.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.push_str("\\u00");
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0xf)]));
        } else {
            out.push_str(escape);
        }
        plain = i + 1;
    }
    out.push_str(s.get(plain..).unwrap_or_default());
    out.push('"');
}

/// Appends a request or (with `id` `None`) a notification.
pub(crate) fn push_call(out: &mut String, method: &str, params: Option<Raw<'_>>, id: Option<u64>) {
    push_call_head(out, method, params.is_some());
    if let Some(params) = params {
        out.push_str(params.get());
    }
    if let Some(id) = id {
        out.push_str(CALL_ID);
        push_u64(out, id);
    }
    out.push('}');
}

/// What stands before a call's id.
const CALL_ID: &str = r#","id":"#;

/// Appends a call up to where its params go (and, with `params`, the
/// member's name): the part [`push_call`] and [`call_template`] share.
/// Inlined: as a function of its own it cost the browser package 11 bytes.
#[inline(always)]
fn push_call_head(out: &mut String, method: &str, params: bool) {
    out.push_str(r#"{"jsonrpc":"2.0","method":"#);
    push_str_literal(out, method);
    if params {
        out.push_str(r#","params":"#);
    }
}

/// Appends a success response.
pub(crate) fn push_result(out: &mut String, id: &Id, result: Raw<'_>) {
    out.push_str(r#"{"jsonrpc":"2.0","result":"#);
    out.push_str(result.get());
    out.push_str(r#","id":"#);
    out.push_str(id.as_json());
    out.push('}');
}

/// Appends a success response up to its result, which the caller writes next.
pub(crate) fn push_result_start(out: &mut String) {
    out.push_str(r#"{"jsonrpc":"2.0","result":"#);
}

/// Appends what follows a success response's result.
pub(crate) fn push_result_end(out: &mut String, id: &Id) {
    out.push_str(r#","id":"#);
    out.push_str(id.as_json());
    out.push('}');
}

/// Appends an error object: `{"code":..,"message":..,"data":..}`.
pub(crate) fn push_error_object(out: &mut String, error: &ErrorObject) {
    out.push_str(r#"{"code":"#);
    push_i64(out, error.code);
    out.push_str(r#","message":"#);
    push_str_literal(out, &error.message);
    if let Some(data) = &error.data {
        out.push_str(r#","data":"#);
        out.push_str(data.get());
    }
    out.push('}');
}

/// Appends an error response.
pub(crate) fn push_error(out: &mut String, id: &Id, error: &ErrorObject) {
    out.push_str(r#"{"jsonrpc":"2.0","error":"#);
    push_error_object(out, error);
    out.push_str(r#","id":"#);
    out.push_str(id.as_json());
    out.push('}');
}

/// Appends a response carrying `outcome`.
pub(crate) fn push_response(out: &mut String, id: &Id, outcome: &HandlerResult) {
    match outcome {
        Ok(result) => push_result(out, id, result.as_raw()),
        Err(error) => push_error(out, id, error),
    }
}

/// A whole notification message as text.
///
/// ```
/// use jrpc_shared::{Raw, notification_text};
/// let text = notification_text("log", Some(Raw::new(r#"["hi"]"#).unwrap()));
/// assert_eq!(text, r#"{"jsonrpc":"2.0","method":"log","params":["hi"]}"#);
/// ```
pub fn notification_text(method: &str, params: Option<Raw<'_>>) -> String {
    let mut out = String::with_capacity(48 + method.len() + params.map_or(0, |p| p.get().len()));
    push_call(&mut out, method, params, None);
    out
}

/// Separates the pieces of a [`call_template`]. JSON text cannot hold it
/// (control characters in strings are always escaped).
pub const TEMPLATE_SEPARATOR: char = '\0';

/// The text of every call of `method`, cut where its params and its id go,
/// for a driver that writes many calls of one method without asking the
/// engine each time: three pieces `A`, `B`, `C` joined by
/// [`TEMPLATE_SEPARATOR`]. A request is `A + params + B + id + C`, a
/// notification `A + params + C`, where `params` is the params' JSON text
/// (with `params` true) or nothing (with `params` false), and `id` is the
/// decimal id. The same bytes as [`Outbound::request`](crate::Outbound::request)
/// and [`notification_text`] write.
///
/// ```
/// use jrpc_shared::{TEMPLATE_SEPARATOR, call_template};
/// let template = call_template("sum", true);
/// let [a, b, c]: [&str; 3] = template.split(TEMPLATE_SEPARATOR).collect::<Vec<_>>().try_into().unwrap();
/// assert_eq!(format!("{a}[1,2]{b}7{c}"), r#"{"jsonrpc":"2.0","method":"sum","params":[1,2],"id":7}"#);
/// assert_eq!(format!("{a}[1,2]{c}"), r#"{"jsonrpc":"2.0","method":"sum","params":[1,2]}"#);
/// ```
pub fn call_template(method: &str, params: bool) -> String {
    let mut out = String::with_capacity(48 + method.len());
    push_call_head(&mut out, method, params);
    out.push(TEMPLATE_SEPARATOR);
    out.push_str(CALL_ID);
    out.push(TEMPLATE_SEPARATOR);
    out.push('}');
    out
}

/// A whole response message as text: the result, or the error, for request `id`.
///
/// ```
/// use jrpc_shared::{Id, RawBuf, response_text};
/// let result = Ok(RawBuf::new("3".to_owned()).unwrap());
/// assert_eq!(response_text(&Id::from(1u64), &result), r#"{"jsonrpc":"2.0","result":3,"id":1}"#);
/// ```
pub fn response_text(id: &Id, outcome: &HandlerResult) -> String {
    let mut out = String::with_capacity(64 + outcome.as_ref().map_or(64, |r| r.get().len()));
    push_response(&mut out, id, outcome);
    out
}

/// A whole error response message as text, for errors found before any
/// engine is involved (for example a failed handshake's first message).
pub fn error_response_text(id: &Id, error: &ErrorObject) -> String {
    let mut out = String::with_capacity(96);
    push_error(&mut out, id, error);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_strings() {
        for s in ["a\"b\\c\n\u{1}é", "", "plain", "\u{1f}\t\r", "日本\u{7f}"] {
            let mut out = String::new();
            push_str_literal(&mut out, s);
            let back: String = serde_json::from_str(&out).unwrap();
            assert_eq!(back, s);
            assert_eq!(out, serde_json::to_string(s).unwrap());
        }
    }

    #[test]
    fn writes_valid_json() {
        let params = Raw::new("[1,2]").unwrap();
        let mut out = String::new();
        push_call(&mut out, "sum", Some(params), Some(3));
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"jsonrpc":"2.0","method":"sum","params":[1,2],"id":3})
        );
    }

    #[test]
    fn templates_write_what_push_call_writes() {
        let params = Raw::new(r#"{"a":[1]}"#).unwrap();
        for method in ["sum", "a\"b\u{1}é", ""] {
            for with_params in [false, true] {
                let template = call_template(method, with_params);
                let pieces: alloc::vec::Vec<&str> = template.split(TEMPLATE_SEPARATOR).collect();
                let [a, b, c] = pieces[..] else {
                    panic!("three pieces expected: {template:?}")
                };
                let p = if with_params { params.get() } else { "" };
                let raw = with_params.then_some(params);
                let mut request = String::new();
                push_call(&mut request, method, raw, Some(42));
                assert_eq!(alloc::format!("{a}{p}{b}42{c}"), request);
                let mut notification = String::new();
                push_call(&mut notification, method, raw, None);
                assert_eq!(alloc::format!("{a}{p}{c}"), notification);
            }
        }
    }

    #[test]
    fn error_objects_match_serde() {
        let e = ErrorObject::new(-32_601, "Method \"x\" not found")
            .with_data_raw(crate::RawBuf::new("[1,{}]".to_owned()).unwrap());
        let v: serde_json::Value = serde_json::from_str(&e.to_json()).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"code":-32601,"message":"Method \"x\" not found","data":[1,{}]})
        );
    }
}
