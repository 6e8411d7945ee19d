//! The size of the browser package: what a page downloads from the `web`
//! build (the wasm, the JS glue and its snippets), raw and `gzip -9`,
//! against the budget in `client-wasm/size-budget.json`. Modules a page
//! imports only on demand are shown on their own lines, outside the total:
//! the jrpc dialect's (`jrpc_dialect*`), for a client with `dialect:
//! "jrpc"`, and the wasm's inline copies (`*_inline.js`), for where a
//! bundler did not copy the `.wasm` files (see `client-wasm/js/load.js`).
//! The slim entry (`jrpc_client_wasm_slim.js`) is shown the same way: a page
//! loads it instead of the main entry, never both.
//!
//! Gzip comes from the system's `gzip` (xtask is std-only); `-9` because it
//! is what a server precompressing assets would use, and it is repeatable.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::run::root;
use crate::wasm::{CRATE_DIR, DIALECT_NAME, INLINE_SUFFIX, SLIM};

/// The budget file, relative to the root.
pub const BUDGET_FILE: &str = "client-wasm/size-budget.json";
/// Its key for the limit of the gzipped total, in bytes.
const BUDGET_KEY: &str = "\"gzipMaxBytes\"";

/// One file of the package and its sizes in bytes.
#[derive(Debug)]
struct Measured {
    name: String,
    raw: u64,
    gzip: u64,
}

/// Measures the `web` package in `pkg`, prints each file and the total
/// against the budget, and fails when the total is over it.
pub fn check(pkg: &Path) -> Result<(), String> {
    let budget = budget()?;
    let files = measure(pkg)?;
    let total = report(&files, budget);
    if total > budget {
        return Err(format!(
            "the web package is {total} bytes gzipped, over its budget of {budget} bytes \
             ({BUDGET_FILE}); see `cargo xtask wasm` for where the bytes are"
        ));
    }
    Ok(())
}

/// Like [`check`], but an over-budget package only gets a warning.
pub fn show(pkg: &Path) -> Result<(), String> {
    let budget = budget()?;
    let files = measure(pkg)?;
    if report(&files, budget) > budget {
        eprintln!("xtask: warning: over the size budget (`cargo xtask test` fails on this)");
    }
    Ok(())
}

/// Prints the table; returns the gzipped total of what every page loads.
fn report(files: &[Measured], budget: u64) -> u64 {
    let (on_demand, page): (Vec<&Measured>, Vec<&Measured>) =
        files.iter().partition(|f| is_on_demand(&f.name));
    let line = |f: &Measured| {
        eprintln!(
            "xtask:   {:<56} {:>8} raw {:>8} gzip",
            f.name, f.raw, f.gzip
        )
    };
    eprintln!("xtask: web package size (gzip -9):");
    page.iter().for_each(|f| line(f));
    let raw: u64 = page.iter().map(|f| f.raw).sum();
    let gzip: u64 = page.iter().map(|f| f.gzip).sum();
    let verdict = if gzip <= budget { "within" } else { "OVER" };
    eprintln!(
        "xtask:   {:<56} {raw:>8} raw {gzip:>8} gzip: {verdict} the budget of {budget} ({:.1} of {:.1} KiB)",
        "total",
        gzip as f64 / 1024.0,
        budget as f64 / 1024.0,
    );
    if !on_demand.is_empty() {
        eprintln!(
            "xtask: not in the total: the dialect (a client with dialect: \"jrpc\" imports it), \
             an inline copy (where a bundler left out the .wasm), the slim entry (instead of the main one):"
        );
        on_demand.iter().for_each(|f| line(f));
    }
    gzip
}

/// Whether a file of the package is one a page imports only on demand (the
/// dialect's module, a wasm's inline copy) or instead of the main entry
/// (the slim one).
fn is_on_demand(name: &str) -> bool {
    name.starts_with(DIALECT_NAME) || name.ends_with(INLINE_SUFFIX) || name.starts_with(SLIM)
}

/// The limit from the budget file.
fn budget() -> Result<u64, String> {
    let path = root().join(BUDGET_FILE);
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    parse_budget(&text)
        .ok_or_else(|| format!("{} has no {BUDGET_KEY}: <bytes> member", path.display()))
}

/// The number after `"gzipMaxBytes":` (a flat JSON object; std has no parser).
fn parse_budget(text: &str) -> Option<u64> {
    let rest = &text[text.find(BUDGET_KEY)? + BUDGET_KEY.len()..];
    let rest = rest.trim_start().strip_prefix(':')?.trim_start();
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// What a page loads from `pkg`: the `.wasm`, the `.js` glue, and every file
/// under `snippets/` (the `module = "..."` imports), sorted by name.
fn package_files(pkg: &Path) -> Result<Vec<PathBuf>, String> {
    let read = |dir: &Path| {
        std::fs::read_dir(dir)
            .map_err(|e| format!("cannot read {}: {e}", dir.display()))
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .map(|e| e.path())
                    .collect::<Vec<_>>()
            })
    };
    let mut files: Vec<PathBuf> = read(pkg)?
        .into_iter()
        .filter(|p| p.is_file())
        .filter(|p| {
            let name = p.file_name().map(|n| n.to_string_lossy().into_owned());
            name.is_some_and(|n| {
                n.ends_with(".wasm") || (n.ends_with(".js") && !n.ends_with(".d.js"))
            })
        })
        .collect();
    let mut dirs = vec![pkg.join("snippets")];
    while let Some(dir) = dirs.pop() {
        if !dir.is_dir() {
            continue;
        }
        for path in read(&dir)? {
            if path.is_dir() {
                dirs.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    if !files
        .iter()
        .any(|f| f.extension().is_some_and(|e| e == "wasm"))
    {
        return Err(format!(
            "no .wasm file in {}: build the package first",
            pkg.display()
        ));
    }
    Ok(files)
}

fn measure(pkg: &Path) -> Result<Vec<Measured>, String> {
    package_files(pkg)?
        .into_iter()
        .map(|path| {
            let raw = path
                .metadata()
                .map_err(|e| format!("cannot stat {}: {e}", path.display()))?
                .len();
            let name = path
                .strip_prefix(pkg)
                .unwrap_or(&path)
                .display()
                .to_string();
            Ok(Measured {
                name,
                raw,
                gzip: gzip_len(&path)?,
            })
        })
        .collect()
}

/// The length of `gzip -9 -c path`.
fn gzip_len(path: &Path) -> Result<u64, String> {
    let out = Command::new("gzip")
        .args(["-9", "-c"])
        .arg(path)
        .output()
        .map_err(|e| format!("cannot run gzip (needed to measure the package): {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "gzip -9 -c {} failed ({})",
            path.display(),
            out.status
        ));
    }
    Ok(out.stdout.len() as u64)
}

/// The web package `cargo xtask wasm` builds.
pub fn default_pkg() -> PathBuf {
    root().join(CRATE_DIR).join("pkg")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_budget() {
        assert_eq!(
            parse_budget(r#"{"a": "x", "gzipMaxBytes" : 92160 }"#),
            Some(92160)
        );
        assert_eq!(parse_budget(r#"{"gzipMaxBytes": "92160"}"#), None);
        assert_eq!(parse_budget("{}"), None);
        // The file in the repository parses.
        assert!(budget().unwrap() > 0);
    }

    #[test]
    fn measures_what_a_page_loads() {
        let dir = std::env::temp_dir().join(format!("xtask-size-{}", std::process::id()));
        let snippet = dir.join("snippets/jrpc-client-wasm-0123/src");
        std::fs::create_dir_all(&snippet).unwrap();
        for (path, text) in [
            (dir.join("x_bg.wasm"), "\0asm"),
            (dir.join("x.js"), "export {}"),
            (dir.join("x.d.ts"), "declare"),
            (dir.join("package.json"), "{}"),
            (snippet.join("glue.js"), "export function f() {}"),
        ] {
            std::fs::write(path, text).unwrap();
        }
        let files = measure(&dir).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "snippets/jrpc-client-wasm-0123/src/glue.js",
                "x.js",
                "x_bg.wasm"
            ]
        );
        assert_eq!(files[1].raw, 9);
        // gzip adds a header: a tiny file grows.
        assert!(files.iter().all(|f| f.gzip > f.raw));
    }

    #[test]
    fn modules_imported_on_demand_are_not_in_the_total() {
        let file = |name: &str, gzip| Measured {
            name: name.to_owned(),
            raw: gzip,
            gzip,
        };
        let files = [
            file("jrpc_client_wasm.js", 10),
            file("jrpc_dialect.js", 100),
            file("jrpc_dialect_bg.wasm", 1000),
            file("jrpc_engine_bg.wasm", 20),
            file("jrpc_engine_inline.js", 500),
            file("jrpc_client_wasm_slim.js", 10),
        ];
        assert_eq!(report(&files, 50), 30);
    }
}
