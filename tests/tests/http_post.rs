//! JSON-RPC over plain HTTP on the WebSocket's port and path: `POST /rpc`
//! with one call or a batch is answered with the response body, by the same
//! method table and limits; notifications alone get 204. What cannot work
//! without a connection (calls back to the client, subscriptions) fails
//! cleanly with its documented error.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::net::SocketAddr;

use common::{basic, http_exchange, start, stop, within};
use jrpc::{CallError, Connection, ErrorObject, PendingSubscription, code};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Sends `POST path` with `body` and `headers`; the status and the body.
async fn post(addr: SocketAddr, body: &str, headers: &[&str]) -> (u16, String, String) {
    let mut request =
        format!("POST /rpc HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n");
    for header in headers {
        request.push_str(header);
        request.push_str("\r\n");
    }
    if !headers
        .iter()
        .any(|h| h.to_lowercase().starts_with("content-length"))
    {
        request.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    request.push_str("\r\n");
    request.push_str(body);
    http_exchange(addr, &request).await
}

fn json_of(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

fn server() -> jrpc::ServerBuilder {
    // `basic()` has `add` already.
    basic()
        .method("slow.add", common::slow_add)
        .method("call.back", |conn: Connection, (): ()| async move {
            match conn.request::<String, _>("client.name", &()).await {
                Err(CallError::ConnectionClosed) => Ok::<_, ErrorObject>("no way back".to_owned()),
                other => Err(ErrorObject::internal_error(format!("{other:?}"))),
            }
        })
        .subscription(
            "ticks.subscribe",
            "ticks",
            "ticks.unsubscribe",
            |_c: Connection, (): (), pending: PendingSubscription| async move {
                drop(pending.accept());
            },
        )
}

#[tokio::test]
async fn calls_batches_and_notifications_over_http_post() {
    let server = start(server()).await;
    let addr = server.local_addr();

    let (status, head, body) = post(
        addr,
        r#"{"jsonrpc":"2.0","method":"add","params":[2,3],"id":"a"}"#,
        &[],
    )
    .await;
    assert_eq!(status, 200, "{head}");
    assert!(
        head.to_lowercase()
            .contains("content-type: application/json"),
        "{head}"
    );
    assert_eq!(
        json_of(&body),
        json!({"jsonrpc": "2.0", "result": 5, "id": "a"})
    );

    // A batch, with an async method, a notification and an unknown method.
    let batch = r#"[{"jsonrpc":"2.0","method":"slow.add","params":[1,1],"id":1},
                    {"jsonrpc":"2.0","method":"add","params":[1,2]},
                    {"jsonrpc":"2.0","method":"nope","id":2}]"#;
    let (status, _, body) = post(addr, batch, &[]).await;
    assert_eq!(status, 200);
    let answers = json_of(&body);
    let answers = answers.as_array().unwrap();
    assert_eq!(answers.len(), 2, "{answers:?}");
    // In the order they were answered, as the specification allows.
    let by_id = |id: i64| answers.iter().find(|a| a["id"] == id).unwrap();
    assert_eq!(by_id(1), &json!({"jsonrpc": "2.0", "result": 2, "id": 1}));
    assert_eq!(by_id(2)["error"]["code"], code::METHOD_NOT_FOUND);

    // Notifications only: nothing to say.
    let (status, head, body) = post(
        addr,
        r#"{"jsonrpc":"2.0","method":"add","params":[1,2]}"#,
        &[],
    )
    .await;
    assert_eq!(status, 204, "{head}");
    assert!(!head.to_lowercase().contains("content-length"), "{head}");
    assert_eq!(body, "");

    // Not JSON: the engine's own answer.
    let (status, _, body) = post(addr, "{oops", &[]).await;
    assert_eq!(status, 200);
    assert_eq!(json_of(&body)["error"]["code"], code::PARSE_ERROR);
    stop(&server).await;
}

#[tokio::test]
async fn what_needs_a_connection_fails_cleanly() {
    let server = start(server()).await;
    let addr = server.local_addr();
    let (_, _, body) = post(
        addr,
        r#"{"jsonrpc":"2.0","method":"call.back","id":1}"#,
        &[],
    )
    .await;
    assert_eq!(json_of(&body)["result"], "no way back");
    let (_, _, body) = post(
        addr,
        r#"{"jsonrpc":"2.0","method":"ticks.subscribe","id":1}"#,
        &[],
    )
    .await;
    let error = &json_of(&body)["error"];
    assert_eq!(error["code"], code::INVALID_REQUEST, "{error}");
    assert!(
        error["message"].as_str().unwrap().contains("WebSocket"),
        "{error}"
    );
    stop(&server).await;
}

#[tokio::test]
async fn the_limits_and_the_origin_rules_hold_over_http() {
    let server = start(server().with_limits(|l| l.max_message_size = 64)).await;
    let addr = server.local_addr();
    let big = format!(
        r#"{{"jsonrpc":"2.0","method":"add","params":[1,2],"id":"{}"}}"#,
        "x".repeat(100)
    );
    let (status, _, body) = post(addr, &big, &[]).await;
    assert_eq!(status, 413);
    assert_eq!(json_of(&body)["error"]["code"], code::MESSAGE_TOO_LARGE);

    let (status, _, body) = post(
        addr,
        "{}",
        &["Transfer-Encoding: chunked", "Content-Length: 2"],
    )
    .await;
    assert_eq!(status, 411, "{body}");

    // A page of another site may not post to it.
    let call = r#"{"jsonrpc":"2.0","method":"add","params":[1,2],"id":1}"#;
    let (status, _, body) = post(addr, call, &["Origin: http://evil.test"]).await;
    assert_eq!(status, 403, "{body}");
    stop(&server).await;
}

#[tokio::test]
async fn expect_continue_rate_limits_answer_size_and_the_end_of_the_connection() {
    use std::sync::{Arc, Mutex};
    let kept: Arc<Mutex<Option<Connection>>> = Arc::default();
    let keep = Arc::clone(&kept);
    let server = start(
        server()
            .with_limits(|l| l.rate_limit = Some(jrpc::RateLimit::new(1, 3)))
            .sync_method("big", |_c: Connection, (): ()| {
                Ok::<_, ErrorObject>("x".repeat(5 << 20))
            })
            .sync_method("keep", move |conn: Connection, (): ()| {
                *keep.lock().unwrap() = Some(conn);
                Ok::<_, ErrorObject>(true)
            }),
    )
    .await;
    let addr = server.local_addr();

    // curl sends the head alone before a body over 1 KiB, and waits for the 100.
    let call = r#"{"jsonrpc":"2.0","method":"add","params":[1,2],"id":1}"#;
    let mut tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST /rpc HTTP/1.1\r\nHost: {addr}\r\nExpect: 100-continue\r\nContent-Length: {}\r\n\r\n",
        call.len()
    );
    tcp.write_all(head.as_bytes()).await.unwrap();
    let mut first = [0u8; 25];
    within("the 100", tcp.read_exact(&mut first)).await.unwrap();
    assert_eq!(&first, b"HTTP/1.1 100 Continue\r\n\r\n");
    tcp.write_all(call.as_bytes()).await.unwrap();
    let mut rest = String::new();
    within("the answer", tcp.read_to_string(&mut rest))
        .await
        .unwrap();
    assert!(rest.starts_with("HTTP/1.1 200"), "{rest}");
    assert!(rest.ends_with(r#""result":3,"id":1}"#), "{rest}");

    // One POST is one connection's worth of calls.
    let batch: Vec<String> = (1..=5)
        .map(|id| format!(r#"{{"jsonrpc":"2.0","method":"add","params":[1,1],"id":{id}}}"#))
        .collect();
    let (_, _, body) = post(addr, &format!("[{}]", batch.join(",")), &[]).await;
    let limited = json_of(&body)
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["error"]["code"] == code::RATE_LIMITED)
        .count();
    assert_eq!(limited, 2, "{body}");

    // An answer over the size limit is not sent whole.
    let (status, _, body) = post(addr, r#"{"jsonrpc":"2.0","method":"big","id":1}"#, &[]).await;
    assert_eq!(status, 500);
    assert_eq!(json_of(&body)["error"]["code"], code::INTERNAL_ERROR);

    // The handler's connection ends with the POST.
    post(addr, r#"{"jsonrpc":"2.0","method":"keep","id":1}"#, &[]).await;
    let conn = kept.lock().unwrap().take().unwrap();
    within("the POST's connection to end", conn.closed()).await;
    stop(&server).await;
}

#[tokio::test]
async fn a_page_of_an_allowed_origin_may_post_after_its_preflight() {
    let server = start(server().allow_origin("http://app.test")).await;
    let addr = server.local_addr();
    let preflight = format!(
        "OPTIONS /rpc HTTP/1.1\r\nHost: {addr}\r\nOrigin: http://app.test\r\n\
         Access-Control-Request-Method: POST\r\nAccess-Control-Request-Headers: content-type\r\n\r\n"
    );
    let (status, head, _) = http_exchange(addr, &preflight).await;
    assert_eq!(status, 204, "{head}");
    let head = head.to_lowercase();
    for line in [
        "access-control-allow-origin: http://app.test",
        "access-control-allow-methods: post",
        "access-control-allow-headers: content-type",
        "vary: origin",
    ] {
        assert!(head.contains(line), "no {line:?} in {head}");
    }
    let call = r#"{"jsonrpc":"2.0","method":"add","params":[1,2],"id":1}"#;
    let (status, head, body) = post(addr, call, &["Origin: http://app.test"]).await;
    assert_eq!(status, 200);
    assert!(
        head.to_lowercase()
            .contains("access-control-allow-origin: http://app.test"),
        "{head}"
    );
    assert_eq!(json_of(&body)["result"], 3);
    // Another site's preflight is refused like its POST.
    let foreign = preflight.replace("http://app.test", "http://evil.test");
    assert_eq!(http_exchange(addr, &foreign).await.0, 403);
    // A client without an Origin (curl) gets no CORS headers.
    let (_, head, _) = post(addr, call, &[]).await;
    assert!(!head.to_lowercase().contains("access-control"), "{head}");
    stop(&server).await;
}

/// A refusal before the body (here the handshake hook's 401) tells a page of
/// an allowed origin its status: without `Access-Control-Allow-Origin` its
/// `fetch` would only see a network error. Another site still learns nothing.
#[tokio::test]
async fn a_page_of_an_allowed_origin_can_read_its_refusal() {
    let server = start(server().allow_origin("http://app.test").on_handshake(
        |_conn: Connection| async { Err(jrpc::auth::Refusal::unauthorized("sign in first")) },
    ))
    .await;
    let addr = server.local_addr();
    let call = r#"{"jsonrpc":"2.0","method":"add","params":[1,2],"id":1}"#;
    let (status, head, _) = post(addr, call, &["Origin: http://app.test"]).await;
    assert_eq!(status, 401, "{head}");
    let head = head.to_lowercase();
    assert!(
        head.contains("access-control-allow-origin: http://app.test")
            && head.contains("vary: origin"),
        "{head}"
    );
    let (status, head, _) = post(addr, call, &["Origin: http://evil.test"]).await;
    assert_eq!(status, 403, "{head}");
    assert!(!head.to_lowercase().contains("access-control"), "{head}");
    stop(&server).await;
}

#[tokio::test]
async fn a_client_that_goes_away_cancels_its_calls() {
    let (started_tx, mut started) = tokio::sync::mpsc::unbounded_channel();
    let (dropped_tx, mut dropped) = tokio::sync::mpsc::unbounded_channel();
    let server = start(server().method("hang", common::hang(started_tx, dropped_tx))).await;
    let addr = server.local_addr();
    let call = r#"{"jsonrpc":"2.0","method":"hang","id":1}"#;
    let mut tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!(
        "POST /rpc HTTP/1.1\r\nHost: {addr}\r\nContent-Length: {}\r\n\r\n{call}",
        call.len()
    );
    tcp.write_all(request.as_bytes()).await.unwrap();
    within("the handler to start", started.recv())
        .await
        .unwrap();
    drop(tcp);
    within("the handler to be dropped", dropped.recv())
        .await
        .unwrap();
    stop(&server).await;
}
