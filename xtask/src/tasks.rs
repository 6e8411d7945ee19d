//! The tasks themselves.

use crate::run::{cargo, root, run};

/// Builds the release server and runs it in the foreground with the demo page.
pub fn demo(flags: &[String]) -> Result<(), String> {
    run(cargo().args([
        "build",
        "--release",
        "-p",
        "jrpc-server",
        "--bin",
        "jrpc-server",
    ]))?;
    let binary = root().join("target/release/jrpc-server");
    let mut server = std::process::Command::new(binary);
    server.current_dir(root()).args(flags);
    eprintln!("xtask: starting jrpc-server (Ctrl-C stops it)");
    run(&mut server)
}

/// Runs every test: the whole workspace (unit, protocol, end-to-end, CLI, doc tests).
pub fn test(args: &[String]) -> Result<(), String> {
    run(cargo().args(["test", "--workspace"]).args(args))
}
