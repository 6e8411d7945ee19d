//! The original jrpc dialect, translated at the edge into JSON-RPC 2.0.
//!
//! jrpc carries on a Python/Twisted library of the same name whose browser
//! script (`jrpc.js`) and command line speak their own small protocol: text
//! frames of JSON, no batches, no `jsonrpc` member.
//!
//! - request: `{"method": "Add", "args": [5, 10], "kwargs": {}, "id": 0}`;
//!   `args` and `kwargs` may be missing (then empty); a missing or `null` id
//!   asks for no answer (an "invoke"), even when the call fails.
//! - response: `{"id": 0, "result": 15, "error": null}`; on failure `error`
//!   is the failure's type name and `result` its message:
//!   `{"id": 6, "result": "float division by zero", "error": "ZeroDivisionError"}`.
//!
//! A driver that serves (or talks to) such a peer runs every incoming frame
//! through [`incoming`] before [`crate::Inbound::receive`], and every text it
//! is about to send through [`outgoing`]: the engine, the method table and
//! the handlers stay the same for both dialects.
//!
//! How the two map onto each other:
//! - `args` become positional params, `kwargs` named params, and a call with
//!   both named params whose positional members are keyed by their index
//!   (`{"0": 6, "b": 7}`, see [`mixed_params`]), which a Rust handler whose
//!   params are a struct decodes by its field names.
//! - A JSON-RPC error becomes the type name in its `data.type` when that is
//!   a string, else the name [`ErrorNames`] gives its code, and its message. A legacy
//!   failure becomes error [`code::INTERNAL_ERROR`] with the legacy message and
//!   `"data": {"type": <type name>}`, so a round trip keeps the name.
//! - `$/cancelRequest` is not sent: the dialect has no way to cancel a call.
//!
//! The form for both `args` and `kwargs` is the `mixed-params` feature (on
//! with `serde`, so in every native build). The browser's package leaves it
//! out, for 1.6 KB gzipped: its methods take positional or named params as
//! JSON-RPC does, so a call with both is refused with `NOT_BOTH` there,
//! and named params go out as `kwargs` unchanged.

mod incoming;
#[cfg(feature = "mixed-params")]
mod mixed;
mod outgoing;

#[cfg(not(feature = "mixed-params"))]
pub use incoming::NOT_BOTH;
pub use incoming::{Incoming, incoming};
#[cfg(feature = "mixed-params")]
pub(crate) use mixed::split_mixed;
#[cfg(feature = "mixed-params")]
pub use mixed::{MAX_POSITIONAL, mixed_params, name_positions, refuse_position_keys};
pub use outgoing::outgoing;

use alloc::borrow::Cow;
use alloc::vec::Vec;

use crate::code;

/// The type names a legacy peer is shown for application error codes, on
/// top of [`type_name`]'s: the original Python server's errors had names
/// (`ZeroDivisionError`) where JSON-RPC has codes. An error's own
/// `data.type`, when it is a string, wins over both.
///
/// ```
/// use jrpc_shared::legacy::ErrorNames;
/// let names = ErrorNames::default().with(100, "ZeroDivisionError");
/// assert_eq!(names.name(100), "ZeroDivisionError");
/// assert_eq!(names.name(-32601), "KeyError");
/// ```
#[derive(Clone, Debug, Default)]
pub struct ErrorNames(Vec<(i64, Cow<'static, str>)>);

impl ErrorNames {
    /// Shows errors with `code` as `name` (a later name for the same code wins).
    pub fn with(mut self, code: i64, name: impl Into<Cow<'static, str>>) -> Self {
        self.0.retain(|(c, _)| *c != code);
        self.0.push((code, name.into()));
        self
    }

    /// The name for `code`: the one given, else [`type_name`]'s.
    pub fn name(&self, code: i64) -> &str {
        self.0
            .iter()
            .find(|(c, _)| *c == code)
            .map_or(type_name(code), |(_, name)| name)
    }
}

/// The type name a legacy peer sees for an error without a `data.type`:
/// what the original Python server raised in the same case (an unknown
/// method was a `KeyError`, wrong arguments a `TypeError`).
///
/// ```
/// use jrpc_shared::{code, legacy::type_name};
/// assert_eq!(type_name(code::METHOD_NOT_FOUND), "KeyError");
/// assert_eq!(type_name(code::INVALID_PARAMS), "TypeError");
/// assert_eq!(type_name(100), "Exception");
/// ```
pub fn type_name(code: i64) -> &'static str {
    match code {
        code::PARSE_ERROR | code::INVALID_REQUEST => "ValueError",
        code::METHOD_NOT_FOUND => "KeyError",
        code::INVALID_PARAMS => "TypeError",
        code::REQUEST_CANCELLED => "CancelledError",
        // The implementation-defined server errors: busy, too large, timed out, closed.
        -32099..=-32000 => "RuntimeError",
        _ => "Exception",
    }
}

#[cfg(test)]
mod tests;
