//! The native client's side of subscriptions, against a jrpc server over real
//! sockets: the stream of items and its end, unsubscribing (explicitly and
//! by dropping), resuming on a new connection, gaps, a reader that falls
//! behind, and a connection that closes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::{start, stop, within};
use futures_util::StreamExt;
use jrpc::{
    Client, Resume, Retention, Server, Subscription, SubscriptionError, SubscriptionOptions, Topic,
};
use serde_json::{Value, json};

fn server(board: &Topic) -> jrpc::ServerBuilder {
    common::with_count(Server::builder()).topic(
        "board.subscribe",
        "board",
        "board.unsubscribe",
        board,
        SubscriptionOptions::default(),
    )
}

/// `client`'s subscription to the board.
async fn board_of<T: serde::de::DeserializeOwned>(client: &Client) -> Subscription<T> {
    client
        .subscribe::<T, _>("board.subscribe", &(), "board.unsubscribe")
        .await
        .unwrap()
}

/// A server with `board`, and a client of it.
async fn on_board(board: &Topic) -> (jrpc::ServerHandle, Client) {
    let server = start(server(board)).await;
    let client = Client::connect(&server.url()).await.unwrap();
    (server, client)
}

async fn next<T>(sub: &mut jrpc::Subscription<T>) -> Option<Result<T, SubscriptionError>>
where
    T: serde::de::DeserializeOwned,
{
    within("the next subscription message", sub.next()).await
}

/// Publishes until the topic has `n` subscribers no more (the server has
/// seen an unsubscribe or a close).
async fn until_subscribers(topic: &Topic, n: usize) {
    within("the topic's subscribers to change", async {
        while topic.subscribers() != n {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await;
}

#[tokio::test]
async fn a_stream_of_items_then_its_end_or_its_error() {
    let board = Topic::new("board");
    let (server, client) = on_board(&board).await;
    let mut count = client
        .subscribe::<u64, _>("count.subscribe", &(3,), "count.unsubscribe")
        .await
        .unwrap();
    assert!(count.id().starts_with('"'), "{}", count.id());
    for i in 0..3 {
        assert_eq!(next(&mut count).await.unwrap().unwrap(), i);
    }
    assert_eq!(count.position().map(|p| p.seq), Some(3));
    assert!(next(&mut count).await.is_none(), "a completed stream ends");

    let mut failing = client
        .subscribe::<u64, _>(
            "count.subscribe",
            &(2, "two is too few"),
            "count.unsubscribe",
        )
        .await
        .unwrap();
    assert_eq!(next(&mut failing).await.unwrap().unwrap(), 0);
    assert_eq!(next(&mut failing).await.unwrap().unwrap(), 1);
    let Some(Err(SubscriptionError::Ended(error))) = next(&mut failing).await else {
        panic!("the stream ends with the server's error");
    };
    assert_eq!((error.code, error.message.as_ref()), (7, "two is too few"));
    assert!(next(&mut failing).await.is_none());

    // A bad item type is reported and the stream goes on.
    let mut wrong = client
        .subscribe::<String, _>("count.subscribe", &(1,), "count.unsubscribe")
        .await
        .unwrap();
    assert!(matches!(
        next(&mut wrong).await,
        Some(Err(SubscriptionError::Decode(_)))
    ));
    assert!(next(&mut wrong).await.is_none());
    stop(&server).await;
}

#[tokio::test]
async fn unsubscribing_explicitly_or_by_dropping() {
    let board = Topic::new("board");
    let (server, client) = on_board(&board).await;
    let mut sub = board_of::<Value>(&client).await;
    board.publish(&json!({"a": 1})).await.unwrap();
    assert_eq!(next(&mut sub).await.unwrap().unwrap(), json!({"a": 1}));
    assert!(within("unsubscribing", sub.unsubscribe()).await.unwrap());
    until_subscribers(&board, 0).await;

    let dropped = board_of::<Value>(&client).await;
    until_subscribers(&board, 1).await;
    drop(dropped);
    until_subscribers(&board, 0).await;
    // The connection is fine after both.
    let again = client
        .subscribe::<Value, _>("board.subscribe", &(), "board.unsubscribe")
        .await;
    assert!(again.is_ok());
    stop(&server).await;
}

#[tokio::test]
async fn resuming_on_a_new_connection_gets_what_was_missed_or_a_gap() {
    let board = Topic::with_retention(
        "board",
        Retention {
            max_items: 2,
            max_age_ms: 60_000,
        },
    );
    let server = start(server(&board)).await;
    let first = Client::connect(&server.url()).await.unwrap();
    let mut sub = board_of::<String>(&first).await;
    board.publish(&"a").await.unwrap();
    assert_eq!(next(&mut sub).await.unwrap().unwrap(), "a");
    let position: Resume = sub
        .position()
        .cloned()
        .expect("a jrpc server numbers items");
    drop(first);
    board.publish(&"b").await.unwrap();

    // One missed, still held: it comes first, then live items.
    let second = Client::connect(&server.url()).await.unwrap();
    let mut resumed = second
        .resubscribe::<String, _>("board.subscribe", &(), "board.unsubscribe", &position)
        .await
        .unwrap();
    assert_eq!(next(&mut resumed).await.unwrap().unwrap(), "b");
    board.publish(&"c").await.unwrap();
    assert_eq!(next(&mut resumed).await.unwrap().unwrap(), "c");

    // From the first position again: "a" (1) is gone (2 held: b, c).
    let third = Client::connect(&server.url()).await.unwrap();
    let mut late = third
        .resubscribe::<String, _>("board.subscribe", &(), "board.unsubscribe", &position)
        .await
        .unwrap();
    let mut seen = Vec::new();
    for _ in 0..2 {
        seen.push(next(&mut late).await.unwrap().unwrap());
    }
    assert_eq!(seen, ["b", "c"], "nothing lost since item 1: no gap");
    let zero = Resume {
        epoch: position.epoch.clone(),
        seq: 0,
    };
    let mut later = third
        .resubscribe::<String, _>("board.subscribe", &(), "board.unsubscribe", &zero)
        .await
        .unwrap();
    assert_eq!(
        next(&mut later).await.unwrap(),
        Err(SubscriptionError::Gap { missed: Some(1) })
    );
    assert_eq!(next(&mut later).await.unwrap().unwrap(), "b");

    // Another epoch, as after a server restart: a gap of unknown size.
    let stale = Resume {
        epoch: "another-run".into(),
        seq: 9,
    };
    let mut other = third
        .resubscribe::<String, _>("board.subscribe", &(), "board.unsubscribe", &stale)
        .await
        .unwrap();
    assert_eq!(
        next(&mut other).await.unwrap(),
        Err(SubscriptionError::Gap { missed: None })
    );
    stop(&server).await;
}

#[tokio::test]
async fn a_reader_that_falls_behind_gets_a_gap_and_the_newest_items() {
    let board = Topic::new("board");
    let (server, client) = on_board(&board).await;
    let mut sub = board_of::<u64>(&client).await;
    // More than the client keeps for a reader (1,024), without reading.
    for n in 1..=1500u64 {
        board.publish(&n).await.unwrap();
    }
    let mut missed = 0;
    let mut last = 0;
    while last < 1500 {
        match next(&mut sub).await.unwrap() {
            Ok(n) => {
                assert!(n > last, "in order: {n} after {last}");
                last = n;
            }
            Err(SubscriptionError::Gap { missed: Some(k) }) => missed += k,
            Err(e) => panic!("{e}"),
        }
    }
    assert!(
        missed > 0,
        "the reader fell behind, so some items were dropped"
    );
    stop(&server).await;
}

#[tokio::test]
async fn a_closed_connection_ends_the_stream() {
    let board = Topic::new("board");
    let (server, client) = on_board(&board).await;
    let mut sub = board_of::<Value>(&client).await;
    stop(&server).await;
    assert_eq!(
        next(&mut sub).await.unwrap(),
        Err(SubscriptionError::ConnectionClosed)
    );
    assert!(next(&mut sub).await.is_none());
}

/// The next text message of `ws`, as JSON.
async fn next_json(ws: &mut tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>) -> Value {
    use tokio_tungstenite::tungstenite::Message;
    loop {
        match ws.next().await {
            Some(Ok(Message::Text(text))) => return serde_json::from_str(&text).unwrap(),
            Some(Ok(_)) => continue,
            other => panic!("the client went away: {other:?}"),
        }
    }
}

/// A server that ignores `$/cancelRequest`, as many do: it accepts a
/// subscribe request the client gave up on after the client cancelled it.
/// The client then ends that subscription (`unsubscribe` with the id).
#[tokio::test]
async fn a_subscribe_given_up_on_and_accepted_late_is_unsubscribed() {
    use futures_util::SinkExt;
    use tokio_tungstenite::tungstenite::Message;

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("ws://{}/rpc", listener.local_addr().unwrap());
    let server = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        let mut ws = tokio_tungstenite::accept_async(tcp).await.unwrap();
        let subscribe = next_json(&mut ws).await;
        assert_eq!(subscribe["method"], "slow.subscribe");
        let cancel = next_json(&mut ws).await;
        assert_eq!(cancel["method"], "$/cancelRequest");
        assert_eq!(cancel["params"]["id"], subscribe["id"]);
        let late = json!({"jsonrpc": "2.0", "result": "s7", "id": subscribe["id"]});
        ws.send(Message::text(late.to_string())).await.unwrap();
        let unsubscribe = next_json(&mut ws).await;
        ws.send(Message::text(
            json!({"jsonrpc": "2.0", "result": true, "id": unsubscribe["id"]}).to_string(),
        ))
        .await
        .unwrap();
        unsubscribe
    });

    let client = Client::builder()
        .with_limits(|l| l.request_timeout = Duration::from_millis(100))
        .connect(&url)
        .await
        .unwrap();
    let given_up = client
        .subscribe::<Value, _>("slow.subscribe", &(), "slow.unsubscribe")
        .await;
    match given_up {
        Err(jrpc::CallError::Timeout { .. }) => {}
        Err(other) => panic!("expected a timeout, got {other}"),
        Ok(_) => panic!("expected a timeout, got a subscription"),
    }
    let unsubscribe = within("the unsubscribe of the late subscription", server)
        .await
        .unwrap();
    assert_eq!(unsubscribe["method"], "slow.unsubscribe");
    assert_eq!(unsubscribe["params"], json!(["s7"]));
}
