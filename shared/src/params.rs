//! Decoding params into a handler's typed arguments, and encoding values to send.
//!
//! An array is positional and an object is named, as in wsjsonrpc. A serde
//! struct accepts both shapes (serde_json feeds an array to a struct's fields in
//! order), so `struct Args { a: f64, b: f64 }` takes `[1, 2]` and `{"a": 1, "b": 2}`;
//! a tuple takes the positional form only.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::{ErrorObject, Raw, RawBuf};

/// Decodes `params` (absent, an array or an object) into `P`.
///
/// Absent params decode as `null` (for `()` or `Option`), else as `[]` or `{}`
/// (for `Vec`, or structs whose fields all have defaults). Empty params, `[]`
/// or `{}`, mean the same as absent ones to a method that takes none.
///
/// ```
/// use jrpc_shared::{decode_params, Raw};
/// let (a, b): (i64, i64) = decode_params(Some(Raw::new("[1, 2]").unwrap())).unwrap();
/// assert_eq!(a + b, 3);
/// let err = decode_params::<(i64, i64)>(Some(Raw::new(r#"["x", 2]"#).unwrap())).unwrap_err();
/// assert_eq!(err.code, -32602);
/// assert!(err.message.contains("expected i64"), "{}", err.message);
/// let (): () = decode_params(Some(Raw::new("[]").unwrap())).unwrap();
/// let (): () = decode_params(Some(Raw::new("{ }").unwrap())).unwrap();
///
/// // Positional and named together, as `jrpc Multiply -a 6 -k b=7` sends them:
/// #[derive(serde::Deserialize)]
/// struct Operands { a: i64, b: i64 }
/// let o: Operands = decode_params(Some(Raw::new(r#"{"0": 6, "b": 7}"#).unwrap())).unwrap();
/// assert_eq!(o.a * o.b, 42);
/// ```
pub fn decode_params<P: DeserializeOwned>(params: Option<Raw<'_>>) -> Result<P, ErrorObject> {
    let Some(params) = params else {
        return decode_absent();
    };
    serde_json::from_str(params.get()).or_else(|e| {
        if is_empty(params) {
            if let Ok(p) = serde_json::from_str("null") {
                return Ok(p);
            }
        }
        // Positional and named arguments together (`{"0": 6, "b": 7}`, see
        // `legacy::mixed_params`): named by the struct's fields, then decoded.
        // Tried only after a failure, so the usual call pays nothing for it.
        let names = crate::param_names::<P>();
        match names.and_then(|names| crate::legacy::name_positions(params.get(), names)) {
            Some(Ok(named)) => serde_json::from_str(&named)
                .map_err(|e| ErrorObject::invalid_params(without_position(&e))),
            Some(Err(message)) => Err(ErrorObject::invalid_params(message)),
            None => Err(ErrorObject::invalid_params(without_position(&e))),
        }
    })
}

/// `[]` or `{}`, with any whitespace inside.
fn is_empty(params: Raw<'_>) -> bool {
    let inner = params.get().get(1..params.get().len().saturating_sub(1));
    params.is_structured()
        && inner.is_some_and(|s| s.trim_matches([' ', '\t', '\n', '\r']).is_empty())
}

fn decode_absent<P: DeserializeOwned>() -> Result<P, ErrorObject> {
    let mut first_error = None;
    for text in ["null", "[]", "{}"] {
        match serde_json::from_str(text) {
            Ok(p) => return Ok(p),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    let detail = first_error
        .map(|e| without_position(&e))
        .unwrap_or_default();
    Err(ErrorObject::invalid_params(format_args!(
        "params are missing ({detail})"
    )))
}

/// serde_json appends " at line 1 column 9" to data errors; in a one-line
/// params value that position says nothing useful to the caller.
fn without_position(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(cut) => text[..cut].to_owned(),
        None => text,
    }
}

/// Encodes a handler's result (or a call's params) to raw JSON, refusing NaN and Infinity.
pub fn encode_value<T: Serialize + ?Sized>(value: &T) -> Result<RawBuf, serde_json::Error> {
    crate::finite::to_raw_value(value).map(RawBuf::from)
}

/// Encodes a handler's successful result, turning an encoding failure into -32603.
pub fn encode_result<T: Serialize + ?Sized>(value: &T) -> Result<RawBuf, ErrorObject> {
    encode_value(value).map_err(unencodable)
}

/// Like [`encode_result`], but appends the JSON to `out` (the reply being
/// written) instead of making a value of its own; on failure `out` is left
/// as it was.
///
/// ```
/// let mut out = String::from("[");
/// jrpc_shared::encode_result_into(&(1, "a"), &mut out).unwrap();
/// assert_eq!(out, r#"[[1,"a"]"#);
/// assert_eq!(jrpc_shared::encode_result_into(&f64::NAN, &mut out).unwrap_err().code, -32603);
/// assert_eq!(out, r#"[[1,"a"]"#);
/// ```
pub fn encode_result_into<T: Serialize + ?Sized>(
    value: &T,
    out: &mut String,
) -> Result<(), ErrorObject> {
    crate::finite::append_json(out, value).map_err(unencodable)
}

fn unencodable(e: serde_json::Error) -> ErrorObject {
    ErrorObject::internal_error(format_args!("the result cannot be sent as JSON: {e}"))
}

/// Encodes call params: `null` (e.g. from `()`) means no params member; an
/// array or object is sent as is; any other JSON value is refused, because
/// JSON-RPC params must be structured.
///
/// ```
/// use jrpc_shared::encode_params;
/// assert!(encode_params(&()).unwrap().is_none());
/// assert_eq!(encode_params(&(1, 2)).unwrap().unwrap().get(), "[1,2]");
/// assert!(encode_params(&5).is_err());
/// assert!(encode_params(&[f64::NAN]).is_err());
/// ```
pub fn encode_params<P: Serialize + ?Sized>(
    params: &P,
) -> Result<Option<RawBuf>, crate::CallError> {
    let raw = encode_value(params).map_err(crate::CallError::Encode)?;
    match raw.get().as_bytes().first() {
        Some(b'n') => Ok(None),
        Some(b'[' | b'{') => Ok(Some(raw)),
        _ => Err(crate::CallError::Encode(serde::ser::Error::custom(
            format_args!(
                "params must be a JSON array or object (or null for none), not {}",
                raw.get()
            ),
        ))),
    }
}

/// Decodes a call's raw result into `R`.
pub fn decode_result<R: DeserializeOwned>(raw: Raw<'_>) -> Result<R, crate::CallError> {
    serde_json::from_str(raw.get()).map_err(crate::CallError::Decode)
}
