//! The wire-level error object and the error codes this library uses.

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

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
    /// The request was cancelled with `$/cancelRequest` (Language Server Protocol's code).
    pub const REQUEST_CANCELLED: i64 = -32800;
}

/// A JSON-RPC error object: `{"code": .., "message": .., "data": ..}`.
///
/// ```
/// use jrpc_shared::ErrorObject;
/// let e = ErrorObject::new(100, "division by zero");
/// assert_eq!(serde_json::to_string(&e).unwrap(), r#"{"code":100,"message":"division by zero"}"#);
/// ```
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ErrorObject {
    /// The error code (see [`code`]).
    pub code: i64,
    /// A short description.
    pub message: Cow<'static, str>,
    /// Optional detail, any JSON value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Box<RawValue>>,
}

impl PartialEq for ErrorObject {
    fn eq(&self, other: &Self) -> bool {
        self.code == other.code
            && self.message == other.message
            && self.data_json() == other.data_json()
    }
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

    /// Attaches `data`, serialised to JSON. Data that cannot be serialised
    /// (or holds NaN/Infinity) is replaced by its error text rather than lost silently.
    pub fn with_data<T: serde::Serialize + ?Sized>(mut self, data: &T) -> Self {
        self.data = Some(match crate::finite::to_raw_value(data) {
            Ok(raw) => raw,
            Err(e) => crate::finite::string_raw(&e.to_string()),
        });
        self
    }

    /// -32700 "Parse error".
    pub fn parse_error() -> Self {
        Self::new(code::PARSE_ERROR, "Parse error")
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
            format!("Server busy: more than {limit} calls in flight on this connection"),
        )
    }

    /// -32001: a message over the receiver's size limit.
    pub fn message_too_large(len: usize, limit: usize) -> Self {
        Self::new(
            code::MESSAGE_TOO_LARGE,
            format!("Message too large: {len} bytes, the limit is {limit} bytes"),
        )
    }

    /// -32800 "Request cancelled".
    pub fn request_cancelled() -> Self {
        Self::new(code::REQUEST_CANCELLED, "Request cancelled")
    }

    /// The `data` member as JSON text, if any.
    pub fn data_json(&self) -> Option<&str> {
        self.data.as_deref().map(RawValue::get)
    }
}

impl fmt::Display for ErrorObject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (code {})", self.message, self.code)?;
        if let Some(data) = &self.data {
            write!(f, ", data: {}", data.get())?;
        }
        Ok(())
    }
}

impl std::error::Error for ErrorObject {}
