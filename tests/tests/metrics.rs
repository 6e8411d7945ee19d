//! The server's metrics and health check, read over HTTP as a Prometheus
//! server and a load balancer read them: calls by method and outcome,
//! refusals by reason, what is open now, and 503 while draining.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::net::SocketAddr;

use common::{Raw, basic, hang, http_exchange, http_status, request_with, start, stop, within};
use jrpc::metrics::prometheus_client::registry::Registry;
use jrpc::{Client, Connection, ErrorObject, Refusal, ServerBuilder, SubscriptionOptions, Topic};
use tokio::sync::mpsc;

/// `GET path` with extra header lines: the status, the head and the body.
async fn get(addr: SocketAddr, path: &str, headers: &[&str]) -> (u16, String, String) {
    let mut request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n");
    for header in headers {
        request.push_str(header);
        request.push_str("\r\n");
    }
    request.push_str("\r\n");
    http_exchange(addr, &request).await
}

/// The metrics page.
async fn scrape(addr: SocketAddr) -> String {
    let (status, head, body) = get(addr, "/metrics", &[]).await;
    assert_eq!(status, 200, "{head}");
    assert!(
        head.contains("Content-Type: application/openmetrics-text"),
        "{head}"
    );
    assert!(body.ends_with("# EOF\n"), "{body}");
    body
}

/// The value of `series` (name and labels, as the page writes them), if the page has it.
fn value(page: &str, series: &str) -> Option<f64> {
    page.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .map(|v| v.parse().unwrap())
}

fn calls(page: &str, method: &str, outcome: &str) -> Option<f64> {
    value(
        page,
        &format!("jrpc_calls_total{{method=\"{method}\",outcome=\"{outcome}\"}}"),
    )
}

fn measured(builder: ServerBuilder) -> ServerBuilder {
    builder.metrics(Registry::default()).health_check()
}

#[tokio::test]
async fn calls_are_counted_by_method_and_outcome() {
    let (started_tx, mut started) = mpsc::unbounded_channel();
    let (dropped_tx, mut dropped) = mpsc::unbounded_channel();
    let topic = Topic::new("ticks");
    let server = start(measured(
        basic()
            .sync_method("fail", |_c: Connection, (): ()| {
                Err::<(), _>(ErrorObject::new(7, "no"))
            })
            .sync_method(
                "boom",
                |_c: Connection, (): ()| -> Result<(), ErrorObject> { panic!("a handler bug") },
            )
            .sync_method("secret", |_c: Connection, (): ()| Ok::<_, ErrorObject>(42))
            .authenticated("secret")
            .method("hang", hang(started_tx, dropped_tx))
            .topic(
                "ticks.subscribe",
                "ticks",
                "ticks.unsubscribe",
                &topic,
                SubscriptionOptions::default(),
            ),
    ))
    .await;
    let addr = server.local_addr();
    let before = scrape(addr).await;
    // Every method shows its `ok` series from the start; no histogram
    // until a method is called.
    assert_eq!(calls(&before, "ping", "ok"), Some(0.0));
    assert_eq!(calls(&before, "fail", "error"), None);
    assert!(!before.contains("jrpc_call_duration_seconds_count{method=\"ping\"}"));
    assert_eq!(value(&before, "jrpc_connections_open"), Some(0.0));

    let client = Client::connect(&server.url()).await.unwrap();
    for _ in 0..2 {
        assert_eq!(client.request::<i64, _>("add", &(1, 2)).await.unwrap(), 3);
    }
    assert!(client.request::<i64, _>("add", &["x"]).await.is_err());
    assert!(client.request::<(), _>("fail", &()).await.is_err());
    assert!(client.request::<(), _>("boom", &()).await.is_err());
    assert!(client.request::<i64, _>("secret", &()).await.is_err());
    assert!(client.request::<(), _>("nope", &()).await.is_err());
    // A call the client gives up on is cancelled at the server.
    let conn = client.connection().clone();
    let call = tokio::spawn(async move { conn.request::<(), _>("hang", &()).await });
    within("hang to start", started.recv()).await.unwrap();
    call.abort();
    within("hang to be dropped", dropped.recv()).await.unwrap();
    let ticks = client
        .connection()
        .subscribe::<u32, _>("ticks.subscribe", &(), "ticks.unsubscribe")
        .await
        .unwrap();

    let page = scrape(addr).await;
    assert_eq!(calls(&page, "add", "ok"), Some(2.0), "{page}");
    assert_eq!(calls(&page, "add", "invalid_params"), Some(1.0));
    assert_eq!(calls(&page, "fail", "error"), Some(1.0));
    assert_eq!(calls(&page, "boom", "internal_error"), Some(1.0));
    assert_eq!(calls(&page, "secret", "unauthenticated"), Some(1.0));
    assert_eq!(calls(&page, "hang", "cancelled"), Some(1.0));
    assert_eq!(calls(&page, "ticks.subscribe", "ok"), Some(1.0));
    // A made-up method name never becomes a label.
    assert!(!page.contains("nope"), "{page}");
    let rejected = "jrpc_messages_rejected_total{reason=\"method_not_found\"}";
    assert_eq!(value(&page, rejected), Some(1.0));
    // Answered calls are timed; a cancelled one is not.
    let count = |m: &str| {
        value(
            &page,
            &format!("jrpc_call_duration_seconds_count{{method=\"{m}\"}}"),
        )
    };
    assert_eq!(count("add"), Some(3.0));
    assert_eq!(count("hang"), None);
    let accepted = "jrpc_connections_accepted_total{transport=\"websocket\"}";
    assert_eq!(value(&page, accepted), Some(1.0));
    assert_eq!(value(&page, "jrpc_connections_open"), Some(1.0));
    assert_eq!(value(&page, "jrpc_subscriptions_open"), Some(1.0));
    assert!(value(&page, "jrpc_received_bytes_total").unwrap() > 100.0);
    assert!(value(&page, "jrpc_sent_bytes_total").unwrap() > 100.0);

    drop(ticks);
    client.connection().close();
    stop(&server).await;
}

#[tokio::test]
async fn refusals_are_counted_by_reason_and_the_pages_keep_the_origin_rules() {
    let server = start(measured(basic().on_handshake(
        |conn: Connection| async move {
            match conn.query() {
                Some(query) if query.starts_with("token=") => Ok(()),
                _ => Err(Refusal::unauthorized("a token is needed")),
            }
        },
    )))
    .await;
    let addr = server.local_addr();
    let url = format!("{}?token=1", server.url());
    let foreign = [("Origin", "http://evil.example")];
    assert_eq!(
        http_status(Raw::try_connect(request_with(&url, &foreign)).await),
        403
    );
    assert_eq!(http_status(Raw::try_connect(server.url()).await), 401);
    let (status, _, _) = get(addr, "/rpc", &[]).await;
    assert!(
        (400..500).contains(&status),
        "a GET that is no upgrade: {status}"
    );
    Raw::connect(&url).await.assert_works().await;

    // A page of another origin cannot read either probe.
    for path in ["/metrics", "/healthz"] {
        let (status, _, body) = get(addr, path, &["Origin: http://evil.example"]).await;
        assert_eq!(status, 403, "{path}: {body}");
        assert!(
            body.contains("--allow-origin http://evil.example"),
            "{body}"
        );
    }
    let (status, _, body) = get(addr, "/healthz", &[]).await;
    assert_eq!((status, body.as_str()), (200, "ok\n"));

    let page = scrape(addr).await;
    let refused = |reason: &str| {
        value(
            &page,
            &format!("jrpc_connections_refused_total{{reason=\"{reason}\"}}"),
        )
    };
    assert_eq!(refused("origin"), Some(3.0), "{page}");
    assert_eq!(refused("auth"), Some(1.0));
    assert_eq!(refused("bad_request"), Some(1.0));
    let accepted = "jrpc_connections_accepted_total{transport=\"websocket\"}";
    assert_eq!(value(&page, accepted), Some(1.0));
    stop(&server).await;
}

#[tokio::test]
async fn without_metrics_or_health_check_the_paths_are_not_found() {
    let server = start(basic()).await;
    for path in ["/metrics", "/healthz"] {
        let (status, _, _) = get(server.local_addr(), path, &[]).await;
        assert_eq!(status, 404, "{path}");
    }
    assert_eq!(server.metrics_text(), None);
    stop(&server).await;
}

#[tokio::test]
async fn the_health_check_says_draining_while_connections_finish() {
    let (started_tx, mut started) = mpsc::unbounded_channel();
    let (release, gate) = tokio::sync::oneshot::channel::<u32>();
    let gate = std::sync::Mutex::new(Some(gate));
    let server = start(measured(
        basic()
            .with_limits(|l| l.shutdown_notice = std::time::Duration::from_millis(100))
            .method("slow", move |_c: Connection, (): ()| {
                let gate = gate.lock().unwrap().take();
                let started = started_tx.clone();
                async move {
                    started.send(()).unwrap();
                    Ok::<_, ErrorObject>(gate.unwrap().await.unwrap_or(0))
                }
            }),
    ))
    .await;
    let addr = server.local_addr();
    let mut raw = Raw::connect(&server.url()).await;
    raw.send(r#"{"jsonrpc":"2.0","method":"slow","id":1}"#)
        .await;
    within("the call to start", started.recv()).await.unwrap();
    assert_eq!(get(addr, "/healthz", &[]).await.0, 200);
    assert!(!server.is_draining());

    server.shutdown();
    let notice = raw.next_json().await;
    assert_eq!(notice["method"], "rpc.reconnect");
    assert!(server.is_draining());
    let (status, head, body) = get(addr, "/healthz", &[]).await;
    assert_eq!((status, body.as_str()), (503, "draining\n"), "{head}");
    // Newcomers are sent away, and the page says so.
    assert_eq!(http_status(Raw::try_connect(server.url()).await), 503);
    let page = scrape(addr).await;
    let refused = "jrpc_connections_refused_total{reason=\"shutting_down\"}";
    assert_eq!(value(&page, refused), Some(1.0), "{page}");
    assert_eq!(value(&page, "jrpc_connections_open"), Some(1.0));

    // The running call finishes; then the connection closes and the server stops.
    release.send(5).unwrap();
    assert_eq!(raw.next_json().await["result"], 5);
    raw.expect_close().await;
    within("the server to stop", server.stopped()).await;
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}
