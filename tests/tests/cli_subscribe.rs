//! `jrpc subscribe` against the demo's live methods (`demo.ticks`,
//! `demo.board`), in an in-process server: items as JSON lines, `--count`,
//! the server's errors, usage errors; and the demo methods themselves.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod jrpc_bin;

use common::{start, stop, within};
use futures_util::StreamExt;
use jrpc::{Client, Server};
use jrpc_bin::jrpc;
use jrpc_cli::demo;
use serde_json::{Value, json};

async fn demo_server() -> jrpc::ServerHandle {
    start(Server::builder().methods(demo::math_methods())).await
}

#[tokio::test]
async fn ticks_print_one_json_line_each_up_to_the_count() {
    let server = demo_server().await;
    let url = server.url();
    let run = jrpc(&[
        "subscribe",
        "demo.ticks", // the name: demo.ticks.subscribe and demo.ticks.unsubscribe
        r#"{"everyMs":20}"#,
        "--count",
        "3",
        "--url",
        &url,
    ])
    .await;
    assert_eq!(run.code, Some(0), "stderr: {}", run.stderr);
    let ticks: Vec<Value> = run
        .stdout
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(ticks.len(), 3, "{}", run.stdout);
    for (n, tick) in ticks.iter().enumerate() {
        assert_eq!(tick["n"], n as u64);
        assert!(tick["at"].as_u64().unwrap() > 1_600_000_000_000, "{tick}");
    }
    stop(&server).await;
}

/// `jrpc subscribe .. | head -1`: once the reader is gone, the command ends
/// the subscription and exits quietly, as any Unix tool in a pipe does.
#[tokio::test]
async fn a_reader_that_goes_away_ends_the_command_quietly() {
    use std::io::{BufRead, BufReader, Read};
    use std::process::{Command, Stdio};
    let server = demo_server().await;
    let url = server.url();
    let mut child = Command::new(jrpc_bin::jrpc_bin())
        .args([
            "subscribe",
            "demo.ticks",
            r#"{"everyMs":20}"#,
            "--url",
            &url,
        ])
        .env_remove("JRPC_URL")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let ended = tokio::task::spawn_blocking(move || {
        let mut first = String::new();
        BufReader::new(stdout).read_line(&mut first).unwrap();
        // The reader closes the pipe here, as `head -1` would.
        let status = child.wait().unwrap();
        let mut errors = String::new();
        stderr.read_to_string(&mut errors).unwrap();
        (first, status, errors)
    });
    let (first, status, errors) = within("jrpc to exit once its reader left", ended)
        .await
        .unwrap();
    assert_eq!(serde_json::from_str::<Value>(&first).unwrap()["n"], 0);
    assert_eq!(status.code(), Some(0), "stderr: {errors}");
    assert_eq!(errors, "");
    stop(&server).await;
}

#[tokio::test]
async fn the_servers_refusal_and_usage_mistakes_are_clear() {
    let server = demo_server().await;
    let url = server.url();
    let run = jrpc(&[
        "subscribe",
        "demo.ticks.subscribe",
        r#"{"everyMs":1}"#,
        "--url",
        &url,
    ])
    .await;
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(run.stderr.contains("error -32602"), "{}", run.stderr);
    assert!(
        run.stderr.contains("everyMs must be from 20 to 60000"),
        "{}",
        run.stderr
    );
    // A name without `subscribe` stands for NAME.subscribe, which the error names.
    let run = jrpc(&["subscribe", "watch", "--url", &url]).await;
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(
        run.stderr.contains("watch.subscribe: error -32601"),
        "{}",
        run.stderr
    );
    stop(&server).await;
}

#[tokio::test]
async fn the_board_reaches_a_subscribed_command_line_and_other_clients() {
    let server = demo_server().await;
    let url = server.url();
    let poster = Client::connect(&url).await.unwrap();
    let mut reader = poster
        .subscribe::<Value, _>(
            demo::live::BOARD_SUBSCRIBE,
            &(),
            demo::live::BOARD_UNSUBSCRIBE,
        )
        .await
        .unwrap();
    let printing = tokio::spawn({
        let url = url.clone();
        async move {
            jrpc(&[
                "subscribe",
                "demo.board.subscribe",
                "--count",
                "2",
                "--url",
                &url,
            ])
            .await
        }
    });
    // Post until the command line has seen two posts: it may subscribe
    // after the first ones.
    let mut posted = 0u64;
    while !printing.is_finished() && posted < 500 {
        let seq: u64 = poster
            .request(
                demo::live::BOARD_POST,
                &json!({"text": format!("post {posted}")}),
            )
            .await
            .unwrap();
        posted += 1;
        assert_eq!(seq, posted, "posts are numbered from 1");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let run = within("the command line to finish", printing)
        .await
        .unwrap();
    assert_eq!(run.code, Some(0), "stderr: {}", run.stderr);
    let lines: Vec<Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert!(lines[0]["text"].as_str().unwrap().starts_with("post "));
    // The other client got every post, in order.
    let first = within("the first post", reader.next())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first["text"], "post 0");
    // Posts are checked.
    let long = "x".repeat(281);
    let refused = poster
        .request::<u64, _>(demo::live::BOARD_POST, &json!({ "text": long }))
        .await
        .unwrap_err();
    assert!(
        refused.to_string().contains("1 to 280 characters"),
        "{refused}"
    );
    stop(&server).await;
}
