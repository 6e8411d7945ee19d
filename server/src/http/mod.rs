//! Minimal HTTP/1.1 handling for the single listening port.
//!
//! The server serves both the static web page and the WebSocket endpoint on
//! one port, so it reads the request head itself and then either performs the
//! WebSocket upgrade or serves a file. Only the small subset of HTTP needed for
//! that is implemented here: one request per connection, `Connection: close`.

pub(crate) mod head;
pub(crate) mod post;
pub(crate) mod probes;
pub(crate) mod response;
#[cfg(feature = "static-files")]
pub(crate) mod static_files;

pub(crate) use head::{HeadError, RequestHead, read_head};
#[cfg(feature = "axum")]
pub(crate) use response::accept_key;
pub(crate) use response::{upgrade_response, write_simple};
