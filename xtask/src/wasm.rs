//! Building the browser client's npm package with wasm-pack: one package
//! that a page, Vite (dev and build), webpack 5 and esbuild all load as it
//! is (see `js/load.js` for how the wasm is found).
//!
//! Always with the `wasm-release` profile of the root Cargo.toml (size over
//! speed, `panic = "abort"`), which the server's own release build must not
//! use. Output directories are relative to `client-wasm/`, as wasm-pack takes them.

use std::path::{Path, PathBuf};

use crate::run::{root, run, tool};

/// The crate wasm-pack builds and tests.
pub const CRATE_DIR: &str = "client-wasm";

/// The name wasm-pack gives the engine's files (`jrpc_engine.js`,
/// `jrpc_engine_bg.wasm`): the package's own entry keeps the crate's name.
const ENGINE_NAME: &str = "jrpc_engine";
/// The name of the dialect module's files (`jrpc_dialect.js`,
/// `jrpc_dialect_bg.wasm`), which the driver imports on demand.
pub const DIALECT_NAME: &str = "jrpc_dialect";
/// The driver's own properties, which the web build shortens (esbuild's
/// `--mangle-props`): 0.3 KB gzipped. Only names that no page, browser API,
/// option object or wasm-bindgen glue reads: never an option's name (a page
/// passes those), nor `state`, `url`, `methods`, `translate` (a module's
/// export), `send`, `call` or `next`. The browser tests run on the result.
const PRIVATE_PROPERTIES: &[&str] = &[
    "engine",
    "calls",
    "subs",
    "pending",
    "listeners",
    "byType",
    "fns",
    "generation",
    "settleReady",
    "reconnectTimer",
    "openedAt",
    "started",
    "frame",
    "firesAt",
    "timer",
    "maxQueued",
    "templates",
    "sendOrQueue",
    "markSent",
    "giveUp",
    "setTimer",
    "enqueue",
    "finish",
    "expire",
    "flush",
    "lost",
    "live",
    "nextKey",
    "abandoned",
    "gaveUp",
    "endLate",
    "deliver",
    "owner",
    "unsubscribeMethod",
    "items",
    "waiting",
    "ended",
    "wake",
    "release",
    "detach",
    "closeWith",
    "shut",
    "opened",
    "received",
    "dropped",
    "binary",
    "answer",
    "openDialect",
    "state_",
    "ready_",
    "config",
    "legacy",
    "maxInFlight",
    "sent",
    "queue",
    "authing",
    "authenticate",
    "moving",
    "moveOn",
    "settled",
    "socket",
    "put",
    "write",
    "sink",
    "arm",
    "onAbort",
    "ids",
    "text",
    "beat",
    "heard",
];

/// The package's main entry (`js/entry/main.js`), which loads the wasm.
const ENTRY: &str = "jrpc_client_wasm";
/// The entry without loading (`jrpc-client-wasm/slim`, `js/entry/slim.js`).
/// Each entry is the driver and wasm-bindgen's glue as one minified module
/// of its own: a page loads one file, not an entry and a module it imports
/// (0.13 KB gzipped less). An app imports one of them, not both.
pub const SLIM: &str = "jrpc_client_wasm_slim";
/// The driver (`client-wasm/js/`), bundled into the slim entry.
const JS_DIR: &str = "js";
/// The suffix of the module that holds a wasm's bytes as base64, imported
/// only where the `.wasm` beside the package is missing (see `js/load.js`).
pub const INLINE_SUFFIX: &str = "_inline.js";

/// Builds the package into `OUT` (relative to `client-wasm/`): `wasm-pack
/// build client-wasm --target web --profile wasm-release --out-name
/// jrpc_engine` for the engine, the driver bundled with its glue, the two
/// entries, the dialect module, the inline copies and package.json.
pub fn build(out_dir: &str) -> Result<(), String> {
    let crate_dir = root().join(CRATE_DIR);
    let out = crate_dir.join(out_dir);
    // Build output only: files of an earlier layout must not linger (the size
    // check counts every file a page could load).
    if out.exists() {
        std::fs::remove_dir_all(&out)
            .map_err(|e| format!("cannot clear {}: {e}", out.display()))?;
    }
    wasm_pack(out_dir, ENGINE_NAME, &[])?;
    bundle(&crate_dir.join(JS_DIR), &out)?;
    add_dialect(&out)?;
    add_inline(&out, ENGINE_NAME)?;
    add_inline(&out, DIALECT_NAME)?;
    write_types(&crate_dir.join(JS_DIR), &out)?;
    crate::manifest::write(&out.join("package.json"), &package_files())?;
    let at = std::fs::canonicalize(&out).unwrap_or(out);
    eprintln!("xtask: package in {}", at.display());
    Ok(())
}

/// Every file of the package, for package.json's `files`.
fn package_files() -> Vec<String> {
    let mut files = vec![
        format!("{ENTRY}.js"),
        format!("{ENTRY}.js.map"),
        format!("{ENTRY}.d.ts"),
        format!("{SLIM}.js"),
        format!("{SLIM}.js.map"),
    ];
    for name in [ENGINE_NAME, DIALECT_NAME] {
        files.push(format!("{name}_bg.wasm"));
        files.push(format!("{name}{INLINE_SUFFIX}"));
    }
    files.push(format!("{DIALECT_NAME}.js"));
    files
}

/// `wasm-pack build` of the crate into `out_dir` (relative to the crate, or
/// absolute), its files named `name`, with `cargo` arguments `cargo_args`.
fn wasm_pack(out_dir: &str, name: &str, cargo_args: &[&str]) -> Result<(), String> {
    let mut command = tool("wasm-pack");
    command.args([
        "build",
        CRATE_DIR,
        "--target",
        "web",
        "--profile",
        "wasm-release",
        "--out-dir",
        out_dir,
        "--out-name",
        name,
    ]);
    if !cargo_args.is_empty() {
        command.arg("--").args(cargo_args);
    }
    run(&mut command)
}

/// Builds the dialect module (feature `dialect` alone: the original jrpc
/// dialect's translators, which the driver imports only for a client with
/// `dialect: "jrpc"`) and puts its wasm and its glue, minified, into `out`.
fn add_dialect(out: &Path) -> Result<(), String> {
    let scratch = crate::run::target_dir().join("wasm-dialect");
    let scratch_arg = scratch.to_string_lossy().into_owned();
    wasm_pack(
        &scratch_arg,
        DIALECT_NAME,
        &["--no-default-features", "--features", "dialect"],
    )?;
    let wasm = format!("{DIALECT_NAME}_bg.wasm");
    std::fs::copy(scratch.join(&wasm), out.join(&wasm))
        .map_err(|e| format!("cannot copy {wasm} into {}: {e}", out.display()))?;
    let glue = format!("{DIALECT_NAME}.js");
    run(esbuild()
        .arg(scratch.join(&glue))
        .args(["--format=esm", "--minify", "--target=es2020"])
        .arg(format!("--outfile={}", out.join(&glue).display())))
}

/// Writes `{name}_inline.js`, a module whose default export is
/// `{name}_bg.wasm` in base64 (with node, which the build has anyway for
/// esbuild, rather than a base64 encoder of our own).
fn add_inline(out: &Path, name: &str) -> Result<(), String> {
    let wasm = out.join(format!("{name}_bg.wasm"));
    let module = out.join(format!("{name}{INLINE_SUFFIX}"));
    run(tool("node")
        .arg("-e")
        .arg(INLINE_SCRIPT)
        .arg(&wasm)
        .arg(&module))
}

/// `node -e INLINE_SCRIPT WASM MODULE`.
const INLINE_SCRIPT: &str = r#"const fs = require("fs");
const [wasm, module] = process.argv.slice(1);
const base64 = fs.readFileSync(wasm).toString("base64");
fs.writeFileSync(module, `// ${require("path").basename(wasm)}, for where a bundler did not copy it (see load.js).\nexport default "${base64}";\n`);"#;

/// esbuild from the tools xtask installs.
fn esbuild() -> std::process::Command {
    tool(crate::run::npm_tools_bin().join("esbuild"))
}

/// The two entries, each with the driver (`js/*.js`) and wasm-bindgen's
/// glue as one minified module (with a source map, which browsers fetch
/// only for the developer tools). Modules loaded on demand stay files of
/// their own.
fn bundle(js: &Path, out: &Path) -> Result<(), String> {
    let sources = out.join("src");
    std::fs::create_dir_all(&sources)
        .map_err(|e| format!("cannot create {}: {e}", sources.display()))?;
    let copy = |from: &Path, to: &Path| {
        std::fs::copy(from, to)
            .map(drop)
            .map_err(|e| format!("cannot copy {} to {}: {e}", from.display(), to.display()))
    };
    let entries =
        std::fs::read_dir(js).map_err(|e| format!("cannot read {}: {e}", js.display()))?;
    for path in entries.filter_map(|e| e.ok().map(|e| e.path())) {
        if let Some(name) = path
            .file_name()
            .filter(|n| n.to_string_lossy().ends_with(".js"))
        {
            copy(&path, &sources.join(name))?;
        }
    }
    let glue = format!("{ENGINE_NAME}.js");
    std::fs::rename(out.join(&glue), sources.join(&glue))
        .map_err(|e| format!("cannot move {glue} into {}: {e}", sources.display()))?;
    copy(
        &js.join("entry/slim.js"),
        &sources.join(format!("{SLIM}.js")),
    )?;
    copy(
        &js.join("entry/main.js"),
        &sources.join(format!("{ENTRY}.js")),
    )?;
    let mut command = esbuild();
    command
        .arg(sources.join(format!("{ENTRY}.js")))
        .arg(sources.join(format!("{SLIM}.js")))
        .args([
            "--bundle",
            "--format=esm",
            "--minify",
            "--sourcemap",
            // The main entry's top-level await needs ES2022.
            "--target=es2022",
        ])
        .arg(format!(
            "--mangle-props=^({})$",
            PRIVATE_PROPERTIES.join("|")
        ))
        .arg(format!("--outdir={}", out.display()));
    // Imported on demand, beside the bundle.
    for name in [ENGINE_NAME, DIALECT_NAME] {
        command.arg(format!("--external:./{name}{INLINE_SUFFIX}"));
    }
    command.arg(format!("--external:./{DIALECT_NAME}.js"));
    run(&mut command)?;
    std::fs::remove_dir_all(&sources)
        .map_err(|e| format!("cannot remove {}: {e}", sources.display()))
}

/// The entries' declarations (one file for both: they export the same),
/// in place of wasm-pack's for the glue.
fn write_types(js: &Path, out: &Path) -> Result<(), String> {
    let read = |path: PathBuf| {
        std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))
    };
    let types = read(js.join("types.d.ts"))? + &read(js.join("entry/init.d.ts"))?;
    let dts = out.join(format!("{ENTRY}.d.ts"));
    std::fs::write(&dts, types).map_err(|e| format!("cannot write {}: {e}", dts.display()))?;
    for stale in [
        format!("{ENGINE_NAME}.d.ts"),
        format!("{ENGINE_NAME}_bg.wasm.d.ts"),
    ] {
        let _ = std::fs::remove_file(out.join(stale));
    }
    Ok(())
}
