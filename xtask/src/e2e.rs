//! The browser tests in `tests/browser/`, in headless Chromium driven by
//! `playwright-core` under `node --test`: the browser client's own tests
//! (`client-*.test.mjs`, the web package in a page against `jrpc-test-server`),
//! the demo page (`www/`) against the real `jrpc-server`, and the npm
//! package's tarball under Vite, webpack, esbuild and a plain page.
//!
//! The tests start and stop their own servers; this module builds what they
//! use, installs their npm dependencies when needed, and tells them where
//! everything is through the environment.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::run::{cargo, root, run, target_dir, tool, which};
use crate::size;
use crate::wasm;

/// The npm project holding the tests, relative to the root.
pub const TESTS_DIR: &str = "tests/browser";
/// Screenshots and logs, relative to the root (gitignored).
const ARTIFACTS_DIR: &str = "tests/artifacts";

/// Builds the packages and the two servers, then runs every `*.test.mjs` in
/// `tests/browser/` with `chromium` as the browser; fails also when the web
/// package is over its size budget (`size.rs`).
pub fn test(chromium: &Path) -> Result<(), String> {
    if which("node").is_none() {
        return Err("node not found: the browser tests need Node.js 20 or later".to_owned());
    }
    let root = root();
    let www = root.join("www");
    // `www/` holds the page; its `pkg/` is build output.
    std::fs::create_dir_all(&www).map_err(|e| format!("cannot create {}: {e}", www.display()))?;
    // The page and the package tests use the same build.
    wasm::build("../www/pkg")?;
    // Measured now, reported at once, but failing only after the tests ran:
    // a size regression should not hide whether the page still works.
    let within_budget = size::check(&www.join("pkg"));
    run(cargo().args([
        "build",
        "-p",
        "jrpc-cli",
        "--bin",
        "jrpc-server",
        "--bin",
        "jrpc",
        "-p",
        "jrpc-tests",
        "--bin",
        "jrpc-test-server",
        "--bin",
        "jrpc-test-cert",
    ]))?;

    let tests_dir = root.join(TESTS_DIR);
    npm_dependencies(&tests_dir)?;
    let files = test_files(&tests_dir)?;
    let artifacts = root.join(ARTIFACTS_DIR);
    let result = run(tool("node")
        .args(["--test", "--test-reporter=spec"])
        .args(&files)
        .env("JRPC_SERVER_BIN", target_dir().join("debug/jrpc-server"))
        .env("JRPC_BIN", target_dir().join("debug/jrpc"))
        .env(
            "JRPC_TEST_SERVER_BIN",
            target_dir().join("debug/jrpc-test-server"),
        )
        .env(
            "JRPC_TEST_CERT_BIN",
            target_dir().join("debug/jrpc-test-cert"),
        )
        .env("JRPC_WWW", &www)
        .env("JRPC_PKG", www.join("pkg"))
        .env("JRPC_ARTIFACTS", &artifacts)
        .env("CHROMIUM", chromium));
    // Also (above all) after a failure.
    eprintln!(
        "xtask: browser test screenshot and logs in {}",
        artifacts.display()
    );
    result.and(within_budget)
}

/// `npm ci` in `dir` when its `node_modules` is missing or older than its
/// `package-lock.json`; otherwise one line saying it was skipped.
pub fn npm_dependencies(dir: &Path) -> Result<(), String> {
    let lock = dir.join("package-lock.json");
    // npm rewrites this file on every install: it dates node_modules as a whole.
    let installed = dir.join("node_modules/.package-lock.json");
    let lock_time = modified(&lock).ok_or_else(|| format!("{} is missing", lock.display()))?;
    match modified(&installed) {
        Some(time) if time >= lock_time => {
            eprintln!(
                "xtask: npm dependencies of {TESTS_DIR}: up to date with package-lock.json, skipped"
            );
            Ok(())
        }
        found => {
            let why = if found.is_some() {
                "older than package-lock.json"
            } else {
                "missing"
            };
            eprintln!("xtask: npm dependencies of {TESTS_DIR}: {why}, installing");
            run(tool("npm").current_dir(dir).args([
                "ci",
                "--no-audit",
                "--no-fund",
                "--loglevel=error",
            ]))
        }
    }
}

fn modified(path: &Path) -> Option<SystemTime> {
    path.metadata().and_then(|m| m.modified()).ok()
}

/// The `*.test.mjs` files in `dir`, sorted, relative to the root.
fn test_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.file_name())
        .filter(|name| name.to_string_lossy().ends_with(".test.mjs"))
        .map(|name| Path::new(TESTS_DIR).join(name))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(format!("no *.test.mjs files in {}", dir.display()));
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_browser_tests() {
        let files = test_files(&root().join(TESTS_DIR)).unwrap();
        let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
        assert!(
            names.contains(&"tests/browser/page.test.mjs".to_owned()),
            "{names:?}"
        );
        assert!(
            names.contains(&"tests/browser/package.test.mjs".to_owned()),
            "{names:?}"
        );
        assert!(
            names.contains(&"tests/browser/client-calls.test.mjs".to_owned()),
            "{names:?}"
        );
        assert!(
            names
                .iter()
                .all(|n| !n.contains("helpers") && !n.contains("harness")),
            "{names:?}"
        );
    }
}
