//! One subscriber's buffer of items not yet written, with its policy for
//! when the subscriber reads slower than items come.

use alloc::collections::VecDeque;

/// What to do when a subscriber's buffer is full, chosen per subscription.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Overflow {
    /// The producer waits for room (backpressure); nothing is lost.
    #[default]
    Wait,
    /// The oldest buffered item is dropped to make room, and the subscriber
    /// is told how many it missed (a gap) before the next item it gets.
    DropOldest,
    /// The subscription ends with an error: a consumer that cannot keep up
    /// is cut off rather than slowed down or served partly.
    End,
}

/// The outcome of [`Queue::offer`].
#[derive(Debug, PartialEq, Eq)]
pub enum Offered<T> {
    /// Buffered.
    Queued,
    /// Full, policy [`Overflow::Wait`]: the item comes back; offer it again
    /// once there is room.
    Full(T),
    /// Full, policy [`Overflow::End`]: the subscription must end.
    Ended,
}

/// What [`Queue::take`] hands out, in order.
#[derive(Debug, PartialEq, Eq)]
pub enum Next<T> {
    /// An item and its sequence number.
    Item(u64, T),
    /// `missed` items dropped before item `seq` (policy [`Overflow::DropOldest`]).
    Gap {
        /// How many.
        missed: u64,
        /// The sequence number of the item after them.
        seq: u64,
    },
}

/// A bounded buffer of numbered items with an [`Overflow`] policy. Memory is
/// bounded by `capacity` items whatever the subscriber does.
///
/// ```
/// use jrpc_shared::subscription::{Next, Offered, Overflow, Queue};
/// let mut q = Queue::new(2, Overflow::DropOldest);
/// for seq in 1..=4 {
///     assert_eq!(q.offer(seq, seq * 10), Offered::Queued);
/// }
/// assert_eq!(q.take(), Some(Next::Gap { missed: 2, seq: 3 }));
/// assert_eq!(q.take(), Some(Next::Item(3, 30)));
/// ```
#[derive(Debug)]
pub struct Queue<T> {
    items: VecDeque<(u64, T)>,
    capacity: usize,
    overflow: Overflow,
    dropped: u64,
    /// Catch-up items still at the front (see [`Queue::push_over`]): not
    /// counted against the capacity, which is for live items.
    over: usize,
}

impl<T> Queue<T> {
    /// An empty buffer of at most `capacity` items (at least 1).
    pub fn new(capacity: usize, overflow: Overflow) -> Self {
        Queue {
            items: VecDeque::new(),
            capacity: capacity.max(1),
            overflow,
            dropped: 0,
            over: 0,
        }
    }

    /// Buffers item `seq`, or applies the policy when the buffer is full.
    pub fn offer(&mut self, seq: u64, item: T) -> Offered<T> {
        if !self.has_room() {
            match self.overflow {
                Overflow::Wait => return Offered::Full(item),
                Overflow::End => return Offered::Ended,
                Overflow::DropOldest => {
                    // The oldest live item: catch-up items are owed in full.
                    if self.items.remove(self.over).is_some() {
                        self.dropped += 1;
                    }
                }
            }
        }
        self.items.push_back((seq, item));
        Offered::Queued
    }

    /// Buffers item `seq` beyond the capacity: for the items a resuming
    /// client catches up on, which the history's retention bounds, pushed
    /// before any live item. They do not count against the capacity, so
    /// live items are not dropped (or the subscription ended) for them.
    pub fn push_over(&mut self, seq: u64, item: T) {
        self.items.push_back((seq, item));
        self.over += 1;
    }

    /// The next thing to write: a gap first if items were dropped (before
    /// the first live item after them; catch-up items come first).
    pub fn take(&mut self) -> Option<Next<T>> {
        let (seq, _) = self.items.front()?;
        if self.dropped > 0 && self.over == 0 {
            let gap = Next::Gap {
                missed: self.dropped,
                seq: *seq,
            };
            self.dropped = 0;
            return Some(gap);
        }
        self.over = self.over.saturating_sub(1);
        self.items
            .pop_front()
            .map(|(seq, item)| Next::Item(seq, item))
    }

    /// Whether another live item fits without the policy.
    pub fn has_room(&self) -> bool {
        self.items.len().saturating_sub(self.over) < self.capacity
    }

    /// Items buffered.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// True when nothing is buffered.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}
