//! `cargo xtask fuzz [SECONDS]`: runs every cargo-fuzz target of
//! `shared/fuzz/` on its corpus for SECONDS each (600 by default), and fails
//! when one finds a crash (libFuzzer then names the reproducer it saved in
//! `shared/fuzz/artifacts/`).
//!
//! Not part of `cargo xtask test`: it takes minutes, and needs the nightly
//! toolchain that cargo-fuzz builds with (sanitizers and coverage flags).

use std::path::{Path, PathBuf};

use crate::run::{cargo, output, root, run, tool};

const DEFAULT_SECONDS: u64 = 600;

/// libFuzzer's `-max_len`: the scanner's paths are all reached by short
/// inputs (nesting past the depth limit takes 256 bytes), and longer ones
/// only make each execution slower.
const MAX_LEN: usize = 4096;

pub fn fuzz(args: &[String]) -> Result<(), String> {
    let seconds = match args {
        [] => DEFAULT_SECONDS,
        [seconds] => seconds
            .parse()
            .map_err(|_| format!("`fuzz` takes a number of seconds, not {seconds:?}"))?,
        _ => return Err("`fuzz` takes at most one argument: SECONDS per target".to_owned()),
    };
    let fuzz_dir = root().join("shared/fuzz");
    let targets = targets(&fuzz_dir.join("fuzz_targets"))?;
    nightly()?;
    cargo_fuzz()?;
    for target in &targets {
        eprintln!("xtask: fuzzing {target} for {seconds} s");
        let corpus = fuzz_dir.join("corpus").join(target);
        std::fs::create_dir_all(&corpus)
            .map_err(|e| format!("cannot create {}: {e}", corpus.display()))?;
        let mut cmd = tool("cargo");
        cmd.args(["+nightly", "fuzz", "run", "--fuzz-dir"])
            .arg(&fuzz_dir)
            .arg(target)
            .arg(&corpus)
            .arg("--")
            .arg(format!("-max_total_time={seconds}"))
            .arg(format!("-max_len={MAX_LEN}"))
            .arg("-print_final_stats=1");
        run(&mut cmd).map_err(|e| format!("fuzz target {target} failed: {e}"))?;
    }
    eprintln!(
        "xtask: fuzzed {} for {seconds} s each, no crash",
        targets.join(", ")
    );
    Ok(())
}

/// The targets: one `fuzz_targets/<name>.rs` each, in name order.
fn targets(dir: &Path) -> Result<Vec<String>, String> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    let mut names: Vec<String> = entries
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "rs"))
        .filter_map(|path: PathBuf| Some(path.file_stem()?.to_str()?.to_owned()))
        .collect();
    names.sort();
    if names.is_empty() {
        return Err(format!("no fuzz targets in {}", dir.display()));
    }
    Ok(names)
}

/// cargo-fuzz builds with nightly-only flags. Nightly is not installed here:
/// that is a toolchain download, which is the user's call.
fn nightly() -> Result<(), String> {
    match output(tool("rustc").args(["+nightly", "--version"])) {
        Some(version) => {
            eprintln!("xtask: {version}: present");
            Ok(())
        }
        None => Err(
            "fuzzing needs the nightly toolchain: `rustup toolchain install nightly`".to_owned(),
        ),
    }
}

/// cargo-fuzz from crates.io, any version (0.13 is what the targets are run with).
fn cargo_fuzz() -> Result<(), String> {
    if let Some(version) = output(tool("cargo").args(["fuzz", "--version"])) {
        eprintln!("xtask: {version}: present, skipped");
        return Ok(());
    }
    eprintln!("xtask: cargo-fuzz: missing, installing");
    run(cargo().args(["install", "cargo-fuzz"]))?;
    match output(tool("cargo").args(["fuzz", "--version"])) {
        Some(_) => Ok(()),
        None => Err("installed cargo-fuzz, but `cargo fuzz --version` still fails".to_owned()),
    }
}
