//! The bounded queue of messages other tasks hand to a connection's driver.
//!
//! A plain `VecDeque` behind a mutex rather than a tokio channel: an idle
//! connection's queue then costs no allocation at all (a channel allocates a
//! block of slots up front), and the driver's existing waker is reused.
//! Senders wait on a `Notify` while the queue is full, so memory stays bounded.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};

use futures_util::task::AtomicWaker;
use tokio::sync::Notify;

/// The connection has ended: nothing can be queued any more.
#[derive(Debug)]
pub(crate) struct Closed;

#[derive(Default)]
struct State {
    queue: VecDeque<String>,
    closed: bool,
}

pub(crate) struct Outbox {
    state: Mutex<State>,
    /// Whether anything is queued: set and cleared under the lock, read
    /// without it, so that the driver's check on every turn of its loop
    /// does not lock an empty queue. A sender sets it before it wakes the
    /// driver, so a text queued after the driver looked is seen next time.
    queued: AtomicBool,
    capacity: usize,
    /// Senders waiting for room.
    space: Notify,
}

impl Outbox {
    pub(crate) fn new(capacity: usize) -> Self {
        Outbox {
            state: Mutex::default(),
            queued: AtomicBool::new(false),
            capacity: capacity.max(1),
            space: Notify::new(),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // The state is a queue and a flag: a panic elsewhere cannot break it.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Queues `text`, waiting while the queue is full; wakes the driver.
    pub(crate) async fn push(&self, text: String, driver: &AtomicWaker) -> Result<(), Closed> {
        loop {
            // Register interest before checking, so room made in between is not missed.
            let room = self.space.notified();
            tokio::pin!(room);
            room.as_mut().enable();
            {
                let mut state = self.state();
                if state.closed {
                    return Err(Closed);
                }
                if state.queue.len() < self.capacity {
                    state.queue.push_back(text);
                    self.queued.store(true, Ordering::Release);
                    drop(state);
                    driver.wake();
                    return Ok(());
                }
            }
            room.await;
        }
    }

    /// Queues `text` if there is room right now; false if full or closed.
    pub(crate) fn try_push(&self, text: String, driver: &AtomicWaker) -> bool {
        let mut state = self.state();
        if state.closed || state.queue.len() >= self.capacity {
            return false;
        }
        state.queue.push_back(text);
        self.queued.store(true, Ordering::Release);
        drop(state);
        driver.wake();
        true
    }

    /// Hands up to `max` queued texts to `sink`; returns whether any moved.
    pub(crate) fn take(&self, max: usize, mut sink: impl FnMut(String)) -> bool {
        if !self.queued.load(Ordering::Acquire) {
            return false;
        }
        let mut state = self.state();
        let n = state.queue.len().min(max);
        if n == 0 {
            return false;
        }
        let was_full = state.queue.len() >= self.capacity;
        state.queue.drain(..n).for_each(&mut sink);
        if state.queue.is_empty() {
            self.queued.store(false, Ordering::Release);
            if state.queue.capacity() > 64 {
                // Give back the memory of a burst once it has drained.
                state.queue = VecDeque::new();
            }
        }
        drop(state);
        if was_full {
            self.space.notify_waiters();
        }
        true
    }

    pub(crate) fn is_empty(&self) -> bool {
        !self.queued.load(Ordering::Acquire)
    }

    /// Refuses everything from now on and drops what is queued.
    pub(crate) fn close(&self) {
        let mut state = self.state();
        state.closed = true;
        state.queue = VecDeque::new();
        self.queued.store(false, Ordering::Release);
        drop(state);
        self.space.notify_waiters();
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.state().closed
    }
}
