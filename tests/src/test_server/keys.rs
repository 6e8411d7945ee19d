//! Named markers that let a test see what happened to a call it cannot see
//! directly: `test.hang` marks its key started, and cancelled when the server
//! drops its future; `test.status` and `test.waitCancelled` read them.
//!
//! Each key holds a `watch` channel, so a waiter wakes the moment the mark is
//! set instead of polling.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde::Serialize;
use tokio::sync::watch;

/// What is known about one key: the answer of `test.status`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Status {
    /// A `test.hang` call with this key has started.
    pub started: bool,
    /// That call's future was dropped: cancelled, or its connection closed.
    pub cancelled: bool,
}

/// Every key seen so far. Keys are never removed: a test server lives for one
/// test run, and a key should be unique per call anyway.
#[derive(Default)]
pub struct Keys {
    map: Mutex<HashMap<String, Arc<watch::Sender<Status>>>>,
}

impl Keys {
    /// The channel of `key`, created unmarked on first use, so a waiter may
    /// subscribe before the call it waits for has started.
    fn entry(&self, key: &str) -> Arc<watch::Sender<Status>> {
        let mut map = self.map();
        if let Some(sender) = map.get(key) {
            return Arc::clone(sender);
        }
        let sender = Arc::new(watch::channel(Status::default()).0);
        map.insert(key.to_owned(), Arc::clone(&sender));
        sender
    }

    fn map(&self) -> MutexGuard<'_, HashMap<String, Arc<watch::Sender<Status>>>> {
        // A panic while holding the lock cannot leave the map half-updated.
        self.map.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The marks of `key` (both false for a key never seen).
    pub fn status(&self, key: &str) -> Status {
        match self.map().get(key) {
            Some(sender) => *sender.borrow(),
            None => Status::default(),
        }
    }

    /// Marks `key` started (afresh: a reused key loses its old cancelled
    /// mark) and returns the guard that marks it cancelled when dropped.
    pub fn start(&self, key: &str) -> CancelMark {
        let sender = self.entry(key);
        sender.send_replace(Status {
            started: true,
            cancelled: false,
        });
        CancelMark(sender)
    }

    /// True as soon as `key` is marked cancelled, false if that has not
    /// happened within `timeout`.
    pub async fn wait_cancelled(&self, key: &str, timeout: Duration) -> bool {
        let mut marks = self.entry(key).subscribe();
        let cancelled = marks.wait_for(|status| status.cancelled);
        matches!(tokio::time::timeout(timeout, cancelled).await, Ok(Ok(_)))
    }
}

/// Held by a hanging call's future; marks its key cancelled when the future
/// is dropped, which is the only way such a call ends.
pub struct CancelMark(Arc<watch::Sender<Status>>);

impl Drop for CancelMark {
    fn drop(&mut self) {
        self.0.send_modify(|status| status.cancelled = true);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn marks_follow_the_guard() {
        let keys = Keys::default();
        assert_eq!(keys.status("k"), Status::default());
        let mark = keys.start("k");
        assert_eq!(
            keys.status("k"),
            Status {
                started: true,
                cancelled: false
            }
        );
        assert!(!keys.wait_cancelled("k", Duration::from_millis(1)).await);
        drop(mark);
        assert!(keys.status("k").cancelled);
        assert!(keys.wait_cancelled("k", Duration::from_secs(10)).await);
    }
}
