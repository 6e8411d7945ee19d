//! The `jrpc` binary for the CLI tests.
//!
//! The binary belongs to another package, so Cargo does not hand its path to
//! these tests; [`jrpc_bin`] builds it once (a no-op when it is up to date)
//! into the same target directory and profile as the test and runs it from there.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// What a run of `jrpc` did.
#[allow(dead_code)] // not every test file reads every field
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub took: Duration,
}

/// Runs `jrpc ARGS` (with no `JRPC_URL`) on a blocking thread, so a server
/// on the test's runtime keeps serving.
#[allow(dead_code)] // not every test file that includes this module uses it
pub async fn jrpc(args: &[&str]) -> Run {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        let started = Instant::now();
        let output = Command::new(jrpc_bin())
            .args(&args)
            .env_remove("JRPC_URL")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        Run {
            code: output.status.code(),
            stdout: String::from_utf8(output.stdout).unwrap(),
            stderr: String::from_utf8(output.stderr).unwrap(),
            took: started.elapsed(),
        }
    })
    .await
    .unwrap()
}

/// The `jrpc` binary, built on first use.
#[allow(dead_code)] // not every test file that includes this module uses both
pub fn jrpc_bin() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| build("jrpc"))
}

/// The `jrpc-server` binary, built on first use.
#[allow(dead_code)] // not every test file that includes this module uses both
pub fn server_bin() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| build("jrpc-server"))
}

fn build(name: &str) -> PathBuf {
    {
        // The test runs from <target-dir>/<profile-dir>/deps/.
        let exe = std::env::current_exe().unwrap();
        let profile_dir = exe.parent().unwrap().parent().unwrap();
        let target_dir = profile_dir.parent().unwrap();
        let profile = match profile_dir.file_name().unwrap().to_str().unwrap() {
            "debug" => "dev",
            other => other,
        };
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let status = Command::new(cargo)
            .args(["build", "--quiet", "-p", "jrpc-cli", "--bin", name])
            .args(["--profile", profile, "--target-dir"])
            .arg(target_dir)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .unwrap();
        assert!(status.success(), "building the {name} binary failed");
        profile_dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX))
    }
}

/// Starts `command` (the `jrpc-server` binary, its flags set by the caller)
/// with stdout piped, and reads its startup line: the child, the line, and
/// the WebSocket URL the line gives.
#[allow(dead_code)] // not every test file that includes this module starts the server
pub fn spawn_server(mut command: Command) -> (std::process::Child, String, String) {
    use std::io::{BufRead, BufReader};
    let mut child = command.stdout(Stdio::piped()).spawn().unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .split("(WebSocket ")
        .nth(1)
        .and_then(|rest| rest.strip_suffix(")\n"))
        .unwrap_or_else(|| panic!("no URL in {line:?}"))
        .to_owned();
    (child, line, url)
}
