//! Waiting for the signals that should stop a server process.

/// Completes on Ctrl-C or, on Unix, SIGTERM: the usual trigger for
/// [`ServerHandle::shutdown`](crate::ServerHandle::shutdown) in a binary.
///
/// ```no_run
/// # async fn demo(handle: jrpc::ServerHandle) {
/// jrpc::shutdown_signal().await;
/// handle.shutdown();
/// handle.stopped().await;
/// # }
/// ```
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            // Without a handler, never report a signal that did not happen.
            tracing::warn!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                term.recv().await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}
