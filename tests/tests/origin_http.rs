//! The HTTP side of the port: Origin checks on the handshake and static files.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::path::PathBuf;

use common::{Raw, basic, http_status, request_with, start, stop, within};
use jrpc::{Client, Connection, ErrorObject, OriginPolicy};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const EVIL: &str = "http://evil.example";

#[tokio::test]
async fn default_policy_refuses_foreign_origins_with_403() {
    let server = start(basic()).await;
    let url = server.url();
    let refused = Raw::try_connect(request_with(&url, &[("Origin", EVIL)])).await;
    assert_eq!(http_status(refused), 403);
    // A different port on the same host is a different origin.
    let other_port = format!("http://127.0.0.1:{}", server.local_addr().port() ^ 1);
    let refused = Raw::try_connect(request_with(&url, &[("Origin", &other_port)])).await;
    assert_eq!(http_status(refused), 403);
    let refused = Raw::try_connect(request_with(&url, &[("Origin", "null")])).await;
    assert_eq!(http_status(refused), 403);
    // DNS rebinding: an attacker's name pointing here sends a matching Origin
    // and Host; only IP addresses and localhost count as the server's own.
    let port = server.local_addr().port();
    let rebound = format!("rebind.attacker.example:{port}");
    let origin = format!("http://{rebound}");
    let refused = Raw::try_connect(request_with(
        &url,
        &[("Origin", &origin), ("Host", &rebound)],
    ))
    .await;
    assert_eq!(http_status(refused), 403);
    let localhost = format!("localhost:{port}");
    let origin = format!("http://{localhost}");
    Raw::try_connect(request_with(
        &url,
        &[("Origin", &origin), ("Host", &localhost)],
    ))
    .await
    .expect("localhost is the server's own name")
    .assert_works()
    .await;

    // No Origin (a non-browser client) is fine.
    Raw::connect(&url).await.assert_works().await;
    // The server's own origin is fine.
    let own = format!("http://{}", server.local_addr());
    let mut raw = Raw::try_connect(request_with(&url, &[("Origin", &own)]))
        .await
        .expect("same origin is accepted");
    raw.assert_works().await;
    drop(raw);
    stop(&server).await;
}

#[tokio::test]
async fn allowed_origins_are_accepted() {
    let listed = start(basic().allow_origin(EVIL)).await;
    let mut raw = Raw::try_connect(request_with(&listed.url(), &[("Origin", EVIL)]))
        .await
        .expect("a listed origin is accepted");
    raw.assert_works().await;
    // Only that origin: another one is still refused.
    let other = request_with(&listed.url(), &[("Origin", "http://other.example")]);
    assert_eq!(http_status(Raw::try_connect(other).await), 403);
    drop(raw);
    stop(&listed).await;

    for server in [
        start(basic().allow_origin("*")).await,
        start(basic().origin_policy(OriginPolicy::same_origin().allow_any())).await,
    ] {
        for origin in [EVIL, "null", "https://anything.example:8443"] {
            let mut raw = Raw::try_connect(request_with(&server.url(), &[("Origin", origin)]))
                .await
                .unwrap_or_else(|e| panic!("{origin} should be accepted: {e}"));
            raw.assert_works().await;
        }
        stop(&server).await;
    }
}

/// A temporary directory `<tmp>/root` with an index page, and a secret next to the root.
struct Www(PathBuf);

impl Www {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("jrpc-e2e-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("root")).unwrap();
        std::fs::write(dir.join("root/index.html"), "<h1>jrpc demo</h1>").unwrap();
        std::fs::write(dir.join("root/app.js"), "console.log('hi')").unwrap();
        std::fs::write(dir.join("Cargo.toml"), "SECRET outside the root").unwrap();
        Www(dir)
    }

    fn root(&self) -> PathBuf {
        self.0.join("root")
    }
}

impl Drop for Www {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// One plain HTTP GET: (status, head, body).
async fn get(addr: std::net::SocketAddr, target: &str) -> (u16, String, String) {
    let mut tcp = TcpStream::connect(addr).await.unwrap();
    let request = format!("GET {target} HTTP/1.1\r\nHost: {addr}\r\n\r\n");
    tcp.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    // Every response ends with the server closing the connection.
    within("an HTTP response", tcp.read_to_end(&mut response))
        .await
        .unwrap();
    let text = String::from_utf8(response).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").expect("an HTTP response head");
    let status = head[9..12].parse().unwrap();
    (status, head.to_owned(), body.to_owned())
}

#[tokio::test]
async fn static_files_and_websocket_share_the_port() {
    let www = Www::new("static");
    let server = start(basic().www(www.root())).await;
    let addr = server.local_addr();
    for target in ["/index.html", "/"] {
        let (status, head, body) = get(addr, target).await;
        assert_eq!(status, 200, "{target}: {head}");
        assert!(
            head.to_ascii_lowercase()
                .contains("\r\ncontent-type: text/html; charset=utf-8"),
            "{head}"
        );
        assert_eq!(body, "<h1>jrpc demo</h1>");
    }
    let (status, head, body) = get(addr, "/app.js").await;
    assert_eq!(status, 200);
    assert!(head.contains("text/javascript"), "{head}");
    assert_eq!(body, "console.log('hi')");
    let (status, _, _) = get(addr, "/missing.html").await;
    assert_eq!(status, 404);

    for traversal in [
        "/../Cargo.toml",
        "/%2e%2e/Cargo.toml",
        "/%2E%2E%2FCargo.toml",
        "/..%5cCargo.toml",
        "/./../Cargo.toml",
    ] {
        let (status, head, body) = get(addr, traversal).await;
        assert!(
            (400..500).contains(&status),
            "{traversal} must be refused: {head}"
        );
        assert!(!body.contains("SECRET"), "{traversal} leaked the file");
    }

    // The WebSocket endpoint still works on the same port, and so does a page's
    // own origin.
    let client = Client::connect(&server.url()).await.unwrap();
    assert_eq!(
        client.request::<i64, _>("add", &(20, 22)).await.unwrap(),
        42
    );
    let own = format!("http://{addr}");
    let mut raw = Raw::try_connect(request_with(&server.url(), &[("Origin", &own)]))
        .await
        .unwrap();
    raw.assert_works().await;
    drop(raw);
    stop(&server).await;
}

#[tokio::test]
async fn without_www_other_paths_are_404_and_plain_get_on_the_endpoint_is_refused() {
    let server = start(
        basic()
            .path("ws")
            .sync_method("where", |conn: Connection, (): ()| {
                Ok::<_, ErrorObject>(conn.path().to_owned())
            }),
    )
    .await;
    assert!(server.url().ends_with("/ws"), "{}", server.url());
    let (status, _, body) = get(server.local_addr(), "/index.html").await;
    assert_eq!(status, 404);
    assert!(body.contains("/ws"), "the 404 names the endpoint: {body}");
    // The endpoint without an upgrade is an HTTP error, not a hang.
    let (status, _, _) = get(server.local_addr(), "/ws").await;
    assert!((400..500).contains(&status), "{status}");
    // The old default path is not an endpoint any more.
    let wrong = format!("ws://{}/rpc", server.local_addr());
    assert_eq!(http_status(Raw::try_connect(wrong).await), 404);
    let client = Client::connect(&server.url()).await.unwrap();
    assert_eq!(
        client.request::<String, _>("where", &()).await.unwrap(),
        "/ws"
    );
    stop(&server).await;
}
