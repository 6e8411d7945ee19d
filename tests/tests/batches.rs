//! Batches in both directions, and a hand-written batch answered with one array.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use common::{Raw, basic, start, stop, within};
use jrpc::{CallError, Client, Connection, ErrorObject, Server, code};
use serde_json::{Value, json};
use tokio::sync::mpsc;

#[tokio::test]
async fn client_batch_answers_in_order_and_failures_stay_isolated() {
    let (noted_tx, mut noted) = mpsc::unbounded_channel::<String>();
    let server = start(
        basic()
            .sync_method("note", move |_c: Connection, (text,): (String,)| {
                noted_tx.send(text).unwrap();
                Ok::<_, ErrorObject>(())
            })
            .method(
                "slow.add",
                |_c: Connection, (a, b): (i64, i64)| async move {
                    // Finishes after the sync members: the reply order must not depend on that.
                    for _ in 0..5 {
                        tokio::task::yield_now().await;
                    }
                    Ok::<_, ErrorObject>(a + b)
                },
            )
            .sync_method("fail", |_c: Connection, (): ()| {
                Err::<(), _>(ErrorObject::new(7, "no"))
            }),
    )
    .await;
    let client = Client::connect(&server.url()).await.unwrap();

    let mut batch = client.batch();
    let slow = batch.request("slow.add", &(100, 1)).unwrap();
    let sum = batch.request("add", &(1, 2)).unwrap();
    let failing = batch.request("fail", &()).unwrap();
    batch.notify("note", &("from the batch",)).unwrap();
    let missing = batch.request("missing", &()).unwrap();
    let bad_params = batch.request("add", &("x",)).unwrap();
    let echo = batch.request("echo", &json!({"k": [1, 2]})).unwrap();
    let answers = within("batch answers", batch.send()).await.unwrap();

    assert_eq!(answers.len(), 6);
    assert_eq!(
        (slow, sum, failing, missing, bad_params, echo),
        (0, 1, 2, 3, 4, 5)
    );
    assert_eq!(answers.decode::<i64>(slow).unwrap(), 101);
    assert_eq!(answers.decode::<i64>(sum).unwrap(), 3);
    match answers.decode::<()>(failing) {
        Err(CallError::Rpc(e)) => assert_eq!((e.code, e.message.as_ref()), (7, "no")),
        other => panic!("expected the handler's error, got {other:?}"),
    }
    match answers.decode::<()>(missing) {
        Err(CallError::Rpc(e)) => assert_eq!(e.code, code::METHOD_NOT_FOUND),
        other => panic!("expected -32601, got {other:?}"),
    }
    match answers.decode::<i64>(bad_params) {
        Err(CallError::Rpc(e)) => assert_eq!(e.code, code::INVALID_PARAMS),
        other => panic!("expected -32602, got {other:?}"),
    }
    assert_eq!(answers.decode::<Value>(echo).unwrap(), json!({"k": [1, 2]}));
    assert_eq!(
        within("the batch's notification", noted.recv()).await,
        Some("from the batch".to_owned())
    );

    // An empty batch sends nothing and has no answers; a notification-only batch too.
    assert!(client.batch().send().await.unwrap().is_empty());
    let mut only_notes = client.batch();
    only_notes.notify("note", &("second",)).unwrap();
    assert!(only_notes.send().await.unwrap().is_empty());
    assert_eq!(
        within("second notification", noted.recv()).await,
        Some("second".to_owned())
    );
    stop(&server).await;
}

#[tokio::test]
async fn server_handler_sends_a_batch_to_the_client() {
    let (noted_tx, mut noted) = mpsc::unbounded_channel::<i64>();
    let server = start(Server::builder().method(
        "fan.out",
        |conn: Connection, (x,): (i64,)| async move {
            let mut batch = conn.batch();
            let doubled = batch.request("client.double", &(x,))?;
            batch.notify("client.note", &(x,))?;
            let negated = batch.request("client.negate", &(x,))?;
            let missing = batch.request("client.missing", &())?;
            let answers = batch.send().await?;
            let missing_code = answers.decode::<Value>(missing).unwrap_err().code();
            Ok::<_, ErrorObject>((
                answers.decode::<i64>(doubled)?,
                answers.decode::<i64>(negated)?,
                missing_code,
            ))
        },
    ))
    .await;
    let client = Client::builder()
        .sync_method("client.double", |_c: Connection, (x,): (i64,)| {
            Ok::<_, ErrorObject>(x * 2)
        })
        .method("client.negate", |_c: Connection, (x,): (i64,)| async move {
            tokio::task::yield_now().await;
            Ok::<_, ErrorObject>(-x)
        })
        .sync_method("client.note", move |_c: Connection, (x,): (i64,)| {
            noted_tx.send(x).unwrap();
            Ok::<_, ErrorObject>(())
        })
        .connect(&server.url())
        .await
        .unwrap();
    let answer: (i64, i64, i64) = within("fan.out", client.request("fan.out", &(21,)))
        .await
        .unwrap();
    assert_eq!(answer, (42, -21, code::METHOD_NOT_FOUND));
    assert_eq!(within("client.note", noted.recv()).await, Some(21));
    stop(&server).await;
}

#[tokio::test]
async fn raw_batch_gets_one_array_reply() {
    let server = start(basic()).await;
    let mut raw = Raw::connect(&server.url()).await;
    raw.send(
        r#"[
            {"jsonrpc":"2.0","method":"add","params":[1,2],"id":1},
            {"jsonrpc":"2.0","method":"ping"},
            {"jsonrpc":"2.0","method":"missing","id":"two"},
            42,
            {"jsonrpc":"2.0","method":"echo","params":{"x":true},"id":3}
        ]"#,
    )
    .await;
    let reply = raw.next_json().await;
    let members = reply.as_array().expect("a batch reply is an array");
    // One reply per request or invalid member; none for the notification.
    assert_eq!(members.len(), 4, "{reply}");
    let by_id = |id: Value| {
        members
            .iter()
            .find(|m| m["id"] == id)
            .unwrap_or_else(|| panic!("no reply with id {id} in {reply}"))
    };
    assert_eq!(by_id(json!(1))["result"], 3);
    assert_eq!(by_id(json!("two"))["error"]["code"], code::METHOD_NOT_FOUND);
    assert_eq!(by_id(json!(null))["error"]["code"], code::INVALID_REQUEST);
    assert_eq!(by_id(json!(3))["result"], json!({"x": true}));
    for member in members {
        assert_eq!(member["jsonrpc"], "2.0");
    }
    // Exactly one message came back: the next reply is for the next request.
    raw.assert_works().await;
    drop(raw);
    stop(&server).await;
}

/// Every way a handler can answer, in one batch and one by one: each
/// request's reply is the same text either way (ids byte for byte), a
/// handler that panics or whose result cannot be encoded answers -32603
/// without spoiling the others, and notifications get nothing.
#[tokio::test]
async fn every_kind_of_answer_is_the_same_text_in_a_batch_and_alone() {
    let (noted_tx, mut noted) = mpsc::unbounded_channel::<&'static str>();
    let slow_noted = noted_tx.clone();
    let server = start(
        basic()
            .method("slow.add", common::slow_add)
            .sync_method("fail", |_c: Connection, (): ()| {
                Err::<(), _>(ErrorObject::new(7, "no \"way\""))
            })
            .sync_method(
                "boom",
                |_c: Connection, (): ()| -> Result<(), ErrorObject> {
                    panic!("a handler that panics")
                },
            )
            .sync_method("nan", |_c: Connection, (): ()| {
                Ok::<_, ErrorObject>([1.0, f64::NAN])
            })
            .sync_method("note", move |_c: Connection, (): ()| {
                noted_tx.send("note").unwrap();
                Ok::<_, ErrorObject>("unread")
            })
            .method("slow.note", move |_c: Connection, (): ()| {
                let noted = slow_noted.clone();
                async move {
                    tokio::task::yield_now().await;
                    noted.send("slow.note").unwrap();
                    Ok::<_, ErrorObject>(())
                }
            }),
    )
    .await;
    let requests = [
        r#"{"jsonrpc":"2.0","method":"add","params":[1,2],"id":1.50}"#,
        r#"{"jsonrpc":"2.0","method":"slow.add","params":[2,3],"id":"s\u0041"}"#,
        r#"{"jsonrpc":"2.0","method":"fail","id":-0}"#,
        r#"{"jsonrpc":"2.0","method":"boom","id":12345678901234567890123}"#,
        r#"{"jsonrpc":"2.0","method":"nan","id":null}"#,
        r#"{"jsonrpc":"2.0","method":"add","params":["x"],"id":9}"#,
        r#"{"jsonrpc":"2.0","method":"missing","id":"m"}"#,
        r#"{"jsonrpc":"2.0","method":"echo","params":{"é":[true]},"id":"long id, which is kept on the heap"}"#,
    ];
    let notifications = [
        r#"{"jsonrpc":"2.0","method":"note"}"#,
        r#"{"jsonrpc":"2.0","method":"slow.note"}"#,
    ];
    let mut raw = Raw::connect(&server.url()).await;
    let mut alone = Vec::new();
    for request in requests {
        raw.send(request).await;
        alone.push(raw.next_text().await);
    }
    for notification in notifications {
        raw.send(notification).await;
    }
    let batch = [&requests[..], &notifications[..]].concat().join(",");
    raw.send(format!("[{batch}]")).await;
    let reply = raw.next_text().await;
    let members: Vec<Box<serde_json::value::RawValue>> = serde_json::from_str(&reply).unwrap();
    let mut members: Vec<&str> = members.iter().map(|m| m.get()).collect();
    members.sort_unstable();
    alone.sort_unstable();
    assert_eq!(members, alone, "the batch reply {reply}");

    let text_for = |id: &str| {
        let end = format!(r#","id":{id}}}"#);
        alone
            .iter()
            .find(|text| text.ends_with(&end))
            .unwrap_or_else(|| panic!("no reply ends with {end}: {alone:?}"))
            .as_str()
    };
    assert_eq!(
        text_for("1.50"),
        r#"{"jsonrpc":"2.0","result":3,"id":1.50}"#
    );
    assert_eq!(
        text_for(r#""s\u0041""#),
        r#"{"jsonrpc":"2.0","result":5,"id":"s\u0041"}"#
    );
    assert_eq!(
        text_for("-0"),
        r#"{"jsonrpc":"2.0","error":{"code":7,"message":"no \"way\""},"id":-0}"#
    );
    assert_eq!(
        text_for(r#""long id, which is kept on the heap""#),
        r#"{"jsonrpc":"2.0","result":{"é":[true]},"id":"long id, which is kept on the heap"}"#
    );
    let error = |id: &str| {
        let reply: Value = serde_json::from_str(text_for(id)).unwrap();
        let error = &reply["error"];
        (
            error["code"].as_i64().unwrap(),
            error["message"].as_str().unwrap().to_owned(),
        )
    };
    let (code, message) = error("12345678901234567890123");
    assert_eq!(code, code::INTERNAL_ERROR);
    assert!(message.contains("panicked"), "{message}");
    let (code, message) = error("null");
    assert_eq!(code, code::INTERNAL_ERROR);
    assert!(message.contains("cannot be sent as JSON"), "{message}");
    assert_eq!(error("9").0, code::INVALID_PARAMS);
    assert_eq!(error(r#""m""#).0, code::METHOD_NOT_FOUND);

    // Each notification ran twice (alone, then in the batch) and got no reply.
    let mut notes = Vec::new();
    for _ in 0..4 {
        notes.push(within("a notification", noted.recv()).await.unwrap());
    }
    notes.sort_unstable();
    assert_eq!(notes, ["note", "note", "slow.note", "slow.note"]);
    raw.assert_works().await;
    drop(raw);
    stop(&server).await;
}
