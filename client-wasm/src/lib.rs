//! # jrpc-client-wasm
//!
//! The browser side of jrpc: a `JRPC.WebSocket` JavaScript class for two-way
//! JSON-RPC 2.0 over WebSocket, built with wasm-bindgen into an npm package.
//!
//! This crate is a driver and a JavaScript face, nothing more: parsing,
//! dispatch, batches, ids and cancellation come from [`jrpc_shared`], exactly
//! as in the native server. What it adds is what a browser needs:
//! promises, per-call timeouts and `AbortSignal`s, a bounded queue for calls
//! made before the socket opens, reconnects with backoff, events, and browser
//! methods the server can call.
//!
//! Invariants: every call's promise settles (result, error, timeout, abort,
//! lost connection, or close); event handlers and timers are owned closures,
//! detached when their socket or call ends; nothing panics on network input.

mod api;
mod backoff;
mod client;
mod connection;
mod deadlines;
mod error;
mod events;
mod incoming;
mod js;
mod methods;
mod options;
mod outgoing;
mod socket;
mod waiter;

pub use api::{JsBatch, JsClient};

/// Hand-written TypeScript declarations for the classes (the generated ones
/// would say `any` for every argument).
#[wasm_bindgen::prelude::wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = include_str!("types.d.ts");
pub use error::JsError;
