//! The `jrpc` binary in the original jrpc tool's form (`jrpc Add -a 5,10`,
//! `-k key=value`) and speaking the original dialect (`--dialect jrpc`)
//! to `Server::bind_legacy`, the endpoint of `jrpc-server --legacy-addr`.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;
mod jrpc_bin;

use common::start_demo_with_legacy;
use jrpc::ServerHandle;
use jrpc_bin::jrpc;

/// The demo methods, with the legacy endpoint's URL.
async fn start() -> (ServerHandle, String) {
    let (server, legacy) = start_demo_with_legacy(|b| b).await;
    (server, format!("ws://{legacy}"))
}

#[tokio::test]
async fn the_original_forms_call_a_json_rpc_server() {
    let (server, _) = start().await;
    let run = jrpc(&["--url", &server.url(), "Add", "-a", "5,10"]).await;
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (Some(0), "15\n"),
        "{}",
        run.stderr
    );
    let run = jrpc(&["--url", &server.url(), "Multiply", "-a", "6", "-k", "b=7"]).await;
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (Some(0), "42\n"),
        "{}",
        run.stderr
    );
    let run = jrpc(&["--url", &server.url(), "math.sum", "-k", "x=1,y=2"]).await;
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (Some(0), "3\n"),
        "{}",
        run.stderr
    );
}

#[tokio::test]
async fn the_jrpc_dialect_reaches_the_legacy_endpoint() {
    let (_server, legacy) = start().await;
    let run = jrpc(&["Add", "-a", "5,10", "--dialect", "jrpc", "--url", &legacy]).await;
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (Some(0), "15\n"),
        "{}",
        run.stderr
    );
    let run = jrpc(&[
        "Multiply",
        "-a",
        "6",
        "-k",
        "b=7",
        "--dialect",
        "jrpc",
        "--url",
        &legacy,
    ])
    .await;
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (Some(0), "42\n"),
        "{}",
        run.stderr
    );
    let run = jrpc(&["Divide", "-a", "1,0", "--dialect", "jrpc", "--url", &legacy]).await;
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(run.stderr.contains("division by zero"), "{}", run.stderr);
    assert!(run.stderr.contains("ZeroDivisionError"), "{}", run.stderr);
}

#[tokio::test]
async fn a_bad_pair_is_a_usage_error() {
    let run = jrpc(&["Add", "-k", "b", "--url", "ws://127.0.0.1:1/"]).await;
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(run.stderr.contains("not key=value"), "{}", run.stderr);
}
