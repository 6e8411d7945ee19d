//! `jrpc-server`: hosts the demo methods over JSON-RPC 2.0 on WebSocket, and
//! optionally the calculator web page, on one port.
//!
//! This file only turns flags into a [`Server`] and runs it until Ctrl-C or
//! SIGTERM; everything else lives in the library.

use std::fmt;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::str::FromStr;
use std::time::Duration;

use clap::builder::RangedU64ValueParser;
use clap::{Parser, ValueEnum};
use jrpc::{Limits, RateLimit, Server, ServerHandle};
use jrpc_cli::demo::{self, ClientCount};
use tracing_subscriber::EnvFilter;

/// JSON-RPC 2.0 over WebSocket: hosts the jrpc demo methods and, optionally,
/// static files on the same port. Logging is controlled by RUST_LOG (default
/// "info") and goes to stderr.
#[derive(Parser, Debug)]
#[command(name = "jrpc-server", version)]
struct Args {
    /// Address to listen on; port 0 picks a free port (printed at startup).
    #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:8080")]
    addr: String,

    /// Also serve the original jrpc dialect (the protocol of the Python `jrpc`
    /// package and its `jrpc.js`) on this address, with the same methods: its
    /// pages and scripts work unchanged. The upgrade is accepted at any path;
    /// pages served from --addr may connect. Port 0 picks a free port.
    #[arg(long, value_name = "HOST:PORT")]
    legacy_addr: Option<String>,

    /// Path of the WebSocket endpoint.
    #[arg(long, value_name = "PATH", default_value = "/rpc")]
    path: String,

    /// Serve the files under DIR over plain HTTP [default: `www` if that
    /// directory exists in the current directory, else none].
    #[arg(long, value_name = "DIR", conflicts_with = "no_www")]
    www: Option<PathBuf>,

    /// Do not serve static files, even if `www/` exists.
    #[arg(long)]
    no_www: bool,

    /// Do not serve Prometheus metrics at GET /metrics.
    #[arg(long)]
    no_metrics: bool,

    /// Do not answer GET /healthz (200 while serving, 503 while draining).
    #[arg(long)]
    no_health_check: bool,

    /// Also accept WebSocket connections from pages of this origin, e.g.
    /// http://localhost:5173 (repeatable; `*` allows every origin). Non-browser
    /// clients and pages served by this server itself under an IP address or
    /// localhost are always accepted; a page served under a DNS name needs its
    /// origin allowed here (this blocks DNS-rebinding attacks).
    #[arg(long = "allow-origin", value_name = "URL")]
    allow_origin: Vec<String>,

    /// Which methods to host.
    #[arg(long, value_enum, default_value_t = Methods::Math)]
    methods: Methods,

    /// Largest message accepted, in bytes.
    #[arg(long, value_name = "BYTES", value_parser = at_least_one(),
          default_value_t = Limits::default().max_message_size)]
    max_message_size: usize,

    /// Requests one connection may have running at once.
    #[arg(long, value_name = "N", value_parser = at_least_one(),
          default_value_t = Limits::default().max_in_flight)]
    max_in_flight: usize,

    /// Handlers running at once across all connections (wsjsonrpc's
    /// `concurrency`); beyond it calls wait for a slot, they are not refused.
    /// No cap by default.
    #[arg(long, value_name = "N", value_parser = at_least_one())]
    max_running_handlers: Option<usize>,

    /// Calls one connection may make per second; beyond it a call is
    /// answered with -32005 at once. No limit by default.
    #[arg(long, value_name = "N", value_parser = RangedU64ValueParser::<u32>::new().range(1..=u64::from(u32::MAX)))]
    rate_limit: Option<u32>,

    /// Calls one connection may make at once after a quiet spell, with
    /// --rate-limit (default: as many as --rate-limit allows per second).
    #[arg(long, value_name = "N", requires = "rate_limit",
          value_parser = RangedU64ValueParser::<u32>::new().range(1..=u64::from(u32::MAX)))]
    rate_burst: Option<u32>,

    /// Serve https:// and wss:// with this PEM certificate chain (the
    /// server's certificate first); needs --tls-key. The original jrpc
    /// dialect's --legacy-addr stays plain.
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    tls_cert: Option<PathBuf>,

    /// The PEM private key of --tls-cert.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    tls_key: Option<PathBuf>,

    /// Messages one batch may hold; a longer batch gets a single error.
    #[arg(long, value_name = "N", value_parser = at_least_one(),
          default_value_t = Limits::default().max_batch_len)]
    max_batch_len: usize,

    /// Connections served at once; more are refused with HTTP 503.
    #[arg(long, value_name = "N", value_parser = at_least_one(),
          default_value_t = Limits::default().max_connections)]
    max_connections: usize,

    /// Seconds a client has to complete the WebSocket handshake.
    #[arg(long, value_name = "SECS", default_value_t = Seconds(Limits::default().handshake_timeout))]
    handshake_timeout: Seconds,

    /// Seconds to wait for answers to calls the server makes to a client.
    #[arg(long, value_name = "SECS", default_value_t = Seconds(Limits::default().request_timeout))]
    request_timeout: Seconds,

    /// Seconds a shutdown lets running calls finish before closing connections.
    #[arg(long, value_name = "SECS", default_value_t = Seconds(Limits::default().shutdown_grace))]
    shutdown_grace: Seconds,

    /// Seconds of quiet after which a client is sent a WebSocket ping
    /// (browsers answer by themselves); 0 sends none.
    #[arg(long, value_name = "SECS",
          default_value_t = Seconds(Limits::default().ping_interval.unwrap_or_default()))]
    ping_interval: Seconds,

    /// Seconds a client may stay silent (no pong, no message) before its
    /// connection is given up and its pending calls fail; with --ping-interval.
    #[arg(long, value_name = "SECS", default_value_t = Seconds(Limits::default().peer_timeout))]
    peer_timeout: Seconds,

    /// Every SECS, notify all clients of the number of open connections
    /// (`demo.clients` with `{"count": n}`); 0 disables it. Math mode only.
    #[arg(long, value_name = "SECS", default_value_t = Seconds(Duration::from_secs(5)))]
    push_interval: Seconds,
}

/// The method sets the binary can host.
#[derive(Clone, Copy, Debug, ValueEnum)]
enum Methods {
    /// The calculator (Add, Subtract, Multiply, Divide, math.sum) and the
    /// demo.callback / demo.echo / demo.sleep methods.
    Math,
    /// The methods used by the JSON-RPC 2.0 specification's examples
    /// (subtract, sum, update, notify_hello, get_data, notify_sum).
    Spec,
}

/// A non-negative, possibly fractional number of seconds.
#[derive(Clone, Copy, Debug)]
struct Seconds(Duration);

impl FromStr for Seconds {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let secs: f64 = s.parse().map_err(|_| format!("{s:?} is not a number"))?;
        Duration::try_from_secs_f64(secs)
            .map(Seconds)
            .map_err(|_| format!("{s:?} is not a non-negative number of seconds"))
    }
}

impl fmt::Display for Seconds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.as_secs_f64())
    }
}

/// A count flag of 1 or more (0 would make the server refuse everything).
fn at_least_one() -> RangedU64ValueParser<usize> {
    RangedU64ValueParser::new().range(1..)
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        // stdout carries only the startup line, which scripts and tests parse.
        .with_writer(std::io::stderr)
        // Colours only for a person at a terminal: a log file or a pipe gets
        // plain text (and NO_COLOR, https://no-color.org, turns them off).
        .with_ansi(std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none())
        .init();

    let mut builder = builder(&args);
    if let (Some(cert), Some(key)) = (&args.tls_cert, &args.tls_key) {
        match jrpc::tls::server_config(cert, key) {
            Ok(config) => builder = builder.tls(config),
            Err(e) => {
                eprintln!("jrpc-server: cannot use --tls-cert/--tls-key: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    let scheme = if args.tls_cert.is_some() {
        "https"
    } else {
        "http"
    };
    let server = match builder.bind(args.addr.as_str()).await {
        Ok(server) => server,
        Err(e) => {
            eprintln!("jrpc-server: cannot listen on {}: {e}", args.addr);
            return ExitCode::FAILURE;
        }
    };
    let server = match &args.legacy_addr {
        None => server,
        Some(addr) => match server.bind_legacy(addr.as_str()).await {
            Ok(server) => server,
            Err(e) => {
                eprintln!("jrpc-server: cannot listen on {addr} (--legacy-addr): {e}");
                return ExitCode::FAILURE;
            }
        },
    };
    let legacy = server.legacy_addr();
    let handle = server.spawn();
    // One line, which scripts and tests wait for and parse.
    let legacy = legacy
        .map(|addr| format!("; original jrpc dialect ws://{addr}/"))
        .unwrap_or_default();
    println!(
        "jrpc-server listening on {scheme}://{}/ (WebSocket {}{legacy})",
        handle.local_addr(),
        handle.url()
    );
    // A pipe does not flush per line; whoever waits for this line must see it now.
    let _ = std::io::stdout().flush();

    // Only the demo pushes: a server started to serve the specification's
    // examples must send nothing a client did not ask for.
    if matches!(args.methods, Methods::Math) && !args.push_interval.0.is_zero() {
        tokio::spawn(push_client_count(handle.clone(), args.push_interval.0));
    }

    jrpc::shutdown_signal().await;
    tracing::info!("shutting down (signal again to exit at once)");
    handle.shutdown();
    tokio::select! {
        () = handle.stopped() => ExitCode::SUCCESS,
        () = jrpc::shutdown_signal() => ExitCode::from(130),
    }
}

/// A server builder configured from the flags.
fn builder(args: &Args) -> jrpc::ServerBuilder {
    let limits = Limits {
        max_message_size: args.max_message_size,
        max_in_flight: args.max_in_flight,
        max_batch_len: args.max_batch_len,
        max_connections: args.max_connections,
        handshake_timeout: args.handshake_timeout.0,
        request_timeout: args.request_timeout.0,
        shutdown_grace: args.shutdown_grace.0,
        ping_interval: Some(args.ping_interval.0).filter(|every| !every.is_zero()),
        peer_timeout: args.peer_timeout.0,
        max_running_handlers: args.max_running_handlers,
        rate_limit: args
            .rate_limit
            .map(|n| RateLimit::new(n, args.rate_burst.unwrap_or(n))),
        ..Limits::default()
    };
    let (methods, info) = match args.methods {
        Methods::Math => {
            let mut methods = demo::math_methods();
            demo::client_methods(&mut methods);
            (methods, demo::api_info())
        }
        Methods::Spec => (demo::spec_methods(), demo::spec_api_info()),
    };
    let mut builder = demo::with_legacy_error_names(Server::builder())
        .path(args.path.as_str())
        .with_limits(|l| *l = limits)
        .methods(methods)
        .discover(info);
    // The demo's sign-in: any name (rpc.auth), which demo.greet uses. The
    // specification's examples get nothing beyond them.
    if matches!(args.methods, Methods::Math) {
        builder = builder.auth(demo::sign_in);
    }
    for origin in &args.allow_origin {
        builder = builder.allow_origin(origin);
    }
    if !args.no_metrics {
        builder = builder.metrics(Default::default());
    }
    if !args.no_health_check {
        builder = builder.health_check();
    }
    let default_www = Path::new("www");
    let www = match (&args.www, args.no_www) {
        (_, true) => None,
        (Some(dir), false) => Some(dir.clone()),
        (None, false) => default_www.is_dir().then(|| default_www.to_path_buf()),
    };
    if let Some(dir) = www {
        tracing::info!(dir = %dir.display(), "serving static files");
        builder = builder.www(dir);
    }
    builder
}

/// Broadcasts the number of open connections every `interval`.
async fn push_client_count(handle: ServerHandle, interval: Duration) {
    let mut ticker = tokio::time::interval(interval);
    // After a stall, one update is enough; a burst of stale counts helps nobody.
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    ticker.tick().await; // the first tick is immediate, when nobody is connected yet
    loop {
        ticker.tick().await;
        let count = ClientCount {
            count: handle.connections().len(),
        };
        if let Err(e) = handle.broadcast(demo::CLIENTS, &count) {
            tracing::warn!(error = %e, "cannot broadcast the client count");
        }
    }
}
