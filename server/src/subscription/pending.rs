//! A subscribe request waiting for its handler's verdict.

use std::sync::Arc;

use jrpc_shared::ErrorObject;
use jrpc_shared::subscription::Resume;
use tokio::sync::oneshot;

use super::SubscriptionOptions;
use super::sink::{SubscriptionClosed, SubscriptionSink};
use super::state::Sub;
use crate::Connection;

/// What to do with a new subscription before its id is answered (a
/// topic's registration), run in the connection's driver.
pub(crate) type OnAccept = Box<dyn FnOnce(&Arc<Sub>) + Send>;

/// The handler's answer to a subscribe request.
pub(crate) enum Verdict {
    /// Accept with these options; the subscription comes back on the sender.
    Accept(
        SubscriptionOptions,
        oneshot::Sender<Arc<Sub>>,
        Option<OnAccept>,
    ),
    Reject(ErrorObject),
}

/// A subscribe request that its handler has not answered yet: accept it
/// ([`PendingSubscription::accept`]) to get a sink for items, reject it
/// with an error, or hand it to a [`Topic`](crate::Topic). Dropping it
/// rejects the request.
///
/// ```no_run
/// use jrpc::{Connection, ErrorObject, MethodSet, PendingSubscription};
/// let mut methods = MethodSet::new();
/// methods.subscription("count.subscribe", "count", "count.unsubscribe",
///     |_conn: Connection, (to,): (u64,), pending: PendingSubscription| async move {
///         if to > 1_000 {
///             return pending.reject(ErrorObject::invalid_params("at most 1000"));
///         }
///         let Ok(sink) = pending.accept().await else { return };
///         for n in 0..to {
///             if sink.send(&n).await.is_err() {
///                 return; // unsubscribed, or the connection ended
///             }
///         }
///     });
/// ```
pub struct PendingSubscription {
    pub(crate) conn: Connection,
    pub(crate) resume: Option<Resume>,
    pub(crate) verdict: Option<oneshot::Sender<Verdict>>,
}

impl PendingSubscription {
    /// The connection that subscribes.
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// Where the client asks to resume a stream it followed before a
    /// reconnect, if it does: a [`Topic`](crate::Topic) serves it from its
    /// history; a handler with its own stream may use it to continue.
    pub fn resume(&self) -> Option<&Resume> {
        self.resume.as_ref()
    }

    /// Accepts with the default buffer (see [`SubscriptionOptions`]): the
    /// client gets the subscription's id, then the items sent to the sink.
    /// Fails when the request is gone meanwhile (cancelled, connection
    /// closed) or the connection holds its limit of subscriptions.
    pub async fn accept(self) -> Result<SubscriptionSink, SubscriptionClosed> {
        self.accept_with(SubscriptionOptions::default()).await
    }

    /// Accepts with `options`.
    pub async fn accept_with(
        mut self,
        options: SubscriptionOptions,
    ) -> Result<SubscriptionSink, SubscriptionClosed> {
        let sub = self.accept_sub(options, None).await?;
        Ok(SubscriptionSink::new(sub))
    }

    /// Accepts; `on_accept` runs on the new subscription before the client
    /// gets its id.
    pub(crate) async fn accept_sub(
        &mut self,
        options: SubscriptionOptions,
        on_accept: Option<OnAccept>,
    ) -> Result<Arc<Sub>, SubscriptionClosed> {
        let verdict = self.verdict.take().ok_or(SubscriptionClosed)?;
        let (reply, sub) = oneshot::channel();
        verdict
            .send(Verdict::Accept(options, reply, on_accept))
            .map_err(|_| SubscriptionClosed)?;
        sub.await.map_err(|_| SubscriptionClosed)
    }

    /// Answers the subscribe request with `error`.
    pub fn reject(mut self, error: impl Into<ErrorObject>) {
        if let Some(verdict) = self.verdict.take() {
            let _ = verdict.send(Verdict::Reject(error.into()));
        }
    }
}

impl Drop for PendingSubscription {
    fn drop(&mut self) {
        if let Some(verdict) = self.verdict.take() {
            let error =
                ErrorObject::internal_error("the subscription was neither accepted nor rejected");
            let _ = verdict.send(Verdict::Reject(error));
        }
    }
}
