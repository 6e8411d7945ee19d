//! Subscriptions over real sockets, read as raw frames: the wire format,
//! unsubscribing, limits, topics with history and resume, overflow policies,
//! and clean-up when a connection ends.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{Raw, error_code, start, stop, within};
use jrpc::{
    Connection, ErrorObject, Limits, Overflow, PendingSubscription, Retention, Server,
    ServerBuilder, SubscriptionOptions, Topic,
};
use serde_json::{Value, json};
use tokio::sync::{Notify, mpsc};

/// `count.subscribe [n]` (see `common::with_count`); `forever.subscribe`:
/// items until unsubscribed (tells `stopped` when its producer ends);
/// `board.subscribe`: the topic `board`; `slow.subscribe [policy]`: a topic
/// whose subscribers have a buffer of 2 items.
fn builder(board: &Topic, slow: &Topic, stopped: mpsc::UnboundedSender<()>) -> ServerBuilder {
    let slow = slow.clone();
    common::with_count(Server::builder())
        .sync_method("ping", |_c: Connection, (): ()| {
            Ok::<_, ErrorObject>("pong")
        })
        .subscription(
            "pair.subscribe",
            "pair",
            "pair.unsubscribe",
            |_c: Connection, (n,): (u64,), pending: PendingSubscription| async move {
                // One sink, two producers, a buffer of one: they take turns
                // waiting for room.
                let options = SubscriptionOptions::default().buffer(1);
                let Ok(sink) = pending.accept_with(options).await else {
                    return;
                };
                let sink = Arc::new(sink);
                let other = Arc::clone(&sink);
                let second = tokio::spawn(async move {
                    for i in 0..n {
                        let _ = other.send(&i).await;
                    }
                });
                for i in 0..n {
                    let _ = sink.send(&i).await;
                }
                let _ = second.await;
            },
        )
        .subscription(
            "forever.subscribe",
            "forever",
            "forever.unsubscribe",
            move |_c: Connection, (): (), pending: PendingSubscription| {
                let stopped = stopped.clone();
                async move {
                    let Ok(sink) = pending.accept().await else {
                        return;
                    };
                    let mut n = 0u64;
                    while sink.send(&n).await.is_ok() {
                        n += 1;
                        tokio::time::sleep(Duration::from_millis(1)).await;
                    }
                    let _ = stopped.send(());
                }
            },
        )
        .topic(
            "board.subscribe",
            "board",
            "board.unsubscribe",
            board,
            SubscriptionOptions::default(),
        )
        .subscription(
            "slow.subscribe",
            "slow",
            "slow.unsubscribe",
            move |_c: Connection, (policy,): (String,), pending: PendingSubscription| {
                let slow = slow.clone();
                async move {
                    let overflow = match policy.as_str() {
                        "drop" => Overflow::DropOldest,
                        "end" => Overflow::End,
                        _ => Overflow::Wait,
                    };
                    let options = SubscriptionOptions::default()
                        .buffer(2)
                        .overflow(overflow)
                        .wait_limit(Duration::from_millis(300));
                    let _ = slow.subscribe(pending, options).await;
                }
            },
        )
}

struct Setup {
    url: String,
    server: jrpc::ServerHandle,
    board: Topic,
    slow: Topic,
    stopped: mpsc::UnboundedReceiver<()>,
}

async fn setup(limits: Limits) -> Setup {
    let board = Topic::with_retention(
        "board",
        Retention {
            max_items: 3,
            max_age_ms: 60_000,
        },
    );
    let slow = Topic::new("slow");
    let (tx, stopped) = mpsc::unbounded_channel();
    let server = start(builder(&board, &slow, tx).with_limits(|l| *l = limits)).await;
    let url = format!("ws://{}/rpc", server.local_addr());
    Setup {
        url,
        server,
        board,
        slow,
        stopped,
    }
}

/// Reads `ws` up to subscription `id`'s end, which must say it fell behind (-32000).
async fn assert_ended_too_slow(ws: &mut Raw, id: &str) {
    let end = loop {
        let message = ws.next_json().await;
        if message["params"].get("error").is_some() {
            break message;
        }
    };
    assert_eq!(end["params"]["subscription"], id);
    assert_eq!(end["params"]["error"]["code"], -32000);
}

/// Sends a subscribe request and returns the subscription id from its response.
async fn subscribe(ws: &mut Raw, method: &str, params: Value, id: u64) -> String {
    let request = json!({"jsonrpc": "2.0", "method": method, "params": params, "id": id});
    let reply = ws.call(request.to_string()).await;
    reply["result"]
        .as_str()
        .unwrap_or_else(|| panic!("no subscription id in {reply}"))
        .to_owned()
}

#[tokio::test]
async fn items_then_the_end_in_jsonrpsees_shape_with_seq_and_epoch() {
    let s = setup(Limits::default()).await;
    let mut ws = Raw::connect(&s.url).await;
    let id = subscribe(&mut ws, "count.subscribe", json!([3]), 1).await;
    let mut epoch = None;
    for i in 0..3u64 {
        let item = ws.next_json().await;
        assert_eq!(item["jsonrpc"], "2.0");
        assert_eq!(item["method"], "count");
        assert!(item.get("id").is_none(), "{item}");
        let params = &item["params"];
        assert_eq!(params["subscription"], id.as_str());
        assert_eq!(params["result"], i);
        assert_eq!(params["seq"], i + 1);
        let this = params["epoch"].as_str().expect("an epoch").to_owned();
        assert_eq!(epoch.get_or_insert_with(|| this.clone()), &this);
    }
    // The handler returned: the stream completed.
    let end = ws.next_json().await;
    assert_eq!(end["params"], json!({ "subscription": id, "error": null }));
    // Gone now: unsubscribing finds nothing.
    let reply = ws
        .call(
            json!({"jsonrpc":"2.0","method":"count.unsubscribe","params":[id],"id":2}).to_string(),
        )
        .await;
    assert_eq!(reply["result"], false);
    stop(&s.server).await;
}

#[tokio::test]
async fn a_rejection_is_the_requests_error_and_bad_params_are_invalid_params() {
    let s = setup(Limits::default()).await;
    let mut ws = Raw::connect(&s.url).await;
    let reply = ws
        .call(r#"{"jsonrpc":"2.0","method":"count.subscribe","params":[1000],"id":1}"#)
        .await;
    assert_eq!(error_code(&reply), -32602);
    assert_eq!(reply["error"]["message"], "Invalid params: at most 100");
    let reply = ws
        .call(r#"{"jsonrpc":"2.0","method":"count.subscribe","params":["x"],"id":2}"#)
        .await;
    assert_eq!(error_code(&reply), -32602);
    // In a batch: refused, the other member answered.
    let reply = ws
        .call(r#"[{"jsonrpc":"2.0","method":"count.subscribe","params":[1],"id":3},{"jsonrpc":"2.0","method":"ping","id":4}]"#)
        .await;
    assert_eq!(error_code(&reply[0]), -32600, "{reply}");
    assert_eq!(reply[1]["result"], "pong");
    ws.assert_works().await;
    stop(&s.server).await;
}

#[tokio::test]
async fn unsubscribing_stops_the_producer_and_answers_true() {
    let mut s = setup(Limits::default()).await;
    let mut ws = Raw::connect(&s.url).await;
    let id = subscribe(&mut ws, "forever.subscribe", json!([]), 1).await;
    let first = ws.next_json().await;
    assert_eq!(first["params"]["result"], 0);
    ws.send(
        json!({"jsonrpc":"2.0","method":"forever.unsubscribe","params":[id],"id":2}).to_string(),
    )
    .await;
    // Items already on their way may come first; then the answer.
    loop {
        let message = ws.next_json().await;
        if message.get("id").is_some() {
            assert_eq!(message["result"], true, "{message}");
            break;
        }
        assert_eq!(message["method"], "forever");
    }
    within("the producer to stop", s.stopped.recv()).await;
    ws.assert_works().await;
    stop(&s.server).await;
}

#[tokio::test]
async fn the_limit_per_connection_is_answered_with_a_clear_error_and_freed_on_unsubscribe() {
    let limits = Limits {
        max_subscriptions: 2,
        ..Limits::default()
    };
    let s = setup(limits).await;
    let mut ws = Raw::connect(&s.url).await;
    let a = subscribe(&mut ws, "board.subscribe", json!([]), 1).await;
    subscribe(&mut ws, "board.subscribe", json!([]), 2).await;
    let reply = ws
        .call(r#"{"jsonrpc":"2.0","method":"board.subscribe","id":3}"#)
        .await;
    assert_eq!(error_code(&reply), -32000);
    assert!(
        reply["error"]["message"]
            .as_str()
            .unwrap()
            .contains("the limit is 2"),
        "{reply}"
    );
    let reply = ws
        .call(json!({"jsonrpc":"2.0","method":"board.unsubscribe","params":[a],"id":4}).to_string())
        .await;
    assert_eq!(reply["result"], true);
    subscribe(&mut ws, "board.subscribe", json!([]), 5).await;
    stop(&s.server).await;
}

#[tokio::test]
async fn a_topic_reaches_every_subscriber_and_forgets_closed_connections() {
    let s = setup(Limits::default()).await;
    let mut a = Raw::connect(&s.url).await;
    let mut b = Raw::connect(&s.url).await;
    let id_a = subscribe(&mut a, "board.subscribe", json!([]), 1).await;
    let id_b = subscribe(&mut b, "board.subscribe", json!([]), 1).await;
    assert_ne!(id_a, id_b);
    assert_eq!(s.board.subscribers(), 2);
    let seq = s.board.publish(&json!({"text": "hi"})).await.unwrap();
    for (ws, id) in [(&mut a, &id_a), (&mut b, &id_b)] {
        let item = ws.next_json().await;
        assert_eq!(item["params"]["subscription"], id.as_str());
        assert_eq!(item["params"]["result"], json!({"text": "hi"}));
        assert_eq!(item["params"]["seq"], seq);
    }
    drop(b);
    // The server sees the close at some point; the topic then drops it.
    within("the closed subscriber to go", async {
        while s.board.subscribers() > 1 {
            s.board.publish(&"tick").await.unwrap();
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await;
    stop(&s.server).await;
}

/// Resubscribes with a `resume` member, as a client does after a reconnect.
async fn resume(ws: &mut Raw, epoch: &str, seq: u64) -> String {
    let request = json!({"jsonrpc": "2.0", "method": "board.subscribe", "id": 9,
        "resume": {"epoch": epoch, "seq": seq}});
    let reply = ws.call(request.to_string()).await;
    reply["result"]
        .as_str()
        .expect("a subscription id")
        .to_owned()
}

#[tokio::test]
async fn a_resume_gets_what_it_missed_or_an_exact_gap_or_an_unknown_one() {
    let s = setup(Limits::default()).await;
    let mut ws = Raw::connect(&s.url).await;
    subscribe(&mut ws, "board.subscribe", json!([]), 1).await;
    s.board.publish(&"a").await.unwrap();
    let first = ws.next_json().await;
    let epoch = first["params"]["epoch"].as_str().unwrap().to_owned();
    assert_eq!(first["params"]["seq"], 1);
    drop(ws);
    // Published while the client was away: b, c (history holds 3 items).
    s.board.publish(&"b").await.unwrap();
    s.board.publish(&"c").await.unwrap();
    let mut ws = Raw::connect(&s.url).await;
    resume(&mut ws, &epoch, 1).await;
    for (seq, item) in [(2, "b"), (3, "c")] {
        let message = ws.next_json().await;
        assert_eq!(
            (
                message["params"]["seq"].clone(),
                message["params"]["result"].clone()
            ),
            (json!(seq), json!(item))
        );
    }
    // Then live items.
    s.board.publish(&"d").await.unwrap();
    assert_eq!(ws.next_json().await["params"]["seq"], 4);

    // Too far behind: items 1 and 2 are gone (3 held: 2..4 minus the oldest).
    s.board.publish(&"e").await.unwrap();
    let _ = ws.next_json().await;
    let mut late = Raw::connect(&s.url).await;
    resume(&mut late, &epoch, 0).await;
    let gap = late.next_json().await;
    assert_eq!(gap["params"]["gap"], json!({"missed": 2}), "{gap}");
    assert_eq!(gap["params"]["seq"], 3);
    let seqs: Vec<Value> = [
        late.next_json().await,
        late.next_json().await,
        late.next_json().await,
    ]
    .iter()
    .map(|m| m["params"]["seq"].clone())
    .collect();
    assert_eq!(seqs, [json!(3), json!(4), json!(5)]);

    // Another epoch (a restarted server): the loss is unknown, and the
    // history held is all new to the client.
    let mut other = Raw::connect(&s.url).await;
    resume(&mut other, "some-old-epoch", 40).await;
    let gap = other.next_json().await;
    assert_eq!(gap["params"]["gap"], json!({"missed": null}), "{gap}");
    assert_eq!(gap["params"]["epoch"].as_str(), Some(epoch.as_str()));
    assert_eq!(other.next_json().await["params"]["seq"], 3);
    stop(&s.server).await;
}

/// A client that stops reading: how each policy keeps the server bounded
/// while the publisher goes on.
#[tokio::test]
async fn a_slow_subscriber_is_bounded_by_its_policy() {
    let s = setup(Limits::default()).await;
    // Drop the oldest: the reader later sees a gap, then the newest items.
    let mut dropping = Raw::connect(&s.url).await;
    let id = subscribe(&mut dropping, "slow.subscribe", json!(["drop"]), 1).await;
    // End: the subscription ends with an error once its buffer overflows.
    let mut ending = Raw::connect(&s.url).await;
    let ended_id = subscribe(&mut ending, "slow.subscribe", json!(["end"]), 1).await;
    // Enough items that the socket's buffers fill and the subscription's
    // own buffer (2 items) overflows; bounded in count.
    let big = "x".repeat(64 * 1024);
    for _ in 0..200 {
        s.slow.publish(&big).await.unwrap();
    }
    assert_eq!(s.slow.subscribers(), 1, "the ended subscription is dropped");
    let mut missed = 0;
    let mut last = 0;
    loop {
        let message = dropping.next_json().await;
        let params = &message["params"];
        assert_eq!(params["subscription"], id.as_str());
        if let Some(gap) = params.get("gap") {
            missed += gap["missed"].as_u64().unwrap();
        } else {
            last = params["seq"].as_u64().unwrap();
        }
        if last == 200 {
            break;
        }
    }
    assert!(
        missed > 0,
        "nothing was dropped: the test did not overflow the buffer"
    );
    assert_ended_too_slow(&mut ending, &ended_id).await;
    stop(&s.server).await;
}

/// A publisher waits for a subscriber whose policy is to wait, and goes on
/// as soon as it reads again.
#[tokio::test]
async fn the_wait_policy_holds_the_publisher_until_the_reader_catches_up() {
    let s = setup(Limits::default()).await;
    let mut ws = Raw::connect(&s.url).await;
    subscribe(&mut ws, "slow.subscribe", json!(["wait"]), 1).await;
    let published = Arc::new(Notify::new());
    let topic = s.slow.clone();
    let done = Arc::clone(&published);
    let publisher = tokio::spawn(async move {
        let big = "y".repeat(64 * 1024);
        for _ in 0..100 {
            topic.publish(&big).await.unwrap();
        }
        done.notify_one();
    });
    // Every item arrives, in order, none dropped.
    for seq in 1..=100u64 {
        let message = ws.next_json().await;
        assert_eq!(message["params"]["seq"], seq);
    }
    within("the publisher to finish", published.notified()).await;
    publisher.await.unwrap();
    stop(&s.server).await;
}

/// Several tasks sending through one sink: every item is numbered as it
/// reaches the wire, so the numbers come in order with none skipped.
#[tokio::test]
async fn a_sink_shared_by_tasks_numbers_items_in_the_order_they_go_out() {
    let s = setup(Limits::default()).await;
    let mut ws = Raw::connect(&s.url).await;
    subscribe(&mut ws, "pair.subscribe", json!([300]), 1).await;
    for seq in 1..=600u64 {
        let item = ws.next_json().await;
        assert_eq!(item["params"]["seq"], seq, "{item}");
    }
    assert_eq!(ws.next_json().await["params"]["error"], Value::Null);
    stop(&s.server).await;
}

/// A subscriber that stops reading, with the policy to wait: the publisher
/// waits for it only up to its wait limit, then goes on without it.
#[tokio::test]
async fn a_stalled_subscriber_holds_a_topic_only_up_to_its_wait_limit() {
    let s = setup(Limits::default()).await;
    let mut stalled = Raw::connect(&s.url).await;
    let id = subscribe(&mut stalled, "slow.subscribe", json!(["wait"]), 1).await;
    let big = "z".repeat(64 * 1024);
    within("publishing past a stalled subscriber", async {
        for _ in 0..300 {
            s.slow.publish(&big).await.unwrap();
        }
    })
    .await;
    assert_eq!(
        s.slow.subscribers(),
        0,
        "the stalled subscription was ended"
    );
    assert_ended_too_slow(&mut stalled, &id).await;
    stop(&s.server).await;
}

#[tokio::test]
async fn an_unsubscribe_method_ends_only_its_own_kind_of_subscription() {
    let s = setup(Limits::default()).await;
    let mut ws = Raw::connect(&s.url).await;
    let id = subscribe(&mut ws, "board.subscribe", json!([]), 1).await;
    let wrong = json!({"jsonrpc":"2.0","method":"count.unsubscribe","params":[id],"id":2});
    assert_eq!(ws.call(wrong.to_string()).await["result"], false);
    let right = json!({"jsonrpc":"2.0","method":"board.unsubscribe","params":[id],"id":3});
    assert_eq!(ws.call(right.to_string()).await["result"], true);
    stop(&s.server).await;
}

/// A topic's subscriber is registered before its id is answered: a publish
/// made as soon as the client has the id always reaches it.
#[tokio::test]
async fn a_publish_right_after_the_answer_reaches_the_new_subscriber() {
    let s = setup(Limits::default()).await;
    let mut ws = Raw::connect(&s.url).await;
    for round in 0..50u64 {
        let id = subscribe(&mut ws, "board.subscribe", json!([]), round).await;
        s.board.publish(&round).await.unwrap();
        let item = ws.next_json().await;
        assert_eq!(item["params"]["result"], round, "{item}");
        let bye =
            json!({"jsonrpc":"2.0","method":"board.unsubscribe","params":[id],"id":1000 + round});
        assert_eq!(ws.call(bye.to_string()).await["result"], true);
    }
    stop(&s.server).await;
}
