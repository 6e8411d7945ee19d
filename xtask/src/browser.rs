//! The browser tests: `jrpc-test-server` in a child process, and
//! `wasm-pack test` in headless Chromium against it.
//!
//! The server's URL reaches the tests at compile time (`JRPC_TEST_URL`, read
//! with `env!`/`option_env!`): the test page runs in the browser, where the
//! process environment does not exist. Cargo rebuilds the tests when the value
//! (a new port each run) changes.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::run::{cargo, describe, run, target_dir, tool};
use crate::wasm::CRATE_DIR;

/// What the server prints, followed by its WebSocket URL.
const READY_PREFIX: &str = "jrpc-test-server listening on ";
/// The server is already built, so it is up in well under a second; this only
/// bounds a server that hangs before printing.
const STARTUP_LIMIT: Duration = Duration::from_secs(30);

/// Starts the test server, runs the browser tests against it, stops it.
pub fn test(chromedriver: &Path) -> Result<(), String> {
    let server = TestServer::start()?;
    run(tool("wasm-pack")
        .args(["test", "--headless", "--chrome", CRATE_DIR])
        .env("CHROMEDRIVER", chromedriver)
        .env("JRPC_TEST_URL", &server.url))
    // `server` is dropped here, or on the way out of an error: it never outlives the task.
}

/// A running `jrpc-test-server`; dropping it kills the process.
pub struct TestServer {
    child: Child,
    /// Its WebSocket URL, e.g. `ws://127.0.0.1:PORT/rpc`.
    pub url: String,
}

impl TestServer {
    /// Builds the server, starts it on a free port and reads its URL.
    pub fn start() -> Result<TestServer, String> {
        run(cargo().args(["build", "-p", "jrpc-tests", "--bin", "jrpc-test-server"]))?;
        let binary = target_dir().join("debug/jrpc-test-server");
        let mut cmd = Command::new(&binary);
        cmd.args(["--addr", "127.0.0.1:0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped());
        let line = describe(&cmd);
        eprintln!("xtask: $ {line} &");
        let mut child = cmd
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
        let stdout = child.stdout.take();
        // From here on, every way out (errors included) kills the child.
        let mut server = TestServer {
            child,
            url: String::new(),
        };
        let stdout = stdout.ok_or("jrpc-test-server has no stdout")?;
        server.url = read_url(stdout)?;
        eprintln!(
            "xtask: jrpc-test-server (pid {}) listening on {}",
            server.child.id(),
            server.url
        );
        Ok(server)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        // A test server holds no state worth a graceful shutdown.
        let _ = self.child.kill();
        match self.child.wait() {
            Ok(_) => eprintln!("xtask: stopped jrpc-test-server (pid {})", self.child.id()),
            Err(e) => eprintln!("xtask: could not reap jrpc-test-server: {e}"),
        }
    }
}

/// Reads the server's first stdout line, with a time limit. A thread does the
/// reading because std has no timed read; it then drains the pipe to the end,
/// so the server never blocks or fails on a full or closed stdout.
fn read_url(stdout: impl std::io::Read + Send + 'static) -> Result<String, String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut lines = BufReader::new(stdout).lines();
        let _ = tx.send(lines.next());
        for line in lines.map_while(Result::ok) {
            eprintln!("jrpc-test-server: {line}");
        }
    });
    let first = match rx.recv_timeout(STARTUP_LIMIT) {
        Ok(Some(Ok(line))) => line,
        Ok(Some(Err(e))) => return Err(format!("cannot read jrpc-test-server's output: {e}")),
        Ok(None) | Err(mpsc::RecvTimeoutError::Disconnected) => {
            return Err("jrpc-test-server exited before it was listening".to_owned());
        }
        Err(mpsc::RecvTimeoutError::Timeout) => {
            return Err(format!(
                "jrpc-test-server printed nothing within {STARTUP_LIMIT:?}"
            ));
        }
    };
    match first.strip_prefix(READY_PREFIX) {
        Some(url) if url.starts_with("ws://") => Ok(url.trim().to_owned()),
        _ => Err(format!(
            "unexpected first line from jrpc-test-server: {first:?}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_url_line() {
        let out = b"jrpc-test-server listening on ws://127.0.0.1:4000/rpc\n".as_slice();
        assert_eq!(read_url(out).unwrap(), "ws://127.0.0.1:4000/rpc");
        let err = read_url(b"hello\n".as_slice()).unwrap_err();
        assert!(err.contains("unexpected first line"), "{err}");
        let err = read_url(b"".as_slice()).unwrap_err();
        assert!(err.contains("exited"), "{err}");
    }
}
