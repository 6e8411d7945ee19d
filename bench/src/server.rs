//! Starting and stopping the two servers, each pinned to its core.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// How long a server may take to print its address.
const STARTUP_LIMIT: Duration = Duration::from_secs(20);

/// Which server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// This project's `jrpc-server`.
    Jrpc,
    /// The jsonrpsee reference (`examples/jsonrpsee_reference.rs`).
    Jsonrpsee,
}

impl Kind {
    /// The name used in the report.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Jrpc => "jrpc",
            Kind::Jsonrpsee => "jsonrpsee",
        }
    }

    /// Arguments for a loopback server on a free port, without static
    /// files, and without the metrics and health check that jrpc-server
    /// serves by default: the reference keeps none, so both are measured
    /// plain (what metrics cost is measured apart, in docs/BENCHMARKS.md).
    fn args(self) -> &'static [&'static str] {
        match self {
            Kind::Jrpc => &[
                "--addr",
                "127.0.0.1:0",
                "--no-www",
                "--no-metrics",
                "--no-health-check",
            ],
            Kind::Jsonrpsee => &["127.0.0.1:0"],
        }
    }
}

/// Where `taskset` is, if anywhere: servers go to core 0, the load to core 1.
pub struct Pinning {
    taskset: Option<PathBuf>,
}

/// The server's core.
pub const SERVER_CORE: &str = "0";
/// The load generator's core.
pub const LOAD_CORE: &str = "1";

impl Pinning {
    /// Finds `taskset` on `PATH`.
    pub fn detect() -> Pinning {
        let taskset = std::env::var_os("PATH").and_then(|path| {
            std::env::split_paths(&path)
                .map(|dir| dir.join("taskset"))
                .find(|candidate| candidate.is_file())
        });
        Pinning { taskset }
    }

    /// Whether commands are really pinned.
    pub fn available(&self) -> bool {
        self.taskset.is_some()
    }

    /// A command running `program` on `core` (unpinned without `taskset`).
    pub fn command(&self, core: &str, program: &Path) -> Command {
        match &self.taskset {
            Some(taskset) => {
                let mut cmd = Command::new(taskset);
                cmd.args(["-c", core]).arg(program);
                cmd
            }
            None => Command::new(program),
        }
    }
}

/// A running server; dropping it kills the process.
pub struct Running {
    child: Child,
    /// Which server this is.
    pub kind: Kind,
    /// Its WebSocket URL.
    pub url: String,
}

impl Running {
    /// Starts `binary` on core 0 and waits for the line with its address.
    pub fn start(kind: Kind, binary: &Path, pinning: &Pinning) -> Result<Running, String> {
        let mut cmd = pinning.command(SERVER_CORE, binary);
        cmd.args(kind.args())
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        let mut child = cmd
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
        let stdout = child.stdout.take();
        // From here on every way out kills the child.
        let mut running = Running {
            child,
            kind,
            url: String::new(),
        };
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout?).lines();
            let first = lines.next()?.ok();
            let _ = tx.send(first);
            // Keep draining so the server never blocks on a full pipe.
            lines.for_each(drop);
            Some(())
        });
        let line = rx
            .recv_timeout(STARTUP_LIMIT)
            .ok()
            .flatten()
            .ok_or_else(|| {
                format!(
                    "{} printed no address within {STARTUP_LIMIT:?}",
                    binary.display()
                )
            })?;
        running.url = websocket_url(&line).ok_or_else(|| {
            format!(
                "no ws:// URL in the first line of {}: {line:?}",
                binary.display()
            )
        })?;
        Ok(running)
    }

    /// The server's process id (for its CPU time and memory).
    pub fn pid(&self) -> u32 {
        // With taskset the child execs the server, so the pid is the server's.
        self.child.id()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The first `ws://…` token of a startup line, without trailing punctuation.
fn websocket_url(line: &str) -> Option<String> {
    let start = line.find("ws://")?;
    let url: String = line[start..]
        .chars()
        .take_while(|c| !c.is_whitespace() && *c != ')')
        .collect();
    Some(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_url_in_both_startup_lines() {
        assert_eq!(
            websocket_url("jrpc-server listening on http://127.0.0.1:4000/ (WebSocket ws://127.0.0.1:4000/rpc)").as_deref(),
            Some("ws://127.0.0.1:4000/rpc")
        );
        assert_eq!(
            websocket_url("jsonrpsee-reference listening on ws://127.0.0.1:4001/").as_deref(),
            Some("ws://127.0.0.1:4001/")
        );
        assert_eq!(websocket_url("listening"), None);
    }
}
