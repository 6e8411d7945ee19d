//! Building the browser client's npm package with wasm-pack.
//!
//! Always with the `wasm-release` profile of the root Cargo.toml (size over
//! speed, `panic = "abort"`), which the server's own release build must not
//! use. Output directories are relative to `client-wasm/`, as wasm-pack takes them.

use std::path::{Path, PathBuf};

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
];

/// The package's entry, written per target from `js/entry/`.
const ENTRY: &str = "jrpc_client_wasm";
/// The driver (`client-wasm/js/`), copied beside the engine.
const JS_DIR: &str = "js";

/// Builds the package into `OUT` (relative to `client-wasm/`): `wasm-pack
/// build client-wasm --target T --profile wasm-release --out-name jrpc_engine`
/// for the engine, then the JavaScript driver and the entry beside it.
pub fn build(target: Target, out_dir: &str) -> Result<(), String> {
    let crate_dir = root().join(CRATE_DIR);
    let out = crate_dir.join(out_dir);
    // Build output only: files of an earlier layout must not linger (the size
    // check counts every file a page could load).
    if out.exists() {
        std::fs::remove_dir_all(&out)
            .map_err(|e| format!("cannot clear {}: {e}", out.display()))?;
    }
    wasm_pack(target, out_dir, ENGINE_NAME, &[])?;
    let mut modules = add_driver(&crate_dir.join(JS_DIR), &out, target)?;
    if let Target::Web = target {
        modules = bundle(&out, &modules)?;
    }
    modules.extend(add_dialect(target, &out)?);
    patch_package_json(&out.join("package.json"), &modules)?;
    let at = std::fs::canonicalize(&out).unwrap_or(out);
    eprintln!("xtask: {} package in {}", target.name(), at.display());
    Ok(())
}

/// `wasm-pack build` of the crate into `out_dir` (relative to the crate, or
/// absolute), its files named `name`, with `cargo` arguments `cargo_args`.
fn wasm_pack(target: Target, out_dir: &str, name: &str, cargo_args: &[&str]) -> Result<(), String> {
    let mut command = tool("wasm-pack");
    command.args([
        "build",
        CRATE_DIR,
        "--target",
        target.name(),
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
/// `dialect: "jrpc"`) and puts its glue and wasm into `out`, the web
/// build's glue minified; the files added.
fn add_dialect(target: Target, out: &Path) -> Result<Vec<String>, String> {
    let scratch = crate::run::target_dir()
        .join("wasm-dialect")
        .join(target.name());
    let scratch_arg = scratch.to_string_lossy().into_owned();
    wasm_pack(
        target,
        &scratch_arg,
        DIALECT_NAME,
        &["--no-default-features", "--features", "dialect"],
    )?;
    let mut added = Vec::new();
    for suffix in [".js", "_bg.js", "_bg.wasm"] {
        let name = format!("{DIALECT_NAME}{suffix}");
        let from = scratch.join(&name);
        if !from.exists() {
            continue;
        }
        std::fs::copy(&from, out.join(&name))
            .map_err(|e| format!("cannot copy {} into {}: {e}", from.display(), out.display()))?;
        added.push(name);
    }
    if let Target::Web = target {
        let glue = out.join(format!("{DIALECT_NAME}.js"));
        run(tool(crate::run::npm_tools_bin().join("esbuild"))
            .arg(&glue)
            .args([
                "--format=esm",
                "--minify",
                "--target=es2020",
                "--allow-overwrite",
            ])
            .arg(format!("--outfile={}", glue.display())))?;
    }
    Ok(added)
}

/// Copies the driver's modules into `out` and writes the entry and its
/// types for `target`; the files added, for package.json.
fn add_driver(js: &Path, out: &Path, target: Target) -> Result<Vec<String>, String> {
    let copy = |from: &Path, to: &Path| {
        std::fs::copy(from, to)
            .map(drop)
            .map_err(|e| format!("cannot copy {} to {}: {e}", from.display(), to.display()))
    };
    let mut added = Vec::new();
    let entries =
        std::fs::read_dir(js).map_err(|e| format!("cannot read {}: {e}", js.display()))?;
    for path in entries.filter_map(|e| e.ok().map(|e| e.path())) {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        if let Some(name) = name.filter(|n| n.ends_with(".js")) {
            copy(&path, &out.join(&name))?;
            added.push(name);
        }
    }
    added.sort();
    let entry = format!("{ENTRY}.js");
    copy(
        &js.join("entry").join(format!("{}.js", target.name())),
        &out.join(&entry),
    )?;
    added.push(entry);
    // The types: the classes, plus `init` where the app calls it.
    let read = |path: PathBuf| {
        std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))
    };
    let mut types = read(js.join("types.d.ts"))?;
    if let Target::Web = target {
        types.push_str(&read(js.join("entry/web.d.ts"))?);
    }
    let dts = format!("{ENTRY}.d.ts");
    std::fs::write(out.join(&dts), types).map_err(|e| format!("cannot write {dts}: {e}"))?;
    added.push(dts);
    Ok(added)
}

/// The web build, which a page loads as it is: the entry, the driver and
/// wasm-bindgen's glue as one minified module (with a source map, which
/// browsers fetch only for the developer tools), instead of ten modules of
/// commented source. The bundler build keeps the modules: the app's bundler
/// minifies them with the app. Returns the files that replace `modules`.
fn bundle(out: &Path, modules: &[String]) -> Result<Vec<String>, String> {
    let sources = out.join("src");
    std::fs::create_dir_all(&sources)
        .map_err(|e| format!("cannot create {}: {e}", sources.display()))?;
    let glue = format!("{ENGINE_NAME}.js");
    for name in modules.iter().chain([&glue]).filter(|n| n.ends_with(".js")) {
        std::fs::rename(out.join(name), sources.join(name))
            .map_err(|e| format!("cannot move {name} into {}: {e}", sources.display()))?;
    }
    let entry = format!("{ENTRY}.js");
    run(tool(crate::run::npm_tools_bin().join("esbuild"))
        .arg(sources.join(&entry))
        .args([
            "--bundle",
            "--format=esm",
            "--minify",
            "--sourcemap",
            "--target=es2020",
        ])
        // Imported on demand, beside the bundle (see `add_dialect`).
        .arg(format!("--external:./{DIALECT_NAME}.js"))
        .arg(format!(
            "--mangle-props=^({})$",
            PRIVATE_PROPERTIES.join("|")
        ))
        .arg(format!("--outfile={}", out.join(&entry).display())))?;
    std::fs::remove_dir_all(&sources)
        .map_err(|e| format!("cannot remove {}: {e}", sources.display()))?;
    // The glue is in the bundle now: the package no longer lists it.
    let manifest = out.join("package.json");
    let text = std::fs::read_to_string(&manifest)
        .map_err(|e| format!("cannot read {}: {e}", manifest.display()))?;
    let text = text.replace(&format!("\n    \"{glue}\","), "");
    std::fs::write(&manifest, text)
        .map_err(|e| format!("cannot write {}: {e}", manifest.display()))?;
    let dts = format!("{ENTRY}.d.ts");
    Ok(vec![entry.clone(), format!("{entry}.map"), dts])
}

/// Points wasm-pack's package.json at the entry (`main`, `types`) and lists
/// the driver's files in `files`.
fn patch_package_json(path: &Path, added: &[String]) -> Result<(), String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let patched = patch_manifest(&text, added)
        .ok_or_else(|| format!("{} is not laid out as wasm-pack writes it", path.display()))?;
    std::fs::write(path, patched).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// The text of package.json with the entry and the driver's files; `None`
/// if a member it changes is missing (xtask has no JSON parser: wasm-pack's
/// layout is checked instead).
fn patch_manifest(text: &str, added: &[String]) -> Option<String> {
    let main = format!("\"main\": \"{ENGINE_NAME}.js\"");
    let types = format!("\"types\": \"{ENGINE_NAME}.d.ts\"");
    let files = "\"files\": [";
    if !(text.contains(&main) && text.contains(&types) && text.contains(files)) {
        return None;
    }
    let listed: String = added.iter().map(|f| format!("\n    \"{f}\",")).collect();
    // The dialect's glue, like the engine's, instantiates its wasm when imported.
    let engine_effects = format!("\"./{ENGINE_NAME}.js\",");
    let effects = format!("{engine_effects}\n    \"./{DIALECT_NAME}.js\",");
    Some(
        text.replace(&main, &format!("\"main\": \"{ENTRY}.js\""))
            .replace(&types, &format!("\"types\": \"{ENTRY}.d.ts\""))
            .replacen(files, &format!("{files}{listed}"), 1)
            .replacen(&engine_effects, &effects, 1),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_json_points_at_the_entry_and_lists_the_driver() {
        let generated = "{\n  \"files\": [\n    \"jrpc_engine_bg.wasm\"\n  ],\n  \"main\": \"jrpc_engine.js\",\n  \"types\": \"jrpc_engine.d.ts\"\n}";
        let patched = patch_manifest(generated, &["client.js".to_owned()]).unwrap();
        assert!(
            patched.contains("\"main\": \"jrpc_client_wasm.js\""),
            "{patched}"
        );
        assert!(
            patched.contains("\"types\": \"jrpc_client_wasm.d.ts\""),
            "{patched}"
        );
        assert!(
            patched.contains("\"client.js\",\n    \"jrpc_engine_bg.wasm\""),
            "{patched}"
        );
        assert_eq!(patch_manifest("{}", &[]), None);
    }
}
