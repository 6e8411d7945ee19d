//! Counting for the server's metrics where things happen. Without the
//! `metrics` feature, or on a server without metrics, every method here does
//! nothing; so the rest of the crate counts without a `cfg` of its own.

#[cfg(feature = "metrics")]
use std::sync::Arc;

use jrpc_shared::Inbound;

#[cfg(feature = "metrics")]
use crate::metrics::Metrics;

/// Why a connection was refused (the `reason` of `jrpc_connections_refused_total`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Refused {
    /// Over `Limits::max_connections`.
    Limit,
    /// A page of an origin the server does not allow.
    Origin,
    /// The handshake hook refused it.
    Auth,
    /// Not a request the server can take (malformed, not an upgrade, a bad body).
    BadRequest,
    /// No complete request within the handshake timeout.
    Timeout,
    /// The TLS handshake failed.
    #[cfg_attr(not(feature = "tls"), allow(dead_code))]
    Tls,
    /// The server is draining.
    ShuttingDown,
}

/// How a connection came in (the `transport` of `jrpc_connections_accepted_total`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Transport {
    WebSocket,
    Http,
}

/// Runs `$count` with the metrics as `$m` if the server keeps them; without
/// the feature, only marks the arguments used.
macro_rules! count {
    ($meter:expr, |$m:ident| $count:expr, $($arg:expr),*) => {{
        #[cfg(feature = "metrics")]
        if let Some($m) = &$meter.0 {
            $count;
        }
        #[cfg(not(feature = "metrics"))]
        let _ = ($($arg,)*);
    }};
}

/// A server's metrics, if it keeps them.
#[derive(Clone, Default)]
pub(crate) struct Meter(#[cfg(feature = "metrics")] Option<Arc<Metrics>>);

impl Meter {
    #[cfg(feature = "metrics")]
    pub(crate) fn new(metrics: Option<Arc<Metrics>>) -> Self {
        Meter(metrics)
    }

    /// The metrics, if the server keeps them.
    #[cfg(feature = "metrics")]
    pub(crate) fn metrics(&self) -> Option<&Metrics> {
        self.0.as_deref()
    }

    /// A message of `bytes` came in.
    #[inline]
    pub(crate) fn received(&self, bytes: usize) {
        count!(self, |m| m.received(bytes), bytes)
    }

    /// A message of `bytes` went out.
    #[inline]
    pub(crate) fn sent(&self, bytes: usize) {
        count!(self, |m| m.sent(bytes), bytes)
    }

    /// Adds what `inbound` refused by itself since it was last asked.
    #[inline]
    pub(crate) fn rejected(&self, inbound: &mut Inbound) {
        count!(self, |m| m.rejected(inbound.take_rejected()), inbound)
    }

    pub(crate) fn accepted(&self, transport: Transport) {
        count!(self, |m| m.accepted(transport), transport)
    }

    pub(crate) fn refused(&self, why: Refused) {
        count!(self, |m| m.refused(why), why)
    }

    /// A call to `method` was refused with error `code` before its handler ran.
    pub(crate) fn refused_call(&self, method: &str, code: i64) {
        count!(self, |m| m.refused_call(method, code), method, code)
    }
}
