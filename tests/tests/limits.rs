//! Per-connection and per-server limits: calls in flight, connections, handshake time.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{Raw, basic, http_status, start, stop, within};
use jrpc::{CallError, Client, Connection, ErrorObject, code};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::{Semaphore, mpsc};

#[tokio::test]
async fn fifth_concurrent_request_is_refused_as_busy() {
    let gate = Arc::new(Semaphore::new(0));
    let (started_tx, mut started) = mpsc::unbounded_channel();
    let handler_gate = Arc::clone(&gate);
    let server = start(basic().with_limits(|l| l.max_in_flight = 4).method(
        "gated",
        move |_c: Connection, (n,): (u32,)| {
            let gate = Arc::clone(&handler_gate);
            let started = started_tx.clone();
            async move {
                started.send(()).unwrap();
                gate.acquire().await.unwrap().forget();
                Ok::<_, ErrorObject>(n)
            }
        },
    ))
    .await;
    let client = Client::connect(&server.url()).await.unwrap();
    let running: Vec<_> = (0..4u32)
        .map(|n| {
            let conn = client.connection().clone();
            tokio::spawn(async move { conn.request::<u32, _>("gated", &(n,)).await })
        })
        .collect();
    for _ in 0..4 {
        within("a gated call to start", started.recv())
            .await
            .unwrap();
    }
    match within("the fifth call", client.request::<u32, _>("gated", &(99,))).await {
        Err(CallError::Rpc(e)) => {
            assert_eq!(e.code, code::SERVER_BUSY, "{e}");
            assert!(e.message.contains("Server busy"), "{e}");
        }
        other => panic!("expected server busy, got {other:?}"),
    }
    // Even a quick method is refused while four calls run.
    match client.request::<String, _>("ping", &()).await {
        Err(CallError::Rpc(e)) => assert_eq!(e.code, code::SERVER_BUSY),
        other => panic!("expected server busy, got {other:?}"),
    }
    gate.add_permits(4);
    for (n, call) in running.into_iter().enumerate() {
        let answer = within("a gated call to finish", call).await.unwrap();
        assert_eq!(answer.unwrap(), n as u32);
    }
    // With the slots free again, new calls run.
    let again = client.connection().clone();
    let next = tokio::spawn(async move { again.request::<u32, _>("gated", &(5,)).await });
    within("the next call to start", started.recv())
        .await
        .unwrap();
    gate.add_permits(1);
    assert_eq!(within("the next call", next).await.unwrap().unwrap(), 5);
    assert_eq!(
        client.request::<String, _>("ping", &()).await.unwrap(),
        "pong"
    );
    stop(&server).await;
}

#[tokio::test]
async fn third_connection_is_refused_with_503() {
    let server = start(basic().with_limits(|l| l.max_connections = 2)).await;
    let first = Client::connect(&server.url()).await.unwrap();
    let second = Client::connect(&server.url()).await.unwrap();
    assert_eq!(
        first.request::<String, _>("ping", &()).await.unwrap(),
        "pong"
    );
    assert_eq!(
        second.request::<String, _>("ping", &()).await.unwrap(),
        "pong"
    );
    let refused = within("the third handshake", Raw::try_connect(server.url())).await;
    assert_eq!(http_status(refused), 503);
    // The jrpc client reports the refusal as a handshake error.
    let refused = within("a fourth handshake", Client::connect(&server.url())).await;
    assert!(refused.is_err());
    // The two open connections are unaffected.
    assert_eq!(first.request::<i64, _>("add", &(1, 1)).await.unwrap(), 2);
    assert_eq!(second.request::<i64, _>("add", &(2, 2)).await.unwrap(), 4);
    stop(&server).await;
}

#[tokio::test]
async fn a_closed_connection_frees_its_slot() {
    let server = start(basic().with_limits(|l| l.max_connections = 1)).await;
    let first = Client::connect(&server.url()).await.unwrap();
    assert_eq!(
        first.request::<String, _>("ping", &()).await.unwrap(),
        "pong"
    );
    assert_eq!(
        http_status(within("a second handshake", Raw::try_connect(server.url())).await),
        503
    );
    let server_side = server.connections().pop().unwrap();
    drop(first);
    within("the server side to end", server_side.closed()).await;
    // The slot is released just after the connection's task ends; each attempt is
    // a full round trip, so a bounded number of them gives it ample time.
    let mut attempts = 0;
    let client = loop {
        attempts += 1;
        match within("a new handshake", Client::connect(&server.url())).await {
            Ok(client) => break client,
            Err(_) if attempts < 200 => tokio::task::yield_now().await,
            Err(e) => panic!("the slot was never freed: {e}"),
        }
    };
    assert_eq!(
        client.request::<String, _>("ping", &()).await.unwrap(),
        "pong"
    );
    stop(&server).await;
}

#[tokio::test]
async fn silent_tcp_client_is_dropped_after_the_handshake_timeout() {
    let server =
        start(basic().with_limits(|l| l.handshake_timeout = Duration::from_millis(200))).await;
    let connected = Instant::now();
    let mut silent = TcpStream::connect(server.local_addr()).await.unwrap();
    let mut buf = [0u8; 64];
    let read = within(
        "the server to drop the silent client",
        silent.read(&mut buf),
    )
    .await;
    // Either a clean EOF or a reset: nothing is sent and the socket is gone...
    assert!(matches!(read, Ok(0) | Err(_)), "{read:?}");
    // ...and not before the client had its time.
    assert!(connected.elapsed() >= Duration::from_millis(150));

    // A client that sends half a request head is dropped too.
    let mut slow = TcpStream::connect(server.local_addr()).await.unwrap();
    slow.write_all(b"GET /rpc HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let read = within("the server to drop the slow client", slow.read(&mut buf)).await;
    assert!(matches!(read, Ok(0) | Err(_)), "{read:?}");

    // A normal client within the limit is unaffected.
    let client = Client::connect(&server.url()).await.unwrap();
    assert_eq!(
        client.request::<String, _>("ping", &()).await.unwrap(),
        "pong"
    );
    stop(&server).await;
}

#[tokio::test]
async fn calls_over_the_rate_limit_are_answered_at_once_with_its_code() {
    // One call a second after a burst of three: the test's calls all come
    // well within a second, so the fourth and later find the bucket empty.
    let limit = jrpc::RateLimit::new(1, 3);
    let server = start(basic().with_limits(|l| l.rate_limit = Some(limit))).await;
    let mut raw = Raw::connect(&server.url()).await;
    let batch: Vec<String> = (1..=5)
        .map(|id| format!(r#"{{"jsonrpc":"2.0","method":"ping","id":{id}}}"#))
        .collect();
    raw.send(format!("[{}]", batch.join(","))).await;
    let answers = raw.next_json().await;
    let answers = answers.as_array().unwrap();
    assert_eq!(answers.len(), 5);
    for answer in &answers[..3] {
        assert_eq!(answer["result"], "pong", "{answer}");
    }
    for answer in &answers[3..] {
        assert_eq!(answer["error"]["code"], code::RATE_LIMITED, "{answer}");
        let message = answer["error"]["message"].as_str().unwrap();
        assert!(
            message.contains("over its limit of 1 per second"),
            "{message}"
        );
        let retry = answer["error"]["data"]["retryAfterMs"].as_u64().unwrap();
        assert!(retry > 0 && retry <= 1000, "{answer}");
    }
    // A cancel is not a call: it neither counts nor is refused. The
    // connection stays open, and the next call is refused the same way.
    raw.send(r#"{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":99}}"#)
        .await;
    raw.send(r#"{"jsonrpc":"2.0","method":"ping","id":"later"}"#)
        .await;
    let later = raw.next_json().await;
    assert_eq!(later["id"], "later");
    assert_eq!(later["error"]["code"], code::RATE_LIMITED, "{later}");
    drop(raw);

    // Each connection has its own bucket.
    let client = Client::connect(&server.url()).await.unwrap();
    assert_eq!(
        client.request::<String, _>("ping", &()).await.unwrap(),
        "pong"
    );
    stop(&server).await;
}
