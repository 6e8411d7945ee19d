//! One subscription's state, and the connection's table of them.
//!
//! Items wait in the subscription's own bounded [`Queue`] (with its overflow
//! policy), not in the connection's outbox: the connection's driver takes
//! them as the socket has room, in turn from every subscription that has
//! some, so a slow socket fills only its own subscriptions' buffers and a
//! busy subscription cannot starve the others or the replies.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};

use jrpc_shared::ErrorObject;
use jrpc_shared::subscription::{Head, Next, Offered, Queue};
use tokio::sync::Notify;

use crate::connection::Shared;

static NEXT_SUBSCRIPTION: AtomicU64 = AtomicU64::new(1);

/// How a subscription ends, once its buffer is written.
type Ending = Option<ErrorObject>;

struct State {
    queue: Queue<Arc<str>>,
    epoch: Arc<str>,
    /// The number of the next item a handler sends (topics number their own).
    next_seq: u64,
    /// A gap to report before the next item (a resume that could not be
    /// served in full).
    gap: Option<(Option<u64>, u64)>,
    /// Set when the stream ends: the end message goes out after the buffer.
    ending: Option<Ending>,
    /// Unsubscribed, or the connection ended: nothing more is sent.
    closed: bool,
    /// The subscribe request's response has been queued: items may follow.
    announced: bool,
    /// In the connection's list of subscriptions with something to write.
    scheduled: bool,
}

/// One subscription of one connection.
pub(crate) struct Sub {
    pub(crate) id: u64,
    /// The notification method (an unsubscribe method ends only its own kind).
    method: Arc<str>,
    /// How long a topic's publish may wait for room here.
    pub(crate) wait_limit: std::time::Duration,
    head: Head,
    conn: Weak<Shared>,
    state: Mutex<State>,
    /// Producers waiting for room, and [`Sub::closed`] waiters.
    changed: Notify,
}

/// What [`Sub::offer`] did with an item.
pub(crate) enum Offer {
    Queued,
    /// Full, and the policy is to wait: here is the item back.
    Full(Arc<str>),
    /// Closed, or ended by its overflow policy.
    Gone,
}

impl Sub {
    /// A subscription of `conn`, whose messages are notifications of `method`.
    pub(crate) fn new(
        conn: &Arc<Shared>,
        method: &Arc<str>,
        options: &super::SubscriptionOptions,
    ) -> Arc<Sub> {
        let (buffer, overflow, wait_limit) = options.parts();
        let id = NEXT_SUBSCRIPTION.fetch_add(1, Ordering::Relaxed);
        let id_json = id_json(id);
        Arc::new(Sub {
            id,
            method: Arc::clone(method),
            wait_limit,
            head: Head::new(method, &id_json),
            conn: Arc::downgrade(conn),
            state: Mutex::new(State {
                queue: Queue::new(buffer, overflow),
                epoch: Arc::from(stream_epoch().as_str()),
                next_seq: 1,
                gap: None,
                ending: None,
                closed: false,
                announced: false,
                scheduled: false,
            }),
            changed: Notify::new(),
        })
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // Plain data: a panic elsewhere cannot leave it inconsistent.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The id as JSON (the subscribe request's result).
    pub(crate) fn id_json(&self) -> String {
        id_json(self.id)
    }

    /// Follows another stream's numbering (a topic's) from now on.
    pub(crate) fn set_epoch(&self, epoch: Arc<str>) {
        self.state().epoch = epoch;
    }

    /// Reports `missed` items (unknown when `None`) before item `seq`.
    pub(crate) fn set_gap(self: &Arc<Self>, missed: Option<u64>, seq: u64) {
        let mut state = self.state();
        if state.closed {
            return;
        }
        state.gap = Some((missed, seq));
        let wake = self.schedule(&mut state);
        drop(state);
        if wake {
            self.wake_driver();
        }
    }

    /// Buffers a held item for a resuming client, beyond the buffer's size
    /// if need be (the history's retention bounds it).
    pub(crate) fn catch_up(self: &Arc<Self>, seq: u64, item: Arc<str>) {
        let mut state = self.state();
        if state.closed || state.ending.is_some() {
            return;
        }
        state.queue.push_over(seq, item);
        let wake = self.schedule(&mut state);
        drop(state);
        if wake {
            self.wake_driver();
        }
    }

    /// Buffers item `seq` (`None`: the next number of the handler's own
    /// stream, taken only if the item is buffered, under the same lock, so
    /// that numbers reach the wire in order however many tasks share the
    /// sink), as the overflow policy says when the buffer is full.
    pub(crate) fn offer(self: &Arc<Self>, seq: Option<u64>, item: Arc<str>) -> Offer {
        let mut state = self.state();
        if state.closed || state.ending.is_some() {
            return Offer::Gone;
        }
        let own = seq.is_none();
        let seq = seq.unwrap_or(state.next_seq);
        match state.queue.offer(seq, item) {
            Offered::Queued => {
                if own {
                    state.next_seq += 1;
                }
                let wake = self.schedule(&mut state);
                drop(state);
                if wake {
                    self.wake_driver();
                }
                Offer::Queued
            }
            Offered::Full(item) => Offer::Full(item),
            Offered::Ended => {
                state.ending = Some(Some(too_slow()));
                let wake = self.schedule(&mut state);
                drop(state);
                if wake {
                    self.wake_driver();
                }
                Offer::Gone
            }
        }
    }

    /// Waits until the buffer has room or the subscription is gone.
    pub(crate) async fn room(&self) {
        loop {
            let changed = self.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            {
                let state = self.state();
                if state.closed || state.ending.is_some() || state.queue.has_room() {
                    return;
                }
            }
            changed.await;
        }
    }

    /// Ends the stream: after what is buffered, the end message (`error`:
    /// `None` for a completed stream). Nothing more can be offered.
    pub(crate) fn end(self: &Arc<Self>, error: Option<ErrorObject>) {
        let mut state = self.state();
        if state.closed || state.ending.is_some() {
            return;
        }
        state.ending = Some(error);
        let wake = self.schedule(&mut state);
        drop(state);
        self.changed.notify_waiters();
        if wake {
            self.wake_driver();
        }
    }

    /// Unsubscribed, or the connection is gone: drops what is buffered and
    /// wakes everyone waiting on it.
    pub(crate) fn close(&self) {
        let mut state = self.state();
        state.closed = true;
        state.gap = None;
        while state.queue.take().is_some() {}
        drop(state);
        self.changed.notify_waiters();
    }

    /// Whether the client unsubscribed or the connection ended.
    pub(crate) fn is_closed(&self) -> bool {
        self.state().closed
    }

    /// Closed, or ending: nothing more can be offered.
    pub(crate) fn is_gone(&self) -> bool {
        let state = self.state();
        state.closed || state.ending.is_some()
    }

    /// Waits until [`Sub::is_closed`].
    pub(crate) async fn closed(&self) {
        loop {
            let changed = self.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            if self.is_closed() {
                return;
            }
            changed.await;
        }
    }

    /// The subscribe request is answered: items may follow its response.
    /// Called by the subscribe method's future as it completes, inside the
    /// connection's driver, which queues that response before it takes any
    /// item of a subscription (see `Driver::poll_run`).
    pub(crate) fn announce(self: &Arc<Self>) {
        let mut state = self.state();
        state.announced = true;
        let wake = self.schedule(&mut state);
        drop(state);
        if wake {
            self.wake_driver();
        }
    }

    /// Puts this subscription in the connection's list of those with
    /// something to write, once; whether the driver should be woken.
    fn schedule(self: &Arc<Self>, state: &mut State) -> bool {
        let pending = !state.queue.is_empty() || state.ending.is_some() || state.gap.is_some();
        if state.scheduled || !state.announced || !pending {
            return false;
        }
        let Some(conn) = self.conn.upgrade() else {
            return false;
        };
        state.scheduled = true;
        conn.subs.schedule(Arc::clone(self));
        true
    }

    fn wake_driver(&self) {
        if let Some(conn) = self.conn.upgrade() {
            conn.control.waker.wake();
        }
    }

    /// The next message to write, for the driver; `Done` once the stream's
    /// end message has been handed out.
    fn next_message(&self) -> Written {
        let mut state = self.state();
        if state.closed {
            state.scheduled = false;
            return Written::Done(None);
        }
        let epoch = Arc::clone(&state.epoch);
        if let Some((missed, seq)) = state.gap.take() {
            return self.more(state, self.head.gap(seq, &epoch, missed));
        }
        match state.queue.take() {
            Some(Next::Item(seq, item)) => {
                let text = self.head.item(seq, &epoch, &item);
                drop(state);
                // Room for a waiting producer.
                self.changed.notify_waiters();
                let mut state = self.state();
                self.more_after(&mut state, text)
            }
            Some(Next::Gap { missed, seq }) => {
                self.more(state, self.head.gap(seq, &epoch, Some(missed)))
            }
            None => match state.ending.take() {
                Some(error) => {
                    state.closed = true;
                    state.scheduled = false;
                    drop(state);
                    self.changed.notify_waiters();
                    Written::Done(Some(self.head.end(error.as_ref())))
                }
                None => {
                    state.scheduled = false;
                    Written::Idle
                }
            },
        }
    }

    fn more(&self, mut state: MutexGuard<'_, State>, text: String) -> Written {
        self.more_after(&mut state, text)
    }

    fn more_after(&self, state: &mut State, text: String) -> Written {
        let more = !state.queue.is_empty() || state.ending.is_some() || state.gap.is_some();
        if !more {
            state.scheduled = false;
        }
        Written::Text(text, more)
    }
}

/// What the driver got from one subscription.
enum Written {
    /// A message; whether the subscription has more.
    Text(String, bool),
    /// Nothing now.
    Idle,
    /// The subscription is over (with its end message, if any).
    Done(Option<String>),
}

fn id_json(id: u64) -> String {
    let mut text = String::with_capacity(24);
    text.push('"');
    text.push_str(&id.to_string());
    text.push('"');
    text
}

/// The error a subscription ends with when its consumer is too slow and its
/// policy is [`Overflow::End`](crate::Overflow::End).
fn too_slow() -> ErrorObject {
    ErrorObject::new(
        jrpc_shared::code::SERVER_BUSY,
        "subscription ended: the client did not keep up and its buffer was full",
    )
}

/// An epoch for a new stream: unique to this process and this run of it, so
/// a client that resumes across a server restart learns that the history is
/// gone.
pub(crate) fn stream_epoch() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    format!(
        "{:x}.{}",
        *crate::subscription::PROCESS_RUN,
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// A connection's subscriptions.
#[derive(Default)]
pub(crate) struct Subscriptions {
    table: Mutex<Table>,
    /// Whether `ready` is non-empty: read by the driver on every turn
    /// without the lock (as the outbox does).
    ready: AtomicBool,
}

#[derive(Default)]
struct Table {
    live: HashMap<u64, Arc<Sub>>,
    ready: VecDeque<Arc<Sub>>,
    limit: usize,
    ended: bool,
}

impl Subscriptions {
    fn table(&self) -> MutexGuard<'_, Table> {
        self.table.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Sets the most subscriptions one connection may hold.
    pub(crate) fn set_limit(&self, limit: usize) {
        self.table().limit = limit;
    }

    /// The limit, when the connection holds as many subscriptions already
    /// (or has ended).
    pub(crate) fn has_room(&self) -> Result<(), usize> {
        let table = self.table();
        match table.ended || table.live.len() >= table.limit {
            true => Err(table.limit),
            false => Ok(()),
        }
    }

    /// Adds `sub`; the limit when the connection holds as many already (or
    /// has ended).
    pub(crate) fn add(&self, sub: &Arc<Sub>) -> Result<(), usize> {
        let mut table = self.table();
        if table.ended || table.live.len() >= table.limit {
            return Err(table.limit);
        }
        table.live.insert(sub.id, Arc::clone(sub));
        Ok(())
    }

    /// Removes subscription `id` (unsubscribe) if it is one whose messages
    /// are notifications of `method`: whether it was live.
    pub(crate) fn unsubscribe(&self, id: u64, method: &str) -> bool {
        let sub = {
            let mut table = self.table();
            match table.live.get(&id) {
                Some(sub) if *sub.method == *method => table.live.remove(&id),
                _ => None,
            }
        };
        match sub {
            Some(sub) => {
                sub.close();
                true
            }
            None => false,
        }
    }

    fn remove(&self, id: u64) {
        self.table().live.remove(&id);
    }

    fn schedule(&self, sub: Arc<Sub>) {
        let mut table = self.table();
        table.ready.push_back(sub);
        self.ready.store(true, Ordering::Release);
    }

    /// How many subscriptions are live.
    pub(crate) fn len(&self) -> usize {
        self.table().live.len()
    }

    /// For the driver: up to `room` messages from the subscriptions that
    /// have some, one from each in turn; whether it got any.
    pub(crate) fn take(&self, room: usize, mut sink: impl FnMut(String)) -> bool {
        if room == 0 || !self.ready.load(Ordering::Acquire) {
            return false;
        }
        let mut taken = 0;
        while taken < room {
            let Some(sub) = self.table().ready.pop_front() else {
                break;
            };
            match sub.next_message() {
                Written::Text(text, more) => {
                    sink(text);
                    taken += 1;
                    if more {
                        self.table().ready.push_back(sub);
                    }
                }
                Written::Idle => {}
                Written::Done(end) => {
                    if let Some(text) = end {
                        sink(text);
                        taken += 1;
                    }
                    self.remove(sub.id);
                }
            }
        }
        let mut table = self.table();
        if table.ready.is_empty() {
            self.ready.store(false, Ordering::Release);
            if table.ready.capacity() > 64 {
                table.ready = VecDeque::new();
            }
        }
        taken > 0
    }

    /// The connection ended: every subscription closes (their producers
    /// learn it) and no new one is taken.
    pub(crate) fn end_all(&self) {
        let subs: Vec<Arc<Sub>> = {
            let mut table = self.table();
            table.ended = true;
            table.ready.clear();
            self.ready.store(false, Ordering::Release);
            table.live.drain().map(|(_, sub)| sub).collect()
        };
        for sub in subs {
            sub.close();
        }
    }
}
