//! Sending the items of an accepted subscription.

use std::sync::Arc;

use jrpc_shared::{ErrorObject, RawBuf, encode_value};
use serde::Serialize;

use super::state::{Offer, Sub};

/// The subscription ended: the client unsubscribed, the connection closed,
/// or (policy [`Overflow::End`](crate::Overflow::End)) the client did not
/// keep up.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the subscription has ended")]
pub struct SubscriptionClosed;

/// Where an accepted subscription's items go. Dropping it ends the stream:
/// the client gets the end message (as a failure if the handler panicked).
pub struct SubscriptionSink {
    sub: Arc<Sub>,
    ended: bool,
}

impl SubscriptionSink {
    pub(crate) fn new(sub: Arc<Sub>) -> Self {
        SubscriptionSink { sub, ended: false }
    }

    /// The subscription's id, as the client got it (a JSON string).
    pub fn id(&self) -> String {
        self.sub.id_json()
    }

    /// Sends an item, waiting while the buffer is full if the policy says
    /// so. An item JSON cannot hold (NaN, a map with non-string keys) is
    /// not sent and ends the subscription with -32603.
    pub async fn send<T: Serialize + ?Sized>(&self, item: &T) -> Result<(), SubscriptionClosed> {
        match encode_value(item) {
            Ok(json) => self.send_raw(json).await,
            Err(e) => {
                self.sub.end(Some(ErrorObject::internal_error(format_args!(
                    "an item could not be sent as JSON: {e}"
                ))));
                Err(SubscriptionClosed)
            }
        }
    }

    /// Sends an item that is JSON text already.
    pub async fn send_raw(&self, item: RawBuf) -> Result<(), SubscriptionClosed> {
        let mut item: Arc<str> = Arc::from(item.get());
        loop {
            match self.sub.offer(None, item) {
                Offer::Queued => return Ok(()),
                Offer::Gone => return Err(SubscriptionClosed),
                Offer::Full(back) => {
                    item = back;
                    self.sub.room().await;
                }
            }
        }
    }

    /// Whether the client unsubscribed or the connection ended.
    pub fn is_closed(&self) -> bool {
        self.sub.is_closed()
    }

    /// Completes when the client unsubscribes or the connection ends: for a
    /// producer that waits on something else meanwhile (`tokio::select!`).
    pub async fn closed(&self) {
        self.sub.closed().await
    }

    /// Ends the stream: completed (`Ok`) or failed with the error, which the
    /// client gets after the items already sent.
    pub fn end(mut self, result: Result<(), ErrorObject>) {
        self.ended = true;
        self.sub.end(result.err());
    }
}

impl Drop for SubscriptionSink {
    fn drop(&mut self) {
        if self.ended {
            return;
        }
        let error = std::thread::panicking()
            .then(|| ErrorObject::internal_error("the subscription's handler panicked"));
        self.sub.end(error);
    }
}
