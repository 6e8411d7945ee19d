//! A jrpc server without a listener of its own (`ServerBuilder::build`):
//! mounted on a route of an axum application, beside the app's routes, and
//! serving a connection over any byte stream (`ServerHandle::serve_stream`).

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::net::SocketAddr;

use axum::Router;
use axum::routing::get;
use common::{Raw, http_status, request_with, within};
use futures_util::{SinkExt, StreamExt};
use jrpc::{Client, Connection, ErrorObject, Server, ServerHandle};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_tungstenite::tungstenite::Message;

struct Greeting(&'static str);

fn rpc() -> ServerHandle {
    Server::builder()
        .state(Greeting("hello"))
        .sync_method("add", |_c: Connection, (a, b): (i64, i64)| {
            Ok::<_, ErrorObject>(a + b)
        })
        .sync_method("greet", |conn: Connection, (): ()| {
            let greeting = conn.state::<Greeting>().map_or("?", |g| g.0);
            let peer = conn
                .peer_addr()
                .map(|a| a.ip().to_string())
                .unwrap_or_default();
            Ok::<_, ErrorObject>(format!("{greeting} {peer}"))
        })
        // Two-way: the server calls the client back on the same connection.
        .method("ask", |conn: Connection, (): ()| async move {
            conn.request::<String, _>("client.name", &())
                .await
                .map_err(ErrorObject::internal_error)
        })
        .build()
        .unwrap()
}

/// The app on 127.0.0.1:0: `/` is its own, `/rpc` is jrpc's.
async fn serve_app(rpc: &ServerHandle) -> SocketAddr {
    let app = Router::new()
        .route("/", get(|| async { "the app's own page" }))
        .route("/rpc", rpc.axum_route());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let service = app.into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, service).await });
    addr
}

/// `GET path` over a fresh TCP connection: the status line and the body.
async fn get_text(addr: SocketAddr, path: &str) -> String {
    let mut tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    tcp.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    within("the HTTP answer", tcp.read_to_string(&mut response))
        .await
        .unwrap();
    response
}

#[tokio::test]
async fn an_axum_route_serves_jrpc_beside_the_apps_own_routes() {
    let rpc = rpc();
    let addr = serve_app(&rpc).await;
    let url = format!("ws://{addr}/rpc");

    let client = Client::builder()
        .sync_method("client.name", |_c: Connection, (): ()| {
            Ok::<_, ErrorObject>("ada")
        })
        .connect(&url)
        .await
        .unwrap();
    assert_eq!(client.request::<i64, _>("add", &(2, 3)).await.unwrap(), 5);
    assert_eq!(
        client.request::<String, _>("greet", &()).await.unwrap(),
        "hello 127.0.0.1"
    );
    assert_eq!(
        client.request::<String, _>("ask", &()).await.unwrap(),
        "ada"
    );
    assert_eq!(rpc.connections().len(), 1);

    // The app's other routes are the app's.
    let page = get_text(addr, "/").await;
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
    assert!(page.ends_with("the app's own page"), "{page}");
    // A plain GET of the endpoint is no upgrade.
    let plain = get_text(addr, "/rpc").await;
    assert!(plain.starts_with("HTTP/1.1 4"), "{plain}");
    // The server's Origin rules hold on the route.
    let foreign = Raw::try_connect(request_with(&url, &[("origin", "http://evil.test")])).await;
    assert_eq!(http_status(foreign), 403);

    // Shutdown closes jrpc's connections (1001, after running calls).
    rpc.shutdown();
    within("the client to see the close", client.closed()).await;
    within("the handle to stop", rpc.stopped()).await;
}

#[tokio::test]
async fn serve_stream_serves_any_byte_stream() {
    let rpc = rpc();
    let (client_end, server_end) = tokio::io::duplex(64 * 1024);
    let server = rpc.clone();
    let serving = tokio::spawn(async move {
        server
            .serve_stream(server_end, ([10, 0, 0, 7], 9).into())
            .await
    });
    let (mut ws, _) = tokio_tungstenite::client_async("ws://in-memory/rpc", client_end)
        .await
        .unwrap();
    ws.send(Message::text(
        r#"{"jsonrpc":"2.0","method":"greet","id":1}"#,
    ))
    .await
    .unwrap();
    let answer = within("the answer", ws.next()).await.unwrap().unwrap();
    assert_eq!(
        answer.into_text().unwrap().as_str(),
        r#"{"jsonrpc":"2.0","result":"hello 10.0.0.7","id":1}"#
    );
    ws.close(None).await.unwrap();
    within("the connection to end", serving).await.unwrap();
}

#[tokio::test]
async fn the_axum_route_holds_the_connection_limit_for_upgrades_that_arrive_together() {
    let rpc = Server::builder()
        .with_limits(|l| l.max_connections = 2)
        .build()
        .unwrap();
    let addr = serve_app(&rpc).await;
    let url = format!("ws://{addr}/rpc");
    // Four at once: a count of the connections registered so far would let
    // them all in, as none has registered yet.
    let attempts = (0..4).map(|_| Raw::try_connect(url.clone()));
    let results = futures_util::future::join_all(attempts).await;
    let (opened, refused): (Vec<_>, Vec<_>) = results.into_iter().partition(|r| r.is_ok());
    assert_eq!(opened.len(), 2);
    for refusal in refused {
        assert_eq!(http_status(refusal), 503);
    }
    // A connection that ends gives its place back.
    drop(opened);
    within("a place to come free", async {
        loop {
            if let Ok(raw) = Raw::try_connect(url.clone()).await {
                break raw;
            }
            tokio::task::yield_now().await;
        }
    })
    .await;
}
