//! `cargo xtask bench`: the side-by-side benchmark suite, in one run.
//!
//! Builds the release `jrpc-server`, `jrpc` (the load generator), the
//! jsonrpsee reference server and the suite runner (`bench/`); runs the browser
//! benchmark (`tests/browser/bench.mjs`) with Chromium on core 1; then the
//! native suite, which writes `docs/BENCHMARKS.md`. Not part of the tests:
//! it measures and reports, and the report says which targets were met.

use std::path::Path;

use crate::run::{cargo, root, run, target_dir, tool, which};
use crate::wasm;
use crate::{apt, e2e, tools};

/// Where the raw results go (under the target directory).
const RESULTS_DIR: &str = "bench";

/// Runs the suite; `args` go to `jrpc-bench-suite` (e.g. `--rounds 5`),
/// except `--no-browser`, which skips the browser part.
pub fn bench(args: &[String]) -> Result<(), String> {
    let browser = !args.iter().any(|a| a == "--no-browser");
    let suite_args: Vec<&String> = args.iter().filter(|a| *a != "--no-browser").collect();
    run(cargo().args([
        "build",
        "--release",
        "-p",
        "jrpc-cli",
        "--bins",
        "-p",
        "jrpc-bench",
        "--bin",
        "jrpc-bench-suite",
        "--example",
        "jsonrpsee-reference",
    ]))?;
    let release = target_dir().join("release");
    let results = target_dir().join(RESULTS_DIR);
    std::fs::create_dir_all(&results)
        .map_err(|e| format!("cannot create {}: {e}", results.display()))?;
    let browser_results = results.join("browser.json");
    let _ = std::fs::remove_file(&browser_results);
    if browser {
        browser_bench(&release.join("jrpc-server"), &browser_results)?;
    }
    let mut suite = tool(release.join("jrpc-bench-suite"));
    suite
        .arg("--jrpc-server")
        .arg(release.join("jrpc-server"))
        .arg("--reference")
        .arg(release.join("examples/jsonrpsee-reference"))
        .arg("--jrpc")
        .arg(release.join("jrpc"))
        .arg("--raw")
        .arg(results.join("native.json"))
        .arg("--out")
        .arg(root().join("docs/BENCHMARKS.md"));
    if browser {
        suite.arg("--browser-results").arg(&browser_results);
    }
    run(suite.args(suite_args))
}

/// The browser benchmark: the web package, Chromium and the npm tools, then
/// `node tests/browser/bench.mjs` on core 1 (the server it starts goes to core 0).
fn browser_bench(server: &Path, out: &Path) -> Result<(), String> {
    tools::for_build()?;
    apt::ensure(&[apt::CHROMIUM])?;
    let chromium = which(apt::CHROMIUM.command).ok_or("chromium not found")?;
    wasm::build("pkg")?;
    e2e::npm_dependencies(&root().join(e2e::TESTS_DIR))?;
    let mut node = match which("taskset") {
        Some(taskset) => {
            let mut cmd = tool(taskset);
            cmd.args(["-c", "1", "node"]);
            cmd
        }
        None => tool("node"),
    };
    run(node
        .arg(Path::new(e2e::TESTS_DIR).join("bench.mjs"))
        .env("JRPC_SERVER_BIN", server)
        .env("JRPC_PKG_WEB", root().join(wasm::CRATE_DIR).join("pkg"))
        .env("CHROMIUM", chromium)
        .env("JRPC_BENCH_OUT", out))
}
