//! The tasks themselves.

use crate::run::{cargo, root, run, target_dir};
use crate::wasm;
use crate::{e2e, size, tools};

/// Builds the web package into `www/pkg` and the release server, then runs
/// the server in the foreground with the demo page.
pub fn demo(flags: &[String]) -> Result<(), String> {
    tools::for_build()?;
    // The page imports the client from `www/pkg/`; `www/` may not exist yet
    // in a checkout that has only the crates.
    let www = root().join("www");
    std::fs::create_dir_all(&www).map_err(|e| format!("cannot create {}: {e}", www.display()))?;
    wasm::build("../www/pkg")?;
    run(cargo().args([
        "build",
        "--release",
        "-p",
        "jrpc-cli",
        "--bin",
        "jrpc-server",
    ]))?;
    let binary = target_dir().join("release/jrpc-server");
    let mut server = std::process::Command::new(binary);
    server.current_dir(root()).args(flags);
    eprintln!("xtask: starting jrpc-server (Ctrl-C stops it)");
    run(&mut server)
}

/// Runs every test: the whole workspace (unit, protocol, end-to-end, CLI, doc
/// tests), the engine's unit tests once more as the browser builds it
/// (without std, so on its sorted tables rather than hash maps and its
/// subscriptions found by a scan; with subscribing and the legacy dialect,
/// which its two modules have, but not mixed params), then the browser
/// tests in headless Chromium (`tests/browser/`):
/// the browser client's tests against `jrpc-test-server`, the demo page and
/// the npm package under each bundler against `jrpc-server`; and the
/// package's size against its budget.
pub fn test(args: &[String]) -> Result<(), String> {
    run(cargo().args(["test", "--workspace"]).args(args))?;
    run(cargo().args([
        "test",
        "-p",
        "jrpc-shared",
        "--no-default-features",
        "--features",
        "legacy,subscribe",
        "--lib",
    ]))?;
    // The library alone, as an application depends on it (no features): the
    // workspace's build unifies the programs' features into it.
    run(cargo().args(["clippy", "-p", "jrpc", "--lib", "--", "-D", "warnings"]))?;
    let chromium = tools::for_browser_tests()?;
    e2e::test(&chromium)
}

/// Builds the npm package into `client-wasm/pkg`; prints its size.
pub fn wasm() -> Result<(), String> {
    tools::for_build()?;
    wasm::build("pkg")?;
    size::show(&size::default_pkg())
}
