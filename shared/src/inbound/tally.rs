//! What the engine answered by itself, without a handler, counted by kind:
//! a server's metrics show it. Kept only with `std` (the native side): the
//! browser's build has neither the counts nor their cost.

use crate::code;

/// Messages the engine refused before any handler saw them, by kind, since
/// the last [`Inbound::take_rejected`](crate::Inbound::take_rejected).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Rejected {
    /// Frames that were not JSON (-32700), binary frames among them.
    pub parse_error: u64,
    /// Messages that were no valid request (-32600), too long batches among them.
    pub invalid_request: u64,
    /// Calls of a method that is not registered (-32601), notifications included.
    pub method_not_found: u64,
    /// Requests refused because too many were in flight, or because the
    /// server is shutting down (-32000).
    pub busy: u64,
    /// Frames over the size limit (-32001).
    pub too_large: u64,
}

impl Rejected {
    /// Counts one refusal with error `code`.
    pub(crate) fn count(&mut self, code: i64) {
        let kind = match code {
            code::PARSE_ERROR => &mut self.parse_error,
            code::METHOD_NOT_FOUND => &mut self.method_not_found,
            code::SERVER_BUSY => &mut self.busy,
            code::MESSAGE_TOO_LARGE => &mut self.too_large,
            _ => &mut self.invalid_request,
        };
        *kind = kind.saturating_add(1);
    }

    /// True when nothing was refused.
    ///
    /// ```
    /// assert!(jrpc_shared::Rejected::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        *self == Rejected::default()
    }
}
