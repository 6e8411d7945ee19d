//! The package's package.json: wasm-pack's (name, version, description,
//! license, repository and keywords from client-wasm/Cargo.toml) with the
//! members that say how the package is loaded written by us: the entries,
//! `exports`, `sideEffects` and `files`.
//!
//! xtask has no JSON parser (it is std-only): wasm-pack's layout, one member
//! per line at two spaces, with arrays and objects closed at the same
//! indentation, is checked instead.

use std::path::Path;

/// The members this module writes, dropped from wasm-pack's text first.
const OURS: &[&str] = &[
    "main",
    "module",
    "types",
    "exports",
    "typesVersions",
    "sideEffects",
    "files",
];

/// How the package is loaded. The main entry loads the wasm, so it is the
/// one file with side effects: a bundler must not skip it when an app
/// imports `JRPC` through it. The wasm is exported for apps that pass its
/// URL to `init` themselves (`jrpc-client-wasm/jrpc_engine_bg.wasm?url`
/// in Vite). `typesVersions` finds the slim entry's types for TypeScript's
/// older `node` resolution, which reads no `exports`.
const MEMBERS: &str = r#"  "main": "jrpc_client_wasm.js",
  "types": "jrpc_client_wasm.d.ts",
  "exports": {
    ".": {
      "types": "./jrpc_client_wasm.d.ts",
      "default": "./jrpc_client_wasm.js"
    },
    "./slim": {
      "types": "./jrpc_client_wasm.d.ts",
      "default": "./jrpc_client_wasm_slim.js"
    },
    "./jrpc_engine_bg.wasm": "./jrpc_engine_bg.wasm",
    "./jrpc_dialect_bg.wasm": "./jrpc_dialect_bg.wasm",
    "./package.json": "./package.json"
  },
  "typesVersions": {
    "*": {
      "slim": ["jrpc_client_wasm.d.ts"]
    }
  },
  "sideEffects": [
    "./jrpc_client_wasm.js"
  ],
"#;

/// Rewrites wasm-pack's package.json at `path`, listing `files`.
pub fn write(path: &Path, files: &[String]) -> Result<(), String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let rewritten = rewrite(&text, files)
        .ok_or_else(|| format!("{} is not laid out as wasm-pack writes it", path.display()))?;
    std::fs::write(path, rewritten).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// `text` without the members in [`OURS`], with ours after `"type"`; `None`
/// when `text` has no `"type"` member or an unclosed one.
fn rewrite(text: &str, files: &[String]) -> Option<String> {
    let mut out = String::with_capacity(text.len() + MEMBERS.len());
    let mut lines = text.lines();
    let mut wrote = false;
    while let Some(line) = lines.next() {
        let name = line
            .strip_prefix("  \"")
            .and_then(|rest| rest.split_once('"'))
            .map(|(name, _)| name);
        if name.is_some_and(|n| OURS.contains(&n)) {
            // A multi-line member ends with its closing bracket at two spaces.
            if line.ends_with('[') || line.ends_with('{') {
                lines
                    .by_ref()
                    .find(|l| l.starts_with("  ]") || l.starts_with("  }"))?;
            }
            continue;
        }
        out.push_str(line);
        out.push('\n');
        if name == Some("type") {
            out.push_str(MEMBERS);
            out.push_str("  \"files\": [\n");
            let listed: Vec<String> = files.iter().map(|f| format!("    \"{f}\"")).collect();
            out.push_str(&listed.join(",\n"));
            out.push_str("\n  ],\n");
            wrote = true;
        }
    }
    wrote.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// wasm-pack's package.json for `--target web`, as it writes it.
    const WASM_PACK: &str = r#"{
  "name": "jrpc-client-wasm",
  "type": "module",
  "version": "0.1.0",
  "files": [
    "jrpc_engine_bg.wasm",
    "jrpc_engine.js"
  ],
  "main": "jrpc_engine.js",
  "types": "jrpc_engine.d.ts",
  "sideEffects": [
    "./snippets/*"
  ],
  "keywords": [
    "json-rpc"
  ]
}
"#;

    #[test]
    fn the_entries_exports_and_files_replace_wasm_packs() {
        let files = ["a.js".to_owned(), "b.wasm".to_owned()];
        let text = rewrite(WASM_PACK, &files).unwrap();
        assert!(!text.contains("jrpc_engine.js"), "{text}");
        assert!(!text.contains("snippets"), "{text}");
        assert!(
            text.contains("\"files\": [\n    \"a.js\",\n    \"b.wasm\"\n  ],\n  \"version\""),
            "{text}"
        );
        assert!(text.contains("\"./slim\""), "{text}");
        assert!(
            text.contains("\"keywords\": [\n    \"json-rpc\"\n  ]\n}"),
            "{text}"
        );
        assert_eq!(text.matches("\"main\"").count(), 1, "{text}");
    }

    #[test]
    fn a_layout_it_does_not_know_is_refused() {
        assert_eq!(rewrite("{}", &[]), None);
        assert_eq!(
            rewrite("{\n  \"type\": \"module\",\n  \"files\": [\n", &[]),
            None
        );
    }
}
