//! `jrpc-server --methods spec` serves the specification's examples and
//! nothing else: it sends no notification the client did not ask for.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test

mod jrpc_bin;

use std::process::{Child, Command};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use jrpc::{Client, Connection, ErrorObject};

/// Starts the binary on a free port; the child and its WebSocket URL.
fn start(methods: &str) -> (Child, String) {
    let mut command = Command::new(jrpc_bin::server_bin());
    command.args([
        "--addr",
        "127.0.0.1:0",
        "--methods",
        methods,
        "--push-interval",
        "0.05",
    ]);
    let (child, _, url) = jrpc_bin::spawn_server(command);
    (child, url)
}

/// How many `demo.clients` pushes a client gets while it makes `calls` calls
/// 50 ms apart (each call is a round trip, so pushes sent before it have arrived).
async fn pushes_seen(methods: &str, method: &str, calls: usize) -> usize {
    let (mut child, url) = start(methods);
    let seen = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&seen);
    let client = Client::builder()
        .sync_method(
            "demo.clients",
            move |_: Connection, _: serde_json::Value| {
                counter.fetch_add(1, Ordering::SeqCst);
                Ok::<_, ErrorObject>(())
            },
        )
        .connect(&url)
        .await
        .unwrap();
    for _ in 0..calls {
        tokio::time::sleep(Duration::from_millis(50)).await;
        let _: serde_json::Value = client.request(method, &[1, 2]).await.unwrap();
    }
    child.kill().unwrap();
    child.wait().unwrap();
    seen.load(Ordering::SeqCst)
}

#[tokio::test]
async fn spec_mode_pushes_nothing_and_math_mode_does() {
    // The control: with the same interval, the demo's push does arrive.
    assert!(pushes_seen("math", "math.sum", 10).await > 0);
    assert_eq!(pushes_seen("spec", "sum", 10).await, 0);
}
