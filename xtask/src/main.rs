//! Project automation, run as `cargo xtask <task>` (the alias is in `.cargo/config.toml`).
//!
//! - `cargo xtask demo [jrpc-server flags]`: builds the browser client into
//!   `www/pkg`, then builds and starts `jrpc-server` with the math example and
//!   the `www/` page on http://127.0.0.1:8080/.
//! - `cargo xtask test`: runs every test of the project, the browser tests
//!   in headless Chromium included (`tests/browser/`): the browser client's
//!   tests, the demo page and the npm package under each bundler, end to end.
//! - `cargo xtask bench`: the benchmark suite, which writes `docs/BENCHMARKS.md`.
//! - `cargo xtask wasm`: builds the browser client's npm package and prints
//!   its size against the budget in `client-wasm/size-budget.json`.
//! - `cargo xtask fuzz [SECONDS]`: runs each fuzz target of `shared/fuzz/`
//!   for SECONDS (600 by default); not part of `test`.
//!
//! Each task installs what it needs when it is missing and skips what is
//! already there, so the same command works on a fresh machine and quickly on
//! a warm one ([`tools`]). xtask itself uses std only, so it compiles in seconds.

mod apt;
mod bench;
mod e2e;
mod fuzz;
mod lockfile;
mod manifest;
mod run;
mod size;
mod tasks;
mod tools;
mod wasm;

use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let task = args.next();
    let rest: Vec<String> = args.collect();
    let result = match task.as_deref() {
        Some("demo") => tasks::demo(&rest),
        Some("test") => tasks::test(&rest),
        Some("bench") => bench::bench(&rest),
        Some("fuzz") => fuzz::fuzz(&rest),
        Some("wasm") if rest.is_empty() => tasks::wasm(),
        Some("wasm") => Err(format!("`wasm` takes no arguments\n\n{USAGE}")),
        Some("-h" | "--help") | None => {
            print!("{}", USAGE);
            return ExitCode::SUCCESS;
        }
        Some(other) => Err(format!("unknown task {other:?}\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

const USAGE: &str = "\
usage: cargo xtask <task> [args]

tasks:
  demo [flags]   build the wasm client into www/pkg, then build and start jrpc-server
                 (math example, www/ page) on http://127.0.0.1:8080/;
                 flags go to jrpc-server (see `cargo run --bin jrpc-server -- --help`)
  test [args]    run every test of the project: `cargo test --workspace [args]`, then
                 tests/browser/ (node --test, Playwright + Chromium): the browser client's
                 tests against jrpc-test-server, the www/ page against jrpc-server, and
                 the npm package through Vite, webpack, esbuild and a plain page; fails
                 when the package a page loads (gzip -9) is over client-wasm/size-budget.json
  bench [args]   the benchmark suite (not a test): jrpc-server against a jsonrpsee
                 reference, pinned to cores, over several rounds, and the browser
                 client against json-rpc-2.0 in Chromium; writes docs/BENCHMARKS.md.
                 Args go to jrpc-bench-suite (--rounds N, --duration SECS);
                 --no-browser skips the browser part
  wasm           build the npm package into client-wasm/pkg and print its size (raw
                 and gzip -9) against client-wasm/size-budget.json
  fuzz [SECONDS] run each cargo-fuzz target of shared/fuzz/ on its corpus for SECONDS
                 (default 600) with `cargo +nightly fuzz run`; fails on a crash.
                 Not part of `test`; needs the nightly toolchain

Missing tools (cargo-fuzz, wasm32 target, wasm-bindgen CLI, wasm-pack, Debian's chromium,
npm's binaryen, tests/browser's npm dependencies) are installed; present ones are
skipped.
";
