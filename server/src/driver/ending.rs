//! How a connection's loop ended, and so how it closes: the peer gone (no
//! close frame to send) or a close frame with its code.

use tokio_tungstenite::tungstenite::Error as WsError;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

/// How the loop ended, and so how to close.
pub(crate) enum Ending {
    /// The peer closed or the transport failed: nothing more to send.
    Gone,
    /// Send this close frame.
    Close(CloseCode, &'static str),
}

/// The ending a transport error means.
pub(super) fn ending_for(error: WsError) -> Ending {
    match error {
        WsError::Capacity(_) => Ending::Close(CloseCode::Size, "message too big"),
        WsError::Protocol(_) => Ending::Close(CloseCode::Protocol, "protocol error"),
        WsError::Utf8(_) => Ending::Close(CloseCode::Invalid, "invalid UTF-8 in a text frame"),
        other => {
            tracing::debug!(error = %other, "connection lost");
            Ending::Gone
        }
    }
}
