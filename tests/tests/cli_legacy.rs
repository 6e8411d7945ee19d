//! The `jrpc` binary in the original jrpc tool's form (`jrpc Add -a 5,10`,
//! `-k key=value`) and speaking the original dialect (`--dialect jrpc`)
//! to `Server::bind_legacy`, the endpoint of `jrpc-server --legacy-addr`.
#![allow(clippy::unwrap_used, missing_docs)]

mod jrpc_bin;

use std::process::{Command, Stdio};

use jrpc_bin::jrpc_bin;
use jrpc_server::{Server, ServerHandle, demo};

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Runs `jrpc ARGS` on a blocking thread, so the server on this runtime keeps serving.
async fn jrpc(args: &[&str]) -> Run {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        let output = Command::new(jrpc_bin())
            .args(&args)
            .args(["--timeout", "10"])
            .env_remove("JRPC_URL")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        Run {
            code: output.status.code(),
            stdout: String::from_utf8(output.stdout).unwrap(),
            stderr: String::from_utf8(output.stderr).unwrap(),
        }
    })
    .await
    .unwrap()
}

/// The demo methods, with the legacy endpoint's URL.
async fn start() -> (ServerHandle, String) {
    let server = demo::with_legacy_error_names(Server::builder())
        .methods(demo::math_methods())
        .bind("127.0.0.1:0")
        .await
        .unwrap()
        .bind_legacy("127.0.0.1:0")
        .await
        .unwrap();
    let legacy = format!("ws://{}", server.legacy_addr().unwrap());
    (server.spawn(), legacy)
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
