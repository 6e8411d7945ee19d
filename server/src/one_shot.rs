//! Answering one JSON-RPC text that came without a connection to call back
//! on: the body of an HTTP POST. The same engine, method table, limits and
//! application state as a WebSocket connection; what differs is that there
//! is no way back to the client, so a handler's call to it fails at once
//! with -32003 ("connection closed"), and a subscription, which needs one,
//! is refused with -32600.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use futures_util::FutureExt;
use futures_util::stream::{FuturesUnordered, StreamExt};
use jrpc_shared::{Action, Answer, CallToken, Completion, ErrorObject, Inbound, code};

use crate::Connection;
use crate::driver::{handler_panicked, run_handler, settle_all};
use crate::gate;
use crate::rate::Bucket;
use crate::server::ServerState;
use tokio::time::Instant;

/// The reply to `text` (one response, or a batch's array); `None` when it
/// held only notifications.
pub(crate) async fn answer(state: &ServerState, text: &str, conn: Connection) -> Option<String> {
    // No way back to the client: calls to it fail at once.
    settle_all(&conn);
    let limits = &state.limits;
    let mut inbound = Inbound::new(limits.max_in_flight)
        .with_max_batch_len(limits.max_batch_len)
        .with_max_message_size(limits.max_message_size);
    let mut actions = Vec::new();
    inbound.receive(text, &state.methods.table, &mut actions);
    state.meter.rejected(&mut inbound);
    let mut reply = String::new();
    let mut later = FuturesUnordered::new();
    // One POST is one connection's worth of calls: a batch beyond the burst is refused.
    let mut rate = limits.rate_limit.map(|l| Bucket::new(l, Instant::now()));
    for action in actions.drain(..) {
        let Action::Call {
            handler,
            method,
            params,
            token,
            ..
        } = action
        else {
            if let Action::Reply(text) = action {
                reply.push_str(&text);
            }
            continue;
        };
        let (methods, meter) = (&state.methods, &state.meter);
        if let Some(refusal) = gate::refusal(rate.as_mut(), methods, &method, &conn, meter) {
            if let Some(token) = token {
                reply.extend(inbound.complete(token, Err(refusal)));
            }
            continue;
        }
        if handler.subscribes() {
            let refusal = ErrorObject::new(
                code::INVALID_REQUEST,
                "Invalid Request: a subscription needs a WebSocket connection",
            );
            if let Some(token) = token {
                reply.extend(inbound.complete(token, Err(refusal)));
            }
            continue;
        }
        // The server-wide cap on running handlers holds here too.
        if let Some(slots) = &state.slots {
            let call =
                slots.wait_then_call(Arc::clone(&state.methods), &method, conn.clone(), params);
            later.push(settled(token, call));
            continue;
        }
        let run = |out: &mut String| run_handler(&**handler, &conn, params, out);
        match token {
            None => {
                if let Answer::Later(fut) = run(&mut String::new()) {
                    later.push(settled(None, fut));
                }
            }
            Some(token) => match inbound.complete_with(token, run) {
                Completion::Done(done) => reply.extend(done),
                Completion::Later(fut) => later.push(settled(Some(token), fut)),
            },
        }
    }
    drop(actions);
    while let Some((token, result)) = later.next().await {
        if let Some(token) = token {
            reply.extend(inbound.complete(token, result));
        }
    }
    // Whoever waits for this connection's end (`Connection::closed`) may go on.
    conn.ended();
    (!reply.is_empty()).then_some(reply)
}

/// `fut`'s result with its call's token; a panic answers with -32603.
async fn settled(
    token: Option<CallToken>,
    fut: jrpc_shared::handler::BoxFuture,
) -> (Option<CallToken>, jrpc_shared::HandlerResult) {
    let result = AssertUnwindSafe(fut)
        .catch_unwind()
        .await
        .unwrap_or_else(|_| Err(handler_panicked()));
    (token, result)
}
