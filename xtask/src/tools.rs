//! Making sure the wasm toolchain exists: each check skips quickly when the
//! tool is already there and installs it otherwise, printing one line either
//! way. The recipe is the one in the team's toolchain notes: the wasm32
//! target, the wasm-bindgen CLI at exactly the locked crate version,
//! wasm-pack, Chromium from Debian, binaryen's `wasm-opt` from npm (Debian's
//! binaryen 108 breaks wasm-bindgen's externref table), and esbuild from npm
//! for the web package's one minified module.

use std::path::PathBuf;

use crate::apt::{self, AptTool};
use crate::lockfile::locked_version;
use crate::run::{cargo, output, root, run, tool, which};

const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// Everything `wasm-pack build` needs.
pub fn for_build() -> Result<(), String> {
    wasm_target()?;
    wasm_bindgen_cli()?;
    wasm_pack()?;
    binaryen()?;
    esbuild()
}

/// Everything the browser tests (`tests/browser/`) need: the package's build
/// tools and Chromium, which playwright-core drives; returns the Chromium to use.
pub fn for_browser_tests() -> Result<PathBuf, String> {
    for_build()?;
    apt_packages(&[apt::CHROMIUM])?;
    which(apt::CHROMIUM.command).ok_or_else(|| "chromium not found".to_owned())
}

/// The `wasm32-unknown-unknown` target of the toolchain that builds the project.
pub fn wasm_target() -> Result<(), String> {
    if which("rustup").is_none() {
        return Err(format!(
            "rustup not found: add the {WASM_TARGET} target to your Rust toolchain by hand"
        ));
    }
    // Run from the root so a toolchain override there applies.
    let installed = output(tool("rustup").args(["target", "list", "--installed"]))
        .ok_or("`rustup target list --installed` failed")?;
    if installed.lines().any(|line| line.trim() == WASM_TARGET) {
        eprintln!("xtask: rust target {WASM_TARGET}: present, skipped");
        return Ok(());
    }
    eprintln!("xtask: rust target {WASM_TARGET}: missing, installing");
    run(tool("rustup").args(["target", "add", WASM_TARGET]))
}

/// The wasm-bindgen CLI at the version of the `wasm-bindgen` crate in
/// Cargo.lock: wasm-pack refuses (and tries to download) any other version.
pub fn wasm_bindgen_cli() -> Result<(), String> {
    let wanted = locked_version(&root().join("Cargo.lock"), "wasm-bindgen")?;
    let mut install = cargo();
    // A bare version is an exact requirement for `cargo install`; no
    // `--locked`, as the team's toolchain recipe says.
    install.args(["install", "wasm-bindgen-cli", "--version", &wanted]);
    match wasm_bindgen_version() {
        Some(version) if version == wanted => {
            eprintln!("xtask: wasm-bindgen CLI {wanted}: present, skipped");
            return Ok(());
        }
        Some(other) => {
            eprintln!("xtask: wasm-bindgen CLI {wanted}: found {other}, installing {wanted}");
            // cargo may believe the wanted version is installed while another
            // binary took its place; `--force` rebuilds it regardless.
            install.arg("--force");
        }
        None => eprintln!("xtask: wasm-bindgen CLI {wanted}: missing, installing"),
    }
    run(&mut install)?;
    match wasm_bindgen_version() {
        Some(version) if version == wanted => Ok(()),
        found => Err(format!(
            "installed wasm-bindgen CLI {wanted}, but `wasm-bindgen` on PATH ({}) is {}; \
             remove it or put cargo's bin directory first",
            which("wasm-bindgen").map_or("not found".into(), |p| p.display().to_string()),
            found.unwrap_or_else(|| "not working".into()),
        )),
    }
}

/// The version `wasm-bindgen --version` reports ("wasm-bindgen 0.2.130").
fn wasm_bindgen_version() -> Option<String> {
    output(tool("wasm-bindgen").arg("--version"))
        .and_then(|out| out.split_whitespace().nth(1).map(str::to_owned))
}

/// wasm-pack, any version (0.15 is what the project is checked with).
pub fn wasm_pack() -> Result<(), String> {
    if let Some(version) = output(tool("wasm-pack").arg("--version")) {
        eprintln!("xtask: {version}: present, skipped");
        return Ok(());
    }
    eprintln!("xtask: wasm-pack: missing, installing");
    run(cargo().args(["install", "wasm-pack"]))?;
    match output(tool("wasm-pack").arg("--version")) {
        Some(_) => Ok(()),
        None => Err("installed wasm-pack, but `wasm-pack --version` still fails".to_owned()),
    }
}

/// The binaryen release whose `wasm-opt` optimises the package.
const BINARYEN: &str = "binaryen@132.0.0";

/// binaryen's `wasm-opt` from npm, in `target/npm-tools` (whose `.bin` comes
/// first on the `PATH` that wasm-pack gets, see `run::search_path`).
///
/// Not Debian's package: binaryen 108 rewrites the externref table that
/// wasm-bindgen 0.2.130 relies on, and the page fails to start.
pub fn binaryen() -> Result<(), String> {
    npm_tool(BINARYEN, "wasm-opt", |version| {
        version.contains("version 132")
    })
}

/// The esbuild release that bundles and minifies the web package's JavaScript.
const ESBUILD: &str = "esbuild@0.28.2";

/// esbuild from npm, in `target/npm-tools` beside binaryen.
pub fn esbuild() -> Result<(), String> {
    let wanted = ESBUILD.trim_start_matches("esbuild@");
    npm_tool(ESBUILD, "esbuild", |version| version.trim() == wanted)
}

/// The command `bin` of the npm package `package` (`name@version`), in
/// `target/npm-tools`: skipped when `--version` prints what `wanted`
/// accepts, installed from npm otherwise.
fn npm_tool(package: &str, bin: &str, wanted: impl Fn(&str) -> bool) -> Result<(), String> {
    let path = crate::run::npm_tools_bin().join(bin);
    let present = path
        .exists()
        .then(|| output(tool(&path).arg("--version")))
        .flatten()
        .filter(|version| wanted(version));
    if let Some(version) = present {
        eprintln!("xtask: {bin} present ({})", version.trim());
        return Ok(());
    }
    eprintln!("xtask: installing {package} ({bin}) from npm");
    let prefix = crate::run::target_dir().join("npm-tools");
    std::fs::create_dir_all(&prefix)
        .map_err(|e| format!("cannot create {}: {e}", prefix.display()))?;
    let mut npm = tool("npm");
    npm.arg("install").arg("--prefix").arg(&prefix);
    run(npm.args(["--no-audit", "--no-fund", "--loglevel=error", package]))?;
    match output(tool(&path).arg("--version")) {
        Some(_) => Ok(()),
        None => Err(format!(
            "installed {package}, but `{} --version` fails (is node on PATH?)",
            path.display()
        )),
    }
}

/// The Debian packages providing `tools`, installed only for missing commands.
pub fn apt_packages(tools: &[AptTool]) -> Result<(), String> {
    apt::ensure(tools)
}
