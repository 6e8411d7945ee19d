//! `rpc.discover`: the OpenRPC document of what a server serves, from the
//! Rust definitions (the demo's whole API, the specification's methods, a
//! library server's own), the native client's `discover`, and `jrpc
//! methods` / `jrpc describe`. (The document is checked against the OpenRPC
//! meta-schema in `tests/browser/openrpc.test.mjs`.)
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod jrpc_bin;

use common::{start, stop};
use jrpc::{ApiInfo, Client, Connection, ErrorObject, MethodDoc, Server, code};
use jrpc_bin::jrpc;
use jrpc_cli::demo;
use serde_json::{Value, json};

fn method<'a>(document: &'a Value, name: &str) -> &'a Value {
    document["methods"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == name)
        .unwrap_or_else(|| panic!("{name} is not described: {document}"))
}

fn names(methods: &Value) -> Vec<&str> {
    methods
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect()
}

async fn demo_document() -> (jrpc::ServerHandle, Value) {
    let mut methods = demo::math_methods();
    demo::client_methods(&mut methods);
    let server = start(
        Server::builder()
            .methods(methods)
            .discover(demo::api_info()),
    )
    .await;
    let client = Client::connect(&server.url()).await.unwrap();
    let document = client.discover().await.unwrap();
    client.close();
    (server, document)
}

#[tokio::test]
async fn the_demo_describes_its_whole_api() {
    let (server, document) = demo_document().await;
    assert_eq!(document["openrpc"], "1.3.2");
    assert_eq!(document["info"]["title"], "jrpc-server demo");
    let mut expected = demo::math_methods()
        .names()
        .map(str::to_owned)
        .collect::<Vec<_>>();
    expected.sort();
    assert_eq!(
        names(&document["methods"]),
        expected,
        "every method, sorted, no rpc.*"
    );
    for m in document["methods"].as_array().unwrap() {
        assert!(m["summary"].as_str().is_some_and(|s| !s.is_empty()), "{m}");
    }
    // Params by name or in order, with their types; the result; the errors.
    let divide = method(&document, "Divide");
    assert_eq!(divide["paramStructure"], "either");
    assert_eq!(
        divide["params"],
        json!([
            {"name": "a", "schema": {"type": "number", "description": "The left operand."}, "required": true},
            {"name": "b", "schema": {"type": "number", "description": "The right operand."}, "required": true},
        ])
    );
    assert_eq!(divide["result"]["schema"], json!({"type": "number"}));
    let codes: Vec<&Value> = divide["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["code"])
        .collect();
    assert_eq!(codes, [&json!(101), &json!(100)]);
    // Optional params (a default) are not required.
    let ticks = method(&document, "demo.ticks.subscribe");
    assert_eq!(ticks["params"][0]["name"], "everyMs");
    assert_eq!(ticks["params"][0]["required"], false);
    // A subscription: its id as the result, the rest in x-subscription.
    assert_eq!(ticks["result"]["schema"], json!({"type": "string"}));
    assert_eq!(
        ticks["x-subscription"],
        json!({
            "notification": "demo.ticks",
            "unsubscribe": "demo.ticks.unsubscribe",
            "items": {"$ref": "#/components/schemas/Tick"},
        })
    );
    let tick = &document["components"]["schemas"]["Tick"];
    assert_eq!(tick["required"], json!(["n", "at"]));
    // An unsubscribe method is described without a doc of its own.
    let unsubscribe = method(&document, "demo.board.unsubscribe");
    assert_eq!(unsubscribe["paramStructure"], "by-position");
    assert_eq!(unsubscribe["result"]["schema"], json!({"type": "boolean"}));
    // A method without described params takes anything.
    assert_eq!(method(&document, "demo.echo")["x-any-params"], true);
    // The page's methods, which the server calls.
    assert_eq!(
        names(&document["x-client-methods"]),
        ["demo.clients", "ui.log", "ui.time"]
    );
    let log = &document["x-client-methods"][1];
    assert_eq!(log["paramStructure"], "by-position");
    assert_eq!(log["params"][0]["name"], "message");
    stop(&server).await;
}

#[tokio::test]
async fn the_specifications_methods_are_described_too() {
    let server = start(
        Server::builder()
            .methods(demo::spec_methods())
            .discover(ApiInfo::new("spec", "1")),
    )
    .await;
    let client = Client::connect(&server.url()).await.unwrap();
    let document = client.discover().await.unwrap();
    assert_eq!(
        names(&document["methods"]),
        [
            "get_data",
            "notify_hello",
            "notify_sum",
            "subtract",
            "sum",
            "update"
        ]
    );
    // Any number of numbers: positional, the last one repeating.
    let sum = method(&document, "sum");
    assert_eq!(sum["paramStructure"], "by-position");
    assert_eq!(sum["x-rest-params"], true);
    assert_eq!(sum["params"][0]["name"], "numbers");
    assert_eq!(method(&document, "update")["x-any-params"], true);
    let get_data = method(&document, "get_data");
    assert_eq!(get_data["params"], json!([]));
    assert_eq!(
        get_data["result"]["schema"]["items"][0],
        json!({"type": "string"})
    );
    let subtract = method(&document, "subtract");
    assert_eq!(
        names(&subtract["params"]),
        ["minuend", "subtrahend"],
        "in the struct's order"
    );
    client.close();
    stop(&server).await;
}

#[tokio::test]
async fn only_a_server_that_asks_for_it_describes_itself() {
    let plain = start(Server::builder().methods(demo::math_methods())).await;
    let client = Client::connect(&plain.url()).await.unwrap();
    match client.discover().await {
        Err(jrpc::CallError::Rpc(e)) => assert_eq!(e.code, code::METHOD_NOT_FOUND),
        other => panic!("expected -32601, got {other:?}"),
    }
    client.close();
    stop(&plain).await;

    // Undescribed methods are listed all the same; `rpc.*` stays reserved to apps.
    let server = start(
        Server::builder()
            .sync_method("ping", |_: Connection, (): ()| Ok::<_, ErrorObject>("pong"))
            .sync_method("add", |_: Connection, (a, b): (i64, i64)| {
                Ok::<_, ErrorObject>(a + b)
            })
            .describe(
                "add",
                MethodDoc::new("a + b")
                    .params::<(i64, i64)>()
                    .param_names(&["a", "b"])
                    .result::<i64>()
                    .deprecated(),
            )
            .discover(ApiInfo::new("small", "0.1").description("two methods")),
    )
    .await;
    let client = Client::connect(&server.url()).await.unwrap();
    let document = client.discover().await.unwrap();
    assert_eq!(document["info"]["description"], "two methods");
    let add = method(&document, "add");
    assert_eq!(add["paramStructure"], "by-position");
    assert_eq!(names(&add["params"]), ["a", "b"]);
    assert_eq!(add["params"][1]["required"], true);
    assert_eq!(add["deprecated"], true);
    let ping = method(&document, "ping");
    assert_eq!(ping["x-any-params"], true);
    assert_eq!(ping["result"]["schema"], json!({}));
    // Empty params are accepted as none, as for every method without params.
    assert_eq!(
        client
            .request::<Value, _>("rpc.discover", &json!([]))
            .await
            .unwrap(),
        document
    );
    client.close();
    stop(&server).await;
}

#[tokio::test]
async fn jrpc_methods_and_describe_print_the_description() {
    let (server, _) = demo_document().await;
    let url = server.url();
    let run = jrpc(&["methods", "--url", &url]).await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(
        run.stdout.starts_with("jrpc-server demo "),
        "{}",
        run.stdout
    );
    for line in [
        "Divide(a: number, b: number): number",
        "demo.ticks.subscribe(everyMs?: integer): string",
        "[subscription: items Tick as demo.ticks]",
        "demo.echo(...): any",
        "Methods the server calls on its clients:",
        "ui.log(message: string): boolean",
    ] {
        assert!(
            run.stdout.contains(line),
            "{line:?} missing from\n{}",
            run.stdout
        );
    }
    let run = jrpc(&["describe", "demo.board.post", "--url", &url]).await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let described: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(described["params"][0]["name"], "text");
    // Named types are shown in place.
    let run = jrpc(&["describe", "demo.ticks.subscribe", "--url", &url]).await;
    let described: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        described["x-subscription"]["items"]["required"],
        json!(["n", "at"])
    );
    let fails = |run: jrpc_bin::Run, code: i32, says: &str| {
        assert_eq!(run.code, Some(code), "{}", run.stderr);
        assert!(
            run.stderr.contains(says),
            "{says:?} missing from {}",
            run.stderr
        );
    };
    let run = jrpc(&["describe", "nope", "--url", &url]).await;
    fails(run, 2, "describes no method \"nope\"");
    stop(&server).await;

    let plain = start(Server::builder().methods(demo::math_methods())).await;
    fails(
        jrpc(&["methods", "--url", &plain.url()]).await,
        1,
        "does not describe itself",
    );
    stop(&plain).await;
}
