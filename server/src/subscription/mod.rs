//! Subscriptions: items the server sends until the client unsubscribes.
//!
//! A subscription is registered like a method ([`MethodSet::subscription`](crate::MethodSet::subscription)):
//! its handler gets the connection, the decoded params and a
//! [`PendingSubscription`], which it accepts (getting a
//! [`SubscriptionSink`] to send items to) or rejects with an error. Or it
//! hands the pending subscription to a [`Topic`], which every publish
//! reaches and which keeps a history for clients that resume after a
//! reconnect. The wire format is jsonrpsee's (see
//! [`jrpc_shared::subscription`]), with sequence numbers, epochs, gaps and
//! an end message added in members other clients ignore.
//!
//! ```no_run
//! use jrpc_server::{Connection, Overflow, PendingSubscription, Server, SubscriptionOptions, Topic};
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let board = Topic::new("board");
//! let topic = board.clone();
//! let server = Server::builder()
//!     .subscription("count.subscribe", "count", "count.unsubscribe",
//!         |_c: Connection, (to,): (u64,), pending: PendingSubscription| async move {
//!             let Ok(sink) = pending.accept().await else { return };
//!             for n in 0..to {
//!                 if sink.send(&n).await.is_err() { return } // unsubscribed or gone
//!             }
//!         })
//!     .subscription("board.subscribe", "board", "board.unsubscribe",
//!         move |_c: Connection, (): (), pending: PendingSubscription| {
//!             let topic = topic.clone();
//!             let options = SubscriptionOptions::default().buffer(64).overflow(Overflow::DropOldest);
//!             async move { let _ = topic.subscribe(pending, options).await; }
//!         })
//!     .bind("127.0.0.1:0").await?.spawn();
//! board.publish(&"hello").await?;
//! # drop(server);
//! # Ok(()) }
//! ```

mod pending;
mod register;
mod sink;
mod state;
mod subscribing;
mod topic;

use std::sync::LazyLock;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

pub use jrpc_shared::subscription::{Overflow, Resume, Retention};
pub use pending::PendingSubscription;
pub(crate) use register::{SubscribeFn, Unsubscribe};
pub use sink::{SubscriptionClosed, SubscriptionSink};
pub(crate) use state::Subscriptions;
pub(crate) use subscribing::Inboxes;
pub use subscribing::{Subscription, SubscriptionError};
pub use topic::Topic;

/// The buffer of one subscription: how many items may wait for the socket,
/// and what happens when they are that many.
///
/// ```
/// use jrpc_server::{Overflow, SubscriptionOptions};
/// let options = SubscriptionOptions::default().buffer(64).overflow(Overflow::DropOldest);
/// # let _ = options;
/// ```
#[derive(Clone, Copy, Debug)]
pub struct SubscriptionOptions {
    buffer: usize,
    overflow: Overflow,
}

impl Default for SubscriptionOptions {
    /// 256 items; the producer waits when they are full.
    fn default() -> Self {
        SubscriptionOptions {
            buffer: 256,
            overflow: Overflow::Wait,
        }
    }
}

impl SubscriptionOptions {
    /// Items buffered at most (at least 1).
    pub fn buffer(mut self, items: usize) -> Self {
        self.buffer = items.max(1);
        self
    }

    /// What to do when the buffer is full (see [`Overflow`]).
    pub fn overflow(mut self, overflow: Overflow) -> Self {
        self.overflow = overflow;
        self
    }
}

/// When this process started, in ms since 1970: the first part of every
/// stream's epoch, so that epochs differ across restarts.
static PROCESS_START: LazyLock<u64> = LazyLock::new(|| {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
});

/// Milliseconds on a monotonic clock, for history ages.
pub(crate) fn now_ms() -> u64 {
    static ORIGIN: LazyLock<Instant> = LazyLock::new(Instant::now);
    u64::try_from(ORIGIN.elapsed().as_millis()).unwrap_or(u64::MAX)
}
