//! The server-wide cap on running handlers (`Limits::max_running_handlers`,
//! wsjsonrpc's `concurrency`): calls beyond it wait for a slot, in order,
//! instead of being refused.
//!
//! Each test proves that the server has read a frame by a request to an
//! unknown method sent after it on the same connection: the engine answers
//! that at once, without a handler, so its -32601 arrives while calls that
//! wait for a slot are still unanswered.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::{Raw, basic, start, stop, within};
use jrpc::{Connection, ErrorObject, ServerBuilder, code};
use serde_json::{Value, json};
use tokio::sync::{Semaphore, mpsc};

/// Counts handlers running now and the most that ever ran at once.
#[derive(Default)]
struct Running {
    now: AtomicUsize,
    most: AtomicUsize,
}

/// `basic()` with `gated`, an async method that reports on `started` and
/// answers its param once `gate` lets it through, under a cap of `cap`.
fn gated_server(
    cap: usize,
    gate: &Arc<Semaphore>,
    started: mpsc::UnboundedSender<u32>,
    running: &Arc<Running>,
) -> ServerBuilder {
    let gate = Arc::clone(gate);
    let running = Arc::clone(running);
    basic()
        .with_limits(|l| l.max_running_handlers = Some(cap))
        .method("gated", move |_c: Connection, (n,): (u32,)| {
            let gate = Arc::clone(&gate);
            let running = Arc::clone(&running);
            let started = started.clone();
            async move {
                let now = running.now.fetch_add(1, Ordering::SeqCst) + 1;
                running.most.fetch_max(now, Ordering::SeqCst);
                started.send(n).unwrap();
                gate.acquire().await.unwrap().forget();
                running.now.fetch_sub(1, Ordering::SeqCst);
                Ok::<_, ErrorObject>(n)
            }
        })
}

fn request(method: &str, params: Value, id: u32) -> String {
    json!({"jsonrpc": "2.0", "method": method, "params": params, "id": id}).to_string()
}

/// Sends an unknown method with `id` and expects its -32601 as the next reply.
async fn read_so_far(raw: &mut Raw, id: u32) {
    let reply = raw.call(request("no.such.method", json!([]), id)).await;
    assert_eq!(reply["id"], id, "{reply}");
    assert_eq!(reply["error"]["code"], code::METHOD_NOT_FOUND, "{reply}");
}

#[tokio::test]
async fn calls_beyond_the_cap_wait_for_a_slot_and_are_not_refused() {
    let gate = Arc::new(Semaphore::new(0));
    let (started_tx, mut started) = mpsc::unbounded_channel();
    let running = Arc::new(Running::default());
    let server = start(gated_server(2, &gate, started_tx, &running)).await;
    let url = server.url();
    let mut a = Raw::connect(&url).await;
    let mut b = Raw::connect(&url).await;
    for n in 1..=3 {
        a.send(request("gated", json!([n]), n)).await;
        b.send(request("gated", json!([n + 10]), n + 10)).await;
    }
    read_so_far(&mut a, 100).await;
    read_so_far(&mut b, 200).await;
    // All six calls have been read; two slots, and no handler can finish.
    for _ in 0..2 {
        within("a call to start", started.recv()).await.unwrap();
    }
    assert!(started.try_recv().is_err(), "a third handler started");
    assert_eq!(running.now.load(Ordering::SeqCst), 2);

    gate.add_permits(6);
    let mut answered = Vec::new();
    for raw in [&mut a, &mut b] {
        for _ in 0..3 {
            let reply = raw.next_json().await;
            assert_eq!(reply["result"], reply["id"], "{reply}");
            answered.push(reply["id"].as_u64().unwrap());
        }
    }
    answered.sort_unstable();
    assert_eq!(
        answered,
        [1, 2, 3, 11, 12, 13],
        "every call answered, none refused"
    );
    assert_eq!(
        running.most.load(Ordering::SeqCst),
        2,
        "never more than the cap"
    );
    drop((a, b));
    stop(&server).await;
}

/// A server with one slot, two raw clients, and the slot taken by `gated`
/// called with `n` on `a`, which runs until the gate lets it through.
struct OneSlotTaken {
    gate: Arc<Semaphore>,
    started: mpsc::UnboundedReceiver<u32>,
    server: jrpc::ServerHandle,
    a: Raw,
    b: Raw,
}

async fn one_slot_taken(n: u32) -> OneSlotTaken {
    let gate = Arc::new(Semaphore::new(0));
    let (started_tx, mut started) = mpsc::unbounded_channel();
    let running = Arc::new(Running::default());
    let server = start(gated_server(1, &gate, started_tx, &running)).await;
    let mut a = Raw::connect(&server.url()).await;
    let b = Raw::connect(&server.url()).await;
    a.send(request("gated", json!([n]), n)).await;
    assert_eq!(
        within("the first call to start", started.recv()).await,
        Some(n)
    );
    OneSlotTaken {
        gate,
        started,
        server,
        a,
        b,
    }
}

#[tokio::test]
async fn a_synchronous_handler_waits_for_a_slot_too() {
    let OneSlotTaken {
        gate,
        server,
        mut a,
        mut b,
        ..
    } = one_slot_taken(7).await;
    b.send(request("add", json!([1, 2]), 1)).await;
    // Answered first: `add` has been read and is still waiting for the slot.
    read_so_far(&mut b, 2).await;

    gate.add_permits(1);
    assert_eq!(
        a.next_json().await,
        json!({"jsonrpc": "2.0", "result": 7, "id": 7})
    );
    assert_eq!(
        b.next_json().await,
        json!({"jsonrpc": "2.0", "result": 3, "id": 1})
    );
    drop((a, b));
    stop(&server).await;
}

#[tokio::test]
async fn a_waiting_call_can_be_cancelled_and_then_never_starts() {
    let OneSlotTaken {
        gate,
        mut started,
        server,
        mut a,
        mut b,
    } = one_slot_taken(1).await;
    b.send(request("gated", json!([5]), 5)).await;
    let cancelled = b
        .call(
            json!({"jsonrpc": "2.0", "method": "$/cancelRequest", "params": {"id": 5}}).to_string(),
        )
        .await;
    assert_eq!(cancelled["id"], 5, "{cancelled}");
    assert_eq!(
        cancelled["error"]["code"],
        code::REQUEST_CANCELLED,
        "{cancelled}"
    );

    // The slot frees; the cancelled call must not take it: the next one does.
    gate.add_permits(1);
    assert_eq!(a.next_json().await["result"], 1);
    b.send(request("gated", json!([6]), 6)).await;
    assert_eq!(
        within("the next call to start", started.recv()).await,
        Some(6)
    );
    gate.add_permits(1);
    assert_eq!(
        b.next_json().await,
        json!({"jsonrpc": "2.0", "result": 6, "id": 6})
    );
    assert!(
        started.try_recv().is_err(),
        "the cancelled call started after all"
    );
    drop((a, b));
    stop(&server).await;
}
