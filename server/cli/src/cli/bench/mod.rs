//! `jrpc bench`: a load generator for JSON-RPC over WebSocket, like `wrk`.
//!
//! Each connection is a raw WebSocket driven by one task ([`worker`]) that keeps
//! `--in-flight` requests (or batches) unanswered, each with its own
//! increasing id, and matches answers by id. Latencies go into a log-bucketed
//! [`histogram`]; the workers run on a multi-threaded runtime of their own.

mod fanout;
pub mod histogram;
mod proc_stats;
mod report;
pub mod worker;

use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use serde_json::Value;
use serde_json::value::RawValue;
use tokio::time::Instant;

use super::args::parse_params_option;
use super::{Endpoint, Failure};
use histogram::Histogram;
use proc_stats::sample;
use report::{Report, human_report, json_report};
use worker::{Expected, Plan, Tally, Ws};

/// How long answers may lag behind the end of the measured window.
const GRACE: Duration = Duration::from_secs(2);
/// How long opening one connection may take.
const CONNECT_LIMIT: Duration = Duration::from_secs(10);
/// Idle connections opened at once.
const IDLE_OPENING: usize = 64;

const BENCH_HELP: &str = "\
Measures calls per second and latency: each connection keeps --in-flight requests
unanswered at once, each answer is matched by id and checked (--expect compares
the result as a JSON value). Calls sent during --warmup are not counted.

Exit code 0 when every call succeeded, 1 when some failed, 3 when connecting failed.

Examples:
  jrpc bench --connections 4 --in-flight 16 --duration 10 --expect 3
  jrpc bench --method Add --params '[5,10]' --batch 10
  jrpc bench --notify --duration 2
  jrpc bench --notify --count 100000 --duration 30 --server-pid $(pidof jrpc-server)
  jrpc bench --idle 1000 --connections 0 --server-pid $(pidof jrpc-server)
  jrpc bench --subscribers 1000 --connections 32 --in-flight 4 --stalled";

/// The options of `jrpc bench`.
#[derive(Clone, Debug, clap::Args)]
#[command(after_help = BENCH_HELP)]
pub struct BenchArgs {
    /// The method to call.
    #[arg(long, value_name = "METHOD", default_value = "math.sum")]
    pub method: String,
    /// The params of every call (a JSON array or object).
    #[arg(long, value_name = "JSON", default_value = "[1,2]", value_parser = parse_params_option)]
    pub params: Box<RawValue>,
    /// Check that every result equals this JSON value.
    #[arg(long, value_name = "JSON", value_parser = parse_json)]
    pub expect: Option<Value>,
    /// Connections sending calls (0 only with --idle).
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub connections: usize,
    /// Requests (or batches) each connection keeps unanswered at once.
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub in_flight: u32,
    /// Seconds measured (fractions allowed).
    #[arg(long, value_name = "SECS", default_value = "5", value_parser = parse_secs)]
    pub duration: Duration,
    /// Seconds of load before measuring starts.
    #[arg(long, value_name = "SECS", default_value = "1", value_parser = parse_secs)]
    pub warmup: Duration,
    /// Send batches of K requests; each counts as K calls.
    #[arg(long, value_name = "K", value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub batch: Option<u32>,
    /// Send notifications as fast as possible and report notifications per second.
    #[arg(long, conflicts_with = "batch")]
    pub notify: bool,
    /// With --notify: send exactly N notifications (no warm-up), then the fence
    /// request; --duration still bounds the time they may take.
    #[arg(long, value_name = "N", requires = "notify", value_parser = clap::value_parser!(u64).range(1..))]
    pub count: Option<u64>,
    /// Open N more connections that stay idle for the run.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub idle: usize,
    /// Fan-out instead of calls: N subscriptions to one topic, spread over
    /// --connections, while one more connection publishes to it (--publish,
    /// --in-flight posts at a time); reports deliveries per second, their
    /// latency, and the server's CPU per delivery.
    #[arg(long, value_name = "N", default_value_t = 0, conflicts_with_all = ["batch", "notify", "idle"])]
    pub subscribers: usize,
    /// With --subscribers: the subscribe method (no params).
    #[arg(long, value_name = "METHOD", default_value = "demo.board.subscribe")]
    pub subscribe: String,
    /// With --subscribers: the method that publishes `{"text": ..}` to the topic.
    #[arg(long, value_name = "METHOD", default_value = "demo.board.post")]
    pub publish: String,
    /// With --subscribers: one more subscriber that never reads.
    #[arg(long, requires = "subscribers")]
    pub stalled: bool,
    /// Report CPU time and memory of the server process with this pid (Linux).
    #[arg(long, value_name = "PID")]
    pub server_pid: Option<u32>,
    /// Print the results as one JSON object.
    #[arg(long)]
    pub json: bool,
}

fn parse_json(text: &str) -> Result<Value, String> {
    serde_json::from_str(text).map_err(|e| format!("not valid JSON: {e}"))
}

/// Parses a number of seconds: finite and not negative.
fn parse_secs(text: &str) -> Result<Duration, String> {
    let secs: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("{text:?} is not a number of seconds"))?;
    if secs.is_nan() || secs < 0.0 {
        return Err("must be 0 seconds or more".to_owned());
    }
    Duration::try_from_secs_f64(secs).map_err(|e| format!("{text:?} is out of range: {e}"))
}

/// Runs `jrpc bench` against `url`, writing the report to `out`.
pub async fn run(url: &Endpoint, args: &BenchArgs, out: &mut impl Write) -> Result<(), Failure> {
    let target = Target::new(url)?;
    if args.connections == 0 && args.idle == 0 {
        return Err(Failure::usage(
            "--connections 0 only makes sense with --idle",
        ));
    }
    if let Some(pid) = args.server_pid {
        sample(pid).map_err(Failure::usage)?;
    }
    if args.subscribers > 0 {
        let (target, args_owned) = (target.clone(), args.clone());
        let fanout = on_own_runtime(args.connections, async move {
            fanout::run(&target, &args_owned).await
        })
        .await?;
        let text = match args.json {
            true => fanout.json(url, args).to_string(),
            false => fanout.human(url),
        };
        super::output(
            writeln!(out, "{text}").and_then(|()| out.flush()),
            "the report",
        )?;
        return match fanout.failure() {
            None => Ok(()),
            Some(e) => Err(Failure::rpc(format!(
                "a subscriber's connection failed: {e}"
            ))),
        };
    }
    let args_owned = args.clone();
    let report = on_own_runtime(args.connections, async move {
        execute(&target, &args_owned).await
    })
    .await?;
    let text = if args.json {
        json_report(url, args, &report).to_string()
    } else {
        human_report(url, args, &report)
    };
    super::output(
        writeln!(out, "{text}").and_then(|()| out.flush()),
        "the report",
    )?;
    let errors = report.errors();
    if errors == 0 {
        return Ok(());
    }
    let mut message = format!("{errors} errors");
    if let Some(first) = &report.total.first_error {
        message.push_str(&format!("; the first: {first}"));
    }
    if report.idle_lost > 0 {
        message.push_str(&format!(
            "; {} idle connections were closed by the server",
            report.idle_lost
        ));
    }
    Err(Failure::rpc(message))
}

/// Runs `work` on a multi-threaded runtime of its own (one worker thread
/// per connection, up to the cores), whatever the caller runs on.
async fn on_own_runtime<T: Send + 'static>(
    connections: usize,
    work: impl std::future::Future<Output = Result<T, Failure>> + Send + 'static,
) -> Result<T, Failure> {
    let (done_tx, done_rx) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(connections.max(1));
        let outcome = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(threads)
            .enable_all()
            .build()
            .map_err(|e| Failure::transport(format!("cannot start the runtime: {e}")))
            .and_then(|runtime| runtime.block_on(work));
        let _ = done_tx.send(outcome);
    });
    done_rx
        .await
        .map_err(|_| Failure::transport("the benchmark thread failed"))?
}

/// Where the benchmark connects: the URL, and for `wss://` whom to trust
/// (the system's roots, plus the CAs of `--ca`).
#[derive(Clone)]
pub(super) struct Target {
    url: String,
    tls: Option<Arc<jrpc::tls::ClientConfig>>,
}

impl Target {
    fn new(endpoint: &Endpoint) -> Result<Target, Failure> {
        let tls = match endpoint.url.starts_with("wss:") {
            false => None,
            true => {
                let cas: Vec<&std::path::Path> = endpoint.ca.iter().map(|p| p.as_path()).collect();
                let config = jrpc::tls::client_config(&cas).map_err(|e| match &endpoint.ca {
                    Some(path) => Failure::usage(format!("--ca {}: {e}", path.display())),
                    None => Failure::usage(e.to_string()),
                })?;
                Some(config)
            }
        };
        let url = endpoint.url.clone();
        Ok(Target { url, tls })
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.url)
    }
}

/// The read buffer of each load connection. tungstenite zeroes its whole
/// read buffer before every read: at its default of 128 KiB that was a fifth
/// of the load generator's CPU, which then fed a fast server fewer calls per
/// wake-up than it could take.
const READ_BUFFER: usize = 8 * 1024;

async fn connect(url: &Target) -> Result<Ws, Failure> {
    use tokio_tungstenite::tungstenite::Error;
    use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
    let connector = url.tls.clone().map(tokio_tungstenite::Connector::Rustls);
    let config = WebSocketConfig::default().read_buffer_size(READ_BUFFER);
    let connecting = tokio_tungstenite::connect_async_tls_with_config(
        url.url.as_str(),
        Some(config),
        true,
        connector,
    );
    match tokio::time::timeout(CONNECT_LIMIT, connecting).await {
        Ok(Ok((ws, _))) => Ok(ws),
        Ok(Err(e @ (Error::Url(_) | Error::HttpFormat(_)))) => {
            Err(Failure::usage(format!("bad URL {url}: {e}")))
        }
        Ok(Err(e)) => Err(Failure::transport(format!(
            "could not connect to {url}: {e}"
        ))),
        Err(_) => Err(Failure::transport(format!(
            "could not connect to {url}: timed out after {}s",
            CONNECT_LIMIT.as_secs()
        ))),
    }
}

async fn connect_many(url: &Target, n: usize) -> Result<Vec<Ws>, Failure> {
    let mut opened = Vec::with_capacity(n);
    let mut connecting =
        futures_util::stream::iter((0..n).map(|_| connect(url))).buffer_unordered(IDLE_OPENING);
    while let Some(ws) = connecting.next().await {
        opened.push(ws?);
    }
    Ok(opened)
}

async fn execute(url: &Target, args: &BenchArgs) -> Result<Report, Failure> {
    let method = serde_json::to_string(&args.method)
        .map_err(|e| Failure::usage(format!("bad method name: {e}")))?;
    let params = args.params.get();
    let mut report = Report {
        mode: if args.notify {
            "notify"
        } else if args.batch.is_some() {
            "batch"
        } else {
            "requests"
        },
        ..Report::default()
    };
    let pid = args.server_pid;
    let sample_now = || pid.map(sample).transpose().map_err(Failure::transport);

    // Idle connections first, with the memory they cost.
    let (stop_idle, stop_rx) = tokio::sync::watch::channel(false);
    let mut holders = Vec::new();
    if args.idle > 0 {
        report.rss_before_idle = sample_now()?.map(|s| s.rss_kib);
        let idle = connect_many(url, args.idle).await?;
        report.idle_opened = idle.len();
        report.rss_after_idle = sample_now()?.map(|s| s.rss_kib);
        holders = idle
            .into_iter()
            .map(|ws| tokio::spawn(worker::hold(ws, stop_rx.clone())))
            .collect();
    }

    let connections = connect_many(url, args.connections).await?;
    let start = Instant::now();
    // A counted flood is measured from its first notification.
    let warmup = if args.count.is_some() {
        Duration::ZERO
    } else {
        args.warmup
    };
    let measure_start = start + warmup;
    let deadline = measure_start + args.duration;
    let plan = Arc::new(Plan {
        request_prefix: format!(r#"{{"jsonrpc":"2.0","method":{method},"params":{params},"id":"#),
        notification: format!(r#"{{"jsonrpc":"2.0","method":{method},"params":{params}}}"#),
        expect: args.expect.as_ref().map(|value| Expected {
            text: value.to_string(),
            value: value.clone(),
        }),
        in_flight: args.in_flight as usize,
        batch: args.batch.map(|k| k as usize),
        count: args.count,
        measure_start,
        deadline,
        hard_stop: deadline + GRACE,
    });
    let workers: Vec<_> = connections
        .into_iter()
        .map(|ws| {
            let plan = plan.clone();
            if args.notify {
                tokio::spawn(worker::notifications(ws, plan))
            } else {
                tokio::spawn(worker::requests(ws, plan))
            }
        })
        .collect();

    tokio::time::sleep_until(measure_start).await;
    report.server_before = sample_now()?;
    if workers.is_empty() {
        tokio::time::sleep_until(deadline).await;
    }
    let mut total = Tally::default();
    let mut latency = Histogram::default();
    let mut last = None::<Instant>;
    let mut notify_start = None::<Instant>;
    for handle in workers {
        let tally = handle
            .await
            .map_err(|e| Failure::transport(format!("a benchmark connection failed: {e}")))?;
        latency.merge(&tally.latency);
        last = last.max(tally.last_answer);
        if let Some((from, to)) = tally.notify_window {
            notify_start = Some(notify_start.map_or(from, |s| s.min(from)));
            last = last.max(Some(to));
        }
        total.calls += tally.calls;
        total.error_answers += tally.error_answers;
        total.mismatches += tally.mismatches;
        total.unknown += tally.unknown;
        total.unanswered += tally.unanswered;
        total.notifications += tally.notifications;
        total.bytes_sent += tally.bytes_sent;
        total.bytes_received += tally.bytes_received;
        total.lost |= tally.lost;
        if total.first_error.is_none() {
            total.first_error = tally.first_error;
        }
    }
    total.latency = latency;
    report.server_after = sample_now()?;
    let from = notify_start.unwrap_or(measure_start);
    report.elapsed = last
        .map_or(args.duration, |last| last.saturating_duration_since(from))
        .max(args.duration.min(Duration::from_micros(1)));
    report.total = total;

    let _ = stop_idle.send(true);
    for holder in holders {
        if !holder.await.unwrap_or(false) {
            report.idle_lost += 1;
        }
    }
    Ok(report)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn seconds_accept_zero_and_fractions() {
        assert_eq!(parse_secs("0").unwrap(), Duration::ZERO);
        assert_eq!(parse_secs("0.5").unwrap(), Duration::from_millis(500));
        assert!(parse_secs("-1").is_err());
        assert!(parse_secs("NaN").is_err());
        assert!(parse_secs("soon").is_err());
    }

    #[test]
    fn this_process_can_be_sampled() {
        let s = sample(std::process::id()).unwrap();
        assert!(s.rss_kib > 0);
    }
}
