//! Graceful shutdown: each connection is told to reconnect (`rpc.reconnect`)
//! and still runs what its client sends for a short window; then new calls
//! are refused, running calls finish, connections close with 1001, and the
//! server stops. While it drains it still answers on its port: newcomers
//! get 503.
//!
//! These tests run on the current-thread runtime: once one connection has
//! seen its close frame, the server task has already asked every connection to
//! close (it does so without yielding), which is what the tests rely on.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{Raw, basic, http_status, start, within};
use jrpc::{Client, Connection, ErrorObject, ServerHandle};
use serde_json::json;
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

type Gates = Arc<Mutex<Vec<oneshot::Receiver<u32>>>>;

/// A server whose `slow` calls each wait for a value the test sends (one gate per call,
/// taken from the end of `gates`); `started` reports each call reaching its handler.
async fn gated_server(grace: Duration) -> (ServerHandle, Gates, mpsc::UnboundedReceiver<()>) {
    let gates: Gates = Arc::default();
    let (started_tx, started) = mpsc::unbounded_channel();
    let handler_gates = Arc::clone(&gates);
    // No notice window: these tests are about what comes after it.
    let limits = move |l: &mut jrpc::Limits| {
        l.shutdown_grace = grace;
        l.shutdown_notice = Duration::ZERO;
    };
    let server = start(basic().with_limits(limits).method(
        "slow",
        move |_c: Connection, (): ()| {
            let gate = handler_gates
                .lock()
                .unwrap()
                .pop()
                .expect("a gate per call");
            let started = started_tx.clone();
            async move {
                started.send(()).unwrap();
                Ok::<_, ErrorObject>(gate.await.unwrap_or(0))
            }
        },
    ))
    .await;
    (server, gates, started)
}

#[tokio::test]
async fn running_calls_finish_then_connections_close_with_1001() {
    // A long grace time: the connections must close as soon as their calls are
    // done, not when it runs out.
    let (server, gates, mut started) = gated_server(Duration::from_secs(60)).await;
    let (raw_done, raw_gate) = oneshot::channel();
    let (client_done, client_gate) = oneshot::channel();
    gates.lock().unwrap().extend([client_gate, raw_gate]);

    let mut busy = Raw::connect(&server.url()).await;
    let mut idle = Raw::connect(&server.url()).await;
    idle.assert_works().await;
    busy.send(r#"{"jsonrpc":"2.0","method":"slow","id":1}"#)
        .await;
    within("the raw call to start", started.recv())
        .await
        .unwrap();
    let client = Client::connect(&server.url()).await.unwrap();
    let conn = client.connection().clone();
    let client_call = tokio::spawn(async move { conn.request::<u32, _>("slow", &()).await });
    within("the client call to start", started.recv())
        .await
        .unwrap();

    server.shutdown();
    // An idle connection closes at once, with "going away".
    let frame = idle.expect_close().await.expect("a close code");
    assert_eq!(frame.code, CloseCode::Away);
    // New connections are turned away while the running calls drain (a
    // load balancer sends them elsewhere).
    assert_eq!(http_status(Raw::try_connect(server.url()).await), 503);

    // New requests on a draining connection are refused with a clear error...
    let refused = busy
        .call(r#"{"jsonrpc":"2.0","method":"ping","id":2}"#)
        .await;
    assert_eq!(
        refused,
        json!({"jsonrpc": "2.0", "error": {"code": -32000, "message": "Server shutting down"}, "id": 2})
    );
    // ...while the running calls still get their answers...
    raw_done.send(7).unwrap();
    client_done.send(8).unwrap();
    assert_eq!(
        busy.next_json().await,
        json!({"jsonrpc": "2.0", "result": 7, "id": 1})
    );
    let answer = within("the client's call", client_call).await.unwrap();
    assert_eq!(answer.unwrap(), 8);
    // ...and then their connections close with 1001.
    let frame = busy.expect_close().await.expect("a close code");
    assert_eq!(frame.code, CloseCode::Away);
    assert_eq!(frame.reason.as_str(), "server shutting down");
    within("the client to see the close", client.closed()).await;

    within("the server to stop", server.stopped()).await;
    assert!(server.connections().is_empty());
    assert!(Client::connect(&server.url()).await.is_err());
    assert!(TcpStream::connect(server.local_addr()).await.is_err());
    // Waiting for a stopped server again returns at once.
    within("stopped() a second time", server.stopped()).await;
}

#[tokio::test]
async fn calls_still_running_after_the_grace_time_are_cut_off() {
    let (started_tx, mut started) = mpsc::unbounded_channel();
    let server = start(
        basic()
            .with_limits(|l| l.shutdown_grace = Duration::from_millis(200))
            .method("forever", move |_c: Connection, (): ()| {
                let started = started_tx.clone();
                async move {
                    started.send(()).unwrap();
                    std::future::pending::<()>().await;
                    Ok::<_, ErrorObject>(())
                }
            }),
    )
    .await;
    let mut raw = Raw::connect(&server.url()).await;
    raw.send(r#"{"jsonrpc":"2.0","method":"forever","id":1}"#)
        .await;
    within("the call to start", started.recv()).await.unwrap();
    server.shutdown();
    // The notice, then (the grace time being shorter than its window) the close.
    assert_eq!(
        raw.next_json().await,
        json!({"jsonrpc": "2.0", "method": "rpc.reconnect"})
    );
    let frame = raw.expect_close().await.expect("a close code");
    assert_eq!(frame.code, CloseCode::Away);
    within("the server to stop", server.stopped()).await;
}

#[tokio::test]
async fn shutdown_without_connections_and_with_clients_only() {
    let server = start(basic()).await;
    server.shutdown();
    within("an idle server to stop", server.stopped()).await;
    assert!(TcpStream::connect(server.local_addr()).await.is_err());

    // Clients whose connections are idle see them end, and their calls fail.
    let server = start(basic()).await;
    let clients = [
        Client::connect(&server.url()).await.unwrap(),
        Client::connect(&server.url()).await.unwrap(),
    ];
    for client in &clients {
        assert_eq!(
            client.request::<String, _>("ping", &()).await.unwrap(),
            "pong"
        );
    }
    // Shutting down twice is harmless.
    server.shutdown();
    server.shutdown();
    for client in &clients {
        within("a client to see the close", client.closed()).await;
        assert!(client.request::<String, _>("ping", &()).await.is_err());
    }
    within("the server to stop", server.stopped()).await;
}

/// A server with `limits`, one working raw connection to it, and the
/// shutdown begun: the connection has read its `rpc.reconnect` notice.
async fn told_to_reconnect(limits: impl FnOnce(&mut jrpc::Limits)) -> (ServerHandle, Raw) {
    let server = start(basic().with_limits(limits)).await;
    let mut raw = Raw::connect(&server.url()).await;
    raw.assert_works().await;
    server.shutdown();
    assert_eq!(
        raw.next_json().await,
        json!({"jsonrpc": "2.0", "method": "rpc.reconnect"})
    );
    (server, raw)
}

#[tokio::test]
async fn the_client_is_told_to_reconnect_and_what_it_sent_meanwhile_still_runs() {
    // Long enough that only the client's leaving can end the connection.
    let (server, mut raw) = told_to_reconnect(|l| {
        l.shutdown_grace = Duration::from_secs(60);
        l.shutdown_notice = Duration::from_secs(60);
    })
    .await;
    // A call its client sent before it read the notice is answered.
    raw.assert_works().await;
    // The client leaves; with no connection left, the server stops at once.
    drop(raw);
    within("the server to stop", server.stopped()).await;
}

#[tokio::test]
async fn a_client_that_ignores_the_notice_is_closed_after_the_window() {
    let (server, mut raw) =
        told_to_reconnect(|l| l.shutdown_notice = Duration::from_millis(100)).await;
    // Idle after the window: closed with "going away".
    let frame = raw.expect_close().await.expect("a close code");
    assert_eq!(frame.code, CloseCode::Away);
    within("the server to stop", server.stopped()).await;
}
