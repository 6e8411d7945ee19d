//! Reading a package's version from `Cargo.lock`.
//!
//! The wasm-bindgen CLI must be exactly the version of the `wasm-bindgen`
//! crate the build links (otherwise wasm-pack tries to download one, which
//! fails offline). The lock file is the authority on that version; it is
//! simple enough to read by hand, which keeps xtask free of dependencies.

use std::path::Path;

/// The version of package `name` locked in the `Cargo.lock` at `path`.
pub fn locked_version(path: &Path, name: &str) -> Result<String, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut versions = versions_of(&text, name);
    match (versions.pop(), versions.is_empty()) {
        (Some(version), true) => Ok(version),
        (Some(version), false) => Err(format!(
            "{} locks several versions of {name} ({}, {version}); the wasm-bindgen CLI can match only one",
            path.display(),
            versions.join(", ")
        )),
        (None, _) => Err(format!(
            "{} has no {name} package; run `cargo build` once to update it",
            path.display()
        )),
    }
}

/// Every version of `name` among the lock file's `[[package]]` entries.
fn versions_of(lock: &str, name: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut in_package = false;
    let mut is_wanted = false;
    for line in lock.lines().map(str::trim) {
        if line.starts_with('[') {
            in_package = line == "[[package]]";
            is_wanted = false;
            continue;
        }
        if !in_package {
            continue;
        }
        match key_value(line) {
            // `name` comes before `version` in every entry cargo writes.
            Some(("name", value)) => is_wanted = value == name,
            Some(("version", value)) if is_wanted => found.push(value.to_owned()),
            _ => {}
        }
    }
    found
}

/// `key = "value"` → `(key, value)`.
fn key_value(line: &str) -> Option<(&str, &str)> {
    let (key, value) = line.split_once('=')?;
    let value = value.trim().strip_prefix('"')?.strip_suffix('"')?;
    Some((key.trim(), value))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCK: &str = r#"
version = 4

[[package]]
name = "wasm-bindgen-macro"
version = "0.2.130"

[[package]]
name = "wasm-bindgen"
version = "0.2.130"
source = "registry+https://github.com/rust-lang/crates.io-index"
dependencies = [
 "cfg-if",
]

[[package]]
name = "xtask"
version = "0.1.0"
"#;

    #[test]
    fn finds_the_exact_package() {
        assert_eq!(versions_of(LOCK, "wasm-bindgen"), ["0.2.130"]);
        assert_eq!(versions_of(LOCK, "xtask"), ["0.1.0"]);
        assert!(versions_of(LOCK, "wasm-bindgen-cli").is_empty());
    }

    #[test]
    fn the_workspace_lock_has_wasm_bindgen() {
        let lock = crate::run::root().join("Cargo.lock");
        let version = locked_version(&lock, "wasm-bindgen").unwrap();
        assert!(version.starts_with("0."), "{version}");
    }
}
