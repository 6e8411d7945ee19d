//! What a benchmark run measured, and its human and JSON reports.

use std::time::Duration;

use serde_json::{Value, json};

use super::BenchArgs;
use super::proc_stats::ProcSample;
use super::worker::Tally;

/// What a run measured.
#[derive(Debug, Default)]
pub(super) struct Report {
    pub(super) mode: &'static str,
    pub(super) elapsed: Duration,
    pub(super) total: Tally,
    pub(super) idle_opened: usize,
    pub(super) idle_lost: usize,
    pub(super) rss_before_idle: Option<u64>,
    pub(super) rss_after_idle: Option<u64>,
    pub(super) server_before: Option<ProcSample>,
    pub(super) server_after: Option<ProcSample>,
}

impl Report {
    pub(super) fn errors(&self) -> u64 {
        self.total.errors() + self.idle_lost as u64
    }
}

pub(super) fn per_sec(n: u64, elapsed: Duration) -> f64 {
    let secs = elapsed.as_secs_f64();
    if secs > 0.0 { n as f64 / secs } else { 0.0 }
}

fn millis(nanos: u64) -> f64 {
    (nanos as f64 / 1000.0).round() / 1000.0
}

fn server_figures(report: &Report) -> Option<Value> {
    let (before, after) = (report.server_before?, report.server_after?);
    let work = if report.mode == "notify" {
        report.total.notifications
    } else {
        report.total.calls
    };
    let cpu = after.cpu_micros.saturating_sub(before.cpu_micros);
    let per_idle = match (report.rss_before_idle, report.rss_after_idle) {
        (Some(b), Some(a)) if report.idle_opened > 0 => {
            Some((a as f64 - b as f64) / report.idle_opened as f64)
        }
        _ => None,
    };
    Some(json!({
        "cpu_us": cpu,
        "cpu_us_per_call": (work > 0).then(|| cpu as f64 / work as f64),
        "rss_kib_before": before.rss_kib,
        "rss_kib_after": after.rss_kib,
        "rss_kib_peak": after.peak_rss_kib,
        "rss_kib_before_idle": report.rss_before_idle,
        "rss_kib_after_idle": report.rss_after_idle,
        "rss_kib_per_idle_connection": per_idle,
    }))
}

pub(super) fn json_report(url: &str, args: &BenchArgs, report: &Report) -> Value {
    let t = &report.total;
    let latency = (!t.latency.is_empty()).then(|| {
        json!({
            "p50": t.latency.percentile(0.50) as f64 / 1000.0,
            "p90": t.latency.percentile(0.90) as f64 / 1000.0,
            "p99": t.latency.percentile(0.99) as f64 / 1000.0,
            "max": t.latency.max() as f64 / 1000.0,
        })
    });
    json!({
        "url": url,
        "mode": report.mode,
        "method": args.method,
        "connections": args.connections,
        "in_flight": args.in_flight,
        "batch": args.batch,
        "idle_connections": report.idle_opened,
        "duration_s": report.elapsed.as_secs_f64(),
        "calls": t.calls,
        "calls_per_sec": per_sec(t.calls, report.elapsed),
        "notifications": t.notifications,
        "notifications_per_sec": per_sec(t.notifications, report.elapsed),
        "latency_us": latency,
        "errors": report.errors(),
        "error_answers": t.error_answers,
        "mismatches": t.mismatches,
        "unknown_answers": t.unknown,
        "unanswered": t.unanswered,
        "idle_lost": report.idle_lost,
        "first_error": t.first_error,
        "bytes_sent": t.bytes_sent,
        "bytes_received": t.bytes_received,
        "server": server_figures(report),
    })
}

pub(super) fn human_report(url: &str, args: &BenchArgs, report: &Report) -> String {
    let t = &report.total;
    let mut lines = Vec::new();
    let shape = match (report.mode, args.batch) {
        ("notify", _) => "notifications".to_owned(),
        (_, Some(k)) => format!("{} batches of {k} in flight", args.in_flight),
        _ => format!("{} in flight", args.in_flight),
    };
    lines.push(format!(
        "{url} {}: {} connections, {shape}, {:.3}s measured",
        args.method,
        args.connections,
        report.elapsed.as_secs_f64()
    ));
    if report.idle_opened > 0 {
        lines.push(format!("  idle        {} connections", report.idle_opened));
    }
    if report.mode == "notify" {
        lines.push(format!(
            "  notifications {} ({:.1}/s)",
            t.notifications,
            per_sec(t.notifications, report.elapsed)
        ));
    } else if args.connections > 0 {
        lines.push(format!(
            "  calls       {} ({:.1}/s)",
            t.calls,
            per_sec(t.calls, report.elapsed)
        ));
        if !t.latency.is_empty() {
            lines.push(format!(
                "  latency     p50 {:.3} ms  p90 {:.3} ms  p99 {:.3} ms  max {:.3} ms",
                millis(t.latency.percentile(0.50)),
                millis(t.latency.percentile(0.90)),
                millis(t.latency.percentile(0.99)),
                millis(t.latency.max()),
            ));
        }
    }
    lines.push(format!(
        "  errors      {} (error answers {}, mismatches {}, unknown {}, unanswered {}, idle lost {})",
        report.errors(),
        t.error_answers,
        t.mismatches,
        t.unknown,
        t.unanswered,
        report.idle_lost
    ));
    lines.push(format!(
        "  bytes       sent {}  received {}",
        t.bytes_sent, t.bytes_received
    ));
    if let Some(server) = server_figures(report) {
        let num = |key: &str| server.get(key).and_then(Value::as_f64);
        let mut line = String::from("  server     ");
        if let Some(cpu) = num("cpu_us_per_call") {
            line.push_str(&format!(" cpu {cpu:.2} µs/call"));
        } else {
            line.push_str(&format!(" cpu {} µs", num("cpu_us").unwrap_or(0.0)));
        }
        line.push_str(&format!(
            "  rss {} -> {} KiB (peak {} KiB)",
            num("rss_kib_before").unwrap_or(0.0),
            num("rss_kib_after").unwrap_or(0.0),
            num("rss_kib_peak").unwrap_or(0.0)
        ));
        if let Some(per_idle) = num("rss_kib_per_idle_connection") {
            line.push_str(&format!("  ({per_idle:.1} KiB per idle connection)"));
        }
        lines.push(line);
    }
    lines.join("\n")
}
