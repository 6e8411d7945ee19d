//! The reference server of the benchmark suite: jsonrpsee, the strongest Rust
//! JSON-RPC server, serving the same `math.sum` as `jrpc-server`, with its
//! limits raised where its defaults would refuse the suite's load (100
//! connections). Everything else is jsonrpsee's default.
//!
//! `jsonrpsee-reference [ADDR]` (default `127.0.0.1:0`) prints
//! `jsonrpsee-reference listening on ws://ADDR/` once it listens and runs
//! until it is killed.

use jsonrpsee::server::{RpcModule, Server, ServerConfig};
use jsonrpsee::types::{ErrorObjectOwned, Params};
use serde_json::Number;

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
    let config = ServerConfig::builder().max_connections(10_000).build();
    let server = Server::builder().set_config(config).build(addr).await?;
    let mut module = RpcModule::new(());
    module.register_method("math.sum", |params, _, _| sum(params))?;
    let local = server.local_addr()?;
    let handle = server.start(module);
    println!("jsonrpsee-reference listening on ws://{local}/");
    handle.stopped().await;
    Ok(())
}
