//! The reference server of the benchmark suite: jsonrpsee, the strongest Rust
//! JSON-RPC server, serving the same `math.sum` as `jrpc-server`, and the
//! same shared board for the fan-out (`demo.board.subscribe`, `demo.board.post`),
//! with its limits raised where its defaults would refuse the suite's load
//! (100 connections, 1,024 subscriptions). Everything else is jsonrpsee's
//! default.
//!
//! `jsonrpsee-reference [ADDR]` (default `127.0.0.1:0`) prints
//! `jsonrpsee-reference listening on ws://ADDR/` once it listens and runs
//! until it is killed.

use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use jsonrpsee::server::{RpcModule, Server, ServerConfig, SubscriptionSink, TrySendError};
use jsonrpsee::types::{ErrorObjectOwned, Params};
use serde_json::Number;
use serde_json::value::to_raw_value;

/// The board's subscribers. A post goes to each with `try_send`, jsonrpsee's
/// way to publish without waiting for the slowest: a subscriber whose
/// buffer is full misses it (jrpc's board drops its oldest item instead).
#[derive(Default)]
struct Board {
    sinks: Mutex<Vec<SubscriptionSink>>,
    posts: Mutex<u64>,
}

/// `demo.board.post {"text": ..}`: as jrpc-server's, the item `{text, at}`
/// encoded once and sent to every subscriber; the post's number.
fn post(params: Params<'_>, board: &Board) -> Result<u64, ErrorObjectOwned> {
    #[derive(serde::Deserialize)]
    struct Post {
        text: String,
    }
    let Post { text } = params.parse()?;
    let at = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64);
    let item = to_raw_value(&serde_json::json!({ "text": text, "at": at }))
        .map_err(|e| ErrorObjectOwned::owned(-32603, e.to_string(), None::<()>))?;
    let mut sinks = board.sinks.lock().unwrap_or_else(|p| p.into_inner());
    sinks.retain_mut(|sink| !matches!(sink.try_send(item.clone()), Err(TrySendError::Closed(_))));
    let mut posts = board.posts.lock().unwrap_or_else(|p| p.into_inner());
    *posts += 1;
    Ok(*posts)
}

/// `x + y` on `[x, y]` or `{"x": .., "y": ..}`, integers kept integers, like
/// jrpc's demo `math.sum`.
fn sum(params: Params<'_>) -> Result<Number, ErrorObjectOwned> {
    let (x, y): (Number, Number) = if params.is_object() {
        #[derive(serde::Deserialize)]
        struct Named {
            x: Number,
            y: Number,
        }
        let Named { x, y } = params.parse()?;
        (x, y)
    } else {
        params.parse()?
    };
    if let (Some(a), Some(b)) = (x.as_i64(), y.as_i64())
        && let Some(total) = a.checked_add(b)
    {
        return Ok(total.into());
    }
    let total = x.as_f64().unwrap_or(f64::NAN) + y.as_f64().unwrap_or(f64::NAN);
    Number::from_f64(total).ok_or_else(|| {
        ErrorObjectOwned::owned(-32602, "the sum is not a finite number", None::<()>)
    })
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:0".to_owned());
    // jrpc-server's own connection limit; jsonrpsee's default is 100.
    let config = ServerConfig::builder()
        .max_connections(10_000)
        .max_subscriptions_per_connection(1024)
        .build();
    let server = Server::builder().set_config(config).build(addr).await?;
    let mut module = RpcModule::new(Board::default());
    module.register_method("math.sum", |params, _, _| sum(params))?;
    module.register_method("demo.board.post", |params, board, _| post(params, board))?;
    module.register_subscription(
        "demo.board.subscribe",
        "demo.board",
        "demo.board.unsubscribe",
        |_params, pending, board, _| async move {
            let sink = pending.accept().await?;
            board
                .sinks
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(sink);
            Ok(())
        },
    )?;
    let local = server.local_addr()?;
    let handle = server.start(module);
    println!("jsonrpsee-reference listening on ws://{local}/");
    handle.stopped().await;
    Ok(())
}
