//! Prometheus metrics of a server (feature `metrics`), served at
//! `GET /metrics` in the text format (see [`ServerBuilder::metrics`]).
//!
//! | metric | type | labels |
//! |---|---|---|
//! | `jrpc_connections_open` | gauge | |
//! | `jrpc_connections_accepted_total` | counter | `transport`: `websocket`, `http` (a POST) |
//! | `jrpc_connections_refused_total` | counter | `reason`: `limit`, `origin`, `auth`, `bad_request`, `timeout`, `tls`, `shutting_down` |
//! | `jrpc_calls_total` | counter | `method`, `outcome` (below) |
//! | `jrpc_call_duration_seconds` | histogram | `method` (from the handler's start to its answer) |
//! | `jrpc_messages_rejected_total` | counter | `reason`: `parse_error`, `invalid_request`, `method_not_found`, `busy`, `too_large` |
//! | `jrpc_received_bytes_total`, `jrpc_sent_bytes_total` | counter | |
//! | `jrpc_subscriptions_open` | gauge | |
//!
//! A call's `outcome` is `ok`, `error` (the handler's own error),
//! `invalid_params`, `internal_error` (a panic among them), `cancelled`
//! (by the client, or its connection went away), `timed_out`, `busy`,
//! `rate_limited` or `unauthenticated`. Calls are requests and
//! notifications that reached a registered method's handler or were
//! refused on its behalf; `method` is only ever a registered name, so a
//! client cannot make up label values. What the engine refused before any
//! handler (unknown methods, bad JSON, over the in-flight limit, during
//! shutdown) is `jrpc_messages_rejected_total`. Bytes are WebSocket
//! messages' and POST bodies' payloads.
//!
//! Every handle is made when the server is built: counting a call costs a
//! clock read and a few atomic adds, nothing is looked up by name.
//!
//! [`ServerBuilder::metrics`]: crate::ServerBuilder::metrics

use std::collections::HashMap;
use std::sync::{Arc, OnceLock, Weak};
use std::time::Instant;

use jrpc_shared::handler::DynHandler;
use jrpc_shared::{RESERVED_PREFIX, code};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::registry::Registry;

mod latency;
mod measured;
mod scrape;

use latency::Latency;
pub(crate) use measured::Measured;
/// The Prometheus client this crate counts with: the registry given to
/// [`ServerBuilder::metrics`](crate::ServerBuilder::metrics) is its
/// `registry::Registry`, where an application registers its own metrics
/// to be served on the same page.
pub use prometheus_client;
use scrape::Scraped;

use crate::meter::{Refused, Transport};
use crate::server::ServerState;
use crate::{Connection, MethodSet};

/// How a call ended, as the `outcome` label says it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    Ok,
    Error,
    InvalidParams,
    InternalError,
    Cancelled,
    TimedOut,
    Busy,
    RateLimited,
    Unauthenticated,
}

impl Outcome {
    const ALL: usize = 9;

    /// The outcome of a handler's result.
    pub(crate) fn of_result(result: &jrpc_shared::HandlerResult) -> Outcome {
        match result {
            Ok(_) => Outcome::Ok,
            Err(error) => Outcome::of_error(error.code),
        }
    }

    /// The outcome of an answer with error `code`.
    pub(crate) fn of_error(code: i64) -> Outcome {
        match code {
            code::INVALID_PARAMS => Outcome::InvalidParams,
            code::INTERNAL_ERROR => Outcome::InternalError,
            code::REQUEST_CANCELLED => Outcome::Cancelled,
            code::REQUEST_TIMEOUT => Outcome::TimedOut,
            code::SERVER_BUSY => Outcome::Busy,
            code::RATE_LIMITED => Outcome::RateLimited,
            code::UNAUTHENTICATED => Outcome::Unauthenticated,
            _ => Outcome::Error,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Error => "error",
            Outcome::InvalidParams => "invalid_params",
            Outcome::InternalError => "internal_error",
            Outcome::Cancelled => "cancelled",
            Outcome::TimedOut => "timed_out",
            Outcome::Busy => "busy",
            Outcome::RateLimited => "rate_limited",
            Outcome::Unauthenticated => "unauthenticated",
        }
    }
}

impl Refused {
    fn label(self) -> &'static str {
        match self {
            Refused::Limit => "limit",
            Refused::Origin => "origin",
            Refused::Auth => "auth",
            Refused::BadRequest => "bad_request",
            Refused::Timeout => "timeout",
            Refused::Tls => "tls",
            Refused::ShuttingDown => "shutting_down",
        }
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CallLabels {
    method: String,
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct MethodLabel {
    method: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReasonLabel {
    reason: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct TransportLabel {
    transport: &'static str,
}

/// One method's handles: its calls by outcome and its latency.
pub(crate) struct MethodStats {
    name: String,
    calls: Family<CallLabels, Counter>,
    /// Made on first use, so that the page shows only outcomes that happened
    /// (and `ok`, made at once, for every method).
    outcomes: [OnceLock<Counter>; Outcome::ALL],
    /// Shown once a call was timed: a method never called shows no histogram.
    latency: Latency,
}

impl MethodStats {
    /// Counts a call that ended as `outcome`, `started` when it did.
    pub(crate) fn ended(&self, outcome: Outcome, started: Option<Instant>) {
        self.counter(outcome).inc();
        if let Some(started) = started {
            self.latency.observe(started.elapsed());
        }
    }

    fn counter(&self, outcome: Outcome) -> &Counter {
        self.outcomes[outcome as usize].get_or_init(|| {
            let labels = CallLabels {
                method: self.name.clone(),
                outcome: outcome.label(),
            };
            self.calls.get_or_create_owned(&labels)
        })
    }
}

/// A server's metrics: the registry it serves and the handles it counts with.
pub(crate) struct Metrics {
    registry: Registry,
    methods: HashMap<String, Arc<MethodStats>>,
    accepted: Family<TransportLabel, Counter>,
    refused: Family<ReasonLabel, Counter>,
    rejected: Family<ReasonLabel, Counter>,
    received: Counter,
    sent: Counter,
}

impl Metrics {
    /// Registers the server's metrics in `registry` under `jrpc_`, with
    /// handles for each method of `methods`, whose handlers it wraps to
    /// count their calls; `server` is read at each scrape for the open
    /// connections and subscriptions.
    pub(crate) fn new(
        mut registry: Registry,
        methods: &mut MethodSet,
        server: Weak<ServerState>,
    ) -> Metrics {
        let calls = Family::<CallLabels, Counter>::default();
        let stats: HashMap<String, Arc<MethodStats>> = methods
            .names()
            .map(|name| {
                let method = name.to_owned();
                let stats = MethodStats {
                    name: method.clone(),
                    calls: calls.clone(),
                    outcomes: Default::default(),
                    latency: Latency::default(),
                };
                stats.counter(Outcome::Ok);
                (method, Arc::new(stats))
            })
            .collect();
        for (name, stats) in &stats {
            let Some(handler) = methods.table.remove(name) else {
                continue;
            };
            let measured: DynHandler<Connection> =
                Box::new(Measured::new(handler, Arc::clone(stats)));
            // Back under the name it was just registered with: cannot fail.
            let _ = match name.starts_with(RESERVED_PREFIX) {
                true => methods.table.insert_extension(name, measured),
                false => methods.table.insert(name, measured),
            };
        }
        let (accepted, refused, rejected) = Default::default();
        let (received, sent) = Default::default();
        let jrpc = registry.sub_registry_with_prefix("jrpc");
        jrpc.register_collector(Box::new(Scraped(server)));
        let help = "Connections taken: WebSocket upgrades and JSON-RPC POSTs";
        jrpc.register("connections_accepted", help, Family::clone(&accepted));
        let help = "Connections refused before they were served, by reason";
        jrpc.register("connections_refused", help, Family::clone(&refused));
        let help = "Calls handled or refused on a method's behalf, by method and outcome";
        jrpc.register("calls", help, calls);
        let help = "Messages answered with an error before any handler saw them, by reason";
        jrpc.register("messages_rejected", help, Family::clone(&rejected));
        let help = "Bytes of JSON-RPC messages received";
        jrpc.register("received_bytes", help, Counter::clone(&received));
        let help = "Bytes of JSON-RPC messages sent";
        jrpc.register("sent_bytes", help, Counter::clone(&sent));
        Metrics {
            registry,
            methods: stats,
            accepted,
            refused,
            rejected,
            received,
            sent,
        }
    }

    /// The page `GET /metrics` answers, in the Prometheus text format.
    pub(crate) fn encode(&self) -> String {
        let mut text = String::with_capacity(4096);
        // Only a failing writer can fail, and a `String` does not.
        let _ = prometheus_client::encoding::text::encode(&mut text, &self.registry);
        text
    }

    /// Counts a call to `method` that was refused with error `code`
    /// before its handler ran (a registered method: others have no label).
    pub(crate) fn refused_call(&self, method: &str, code: i64) {
        if let Some(stats) = self.methods.get(method) {
            stats.ended(Outcome::of_error(code), None);
        }
    }

    pub(crate) fn accepted(&self, transport: Transport) {
        let transport = match transport {
            Transport::WebSocket => "websocket",
            Transport::Http => "http",
        };
        self.accepted
            .get_or_create(&TransportLabel { transport })
            .inc();
    }

    pub(crate) fn refused(&self, why: Refused) {
        let reason = why.label();
        self.refused.get_or_create(&ReasonLabel { reason }).inc();
    }

    pub(crate) fn rejected(&self, rejected: jrpc_shared::Rejected) {
        if rejected.is_empty() {
            return;
        }
        let kinds = [
            ("parse_error", rejected.parse_error),
            ("invalid_request", rejected.invalid_request),
            ("method_not_found", rejected.method_not_found),
            ("busy", rejected.busy),
            ("too_large", rejected.too_large),
        ];
        for (reason, n) in kinds {
            if n > 0 {
                self.rejected
                    .get_or_create(&ReasonLabel { reason })
                    .inc_by(n);
            }
        }
    }

    pub(crate) fn received(&self, bytes: usize) {
        self.received.inc_by(bytes as u64);
    }

    pub(crate) fn sent(&self, bytes: usize) {
        self.sent.inc_by(bytes as u64);
    }
}
