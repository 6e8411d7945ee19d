//! The original Python clients that jrpc replaces, installed from PyPI into
//! a virtualenv under the target directory (`tests/python/requirements.txt`)
//! and run unchanged against a jrpc server:
//!
//! - the original `jrpc` command line against the legacy dialect endpoint,
//!   with the small fixes it needs on Python 3.11 (`tests/python/original_jrpc_cli.py`);
//! - wsjsonrpc's client with its msgpack codec and with JSON
//!   (`tests/python/wsjsonrpc_client.py`).
//!
//! The fixes are applied to the virtualenv's own copy, never to another Python.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use common::{start_demo_with_legacy, stop};
use jrpc::{Connection, ErrorObject, ServerHandle};
use serde_json::{Value, json};
use tokio::sync::mpsc;

const SCRIPTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/python");

/// A Python with the original clients installed.
fn python() -> &'static Path {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON.get_or_init(virtualenv)
}

/// `<target>/python-clients`, made and filled once per requirements file.
fn virtualenv() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    // The test runs from <target-dir>/<profile-dir>/deps/.
    let target = exe.ancestors().nth(3).unwrap();
    let dir = target.join("python-clients");
    let python = dir.join("bin").join("python");
    let requirements = Path::new(SCRIPTS).join("requirements.txt");
    let wanted = std::fs::read_to_string(&requirements).unwrap();
    let stamp = dir.join("installed-requirements.txt");
    if std::fs::read_to_string(&stamp).ok().as_deref() == Some(wanted.as_str()) {
        return python;
    }
    let run = |command: &mut Command, what: &str| {
        let status = command.status().unwrap_or_else(|e| panic!("{what}: {e}"));
        assert!(status.success(), "{what} failed ({status})");
    };
    run(
        Command::new("python3")
            .args(["-m", "venv", "--clear"])
            .arg(&dir),
        "python3 -m venv (on Debian: apt-get install python3-venv)",
    );
    run(
        Command::new(&python)
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "-r",
            ])
            .arg(&requirements),
        "pip install -r tests/python/requirements.txt (needs the PyPI registry)",
    );
    std::fs::write(&stamp, wanted).unwrap();
    python
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Runs a script of `tests/python` on a blocking thread, so the server on
/// this runtime keeps serving.
async fn script(name: &str, args: Vec<String>) -> Run {
    let name = name.to_owned();
    tokio::task::spawn_blocking(move || {
        let output = Command::new(python())
            .arg(Path::new(SCRIPTS).join(name))
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        Run {
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    })
    .await
    .unwrap()
}

/// The demo methods on both endpoints, plus `test.note`, a notification
/// whose params are reported on the returned channel.
async fn start() -> (ServerHandle, u16, mpsc::UnboundedReceiver<Value>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let note = move |_c: Connection, params: Value| {
        tx.send(params).unwrap();
        Ok::<_, ErrorObject>(())
    };
    let (server, legacy) = start_demo_with_legacy(|b| b.sync_method("test.note", note)).await;
    (server, legacy.port(), rx)
}

#[tokio::test]
async fn the_original_jrpc_command_line_works_against_the_legacy_endpoint() {
    let (server, legacy, _) = start().await;
    let cli = |args: &[&str]| {
        let mut all = vec!["127.0.0.1".to_owned(), legacy.to_string()];
        all.extend(args.iter().map(|a| a.to_string()));
        script("original_jrpc_cli.py", all)
    };
    let run = cli(&["Add", "-a", "5,10"]).await;
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (Some(0), "15\n"),
        "{}",
        run.stderr
    );
    let run = cli(&["Multiply", "-a", "6", "-k", "b=7"]).await;
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (Some(0), "42\n"),
        "{}",
        run.stderr
    );
    // Its way of showing a failure: "<type name>:<message>".
    let run = cli(&["Divide", "-a", "1,0"]).await;
    assert_eq!(
        run.stdout, "ZeroDivisionError:division by zero\n",
        "{}",
        run.stderr
    );
    let run = cli(&["Nope"]).await;
    assert!(
        run.stdout.starts_with("KeyError:"),
        "{}{}",
        run.stdout,
        run.stderr
    );
    stop(&server).await;
}

async fn wsjsonrpc(codec: &str) {
    let (server, _, mut notes) = start().await;
    let port = server.local_addr().port().to_string();
    let args = ["127.0.0.1", &port, "rpc", codec]
        .map(str::to_owned)
        .to_vec();
    let run = script("wsjsonrpc_client.py", args).await;
    assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
    let got: Value = serde_json::from_str(run.stdout.trim())
        .unwrap_or_else(|e| panic!("{e}: {}{}", run.stdout, run.stderr));
    assert_eq!(
        got,
        json!({
            "frames": [if codec == "msgpack" { "binary" } else { "text" }],
            "call": 3,
            "batch": [5, 9],
            "callback": "hello jrpc",
            "error": ["JsonRpcMethodNotFound", -32601, "Method not found"],
            "app_error": ["JsonRpcCustomException", 100, "division by zero"],
        })
    );
    // Its notification arrived, once.
    assert_eq!(notes.try_recv().ok(), Some(json!(["from python"])));
    assert!(notes.try_recv().is_err());
    stop(&server).await;
}

#[tokio::test]
async fn wsjsonrpcs_client_with_its_msgpack_codec_calls_batches_notifies_and_is_called() {
    wsjsonrpc("msgpack").await;
}

#[tokio::test]
async fn wsjsonrpcs_client_with_json_calls_batches_notifies_and_is_called() {
    wsjsonrpc("json").await;
}
