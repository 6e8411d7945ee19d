//! `jrpc-test-server`: the server the browser client's tests talk to, started
//! by `tests/browser/client-*.test.mjs` (`TestServer` in `helpers.mjs`). It hosts the demo methods and the `test.*` controls of
//! [`jrpc_tests::test_server`], accepts every Origin, and prints exactly one
//! line to stdout, `jrpc-test-server listening on ws://HOST:PORT/rpc`, which
//! the caller parses. Logs go to stderr (RUST_LOG, default "warn").
//!
//! Usage: `jrpc-test-server [--addr HOST:PORT]` (default 127.0.0.1:0, a free port).

use std::io::Write;
use std::process::ExitCode;

use jrpc_tests::test_server::TestServer;
use tracing_subscriber::EnvFilter;

const USAGE: &str = "usage: jrpc-test-server [--addr HOST:PORT]   (default 127.0.0.1:0)";

#[tokio::main]
async fn main() -> ExitCode {
    let addr = match parse_addr(std::env::args().skip(1)) {
        Ok(Some(addr)) => addr,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("jrpc-test-server: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();

    let server = match TestServer::start(addr.as_str()).await {
        Ok(server) => server,
        Err(e) => {
            eprintln!("jrpc-test-server: cannot listen on {addr}: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("jrpc-test-server listening on {}", server.url());
    // A pipe does not flush per line; whoever waits for this line must see it now.
    let _ = std::io::stdout().flush();

    match server.run_until(jrpc::shutdown_signal()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("jrpc-test-server: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The `--addr` value; `None` for `--help`.
fn parse_addr(mut args: impl Iterator<Item = String>) -> Result<Option<String>, String> {
    let mut addr = "127.0.0.1:0".to_owned();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "-h" | "--help" => return Ok(None),
            "--addr" => addr = args.next().ok_or("--addr needs a value")?,
            other => match other.strip_prefix("--addr=") {
                Some(value) => addr = value.to_owned(),
                None => return Err(format!("unexpected argument {other:?}")),
            },
        }
    }
    Ok(Some(addr))
}
