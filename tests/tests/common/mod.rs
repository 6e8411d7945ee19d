//! Helpers shared by the end-to-end tests: servers on a free port, a raw
//! WebSocket client that speaks JSON-RPC text by hand, and bounded waits.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use jrpc::{Connection, ErrorObject, ServerBuilder, ServerHandle};
use serde_json::Value;
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::handshake::client::Request;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, connect_async};

/// Upper bound for anything a test waits for; only reached when something hangs.
pub const WAIT: Duration = Duration::from_secs(10);

/// The demo's methods (with its legacy error names, as `jrpc-server` has
/// them) and whatever `more` adds, on a JSON-RPC 2.0 port and a legacy
/// jrpc dialect port, both on 127.0.0.1; the legacy port's address second.
pub async fn start_demo_with_legacy(
    more: impl FnOnce(ServerBuilder) -> ServerBuilder,
) -> (ServerHandle, std::net::SocketAddr) {
    let builder = jrpc_cli::demo::with_legacy_error_names(jrpc::Server::builder());
    let server = more(builder.methods(jrpc_cli::demo::math_methods()))
        .bind("127.0.0.1:0")
        .await
        .unwrap()
        .bind_legacy("127.0.0.1:0")
        .await
        .unwrap();
    let legacy = server.legacy_addr().unwrap();
    (server.spawn(), legacy)
}

/// Awaits `fut`, failing the test if it takes longer than [`WAIT`].
pub async fn within<F: Future>(what: &str, fut: F) -> F::Output {
    match tokio::time::timeout(WAIT, fut).await {
        Ok(output) => output,
        Err(_) => panic!("timed out after {WAIT:?} waiting for {what}"),
    }
}

/// Binds `builder` on 127.0.0.1 with a free port and runs it.
pub async fn start(builder: ServerBuilder) -> ServerHandle {
    builder
        .bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1:0")
        .spawn()
}

/// Shuts the server down and waits until it has stopped.
pub async fn stop(server: &ServerHandle) {
    server.shutdown();
    within("the server to stop", server.stopped()).await;
}

/// A builder with `ping` (-> "pong"), `echo` (-> its params) and `add`.
pub fn basic() -> ServerBuilder {
    jrpc::Server::builder()
        .sync_method("ping", |_c: Connection, (): ()| {
            Ok::<_, ErrorObject>("pong")
        })
        .sync_method("echo", |_c: Connection, params: Value| {
            Ok::<_, ErrorObject>(params)
        })
        .sync_method("add", |_c: Connection, (a, b): (i64, i64)| {
            Ok::<_, ErrorObject>(a + b)
        })
}

/// `slow.add`: adds, after yielding once, so that its answer comes later
/// than a synchronous method's.
pub async fn slow_add(_c: Connection, (a, b): (i64, i64)) -> Result<i64, ErrorObject> {
    tokio::task::yield_now().await;
    Ok(a + b)
}

/// Sends `()` on a channel when dropped: tells a test that a handler's future was dropped.
pub struct DropSignal(pub mpsc::UnboundedSender<()>);

impl Drop for DropSignal {
    fn drop(&mut self) {
        let _ = self.0.send(());
    }
}

/// A handler that never answers. It reports on `started` when it runs and,
/// through a [`DropSignal`] on `dropped`, when its future is dropped.
pub fn hang(
    started: mpsc::UnboundedSender<()>,
    dropped: mpsc::UnboundedSender<()>,
) -> impl Fn(Connection, ()) -> std::pin::Pin<Box<dyn Future<Output = Result<(), ErrorObject>> + Send>>
+ Send
+ Sync
+ 'static {
    move |_c: Connection, (): ()| {
        let started = started.clone();
        let guard = DropSignal(dropped.clone());
        Box::pin(async move {
            let _guard = guard;
            started.send(()).unwrap();
            std::future::pending::<()>().await;
            Ok(())
        })
    }
}

/// Waits until the server has registered `client`'s connection (an answered
/// call proves it), so `connections()` and `broadcast` include it.
pub async fn registered(client: &jrpc::Client) {
    let pong: String = within("ping", client.request("ping", &())).await.unwrap();
    assert_eq!(pong, "pong");
}

/// Sends one HTTP `request` (head and body, as written) to `addr` and reads
/// the answer to its end: the status, the head and the body.
pub async fn http_exchange(addr: std::net::SocketAddr, request: &str) -> (u16, String, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    tcp.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    within("the HTTP answer", tcp.read_to_string(&mut response))
        .await
        .unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    let status = head[9..12].parse().unwrap();
    (status, head.to_owned(), body.to_owned())
}

/// The HTTP status of a refused WebSocket handshake.
pub fn http_status(result: Result<Raw, WsError>) -> u16 {
    match result {
        Err(WsError::Http(response)) => response.status().as_u16(),
        Err(other) => panic!("expected an HTTP refusal, got error {other}"),
        Ok(_) => panic!("expected an HTTP refusal, but the handshake succeeded"),
    }
}

/// A WebSocket request for `url` with extra headers.
pub fn request_with(url: &str, headers: &[(&'static str, &str)]) -> Request {
    let mut request = url.into_client_request().unwrap();
    for (name, value) in headers {
        request
            .headers_mut()
            .insert(*name, value.parse().expect("header value"));
    }
    request
}

static NEXT_ID: AtomicU64 = AtomicU64::new(1_000_000);

/// A raw WebSocket client: the test writes and reads JSON-RPC text itself.
pub struct Raw {
    pub ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl Raw {
    /// Connects to `url` and panics on failure.
    pub async fn connect(url: &str) -> Raw {
        within("a raw WebSocket handshake", Self::try_connect(url))
            .await
            .expect("raw WebSocket handshake")
    }

    /// Connects with a custom request (e.g. extra headers).
    pub async fn try_connect(request: impl IntoClientRequest + Unpin) -> Result<Raw, WsError> {
        let (ws, _response) = connect_async(request).await?;
        Ok(Raw { ws })
    }

    /// Sends one text frame.
    pub async fn send(&mut self, text: impl Into<String>) {
        let text: String = text.into();
        within("sending a frame", self.ws.send(Message::text(text)))
            .await
            .expect("send a text frame");
    }

    /// The next data or close message, skipping pings and pongs.
    pub async fn next_message(&mut self) -> Message {
        for _ in 0..64 {
            match within("a message from the server", self.ws.next()).await {
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                Some(Ok(message)) => return message,
                Some(Err(e)) => panic!("the connection failed: {e}"),
                None => panic!("the connection ended without a close frame"),
            }
        }
        panic!("only pings and pongs arrived");
    }

    /// The next text message.
    pub async fn next_text(&mut self) -> String {
        match self.next_message().await {
            Message::Text(text) => text.as_str().to_owned(),
            other => panic!("expected a text message, got {other:?}"),
        }
    }

    /// The next text message, parsed.
    pub async fn next_json(&mut self) -> Value {
        let text = self.next_text().await;
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("reply {text:?} is not JSON: {e}"))
    }

    /// Sends `text` and returns the next reply, parsed.
    pub async fn call(&mut self, text: impl Into<String>) -> Value {
        self.send(text).await;
        self.next_json().await
    }

    /// Expects the next message to be a close frame and returns it.
    pub async fn expect_close(&mut self) -> Option<CloseFrame> {
        match self.next_message().await {
            Message::Close(frame) => {
                // Reading on lets tungstenite send its close reply, so the server
                // need not wait for it.
                let _ = within("the end of the close handshake", self.ws.next()).await;
                frame
            }
            other => panic!("expected a close frame, got {other:?}"),
        }
    }

    /// Proves the connection still works: a `ping` with a fresh id is answered with "pong".
    pub async fn assert_works(&mut self) {
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        let reply = self
            .call(format!(r#"{{"jsonrpc":"2.0","method":"ping","id":{id}}}"#))
            .await;
        assert_eq!(
            reply,
            serde_json::json!({"jsonrpc": "2.0", "result": "pong", "id": id}),
            "the connection no longer answers normally"
        );
    }
}

/// The error code of a reply, panicking if it is not an error.
pub fn error_code(reply: &Value) -> i64 {
    reply["error"]["code"]
        .as_i64()
        .unwrap_or_else(|| panic!("expected an error reply, got {reply}"))
}

/// `builder` with `count.subscribe` (see
/// [`jrpc_tests::test_server::count_methods`]).
pub fn with_count(builder: ServerBuilder) -> ServerBuilder {
    builder.methods(jrpc_tests::test_server::count_methods())
}
