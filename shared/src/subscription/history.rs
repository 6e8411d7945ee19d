//! A topic's recent items, numbered, for clients that resume after a reconnect.

use alloc::collections::VecDeque;
use alloc::string::String;
use alloc::vec::Vec;

/// How much history a topic keeps: at most `max_items` items, none older
/// than `max_age_ms`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Retention {
    /// Items kept at most (0: none, resumes always report a gap).
    pub max_items: usize,
    /// The age (ms) after which an item is dropped.
    pub max_age_ms: u64,
}

impl Default for Retention {
    /// 1,024 items, 5 minutes: enough for a page to ride out a reconnect or
    /// a laptop's short sleep.
    fn default() -> Self {
        Retention {
            max_items: 1024,
            max_age_ms: 5 * 60 * 1000,
        }
    }
}

/// The numbered items of one stream (`T`: an item's JSON text, shared) and
/// its epoch, which names this run of the numbering: a server that restarts
/// starts a new epoch, so a client can tell "you missed 3 items" from "what
/// you missed is gone". Sequence numbers start at 1. The caller passes the
/// time (`now_ms`, any monotonic clock in ms): this crate has no clock.
///
/// ```
/// use jrpc_shared::subscription::{History, Retention};
/// let mut h = History::new("e1".into(), Retention { max_items: 2, max_age_ms: 60_000 });
/// for item in ["a", "b", "c"] {
///     h.push(item, 0);
/// }
/// // The client saw item 1 ("a"); 2 and 3 are held.
/// let c = h.catch_up("e1", 1, 0);
/// assert_eq!((c.missed, c.items), (Some(0), vec![(2, "b"), (3, "c")]));
/// // It saw nothing after 0: item 1 is gone.
/// assert_eq!(h.catch_up("e1", 0, 0).missed, Some(1));
/// // Another epoch: unknown loss, and everything held is new to it.
/// assert_eq!(h.catch_up("e0", 7, 0).missed, None);
/// ```
#[derive(Debug)]
pub struct History<T> {
    epoch: String,
    next_seq: u64,
    items: VecDeque<(u64, u64, T)>,
    retention: Retention,
}

/// What a resuming client gets: how many items it missed (`Some(0)`: none,
/// `None`: unknown, another epoch) and the held items it has not seen, in
/// order, with their sequence numbers.
#[derive(Debug, PartialEq, Eq)]
pub struct CatchUp<T> {
    /// Items lost for good.
    pub missed: Option<u64>,
    /// Items to send before the live ones.
    pub items: Vec<(u64, T)>,
}

impl<T: Clone> History<T> {
    /// An empty history of epoch `epoch`.
    pub fn new(epoch: String, retention: Retention) -> Self {
        History {
            epoch,
            next_seq: 1,
            items: VecDeque::new(),
            retention,
        }
    }

    /// This stream's epoch.
    pub fn epoch(&self) -> &str {
        &self.epoch
    }

    /// The sequence number the next item will get.
    pub fn next_seq(&self) -> u64 {
        self.next_seq
    }

    /// Numbers `item`, keeps it (within the retention) and returns its number.
    pub fn push(&mut self, item: T, now_ms: u64) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        if self.retention.max_items > 0 {
            if self.items.len() >= self.retention.max_items {
                self.items.pop_front();
            }
            self.items.push_back((seq, now_ms, item));
        }
        self.expire(now_ms);
        seq
    }

    /// Drops the items older than the retention allows.
    pub fn expire(&mut self, now_ms: u64) {
        let oldest = now_ms.saturating_sub(self.retention.max_age_ms);
        while self.items.front().is_some_and(|(_, at, _)| *at < oldest) {
            self.items.pop_front();
        }
    }

    /// What a client that last got item `seq` of epoch `epoch` should get now.
    pub fn catch_up(&mut self, epoch: &str, seq: u64, now_ms: u64) -> CatchUp<T> {
        self.expire(now_ms);
        let held = |from: u64| -> Vec<(u64, T)> {
            self.items
                .iter()
                .filter(|(s, _, _)| *s >= from)
                .map(|(s, _, item)| (*s, item.clone()))
                .collect()
        };
        if epoch != self.epoch {
            return CatchUp {
                missed: None,
                items: held(0),
            };
        }
        // A number this stream never gave (another server's stream under
        // the same epoch name): what the client has is unknown.
        if seq >= self.next_seq {
            return CatchUp {
                missed: None,
                items: held(0),
            };
        }
        let wanted = seq + 1;
        let oldest = self.items.front().map_or(self.next_seq, |(s, _, _)| *s);
        CatchUp {
            missed: Some(oldest.saturating_sub(wanted)),
            items: held(wanted),
        }
    }
}
