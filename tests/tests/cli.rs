//! End-to-end tests of the `jrpc` binary against an in-process server
//! (the binary is built and found by [`jrpc_bin`]).
#![allow(clippy::unwrap_used, missing_docs)]

mod jrpc_bin;

use jrpc_bin::jrpc;

use std::time::Duration;

use jrpc::{Connection, ErrorObject, Server, ServerHandle};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tokio::sync::mpsc;

/// Far longer than any case here needs; only reached when something hangs.
const PATIENCE: Duration = Duration::from_secs(10);

#[derive(Deserialize)]
struct Sum {
    x: f64,
    y: f64,
}

/// Fields deliberately not in alphabetical order, to see that output keeps order.
#[derive(Serialize)]
struct Info {
    zeta: &'static str,
    alpha: [i64; 2],
}

/// A server with a few methods; `log` notifications arrive on the receiver.
async fn start() -> (ServerHandle, mpsc::UnboundedReceiver<Value>) {
    let (log_tx, log_rx) = mpsc::unbounded_channel();
    let server = Server::builder()
        .sync_method("Add", |_c: Connection, (a, b): (i64, i64)| {
            Ok::<_, ErrorObject>(a + b)
        })
        .sync_method("math.sum", |_c: Connection, p: Sum| {
            Ok::<_, ErrorObject>(p.x + p.y)
        })
        .sync_method("echo", |_c: Connection, (s,): (String,)| {
            Ok::<_, ErrorObject>(s)
        })
        .sync_method("info", |_c: Connection, (): ()| {
            Ok::<_, ErrorObject>(Info {
                zeta: "a b",
                alpha: [1, 2],
            })
        })
        .sync_method("fail", |_c: Connection, (): ()| {
            Err::<(), _>(ErrorObject::new(100, "division by zero").with_data(&"x"))
        })
        .method("never", |_c: Connection, (): ()| {
            std::future::pending::<Result<(), ErrorObject>>()
        })
        .sync_method("log", move |_c: Connection, params: Value| {
            log_tx.send(params).unwrap();
            Ok::<_, ErrorObject>(())
        })
        .bind("127.0.0.1:0")
        .await
        .unwrap()
        .spawn();
    (server, log_rx)
}

#[tokio::test]
async fn positional_args_print_the_result() {
    let (server, _) = start().await;
    let run = jrpc(&["call", "--url", &server.url(), "Add", "5", "10"]).await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(run.stdout, "15\n");
    assert_eq!(run.stderr, "");
    let negative = jrpc(&["call", "--url", &server.url(), "Add", "-5", "10"]).await;
    assert_eq!(negative.stdout, "5\n", "{}", negative.stderr);
}

#[tokio::test]
async fn one_object_arg_is_named_params() {
    let (server, _) = start().await;
    let run = jrpc(&[
        "--url",
        &server.url(),
        "call",
        "math.sum",
        r#"{"x":1,"y":2.5}"#,
    ])
    .await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(run.stdout, "3.5\n");
}

#[tokio::test]
async fn params_option_gives_the_exact_params() {
    let (server, _) = start().await;
    let url = server.url();
    let run = jrpc(&["call", "--url", &url, "Add", "--params", "[2, 3]"]).await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(run.stdout, "5\n");
    let both = jrpc(&["call", "--url", &url, "Add", "1", "--params", "[2, 3]"]).await;
    assert_eq!(both.code, Some(2), "{}", both.stderr);
}

#[tokio::test]
async fn results_print_as_json_keeping_key_order() {
    let (server, _) = start().await;
    let url = server.url();
    let echo = jrpc(&["call", "--url", &url, "echo", r#""hi there""#]).await;
    assert_eq!(echo.stdout, "\"hi there\"\n", "{}", echo.stderr);
    let compact = jrpc(&["call", "--url", &url, "info"]).await;
    assert_eq!(compact.stdout, "{\"zeta\":\"a b\",\"alpha\":[1,2]}\n");
    let pretty = jrpc(&["call", "--url", &url, "info", "--pretty"]).await;
    assert_eq!(
        pretty.stdout,
        "{\n  \"zeta\": \"a b\",\n  \"alpha\": [\n    1,\n    2\n  ]\n}\n"
    );
}

#[tokio::test]
async fn an_arg_that_is_not_json_is_a_usage_error() {
    let (server, _) = start().await;
    let run = jrpc(&["call", "--url", &server.url(), "echo", "1", "hello"]).await;
    assert_eq!(run.code, Some(2));
    assert_eq!(run.stdout, "");
    assert!(
        run.stderr
            .starts_with(r#"jrpc: argument 2 ("hello") is not valid JSON: "#),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains(r#"e.g. '"hello"'"#), "{}", run.stderr);
}

#[tokio::test]
async fn an_error_answer_exits_1_with_code_message_and_data() {
    let (server, _) = start().await;
    let run = jrpc(&["call", "--url", &server.url(), "fail"]).await;
    assert_eq!(run.code, Some(1));
    assert_eq!(run.stdout, "");
    assert_eq!(
        run.stderr,
        "jrpc: error 100: division by zero\ndata: \"x\"\n"
    );
    let missing = jrpc(&["call", "--url", &server.url(), "nope"]).await;
    assert_eq!(missing.code, Some(1));
    assert_eq!(missing.stderr, "jrpc: error -32601: Method not found\n");
}

#[tokio::test]
async fn a_notification_reaches_the_server_and_prints_nothing() {
    let (server, mut log) = start().await;
    let run = jrpc(&[
        "call",
        "--url",
        &server.url(),
        "log",
        r#""started""#,
        "--notify",
    ])
    .await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(run.stdout, "");
    let received = tokio::time::timeout(PATIENCE, log.recv()).await.unwrap();
    assert_eq!(received, Some(json!(["started"])));
}

#[tokio::test]
async fn no_server_fails_quickly_with_exit_3() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let url = format!("ws://127.0.0.1:{port}/rpc");
    let run = jrpc(&["call", "--url", &url, "Add", "1", "2"]).await;
    assert_eq!(run.code, Some(3));
    let expected = format!("jrpc: could not connect to {url}: ");
    assert!(run.stderr.starts_with(&expected), "{}", run.stderr);
    assert!(run.took < PATIENCE / 2, "took {:?}", run.took);
}

#[tokio::test]
async fn a_method_that_never_answers_times_out_with_exit_3() {
    let (server, _) = start().await;
    let url = server.url();
    let run = jrpc(&["call", "--url", &url, "never", "--timeout", "1"]).await;
    assert_eq!(run.code, Some(3));
    assert_eq!(
        run.stderr,
        format!("jrpc: no answer from {url}: timed out after 1s\n")
    );
    assert!(run.took >= Duration::from_secs(1), "took {:?}", run.took);
    assert!(run.took < PATIENCE / 2, "took {:?}", run.took);
}
