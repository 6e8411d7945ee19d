//! Closing a connection settles every pending call, and later calls fail at once.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::time::Duration;

use common::{basic, registered, start, stop, within};
use futures_util::future::join_all;
use jrpc::{CallError, Client, Connection, ErrorObject, ServerBuilder, ServerHandle};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

const PENDING: usize = 20;

/// `never` starts, reports it, and never answers.
fn never_answers(started: mpsc::UnboundedSender<()>) -> ServerBuilder {
    basic().method("never", move |_c: Connection, (): ()| {
        let started = started.clone();
        async move {
            started.send(()).unwrap();
            std::future::pending::<()>().await;
            Ok::<_, ErrorObject>(())
        }
    })
}

/// Starts `PENDING` calls to `never` (with a long timeout) and waits until
/// the server runs all of them.
async fn pending_calls(
    client: &Client,
    started: &mut mpsc::UnboundedReceiver<()>,
) -> Vec<JoinHandle<Result<(), CallError>>> {
    let calls: Vec<_> = (0..PENDING)
        .map(|_| {
            let conn = client.connection().clone();
            tokio::spawn(async move {
                conn.request_timeout::<(), _>("never", &(), Duration::from_secs(60))
                    .await
            })
        })
        .collect();
    for _ in 0..PENDING {
        within("a call to reach its handler", started.recv())
            .await
            .unwrap();
    }
    calls
}

/// Every call fails with `ConnectionClosed`, promptly (well before their 60 s timeout).
async fn assert_all_closed(calls: Vec<JoinHandle<Result<(), CallError>>>) {
    let results = within("the pending calls to settle", join_all(calls)).await;
    assert_eq!(results.len(), PENDING);
    for result in results {
        match result.unwrap() {
            Err(CallError::ConnectionClosed) => {}
            other => panic!("expected ConnectionClosed, got {other:?}"),
        }
    }
}

/// After the close, new calls, notifications and batches fail without waiting.
async fn assert_fails_at_once(client: &Client) {
    within("the client to notice the close", client.closed()).await;
    assert!(client.is_closed());
    let quick = Duration::from_secs(2);
    let call = client.request_timeout::<String, _>("ping", &(), Duration::from_secs(60));
    match tokio::time::timeout(quick, call).await {
        Ok(Err(CallError::ConnectionClosed)) => {}
        other => panic!("a call after the close should fail at once, got {other:?}"),
    }
    let notify = tokio::time::timeout(quick, client.notify("ping", &())).await;
    assert!(matches!(notify, Ok(Err(CallError::ConnectionClosed))));
    let mut batch = client.batch();
    batch.request("ping", &()).unwrap();
    let sent = tokio::time::timeout(quick, batch.send()).await;
    assert!(matches!(sent, Ok(Err(CallError::ConnectionClosed))));
}

async fn setup(builder: impl FnOnce(ServerBuilder) -> ServerBuilder) -> Setup {
    let (started_tx, started) = mpsc::unbounded_channel();
    let server = start(builder(never_answers(started_tx))).await;
    let client = Client::connect(&server.url()).await.unwrap();
    Setup {
        server,
        client,
        started,
    }
}

struct Setup {
    server: ServerHandle,
    client: Client,
    started: mpsc::UnboundedReceiver<()>,
}

#[tokio::test]
async fn client_close_fails_pending_calls() {
    let mut s = setup(|b| b).await;
    let calls = pending_calls(&s.client, &mut s.started).await;
    s.client.close();
    assert_all_closed(calls).await;
    assert_fails_at_once(&s.client).await;
    stop(&s.server).await;
}

#[tokio::test]
async fn server_closing_the_connection_fails_pending_calls() {
    let mut s = setup(|b| b).await;
    let calls = pending_calls(&s.client, &mut s.started).await;
    let connections = s.server.connections();
    assert_eq!(connections.len(), 1);
    connections[0].close();
    assert_all_closed(calls).await;
    assert_fails_at_once(&s.client).await;
    within("the server side to end", connections[0].closed()).await;
    stop(&s.server).await;
}

#[tokio::test]
async fn server_shutdown_fails_pending_calls() {
    // The handlers never finish, so shutdown closes the connection after the grace time.
    let mut s = setup(|b| b.with_limits(|l| l.shutdown_grace = Duration::from_millis(200))).await;
    let calls = pending_calls(&s.client, &mut s.started).await;
    s.server.shutdown();
    assert_all_closed(calls).await;
    assert_fails_at_once(&s.client).await;
    within("the server to stop", s.server.stopped()).await;
}

#[tokio::test]
async fn server_calls_to_a_closed_client_fail() {
    let (started_tx, mut started) = mpsc::unbounded_channel();
    let server = start(basic()).await;
    let client = Client::builder()
        .method("client.never", move |_c: Connection, (): ()| {
            let started = started_tx.clone();
            async move {
                started.send(()).unwrap();
                std::future::pending::<()>().await;
                Ok::<_, ErrorObject>(())
            }
        })
        .connect(&server.url())
        .await
        .unwrap();
    registered(&client).await;
    let conn = server.connections().pop().unwrap();
    let call_conn = conn.clone();
    let pending = tokio::spawn(async move {
        call_conn
            .request_timeout::<(), _>("client.never", &(), Duration::from_secs(60))
            .await
    });
    within("the client handler to start", started.recv())
        .await
        .unwrap();
    drop(client);
    match within("the server's call to settle", pending)
        .await
        .unwrap()
    {
        Err(CallError::ConnectionClosed) => {}
        other => panic!("expected ConnectionClosed, got {other:?}"),
    }
    within("the server side to end", conn.closed()).await;
    match tokio::time::timeout(Duration::from_secs(2), conn.request::<(), _>("x", &())).await {
        Ok(Err(CallError::ConnectionClosed)) => {}
        other => panic!("expected an immediate ConnectionClosed, got {other:?}"),
    }
    stop(&server).await;
}
