//! What is read off the server at each scrape rather than kept up to date
//! on the way: the connections and subscriptions open now, and each
//! method's latency histogram (kept in its own atomics, see `latency.rs`).

use std::fmt;
use std::sync::Weak;

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric};
use prometheus_client::metrics::MetricType;
use prometheus_client::metrics::gauge::ConstGauge;

use super::MethodLabel;
use crate::server::ServerState;

/// The server, read at each scrape (weakly: the registry lives in it).
pub(super) struct Scraped(pub(super) Weak<ServerState>);

impl fmt::Debug for Scraped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Scraped")
    }
}

impl Collector for Scraped {
    fn encode(&self, mut encoder: DescriptorEncoder<'_>) -> Result<(), fmt::Error> {
        let Some(server) = self.0.upgrade() else {
            return Ok(());
        };
        // Copied out, so that the live list (which every connection takes
        // as it opens and ends) is held only for the copy, not for the
        // walk through each connection's subscription table.
        let connections: Vec<_> = server.live().values().cloned().collect();
        let subscriptions: usize = connections.iter().map(|c| c.subscriptions()).sum();
        let gauges = [
            (
                "connections_open",
                "WebSocket connections open now",
                connections.len(),
            ),
            (
                "subscriptions_open",
                "Subscriptions open now, on all connections",
                subscriptions,
            ),
        ];
        drop(connections);
        for (name, help, value) in gauges {
            let gauge = ConstGauge::new(i64::try_from(value).unwrap_or(i64::MAX));
            let metric = encoder.encode_descriptor(name, help, None, gauge.metric_type())?;
            gauge.encode(metric)?;
        }
        let Some(metrics) = server.meter.metrics() else {
            return Ok(());
        };
        // By name, so that the page reads the same from one scrape to the next.
        let mut called: Vec<_> = metrics
            .methods
            .iter()
            .filter(|(_, stats)| stats.latency.count() > 0)
            .collect();
        called.sort_unstable_by(|a, b| a.0.cmp(b.0));
        let help = "Time from a call's handler starting to its answer, by method";
        let mut family = encoder.encode_descriptor(
            "call_duration_seconds",
            help,
            None,
            MetricType::Histogram,
        )?;
        for (name, stats) in called {
            let label = MethodLabel {
                method: name.clone(),
            };
            stats.latency.encode(family.encode_family(&label)?)?;
        }
        Ok(())
    }
}
