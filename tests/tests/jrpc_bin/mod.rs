//! The `jrpc` binary for the CLI tests.
//!
//! The binary belongs to another package, so Cargo does not hand its path to
//! these tests; [`jrpc_bin`] builds it once (a no-op when it is up to date)
//! into the same target directory and profile as the test and runs it from there.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The `jrpc` binary, built on first use.
#[allow(dead_code)] // not every test file that includes this module uses both
pub fn jrpc_bin() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| build("jrpc"))
}

/// The `jrpc-server` binary, built on first use.
#[allow(dead_code)] // not every test file that includes this module uses both
pub fn server_bin() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| build("jrpc-server"))
}

fn build(name: &str) -> PathBuf {
    {
        // The test runs from <target-dir>/<profile-dir>/deps/.
        let exe = std::env::current_exe().unwrap();
        let profile_dir = exe.parent().unwrap().parent().unwrap();
        let target_dir = profile_dir.parent().unwrap();
        let profile = match profile_dir.file_name().unwrap().to_str().unwrap() {
            "debug" => "dev",
            other => other,
        };
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let status = Command::new(cargo)
            .args(["build", "--quiet", "-p", "jrpc-server", "--bin", name])
            .args(["--profile", profile, "--target-dir"])
            .arg(target_dir)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .unwrap();
        assert!(status.success(), "building the {name} binary failed");
        profile_dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX))
    }
}
