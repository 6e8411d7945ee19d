//! Cancellation (`$/cancelRequest`, dropped futures) and timeouts, both directions.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::time::Duration;

use common::{Raw, basic, hang, start, stop, within};
use futures_util::{SinkExt, StreamExt};
use jrpc::{CallError, Client, Connection, ErrorObject, Server, ServerHandle, code};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;

/// A server whose `hang` never answers; it reports when it starts and when it is dropped.
async fn hanging_server() -> (
    ServerHandle,
    mpsc::UnboundedReceiver<()>,
    mpsc::UnboundedReceiver<()>,
) {
    let (started_tx, started) = mpsc::unbounded_channel();
    let (dropped_tx, dropped) = mpsc::unbounded_channel();
    let server = start(basic().method("hang", hang(started_tx, dropped_tx))).await;
    (server, started, dropped)
}

#[tokio::test]
async fn dropping_the_request_future_cancels_the_server_handler() {
    let (server, mut started, mut dropped) = hanging_server().await;
    let client = Client::connect(&server.url()).await.unwrap();
    let call = client.request::<(), _>("hang", &());
    tokio::select! {
        answer = call => panic!("hang answered: {answer:?}"),
        _ = within("the handler to start", started.recv()) => {}
    }
    // The call future is dropped here: the server must drop the handler.
    within("the handler to be dropped", dropped.recv())
        .await
        .unwrap();
    assert_eq!(
        client.request::<String, _>("ping", &()).await.unwrap(),
        "pong"
    );
    stop(&server).await;
}

#[tokio::test]
async fn request_timeout_cancels_the_server_handler() {
    let (server, mut started, mut dropped) = hanging_server().await;
    let client = Client::builder()
        .with_limits(|l| l.request_timeout = Duration::from_millis(150))
        .connect(&server.url())
        .await
        .unwrap();
    match within("the default timeout", client.request::<(), _>("hang", &())).await {
        Err(CallError::Timeout(t)) => assert_eq!(t, Duration::from_millis(150)),
        other => panic!("expected a timeout, got {other:?}"),
    }
    within("the handler to start", started.recv())
        .await
        .unwrap();
    within("the handler to be dropped", dropped.recv())
        .await
        .unwrap();
    // An explicit per-call timeout works the same way.
    let short = client.request_timeout::<(), _>("hang", &(), Duration::from_millis(50));
    match within("an explicit timeout", short).await {
        Err(e @ CallError::Timeout(_)) => assert_eq!(e.code(), code::REQUEST_TIMEOUT),
        other => panic!("expected a timeout, got {other:?}"),
    }
    within("the second handler to be dropped", dropped.recv())
        .await
        .unwrap();
    // The cancelled calls' -32800 replies arrive late and are ignored.
    assert_eq!(client.request::<i64, _>("add", &(2, 2)).await.unwrap(), 4);
    stop(&server).await;
}

#[tokio::test]
async fn raw_cancel_request_answers_minus_32800_and_drops_the_handler() {
    let (server, mut started, mut dropped) = hanging_server().await;
    let mut raw = Raw::connect(&server.url()).await;
    raw.send(r#"{"jsonrpc":"2.0","method":"hang","id":"slow-1"}"#)
        .await;
    within("the handler to start", started.recv())
        .await
        .unwrap();
    raw.send(r#"{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":"slow-1"}}"#)
        .await;
    let reply = raw.next_json().await;
    assert_eq!(
        reply,
        json!({"jsonrpc": "2.0", "error": {"code": -32800, "message": "Request cancelled"}, "id": "slow-1"})
    );
    within("the handler to be dropped", dropped.recv())
        .await
        .unwrap();
    // Cancelling it again, or an unknown id, produces nothing.
    raw.send(r#"{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":"slow-1"}}"#)
        .await;
    raw.send(r#"{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":999}}"#)
        .await;
    raw.assert_works().await;
    drop(raw);
    stop(&server).await;
}

#[tokio::test]
async fn server_request_timeout_cancels_the_client_handler() {
    let server = start(Server::builder().method(
        "ask.client",
        |conn: Connection, (): ()| async move {
            let asked =
                conn.request_timeout::<(), _>("client.hang", &(), Duration::from_millis(100));
            Ok::<_, ErrorObject>(match asked.await {
                Ok(()) => 0,
                Err(e) => e.code(),
            })
        },
    ))
    .await;
    let (started_tx, mut started) = mpsc::unbounded_channel();
    let (dropped_tx, mut dropped) = mpsc::unbounded_channel();
    let client = Client::builder()
        .method("client.hang", hang(started_tx, dropped_tx))
        .connect(&server.url())
        .await
        .unwrap();
    let code: i64 = within("ask.client", client.request("ask.client", &()))
        .await
        .unwrap();
    assert_eq!(code, code::REQUEST_TIMEOUT);
    within("the client handler to start", started.recv())
        .await
        .unwrap();
    within("the client handler to be dropped", dropped.recv())
        .await
        .unwrap();
    stop(&server).await;
}

async fn next_json(ws: &mut WebSocketStream<TcpStream>) -> Value {
    match ws.next().await {
        Some(Ok(Message::Text(text))) => serde_json::from_str(text.as_str()).unwrap(),
        other => panic!("expected a text message, got {other:?}"),
    }
}

/// A hand-written peer: answers the first request only after the client gave
/// up on it, then answers the next one normally.
#[tokio::test]
async fn late_response_after_timeout_is_ignored() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (cancelled_tx, mut cancelled) = mpsc::unbounded_channel::<Value>();
    let peer = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        let mut ws = tokio_tungstenite::accept_async(tcp).await.unwrap();
        let first = next_json(&mut ws).await;
        assert_eq!(first["method"], "slow");
        let cancel = next_json(&mut ws).await;
        cancelled_tx.send(cancel).unwrap();
        let second = next_json(&mut ws).await;
        assert_eq!(second["method"], "fast");
        assert_ne!(first["id"], second["id"]);
        let late = json!({"jsonrpc": "2.0", "result": "late", "id": first["id"]});
        let fresh = json!({"jsonrpc": "2.0", "result": "fresh", "id": second["id"]});
        let duplicate = json!({"jsonrpc": "2.0", "result": "dup", "id": second["id"]});
        for reply in [late, fresh, duplicate] {
            ws.send(Message::text(reply.to_string())).await.unwrap();
        }
        let third = next_json(&mut ws).await;
        let answer = json!({"jsonrpc": "2.0", "result": "third", "id": third["id"]});
        ws.send(Message::text(answer.to_string())).await.unwrap();
        (first["id"].clone(), ws)
    });

    let client = Client::connect(&format!("ws://{addr}/rpc")).await.unwrap();
    let slow = client.request_timeout::<String, _>("slow", &(), Duration::from_millis(100));
    assert!(matches!(
        within("the slow call", slow).await,
        Err(CallError::Timeout(_))
    ));
    let cancel = within("the $/cancelRequest", cancelled.recv())
        .await
        .unwrap();
    assert_eq!(cancel["method"], "$/cancelRequest");
    assert!(cancel.get("id").is_none(), "cancel must be a notification");
    let fast = within("the fast call", client.request::<String, _>("fast", &()))
        .await
        .unwrap();
    assert_eq!(fast, "fresh");
    let third = within("the third call", client.request::<String, _>("third", &()))
        .await
        .unwrap();
    assert_eq!(third, "third");
    let (first_id, _ws) = within("the fake peer", peer).await.unwrap();
    assert_eq!(cancel["params"]["id"], first_id);
}
