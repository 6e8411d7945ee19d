//! Running commands with clear errors, and finding programs.
//!
//! Programs are looked up on `PATH` plus cargo's `bin` directory: a fresh
//! machine may have `cargo install`ed tools there without having it on `PATH`,
//! and the tools xtask installs itself land there too.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The workspace root (xtask lives one level below it).
pub fn root() -> PathBuf {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    here.parent().map(PathBuf::from).unwrap_or(here)
}

/// Cargo's target directory (`CARGO_TARGET_DIR`, else `target/` in the root).
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        // A relative value is relative to where cargo runs: the root.
        Some(dir) => root().join(dir),
        None => root().join("target"),
    }
}

/// The `cargo` that runs this task (so toolchain overrides carry over).
pub fn cargo() -> Command {
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.current_dir(root()).env("PATH", search_path());
    cmd
}

/// A command for `program`, run from the root with cargo's `bin` directory on
/// `PATH` (wasm-pack finds `wasm-bindgen` and `wasm-opt` through it).
pub fn tool(program: impl AsRef<Path>) -> Command {
    let program = program.as_ref();
    let resolved = program
        .to_str()
        .and_then(which)
        .unwrap_or_else(|| program.to_path_buf());
    let mut cmd = Command::new(resolved);
    cmd.current_dir(root()).env("PATH", search_path());
    cmd
}

/// Where `cargo install` puts binaries.
fn cargo_bin() -> Option<PathBuf> {
    if let Some(root) = std::env::var_os("CARGO_INSTALL_ROOT") {
        return Some(PathBuf::from(root).join("bin"));
    }
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))?;
    Some(home.join("bin"))
}

/// Where `tools::binaryen` installs npm's `wasm-opt`.
pub fn npm_tools_bin() -> PathBuf {
    target_dir().join("npm-tools/node_modules/.bin")
}

/// `PATH` with the npm tools first (so wasm-pack runs that `wasm-opt`, not an
/// older system one) and cargo's `bin` directory appended when missing.
pub fn search_path() -> OsString {
    let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).collect())
        .unwrap_or_default();
    dirs.insert(0, npm_tools_bin());
    if let Some(bin) = cargo_bin().filter(|bin| !dirs.contains(bin)) {
        dirs.push(bin);
    }
    std::env::join_paths(dirs).unwrap_or_else(|_| std::env::var_os("PATH").unwrap_or_default())
}

/// The full path of executable `name` on [`search_path`], like `command -v`.
pub fn which(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&search_path())
        .map(|dir| dir.join(name))
        .find(|path| is_executable(path))
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    path.is_file() || path.with_extension("exe").is_file()
}

/// Runs `cmd`, failing with its command line when it does not succeed.
pub fn run(cmd: &mut Command) -> Result<(), String> {
    let line = describe(cmd);
    eprintln!("xtask: $ {line}");
    let status = cmd
        .status()
        .map_err(|e| format!("cannot start {line}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{line} failed ({status})"))
    }
}

/// The trimmed stdout of `cmd` if it starts and succeeds (for version checks,
/// where a failure just means "not installed").
pub fn output(cmd: &mut Command) -> Option<String> {
    let out = cmd.output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// A command line as a user would type it, with the variables set for it.
pub fn describe(cmd: &Command) -> String {
    let mut words: Vec<String> = cmd
        .get_envs()
        .filter(|(name, _)| *name != "PATH")
        .filter_map(|(name, value)| {
            Some(format!(
                "{}={}",
                name.to_string_lossy(),
                value?.to_string_lossy()
            ))
        })
        .collect();
    let program = Path::new(cmd.get_program());
    // Only the name: the full path of a tool is noise in the log.
    let program = program.file_name().unwrap_or(program.as_os_str());
    words.push(program.to_string_lossy().into_owned());
    words.extend(cmd.get_args().map(|a| a.to_string_lossy().into_owned()));
    words.join(" ")
}
