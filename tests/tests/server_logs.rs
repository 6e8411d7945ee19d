//! What `jrpc-server` logs, read as a person reads a log file: plain text
//! when stderr is not a terminal, and a refusal that names its way out.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;
mod jrpc_bin;

use std::io::Read;
use std::process::{Command, Stdio};

use common::{Raw, http_status, request_with};
use tokio_tungstenite::tungstenite::Error as WsError;

#[tokio::test]
async fn a_log_file_has_no_colour_codes_and_a_refused_origin_names_the_flag_that_allows_it() {
    let mut command = Command::new(jrpc_bin::server_bin());
    command
        .args(["--addr", "127.0.0.1:0", "--push-interval", "0"])
        .env("RUST_LOG", "info")
        .env_remove("NO_COLOR")
        .stderr(Stdio::piped());
    let (mut child, _, url) = jrpc_bin::spawn_server(command);

    // A page served by a dev server on another port.
    let dev_server = "http://localhost:5173";
    let refused = Raw::try_connect(request_with(&url, &[("origin", dev_server)])).await;
    let body = match &refused {
        Err(WsError::Http(response)) => {
            String::from_utf8_lossy(response.body().as_deref().unwrap_or_default()).into_owned()
        }
        _ => String::new(),
    };
    assert_eq!(http_status(refused), 403);
    assert!(
        body.contains(&format!("--allow-origin {dev_server}")),
        "{body}"
    );

    child.kill().unwrap();
    let mut log = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut log)
        .unwrap();
    child.wait().unwrap();
    assert!(
        !log.contains('\u{1b}'),
        "escape codes in a piped log:\n{log}"
    );
    let refusal = log
        .lines()
        .find(|l| l.contains("refused a WebSocket"))
        .unwrap_or_else(|| panic!("no refusal in the log:\n{log}"));
    assert!(
        refusal.contains(&format!(
            "start the server with --allow-origin {dev_server}"
        )),
        "{refusal}"
    );
}
