//! The original jrpc dialect on a listener of its own (`Server::bind_legacy`,
//! `jrpc-server --legacy-addr`): the frames a page written for the original
//! `jrpc.js` sends, answered by the same methods as JSON-RPC 2.0 callers get.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::net::SocketAddr;

use common::{Raw, start_demo_with_legacy, stop, within};
use jrpc::{Client, Dialect, ServerHandle};
use serde_json::{Value, json};

/// The demo's methods on a JSON-RPC 2.0 port and a legacy port.
async fn start_both() -> (ServerHandle, SocketAddr) {
    start_demo_with_legacy(|b| b).await
}

/// Connects as the original `jrpc.js` does: `ws://HOST:PORT`, no path.
async fn page(legacy: SocketAddr) -> Raw {
    Raw::connect(&format!("ws://{legacy}")).await
}

#[tokio::test]
async fn the_calculator_adds_the_strings_its_inputs_send_and_reports_a_division_by_zero() {
    let (server, legacy) = start_both().await;
    let mut page = page(legacy).await;
    page.send(r#"{"method":"Add","args":["5","10"],"kwargs":{},"id":0}"#)
        .await;
    assert_eq!(
        page.next_text().await,
        r#"{"id":0,"result":15,"error":null}"#
    );
    page.send(r#"{"method":"Divide","args":["1","0"],"kwargs":{},"id":1}"#)
        .await;
    assert_eq!(
        page.next_json().await,
        json!({"id": 1, "result": "division by zero", "error": "ZeroDivisionError"})
    );
    // Missing args and kwargs are empty; an unknown method is the original's KeyError.
    page.send(r#"{"method":"Nope","id":2}"#).await;
    assert_eq!(
        page.next_json().await,
        json!({"id": 2, "result": "Method not found", "error": "KeyError"})
    );
    stop(&server).await;
}

#[tokio::test]
async fn args_and_kwargs_together_reach_a_method_by_its_parameter_names() {
    let (server, legacy) = start_both().await;
    let mut page = page(legacy).await;
    page.send(r#"{"method":"Multiply","args":[6],"kwargs":{"b":7},"id":0}"#)
        .await;
    assert_eq!(
        page.next_json().await,
        json!({"id": 0, "result": 42, "error": null})
    );
    page.send(r#"{"method":"Multiply","args":[6],"kwargs":{"a":7},"id":1}"#)
        .await;
    assert_eq!(
        page.next_json().await,
        json!({
            "id": 1,
            "result": "Invalid params: got multiple values for argument 'a'",
            "error": "TypeError"
        })
    );
    stop(&server).await;
}

#[tokio::test]
async fn an_invoke_gets_no_answer_even_when_it_fails() {
    let (server, legacy) = start_both().await;
    let mut page = page(legacy).await;
    page.send(r#"{"method":"Add","args":["1","2"],"kwargs":{}}"#)
        .await;
    page.send(r#"{"method":"Nope","args":[],"kwargs":{},"id":null}"#)
        .await;
    page.send(r#"{"method":"Add","args":"bad","kwargs":{}}"#)
        .await;
    // Frames are answered in order: the next one is this request's.
    page.send(r#"{"method":"Subtract","args":[5,3],"kwargs":{},"id":7}"#)
        .await;
    assert_eq!(
        page.next_json().await,
        json!({"id": 7, "result": 2, "error": null})
    );
    stop(&server).await;
}

#[tokio::test]
async fn the_server_calls_the_pages_methods_in_the_dialect_never_with_id_0() {
    let (server, legacy) = start_both().await;
    let mut page = page(legacy).await;
    // The page asks the server to call its `show` method back.
    page.send(r#"{"method":"demo.callback","args":[],"kwargs":{"method":"show","params":["hi",2]},"id":0}"#)
        .await;
    let call = page.next_json().await;
    assert_eq!(call["method"], "show");
    assert_eq!(call["args"], json!(["hi", 2]));
    assert_eq!(call["kwargs"], json!({}));
    assert!(call.get("jsonrpc").is_none(), "{call}");
    let id = call["id"].as_u64().expect("an integer id");
    assert_ne!(id, 0, "the original jrpc.js never answers id 0");
    page.send(json!({"id": id, "result": "shown", "error": null}).to_string())
        .await;
    assert_eq!(
        page.next_json().await,
        json!({"id": 0, "result": "shown", "error": null})
    );

    // A page method that fails: its type name and message come back to the caller.
    page.send(r#"{"method":"demo.callback","args":[],"kwargs":{"method":"show"},"id":1}"#)
        .await;
    let call = page.next_json().await;
    assert_eq!(
        (call["args"].clone(), call["kwargs"].clone()),
        (json!([]), json!({}))
    );
    let fail = json!({"id": call["id"], "result": "no such thing", "error": "LookupError"});
    page.send(fail.to_string()).await;
    assert_eq!(
        page.next_json().await,
        json!({"id": 1, "result": "no such thing", "error": "LookupError"})
    );
    stop(&server).await;
}

#[tokio::test]
async fn broadcasts_reach_legacy_pages_as_invokes() {
    let (server, legacy) = start_both().await;
    let mut page = page(legacy).await;
    // Once this is answered, the connection is registered.
    page.send(r#"{"method":"Add","args":[1,1],"id":0}"#).await;
    page.next_json().await;
    assert_eq!(server.broadcast("tick", &[3]).unwrap(), 1);
    assert_eq!(
        page.next_json().await,
        json!({"method": "tick", "args": [3], "kwargs": {}})
    );
    stop(&server).await;
}

#[tokio::test]
async fn the_native_client_speaks_the_dialect_too() {
    let (server, legacy) = start_both().await;
    let client = Client::builder()
        .dialect(Dialect::Jrpc)
        .connect(&format!("ws://{legacy}"))
        .await
        .unwrap();
    let sum: Value = within("Add", client.request("Add", &("5", "10")))
        .await
        .unwrap();
    assert_eq!(sum, json!(15));
    let product: Value = within(
        "Multiply",
        client.request("Multiply", &json!({"a": 6, "b": 7})),
    )
    .await
    .unwrap();
    assert_eq!(product, json!(42));
    let err = within("Divide", client.request::<Value, _>("Divide", &(1, 0)))
        .await
        .unwrap_err();
    let err = err.to_string();
    assert!(
        err.contains("division by zero") && err.contains("ZeroDivisionError"),
        "{err}"
    );
    stop(&server).await;
}

#[tokio::test]
async fn json_rpc_callers_mix_positional_and_named_params_by_position_keys() {
    let (server, _) = start_both().await;
    let mut raw = Raw::connect(&server.url()).await;
    raw.send(r#"{"jsonrpc":"2.0","method":"Multiply","params":{"0":6,"b":7},"id":1}"#)
        .await;
    assert_eq!(raw.next_json().await["result"], 42);
    stop(&server).await;
}

#[tokio::test]
async fn the_json_rpc_endpoint_still_wants_json_rpc() {
    let (server, _) = start_both().await;
    let mut raw = Raw::connect(&server.url()).await;
    raw.send(r#"{"method":"Add","args":[5,10],"kwargs":{},"id":0}"#)
        .await;
    let reply = raw.next_json().await;
    assert_eq!(reply["error"]["code"], -32600, "{reply}");
    stop(&server).await;
}
