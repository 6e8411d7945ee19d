//! The scenarios, as `jrpc bench` options.

/// One load shape measured on both servers.
pub struct Scenario {
    /// Short name, used in logs and the raw results.
    pub key: &'static str,
    /// The report's name for it.
    pub title: &'static str,
    /// What is measured, for the report.
    pub kind: Measure,
    /// `jrpc bench` options (besides --url, --json, --server-pid).
    pub options: &'static [&'static str],
}

/// What a scenario's figures mean.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Measure {
    /// Calls per second, server CPU per call and latency; timed by `--duration`.
    Calls,
    /// A fixed number of notifications then a request: rate and memory growth.
    Flood,
    /// Idle connections: memory per connection.
    Idle,
    /// One topic, many subscribers: deliveries per second, server CPU per
    /// delivery, delivery latency, memory growth; timed by `--duration`.
    Fanout,
}

/// Every scenario, in the order of the issue that asked for them.
pub const SCENARIOS: &[Scenario] = &[
    Scenario {
        key: "latency",
        title: "1 connection × 1 in flight",
        kind: Measure::Calls,
        options: &["--connections", "1", "--in-flight", "1"],
    },
    Scenario {
        key: "throughput",
        title: "32 connections × 16 in flight",
        kind: Measure::Calls,
        options: &["--connections", "32", "--in-flight", "16"],
    },
    Scenario {
        key: "batch",
        title: "32 connections × 4 batches of 10",
        kind: Measure::Calls,
        options: &["--connections", "32", "--in-flight", "4", "--batch", "10"],
    },
    Scenario {
        key: "flood",
        title: "100,000 notifications, then a request",
        kind: Measure::Flood,
        // 60 s only bounds a server that stops reading.
        options: &["--notify", "--count", "100000", "--duration", "60"],
    },
    Scenario {
        key: "idle",
        title: "2,000 idle connections",
        kind: Measure::Idle,
        options: &[
            "--idle",
            "2000",
            "--connections",
            "0",
            "--duration",
            "1",
            "--warmup",
            "0",
        ],
    },
    Scenario {
        key: "fanout",
        title: "fan-out: 1,000 subscribers on 32 connections, one stalled",
        kind: Measure::Fanout,
        options: &[
            "--subscribers",
            "1000",
            "--connections",
            "32",
            "--in-flight",
            "4",
            "--stalled",
        ],
    },
];
