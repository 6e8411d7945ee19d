//! Dead peers: a side that has heard nothing from its peer for
//! `Limits::peer_timeout` (after pinging it once the line went quiet for
//! `Limits::ping_interval`) gives the connection up, and calls waiting on it
//! fail with "connection lost" at once instead of hanging until TCP notices.
//! The dead peer is real: a client that stops reading, and a server process
//! stopped with SIGSTOP.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;
mod jrpc_bin;

use std::process::Command;
use std::time::{Duration, Instant};

use common::{Raw, basic, start, stop, within};
use jrpc::{CallError, Client, Connection, ErrorObject};

const PING: Duration = Duration::from_millis(100);
const TIMEOUT: Duration = Duration::from_millis(300);

#[tokio::test]
async fn the_server_gives_up_a_client_that_stopped_answering() {
    let server = start(basic().with_limits(|l| {
        l.ping_interval = Some(PING);
        l.peer_timeout = TIMEOUT;
    }))
    .await;
    // Opened and then never read again: its pings go unanswered, as from a
    // laptop that went to sleep.
    let silent = Raw::connect(&server.url()).await;
    let conn = within("the server to see the connection", async {
        loop {
            if let Some(conn) = server.connections().into_iter().next() {
                break conn;
            }
            tokio::task::yield_now().await;
        }
    })
    .await;
    let started = Instant::now();
    within("the server to give the silent client up", conn.closed()).await;
    let took = started.elapsed();
    assert!(took >= TIMEOUT - PING, "gave up after {took:?}");
    assert!(server.connections().is_empty());
    drop(silent);
    stop(&server).await;
}

#[tokio::test]
async fn a_client_that_answers_pings_stays_connected_while_idle() {
    let server = start(basic().with_limits(|l| {
        l.ping_interval = Some(PING);
        l.peer_timeout = TIMEOUT;
    }))
    .await;
    let client = Client::connect(&server.url()).await.unwrap();
    // Idle for several timeouts: the pings, answered, keep it alive. (The
    // wait is the condition under test, not a stand-in for an event.)
    tokio::time::sleep(TIMEOUT * 4).await;
    assert_eq!(
        client.request::<String, _>("ping", &()).await.unwrap(),
        "pong"
    );
    assert_eq!(server.connections().len(), 1);
    stop(&server).await;
}

// SIGSTOP, and /proc to see it take effect.
#[cfg(target_os = "linux")]
#[tokio::test]
async fn the_client_gives_up_a_stopped_server_and_fails_its_pending_call() {
    let mut command = Command::new(jrpc_bin::server_bin());
    command.args([
        "--addr",
        "127.0.0.1:0",
        "--push-interval",
        "0",
        "--ping-interval",
        "0",
    ]);
    let (mut child, _, url) = jrpc_bin::spawn_server(command);
    let client = Client::builder()
        .with_limits(|l| {
            l.ping_interval = Some(PING);
            l.peer_timeout = TIMEOUT;
            l.request_timeout = Duration::from_secs(30);
        })
        .sync_method("unused", |_c: Connection, (): ()| Ok::<_, ErrorObject>(()))
        .connect(&url)
        .await
        .unwrap();
    assert_eq!(client.request::<i64, _>("Add", &(1, 2)).await.unwrap(), 3);

    // The server stops without closing anything: its socket stays open.
    let pid = child.id().to_string();
    let signal = |name: &str| {
        let status = Command::new("kill").args([name, &pid]).status().unwrap();
        assert!(status.success(), "kill {name} {pid}");
    };
    signal("-STOP");
    // Delivered a moment after `kill` returns: a call sent before the stop
    // takes effect would still be answered.
    within("the server to stop", async {
        let stat = format!("/proc/{pid}/stat");
        while !std::fs::read_to_string(&stat)
            .unwrap()
            .split(") ")
            .nth(1)
            .is_some_and(|rest| rest.starts_with('T'))
        {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await;
    let started = Instant::now();
    let pending = client.request::<i64, _>("Add", &(2, 3));
    let result = within("the pending call to fail", pending).await;
    let took = started.elapsed();
    signal("-CONT");
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        matches!(result, Err(CallError::ConnectionClosed)),
        "expected connection lost, got {result:?}"
    );
    // Within the peer timeout and a ping, far below the call's own 30 s.
    assert!(took < Duration::from_secs(5), "took {took:?}");
    assert!(client.is_closed());
}
