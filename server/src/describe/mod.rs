//! Describing what a server serves, for `rpc.discover`: an OpenRPC 1.3
//! document of every method, with JSON Schemas of params, results and
//! errors derived from the Rust types (`schemars`), the subscriptions, and
//! the methods the server calls on its clients.
//!
//! ```
//! use jrpc::{ApiInfo, Connection, ErrorObject, MethodDoc, Server};
//! #[derive(serde::Deserialize, schemars::JsonSchema)]
//! struct Operands { a: f64, b: f64 }
//! let builder = Server::builder()
//!     .sync_method("add", |_c: Connection, o: Operands| Ok::<_, ErrorObject>(o.a + o.b))
//!     .describe("add", MethodDoc::new("Adds two numbers").params::<Operands>().result::<f64>())
//!     .discover(ApiInfo::new("calculator", "1.0.0"));
//! # let _ = builder;
//! ```

mod doc;
pub(crate) mod docs;
mod openrpc;

pub use doc::{ApiInfo, MethodDoc};
pub use openrpc::OPENRPC_VERSION;
pub(crate) use openrpc::document;

/// The method that answers with the document (OpenRPC's service discovery).
pub const DISCOVER: &str = "rpc.discover";

impl crate::Connection {
    /// The peer's description of itself: its answer to `rpc.discover` (an
    /// OpenRPC document when it is a jrpc server with
    /// [`ServerBuilder::discover`](crate::ServerBuilder::discover) on).
    pub async fn discover(&self) -> Result<serde_json::Value, crate::CallError> {
        self.request(DISCOVER, &()).await
    }
}
