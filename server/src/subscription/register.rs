//! The subscribe and unsubscribe methods of a subscription, as handlers.

use std::future::Future;
use std::marker::PhantomData;
use std::sync::Arc;

use jrpc_shared::handler::{Handler, Outcome};
use jrpc_shared::subscription::Resume;
use jrpc_shared::{ErrorObject, Raw, RawBuf, code, decode_params};
use serde::de::DeserializeOwned;
use tokio::sync::oneshot;

use super::pending::{PendingSubscription, Verdict};
use super::state::Sub;
use crate::Connection;

/// The subscribe method: runs the app's handler (in a task of its own, as a
/// subscription outlives its request) and answers with the subscription's
/// id once the handler accepts, or with its error.
pub(crate) struct SubscribeFn<F, P> {
    f: F,
    notification: Arc<str>,
    types: PhantomData<fn(P)>,
}

impl<F, P> SubscribeFn<F, P> {
    pub(crate) fn new(f: F, notification: &str) -> Self {
        SubscribeFn {
            f,
            notification: Arc::from(notification),
            types: PhantomData,
        }
    }
}

impl<F, Fut, P> Handler<Connection> for SubscribeFn<F, P>
where
    F: Fn(Connection, P, PendingSubscription) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
    P: DeserializeOwned + Send + 'static,
{
    fn call(&self, conn: Connection, params: Option<Raw<'_>>) -> Outcome {
        self.subscribe(conn, params, None)
    }

    fn subscribes(&self) -> bool {
        true
    }

    fn subscribe(
        &self,
        conn: Connection,
        params: Option<Raw<'_>>,
        resume: Option<Raw<'_>>,
    ) -> Outcome {
        let params = match decode_params::<P>(params) {
            Ok(params) => params,
            Err(e) => return Outcome::Ready(Err(e)),
        };
        if let Err(limit) = conn.0.subs.has_room() {
            return Outcome::Ready(Err(too_many(limit)));
        }
        let (verdict, answer) = oneshot::channel();
        let pending = PendingSubscription {
            conn: conn.clone(),
            resume: resume.and_then(|r| Resume::read(r.get())),
            verdict: Some(verdict),
        };
        tokio::spawn((self.f)(conn.clone(), params, pending));
        let notification = Arc::clone(&self.notification);
        Outcome::Pending(Box::pin(async move {
            match answer.await {
                Ok(Verdict::Reject(error)) => Err(error),
                Ok(Verdict::Accept(options, reply, on_accept)) => {
                    let sub = Sub::new(&conn.0, &notification, &options);
                    conn.0.subs.add(&sub).map_err(too_many)?;
                    if reply.send(Arc::clone(&sub)).is_err() {
                        // The handler stopped waiting: nothing will be sent.
                        conn.0.subs.unsubscribe(sub.id, &notification);
                        return Err(ErrorObject::internal_error(
                            "the subscription's handler is gone",
                        ));
                    }
                    // A topic's subscriber is registered before its id is
                    // answered: no publish after the answer can miss it.
                    if let Some(on_accept) = on_accept {
                        on_accept(&sub);
                    }
                    // Items may go out from now on; the driver writes them
                    // only after this response, which it queues first.
                    sub.announce();
                    Ok(RawBuf::from_trusted(sub.id_json()))
                }
                Err(_) => Err(ErrorObject::internal_error(
                    "the subscription's handler is gone",
                )),
            }
        }))
    }
}

fn too_many(limit: usize) -> ErrorObject {
    ErrorObject::new(
        code::SERVER_BUSY,
        format!("too many subscriptions on this connection (the limit is {limit})"),
    )
}

/// The unsubscribe method of the subscriptions whose notifications are
/// `notification`: params `[id]`, answered `true` if such a subscription was
/// live on this connection (and is now ended), else `false`.
pub(crate) struct Unsubscribe {
    pub(crate) notification: Arc<str>,
}

impl Handler<Connection> for Unsubscribe {
    fn call(&self, conn: Connection, params: Option<Raw<'_>>) -> Outcome {
        let found = params
            .and_then(subscription_id)
            .is_some_and(|id| conn.0.subs.unsubscribe(id, &self.notification));
        Outcome::Ready(Ok(RawBuf::from_trusted(found.to_string())))
    }
}

/// The id in an unsubscribe request's params: `["17"]` or `{"subscription": "17"}`
/// (numbers are taken too).
fn subscription_id(params: Raw<'_>) -> Option<u64> {
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum Id {
        Text(String),
        Number(u64),
    }
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum Params {
        Positional((Id,)),
        Named { subscription: Id },
    }
    let id = match serde_json::from_str::<Params>(params.get()).ok()? {
        Params::Positional((id,)) | Params::Named { subscription: id } => id,
    };
    match id {
        Id::Text(text) => text.parse().ok(),
        Id::Number(n) => Some(n),
    }
}
