//! One measurement: `jrpc bench` pinned to the load core against a running
//! server, and the figures read from its JSON report.

use std::io::Read;
use std::path::Path;
use std::process::Stdio;
use std::sync::mpsc;
use std::time::Duration;

use serde_json::{Value, json};

use crate::scenario::{Measure, Scenario};
use crate::server::{Kind, LOAD_CORE, Pinning, Running};

/// How much longer than its own time limit a load run may take before it is killed.
const SLACK: Duration = Duration::from_secs(90);

/// One scenario on one server in one round.
pub struct Run {
    /// What was measured.
    pub scenario: &'static Scenario,
    /// On which server.
    pub kind: Kind,
    /// In which round (from 0).
    pub round: u32,
    /// `jrpc bench --json`'s report.
    pub report: Value,
}

/// Runs `scenario` against `server` with `jrpc` (the CLI binary).
pub fn measure(
    jrpc: &Path,
    pinning: &Pinning,
    server: &Running,
    scenario: &'static Scenario,
    round: u32,
    duration: u32,
) -> Result<Run, String> {
    let mut cmd = pinning.command(LOAD_CORE, jrpc);
    cmd.args(["bench", "--json", "--url", &server.url])
        .args(["--server-pid", &server.pid().to_string()])
        .args(["--expect", "3"]);
    if matches!(scenario.kind, Measure::Calls | Measure::Fanout) {
        cmd.args(["--duration", &duration.to_string(), "--warmup", "1"]);
    }
    cmd.args(scenario.options)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", jrpc.display()))?;
    let (stdout, stderr) = (child.stdout.take(), child.stderr.take());
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut out = String::new();
        let mut err = String::new();
        if let Some(mut s) = stdout {
            let _ = s.read_to_string(&mut out);
        }
        if let Some(mut s) = stderr {
            let _ = s.read_to_string(&mut err);
        }
        let _ = tx.send((out, err));
    });
    let limit = Duration::from_secs(u64::from(duration) + 60) + SLACK;
    let Ok((out, err)) = rx.recv_timeout(limit) else {
        let _ = child.kill();
        let _ = child.wait();
        return Err(format!(
            "`jrpc bench` ran longer than {limit:?} for {}",
            scenario.key
        ));
    };
    let status = child
        .wait()
        .map_err(|e| format!("cannot wait for jrpc bench: {e}"))?;
    // Exit 1 means some calls failed: the report says which, and the run counts them.
    if !matches!(status.code(), Some(0 | 1)) {
        return Err(format!(
            "`jrpc bench` failed for {} on {} ({status}): {}",
            scenario.key,
            server.kind.name(),
            err.trim()
        ));
    }
    let report = serde_json::from_str(&out)
        .map_err(|e| format!("`jrpc bench` printed no JSON report ({e}): {out:?}"))?;
    Ok(Run {
        scenario,
        kind: server.kind,
        round,
        report,
    })
}

impl Run {
    fn number(&self, pointer: &str) -> Option<f64> {
        self.report.pointer(pointer).and_then(Value::as_f64)
    }

    /// Calls (or notifications, in the flood) per second.
    pub fn rate(&self) -> Option<f64> {
        match self.scenario.kind {
            Measure::Calls => self.number("/calls_per_sec"),
            Measure::Flood => self.number("/notifications_per_sec"),
            Measure::Fanout => self.number("/deliveries_per_sec"),
            Measure::Idle => None,
        }
    }

    /// The server's CPU time per call (or notification, or delivered item), in µs.
    pub fn cpu_us(&self) -> Option<f64> {
        match self.scenario.kind {
            Measure::Fanout => self.number("/server/cpu_us_per_delivery"),
            _ => self.number("/server/cpu_us_per_call"),
        }
    }

    /// Latency percentile `p` ("p50", "p99"), in µs.
    pub fn latency_us(&self, p: &str) -> Option<f64> {
        self.number(&format!("/latency_us/{p}"))
    }

    /// How much the server's peak RSS grew during the run, in KiB.
    pub fn rss_growth_kib(&self) -> Option<f64> {
        Some(self.number("/server/rss_kib_peak")? - self.number("/server/rss_kib_before")?)
    }

    /// The server's RSS per idle connection, in KiB.
    pub fn idle_kib(&self) -> Option<f64> {
        self.number("/server/rss_kib_per_idle_connection")
    }

    /// Errors of any kind (error answers, wrong results, unanswered calls, lost connections).
    pub fn errors(&self) -> u64 {
        self.report
            .get("errors")
            .and_then(Value::as_u64)
            .unwrap_or(0)
    }

    /// One line for the log.
    pub fn summary(&self) -> String {
        let show =
            |v: Option<f64>, unit: &str| v.map_or(String::new(), |v| format!(" {v:.2}{unit}"));
        format!(
            "{}{}{}{}{} errors {}",
            show(self.rate(), "/s"),
            show(self.cpu_us(), " µs cpu"),
            show(self.latency_us("p99"), " µs p99"),
            show(
                self.rss_growth_kib()
                    .filter(|_| matches!(self.scenario.kind, Measure::Flood | Measure::Fanout)),
                " KiB growth"
            ),
            show(self.idle_kib(), " KiB/idle"),
            self.errors()
        )
    }
}

/// Every run as JSON, for `--raw`.
pub fn to_json(runs: &[Run]) -> Value {
    Value::Array(
        runs.iter()
            .map(|run| {
                json!({
                    "scenario": run.scenario.key,
                    "server": run.kind.name(),
                    "round": run.round,
                    "report": run.report,
                })
            })
            .collect(),
    )
}
