//! # jrpc
//!
//! The native side of jrpc: JSON-RPC 2.0 over WebSocket on tokio and
//! tokio-tungstenite, where both ends are peers that call each other.
//!
//! - [`Server`]: one port serves the WebSocket endpoint and, optionally, a
//!   static web page; typed async handlers get the calling [`Connection`].
//! - [`Client`]: the native client, with methods the server can call back.
//! - [`Connection`]: from a handler or anywhere else, `request`, `notify` and
//!   `batch` to the peer; per-connection extensions for auth state.
//!
//! This crate is the library alone: the `jrpc-server` and `jrpc` programs
//! and the demo methods are the `jrpc-cli` crate. Features (all off by
//! default): `static-files` (`ServerBuilder::www`), `signal`
//! (`shutdown_signal()`), `tls` (`https://`, `wss://`), `axum`
//! (`ServerHandle::axum_route`) and `metrics` (Prometheus; the module
//! `jrpc::metrics` lists them).
//!
//! The protocol itself (parsing, dispatch, batches, ids, cancellation) lives in
//! [`jrpc_shared`]; this crate only moves text between it and sockets.
//!
//! ```no_run
//! use jrpc::{Client, Connection, ErrorObject, Server};
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let server = Server::builder()
//!     .sync_method("Add", |_c: Connection, (a, b): (i64, i64)| Ok::<_, ErrorObject>(a + b))
//!     .bind("127.0.0.1:0")
//!     .await?
//!     .spawn();
//! let client = Client::connect(&server.url()).await?;
//! assert_eq!(client.request::<i64, _>("Add", &(5, 10)).await?, 15);
//! server.shutdown();
//! # Ok(()) }
//! ```

mod accept;
pub mod auth;
#[cfg(feature = "axum")]
mod axum;
mod batch;
mod call;
mod client;
mod codec;
mod config;
mod connection;
pub mod describe;
mod dialect;
mod driver;
mod embed;
mod gate;
mod handler_fn;
mod handshake_info;
mod http;
mod listen;
mod meter;
mod method_set;
#[cfg(feature = "metrics")]
pub mod metrics;
mod one_shot;
mod origin;
mod outbox;
mod rate;
mod server;
#[cfg(feature = "signal")]
mod signal;
mod slots;
mod socket;
mod state;
pub mod subscription;
#[cfg(feature = "tls")]
pub mod tls;
mod write_queue;

pub use auth::{Identity, Refusal};
pub use batch::{Batch, BatchAnswers};
pub use client::{Client, ClientBuilder, ConnectError};
pub use codec::Codec;
pub use config::Limits;
pub use connection::Connection;
pub use describe::{ApiInfo, MethodDoc};
pub use dialect::Dialect;
pub use handler_fn::{AsyncMethod, SubscriptionMethod, SyncMethod};
pub use jrpc_shared::{CallError, ErrorObject, Raw, RawBuf, code};
pub use method_set::MethodSet;
pub use origin::OriginPolicy;
pub use rate::RateLimit;
/// serde_json's raw value, for handler params and results that keep part of
/// their JSON undecoded.
pub use serde_json::value::RawValue;
pub use server::{Server, ServerBuilder, ServerHandle};
#[cfg(feature = "signal")]
pub use signal::shutdown_signal;
pub use subscription::{
    Overflow, PendingSubscription, Resume, Retention, Subscription, SubscriptionClosed,
    SubscriptionError, SubscriptionOptions, SubscriptionSink, Topic,
};
