//! Notifications: client to server, server to one client, and broadcast to all.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::collections::BTreeSet;

use common::{Raw, basic, registered, start, stop, within};
use jrpc::{Client, Connection, ErrorObject};
use tokio::sync::mpsc;

#[tokio::test]
async fn client_notification_reaches_the_server_handler() {
    let (tx, mut rx) = mpsc::unbounded_channel::<(u64, String)>();
    let async_tx = tx.clone();
    let server = start(
        basic()
            .sync_method("log", move |conn: Connection, (text,): (String,)| {
                tx.send((conn.id(), text)).unwrap();
                Ok::<_, ErrorObject>(())
            })
            .method("log.async", move |conn: Connection, (text,): (String,)| {
                let tx = async_tx.clone();
                async move {
                    tokio::task::yield_now().await;
                    tx.send((conn.id(), text)).unwrap();
                    Ok::<_, ErrorObject>(())
                }
            }),
    )
    .await;
    let client = Client::connect(&server.url()).await.unwrap();
    client.notify("log", &("hello",)).await.unwrap();
    client.notify("log.async", &("async hello",)).await.unwrap();
    // A notification for an unknown method is dropped silently; the connection goes on.
    client.notify("no.such.method", &()).await.unwrap();
    let first = within("the first notification", rx.recv()).await.unwrap();
    let second = within("the second notification", rx.recv()).await.unwrap();
    assert_eq!(first.1, "hello");
    assert_eq!(second.1, "async hello");
    let server_side_id = server.connections()[0].id();
    assert_eq!((first.0, second.0), (server_side_id, server_side_id));
    assert_eq!(
        client.request::<String, _>("ping", &()).await.unwrap(),
        "pong"
    );
    stop(&server).await;
}

#[tokio::test]
async fn notifications_never_get_a_reply() {
    let server = start(basic()).await;
    let mut raw = Raw::connect(&server.url()).await;
    raw.send(r#"{"jsonrpc":"2.0","method":"ping"}"#).await;
    raw.send(r#"{"jsonrpc":"2.0","method":"missing","params":[1]}"#)
        .await;
    raw.send(r#"{"jsonrpc":"2.0","method":"add","params":["bad"]}"#)
        .await;
    // The first reply is the one to this request: nothing answered the notifications.
    raw.assert_works().await;
    drop(raw);
    stop(&server).await;
}

#[tokio::test]
async fn broadcast_reaches_every_client_and_counts_them() {
    let server = start(basic().sync_method("conn.id", |conn: Connection, (): ()| {
        Ok::<_, ErrorObject>(conn.id())
    }))
    .await;
    let (tx, mut rx) = mpsc::unbounded_channel::<(usize, String)>();
    let mut clients = Vec::new();
    for index in 0..3 {
        let tx = tx.clone();
        let client = Client::builder()
            .sync_method("news", move |_c: Connection, (text,): (String,)| {
                tx.send((index, text)).unwrap();
                Ok::<_, ErrorObject>(())
            })
            .connect(&server.url())
            .await
            .unwrap();
        registered(&client).await;
        clients.push(client);
    }
    assert_eq!(server.broadcast("news", &("extra!",)).unwrap(), 3);
    let mut seen = BTreeSet::new();
    for _ in 0..3 {
        let (index, text) = within("a broadcast notification", rx.recv()).await.unwrap();
        assert_eq!(text, "extra!");
        assert!(seen.insert(index), "client {index} got the broadcast twice");
    }
    assert_eq!(seen, BTreeSet::from([0, 1, 2]));

    // Params must be structured; a bare number is refused before anything is sent.
    assert!(server.broadcast("news", &5).is_err());

    // A closed client is no longer counted: find its server-side connection and
    // wait for that to end.
    let gone = clients.pop().unwrap();
    let gone_id: u64 = gone.request("conn.id", &()).await.unwrap();
    let gone_conn = server
        .connections()
        .into_iter()
        .find(|c| c.id() == gone_id)
        .expect("the server lists the connection");
    drop(gone);
    within("the server side to see the close", gone_conn.closed()).await;
    assert_eq!(server.broadcast("news", &("again",)).unwrap(), 2);
    for _ in 0..2 {
        let (index, text) = within("the second broadcast", rx.recv()).await.unwrap();
        assert_eq!(text, "again");
        assert!(index < 2);
    }
    // A server->client notification to one connection.
    let conn = server.connections().pop().unwrap();
    conn.notify("news", &("just you",)).await.unwrap();
    let (_, text) = within("a direct notification", rx.recv()).await.unwrap();
    assert_eq!(text, "just you");
    stop(&server).await;
}
