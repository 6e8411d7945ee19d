//! `jrpc call`: one request (or notification) to a server, its result on stdout.

use std::io::Write;
use std::time::Duration;

use jrpc_shared::{CallError, ErrorObject};
use serde_json::value::RawValue;
use tokio::time::Instant;

use super::args::{MethodArgs, Params};
use super::lists::params_from_lists;
use super::output::{compact, pretty};
use super::{Endpoint, Failure};
use jrpc::{Client, ClientBuilder, Codec, ConnectError, Dialect};

/// How long to wait for the connection to wind down once the work is done.
const CLOSE_LIMIT: Duration = Duration::from_secs(2);

const CALL_HELP: &str = "\
Each ARG is a JSON value (never evaluated): strings need JSON quotes, e.g. '\"hello\"'.
Exactly one ARG that is an object is sent as named params; otherwise the ARGs
form a positional array. Use --params to send an exact array or object instead.

The original jrpc tool's form works too: -a takes comma-separated positional
arguments, -k comma-separated key=value pairs; each item is JSON when it parses
and a string otherwise (`-a 42,hello` sends [42,\"hello\"]). `call` may be left
out: `jrpc Add -a 5,10`. With --dialect jrpc, jrpc talks to a server of the
original jrpc protocol (or `jrpc-server --legacy-addr`; default URL ws://127.0.0.1:9000).

The result is printed as JSON: a string result prints with its quotes.
An error answer prints `jrpc: error <code>: <message>` (and `data: <json>`) to stderr.

Examples:
  jrpc call Add 5 10                      # params [5,10]
  jrpc call math.sum '{\"x\":1,\"y\":2}'      # named params
  jrpc call echo '\"hi\"' --pretty
  jrpc call log '\"started\"' --notify
  jrpc Add -a 5,10                        # params [5,10]
  jrpc Multiply -a 6 -k b=7               # params {\"0\":6,\"b\":7}: a=6, b=7
  jrpc Add -a 5,10 --dialect jrpc --url ws://127.0.0.1:9000
  jrpc call math.sum 1 2 --codec msgpack";

/// The options of `jrpc call`.
#[derive(Debug, clap::Args)]
#[command(after_help = CALL_HELP)]
pub struct CallArgs {
    /// The method to call and its params.
    #[command(flatten)]
    pub call: MethodArgs,
    /// Positional arguments as a comma-separated list, each JSON or else a
    /// string: `-a 5,10` (the original jrpc tool's form; repeatable).
    #[arg(
        short = 'a',
        long = "args",
        value_name = "LIST",
        allow_hyphen_values = true,
        conflicts_with_all = ["params", "args"]
    )]
    pub list_args: Vec<String>,
    /// Named arguments as comma-separated key=value pairs, each value JSON or
    /// else a string: `-k b=7,name=Ann` (repeatable).
    #[arg(
        short = 'k',
        long = "kwargs",
        value_name = "PAIRS",
        conflicts_with_all = ["params", "args"]
    )]
    pub list_kwargs: Vec<String>,
    /// The protocol to speak: JSON-RPC 2.0, or the original jrpc dialect.
    #[arg(long, value_enum, default_value_t = DialectArg::JsonRpc)]
    pub dialect: DialectArg,
    /// How messages are packed: JSON text, or msgpack in binary frames (as
    /// wsjsonrpc's msgpack codec does).
    #[arg(long, value_enum, default_value_t = CodecArg::Json)]
    pub codec: CodecArg,
    /// Send a notification: the server sends no answer and nothing is printed.
    #[arg(long)]
    pub notify: bool,
    /// Seconds allowed for connecting and the answer together (fractions allowed).
    #[arg(long, value_name = "SECS", default_value = "10", value_parser = parse_timeout)]
    pub timeout: Duration,
    /// Print the result indented over several lines instead of on one line.
    #[arg(long, conflicts_with = "notify")]
    pub pretty: bool,
}

/// The values of `--dialect`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum DialectArg {
    /// JSON-RPC 2.0.
    #[value(name = "json-rpc")]
    JsonRpc,
    /// The original jrpc protocol (`{"method", "args", "kwargs", "id"}`).
    Jrpc,
}

impl DialectArg {
    /// The library's dialect.
    pub fn dialect(self) -> Dialect {
        match self {
            DialectArg::JsonRpc => Dialect::JsonRpc,
            DialectArg::Jrpc => Dialect::Jrpc,
        }
    }
}

/// The values of `--codec`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum CodecArg {
    /// JSON in text frames.
    Json,
    /// msgpack in binary frames.
    Msgpack,
}

/// Runs `jrpc call` against `url`, writing the result to `out`.
///
/// `--notify` relies on running in a current-thread runtime (as the binary
/// does): see the notes on `finish` in this file for why.
pub async fn run(url: &Endpoint, args: &CallArgs, out: &mut impl Write) -> Result<(), Failure> {
    if args.dialect == DialectArg::Jrpc && args.codec == CodecArg::Msgpack {
        return Err(Failure::usage(
            "--codec msgpack is for JSON-RPC 2.0: the original jrpc dialect has no msgpack",
        ));
    }
    let params = if !args.list_args.is_empty() || !args.list_kwargs.is_empty() {
        params_from_lists(&args.list_args, &args.list_kwargs).map_err(Failure::usage)?
    } else {
        args.call
            .params()
            .map_err(|e| Failure::usage(e.to_string()))?
    };
    let deadline = crate::cli::args::deadline_after(args.timeout);
    let builder = Client::builder()
        .dialect(args.dialect.dialect())
        .codec(match args.codec {
            CodecArg::Json => Codec::Json,
            CodecArg::Msgpack => Codec::Msgpack,
        });
    let client = connect(url, builder, args.timeout, deadline).await?;
    let result = if args.notify {
        notify(&client, url, args, &params, deadline).await
    } else {
        request(&client, url, args, &params, deadline, out).await
    };
    finish(&client).await;
    result
}

/// Connects with `builder` within `deadline` (`timeout` is what to report).
pub(crate) async fn connect(
    url: &Endpoint,
    builder: ClientBuilder,
    timeout: Duration,
    deadline: Instant,
) -> Result<Client, Failure> {
    let builder = match &url.ca {
        None => builder,
        Some(path) => {
            let trusted = jrpc::tls::client_config(&[path])
                .map_err(|e| Failure::usage(format!("--ca {}: {e}", path.display())))?;
            builder.tls(trusted)
        }
    };
    let url = &url.url;
    let connecting = builder
        .with_limits(|l| l.handshake_timeout = timeout)
        .connect(url);
    let timed_out = || {
        Failure::transport(format!(
            "could not connect to {url}: {}",
            timed_out_after(timeout)
        ))
    };
    match tokio::time::timeout_at(deadline, connecting).await {
        Ok(Ok(client)) => Ok(client),
        Err(_) | Ok(Err(ConnectError::Timeout { .. })) => Err(timed_out()),
        Ok(Err(e @ ConnectError::InvalidUrl { .. })) => Err(Failure::usage(e.to_string())),
        Ok(Err(e)) => Err(Failure::transport(e.to_string())),
    }
}

async fn notify(
    client: &Client,
    url: &str,
    args: &CallArgs,
    params: &Params,
    deadline: Instant,
) -> Result<(), Failure> {
    tokio::time::timeout_at(deadline, client.notify(&args.call.method, params))
        .await
        .unwrap_or(Err(CallError::Timeout(args.timeout)))
        .map_err(|e| call_failure(url, args.timeout, e))
}

async fn request(
    client: &Client,
    url: &str,
    args: &CallArgs,
    params: &Params,
    deadline: Instant,
    out: &mut impl Write,
) -> Result<(), Failure> {
    let remaining = deadline.saturating_duration_since(Instant::now());
    let result: Box<RawValue> = client
        .request_timeout(&args.call.method, params, remaining)
        .await
        .map_err(|e| call_failure(url, args.timeout, e))?;
    let text = if args.pretty {
        pretty(result.get())
    } else {
        compact(result.get())
    };
    super::output(
        writeln!(out, "{text}").and_then(|()| out.flush()),
        "the result",
    )
}

/// Closes the connection and waits for the close handshake, so a notification
/// queued just before is on the wire before the process exits.
async fn finish(client: &Client) {
    client.close();
    let _ = tokio::time::timeout(CLOSE_LIMIT, client.closed()).await;
}

/// The user-facing failure for a call that produced no result.
fn call_failure(url: &str, timeout: Duration, error: CallError) -> Failure {
    match error {
        CallError::Rpc(e) => Failure::rpc(rpc_error_message(&e)),
        CallError::Timeout(_) => Failure::transport(format!(
            "no answer from {url}: {}",
            timed_out_after(timeout)
        )),
        CallError::ConnectionClosed => Failure::transport(format!(
            "the connection to {url} closed before the answer arrived"
        )),
        CallError::Cancelled => Failure::transport(format!("the call to {url} was cancelled")),
        CallError::Encode(e) => Failure::usage(format!("bad params: {e}")),
        CallError::Decode(e) => {
            Failure::transport(format!("the answer from {url} is not valid JSON: {e}"))
        }
        other => Failure::transport(format!("the call to {url} failed: {other}")),
    }
}

/// `error <code>: <message>`, then `data: <json>` on its own line when present.
pub fn rpc_error_message(error: &ErrorObject) -> String {
    let mut message = format!("error {}: {}", error.code, error.message);
    if let Some(data) = error.data_json() {
        message.push_str("\ndata: ");
        message.push_str(&compact(data));
    }
    message
}

fn timed_out_after(timeout: Duration) -> String {
    format!("timed out after {}s", timeout.as_secs_f64())
}

/// Parses `--timeout`: a positive, finite number of seconds.
pub(crate) fn parse_timeout(text: &str) -> Result<Duration, String> {
    let secs: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("{text:?} is not a number of seconds"))?;
    if secs.is_nan() || secs <= 0.0 {
        return Err("the timeout must be more than 0 seconds".to_owned());
    }
    Duration::try_from_secs_f64(secs).map_err(|e| format!("{text:?} is out of range: {e}"))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_accept_fractions_and_refuse_nonsense() {
        assert_eq!(parse_timeout("0.25").unwrap(), Duration::from_millis(250));
        assert_eq!(parse_timeout("10").unwrap(), Duration::from_secs(10));
        assert!(parse_timeout("0").is_err());
        assert!(parse_timeout("-1").is_err());
        assert!(parse_timeout("NaN").is_err());
        assert!(parse_timeout("inf").is_err());
        assert!(parse_timeout("soon").is_err());
    }

    #[test]
    fn timeouts_print_as_given() {
        assert_eq!(
            timed_out_after(Duration::from_secs(10)),
            "timed out after 10s"
        );
        assert_eq!(
            timed_out_after(Duration::from_millis(1500)),
            "timed out after 1.5s"
        );
    }

    #[test]
    fn error_answers_show_code_message_and_data() {
        let plain = ErrorObject::new(-32601, "Method not found");
        assert_eq!(rpc_error_message(&plain), "error -32601: Method not found");
        let detailed = ErrorObject::new(100, "division by zero").with_data(&["x", "y"]);
        assert_eq!(
            rpc_error_message(&detailed),
            "error 100: division by zero\ndata: [\"x\",\"y\"]"
        );
    }
}
