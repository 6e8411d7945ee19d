//! The methods hosted by the `jrpc-server` binary.
//!
//! They live in the library rather than in the binary so tests and examples
//! can host exactly what the binary hosts. Two sets are offered:
//!
//! - [`math_methods`]: the calculator ([`math`]) plus the peer-to-peer demos
//!   ([`callback`]) and the live ones ([`live`]); what the bundled web page uses.
//! - [`spec_methods`]: the methods the JSON-RPC 2.0 specification's examples
//!   call ([`spec`]), for replaying those examples verbatim.

pub mod callback;
pub mod live;
pub mod math;
pub mod number;
pub mod spec;

use serde::Serialize;

pub use callback::sign_in;
pub use number::Number;

use jrpc::{ApiInfo, MethodDoc, MethodSet, ServerBuilder};

/// Notification the binary broadcasts periodically, with [`ClientCount`] as
/// params; the calculator page shows it live.
pub const CLIENTS: &str = "demo.clients";

/// The params of the `demo.clients` notification: `{"count": n}`.
#[derive(Clone, Copy, Debug, Serialize, schemars::JsonSchema)]
pub struct ClientCount {
    /// Open WebSocket connections.
    pub count: usize,
}

/// The methods the demo page provides and the binary calls on it: the
/// [`CLIENTS`] notification, and `ui.time` and `ui.log`, which
/// `demo.callback` calls when the page asks it to (any method a client has
/// may be called that way; these are the page's).
pub fn client_methods(set: &mut MethodSet) -> &mut MethodSet {
    set.client_method(
        CLIENTS,
        MethodDoc::new("How many pages are connected (a notification, every few seconds)")
            .params::<ClientCount>(),
    )
    .client_method(
        "ui.time",
        MethodDoc::new("The page's clock, in ms since 1970")
            .params::<()>()
            .result::<u64>(),
    )
    .client_method(
        "ui.log",
        MethodDoc::new("Shows a line in the page's log")
            .params::<(String,)>()
            .param_names(&["message"])
            .result::<bool>(),
    )
}

/// What `rpc.discover` calls the binary's API ([`math_methods`]).
pub fn api_info() -> ApiInfo {
    ApiInfo::new("jrpc-server demo", env!("CARGO_PKG_VERSION"))
        .description("The calculator, callbacks to the caller, and live subscriptions")
}

/// What `rpc.discover` calls the binary's API with `--methods spec` ([`spec_methods`]).
pub fn spec_api_info() -> ApiInfo {
    ApiInfo::new("jrpc-server --methods spec", env!("CARGO_PKG_VERSION"))
        .description("The methods the JSON-RPC 2.0 specification's examples call")
}

/// The calculator, the callback demos and the live ones (a ticker and a
/// board every page shares, see [`live`]).
pub fn math_methods() -> MethodSet {
    let mut set = math::methods();
    set.merge(callback::methods());
    set.merge(live::methods());
    set
}

/// `builder` with the type names the original Python calculator failed
/// with, for pages and scripts of the original jrpc dialect: a division by
/// zero is a `ZeroDivisionError`, a result too large an `OverflowError`.
pub fn with_legacy_error_names(builder: ServerBuilder) -> ServerBuilder {
    builder
        .legacy_error_name(math::DIVISION_BY_ZERO, "ZeroDivisionError")
        .legacy_error_name(number::NOT_FINITE, "OverflowError")
}

/// The JSON-RPC 2.0 specification's example methods.
pub fn spec_methods() -> MethodSet {
    spec::methods()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_do_not_overlap_and_are_complete() {
        assert_eq!(math_methods().names().count(), 14);
        assert_eq!(spec_methods().names().count(), 6);
    }
}
