//! Building the browser client's npm package with wasm-pack.
//!
//! Always with the `wasm-release` profile of the root Cargo.toml (size over
//! speed, `panic = "abort"`), which the server's own release build must not
//! use. Output directories are relative to `client-wasm/`, as wasm-pack takes them.

use crate::run::{root, run, tool};

/// The crate wasm-pack builds and tests.
pub const CRATE_DIR: &str = "client-wasm";

/// The two flavours of the package.
#[derive(Clone, Copy, Debug)]
pub enum Target {
    /// ES module loaded straight by a page (`<script type="module">`); what `www/` uses.
    Web,
    /// For npm consumers with a bundler (webpack, Vite, ...).
    Bundler,
}

impl Target {
    fn name(self) -> &'static str {
        match self {
            Target::Web => "web",
            Target::Bundler => "bundler",
        }
    }
}

/// `wasm-pack build client-wasm --target T --profile wasm-release --out-dir OUT`.
pub fn build(target: Target, out_dir: &str) -> Result<(), String> {
    run(tool("wasm-pack").args([
        "build",
        CRATE_DIR,
        "--target",
        target.name(),
        "--profile",
        "wasm-release",
        "--out-dir",
        out_dir,
    ]))?;
    let at = root().join(CRATE_DIR).join(out_dir);
    let at = std::fs::canonicalize(&at).unwrap_or(at);
    eprintln!("xtask: {} package in {}", target.name(), at.display());
    Ok(())
}
