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
//! use jrpc::{Connection, Overflow, PendingSubscription, Server, SubscriptionOptions, Topic};
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
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

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
/// use jrpc::{Overflow, SubscriptionOptions};
/// let options = SubscriptionOptions::default().buffer(64).overflow(Overflow::DropOldest);
/// # let _ = options;
/// ```
#[derive(Clone, Copy, Debug)]
pub struct SubscriptionOptions {
    buffer: usize,
    overflow: Overflow,
    wait_limit: Duration,
}

impl Default for SubscriptionOptions {
    /// 256 items; the producer waits when they are full, a topic's
    /// publisher at most 10 s.
    fn default() -> Self {
        SubscriptionOptions {
            buffer: 256,
            overflow: Overflow::Wait,
            wait_limit: Duration::from_secs(10),
        }
    }
}

impl SubscriptionOptions {
    /// Items buffered at most (at least 1).
    pub fn buffer(mut self, items: usize) -> Self {
        self.buffer = items.max(1);
        self
    }

    /// What to do when the buffer is full (see [`Overflow`]). For a topic's
    /// subscribers, [`Overflow::Wait`] makes every publish wait for this one
    /// (up to [`SubscriptionOptions::wait_limit`]); [`Overflow::DropOldest`]
    /// keeps one slow page from slowing the others.
    pub fn overflow(mut self, overflow: Overflow) -> Self {
        self.overflow = overflow;
        self
    }

    /// With [`Overflow::Wait`], the longest a topic's publish waits for this
    /// subscriber before it ends the subscription with -32000 (a client
    /// that stopped reading, such as a phone gone from the network whose
    /// connection has not timed out yet, must not hold every publisher).
    pub fn wait_limit(mut self, limit: Duration) -> Self {
        self.wait_limit = limit;
        self
    }
}

impl SubscriptionOptions {
    pub(crate) fn parts(&self) -> (usize, Overflow, Duration) {
        (self.buffer, self.overflow, self.wait_limit)
    }
}

/// This run of the process: its start time (ms since 1970) mixed with
/// random bits, the first part of every stream's epoch, so that epochs
/// differ across restarts and between servers started in the same
/// millisecond. The randomness is std's (the keys of its hash maps).
static PROCESS_RUN: LazyLock<u64> = LazyLock::new(|| {
    use std::hash::{BuildHasher, RandomState};
    let started = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
    RandomState::new().hash_one(started)
});

/// Milliseconds on a monotonic clock, for history ages.
pub(crate) fn now_ms() -> u64 {
    static ORIGIN: LazyLock<Instant> = LazyLock::new(Instant::now);
    u64::try_from(ORIGIN.elapsed().as_millis()).unwrap_or(u64::MAX)
}
