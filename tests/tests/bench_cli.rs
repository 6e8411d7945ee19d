//! End-to-end tests of `jrpc bench` against an in-process server
//! (the binary is built and found by [`jrpc_bin`]).
#![allow(clippy::unwrap_used, missing_docs)]

mod jrpc_bin;

use jrpc_bin::jrpc;

use jrpc::{Server, ServerHandle};
use serde_json::Value;

struct Run {
    code: Option<i32>,
    report: Value,
    stderr: String,
}

async fn start() -> ServerHandle {
    Server::builder()
        .methods(jrpc_cli::demo::math_methods())
        .bind("127.0.0.1:0")
        .await
        .unwrap()
        .spawn()
}

/// Runs `jrpc bench --url URL --json ARGS` and parses its report.
async fn bench(server: &ServerHandle, args: &[&str]) -> Run {
    let url = server.url();
    let mut all = vec!["bench", "--url", &url, "--json"];
    all.extend_from_slice(args);
    let run = jrpc(&all).await;
    let report = serde_json::from_str(&run.stdout).unwrap_or_else(|e| {
        panic!(
            "not a JSON report ({e}): {:?}, stderr {:?}",
            run.stdout, run.stderr
        )
    });
    Run {
        code: run.code,
        report,
        stderr: run.stderr,
    }
}

fn number(report: &Value, pointer: &str) -> f64 {
    report
        .pointer(pointer)
        .and_then(Value::as_f64)
        .unwrap_or_else(|| panic!("no number at {pointer} in {report}"))
}

const QUICK: &[&str] = &["--duration", "0.5", "--warmup", "0"];

#[tokio::test]
async fn pipelined_calls_are_counted_and_checked() {
    let server = start().await;
    let mut args = QUICK.to_vec();
    args.extend(["--connections", "2", "--in-flight", "4", "--expect", "3"]);
    let run = bench(&server, &args).await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let r = &run.report;
    assert!(number(r, "/calls") > 0.0, "{r}");
    assert!(number(r, "/calls_per_sec") > 0.0, "{r}");
    assert_eq!(number(r, "/errors"), 0.0, "{r}");
    let (p50, p99, max) = (
        number(r, "/latency_us/p50"),
        number(r, "/latency_us/p99"),
        number(r, "/latency_us/max"),
    );
    assert!(p50 <= p99 && p99 <= max, "{r}");
    assert!(number(r, "/bytes_sent") > 0.0 && number(r, "/bytes_received") > 0.0);
}

#[tokio::test]
async fn batches_count_every_call() {
    let server = start().await;
    let mut args = QUICK.to_vec();
    args.extend(["--batch", "5", "--in-flight", "2", "--expect", "3"]);
    let run = bench(&server, &args).await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(number(&run.report, "/calls") >= 5.0, "{}", run.report);
    assert_eq!(number(&run.report, "/errors"), 0.0);
    assert_eq!(run.report["mode"], "batch");
}

#[tokio::test]
async fn notifications_are_counted_after_a_fence() {
    let server = start().await;
    let mut args = QUICK.to_vec();
    args.push("--notify");
    let run = bench(&server, &args).await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(
        number(&run.report, "/notifications") > 0.0,
        "{}",
        run.report
    );
    assert!(number(&run.report, "/notifications_per_sec") > 0.0);
    assert_eq!(number(&run.report, "/errors"), 0.0);
}

#[tokio::test]
async fn a_counted_flood_sends_exactly_that_many_then_the_fence() {
    let server = start().await;
    let pid = std::process::id().to_string();
    let args = [
        "--notify",
        "--count",
        "1000",
        "--duration",
        "20",
        "--server-pid",
        &pid,
    ];
    let run = bench(&server, &args).await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let r = &run.report;
    assert_eq!(number(r, "/notifications"), 1000.0, "{r}");
    assert_eq!(number(r, "/errors"), 0.0, "{r}");
    assert!(
        number(r, "/server/rss_kib_peak") >= number(r, "/server/rss_kib_after"),
        "{r}"
    );
}

#[tokio::test]
async fn a_wrong_expectation_is_an_error() {
    let server = start().await;
    let mut args = QUICK.to_vec();
    args.extend(["--expect", "4"]);
    let run = bench(&server, &args).await;
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(number(&run.report, "/errors") > 0.0, "{}", run.report);
    assert!(run.stderr.contains("not the expected 4"), "{}", run.stderr);
}

#[tokio::test]
async fn idle_connections_report_server_memory() {
    let server = start().await;
    let pid = std::process::id().to_string();
    let mut args = QUICK.to_vec();
    args.extend(["--idle", "20", "--server-pid", &pid]);
    let run = bench(&server, &args).await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let r = &run.report;
    assert_eq!(number(r, "/idle_connections"), 20.0, "{r}");
    assert!(number(r, "/server/rss_kib_after") > 0.0, "{r}");
    // Memory may be reused, so the figure can be small, but it is there.
    number(r, "/server/rss_kib_per_idle_connection");
    assert!(number(r, "/calls") > 0.0, "{r}");
}

#[tokio::test]
async fn an_unreachable_server_exits_3() {
    // A port that was just free: nothing listens there any more.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("ws://127.0.0.1:{port}/rpc");
    let run = jrpc(&["bench", "--url", &url]).await;
    assert_eq!(run.code, Some(3), "{}", run.stderr);
}

#[tokio::test]
async fn calls_never_answered_end_the_run_as_errors() {
    let server = Server::builder()
        .method("never", |_c: jrpc::Connection, _p: Value| {
            std::future::pending::<Result<(), jrpc::ErrorObject>>()
        })
        .bind("127.0.0.1:0")
        .await
        .unwrap()
        .spawn();
    let started = std::time::Instant::now();
    let args = [
        "--duration",
        "0.2",
        "--warmup",
        "0",
        "--method",
        "never",
        "--params",
        "[]",
        "--in-flight",
        "3",
    ];
    let run = bench(&server, &args).await;
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert_eq!(number(&run.report, "/unanswered"), 3.0, "{}", run.report);
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}

/// `--subscribers`: the fan-out through the demo's board. Every delivery
/// is an item the publisher posted; their latency is measured; a stalled
/// subscriber does not stop the others.
#[tokio::test]
async fn a_fan_out_counts_deliveries_and_their_latency() {
    let server = start().await;
    let mut args = QUICK.to_vec();
    args.extend([
        "--subscribers",
        "40",
        "--connections",
        "4",
        "--in-flight",
        "2",
        "--stalled",
    ]);
    let run = bench(&server, &args).await;
    assert_eq!(run.code, Some(0), "stderr: {}", run.stderr);
    assert_eq!(run.report["mode"], "fanout");
    assert_eq!(run.report["errors"], 0);
    let posts = number(&run.report, "/posts");
    let deliveries = number(&run.report, "/deliveries");
    assert!(posts > 0.0 && deliveries > 0.0, "{}", run.report);
    // At most one delivery per post and subscriber (and a little slack
    // for posts answered just outside the window).
    assert!(deliveries <= (posts + 2.0 * 2.0) * 40.0, "{}", run.report);
    assert!(number(&run.report, "/latency_us/p99") > 0.0);
    let url = server.url();
    let other = jrpc(&["bench", "--url", &url, "--subscribers", "5", "--batch", "2"]).await;
    assert_eq!(other.code, Some(2), "--subscribers with --batch is refused");
    assert!(
        other.stderr.contains("cannot be used with"),
        "{}",
        other.stderr
    );
}
