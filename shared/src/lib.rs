//! # jrpc-shared
//!
//! The JSON-RPC 2.0 protocol for jrpc, with no IO, no clock and no async runtime.
//! Both the native driver (`jrpc-server`, tokio) and the browser driver
//! (`jrpc-client-wasm`, web-sys) feed it text and send the text it returns, so
//! the protocol has exactly one implementation.
//!
//! - Wire types: [`Id`] (kept as raw JSON text so ids round-trip exactly),
//!   [`Raw`] and [`RawBuf`] (JSON values kept as text), [`ErrorObject`] and
//!   its [`code`]s, and [`parse`] for incoming frames, on the crate's own
//!   strict JSON scanner, [`json`].
//! - [`Inbound`]: incoming requests, notifications, batches and
//!   `$/cancelRequest`; dispatch through a [`Methods`] table.
//! - [`Outbound`]: id allocation and the pending-call table, generic over what
//!   waits for an answer.
//! - [`handler`]: typed Rust handlers with serde-decoded params (the `serde`
//!   feature, on by default; the browser build leaves it off).
//!
//! Without the `std` feature (on by default) the crate is `no_std` and needs
//! only `alloc`: the browser build turns it off, so that no panic machinery
//! and no `core::fmt` of `std` are linked into its wasm.
//!
//! Invariants: every request that arrives gets exactly one response; a late,
//! unknown or duplicate response is ignored; nothing here panics on input.
//!
//! ```
//! use jrpc_shared::{Action, Inbound, Methods};
//! let mut methods = Methods::new();
//! methods.insert("hello", ()).unwrap();
//! let mut inbound = Inbound::new(64);
//! let mut actions = Vec::new();
//! inbound.receive(r#"{"jsonrpc":"2.0","method":"hello","id":1}"#, &methods, &mut actions);
//! let Some(Action::Call { token: Some(token), .. }) = actions.pop() else { panic!() };
//! let reply = inbound.complete(token, Ok(jrpc_shared::RawBuf::string("hi")));
//! assert_eq!(reply.unwrap(), r#"{"jsonrpc":"2.0","result":"hi","id":1}"#);
//! ```

// Unit tests run on std (the test harness needs it); the library that
// everything else links (integration and doc tests, the wasm) is `no_std`
// without the feature.
#![cfg_attr(not(any(feature = "std", test)), no_std)]

extern crate alloc;

/// Logs at debug level through `tracing` when the `tracing` feature is on
/// (the default); compiles to nothing otherwise, which keeps the browser
/// package small.
macro_rules! debug {
    ($($arg:tt)*) => {{
        #[cfg(feature = "tracing")]
        tracing::debug!($($arg)*);
        #[cfg(not(feature = "tracing"))]
        if false {
            // Type-checks the arguments (and uses them) without any code.
            let _ = format_args!($($arg)*);
        }
    }};
}

mod batch_draft;
mod call_error;
mod digits;
mod error_object;
#[cfg(feature = "serde")]
mod finite;
pub mod handler;
mod id;
mod inbound;
pub mod json;
#[cfg(feature = "legacy")]
pub mod legacy;
mod local_map;
mod members;
mod methods;
mod outbound;
#[cfg(feature = "serde")]
mod param_names;
#[cfg(feature = "serde")]
mod params;
pub mod parse;
mod raw;
mod reject;
pub mod subscription;
mod table;
mod wire;

pub use batch_draft::BatchDraft;
pub use call_error::CallError;
pub use error_object::{ErrorObject, code};
pub use handler::{HandlerResult, Outcome};
pub use id::Id;
#[cfg(feature = "std")]
pub use inbound::Rejected;
pub use inbound::{
    Action, Answer, CallToken, Completion, DEFAULT_MAX_BATCH_LEN, DEFAULT_MAX_MESSAGE_SIZE, Inbound,
};
pub use local_map::{LocalHasher, LocalMap};
pub use methods::{Methods, RESERVED_PREFIX, RegisterError};
pub use outbound::{Closed, Outbound, cancel_text};
#[cfg(feature = "serde")]
pub use param_names::param_names;
#[cfg(feature = "serde")]
pub use params::{
    decode_params, decode_result, encode_params, encode_result, encode_result_into, encode_value,
};
pub use raw::{Raw, RawBuf};
pub use wire::{
    TEMPLATE_SEPARATOR, VERSION, call_template, error_response_text, notification_text,
    response_text,
};

/// The notification a peer sends to cancel one of its requests (the Language
/// Server Protocol's convention): params `{"id": <id of the request>}`.
pub const CANCEL_METHOD: &str = "$/cancelRequest";

/// The notification (no params) a server sends each connection when it
/// begins to shut down: "open a new connection, and send new calls there;
/// calls already sent on this one are still answered". Behind a load
/// balancer the new connection reaches another server, so a rolling restart
/// costs no call. A client that ignores it still has a short window before
/// new calls are refused, and then the close (1001).
pub const RECONNECT_METHOD: &str = "rpc.reconnect";
