//! The browser test server's control methods, driven in-process with the
//! native client: the browser tests rely on each of them behaving as documented.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::future::Future;
use std::task::Poll;

use common::within;
use jrpc::{CallError, Client, Connection, ErrorObject};
use jrpc_tests::test_server::methods::{
    CONNECTIONS, DROP_ALL, HANG, NOTIFY_ME, RESTART, STATUS, WAIT_CANCELLED,
};
use jrpc_tests::test_server::{Status, TestServer};
use serde_json::{Value, json};
use tokio::sync::mpsc;

async fn start() -> TestServer {
    TestServer::start("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1:0")
}

async fn connect(server: &TestServer) -> Client {
    within("connecting", Client::connect(server.url()))
        .await
        .unwrap()
}

async fn status(client: &Client, key: &str) -> Status {
    let status: Value = within("test.status", client.request(STATUS, &[key]))
        .await
        .unwrap();
    Status {
        started: status["started"].as_bool().unwrap(),
        cancelled: status["cancelled"].as_bool().unwrap(),
    }
}

async fn connections(client: &Client) -> usize {
    within("test.connections", client.request(CONNECTIONS, &()))
        .await
        .unwrap()
}

#[tokio::test]
async fn demo_methods_are_hosted() {
    let server = start().await;
    let client = connect(&server).await;
    let sum: i64 = client.request("Add", &(5, 10)).await.unwrap();
    assert_eq!(sum, 15);
    let echoed: Value = client.request("demo.echo", &json!([1, "a"])).await.unwrap();
    assert_eq!(echoed, json!([1, "a"]));
    drop(client);
    within("the server to stop", server.stop()).await.unwrap();
}

#[tokio::test]
async fn dropping_a_hanging_call_marks_it_cancelled() {
    let server = start().await;
    let client = connect(&server).await;
    assert_eq!(status(&client, "k1").await, Status::default());

    let mut call = Box::pin(client.request::<Value, _>(HANG, &["k1"]));
    // One poll queues the request; whatever is sent later on this connection
    // reaches the server after it.
    let polled = std::future::poll_fn(|cx| Poll::Ready(call.as_mut().poll(cx))).await;
    assert!(polled.is_pending(), "test.hang answered: {polled:?}");
    drop(call); // sends $/cancelRequest

    let cancelled: bool = within(
        "test.waitCancelled",
        client.request(WAIT_CANCELLED, &json!(["k1", 10_000])),
    )
    .await
    .unwrap();
    assert!(cancelled);
    let expected = Status {
        started: true,
        cancelled: true,
    };
    assert_eq!(status(&client, "k1").await, expected);
    within("the server to stop", server.stop()).await.unwrap();
}

#[tokio::test]
async fn closing_the_connection_cancels_a_hanging_call_and_waits_time_out() {
    let server = start().await;
    let watcher = connect(&server).await;
    // Nothing cancels "never": the wait gives up and says so.
    let cancelled: bool = within(
        "a short test.waitCancelled",
        watcher.request(WAIT_CANCELLED, &json!(["never", 20])),
    )
    .await
    .unwrap();
    assert!(!cancelled);

    // A wait may arrive before the call it waits for has started: either way
    // it sees the cancel.
    let conn = watcher.connection().clone();
    let waiting = tokio::spawn(async move {
        conn.request::<bool, _>(WAIT_CANCELLED, &json!(["k2", 10_000]))
            .await
    });
    let hanger = connect(&server).await;
    let mut call = Box::pin(hanger.request::<Value, _>(HANG, &["k2"]));
    let polled = std::future::poll_fn(|cx| Poll::Ready(call.as_mut().poll(cx))).await;
    assert!(polled.is_pending());
    // Closing writes the queued request first; the server then loses the
    // connection and drops the call.
    hanger.close();
    assert!(matches!(
        within("the hanging call to fail", call).await,
        Err(CallError::ConnectionClosed)
    ));
    assert!(
        within("test.waitCancelled", waiting)
            .await
            .unwrap()
            .unwrap()
    );
    let expected = Status {
        started: true,
        cancelled: true,
    };
    assert_eq!(status(&watcher, "k2").await, expected);
    within("the server to stop", server.stop()).await.unwrap();
}

#[tokio::test]
async fn notify_me_reaches_a_client_method() {
    let server = start().await;
    let (tx, mut notes) = mpsc::unbounded_channel();
    let client = within(
        "connecting",
        Client::builder()
            .sync_method("ui.note", move |_: Connection, params: Value| {
                tx.send(params).unwrap();
                Ok::<_, ErrorObject>(())
            })
            .connect(server.url()),
    )
    .await
    .unwrap();
    let done: bool = within(
        "test.notifyMe",
        client.request(NOTIFY_ME, &json!(["ui.note", {"n": 1}])),
    )
    .await
    .unwrap();
    assert!(done);
    let note = within("the notification", notes.recv()).await.unwrap();
    assert_eq!(note, json!({"n": 1}));
    within("the server to stop", server.stop()).await.unwrap();
}

#[tokio::test]
async fn drop_all_answers_then_closes_every_connection() {
    let server = start().await;
    let caller = connect(&server).await;
    let other = connect(&server).await;
    // An answered call proves the server has registered the connection.
    assert_eq!(connections(&other).await, 2);
    assert_eq!(connections(&caller).await, 2);

    let done: bool = within("test.dropAll", caller.request(DROP_ALL, &()))
        .await
        .unwrap();
    assert!(done);
    // The caller's connection closes first, then the others.
    within("the caller's connection to close", caller.closed()).await;
    within("the other connection to close", other.closed()).await;

    let fresh = connect(&server).await;
    assert_eq!(connections(&fresh).await, 1);
    within("the server to stop", server.stop()).await.unwrap();
}

#[tokio::test]
async fn restart_comes_back_on_the_same_port() {
    let server = start().await;
    let before = server.local_addr();
    let client = connect(&server).await;
    let done: bool = within("test.restart", client.request(RESTART, &[100]))
        .await
        .unwrap();
    assert!(done);
    within("the connection to close", client.closed()).await;
    within("the server to come back", server.bound(2)).await;

    let again = connect(&server).await;
    assert_eq!(again.peer_addr(), Some(before));
    assert_eq!(connections(&again).await, 1);
    let sum: i64 = again.request("Add", &(1, 2)).await.unwrap();
    assert_eq!(sum, 3);
    within("the server to stop", server.stop()).await.unwrap();
}
