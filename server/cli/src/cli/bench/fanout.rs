//! `jrpc bench --subscribers N`: fan-out. N subscriptions to one topic,
//! spread over `--connections` connections; one more connection publishes,
//! keeping `--in-flight` posts unanswered, each post's text the time it was
//! sent (µs since 1970). Every item received is counted and its delivery
//! latency recorded; so are the gaps a server reports. With `--stalled`, one
//! more connection subscribes and never reads: the server's memory must
//! stay bounded while it does (its RSS is sampled).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;

use super::histogram::Histogram;
use super::proc_stats::{ProcSample, sample};
use super::report::per_sec;
use super::worker::Ws;
use super::{BenchArgs, GRACE, connect, connect_many};
use crate::cli::Failure;

/// Subscribe requests sent on a connection before their answers are read.
const SUBSCRIBE_WINDOW: usize = 64;

/// What the subscribers of one connection got.
#[derive(Default)]
struct Got {
    items: u64,
    /// Items the server said were lost (gaps).
    missed: u64,
    latency: Histogram,
    failure: Option<String>,
}

/// What a fan-out run measured.
pub(super) struct Fanout {
    subscribers: usize,
    posts: u64,
    got: Got,
    elapsed: Duration,
    before: Option<ProcSample>,
    after: Option<ProcSample>,
    stalled: bool,
}

fn now_us() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_micros()).unwrap_or(u64::MAX))
}

/// Subscribes `n` times on `ws` and returns when every answer has come.
async fn subscribe(ws: &mut Ws, method: &str, n: usize) -> Result<(), String> {
    let mut sent = 0;
    let mut answered = 0;
    while answered < n {
        while sent < n && sent - answered < SUBSCRIBE_WINDOW {
            sent += 1;
            let text = json!({"jsonrpc": "2.0", "method": method, "id": sent}).to_string();
            ws.feed(Message::text(text))
                .await
                .map_err(|e| e.to_string())?;
        }
        ws.flush().await.map_err(|e| e.to_string())?;
        match ws.next().await {
            Some(Ok(Message::Text(text))) => {
                let reply: Value =
                    serde_json::from_str(text.as_str()).map_err(|e| e.to_string())?;
                if reply.get("id").is_some() {
                    if reply.get("error").is_some() {
                        return Err(format!("a subscribe request failed: {reply}"));
                    }
                    answered += 1;
                }
            }
            Some(Ok(_)) => {}
            Some(Err(e)) => return Err(e.to_string()),
            None => return Err("the server closed the connection".to_owned()),
        }
    }
    Ok(())
}

/// Reads items until `hard_stop`, counting those that arrive in the window.
async fn read(mut ws: Ws, measure_start: Instant, deadline: Instant, hard_stop: Instant) -> Got {
    let mut got = Got::default();
    loop {
        let next = tokio::time::timeout_at(hard_stop, ws.next()).await;
        let text = match next {
            Err(_) | Ok(None) => break,
            Ok(Some(Ok(Message::Text(text)))) => text,
            Ok(Some(Ok(_))) => continue,
            Ok(Some(Err(e))) => {
                got.failure.get_or_insert_with(|| e.to_string());
                break;
            }
        };
        let now = Instant::now();
        if now < measure_start {
            continue;
        }
        if now > deadline {
            break;
        }
        let Ok(message) = serde_json::from_str::<Value>(text.as_str()) else {
            continue;
        };
        let params = &message["params"];
        if let Some(missed) = params["gap"]["missed"].as_u64() {
            got.missed += missed;
        }
        let Some(sent) = params["result"]["text"]
            .as_str()
            .and_then(|t| t.parse::<u64>().ok())
        else {
            continue;
        };
        got.items += 1;
        got.latency
            .record(Duration::from_micros(now_us().saturating_sub(sent)));
    }
    got
}

/// Posts until `deadline`, keeping `in_flight` posts unanswered; how many.
async fn publish(
    mut ws: Ws,
    method: &str,
    in_flight: usize,
    measure_start: Instant,
    deadline: Instant,
) -> Result<u64, String> {
    let mut next_id = 0u64;
    let mut waiting = 0usize;
    let mut posts = 0;
    loop {
        while waiting < in_flight && Instant::now() < deadline {
            next_id += 1;
            let post = json!({"jsonrpc": "2.0", "method": method,
                "params": {"text": now_us().to_string()}, "id": next_id});
            ws.send(Message::text(post.to_string()))
                .await
                .map_err(|e| e.to_string())?;
            waiting += 1;
        }
        if waiting == 0 {
            return Ok(posts);
        }
        match tokio::time::timeout_at(deadline + GRACE, ws.next()).await {
            Err(_) => return Ok(posts),
            Ok(Some(Ok(Message::Text(_)))) => {
                waiting -= 1;
                // Counted in the measured window only, as the deliveries are.
                let now = Instant::now();
                posts += u64::from(now >= measure_start && now <= deadline);
            }
            Ok(Some(Ok(_))) => {}
            Ok(Some(Err(e))) => return Err(e.to_string()),
            Ok(None) => return Err("the server closed the publisher's connection".to_owned()),
        }
    }
}

/// Runs the fan-out measurement.
pub(super) async fn run(url: &super::Target, args: &BenchArgs) -> Result<Fanout, Failure> {
    let subscribers = args.subscribers;
    let connections = args.connections.clamp(1, subscribers.max(1));
    let subscribe_method = args.subscribe.as_str();
    let mut opened = connect_many(url, connections).await?;
    for (i, ws) in opened.iter_mut().enumerate() {
        // Spread evenly: the first `subscribers % connections` get one more.
        let n = subscribers / connections + usize::from(i < subscribers % connections);
        subscribe(ws, subscribe_method, n)
            .await
            .map_err(|e| Failure::transport(format!("could not subscribe at {url}: {e}")))?;
    }
    // One that never reads again: its buffers at the server fill up.
    let mut stalled = None;
    if args.stalled {
        let mut ws = connect(url).await?;
        subscribe(&mut ws, subscribe_method, 1)
            .await
            .map_err(|e| Failure::transport(format!("could not subscribe at {url}: {e}")))?;
        stalled = Some(ws);
    }
    let publisher = connect(url).await?;
    let sample_now = || {
        args.server_pid
            .map(sample)
            .transpose()
            .map_err(Failure::transport)
    };
    let start = Instant::now();
    let measure_start = start + args.warmup;
    let deadline = measure_start + args.duration;
    let hard_stop = deadline + GRACE;
    let readers: Vec<_> = opened
        .into_iter()
        .map(|ws| tokio::spawn(read(ws, measure_start, deadline, hard_stop)))
        .collect();
    let method = args.publish.clone();
    let in_flight = args.in_flight as usize;
    let posting = tokio::spawn(async move {
        publish(publisher, &method, in_flight, measure_start, deadline).await
    });
    tokio::time::sleep_until(measure_start).await;
    let before = sample_now()?;
    tokio::time::sleep_until(deadline).await;
    let after = sample_now()?;
    let posts = posting
        .await
        .map_err(|e| Failure::transport(format!("the publisher failed: {e}")))?
        .map_err(|e| Failure::transport(format!("the publisher failed: {e}")))?;
    let mut got = Got::default();
    for reader in readers {
        let part = reader
            .await
            .map_err(|e| Failure::transport(format!("a subscriber failed: {e}")))?;
        got.items += part.items;
        got.missed += part.missed;
        got.latency.merge(&part.latency);
        got.failure = got.failure.or(part.failure);
    }
    drop(stalled);
    Ok(Fanout {
        subscribers,
        posts,
        got,
        elapsed: args.duration,
        before,
        after,
        stalled: args.stalled,
    })
}

impl Fanout {
    /// Problems: a subscriber's connection that failed.
    pub(super) fn failure(&self) -> Option<&str> {
        self.got.failure.as_deref()
    }

    /// The report as JSON (what `jrpc-bench-suite` reads).
    pub(super) fn json(&self, url: &str, args: &BenchArgs) -> Value {
        let got = &self.got;
        let latency = (!got.latency.is_empty()).then(|| {
            json!({
                "p50": got.latency.percentile(0.50) as f64 / 1000.0,
                "p99": got.latency.percentile(0.99) as f64 / 1000.0,
                "max": got.latency.max() as f64 / 1000.0,
            })
        });
        let server = self.before.zip(self.after).map(|(before, after)| {
            let cpu = after.cpu_micros.saturating_sub(before.cpu_micros);
            json!({
                "cpu_us": cpu,
                "cpu_us_per_delivery": (got.items > 0).then(|| cpu as f64 / got.items as f64),
                "rss_kib_before": before.rss_kib,
                "rss_kib_after": after.rss_kib,
                "rss_kib_peak": after.peak_rss_kib,
            })
        });
        json!({
            "url": url,
            "mode": "fanout",
            "subscribers": self.subscribers,
            "connections": args.connections,
            "in_flight": args.in_flight,
            "stalled_subscriber": self.stalled,
            "duration_s": self.elapsed.as_secs_f64(),
            "posts": self.posts,
            "posts_per_sec": per_sec(self.posts, self.elapsed),
            "deliveries": got.items,
            "deliveries_per_sec": per_sec(got.items, self.elapsed),
            "missed": got.missed,
            "latency_us": latency,
            "errors": u64::from(got.failure.is_some()),
            "first_error": got.failure,
            "server": server,
        })
    }

    /// The report for people.
    pub(super) fn human(&self, url: &str) -> String {
        let got = &self.got;
        let mut text = format!(
            "fan-out to {} subscribers at {url}: {} posts, {} deliveries in {:.1}s ({:.0}/s), {} reported lost",
            self.subscribers,
            self.posts,
            got.items,
            self.elapsed.as_secs_f64(),
            per_sec(got.items, self.elapsed),
            got.missed
        );
        if !got.latency.is_empty() {
            text.push_str(&format!(
                "\n  delivery latency p50 {:.3} ms, p99 {:.3} ms",
                got.latency.percentile(0.50) as f64 / 1e6,
                got.latency.percentile(0.99) as f64 / 1e6
            ));
        }
        if let (Some(before), Some(after)) = (self.before, self.after) {
            let cpu = after.cpu_micros.saturating_sub(before.cpu_micros);
            if got.items > 0 {
                text.push_str(&format!(
                    "\n  server: cpu {:.3} µs/delivery, rss {} -> {} KiB (peak {} KiB)",
                    cpu as f64 / got.items as f64,
                    before.rss_kib,
                    after.rss_kib,
                    after.peak_rss_kib
                ));
            }
        }
        text
    }
}
