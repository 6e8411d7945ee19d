//! The subscribing side, natively: [`Connection::subscribe`] and the
//! [`Subscription`] stream it returns.

use std::collections::{HashMap, VecDeque};
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};

use futures_util::Stream;
use futures_util::task::AtomicWaker;
use jrpc_shared::subscription::{Delivered, Resume, resume_member};
use jrpc_shared::{CallError, ErrorObject, RawBuf, encode_params};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::sync::oneshot;

use crate::Connection;
use crate::call::{CancelGuard, await_answer, deadline_after};
use crate::connection::Waiter;

/// Items one subscription may hold before the app reads them; beyond, the
/// oldest are dropped and the app is told how many (a gap).
const INBOX_ITEMS: usize = 1024;

static NEXT_KEY: AtomicU64 = AtomicU64::new(1);

/// What a [`Subscription`] yields besides items. Only [`SubscriptionError::Ended`]
/// and [`SubscriptionError::ConnectionClosed`] end the stream.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum SubscriptionError {
    /// Items were lost before the next one: how many, or `None` when the
    /// server no longer knows (its history is gone, e.g. it restarted).
    #[error("{} items of the subscription were lost", .missed.map_or("some".to_owned(), |n| n.to_string()))]
    Gap {
        /// How many items were lost, if known.
        missed: Option<u64>,
    },
    /// An item did not decode as the expected type (the stream goes on).
    #[error("a subscription item did not decode: {0}")]
    Decode(String),
    /// The server ended the subscription with this error.
    #[error("the subscription ended with an error: {0}")]
    Ended(ErrorObject),
    /// The connection closed: nothing more will come.
    #[error("the connection closed")]
    ConnectionClosed,
}

enum Message {
    Item(Box<str>, Option<(u64, Box<str>)>),
    Gap(Option<u64>),
    End(Result<(), ErrorObject>),
    Closed,
}

#[derive(Default)]
struct InboxState {
    messages: VecDeque<Message>,
    items: usize,
    finished: bool,
}

/// Where the driver puts one subscription's messages until the app reads them.
#[derive(Default)]
struct Inbox {
    state: Mutex<InboxState>,
    waker: AtomicWaker,
}

impl Inbox {
    fn state(&self) -> MutexGuard<'_, InboxState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn push(&self, message: Message) {
        let mut state = self.state();
        if state.finished {
            return;
        }
        match message {
            Message::Item(..) if state.items >= INBOX_ITEMS => {
                // The app does not keep up: the oldest item makes room, and
                // a gap says so. Bounded: gaps merge, items are capped.
                if let Some(at) = state
                    .messages
                    .iter()
                    .position(|m| matches!(m, Message::Item(..)))
                {
                    state.messages.remove(at);
                    state.items -= 1;
                    merge_gap(&mut state.messages, at, Some(1));
                }
                state.items += 1;
                state.messages.push_back(message);
            }
            Message::Item(..) => {
                state.items += 1;
                state.messages.push_back(message);
            }
            Message::Gap(missed) => {
                let at = state.messages.len();
                merge_gap(&mut state.messages, at, missed);
            }
            Message::End(_) | Message::Closed => {
                state.finished = true;
                state.messages.push_back(message);
            }
        }
        drop(state);
        self.waker.wake();
    }
}

/// Adds a gap of `missed` before position `at`, into the gap just before it if there is one.
fn merge_gap(messages: &mut VecDeque<Message>, at: usize, missed: Option<u64>) {
    if let Some(Message::Gap(known)) = at.checked_sub(1).and_then(|i| messages.get_mut(i)) {
        *known = known.zip(missed).map(|(a, b)| a.saturating_add(b));
        return;
    }
    messages.insert(at, Message::Gap(missed));
}

/// The subscriptions a connection made, by key (the driver routes to
/// them), and the keys the app let go of, which the driver drops from its
/// book ([`Inboxes::take_given_up`]).
#[derive(Default)]
pub(crate) struct Inboxes {
    table: Mutex<HashMap<u64, Arc<Inbox>>>,
    given_up: Mutex<GivenUp>,
    any_closed: AtomicBool,
}

/// What the app let go of, for the driver's book.
#[derive(Default)]
struct GivenUp {
    /// Keys of subscriptions the app dropped.
    closed: Vec<u64>,
    /// Subscribe requests given up on (timed out, dropped) after they were
    /// sent, not yet handed to the book: (request id, key).
    abandoned: Vec<(u64, u64)>,
    /// The method that ends each of those, by key, should the server
    /// accept it after all; the oldest go first.
    unsubscribe: VecDeque<(u64, Box<str>)>,
}

/// At most this many given-up subscribe requests are watched for a late
/// acceptance.
const ABANDONED_KEPT: usize = 16;

impl Inboxes {
    fn table(&self) -> MutexGuard<'_, HashMap<u64, Arc<Inbox>>> {
        self.table.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn given_up(&self) -> MutexGuard<'_, GivenUp> {
        self.given_up.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The app is done with subscription `key`.
    fn remove(&self, key: u64) {
        self.table().remove(&key);
        self.given_up().closed.push(key);
        self.any_closed.store(true, Ordering::Release);
    }

    /// The app gave up on subscribe request `request` of subscription
    /// `key` after it was sent; `unsubscribe` ends it should the server
    /// accept it after all.
    fn abandon(&self, request: u64, key: u64, unsubscribe: &str) {
        let mut given_up = self.given_up();
        given_up.abandoned.push((request, key));
        if given_up.unsubscribe.len() >= ABANDONED_KEPT {
            given_up.unsubscribe.pop_front();
        }
        given_up.unsubscribe.push_back((key, unsubscribe.into()));
        drop(given_up);
        self.any_closed.store(true, Ordering::Release);
    }

    /// The keys let go of, and the subscribe requests given up on (request
    /// id, key), since the last call (cheap when there are none).
    pub(crate) fn take_given_up(&self) -> (Vec<u64>, Vec<(u64, u64)>) {
        // A plain load first: it is read for every frame, and a swap is a
        // locked instruction even when there is nothing to take.
        if !self.any_closed.load(Ordering::Acquire)
            || !self.any_closed.swap(false, Ordering::AcqRel)
        {
            return Default::default();
        }
        let mut given_up = self.given_up();
        let closed = std::mem::take(&mut given_up.closed);
        (closed, std::mem::take(&mut given_up.abandoned))
    }

    /// The method that ends subscription `key`, given up on while it was
    /// being opened: taken, as only one late acceptance can come.
    pub(crate) fn take_unsubscribe(&self, key: u64) -> Option<Box<str>> {
        let mut given_up = self.given_up();
        let at = given_up.unsubscribe.iter().position(|(k, _)| *k == key)?;
        given_up.unsubscribe.remove(at).map(|(_, method)| method)
    }

    /// Hands `delivered` to subscription `key`: false if the app dropped it.
    pub(crate) fn deliver(&self, key: u64, delivered: Delivered<'_>) -> bool {
        let mut table = self.table();
        let Some(inbox) = table.get(&key).cloned() else {
            return false;
        };
        let message = match delivered {
            Delivered::Item(item, position) => Message::Item(
                item.get().into(),
                position.map(|(seq, epoch)| (seq, epoch.get().into())),
            ),
            Delivered::Gap(missed) => Message::Gap(missed),
            Delivered::End(outcome) => {
                table.remove(&key);
                Message::End(outcome)
            }
        };
        drop(table);
        inbox.push(message);
        true
    }

    /// The connection ended: every subscription learns it.
    pub(crate) fn end_all(&self) {
        let inboxes: Vec<Arc<Inbox>> = self.table().drain().map(|(_, inbox)| inbox).collect();
        for inbox in inboxes {
            inbox.push(Message::Closed);
        }
    }
}

/// A subscription this side made: a [`Stream`] of its items, decoded as
/// `T`, with gaps reported in line (see [`SubscriptionError`]). It ends when
/// the server ends the subscription or the connection closes. Dropping it
/// unsubscribes.
///
/// ```no_run
/// # async fn demo(client: jrpc::Client) -> Result<(), jrpc::CallError> {
/// use futures_util::StreamExt;
/// use jrpc::SubscriptionError;
/// let mut ticks = client.subscribe::<serde_json::Value, _>("demo.ticks.subscribe", &(), "demo.ticks.unsubscribe").await?;
/// while let Some(tick) = ticks.next().await {
///     match tick {
///         Ok(tick) => println!("{tick}"),
///         Err(SubscriptionError::Gap { missed }) => println!("missed {missed:?}"),
///         Err(e) => return Ok(eprintln!("{e}")),
///     }
/// }
/// # Ok(()) }
/// ```
pub struct Subscription<T> {
    key: u64,
    id: String,
    conn: Connection,
    unsubscribe: String,
    inbox: Arc<Inbox>,
    position: Option<Resume>,
    done: bool,
    types: PhantomData<fn() -> T>,
}

impl<T> Subscription<T> {
    /// The server's id for it (a JSON value as text, usually a string).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Where the stream stands: the epoch and number of the last item read,
    /// once a jrpc server has sent one. Give it to
    /// [`Connection::resubscribe`] on a new connection to continue from there.
    pub fn position(&self) -> Option<&Resume> {
        self.position.as_ref()
    }

    /// Ends the subscription at the server and waits for its answer.
    pub async fn unsubscribe(mut self) -> Result<bool, CallError> {
        self.done = true;
        self.conn.0.inboxes.remove(self.key);
        let params: RawBuf = unsubscribe_params(&self.id);
        let answer = self
            .conn
            .request_raw(
                &self.unsubscribe,
                Some(params.as_raw()),
                self.conn.0.request_timeout,
            )
            .await?;
        Ok(answer.get() == "true")
    }
}

fn unsubscribe_params(id: &str) -> RawBuf {
    RawBuf::from_trusted(jrpc_shared::subscription::unsubscribe_params(id))
}

impl<T: DeserializeOwned> Stream for Subscription<T> {
    type Item = Result<T, SubscriptionError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.done {
            return Poll::Ready(None);
        }
        self.inbox.waker.register(cx.waker());
        let message = {
            let mut state = self.inbox.state();
            let message = state.messages.pop_front();
            if matches!(message, Some(Message::Item(..))) {
                state.items -= 1;
            }
            message
        };
        let Some(message) = message else {
            return Poll::Pending;
        };
        Poll::Ready(match message {
            Message::Item(text, position) => {
                if let Some((seq, epoch)) = position {
                    let epoch = serde_json::from_str(&epoch).unwrap_or_default();
                    self.position = Some(Resume { epoch, seq });
                }
                Some(
                    serde_json::from_str(&text)
                        .map_err(|e| SubscriptionError::Decode(e.to_string())),
                )
            }
            Message::Gap(missed) => Some(Err(SubscriptionError::Gap { missed })),
            Message::End(Ok(())) => {
                self.done = true;
                None
            }
            Message::End(Err(error)) => {
                self.done = true;
                Some(Err(SubscriptionError::Ended(error)))
            }
            Message::Closed => {
                self.done = true;
                Some(Err(SubscriptionError::ConnectionClosed))
            }
        })
    }
}

impl<T> Drop for Subscription<T> {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        self.conn.0.inboxes.remove(self.key);
        if !self.conn.is_closed() {
            send_unsubscribe(&self.conn, &self.unsubscribe, &self.id);
        }
    }
}

/// Sends `unsubscribe [id]` without waiting for the answer (which settles
/// nobody); best effort.
fn send_unsubscribe(conn: &Connection, unsubscribe: &str, id: &str) {
    let params = unsubscribe_params(id);
    let (tx, _) = oneshot::channel();
    let sent = conn
        .outbound()
        .request(unsubscribe, Some(params.as_raw()), Waiter::from(tx));
    if let Ok((request, text)) = sent {
        if !conn.try_send_text(text) {
            // Not sent: nothing will answer it.
            let _ = conn.outbound().take(request);
        }
    }
}

/// Until disarmed, a subscribe in progress: dropped (cancelled, timed out),
/// it lets go of the subscription's inbox.
struct Opening<'c> {
    conn: &'c Connection,
    key: Option<u64>,
    /// The subscribe request, once sent, and the method that ends what it opens.
    sent: Option<(u64, &'c str)>,
}

impl Drop for Opening<'_> {
    fn drop(&mut self) {
        if let Some(key) = self.key.take() {
            self.conn.0.inboxes.remove(key);
            // Given up on after it went out: the server may still accept
            // it, and the driver then ends what it opened.
            if let Some((request, unsubscribe)) = self.sent {
                self.conn.0.inboxes.abandon(request, key, unsubscribe);
            }
        }
    }
}

impl Connection {
    /// Subscribes: sends `subscribe` with `params` and returns the stream of
    /// items, which arrive as notifications (jsonrpsee's and `eth_subscribe`'s
    /// form; any server of that kind works). `unsubscribe` is the method
    /// that ends it (sent with `[id]` when the stream is dropped).
    pub async fn subscribe<T: DeserializeOwned, P: Serialize + ?Sized>(
        &self,
        subscribe: &str,
        params: &P,
        unsubscribe: &str,
    ) -> Result<Subscription<T>, CallError> {
        self.open_subscription(subscribe, params, unsubscribe, None)
            .await
    }

    /// Subscribes as [`Connection::subscribe`] does, resuming a stream
    /// followed before (see [`Subscription::position`]): a jrpc server's
    /// topic first sends what was missed, or a gap.
    pub async fn resubscribe<T: DeserializeOwned, P: Serialize + ?Sized>(
        &self,
        subscribe: &str,
        params: &P,
        unsubscribe: &str,
        from: &Resume,
    ) -> Result<Subscription<T>, CallError> {
        self.open_subscription(subscribe, params, unsubscribe, Some(from.clone()))
            .await
    }

    async fn open_subscription<T: DeserializeOwned, P: Serialize + ?Sized>(
        &self,
        subscribe: &str,
        params: &P,
        unsubscribe: &str,
        from: Option<Resume>,
    ) -> Result<Subscription<T>, CallError> {
        let params = encode_params(params)?;
        let key = NEXT_KEY.fetch_add(1, Ordering::Relaxed);
        let inbox = Arc::new(Inbox::default());
        self.0.inboxes.table().insert(key, Arc::clone(&inbox));
        let mut opening = Opening {
            conn: self,
            key: Some(key),
            sent: None,
        };
        let member = from.as_ref().map(|from| {
            let epoch = serde_json::Value::from(from.epoch.as_str()).to_string();
            resume_member(&epoch, from.seq)
        });
        let (tx, rx) = oneshot::channel();
        let waiter = Waiter {
            tx,
            subscribing: Some((key, from.clone())),
        };
        let registered = self.outbound().subscribe(
            subscribe,
            params.as_ref().map(RawBuf::as_raw),
            member.as_deref(),
            waiter,
        );
        let answer = async {
            let (id, text) = registered.map_err(|_| CallError::ConnectionClosed)?;
            let guard = CancelGuard::new(self, id);
            self.send_text(text).await?;
            opening.sent = Some((id, unsubscribe));
            let timeout = self.0.request_timeout;
            await_answer(rx, guard, deadline_after(timeout), timeout).await
        }
        .await;
        let id = answer?;
        opening.key = None;
        Ok(Subscription {
            key,
            id: id.get().to_owned(),
            conn: self.clone(),
            unsubscribe: unsubscribe.to_owned(),
            inbox,
            position: from,
            done: false,
            types: PhantomData,
        })
    }
}
