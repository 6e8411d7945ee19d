//! The server the browser tests run against: the demo methods
//! ([`jrpc_cli::demo::math_methods`]) plus the `test.*` controls in
//! [`methods`], accepting pages of any origin (the client tests run on a page
//! that their own static file server serves from another port).
//!
//! [`TestServer`] owns the serving loop, because `test.restart` needs one:
//! bind, serve until a restart is asked for, shut down gracefully, stay down
//! for the requested time, then bind the same address again.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! let server = jrpc_tests::test_server::TestServer::start("127.0.0.1:0").await?;
//! println!("{}", server.url()); // ws://127.0.0.1:PORT/rpc
//! server.stop().await
//! # }
//! ```

mod keys;
pub mod methods;

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use jrpc::{Server, ServerHandle};
use tokio::net::ToSocketAddrs;
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinHandle;

pub use keys::Status;
use methods::Controls;
pub use methods::count_methods;

/// How long a shutdown (or restart) lets running calls finish. Short: the
/// calls that run long here are `test.hang`s, which never finish anyway.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(1);

/// A running test server; dropping it stops the server too.
pub struct TestServer {
    url: String,
    local_addr: SocketAddr,
    binds: watch::Receiver<u64>,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<io::Result<()>>,
}

impl TestServer {
    /// Binds `addr` (port 0 picks a free port) and starts serving.
    pub async fn start(addr: impl ToSocketAddrs) -> io::Result<TestServer> {
        let (restarts_tx, restarts) = mpsc::unbounded_channel();
        let controls = Arc::new(Controls::new(restarts_tx));
        let server = bind(addr, &controls).await?;
        let handle = server.handle();
        let (binds_tx, binds) = watch::channel(1);
        let (stop, stopped) = oneshot::channel();
        let serving = Serving {
            controls,
            restarts,
            stopped,
            binds: binds_tx,
        };
        Ok(TestServer {
            url: handle.url(),
            local_addr: handle.local_addr(),
            binds,
            stop: Some(stop),
            task: tokio::spawn(serving.run(server)),
        })
    }

    /// The WebSocket URL, e.g. `ws://127.0.0.1:PORT/rpc`; the same after restarts.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The address the server listens on; the same after restarts.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Completes once the server has bound its address `n` times (1 at start,
    /// one more after each `test.restart`), i.e. when it accepts again.
    pub async fn bound(&self, n: u64) {
        let mut binds = self.binds.clone();
        // An error means the serving loop ended; the caller's next step then
        // fails on its own, with a clearer message than one from here.
        let _ = binds.wait_for(|&count| count >= n).await;
    }

    /// Serves until `signal` completes, then stops gracefully. Fails early if
    /// the server cannot bind its address again after a restart.
    pub async fn run_until(mut self, signal: impl Future<Output = ()>) -> io::Result<()> {
        tokio::select! {
            ended = &mut self.task => return joined(ended),
            () = signal => {}
        }
        self.stop().await
    }

    /// Stops the server gracefully and waits until it has stopped.
    pub async fn stop(mut self) -> io::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        joined((&mut self.task).await)
    }
}

fn joined(ended: Result<io::Result<()>, tokio::task::JoinError>) -> io::Result<()> {
    ended.unwrap_or_else(|e| Err(io::Error::other(format!("the serving loop failed: {e}"))))
}

/// Binds a server with the test methods and points the controls at it.
async fn bind(addr: impl ToSocketAddrs, controls: &Arc<Controls>) -> io::Result<Server> {
    let server = Server::builder()
        .methods(methods::methods(controls))
        .auth(methods::sign_in)
        .allow_origin("*")
        .with_limits(|l| l.shutdown_grace = SHUTDOWN_GRACE)
        .bind(addr)
        .await?;
    // Before it runs, so no call can find the controls pointing nowhere.
    controls.set_server(server.handle());
    Ok(server)
}

/// The serving loop's state.
struct Serving {
    controls: Arc<Controls>,
    restarts: mpsc::UnboundedReceiver<Duration>,
    /// Completes on `stop`, or with an error when the [`TestServer`] is dropped.
    stopped: oneshot::Receiver<()>,
    binds: watch::Sender<u64>,
}

impl Serving {
    async fn run(mut self, mut server: Server) -> io::Result<()> {
        let addr = server.local_addr();
        loop {
            let handle = server.spawn();
            let down = tokio::select! {
                // `Controls` holds a sender, so `recv` never returns None here.
                Some(down) = self.restarts.recv() => Some(down),
                _ = &mut self.stopped => None,
            };
            shut_down(&handle).await;
            let Some(down) = down else {
                return Ok(());
            };
            // The outage is what `test.restart` asks for, not a synchronisation.
            tokio::time::sleep(down).await;
            // tokio sets SO_REUSEADDR, so the port is free again even while the
            // old connections linger in TIME_WAIT.
            server = bind(addr, &self.controls).await?;
            self.binds.send_modify(|count| *count += 1);
        }
    }
}

async fn shut_down(handle: &ServerHandle) {
    handle.shutdown();
    handle.stopped().await;
}
