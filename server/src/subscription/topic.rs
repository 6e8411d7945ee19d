//! Topics: publish once, from anywhere, to every subscriber; with history.

use std::sync::{Arc, Mutex, MutexGuard};

use jrpc_shared::subscription::{History, Retention};
use jrpc_shared::{ErrorObject, encode_value};
use serde::Serialize;

use super::pending::PendingSubscription;
use super::sink::SubscriptionClosed;
use super::state::{Offer, Sub, stream_epoch};
use super::{SubscriptionOptions, now_ms};

/// A named stream that any code holding it can publish to (a handler, a
/// background task); every subscriber gets each item. An item is encoded
/// once per publish, whatever the number of subscribers. The topic keeps
/// its recent items (see [`Retention`]), so a client that reconnects and
/// resumes gets what it missed, or an exact gap. Clones are cheap and all
/// refer to the same topic.
///
/// ```no_run
/// use jrpc::{Connection, MethodSet, PendingSubscription, SubscriptionOptions, Topic};
/// let board = Topic::new("board");
/// let mut methods = MethodSet::new();
/// let topic = board.clone();
/// methods.subscription("board.subscribe", "board", "board.unsubscribe",
///     move |_conn: Connection, (): (), pending: PendingSubscription| {
///         let topic = topic.clone();
///         async move { let _ = topic.subscribe(pending, SubscriptionOptions::default()).await; }
///     });
/// # async fn post(board: Topic) {
/// board.publish(&"hello").await.unwrap();
/// # }
/// ```
#[derive(Clone)]
pub struct Topic(Arc<Inner>);

struct Inner {
    name: String,
    state: Mutex<State>,
    /// Publishes one at a time, so that every subscriber gets items in order
    /// even while one of them makes a publisher wait.
    publishing: tokio::sync::Mutex<()>,
}

struct State {
    history: History<Arc<str>>,
    epoch: Arc<str>,
    subscribers: Vec<Arc<Sub>>,
    /// The number of subscribers after the last pruning of gone ones.
    pruned_at: usize,
}

impl Drop for Inner {
    /// The last handle is gone: nothing will be published any more, so the
    /// subscribers' streams complete.
    fn drop(&mut self) {
        let state = self.state.get_mut().unwrap_or_else(|p| p.into_inner());
        for sub in state.subscribers.drain(..) {
            sub.end(None);
        }
    }
}

impl Topic {
    /// A topic with the default history (see [`Retention`]).
    pub fn new(name: impl Into<String>) -> Topic {
        Topic::with_retention(name, Retention::default())
    }

    /// A topic that keeps `retention` of history.
    pub fn with_retention(name: impl Into<String>, retention: Retention) -> Topic {
        let epoch = stream_epoch();
        Topic(Arc::new(Inner {
            name: name.into(),
            state: Mutex::new(State {
                epoch: Arc::from(epoch.as_str()),
                history: History::new(epoch, retention),
                subscribers: Vec::new(),
                pruned_at: 16,
            }),
            publishing: tokio::sync::Mutex::new(()),
        }))
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.0.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The topic's name.
    pub fn name(&self) -> &str {
        &self.0.name
    }

    /// How many subscriptions follow it now.
    pub fn subscribers(&self) -> usize {
        let mut state = self.state();
        state.subscribers.retain(|s| !s.is_gone());
        state.subscribers.len()
    }

    /// Publishes `item` to every subscriber and into the history; its
    /// sequence number. Waits only for subscribers whose policy is
    /// [`Overflow::Wait`](crate::Overflow::Wait) and whose buffer is full.
    pub async fn publish<T: Serialize + ?Sized>(&self, item: &T) -> Result<u64, ErrorObject> {
        let item: Arc<str> = Arc::from(
            encode_value(item)
                .map_err(|e| ErrorObject::internal_error(format_args!("cannot publish: {e}")))?
                .get(),
        );
        let _turn = self.0.publishing.lock().await;
        let mut waiting = Vec::new();
        let seq = {
            let mut state = self.state();
            let seq = state.history.push(Arc::clone(&item), now_ms());
            state
                .subscribers
                .retain(|sub| match sub.offer(Some(seq), Arc::clone(&item)) {
                    Offer::Queued => true,
                    Offer::Gone => false,
                    Offer::Full(back) => {
                        waiting.push((Arc::clone(sub), back));
                        true
                    }
                });
            seq
        };
        for (sub, mut item) in waiting {
            // Bounded: a subscriber that stalls (a phone gone from the
            // network, its TCP connection not yet timed out) is ended after
            // its wait limit rather than holding every publisher up.
            let waited = tokio::time::timeout(sub.wait_limit, async {
                loop {
                    sub.room().await;
                    match sub.offer(Some(seq), item) {
                        Offer::Queued | Offer::Gone => break,
                        Offer::Full(back) => item = back,
                    }
                }
            })
            .await;
            if waited.is_err() {
                sub.end(Some(ErrorObject::new(
                    jrpc_shared::code::SERVER_BUSY,
                    "subscription ended: the client did not read for too long",
                )));
            }
        }
        Ok(seq)
    }

    /// Accepts `pending` as a subscriber of this topic. A client that
    /// resumes first gets the items it missed that the history still holds,
    /// after a gap message if some are gone (or the epoch is another: the
    /// server restarted). The subscription then lives until the client
    /// unsubscribes or the connection ends.
    pub async fn subscribe(
        &self,
        mut pending: PendingSubscription,
        options: SubscriptionOptions,
    ) -> Result<(), SubscriptionClosed> {
        let resume = pending.resume.take();
        let topic = self.clone();
        let join = Box::new(move |sub: &Arc<Sub>| topic.join(sub, resume));
        pending.accept_sub(options, Some(join)).await?;
        Ok(())
    }

    /// Adds `sub`, after the items a resuming client missed (or a gap).
    /// Runs before the client gets the subscription's id, under the topic's
    /// lock: every later publish reaches it, none is sent twice.
    fn join(&self, sub: &Arc<Sub>, resume: Option<jrpc_shared::subscription::Resume>) {
        let mut state = self.state();
        sub.set_epoch(Arc::clone(&state.epoch));
        if let Some(resume) = resume {
            let catch_up = state.history.catch_up(&resume.epoch, resume.seq, now_ms());
            if catch_up.missed != Some(0) {
                let next = catch_up
                    .items
                    .first()
                    .map_or(state.history.next_seq(), |(s, _)| *s);
                sub.set_gap(catch_up.missed, next);
            }
            for (seq, item) in catch_up.items {
                sub.catch_up(seq, item);
            }
        }
        // Connections end without telling the topic: prune as it grows.
        if state.subscribers.len() >= state.pruned_at.saturating_mul(2) {
            state.subscribers.retain(|s| !s.is_gone());
            state.pruned_at = state.subscribers.len().max(16);
        }
        state.subscribers.push(Arc::clone(sub));
    }
}
