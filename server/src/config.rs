//! Limits and timeouts, with defaults safe for a server facing the internet.

use std::time::Duration;

/// Per-connection and per-server limits. Every field has a safe default.
///
/// ```
/// use jrpc::Limits;
/// let limits = Limits { max_in_flight: 64, ..Limits::default() };
/// assert_eq!(limits.max_message_size, 1024 * 1024);
/// ```
#[derive(Clone, Debug)]
pub struct Limits {
    /// Largest message accepted, in bytes (default 1 MiB). A larger message up to
    /// [`Limits::hard_message_cap`] is answered with error -32001 and the
    /// connection stays open; anything beyond that closes it with code 1009.
    pub max_message_size: usize,
    /// Requests a connection may have running at once (default 1,024); more are
    /// answered with -32000 "Server busy". Also bounds pending notification handlers:
    /// beyond it the connection stops reading until some finish.
    pub max_in_flight: usize,
    /// Messages one batch may hold (default 1,024); a longer batch is answered
    /// with a single -32600 error instead of one answer per message.
    pub max_batch_len: usize,
    /// Connections served at once (default 10,000); more are refused with HTTP 503.
    pub max_connections: usize,
    /// Time a client has to send its HTTP request and finish the upgrade (default 10 s).
    pub handshake_timeout: Duration,
    /// Default timeout of requests this side sends to the peer (default 30 s).
    pub request_timeout: Duration,
    /// Outgoing messages that may wait for the socket per connection (default 1,024).
    /// Senders wait when it is full; broadcasts skip connections that are that far behind.
    pub max_queued_messages: usize,
    /// How long graceful shutdown lets running calls finish (default 10 s).
    pub shutdown_grace: Duration,
    /// How long, after a shutdown told a connection to reconnect
    /// ([`RECONNECT_METHOD`](jrpc_shared::RECONNECT_METHOD)), it still
    /// runs new calls (default 1 s; within `shutdown_grace`): those its
    /// client sent before it read the notice. Later ones are answered with
    /// -32000 "Server shutting down". The browser client moves at once; a
    /// client that ignores the notice is closed (1001) after this window
    /// and its running calls.
    pub shutdown_notice: Duration,
    /// Handlers running at once across the whole server, every connection
    /// together (default `None`: no cap beyond `max_in_flight` per
    /// connection); wsjsonrpc's `concurrency`. A call that finds them all
    /// busy is not refused: it waits for a slot, in arrival order. The wait
    /// is bounded by `max_in_flight` per connection, and a waiting call can
    /// be cancelled.
    pub max_running_handlers: Option<usize>,
    /// Subscriptions one connection may hold at once (default 1,024, as
    /// jsonrpsee's); a subscribe request beyond it is answered with -32000.
    pub max_subscriptions: usize,
    /// Calls the peer may make per second, with a burst (default `None`:
    /// no limit). A call beyond it is answered at once with -32005 and
    /// `data.retryAfterMs`, never queued; a notification beyond it is
    /// dropped. Every call of a batch counts; `$/cancelRequest` does not.
    pub rate_limit: Option<crate::RateLimit>,
    /// A WebSocket ping goes out when the peer has been quiet this long
    /// (default 30 s; `None`: never). Browsers answer pings by themselves.
    pub ping_interval: Option<Duration>,
    /// A peer silent this long (no pong, no message) is given up: its
    /// connection ends and calls waiting on it fail with -32003 (default
    /// 40 s). Only with `ping_interval`, and only after a ping went
    /// unanswered: not longer than `ping_interval`, it means twice that.
    pub peer_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_message_size: 1024 * 1024,
            max_in_flight: 1024,
            max_batch_len: jrpc_shared::DEFAULT_MAX_BATCH_LEN,
            max_connections: 10_000,
            handshake_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            max_queued_messages: 1024,
            shutdown_grace: Duration::from_secs(10),
            shutdown_notice: Duration::from_secs(1),
            max_running_handlers: None,
            max_subscriptions: 1024,
            rate_limit: None,
            ping_interval: Some(Duration::from_secs(30)),
            peer_timeout: Duration::from_secs(40),
        }
    }
}

impl Limits {
    /// The size beyond which a message is not even read: four times
    /// `max_message_size`, at least 1 MiB more than it.
    pub fn hard_message_cap(&self) -> usize {
        self.max_message_size
            .saturating_mul(4)
            .max(self.max_message_size.saturating_add(1024 * 1024))
    }

    /// The WebSocket settings these limits imply. The read buffer is 3 KiB
    /// instead of tungstenite's 128 KiB, since every idle connection keeps
    /// one: 3 KiB measured as fast as 4 KiB on 8 KB and 100 KB messages
    /// (2 KiB was 7-15% slower there) and takes an idle connection from
    /// 8.8 to 7.8 KiB.
    pub(crate) fn websocket_config(
        &self,
    ) -> tokio_tungstenite::tungstenite::protocol::WebSocketConfig {
        let cap = self.hard_message_cap();
        tokio_tungstenite::tungstenite::protocol::WebSocketConfig::default()
            .read_buffer_size(3 * 1024)
            .write_buffer_size(64 * 1024)
            .max_message_size(Some(cap))
            .max_frame_size(Some(cap))
    }
}
