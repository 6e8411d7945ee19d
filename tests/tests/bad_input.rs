//! Malformed and oversized input over a raw socket: each is answered as the
//! specification says and the same connection keeps working.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use common::{Raw, basic, error_code, start, stop};
use futures_util::SinkExt;
use jrpc::code;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

const MIB: usize = 1024 * 1024;

/// Sends `text`, expects one error reply with `code` and `id`, then proves the connection works.
async fn expect_error(raw: &mut Raw, text: &str, code: i64, id: Value) -> Value {
    let reply = raw.call(text).await;
    assert_eq!(error_code(&reply), code, "for {text:?}: {reply}");
    assert_eq!(reply["id"], id, "for {text:?}: {reply}");
    assert_eq!(reply["jsonrpc"], "2.0");
    assert!(reply.get("result").is_none());
    raw.assert_works().await;
    reply
}

#[tokio::test]
async fn malformed_messages_get_errors_and_the_connection_survives() {
    let server = start(basic()).await;
    let mut raw = Raw::connect(&server.url()).await;
    let null = Value::Null;
    for invalid_json in [
        "{",
        "not json",
        r#"{"jsonrpc":"2.0","method":"ping","id":1"#,
        "",
    ] {
        expect_error(&mut raw, invalid_json, code::PARSE_ERROR, null.clone()).await;
    }
    expect_error(
        &mut raw,
        r#"{"jsonrpc":"2.0","method":"nope","id":5}"#,
        code::METHOD_NOT_FOUND,
        json!(5),
    )
    .await;
    for bad_id in ["true", r#"{"a":1}"#, "[1]"] {
        let text = format!(r#"{{"jsonrpc":"2.0","method":"ping","id":{bad_id}}}"#);
        expect_error(&mut raw, &text, code::INVALID_REQUEST, null.clone()).await;
    }
    expect_error(&mut raw, "[]", code::INVALID_REQUEST, null.clone()).await;
    // Not a request object at all, a wrong version, params of the wrong shape.
    expect_error(&mut raw, "42", code::INVALID_REQUEST, null.clone()).await;
    expect_error(
        &mut raw,
        r#"{"jsonrpc":"1.0","method":"ping","id":"v"}"#,
        code::INVALID_REQUEST,
        json!("v"),
    )
    .await;
    expect_error(
        &mut raw,
        r#"{"jsonrpc":"2.0","method":"add","params":3,"id":6}"#,
        code::INVALID_REQUEST,
        json!(6),
    )
    .await;
    expect_error(
        &mut raw,
        r#"{"jsonrpc":"2.0","method":"add","params":[1],"id":7}"#,
        code::INVALID_PARAMS,
        json!(7),
    )
    .await;
    drop(raw);
    stop(&server).await;
}

#[tokio::test]
async fn binary_frame_is_a_parse_error() {
    let server = start(basic()).await;
    let mut raw = Raw::connect(&server.url()).await;
    let request = br#"{"jsonrpc":"2.0","method":"ping","id":1}"#.to_vec();
    raw.ws.send(Message::binary(request)).await.unwrap();
    let reply = raw.next_json().await;
    assert_eq!(error_code(&reply), code::PARSE_ERROR, "{reply}");
    assert_eq!(reply["id"], Value::Null);
    raw.assert_works().await;
    drop(raw);
    stop(&server).await;
}

#[tokio::test]
async fn batch_of_only_notifications_gets_no_reply() {
    let server = start(basic()).await;
    let mut raw = Raw::connect(&server.url()).await;
    raw.send(r#"[{"jsonrpc":"2.0","method":"ping"},{"jsonrpc":"2.0","method":"missing"}]"#)
        .await;
    // If the batch had been answered, its reply would come before this one.
    raw.assert_works().await;
    drop(raw);
    stop(&server).await;
}

#[tokio::test]
async fn message_over_the_limit_is_refused_with_its_id() {
    let server = start(basic()).await;
    let mut raw = Raw::connect(&server.url()).await;
    let padding = "x".repeat(2 * MIB);
    let text = format!(r#"{{"jsonrpc":"2.0","method":"echo","params":["{padding}"],"id":9}}"#);
    let reply = raw.call(text.clone()).await;
    assert_eq!(error_code(&reply), code::MESSAGE_TOO_LARGE, "{reply}");
    assert_eq!(reply["id"], 9);
    let message = reply["error"]["message"].as_str().unwrap();
    assert!(
        message.contains(&text.len().to_string()) && message.contains(&MIB.to_string()),
        "the message should give the size and the limit: {message}"
    );
    raw.assert_works().await;

    // A batch over the limit gets one error with id null: answering each
    // member would let a huge frame buy a huge reply.
    let batch = format!(
        r#"[{{"jsonrpc":"2.0","method":"echo","params":["{padding}"],"id":"a"}},{{"jsonrpc":"2.0","method":"ping"}},{{"jsonrpc":"2.0","method":"ping","id":"b"}}]"#
    );
    let reply = raw.call(batch).await;
    assert_eq!(error_code(&reply), code::MESSAGE_TOO_LARGE, "{reply}");
    assert_eq!(reply["id"], Value::Null);
    raw.assert_works().await;

    // A message just under the limit is processed normally.
    let fits = "y".repeat(MIB - 100);
    let reply = raw
        .call(format!(
            r#"{{"jsonrpc":"2.0","method":"echo","params":["{fits}"],"id":10}}"#
        ))
        .await;
    assert_eq!(reply["result"][0].as_str().map(str::len), Some(fits.len()));
    drop(raw);
    stop(&server).await;
}

#[tokio::test]
async fn a_batch_over_the_length_limit_gets_one_error() {
    let server = start(basic().with_limits(|l| l.max_batch_len = 10)).await;
    let mut raw = Raw::connect(&server.url()).await;
    let members: Vec<String> = (0..11)
        .map(|i| format!(r#"{{"jsonrpc":"2.0","method":"ping","id":{i}}}"#))
        .collect();
    let reply = raw.call(format!("[{}]", members.join(","))).await;
    assert_eq!(error_code(&reply), code::INVALID_REQUEST, "{reply}");
    assert_eq!(reply["id"], Value::Null);
    let reply = raw.call(format!("[{}]", members[..10].join(","))).await;
    assert_eq!(reply.as_array().map(Vec::len), Some(10));
    raw.assert_works().await;
    drop(raw);
    stop(&server).await;
}

#[tokio::test]
async fn message_over_the_hard_cap_closes_with_1009() {
    let server = start(basic()).await;
    let mut bystander = Raw::connect(&server.url()).await;
    bystander.assert_works().await;
    let mut raw = Raw::connect(&server.url()).await;
    let padding = "z".repeat(5 * MIB);
    let text = format!(r#"{{"jsonrpc":"2.0","method":"echo","params":["{padding}"],"id":1}}"#);
    // The server may stop reading before the whole message is written.
    let _ = raw.ws.send(Message::text(text)).await;
    let frame = raw.expect_close().await.expect("a close frame with a code");
    assert_eq!(frame.code, CloseCode::Size, "{frame:?}");
    // Other connections are unaffected.
    bystander.assert_works().await;
    drop((raw, bystander));
    stop(&server).await;
}
