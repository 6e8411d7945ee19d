//! `GET /healthz` and `GET /metrics`: what a load balancer and a Prometheus
//! server ask a server on its own port, when the server was built to answer
//! them (`ServerBuilder::health_check`, `ServerBuilder::metrics`).

use http::StatusCode;
use tokio::io::{AsyncRead, AsyncWrite};

use super::RequestHead;
use super::response::write_response;
use crate::server::ServerState;

/// The health check's path.
pub(crate) const HEALTHZ: &str = "/healthz";
/// The metrics page's path.
#[cfg(feature = "metrics")]
pub(crate) const METRICS: &str = "/metrics";

/// What the metrics page is: the OpenMetrics text format that
/// prometheus-client writes, which Prometheus reads.
#[cfg(feature = "metrics")]
const OPENMETRICS: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Whether `head` asks for one of the probes this server answers.
pub(crate) fn wants(state: &ServerState, head: &RequestHead) -> bool {
    if !matches!(head.method.as_str(), "GET" | "HEAD") {
        return false;
    }
    match head.path() {
        HEALTHZ => state.health_check,
        #[cfg(feature = "metrics")]
        METRICS => state.meter.metrics().is_some(),
        _ => false,
    }
}

/// Answers the probe `head` asks for (see [`wants`]); a page of another
/// origin is refused by the caller, as for the WebSocket.
pub(crate) async fn answer<S: AsyncRead + AsyncWrite + Unpin>(
    stream: &mut S,
    state: &ServerState,
    head: &RequestHead,
) -> std::io::Result<()> {
    let send_body = head.method != "HEAD";
    let (status, content_type, body) = match head.path() {
        #[cfg(feature = "metrics")]
        METRICS => {
            let text = state
                .meter
                .metrics()
                .map(|m| m.encode())
                .unwrap_or_default();
            (StatusCode::OK, OPENMETRICS, text)
        }
        _ if state.is_shutting_down() => (
            StatusCode::SERVICE_UNAVAILABLE,
            super::response::TEXT_PLAIN,
            "draining\n".to_owned(),
        ),
        _ => (
            StatusCode::OK,
            super::response::TEXT_PLAIN,
            "ok\n".to_owned(),
        ),
    };
    let headers = [
        ("Content-Type", content_type),
        ("Cache-Control", "no-store"),
    ];
    write_response(stream, status, &headers, body.as_bytes(), send_body).await
}
