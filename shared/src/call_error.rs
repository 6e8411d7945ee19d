//! The error a caller sees when an outgoing call does not produce a result.

use alloc::string::ToString;
use core::time::Duration;

use crate::{ErrorObject, error_object::code};

/// Why an outgoing request did not produce a result.
///
/// Each variant maps to a JSON-RPC code with [`CallError::code`], so the
/// browser driver can turn any of them into one kind of JavaScript error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CallError {
    /// The peer answered with an error object.
    #[error("the peer answered with an error: {0}")]
    Rpc(ErrorObject),
    /// No answer arrived within the timeout; `$/cancelRequest` was sent.
    #[error("no answer within {0:?}; the request was cancelled")]
    Timeout(Duration),
    /// The caller cancelled the request; `$/cancelRequest` was sent.
    #[error("the request was cancelled by the caller")]
    Cancelled,
    /// The connection closed (or was never open) before an answer arrived.
    #[error("the connection closed before the call was answered")]
    ConnectionClosed,
    /// The params could not be encoded as JSON (for example they held NaN).
    #[cfg(feature = "serde")]
    #[error("the params cannot be sent as JSON: {0}")]
    Encode(serde_json::Error),
    /// The result did not decode into the requested type.
    #[cfg(feature = "serde")]
    #[error("the result does not have the expected type: {0}")]
    Decode(serde_json::Error),
}

impl CallError {
    /// The JSON-RPC code that stands for this error.
    pub fn code(&self) -> i64 {
        match self {
            CallError::Rpc(e) => e.code,
            CallError::Timeout(_) => code::REQUEST_TIMEOUT,
            CallError::Cancelled => code::REQUEST_CANCELLED,
            CallError::ConnectionClosed => code::CONNECTION_CLOSED,
            #[cfg(feature = "serde")]
            CallError::Encode(_) => code::INVALID_PARAMS,
            #[cfg(feature = "serde")]
            CallError::Decode(_) => code::INTERNAL_ERROR,
        }
    }
}

/// Lets a handler forward a failed call with `?`: the peer's own error object
/// passes through unchanged, anything else becomes an object with its code.
impl From<CallError> for ErrorObject {
    fn from(e: CallError) -> Self {
        match e {
            CallError::Rpc(obj) => obj,
            other => ErrorObject::new(other.code(), other.to_string()),
        }
    }
}
