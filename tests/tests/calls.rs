//! Calls in both directions with typed params and results, and exact id round-trips.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use common::{Raw, basic, start, stop, within};
use jrpc::{CallError, Client, Connection, ErrorObject, Server, code};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Info {
    name: String,
    version: u32,
    tags: Vec<String>,
}

/// A client that answers `client.double` (sync) and `client.info` (async).
async fn client_with_methods(url: &str) -> Client {
    Client::builder()
        .sync_method("client.double", |_c: Connection, (x,): (i64,)| {
            Ok::<_, ErrorObject>(x * 2)
        })
        .method(
            "client.info",
            |_c: Connection, (name,): (String,)| async move {
                tokio::task::yield_now().await;
                Ok::<_, ErrorObject>(Info {
                    name,
                    version: 3,
                    tags: vec!["native".into()],
                })
            },
        )
        .connect(url)
        .await
        .expect("connect")
}

#[tokio::test]
async fn client_calls_server_with_typed_params_and_results() {
    let server = start(basic().sync_method("fail", |_c: Connection, (): ()| {
        Err::<(), _>(ErrorObject::new(42, "it failed").with_data(&[1, 2]))
    }))
    .await;
    let client = Client::connect(&server.url()).await.unwrap();
    assert_eq!(client.request::<i64, _>("add", &(5, 10)).await.unwrap(), 15);
    assert_eq!(
        client.request::<String, _>("ping", &()).await.unwrap(),
        "pong"
    );
    // Named params arrive as an object.
    let echoed: serde_json::Value = client
        .request("echo", &serde_json::json!({"a": 1}))
        .await
        .unwrap();
    assert_eq!(echoed, serde_json::json!({"a": 1}));

    match client.request::<(), _>("fail", &()).await {
        Err(CallError::Rpc(e)) => {
            assert_eq!((e.code, e.message.as_ref()), (42, "it failed"));
            assert_eq!(e.data_json(), Some("[1,2]"));
        }
        other => panic!("expected the handler's error, got {other:?}"),
    }
    match client.request::<(), _>("nope", &()).await {
        Err(CallError::Rpc(e)) => assert_eq!(e.code, code::METHOD_NOT_FOUND),
        other => panic!("expected method not found, got {other:?}"),
    }
    match client.request::<i64, _>("add", &("x", 1)).await {
        Err(CallError::Rpc(e)) => assert_eq!(e.code, code::INVALID_PARAMS),
        other => panic!("expected invalid params, got {other:?}"),
    }
    // A result of the wrong type is a decode error on the caller's side.
    assert!(matches!(
        client.request::<String, _>("add", &(1, 2)).await,
        Err(CallError::Decode(_))
    ));
    stop(&server).await;
}

#[tokio::test]
async fn server_handler_calls_the_client_and_returns_its_answer() {
    let server = start(
        Server::builder()
            .method("ask.double", |conn: Connection, (x,): (i64,)| async move {
                let doubled: i64 = conn.request("client.double", &(x,)).await?;
                Ok::<_, ErrorObject>(doubled + 1)
            })
            .method(
                "ask.info",
                |conn: Connection, (name,): (String,)| async move {
                    let info: Info = conn.request("client.info", &(name,)).await?;
                    Ok::<_, ErrorObject>(info)
                },
            )
            .method("ask.missing", |conn: Connection, (): ()| async move {
                // The client's error object is forwarded unchanged with `?`.
                conn.request::<i64, _>("client.missing", &()).await?;
                Ok::<_, ErrorObject>(())
            }),
    )
    .await;
    let client = client_with_methods(&server.url()).await;
    assert_eq!(
        client
            .request::<i64, _>("ask.double", &(21,))
            .await
            .unwrap(),
        43
    );
    let info: Info = client.request("ask.info", &("ada",)).await.unwrap();
    assert_eq!(
        info,
        Info {
            name: "ada".into(),
            version: 3,
            tags: vec!["native".into()]
        }
    );
    match client.request::<(), _>("ask.missing", &()).await {
        Err(CallError::Rpc(e)) => assert_eq!(e.code, code::METHOD_NOT_FOUND),
        other => panic!("expected the client's -32601 forwarded, got {other:?}"),
    }
    stop(&server).await;
}

#[tokio::test]
async fn server_calls_a_client_from_outside_any_handler() {
    let server = start(basic()).await;
    let client = client_with_methods(&server.url()).await;
    // Once a call is answered the server has registered the connection.
    assert_eq!(
        client.request::<String, _>("ping", &()).await.unwrap(),
        "pong"
    );
    let connections = server.connections();
    assert_eq!(connections.len(), 1);
    let conn = &connections[0];
    assert_eq!(conn.path(), "/rpc");
    assert!(conn.peer_addr().is_some());
    let doubled: i64 = within("server->client call", conn.request("client.double", &(50,)))
        .await
        .unwrap();
    assert_eq!(doubled, 100);
    let info: Info = within("server->client call", conn.request("client.info", &("x",)))
        .await
        .unwrap();
    assert_eq!(info.version, 3);
    match conn.request::<(), _>("client.missing", &()).await {
        Err(CallError::Rpc(e)) => assert_eq!(e.code, code::METHOD_NOT_FOUND),
        other => panic!("expected method not found, got {other:?}"),
    }
    stop(&server).await;
}

#[tokio::test]
async fn ids_round_trip_exactly() {
    let server = start(basic()).await;
    let mut raw = Raw::connect(&server.url()).await;
    for id in [
        "123456789012345678901234567890",
        "-1.5",
        r#""abc""#,
        "0",
        "1e3",
        r#""with \"escapes\" \u00e9""#,
        "null",
    ] {
        let reply = raw
            .call(format!(r#"{{"jsonrpc":"2.0","method":"ping","id":{id}}}"#))
            .await;
        assert_eq!(reply["result"], "pong", "id {id}: {reply}");
        // Compare the raw text: a parsed number would lose the exact digits.
        raw.send(format!(r#"{{"jsonrpc":"2.0","method":"ping","id":{id}}}"#))
            .await;
        let text = raw.next_text().await;
        assert!(
            text.contains(&format!(r#""id":{id}"#)),
            "id {id} not echoed verbatim: {text}"
        );
    }
    drop(raw);
    stop(&server).await;
}
