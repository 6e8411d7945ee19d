//! A minimal synchronous driver over the engine: text in, texts out.

use jrpc_shared::handler::{DynHandler, SyncFn};
use jrpc_shared::{Action, ErrorObject, Inbound, Methods, Outcome};
use serde::Deserialize;

/// The methods the JSON-RPC 2.0 specification's examples call.
pub fn spec_methods() -> Methods<DynHandler<()>> {
    #[derive(Deserialize)]
    struct Subtract {
        minuend: i64,
        subtrahend: i64,
    }
    let mut m: Methods<DynHandler<()>> = Methods::new();
    let ok = |r| Ok::<_, ErrorObject>(r);
    m.insert(
        "subtract",
        Box::new(SyncFn::new(move |_: (), p: Subtract| {
            ok(p.minuend - p.subtrahend)
        })),
    )
    .unwrap();
    m.insert(
        "sum",
        Box::new(SyncFn::new(move |_: (), p: Vec<i64>| ok(p.iter().sum()))),
    )
    .unwrap();
    m.insert(
        "update",
        Box::new(SyncFn::new(move |_: (), _: Vec<i64>| ok(0))),
    )
    .unwrap();
    m.insert(
        "notify_hello",
        Box::new(SyncFn::new(move |_: (), _: Vec<i64>| ok(0))),
    )
    .unwrap();
    m.insert(
        "notify_sum",
        Box::new(SyncFn::new(move |_: (), p: Vec<i64>| ok(p.iter().sum()))),
    )
    .unwrap();
    m.insert(
        "get_data",
        Box::new(SyncFn::new(|_: (), (): ()| {
            Ok::<_, ErrorObject>(serde_json::json!(["hello", 5]))
        })),
    )
    .unwrap();
    m
}

/// Feeds `text` to a fresh engine and returns every text it asks to send,
/// running handlers to completion.
pub fn exchange(methods: &Methods<DynHandler<()>>, text: &str) -> Vec<String> {
    let mut inbound = Inbound::new(1024);
    let mut actions = Vec::new();
    inbound.receive(text, methods, &mut actions);
    let mut sent = Vec::new();
    for action in actions {
        match action {
            Action::Reply(t) => sent.push(t),
            Action::Call {
                handler,
                params,
                token,
                ..
            } => {
                let result = match handler.call((), params) {
                    Outcome::Ready(r) => r,
                    Outcome::Pending(f) => futures_executor::block_on(f),
                };
                if let Some(token) = token {
                    sent.extend(inbound.complete(token, result));
                }
            }
            Action::Settle { .. } | Action::Abort(_) | Action::Subscription { .. } => {
                panic!("unexpected action")
            }
        }
    }
    sent
}

/// Parses sent texts into JSON values for order-insensitive comparison.
pub fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("sent invalid JSON {text:?}: {e}"))
}
