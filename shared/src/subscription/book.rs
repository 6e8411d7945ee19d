//! The subscribing side's book of its subscriptions: which notifications
//! are theirs, where each stream stands (epoch and last sequence number),
//! the gaps it has seen, and the `resume` member for resubscribing.

use alloc::boxed::Box;
use alloc::string::String;

use super::wire::{Event, read_event, resume_member, unsubscribe_params};
#[cfg(feature = "std")]
use crate::table::PeerTable;
use crate::table::Table;
use crate::{ErrorObject, Raw};

/// What one subscription gets, in order.
#[derive(Debug, PartialEq)]
pub enum Delivered<'a> {
    /// An item (JSON text), with its number and its stream's epoch (the
    /// text of a JSON string) when the server is jrpc's.
    Item(Raw<'a>, Option<(u64, Raw<'a>)>),
    /// Items lost before the next one: how many, or `None` when unknown
    /// (the server's history for the stream is gone, e.g. it restarted).
    Gap(Option<u64>),
    /// The stream ended: completed, or failed with the server's error.
    End(Result<(), ErrorObject>),
}

#[derive(Default)]
struct Entry {
    /// The server's id for it on the current connection (JSON text).
    id: Option<Box<str>>,
    /// The stream's epoch (JSON text of a string) and the last number got.
    epoch: Option<Box<str>>,
    seq: Option<u64>,
}

impl Entry {
    /// The stream's epoch from now on: copied only when it changed, not
    /// for every item.
    fn set_epoch(&mut self, epoch: &str) {
        if self.epoch.as_deref() != Some(epoch) {
            self.epoch = Some(epoch.into());
        }
    }
}

/// This side's subscriptions, each under a local key that outlives
/// reconnects (the server's ids do not).
///
/// ```
/// use jrpc_shared::Raw;
/// use jrpc_shared::subscription::{Book, Delivered};
/// let mut book = Book::default();
/// let key = book.open();
/// book.bind(key, r#""s1""#);
/// let mut got = Vec::new();
/// let params = Raw::new(r#"{"subscription":"s1","seq":1,"epoch":"e","result":10}"#).unwrap();
/// assert!(book.read(params, |k, d| got.push((k, format!("{d:?}")))));
/// let params = Raw::new(r#"{"subscription":"s1","seq":4,"epoch":"e","result":40}"#).unwrap();
/// book.read(params, |k, d| got.push((k, format!("{d:?}"))));
/// assert_eq!(got[1].1, "Gap(Some(2))");
/// assert_eq!(got[2].1, r#"Item(40, Some((4, "e")))"#);
/// assert_eq!(book.resume_member(key).as_deref(), Some(r#""resume":{"epoch":"e","seq":4}"#));
/// ```
#[derive(Default)]
pub struct Book {
    entries: Table<u64, Entry>,
    /// The key of each of the server's ids (a table for keys the peer
    /// chooses), with std. Without, in the browser, a notification's
    /// subscription is found by a scan of `entries` instead: a page's own
    /// subscriptions are few and the app's to choose, and an index would
    /// cost the wasm a third table.
    #[cfg(feature = "std")]
    by_id: PeerTable<Box<str>, u64>,
    next_key: u64,
    /// Subscribe requests this side gave up on (timed out, aborted) whose
    /// answer may still come, as (request id, key), the newest few in a
    /// ring (request ids start at 1: 0 is a free place).
    abandoned: [(u64, u64); ABANDONED],
    next_abandoned: usize,
}

/// How many given-up subscribe requests are remembered.
const ABANDONED: usize = 16;

impl Book {
    /// A new subscription (before its subscribe request is sent): its key.
    pub fn open(&mut self) -> u64 {
        self.next_key += 1;
        self.entries.insert(self.next_key, Entry::default());
        self.next_key
    }

    /// The server answered subscription `key`'s subscribe request with `id`
    /// (JSON text): its messages are routed to it from now on. A key not
    /// [`Book::open`]ed here is added (a driver may number subscriptions
    /// itself).
    pub fn bind(&mut self, key: u64, id: &str) {
        if self.entries.get(&key).is_none() {
            self.entries.insert(key, Entry::default());
        }
        let Some(entry) = self.entries.get_mut(&key) else {
            return;
        };
        let id: Box<str> = id.into();
        #[cfg(feature = "std")]
        {
            if let Some(old) = entry.id.replace(id.clone()) {
                self.by_id.remove(&old);
            }
            self.by_id.insert(id, key);
        }
        #[cfg(not(feature = "std"))]
        {
            entry.id = Some(id);
        }
    }

    /// The subscription the server's `id` (JSON text) names on this connection.
    fn key_of(&self, id: &str) -> Option<u64> {
        #[cfg(feature = "std")]
        return self.by_id.get(id).copied();
        #[cfg(not(feature = "std"))]
        self.entries
            .iter()
            .find(|(_, entry)| entry.id.as_deref() == Some(id))
            .map(|(&key, _)| key)
    }

    /// As [`Book::bind`], for a subscription that resumes from `from`: an
    /// item of another epoch then counts as a gap of unknown size, and one
    /// after a skip as a gap of that size.
    pub fn bind_resumed(&mut self, key: u64, id: &str, from: &super::Resume) {
        self.bind(key, id);
        if let Some(entry) = self.entries.get_mut(&key) {
            let mut epoch = String::with_capacity(from.epoch.len() + 2);
            crate::wire::push_str_literal(&mut epoch, &from.epoch);
            entry.epoch = Some(epoch.into());
            entry.seq = Some(from.seq);
        }
    }

    /// The server's id for subscription `key` on this connection.
    pub fn id(&self, key: u64) -> Option<&str> {
        self.entries.get(&key)?.id.as_deref()
    }

    /// The `resume` member to resubscribe `key` with, once it has had an
    /// item of a jrpc server (see [`resume_member`]).
    pub fn resume_member(&self, key: u64) -> Option<String> {
        let entry = self.entries.get(&key)?;
        Some(resume_member(entry.epoch.as_deref()?, entry.seq?))
    }

    /// What ends the subscribe request that resubscribes `key`, in place of
    /// the last piece (`}`) of its [`call_template`](crate::call_template):
    /// `,"resume":{..}}`, once it has had an item of a jrpc server.
    ///
    /// ```
    /// # use jrpc_shared::subscription::Book;
    /// let mut book = Book::default();
    /// let key = book.open();
    /// assert_eq!(book.resume_end(key), None);
    /// ```
    pub fn resume_end(&self, key: u64) -> Option<String> {
        let mut end = String::from(",");
        end.push_str(&self.resume_member(key)?);
        end.push('}');
        Some(end)
    }

    /// Forgets subscription `key` (unsubscribed, or dropped by the app).
    pub fn close(&mut self, key: u64) {
        let entry = self.entries.remove(&key);
        #[cfg(feature = "std")]
        if let Some(id) = entry.and_then(|entry| entry.id) {
            self.by_id.remove(&id);
        }
        #[cfg(not(feature = "std"))]
        drop(entry);
    }

    /// Forgets subscription `key`, as [`Book::close`], and returns the
    /// params of its unsubscribe request when it is live on this
    /// connection (see [`unsubscribe_params`]).
    pub fn unsubscribe(&mut self, key: u64) -> Option<String> {
        let params = self.id(key).map(unsubscribe_params);
        self.close(key);
        params
    }

    /// This side gave up on subscribe request `request` of subscription
    /// `key` (it timed out, or the app aborted it): should the server still
    /// accept it, [`Book::answered_late`] says so, so that the subscription
    /// the server opened can be ended rather than left streaming to nobody.
    pub fn abandon(&mut self, request: u64, key: u64) {
        self.abandoned[self.next_abandoned % ABANDONED] = (request, key);
        self.next_abandoned = self.next_abandoned.wrapping_add(1);
    }

    /// A response to `request` arrived that nobody waits for: if it is a
    /// given-up subscribe request's, and it succeeded with the server's
    /// id `result` (JSON text), the key it was for and the params of the
    /// unsubscribe request that ends it (see [`unsubscribe_params`]).
    ///
    /// ```
    /// # use jrpc_shared::subscription::Book;
    /// let mut book = Book::default();
    /// book.abandon(7, 3);
    /// assert_eq!(book.answered_late(7, r#""s9""#), Some((3, r#"["s9"]"#.to_owned())));
    /// assert_eq!(book.answered_late(7, r#""s9""#), None);
    /// ```
    pub fn answered_late(&mut self, request: u64, result: &str) -> Option<(u64, String)> {
        let place = self
            .abandoned
            .iter_mut()
            .find(|(id, _)| *id == request && request != 0)?;
        let (_, key) = core::mem::take(place);
        Some((key, unsubscribe_params(result)))
    }

    /// The connection is gone: the server's ids mean nothing any more; the
    /// positions stay, to resume from.
    pub fn disconnected(&mut self) {
        #[cfg(feature = "std")]
        self.by_id.clear();
        for entry in self.entries.values_mut() {
            entry.id = None;
        }
    }

    /// Whether any subscription is bound (so notifications need a look).
    pub fn is_listening(&self) -> bool {
        #[cfg(feature = "std")]
        return !self.by_id.is_empty();
        #[cfg(not(feature = "std"))]
        self.entries.iter().any(|(_, entry)| entry.id.is_some())
    }

    /// Reads a notification's params: if they are a message of one of the
    /// subscriptions here, hands what it means to `deliver` (a gap before
    /// an item when numbers were skipped or the epoch changed; nothing for
    /// an item already got) and returns true. An end closes the
    /// subscription.
    pub fn read<'a>(
        &mut self,
        params: Raw<'a>,
        mut deliver: impl FnMut(u64, Delivered<'a>),
    ) -> bool {
        let Some((id, event)) = read_event(params) else {
            return false;
        };
        let Some(key) = self.key_of(id.get()) else {
            return false;
        };
        let Some(entry) = self.entries.get_mut(&key) else {
            return false;
        };
        match event {
            Event::Item { result, seq, epoch } => {
                let position = seq.zip(epoch);
                if let Some((seq, epoch)) = position {
                    match (&entry.epoch, entry.seq) {
                        (Some(known), Some(last)) if **known == *epoch.get() => {
                            if seq <= last {
                                // Already got (a resume that overlapped).
                                return true;
                            }
                            if seq > last + 1 {
                                deliver(key, Delivered::Gap(Some(seq - last - 1)));
                            }
                        }
                        // Another run of the numbering: what came between is unknown.
                        (Some(_), Some(_)) => deliver(key, Delivered::Gap(None)),
                        _ => {}
                    }
                    entry.set_epoch(epoch.get());
                    entry.seq = Some(seq);
                }
                deliver(key, Delivered::Item(result, position));
            }
            Event::Gap { missed, seq, epoch } => {
                entry.set_epoch(epoch.get());
                entry.seq = Some(seq.saturating_sub(1));
                deliver(key, Delivered::Gap(missed));
            }
            Event::End(outcome) => {
                self.close(key);
                deliver(key, Delivered::End(outcome));
            }
        }
        true
    }
}
