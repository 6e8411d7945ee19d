//! TLS (feature `tls`): a server with `ServerBuilder::tls` serves `wss://`
//! and `https://`; the native client and the `jrpc` CLI connect to it when
//! they trust its certificate (`ClientBuilder::tls`, `--ca`), and refuse it
//! when they do not. Certificates are made at run time (rcgen).

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;
mod jrpc_bin;

use std::path::PathBuf;

use common::{basic, start, stop};
use jrpc::{Client, ConnectError};
use jrpc_tests::cert::write_self_signed;

/// A scratch directory removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("jrpc-tls-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[tokio::test]
async fn a_client_that_trusts_the_certificate_calls_over_wss_and_others_are_refused() {
    let scratch = Scratch::new("native");
    let (cert, key) = write_self_signed(&scratch.0).unwrap();
    let server = start(basic().tls(jrpc::tls::server_config(&cert, &key).unwrap())).await;
    let url = server.url();
    assert!(url.starts_with("wss://127.0.0.1:"), "{url}");

    let trusting = jrpc::tls::client_config(&[&cert]).unwrap();
    let client = Client::builder().tls(trusting).connect(&url).await.unwrap();
    assert_eq!(
        client.request::<String, _>("ping", &()).await.unwrap(),
        "pong"
    );
    assert!(client.peer_addr().is_some());

    // The system's roots do not know a self-signed certificate.
    match Client::connect(&url).await {
        Err(e @ ConnectError::Tls { .. }) => {
            let text = e.to_string();
            assert!(text.contains("invalid peer certificate"), "{text}");
            assert!(text.contains("ClientBuilder::tls"), "{text}");
        }
        other => panic!(
            "expected a refused certificate, got {:?}",
            other.map(|_| ())
        ),
    }
    // Plain WebSocket to the TLS port: no handshake.
    let plain = url.replacen("wss://", "ws://", 1);
    assert!(Client::connect(&plain).await.is_err());
    stop(&server).await;
}

#[tokio::test]
async fn a_missing_or_broken_pem_file_is_a_clear_error() {
    let scratch = Scratch::new("pem");
    let missing = scratch.0.join("nothing.pem");
    let error = jrpc::tls::server_config(&missing, &missing).unwrap_err();
    assert!(error.to_string().contains("nothing.pem"), "{error}");
    let empty = scratch.0.join("empty.pem");
    std::fs::write(&empty, "not a certificate\n").unwrap();
    let error = jrpc::tls::client_config(&[&empty]).unwrap_err();
    assert!(
        error.to_string().contains("holds no PEM certificate"),
        "{error}"
    );
}

#[tokio::test]
async fn the_cli_connects_to_wss_with_ca_and_explains_a_refused_certificate() {
    let scratch = Scratch::new("cli");
    let (cert, key) = write_self_signed(&scratch.0).unwrap();
    let server = start(basic().tls(jrpc::tls::server_config(&cert, &key).unwrap())).await;
    let url = server.url();
    let ca = cert.to_str().unwrap();

    let run = jrpc_bin::jrpc(&["--url", &url, "--ca", ca, "call", "ping"]).await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(run.stdout.trim(), "\"pong\"");

    let refused = jrpc_bin::jrpc(&["--url", &url, "call", "ping"]).await;
    assert_eq!(refused.code, Some(3), "{}", refused.stderr);
    assert!(
        refused.stderr.to_lowercase().contains("certificate"),
        "{}",
        refused.stderr
    );

    // The load generator too.
    let bench = [
        "bench",
        "--duration",
        "0.2",
        "--warmup",
        "0",
        "--method",
        "ping",
        "--params",
        "[]",
    ];
    let run =
        jrpc_bin::jrpc(&[&["--url", url.as_str(), "--ca", ca][..], &bench[..]].concat()).await;
    assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
    let refused = jrpc_bin::jrpc(&[&["--url", url.as_str()][..], &bench[..]].concat()).await;
    assert_eq!(refused.code, Some(3), "{}", refused.stderr);

    let bad_ca =
        jrpc_bin::jrpc(&["--url", &url, "--ca", "/nonexistent/ca.pem", "call", "ping"]).await;
    assert_eq!(bad_ca.code, Some(2), "{}", bad_ca.stderr);
    assert!(
        bad_ca.stderr.contains("--ca /nonexistent/ca.pem"),
        "{}",
        bad_ca.stderr
    );
    stop(&server).await;
}

#[tokio::test]
async fn jrpc_server_serves_https_and_wss_with_its_tls_flags() {
    use std::process::Command;
    let scratch = Scratch::new("binary");
    let (cert, key) = write_self_signed(&scratch.0).unwrap();
    let mut command = Command::new(jrpc_bin::server_bin());
    command
        .args(["--addr", "127.0.0.1:0", "--push-interval", "0"])
        .arg("--tls-cert")
        .arg(&cert)
        .arg("--tls-key")
        .arg(&key);
    let (mut child, line, url) = jrpc_bin::spawn_server(command);
    assert!(
        line.starts_with("jrpc-server listening on https://127.0.0.1:"),
        "{line}"
    );
    assert!(url.starts_with("wss://"), "{url}");
    let trusting = jrpc::tls::client_config(&[&cert]).unwrap();
    let client = Client::builder().tls(trusting).connect(&url).await.unwrap();
    assert_eq!(client.request::<i64, _>("Add", &(5, 10)).await.unwrap(), 15);
    drop(client);
    child.kill().unwrap();
    child.wait().unwrap();
}
