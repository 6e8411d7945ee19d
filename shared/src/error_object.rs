//! The wire-level error object and the error codes this library uses.

use alloc::borrow::Cow;
use alloc::format;
use alloc::string::String;
use core::fmt;

use crate::RawBuf;
use crate::digits::u64_text;

/// Error codes, from the specification and from this library's server-error range.
///
/// Codes -32768..=-32000 are reserved by JSON-RPC; applications should pick codes
/// outside that range for their own errors.
pub mod code {
    /// Invalid JSON was received.
    pub const PARSE_ERROR: i64 = -32700;
    /// The JSON sent is not a valid Request object.
    pub const INVALID_REQUEST: i64 = -32600;
    /// The method does not exist or is not available.
    pub const METHOD_NOT_FOUND: i64 = -32601;
    /// Invalid method parameters.
    pub const INVALID_PARAMS: i64 = -32602;
    /// Internal JSON-RPC error.
    pub const INTERNAL_ERROR: i64 = -32603;
    /// Too many calls in flight on this connection; retry later.
    pub const SERVER_BUSY: i64 = -32000;
    /// The message was larger than the receiver's limit.
    pub const MESSAGE_TOO_LARGE: i64 = -32001;
    /// A call got no answer in time. Raised by the caller; a handler that forwards
    /// a failed call of its own with `?` passes it on to its caller.
    pub const REQUEST_TIMEOUT: i64 = -32002;
    /// The connection closed before the call was answered. Raised by the caller
    /// (and passed on, like [`REQUEST_TIMEOUT`], by handlers that forward it).
    pub const CONNECTION_CLOSED: i64 = -32003;
    /// Too many calls are waiting for the connection to open (raised locally).
    pub const QUEUE_FULL: i64 = -32004;
    /// The connection sent calls faster than the server's rate limit allows;
    /// `data.retryAfterMs` says when the next one will be taken.
    pub const RATE_LIMITED: i64 = -32005;
    /// The method needs a signed-in caller and the connection has none (or
    /// an in-band token was refused).
    pub const UNAUTHENTICATED: i64 = -32006;
    /// The request was cancelled with `$/cancelRequest` (Language Server Protocol's code).
    pub const REQUEST_CANCELLED: i64 = -32800;
}

/// A JSON-RPC error object: `{"code": .., "message": .., "data": ..}`.
///
/// ```
/// use jrpc_shared::{ErrorObject, RawBuf};
/// let e = ErrorObject::new(100, "division by zero").with_data_raw(RawBuf::string("x"));
/// assert_eq!(e.to_json(), r#"{"code":100,"message":"division by zero","data":"x"}"#);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct ErrorObject {
    /// The error code (see [`code`]).
    pub code: i64,
    /// A short description.
    pub message: Cow<'static, str>,
    /// Optional detail, any JSON value.
    pub data: Option<RawBuf>,
}

impl ErrorObject {
    /// An error with a code and message and no data.
    pub fn new(code: i64, message: impl Into<Cow<'static, str>>) -> Self {
        ErrorObject {
            code,
            message: message.into(),
            data: None,
        }
    }

    /// Attaches `data`, already JSON.
    pub fn with_data_raw(mut self, data: RawBuf) -> Self {
        self.data = Some(data);
        self
    }

    /// Attaches `data`, serialised to JSON. Data that cannot be serialised
    /// (or holds NaN/Infinity) is replaced by its error text rather than lost silently.
    #[cfg(feature = "serde")]
    pub fn with_data<T: serde::Serialize + ?Sized>(mut self, data: &T) -> Self {
        self.data = Some(match crate::finite::to_raw_value(data) {
            Ok(raw) => raw.into(),
            Err(e) => RawBuf::string(&e.to_string()),
        });
        self
    }

    /// -32700 "Parse error".
    pub fn parse_error() -> Self {
        Self::new(code::PARSE_ERROR, "Parse error")
    }

    /// -32700 for a binary frame: JSON-RPC messages travel as text frames.
    pub fn binary_frame() -> Self {
        Self::new(
            code::PARSE_ERROR,
            "Parse error: binary frames are not accepted; send JSON-RPC messages as text frames",
        )
    }

    /// -32600 "Invalid Request".
    pub fn invalid_request() -> Self {
        Self::new(code::INVALID_REQUEST, "Invalid Request")
    }

    /// -32601 "Method not found".
    pub fn method_not_found() -> Self {
        Self::new(code::METHOD_NOT_FOUND, "Method not found")
    }

    /// -32602 with a message that says what was wrong with the params.
    pub fn invalid_params(detail: impl fmt::Display) -> Self {
        Self::new(code::INVALID_PARAMS, format!("Invalid params: {detail}"))
    }

    /// -32603 with a message that says what went wrong.
    pub fn internal_error(detail: impl fmt::Display) -> Self {
        Self::new(code::INTERNAL_ERROR, format!("Internal error: {detail}"))
    }

    /// -32000 "Server busy": too many calls in flight on the connection.
    pub fn server_busy(limit: usize) -> Self {
        Self::new(
            code::SERVER_BUSY,
            concat(&[
                "Server busy: more than ",
                &u64_text(limit as u64),
                " calls in flight on this connection",
            ]),
        )
    }

    /// -32005: a call beyond the connection's rate limit of `per_second`
    /// calls, with `data: {"retryAfterMs": n}`.
    pub fn rate_limited(per_second: u32, retry_after_ms: u64) -> Self {
        let data = concat(&["{\"retryAfterMs\":", &u64_text(retry_after_ms), "}"]);
        Self::new(
            code::RATE_LIMITED,
            concat(&[
                "Rate limited: this connection is over its limit of ",
                &u64_text(u64::from(per_second)),
                " per second",
            ]),
        )
        .with_data_raw(RawBuf::from_trusted(data))
    }

    /// -32001: a message over the receiver's size limit.
    pub fn message_too_large(len: usize, limit: usize) -> Self {
        Self::new(
            code::MESSAGE_TOO_LARGE,
            concat(&[
                "Message too large: ",
                &u64_text(len as u64),
                " bytes, the limit is ",
                &u64_text(limit as u64),
                " bytes",
            ]),
        )
    }

    /// -32800 "Request cancelled".
    pub fn request_cancelled() -> Self {
        Self::new(code::REQUEST_CANCELLED, "Request cancelled")
    }

    /// The `data` member as JSON text, if any.
    pub fn data_json(&self) -> Option<&str> {
        self.data.as_ref().map(RawBuf::get)
    }

    /// Reads an error object from JSON text: an integer `code`, a string
    /// `message`, optional `data`; `None` for anything else.
    ///
    /// ```
    /// let e = jrpc_shared::ErrorObject::from_json(r#"{"code":5,"message":"no","data":[1]}"#).unwrap();
    /// assert_eq!((e.code, &*e.message, e.data_json()), (5, "no", Some("[1]")));
    /// assert!(jrpc_shared::ErrorObject::from_json(r#"{"code":1.5,"message":"x"}"#).is_none());
    /// assert!(jrpc_shared::ErrorObject::from_json(" {\"code\":1,\"message\":\"x\"}\n").is_some());
    /// ```
    pub fn from_json(text: &str) -> Option<Self> {
        crate::json::validate(text).ok()?;
        // No trimming needed: the reader skips the whitespace before the
        // object, and stops at its end.
        crate::parse::error_object(text).ok()
    }

    /// The error object as JSON text.
    pub fn to_json(&self) -> String {
        let mut out = String::with_capacity(48 + self.message.len());
        crate::wire::push_error_object(&mut out, self);
        out
    }
}

/// Joins message pieces without `format!` (see [`crate::digits`]).
pub(crate) fn concat(parts: &[&str]) -> String {
    let mut out = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for part in parts {
        out.push_str(part);
    }
    out
}

impl fmt::Display for ErrorObject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (code {})", self.message, self.code)?;
        if let Some(data) = &self.data {
            write!(f, ", data: {data}")?;
        }
        Ok(())
    }
}

impl core::error::Error for ErrorObject {}

/// `{"code": .., "message": .., "data": ..}`, as on the wire.
#[cfg(feature = "serde")]
impl serde::Serialize for ErrorObject {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("ErrorObject", 3)?;
        s.serialize_field("code", &self.code)?;
        s.serialize_field("message", &self.message)?;
        if let Some(data) = &self.data {
            s.serialize_field("data", data)?;
        } else {
            s.skip_field("data")?;
        }
        s.end()
    }
}
