//! A jrpc server on a route of an axum application, beside its other routes.
//!
//! ```sh
//! cargo run -p jrpc --features axum --example axum   # then: jrpc --url ws://127.0.0.1:3000/rpc call add 2 3
//! ```

use std::net::SocketAddr;

use axum::Router;
use axum::routing::get;
use jrpc::{Connection, ErrorObject, Server};

/// The app's own state, which handlers read through their connection.
struct Greeting(&'static str);

/// The app: its pages, and jrpc at `/rpc`.
fn app() -> std::io::Result<(Router, jrpc::ServerHandle)> {
    let rpc = Server::builder()
        .state(Greeting("hello"))
        .sync_method("add", |_c: Connection, (a, b): (i64, i64)| {
            Ok::<_, ErrorObject>(a + b)
        })
        .sync_method("greet", |conn: Connection, (name,): (String,)| {
            let greeting = conn.state::<Greeting>().map_or("hi", |g| g.0);
            let peer = conn.peer_addr().map(|a| a.to_string()).unwrap_or_default();
            Ok::<_, ErrorObject>(format!("{greeting}, {name} (from {peer})"))
        })
        .build()?;
    let router = Router::new()
        .route(
            "/",
            get(|| async { "an axum app; JSON-RPC over WebSocket at /rpc\n" }),
        )
        .route("/rpc", rpc.axum_route());
    Ok((router, rpc))
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:3000".to_owned());
    let (router, rpc) = app()?;
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!(
        "listening on http://{}/ (WebSocket ws://{0}/rpc)",
        listener.local_addr()?
    );
    // With the peer's address for handlers (`Connection::peer_addr`).
    let service = router.into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, service)
        .with_graceful_shutdown(async move {
            let _ = tokio::signal::ctrl_c().await;
            // Close jrpc's connections with 1001, after their running calls.
            rpc.shutdown();
        })
        .await
}
