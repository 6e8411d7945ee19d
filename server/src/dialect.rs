//! Which protocol a connection speaks on the wire.

/// The protocol of a connection's frames. Either way the same engine and the
/// same method table serve it: the original jrpc dialect is translated at the
/// edge ([`jrpc_shared::legacy`]).
///
/// ```
/// use jrpc::{Client, Dialect};
/// let builder = Client::builder().dialect(Dialect::Jrpc);
/// # drop(builder);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Dialect {
    /// JSON-RPC 2.0.
    #[default]
    JsonRpc,
    /// The original jrpc protocol (`{"method", "args", "kwargs", "id"}`
    /// requests, `{"id", "result", "error"}` responses), spoken by the
    /// original `jrpc.js` and the Python `jrpc` package.
    Jrpc,
}
