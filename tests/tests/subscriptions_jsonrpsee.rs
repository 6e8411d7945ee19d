//! jsonrpsee's own WebSocket client subscribes to a jrpc server: it gets the
//! items unchanged (our extra members are ignored), unsubscribes, and sees
//! the end of a stream as the end of its subscription.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{start, stop, within};
use jrpc::{Connection, ErrorObject, Server, SubscriptionOptions, Topic};
use jsonrpsee_core::client::{ClientT, SubscriptionClientT};
use jsonrpsee_core::rpc_params;
use jsonrpsee_ws_client::WsClientBuilder;
use serde_json::{Value, json};

#[tokio::test]
async fn jsonrpsees_client_subscribes_receives_and_unsubscribes() {
    let board = Topic::new("board");
    let server = start(
        common::with_count(Server::builder())
            .sync_method("ping", |_c: Connection, (): ()| {
                Ok::<_, ErrorObject>("pong")
            })
            .topic(
                "board.subscribe",
                "board",
                "board.unsubscribe",
                &board,
                SubscriptionOptions::default(),
            ),
    )
    .await;
    let url = format!("ws://{}/rpc", server.local_addr());
    let client = within(
        "jsonrpsee to connect",
        WsClientBuilder::default().build(&url),
    )
    .await
    .unwrap();
    let pong: String = client.request("ping", rpc_params![]).await.unwrap();
    assert_eq!(pong, "pong");

    // A finite stream: every item, unchanged, then the subscription closes.
    let mut count = client
        .subscribe::<Value, _>("count.subscribe", rpc_params![3], "count.unsubscribe")
        .await
        .unwrap();
    for i in 0..3 {
        let item = within("an item", count.next()).await.unwrap().unwrap();
        assert_eq!(item, json!(i));
    }
    assert!(
        within("the end of the stream", count.next())
            .await
            .is_none(),
        "the subscription ends with the stream"
    );

    // A topic: published items arrive; unsubscribing is answered (jsonrpsee
    // checks the answer) and the topic forgets the subscriber.
    let mut live = client
        .subscribe::<String, _>("board.subscribe", rpc_params![], "board.unsubscribe")
        .await
        .unwrap();
    board.publish(&"hello").await.unwrap();
    assert_eq!(
        within("a published item", live.next())
            .await
            .unwrap()
            .unwrap(),
        "hello"
    );
    within("unsubscribing", live.unsubscribe()).await.unwrap();
    within("the topic to drop the subscriber", async {
        while board.subscribers() > 0 {
            board.publish(&"tick").await.unwrap();
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
    })
    .await;
    stop(&server).await;
}
