//! wsjsonrpc's msgpack codec: JSON-RPC objects packed as msgpack in binary
//! frames, with no subprotocol negotiated. The server answers in kind.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use common::{Raw, basic, start, stop, within};
use futures_util::SinkExt;
use jrpc::{Client, Codec, Connection, ErrorObject};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

impl Raw {
    async fn send_packed(&mut self, value: &Value) {
        let bytes = rmp_serde::to_vec(value).unwrap();
        within("sending", self.ws.send(Message::binary(bytes)))
            .await
            .unwrap();
    }

    async fn next_packed(&mut self) -> Value {
        match self.next_message().await {
            Message::Binary(bytes) => rmp_serde::from_slice(&bytes).unwrap(),
            other => panic!("expected a binary frame, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_msgpack_call_batch_and_notification_are_answered_in_msgpack() {
    // `basic()` has `add`.
    let server = start(basic()).await;
    let mut raw = Raw::connect(&server.url()).await;
    raw.send_packed(&json!({"jsonrpc": "2.0", "method": "add", "params": [2, 3], "id": 1}))
        .await;
    assert_eq!(
        raw.next_packed().await,
        json!({"jsonrpc": "2.0", "result": 5, "id": 1})
    );
    raw.send_packed(&json!([
        {"jsonrpc": "2.0", "method": "add", "params": [1, 1], "id": "a"},
        {"jsonrpc": "2.0", "method": "add", "params": [0, 0]},
        {"jsonrpc": "2.0", "method": "nope", "id": 2},
    ]))
    .await;
    // A batch's answers may come in any order.
    let replies = raw.next_packed().await;
    let replies = replies.as_array().unwrap();
    assert_eq!(replies.len(), 2, "{replies:?}");
    let by_id = |id: Value| replies.iter().find(|r| r["id"] == id).unwrap();
    assert_eq!(
        by_id(json!("a")),
        &json!({"jsonrpc": "2.0", "result": 2, "id": "a"})
    );
    assert_eq!(by_id(json!(2))["error"]["code"], -32601);
    stop(&server).await;
}

#[tokio::test]
async fn values_json_cannot_hold_are_refused_with_a_clear_error() {
    let server = start(basic()).await;
    let mut raw = Raw::connect(&server.url()).await;
    // {"jsonrpc": "2.0", "method": "ping", "params": [<bin 8: 1 byte>], "id": 1}
    let mut frame = vec![0x84];
    for (key, value) in [("jsonrpc", &b"\xa32.0"[..]), ("method", b"\xa4ping")] {
        frame.push(0xa0 | key.len() as u8);
        frame.extend_from_slice(key.as_bytes());
        frame.extend_from_slice(value);
    }
    frame.extend_from_slice(b"\xa6params\x91\xc4\x01\x00\xa2id\x01");
    within("sending", raw.ws.send(Message::binary(frame)))
        .await
        .unwrap();
    let reply = raw.next_packed().await;
    assert_eq!(reply["error"]["code"], -32700, "{reply}");
    assert_eq!(
        reply["error"]["data"],
        "msgpack binary data has no JSON form"
    );
    // The connection still serves.
    raw.send_packed(&json!({"jsonrpc": "2.0", "method": "ping", "id": 2}))
        .await;
    assert_eq!(raw.next_packed().await["result"], "pong");
    stop(&server).await;
}

#[tokio::test]
async fn the_server_calls_a_msgpack_client_back_in_msgpack() {
    let server = start(
        basic().method("ask", |conn: Connection, (): ()| async move {
            conn.request::<Value, _>("client.name", &())
                .await
                .map_err(ErrorObject::from)
        }),
    )
    .await;
    let client = Client::builder()
        .codec(Codec::Msgpack)
        .sync_method("client.name", |_c: Connection, (): ()| {
            Ok::<_, ErrorObject>("native")
        })
        .connect(&server.url())
        .await
        .unwrap();
    let name: String = within("ask", client.request("ask", &())).await.unwrap();
    assert_eq!(name, "native");
    stop(&server).await;
}

#[tokio::test]
async fn a_text_frame_still_gets_a_text_answer() {
    let server = start(basic()).await;
    let mut raw = Raw::connect(&server.url()).await;
    raw.assert_works().await;
    stop(&server).await;
}

#[tokio::test]
async fn a_stray_binary_frame_does_not_make_a_msgpack_connection() {
    let server = start(basic()).await;
    let mut raw = Raw::connect(&server.url()).await;
    // 0x01 is msgpack for 1, but no message: answered as any binary frame.
    within("sending", raw.ws.send(Message::binary(vec![1u8])))
        .await
        .unwrap();
    assert_eq!(raw.next_json().await["error"]["code"], -32700);
    // Still a text connection: a text request gets a text answer.
    raw.assert_works().await;
    stop(&server).await;
}

#[tokio::test]
async fn an_over_sized_msgpack_frame_is_refused_before_it_is_unpacked() {
    let server = start(basic().with_limits(|l| l.max_message_size = 100)).await;
    let mut raw = Raw::connect(&server.url()).await;
    let big = json!({"jsonrpc": "2.0", "method": "echo", "params": ["x".repeat(150)], "id": 1});
    raw.send_packed(&big).await;
    let reply = raw.next_packed().await;
    assert_eq!(reply["error"]["code"], -32001, "{reply}");
    raw.send_packed(&json!({"jsonrpc": "2.0", "method": "ping", "id": 2}))
        .await;
    assert_eq!(raw.next_packed().await["result"], "pong");
    stop(&server).await;
}
